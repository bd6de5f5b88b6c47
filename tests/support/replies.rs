//! What the fake server says: the [`Reply`] script entries, builders of realistic
//! `chat.completion.chunk` payloads, and the plan of bytes each reply is written as.
//!
//! Invariants: every builder produces payloads a real OpenAI server could have sent (role
//! chunk first, finish chunk, then the usage-only chunk with `choices: []`); a `Plan` is
//! pure data, so what goes on the wire is decided here and only written by the server.

use serde_json::Value;
use std::path::PathBuf;
use thinkbench::usage::Usage;

/// The model name the fake server reports in its chunks and `/models`.
pub const MODEL: &str = "fake-reasoner";

/// What the server answers to one request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// An SSE answer: each payload framed as `data: …\n\n`, `delay_ms` before each, then
    /// `data: [DONE]`.
    Sse { events: Vec<String>, delay_ms: u64 },
    /// An SSE body written as these exact pieces, one write each (split lines, comments…).
    RawSse(Vec<Vec<u8>>),
    /// A JSON body with this status (an error, or a non-streamed answer).
    Json { status: u16, body: Value },
    /// Any status, headers and body (an HTML 502, plain text …); `content-type` is
    /// `text/plain` unless given in `headers`.
    Http {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// The first `n` of `events` as SSE, then the connection drops (no `[DONE]`).
    CutAfter { events: Vec<String>, n: usize },
    /// `text` word by word, `per_token_ms` apart, then finish, usage and `[DONE]`.
    SlowDrip { text: String, per_token_ms: u64 },
    /// An answer of exactly `bytes` bytes of text ([`huge_text`]), streamed in big writes.
    Huge { bytes: usize },
    /// `text` in content deltas of `delta` bytes (cut at character boundaries), one write per
    /// event as fast as the client reads, then finish, usage and `[DONE]`.
    Flood { text: String, delta: usize },
    /// A file of `tests/fixtures/wire` replayed verbatim (`.json` files as JSON).
    Fixture(String),
    /// A 200 whose body is `head`, then `piece` again and again until the client goes away
    /// (SSE, or JSON when `json`; no `Content-Length`).
    Endless {
        json: bool,
        head: Vec<u8>,
        piece: Vec<u8>,
    },
    /// Nothing for `ms` milliseconds (not even headers), then `reply`.
    Delayed { ms: u64, reply: Box<Reply> },
    /// `reply` with extra response headers (rate limits, `retry-after` …).
    WithHeaders {
        headers: Vec<(String, String)>,
        reply: Box<Reply>,
    },
}

/// Where reasoning text goes in [`Reply::reasoning_answer_as`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReasoningField {
    /// `delta.reasoning_content` (DeepSeek, llama.cpp, older vLLM).
    ReasoningContent,
    /// `delta.reasoning` (Ollama, newer vLLM, OpenRouter).
    Reasoning,
    /// `<think>…</think>` at the start of `content`.
    ThinkTags,
}

impl Reply {
    /// A plain streamed answer, word by word, with a usage chunk.
    pub fn answer(text: &str) -> Reply {
        let output = pieces(text).len() as u64;
        Reply::reasoning_answer(
            "",
            text,
            Usage {
                input: 12,
                output,
                ..Default::default()
            },
        )
    }

    /// A streamed answer with `reasoning_content` deltas first, then the usage-only chunk.
    pub fn reasoning_answer(reasoning: &str, text: &str, usage: Usage) -> Reply {
        Reply::reasoning_answer_as(ReasoningField::ReasoningContent, reasoning, text, usage)
    }

    /// Like [`Reply::reasoning_answer`], with the reasoning where `field` says.
    pub fn reasoning_answer_as(
        field: ReasoningField,
        reasoning: &str,
        text: &str,
        usage: Usage,
    ) -> Reply {
        let mut events = vec![chunk::role()];
        if field == ReasoningField::ThinkTags && !reasoning.is_empty() {
            let tagged = format!("<think>\n{reasoning}\n</think>\n\n{text}");
            events.extend(pieces(&tagged).iter().map(|p| chunk::content(p)));
        } else {
            events.extend(pieces(reasoning).iter().map(|p| chunk::reasoning(field, p)));
            events.extend(pieces(text).iter().map(|p| chunk::content(p)));
        }
        events.push(chunk::finish("stop"));
        events.push(chunk::usage(&usage));
        Reply::Sse {
            events,
            delay_ms: 0,
        }
    }

    /// The fixture `name` as an SSE body in writes of `size` bytes.
    pub fn fixture_in_pieces(name: &str, size: usize) -> Reply {
        match std::fs::read(fixtures_dir().join(name)) {
            Ok(bytes) => Reply::RawSse(bytes.chunks(size.max(1)).map(<[u8]>::to_vec).collect()),
            Err(e) => Reply::Http {
                status: 500,
                headers: Vec::new(),
                body: format!("fixture {name}: {e}"),
            },
        }
    }

    /// This reply with extra response headers.
    pub fn with_headers(self, headers: &[(&str, &str)]) -> Reply {
        let headers = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Reply::WithHeaders {
            headers,
            reply: Box::new(self),
        }
    }

    /// This reply after `ms` milliseconds of silence.
    pub fn delayed(self, ms: u64) -> Reply {
        Reply::Delayed {
            ms,
            reply: Box::new(self),
        }
    }
}

/// Builders of realistic `chat.completion.chunk` payloads.
pub mod chunk {
    use super::{MODEL, ReasoningField};
    use serde_json::{Value, json};
    use thinkbench::usage::Usage;

    fn wrap(choices: Value, usage: Value) -> String {
        json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_700_000_000,
            "model": MODEL, "system_fingerprint": null, "choices": choices, "usage": usage})
        .to_string()
    }

    fn delta(delta: Value) -> String {
        wrap(
            json!([{"index": 0, "delta": delta, "logprobs": null, "finish_reason": null}]),
            Value::Null,
        )
    }

    /// The first chunk: `{"role":"assistant","content":""}`.
    pub fn role() -> String {
        delta(json!({"role": "assistant", "content": ""}))
    }

    pub fn content(text: &str) -> String {
        delta(json!({"content": text}))
    }

    pub fn reasoning(field: ReasoningField, text: &str) -> String {
        match field {
            ReasoningField::Reasoning => delta(json!({"content": null, "reasoning": text})),
            _ => delta(json!({"content": null, "reasoning_content": text})),
        }
    }

    pub fn finish(reason: &str) -> String {
        wrap(
            json!([{"index": 0, "delta": {}, "logprobs": null, "finish_reason": reason}]),
            Value::Null,
        )
    }

    /// The usage-only final chunk (`choices: []`), as `stream_options.include_usage` gives.
    pub fn usage(u: &Usage) -> String {
        wrap(json!([]), usage_json(u))
    }

    pub fn usage_json(u: &Usage) -> Value {
        json!({"prompt_tokens": u.input, "completion_tokens": u.output, "total_tokens": u.input + u.output,
            "prompt_tokens_details": {"cached_tokens": u.cached_input, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": u.reasoning, "audio_tokens": 0,
                "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}})
    }
}

/// `text` cut into word-sized pieces (each word with the whitespace after it).
pub fn pieces(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for ch in text.chars() {
        if ch.is_whitespace() && !word.trim().is_empty() {
            word.push(ch);
            out.push(std::mem::take(&mut word));
        } else {
            word.push(ch);
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// The deterministic text of [`Reply::Huge`], exactly `bytes` bytes of ASCII.
pub fn huge_text(bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 64);
    let mut line = 0;
    while text.len() < bytes {
        line += 1;
        text.push_str(&format!(
            "line {line}: the quick brown fox jumps over the lazy dog\n"
        ));
    }
    text.truncate(bytes);
    text
}

/// The SSE events of `text` streamed in content deltas of `delta` bytes (cut at character
/// boundaries), then finish, usage and `[DONE]`: one `Vec` per event.
fn flood(text: &str, delta: usize) -> Vec<Vec<u8>> {
    let mut events = vec![sse(&chunk::role())];
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + delta.max(1)).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        events.push(sse(&chunk::content(&text[start..end])));
        start = end;
    }
    let usage = Usage {
        input: 12,
        output: (text.len() / 4) as u64,
        ..Default::default()
    };
    for last in [
        chunk::finish("stop"),
        chunk::usage(&usage),
        "[DONE]".to_string(),
    ] {
        events.push(sse(&last));
    }
    events
}

/// `tests/fixtures/wire` in the crate (see its README and INDEX.json).
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wire")
}

/// A response to write: head, then pieces each after its delay.
pub struct Plan {
    pub status: u16,
    pub content_type: &'static str,
    /// Send `Content-Length` (whole bodies) or end the body by closing (streams).
    pub sized: bool,
    pub pieces: Vec<(u64, Vec<u8>)>,
    /// Written again and again after the pieces, until the client goes away.
    pub endless: Option<Vec<u8>>,
}

fn sse(payload: &str) -> Vec<u8> {
    format!("data: {payload}\n\n").into_bytes()
}

fn sse_plan(pieces: Vec<(u64, Vec<u8>)>) -> Plan {
    Plan {
        status: 200,
        content_type: "text/event-stream",
        sized: false,
        pieces,
        endless: None,
    }
}

pub fn plan(reply: Reply) -> Plan {
    let json_plan = |status, body: String| Plan {
        status,
        content_type: "application/json",
        sized: true,
        pieces: vec![(0, body.into_bytes())],
        endless: None,
    };
    match reply {
        Reply::Sse { events, delay_ms } => {
            let mut pieces: Vec<_> = events.iter().map(|e| (delay_ms, sse(e))).collect();
            pieces.push((0, sse("[DONE]")));
            sse_plan(pieces)
        }
        Reply::RawSse(raw) => sse_plan(raw.into_iter().map(|p| (0, p)).collect()),
        Reply::Json { status, body } => json_plan(status, body.to_string()),
        Reply::Http { status, body, .. } => Plan {
            status,
            content_type: "text/plain",
            sized: true,
            pieces: vec![(0, body.into_bytes())],
            endless: None,
        },
        Reply::Endless { json, head, piece } => Plan {
            status: 200,
            content_type: if json {
                "application/json"
            } else {
                "text/event-stream"
            },
            sized: false,
            pieces: vec![(0, head)],
            endless: Some(piece),
        },
        Reply::CutAfter { events, n } => {
            sse_plan(events.iter().take(n).map(|e| (0, sse(e))).collect())
        }
        Reply::SlowDrip { text, per_token_ms } => {
            let words = pieces(&text);
            let usage = Usage {
                input: 12,
                output: words.len() as u64,
                ..Default::default()
            };
            let mut out = vec![(0, sse(&chunk::role()))];
            out.extend(
                words
                    .iter()
                    .map(|w| (per_token_ms, sse(&chunk::content(w)))),
            );
            for last in [
                chunk::finish("stop"),
                chunk::usage(&usage),
                "[DONE]".to_string(),
            ] {
                out.push((0, sse(&last)));
            }
            sse_plan(out)
        }
        Reply::Huge { bytes } => {
            let body = flood(&huge_text(bytes), 1000).concat();
            sse_plan(body.chunks(64 * 1024).map(|c| (0, c.to_vec())).collect())
        }
        Reply::Flood { text, delta } => sse_plan(
            flood(&text, delta)
                .into_iter()
                .map(|event| (0, event))
                .collect(),
        ),
        Reply::Fixture(name) => match std::fs::read(fixtures_dir().join(&name)) {
            Ok(bytes) if name.ends_with(".json") => {
                json_plan(200, String::from_utf8_lossy(&bytes).into_owned())
            }
            Ok(bytes) => sse_plan(vec![(0, bytes)]),
            Err(e) => plan(Reply::Http {
                status: 500,
                headers: Vec::new(),
                body: format!("fixture {name}: {e}"),
            }),
        },
        Reply::Delayed { reply, .. } | Reply::WithHeaders { reply, .. } => plan(*reply),
    }
}
