//! Anthropic Messages (placeholder; being written).
use super::{ApiError, ChatRequest, Endpoint, StreamEvent};

pub async fn run_turn(
    _client: &reqwest::Client,
    _endpoint: &Endpoint,
    _request: &ChatRequest,
    emit: &mut (dyn FnMut(StreamEvent) + Send),
) {
    emit(StreamEvent::Failed(ApiError::message(
        "the anthropic API is not supported yet; use --api chat",
    )));
}
