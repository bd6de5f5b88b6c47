//! The meter's draft estimate over a ~20,000-token history: one keystroke (a character
//! appended to a ~200-character draft, then `Meter::update`) must stay under 1 ms; the first,
//! cold count of the whole history and the uncached recount are measured alongside.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;
use thinkbench::api::{FinishReason, StreamEvent};
use thinkbench::config::{self, CommonArgs, Paths};
use thinkbench::conversation::estimate_request_tokens;
use thinkbench::session::Session;
use thinkbench::tui::meter::Meter;

const PARAGRAPH: &str = "A binary heap keeps the smallest item on top: pushes and pops cost \
O(log n), peeking is O(1), and draining it yields the items in order. For many producers, \
wrap it in a Mutex or give it one owner fed by a channel. ";

/// A session whose history is about `tokens` tokens long, in turns of ~500 tokens.
fn session_with_history(tokens: u64) -> Session {
    let home = std::env::temp_dir().join("thinkbench-bench-home");
    let env = |k: &str| match k {
        "OPENAI_API_KEY" => Some("sk-bench".to_string()),
        "OPENAI_BASE_URL" => Some("http://127.0.0.1:9/v1".to_string()),
        _ => None,
    };
    let args = CommonArgs {
        model: Some("o3-mini".into()),
        ..Default::default()
    };
    let settings = match config::resolve(&args, &env, &Paths::at(&home)) {
        Ok(s) => s,
        Err(e) => panic!("bench settings: {e}"),
    };
    let mut session = Session::new(settings);
    let answer = PARAGRAPH.repeat(11);
    let mut i = 0;
    while estimate_request_tokens(&session.request_for("")) < tokens {
        let (id, _) = session.start_turn(format!("Question {i}: and then what?"));
        if let Some(turn) = session.turn_mut(id) {
            turn.apply(StreamEvent::TextDelta(answer.clone()), 10);
            turn.apply(StreamEvent::Finished(FinishReason::Stop), 20);
        }
        i += 1;
    }
    session
}

fn draft(c: &mut Criterion) {
    let session = session_with_history(20_000);
    let history = estimate_request_tokens(&session.request_for(""));
    let mut draft: String = PARAGRAPH.chars().take(200).collect();
    eprintln!(
        "history: {} turns, ~{history} tokens; draft {} chars",
        session.conversation.turns.len(),
        draft.len()
    );
    let mut group = c.benchmark_group("draft");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(3));
    group.warm_up_time(Duration::from_millis(500));

    let mut meter = Meter::new();
    meter.update(&session, &draft);
    group.bench_function("keystroke (cached history)", |b| {
        b.iter(|| {
            // Alternate typing and deleting so every call sees a changed draft.
            if draft.len() > 200 {
                draft.pop();
            } else {
                draft.push('x');
            }
            meter.update(black_box(&session), black_box(&draft));
            black_box(meter.raw_request_tokens())
        })
    });
    if meter.history_counts() != 1 {
        panic!("the history was recounted {} times", meter.history_counts());
    }

    group.bench_function("cold (first count of the history)", |b| {
        b.iter(|| {
            let mut meter = Meter::new();
            meter.update(black_box(&session), black_box(&draft));
            black_box(meter.raw_request_tokens())
        })
    });

    group.bench_function("uncached (request_for + estimate_request_tokens)", |b| {
        b.iter(|| estimate_request_tokens(&session.request_for(black_box(&draft))))
    });
    group.finish();
}

criterion_group!(benches, draft);
criterion_main!(benches);
