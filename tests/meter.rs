//! The meter pane in each phase (drafting, streaming, done, no usage reported, unknown
//! price), drawn on a TestBackend and snapshotted, plus its caches and per-model totals.

mod support;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::app::{Harness, harness};
use thinkbench::api::{FinishReason, RateLimitInfo, StreamEvent};
use thinkbench::conversation::estimate_request_tokens;
use thinkbench::tui::app::Event;
use thinkbench::tui::meter::view::render;
use thinkbench::tui::meter::{Meter, Phase, estimate_error};
use thinkbench::usage::Usage;

const ANSWER: &str = "Use a binary heap: pushes and pops are O(log n), and the smallest item \
is always on top. For a sorted snapshot, drain it into a Vec.";

fn usage(input: u64, cached: u64, output: u64, reasoning: u64) -> Usage {
    Usage {
        input,
        cached_input: cached,
        output,
        reasoning,
        ..Default::default()
    }
}

/// One finished exchange answered with `ANSWER`, reporting `usage` when given.
fn exchange(h: &mut Harness, prompt: &str, start: u64, reported: Option<Usage>) -> u64 {
    let id = h.send(prompt, start);
    h.stream(
        id,
        StreamEvent::ReasoningDelta("Weigh a heap against a sorted Vec.".into()),
        start + 900,
    );
    h.stream(id, StreamEvent::TextDelta(ANSWER.into()), start + 2_100);
    if let Some(u) = reported {
        h.stream(id, StreamEvent::Usage(u), start + 2_400);
    }
    h.stream(id, StreamEvent::Finished(FinishReason::Stop), start + 2_400);
    id
}

/// A long answer, about 8,000 tokens.
fn long_answer() -> String {
    ANSWER.repeat(280)
}

fn draw(h: &Harness, meter: &mut Meter, w: u16, rows: u16) -> Terminal<TestBackend> {
    meter.update(&h.app.session, &h.app.draft());
    let mut terminal = Terminal::new(TestBackend::new(w, rows)).unwrap();
    terminal
        .draw(|f| render(&h.ctx(), meter, f, f.area()))
        .unwrap();
    terminal
}

fn type_draft(h: &mut Harness, text: &str, ms: u64) {
    let at = h.at(ms);
    h.app.update(Event::Paste(text.to_string()), at);
}

#[test]
fn drafting() {
    let mut h = harness("o3-mini");
    for i in 0..3 {
        let id = h.send(&format!("Part {i}: explain heaps in depth."), i * 10_000);
        let estimate = h.app.session.turn(id).unwrap().prompt_estimate();
        let input = (estimate as f64 * 1.02).round() as u64;
        h.stream(
            id,
            StreamEvent::TextDelta(long_answer()),
            i * 10_000 + 4_000,
        );
        h.stream(
            id,
            StreamEvent::Usage(usage(input, 0, 8_300, 300)),
            i * 10_000 + 9_000,
        );
        h.stream(
            id,
            StreamEvent::Finished(FinishReason::Stop),
            i * 10_000 + 9_000,
        );
    }
    type_draft(
        &mut h,
        "And if the items arrive from several threads at once?",
        40_000,
    );
    let mut meter = Meter::new();
    let terminal = draw(&h, &mut meter, 36, 30);
    let panel = meter.panel(&h.ctx());
    assert_eq!(panel.phase, Phase::Drafting);
    // Exactly what the request that would be sent counts (o200k, OpenAI family: factor 1).
    let request = h.app.session.request_for(&h.app.draft());
    assert_eq!(panel.draft.tokens, estimate_request_tokens(&request));
    assert!(panel.draft.tokens > 20_000, "{}", panel.draft.tokens);
    assert_eq!(panel.draft.window, Some(200_000));
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn streaming() {
    let mut h = harness("o3-mini");
    exchange(
        &mut h,
        "How do I keep items sorted?",
        0,
        Some(usage(40, 0, 260, 192)),
    );
    let id = h.send("And from several threads?", 10_000);
    h.stream(
        id,
        StreamEvent::ReasoningDelta(
            "The person wants concurrency. A Mutex<BinaryHeap> is simplest; a channel \
             feeding one owner thread avoids contention."
                .into(),
        ),
        11_200,
    );
    h.stream(
        id,
        StreamEvent::TextDelta("Wrap the heap in a `Mutex`, or send items".into()),
        13_000,
    );
    let now = h.at(14_500);
    h.app.update(Event::Tick, now);
    let mut meter = Meter::new();
    let terminal = draw(&h, &mut meter, 36, 24);
    assert_eq!(meter.panel(&h.ctx()).phase, Phase::Streaming);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn streaming_hidden_reasoning() {
    let mut h = harness("o3-mini");
    h.send("Prove it.", 0);
    let now = h.at(7_300);
    h.app.update(Event::Tick, now);
    let mut meter = Meter::new();
    let terminal = draw(&h, &mut meter, 36, 16);
    let panel = meter.panel(&h.ctx());
    let turn = panel.turn.unwrap();
    assert!(turn.hidden_reasoning);
    assert_eq!(turn.reasoning_ms, Some(7_300));
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn done_with_exact_usage() {
    let mut h = harness("o3-mini");
    let id = h.send("Explain heaps in depth.", 0);
    h.stream(id, StreamEvent::TextDelta(long_answer()), 4_000);
    h.stream(id, StreamEvent::Finished(FinishReason::Stop), 9_000);
    let id = h.send("Now with threads?", 20_000);
    let estimate = h.app.session.turn(id).unwrap().prompt_estimate();
    // The server counts 3.7% more than we estimated, 1,024 of them from the cache.
    let input = (estimate as f64 * 1.037).round() as u64;
    h.stream(
        id,
        StreamEvent::ReasoningDelta("Locks or channels.".into()),
        21_000,
    );
    h.stream(id, StreamEvent::TextDelta(ANSWER.into()), 26_000);
    h.stream(
        id,
        StreamEvent::Usage(usage(input, 1_024, 1_650, 1_536)),
        28_000,
    );
    h.stream(id, StreamEvent::Finished(FinishReason::Stop), 28_000);
    let turn = h.app.session.turn(id).unwrap().clone();
    let error = estimate_error(&turn).unwrap();
    assert!(
        (error - (estimate as f64 - input as f64) / input as f64).abs() < 1e-12,
        "{error}"
    );
    h.app.rate_limit = Some(RateLimitInfo {
        remaining_requests: Some(4_999),
        remaining_tokens: Some(1_999_000),
        reset_requests: Some("12ms".into()),
        reset_tokens: Some("30ms".into()),
    });
    let mut meter = Meter::new();
    let terminal = draw(&h, &mut meter, 36, 36);
    let panel = meter.panel(&h.ctx());
    let figures = panel.turn.unwrap();
    assert!(!figures.usage.estimated);
    assert_eq!(figures.estimate.map(|e| e.0), Some(estimate));
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn no_usage_reported() {
    let mut h = harness("o3-mini");
    exchange(&mut h, "How do I keep items sorted?", 0, None);
    let mut meter = Meter::new();
    let terminal = draw(&h, &mut meter, 36, 28);
    let figures = meter.panel(&h.ctx()).turn.unwrap();
    assert!(figures.usage.estimated);
    assert_eq!(figures.estimate, None);
    insta::assert_snapshot!(terminal.backend());
}

/// In the pane's real width the note wraps at a word instead of losing its end.
#[test]
fn no_usage_reported_wraps_in_the_pane() {
    let mut h = harness("o3-mini");
    exchange(&mut h, "How do I keep items sorted?", 0, None);
    let mut meter = Meter::new();
    let screen = format!("{}", draw(&h, &mut meter, 34, 28).backend());
    assert!(
        screen.contains("│ no usage reported: estimated   │"),
        "{screen}"
    );
    assert!(
        screen.contains("│ (~)                            │"),
        "{screen}"
    );
    assert!(!screen.contains('…'), "{screen}");
}

#[test]
fn unknown_price() {
    let mut h = harness("lab-model-7b");
    exchange(
        &mut h,
        "How do I keep items sorted?",
        0,
        Some(usage(15, 0, 80, 0)),
    );
    type_draft(&mut h, "Thanks!", 3_000);
    let mut meter = Meter::new();
    let terminal = draw(&h, &mut meter, 36, 30);
    let panel = meter.panel(&h.ctx());
    assert_eq!(panel.draft.min_cost, None);
    assert_eq!(panel.draft.window, None);
    assert!(panel.totals.overall.cost_unknown);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn the_history_is_counted_once_not_per_keystroke() {
    let mut h = harness("o3-mini");
    for i in 0..5 {
        exchange(&mut h, &format!("question {i}"), i * 10_000, None);
    }
    let mut meter = Meter::new();
    meter.update(&h.app.session, &h.app.draft());
    assert_eq!(meter.history_counts(), 1);
    let drafts = meter.draft_counts();
    for (i, ch) in "does it scale?".chars().enumerate() {
        h.type_text(&ch.to_string(), 60_000 + i as u64);
        meter.update(&h.app.session, &h.app.draft());
        let request = h.app.session.request_for(&h.app.draft());
        assert_eq!(
            meter.raw_request_tokens(),
            estimate_request_tokens(&request)
        );
    }
    assert_eq!(meter.history_counts(), 1, "recounted on a keystroke");
    assert_eq!(meter.draft_counts(), drafts + 14);
    // Nothing changed: nothing recounted at all.
    meter.update(&h.app.session, &h.app.draft());
    assert_eq!(
        (meter.history_counts(), meter.draft_counts()),
        (1, drafts + 14)
    );
    // A turn streams: it is not sent back, so its deltas recount nothing...
    let id = h.send("next", 70_000);
    meter.update(&h.app.session, &h.app.draft());
    h.stream(id, StreamEvent::TextDelta("an answer".into()), 71_000);
    meter.update(&h.app.session, &h.app.draft());
    assert_eq!(meter.history_counts(), 1);
    // ...and once it ends, the history is counted again, once.
    h.stream(id, StreamEvent::Finished(FinishReason::Stop), 72_000);
    meter.update(&h.app.session, &h.app.draft());
    meter.update(&h.app.session, &h.app.draft());
    assert_eq!(meter.history_counts(), 2);
    let request = h.app.session.request_for("");
    assert_eq!(
        meter.raw_request_tokens(),
        estimate_request_tokens(&request)
    );
    // A change of model rescales but does not recount.
    let env = |_: &str| None;
    h.app.session.settings = h.app.session.settings.switch_model("gpt-4o", &env).unwrap();
    meter.update(&h.app.session, &h.app.draft());
    assert_eq!(meter.history_counts(), 2);
}

#[test]
fn totals_per_model_and_overall() {
    let mut h = harness("o3-mini");
    exchange(&mut h, "one", 0, Some(usage(100, 0, 300, 200)));
    exchange(&mut h, "two", 10_000, Some(usage(500, 400, 100, 50)));
    let env = |_: &str| None;
    h.app.session.settings = h.app.session.settings.switch_model("gpt-4o", &env).unwrap();
    exchange(&mut h, "three", 20_000, Some(usage(700, 0, 50, 0)));
    let mut meter = Meter::new();
    meter.update(&h.app.session, "");
    let totals = meter.panel(&h.ctx()).totals;
    let models: Vec<_> = totals.per_model.iter().map(|m| m.model.as_str()).collect();
    assert_eq!(models, ["o3-mini", "gpt-4o"]);
    let o3 = &totals.per_model[0];
    assert_eq!(
        (
            o3.turns,
            o3.usage.input,
            o3.usage.output,
            o3.usage.reasoning
        ),
        (2, 600, 400, 250)
    );
    // o3-mini: $1.10 in, $0.55 cached, $4.40 out per 1M.
    let o3_cost = (100.0 * 1.10 + 300.0 * 4.40 + 100.0 * 1.10 + 400.0 * 0.55 + 100.0 * 4.40) / 1e6;
    assert!((o3.cost - o3_cost).abs() < 1e-12, "{}", o3.cost);
    let gpt = &totals.per_model[1];
    assert_eq!((gpt.turns, gpt.usage.input, gpt.usage.output), (1, 700, 50));
    let overall = &totals.overall;
    assert_eq!(
        (overall.turns, overall.usage.input, overall.usage.output),
        (3, 1300, 450)
    );
    assert!((overall.cost - (o3.cost + gpt.cost)).abs() < 1e-12);
    assert!(!overall.cost_unknown && !overall.usage.estimated);
    // The meter's cached totals are the totals of the whole conversation.
    let fresh = thinkbench::totals::Totals::of(&h.app.session.conversation.turns).overall;
    assert!((fresh.cost - overall.cost).abs() < 1e-12 && !fresh.cost_unknown);
}

#[test]
fn any_size_draws_without_panicking() {
    let mut h = harness("o3-mini");
    exchange(
        &mut h,
        "How do I keep items sorted?",
        0,
        Some(usage(40, 0, 260, 192)),
    );
    h.app.rate_limit = Some(RateLimitInfo {
        remaining_requests: Some(1),
        ..Default::default()
    });
    type_draft(&mut h, "more", 5_000);
    let mut meter = Meter::new();
    let full = format!("{}", draw(&h, &mut meter, 40, 30).backend());
    let cost = "$0.001";
    assert!(full.contains(cost), "{full}");
    for w in 0..40 {
        for rows in 0..30 {
            let terminal = draw(&h, &mut meter, w, rows);
            let buffer = terminal.backend().buffer();
            let screen: String = buffer.content.iter().map(|c| c.symbol()).collect();
            assert!(!screen.chars().any(char::is_control), "{w}x{rows}");
            // The session's cost is the last thing to give way.
            if w >= 30 && rows >= 12 {
                assert!(screen.contains(cost), "{w}x{rows}:\n{}", terminal.backend());
            }
        }
    }
}
