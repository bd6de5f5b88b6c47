//! Proxies from the environment, read as curl and reqwest read them (`HTTPS_PROXY`,
//! `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, each also in lower case; upper-case `HTTP_PROXY` is
//! ignored under CGI, where a client could set it), with one difference: loopback hosts
//! (`localhost`, `127.0.0.0/8`, `::1`) always go direct. A proxy cannot reach this machine's
//! loopback, so a local server (Ollama, llama.cpp, the offline demo) must not go through one.
//!
//! Invariants: with no proxy variable set, nothing changes (reqwest's own system proxy
//! lookup stays in charge); a variable that is not a proxy URL is ignored, as reqwest does.

use reqwest::{NoProxy, Proxy};

/// Hosts that never go through a proxy.
pub const LOOPBACK: &str = "localhost,127.0.0.0/8,::1";

/// The proxies to use, or `None` when the environment names none (leave reqwest's default).
pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Option<Vec<Proxy>> {
    let var = |names: &[&str]| {
        (names.iter())
            .filter_map(|n| env(n))
            .map(|v| v.trim().to_string())
            .find(|v| !v.is_empty())
    };
    let cgi = env("REQUEST_METHOD").is_some();
    let all = var(&["ALL_PROXY", "all_proxy"]);
    let http_names: &[&str] = if cgi {
        &["http_proxy"]
    } else {
        &["HTTP_PROXY", "http_proxy"]
    };
    let http = var(http_names).or_else(|| all.clone());
    let https = var(&["HTTPS_PROXY", "https_proxy"]).or(all);
    if http.is_none() && https.is_none() {
        return None;
    }
    let no_proxy = match var(&["NO_PROXY", "no_proxy"]) {
        Some(list) => format!("{list},{LOOPBACK}"),
        None => LOOPBACK.to_string(),
    };
    let mut proxies = Vec::new();
    if let Some(Ok(p)) = http.map(Proxy::http) {
        proxies.push(p.no_proxy(NoProxy::from_string(&no_proxy)));
    }
    if let Some(Ok(p)) = https.map(Proxy::https) {
        proxies.push(p.no_proxy(NoProxy::from_string(&no_proxy)));
    }
    Some(proxies)
}
