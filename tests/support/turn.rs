//! Running one turn in a test and reading what came back, checking the event contract of
//! `api::run_turn` on the way: exactly one terminal event, and it is the last.
#![allow(dead_code)]

use thinkbench::api::{
    ApiError, ApiKind, ChatRequest, Endpoint, FinishReason, RateLimitInfo, RetryNotice,
    StreamEvent, ToolCall,
};
use thinkbench::usage::Usage;

/// What a turn produced.
#[derive(Debug, Default)]
pub struct Outcome {
    pub reasoning: String,
    pub text: String,
    pub usage: Option<Usage>,
    pub tools: Vec<ToolCall>,
    pub rate_limit: Option<RateLimitInfo>,
    pub finish: Option<FinishReason>,
    pub error: Option<ApiError>,
    /// How many `TextDelta`s carried the text.
    pub text_deltas: usize,
    /// Retries announced before the final attempt.
    pub retries: Vec<RetryNotice>,
}

/// Fold `events` into an [`Outcome`], asserting the terminal-event contract.
pub fn outcome(events: Vec<StreamEvent>) -> Outcome {
    let terminals = events.iter().filter(|e| e.is_terminal()).count();
    assert_eq!(terminals, 1, "exactly one terminal event: {events:?}");
    assert!(
        events.last().is_some_and(StreamEvent::is_terminal),
        "terminal last: {events:?}"
    );
    let mut o = Outcome::default();
    for event in events {
        match event {
            StreamEvent::ReasoningDelta(t) => o.reasoning.push_str(&t),
            StreamEvent::TextDelta(t) => {
                o.text_deltas += 1;
                o.text.push_str(&t)
            }
            StreamEvent::ToolCall(c) => o.tools.push(c),
            StreamEvent::Usage(u) => o.usage = Some(u),
            StreamEvent::RateLimit(r) => o.rate_limit = Some(r),
            StreamEvent::Finished(f) => o.finish = Some(f),
            StreamEvent::Failed(e) => o.error = Some(e),
            StreamEvent::Retrying(r) => o.retries.push(r),
        }
    }
    o
}

/// An OpenAI-style Chat Completions endpoint at `base_url` (key hint `OPENAI_API_KEY`).
pub fn chat_endpoint(base_url: &str, key: Option<&str>) -> Endpoint {
    Endpoint {
        provider: "openai".into(),
        api: ApiKind::Chat,
        base_url: base_url.to_string(),
        api_key: key.map(str::to_string),
        key_hint: Some("OPENAI_API_KEY".into()),
        headers: Vec::new(),
        max_attempts: 1,
        idle_timeout: None,
        limits: Default::default(),
    }
}

/// Run one turn with `api::run_turn` and collect its outcome.
pub async fn run(endpoint: &Endpoint, request: &ChatRequest) -> Outcome {
    let client = thinkbench::api::client().unwrap();
    let mut events = Vec::new();
    thinkbench::api::run_turn(&client, endpoint, request, &mut |e| events.push(e)).await;
    outcome(events)
}
