//! Reading a public catalog in the models.dev format (what `thinkbench models sync` reads)
//! into overlay entries, and what a new overlay changes against the catalog in use.
//!
//! The format: a JSON map of providers (at the top, or under `providers`), each with a
//! `models` map of model objects carrying `cost {input, output, cache_read, cache_write,
//! context_over_200k}` (USD per 1M tokens), `limit {context, output}`, `reasoning`,
//! `modalities {input, output}` and `status`.
//!
//! Invariants:
//! - only the providers thinkbench speaks to are read ([`PROVIDERS`]); the rest is ignored;
//! - a text that is not JSON, not a map of providers, or holds no model of those providers is
//!   an error, so a truncated or wrong download never becomes an overlay;
//! - a model whose figures make no sense (a price that is negative, not a number or over
//!   [`MAX_PRICE`], a limit over [`MAX_TOKENS`], an id with spaces or control characters) is
//!   skipped and named; the others stand;
//! - for a model the catalog already knows, only published figures are taken (limits, prices,
//!   vision): its reasoning, efforts and request rules stay the catalog's; a model it does
//!   not know also takes `reasoning`, and no effort levels (the format has none);
//! - every entry returned builds on the catalog it was read against (`ModelEntry::build`).

use super::{Catalog, ModelEntry, ModelInfo, Origin, Origins, PriceEntry};
use crate::usage::{Price, PriceTier};
use serde_json::{Map, Value};

/// The providers read from the file: those whose wire and prices thinkbench knows.
pub const PROVIDERS: [&str; 3] = ["openai", "anthropic", "deepseek"];

/// Where `models sync` reads from unless told otherwise.
pub const DEFAULT_URL: &str = "https://models.dev/api.json";

/// The highest price per 1M tokens taken as real.
pub const MAX_PRICE: f64 = 10_000.0;

/// The largest context or output limit taken as real.
pub const MAX_TOKENS: u64 = 1_000_000_000;

/// The prompt size above which `context_over_200k` rates apply.
const LONG_CONTEXT: u64 = 200_000;

/// Longest model id taken.
const MAX_ID: usize = 200;

/// What was read.
#[derive(Debug, Default, PartialEq)]
pub struct Read {
    /// One entry per usable model, in the file's order per provider.
    pub entries: Vec<ModelEntry>,
    /// `provider/id: why` for each model left out because its figures make no sense.
    pub skipped: Vec<String>,
    /// Models left out because they are deprecated and not in the catalog already.
    pub deprecated: usize,
}

/// Read `text` against `known` (the built-in table: what a known model keeps).
pub fn read_models_dev(text: &str, known: &Catalog) -> Result<Read, String> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| format!("not a complete JSON document ({e}); nothing was changed"))?;
    let top = value
        .as_object()
        .ok_or("not a models.dev catalog: the top is not a map of providers")?;
    let providers = match top.get("providers") {
        Some(Value::Object(map)) => map,
        _ => top,
    };
    let mut read = Read::default();
    let mut seen = 0;
    for provider in PROVIDERS {
        let Some(models) = providers
            .get(provider)
            .and_then(|p| p.get("models"))
            .and_then(Value::as_object)
        else {
            continue;
        };
        seen += 1;
        for (key, model) in models {
            let id = model.get("id").and_then(Value::as_str).unwrap_or(key);
            let named = format!("{provider}/{}", id.escape_debug());
            if let Err(why) = check_id(id) {
                read.skipped.push(format!("{named}: {why}"));
                continue;
            }
            let base = known.lookup(provider, id);
            let deprecated = model.get("status").and_then(Value::as_str) == Some("deprecated");
            if deprecated && base.is_none() {
                read.deprecated += 1;
                continue;
            }
            match entry(provider, id, model, base) {
                Ok(Some(entry)) => read.entries.push(entry),
                Ok(None) => {}
                Err(why) => read.skipped.push(format!("{named}: {why}")),
            }
        }
    }
    if seen == 0 {
        return Err(format!(
            "not a models.dev catalog: no `models` for any of {}",
            PROVIDERS.join(", ")
        ));
    }
    if read.entries.is_empty() {
        return Err(format!(
            "the catalog has no usable model of {}; nothing was changed",
            PROVIDERS.join(", ")
        ));
    }
    Ok(read)
}

fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > MAX_ID {
        return Err(format!("the id is empty or longer than {MAX_ID} bytes"));
    }
    if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the id has spaces or control characters".to_string());
    }
    Ok(())
}

/// The entry for one model; `None` when it publishes nothing thinkbench uses (no price, no
/// limit, no input modalities) or is not a text model.
fn entry(
    provider: &str,
    id: &str,
    model: &Value,
    base: Option<&ModelInfo>,
) -> Result<Option<ModelEntry>, String> {
    let model = model.as_object().ok_or("not an object")?;
    let modalities = model.get("modalities").and_then(Value::as_object);
    let listed = |side: &str| {
        modalities
            .and_then(|m| m.get(side))
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(Value::as_str).collect::<Vec<_>>())
    };
    if listed("output").is_some_and(|out| !out.contains(&"text")) {
        return Ok(None);
    }
    let vision = listed("input").map(|inputs| inputs.contains(&"image"));
    let price = match model.get("cost") {
        None | Some(Value::Null) => None,
        Some(Value::Object(cost)) => price(cost)?,
        Some(_) => return Err("`cost` is not an object".to_string()),
    };
    let limit = model.get("limit").and_then(Value::as_object);
    let context_window = limit.map(|l| tokens(l, "context")).transpose()?.flatten();
    let max_output_tokens = limit.map(|l| tokens(l, "output")).transpose()?.flatten();
    if price.is_none()
        && context_window.is_none()
        && max_output_tokens.is_none()
        && vision.is_none()
    {
        return Ok(None);
    }
    let reasoning = match base {
        Some(_) => None,
        None => model.get("reasoning").and_then(Value::as_bool),
    };
    let entry = ModelEntry {
        id: id.to_string(),
        provider: provider.to_string(),
        context_window,
        max_output_tokens,
        price,
        reasoning,
        vision,
        ..Default::default()
    };
    entry.clone().build(base, Origin::Synced)?;
    Ok(Some(entry))
}

/// A limit: a whole number of tokens; 0 or absent is "not published".
fn tokens(limit: &Map<String, Value>, key: &str) -> Result<Option<u64>, String> {
    match limit.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(0) => Ok(None),
            Some(v) if v <= MAX_TOKENS => Ok(Some(v)),
            _ => Err(format!(
                "`limit.{key}` = {n} is not a plausible token count"
            )),
        },
        Some(other) => Err(format!("`limit.{key}` = {other} is not a number")),
    }
}

/// The price in a `cost` object; `None` when it has no input and output price.
fn price(cost: &Map<String, Value>) -> Result<Option<PriceEntry>, String> {
    let (Some(input), Some(output)) = (rate(cost, "input")?, rate(cost, "output")?) else {
        return Ok(None);
    };
    let tier = match cost.get("context_over_200k") {
        None | Some(Value::Null) => None,
        Some(Value::Object(over)) => match (rate(over, "input")?, rate(over, "output")?) {
            (Some(input), Some(output)) => Some(PriceTier {
                above_input: LONG_CONTEXT,
                input,
                cached_input: rate(over, "cache_read")?,
                output,
                cache_write: rate(over, "cache_write")?,
            }),
            _ => None,
        },
        Some(_) => return Err("`cost.context_over_200k` is not an object".to_string()),
    };
    Ok(Some(PriceEntry {
        input,
        cached_input: rate(cost, "cache_read")?,
        output,
        cache_write: rate(cost, "cache_write")?,
        tier,
    }))
}

/// One price per 1M tokens.
fn rate(cost: &Map<String, Value>, key: &str) -> Result<Option<f64>, String> {
    match cost.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(v) if v.is_finite() && (0.0..=MAX_PRICE).contains(&v) => Ok(Some(v)),
            _ => Err(format!("price `{key}` = {n} is not a plausible price")),
        },
        Some(other) => Err(format!("price `{key}` = {other} is not a number")),
    }
}

/// A model whose figures differ between two catalogs.
#[derive(Debug, PartialEq)]
pub struct Changed {
    pub provider: String,
    pub id: String,
    pub before: Option<Price>,
    pub after: Option<Price>,
    /// Context window and max output, before and after.
    pub limits: [(Option<u64>, Option<u64>); 2],
}

/// What changes when `after` replaces `before`, over [`PROVIDERS`].
#[derive(Debug, Default, PartialEq)]
pub struct Changes {
    /// Models `before` did not have.
    pub new: Vec<ModelInfo>,
    /// Models whose price changed.
    pub prices: Vec<Changed>,
    /// Models whose price stayed and whose limits changed.
    pub limits: Vec<Changed>,
    /// Models `after` no longer has (an earlier sync had added them): `provider/id`.
    pub gone: Vec<String>,
    /// Models the new overlay names with the same price and limits as before.
    pub unchanged: usize,
}

/// Compare the catalog in use with the one a new overlay makes.
pub fn changes(before: &Catalog, after: &Catalog) -> Changes {
    let mut out = Changes::default();
    for m in after.models() {
        if !PROVIDERS.contains(&m.provider.as_str()) {
            continue;
        }
        let Some(old) = before.lookup_exact(&m.provider, &m.id) else {
            out.new.push(m.clone());
            continue;
        };
        let changed = Changed {
            provider: m.provider.clone(),
            id: m.id.clone(),
            before: old.price,
            after: m.price,
            limits: [
                (old.context_window, m.context_window),
                (old.max_output_tokens, m.max_output_tokens),
            ],
        };
        if old.price != m.price {
            out.prices.push(changed);
        } else if changed.limits.iter().any(|(a, b)| a != b) {
            out.limits.push(changed);
        } else if m.origins != Origins::all(Origin::Builtin) {
            // Counted among the models the new overlay names, not the whole table.
            out.unchanged += 1;
        }
    }
    for m in before.models() {
        if PROVIDERS.contains(&m.provider.as_str())
            && after.lookup_exact(&m.provider, &m.id).is_none()
        {
            out.gone.push(format!("{}/{}", m.provider, m.id));
        }
    }
    out
}

#[cfg(test)]
mod tests;
