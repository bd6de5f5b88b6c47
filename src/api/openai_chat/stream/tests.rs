use super::*;
use crate::usage::Usage;

fn run(payloads: &[&str], saw_done: bool) -> Vec<StreamEvent> {
    let mut p = ChunkParser::new();
    let mut out: Vec<StreamEvent> = payloads.iter().flat_map(|d| p.feed_data(d)).collect();
    out.extend(p.end(saw_done));
    out
}

fn delta(d: &str) -> String {
    format!(r#"{{"choices":[{{"index":0,"delta":{d},"finish_reason":null}}]}}"#)
}

fn finish(reason: &str) -> String {
    format!(r#"{{"choices":[{{"index":0,"delta":{{}},"finish_reason":"{reason}"}}]}}"#)
}

use StreamEvent::*;

/// A busy local server (llama.cpp-style) may answer a second request at once with a role
/// chunk and `[DONE]`: that is a failure worth retrying, not an empty answer.
#[test]
fn done_after_nothing_at_all_is_a_retryable_failure() {
    let role = delta(r#"{"role":"assistant"}"#);
    let got = run(&[&role, "[DONE]"], false);
    match got.as_slice() {
        [Failed(e)] => assert!(e.retryable && e.message == EMPTY_STREAM, "{e:?}"),
        other => panic!("{other:?}"),
    }
    // Anything at all said makes it an answer: text, a finish reason, or usage.
    let hi = delta(r#"{"content":"hi"}"#);
    assert_eq!(
        run(&[&hi, "[DONE]"], false).last(),
        Some(&Finished(FinishReason::Stop))
    );
    let stop = finish("stop");
    assert_eq!(
        run(&[&role, &stop, "[DONE]"], false),
        [Finished(FinishReason::Stop)]
    );
    let usage = r#"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":0}}"#;
    assert!(matches!(
        run(&[usage, "[DONE]"], false).last(),
        Some(Finished(_))
    ));
    let held = delta(r#"{"content":"<thi"}"#);
    assert!(matches!(
        run(&[&held, "[DONE]"], false).last(),
        Some(Finished(_))
    ));
}

#[test]
fn usage_after_finish_comes_before_finished() {
    let usage = r#"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5,"completion_tokens_details":{"reasoning_tokens":4}}}"#;
    let got = run(
        &[
            &delta(r#"{"content":"Hi"}"#),
            &finish("stop"),
            usage,
            "[DONE]",
        ],
        false,
    );
    let u = Usage {
        input: 3,
        output: 5,
        reasoning: 4,
        ..Default::default()
    };
    assert_eq!(
        got,
        [
            TextDelta("Hi".into()),
            Usage(u),
            Finished(FinishReason::Stop)
        ]
    );
}

#[test]
fn repeated_usage_is_reported_once() {
    let chunk = r#"{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}"#;
    let got = run(&[chunk, chunk, "[DONE]"], false);
    assert_eq!(got.len(), 2, "{got:?}");
}

#[test]
fn usage_on_the_finish_chunk() {
    let chunk = r#"{"choices":[{"index":0,"delta":{"content":""},"finish_reason":"length"}],"usage":{"prompt_tokens":1,"completion_tokens":2}}"#;
    let got = run(&[chunk, "[DONE]"], false);
    assert_eq!(got.len(), 2);
    assert_eq!(got[1], Finished(FinishReason::Length));
}

#[test]
fn reasoning_spellings_and_null_content() {
    let got = run(
        &[
            &delta(r#"{"role":"assistant","content":null,"reasoning_content":"a"}"#),
            &delta(r#"{"reasoning":"b","content":""}"#),
            &delta(
                r#"{"reasoning":"c","reasoning_details":[{"type":"reasoning.text","text":"c"}]}"#,
            ),
            &delta(r#"{"reasoning_details":[{"type":"reasoning.summary","summary":"d"}]}"#),
            &delta(
                r#"{"content":[{"type":"thinking","thinking":[{"type":"text","text":"e"}]},{"type":"text","text":"f"}]}"#,
            ),
            &finish("stop"),
        ],
        true,
    );
    let expected = ["a", "b", "c", "d", "e"].map(|s| ReasoningDelta(s.into()));
    assert_eq!(got[..5], expected);
    assert_eq!(
        got[5..],
        [TextDelta("f".into()), Finished(FinishReason::Stop)]
    );
}

#[test]
fn think_tags_in_content() {
    let got = run(
        &[
            &delta(r#"{"content":"<thi"}"#),
            &delta(r#"{"content":"nk>why</think>ok"}"#),
            "[DONE]",
        ],
        false,
    );
    assert_eq!(
        got,
        [
            ReasoningDelta("why".into()),
            TextDelta("ok".into()),
            Finished(FinishReason::Stop)
        ]
    );
}

#[test]
fn azure_prompt_filter_chunk_is_ignored() {
    let got = run(
        &[
            r#"{"choices":[],"prompt_filter_results":[{"prompt_index":0}]}"#,
            &delta(r#"{"content":"ok"}"#),
            "[DONE]",
        ],
        false,
    );
    assert_eq!(got, [TextDelta("ok".into()), Finished(FinishReason::Stop)]);
}

#[test]
fn tool_calls_are_assembled_by_index() {
    let got = run(
        &[
            &delta(
                r#"{"tool_calls":[{"index":0,"id":"a","type":"function","function":{"name":"weather","arguments":""}}]}"#,
            ),
            &delta(r#"{"tool_calls":[{"index":1,"function":{"name":"time","arguments":"{}"}}]}"#),
            &delta(r#"{"tool_calls":[{"index":0,"function":{"arguments":"{\"loc"}}]}"#),
            &delta(r#"{"tool_calls":[{"index":0,"function":{"arguments":"\":\"Rome\"}"}}]}"#),
            &delta(r#"{"function_call":{"name":"old","arguments":"{"}}"#),
            &delta(r#"{"function_call":{"arguments":"}"}}"#),
            &finish("tool_calls"),
        ],
        true,
    );
    let call = |n: &str, a: &str| {
        ToolCall(crate::api::types::ToolCall {
            name: n.into(),
            arguments: a.into(),
        })
    };
    assert_eq!(
        got,
        [
            call("weather", r#"{"loc":"Rome"}"#),
            call("time", "{}"),
            call("old", "{}"),
            Finished(FinishReason::ToolCalls)
        ]
    );
}

#[test]
fn mid_stream_errors() {
    let got = run(
        &[
            &delta(r#"{"content":"par"}"#),
            r#"{"error":{"message":"overloaded","type":"server_error","code":null}}"#,
            &delta(r#"{"content":"late"}"#),
        ],
        true,
    );
    assert_eq!(got.len(), 2);
    let Failed(e) = &got[1] else {
        panic!("{got:?}")
    };
    assert_eq!(
        (e.message.as_str(), e.kind.as_deref(), e.retryable),
        ("overloaded", Some("server_error"), true)
    );
    let got = run(
        &[r#"{"object":"error","message":"context too long","type":"BadRequestError","code":400}"#],
        false,
    );
    let [Failed(e)] = &got[..] else {
        panic!("{got:?}")
    };
    assert_eq!(
        (e.message.as_str(), e.code.as_deref()),
        ("context too long", Some("400"))
    );
}

#[test]
fn malformed_payloads_fail() {
    for bad in ["{\"choices\":[", "garbage", "42", "[1,2]"] {
        let got = run(
            &[
                &delta(r#"{"content":"a"}"#),
                bad,
                &delta(r#"{"content":"b"}"#),
            ],
            true,
        );
        let [TextDelta(_), Failed(e)] = &got[..] else {
            panic!("{bad}: {got:?}")
        };
        assert!(
            e.message.starts_with("malformed data from the server: "),
            "{}",
            e.message
        );
    }
}

#[test]
fn end_without_done() {
    let got = run(&[&delta(r#"{"content":"a"}"#)], false);
    let [TextDelta(_), Failed(e)] = &got[..] else {
        panic!("{got:?}")
    };
    assert!(e.retryable && e.message == CLOSED_EARLY);
    let got = run(&[&delta(r#"{"content":"a"}"#), &finish("length")], false);
    assert_eq!(got[1], Finished(FinishReason::Length));
    let got = run(
        &[
            &finish("content_filter"),
            "[DONE]",
            &delta(r#"{"content":"x"}"#),
        ],
        false,
    );
    assert_eq!(got, [Finished(FinishReason::ContentFilter)]);
}

#[test]
fn interrupted_after_finish_is_finished() {
    let mut p = ChunkParser::new();
    assert!(p.feed_data(&finish("stop")).is_empty());
    assert_eq!(
        p.interrupted(ApiError::message("reset")),
        [Finished(FinishReason::Stop)]
    );
    assert!(p.feed_data("[DONE]").is_empty() && p.end(true).is_empty() && p.is_done());
}

#[test]
fn openrouter_error_finish_fails() {
    let got = run(&[&finish("error")], true);
    assert!(matches!(&got[..], [Failed(_)]));
}

#[test]
fn held_think_text_is_released_on_failure() {
    let got = run(&[&delta(r#"{"content":"<th"}"#)], false);
    assert!(matches!(&got[..], [TextDelta(t), Failed(_)] if t == "<th"));
}

#[test]
fn other_choices_and_unknown_fields_are_ignored() {
    let chunk = r#"{"obfuscation":"x","choices":[{"index":1,"delta":{"content":"no"}},{"index":0,"delta":{"content":"yes","extra":1},"logprobs":null}]}"#;
    assert_eq!(run(&[chunk, "[DONE]"], false)[0], TextDelta("yes".into()));
}
