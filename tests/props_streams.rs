//! Property tests of everything that reads a server's stream: arbitrary bytes, split into
//! reads arbitrarily, through each API's parser (Chat Completions, Responses, Anthropic
//! Messages — by `exchange::read_stream`, the path a real answer takes), through the SSE
//! framer alone, and arbitrary content through the `<think>` splitter.
//!
//! What must hold for any input: no panic; exactly one terminal event per stream, and it is
//! the last; the way the bytes are split into reads changes nothing (the same events, the
//! same error). The bodies are built mostly from pieces a server really sends (field names,
//! line ends, JSON events of each API with arbitrary text), mixed with arbitrary bytes, so
//! that the parsers' states are reached, not only their rejection of noise. The case count is
//! fixed and modest, so `cargo test` stays fast; regressions found are kept as plain tests.

use std::time::Duration;

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::json;
use thinkbench::api::anthropic::Anthropic;
use thinkbench::api::exchange::read_stream;
use thinkbench::api::openai_chat::{Chat, ThinkSplitter};
use thinkbench::api::openai_responses::Responses;
use thinkbench::api::sse::framer::{Event, Framer, TooLarge};
use thinkbench::api::{Limits, Protocol, StreamEvent};

/// `cases` cases (`PROPTEST_CASES` overrides it, for a deeper run by hand); failures are
/// not written to files (regressions are kept as plain tests).
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Arbitrary text, as JSON would carry it.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,12}",
        Just(String::new()),
        Just("<think>".to_string()),
        Just("</think>".to_string()),
        Just("\n\n".to_string()),
        Just("\u{1F600}\u{0301}\t\x1b[31m".to_string()),
    ]
}

/// A JSON payload one of the APIs sends (Chat, Responses or Anthropic), with arbitrary text.
fn payload() -> impl Strategy<Value = String> {
    let n = 0u64..5;
    prop_oneof![
        // Chat Completions.
        text().prop_map(|t| json!({"choices": [{"index": 0, "delta": {"content": t}}]}).to_string()),
        text().prop_map(|t| json!({"choices": [{"index": 0, "delta": {"reasoning_content": t}}]}).to_string()),
        (n.clone(), text()).prop_map(|(i, t)| json!({"choices": [{"index": 0, "delta": {"tool_calls":
            [{"index": i, "function": {"name": "f", "arguments": t}}]}}]}).to_string()),
        prop_oneof![Just("stop"), Just("length"), Just("tool_calls"), Just("error")]
            .prop_map(|r| json!({"choices": [{"index": 0, "delta": {}, "finish_reason": r}]}).to_string()),
        n.clone().prop_map(|k| json!({"choices": [], "usage": {"prompt_tokens": k, "completion_tokens": k}}).to_string()),
        Just("[DONE]".to_string()),
        text().prop_map(|t| json!({"error": {"message": t, "type": "server_error"}}).to_string()),
        // Responses.
        text().prop_map(|t| json!({"type": "response.output_text.delta", "delta": t}).to_string()),
        (n.clone(), text()).prop_map(|(i, t)| json!({"type": "response.reasoning_summary_text.delta",
            "output_index": 0, "summary_index": i, "delta": t}).to_string()),
        text().prop_map(|t| json!({"type": "response.output_item.done", "item": {"type": "function_call",
            "name": "f", "arguments": t}}).to_string()),
        prop_oneof![Just("completed"), Just("incomplete"), Just("failed")].prop_map(|s| json!({
            "type": format!("response.{s}"), "response": {"status": s, "usage": {"input_tokens": 1, "output_tokens": 2}}}).to_string()),
        // Anthropic Messages.
        Just(json!({"type": "message_start", "message": {"usage": {"input_tokens": 3, "output_tokens": 1}}}).to_string()),
        (n.clone(), prop_oneof![Just("thinking"), Just("text"), Just("tool_use"), Just("redacted_thinking")])
            .prop_map(|(i, k)| json!({"type": "content_block_start", "index": i,
                "content_block": {"type": k, "name": "f", "thinking": "", "text": ""}}).to_string()),
        (n.clone(), text()).prop_map(|(i, t)| json!({"type": "content_block_delta", "index": i,
            "delta": {"type": "thinking_delta", "thinking": t}}).to_string()),
        (n.clone(), text()).prop_map(|(i, t)| json!({"type": "content_block_delta", "index": i,
            "delta": {"type": "text_delta", "text": t}}).to_string()),
        (n.clone(), text()).prop_map(|(i, t)| json!({"type": "content_block_delta", "index": i,
            "delta": {"type": "input_json_delta", "partial_json": t}}).to_string()),
        n.clone().prop_map(|i| json!({"type": "content_block_stop", "index": i}).to_string()),
        Just(json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 9}}).to_string()),
        Just(json!({"type": "message_stop"}).to_string()),
        Just(json!({"type": "error", "error": {"type": "overloaded_error", "message": "busy"}}).to_string()),
        // Anything.
        "\\PC{0,20}",
    ]
}

/// A piece of an SSE body: whole events, field names, line ends, comments, noise.
fn fragment() -> impl Strategy<Value = Vec<u8>> {
    let line_end = prop_oneof![
        Just("\n"),
        Just("\r"),
        Just("\r\n"),
        Just("\n\n"),
        Just("\r\n\r\n")
    ];
    prop_oneof![
        8 => (payload(), line_end.clone()).prop_map(|(p, e)| format!("data: {p}{e}{e}").into_bytes()),
        2 => (prop_oneof![Just("error"), Just("message"), Just("ping"), Just("response.completed")], payload())
            .prop_map(|(name, p)| format!("event: {name}\ndata: {p}\n\n").into_bytes()),
        2 => payload().prop_map(String::into_bytes),
        2 => prop_oneof![Just("data: "), Just("data:"), Just("data"), Just("event: "), Just(": keep-alive"),
            Just(":"), Just("id: 1"), Just("retry: 10"), Just("\u{FEFF}")].prop_map(|s| s.as_bytes().to_vec()),
        3 => line_end.prop_map(|s| s.as_bytes().to_vec()),
        1 => proptest::collection::vec(any::<u8>(), 0..12),
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(fragment(), 0..24).prop_map(|pieces| pieces.concat())
}

/// `bytes` split at the points `cuts` picks (any number, anywhere, empty reads included).
fn split(bytes: &[u8], cuts: &[Index]) -> Vec<Vec<u8>> {
    let mut at: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
    at.sort_unstable();
    let mut out = Vec::new();
    let mut start = 0;
    for end in at.into_iter().chain([bytes.len()]) {
        out.push(bytes[start..end].to_vec());
        start = end;
    }
    out
}

fn cuts() -> impl Strategy<Value = Vec<Index>> {
    proptest::collection::vec(any::<Index>(), 0..12)
}

/// Limits: the defaults, or small ones that the bodies here can pass.
fn limits() -> impl Strategy<Value = Limits> {
    prop_oneof![
        Just(Limits::DEFAULT),
        (8usize..400, 1usize..200).prop_map(|(event, answer)| Limits {
            max_event_bytes: event,
            max_answer_bytes: answer,
            ..Limits::DEFAULT
        }),
    ]
}

fn runtime() -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_current_thread().build() {
        Ok(rt) => rt,
        Err(e) => panic!("runtime: {e}"),
    }
}

/// The events of `reads` (then a broken connection when `broken`) through `P`'s parser.
fn run<P: Protocol>(
    rt: &tokio::runtime::Runtime,
    reads: &[Vec<u8>],
    broken: bool,
    limits: Limits,
) -> Vec<StreamEvent> {
    let mut items: Vec<Result<Vec<u8>, std::io::Error>> = reads.iter().cloned().map(Ok).collect();
    if broken {
        items.push(Err(std::io::ErrorKind::ConnectionReset.into()));
    }
    let mut out = Vec::new();
    let body = futures_util::stream::iter(items);
    rt.block_on(read_stream::<P>(body, Duration::ZERO, limits, &mut |e| {
        out.push(e)
    }));
    out
}

/// The stream contract, and that splitting the body into reads changed nothing.
fn check<P: Protocol>(
    rt: &tokio::runtime::Runtime,
    body: &[u8],
    cuts: &[Index],
    broken: bool,
    limits: Limits,
) -> Result<(), TestCaseError> {
    let whole = run::<P>(rt, &[body.to_vec()], broken, limits);
    let terminals = whole.iter().filter(|e| e.is_terminal()).count();
    prop_assert_eq!(terminals, 1, "one terminal event: {:?}", whole);
    prop_assert!(
        whole.last().is_some_and(StreamEvent::is_terminal),
        "terminal last"
    );
    let answer: usize = whole
        .iter()
        .map(|e| match e {
            StreamEvent::TextDelta(t) | StreamEvent::ReasoningDelta(t) => t.len(),
            _ => 0,
        })
        .sum();
    prop_assert!(answer <= limits.max_answer_bytes, "{answer} > the limit");
    let split = run::<P>(rt, &split(body, cuts), broken, limits);
    prop_assert_eq!(split, whole, "the same events however the body is split");
    Ok(())
}

proptest! {
    #![proptest_config(config(192))]

    #[test]
    fn chat_stream(body in body(), cuts in cuts(), broken in any::<bool>(), limits in limits()) {
        check::<Chat>(&runtime(), &body, &cuts, broken, limits)?;
    }

    #[test]
    fn responses_stream(body in body(), cuts in cuts(), broken in any::<bool>(), limits in limits()) {
        check::<Responses>(&runtime(), &body, &cuts, broken, limits)?;
    }

    #[test]
    fn anthropic_stream(body in body(), cuts in cuts(), broken in any::<bool>(), limits in limits()) {
        check::<Anthropic>(&runtime(), &body, &cuts, broken, limits)?;
    }

    #[test]
    fn arbitrary_bytes_through_every_parser(
        body in proptest::collection::vec(any::<u8>(), 0..400),
        cuts in cuts(),
        broken in any::<bool>(),
    ) {
        let rt = runtime();
        check::<Chat>(&rt, &body, &cuts, broken, Limits::DEFAULT)?;
        check::<Responses>(&rt, &body, &cuts, broken, Limits::DEFAULT)?;
        check::<Anthropic>(&rt, &body, &cuts, broken, Limits::DEFAULT)?;
    }
}

/// What the framer makes of `reads` with `limit`: the events, and the error if any. Checks
/// on the way that it never holds more than the limit and stays spent after an error.
fn frame(reads: &[Vec<u8>], limit: usize) -> Result<(Vec<Event>, Option<TooLarge>), TestCaseError> {
    let mut framer = Framer::new(limit);
    let mut out = Vec::new();
    for read in reads {
        let pushed = framer.push(read, &mut out);
        prop_assert!(framer.held() <= limit, "held {} > {limit}", framer.held());
        if let Err(e) = pushed {
            prop_assert_eq!(framer.push(b"data: x\n\n", &mut out), Err(e), "spent");
            prop_assert_eq!(framer.finish(), None);
            return Ok((out, Some(e)));
        }
    }
    out.extend(framer.finish());
    Ok((out, None))
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn framer(
        body in prop_oneof![body(), proptest::collection::vec(any::<u8>(), 0..400)],
        cuts in cuts(),
        limit in prop_oneof![Just(1usize << 20), 1usize..300],
    ) {
        let whole = frame(std::slice::from_ref(&body), limit)?;
        for event in &whole.0 {
            prop_assert!(!event.event.is_empty());
            prop_assert!(!event.event.contains(['\r', '\n']), "{:?}", event);
            prop_assert!(!event.data.contains('\r'), "{:?}", event);
            // What was held: the data with a line end after it, and the name unless it is
            // the default.
            let name = if event.event == "message" { 0 } else { event.event.len() };
            prop_assert!(name + event.data.len() < limit, "{:?}", event);
        }
        let split = frame(&split(&body, &cuts), limit)?;
        prop_assert_eq!(split, whole);
        let singles: Vec<Vec<u8>> = body.chunks(1).map(<[u8]>::to_vec).collect();
        prop_assert_eq!(frame(&singles, limit)?, frame(&[body], limit)?);
    }
}

/// The reasoning and the text the splitter makes of `pieces`, checking that no delta is
/// empty.
fn think(pieces: &[&str]) -> Result<(String, String), TestCaseError> {
    let mut splitter = ThinkSplitter::new();
    let mut out = Vec::new();
    for piece in pieces {
        splitter.push(piece, &mut out);
    }
    splitter.finish(&mut out);
    let (mut reasoning, mut text) = (String::new(), String::new());
    for event in out {
        match event {
            StreamEvent::ReasoningDelta(r) if !r.is_empty() => reasoning.push_str(&r),
            StreamEvent::TextDelta(t) if !t.is_empty() => text.push_str(&t),
            other => prop_assert!(false, "unexpected {:?}", other),
        }
    }
    Ok((reasoning, text))
}

fn think_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<think>".to_string()),
        Just("</think>".to_string()),
        Just("<thi".to_string()),
        Just("nk>".to_string()),
        Just("</th".to_string()),
        Just("<".to_string()),
        Just("\n".to_string()),
        Just("  ".to_string()),
        "\\PC{0,6}",
        "[ <>/a-z\u{e9}\u{6f22}\u{1F600}]{0,8}",
    ]
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn think_splitter(pieces in proptest::collection::vec(think_piece(), 0..20), cuts in cuts()) {
        let content = pieces.concat();
        let as_sent: Vec<&str> = pieces.iter().map(String::as_str).collect();
        let whole = think(&[&content])?;
        prop_assert_eq!(&think(&as_sent)?, &whole, "the same however the content is split");
        // Split anywhere, on character boundaries.
        let mut at: Vec<usize> = cuts.iter().map(|c| c.index(content.len() + 1)).collect();
        at.retain(|&i| content.is_char_boundary(i));
        at.sort_unstable();
        let mut resplit = Vec::new();
        let mut start = 0;
        for end in at.into_iter().chain([content.len()]) {
            resplit.push(&content[start..end]);
            start = end;
        }
        prop_assert_eq!(&think(&resplit)?, &whole);
        if !content.trim_start().starts_with("<think>") {
            prop_assert_eq!(whole, (String::new(), content), "no tag at the start: all text");
        }
    }
}
