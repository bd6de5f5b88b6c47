//! The model catalog: what we know about each model — which wire it speaks, its limits, its
//! price, its reasoning knobs and the request quirks it needs. The built-in table lives in
//! `models.toml` (compiled in); `[[models]]` entries of the user's config override or extend it.
//!
//! Invariants:
//! - a model is identified by `(provider, id)`; the catalog holds at most one entry per pair;
//! - every `ModelInfo` is valid: its `efforts` are known level names in canonical order
//!   (`none < minimal < low < medium < high < xhigh < max`), without repeats, and its
//!   `default_effort`, when set, is one of them; prices are finite and not negative;
//! - nothing here panics on data: the built-in table is checked by a unit test, and should it
//!   ever fail to parse at runtime the catalog is simply empty (every model then "unknown");
//! - models on local providers (Ollama, llama.cpp) cost nothing (see `config::Settings::price`);
//! - knowledge follows the model, not only the provider ([`Catalog::knowledge`]): a provider's
//!   own entry wins; a known model on another provider borrows its vendor's entry, whose
//!   price stays a plain price only where the provider charges that vendor's prices and is
//!   otherwise marked `list`; every figure records where it came from ([`Origins`]).

use crate::api::{
    ApiKind, EffortField, InstructionRole, MaxTokensField, RequestQuirks, ThinkingStyle,
};
use crate::usage::Price;
use serde::{Deserialize, Serialize};

pub mod display;
mod effort;
mod entry;
mod overlay;
pub mod sync;

pub use effort::{
    EFFORT_LEVELS, Fitted, effort_rank, effort_to_send, fit_effort, nearest_effort, validate_effort,
};
pub use entry::{ModelEntry, PriceEntry};
pub use overlay::SyncedFile;

const BUILTIN: &str = include_str!("models.toml");

/// Everything we know about one model on one provider.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelInfo {
    pub id: String,
    pub provider: String,
    pub api: ApiKind,
    pub context_window: Option<u64>,
    pub max_output_tokens: Option<u64>,
    /// USD per 1M tokens; `None` when unknown.
    pub price: Option<Price>,
    /// The model thinks before answering (billed as output).
    pub reasoning: bool,
    /// Accepted effort levels, lowest first; empty when the model takes no effort.
    pub efforts: Vec<String>,
    /// The effort used when the person picks none.
    pub default_effort: Option<String>,
    pub instruction_role: InstructionRole,
    pub max_tokens_field: MaxTokensField,
    /// Send `reasoning_effort` when an effort is chosen.
    pub accepts_effort: bool,
    /// False: the model must be asked without streaming.
    pub can_stream: bool,
    /// Never send `temperature` / `top_p`.
    pub rejects_temperature: bool,
    /// How an Anthropic model is asked to think (budget or adaptive).
    pub thinking: ThinkingStyle,
    /// It may think silently for minutes: a longer idle-stream timeout.
    pub slow: bool,
    /// It takes images as input; `None` when the catalog does not say.
    pub vision: Option<bool>,
    /// Where its figures came from.
    pub origins: Origins,
}

/// Where a figure of the catalog came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The table compiled into the program (`models.toml`).
    #[default]
    Builtin,
    /// The overlay written by `thinkbench models sync`.
    Synced,
    /// A `[[models]]` entry of the person's config file.
    User,
}

impl Origin {
    /// How `models` names it.
    pub fn label(self) -> &'static str {
        match self {
            Origin::Builtin => "built-in",
            Origin::Synced => "synced",
            Origin::User => "config",
        }
    }
}

/// Where each group of a model's figures came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Origins {
    /// `price` (and its tier).
    pub price: Origin,
    /// `context_window` and `max_output_tokens`.
    pub limits: Origin,
    /// `reasoning`, `efforts` and `vision`.
    pub capabilities: Origin,
}

impl Origins {
    /// Everything from one place.
    pub fn all(origin: Origin) -> Origins {
        Origins {
            price: origin,
            limits: origin,
            capabilities: origin,
        }
    }
}

/// How a provider takes the catalog's knowledge of the models it serves (its config:
/// `catalog = false`, `prices = "VENDOR"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CatalogUse<'a> {
    /// False: only entries listed under this provider itself apply.
    pub follow_model: bool,
    /// Whose prices this provider charges; that vendor's prices apply as they are, any
    /// other vendor's are shown marked as list prices.
    pub prices_of: Option<&'a str>,
}

impl CatalogUse<'_> {
    /// Entries of this provider only; nothing borrowed.
    pub const OWN_ONLY: CatalogUse<'static> = CatalogUse {
        follow_model: false,
        prices_of: None,
    };
}

impl ModelInfo {
    /// The request adjustments this model needs.
    pub fn quirks(&self) -> RequestQuirks {
        RequestQuirks {
            instruction_role: self.instruction_role,
            max_tokens_field: self.max_tokens_field,
            accepts_effort: self.accepts_effort,
            can_stream: self.can_stream,
            stream_usage: true,
            thinking: self.thinking,
            slow: self.slow,
            ..Default::default()
        }
    }
}

/// The id without a trailing date snapshot: `o3-mini-2025-01-31` → `o3-mini`,
/// `claude-sonnet-4-20250514` → `claude-sonnet-4`. `None` when there is no such suffix.
pub fn strip_date_suffix(id: &str) -> Option<&str> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (head, tail) = id.rsplit_once('-')?;
    // -20250514
    if tail.len() == 8 && digits(tail) && !head.is_empty() {
        return Some(head);
    }
    // -2025-01-31: `tail` is the day; two more dash-separated parts before it.
    if tail.len() == 2 && digits(tail) {
        let (head, month) = head.rsplit_once('-')?;
        let (head, year) = head.rsplit_once('-')?;
        if month.len() == 2 && digits(month) && year.len() == 4 && digits(year) && !head.is_empty()
        {
            return Some(head);
        }
    }
    None
}

/// The shape of `models.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    /// When the table's prices were last checked (`YYYY-MM-DD`).
    #[serde(default)]
    prices_as_of: Option<String>,
    #[serde(default)]
    local_providers: Vec<String>,
    #[serde(default)]
    models: Vec<ModelEntry>,
}

/// The models we know, plus which providers are local (free).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalog {
    models: Vec<ModelInfo>,
    local_providers: Vec<String>,
    /// When the built-in prices were last checked.
    prices_as_of: Option<String>,
    /// When the synced overlay was written and where its figures came from, if one was
    /// applied.
    synced: Option<(String, String)>,
}

impl Catalog {
    /// The built-in catalog. Infallible: a unit test guarantees the table parses, and should
    /// it not, the catalog is empty rather than the program dead.
    pub fn builtin() -> Catalog {
        Catalog::parse(BUILTIN).unwrap_or_default()
    }

    /// Parse a catalog in the `models.toml` format. Repeated `(provider, id)` pairs are an error.
    pub fn parse(text: &str) -> Result<Catalog, String> {
        let file: CatalogFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut catalog = Catalog {
            models: Vec::with_capacity(file.models.len()),
            local_providers: Vec::new(),
            prices_as_of: file.prices_as_of,
            synced: None,
        };
        for entry in file.models {
            let (provider, id) = (entry.provider.clone(), entry.id.clone());
            if catalog.lookup_exact(&provider, &id).is_some() {
                return Err(format!("model {provider}/{id} appears twice"));
            }
            let info = entry
                .build(None, Origin::Builtin)
                .map_err(|e| format!("model {provider}/{id}: {e}"))?;
            catalog.models.push(info);
        }
        for provider in file.local_providers {
            catalog.set_local(&provider, true);
        }
        Ok(catalog)
    }

    /// Add `user` entries; one with the same `(provider, id)` as a known model replaces it.
    pub fn merge(&mut self, user: Vec<ModelInfo>) {
        for info in user {
            match self
                .models
                .iter_mut()
                .find(|m| m.provider == info.provider && m.id == info.id)
            {
                Some(slot) => *slot = info,
                None => self.models.push(info),
            }
        }
    }

    /// Mark `provider` as local (free) or not.
    pub fn set_local(&mut self, provider: &str, local: bool) {
        self.local_providers.retain(|p| p != provider);
        if local {
            self.local_providers.push(provider.to_string());
        }
    }

    /// Whether models on `provider` cost nothing (a local server).
    pub fn is_local_provider(&self, provider: &str) -> bool {
        self.local_providers.iter().any(|p| p == provider)
    }

    /// The entry for exactly `(provider, id)`.
    pub fn lookup_exact(&self, provider: &str, id: &str) -> Option<&ModelInfo> {
        self.models
            .iter()
            .find(|m| m.provider == provider && m.id == id)
    }

    /// The entry for `model` on `provider`: the exact id, else the id without its date
    /// snapshot suffix (`o3-mini-2025-01-31` finds `o3-mini`).
    pub fn lookup(&self, provider: &str, model: &str) -> Option<&ModelInfo> {
        self.lookup_exact(provider, model)
            .or_else(|| strip_date_suffix(model).and_then(|base| self.lookup_exact(provider, base)))
    }

    /// The first entry with id `model` on any provider (date suffixes stripped as in `lookup`).
    pub fn find_model(&self, model: &str) -> Option<&ModelInfo> {
        self.models.iter().find(|m| m.id == model).or_else(|| {
            let base = strip_date_suffix(model)?;
            self.models.iter().find(|m| m.id == base)
        })
    }

    /// All known models, in catalog order.
    pub fn models(&self) -> &[ModelInfo] {
        &self.models
    }

    /// When the prices were last checked: the synced overlay's date when one is applied,
    /// else the built-in table's.
    pub fn prices_as_of(&self) -> Option<&str> {
        match &self.synced {
            Some((at, _)) => Some(at),
            None => self.prices_as_of.as_deref(),
        }
    }

    /// The applied overlay's date and source (a URL or a file), if one was applied.
    pub fn synced(&self) -> Option<(&str, &str)> {
        self.synced
            .as_ref()
            .map(|(at, from)| (at.as_str(), from.as_str()))
    }

    /// Record that an overlay written at `date` from `source` was applied.
    pub fn set_synced(&mut self, date: &str, source: &str) {
        self.synced = Some((date.to_string(), source.to_string()));
    }

    /// What we know of `model` served by `provider`. First the provider's own entry (the
    /// exact id, else without its date suffix). Then, unless `usage.follow_model` is off, the
    /// same model at its vendor: `vendor/id` names the vendor (`openai/o3-mini`), a bare id
    /// is looked up on every vendor (date suffix stripped as well). Knowledge borrowed that
    /// way keeps its price only when the provider charges that vendor's prices
    /// (`usage.prices_of`); otherwise the price is marked as a list price. The entry keeps
    /// its vendor in `provider`.
    pub fn knowledge(&self, provider: &str, model: &str, usage: CatalogUse) -> Option<ModelInfo> {
        if let Some(own) = self.lookup(provider, model) {
            return Some(own.clone());
        }
        if !usage.follow_model {
            return None;
        }
        let found = match model.split_once('/') {
            Some((vendor, id)) => self
                .lookup(vendor, id)
                .or_else(|| self.lookup(vendor, &id.replace('.', "-")))
                .or_else(|| self.find_model(id)),
            None => self.find_model(model),
        }?;
        let mut info = found.clone();
        if let Some(price) = &mut info.price
            && usage.prices_of != Some(found.provider.as_str())
        {
            price.list = true;
        }
        Some(info)
    }
}

/// The request quirks for a model with catalog entry `info` (the resolved knowledge: see
/// [`Catalog::knowledge`]) on `provider`. An unknown model gets the safest guess: `system`
/// role; `max_completion_tokens` only when the server is OpenAI itself; the effort sent when
/// the person picks one; streaming with usage. OpenRouter takes the effort as a `reasoning`
/// object.
pub fn quirks_for(
    info: Option<&ModelInfo>,
    provider: &str,
    provider_is_openai: bool,
) -> RequestQuirks {
    let mut quirks = match info {
        Some(info) => info.quirks(),
        None => RequestQuirks {
            instruction_role: InstructionRole::System,
            max_tokens_field: if provider_is_openai {
                MaxTokensField::MaxCompletionTokens
            } else {
                MaxTokensField::MaxTokens
            },
            accepts_effort: true,
            can_stream: true,
            stream_usage: true,
            ..Default::default()
        },
    };
    if provider == "openrouter" {
        quirks.effort_field = EffortField::ReasoningObject;
    }
    quirks
}

#[cfg(test)]
mod tests;
