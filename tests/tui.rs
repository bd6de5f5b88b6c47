//! The TUI driven through `App::update`, drawn on ratatui's TestBackend and snapshotted.
//! Time is injected, so every elapsed time and spinner frame is deterministic.

mod support;

use crossterm::event::{KeyCode, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::{Duration, Instant};
use support::app::{harness, harness_with, settings, started, without_persist};
use thinkbench::api::{ApiError, FinishReason, StreamEvent};
use thinkbench::config::CommonArgs;
use thinkbench::session::Session;
use thinkbench::tui::app::{App, Effect, Event};
use thinkbench::tui::theme::Theme;
use thinkbench::tui::ui::Ui;
use thinkbench::usage::Usage;

const ANSWER: &str = "## Plan\n\nUse a **binary heap** with `O(log n)` pushes:\n\n1. Push every item\n   - keep the *smallest* on top\n   - pop in order\n2. Done\n\n| op | cost |\n|:---|---:|\n| push | log n |\n| pop | log n |\n\n```rust\nfn main() {\n    let x = 42;\n}\n```\n\nSee [the docs](https://doc.rust-lang.org/std/collections/struct.BinaryHeap.html).\n";

fn usage(input: u64, cached: u64, output: u64, reasoning: u64) -> Usage {
    Usage {
        input,
        cached_input: cached,
        output,
        reasoning,
        ..Default::default()
    }
}

#[test]
fn start_screen_without_a_key_explains_how_to_connect() {
    let (settings, _home) = settings(&[], CommonArgs::default());
    let theme = Theme::builtin("dark").unwrap();
    let mut app = App::new(Session::new(settings), &theme, Instant::now());
    let mut ui = Ui::new(theme);
    let mut terminal = Terminal::new(TestBackend::new(100, 24)).unwrap();
    thinkbench::tui::draw(&mut terminal, &mut app, &mut ui).unwrap();
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn finished_exchange_with_markdown_code_and_table() {
    let mut h = harness("o3-mini");
    let id = h.send("How do I keep items sorted?", 0);
    h.stream(id, StreamEvent::TextDelta(ANSWER.to_string()), 8100);
    h.stream(
        id,
        StreamEvent::Usage(usage(1234, 1000, 4406, 4096)),
        115000,
    );
    h.stream(id, StreamEvent::Finished(FinishReason::Stop), 115000);
    insta::assert_snapshot!(h.draw(100, 40).backend());
}

#[test]
fn streaming_turn_with_thinking_open_then_collapsed() {
    let mut h = harness_with(
        &[("DEEPSEEK_API_KEY", "sk-test")],
        "deepseek/deepseek-reasoner",
        None,
    );
    let id = h.send("Is 1009 prime?", 0);
    h.stream(
        id,
        StreamEvent::ReasoningDelta(
            "Check divisors up to 31.\n\n1009 is odd; not divisible by 3, 7, 11, 13.".into(),
        ),
        400,
    );
    h.stream(
        id,
        StreamEvent::ReasoningDelta(" Nor 17, 19, 23, 29, 31.".into()),
        5200,
    );
    let t = h.at(5300);
    h.app.update(Event::Tick, t);
    insta::assert_snapshot!("still_thinking", h.draw(80, 12).backend());
    h.stream(
        id,
        StreamEvent::TextDelta("Yes — **1009 is prime**".into()),
        6400,
    );
    let t = h.at(7000);
    h.app.update(Event::Tick, t);
    insta::assert_snapshot!("thinking_open", h.draw(80, 20).backend());
    h.key(KeyCode::Tab, KeyModifiers::NONE, 7000);
    insta::assert_snapshot!("thinking_collapsed", h.draw(80, 20).backend());
}

#[test]
fn hidden_reasoning_shows_a_spinner_with_elapsed_time() {
    let mut h = harness("o3-mini");
    h.send("Prove it.", 0);
    let t = h.at(8200);
    h.app.update(Event::Tick, t);
    let terminal = h.draw(60, 10);
    let screen = format!("{}", terminal.backend());
    assert!(screen.contains("reasoning… 8.2 s"), "{screen}");
}

#[test]
fn cancelled_turn_keeps_its_partial_answer() {
    let mut h = harness("gpt-4o");
    let id = h.send(
        "Tell me a long story\nabout a dragon who guards a library of forgotten programming languages and the one knight who reads them all",
        0,
    );
    h.stream(
        id,
        StreamEvent::TextDelta("Once upon a time, a".into()),
        900,
    );
    let effects = h.key(KeyCode::Esc, KeyModifiers::NONE, 1500);
    assert_eq!(without_persist(effects), vec![Effect::Cancel(id)]);
    // A late delta from the aborted stream must not change the cancelled turn.
    h.stream(id, StreamEvent::TextDelta(" dragon".into()), 1600);
    assert!(!h.app.is_streaming());
    insta::assert_snapshot!(h.draw(80, 14).backend());
}

#[test]
fn error_turn_shows_status_type_code_and_keeps_the_prompt() {
    let mut h = harness("gpt-4o");
    let id = h.send("hello there", 0);
    let err = ApiError {
        status: Some(401),
        kind: Some("invalid_request_error".into()),
        code: Some("invalid_api_key".into()),
        message:
            "the API key was rejected: set OPENAI_API_KEY (Incorrect API key provided: sk-test.)"
                .into(),
        ..Default::default()
    };
    h.stream(id, StreamEvent::Failed(err), 300);
    insta::assert_snapshot!(h.draw(80, 14).backend());
    // Up at the empty composer brings the prompt back.
    h.key(KeyCode::Up, KeyModifiers::NONE, 400);
    assert_eq!(h.app.draft(), "hello there");
}

#[test]
fn tiny_terminals_do_not_panic() {
    let mut h = harness("o3-mini");
    let id = h.send("hi", 0);
    h.stream(id, StreamEvent::TextDelta(ANSWER.into()), 100);
    for (w, hgt) in [(10, 3), (1, 1), (3, 2), (20, 4), (0, 0)] {
        let _ = h.draw(w, hgt);
    }
    insta::assert_snapshot!(h.draw(10, 3).backend());
}

#[test]
fn composer_keys_newline_recall_and_quit() {
    let mut h = harness("gpt-4o");
    h.type_text("line one", 0);
    h.key(KeyCode::Enter, KeyModifiers::ALT, 0);
    h.type_text("line two", 0);
    assert_eq!(h.app.draft(), "line one\nline two");
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 0);
    assert!(
        matches!(started(&effects), Some((_, request)) if request.messages.last().map(|m| m.content.as_str()) == Some("line one\nline two"))
    );
    assert_eq!(h.app.draft(), "");
    // Sending while streaming does not lose the draft.
    h.type_text("next", 0);
    assert!(h.key(KeyCode::Enter, KeyModifiers::NONE, 0).is_empty());
    assert_eq!(h.app.draft(), "next");
    // Ctrl+C once warns; twice quits (cancelling the stream).
    assert!(
        h.key(KeyCode::Char('c'), KeyModifiers::CONTROL, 10)
            .is_empty()
    );
    let effects = h.key(KeyCode::Char('c'), KeyModifiers::CONTROL, 20);
    assert_eq!(effects.last(), Some(&Effect::Quit));
}

#[test]
fn scrolling_stops_following_and_end_resumes() {
    let mut h = harness("gpt-4o");
    let id = h.send("count", 0);
    let long: String = (1..=100).map(|i| format!("line {i}\n\n")).collect();
    h.stream(id, StreamEvent::TextDelta(long), 100);
    let _ = h.draw(60, 20);
    assert_eq!(h.app.scroll.top, None);
    h.key(KeyCode::PageUp, KeyModifiers::NONE, 200);
    let pinned = h.app.scroll.top.expect("scrolled up");
    h.stream(
        id,
        StreamEvent::TextDelta("more\n\nand more\n\n".into()),
        300,
    );
    let screen = format!("{}", h.draw(60, 20).backend());
    assert_eq!(
        h.app.first_visible_row(),
        pinned,
        "the view stays put while new text arrives"
    );
    assert!(screen.contains("End: back to live"));
    h.key(KeyCode::End, KeyModifiers::NONE, 400);
    assert_eq!(h.app.scroll.top, None);
    let screen = format!("{}", h.draw(60, 20).backend());
    assert!(screen.contains("and more"), "{screen}");
}

/// The app's effects carried out the way the runtime does, against the fake server:
/// two turns, the second sending the first answer back but never its reasoning.
#[tokio::test]
async fn turns_against_the_fake_server_carry_history_without_reasoning() {
    use support::fake_server::{FakeServer, Reply};
    let server = FakeServer::start(vec![
        Reply::reasoning_answer(
            "The user greets me.",
            "Hello! How can I help?",
            Usage {
                input: 20,
                output: 30,
                reasoning: 10,
                ..Default::default()
            },
        ),
        Reply::answer("Sure: **42**."),
    ])
    .await;
    let url = server.base_url();
    let mut h = harness_with(
        &[("OPENAI_API_KEY", "sk-test"), ("OPENAI_BASE_URL", &url)],
        "o3-mini",
        Some("low"),
    );
    let endpoint = h.app.session.settings.endpoint.clone();
    let client = thinkbench::api::client().unwrap();
    for (i, prompt) in ["hi", "and the answer?"].into_iter().enumerate() {
        h.app.update(Event::Paste(prompt.into()), h.at(0));
        let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 0);
        let Some((turn_id, request)) = started(&effects) else {
            panic!("expected StartTurn, got {effects:?}");
        };
        let mut events = Vec::new();
        thinkbench::api::run_turn(&client, &endpoint, request, &mut |e| events.push(e)).await;
        for (n, event) in events.into_iter().enumerate() {
            h.stream(turn_id, event, 1000 * (i as u64 + 1) + n as u64);
        }
        assert!(!h.app.is_streaming());
    }
    let bodies: Vec<_> = server.requests().into_iter().map(|r| r.body).collect();
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[1]["reasoning_effort"], "low");
    assert_eq!(
        bodies[1]["messages"],
        serde_json::json!([
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": "Hello! How can I help?"},
            {"role": "user", "content": "and the answer?"},
        ])
    );
    let turns = &h.app.session.conversation.turns;
    assert_eq!(turns[0].reasoning, "The user greets me.");
    assert_eq!(turns[1].answer, "Sure: **42**.");
    let screen = format!("{}", h.draw(80, 24).backend());
    assert!(screen.contains("Sure: 42."), "{screen}");
    assert!(
        screen.contains("o3-mini · low · in 20 · reasoning 10 · out 20"),
        "{screen}"
    );
}

#[test]
fn reasoning_before_a_bare_closing_tag_is_shown_as_thinking_once_finished() {
    let mut h = harness("some-distilled-r1");
    let id = h.send("hi", 0);
    h.stream(
        id,
        StreamEvent::TextDelta("The user greets me.\n".into()),
        100,
    );
    h.stream(id, StreamEvent::TextDelta("</think>\n\nHello!".into()), 200);
    h.stream(id, StreamEvent::Finished(FinishReason::Stop), 300);
    let screen = format!("{}", h.draw(60, 12).backend());
    assert!(screen.contains("▸ thought for"), "{screen}");
    assert!(screen.contains("Hello!"), "{screen}");
    assert!(!screen.contains("</think>"), "{screen}");
    assert!(
        !screen.contains("The user greets me."),
        "collapsed once finished: {screen}"
    );
}

#[test]
fn a_retry_counts_down_and_esc_gives_up() {
    use thinkbench::api::RetryNotice;
    let mut h = harness("gpt-4o");
    let id = h.send("hello", 0);
    let notice = RetryNotice {
        attempt: 2,
        max_attempts: 4,
        delay: Duration::from_secs(12),
        error: ApiError {
            status: Some(429),
            kind: Some("tokens".into()),
            code: Some("rate_limit_exceeded".into()),
            message: "Rate limit reached for gpt-4o. Please try again in 12s.".into(),
            ..Default::default()
        },
    };
    h.stream(id, StreamEvent::Retrying(notice), 300);
    let t = h.at(3500);
    h.app.update(Event::Tick, t);
    insta::assert_snapshot!(h.draw(80, 12).backend());
    let screen = format!("{}", h.draw(80, 12).backend());
    assert!(screen.contains("retrying in 9 s (2/4)"), "{screen}");
    // Esc gives up at once: the request is cancelled and nothing was billed.
    let effects = h.key(KeyCode::Esc, KeyModifiers::NONE, 4000);
    assert_eq!(without_persist(effects), vec![Effect::Cancel(id)]);
    let screen = format!("{}", h.draw(80, 12).backend());
    assert!(!screen.contains("retrying"), "{screen}");
    assert!(screen.contains("cancelled"), "{screen}");
}

#[test]
fn alt_r_sends_a_failed_turn_again_without_its_partial_answer() {
    let mut h = harness("gpt-4o");
    let id = h.send("first", 0);
    h.stream(id, StreamEvent::TextDelta("one".into()), 10);
    h.stream(id, StreamEvent::Finished(FinishReason::Stop), 20);
    let id = h.send("tell me more", 100);
    h.stream(id, StreamEvent::TextDelta("Partial".into()), 200);
    h.stream(
        id,
        StreamEvent::Failed(ApiError::message(
            "the connection closed before the answer finished",
        )),
        300,
    );
    let screen = format!("{}", h.draw(80, 16).backend());
    assert!(screen.contains("Alt+R retries"), "{screen}");
    let effects = h.key(KeyCode::Char('r'), KeyModifiers::ALT, 400);
    let Some((_, request)) = started(&effects) else {
        panic!("expected a new turn, got {effects:?}");
    };
    let contents: Vec<&str> = request
        .messages
        .iter()
        .map(|m| m.content.as_str())
        .collect();
    assert_eq!(contents, ["first", "one", "tell me more"]);
    assert_eq!(h.app.session.conversation.turns.len(), 3);
    // Nothing to retry after a turn that went well.
    h.stream(3, StreamEvent::Finished(FinishReason::Stop), 500);
    assert!(h.key(KeyCode::Char('r'), KeyModifiers::ALT, 600).is_empty());
}

#[test]
fn a_claude_turn_with_thinking() {
    let mut h = harness_with(
        &[("ANTHROPIC_API_KEY", "sk-ant-test")],
        "claude-sonnet-4-5",
        Some("medium"),
    );
    let id = h.send("What's the weather in Florence?", 0);
    h.stream(
        id,
        StreamEvent::ReasoningDelta(
            "The user asks about the weather. I have no live data, so I should say so and suggest a source."
                .into(),
        ),
        900,
    );
    h.stream(
        id,
        StreamEvent::TextDelta(
            "I can't see live weather, but **Florence in June** is usually warm: 28–32 °C.".into(),
        ),
        4200,
    );
    let usage = Usage {
        input: 1_420,
        cached_input: 1_024,
        cache_write: 0,
        output: 96,
        reasoning: 24,
        reasoning_estimated: true,
        ..Default::default()
    };
    h.stream(id, StreamEvent::Usage(usage), 5100);
    h.stream(id, StreamEvent::Finished(FinishReason::Stop), 5100);
    h.key(KeyCode::Tab, KeyModifiers::NONE, 5200);
    let screen = format!("{}", h.draw(100, 14).backend());
    assert!(screen.contains("reasoning ~24"), "{screen}");
    insta::assert_snapshot!(h.draw(100, 14).backend());
}

#[test]
fn rate_limits_show_in_the_status_line() {
    use thinkbench::api::RateLimitInfo;
    let mut h = harness("gpt-4o");
    let id = h.send("hi", 0);
    let info = RateLimitInfo {
        remaining_requests: Some(4_999),
        remaining_tokens: Some(1_999_000),
        reset_requests: Some("12ms".into()),
        reset_tokens: Some("6s".into()),
    };
    h.stream(id, StreamEvent::RateLimit(info), 10);
    let screen = format!("{}", h.draw(140, 8).backend());
    // The short form: the meter has the exact counts and the resets.
    assert!(screen.contains("left 4,999 req, 2.0M tok"), "{screen}");
}

/// Alt+R after Esc replaces the cancelled attempt: the retry's request carries only what came
/// before that turn, never the cancelled partial answer, and later turns do not either; the
/// old turn stays on screen, marked.
#[test]
fn a_retry_replaces_the_cancelled_attempt_in_the_history() {
    let mut h = harness("gpt-4o");
    let id = h.send("one", 0);
    h.stream(
        id,
        StreamEvent::TextDelta("Here is the plan… | parse |".into()),
        100,
    );
    h.key(KeyCode::Esc, KeyModifiers::NONE, 200);
    let effects = h.key(KeyCode::Char('r'), KeyModifiers::ALT, 300);
    let (retry_id, request) = started(&effects).expect("the retry starts");
    let sent: Vec<(&str, &str)> = request
        .messages
        .iter()
        .map(|m| (role(&m.role), m.content.as_str()))
        .collect();
    assert_eq!(sent, [("user", "one")]);
    h.stream(
        retry_id,
        StreamEvent::TextDelta("The whole plan.".into()),
        400,
    );
    h.stream(retry_id, StreamEvent::Finished(FinishReason::Stop), 500);
    let screen = format!("{}", h.draw(80, 30).backend());
    assert!(screen.contains("sent again below"), "{screen}");
    h.app.update(Event::Paste("two".into()), h.at(600));
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 600);
    let (_, request) = started(&effects).expect("a turn starts");
    let sent: Vec<(&str, &str)> = request
        .messages
        .iter()
        .map(|m| (role(&m.role), m.content.as_str()))
        .collect();
    assert_eq!(
        sent,
        [
            ("user", "one"),
            ("assistant", "The whole plan."),
            ("user", "two")
        ]
    );
}

fn role(role: &thinkbench::api::Role) -> &'static str {
    match role {
        thinkbench::api::Role::User => "user",
        thinkbench::api::Role::Assistant => "assistant",
    }
}
