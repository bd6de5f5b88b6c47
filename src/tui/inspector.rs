//! The usage inspector's state, its keys, and the numbers it shows: one row per turn
//! (model, effort, input, cached, reasoning, visible output, cost, time to first token,
//! total time, how it ended) and the totals per model and overall.
//!
//! Invariants: the state never touches the conversation — a jump is returned as
//! [`InspectorAction::JumpTo`] for the app to perform; `selected` always indexes the turns
//! (or is 0 when there are none); the row and total functions are pure and read each turn's
//! own model and price, so a model switch mid-conversation never re-prices history.
//! Estimated numbers carry a `~`, an unknown cost is `$?` (never `$0`), and a total that
//! has unknown parts says so (`$0.0123+?`).

use crate::api::FinishReason;
use crate::conversation::{Turn, TurnState};
use crate::usage::{self, Usage};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What the inspector asks of the app after a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InspectorAction {
    None,
    /// Show turn `index` (into the conversation's turns) in the conversation.
    JumpTo(usize),
    Close,
}

/// The inspector's selection and scroll.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspector {
    selected: usize,
    /// The first turn shown in the table.
    scroll: usize,
    /// How many turns there are.
    turns: usize,
    /// Table rows shown at the last layout the app reported (a PageUp/PageDown step).
    rows: usize,
}

/// Table rows assumed until the app reports the real number.
const DEFAULT_ROWS: usize = 10;

impl Inspector {
    /// An inspector over `turns` turns, with the latest one selected.
    pub fn new(turns: usize) -> Inspector {
        let mut inspector = Inspector {
            selected: turns.saturating_sub(1),
            scroll: 0,
            turns,
            rows: DEFAULT_ROWS,
        };
        inspector.follow();
        inspector
    }

    /// Index of the selected turn.
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// Select turn `index` (clamped to the last turn).
    pub fn select(&mut self, index: usize) {
        self.selected = index.min(self.turns.saturating_sub(1));
        self.follow();
    }

    /// The conversation now has `turns` turns; keeps the selection in range.
    pub fn set_turns(&mut self, turns: usize) {
        self.turns = turns;
        self.select(self.selected);
    }

    /// The table shows `rows` turns at the current size (see `view::inspector::table_rows`).
    pub fn set_rows(&mut self, rows: usize) {
        self.rows = rows.max(1);
        self.follow();
    }

    /// The first turn to show when the table has room for `rows` turns: the remembered
    /// scroll, moved just enough to keep the selection in view and no empty rows below.
    pub fn first_visible(&self, rows: usize) -> usize {
        window(self.scroll, self.selected, self.turns, rows)
    }

    pub fn on_key(&mut self, key: KeyEvent) -> InspectorAction {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let last = self.turns.saturating_sub(1);
        match key.code {
            KeyCode::Esc => return InspectorAction::Close,
            KeyCode::Char('q') if !ctrl => return InspectorAction::Close,
            KeyCode::Enter if self.turns > 0 => return InspectorAction::JumpTo(self.selected),
            KeyCode::Up => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down => self.selected = (self.selected + 1).min(last),
            KeyCode::PageUp => self.selected = self.selected.saturating_sub(self.rows),
            KeyCode::PageDown => self.selected = (self.selected + self.rows).min(last),
            KeyCode::Home => self.selected = 0,
            KeyCode::End => self.selected = last,
            _ => {}
        }
        self.follow();
        InspectorAction::None
    }

    /// Scroll just enough to keep the selection in view.
    fn follow(&mut self) {
        self.scroll = window(self.scroll, self.selected, self.turns, self.rows);
    }
}

/// The first of `rows` visible items out of `len`, starting from `scroll` and moved the least
/// to show `selected`, never leaving empty rows after the last item.
fn window(scroll: usize, selected: usize, len: usize, rows: usize) -> usize {
    if rows == 0 {
        return selected.min(len.saturating_sub(1));
    }
    let mut first = scroll.min(len.saturating_sub(rows));
    if selected < first {
        first = selected;
    } else if selected >= first + rows {
        first = selected + 1 - rows;
    }
    first
}

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
            model: turn.spec.model.clone(),
            effort: turn.spec.effort.clone().unwrap_or_else(|| DASH.to_string()),
            input: tokens(est, u.input),
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
pub fn rows(turns: &[Turn], active: Option<(u64, u64)>) -> Vec<TurnRow> {
    turns
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let elapsed = active.and_then(|(id, ms)| (id == t.id).then_some(ms));
            TurnRow::of(i, t, elapsed)
        })
        .collect()
}

/// Tokens and dollars of a set of turns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Total {
    /// The model's name (`provider/model` when two providers serve the same name), or
    /// `total` for the overall line.
    pub label: String,
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
        self.turns += 1;
        self.usage.input += u.input;
        self.usage.cached_input += u.cached_input;
        self.usage.cache_write += u.cache_write;
        self.usage.output += u.output;
        self.usage.reasoning += u.reasoning;
        self.usage.estimated |= u.estimated;
        self.usage.reasoning_estimated |= u.reasoning_estimated;
        match turn.cost() {
            Some(c) => self.cost += c,
            None => self.cost_unknown = true,
        }
    }

    /// `~` when any number in the total is estimated.
    pub fn estimate_mark(&self) -> &'static str {
        if self.usage.estimated { "~" } else { "" }
    }

    /// The cost as shown: `$0.0123`, `~$0.0123`, `$0.0123+?`, `$?`.
    pub fn cost_text(&self) -> String {
        let text = usage::dollars_partial(self.cost, self.cost_unknown);
        if self.usage.estimated && text != "$?" {
            format!("~{text}")
        } else {
            text
        }
    }
}

/// The totals per model (in order of first use) and overall.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals {
    pub per_model: Vec<Total>,
    pub overall: Total,
}

/// Totals per model and overall. A model is its provider and name, so the same name served by
/// two providers counts twice (labelled `provider/model`).
pub fn totals(turns: &[Turn]) -> Totals {
    let mut keys: Vec<(&str, &str)> = Vec::new();
    let mut per_model: Vec<Total> = Vec::new();
    let mut overall = Total {
        label: "total".into(),
        ..Total::default()
    };
    for turn in turns {
        let key = (turn.spec.provider.as_str(), turn.spec.model.as_str());
        let at = match keys.iter().position(|k| *k == key) {
            Some(at) => at,
            None => {
                keys.push(key);
                per_model.push(Total {
                    label: turn.spec.model.clone(),
                    ..Total::default()
                });
                per_model.len() - 1
            }
        };
        if let Some(total) = per_model.get_mut(at) {
            total.add(turn);
        }
        overall.add(turn);
    }
    for (i, (provider, model)) in keys.iter().enumerate() {
        let shared = keys.iter().filter(|(_, m)| m == model).count() > 1;
        if shared && let Some(total) = per_model.get_mut(i) {
            total.label = format!("{provider}/{model}");
        }
    }
    Totals { per_model, overall }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn keys_move_jump_and_close() {
        let mut i = Inspector::new(25);
        assert_eq!(i.selected(), 24);
        i.set_rows(5);
        assert_eq!(i.first_visible(5), 20);
        i.on_key(key(KeyCode::Home));
        assert_eq!((i.selected(), i.first_visible(5)), (0, 0));
        i.on_key(key(KeyCode::PageDown));
        assert_eq!((i.selected(), i.first_visible(5)), (5, 1));
        i.on_key(key(KeyCode::Up));
        i.on_key(key(KeyCode::Up));
        // Moving up inside the view does not scroll.
        assert_eq!((i.selected(), i.first_visible(5)), (3, 1));
        assert_eq!(i.on_key(key(KeyCode::Enter)), InspectorAction::JumpTo(3));
        i.on_key(key(KeyCode::End));
        i.on_key(key(KeyCode::Down));
        assert_eq!(i.selected(), 24);
        assert_eq!(i.on_key(key(KeyCode::Char('q'))), InspectorAction::Close);
        assert_eq!(i.on_key(key(KeyCode::Esc)), InspectorAction::Close);
        // A smaller view than the remembered one still shows the selection.
        i.on_key(key(KeyCode::Home));
        i.on_key(key(KeyCode::PageDown));
        assert_eq!(i.first_visible(2), 4);
    }

    #[test]
    fn an_empty_conversation_has_nothing_to_jump_to() {
        let mut i = Inspector::new(0);
        for code in [KeyCode::Down, KeyCode::End, KeyCode::PageDown, KeyCode::Up] {
            assert_eq!(i.on_key(key(code)), InspectorAction::None);
        }
        assert_eq!(i.on_key(key(KeyCode::Enter)), InspectorAction::None);
        assert_eq!((i.selected(), i.first_visible(3)), (0, 0));
        i.set_turns(2);
        i.select(9);
        assert_eq!(i.selected(), 1);
        i.set_turns(1);
        assert_eq!(i.selected(), 0);
    }
}
