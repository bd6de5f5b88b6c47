//! One 120x40 frame (prepare + draw) over a short and a very long history: the cost per
//! frame must not grow with the history (target: 2,000 turns within 1.5x of 10 turns).

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;
use std::time::{Duration, Instant};
use thinkbench::api::{FinishReason, StreamEvent};
use thinkbench::config::{self, CommonArgs, Paths};
use thinkbench::session::Session;
use thinkbench::tui::app::{App, Event};
use thinkbench::tui::theme::Theme;
use thinkbench::tui::ui::Ui;
use thinkbench::usage::Usage;

const ANSWER: &str = "## Answer\n\nA paragraph of prose that wraps across a couple of lines at 120 columns, \
with `inline code`, **bold** and a [link](https://example.com).\n\n- one\n  - nested\n- two\n\n\
| a | b |\n|---|---|\n| 1 | 2 |\n\n```rust\nfn main() {\n    println!(\"hi\");\n}\n```\n\nDone.\n";

fn app_with_turns(n: usize) -> (App, Ui) {
    let home = std::env::temp_dir().join("thinkbench-bench-home");
    let paths = Paths::at(&home);
    let env = |k: &str| match k {
        "OPENAI_API_KEY" => Some("sk-bench".to_string()),
        "OPENAI_BASE_URL" => Some("http://127.0.0.1:9/v1".to_string()),
        _ => None,
    };
    let args = CommonArgs {
        model: Some("o3-mini".into()),
        ..Default::default()
    };
    let settings = match config::resolve(&args, &env, &paths) {
        Ok(s) => s,
        Err(e) => panic!("bench settings: {e}"),
    };
    let t0 = Instant::now();
    let theme = Theme::builtin("dark").unwrap_or_default();
    let mut app = App::new(Session::new(settings), &theme, t0);
    let mut ui = Ui::new(theme);
    let mut terminal = match Terminal::new(TestBackend::new(120, 40)) {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    for i in 0..n {
        let at = t0 + Duration::from_millis(i as u64 * 10);
        app.update(Event::Paste(format!("question {i}")), at);
        let effects = app.update(
            Event::Key(crossterm::event::KeyEvent::from(
                crossterm::event::KeyCode::Enter,
            )),
            at,
        );
        let started = effects.into_iter().find_map(|e| match e {
            thinkbench::tui::app::Effect::StartTurn { turn_id, .. } => Some(turn_id),
            _ => None,
        });
        let Some(turn_id) = started else {
            panic!("no turn started");
        };
        for event in [
            StreamEvent::TextDelta(ANSWER.to_string()),
            StreamEvent::Usage(Usage {
                input: 100,
                output: 300,
                reasoning: 200,
                ..Default::default()
            }),
            StreamEvent::Finished(FinishReason::Stop),
        ] {
            app.update(Event::Stream { turn_id, event, at }, at);
        }
        // Lay out as the runtime would, so every turn's cache is warm.
        let _ = thinkbench::tui::draw(&mut terminal, &mut app, &mut ui);
    }
    (app, ui)
}

fn frame(c: &mut Criterion) {
    let mut group = c.benchmark_group("frame");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(3));
    for turns in [10usize, 2_000] {
        let (mut app, mut ui) = app_with_turns(turns);
        let mut terminal = match Terminal::new(TestBackend::new(120, 40)) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        };
        group.bench_function(format!("120x40 over {turns} turns"), |b| {
            b.iter(|| {
                let _ = thinkbench::tui::draw(&mut terminal, &mut app, &mut ui);
                black_box(terminal.backend());
            })
        });
    }
    group.finish();
}

criterion_group!(benches, frame);
criterion_main!(benches);
