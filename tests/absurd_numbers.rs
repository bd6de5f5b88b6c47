//! Absurd numbers from the wire (`"prompt_tokens": 1e20` parses to `u64::MAX`, a cost of
//! `1e308`) saturate wherever they are summed: the totals, the meter, the inspector and the
//! whole screen draw them without a panic (debug) or a wrap-around (release).

mod support;

use support::app::{Harness, harness};
use thinkbench::api::{FinishReason, StreamEvent};
use thinkbench::totals::Totals;
use thinkbench::usage::Usage;

fn absurd() -> Usage {
    Usage {
        input: u64::MAX,
        cached_input: u64::MAX,
        cache_write: u64::MAX,
        output: u64::MAX,
        reasoning: u64::MAX,
        reported_cost: Some(1e308),
        ..Default::default()
    }
}

fn absurd_turn(h: &mut Harness, start: u64) {
    let id = h.send("How many tokens was that?", start);
    h.stream(id, StreamEvent::ReasoningDelta("think".into()), start + 10);
    h.stream(
        id,
        StreamEvent::TextDelta("All of them.".into()),
        start + 20,
    );
    h.stream(id, StreamEvent::Usage(absurd()), start + 30);
    h.stream(id, StreamEvent::Finished(FinishReason::Stop), start + 40);
}

fn screen_text(h: &mut Harness, w: u16, rows: u16) -> String {
    let terminal = h.draw(w, rows);
    let buffer = terminal.backend().buffer();
    buffer
        .content
        .chunks(usize::from(w))
        .map(|row| row.iter().map(|c| c.symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn totals_of_absurd_usages_saturate() {
    let mut h = harness("o3-mini");
    absurd_turn(&mut h, 0);
    absurd_turn(&mut h, 1_000);
    let totals = Totals::of(&h.app.session.conversation.turns);
    let u = totals.overall.usage;
    assert_eq!(totals.overall.turns, 2);
    assert_eq!(u.input, u64::MAX);
    assert_eq!(u.cached_input, u64::MAX);
    assert_eq!(u.cache_write, u64::MAX);
    assert_eq!(u.output, u64::MAX);
    assert_eq!(u.reasoning, u64::MAX);
    assert!(totals.overall.cost.is_finite(), "{}", totals.overall.cost);
    assert!(totals.overall.cost >= 1e308);
}

#[test]
fn every_view_draws_absurd_usages() {
    let mut h = harness("o3-mini");
    absurd_turn(&mut h, 0);
    absurd_turn(&mut h, 1_000);
    let screen = screen_text(&mut h, 160, 48);
    // u64::MAX in thousands: 18,446,744,073,709,551,615.
    assert!(
        screen.contains("18,446,744,073,709,551,615"),
        "the saturated count is shown:\n{screen}"
    );
    for (w, rows) in [(40, 12), (80, 24), (20, 6)] {
        screen_text(&mut h, w, rows);
    }
}
