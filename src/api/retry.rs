//! Retries (placeholder; being written): one attempt per turn for now.
use super::{ApiError, ChatRequest, Endpoint, StreamEvent};
use reqwest::header::HeaderMap;

/// Read the server's retry hints (`retry-after-ms`, `retry-after`, `x-should-retry`) into `err`.
pub fn apply_headers(err: &mut ApiError, headers: &HeaderMap) {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        err.retry_after = Some(std::time::Duration::from_secs_f64(ms.max(0.0) / 1000.0));
    } else if let Some(s) = text("retry-after").and_then(|v| v.parse::<f64>().ok()) {
        err.retry_after = Some(std::time::Duration::from_secs_f64(s.max(0.0)));
    }
    err.should_retry = match text("x-should-retry") {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    };
}

/// Run the turn (no retries yet).
pub async fn run(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    request: &ChatRequest,
    emit: &mut (dyn FnMut(StreamEvent) + Send),
) {
    super::run_attempt(client, endpoint, request, emit).await
}
