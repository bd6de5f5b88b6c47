//! Bounded resources through HTTP: a fake server that sends a line that never ends, `data:`
//! lines that never make an event, a whole body too large, an answer too long — each turn
//! ends with an error that names the limit, without retrying, holding little memory, the
//! text that came before the limit kept.
//!
//! Memory is measured with a counting allocator (this test binary's own); the tests run one
//! at a time so that one's allocations do not count for another. Limits are small (64 KiB)
//! so that every test is fast; each is bounded in real time, so that a reader that never
//! stops fails instead of hanging.

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use support::fake_server::{FakeServer, Reply, chunk, huge_text};
use support::turn::{Outcome, chat_endpoint, outcome};
use thinkbench::api::sse::limits::{answer_too_large, body_too_large, event_too_large};
use thinkbench::api::{ChatRequest, Endpoint, Message, RequestQuirks, Role};

/// The system allocator, counting the bytes in use and their peak.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc` is passed on unchanged.
        unsafe { System.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One test at a time (memory is measured for the whole process).
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const LIMIT: usize = 64 * 1024;

fn request(can_stream: bool) -> ChatRequest {
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
        quirks: RequestQuirks {
            can_stream,
            ..RequestQuirks::default()
        },
    }
}

/// The fake server's endpoint: 4 tries, so that a retry would show; small limits.
fn endpoint(server: &FakeServer) -> Endpoint {
    let mut ep = chat_endpoint(&server.base_url(), Some("sk-test"));
    ep.max_attempts = 4;
    ep.limits.max_event_bytes = LIMIT;
    ep.limits.max_body_bytes = LIMIT;
    ep.limits.max_answer_bytes = LIMIT;
    ep
}

/// Run one turn (at most 30 s of real time); its outcome, and the most memory it held at
/// once beyond what was in use before.
async fn turn(ep: &Endpoint, can_stream: bool) -> (Outcome, usize) {
    let client = reqwest::Client::new();
    let mut events = Vec::new();
    let before = IN_USE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let request = request(can_stream);
    let mut emit = |e| events.push(e);
    let run = thinkbench::api::run_turn(&client, ep, &request, &mut emit);
    if tokio::time::timeout(Duration::from_secs(30), run)
        .await
        .is_err()
    {
        panic!("the turn did not end within 30 s");
    }
    let grew = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    (outcome(events), grew)
}

/// Ended once with `expected`, not retried, after one request.
fn failed_once_with(o: &Outcome, expected: &thinkbench::api::ApiError, server: &FakeServer) {
    let e = o.error.as_ref().expect("failed");
    assert_eq!(e.message, expected.message);
    assert!(!e.retryable);
    assert!(o.retries.is_empty(), "{:?}", o.retries);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_line_that_never_ends_stops_at_the_event_limit() {
    let _one = ONE_AT_A_TIME.lock().await;
    let server = FakeServer::start(vec![Reply::Endless {
        json: false,
        head: b"data: {\"choices\":[{\"delta\":{\"content\":\"".to_vec(),
        piece: vec![b'x'; 8192],
    }])
    .await;
    let (o, grew) = turn(&endpoint(&server), true).await;
    failed_once_with(&o, &event_too_large(LIMIT), &server);
    assert!(
        o.error
            .is_some_and(|e| e.message.contains("max_event_bytes"))
    );
    assert!(grew < 4 << 20, "held {grew} bytes");
}

#[tokio::test]
async fn data_lines_that_never_make_an_event_stop_at_the_event_limit() {
    let _one = ONE_AT_A_TIME.lock().await;
    let role = format!("data: {}\n\n", chunk::role());
    let line = format!("data: {}\n", chunk::content("never dispatched"));
    let server = FakeServer::start(vec![Reply::Endless {
        json: false,
        head: role.into_bytes(),
        piece: line.repeat(32).into_bytes(),
    }])
    .await;
    let (o, grew) = turn(&endpoint(&server), true).await;
    failed_once_with(&o, &event_too_large(LIMIT), &server);
    assert!(o.text.is_empty());
    assert!(grew < 4 << 20, "held {grew} bytes");
}

#[tokio::test]
async fn a_whole_body_over_the_limit_fails() {
    let _one = ONE_AT_A_TIME.lock().await;
    let answer = serde_json::json!({
        "choices": [{"index": 0, "message": {"role": "assistant", "content": huge_text(2 * LIMIT)},
            "finish_reason": "stop"}],
    });
    // Sized (a Content-Length over the limit), and endless (no length at all).
    let sized = Reply::Json {
        status: 200,
        body: answer,
    };
    let endless = Reply::Endless {
        json: true,
        head: b"{\"choices\":[{\"index\":0,\"message\":{\"content\":\"".to_vec(),
        piece: vec![b'x'; 8192],
    };
    for reply in [sized, endless] {
        let server = FakeServer::start(vec![reply]).await;
        let (o, grew) = turn(&endpoint(&server), false).await;
        failed_once_with(&o, &body_too_large(LIMIT), &server);
        assert!(o.text.is_empty());
        assert!(grew < 4 << 20, "held {grew} bytes");
    }
}

#[tokio::test]
async fn an_answer_over_the_limit_keeps_its_text_up_to_the_limit() {
    let _one = ONE_AT_A_TIME.lock().await;
    let server = FakeServer::start(vec![Reply::Huge { bytes: 4 * LIMIT }]).await;
    let (o, _) = turn(&endpoint(&server), true).await;
    failed_once_with(&o, &answer_too_large(LIMIT), &server);
    let text = huge_text(4 * LIMIT);
    assert_eq!(o.text, text[..LIMIT]);
    assert!(o.finish.is_none());
}

#[tokio::test]
async fn a_whole_answer_over_the_limit_keeps_its_text_up_to_the_limit() {
    let _one = ONE_AT_A_TIME.lock().await;
    let text = huge_text(LIMIT + 100);
    let answer = serde_json::json!({
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
            "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12},
    });
    let server = FakeServer::start(vec![Reply::Json {
        status: 200,
        body: answer,
    }])
    .await;
    let mut ep = endpoint(&server);
    ep.limits.max_body_bytes = 4 * LIMIT;
    let (o, _) = turn(&ep, false).await;
    failed_once_with(&o, &answer_too_large(LIMIT), &server);
    assert_eq!(o.text, text[..LIMIT]);
    assert_eq!(o.usage.map(|u| u.output), Some(7), "the usage is kept");
}

#[tokio::test]
async fn within_the_limits_nothing_changes() {
    let _one = ONE_AT_A_TIME.lock().await;
    let server = FakeServer::start(vec![Reply::Huge { bytes: LIMIT }]).await;
    let (o, _) = turn(&endpoint(&server), true).await;
    assert_eq!(o.error, None);
    assert_eq!(o.text, huge_text(LIMIT));
}

/// The Messages parser passes thinking text on without keeping a copy of it: 8 MiB of
/// thinking deltas, each dropped once emitted, leave the parser holding next to nothing,
/// and the reasoning estimate still counts all of it.
#[tokio::test]
async fn the_anthropic_parser_keeps_no_copy_of_the_thinking() {
    use thinkbench::api::anthropic::MessageParser;
    use thinkbench::api::sse::StreamParser;
    let _one = ONE_AT_A_TIME.lock().await;
    let delta = serde_json::json!({"type": "content_block_delta", "index": 0,
        "delta": {"type": "thinking_delta", "thinking": "so the next step is this one, ".repeat(30)}})
    .to_string();
    let mut parser = MessageParser::new();
    // The token encoding is loaded once per process, and is large: not the parser's doing.
    let _ = thinkbench::usage::estimate_tokens("warm up");
    let before = IN_USE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let start = r#"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"#;
    parser.feed("content_block_start", start);
    let mut thought = 0;
    while thought < 8 << 20 {
        for event in parser.feed("content_block_delta", &delta) {
            if let thinkbench::api::StreamEvent::ReasoningDelta(t) = event {
                thought += t.len();
            }
        }
    }
    let stop = r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":10000000}}"#;
    parser.feed("message_delta", stop);
    let end = parser.feed("message_stop", r#"{"type":"message_stop"}"#);
    let grew = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    assert!(
        grew < 1 << 20,
        "held {grew} bytes for {thought} bytes of thinking"
    );
    let usage = end.iter().find_map(|e| match e {
        thinkbench::api::StreamEvent::Usage(u) => Some(*u),
        _ => None,
    });
    let per_delta =
        thinkbench::usage::estimate_tokens(&"so the next step is this one, ".repeat(30));
    let deltas = (thought / 900) as u64;
    assert!(
        usage.is_some_and(|u| u.reasoning_estimated && u.reasoning >= deltas * per_delta - deltas),
        "{usage:?}"
    );
}
