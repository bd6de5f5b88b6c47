//! Listing the models a provider serves: `GET {base}/models`, signed as its protocol signs a
//! turn (`Protocol::authorize`: a Bearer key for OpenAI-style servers,
//! `x-api-key` + `anthropic-version` for Anthropic) and its errors read as the protocol reads
//! them.
//!
//! Invariants: the whole exchange is bounded by [`LIST_TIMEOUT`] and the body by
//! [`LIST_BODY_LIMIT`]; the answer is read in any of the shapes servers use (`{"data":[{"id"}]}`,
//! a bare array of objects or strings, Ollama's `{"models":[{"name"}]}`); the ids come back
//! sorted, once each, none empty; nothing the server sends can panic, every failure is an
//! [`ApiError`] that names the URL, without its credentials.

use crate::api::anthropic::Anthropic;
use crate::api::errors::send_error;
use crate::api::http;
use crate::api::openai_chat::Chat;
use crate::api::protocol::Protocol;
use crate::api::types::{ApiError, ApiKind, Endpoint};
use serde_json::Value;
use std::time::Duration;

/// The longest a model listing may take, connection included.
pub const LIST_TIMEOUT: Duration = Duration::from_secs(10);

/// Most bytes of a model list that are read (OpenRouter's list, with descriptions, is large).
pub const LIST_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// The model ids `endpoint` serves, sorted. Anthropic's list is asked for in one page. An
/// error shows no credentials of a URL ([`redact`]).
pub async fn list_models(
    client: &reqwest::Client,
    endpoint: &Endpoint,
) -> Result<Vec<String>, ApiError> {
    let listed = match endpoint.api {
        ApiKind::Anthropic => list::<Anthropic>(client, endpoint, "models?limit=1000").await,
        // Responses servers list their models as Chat Completions ones do.
        ApiKind::Chat | ApiKind::Responses => list::<Chat>(client, endpoint, "models").await,
    };
    listed.map_err(crate::api::types::redacted_error)
}

/// `GET {base}/{path}` signed and read the way `P` does.
async fn list<P: Protocol>(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    path: &str,
) -> Result<Vec<String>, ApiError> {
    let url = http::url(endpoint, path);
    let mut builder = P::authorize(client.get(&url).timeout(LIST_TIMEOUT), endpoint);
    for (name, value) in &endpoint.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let response = match builder.send().await {
        Ok(response) => response,
        Err(err) if err.is_timeout() => return Err(timed_out(&url)),
        Err(err) => return Err(send_error(&err, &endpoint.base_url)),
    };
    let status = response.status().as_u16();
    let ok = response.status().is_success();
    // The body is read under the same deadline: `timeout` above covers it too.
    let body = http::read_limited(response, LIST_BODY_LIMIT).await;
    if !ok {
        return Err(P::http_error(status, &body, endpoint, &url));
    }
    parse_model_list(&body).ok_or_else(|| {
        ApiError::message(format!(
            "{url} did not answer with a model list ({})",
            excerpt(&body)
        ))
    })
}

/// The ids in a model list body, sorted and without repeats; `None` when the body is not a
/// model list at all. An empty list is a list.
pub fn parse_model_list(body: &str) -> Option<Vec<String>> {
    let value: Value = serde_json::from_str(body).ok()?;
    let items = match &value {
        Value::Array(items) => items,
        Value::Object(map) => match (map.get("data"), map.get("models")) {
            (Some(Value::Array(items)), _) | (None, Some(Value::Array(items))) => items,
            _ => return None,
        },
        _ => return None,
    };
    let mut ids: Vec<String> = items.iter().filter_map(item_id).collect();
    ids.sort();
    ids.dedup();
    Some(ids)
}

/// One entry's id: a string, or an object's `id` (`name`, then `model`, for Ollama).
fn item_id(item: &Value) -> Option<String> {
    let id = match item {
        Value::String(s) => s.as_str(),
        Value::Object(map) => ["id", "name", "model"]
            .iter()
            .find_map(|k| map.get(*k).and_then(Value::as_str))?,
        _ => return None,
    };
    let id = id.trim();
    (!id.is_empty()).then(|| id.to_string())
}

fn timed_out(url: &str) -> ApiError {
    ApiError {
        message: format!(
            "{url} gave no model list within {} s",
            LIST_TIMEOUT.as_secs()
        ),
        retryable: true,
        ..Default::default()
    }
}

/// The start of a body, on one line, for an error message.
fn excerpt(body: &str) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.is_empty() {
        return "empty body".to_string();
    }
    let cut: String = flat.chars().take(80).collect();
    if cut.len() < flat.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_shape_is_read() {
        let openai = r#"{"object":"list","data":[{"id":"o3-mini","object":"model"},{"id":"gpt-4o"},{"id":"o3-mini"}]}"#;
        assert_eq!(
            parse_model_list(openai).unwrap(),
            ["gpt-4o", "o3-mini"].map(String::from)
        );
        let bare = r#"[{"id":"b"}, "a", {"nothing":1}, {"id":"  "}]"#;
        assert_eq!(
            parse_model_list(bare).unwrap(),
            ["a", "b"].map(String::from)
        );
        let ollama =
            r#"{"models":[{"name":"llama3.2:latest","model":"llama3.2:latest"},{"name":"qwq"}]}"#;
        assert_eq!(
            parse_model_list(ollama).unwrap(),
            ["llama3.2:latest", "qwq"].map(String::from)
        );
        let anthropic = r#"{"data":[{"type":"model","id":"claude-opus-4-5"}],"has_more":false}"#;
        assert_eq!(
            parse_model_list(anthropic).unwrap(),
            ["claude-opus-4-5"].map(String::from)
        );
        assert_eq!(
            parse_model_list(r#"{"data":[]}"#).unwrap(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn anything_else_is_not_a_list() {
        for body in [
            "",
            "<html>",
            "42",
            r#"{"error":{"message":"no"}}"#,
            r#"{"data":{}}"#,
        ] {
            assert_eq!(parse_model_list(body), None, "{body}");
        }
        assert_eq!(excerpt("  "), "empty body");
        assert_eq!(excerpt(&"x".repeat(100)).chars().count(), 81);
    }
}
