//! Providers: the built-in ones, the config file's overrides, and turning one into an
//! [`Endpoint`] — base URL, API key (from an environment variable or `api_key_cmd`) and the
//! hint shown when a key is missing.
//!
//! Invariants:
//! - an API key lives only in the `Endpoint` it was read into; it is never printed, logged or
//!   put in an error message, and neither is the stdout of `api_key_cmd` (its stderr, a
//!   diagnostic, is shown in its error: see `key_cmd`);
//! - `api_key_cmd` runs only for the provider actually used, with `sh -c`, stdin closed,
//!   within its timeout (`api_key_cmd_timeout_secs`, default 10 s);
//! - a provider name never contains `/` (it would make `provider/model` ambiguous);
//! - the built-in `demo` provider cannot be configured; its endpoint always points at the
//!   offline demo's server on 127.0.0.1, started when it is first connected to (see `demo`).

use super::ConfigError;
use super::file::LoadedFile;
use crate::api::{ApiKind, Endpoint};
use crate::demo;
use std::fmt;
use std::path::Path;
use std::time::Duration;

/// The base URL of OpenAI itself.
pub const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";

/// A provider a model can be reached at. Its `Debug` hides `api_key_cmd`, which may hold a
/// secret inline, and the credentials of its base URL.
#[derive(Clone, PartialEq, Eq)]
pub struct Provider {
    pub name: String,
    pub api: ApiKind,
    /// Base URL without the trailing slash.
    pub base_url: String,
    /// Environment variable that overrides `base_url` (`OPENAI_BASE_URL` for `openai`).
    pub base_url_env: Option<String>,
    /// Whether the config file set `base_url`.
    pub base_url_configured: bool,
    /// Whether the config file set `api` (it then wins over the model's catalog entry).
    pub api_configured: bool,
    /// Environment variable holding the key.
    pub api_key_env: Option<String>,
    /// Shell command printing the key, run only when this provider is used.
    pub api_key_cmd: Option<String>,
    /// How long `api_key_cmd` may take.
    pub api_key_cmd_timeout: Duration,
    /// Whether the config file named where the key comes from (`api_key_env`/`api_key_cmd`):
    /// then the key is required even on an overridden base URL.
    pub key_configured: bool,
    /// Extra headers sent with every request.
    pub headers: Vec<(String, String)>,
    /// A local server: no key needed, every model costs 0.
    pub local: bool,
    /// Whose prices this provider charges (`prices = "openai"`): that vendor's catalog
    /// prices apply to the models it serves; any other borrowed price is a list price.
    pub prices: Option<String>,
    /// Whether a model this provider has no entry for borrows the catalog's knowledge of the
    /// same model elsewhere (`catalog = false` turns it off).
    pub follow_catalog: bool,
}

impl fmt::Debug for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provider")
            .field("name", &self.name)
            .field("api", &self.api)
            .field("base_url", &crate::api::redact::urls(&self.base_url))
            .field("base_url_env", &self.base_url_env)
            .field("base_url_configured", &self.base_url_configured)
            .field("api_key_env", &self.api_key_env)
            .field(
                "api_key_cmd",
                &self.api_key_cmd.as_ref().map(|_| "<hidden>"),
            )
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("local", &self.local)
            .field("prices", &self.prices)
            .field("follow_catalog", &self.follow_catalog)
            .finish()
    }
}

impl Provider {
    fn builtin(
        name: &str,
        api: ApiKind,
        base_url: &str,
        key_env: Option<&str>,
        local: bool,
    ) -> Provider {
        Provider {
            name: name.to_string(),
            api,
            base_url: base_url.to_string(),
            base_url_env: None,
            base_url_configured: false,
            api_configured: false,
            api_key_env: key_env.map(str::to_string),
            api_key_cmd: None,
            api_key_cmd_timeout: super::key_cmd::DEFAULT_TIMEOUT,
            key_configured: false,
            headers: Vec::new(),
            local,
            // A built-in provider charges its own list prices.
            prices: Some(name.to_string()),
            follow_catalog: true,
        }
    }

    /// Whether a request to this provider needs a key.
    pub fn needs_key(&self) -> bool {
        !self.local && (self.api_key_env.is_some() || self.api_key_cmd.is_some())
    }

    /// Whether nothing may be sent without a key. A base URL overridden to another server (a
    /// local one, say) makes a built-in provider's key optional, as other clients do; a key
    /// the config file names stays required.
    pub fn key_required(&self, base_overridden: bool) -> bool {
        self.needs_key() && (!base_overridden || self.key_configured)
    }
}

/// The providers known without any configuration.
pub fn builtin_providers() -> Vec<Provider> {
    let mut openai = Provider::builtin(
        "openai",
        ApiKind::Chat,
        OPENAI_BASE_URL,
        Some("OPENAI_API_KEY"),
        false,
    );
    openai.base_url_env = Some("OPENAI_BASE_URL".to_string());
    let mut openrouter = Provider::builtin(
        "openrouter",
        ApiKind::Chat,
        "https://openrouter.ai/api/v1",
        Some("OPENROUTER_API_KEY"),
        false,
    );
    openrouter
        .headers
        .push(("X-Title".to_string(), "thinkbench".to_string()));
    // OpenRouter reports what each request cost; catalog prices there are list prices.
    openrouter.prices = None;
    vec![
        openai,
        Provider::builtin(
            "deepseek",
            ApiKind::Chat,
            "https://api.deepseek.com",
            Some("DEEPSEEK_API_KEY"),
            false,
        ),
        openrouter,
        Provider::builtin(
            "ollama",
            ApiKind::Chat,
            "http://127.0.0.1:11434/v1",
            None,
            true,
        ),
        Provider::builtin(
            "llamacpp",
            ApiKind::Chat,
            "http://127.0.0.1:8080/v1",
            None,
            true,
        ),
        Provider::builtin(
            "anthropic",
            ApiKind::Anthropic,
            "https://api.anthropic.com/v1",
            Some("ANTHROPIC_API_KEY"),
            false,
        ),
        Provider::builtin(demo::PROVIDER, ApiKind::Chat, DEMO_BASE_URL, None, false),
    ]
}

/// The `demo` provider's base URL until it is connected to (its server's port is known only
/// once it runs).
pub const DEMO_BASE_URL: &str = "http://127.0.0.1/v1";

/// The demo provider with the pace its requests ask for (see `demo::PACE_HEADER`).
pub(super) fn set_demo_pace(providers: &mut [Provider], pace: f64) {
    if let Some(p) = providers.iter_mut().find(|p| p.name == demo::PROVIDER) {
        p.headers.retain(|(k, _)| k != demo::PACE_HEADER);
        p.headers
            .push((demo::PACE_HEADER.to_string(), pace.to_string()));
    }
}

/// The built-in providers with the config file's `[providers.NAME]` tables applied.
pub(super) fn configured_providers(file: &LoadedFile) -> Result<Vec<Provider>, ConfigError> {
    let mut providers = builtin_providers();
    for (name, table) in &file.config.providers {
        let span = table.span();
        let table = table.get_ref();
        if name == demo::PROVIDER {
            return Err(file.error_at(
                span,
                "provider `demo` is the built-in offline demo and cannot be configured",
            ));
        }
        if name.is_empty() || name.contains('/') || name.chars().any(char::is_whitespace) {
            return Err(file.error_at(
                span,
                format!("provider name {name:?} must be a single word without `/`"),
            ));
        }
        let index = match providers.iter().position(|p| p.name == *name) {
            Some(i) => i,
            None => {
                let Some(base_url) = &table.base_url else {
                    return Err(file.error_at(
                        span,
                        format!("provider `{name}` is not built in, so it needs `base_url`"),
                    ));
                };
                let mut new = Provider::builtin(name, ApiKind::Chat, base_url, None, false);
                new.base_url_configured = true;
                // A provider of the person's own says whose prices it charges, if anyone's.
                new.prices = None;
                providers.push(new);
                providers.len() - 1
            }
        };
        let p = &mut providers[index];
        if let Some(api) = table.api {
            p.api = api;
            p.api_configured = true;
        }
        if let Some(url) = &table.base_url {
            p.base_url = check_base_url(url).map_err(|e| file.error_at(span.clone(), e))?;
            p.base_url_configured = true;
        }
        for (field, value) in [
            ("api_key_env", &table.api_key_env),
            ("api_key_cmd", &table.api_key_cmd),
        ] {
            if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                return Err(file.error_at(
                    span.clone(),
                    format!("`{field}` of provider `{name}` is empty"),
                ));
            }
        }
        if let Some(key_env) = &table.api_key_env {
            p.api_key_env = Some(key_env.clone());
            p.key_configured = true;
        }
        if let Some(cmd) = &table.api_key_cmd {
            p.api_key_cmd = Some(cmd.clone());
            p.key_configured = true;
        }
        if let Some(secs) = &table.api_key_cmd_timeout_secs {
            if *secs.get_ref() == 0 {
                return Err(
                    file.error_at(secs.span(), "`api_key_cmd_timeout_secs` must be at least 1")
                );
            }
            p.api_key_cmd_timeout = Duration::from_secs(*secs.get_ref());
        }
        for (key, value) in table.headers.iter().flatten() {
            check_header(key, value).map_err(|e| file.error_at(span.clone(), e))?;
            p.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
            p.headers.push((key.clone(), value.clone()));
        }
        if let Some(local) = table.local {
            p.local = local;
        }
        if let Some(follow) = table.catalog {
            p.follow_catalog = follow;
        }
        if let Some(prices) = &table.prices {
            let prices = prices.trim();
            if prices.is_empty() || prices.contains('/') {
                return Err(file.error_at(
                    span.clone(),
                    format!("`prices = {prices:?}` of provider `{name}` must name a provider, e.g. \"openai\""),
                ));
            }
            p.prices = Some(prices.to_string());
        }
    }
    for p in &providers {
        if let Some(vendor) = &p.prices
            && !providers.iter().any(|q| q.name == *vendor)
        {
            let span = file.config.providers.get(&p.name).map(|t| t.span());
            let message = format!(
                "`prices = {vendor:?}` of provider `{}` names no provider (known: {})",
                p.name,
                providers
                    .iter()
                    .map(|q| q.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            return Err(match span {
                Some(span) => file.error_at(span, message),
                None => ConfigError::Invalid(message),
            });
        }
    }
    Ok(providers)
}

/// A base URL as given: must be http(s); the trailing `/` is dropped.
pub(super) fn check_base_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        let url = crate::api::redact::urls(url);
        return Err(format!(
            "base URL {url:?} must start with http:// or https://"
        ));
    }
    Ok(url.trim_end_matches('/').to_string())
}

fn check_header(name: &str, value: &str) -> Result<(), String> {
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(token) {
        return Err(format!(
            "header name {name:?} is not a valid HTTP header name"
        ));
    }
    if value.contains(['\r', '\n']) {
        return Err(format!(
            "the value of header `{name}` contains a line break"
        ));
    }
    Ok(())
}

/// How to reach the chosen provider, and whether the person needs telling how to set it up.
pub(super) struct Connection {
    pub endpoint: Endpoint,
    pub setup_hint: Option<String>,
}

/// Build the endpoint of `provider`: `base_flag` (from `--base-url`) beats the provider's base
/// URL environment variable, which beats the config file, which beats the built-in default.
/// Whether requests go somewhere other than the provider's own default server: a
/// `--base-url`, the provider's base-URL variable, or a `base_url` in the config file.
pub(super) fn base_overridden(
    provider: &Provider,
    base_flag: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> bool {
    let from_env = provider
        .base_url_env
        .as_deref()
        .and_then(env)
        .is_some_and(|v| !v.trim().is_empty());
    base_flag.is_some() || from_env || provider.base_url_configured
}

/// The wire protocol for `model` on `provider`: `--api` first; then the provider's `api` when
/// the config sets it; then, on the provider's own server, the model's catalog entry (OpenAI's
/// reasoning models speak Responses); on a compatible server, or for an unknown model, the
/// provider's protocol (Chat Completions for `openai`).
pub fn choose_api(
    flag: Option<ApiKind>,
    provider: &Provider,
    model: Option<&crate::catalog::ModelInfo>,
    base_overridden: bool,
) -> ApiKind {
    if let Some(api) = flag {
        return api;
    }
    if provider.api_configured || base_overridden {
        return provider.api;
    }
    model.map_or(provider.api, |m| m.api)
}

pub(super) fn connect(
    provider: &Provider,
    api: ApiKind,
    base_flag: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
    config_path: &Path,
    key_cmd: bool,
) -> Result<Connection, ConfigError> {
    let env_value = |name: &str| {
        env(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let from_env = provider
        .base_url_env
        .as_deref()
        .and_then(|name| Some((name, env_value(name)?)));
    let base_url = match (base_flag, &from_env) {
        _ if provider.name == demo::PROVIDER => {
            if base_flag.is_some() {
                return Err(ConfigError::Invalid(
                    "--base-url: the offline demo runs on its own server; leave it out".to_string(),
                ));
            }
            demo::base_url().map_err(ConfigError::Invalid)?
        }
        (Some(flag), _) => {
            check_base_url(flag).map_err(|e| ConfigError::Invalid(format!("--base-url: {e}")))?
        }
        (None, Some((name, url))) => {
            check_base_url(url).map_err(|e| ConfigError::Invalid(format!("{name}: {e}")))?
        }
        (None, None) => provider.base_url.clone(),
    };
    let overridden = base_overridden(provider, base_flag, env);

    let mut api_key = provider.api_key_env.as_deref().and_then(env_value);
    let mut key_hint = provider.api_key_env.clone();
    if api_key.is_none()
        && key_cmd
        && let Some(cmd) = &provider.api_key_cmd
    {
        api_key = Some(run_key_cmd(provider, cmd, config_path)?);
        key_hint = Some(format!("api_key_cmd of provider {}", provider.name));
    }
    let setup_hint = match (&api_key, &provider.api_key_env) {
        (None, Some(var)) if provider.key_required(overridden) => {
            Some(setup_hint(&provider.name, var))
        }
        _ => None,
    };
    let endpoint = Endpoint {
        provider: provider.name.clone(),
        api,
        base_url,
        api_key,
        key_hint,
        headers: provider.headers.clone(),
        max_attempts: crate::api::DEFAULT_MAX_ATTEMPTS,
        idle_timeout: None,
        limits: Default::default(),
    };
    Ok(Connection {
        endpoint,
        setup_hint,
    })
}

/// Run `provider`'s key command (see `key_cmd`); its failure names the provider and the
/// config file.
fn run_key_cmd(provider: &Provider, cmd: &str, config_path: &Path) -> Result<String, ConfigError> {
    super::key_cmd::run(cmd, provider.api_key_cmd_timeout).map_err(|detail| {
        ConfigError::KeyCommand {
            provider: provider.name.clone(),
            path: config_path.to_path_buf(),
            detail,
        }
    })
}

/// What to tell a person who has no key for `provider` yet. No paths in it: the text is the
/// same on every machine.
fn setup_hint(provider: &str, key_var: &str) -> String {
    format!(
        "No API key for {provider}: set {key_var} in your environment, e.g.\n\
         \x20 export {key_var}=...\n\
         or set `api_key_cmd` under [providers.{provider}] in config.toml.\n\
         Or use a local server instead:\n\
         \x20 thinkbench -m ollama/MODEL                                         (Ollama)\n\
         \x20 OPENAI_BASE_URL=http://127.0.0.1:11434/v1 thinkbench -m llama3.2   (Ollama)\n\
         \x20 thinkbench --base-url http://127.0.0.1:8080/v1 -m MODEL            (llama.cpp)"
    )
}
