//! The retry policy, as pure functions: what the server's headers ask for
//! ([`apply_headers`]), whether a failure is worth another attempt ([`should_retry`]), and
//! how long to wait before it ([`backoff`]).
//!
//! Invariants: the server's delay (`retry-after-ms`, then `retry-after` in seconds or as an
//! HTTP date) is honoured exactly when it is at most [`MAX_SERVER_DELAY`]; a longer one makes
//! the error final, with the wait named in its message; our own delays never exceed
//! [`MAX_BACKOFF`]; `x-should-retry` beats every other rule; nothing here panics on any
//! header value.

use crate::api::sse::seconds;
use crate::api::types::ApiError;
use reqwest::header::HeaderMap;
use std::time::{Duration, SystemTime};

/// The longest wait a server may ask for and still be retried automatically.
pub const MAX_SERVER_DELAY: Duration = Duration::from_secs(120);

/// The delay before the first retry when the server names none; it doubles per attempt.
pub const BASE_BACKOFF: Duration = Duration::from_millis(500);

/// The longest delay of our own choosing.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Read the server's retry hints (`retry-after-ms`, `retry-after`, `x-should-retry`) into
/// `err`. A requested wait longer than [`MAX_SERVER_DELAY`] makes `err` final.
pub fn apply_headers(err: &mut ApiError, headers: &HeaderMap) {
    apply_headers_at(err, headers, SystemTime::now());
}

/// [`apply_headers`], with `now` the time an HTTP date in `retry-after` is measured from.
pub fn apply_headers_at(err: &mut ApiError, headers: &HeaderMap, now: SystemTime) {
    if let Some(delay) = retry_delay(headers, now) {
        err.retry_after = Some(delay);
    }
    match header(headers, "x-should-retry").map(str::to_ascii_lowercase) {
        Some(v) if v == "true" => err.should_retry = Some(true),
        Some(v) if v == "false" => err.should_retry = Some(false),
        _ => {}
    }
    if let Some(delay) = err.retry_after.filter(|d| *d > MAX_SERVER_DELAY) {
        err.retryable = false;
        err.should_retry = Some(false);
        err.message = format!(
            "{} (the server asked to wait {} before trying again)",
            err.message,
            long_wait(delay)
        );
    }
}

/// How long the server asked us to wait: `retry-after-ms` (milliseconds) first, then
/// `retry-after` (seconds, or an HTTP date, from `now`). Fractions are kept; a date in the
/// past means no wait; values that are not numbers or dates are ignored.
pub fn retry_delay(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    if let Some(ms) = header(headers, "retry-after-ms").and_then(non_negative) {
        return Some(secs_f64(ms / 1000.0));
    }
    let value = header(headers, "retry-after")?;
    if let Some(secs) = non_negative(value) {
        return Some(secs_f64(secs));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// A finite, non-negative decimal number.
fn non_negative(text: &str) -> Option<f64> {
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
}

/// Seconds as a duration; absurdly large values are clamped rather than overflowing.
fn secs_f64(secs: f64) -> Duration {
    Duration::from_secs_f64(secs.min(1e9))
}

/// A long wait for people: `15 min`, `2 h 5 min`, `3 days`.
fn long_wait(d: Duration) -> String {
    let minutes = d.as_secs().div_ceil(60);
    match minutes {
        0..=1 => seconds(d),
        2..=119 => format!("{minutes} min"),
        120..=2879 => match minutes % 60 {
            0 => format!("{} h", minutes / 60),
            m => format!("{} h {m} min", minutes / 60),
        },
        _ => format!("{} days", minutes / (60 * 24)),
    }
}

/// Whether the attempt that failed with `err` should be tried again. `x-should-retry`
/// decides when the server sent it; otherwise never for `insufficient_quota` (a 429 too),
/// yes for 408, 409, 429 and 5xx, no for any other status (400, 401, 403, 404, 422 …), and,
/// for failures without a status (connection refused or reset, a silent server, an error
/// event in the stream), whatever the error says of itself.
pub fn should_retry(err: &ApiError) -> bool {
    if let Some(verdict) = err.should_retry {
        return verdict;
    }
    let quota = [err.kind.as_deref(), err.code.as_deref()].contains(&Some("insufficient_quota"));
    match err.status {
        _ if quota => false,
        Some(status) => matches!(status, 408 | 409 | 429 | 500..=599),
        None => err.retryable,
    }
}

/// The wait before the attempt after `attempt` (the one that failed, counting from 1): the
/// server's delay when it gave one (up to [`MAX_SERVER_DELAY`]), else
/// `0.5 s × 2^(attempt-1)`, capped at [`MAX_BACKOFF`], shortened by up to a quarter by
/// `jitter` (in `[0, 1)`, drawn by the caller) so that clients do not retry in lockstep.
pub fn backoff(attempt: u32, err: &ApiError, jitter: f64) -> Duration {
    if let Some(delay) = err.retry_after.filter(|d| *d <= MAX_SERVER_DELAY) {
        return delay;
    }
    let doublings = attempt.saturating_sub(1).min(16);
    let full = BASE_BACKOFF.saturating_mul(1 << doublings).min(MAX_BACKOFF);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    full.mul_f64(1.0 - 0.25 * jitter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        map
    }

    fn status(status: u16) -> ApiError {
        ApiError {
            status: Some(status),
            ..ApiError::message("x")
        }
    }

    #[test]
    fn delay_headers_in_order_of_precedence() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let delay = |pairs: &[(&str, &str)]| retry_delay(&headers(pairs), now);
        assert_eq!(
            delay(&[("retry-after-ms", "1500.5"), ("retry-after", "9")]),
            Some(Duration::from_micros(1_500_500))
        );
        assert_eq!(delay(&[("retry-after", "2")]), Some(Duration::from_secs(2)));
        assert_eq!(
            delay(&[("retry-after", " 0.25 ")]),
            Some(Duration::from_millis(250))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(
            delay(&[("retry-after", &later)]),
            Some(Duration::from_secs(7))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(7));
        assert_eq!(delay(&[("retry-after", &earlier)]), Some(Duration::ZERO));
        assert_eq!(
            delay(&[("retry-after", "Sunday, 06-Nov-94 08:49:37 GMT")]),
            Some(Duration::ZERO)
        );
        for junk in ["-1", "NaN", "inf", "soon", ""] {
            assert_eq!(delay(&[("retry-after", junk)]), None, "{junk}");
        }
        assert_eq!(
            delay(&[("retry-after-ms", "junk"), ("retry-after", "3")]),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            delay(&[("retry-after", "1e300")]),
            Some(Duration::from_secs(1_000_000_000))
        );
    }

    #[test]
    fn should_retry_header_and_long_waits() {
        let mut e = status(500);
        apply_headers(&mut e, &headers(&[("x-should-retry", "false")]));
        assert_eq!(e.should_retry, Some(false));
        assert!(!should_retry(&e));
        let mut e = status(400);
        apply_headers(&mut e, &headers(&[("x-should-retry", "TRUE")]));
        assert!(should_retry(&e));
        let mut e = status(429);
        e.retryable = true;
        apply_headers(
            &mut e,
            &headers(&[("retry-after", "900"), ("x-should-retry", "true")]),
        );
        assert!(!should_retry(&e) && !e.retryable);
        assert_eq!(
            e.message,
            "x (the server asked to wait 15 min before trying again)"
        );
        let mut e = status(429);
        apply_headers(&mut e, &headers(&[("retry-after", "120")]));
        assert_eq!(
            (e.retry_after, e.should_retry),
            (Some(MAX_SERVER_DELAY), None)
        );
        assert_eq!(long_wait(Duration::from_secs(7500)), "2 h 5 min");
        assert_eq!(long_wait(Duration::from_secs(86400 * 3)), "3 days");
    }

    #[test]
    fn which_failures_are_retried() {
        for s in [408, 409, 429, 500, 502, 503, 529] {
            assert!(should_retry(&status(s)), "{s}");
        }
        for s in [400, 401, 403, 404, 413, 422] {
            assert!(!should_retry(&status(s)), "{s}");
        }
        let quota = ApiError {
            code: Some("insufficient_quota".into()),
            retryable: true,
            ..status(429)
        };
        assert!(!should_retry(&quota));
        let refused = ApiError {
            retryable: true,
            ..ApiError::message("could not connect")
        };
        assert!(should_retry(&refused));
        assert!(!should_retry(&ApiError::message("malformed data")));
    }

    #[test]
    fn backoff_doubles_with_jitter_and_honours_the_server() {
        let e = status(500);
        let ms = |attempt, jitter| backoff(attempt, &e, jitter).as_millis();
        assert_eq!(
            [1, 2, 3, 4, 5, 6, 7, 40].map(|a| ms(a, 0.0)),
            [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]
        );
        assert_eq!(ms(1, 0.5), 437);
        assert_eq!(ms(3, 0.999_999), 1500);
        assert_eq!(ms(3, f64::NAN), 2000);
        let told = ApiError {
            retry_after: Some(Duration::from_millis(2500)),
            ..status(429)
        };
        assert_eq!(backoff(1, &told, 0.9), Duration::from_millis(2500));
        let too_long = ApiError {
            retry_after: Some(Duration::from_secs(3600)),
            ..status(429)
        };
        assert_eq!(backoff(1, &too_long, 0.0), BASE_BACKOFF);
    }
}
