//! Chat Completions on the wire: real recorded responses (`tests/fixtures/wire`) through
//! the parser and through HTTP from the fake server, and `run_turn` against a server that
//! fails in the ways real ones do.

mod support;

use serde_json::json;
use support::fake_server::{FakeServer, Reply, chunk, fixtures_dir, huge_text};
use support::turn::{Outcome, chat_endpoint, outcome, run};
use thinkbench::api::errors::CLOSED_EARLY;
use thinkbench::api::openai_chat::Chat;
use thinkbench::api::sse::StreamParser;
use thinkbench::api::{
    ApiKind, ChatRequest, Endpoint, FinishReason, InstructionRole, MaxTokensField, Message,
    Protocol, RequestQuirks, Role, ToolCall,
};
use thinkbench::usage::Usage;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixtures_dir().join(name)).unwrap()
}

/// Feed every `data:` line of an SSE fixture to the protocol's parser, as the SSE reader
/// does, then end the stream.
fn parse_sse(text: &str) -> Outcome {
    let mut parser = Chat::parser();
    let mut events = Vec::new();
    for line in text.lines() {
        if let Some(data) = line.strip_prefix("data:") {
            events.extend(parser.feed("message", data));
        }
    }
    events.extend(parser.finish());
    outcome(events)
}

fn usage(input: u64, output: u64, reasoning: u64) -> Usage {
    Usage {
        input,
        output,
        reasoning,
        ..Default::default()
    }
}

/// Expected outcome of each Chat Completions fixture: (file, reasoning, text, usage, finish).
fn expectations() -> Vec<(
    &'static str,
    &'static str,
    &'static str,
    Usage,
    FinishReason,
)> {
    vec![
        (
            "openai-chat-gpt5nano-reasoning-usage.sse",
            "",
            "Capital of Denmark.",
            usage(15, 78, 64),
            FinishReason::Stop,
        ),
        (
            "deepseek-reasoning-content-length.sse",
            "We need",
            "",
            usage(87, 2, 2),
            FinishReason::Length,
        ),
        (
            "llamacpp-gpt-oss-reasoning-content.sse",
            "",
            "The current weather in Florence, Italy is **40\u{202f}\u{b0}C**.",
            usage(197, 18, 0),
            FinishReason::Stop,
        ),
    ]
}

const O3_MINI_ANSWER: &str = "The capital of Mexico is Mexico City. It is not only the seat of the federal government \
     but also a major cultural, political, and economic center in the country.";

fn check(
    o: &Outcome,
    name: &str,
    reasoning: &str,
    text: &str,
    usage: Usage,
    finish: &FinishReason,
) {
    assert_eq!(o.error, None, "{name}");
    assert_eq!(o.reasoning, reasoning, "{name}");
    assert_eq!(o.text, text, "{name}");
    assert_eq!(o.usage, Some(usage), "{name}");
    assert_eq!(o.finish.as_ref(), Some(finish), "{name}");
    assert!(o.tools.is_empty(), "{name}");
}

#[test]
fn sse_fixtures_parse_exactly() {
    for (name, reasoning, text, usage, finish) in expectations() {
        check(
            &parse_sse(&fixture(name)),
            name,
            reasoning,
            text,
            usage,
            &finish,
        );
    }
}

#[test]
fn o3_mini_nonstream_fixture_parses_exactly() {
    let o = outcome(Chat::parse_whole(&fixture(
        "openai-chat-o3mini-nonstream.json",
    )));
    check(
        &o,
        "o3-mini",
        "",
        O3_MINI_ANSWER,
        usage(13, 238, 192),
        &FinishReason::Stop,
    );
}

// ---- through HTTP ----

fn endpoint(server: &FakeServer, key: Option<&str>) -> Endpoint {
    chat_endpoint(&server.base_url(), key)
}

fn request(quirks: RequestQuirks) -> ChatRequest {
    ChatRequest {
        model: "o3-mini".into(),
        system: Some("Answer briefly.".into()),
        messages: vec![Message {
            role: Role::User,
            content: "What is the capital of Mexico?".into(),
            images: Vec::new(),
        }],
        effort: Some("low".into()),
        max_output_tokens: Some(2048),
        model_max_output: None,
        quirks,
    }
}

fn reasoning_quirks() -> RequestQuirks {
    RequestQuirks {
        instruction_role: InstructionRole::Developer,
        max_tokens_field: MaxTokensField::MaxCompletionTokens,
        accepts_effort: true,
        can_stream: true,
        stream_usage: true,
        ..Default::default()
    }
}

async fn turn(endpoint: &Endpoint, request: &ChatRequest) -> Outcome {
    run(endpoint, request).await
}

async fn turn_with(reply: Reply) -> (Outcome, FakeServer) {
    let server = FakeServer::start(vec![reply]).await;
    let o = turn(
        &endpoint(&server, Some("sk-test")),
        &request(reasoning_quirks()),
    )
    .await;
    (o, server)
}

#[tokio::test]
async fn sse_fixtures_replayed_in_7_byte_writes() {
    for (name, reasoning, text, usage, finish) in expectations() {
        let (o, _server) = turn_with(Reply::fixture_in_pieces(name, 7)).await;
        check(&o, name, reasoning, text, usage, &finish);
        assert!(
            o.text_deltas <= 14,
            "{name}: text arrives as deltas, not re-split: {}",
            o.text_deltas
        );
    }
}

#[tokio::test]
async fn nonstream_fixture_through_http() {
    // The model cannot stream: a plain request, read whole.
    let server = FakeServer::start(vec![Reply::Fixture(
        "openai-chat-o3mini-nonstream.json".into(),
    )])
    .await;
    let quirks = RequestQuirks {
        can_stream: false,
        stream_usage: false,
        ..reasoning_quirks()
    };
    let o = turn(&endpoint(&server, Some("sk-test")), &request(quirks)).await;
    check(
        &o,
        "o3-mini",
        "",
        O3_MINI_ANSWER,
        usage(13, 238, 192),
        &FinishReason::Stop,
    );
    let body = &server.requests()[0].body;
    assert!(
        body.get("stream").is_none() && body.get("stream_options").is_none(),
        "{body}"
    );
    // A server that ignores `stream: true` and answers JSON is read the same way.
    let (o, _server) = turn_with(Reply::Fixture("openai-chat-o3mini-nonstream.json".into())).await;
    check(
        &o,
        "o3-mini",
        "",
        O3_MINI_ANSWER,
        usage(13, 238, 192),
        &FinishReason::Stop,
    );
}

#[tokio::test]
async fn request_body_and_headers() {
    let server = FakeServer::start(vec![Reply::answer("Mexico City.")]).await;
    let mut ep = endpoint(&server, Some("sk-test"));
    ep.headers = vec![("X-Title".into(), "thinkbench tests".into())];
    let o = turn(&ep, &request(reasoning_quirks())).await;
    assert_eq!(
        (o.text.as_str(), o.finish),
        ("Mexico City.", Some(FinishReason::Stop))
    );
    let r = &server.requests()[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/v1/chat/completions")
    );
    assert_eq!(r.header("authorization"), Some("Bearer sk-test"));
    assert_eq!(r.header("x-title"), Some("thinkbench tests"));
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("application/json"))
    );
    assert_eq!(
        r.body,
        json!({
            "model": "o3-mini",
            "messages": [
                {"role": "developer", "content": "Answer briefly."},
                {"role": "user", "content": "What is the capital of Mexico?"}
            ],
            "max_completion_tokens": 2048,
            "reasoning_effort": "low",
            "stream": true,
            "stream_options": {"include_usage": true}
        })
    );

    // Without a key there is no Authorization header at all.
    let server = FakeServer::start(vec![Reply::answer("ok")]).await;
    let quirks = RequestQuirks {
        accepts_effort: false,
        stream_usage: false,
        ..RequestQuirks::default()
    };
    turn(&endpoint(&server, None), &request(quirks)).await;
    let r = &server.requests()[0];
    assert_eq!(r.header("authorization"), None);
    assert_eq!(r.body["max_tokens"], json!(2048));
    assert_eq!(r.body["messages"][0]["role"], json!("system"));
    assert!(r.body.get("reasoning_effort").is_none() && r.body.get("stream_options").is_none());
}

#[tokio::test]
async fn unauthorized_names_the_key_variable() {
    let body = json!({"error": {"message": "Incorrect API key provided: sk-test. You can find your API key at https://platform.openai.com/account/api-keys.",
        "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}});
    let (o, _server) = turn_with(Reply::Json { status: 401, body }).await;
    let e = o.error.unwrap();
    assert!(
        e.message
            .contains("the API key was rejected: set OPENAI_API_KEY"),
        "{}",
        e.message
    );
    assert!(
        e.message.contains("Incorrect API key provided"),
        "{}",
        e.message
    );
    assert_eq!(
        (e.status, e.code.as_deref(), e.retryable),
        (Some(401), Some("invalid_api_key"), false)
    );
}

#[tokio::test]
async fn rate_limited_is_retryable_and_reports_headers() {
    let body = json!({"error": {"message": "Rate limit reached for gpt-4o-mini in organization org-abc on tokens per min (TPM): Limit 200000, Used 170633, Requested 180002. Please try again in 45.19s. Visit https://platform.openai.com/account/rate-limits to learn more.",
        "type": "tokens", "param": null, "code": "rate_limit_exceeded"}});
    let reply = Reply::Json { status: 429, body }.with_headers(&[
        ("retry-after", "46"),
        ("x-ratelimit-remaining-requests", "499"),
        ("x-ratelimit-remaining-tokens", "29367"),
        ("x-ratelimit-reset-tokens", "45.19s"),
    ]);
    let (o, _server) = turn_with(reply).await;
    let e = o.error.unwrap();
    assert_eq!(
        (e.status, e.kind.as_deref(), e.code.as_deref()),
        (Some(429), Some("tokens"), Some("rate_limit_exceeded"))
    );
    assert!(
        e.retryable && e.message.starts_with("Rate limit reached for gpt-4o-mini"),
        "{e:?}"
    );
    let rl = o.rate_limit.unwrap();
    assert_eq!(
        (rl.remaining_requests, rl.remaining_tokens),
        (Some(499), Some(29367))
    );
    assert_eq!(rl.reset_tokens.as_deref(), Some("45.19s"));
}

#[tokio::test]
async fn html_bad_gateway() {
    let body =
        "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>".to_string();
    let headers = vec![("content-type".to_string(), "text/html".to_string())];
    let (o, _server) = turn_with(Reply::Http {
        status: 502,
        headers,
        body,
    })
    .await;
    let e = o.error.unwrap();
    assert_eq!(
        (e.status, e.message.as_str(), e.retryable),
        (Some(502), "502 Bad Gateway", true)
    );
}

#[tokio::test]
async fn a_web_page_instead_of_the_api() {
    let body = "<!doctype html><html><head><title>Open WebUI</title></head></html>".to_string();
    let headers = vec![(
        "content-type".to_string(),
        "text/html; charset=utf-8".to_string(),
    )];
    let (o, server) = turn_with(Reply::Http {
        status: 200,
        headers,
        body,
    })
    .await;
    let e = o.error.unwrap();
    let url = format!("{}/chat/completions", server.base_url());
    assert_eq!(
        e.message,
        format!("{url} answered with a web page, not the API (Open WebUI): is the base URL right?")
    );
}

#[tokio::test]
async fn cut_mid_stream_keeps_the_text() {
    let events = vec![
        chunk::role(),
        chunk::content("The capital "),
        chunk::content("is "),
        chunk::content("never sent"),
    ];
    let (o, _server) = turn_with(Reply::CutAfter { events, n: 3 }).await;
    assert_eq!(o.text, "The capital is ");
    assert_eq!(o.text_deltas, 2);
    let e = o.error.unwrap();
    assert_eq!(
        (e.message.as_str(), e.retryable, e.status),
        (CLOSED_EARLY, true, None)
    );
}

#[tokio::test]
async fn cut_after_finish_is_a_finished_answer() {
    let events = vec![chunk::content("Done."), chunk::finish("length")];
    let (o, _server) = turn_with(Reply::CutAfter { events, n: 2 }).await;
    assert_eq!(
        (o.text.as_str(), o.finish, o.error),
        ("Done.", Some(FinishReason::Length), None)
    );
}

#[tokio::test]
async fn connection_refused_names_the_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let ep = Endpoint {
        provider: "local".into(),
        api: ApiKind::Chat,
        base_url: format!("http://127.0.0.1:{port}/v1"),
        api_key: None,
        key_hint: None,
        headers: Vec::new(),
        max_attempts: 1,
        idle_timeout: None,
        limits: Default::default(),
    };
    let o = turn(&ep, &request(RequestQuirks::default())).await;
    let e = o.error.unwrap();
    assert_eq!(
        e.message,
        format!("could not connect to http://127.0.0.1:{port}/v1: connection refused")
    );
    assert!(e.retryable);
}

#[tokio::test]
async fn reasoning_usage_and_rate_limit_on_success() {
    let u = Usage {
        input: 30,
        cached_input: 10,
        output: 200,
        reasoning: 150,
        ..Default::default()
    };
    let reply =
        Reply::reasoning_answer("Mexico's capital… CDMX.", "Mexico City.", u).with_headers(&[
            ("x-ratelimit-remaining-requests", "9"),
            ("x-ratelimit-reset-requests", "6s"),
        ]);
    let (o, _server) = turn_with(reply).await;
    assert_eq!(
        (o.reasoning.as_str(), o.text.as_str()),
        ("Mexico's capital… CDMX.", "Mexico City.")
    );
    assert_eq!(o.usage, Some(u));
    assert_eq!(
        o.rate_limit.and_then(|r| r.reset_requests).as_deref(),
        Some("6s")
    );
}

#[tokio::test]
async fn keep_alives_and_split_lines_over_http() {
    let body: &[&[u8]] = &[
        b": OPENROUTER PROCESSING\n\n",
        b"data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"hm\",\"reasoning_details\":[{\"type\":\"reasoning.text\",\"text\":\"hm\"}]}}]}\n",
        b"\n: OPENROUTER PROCESSING\n\ndata: {\"choices\":[{\"index\":0,\"del",
        b"ta\":{\"content\":\"<think>x</think>Hi\"},\"finish_reason\":\"stop\"}]}\r\n\r\n",
        b"data: [DONE]\n\n",
    ];
    let (o, _server) = turn_with(Reply::RawSse(body.iter().map(|p| p.to_vec()).collect())).await;
    assert_eq!((o.reasoning.as_str(), o.text.as_str()), ("hmx", "Hi"));
    assert_eq!((o.usage, o.finish), (None, Some(FinishReason::Stop)));
}

#[tokio::test]
async fn tool_calls_over_http() {
    let call = |args: &str| {
        json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": args}}]}}]})
            .to_string()
    };
    let first = json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "call_1",
        "type": "function", "function": {"name": "weather", "arguments": ""}}]}}]});
    let events = vec![
        first.to_string(),
        call("{\"city\":"),
        call("\"Rome\"}"),
        chunk::finish("tool_calls"),
    ];
    let (o, _server) = turn_with(Reply::Sse {
        events,
        delay_ms: 0,
    })
    .await;
    assert_eq!(
        o.tools,
        [ToolCall {
            name: "weather".into(),
            arguments: "{\"city\":\"Rome\"}".into()
        }]
    );
    assert_eq!(o.finish, Some(FinishReason::ToolCalls));
}

#[tokio::test]
async fn mid_stream_error_object() {
    let events = vec![chunk::content("Par"), r#"{"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}"#.into()];
    let (o, _server) = turn_with(Reply::Sse {
        events,
        delay_ms: 0,
    })
    .await;
    assert_eq!(o.text, "Par");
    let e = o.error.unwrap();
    assert_eq!(
        (e.message.as_str(), e.kind.as_deref(), e.retryable),
        ("The server had an error", Some("server_error"), true)
    );
}

#[tokio::test]
async fn huge_and_slow_answers() {
    let (o, _server) = turn_with(Reply::Huge { bytes: 2_000_000 }).await;
    assert_eq!(o.text.len(), 2_000_000);
    assert!(o.text == huge_text(2_000_000) && o.finish == Some(FinishReason::Stop));
    let (o, _server) = turn_with(Reply::SlowDrip {
        text: "one two three".into(),
        per_token_ms: 1,
    })
    .await;
    assert_eq!(
        (o.text.as_str(), o.text_deltas, o.finish),
        ("one two three", 3, Some(FinishReason::Stop))
    );
}

#[tokio::test]
async fn script_advances_and_models_are_listed() {
    let server = FakeServer::start(vec![Reply::answer("first"), Reply::answer("again")]).await;
    let ep = endpoint(&server, None);
    let req = request(RequestQuirks::default());
    let texts = [
        turn(&ep, &req).await.text,
        turn(&ep, &req).await.text,
        turn(&ep, &req).await.text,
    ];
    assert_eq!(texts, ["first", "again", "again"]);
    let models: serde_json::Value = reqwest::get(format!("{}/models", server.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(models["data"][0]["id"], json!(support::fake_server::MODEL));
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn raw_pieces_reach_the_client_as_separate_reads() {
    use futures_util::StreamExt;
    let server = FakeServer::start(vec![Reply::fixture_in_pieces(
        "deepseek-reasoning-content-length.sse",
        7,
    )])
    .await;
    let response = reqwest::Client::new()
        .post(format!("{}/chat/completions", server.base_url()))
        .send()
        .await
        .unwrap();
    let reads: Vec<usize> = response
        .bytes_stream()
        .map(|c| c.unwrap().len())
        .collect()
        .await;
    assert_eq!(
        reads.iter().sum::<usize>(),
        fixture("deepseek-reasoning-content-length.sse").len()
    );
    assert!(reads.len() > 10, "{reads:?}");
}
