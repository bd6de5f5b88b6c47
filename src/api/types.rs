//! The provider-neutral types every layer of `api` shares: what a turn asks for
//! ([`ChatRequest`], [`Endpoint`]) and what it produces ([`StreamEvent`], [`ApiError`]).
//!
//! This is the bottom layer: it imports nothing else from `api`, and everything else in
//! `api` may import it. The contract the events follow is stated in `api`'s module docs.

use crate::usage::Usage;
use serde::Serialize;
use std::fmt;

/// Attempts per turn by default (the first included).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 4;

/// Which wire protocol a provider speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiKind {
    /// OpenAI Chat Completions and the servers compatible with it.
    Chat,
    /// OpenAI Responses.
    Responses,
    /// Anthropic Messages.
    Anthropic,
}

impl ApiKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiKind::Chat => "chat",
            ApiKind::Responses => "responses",
            ApiKind::Anthropic => "anthropic",
        }
    }

    pub fn parse(s: &str) -> Option<ApiKind> {
        match s {
            "chat" => Some(ApiKind::Chat),
            "responses" => Some(ApiKind::Responses),
            "anthropic" => Some(ApiKind::Anthropic),
            _ => None,
        }
    }
}

impl fmt::Display for ApiKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where and how to reach a provider. The key lives only in memory.
#[derive(Clone, PartialEq)]
pub struct Endpoint {
    /// Provider name, e.g. `openai`.
    pub provider: String,
    pub api: ApiKind,
    /// Base URL without the trailing slash, e.g. `https://api.openai.com/v1`.
    pub base_url: String,
    /// The API key, if one is configured. Never logged, never stored.
    pub api_key: Option<String>,
    /// Where the key should come from, for error hints (e.g. `OPENAI_API_KEY`).
    pub key_hint: Option<String>,
    /// Extra headers sent with every request.
    pub headers: Vec<(String, String)>,
    /// Attempts per turn, the first included (failures before any output are retried).
    pub max_attempts: u32,
    /// End a stream that sends no byte for this long; `None` uses the default for the model
    /// (longer for models the catalog marks slow).
    pub idle_timeout: Option<std::time::Duration>,
    /// How much one answer may hold (its events, its body, its text).
    pub limits: Limits,
}

/// Bounds on what one answer may make us hold in memory, whatever the server sends. Passing
/// one ends the turn with an error that names it (not retryable).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of one SSE event (its name and data, and the line being read).
    pub max_event_bytes: usize,
    /// Bytes of one whole, non-streamed response body.
    pub max_body_bytes: usize,
    /// Bytes of one answer's text and reasoning (and tool calls), together.
    pub max_answer_bytes: usize,
}

/// One mebibyte.
const MIB: usize = 1 << 20;

impl Limits {
    pub const DEFAULT: Limits = Limits {
        max_event_bytes: 16 * MIB,
        max_body_bytes: 64 * MIB,
        max_answer_bytes: 64 * MIB,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("provider", &self.provider)
            .field("api", &self.api)
            .field("base_url", &crate::api::redact::urls(&self.base_url))
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("key_hint", &self.key_hint)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("max_attempts", &self.max_attempts)
            .field("idle_timeout", &self.idle_timeout)
            .field("limits", &self.limits)
            .finish()
    }
}

/// Who said a message in the provider-neutral history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

/// One message of the history sent with a request. Reasoning text is never part of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub role: Role,
    pub content: String,
    /// Images sent with a user message, after its text (each API's own shape).
    pub images: Vec<ImageInput>,
}

impl Message {
    /// A message of text alone.
    pub fn text(role: Role, content: impl Into<String>) -> Message {
        Message {
            role,
            content: content.into(),
            images: Vec::new(),
        }
    }
}

/// An image sent as input: its MIME type and its bytes in base64 (shared: the history is
/// cloned per request, the image is not).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageInput {
    pub mime: String,
    pub base64: std::sync::Arc<str>,
    /// Its size in pixels (what its input tokens are counted from).
    pub width: u32,
    pub height: u32,
}

impl ImageInput {
    /// `data:image/png;base64,...`, as Chat Completions and Responses take it.
    pub fn data_url(&self) -> String {
        format!("data:{};base64,{}", self.mime, self.base64)
    }
}

/// How the system instructions are sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InstructionRole {
    /// `{"role":"system"}` (most servers).
    #[default]
    System,
    /// `{"role":"developer"}` (OpenAI o1 and later).
    Developer,
    /// No instruction role accepted (o1-mini, o1-preview): fold into the first user message.
    FoldIntoUser,
}

/// Which field carries the output budget.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MaxTokensField {
    /// `max_completion_tokens` (OpenAI; required by reasoning models).
    #[default]
    MaxCompletionTokens,
    /// `max_tokens` (older and compatible servers).
    MaxTokens,
}

/// Request shape adjustments a model needs (from the catalog; see WIRE.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestQuirks {
    pub instruction_role: InstructionRole,
    pub max_tokens_field: MaxTokensField,
    /// Send `reasoning_effort` (only when an effort is chosen).
    pub accepts_effort: bool,
    /// The model can stream; when false a non-streaming request is made.
    pub can_stream: bool,
    /// Send `stream_options.include_usage`.
    pub stream_usage: bool,
    /// How reasoning effort is spelled in a Chat Completions body.
    pub effort_field: EffortField,
    /// How an Anthropic model is asked to think.
    pub thinking: ThinkingStyle,
    /// The model may stay silent for long (deep reasoning): a longer idle-stream timeout.
    pub slow: bool,
    /// How the model's family counts an image's input tokens (for estimates only).
    pub image_rule: ImageRule,
}

/// Whose published rule counts an image's input tokens (see `attach::image::tokens`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ImageRule {
    /// OpenAI, high detail: 85 tokens plus 170 per 512-px tile after scaling.
    #[default]
    OpenAi,
    /// Anthropic: about width x height / 750 after scaling.
    Anthropic,
}

/// How a Chat Completions server takes the reasoning effort.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EffortField {
    /// `"reasoning_effort": "high"` (OpenAI, Ollama, vLLM, llama.cpp).
    #[default]
    ReasoningEffort,
    /// `"reasoning": {"effort": "high"}` (OpenRouter).
    ReasoningObject,
}

/// How an Anthropic model is asked to think.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ThinkingStyle {
    /// `thinking: {type: "enabled", budget_tokens}`, the budget mapped from the effort.
    #[default]
    Budget,
    /// `thinking: {type: "adaptive"}` with `output_config.effort`.
    Adaptive,
}

impl Default for RequestQuirks {
    fn default() -> Self {
        RequestQuirks {
            instruction_role: InstructionRole::System,
            max_tokens_field: MaxTokensField::MaxTokens,
            accepts_effort: true,
            can_stream: true,
            stream_usage: true,
            effort_field: EffortField::ReasoningEffort,
            thinking: ThinkingStyle::Budget,
            slow: false,
            image_rule: ImageRule::OpenAi,
        }
    }
}

/// One turn's request, provider-neutral; each API module builds its own body from it.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatRequest {
    pub model: String,
    /// System instructions, if any.
    pub system: Option<String>,
    /// The history, oldest first, ending with the new user message.
    pub messages: Vec<Message>,
    /// Reasoning effort (`low`, `high`, ...), if one is chosen.
    pub effort: Option<String>,
    pub max_output_tokens: Option<u64>,
    /// The model's own output limit, when known (for APIs that need a budget, e.g. Anthropic).
    pub model_max_output: Option<u64>,
    pub quirks: RequestQuirks,
}

/// A tool call the model asked for (we send no tools, but models may still ask).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ToolCall {
    pub name: String,
    pub arguments: String,
}

/// Why the model stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FinishReason {
    Stop,
    Length,
    ToolCalls,
    ContentFilter,
    Other(String),
}

impl FinishReason {
    pub fn parse(s: &str) -> FinishReason {
        match s {
            "stop" | "end_turn" | "stop_sequence" => FinishReason::Stop,
            "length" | "max_tokens" | "max_output_tokens" => FinishReason::Length,
            "tool_calls" | "function_call" | "tool_use" => FinishReason::ToolCalls,
            "content_filter" => FinishReason::ContentFilter,
            other => FinishReason::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            FinishReason::Stop => "stop",
            FinishReason::Length => "length",
            FinishReason::ToolCalls => "tool_calls",
            FinishReason::ContentFilter => "content_filter",
            FinishReason::Other(s) => s,
        }
    }
}

/// A failed request or stream, with everything the server told us.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ApiError {
    /// HTTP status, when the failure came with one.
    pub status: Option<u16>,
    /// The API's error type, e.g. `invalid_request_error`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The API's error code, e.g. `rate_limit_exceeded`.
    pub code: Option<String>,
    /// What went wrong, in words.
    pub message: String,
    /// Whether trying again may help (408/409/429/5xx, connection drops).
    #[serde(skip)]
    pub retryable: bool,
    /// How long the server asked us to wait (`retry-after-ms`, `retry-after`).
    #[serde(skip)]
    pub retry_after: Option<std::time::Duration>,
    /// The server's explicit verdict (`x-should-retry`), which overrides `retryable`.
    #[serde(skip)]
    pub should_retry: Option<bool>,
}

impl ApiError {
    /// An error with only a message (connection failures, malformed streams).
    pub fn message(message: impl Into<String>) -> ApiError {
        ApiError {
            message: message.into(),
            ..Default::default()
        }
    }

    /// The account has no credit left (`insufficient_quota`): no retry can succeed until
    /// someone pays.
    pub fn is_out_of_credit(&self) -> bool {
        [self.kind.as_deref(), self.code.as_deref()].contains(&Some("insufficient_quota"))
    }
}

/// What to do about an error no retry can fix.
pub const OUT_OF_CREDIT: &str = "the account is out of credit: check billing at the provider";

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(status) = self.status {
            write!(f, "HTTP {status}")?;
            let mut detail: Vec<&str> = [self.kind.as_deref(), self.code.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            // A type and code that say the same are said once.
            detail.dedup();
            if !detail.is_empty() {
                write!(f, " ({})", detail.join(", "))?;
            }
            write!(f, ": ")?;
        } else if let Some(code) = self.code.as_deref().or(self.kind.as_deref()) {
            write!(f, "{code}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Rate-limit state from response headers (`x-ratelimit-*`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RateLimitInfo {
    pub remaining_requests: Option<u64>,
    pub remaining_tokens: Option<u64>,
    pub reset_requests: Option<String>,
    pub reset_tokens: Option<String>,
}

/// A failed attempt that will be tried again.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryNotice {
    /// The attempt about to start, counting from 1 (so the first retry is 2).
    pub attempt: u32,
    pub max_attempts: u32,
    pub delay: std::time::Duration,
    /// Why the previous attempt failed.
    pub error: ApiError,
}

impl RetryNotice {
    /// `rate limited — retrying in 12 s (2/4)`, with `remaining` of the delay left.
    pub fn describe(&self, remaining: std::time::Duration) -> String {
        let what = match self.error.status {
            Some(429) => "rate limited".to_string(),
            Some(status) => format!("HTTP {status}"),
            None => "connection failed".to_string(),
        };
        format!(
            "{what} — retrying in {} s ({}/{})",
            remaining.as_secs_f64().ceil() as u64,
            self.attempt,
            self.max_attempts
        )
    }
}

/// What a server said, one piece at a time.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamEvent {
    /// Reasoning text the server shares (summary or raw thinking).
    ReasoningDelta(String),
    /// Visible answer text.
    TextDelta(String),
    /// A complete tool call the model asked for.
    ToolCall(ToolCall),
    /// Exact usage from the server.
    Usage(Usage),
    /// Rate-limit headers of the response.
    RateLimit(RateLimitInfo),
    /// The attempt failed before any output; another starts after `delay`. Not terminal.
    Retrying(RetryNotice),
    /// The model finished; terminal.
    Finished(FinishReason),
    /// The request or stream failed; terminal.
    Failed(ApiError),
}

impl StreamEvent {
    pub fn is_terminal(&self) -> bool {
        matches!(self, StreamEvent::Finished(_) | StreamEvent::Failed(_))
    }
}

/// `err` with the credentials of every URL in its message masked (see `redact`).
pub fn redacted_error(mut err: ApiError) -> ApiError {
    if let std::borrow::Cow::Owned(clean) = crate::api::redact::urls(&err.message) {
        err.message = clean;
    }
    err
}

/// `event` with the credentials of every URL in an error or a retry notice masked (the
/// model's own text is the model's, and passes as it is).
pub fn redacted_event(event: StreamEvent) -> StreamEvent {
    match event {
        StreamEvent::Failed(err) => StreamEvent::Failed(redacted_error(err)),
        StreamEvent::Retrying(mut notice) => {
            notice.error = redacted_error(notice.error);
            StreamEvent::Retrying(notice)
        }
        other => other,
    }
}
