//! Anthropic Messages on the wire: the real recorded stream (`tests/fixtures/wire`)
//! through the parser and through HTTP from the fake server in odd-sized writes, and
//! one attempt of the exchange (`api::exchange::run_attempt::<Anthropic>`) against a server
//! that misbehaves the ways real ones do.

mod support;

use serde_json::json;
use support::anthropic::{self as claude, answer, event, in_pieces, stream};
use support::fake_server::{FakeServer, Reply, fixtures_dir};
use support::turn::{Outcome, outcome};
use thinkbench::api::anthropic::{Anthropic, REDACTED};
use thinkbench::api::errors::CLOSED_EARLY;
use thinkbench::api::sse::StreamParser;
use thinkbench::api::{ChatRequest, FinishReason, Protocol, ThinkingStyle, ToolCall};
use thinkbench::usage::{Usage, estimate_tokens};

const FIXTURE: &str = "anthropic-sonnet4-thinking.sse";

/// The thinking text of the fixture, its deltas joined.
const FIXTURE_THINKING: &str = "The user is asking for weather information for Florence, Italy. \
     I have access to a weather function that takes a location parameter. The user has provided \
     the location as \"Florence, Italy\" which is specific enough for the weather function. \
     I have all the required parameters to make the function call.";

/// Feed each frame of an SSE text (`event:` + `data:` lines) to the parser, then end it.
fn parse_sse(text: &str) -> Outcome {
    let mut parser = Anthropic::parser();
    let mut events = Vec::new();
    for frame in text.split("\n\n") {
        let mut name = "message";
        let mut data = String::new();
        for line in frame.lines() {
            if let Some(n) = line.strip_prefix("event:") {
                name = n.trim();
            } else if let Some(d) = line.strip_prefix("data:") {
                data.push_str(d);
            }
        }
        events.extend(parser.feed(name, &data));
    }
    events.extend(parser.finish());
    outcome(events)
}

/// Everything the fixture holds, mapped to our types.
fn check_fixture(o: &Outcome) {
    assert_eq!(o.error, None);
    assert_eq!(o.reasoning, FIXTURE_THINKING);
    assert_eq!(o.text, "");
    assert_eq!(
        o.tools,
        [ToolCall {
            name: "weather".into(),
            arguments: r#"{"location": "Florence, Italy"}"#.into()
        }]
    );
    // Anthropic reports no thinking count: it is our estimate of the thinking text.
    assert_eq!(estimate_tokens(FIXTURE_THINKING), 59);
    assert_eq!(
        o.usage,
        Some(Usage {
            input: 424,
            cached_input: 0,
            cache_write: 0,
            output: 119,
            reasoning: 59,
            estimated: false,
            reasoning_estimated: true,
            ..Default::default()
        })
    );
    assert_eq!(o.finish, Some(FinishReason::ToolCalls));
}

#[test]
fn fixture_parses_exactly() {
    let text = std::fs::read_to_string(fixtures_dir().join(FIXTURE)).unwrap();
    check_fixture(&parse_sse(&text));
}

#[tokio::test]
async fn fixture_replayed_in_7_byte_writes() {
    let server = FakeServer::start(vec![Reply::fixture_in_pieces(FIXTURE, 7)]).await;
    let ep = claude::endpoint(&server.base_url(), Some("sk-ant-test"));
    let o = claude::run(&ep, &claude::request(Some("low"), None)).await;
    check_fixture(&o);
    // Through the provider-neutral entry point too (dispatch on the endpoint's API).
    let server = FakeServer::start(vec![Reply::fixture_in_pieces(FIXTURE, 13)]).await;
    let ep = claude::endpoint(&server.base_url(), Some("sk-ant-test"));
    check_fixture(&support::turn::run(&ep, &claude::request(Some("low"), None)).await);
}

/// Run one turn against a server answering `reply`; the server stays up for inspection.
async fn turn_with(reply: Reply) -> (Outcome, FakeServer) {
    let server = FakeServer::start(vec![reply]).await;
    let ep = claude::endpoint(&server.base_url(), Some("sk-ant-test"));
    let o = claude::run(&ep, &claude::request(Some("medium"), None)).await;
    (o, server)
}

#[tokio::test]
async fn thinking_and_answer_in_odd_pieces() {
    let events = answer("Paris is the capital.", "Paris.", 12, 30);
    let (o, _server) = turn_with(in_pieces(&events, 7)).await;
    assert_eq!(
        (o.reasoning.as_str(), o.text.as_str()),
        ("Paris is the capital.", "Paris.")
    );
    assert_eq!(o.finish, Some(FinishReason::Stop));
    let u = o.usage.unwrap();
    assert_eq!((u.input, u.output), (12, 30));
}

#[tokio::test]
async fn redacted_thinking_shows_once_between_blocks() {
    let events = [
        event::message_start(10, 0, 0),
        event::block_start(0, json!({"type": "thinking", "thinking": ""})),
        event::thinking(0, "Looking at it."),
        event::signature(0),
        event::block_stop(0),
        event::redacted(1),
        event::block_stop(1),
        event::block_start(2, json!({"type": "text", "text": ""})),
        event::text(2, "Done."),
        event::block_stop(2),
        event::message_delta(Some("end_turn"), json!({"output_tokens": 80})),
        event::message_stop(),
    ];
    let (o, _server) = turn_with(stream(&events)).await;
    assert_eq!(o.reasoning, format!("Looking at it.\n\n{REDACTED}"));
    assert_eq!(o.text, "Done.");
    let u = o.usage.unwrap();
    assert!(u.reasoning_estimated);
    assert_eq!(u.reasoning, estimate_tokens("Looking at it."));
}

#[tokio::test]
async fn message_delta_usage_is_cumulative() {
    let events = [
        event::message_start(50, 0, 0),
        event::block_start(0, json!({"type": "text", "text": ""})),
        event::text(0, "One"),
        event::message_delta(None, json!({"output_tokens": 10})),
        event::text(0, " two"),
        event::message_delta(None, json!({"output_tokens": 25})),
        event::block_stop(0),
        event::message_delta(Some("end_turn"), json!({"output_tokens": 40})),
        event::message_stop(),
    ];
    let (o, _server) = turn_with(stream(&events)).await;
    assert_eq!(o.text, "One two");
    let u = o.usage.unwrap();
    assert_eq!((u.input, u.output, u.reasoning), (50, 40, 0));
    assert!(!u.reasoning_estimated && !u.estimated);
}

#[tokio::test]
async fn cache_reads_and_writes_map_to_input() {
    let mut events = answer("", "Cached.", 7, 3);
    events[0] = event::message_start(7, 3_000, 1_200);
    let (o, _server) = turn_with(stream(&events)).await;
    assert_eq!(
        o.usage,
        Some(Usage {
            input: 4_207,
            cached_input: 3_000,
            cache_write: 1_200,
            output: 3,
            ..Default::default()
        })
    );
}

#[tokio::test]
async fn overloaded_error_event_mid_stream() {
    let events = [
        event::message_start(10, 0, 0),
        event::block_start(0, json!({"type": "text", "text": ""})),
        event::text(0, "Par"),
        event::error("overloaded_error", "Overloaded"),
        event::text(0, "never shown"),
    ];
    let (o, _server) = turn_with(stream(&events)).await;
    assert_eq!(o.text, "Par");
    let e = o.error.unwrap();
    assert_eq!(
        (e.message.as_str(), e.kind.as_deref(), e.status, e.retryable),
        ("Overloaded", Some("overloaded_error"), None, true)
    );
    assert_eq!(o.usage, None);
}

#[tokio::test]
async fn pings_and_keep_alives_are_ignored() {
    let mut body: Vec<Vec<u8>> = vec![b": keep-alive\n\n".to_vec()];
    for e in answer("", "Hi.", 5, 2) {
        body.push(claude::frame(&e).into_bytes());
        body.push(claude::frame(&event::ping()).into_bytes());
    }
    let (o, _server) = turn_with(Reply::RawSse(body)).await;
    assert_eq!(
        (o.text.as_str(), o.finish, o.error),
        ("Hi.", Some(FinishReason::Stop), None)
    );
}

#[tokio::test]
async fn max_tokens_spent_thinking_is_a_length_finish() {
    let events = [
        event::message_start(30, 0, 0),
        event::block_start(0, json!({"type": "thinking", "thinking": ""})),
        event::thinking(0, "A long line of thought"),
        event::message_delta(Some("max_tokens"), json!({"output_tokens": 8_192})),
        event::message_stop(),
    ];
    let (o, _server) = turn_with(stream(&events)).await;
    assert_eq!((o.text.as_str(), o.text_deltas, o.error), ("", 0, None));
    assert_eq!(o.finish, Some(FinishReason::Length));
    assert_eq!(o.usage.map(|u| u.output), Some(8_192));
}

#[tokio::test]
async fn eof_mid_stream_fails_retryably() {
    let mut events = answer("Hmm", "The capital is Rome.", 5, 9);
    events.truncate(8); // before message_delta and message_stop
    let (o, _server) = turn_with(stream(&events)).await;
    assert_eq!(o.text, "The capital is Rome.");
    let e = o.error.unwrap();
    assert_eq!(
        (e.message.as_str(), e.retryable, e.status),
        (CLOSED_EARLY, true, None)
    );
    // A body cut after the stop reason but before `message_stop` is a complete answer.
    let mut events = answer("", "Rome.", 5, 9);
    events.pop();
    let (o, _server) = turn_with(stream(&events)).await;
    assert_eq!((o.finish, o.error), (Some(FinishReason::Stop), None));
}

#[tokio::test]
async fn unauthorized_names_the_key_variable() {
    let body = json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}});
    let (o, _server) = turn_with(Reply::Json { status: 401, body }).await;
    let e = o.error.unwrap();
    assert_eq!(
        e.message,
        "the API key was rejected: set ANTHROPIC_API_KEY (invalid x-api-key)"
    );
    assert_eq!(
        (e.status, e.kind.as_deref(), e.retryable),
        (Some(401), Some("authentication_error"), false)
    );
}

#[tokio::test]
async fn overloaded_529_with_retry_hint_and_rate_limits() {
    let body =
        json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}});
    let reply = Reply::Json { status: 529, body }.with_headers(&[
        ("retry-after", "7"),
        ("anthropic-ratelimit-requests-remaining", "49"),
        ("anthropic-ratelimit-tokens-remaining", "39000"),
        ("anthropic-ratelimit-requests-reset", "2026-05-01T12:00:01Z"),
        ("anthropic-ratelimit-tokens-reset", "2026-05-01T12:00:30Z"),
    ]);
    let (o, _server) = turn_with(reply).await;
    let e = o.error.unwrap();
    assert_eq!(
        (e.status, e.kind.as_deref(), e.message.as_str(), e.retryable),
        (Some(529), Some("overloaded_error"), "Overloaded", true)
    );
    assert_eq!(e.retry_after, Some(std::time::Duration::from_secs(7)));
    let rl = o.rate_limit.unwrap();
    assert_eq!(
        (rl.remaining_requests, rl.remaining_tokens),
        (Some(49), Some(39_000))
    );
    assert_eq!(
        (rl.reset_requests.as_deref(), rl.reset_tokens.as_deref()),
        (Some("2026-05-01T12:00:01Z"), Some("2026-05-01T12:00:30Z"))
    );
}

#[tokio::test]
async fn request_body_and_headers() {
    let server = FakeServer::start(vec![stream(&answer("", "Sunny.", 5, 2))]).await;
    let mut ep = claude::endpoint(&server.base_url(), Some("sk-ant-test"));
    ep.headers = vec![("anthropic-beta".into(), "test-beta".into())];
    // High effort (24,576) with a person's limit below it: max_tokens is raised above it.
    let o = claude::run(&ep, &claude::request(Some("high"), Some(4_096))).await;
    assert_eq!(o.text, "Sunny.");
    let r = &server.requests()[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/v1/messages")
    );
    assert_eq!(r.header("x-api-key"), Some("sk-ant-test"));
    assert_eq!(r.header("authorization"), None);
    assert_eq!(r.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(r.header("anthropic-beta"), Some("test-beta"));
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("application/json"))
    );
    assert_eq!(
        r.body,
        json!({
            "model": "claude-sonnet-4-20250514",
            "max_tokens": 28_672,
            "system": "You are a helpful assistant",
            "messages": [{"role": "user", "content": "What's the weather in Florence, Italy?"}],
            "thinking": {"type": "enabled", "budget_tokens": 24_576},
            "stream": true
        })
    );

    // No key: no x-api-key header at all. No effort: no thinking, the default max_tokens.
    let server = FakeServer::start(vec![stream(&answer("", "ok", 1, 1))]).await;
    let ep = claude::endpoint(&server.base_url(), None);
    claude::run(&ep, &claude::request(None, None)).await;
    let r = &server.requests()[0];
    assert_eq!(
        (r.header("x-api-key"), r.header("authorization")),
        (None, None)
    );
    assert_eq!(r.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(r.body["max_tokens"], json!(32_000));
    assert!(r.body.get("thinking").is_none() && r.body.get("temperature").is_none());
}

#[tokio::test]
async fn adaptive_thinking_request() {
    let server = FakeServer::start(vec![stream(&answer("hm", "ok", 1, 1))]).await;
    let ep = claude::endpoint(&server.base_url(), Some("k"));
    let mut req: ChatRequest = claude::request(Some("max"), None);
    req.quirks.thinking = ThinkingStyle::Adaptive;
    req.model_max_output = Some(128_000);
    let o = claude::run(&ep, &req).await;
    assert_eq!((o.reasoning.as_str(), o.text.as_str()), ("hm", "ok"));
    let body = &server.requests()[0].body;
    assert_eq!(body["thinking"], json!({"type": "adaptive"}));
    assert_eq!(body["output_config"], json!({"effort": "max"}));
    assert_eq!(body["max_tokens"], json!(32_000));
}

#[tokio::test]
async fn non_streamed_message() {
    let message = json!({"id": "msg_1", "type": "message", "role": "assistant",
        "model": "claude-sonnet-4-20250514",
        "content": [{"type": "thinking", "thinking": "Easy.", "signature": "s"},
            {"type": "text", "text": "Four."}],
        "stop_reason": "end_turn", "stop_sequence": null,
        "usage": {"input_tokens": 20, "cache_read_input_tokens": 0,
            "cache_creation_input_tokens": 0, "output_tokens": 15}});
    let server = FakeServer::start(vec![Reply::Json {
        status: 200,
        body: message,
    }])
    .await;
    let ep = claude::endpoint(&server.base_url(), Some("k"));
    let mut req = claude::request(Some("low"), None);
    req.quirks.can_stream = false;
    let o = claude::run(&ep, &req).await;
    assert_eq!((o.reasoning.as_str(), o.text.as_str()), ("Easy.", "Four."));
    assert_eq!(o.finish, Some(FinishReason::Stop));
    assert_eq!(o.usage.map(|u| (u.input, u.output)), Some((20, 15)));
    assert!(server.requests()[0].body.get("stream").is_none());
}
