//! Totals of a set of turns: tokens and dollars per model and overall. The one aggregation
//! the meter, the inspector, the status line, exports and `sessions list` all show, so they
//! can never disagree.
//!
//! Invariants:
//! - a model is its provider and name: the same name served by two providers is two rows,
//!   both labelled `provider/model` (a name used by one provider is labelled by name alone);
//! - rows keep the order of first use; `overall` is the sum of the rows;
//! - each turn counts with its own usage and price (a later model switch never re-prices
//!   history); a turn whose price is unknown makes the cost a lower bound (`cost_unknown`),
//!   never `$0`; an estimated part marks the whole total estimated;
//! - a total is shown by [`Total::cost_text`] (`≥ $0.42` for a lower bound, `$?` when
//!   nothing known costs anything) and put in JSON by [`cost_json`] (`cost_usd` `null` when
//!   unknown, `cost_is_lower_bound`), both from `usage`, so no output disagrees.

use crate::conversation::Turn;
use crate::usage::{self, Usage};

/// Tokens and dollars of a set of turns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Total {
    /// The model's name (`provider/model` when two providers serve the same name), or
    /// `total` for the overall line.
    pub label: String,
    pub provider: String,
    pub model: String,
    pub turns: usize,
    /// Summed usage; `estimated` when any part was estimated.
    pub usage: Usage,
    /// Sum of the costs that are known.
    pub cost: f64,
    /// Some turn's price was unknown.
    pub cost_unknown: bool,
}

impl Total {
    fn add(&mut self, turn: &Turn) {
        let u = turn.usage();
        // Counts come from the wire: absurd ones saturate rather than wrap or panic.
        self.turns += 1;
        let sum = &mut self.usage;
        sum.input = sum.input.saturating_add(u.input);
        sum.cached_input = sum.cached_input.saturating_add(u.cached_input);
        sum.cache_write = sum.cache_write.saturating_add(u.cache_write);
        sum.output = sum.output.saturating_add(u.output);
        sum.reasoning = sum.reasoning.saturating_add(u.reasoning);
        self.usage.estimated |= u.estimated;
        self.usage.reasoning_estimated |= u.reasoning_estimated;
        match turn.cost() {
            Some(c) => self.cost = finite_sum(self.cost, c),
            None => self.cost_unknown = true,
        }
    }

    /// `~` when any number in the total is estimated.
    pub fn estimate_mark(&self) -> &'static str {
        if self.usage.estimated { "~" } else { "" }
    }

    /// The cost as shown: `$0.0123`, `~$0.0123`, `≥ $0.0123`, `$?` (see
    /// [`usage::dollars_total`]).
    pub fn cost_text(&self) -> String {
        usage::dollars_total(self.cost, self.cost_unknown, self.usage.estimated)
    }

    /// `cost_usd`, `cost_unknown` and `cost_is_lower_bound` of a JSON object, with `prefix`
    /// (`total_`) in front of each (see [`usage::total_json`]).
    pub fn cost_json(&self, prefix: &str) -> serde_json::Map<String, serde_json::Value> {
        cost_json(prefix, self.cost, self.cost_unknown)
    }
}

/// `cost_usd`, `cost_unknown` and `cost_is_lower_bound` of a total whose known parts sum to
/// `known`, each with `prefix` in front: the fields every JSON output gives a total.
pub fn cost_json(
    prefix: &str,
    known: f64,
    unknown: bool,
) -> serde_json::Map<String, serde_json::Value> {
    let (cost, lower_bound) = usage::total_json(known, unknown);
    let mut map = serde_json::Map::new();
    map.insert(format!("{prefix}cost_usd"), cost.into());
    map.insert(format!("{prefix}cost_unknown"), unknown.into());
    map.insert(format!("{prefix}cost_is_lower_bound"), lower_bound.into());
    map
}

/// `a + b`, kept finite: an absurd cost from the wire (`1e308` twice) stays the largest
/// finite number instead of becoming infinity.
fn finite_sum(a: f64, b: f64) -> f64 {
    let sum = a + b;
    if sum.is_finite() { sum } else { f64::MAX }
}

/// The totals per model (in order of first use) and overall.
#[derive(Clone, Debug, PartialEq)]
pub struct Totals {
    pub per_model: Vec<Total>,
    pub overall: Total,
}

impl Default for Totals {
    fn default() -> Totals {
        Totals {
            per_model: Vec::new(),
            overall: Total {
                label: "total".into(),
                ..Total::default()
            },
        }
    }
}

impl Totals {
    /// Totals of every turn in `turns`.
    pub fn of(turns: &[Turn]) -> Totals {
        let mut totals = Totals::default();
        for turn in turns {
            totals.add(turn);
        }
        totals
    }

    /// Count one more turn.
    pub fn add(&mut self, turn: &Turn) {
        let (provider, model) = (turn.spec.provider.as_str(), turn.spec.model.as_str());
        let at = match self
            .per_model
            .iter()
            .position(|t| t.provider == provider && t.model == model)
        {
            Some(at) => at,
            None => {
                let shared = self.per_model.iter().any(|t| t.model == model);
                self.per_model.push(Total {
                    label: model.to_string(),
                    provider: provider.to_string(),
                    model: model.to_string(),
                    ..Total::default()
                });
                if shared {
                    for t in self.per_model.iter_mut().filter(|t| t.model == model) {
                        t.label = format!("{}/{}", t.provider, t.model);
                    }
                }
                self.per_model.len() - 1
            }
        };
        if let Some(total) = self.per_model.get_mut(at) {
            total.add(turn);
        }
        self.overall.add(turn);
    }
}
