//! OpenAI Responses on the wire: the real recorded stream (`tests/fixtures/wire`) through
//! the parser and through HTTP from the fake server, and one attempt of the exchange
//! against a server that fails in the ways real ones do.

mod support;

use serde_json::json;
use support::fake_server::{FakeServer, Reply, fixtures_dir};
use support::responses::{event, responses_endpoint, run_responses, stream, stream_in_pieces};
use support::turn::{Outcome, outcome};
use thinkbench::api::errors::CLOSED_EARLY;
use thinkbench::api::openai_responses::Responses;
use thinkbench::api::sse::StreamParser;
use thinkbench::api::{
    ChatRequest, FinishReason, Message, Protocol, RequestQuirks, Role, ToolCall,
};
use thinkbench::usage::Usage;

const FIXTURE: &str = "openai-responses-gpt5-summary.sse";

/// The fixture's reasoning summary, exactly (one summary part).
const FIXTURE_REASONING: &str = "**Getting weather info**\n\nI need to respond to the user's \
question about the weather in Florence, Italy. I'll use the weather tool, which requires the \
location string. According to the instructions, I can call functions.weather directly since I \
only need one tool for this task. There's no need for parallel execution here. I'll call the \
tool to retrieve the current weather information for Florence and see what it returns!";

fn fixture_usage() -> Usage {
    Usage {
        input: 63,
        cached_input: 0,
        output: 121,
        reasoning: 64,
        ..Default::default()
    }
}

/// The fixture's answer: no text, one call of the `weather` tool.
fn check_fixture(o: &Outcome) {
    assert_eq!(o.error, None);
    assert_eq!(o.reasoning, FIXTURE_REASONING);
    assert_eq!(o.text, "");
    assert_eq!(
        o.tools,
        [ToolCall {
            name: "weather".into(),
            arguments: r#"{"location":"Florence, Italy"}"#.into(),
        }]
    );
    assert_eq!(o.usage, Some(fixture_usage()));
    assert_eq!(o.finish, Some(FinishReason::ToolCalls));
}

#[test]
fn fixture_parses_exactly() {
    let text = std::fs::read_to_string(fixtures_dir().join(FIXTURE)).unwrap();
    let mut parser = Responses::parser();
    let mut events = Vec::new();
    for line in text.lines() {
        if let Some(data) = line.strip_prefix("data:") {
            events.extend(parser.feed("message", data));
        }
    }
    assert!(parser.is_done());
    events.extend(parser.finish());
    let o = outcome(events);
    check_fixture(&o);
    // The deltas add up to the text the server repeats in `reasoning_summary_text.done`.
    let done = text
        .lines()
        .find(|l| l.contains("\"response.reasoning_summary_text.done\""))
        .and_then(|l| l.strip_prefix("data: "))
        .map(|d| serde_json::from_str::<serde_json::Value>(d).unwrap())
        .unwrap();
    assert_eq!(done["text"], json!(o.reasoning));
}

// ---- through HTTP ----

fn request() -> ChatRequest {
    ChatRequest {
        model: "gpt-5".into(),
        system: Some("You are a helpful assistant".into()),
        messages: vec![
            Message {
                role: Role::User,
                content: "Hi".into(),
                images: Vec::new(),
            },
            Message {
                role: Role::Assistant,
                content: "Hello! How can I help?".into(),
                images: Vec::new(),
            },
            Message {
                role: Role::User,
                content: "What's the weather in Florence, Italy?".into(),
                images: Vec::new(),
            },
        ],
        effort: Some("high".into()),
        max_output_tokens: Some(2048),
        model_max_output: Some(128_000),
        quirks: RequestQuirks::default(),
    }
}

async fn turn_with(reply: Reply) -> (Outcome, FakeServer) {
    let server = FakeServer::start(vec![reply]).await;
    let endpoint = responses_endpoint(&server.base_url(), Some("sk-test"));
    let o = run_responses(&endpoint, &request()).await;
    (o, server)
}

#[tokio::test]
async fn fixture_replayed_in_7_byte_writes() {
    let (o, server) = turn_with(Reply::fixture_in_pieces(FIXTURE, 7)).await;
    check_fixture(&o);
    let r = &server.requests()[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/v1/responses")
    );
    // And in one piece, as `Reply::Fixture` sends it.
    let (o, _server) = turn_with(Reply::Fixture(FIXTURE.into())).await;
    check_fixture(&o);
}

#[tokio::test]
async fn request_body_and_headers() {
    let u = Usage {
        input: 20,
        output: 3,
        ..Default::default()
    };
    let reply = stream(&[
        event::created(),
        event::message_item(0),
        event::text_delta(0, "Sunny."),
        event::completed(&u),
    ]);
    let server = FakeServer::start(vec![reply]).await;
    let mut endpoint = responses_endpoint(&server.base_url(), Some("sk-test"));
    endpoint.headers = vec![("OpenAI-Organization".into(), "org-test".into())];
    let o = run_responses(&endpoint, &request()).await;
    assert_eq!(
        (o.text.as_str(), o.usage, o.finish),
        ("Sunny.", Some(u), Some(FinishReason::Stop))
    );
    let r = &server.requests()[0];
    assert_eq!(r.header("authorization"), Some("Bearer sk-test"));
    assert_eq!(r.header("openai-organization"), Some("org-test"));
    assert_eq!(
        r.body,
        json!({
            "model": "gpt-5",
            "instructions": "You are a helpful assistant",
            "input": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello! How can I help?"},
                {"role": "user", "content": "What's the weather in Florence, Italy?"}
            ],
            "reasoning": {"effort": "high", "summary": "auto"},
            "max_output_tokens": 2048,
            "stream": true,
            "store": false
        })
    );

    // No key: no Authorization header. No effort chosen: summaries are still asked for.
    let server = FakeServer::start(vec![stream(&[event::completed(&u)])]).await;
    let mut req = request();
    req.effort = None;
    req.system = None;
    req.max_output_tokens = None;
    run_responses(&responses_endpoint(&server.base_url(), None), &req).await;
    let r = &server.requests()[0];
    assert_eq!(r.header("authorization"), None);
    assert_eq!(r.body["reasoning"], json!({"summary": "auto"}));
    for absent in ["instructions", "max_output_tokens", "temperature", "top_p"] {
        assert!(r.body.get(absent).is_none(), "{absent}: {}", r.body);
    }
}

#[tokio::test]
async fn a_model_that_cannot_stream_gets_a_whole_response() {
    let body = json!({"id": "resp_1", "object": "response", "status": "completed",
        "output": [
            {"id": "rs_1", "type": "reasoning", "summary": [
                {"type": "summary_text", "text": "**Weather**"},
                {"type": "summary_text", "text": "Checking."}]},
            {"id": "msg_1", "type": "message", "role": "assistant", "status": "completed",
                "content": [{"type": "output_text", "text": "It is sunny.", "annotations": []}]}],
        "usage": {"input_tokens": 30, "input_tokens_details": {"cached_tokens": 10},
            "output_tokens": 90, "output_tokens_details": {"reasoning_tokens": 80},
            "total_tokens": 120}});
    let server = FakeServer::start(vec![Reply::Json { status: 200, body }]).await;
    let mut req = request();
    req.quirks.can_stream = false;
    let o = run_responses(&responses_endpoint(&server.base_url(), None), &req).await;
    assert_eq!(o.reasoning, "**Weather**\n\nChecking.");
    assert_eq!(o.text, "It is sunny.");
    assert_eq!(
        o.usage,
        Some(Usage {
            input: 30,
            cached_input: 10,
            output: 90,
            reasoning: 80,
            ..Default::default()
        })
    );
    assert_eq!(o.finish, Some(FinishReason::Stop));
    assert_eq!(server.requests()[0].body["stream"], json!(false));
}

#[tokio::test]
async fn error_events_in_both_shapes() {
    let cases = [
        (
            event::error_nested(
                "invalid_request_error",
                "context_length_exceeded",
                "Your input exceeds the context window of this model.",
            ),
            Some("invalid_request_error"),
            "context_length_exceeded",
            false,
        ),
        (
            event::error_flat("rate_limit_exceeded", "Rate limit reached for gpt-5."),
            None,
            "rate_limit_exceeded",
            true,
        ),
    ];
    for (error, kind, code, retryable) in cases {
        let message = error
            .get("error")
            .unwrap_or(&error)
            .get("message")
            .cloned()
            .unwrap();
        let (o, _server) = turn_with(stream(&[
            event::created(),
            event::message_item(0),
            event::text_delta(0, "Partial"),
            error,
            event::text_delta(0, " never shown"),
        ]))
        .await;
        assert_eq!(o.text, "Partial");
        let e = o.error.unwrap();
        assert_eq!(json!(e.message), message);
        assert_eq!(
            (e.kind.as_deref(), e.code.as_deref(), e.retryable, e.status),
            (kind, Some(code), retryable, None)
        );
        assert_eq!((o.finish, o.usage), (None, None));
    }
}

#[tokio::test]
async fn a_failed_response() {
    let (o, _server) = turn_with(stream(&[
        event::created(),
        event::reasoning_item(0),
        event::summary_delta(0, 0, "Thinking"),
        event::failed("server_error", "The model produced invalid content."),
    ]))
    .await;
    assert_eq!(o.reasoning, "Thinking");
    let e = o.error.unwrap();
    assert_eq!(
        (e.message.as_str(), e.code.as_deref(), e.retryable),
        (
            "The model produced invalid content.",
            Some("server_error"),
            true
        )
    );
}

#[tokio::test]
async fn incomplete_at_max_output_tokens_keeps_usage() {
    let u = Usage {
        input: 40,
        output: 2048,
        reasoning: 2048,
        ..Default::default()
    };
    let (o, _server) = turn_with(stream(&[
        event::created(),
        event::reasoning_item(0),
        event::summary_part(0, 0),
        event::summary_delta(0, 0, "Still thinking"),
        event::incomplete("max_output_tokens", &u),
    ]))
    .await;
    assert_eq!(
        (o.reasoning.as_str(), o.text.as_str()),
        ("Still thinking", "")
    );
    assert_eq!((o.usage, o.finish), (Some(u), Some(FinishReason::Length)));
    assert_eq!(o.error, None);
}

#[tokio::test]
async fn summary_parts_are_paragraphs() {
    let u = Usage::default();
    let (o, _server) = turn_with(stream_in_pieces(
        &[
            event::created(),
            event::reasoning_item(0),
            event::summary_part(0, 0),
            event::summary_delta(0, 0, "**Reading**"),
            event::summary_delta(0, 0, " the question."),
            event::summary_part(0, 1),
            event::summary_delta(0, 1, "**Answering**"),
            event::summary_delta(0, 1, " briefly."),
            event::message_item(1),
            event::text_delta(1, "Florence is "),
            event::text_delta(1, "sunny."),
            event::completed(&u),
        ],
        11,
    ))
    .await;
    assert_eq!(
        o.reasoning,
        "**Reading** the question.\n\n**Answering** briefly."
    );
    assert_eq!((o.text.as_str(), o.text_deltas), ("Florence is sunny.", 2));
    assert_eq!(o.finish, Some(FinishReason::Stop));
}

#[tokio::test]
async fn eof_mid_stream_fails_retryably() {
    let events = [
        event::created(),
        event::message_item(0),
        event::text_delta(0, "The weather "),
        event::text_delta(0, "is"),
    ];
    // The body ends after whole events, and in the middle of one.
    let whole = stream_in_pieces(&events, 7);
    let body = support::responses::sse_body(&events);
    let cut = Reply::RawSse(vec![body.as_bytes()[..body.len() - 20].to_vec()]);
    for (reply, text) in [(whole, "The weather is"), (cut, "The weather ")] {
        let (o, _server) = turn_with(reply).await;
        assert_eq!(o.text, text);
        let e = o.error.unwrap();
        assert_eq!(
            (e.message.as_str(), e.retryable, e.status),
            (CLOSED_EARLY, true, None)
        );
        assert_eq!((o.finish, o.usage), (None, None));
    }
}

#[tokio::test]
async fn unauthorized_names_the_key_variable() {
    let body = json!({"error": {"message": "Incorrect API key provided: sk-test. You can find your API key at https://platform.openai.com/account/api-keys.",
        "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}});
    let (o, _server) = turn_with(Reply::Json { status: 401, body }).await;
    let e = o.error.unwrap();
    assert!(
        e.message.starts_with(
            "the API key was rejected: set OPENAI_API_KEY (Incorrect API key provided"
        ),
        "{}",
        e.message
    );
    assert_eq!(
        (e.status, e.code.as_deref(), e.retryable),
        (Some(401), Some("invalid_api_key"), false)
    );
}

#[tokio::test]
async fn rate_limited_is_retryable_with_hints() {
    let body = json!({"error": {"message": "Rate limit reached for gpt-5 in organization org-abc on tokens per min (TPM): Limit 30000, Used 28000, Requested 4000. Please try again in 4s. Visit https://platform.openai.com/account/rate-limits to learn more.",
        "type": "tokens", "param": null, "code": "rate_limit_exceeded"}});
    let reply = Reply::Json { status: 429, body }.with_headers(&[
        ("retry-after-ms", "4000"),
        ("x-should-retry", "true"),
        ("x-ratelimit-remaining-requests", "499"),
        ("x-ratelimit-remaining-tokens", "0"),
        ("x-ratelimit-reset-tokens", "4s"),
    ]);
    let (o, _server) = turn_with(reply).await;
    let e = o.error.unwrap();
    assert_eq!(
        (e.status, e.kind.as_deref(), e.code.as_deref()),
        (Some(429), Some("tokens"), Some("rate_limit_exceeded"))
    );
    assert!(e.retryable && e.message.starts_with("Rate limit reached for gpt-5"));
    assert_eq!(
        (e.retry_after, e.should_retry),
        (Some(std::time::Duration::from_secs(4)), Some(true))
    );
    let rl = o.rate_limit.unwrap();
    assert_eq!(
        (rl.remaining_requests, rl.remaining_tokens),
        (Some(499), Some(0))
    );
    assert_eq!(rl.reset_tokens.as_deref(), Some("4s"));
}

#[tokio::test(start_paused = true)]
async fn a_silent_stream_hits_the_idle_timeout() {
    // Headers, then a minute of silence before the first event: the paused clock jumps.
    let events = [event::created(), event::text_delta(0, "too late")];
    let silent = Reply::Sse {
        events: events.iter().map(|e| e.to_string()).collect(),
        delay_ms: 60_000,
    };
    let server = FakeServer::start(vec![silent]).await;
    let mut endpoint = responses_endpoint(&server.base_url(), None);
    endpoint.idle_timeout = Some(std::time::Duration::from_secs(5));
    let o = run_responses(&endpoint, &request()).await;
    let e = o.error.unwrap();
    assert!(
        e.retryable
            && e.message
                .starts_with("no data from the server for 5 s; the stream was ended"),
        "{}",
        e.message
    );
    assert_eq!((o.text.as_str(), o.finish), ("", None));
}
