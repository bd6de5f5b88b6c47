//! Retries and the idle-stream timeout through HTTP: a fake server that fails the way real
//! ones do (429 with `retry-after`, 5xx, refused connections, cuts, silence), and
//! `api::run_turn` retrying only what it should, waiting what the server asked.
//!
//! Time is tokio's paused clock: waits take no real time, and each test checks the delays
//! announced in `Retrying` notices and the requests made. No timer other than the ones
//! under test runs during a request (the idle limit is off, `Duration::ZERO`, unless it is
//! what is tested; the client has no connect timeout), so the clock's jumps while the
//! runtime waits on the loopback socket cannot fire anything early.

mod support;

use serde_json::json;
use std::time::{Duration, SystemTime};
use support::fake_server::{FakeServer, Reply, chunk};
use support::turn::{Outcome, chat_endpoint, outcome};
use thinkbench::api::errors::CLOSED_EARLY;
use thinkbench::api::{ChatRequest, Endpoint, Message, RequestQuirks, Role, StreamEvent};

fn request() -> ChatRequest {
    ChatRequest {
        model: "fake-reasoner".into(),
        system: None,
        messages: vec![Message {
            role: Role::User,
            content: "Hello?".into(),
            images: Vec::new(),
        }],
        effort: None,
        max_output_tokens: None,
        model_max_output: None,
        quirks: RequestQuirks::default(),
    }
}

/// The fake server's endpoint, `max_attempts` tries, no idle limit.
fn endpoint(server: &FakeServer, max_attempts: u32) -> Endpoint {
    let mut ep = chat_endpoint(&server.base_url(), Some("sk-test"));
    ep.max_attempts = max_attempts;
    ep.idle_timeout = Some(Duration::ZERO);
    ep
}

/// Run one turn; its outcome, its events and the (paused) time it took.
async fn turn(ep: &Endpoint) -> (Outcome, Vec<StreamEvent>, Duration) {
    let client = reqwest::Client::new();
    let start = tokio::time::Instant::now();
    let mut events = Vec::new();
    thinkbench::api::run_turn(&client, ep, &request(), &mut |e| events.push(e)).await;
    let elapsed = start.elapsed();
    (outcome(events.clone()), events, elapsed)
}

fn rate_limited() -> Reply {
    Reply::Json {
        status: 429,
        body: json!({"error": {"message": "Rate limit reached for fake-reasoner on tokens per min (TPM). Please try again in 2s.",
            "type": "tokens", "param": null, "code": "rate_limit_exceeded"}}),
    }
}

fn error(status: u16, kind: &str) -> Reply {
    Reply::Json {
        status,
        body: json!({"error": {"message": format!("a {status}"), "type": kind, "param": null, "code": null}}),
    }
}

/// A 429 with `headers`, then an answer: one retry after the server's delay, which is returned.
async fn rate_limited_then_answer(headers: &[(&str, &str)]) -> Duration {
    let server = FakeServer::start(vec![
        rate_limited().with_headers(headers),
        Reply::answer("Hello there."),
    ])
    .await;
    let (o, events, elapsed) = turn(&endpoint(&server, 4)).await;
    assert_eq!(o.text, "Hello there.");
    assert!(o.error.is_none(), "{:?}", o.error);
    assert_eq!(server.requests().len(), 2);
    let [notice] = &o.retries[..] else {
        panic!("{:?}", o.retries)
    };
    assert_eq!((notice.attempt, notice.max_attempts), (2, 4));
    assert_eq!(notice.error.status, Some(429));
    assert_eq!(notice.error.code.as_deref(), Some("rate_limit_exceeded"));
    assert!(elapsed >= notice.delay, "{elapsed:?} < {:?}", notice.delay);
    // The notice comes before anything of the answer.
    let first_text = events
        .iter()
        .position(|e| matches!(e, StreamEvent::TextDelta(_)));
    let notice_at = events
        .iter()
        .position(|e| matches!(e, StreamEvent::Retrying(_)));
    assert!(notice_at < first_text, "{events:?}");
    notice.delay
}

#[tokio::test(start_paused = true)]
async fn retry_after_ms_is_honoured() {
    let delay =
        rate_limited_then_answer(&[("retry-after-ms", "1500.5"), ("retry-after", "9")]).await;
    assert_eq!(delay, Duration::from_micros(1_500_500));
}

#[tokio::test(start_paused = true)]
async fn retry_after_seconds_is_honoured() {
    let delay = rate_limited_then_answer(&[("retry-after", "2")]).await;
    assert_eq!(delay, Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn retry_after_as_an_http_date_is_honoured() {
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
    let delay = rate_limited_then_answer(&[("retry-after", date.as_str())]).await;
    // The date has whole seconds and the wall clock moved on a little since it was made.
    assert!(
        delay > Duration::from_secs(27) && delay <= Duration::from_secs(30),
        "{delay:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_longer_wait_than_two_minutes_is_not_waited() {
    let server = FakeServer::start(vec![
        rate_limited().with_headers(&[("retry-after", "3600")]),
        Reply::answer("late"),
    ])
    .await;
    let (o, _, elapsed) = turn(&endpoint(&server, 4)).await;
    let e = o.error.expect("failed");
    assert!(
        e.message
            .ends_with("(the server asked to wait 60 min before trying again)"),
        "{}",
        e.message
    );
    assert!(o.retries.is_empty() && elapsed.is_zero());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn insufficient_quota_is_not_retried() {
    let quota = Reply::Json {
        status: 429,
        body: json!({"error": {"message": "You exceeded your current quota, please check your plan and billing details.",
            "type": "insufficient_quota", "param": null, "code": "insufficient_quota"}}),
    };
    let server = FakeServer::start(vec![quota, Reply::answer("no")]).await;
    let (o, _, _) = turn(&endpoint(&server, 4)).await;
    let e = o.error.expect("failed");
    assert_eq!(
        (e.status, e.code.as_deref()),
        (Some(429), Some("insufficient_quota"))
    );
    assert!(!e.message.contains("tries"), "{}", e.message);
    assert!(o.retries.is_empty());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn client_errors_are_not_retried() {
    for status in [400, 401, 403, 404] {
        let server = FakeServer::start(vec![
            error(status, "invalid_request_error"),
            Reply::answer("no"),
        ])
        .await;
        let (o, _, _) = turn(&endpoint(&server, 4)).await;
        assert_eq!(o.error.map(|e| e.status), Some(Some(status)));
        assert!(o.retries.is_empty(), "{status}");
        assert_eq!(server.requests().len(), 1, "{status}");
    }
}

#[tokio::test(start_paused = true)]
async fn server_error_then_success() {
    let server = FakeServer::start(vec![error(500, "server_error"), Reply::answer("Fine.")]).await;
    let (o, _, elapsed) = turn(&endpoint(&server, 4)).await;
    assert_eq!(o.text, "Fine.");
    assert_eq!(server.requests().len(), 2);
    let [notice] = &o.retries[..] else {
        panic!("{:?}", o.retries)
    };
    // Our own first backoff: 0.5 s, less up to a quarter of jitter.
    assert!(
        notice.delay >= Duration::from_millis(375) && notice.delay <= Duration::from_millis(500),
        "{:?}",
        notice.delay
    );
    assert_eq!(notice.error.status, Some(500));
    assert!(elapsed >= notice.delay);
}

#[tokio::test(start_paused = true)]
async fn x_should_retry_overrides_the_status() {
    let server = FakeServer::start(vec![
        error(500, "server_error").with_headers(&[("x-should-retry", "false")]),
        Reply::answer("no"),
    ])
    .await;
    let (o, _, _) = turn(&endpoint(&server, 4)).await;
    assert_eq!(o.error.map(|e| e.status), Some(Some(500)));
    assert_eq!((o.retries.len(), server.requests().len()), (0, 1));

    let server = FakeServer::start(vec![
        error(400, "invalid_request_error").with_headers(&[("x-should-retry", "true")]),
        Reply::answer("Yes."),
    ])
    .await;
    let (o, _, _) = turn(&endpoint(&server, 4)).await;
    assert_eq!(o.text, "Yes.");
    assert_eq!((o.retries.len(), server.requests().len()), (1, 2));
}

#[tokio::test(start_paused = true)]
async fn refused_connections_are_retried_up_to_max_attempts() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut ep = chat_endpoint(&format!("http://127.0.0.1:{port}/v1"), None);
    ep.max_attempts = 3;
    ep.idle_timeout = Some(Duration::ZERO);
    let (o, events, elapsed) = turn(&ep).await;
    let e = o.error.expect("failed");
    assert!(e.message.contains("could not connect"), "{}", e.message);
    assert!(e.message.ends_with(" (after 3 tries)"), "{}", e.message);
    let attempts: Vec<u32> = o.retries.iter().map(|r| r.attempt).collect();
    assert_eq!(attempts, [2, 3]);
    assert!(o.retries[1].delay > o.retries[0].delay, "{:?}", o.retries);
    assert!(elapsed >= o.retries[0].delay + o.retries[1].delay);
    // Two notices, then the one failure.
    assert!(matches!(
        &events[..],
        [
            StreamEvent::Retrying(_),
            StreamEvent::Retrying(_),
            StreamEvent::Failed(_)
        ]
    ));
}

#[tokio::test(start_paused = true)]
async fn zero_max_attempts_still_tries_once() {
    let server = FakeServer::start(vec![error(503, "server_error")]).await;
    let (o, _, _) = turn(&endpoint(&server, 0)).await;
    let e = o.error.expect("failed");
    assert!(!e.message.contains("tries"), "{}", e.message);
    assert_eq!((o.retries.len(), server.requests().len()), (0, 1));
}

#[tokio::test(start_paused = true)]
async fn the_last_failure_says_how_many_tries() {
    let server = FakeServer::start(vec![error(502, "server_error")]).await;
    let (o, _, _) = turn(&endpoint(&server, 4)).await;
    let e = o.error.expect("failed");
    assert_eq!(e.message, "a 502 (after 4 tries)");
    assert_eq!(server.requests().len(), 4);
    let delays: Vec<Duration> = o.retries.iter().map(|r| r.delay).collect();
    for (i, (delay, full)) in delays.iter().zip([500, 1000, 2000]).enumerate() {
        let full = Duration::from_millis(full);
        assert!(
            *delay <= full && *delay >= full.mul_f64(0.75),
            "{i}: {delays:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_cut_before_output_is_retried() {
    let cut = Reply::CutAfter {
        events: vec![chunk::role(), chunk::content("lost")],
        n: 1,
    };
    let server = FakeServer::start(vec![cut, Reply::answer("Whole answer.")]).await;
    let (o, _, _) = turn(&endpoint(&server, 4)).await;
    assert_eq!(o.text, "Whole answer.");
    assert_eq!(o.retries.len(), 1);
    assert!(o.retries[0].error.message.starts_with(CLOSED_EARLY));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_cut_after_output_is_not_retried() {
    let cut = Reply::CutAfter {
        events: vec![
            chunk::role(),
            chunk::content("Hello "),
            chunk::content("world"),
        ],
        n: 2,
    };
    let server = FakeServer::start(vec![cut, Reply::answer("again")]).await;
    let (o, _, _) = turn(&endpoint(&server, 4)).await;
    assert_eq!(o.text, "Hello ");
    let e = o.error.expect("failed");
    assert!(e.retryable && e.message.starts_with(CLOSED_EARLY), "{e:?}");
    assert!(!e.message.contains("tries"));
    assert!(o.retries.is_empty());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_server_that_never_answers_hits_the_idle_timeout() {
    let server = FakeServer::start(vec![Reply::answer("too late").delayed(60_000)]).await;
    let mut ep = endpoint(&server, 1);
    ep.idle_timeout = Some(Duration::from_secs(5));
    let (o, _, elapsed) = turn(&ep).await;
    let e = o.error.expect("failed");
    assert!(
        e.message
            .starts_with("no data from the server for 5 s; no response came"),
        "{}",
        e.message
    );
    assert!(o.text.is_empty());
    assert_eq!(elapsed, Duration::from_secs(5));
}

/// A request made without streaming (a model that cannot stream, slow like o1-pro) whose
/// answer does not come within the idle limit is not retried: the server may still finish
/// and bill it. The error says so, and names no key (`ask` has none; the TUI offers its own).
#[tokio::test(start_paused = true)]
async fn a_non_streaming_request_that_times_out_is_not_retried() {
    let whole = Reply::Json {
        status: 200,
        body: json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": "late"},
            "finish_reason": "stop"}]}),
    };
    let server = FakeServer::start(vec![whole.delayed(60_000)]).await;
    let mut ep = endpoint(&server, 4);
    ep.idle_timeout = Some(Duration::from_secs(5));
    let mut slow = request();
    slow.quirks.can_stream = false;
    slow.quirks.slow = true;
    let client = reqwest::Client::new();
    let start = tokio::time::Instant::now();
    let mut events = Vec::new();
    thinkbench::api::run_turn(&client, &ep, &slow, &mut |e| events.push(e)).await;
    let o = outcome(events);
    let e = o.error.expect("failed");
    assert!(!e.retryable, "{e:?}");
    assert!(
        e.message
            .starts_with("no data from the server for 5 s; no response came")
            && e.message
                .contains("the server may still finish and bill it")
            && !e.message.contains("Alt+R"),
        "{}",
        e.message
    );
    assert!(o.retries.is_empty(), "{:?}", o.retries);
    assert_eq!(server.requests().len(), 1);
    assert!(
        server.requests()[0].body.get("stream").is_none(),
        "asked without streaming"
    );
    assert_eq!(start.elapsed(), Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn a_silent_stream_hits_the_idle_timeout_and_is_retried() {
    // The role chunk (no output), then silence longer than the limit.
    let drip = Reply::SlowDrip {
        text: "never said".into(),
        per_token_ms: 60_000,
    };
    let server = FakeServer::start(vec![drip]).await;
    let mut ep = endpoint(&server, 2);
    ep.idle_timeout = Some(Duration::from_secs(5));
    let (o, _, _) = turn(&ep).await;
    let e = o.error.expect("failed");
    assert!(
        e.message
            .starts_with("no data from the server for 5 s; the stream was ended")
            && e.message.ends_with(" (after 2 tries)"),
        "{}",
        e.message
    );
    assert_eq!(o.retries.len(), 1);
    assert_eq!(server.requests().len(), 2);
}

/// In real time (a few tens of milliseconds): a paused clock could jump past the limit while
/// a piece is on its way through the loopback socket.
#[tokio::test]
async fn a_slow_but_steady_stream_is_not_cut() {
    let drip = Reply::SlowDrip {
        text: "one two three".into(),
        per_token_ms: 10,
    };
    let server = FakeServer::start(vec![drip]).await;
    let mut ep = endpoint(&server, 1);
    ep.idle_timeout = Some(Duration::from_secs(5));
    let (o, _, elapsed) = turn(&ep).await;
    assert!(o.error.is_none(), "{:?}", o.error);
    assert_eq!(o.text, "one two three");
    assert!(elapsed >= Duration::from_millis(30));
}

/// The retry layer is the same for every API: a 429 with `retry-after-ms`, then an answer,
/// over OpenAI Responses and over Anthropic Messages.
#[tokio::test(start_paused = true)]
async fn every_api_is_retried_the_same_way() {
    use support::{anthropic, responses};
    use thinkbench::api::ApiKind;
    let limited = || rate_limited().with_headers(&[("retry-after-ms", "1500")]);
    let u = thinkbench::usage::Usage {
        input: 5,
        output: 7,
        ..Default::default()
    };
    let responses_answer = responses::stream(&[
        responses::event::created(),
        responses::event::message_item(0),
        responses::event::text_delta(0, "Hello from Responses."),
        responses::event::completed(&u),
    ]);
    let anthropic_answer = anthropic::stream(&anthropic::answer("", "Hello from Claude.", 5, 7));
    for (api, answer, text) in [
        (
            ApiKind::Responses,
            responses_answer,
            "Hello from Responses.",
        ),
        (ApiKind::Anthropic, anthropic_answer, "Hello from Claude."),
    ] {
        let server = FakeServer::start(vec![limited(), answer]).await;
        let mut ep = endpoint(&server, 4);
        ep.api = api;
        let (o, _, _) = turn(&ep).await;
        assert_eq!(o.text, text, "{api}");
        assert_eq!(o.retries.len(), 1, "{api}");
        assert_eq!(o.retries[0].delay, Duration::from_millis(1500), "{api}");
        assert_eq!(server.requests().len(), 2, "{api}");
    }
}
