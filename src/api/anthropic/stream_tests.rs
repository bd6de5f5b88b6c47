//! Edge cases of [`MessageParser`]: block kinds, cumulative usage, errors, early ends.

use super::*;
use crate::usage::estimate_tokens;
use StreamEvent::{Failed, Finished, ReasoningDelta, TextDelta, ToolCall};
use serde_json::json;

type Tokens = crate::usage::Usage;

/// Feed `(event name, payload)` pairs, then end the body.
fn run(events: &[(&str, Value)]) -> Vec<StreamEvent> {
    let mut p = MessageParser::new();
    let mut out: Vec<StreamEvent> = events
        .iter()
        .flat_map(|(name, data)| p.feed(name, &data.to_string()))
        .collect();
    out.extend(p.finish());
    out
}

fn start(input: u64, read: u64, write: u64) -> (&'static str, Value) {
    let usage = json!({"input_tokens": input, "cache_read_input_tokens": read,
        "cache_creation_input_tokens": write, "output_tokens": 1});
    (
        "message_start",
        json!({"type": "message_start", "message": {"id": "msg_1", "role": "assistant",
            "content": [], "stop_reason": null, "usage": usage}}),
    )
}

fn block(index: u64, block: Value) -> (&'static str, Value) {
    let data = json!({"type": "content_block_start", "index": index, "content_block": block});
    ("content_block_start", data)
}

fn delta(index: u64, delta: Value) -> (&'static str, Value) {
    let data = json!({"type": "content_block_delta", "index": index, "delta": delta});
    ("content_block_delta", data)
}

fn thinking(index: u64, text: &str) -> (&'static str, Value) {
    delta(index, json!({"type": "thinking_delta", "thinking": text}))
}

fn text(index: u64, text: &str) -> (&'static str, Value) {
    delta(index, json!({"type": "text_delta", "text": text}))
}

fn stop(index: u64) -> (&'static str, Value) {
    let data = json!({"type": "content_block_stop", "index": index});
    ("content_block_stop", data)
}

fn message_delta(reason: Option<&str>, usage: Value) -> (&'static str, Value) {
    let data = json!({"type": "message_delta", "delta": {"stop_reason": reason, "stop_sequence": null},
        "usage": usage});
    ("message_delta", data)
}

fn message_stop() -> (&'static str, Value) {
    ("message_stop", json!({"type": "message_stop"}))
}

fn usage_of(events: &[StreamEvent]) -> Tokens {
    match events.iter().find(|e| matches!(e, StreamEvent::Usage(_))) {
        Some(StreamEvent::Usage(u)) => *u,
        _ => panic!("no usage: {events:?}"),
    }
}

#[test]
fn thinking_blocks_are_separated_and_redacted_shown_once() {
    let got = run(&[
        start(10, 0, 0),
        block(
            0,
            json!({"type": "thinking", "thinking": "", "signature": ""}),
        ),
        ("ping", json!({"type": "ping"})),
        thinking(0, "First"),
        thinking(0, " thought."),
        delta(0, json!({"type": "signature_delta", "signature": "abc"})),
        stop(0),
        block(
            1,
            json!({"type": "redacted_thinking", "data": "EmwKAhgBEgy3va"}),
        ),
        stop(1),
        block(2, json!({"type": "thinking", "thinking": ""})),
        thinking(2, "Second."),
        stop(2),
        block(3, json!({"type": "text", "text": ""})),
        text(3, "Answer"),
        text(3, "."),
        stop(3),
        message_delta(Some("end_turn"), json!({"output_tokens": 50})),
        message_stop(),
    ]);
    let reasoning: Vec<&StreamEvent> = got
        .iter()
        .filter(|e| matches!(e, ReasoningDelta(_)))
        .collect();
    assert_eq!(
        reasoning,
        [
            &ReasoningDelta("First".into()),
            &ReasoningDelta(" thought.".into()),
            &ReasoningDelta("\n\n(redacted)".into()),
            &ReasoningDelta("\n\nSecond.".into()),
        ]
    );
    let n = got.len();
    assert_eq!(
        got[n - 4..n - 2],
        [TextDelta("Answer".into()), TextDelta(".".into())]
    );
    assert!(matches!(got[n - 2], StreamEvent::Usage(_)));
    assert_eq!(got[n - 1], Finished(FinishReason::Stop));
    let u = usage_of(&got);
    assert!(u.reasoning_estimated && !u.estimated);
    assert_eq!(u.reasoning, estimate_tokens("First thought.Second."));
}

#[test]
fn only_redacted_thinking_still_marks_the_estimate() {
    let got = run(&[
        start(5, 0, 0),
        block(0, json!({"type": "redacted_thinking", "data": "x"})),
        stop(0),
        message_delta(Some("end_turn"), json!({"output_tokens": 9})),
        message_stop(),
    ]);
    assert_eq!(got[0], ReasoningDelta(REDACTED.into()));
    let u = usage_of(&got);
    assert_eq!((u.reasoning, u.reasoning_estimated), (0, true));
}

#[test]
fn usage_is_cumulative_and_maps_cache_counts() {
    let got = run(&[
        start(3, 2_000, 500),
        block(0, json!({"type": "text", "text": ""})),
        text(0, "Hi"),
        message_delta(None, json!({"output_tokens": 7})),
        message_delta(Some("end_turn"), json!({"output_tokens": 12})),
        message_stop(),
    ]);
    assert_eq!(
        usage_of(&got),
        Tokens {
            input: 2_503,
            cached_input: 2_000,
            cache_write: 500,
            output: 12,
            reasoning: 0,
            estimated: false,
            reasoning_estimated: false,
            ..Default::default()
        }
    );
    // Counts repeated in message_delta replace those of message_start, never add to them.
    let got = run(&[
        start(424, 0, 0),
        message_delta(
            Some("end_turn"),
            json!({"input_tokens": 424, "cache_read_input_tokens": 100, "output_tokens": 3}),
        ),
        message_stop(),
    ]);
    let u = usage_of(&got);
    assert_eq!((u.input, u.cached_input, u.output), (524, 100, 3));
}

#[test]
fn reasoning_estimate_is_capped_at_output() {
    let long = "word ".repeat(200);
    let got = run(&[
        start(1, 0, 0),
        block(0, json!({"type": "thinking", "thinking": ""})),
        thinking(0, &long),
        message_delta(Some("max_tokens"), json!({"output_tokens": 10})),
        message_stop(),
    ]);
    let u = usage_of(&got);
    assert_eq!((u.output, u.reasoning), (10, 10));
    assert_eq!(got.last(), Some(&Finished(FinishReason::Length)));
}

#[test]
fn stop_reasons() {
    assert_eq!(stop_reason("end_turn"), FinishReason::Stop);
    assert_eq!(stop_reason("stop_sequence"), FinishReason::Stop);
    assert_eq!(stop_reason("max_tokens"), FinishReason::Length);
    assert_eq!(stop_reason("tool_use"), FinishReason::ToolCalls);
    assert_eq!(stop_reason("refusal"), FinishReason::ContentFilter);
    assert_eq!(
        stop_reason("pause_turn"),
        FinishReason::Other("pause_turn".into())
    );
}

#[test]
fn tool_use_arguments_are_joined() {
    let json_delta = |s: &str| delta(1, json!({"type": "input_json_delta", "partial_json": s}));
    let got = run(&[
        start(1, 0, 0),
        block(
            1,
            json!({"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {}}),
        ),
        json_delta(""),
        json_delta("{\"city\": "),
        json_delta("\"Rome\"}"),
        stop(1),
        block(
            2,
            json!({"type": "tool_use", "id": "toolu_2", "name": "time", "input": {}}),
        ),
        stop(2),
        block(
            3,
            json!({"type": "tool_use", "name": "open", "input": {"a": 1}}),
        ),
        message_delta(Some("tool_use"), json!({"output_tokens": 30})),
        message_stop(),
    ]);
    let call = |name: &str, arguments: &str| {
        ToolCall(crate::api::types::ToolCall {
            name: name.into(),
            arguments: arguments.into(),
        })
    };
    assert_eq!(got[0], call("weather", "{\"city\": \"Rome\"}"));
    assert_eq!(got[1], call("time", "{}"));
    // A block the stream never stopped still comes out before the end.
    assert_eq!(got[2], call("open", "{\"a\":1}"));
    assert_eq!(got[4], Finished(FinishReason::ToolCalls));
}

#[test]
fn error_event_mid_stream() {
    let got = run(&[
        start(1, 0, 0),
        block(0, json!({"type": "text", "text": ""})),
        text(0, "Par"),
        (
            "error",
            json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
        ),
        text(0, "late"),
        message_stop(),
    ]);
    let [TextDelta(t), Failed(e)] = &got[..] else {
        panic!("{got:?}")
    };
    assert_eq!(t, "Par");
    assert_eq!(
        (e.message.as_str(), e.kind.as_deref(), e.retryable),
        ("Overloaded", Some("overloaded_error"), true)
    );
    let got = run(&[(
        "error",
        json!({"type": "error", "error": {"type": "invalid_request_error", "message": "bad"}}),
    )]);
    assert!(matches!(&got[..], [Failed(e)] if !e.retryable && e.message == "bad"));
    let got = run(&[(
        "error",
        json!({"type": "error", "error": {"type": "api_error", "message": "Internal"}}),
    )]);
    assert!(matches!(&got[..], [Failed(e)] if e.retryable));
}

#[test]
fn max_tokens_with_no_text() {
    let got = run(&[
        start(20, 0, 0),
        block(0, json!({"type": "thinking", "thinking": ""})),
        thinking(0, "Let me think"),
        message_delta(Some("max_tokens"), json!({"output_tokens": 1024})),
        message_stop(),
    ]);
    assert!(!got.iter().any(|e| matches!(e, TextDelta(_))));
    assert_eq!(got.last(), Some(&Finished(FinishReason::Length)));
}

#[test]
fn early_ends() {
    // Cut before any stop reason: a retryable failure.
    let got = run(&[
        start(1, 0, 0),
        block(0, json!({"type": "text"})),
        text(0, "a"),
    ]);
    let [TextDelta(_), Failed(e)] = &got[..] else {
        panic!("{got:?}")
    };
    assert!(e.retryable && e.message == CLOSED_EARLY);
    // Cut after the stop reason but before message_stop: the answer is complete.
    let got = run(&[
        start(1, 0, 0),
        message_delta(Some("end_turn"), json!({"output_tokens": 2})),
    ]);
    assert!(matches!(
        &got[..],
        [StreamEvent::Usage(_), Finished(FinishReason::Stop)]
    ));
    let mut p = MessageParser::new();
    p.feed(
        "message_delta",
        r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"}}"#,
    );
    assert_eq!(
        p.interrupted(ApiError::message("reset")),
        [Finished(FinishReason::Stop)]
    );
    assert!(
        p.feed("message_stop", r#"{"type":"message_stop"}"#)
            .is_empty()
    );
    assert!(p.finish().is_empty() && p.is_done());
}

#[test]
fn malformed_and_unknown_input() {
    for bad in ["{\"type\":", "garbage", "[1]"] {
        let mut p = MessageParser::new();
        let got = p.feed("content_block_delta", bad);
        assert!(
            matches!(&got[..], [Failed(e)] if e.message.starts_with("malformed data")),
            "{bad}: {got:?}"
        );
    }
    // Unknown events, unknown deltas and blank payloads are ignored; the name stands in for
    // a missing `type`.
    let got = run(&[
        ("future_event", json!({"type": "future_event", "x": 1})),
        delta(0, json!({"type": "citations_delta", "citation": {}})),
        ("message_stop", json!({})),
    ]);
    assert_eq!(got, [Finished(FinishReason::Stop)]);
    let mut p = MessageParser::new();
    assert!(p.feed("ping", "").is_empty() && !p.is_done());
}
