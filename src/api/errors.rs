//! Turning failures into [`ApiError`]s a person can act on, for every API: HTTP error
//! bodies in every shape compatible servers use, error objects inside a 200 answer (a stream
//! event or a whole body), malformed payloads, bodies that broke off, and connection failures.
//!
//! Invariants: the server's own message is always kept (hints are added around it, never
//! instead of it); for an HTTP error `retryable` is true exactly for 408, 409, 429 and 5xx
//! (except an `insufficient_quota` 429) and for connection failures and broken bodies; no
//! input can make these panic; a URL in a message shows no credentials. This module imports
//! nothing from `api` but its types, [`json`](crate::api::json) and
//! [`redact`](crate::api::redact).

use crate::api::json::{excerpt, str_or_num, text_field};
use crate::api::types::{ApiError, Endpoint};
use serde_json::Value;

/// Message for a body that ended before the answer was complete.
pub const CLOSED_EARLY: &str = "the connection closed before the answer finished";

/// Longest server text kept in a message.
const EXCERPT_CHARS: usize = 300;

/// Whether a request that failed with `status` may succeed when tried again.
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 409 | 429 | 500..=599)
}

/// The standard reason phrase of `status` ("Not Found"), or `HTTP {status}`.
fn reason_phrase(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(str::to_string)
        .unwrap_or_else(|| format!("HTTP {status}"))
}

/// The error an HTTP error response (`status`, `body`) describes. Understands
/// `{"error":{message,type,code,param}}`, `{"error":"text"}`, vLLM's and Ollama's flat
/// shapes, FastAPI's `{"detail":..}`, a JSON array around any of them, an HTML error page
/// (its title) and plain text; an empty body gives the status's reason phrase.
pub fn parse_error_body(status: u16, body: &str) -> ApiError {
    let mut err = match serde_json::from_str::<Value>(body) {
        Ok(v) => json_error(&v).unwrap_or_else(|| ApiError::message(excerpt(body, EXCERPT_CHARS))),
        Err(_) => ApiError::message(text_error(body)),
    };
    if err.message.trim().is_empty() {
        err.message = reason_phrase(status);
    }
    let quota = [err.kind.as_deref(), err.code.as_deref()].contains(&Some("insufficient_quota"));
    err.retryable = retryable_status(status) && !quota;
    err.status = Some(status);
    err
}

fn json_error(v: &Value) -> Option<ApiError> {
    if let Some(first) = v.as_array().and_then(|a| a.first()) {
        return json_error(first);
    }
    if let Some(err) = error_in(v) {
        return Some(err);
    }
    let o = v.as_object()?;
    if let Some(message) = text_field(v, "message") {
        let mut err = ApiError::message(message);
        err.kind = str_or_num(o.get("type"));
        err.code = str_or_num(o.get("code"));
        return Some(err);
    }
    match o.get("detail")? {
        Value::String(s) => Some(ApiError::message(s.clone())),
        Value::Array(items) => {
            let msgs: Vec<&str> = items
                .iter()
                .filter_map(|i| i.get("msg").and_then(Value::as_str))
                .collect();
            (!msgs.is_empty()).then(|| ApiError::message(msgs.join("; ")))
        }
        _ => None,
    }
}

/// Text of a non-JSON body: an HTML page's title, else a trimmed excerpt.
fn text_error(body: &str) -> String {
    let lower = body.to_ascii_lowercase();
    if let (Some(start), Some(end)) = (lower.find("<title>"), lower.find("</title>"))
        && start + "<title>".len() <= end
    {
        return excerpt(&body[start + "<title>".len()..end], EXCERPT_CHARS);
    }
    excerpt(body, EXCERPT_CHARS)
}

/// Add what the person can do about an HTTP error from `url` on `endpoint`.
pub fn with_hint(mut err: ApiError, endpoint: &Endpoint, url: &str) -> ApiError {
    match err.status {
        Some(401) => {
            let hint = match endpoint.key_hint.as_deref() {
                Some(var) => format!("the API key was rejected: set {var}"),
                None => format!(
                    "the API key was rejected: configure a key for {}",
                    endpoint.provider
                ),
            };
            err.message = format!("{hint} ({})", err.message);
        }
        Some(404) if err.kind.is_none() && err.code.is_none() && !err.message.contains("model") => {
            let url = crate::api::redact::urls(url);
            err.message = format!("{} at {url}: is the base URL right?", err.message);
        }
        _ => {}
    }
    err
}

/// The error an HTTP error response (`status`, `body`) from `url` describes, with what the
/// person can do about it: [`parse_error_body`], then [`with_hint`].
pub fn http_error(status: u16, body: &str, endpoint: &Endpoint, url: &str) -> ApiError {
    with_hint(parse_error_body(status, body), endpoint, url)
}

/// The error a JSON document reports, in any shape servers use:
/// `{"error":{..}}`, `{"error":"text"}`, vLLM's `{"object":"error",..}`, a flat
/// `{"type":"error",..}`. `None` when the document is not an error.
pub fn error_in(v: &Value) -> Option<ApiError> {
    let o = v.as_object()?;
    match o.get("error") {
        Some(e @ Value::Object(_)) => Some(error_object(e)),
        Some(Value::String(s)) => Some(ApiError::message(s.clone())),
        _ if o.get("object").and_then(Value::as_str) == Some("error")
            || o.get("type").and_then(Value::as_str) == Some("error") =>
        {
            Some(error_object(v))
        }
        _ => None,
    }
}

/// `{message, type, code}` of one error object (the type `error` itself is no detail).
fn error_object(e: &Value) -> ApiError {
    let kind = str_or_num(e.get("type")).filter(|t| t != "error");
    let code = str_or_num(e.get("code"));
    let message = text_field(e, "message")
        .map(str::to_string)
        .unwrap_or_else(|| {
            kind.clone()
                .or_else(|| code.clone())
                .unwrap_or_else(|| "the server reported an error".to_string())
        });
    let retryable = stream_error_retryable(kind.as_deref(), code.as_deref());
    ApiError {
        status: None,
        kind,
        code,
        message,
        retryable,
        ..Default::default()
    }
}

/// Whether an error reported inside a 200 response may go away on a retry.
fn stream_error_retryable(kind: Option<&str>, code: Option<&str>) -> bool {
    if [kind, code]
        .iter()
        .flatten()
        .any(|s| *s == "insufficient_quota")
    {
        return false;
    }
    if let Some(status) = code.and_then(|c| c.parse::<u16>().ok()) {
        return retryable_status(status);
    }
    [kind, code].iter().flatten().any(|s| {
        s.contains("server_error")
            || s.contains("overloaded")
            || s.contains("rate_limit")
            || *s == "timeout"
    })
}

/// The error for a payload that is not a JSON object.
pub fn malformed(data: &str) -> ApiError {
    ApiError::message(format!(
        "malformed data from the server: {}",
        excerpt(data, 80)
    ))
}

/// The error for a body that broke off while being read.
pub fn body_error(err: &(dyn std::error::Error + 'static)) -> ApiError {
    let message = format!("{CLOSED_EARLY} ({})", root_cause(err));
    ApiError {
        message,
        retryable: true,
        ..Default::default()
    }
}

/// A request that never got a response: name the URL (its credentials masked) and the
/// cause in plain words. A redirect refused by [`crate::api::origin`] says where it led and
/// is not retried.
pub fn send_error(err: &reqwest::Error, base_url: &str) -> ApiError {
    let cause = root_cause(err);
    let base_url = crate::api::redact::urls(base_url);
    let (message, retryable) = if err.is_redirect() {
        (cause, false)
    } else if err.is_builder() {
        (
            format!("could not build the request for {base_url}: {cause}"),
            false,
        )
    } else if err.is_timeout() {
        (format!("timed out connecting to {base_url}"), true)
    } else if err.is_connect() {
        (format!("could not connect to {base_url}: {cause}"), true)
    } else {
        (format!("the request to {base_url} failed: {cause}"), true)
    };
    ApiError {
        message,
        retryable,
        ..Default::default()
    }
}

/// The innermost cause of `err`, in lower case words without the OS error number.
pub fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut inner = err;
    while let Some(next) = inner.source() {
        inner = next;
    }
    if let Some(io) = inner.downcast_ref::<std::io::Error>() {
        use std::io::ErrorKind::*;
        let plain = match io.kind() {
            ConnectionRefused => Some("connection refused"),
            ConnectionReset => Some("connection reset"),
            ConnectionAborted => Some("connection aborted"),
            TimedOut => Some("timed out"),
            UnexpectedEof => Some("unexpected end of data"),
            _ => None,
        };
        if let Some(plain) = plain {
            return plain.to_string();
        }
    }
    let text = inner.to_string();
    let text = match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "unknown error".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::ApiKind;
    use serde_json::json;

    #[test]
    fn openai_shape() {
        let body = r#"{"error":{"message":"Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.","type":"invalid_request_error","param":"max_tokens","code":"unsupported_parameter"}}"#;
        let e = parse_error_body(400, body);
        assert_eq!(e.status, Some(400));
        assert_eq!(e.kind.as_deref(), Some("invalid_request_error"));
        assert_eq!(e.code.as_deref(), Some("unsupported_parameter"));
        assert!(e.message.starts_with("Unsupported parameter"));
        assert!(!e.retryable);
    }

    #[test]
    fn rate_limits_retry_but_quota_does_not() {
        let e = parse_error_body(
            429,
            r#"{"error":{"message":"slow down","type":"tokens","code":"rate_limit_exceeded"}}"#,
        );
        assert!(e.retryable);
        let e = parse_error_body(
            429,
            r#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"#,
        );
        assert!(!e.retryable);
        for s in [408, 409, 500, 502, 503, 529] {
            assert!(parse_error_body(s, "").retryable, "{s}");
        }
        for s in [400, 401, 403, 404, 422] {
            assert!(!parse_error_body(s, "").retryable, "{s}");
        }
    }

    #[test]
    fn other_shapes() {
        assert_eq!(
            parse_error_body(404, r#"{"error":"model 'x' not found"}"#).message,
            "model 'x' not found"
        );
        let e = parse_error_body(
            400,
            r#"{"object":"error","message":"too long","type":"BadRequestError","param":null,"code":400}"#,
        );
        assert_eq!(
            (e.message.as_str(), e.code.as_deref()),
            ("too long", Some("400"))
        );
        let e = parse_error_body(
            400,
            r#"[{"error":{"code":400,"message":"bad key","status":"INVALID_ARGUMENT"}}]"#,
        );
        assert_eq!(e.message, "bad key");
        let e = parse_error_body(
            422,
            r#"{"detail":[{"loc":["body"],"msg":"field required","type":"missing"}]}"#,
        );
        assert_eq!(e.message, "field required");
        assert_eq!(
            parse_error_body(400, r#"{"message":"flat","code":"x"}"#)
                .code
                .as_deref(),
            Some("x")
        );
        assert_eq!(
            parse_error_body(500, r#"{"weird":true}"#).message,
            r#"{"weird":true}"#
        );
    }

    #[test]
    fn non_json_bodies() {
        assert_eq!(
            parse_error_body(502, "  upstream timed out \n").message,
            "upstream timed out"
        );
        let html = "<html><head><TITLE>502 Bad Gateway</TITLE></head><body>nginx</body></html>";
        assert_eq!(parse_error_body(502, html).message, "502 Bad Gateway");
        assert_eq!(parse_error_body(503, "").message, "Service Unavailable");
        assert_eq!(parse_error_body(599, " ").message, "HTTP 599");
        let long = "x".repeat(1000);
        assert!(parse_error_body(500, &long).message.chars().count() <= EXCERPT_CHARS + 1);
    }

    #[test]
    fn error_shapes() {
        let e =
            error_in(&json!({"error": {"message": "m", "type": "t", "code": "c", "param": null}}));
        assert_eq!(
            e.map(|e| (e.message, e.kind, e.code)),
            Some(("m".into(), Some("t".into()), Some("c".into())))
        );
        let e = error_in(
            &json!({"object": "error", "message": "bad", "type": "BadRequestError", "code": 400}),
        );
        assert_eq!(e.as_ref().map(|e| e.code.as_deref()), Some(Some("400")));
        assert_eq!(e.map(|e| e.retryable), Some(false));
        let e = error_in(&json!({"error": {"message": "busy", "type": "server_error"}}));
        assert_eq!(e.map(|e| e.retryable), Some(true));
        assert_eq!(
            error_in(&json!({"error": "boom"})).map(|e| e.message),
            Some("boom".into())
        );
        assert_eq!(error_in(&json!({"error": null, "choices": []})), None);
        assert_eq!(error_in(&json!([1])), None);
    }

    #[test]
    fn hints() {
        let endpoint = Endpoint {
            provider: "openai".into(),
            api: ApiKind::Chat,
            base_url: "http://x/v1".into(),
            api_key: None,
            key_hint: Some("OPENAI_API_KEY".into()),
            headers: Vec::new(),
            max_attempts: 1,
            idle_timeout: None,
            limits: Default::default(),
        };
        let e = with_hint(
            parse_error_body(401, r#"{"error":{"message":"Incorrect API key"}}"#),
            &endpoint,
            "u",
        );
        assert_eq!(
            e.message,
            "the API key was rejected: set OPENAI_API_KEY (Incorrect API key)"
        );
        let e = with_hint(
            parse_error_body(404, ""),
            &endpoint,
            "http://x/v1/chat/completions",
        );
        assert_eq!(
            e.message,
            "Not Found at http://x/v1/chat/completions: is the base URL right?"
        );
        let body = r#"{"error":{"message":"The model `o9` does not exist","type":"invalid_request_error","code":"model_not_found"}}"#;
        let e = with_hint(parse_error_body(404, body), &endpoint, "u");
        assert_eq!(e.message, "The model `o9` does not exist");
    }

    #[test]
    fn root_causes_read_plainly() {
        let io = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(root_cause(&io), "connection refused");
        let other = std::io::Error::other("Name or service not known (os error -2)");
        assert_eq!(root_cause(&other), "name or service not known");
    }
}
