//! Where credentials may travel. Every request carries the key (`Authorization`,
//! `x-api-key`) and the endpoint's configured headers, so:
//! - [`redirect_policy`] follows a redirect only within the origin (scheme, host and port)
//!   the request was first sent to; a redirect anywhere else fails the request with
//!   [`NotFollowed`] ("the server redirected to …; not followed"), before anything is sent
//!   there, and is not retried;
//! - [`key_over_plain_http`] says when a credential goes unencrypted to a host on the
//!   network (plain `http://`, not a loopback address), which the TUI's status line and the
//!   headless commands' stderr warn about. The key still goes to the configured base URL:
//!   that is the convention every client follows.
//!
//! Invariants: no URL in an error of this module shows credentials (see [`redact`]);
//! nothing here panics on any URL. Layering: imports only `api`'s types, `http` and
//! `redact`.

use crate::api::http;
use crate::api::redact;
use crate::api::types::Endpoint;
use reqwest::Url;
use reqwest::redirect::Policy;
use std::net::IpAddr;

/// The longest chain of (same-origin) redirects followed.
pub const MAX_REDIRECTS: usize = 10;

/// A redirect to another origin, refused. Its text is the error a person sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFollowed {
    /// Where the server redirected to (credentials masked).
    pub to: String,
    /// The origin requests were sent to.
    pub origin: String,
}

impl std::fmt::Display for NotFollowed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the server redirected to {}; not followed (redirects are followed only within {}, so that the API key and headers never go to another server)",
            self.to, self.origin
        )
    }
}

impl std::error::Error for NotFollowed {}

/// `scheme://host:port` of `url`, the port always written.
fn origin(url: &Url) -> String {
    let host = url.host_str().unwrap_or("");
    match url.port_or_known_default() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    }
}

/// Whether `a` and `b` share scheme, host and port.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// What to do with a redirect from a request first sent to `first` (the chain so far is
/// `hops` URLs long, `first` included) to `next`: `Ok` to follow it.
pub fn check_redirect(
    first: &Url,
    next: &Url,
    hops: usize,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    if !same_origin(first, next) {
        return Err(Box::new(NotFollowed {
            to: redact::urls(next.as_str()).into_owned(),
            origin: redact::urls(&origin(first)).into_owned(),
        }));
    }
    if hops > MAX_REDIRECTS {
        return Err(format!("more than {MAX_REDIRECTS} redirects; not followed").into());
    }
    Ok(())
}

/// The redirect policy of every request (see the module docs).
pub fn redirect_policy() -> Policy {
    Policy::custom(|attempt| {
        // `previous` starts with the URL first asked for.
        let checked = match attempt.previous().first() {
            Some(first) => check_redirect(first, attempt.url(), attempt.previous().len()),
            None => Ok(()),
        };
        match checked {
            Ok(()) => attempt.follow(),
            Err(err) => attempt.error(err),
        }
    })
}

/// `host[:port]` of `url` when it is plain `http://` to a host that is not this machine
/// (not `localhost`, `*.localhost`, 127.0.0.0/8 or `::1`); `None` for https, a loopback
/// host or a URL that does not parse.
pub fn cleartext_host(url: &str) -> Option<String> {
    let url = Url::parse(url).ok()?;
    if url.scheme() != "http" {
        return None;
    }
    let host = url.host_str()?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = match bare.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => {
            let name = bare.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    };
    if loopback {
        return None;
    }
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

/// The host a credential of `endpoint` (its key, a `user:password@` in its base URL, or a
/// configured header named like one: `api-key`, `Authorization` …) goes to over plain
/// http; `None` when there is none or it is encrypted or stays on this machine.
pub fn key_over_plain_http(endpoint: &Endpoint) -> Option<String> {
    let host = cleartext_host(&endpoint.base_url)?;
    let in_url = Url::parse(&endpoint.base_url)
        .is_ok_and(|u| !u.username().is_empty() || u.password().is_some());
    let in_header = (endpoint.headers.iter()).any(|(name, _)| redact::secret_name(name));
    (http::api_key(endpoint).is_some() || in_url || in_header).then_some(host)
}

/// The warning the headless commands print (once per host and run) for [`key_over_plain_http`].
pub fn cleartext_warning(host: &str) -> String {
    format!(
        "warning: the API key goes over plain http to {host}, unencrypted: anyone on the network path can read it (use https, or a server on this machine)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::ApiKind;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn only_plain_http_to_another_machine_is_cleartext() {
        let cases = [
            ("http://10.0.0.1:1/v1", Some("10.0.0.1:1")),
            ("http://gpu-box.lan/v1", Some("gpu-box.lan")),
            ("HTTP://Example.COM:8080", Some("example.com:8080")),
            ("http://[2001:db8::1]:8000/v1", Some("[2001:db8::1]:8000")),
            ("http://127.0.0.1:11434/v1", None),
            ("http://127.8.9.10/v1", None),
            ("http://127.1:8080/v1", None),
            ("http://localhost:8080/v1", None),
            ("http://LOCALHOST./v1", None),
            ("http://api.localhost/v1", None),
            ("http://[::1]:8080/v1", None),
            ("http://[::ffff:127.0.0.1]/v1", None),
            ("https://10.0.0.1/v1", None),
            ("not a url", None),
        ];
        for (text, want) in cases {
            assert_eq!(cleartext_host(text).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn a_credential_makes_plain_http_worth_a_warning() {
        let mut e = Endpoint {
            provider: "openai".into(),
            api: ApiKind::Chat,
            base_url: "http://10.0.0.1:1/v1".into(),
            api_key: None,
            key_hint: None,
            headers: vec![("X-Title".into(), "thinkbench".into())],
            max_attempts: 1,
            idle_timeout: None,
            limits: Default::default(),
        };
        assert_eq!(key_over_plain_http(&e), None, "no credential");
        e.api_key = Some(String::new());
        assert_eq!(key_over_plain_http(&e), None, "an empty key is not sent");
        e.api_key = Some("sk-test".into());
        assert_eq!(key_over_plain_http(&e).as_deref(), Some("10.0.0.1:1"));
        e.api_key = None;
        e.headers.push(("api-key".into(), "sk-test".into()));
        assert_eq!(key_over_plain_http(&e).as_deref(), Some("10.0.0.1:1"));
        e.headers.clear();
        e.base_url = "http://u:p@10.0.0.1:1/v1".into();
        assert_eq!(key_over_plain_http(&e).as_deref(), Some("10.0.0.1:1"));
    }

    #[test]
    fn redirects_stay_within_the_origin() {
        let first = url("https://api.example.com/v1/chat/completions");
        assert!(check_redirect(&first, &url("https://api.example.com:443/v2/x"), 1).is_ok());
        for elsewhere in [
            "http://api.example.com/v1/chat/completions",
            "https://api.example.com:8443/v1",
            "https://other.example/v1?sig=SECRET",
            "https://user:pw@evil.example/",
        ] {
            let err = check_redirect(&first, &url(elsewhere), 1)
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("the server redirected to "), "{err}");
            assert!(err.contains("; not followed"), "{err}");
            assert!(!err.contains("SECRET") && !err.contains(":pw@"), "{err}");
        }
        let too_many = check_redirect(&first, &first, MAX_REDIRECTS + 1);
        assert!(too_many.is_err());
    }
}
