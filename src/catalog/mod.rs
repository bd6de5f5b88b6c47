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
//! - models on local providers (Ollama, llama.cpp) cost nothing: [`Catalog::price_for`] gives
//!   a zero price for them, never an unknown one.

use crate::api::{
    ApiKind, EffortField, InstructionRole, MaxTokensField, RequestQuirks, ThinkingStyle,
};
use crate::usage::Price;
use serde::{Deserialize, Serialize};

mod effort;
mod entry;

pub use effort::{EFFORT_LEVELS, effort_rank, effort_to_send, nearest_effort, validate_effort};
pub use entry::{ModelEntry, PriceEntry};

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
        };
        for entry in file.models {
            let (provider, id) = (entry.provider.clone(), entry.id.clone());
            if catalog.lookup_exact(&provider, &id).is_some() {
                return Err(format!("model {provider}/{id} appears twice"));
            }
            let info = entry
                .build(None)
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

    /// What `model` on `provider` costs: zero on a local provider, the catalog price for a
    /// known model, `None` (unknown) otherwise.
    pub fn price_for(&self, provider: &str, model: &str) -> Option<Price> {
        if self.is_local_provider(provider) {
            return Some(Price {
                input: 0.0,
                cached_input: Some(0.0),
                output: 0.0,
                cache_write: Some(0.0),
            });
        }
        self.lookup(provider, model).and_then(|m| m.price)
    }

    /// The request quirks for `model` on `provider`. An unknown model gets the safest guess:
    /// `system` role; `max_completion_tokens` only when the server is OpenAI itself; the
    /// effort sent when the person picks one; streaming with usage. OpenRouter takes the
    /// effort as a `reasoning` object.
    pub fn quirks_for(
        &self,
        provider: &str,
        model: &str,
        provider_is_openai: bool,
    ) -> RequestQuirks {
        let mut quirks = self.model_quirks(provider, model, provider_is_openai);
        if provider == "openrouter" {
            quirks.effort_field = EffortField::ReasoningObject;
        }
        quirks
    }

    fn model_quirks(&self, provider: &str, model: &str, provider_is_openai: bool) -> RequestQuirks {
        match self.lookup(provider, model) {
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> Catalog {
        Catalog::parse(BUILTIN).unwrap()
    }

    fn price(c: &Catalog, provider: &str, id: &str) -> (f64, Option<f64>, f64) {
        let p = c.lookup(provider, id).unwrap().price.unwrap();
        (p.input, p.cached_input, p.output)
    }

    #[test]
    fn builtin_parses_and_has_every_table_model() {
        let c = builtin();
        assert_eq!(Catalog::builtin(), c);
        let openai = [
            "o1-preview",
            "o1-mini",
            "o1",
            "o1-pro",
            "o3-mini",
            "o3",
            "o4-mini",
            "gpt-4o",
            "gpt-4o-mini",
            "gpt-4.1",
            "gpt-4.1-mini",
            "gpt-4.1-nano",
            "gpt-5",
            "gpt-5-mini",
            "gpt-5-nano",
            "gpt-5.1",
            "gpt-5.2",
        ];
        let anthropic = [
            "claude-sonnet-4",
            "claude-sonnet-4-5",
            "claude-opus-4",
            "claude-opus-4-1",
            "claude-opus-4-5",
            "claude-haiku-4-5",
        ];
        for id in openai {
            let m = c.lookup("openai", id).unwrap_or_else(|| panic!("{id}"));
            // Reasoning models that Responses serves use it (for their reasoning summaries).
            let responses = m.reasoning && !["o1-mini", "o1-preview"].contains(&id);
            let want = if responses {
                ApiKind::Responses
            } else {
                ApiKind::Chat
            };
            assert_eq!(m.api, want, "{id}");
            assert_eq!(
                m.max_tokens_field,
                MaxTokensField::MaxCompletionTokens,
                "{id}"
            );
        }
        for id in anthropic {
            assert_eq!(c.lookup("anthropic", id).unwrap().api, ApiKind::Anthropic);
        }
        for id in ["deepseek-chat", "deepseek-reasoner"] {
            let m = c.lookup("deepseek", id).unwrap();
            assert_eq!(
                (m.max_tokens_field, m.context_window),
                (MaxTokensField::MaxTokens, Some(128000))
            );
        }
        // The offline demo's models are priced as the families they stand for.
        let demo = [
            ("demo-o", "openai", "o3-mini", ApiKind::Chat),
            ("demo-r1", "deepseek", "deepseek-reasoner", ApiKind::Chat),
            (
                "demo-claude",
                "anthropic",
                "claude-sonnet-4-5",
                ApiKind::Anthropic,
            ),
            ("demo-chat", "openai", "gpt-4o-mini", ApiKind::Chat),
        ];
        for (id, family_provider, family, api) in demo {
            let m = c.lookup("demo", id).unwrap();
            assert_eq!(m.api, api, "{id}");
            assert_eq!(
                m.price,
                c.lookup(family_provider, family).unwrap().price,
                "{id}"
            );
        }
        assert_eq!(
            c.models().len(),
            openai.len() + anthropic.len() + 2 + demo.len()
        );
        assert!(
            c.models()
                .iter()
                .all(|m| m.price.is_some() && m.context_window.is_some())
        );
    }

    #[test]
    fn builtin_prices_match_the_table() {
        let c = builtin();
        assert_eq!(price(&c, "openai", "o1-mini"), (1.10, Some(0.55), 4.40));
        assert_eq!(price(&c, "openai", "o1-pro"), (150.0, None, 600.0));
        assert_eq!(price(&c, "openai", "o4-mini"), (1.10, Some(0.275), 4.40));
        assert_eq!(price(&c, "openai", "gpt-4o"), (2.50, Some(1.25), 10.0));
        assert_eq!(
            price(&c, "openai", "gpt-4.1-nano"),
            (0.10, Some(0.025), 0.40)
        );
        assert_eq!(price(&c, "openai", "gpt-5-nano"), (0.05, Some(0.005), 0.40));
        assert_eq!(price(&c, "openai", "gpt-5.2"), (1.75, Some(0.175), 14.0));
        assert_eq!(
            price(&c, "deepseek", "deepseek-reasoner"),
            (0.28, Some(0.028), 0.42)
        );
        assert_eq!(
            price(&c, "anthropic", "claude-opus-4-5"),
            (5.0, Some(0.50), 25.0)
        );
        assert_eq!(
            price(&c, "anthropic", "claude-haiku-4-5"),
            (1.0, Some(0.10), 5.0)
        );
        assert_eq!(
            c.lookup("openai", "gpt-4.1").unwrap().context_window,
            Some(1_047_576)
        );
        assert_eq!(
            c.lookup("openai", "o1-mini").unwrap().max_output_tokens,
            Some(65_536)
        );
    }

    #[test]
    fn builtin_reasoning_knobs() {
        let c = builtin();
        let m = |id: &str| c.find_model(id).unwrap();
        assert_eq!(m("o3-mini").efforts, ["low", "medium", "high"]);
        assert_eq!(m("o3-mini").default_effort.as_deref(), Some("medium"));
        assert_eq!(
            m("gpt-5-mini").efforts,
            ["minimal", "low", "medium", "high"]
        );
        assert_eq!(m("gpt-5.1").default_effort.as_deref(), Some("none"));
        assert_eq!(
            m("gpt-5.2").efforts.last().map(String::as_str),
            Some("xhigh")
        );
        assert!(m("o1-mini").efforts.is_empty() && !m("o1-mini").accepts_effort);
        assert_eq!(
            m("o1-preview").instruction_role,
            InstructionRole::FoldIntoUser
        );
        assert_eq!(m("o1").instruction_role, InstructionRole::Developer);
        assert!(m("o1").can_stream && !m("o1-pro").can_stream);
        assert!(!m("gpt-4o").reasoning && !m("gpt-4o").rejects_temperature);
        assert!(m("deepseek-reasoner").reasoning && !m("deepseek-reasoner").accepts_effort);
        assert!(!m("deepseek-chat").reasoning);
        assert_eq!(m("claude-sonnet-4-5").default_effort, None);
        let q = m("o1-pro").quirks();
        assert!(!q.can_stream && q.accepts_effort && q.stream_usage);
    }

    #[test]
    fn date_suffix_lookup() {
        let c = builtin();
        assert_eq!(strip_date_suffix("o3-mini-2025-01-31"), Some("o3-mini"));
        assert_eq!(
            strip_date_suffix("claude-sonnet-4-20250514"),
            Some("claude-sonnet-4")
        );
        assert_eq!(strip_date_suffix("gpt-4.1"), None);
        assert_eq!(strip_date_suffix("claude-opus-4-1"), None);
        assert_eq!(strip_date_suffix("-20250514"), None);
        assert_eq!(
            c.lookup("openai", "o3-mini-2025-01-31").unwrap().id,
            "o3-mini"
        );
        assert_eq!(c.lookup("openai", "o1-2024-12-17").unwrap().id, "o1");
        assert_eq!(
            c.lookup("anthropic", "claude-sonnet-4-20250514")
                .unwrap()
                .id,
            "claude-sonnet-4"
        );
        assert!(c.lookup("deepseek", "o3-mini").is_none());
        assert_eq!(
            c.find_model("gpt-4o-2024-08-06").unwrap().provider,
            "openai"
        );
        assert!(c.find_model("llama3.2").is_none());
    }

    #[test]
    fn merge_overrides_and_adds() {
        let mut c = builtin();
        let n = c.models().len();
        let base = c.lookup_exact("openai", "o3").cloned();
        let entry = ModelEntry {
            id: "o3".into(),
            provider: "openai".into(),
            price: Some(PriceEntry {
                input: 1.0,
                cached_input: None,
                output: 4.0,
                cache_write: None,
            }),
            ..Default::default()
        };
        let o3 = entry.build(base.as_ref()).unwrap();
        assert_eq!(o3.efforts, ["low", "medium", "high"]);
        let qwq = ModelEntry {
            id: "qwq".into(),
            provider: "ollama".into(),
            efforts: Some(vec!["high".into(), "low".into()]),
            ..Default::default()
        }
        .build(None)
        .unwrap();
        assert_eq!(qwq.efforts, ["low", "high"]);
        assert!(qwq.reasoning && qwq.accepts_effort && qwq.rejects_temperature);
        assert_eq!(qwq.max_tokens_field, MaxTokensField::MaxTokens);
        c.merge(vec![o3, qwq]);
        assert_eq!(c.models().len(), n + 1);
        assert_eq!(price(&c, "openai", "o3"), (1.0, None, 4.0));
        assert_eq!(
            c.price_for("ollama", "anything").map(|p| p.output),
            Some(0.0)
        );
        assert!(c.price_for("openrouter", "openai/o3").is_none());
    }

    #[test]
    fn unknown_model_quirks() {
        let c = builtin();
        let q = c.quirks_for("ollama", "llama3.2", false);
        assert_eq!(
            (q.instruction_role, q.max_tokens_field),
            (InstructionRole::System, MaxTokensField::MaxTokens)
        );
        assert!(q.accepts_effort && q.can_stream && q.stream_usage);
        let q = c.quirks_for("openai", "gpt-9", true);
        assert_eq!(q.max_tokens_field, MaxTokensField::MaxCompletionTokens);
        let q = c.quirks_for("openai", "o1-mini", true);
        assert_eq!(q.instruction_role, InstructionRole::FoldIntoUser);
    }
}
