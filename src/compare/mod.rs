//! Comparisons: one prompt, several arms. An arm is `[PROVIDER/]MODEL[@EFFORT]`
//! (`o3-mini@low`, `openai/o3-mini@high`, `deepseek-reasoner`).
//!
//! This module turns what the person wrote into resolved [`Arm`]s (used by the TUI's
//! `/compare` and `/sweep` and by the `compare`/`sweep` commands alike), summarises finished
//! arms ([`stats`]) and runs a comparison headless ([`run`], printed by [`report`]).
//!
//! Invariants: an arm whose effort its model does not take is refused before anything is
//! sent, naming the levels it accepts (never clamped as `ask`'s `--effort` is: an arm's label
//! says what it sent, and two arms must not become one); an arm without `@EFFORT` is sent with its model's
//! default effort; the same arm twice is refused (repeat runs with `--runs`); an arm whose
//! provider needs a key that is not set is refused, naming the variable; with a base URL
//! given on the command line, an arm without a `PROVIDER/` prefix goes to that URL (as
//! `ask --base-url URL -m MODEL` does), never to its catalog provider's own server.

pub mod report;
pub mod run;
pub mod stats;

use crate::catalog::{self, EFFORT_LEVELS};
use crate::config::Settings;
pub use crate::session::Arm;

/// Fewest and most arms a comparison in the TUI takes.
pub const TUI_ARMS: std::ops::RangeInclusive<usize> = 2..=6;
/// Most arms (times runs) one headless comparison sends.
pub const MAX_REQUESTS: usize = 64;

/// `[PROVIDER/]MODEL[@EFFORT]` split into the model spec and the effort.
pub fn parse_arm(text: &str) -> Result<(String, Option<String>), String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("an arm is empty: write MODEL or MODEL@EFFORT".to_string());
    }
    match text.rsplit_once('@') {
        Some((model, effort)) => {
            let (model, effort) = (model.trim(), effort.trim());
            if model.is_empty() {
                return Err(format!("arm `{text}` names no model before the `@`"));
            }
            if catalog::effort_rank(effort).is_none() {
                return Err(format!(
                    "arm `{text}`: `{effort}` is not an effort level (levels: {})",
                    EFFORT_LEVELS.join(", ")
                ));
            }
            Ok((model.to_string(), Some(effort.to_string())))
        }
        None => Ok((text.to_string(), None)),
    }
}

/// Resolve one arm against the current settings: its provider, endpoint, key and catalog
/// entry (as switching to its model would), with its effort checked against the model.
pub fn resolve_arm(
    base: &Settings,
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Arm, String> {
    resolve_spec(base, text, text, env)
}

/// [`resolve_arm`] of `spec`, labelled as the person wrote it (`text`).
fn resolve_spec(
    base: &Settings,
    text: &str,
    spec: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Arm, String> {
    let (model, effort) = parse_arm(spec)?;
    let mut settings = base
        .switch_model(&model, env)
        .map_err(|e| format!("arm `{}`: {e}", text.trim()))?;
    settings.effort = match effort {
        Some(level) => {
            check_effort(&settings, &level).map_err(|e| format!("arm `{}`: {e}", text.trim()))?;
            Some(level)
        }
        None => settings
            .model_info
            .as_ref()
            .and_then(|m| m.default_effort.clone()),
    };
    if let Some(why) = settings.missing_key() {
        return Err(format!("arm `{}`: {why}", text.trim()));
    }
    Ok(Arm {
        label: text.trim().to_string(),
        settings,
    })
}

/// Whether the model of `settings` takes effort `level`.
fn check_effort(settings: &Settings, level: &str) -> Result<(), String> {
    catalog::validate_effort(settings.model_info.as_ref(), level)?;
    if !settings.quirks().accepts_effort {
        return Err(format!(
            "{} is not sent a reasoning effort (its catalog entry says accepts_effort = false)",
            settings.model
        ));
    }
    Ok(())
}

/// Resolve every arm, refusing the whole set on the first arm that cannot be sent, and a
/// set that lists one arm twice.
pub fn resolve_arms(
    base: &Settings,
    texts: &[String],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Arm>, String> {
    resolve_all(base, texts, env, false)
}

/// [`resolve_arms`] when the base URL of `base` was given on the command line: an arm
/// without a `PROVIDER/` prefix stays on `base`'s provider, so it goes to that URL (as
/// `ask --base-url URL -m MODEL` does) instead of its catalog provider's own server.
pub fn resolve_arms_at_base_url(
    base: &Settings,
    texts: &[String],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Arm>, String> {
    resolve_all(base, texts, env, true)
}

/// `text` with `base`'s provider in front, unless it names a provider itself.
fn pinned(base: &Settings, text: &str) -> String {
    let text = text.trim();
    let named = text
        .split_once('/')
        .is_some_and(|(prefix, _)| base.providers.iter().any(|p| p.name == prefix));
    if named {
        text.to_string()
    } else {
        format!("{}/{text}", base.endpoint.provider)
    }
}

fn resolve_all(
    base: &Settings,
    texts: &[String],
    env: &dyn Fn(&str) -> Option<String>,
    pin: bool,
) -> Result<Vec<Arm>, String> {
    let mut arms: Vec<Arm> = Vec::new();
    for text in texts {
        let arm = if pin {
            resolve_spec(base, text, &pinned(base, text), env)?
        } else {
            resolve_arm(base, text, env)?
        };
        if let Some(twin) = arms.iter().find(|a| same_target(a, &arm)) {
            return Err(format!(
                "`{}` and `{}` are the same arm; to repeat an arm, use --runs",
                twin.label, arm.label
            ));
        }
        arms.push(arm);
    }
    Ok(arms)
}

fn same_target(a: &Arm, b: &Arm) -> bool {
    a.settings.endpoint.provider == b.settings.endpoint.provider
        && a.settings.model == b.settings.model
        && a.settings.effort == b.settings.effort
}

/// The arms of a sweep: the model of `base` at each of `levels` (every level it accepts
/// when `levels` is empty), lowest first as given.
pub fn sweep_arms(base: &Settings, levels: &[String]) -> Result<Vec<Arm>, String> {
    if let Some(why) = base.missing_key() {
        return Err(why);
    }
    let accepted: Vec<String> = match &base.model_info {
        Some(info) if info.efforts.is_empty() => {
            return Err(format!(
                "{} takes no reasoning effort: there is nothing to sweep",
                base.model
            ));
        }
        Some(info) => info.efforts.clone(),
        None if levels.is_empty() => {
            return Err(format!(
                "the catalog does not know {}'s effort levels: name them (e.g. low medium high)",
                base.model
            ));
        }
        None => Vec::new(),
    };
    let levels = if levels.is_empty() {
        accepted
    } else {
        levels.to_vec()
    };
    let mut arms = Vec::new();
    for level in levels {
        let level = level.trim().to_string();
        let label = format!("{}@{level}", base.model);
        check_effort(base, &level).map_err(|e| format!("arm `{label}`: {e}"))?;
        if arms.iter().any(|a: &Arm| a.label == label) {
            return Err(format!("`{label}` is listed twice"));
        }
        let mut settings = base.clone();
        settings.effort = Some(level);
        arms.push(Arm { label, settings });
    }
    Ok(arms)
}

/// The least a comparison can cost: `input_tokens` (the request's estimate, the same history
/// and prompt for every arm) at each arm's input price; the output is unknown until it comes.
/// The flag says some arm's price is unknown (its part is left out).
pub fn min_cost(arms: &[Arm], input_tokens: u64) -> (f64, bool) {
    let mut unknown = false;
    let mut cost = 0.0;
    for arm in arms {
        match arm.settings.price() {
            Some(price) => cost += input_tokens as f64 * price.input / 1_000_000.0,
            None => unknown = true,
        }
    }
    (cost, unknown)
}

/// The labels of `arms`, joined for one line: `o3-mini@low, o3-mini@high`.
pub fn labels(arms: &[Arm]) -> String {
    arms.iter()
        .map(|a| a.label.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod test_turns;
#[cfg(test)]
mod tests;
