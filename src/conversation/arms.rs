//! Comparisons: one prompt sent to several arms (a model at an effort), kept as consecutive
//! turns that share one id, each tagged with its [`ArmTag`].
//!
//! Invariants:
//! - the arms of a comparison are adjacent in the conversation and share the turn id; arm
//!   indexes are unique within it and only grow (a retry is a new arm with the label and run
//!   of the one it replaces, so a replaced attempt stays stored and billed);
//! - exactly one arm's answer continues the conversation: the one the person kept, else the
//!   first arm that finished without error ([`Conversation::kept_arm`]); the others are never
//!   sent as history;
//! - every arm is a full [`Turn`], so totals, the inspector and the store count every request.

use super::{Conversation, Turn, TurnState};
use std::ops::Range;

/// Which arm of a comparison a turn is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArmTag {
    /// Position among the comparison's turns, from 0 (also the store's key).
    pub index: u32,
    /// The arm as written: `o3-mini@high`, `anthropic/claude-sonnet-4-5@medium`.
    pub label: String,
    /// Which repetition of the arm (`--runs`), from 1.
    pub run: u32,
    /// The person chose this arm's answer to continue from.
    pub kept: bool,
}

impl Turn {
    /// The arm index (0 for a turn that is not part of a comparison).
    pub fn arm_index(&self) -> u32 {
        self.arm.as_ref().map_or(0, |a| a.index)
    }

    /// The arm's label, or `model[@effort]` for a plain turn.
    pub fn arm_label(&self) -> String {
        match &self.arm {
            Some(arm) => arm.label.clone(),
            None => match &self.spec.effort {
                Some(e) => format!("{}@{e}", self.spec.model),
                None => self.spec.model.clone(),
            },
        }
    }
}

impl Conversation {
    /// The turns of the exchange that turn `idx` belongs to: the comparison's arms, or the
    /// one turn. Empty when `idx` is out of range.
    pub fn group(&self, idx: usize) -> Range<usize> {
        let Some(turn) = self.turns.get(idx) else {
            return idx..idx;
        };
        if turn.arm.is_none() {
            return idx..idx + 1;
        }
        let same = |t: &Turn| t.id == turn.id && t.arm.is_some();
        let start = self.turns[..idx]
            .iter()
            .rposition(|t| !same(t))
            .map_or(0, |p| p + 1);
        let end = self.turns[idx..]
            .iter()
            .position(|t| !same(t))
            .map_or(self.turns.len(), |p| idx + p);
        start..end
    }

    /// Indexes of a comparison's arms as shown: the latest attempt of each label and run, in
    /// the order the arms were first sent.
    pub fn shown_arms(&self, group: Range<usize>) -> Vec<usize> {
        let mut shown: Vec<usize> = Vec::new();
        for idx in group {
            let turn = &self.turns[idx];
            let key = |t: &Turn| t.arm.as_ref().map(|a| (a.label.clone(), a.run));
            match shown
                .iter_mut()
                .find(|i| key(&self.turns[**i]) == key(turn))
            {
                Some(slot) => *slot = idx,
                None => shown.push(idx),
            }
        }
        shown
    }

    /// The arm whose answer the conversation continues from: the one kept, else the arm
    /// that finished first without error. `None` while none has (or for an empty group).
    pub fn kept_arm(&self, group: Range<usize>) -> Option<usize> {
        let shown = self.shown_arms(group);
        if let Some(idx) = shown
            .iter()
            .copied()
            .find(|&i| self.turns[i].arm.as_ref().is_some_and(|a| a.kept))
        {
            return Some(idx);
        }
        shown
            .into_iter()
            .filter(|&i| self.turns[i].state == TurnState::Done)
            .min_by_key(|&i| (self.turns[i].timings.done_ms.unwrap_or(u64::MAX), i))
    }

    /// Keep arm `idx`'s answer: the conversation continues from it. Returns the indexes
    /// whose `kept` flag changed (to be saved), empty when `idx` is not a shown arm.
    pub fn keep_arm(&mut self, idx: usize) -> Vec<usize> {
        let group = self.group(idx);
        if !self.shown_arms(group.clone()).contains(&idx) {
            return Vec::new();
        }
        let mut changed = Vec::new();
        for i in group {
            if let Some(arm) = self.turns[i].arm.as_mut() {
                let keep = i == idx;
                if arm.kept != keep {
                    arm.kept = keep;
                    changed.push(i);
                }
            }
        }
        changed
    }

    /// Whether turn `idx` is what the history carries for its exchange (always, for a turn
    /// that is not an arm).
    pub(super) fn carries_history(&self, idx: usize) -> bool {
        match self.turns.get(idx) {
            Some(t) if t.arm.is_some() => self.kept_arm(self.group(idx)) == Some(idx),
            Some(_) => true,
            None => false,
        }
    }

    /// How many exchanges the conversation holds (a comparison is one, whatever its arms;
    /// a turn a retry replaced is one of its own), as exports and the store count them.
    pub fn exchange_count(&self) -> usize {
        let mut count = 0;
        let mut idx = 0;
        while idx < self.turns.len() {
            idx = self.group(idx).end.max(idx + 1);
            count += 1;
        }
        count
    }
}
