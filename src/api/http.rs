//! HTTP helpers the exchange, the protocols and the model listing share: URLs, the API key,
//! how a content type decides between a stream and a whole body, OpenAI-style rate-limit
//! headers, and bounded body reads.
//!
//! Invariants: nothing here panics on any header or body; a body is never read past the
//! limit asked for. Layering: this module knows no API; it imports only `api`'s types.

use crate::api::types::{Endpoint, RateLimitInfo};
use reqwest::header::HeaderMap;

/// `{base}/{path}`, with no doubled slash.
pub fn url(endpoint: &Endpoint, path: &str) -> String {
    format!("{}/{path}", endpoint.base_url.trim_end_matches('/'))
}

/// The endpoint's API key, when one is set and not empty.
pub fn api_key(endpoint: &Endpoint) -> Option<&str> {
    endpoint.api_key.as_deref().filter(|k| !k.is_empty())
}

/// Streamed when the server says SSE, or when a stream was asked for and the body is not
/// JSON.
pub fn sse_or_asked(content_type: &str, asked: bool) -> bool {
    content_type.contains("text/event-stream") || (asked && !content_type.contains("json"))
}

/// Streamed unless the body is JSON and not SSE, whatever was asked.
pub fn sse_unless_json(content_type: &str, _asked: bool) -> bool {
    !content_type.contains("json") || content_type.contains("event-stream")
}

/// Rate-limit state from OpenAI's `x-ratelimit-*` response headers (which many compatible
/// servers send too), when any is present.
pub fn x_ratelimit(headers: &HeaderMap) -> Option<RateLimitInfo> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.trim().to_string())
    };
    let number = |name: &str| text(name).and_then(|s| s.parse::<u64>().ok());
    let info = RateLimitInfo {
        remaining_requests: number("x-ratelimit-remaining-requests"),
        remaining_tokens: number("x-ratelimit-remaining-tokens"),
        reset_requests: text("x-ratelimit-reset-requests"),
        reset_tokens: text("x-ratelimit-reset-tokens"),
    };
    (info != RateLimitInfo::default()).then_some(info)
}

/// Up to `limit` bytes of the body as text; whatever arrived if the body breaks off.
pub async fn read_limited(mut response: reqwest::Response, limit: usize) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    bytes.truncate(limit);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Why [`read_whole`] gave up.
#[derive(Debug)]
pub enum WholeBodyError {
    /// The body broke off.
    Body(reqwest::Error),
    /// The body is longer than the limit; it was not read further.
    TooLarge,
}

/// The whole body as text (invalid UTF-8 replaced, a leading BOM dropped), reading no more
/// than `limit` bytes: a longer body (by its `Content-Length`, or as it arrives) fails.
pub async fn read_whole(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<String, WholeBodyError> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(WholeBodyError::TooLarge);
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(WholeBodyError::Body)? {
        if chunk.len() > limit - bytes.len() {
            return Err(WholeBodyError::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    Ok(String::from_utf8_lossy(text).into_owned())
}
