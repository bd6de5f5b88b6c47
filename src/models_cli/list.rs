//! `thinkbench models`: one row per model the configured providers offer in the catalog,
//! with its limits, prices, reasoning, vision, streaming and where each figure came from; as
//! a table or as JSON.
//!
//! Invariants: every figure comes from the resolved catalog (built-in, then the synced
//! overlay, then the config file's `[[models]]`), never from a second table; an unknown figure
//! is `?` in the table and `null` in JSON, never 0; a model on a local provider is free.

use crate::catalog::display::{per_million, tokens};
use crate::catalog::{ModelInfo, Origin};
use crate::config::Settings;
use crate::usage::Price;
use serde_json::{Value, json};

/// The models to list: `only` one provider, or every configured one in order. Providers with
/// no entry of their own are named in the second list (their models borrow the catalog's
/// figures by id). An unknown `only` is an error naming the providers there are.
pub fn rows<'a>(
    settings: &'a Settings,
    only: Option<&str>,
) -> Result<(Vec<&'a ModelInfo>, Vec<String>), String> {
    let names: Vec<&str> = settings.providers.iter().map(|p| p.name.as_str()).collect();
    if let Some(name) = only
        && !names.contains(&name)
    {
        return Err(format!(
            "no provider `{name}` (there are: {})",
            names.join(", ")
        ));
    }
    let mut models = Vec::new();
    let mut without = Vec::new();
    for name in names.into_iter().filter(|n| only.is_none_or(|o| o == *n)) {
        let before = models.len();
        models.extend(
            settings
                .catalog
                .models()
                .iter()
                .filter(|m| m.provider == name),
        );
        if models.len() == before {
            without.push(name.to_string());
        }
    }
    Ok((models, without))
}

/// Where the prices are from, in one line: `prices as of 2026-07-01 (built-in table)`.
pub fn as_of(settings: &Settings) -> String {
    let catalog = &settings.catalog;
    match (catalog.synced(), catalog.prices_as_of()) {
        (Some((at, from)), _) => format!("prices as of {at} (synced from {from})"),
        (None, Some(at)) => format!("prices as of {at} (built-in table)"),
        (None, None) => "prices: built-in table".to_string(),
    }
}

/// The table, in USD per 1M tokens; a tier's rates on a line of their own under its model.
pub fn table(settings: &Settings, models: &[&ModelInfo], without: &[String]) -> String {
    let head = [
        "PROVIDER",
        "MODEL",
        "CONTEXT",
        "MAX OUT",
        "INPUT",
        "CACHED",
        "WRITE",
        "OUTPUT",
        "REASONING",
        "VISION",
        "STREAM",
        "FROM",
    ];
    let mut cells: Vec<Vec<String>> = vec![head.iter().map(|s| s.to_string()).collect()];
    let mut tiers = Vec::new();
    for m in models {
        let local = settings.catalog.is_local_provider(&m.provider);
        let rate = |r: Option<f64>| r.map_or("-".to_string(), per_million);
        let prices = match m.price {
            _ if local => ["free".to_string(), "-".into(), "-".into(), "free".into()],
            Some(p) => [
                per_million(p.input),
                rate(p.cached_input),
                rate(p.cache_write),
                per_million(p.output),
            ],
            None => ["?".to_string(), "?".into(), "?".into(), "?".into()],
        };
        let [input, cached, write, output] = prices;
        cells.push(vec![
            m.provider.clone(),
            m.id.clone(),
            tokens(m.context_window),
            tokens(m.max_output_tokens),
            input,
            cached,
            write,
            output,
            reasoning(m),
            m.vision.map_or("?", yes).to_string(),
            yes(m.can_stream).to_string(),
            from(m),
        ]);
        tiers.push(m.price.and_then(|p| p.tier).filter(|_| !local));
    }
    let widths: Vec<usize> = (0..head.len())
        .map(|c| {
            cells
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    // Figures align right, words left.
    let right = |c: usize| (2..8).contains(&c);
    let mut out = String::new();
    for (i, row) in cells.iter().enumerate() {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| match right(c) {
                true => format!("{cell:>w$}", w = widths[c]),
                false => format!("{cell:<w$}", w = widths[c]),
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
        if let Some(Some(t)) = i.checked_sub(1).and_then(|r| tiers.get(r)) {
            let indent = widths[0] + widths[1] + 4;
            out.push_str(&format!(
                "{:indent$}prompts over {}: input {}, cached {}, write {}, output {}\n",
                "",
                tokens(Some(t.above_input)),
                per_million(t.input),
                t.cached_input.map_or("-".to_string(), per_million),
                t.cache_write.map_or("-".to_string(), per_million),
                per_million(t.output),
            ));
        }
    }
    out.push_str(&format!(
        "\n{} models; USD per 1M tokens; * the default effort; {}.\n",
        models.len(),
        as_of(settings)
    ));
    if !without.is_empty() {
        out.push_str(&format!(
            "No catalog entries of their own: {}. A known model id there borrows its vendor's \
             figures (a list price, unless the provider's config says `prices = \"VENDOR\"`); \
             the picker lists what each server serves.\n",
            without.join(", ")
        ));
    }
    out
}

/// One JSON object: `prices_as_of`, `synced` (or null), `models`, and
/// `providers_without_entries`.
pub fn json(settings: &Settings, models: &[&ModelInfo], without: &[String]) -> Value {
    let catalog = &settings.catalog;
    let rows: Vec<Value> = models
        .iter()
        .map(|m| {
            let local = catalog.is_local_provider(&m.provider);
            json!({
                "provider": m.provider,
                "id": m.id,
                "api": m.api.as_str(),
                "context_window": m.context_window,
                "max_output_tokens": m.max_output_tokens,
                "local": local,
                "price": if local { price_json(&Price::FREE) } else { m.price.as_ref().map_or(Value::Null, price_json) },
                "reasoning": m.reasoning,
                "efforts": m.efforts,
                "default_effort": m.default_effort,
                "vision": m.vision,
                "streaming": m.can_stream,
                "origins": {
                    "price": m.origins.price.label(),
                    "limits": m.origins.limits.label(),
                    "capabilities": m.origins.capabilities.label(),
                },
            })
        })
        .collect();
    json!({
        "prices_as_of": catalog.prices_as_of(),
        "synced": catalog.synced().map(|(at, from)| json!({"at": at, "source": from})),
        "models": rows,
        "providers_without_entries": without,
    })
}

/// A price in USD per 1M tokens; rates the catalog does not give are `null`.
fn price_json(p: &Price) -> Value {
    json!({
        "input": p.input,
        "cached_input": p.cached_input,
        "cache_write": p.cache_write,
        "output": p.output,
        "tier": p.tier.map(|t| json!({
            "above_input": t.above_input,
            "input": t.input,
            "cached_input": t.cached_input,
            "cache_write": t.cache_write,
            "output": t.output,
        })),
    })
}

fn yes(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

/// `low·medium*·high` (the default marked `*`), `yes` for a model that reasons without
/// effort levels, `-` for none.
fn reasoning(m: &ModelInfo) -> String {
    match (m.reasoning, m.efforts.is_empty()) {
        (false, _) => "-".to_string(),
        (true, true) => "yes".to_string(),
        (true, false) => m
            .efforts
            .iter()
            .map(|e| match m.default_effort.as_ref() == Some(e) {
                true => format!("{e}*"),
                false => e.clone(),
            })
            .collect::<Vec<_>>()
            .join("·"),
    }
}

/// `built-in` when every figure came from one place, else each: `price synced, limits
/// built-in, capabilities config`.
fn from(m: &ModelInfo) -> String {
    let o = m.origins;
    if o.price == o.limits && o.limits == o.capabilities {
        return o.price.label().to_string();
    }
    let part = |name: &str, origin: Origin| format!("{name} {}", origin.label());
    [
        part("price", o.price),
        part("limits", o.limits),
        part("capabilities", o.capabilities),
    ]
    .join(", ")
}
