//! One 120x40 frame (prepare + draw) over a short and a very long history: the cost per
//! frame must not grow with the history (target: 2,000 turns within 1.2x of 10 turns).
//! And a 160x48 frame while answers stream: four arms of a comparison side by side, each
//! gaining a delta per frame, within 2x of one streaming turn.

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

fn env(k: &str) -> Option<String> {
    match k {
        "OPENAI_API_KEY" => Some("sk-bench".to_string()),
        "OPENAI_BASE_URL" => Some("http://127.0.0.1:9/v1".to_string()),
        _ => None,
    }
}

fn app_with_turns(n: usize) -> (App, Ui) {
    let home = std::env::temp_dir().join("thinkbench-bench-home");
    let paths = Paths::at(&home);
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

/// The first frame of a session opened with its history (`--continue`): a fresh view of a
/// conversation of `turns` turns, laid out and drawn once. Target: 2,000 turns within 200 ms.
/// The layout is laid out from the end (a few screens); the meter's count of the history's
/// tokens still reads every turn (the tokenizer is loaded here, as it is once the TUI has
/// loaded it in the background).
fn resume(c: &mut Criterion) {
    let mut group = c.benchmark_group("resume");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(3));
    for turns in [10usize, 2_000] {
        let (mut app, ui) = app_with_turns(turns);
        drop(ui);
        let theme = Theme::builtin("dark").unwrap_or_default();
        let mut terminal = match Terminal::new(TestBackend::new(120, 40)) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        };
        group.bench_function(format!("first 120x40 frame of {turns} turns"), |b| {
            b.iter(|| {
                let mut fresh = Ui::new(theme.clone());
                let _ = thinkbench::tui::draw(&mut terminal, &mut app, &mut fresh);
                black_box(terminal.backend());
            })
        });
    }
    group.finish();
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

/// A workbench streaming one turn (`arms` = 1) or a comparison of `arms` arms, each answer
/// already a screenful long; returns the app, its view and what each delta goes to.
fn streaming_app(arms: usize) -> (App, Ui, Vec<(u64, Option<u32>)>) {
    let (mut app, ui) = app_with_turns(0);
    let at = Instant::now();
    if arms > 1 {
        let labels: Vec<String> = ["o3-mini@low", "o3-mini@medium", "o3-mini@high", "gpt-4o"]
            .iter()
            .take(arms)
            .map(|s| s.to_string())
            .collect();
        let resolved = match thinkbench::compare::resolve_arms(&app.session.settings, &labels, &env)
        {
            Ok(arms) => arms,
            Err(e) => panic!("{e}"),
        };
        app.update(
            Event::ArmsResolved {
                result: Ok(thinkbench::tui::app::ResolvedArms(resolved)),
                then: thinkbench::tui::app::ArmsFor::Set,
            },
            at,
        );
    }
    app.update(Event::Paste("stream something long".into()), at);
    let effects = app.update(
        Event::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Enter,
        )),
        at,
    );
    let targets: Vec<(u64, Option<u32>)> = effects
        .into_iter()
        .filter_map(|e| match e {
            thinkbench::tui::app::Effect::StartTurn { turn_id, .. } => Some((turn_id, None)),
            thinkbench::tui::app::Effect::StartArm { turn_id, arm, .. } => {
                Some((turn_id, Some(arm)))
            }
            _ => None,
        })
        .collect();
    assert_eq!(targets.len(), arms, "every arm started");
    for _ in 0..3 {
        deliver(&mut app, &targets, ANSWER, at);
    }
    (app, ui, targets)
}

fn deliver(app: &mut App, targets: &[(u64, Option<u32>)], text: &str, at: Instant) {
    for &(turn_id, arm) in targets {
        let event = StreamEvent::TextDelta(text.to_string());
        let event = match arm {
            Some(arm) => Event::ArmStream {
                turn_id,
                arm,
                event,
                at,
            },
            None => Event::Stream { turn_id, event, at },
        };
        app.update(event, at);
    }
}

fn streaming(c: &mut Criterion) {
    let mut group = c.benchmark_group("streaming frame");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(3));
    for arms in [1usize, 4] {
        let (mut app, mut ui, targets) = streaming_app(arms);
        let mut terminal = match Terminal::new(TestBackend::new(160, 48)) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        };
        let mut n = 0u64;
        let label = if arms == 1 {
            "160x48, one turn streaming".to_string()
        } else {
            format!("160x48, {arms} arms streaming")
        };
        group.bench_function(label, |b| {
            b.iter(|| {
                n += 1;
                // Words, with a paragraph break now and then, as a model writes.
                let delta = if n.is_multiple_of(16) {
                    "end.\n\n"
                } else {
                    "more words "
                };
                deliver(&mut app, &targets, delta, Instant::now());
                let _ = thinkbench::tui::draw(&mut terminal, &mut app, &mut ui);
                black_box(terminal.backend());
            })
        });
    }
    group.finish();
}

criterion_group!(benches, frame, resume, streaming);
criterion_main!(benches);
