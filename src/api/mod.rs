//! Wire protocols. This module knows nothing of the UI: it turns a provider-neutral
//! [`ChatRequest`] into HTTP, and the server's answer into a sequence of [`StreamEvent`]s.
//!
//! Contract of [`run_turn`] (every API implementation keeps it):
//! - events arrive in the order the server produced them;
//! - `Usage` (when the server reports it) and any `ToolCall`s come before the terminal event;
//! - exactly one terminal event, `Finished` or `Failed`, is the last event, always;
//! - nothing here panics on anything the network sends: a malformed line is a `Failed`.
//!
//! Layers, each importing only from those before it (no module imports one that imports it
//! back):
//! 1. `types` (re-exported here), then `json`, `redact`, `errors`, `sse`, `http`,
//!    `origin`, `proxy` and the pure `retry::policy`: the provider-neutral types and the helpers
//!    every API shares;
//! 2. `protocol`: the [`Protocol`] trait, what one wire protocol brings to the exchange;
//! 3. the protocols, one unit type each: [`openai_chat::Chat`],
//!    [`openai_responses::Responses`], [`anthropic::Anthropic`];
//! 4. `exchange`: one attempt, generic over the protocol; `retry`: attempts around it;
//!    `models`: listing a provider's models; `tokenize`: counting a turn with the server's
//!    own tokenizer when it reported no usage;
//! 5. this module: [`run_turn`] and [`request_body`], which pick the protocol from
//!    [`ApiKind`].

pub mod anthropic;
pub mod errors;
pub mod exchange;
pub mod http;
pub mod json;
pub mod models;
pub mod openai_chat;
pub mod openai_responses;
pub mod origin;
pub mod protocol;
pub mod proxy;
pub mod redact;
pub mod retry;
pub mod sse;
pub mod tokenize;
mod types;

pub use protocol::Protocol;
pub use types::{
    ApiError, ApiKind, ChatRequest, DEFAULT_MAX_ATTEMPTS, EffortField, Endpoint, FinishReason,
    ImageInput, ImageRule, InstructionRole, Limits, MaxTokensField, Message, OUT_OF_CREDIT,
    RateLimitInfo, RequestQuirks, RetryNotice, Role, StreamEvent, ThinkingStyle, ToolCall,
};

/// Run `$body` with the type `$P` standing for the [`Protocol`] of `$api`.
macro_rules! with_protocol {
    ($api:expr, $P:ident => $body:expr) => {
        match $api {
            ApiKind::Chat => {
                type $P = openai_chat::Chat;
                $body
            }
            ApiKind::Responses => {
                type $P = openai_responses::Responses;
                $body
            }
            ApiKind::Anthropic => {
                type $P = anthropic::Anthropic;
                $body
            }
        }
    };
}

/// Build the HTTP client every request uses (connect timeout; no overall timeout, since
/// reasoning models can think for minutes; redirects only within one origin; the
/// environment's proxies, never for loopback hosts: see [`proxy`]). Fails when the TLS
/// backend cannot be set up: there is no fallback client, which would lack the redirect
/// policy.
pub fn client() -> Result<reqwest::Client, ApiError> {
    client_with(&|name| std::env::var(name).ok())
}

/// [`client`], reading the proxy variables from `env`.
pub fn client_with(env: &dyn Fn(&str) -> Option<String>) -> Result<reqwest::Client, ApiError> {
    let mut builder = reqwest::Client::builder();
    if let Some(proxies) = proxy::from_env(env) {
        // Proxies given replace reqwest's own lookup; none at all means go direct.
        builder = builder.no_proxy();
        for p in proxies {
            builder = builder.proxy(p);
        }
    }
    builder
        .connect_timeout(std::time::Duration::from_secs(10))
        .redirect(origin::redirect_policy())
        .user_agent(concat!("thinkbench/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| ApiError::message(format!("cannot set up the HTTP client: {e}")))
}

/// Run one turn against `endpoint`, in its API's protocol, calling `emit` for each event
/// (see the module contract). Failures before any output are retried per `retry` (announced
/// with `Retrying` events). Cancel by dropping the future (or aborting its task). Every
/// error and retry notice leaves with the credentials of its URLs masked ([`redact`]).
pub async fn run_turn(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    request: &ChatRequest,
    emit: &mut (dyn FnMut(StreamEvent) + Send),
) {
    let emit = &mut |event| emit(types::redacted_event(event));
    with_protocol!(endpoint.api, P => retry::run::<P>(client, endpoint, request, emit).await)
}

/// The JSON body a request is sent with in `api`'s protocol (streaming unless the model
/// cannot stream): [`protocol::request_body`], the function [`run_turn`] builds it with.
pub fn request_body(api: ApiKind, request: &ChatRequest) -> serde_json::Value {
    with_protocol!(api, P => protocol::request_body::<P>(request))
}
