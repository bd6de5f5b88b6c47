//! The numbers the inspector shows for each turn: model, effort, input, cached, reasoning,
//! visible output, cost, time to first token, total time, how it ended.
//!
//! A turn the person edited finishes as `edited`, and the turn that replaced it names it
//! (`stop · edit of #2`).
//!
//! Invariants: pure functions of each turn's own model and price, so a model switch
//! mid-conversation never re-prices history. Estimated numbers carry a `~`, an unknown cost
//! is `$?` (never `$0`).

use crate::api::FinishReason;
use crate::conversation::{Turn, TurnState};
use crate::usage;

/// How a row should look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowMood {
    Normal,
    /// Still streaming, or cancelled: numbers may be partial.
    Partial,
    /// Failed, interrupted, or cut off with no answer.
    Bad,
}

/// One turn as the table shows it, every cell already formatted.
#[derive(Clone, Debug, PartialEq)]
pub struct TurnRow {
    /// 1-based turn number, as the conversation shows it.
    pub number: usize,
    /// The exchange's number as shown: `3`, or `3.2` for the second arm of a comparison
    /// (every arm is a row: each request is billed).
    pub tag: String,
    pub model: String,
    pub effort: String,
    pub input: String,
    pub cached: String,
    pub reasoning: String,
    pub output: String,
    pub cost: String,
    pub first_token: String,
    pub total: String,
    pub finish: String,
    pub mood: RowMood,
    /// Raw counts for the chart.
    pub reasoning_tokens: u64,
    pub visible_tokens: u64,
}

/// Shown where a number does not apply or is not known.
pub const DASH: &str = "–";

impl TurnRow {
    /// The row for `turn`, the `index`-th (0-based) of the conversation. `elapsed_ms` is the
    /// time since it was sent, used as the total time while it still streams.
    pub fn of(index: usize, turn: &Turn, elapsed_ms: Option<u64>) -> TurnRow {
        let u = turn.usage();
        let est = if u.estimated { "~" } else { "" };
        let est_reasoning = if u.estimated || u.reasoning_estimated {
            "~"
        } else {
            ""
        };
        let refused = turn.refused();
        let tokens = |prefix: &str, n: u64| {
            if refused {
                DASH.to_string()
            } else {
                format!("{prefix}{}", usage::thousands(n))
            }
        };
        let reasoning = if u.reasoning == 0 && !turn.spec.reasoning_model {
            DASH.to_string()
        } else {
            tokens(est_reasoning, u.reasoning)
        };
        let cached = if u.estimated {
            DASH.to_string()
        } else {
            tokens("", u.cached_input)
        };
        let cost = match turn.cost() {
            Some(c) => format!("{est}{}", usage::dollars(Some(c))),
            None => usage::dollars(None),
        };
        let total = turn
            .timings
            .done_ms
            .or(if turn.is_streaming() {
                elapsed_ms
            } else {
                None
            })
            .map(usage::seconds)
            .unwrap_or_else(|| DASH.to_string());
        let (finish, mood) = finish(turn);
        TurnRow {
            number: index + 1,
            tag: (index + 1).to_string(),
            model: turn.spec.model.clone(),
            effort: turn.spec.effort.clone().unwrap_or_else(|| DASH.to_string()),
            input: if refused {
                DASH.to_string()
            } else {
                u.input_mark()
            },
            cached,
            reasoning,
            output: tokens(est, u.visible_output()),
            cost,
            first_token: turn
                .first_token_ms()
                .map(usage::seconds)
                .unwrap_or_else(|| DASH.to_string()),
            total,
            finish,
            mood,
            reasoning_tokens: u.reasoning,
            visible_tokens: u.visible_output(),
        }
    }
}

/// How the turn ended, in a word or two, and how to show it.
fn finish(turn: &Turn) -> (String, RowMood) {
    match &turn.state {
        TurnState::Streaming => ("streaming…".into(), RowMood::Partial),
        TurnState::Cancelled => ("cancelled".into(), RowMood::Partial),
        TurnState::Superseded => ("sent again".into(), RowMood::Partial),
        TurnState::Interrupted => ("interrupted".into(), RowMood::Bad),
        TurnState::Failed(err) => {
            let text = match (err.status, &err.code) {
                (Some(status), _) => format!("error {status}"),
                (None, Some(code)) => format!("error {code}"),
                (None, None) => "error".to_string(),
            };
            (text, RowMood::Bad)
        }
        TurnState::Done => match &turn.finish_reason {
            Some(FinishReason::Stop) | None => ("stop".into(), RowMood::Normal),
            Some(FinishReason::Length) if turn.answer.trim().is_empty() => {
                ("length, no answer".into(), RowMood::Bad)
            }
            Some(FinishReason::Length) => ("length".into(), RowMood::Partial),
            Some(FinishReason::ToolCalls) => ("tool calls".into(), RowMood::Normal),
            Some(FinishReason::ContentFilter) => ("content filter".into(), RowMood::Bad),
            Some(FinishReason::Other(other)) => (other.clone(), RowMood::Normal),
        },
    }
}

/// Every turn's row; `active` is the streaming turn's id and the time since it was sent.
/// Rows are tagged by exchange: a comparison's arms share its number (`3.1`, `3.2`, …).
pub fn rows(turns: &[Turn], active: Option<(u64, u64)>) -> Vec<TurnRow> {
    let mut exchange = 0;
    let mut previous: Option<&Turn> = None;
    turns
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let same = previous.is_some_and(|p| p.arm.is_some() && t.arm.is_some() && p.id == t.id);
            if !same {
                exchange += 1;
            }
            previous = Some(t);
            let elapsed = active.and_then(|(id, ms)| (id == t.id).then_some(ms));
            let mut row = TurnRow::of(i, t, elapsed);
            // An edit: the earlier version says so, the turn that replaced it names it.
            if crate::conversation::replaced_by_edit(turns, i) {
                row.finish = "edited".into();
            }
            if crate::conversation::earlier_version(turns, i).is_some() {
                row.finish = format!("{} · edit of #{}", row.finish, exchange - 1);
            }
            row.tag = match &t.arm {
                Some(arm) => format!("{exchange}.{}", arm.index + 1),
                None => exchange.to_string(),
            };
            row
        })
        .collect()
}
