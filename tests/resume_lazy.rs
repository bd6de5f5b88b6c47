//! A long history opened anew is laid out from its end: the first frame lays out only the
//! last turns (the screen shows the end, code blocks numbered as in the whole conversation),
//! later frames the rest; once done, the rows are those of laying it all out at once.

mod support;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::app::{Harness, harness};
use thinkbench::api::{FinishReason, StreamEvent};
use thinkbench::tui::conversation::cache::LAZY_FROM;
use thinkbench::tui::ui::Ui;

/// The screen's text, the scrollbar's thumb drawn as its track (it moves as rows are added
/// above).
fn screen(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(&buf[(x, y)].symbol().replace('█', "║"));
        }
        out.push('\n');
    }
    out
}

fn long_history(turns: usize) -> Harness {
    let mut h = harness("gpt-4o");
    for i in 0..turns {
        let ms = i as u64 * 10;
        let id = h.send(&format!("question {i}"), ms);
        let answer = format!("Answer {i}.\n\n```rust\nlet x = {i};\n```\n");
        h.stream(id, StreamEvent::TextDelta(answer), ms);
        h.stream(id, StreamEvent::Finished(FinishReason::Stop), ms);
    }
    h
}

#[test]
fn a_long_history_shows_its_end_first_and_the_rest_later() {
    let turns = LAZY_FROM + 60;
    let mut h = long_history(turns);
    let first = h.draw(100, 30);
    assert!(
        h.ui.laying_out(),
        "the first frame leaves the start of the history for later"
    );
    let shown = screen(&first);
    assert!(shown.contains(&format!("Answer {}.", turns - 1)), "{shown}");
    assert!(
        shown.contains(&format!("[{turns}] rust")),
        "numbered as the whole: {shown}"
    );
    let early_total = h.app.scroll.total_rows;

    let mut frames = 1;
    while h.ui.laying_out() {
        let later = h.draw(100, 30);
        assert_eq!(
            screen(&later),
            shown,
            "the end stays put while the rest is laid out"
        );
        frames += 1;
        assert!(frames < 10, "laid out in a few frames");
    }
    let lazy_total = h.app.scroll.total_rows;
    assert!(lazy_total > early_total);

    // Laid out at once (someone scrolled back): the same rows.
    let theme = h.ui.theme.clone();
    h.ui = Ui::new(theme);
    h.app.scroll.top = Some(0);
    h.draw(100, 30);
    assert!(!h.ui.laying_out());
    assert_eq!(h.app.scroll.total_rows, lazy_total);
}

#[test]
fn a_short_history_is_laid_out_at_once() {
    let mut h = long_history(20);
    h.draw(100, 30);
    assert!(!h.ui.laying_out());
}
