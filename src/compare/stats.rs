//! Per-arm summaries of a comparison: the numbers the summary tables (TUI and headless), the
//! JSON `summary` and the best-value marks all read.
//!
//! Invariants: the statistics of an arm are taken over its runs that finished without error
//! (`Done`); the others are counted in `errors` (their cost still counts in the totals: every
//! request is billed); a figure no counted run has (no price, no first token) is `None`,
//! never 0; arms keep the order they were first sent in.

use crate::conversation::{Turn, TurnState};
use serde_json::{Value, json};

/// Mean, min and max of one figure over runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    pub mean: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Spread> {
        let values: Vec<f64> = values.into_iter().collect();
        if values.is_empty() {
            return None;
        }
        let sum: f64 = values.iter().sum();
        Some(Spread {
            mean: sum / values.len() as f64,
            min: values.iter().copied().fold(f64::INFINITY, f64::min),
            max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        })
    }

    /// `{"mean","min","max"}`; whole numbers for a count (`integer`), `null` for no runs.
    pub fn json(spread: Option<Spread>, integer: bool) -> Value {
        match spread {
            None => json!({"mean": null, "min": null, "max": null}),
            Some(s) if integer => json!({"mean": s.mean, "min": s.min as u64, "max": s.max as u64}),
            Some(s) => json!({"mean": s.mean, "min": s.min, "max": s.max}),
        }
    }
}

/// One arm over all its runs.
#[derive(Clone, Debug, PartialEq)]
pub struct ArmSummary {
    pub label: String,
    pub runs: usize,
    /// Runs that failed, were cancelled or were cut off.
    pub errors: usize,
    pub reasoning: Option<Spread>,
    /// Visible output tokens (the answer), as the usage line's `out`.
    pub output: Option<Spread>,
    /// All output tokens billed (reasoning included), as `usage.output_tokens` in JSON.
    pub billed_output: Option<Spread>,
    pub cost: Option<Spread>,
    pub first_token_ms: Option<Spread>,
    pub total_ms: Option<Spread>,
    /// Answer length in characters.
    pub answer_chars: Option<Spread>,
    /// Finish reason of the last run (`error`/`cancelled` when it did not finish).
    pub finish: String,
    /// Some counted figure is an estimate (the server reported no usage).
    pub estimated: bool,
    /// Some counted run's price is unknown (its cost is left out of `cost`).
    pub cost_unknown: bool,
}

/// How a run ended, in one word: the finish reason, or `cancelled`, `error`, `…`.
pub fn ending(turn: &Turn) -> String {
    match &turn.state {
        TurnState::Streaming => "…".to_string(),
        TurnState::Done => turn
            .finish_reason
            .as_ref()
            .map_or("stop".to_string(), |r| r.as_str().to_string()),
        TurnState::Cancelled | TurnState::Superseded => "cancelled".to_string(),
        TurnState::Failed(_) => "error".to_string(),
        TurnState::Interrupted => "interrupted".to_string(),
    }
}

/// Summaries of `arms` (each a run of some arm), grouped by label in first-seen order.
pub fn summarize<'a>(arms: impl IntoIterator<Item = &'a Turn>) -> Vec<ArmSummary> {
    let mut groups: Vec<(String, Vec<&Turn>)> = Vec::new();
    for turn in arms {
        let label = turn.arm_label();
        match groups.iter_mut().find(|(l, _)| *l == label) {
            Some((_, runs)) => runs.push(turn),
            None => groups.push((label, vec![turn])),
        }
    }
    groups
        .into_iter()
        .map(|(label, runs)| summarize_one(label, &runs))
        .collect()
}

fn summarize_one(label: String, runs: &[&Turn]) -> ArmSummary {
    let done: Vec<&Turn> = runs
        .iter()
        .copied()
        .filter(|t| t.state == TurnState::Done)
        .collect();
    let usages: Vec<_> = done.iter().map(|t| t.usage()).collect();
    ArmSummary {
        label,
        runs: runs.len(),
        errors: runs.len() - done.len(),
        reasoning: Spread::of(usages.iter().map(|u| u.reasoning as f64)),
        output: Spread::of(usages.iter().map(|u| u.visible_output() as f64)),
        billed_output: Spread::of(usages.iter().map(|u| u.output as f64)),
        cost: Spread::of(done.iter().filter_map(|t| t.cost())),
        first_token_ms: Spread::of(
            done.iter()
                .filter_map(|t| t.first_token_ms())
                .map(|v| v as f64),
        ),
        total_ms: Spread::of(
            done.iter()
                .filter_map(|t| t.timings.done_ms)
                .map(|v| v as f64),
        ),
        answer_chars: Spread::of(done.iter().map(|t| t.answer.chars().count() as f64)),
        finish: runs.last().map_or_else(String::new, |t| ending(t)),
        estimated: usages.iter().any(|u| u.estimated),
        cost_unknown: done.iter().any(|t| t.cost().is_none()),
    }
}

/// Which column a best value is marked in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Reasoning,
    Output,
    Cost,
    FirstToken,
    Total,
}

impl Column {
    fn of(self, s: &ArmSummary) -> Option<f64> {
        let spread = match self {
            Column::Reasoning => s.reasoning,
            Column::Output => s.output,
            Column::Cost if s.cost_unknown => None,
            Column::Cost => s.cost,
            Column::FirstToken => s.first_token_ms,
            Column::Total => s.total_ms,
        };
        spread.map(|s| s.mean)
    }
}

/// Values this close to the lowest (relative) count as equally low.
const TIE: f64 = 0.005;

/// Whether arm `i`'s value in `column` is the best of `all`: the lowest (fewest tokens,
/// cheapest, fastest), or within half a percent of it. Nothing is marked unless at least two
/// arms have a value and some arm is clearly above the lowest.
pub fn is_best(all: &[ArmSummary], i: usize, column: Column) -> bool {
    let values: Vec<f64> = all.iter().filter_map(|s| column.of(s)).collect();
    let Some(mine) = all.get(i).and_then(|s| column.of(s)) else {
        return false;
    };
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let near = |v: f64| v <= min + min.abs() * TIE + f64::EPSILON;
    values.len() >= 2 && !near(max) && near(mine)
}

/// The JSON `summary` entry of an arm.
pub fn summary_json(s: &ArmSummary) -> Value {
    json!({
        "arm": s.label,
        "runs": s.runs,
        "errors": s.errors,
        "reasoning_tokens": Spread::json(s.reasoning, true),
        "output_tokens": Spread::json(s.billed_output, true),
        "cost_usd": Spread::json(if s.cost_unknown { None } else { s.cost }, false),
        "first_token_ms": Spread::json(s.first_token_ms, true),
        "total_ms": Spread::json(s.total_ms, true),
        "estimated": s.estimated,
    })
}

#[cfg(test)]
mod tests;
