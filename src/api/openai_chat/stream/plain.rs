//! The chunk nearly every delta of a streamed answer is — one choice whose delta holds only
//! text — read into typed, borrowed fields instead of a `serde_json::Value` tree.
//!
//! Invariants: [`plain`] returns `None` (and the chunk is read the general way) unless the
//! chunk is a JSON object that the general reading would turn into nothing but that text:
//! no `error` (other than null), no `object`/`type` of `error`, no `usage` (other than null),
//! at most one choice, of index 0, no finish reason, and a delta of only `content` (a string
//! or null) and `role`. Unknown top-level fields are ignored as the general reading ignores
//! them; unknown fields in a choice or delta make it `None`. What it returns is what the
//! general reading returns for the same chunk (a property test holds the two equal).

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::IgnoredAny;

#[derive(Deserialize)]
struct Chunk<'a> {
    #[serde(borrow, default)]
    choices: Vec<Choice<'a>>,
    #[serde(default)]
    error: Option<IgnoredAny>,
    #[serde(borrow, default)]
    object: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "type")]
    kind: Option<Cow<'a, str>>,
    #[serde(default)]
    usage: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Choice<'a> {
    #[serde(default)]
    index: Option<u64>,
    #[serde(borrow, default)]
    delta: Option<Delta<'a>>,
    #[serde(default)]
    finish_reason: Option<IgnoredAny>,
    /// Accepted (the general reading ignores it too), never read.
    #[serde(default)]
    #[allow(dead_code)]
    logprobs: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Delta<'a> {
    #[serde(borrow, default)]
    content: Option<Cow<'a, str>>,
    /// Accepted (the general reading ignores it too), never read.
    #[serde(default)]
    #[allow(dead_code)]
    role: Option<IgnoredAny>,
}

/// What a plain chunk carries: `None` when it is not one; `Some(None)` for a plain chunk
/// without a delta; `Some(Some(text))` for its delta's text (maybe empty).
pub(super) fn plain(data: &str) -> Option<Option<Cow<'_, str>>> {
    if !data.starts_with('{') {
        return None;
    }
    let chunk: Chunk<'_> = serde_json::from_str(data).ok()?;
    let is_error = |s: &Option<Cow<'_, str>>| s.as_deref() == Some("error");
    if chunk.error.is_some()
        || chunk.usage.is_some()
        || is_error(&chunk.object)
        || is_error(&chunk.kind)
        || chunk.choices.len() > 1
    {
        return None;
    }
    let Some(choice) = chunk.choices.into_iter().next() else {
        return Some(None);
    };
    if choice.index.is_some_and(|i| i != 0) || choice.finish_reason.is_some() {
        return None;
    }
    Some(choice.delta.map(|d| d.content.unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::super::ChunkParser;
    use proptest::prelude::*;

    fn general() -> ChunkParser {
        ChunkParser {
            general_only: true,
            ..ChunkParser::default()
        }
    }

    const CONTENTS: &[&str] = &[
        r#""hi""#,
        r#""""#,
        "null",
        r#""a\nb \"q\" \u00e9 \ud83d\ude00""#,
        r#""<think>hm</think>ok""#,
        r#""<thi""#,
        r#""nk>x</think>""#,
        r#"[{"type":"text","text":"x"}]"#,
        "7",
    ];
    const DELTAS: &[&str] = &[
        r#"{"content":C}"#,
        r#"{"role":"assistant","content":C}"#,
        r#"{"role":"assistant"}"#,
        "{}",
        "null",
        r#"{"content":C,"reasoning_content":"r"}"#,
        r#"{"tool_calls":[{"index":0,"function":{"name":"f","arguments":"{"}}]}"#,
        r#"{"content":C,"content":"dup"}"#,
    ];
    const INDEXES: &[&str] = &["", r#""index":0,"#, r#""index":1,"#, r#""index":"0","#];
    const ENDS: &[&str] = &[
        "",
        r#","finish_reason":null"#,
        r#","finish_reason":"length""#,
        r#","logprobs":null"#,
        r#","extra":1"#,
    ];
    const RESTS: &[&str] = &[
        "",
        r#","usage":null"#,
        r#","usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}"#,
        r#","error":null"#,
        r#","error":{"message":"boom"}"#,
        r#","object":"chat.completion.chunk""#,
        r#","object":"error""#,
        r#","type":"error""#,
        r#","id":"x","model":"m""#,
    ];

    /// One choice from four picks (content, delta, index, end).
    fn choice(p: [usize; 4]) -> String {
        let delta = DELTAS[p[1] % DELTAS.len()].replace('C', CONTENTS[p[0] % CONTENTS.len()]);
        let index = INDEXES[p[2] % INDEXES.len()];
        let end = ENDS[p[3] % ENDS.len()];
        format!(r#"{{{index}"delta":{delta}{end}}}"#)
    }

    /// A chunk put together from parts, often plain, often not quite.
    fn chunk(p: &[usize; 10]) -> String {
        let one = choice([p[0], p[1], p[2], p[3]]);
        let choices = match p[8] % 4 {
            0 => "[]".to_string(),
            1 => format!("[{one},{}]", choice([p[4], p[5], p[6], p[7]])),
            _ => format!("[{one}]"),
        };
        format!(r#"{{"choices":{choices}{}}}"#, RESTS[p[9] % RESTS.len()])
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

        /// A stream of such chunks gives the same events read plainly where it can as read
        /// the general way throughout.
        #[test]
        fn the_plain_reading_equals_the_general_one(
            picks in proptest::collection::vec(any::<[usize; 10]>(), 1..6),
            junk in 0usize..4,
        ) {
            let chunks: Vec<String> = picks.iter().map(chunk).collect();
            let junk = ["", "[1,2]", "{", "\"s\""][junk];
            let mut fast = ChunkParser::default();
            let mut slow = general();
            for data in chunks.iter().map(String::as_str).chain([junk, "[DONE]"]) {
                prop_assert_eq!(fast.feed_data(data), slow.feed_data(data), "{}", data);
            }
        }
    }

    #[test]
    fn a_plain_chunk_is_read_plainly() {
        let data = r#"{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}]}"#;
        assert_eq!(super::plain(data), Some(Some("Hi".into())));
        let reasoning = r#"{"choices":[{"index":0,"delta":{"reasoning_content":"r"}}]}"#;
        assert_eq!(super::plain(reasoning), None);
    }
}
