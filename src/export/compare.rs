//! Comparisons in a stored session, for `sessions show` and the exports: a session read as
//! exchanges, each a plain turn or a comparison (one prompt, several arms).
//!
//! Invariants:
//! - a comparison is one exchange, however many arms and runs it has (as `sessions list`
//!   counts it), shown with its prompt once, then each arm;
//! - the arms shown are those of [`Conversation::shown_arms`] (the latest attempt of each
//!   label and run, in the order first sent), then any attempt a retry replaced, marked so
//!   (it was billed, so it stays in every total);
//! - the kept arm is [`Conversation::kept_arm`]: the one the person kept, else the first to
//!   finish without error; no other rule exists here;
//! - the summary table and its JSON are those of `thinkbench compare`
//!   ([`crate::compare::report::summary_text`], [`crate::compare::stats`]), over the shown
//!   arms.

use super::turn_json;
use crate::compare::{report, stats};
use crate::conversation::{Conversation, Turn};
use crate::totals::Totals;
use serde_json::{Value, json};

/// One exchange of a session.
pub enum Exchange<'a> {
    Turn(&'a Turn),
    Comparison(Comparison<'a>),
}

/// A stored comparison.
pub struct Comparison<'a> {
    /// Every stored arm, in stored order (replaced attempts included).
    pub arms: &'a [Turn],
    /// Positions in `arms` of the arms shown, in the order they were first sent.
    pub shown: Vec<usize>,
    /// Position in `arms` of the arm the conversation continues from.
    pub kept: Option<usize>,
}

/// The exchanges of `turns` (a session's turns, oldest first).
pub fn exchanges(turns: &[Turn]) -> Vec<Exchange<'_>> {
    let conversation = Conversation::restored(turns.to_vec());
    let mut out = Vec::new();
    let mut idx = 0;
    while idx < turns.len() {
        let group = conversation.group(idx);
        if group.is_empty() {
            break;
        }
        if turns[idx].arm.is_none() {
            out.push(Exchange::Turn(&turns[idx]));
        } else {
            let start = group.start;
            out.push(Exchange::Comparison(Comparison {
                arms: &turns[group.clone()],
                shown: (conversation.shown_arms(group.clone()).into_iter())
                    .map(|i| i - start)
                    .collect(),
                kept: conversation.kept_arm(group.clone()).map(|i| i - start),
            }));
        }
        idx = group.end;
    }
    out
}

impl Comparison<'_> {
    pub fn prompt(&self) -> &str {
        self.arms.first().map_or("", |t| t.prompt.as_str())
    }

    /// `comparison of 2 arms × 3 runs` (the arms as distinct labels).
    pub fn title(&self) -> String {
        let mut labels: Vec<String> = Vec::new();
        let mut runs = 1;
        for &i in &self.shown {
            let label = self.arms[i].arm_label();
            if !labels.contains(&label) {
                labels.push(label);
            }
            runs = runs.max(self.arms[i].arm.as_ref().map_or(1, |a| a.run));
        }
        let n = labels.len();
        let arms = format!("comparison of {n} arm{}", if n == 1 { "" } else { "s" });
        if runs > 1 {
            format!("{arms} × {runs} runs")
        } else {
            arms
        }
    }

    /// Positions of the attempts a retry replaced.
    pub fn replaced(&self) -> Vec<usize> {
        (0..self.arms.len())
            .filter(|i| !self.shown.contains(i))
            .collect()
    }

    /// Every arm in the order shown: the shown ones, then the replaced ones.
    pub fn in_order(&self) -> Vec<usize> {
        let mut all = self.shown.clone();
        all.extend(self.replaced());
        all
    }

    /// The shown arms, for the summary.
    pub fn shown_turns(&self) -> Vec<Turn> {
        self.shown.iter().map(|&i| self.arms[i].clone()).collect()
    }

    /// Whether the person chose the kept arm (else it is the first to finish).
    pub fn chosen(&self) -> bool {
        (self.kept.and_then(|i| self.arms[i].arm.as_ref())).is_some_and(|a| a.kept)
    }

    fn several_runs(&self) -> bool {
        (self.arms.iter()).any(|t| t.arm.as_ref().is_some_and(|a| a.run > 1))
    }

    /// The heading of arm `i`: `o3-mini@high · run 2 · kept`.
    pub fn heading(&self, i: usize) -> String {
        let Some(turn) = self.arms.get(i) else {
            return String::new();
        };
        let mut parts = vec![turn.arm_label()];
        if self.several_runs() {
            parts.push(format!("run {}", turn.arm.as_ref().map_or(1, |a| a.run)));
        }
        if self.kept == Some(i) {
            parts.push("kept".to_string());
        }
        if !self.shown.contains(&i) {
            parts.push("replaced by a retry".to_string());
        }
        parts.join(" · ")
    }

    /// `kept: o3-mini@high (the first to finish without error)`, or that none is.
    pub fn kept_line(&self) -> String {
        match self.kept.and_then(|i| self.arms.get(i)) {
            Some(turn) => {
                let why = if self.chosen() {
                    "chosen"
                } else {
                    "the first to finish without error"
                };
                let run = match &turn.arm {
                    Some(arm) if self.several_runs() => format!(" run {}", arm.run),
                    _ => String::new(),
                };
                format!(
                    "kept: {}{run} ({why}); its answer continues the conversation",
                    turn.arm_label()
                )
            }
            None => "kept: none (no arm finished without error)".to_string(),
        }
    }

    /// The summary table over the shown arms, and what replaced attempts cost.
    pub fn summary_text(&self) -> String {
        let mut out = report::summary_text(&self.shown_turns());
        let replaced: Vec<Turn> = (self.replaced().iter())
            .map(|&i| self.arms[i].clone())
            .collect();
        if !replaced.is_empty() {
            let total = Totals::of(&replaced).overall;
            out.push_str(&format!(
                "plus {} attempt{} replaced by a retry: {}\n",
                replaced.len(),
                if replaced.len() == 1 { "" } else { "s" },
                total.cost_text()
            ));
        }
        out
    }

    /// The JSON export's entry: the prompt, every arm in stored order (`turn_json` plus
    /// `arm`, `run`, `index`, `kept`, `replaced`), the kept arm (`{arm, run, index, chosen}`
    /// or `null`), the summary over the shown arms and the cost of every arm.
    pub fn json(&self, data: bool) -> Value {
        let arms: Vec<Value> = (0..self.arms.len())
            .map(|i| {
                let turn = &self.arms[i];
                let mut value = turn_json(turn, data);
                if let (Value::Object(map), Some(tag)) = (&mut value, &turn.arm) {
                    map.insert("arm".into(), json!(tag.label));
                    map.insert("run".into(), json!(tag.run));
                    map.insert("index".into(), json!(tag.index));
                    map.insert("kept".into(), json!(self.kept == Some(i)));
                    map.insert("replaced".into(), json!(!self.shown.contains(&i)));
                }
                value
            })
            .collect();
        let summary: Vec<Value> = stats::summarize(&self.shown_turns())
            .iter()
            .map(stats::summary_json)
            .collect();
        let total = Totals::of(self.arms).overall;
        let kept = self.kept.and_then(|i| self.arms.get(i)).map(|t| {
            json!({
                "arm": t.arm_label(),
                "run": t.arm.as_ref().map_or(1, |a| a.run),
                "index": t.arm_index(),
                "chosen": self.chosen(),
            })
        });
        let mut value = json!({
            "id": self.arms.first().map(|t| t.id),
            "comparison": true,
            "prompt": self.prompt(),
            "arms": arms,
            "kept": kept,
            "summary": summary,
        });
        if let Value::Object(map) = &mut value {
            map.extend(total.cost_json(""));
        }
        value
    }
}
