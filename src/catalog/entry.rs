//! One `[[models]]` entry as written in `models.toml` or the config file, and how it becomes a
//! valid [`ModelInfo`]: fields left out keep the values of the entry being overridden, or take
//! the defaults documented at the top of `models.toml`.
//!
//! Invariant: [`ModelEntry::build`] either returns a `ModelInfo` that satisfies the catalog's
//! invariants (known effort levels in canonical order, a default among them, sane prices and
//! limits) or says what is wrong; it never fills in a value the person wrote wrongly.

use super::effort::normalize_efforts;
use super::{ModelInfo, Origin, Origins};
use crate::api::{ApiKind, InstructionRole, MaxTokensField, ThinkingStyle};
use crate::usage::{Price, PriceTier};
use serde::{Deserialize, Serialize};

/// A price as written in a `[[models]]` entry.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PriceEntry {
    pub input: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cached_input: Option<f64>,
    pub output: f64,
    /// Price of prompt-cache writes (Anthropic); unset bills them as input.
    #[serde(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_write: Option<f64>,
    /// Long-context rates: `{ above_input, input, cached_input, output, cache_write }`,
    /// applied to a whole request whose prompt is larger than `above_input` tokens.
    #[serde(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<PriceTier>,
}

/// One `[[models]]` entry as written in `models.toml` or the config file, before defaults
/// are filled in. Only `id` and `provider` are required (see the header of `models.toml`).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ModelEntry {
    pub id: String,
    pub provider: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<ApiKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context_window: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<PriceEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub efforts: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_effort: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instruction_role: Option<InstructionRole>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens_field: Option<MaxTokensField>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepts_effort: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_stream: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejects_temperature: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thinking: Option<ThinkingStyle>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slow: Option<bool>,
    /// The model takes images as input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vision: Option<bool>,
}

impl ModelEntry {
    /// Turn the entry into a valid [`ModelInfo`]. With a `base` (the entry this one
    /// overrides), fields the entry leaves out keep the base's values (and the base's record
    /// of where they came from); without one they take the documented defaults. What the
    /// entry sets is recorded as coming from `origin`. Errors say what is wrong, without
    /// naming the entry.
    pub fn build(self, base: Option<&ModelInfo>, origin: Origin) -> Result<ModelInfo, String> {
        if self.id.trim().is_empty() {
            return Err("`id` is empty".to_string());
        }
        if self.provider.trim().is_empty() || self.provider.contains('/') {
            return Err(format!(
                "`provider = {:?}` is not a provider name (no `/`, not empty)",
                self.provider
            ));
        }
        let efforts_given = self.efforts.is_some();
        let efforts = match self.efforts {
            Some(levels) => normalize_efforts(levels)?,
            None => base.map(|b| b.efforts.clone()).unwrap_or_default(),
        };
        let default_effort = match (self.default_effort, base) {
            (Some(effort), _) => Some(effort),
            // A base default that the new levels no longer include does not carry over.
            (None, Some(b)) => b.default_effort.clone().filter(|d| efforts.contains(d)),
            (None, None) => None,
        };
        if let Some(d) = &default_effort
            && !efforts.contains(d)
        {
            return Err(if efforts.is_empty() {
                format!("`default_effort = {d:?}` but `efforts` is empty")
            } else {
                format!(
                    "`default_effort = {d:?}` is not one of `efforts` ({})",
                    efforts.join(", ")
                )
            });
        }
        let derived_from_efforts = base.is_none() || efforts_given;
        let reasoning = self.reasoning.unwrap_or(match base {
            Some(b) if !efforts_given => b.reasoning,
            Some(b) => b.reasoning || !efforts.is_empty(),
            None => !efforts.is_empty(),
        });
        let accepts_effort = match (self.accepts_effort, base) {
            (Some(a), _) => a,
            (None, Some(b)) if !derived_from_efforts => b.accepts_effort,
            _ => !efforts.is_empty(),
        };
        let base_origins = base.map_or(Origins::all(origin), |b| b.origins);
        let origins = Origins {
            price: if self.price.is_some() {
                origin
            } else {
                base_origins.price
            },
            limits: if self.context_window.is_some() || self.max_output_tokens.is_some() {
                origin
            } else {
                base_origins.limits
            },
            capabilities: if self.reasoning.is_some() || efforts_given || self.vision.is_some() {
                origin
            } else {
                base_origins.capabilities
            },
        };
        let price = match self.price {
            Some(p) => Some(check_price(p)?),
            None => base.and_then(|b| b.price),
        };
        for (name, value) in [
            ("context_window", self.context_window),
            ("max_output_tokens", self.max_output_tokens),
        ] {
            if value == Some(0) {
                return Err(format!("`{name}` must be greater than 0"));
            }
        }
        let default_api = if self.provider == "anthropic" {
            ApiKind::Anthropic
        } else {
            ApiKind::Chat
        };
        let default_field = if self.provider == "openai" {
            MaxTokensField::MaxCompletionTokens
        } else {
            MaxTokensField::MaxTokens
        };
        Ok(ModelInfo {
            api: self.api.or(base.map(|b| b.api)).unwrap_or(default_api),
            context_window: self.context_window.or(base.and_then(|b| b.context_window)),
            max_output_tokens: self
                .max_output_tokens
                .or(base.and_then(|b| b.max_output_tokens)),
            price,
            reasoning,
            efforts,
            default_effort,
            instruction_role: self
                .instruction_role
                .or(base.map(|b| b.instruction_role))
                .unwrap_or_default(),
            max_tokens_field: self
                .max_tokens_field
                .or(base.map(|b| b.max_tokens_field))
                .unwrap_or(default_field),
            accepts_effort,
            can_stream: self
                .can_stream
                .or(base.map(|b| b.can_stream))
                .unwrap_or(true),
            rejects_temperature: self
                .rejects_temperature
                .or(base.map(|b| b.rejects_temperature))
                .unwrap_or(reasoning),
            thinking: self
                .thinking
                .or(base.map(|b| b.thinking))
                .unwrap_or_default(),
            slow: self.slow.or(base.map(|b| b.slow)).unwrap_or(false),
            vision: self.vision.or(base.and_then(|b| b.vision)),
            origins,
            id: self.id,
            provider: self.provider,
        })
    }
}

fn check_price(p: PriceEntry) -> Result<Price, String> {
    let ok = |v: f64| v.is_finite() && v >= 0.0;
    let rates_ok = |input: f64, cached: Option<f64>, output: f64, write: Option<f64>| {
        ok(input) && ok(output) && cached.is_none_or(ok) && write.is_none_or(ok)
    };
    if !rates_ok(p.input, p.cached_input, p.output, p.cache_write) {
        return Err("prices must be finite numbers, 0 or more".to_string());
    }
    if let Some(t) = &p.tier {
        if !rates_ok(t.input, t.cached_input, t.output, t.cache_write) {
            return Err("tier prices must be finite numbers, 0 or more".to_string());
        }
        if t.above_input == 0 {
            return Err("`tier.above_input` must be greater than 0".to_string());
        }
    }
    Ok(Price {
        tier: p.tier,
        ..Price::flat(p.input, p.cached_input, p.output, p.cache_write)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn bad_entries_are_refused() {
        let entry = |efforts: &[&str], default: Option<&str>| ModelEntry {
            id: "m".into(),
            provider: "p".into(),
            efforts: Some(efforts.iter().map(|s| s.to_string()).collect()),
            default_effort: default.map(str::to_string),
            ..Default::default()
        };
        assert!(
            entry(&["low", "extreme"], None)
                .build(None, Origin::Builtin)
                .unwrap_err()
                .contains("extreme")
        );
        assert!(
            entry(&["low", "low"], None)
                .build(None, Origin::Builtin)
                .unwrap_err()
                .contains("twice")
        );
        assert!(
            entry(&["low"], Some("high"))
                .build(None, Origin::Builtin)
                .unwrap_err()
                .contains("default_effort")
        );
        assert!(Catalog::parse("[[models]]\nid = \"x\"\nprovider = \"a\"\n[[models]]\nid = \"x\"\nprovider = \"a\"\n").is_err());
        assert!(Catalog::parse("[[models]]\nid = \"x\"\nprovider = \"a\"\ncost = 1\n").is_err());
    }
}
