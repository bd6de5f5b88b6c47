//! Configuration: the config file, the environment and the command-line flags, resolved into
//! one [`Settings`] that the TUI and `ask` both start from.
//!
//! Precedence, for every setting: flags > environment > config file > built-in defaults.
//! Environment variables read: `THINKBENCH_HOME` (where config and data live),
//! `THINKBENCH_MODEL`, `THINKBENCH_EFFORT`, `THINKBENCH_THEME`, `THINKBENCH_DEMO_PACE`,
//! `OPENAI_BASE_URL`, and each provider's key variable (`OPENAI_API_KEY`, `DEEPSEEK_API_KEY`, …).
//!
//! `--demo` picks the built-in `demo` provider (default model `demo-o`); the model, effort
//! and base URL preferences of the environment and the file are then not used, since they
//! name real models.
//!
//! Invariants:
//! - resolution never panics and never silently replaces something the person wrote with a
//!   default: a malformed file, an unknown key, an unknown effort level or an unsupported API
//!   is an error that says where it came from (file and line, flag or variable) and what is
//!   wrong; an effort level the model does not take is fitted to it as a model switch does
//!   (`catalog::fit_effort`), said in [`Settings::effort_note`], or an error with `--strict`
//!   (see `effort`);
//! - the environment is injected (`env`), so resolution reads nothing but the config file and,
//!   for the provider in use only, its `api_key_cmd` (or, for `demo`, starts the offline
//!   demo's server on 127.0.0.1);
//! - API keys stay inside `Settings::endpoint`, whose `Debug` redacts them.

mod catalog;
mod compare;
mod demo;
mod effort;
mod file;
mod key_cmd;
mod limits;
mod model_spec;
mod paths;
mod providers;

pub use catalog::{SYNCED_FILE, catalog_use};
pub use compare::CompareLimits;
pub use model_spec::parse_model_spec;
pub use paths::Paths;
pub use providers::{OPENAI_BASE_URL, Provider, builtin_providers};

use crate::api::{ApiKind, Endpoint, RequestQuirks};
use crate::catalog::{Catalog, ModelInfo};
use crate::usage::Price;
use file::LoadedFile;
use std::path::{Path, PathBuf};

/// The theme used when none is chosen.
pub const DEFAULT_THEME: &str = "dark";
/// The model used when none is chosen anywhere.
pub const DEFAULT_MODEL: &str = "gpt-5-mini";
/// The provider of bare model names the catalog does not know, and of any bare model name
/// when `--base-url` is given.
pub const DEFAULT_PROVIDER: &str = "openai";

/// Why the configuration cannot be resolved. Every message says where the problem is.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Something wrong in the config file, at `line` when known.
    #[error("{}: {message}", location(path, *line))]
    At {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot find the home directory ({0}); set THINKBENCH_HOME to the directory to use")]
    NoHome(String),
    /// `api_key_cmd` failed or timed out; its stdout is never part of the message, the end of
    /// its stderr is.
    #[error("api_key_cmd of provider `{provider}` (in {}) {detail}", path.display())]
    KeyCommand {
        provider: String,
        path: PathBuf,
        detail: String,
    },
    /// A bad flag or environment value, or a choice this build cannot serve.
    #[error("{0}")]
    Invalid(String),
}

fn location(path: &Path, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{}:{line}", path.display()),
        None => path.display().to_string(),
    }
}

pub fn parse_api_kind(s: &str) -> Result<ApiKind, String> {
    ApiKind::parse(s)
        .ok_or_else(|| format!("`{s}` is not an API; use chat, responses or anthropic"))
}

/// Flags shared by the TUI and `ask`.
#[derive(clap::Args, Clone, Debug, Default, PartialEq, Eq)]
pub struct CommonArgs {
    /// Model, optionally prefixed by its provider: o3-mini, deepseek/deepseek-reasoner,
    /// ollama/llama3.2, openrouter/openai/o3 [env: THINKBENCH_MODEL; default: gpt-5-mini]
    #[arg(short = 'm', long, value_name = "[PROVIDER/]MODEL")]
    pub model: Option<String>,
    /// Reasoning effort: none, minimal, low, medium, high, xhigh or max, as the model accepts
    /// [env: THINKBENCH_EFFORT]
    #[arg(short = 'e', long, value_name = "LEVEL")]
    pub effort: Option<String>,
    /// Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Wire protocol to speak
    #[arg(long, value_name = "chat|responses|anthropic", value_parser = parse_api_kind)]
    pub api: Option<ApiKind>,
    /// Output budget per turn, hidden reasoning included
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_output_tokens: Option<u64>,
    /// System instructions for the conversation
    #[arg(long, value_name = "TEXT")]
    pub system: Option<String>,
    /// UI theme name [env: THINKBENCH_THEME]
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
    /// Refuse an effort the model does not take (by default the nearest level it takes is
    /// sent instead, with a note)
    #[arg(long)]
    pub strict: bool,
    /// The offline demo: built-in models with canned answers, no network, no key, not billed
    /// (-m picks one of demo-o, demo-r1, demo-claude, demo-chat)
    #[arg(long, conflicts_with_all = ["base_url", "api"])]
    pub demo: bool,
}

impl CommonArgs {
    /// Each flag from `self`, else from `fallback` (flags given after a subcommand win over
    /// the same flags given before it).
    pub fn or(&self, fallback: &CommonArgs) -> CommonArgs {
        let pick = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
        CommonArgs {
            model: pick(&self.model, &fallback.model),
            effort: pick(&self.effort, &fallback.effort),
            base_url: pick(&self.base_url, &fallback.base_url),
            api: self.api.or(fallback.api),
            max_output_tokens: self.max_output_tokens.or(fallback.max_output_tokens),
            system: pick(&self.system, &fallback.system),
            theme: pick(&self.theme, &fallback.theme),
            strict: self.strict || fallback.strict,
            demo: self.demo || fallback.demo,
        }
    }
}

/// Everything a session starts from, resolved.
#[derive(Clone, Debug)]
pub struct Settings {
    pub endpoint: Endpoint,
    pub model: String,
    /// What the catalog knows about `model` on this provider; `None` for unknown models.
    pub model_info: Option<ModelInfo>,
    pub effort: Option<String>,
    /// How the effort asked for at start was changed to fit the model, in one line (said
    /// once: on stderr by `ask`, in the status line by the TUI); `None` when it was not.
    pub effort_note: Option<String>,
    pub max_output_tokens: Option<u64>,
    pub system: Option<String>,
    pub theme: String,
    /// The built-in catalog with the config file's `[[models]]` applied.
    pub catalog: Catalog,
    pub paths: Paths,
    /// The provider is a local server: every turn costs 0.
    pub local: bool,
    /// How to get going, when the provider needs a key and none is set (so `Some` exactly
    /// when nothing may be sent: see [`Settings::missing_key`]).
    pub setup_hint: Option<String>,
    /// Every provider known (built-in plus config), for switching models.
    pub providers: Vec<Provider>,
    /// Providers that need a key from the environment and had none at start (a key from
    /// `api_key_cmd` is only known once asked for, so those are never listed).
    pub keyless: Vec<String>,
    /// How comparisons run (config file: `compare_concurrency`, `compare_confirm_usd`).
    pub compare: CompareLimits,
    /// The largest files that may be attached.
    pub attach: crate::attach::Limits,
}

impl Settings {
    /// Why nothing may be sent now: the provider needs a key and none is set. Names the
    /// variable to set.
    pub fn missing_key(&self) -> Option<String> {
        self.setup_hint.as_ref()?;
        let var = self
            .endpoint
            .key_hint
            .as_deref()
            .unwrap_or("its API key variable");
        Some(format!(
            "{} needs an API key: set {var} (nothing was sent)",
            self.endpoint.provider
        ))
    }

    /// The request quirks of the current model (safe guesses for an unknown one).
    pub fn quirks(&self) -> RequestQuirks {
        // `model_info` is the catalog's knowledge of the model on this provider, so these are
        // its quirks (plus the provider's own, e.g. OpenRouter's effort object), or the guess
        // for an unknown model.
        let mut quirks = crate::catalog::quirks_for(
            self.model_info.as_ref(),
            &self.endpoint.provider,
            self.is_openai_itself(),
        );
        if self.endpoint.api == crate::api::ApiKind::Anthropic {
            quirks.image_rule = crate::api::ImageRule::Anthropic;
        }
        quirks
    }

    /// The price of the current model: zero on a local server, `None` when unknown.
    pub fn price(&self) -> Option<Price> {
        if self.local {
            return Some(Price::FREE);
        }
        self.model_info.as_ref().and_then(|m| m.price)
    }

    /// The provider's name as shown to the person: the server's `host[:port]` when the base
    /// URL was overridden (`--base-url`, `OPENAI_BASE_URL`), since `openai` would then name
    /// the wrong server; else the provider's name. `endpoint.provider` stays the key of the
    /// catalog, the prices and the stored turns.
    pub fn provider_label(&self) -> String {
        if self.is_demo() {
            return crate::demo::PROVIDER.to_string();
        }
        let base = self.endpoint.base_url.trim_end_matches('/');
        let overridden = (self.providers.iter())
            .find(|p| p.name == self.endpoint.provider)
            .is_some_and(|p| p.base_url.trim_end_matches('/') != base);
        match host(base) {
            Some(host) if overridden => host.to_string(),
            _ => self.endpoint.provider.clone(),
        }
    }

    /// Whether the model is one of the offline demo's (nothing is sent anywhere, nothing is
    /// billed).
    pub fn is_demo(&self) -> bool {
        self.endpoint.provider == crate::demo::PROVIDER
    }

    /// Whether requests go to OpenAI's own servers.
    pub fn is_openai_itself(&self) -> bool {
        self.endpoint.base_url.starts_with("https://api.openai.com")
    }

    /// The same settings with another model (`[provider/]model`, as for `-m`, except that a
    /// bare id the catalog does not know stays on the current provider). On the same provider
    /// the endpoint is kept (base URL overrides included); another provider is connected
    /// afresh. The effort carries over when the new model accepts it, else the
    /// nearest level it accepts, else its default.
    pub fn switch_model(
        &self,
        spec: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Settings, ConfigError> {
        let (provider_name, model) = parse_model_spec(
            spec,
            &self.providers,
            &self.catalog,
            &self.endpoint.provider,
            false,
        )
        .map_err(ConfigError::Invalid)?;
        let provider = find_provider(&self.providers, &provider_name)?;
        let model_info = self
            .catalog
            .knowledge(&provider_name, &model, catalog_use(provider));
        let (endpoint, setup_hint) = if provider_name == self.endpoint.provider {
            let overridden = providers::base_overridden(provider, None, env)
                || self.endpoint.base_url != provider.base_url;
            let mut endpoint = self.endpoint.clone();
            endpoint.api = providers::choose_api(None, provider, model_info.as_ref(), overridden);
            (endpoint, self.setup_hint.clone())
        } else {
            let overridden = providers::base_overridden(provider, None, env);
            let api = providers::choose_api(None, provider, model_info.as_ref(), overridden);
            let path = self.paths.config_file();
            let mut conn = providers::connect(provider, api, None, env, &path, true)?;
            conn.endpoint.max_attempts = self.endpoint.max_attempts;
            conn.endpoint.idle_timeout = self.endpoint.idle_timeout;
            conn.endpoint.limits = self.endpoint.limits;
            (conn.endpoint, conn.setup_hint)
        };
        let default = || model_info.as_ref().and_then(|m| m.default_effort.clone());
        let effort = match &self.effort {
            Some(e) => crate::catalog::fit_effort(model_info.as_ref(), e)
                .ok()
                .and_then(|fitted| fitted.level().map(str::to_string))
                .or_else(default),
            None => default(),
        };
        Ok(Settings {
            endpoint,
            model,
            model_info,
            effort,
            effort_note: None,
            setup_hint,
            local: provider.local,
            ..self.clone()
        })
    }
}

/// `host[:port]` of a URL (without any `user:password@`); `None` when there is none.
fn host(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority.rsplit('@').next().unwrap_or(authority);
    (!host.is_empty()).then_some(host)
}

fn find_provider<'a>(providers: &'a [Provider], name: &str) -> Result<&'a Provider, ConfigError> {
    providers
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| ConfigError::Invalid(format!("unknown provider `{name}`")))
}

/// Resolve flags, environment and config file (at `paths.config_file()`) into [`Settings`].
pub fn resolve(
    args: &CommonArgs,
    env: &dyn Fn(&str) -> Option<String>,
    paths: &Paths,
) -> Result<Settings, ConfigError> {
    resolve_with(args, env, paths, true)
}

/// [`resolve`] for a command that sends nothing (`models`): a provider's `api_key_cmd` is not
/// run, so its key stays unknown; such settings must never be used to send.
pub fn resolve_without_keys(
    args: &CommonArgs,
    env: &dyn Fn(&str) -> Option<String>,
    paths: &Paths,
) -> Result<Settings, ConfigError> {
    resolve_with(args, env, paths, false)
}

fn resolve_with(
    args: &CommonArgs,
    env: &dyn Fn(&str) -> Option<String>,
    paths: &Paths,
    key_cmd: bool,
) -> Result<Settings, ConfigError> {
    let env_var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let file = LoadedFile::load(&paths.config_file())?;
    let cfg = &file.config;
    let mut providers = providers::configured_providers(&file)?;
    let pace = demo::pace(&env_var, &file)?;
    providers::set_demo_pace(&mut providers, pace);

    let catalog = catalog::assemble(&file, &providers, paths)?;

    // Model and provider.
    let (spec, spec_origin) = match (&args.model, env_var("THINKBENCH_MODEL"), &cfg.model) {
        (None, _, _) if args.demo => (crate::demo::DEFAULT_MODEL.to_string(), "--demo".into()),
        (Some(m), _, _) => (m.clone(), "--model".to_string()),
        (None, Some(m), _) => (m, "THINKBENCH_MODEL".to_string()),
        (None, None, Some(m)) => (m.get_ref().clone(), file.origin(m.span())),
        (None, None, None) => (DEFAULT_MODEL.to_string(), "default".to_string()),
    };
    let (fallback, at_fallback) = match args.demo {
        true => (crate::demo::PROVIDER, true),
        false => (DEFAULT_PROVIDER, args.base_url.is_some()),
    };
    let (provider_name, model) =
        parse_model_spec(&spec, &providers, &catalog, fallback, at_fallback)
            .map_err(|e| ConfigError::Invalid(format!("{spec_origin}: {e}")))?;
    if args.demo {
        demo::check_model(&catalog, &provider_name, &model, &spec, &spec_origin)?;
    }
    let provider = find_provider(&providers, &provider_name)?;
    let model_info = catalog.knowledge(&provider_name, &model, catalog_use(provider));

    let overridden = providers::base_overridden(provider, args.base_url.as_deref(), env);
    let api = providers::choose_api(args.api, provider, model_info.as_ref(), overridden);

    let asked = match (&args.effort, env_var("THINKBENCH_EFFORT"), &cfg.effort) {
        (Some(e), _, _) => Some(effort::Asked::flag(e)),
        (None, Some(e), _) => Some(effort::Asked::preference(&e, "THINKBENCH_EFFORT".into())),
        (None, None, Some(e)) => Some(effort::Asked::preference(
            e.get_ref(),
            file.origin(e.span()),
        )),
        (None, None, None) => None,
    };
    let (effort, effort_note) = effort::resolve(asked, model_info.as_ref(), args.strict)?;

    let max_output_tokens = match (args.max_output_tokens, &cfg.max_output_tokens) {
        (Some(0), _) => {
            return Err(ConfigError::Invalid(
                "--max-output-tokens must be at least 1".to_string(),
            ));
        }
        (Some(n), _) => Some(n),
        (None, Some(n)) if *n.get_ref() == 0 => {
            return Err(file.error_at(n.span(), "`max_output_tokens` must be at least 1"));
        }
        (None, Some(n)) => Some(*n.get_ref()),
        (None, None) => None,
    };
    let system = args
        .system
        .clone()
        .or_else(|| cfg.system.clone())
        .filter(|s| !s.trim().is_empty());
    let theme = args
        .theme
        .clone()
        .or_else(|| env_var("THINKBENCH_THEME"))
        .or_else(|| cfg.theme.clone())
        .unwrap_or_else(|| DEFAULT_THEME.to_string());

    let max_attempts = match &cfg.max_attempts {
        Some(n) if !(1..=10).contains(n.get_ref()) => {
            return Err(file.error_at(n.span(), "`max_attempts` must be between 1 and 10"));
        }
        Some(n) => *n.get_ref(),
        None => crate::api::DEFAULT_MAX_ATTEMPTS,
    };
    let idle_timeout = match &cfg.idle_timeout_secs {
        Some(n) if *n.get_ref() == 0 => {
            return Err(file.error_at(n.span(), "`idle_timeout_secs` must be at least 1"));
        }
        Some(n) => Some(std::time::Duration::from_secs(*n.get_ref())),
        None => None,
    };

    let compare = compare::limits(&file)?;
    let limits = limits::limits(&file)?;
    let attach = limits::attach_limits(&file)?;

    // Last, so that `api_key_cmd` runs only once everything else is known to be fine.
    let base_flag = args.base_url.as_deref();
    let mut conn = providers::connect(provider, api, base_flag, env, &file.path, key_cmd)?;
    conn.endpoint.max_attempts = max_attempts;
    conn.endpoint.idle_timeout = idle_timeout;
    conn.endpoint.limits = limits;
    let keyless = providers
        .iter()
        .filter(|p| p.api_key_cmd.is_none())
        .filter(|p| {
            let base = if p.name == provider.name {
                args.base_url.as_deref()
            } else {
                None
            };
            p.key_required(providers::base_overridden(p, base, env))
        })
        .filter(|p| p.api_key_env.as_deref().and_then(env_var).is_none())
        .map(|p| p.name.clone())
        .collect();
    Ok(Settings {
        local: provider.local,
        endpoint: conn.endpoint,
        setup_hint: conn.setup_hint,
        keyless,
        model,
        model_info,
        effort,
        effort_note,
        max_output_tokens,
        system,
        theme,
        catalog,
        paths: paths.clone(),
        providers,
        compare,
        attach,
    })
}
