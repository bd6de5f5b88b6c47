//! Earlier versions of a turn: a turn the person edited (`/edit-last`) is kept, superseded,
//! right before the turn that replaced it.
//!
//! Invariants: nothing beyond the turns themselves is needed to tell an edit — a superseded
//! plain turn followed by a plain turn that asks something else, or one that had finished
//! (a retry, Alt+R, asks the same again after a cancelled turn, which never finished); a
//! superseded turn is never sent as history but stays billed in every total.

use super::{Turn, TurnState};

/// Whether turn `idx` of `turns` was replaced by an edit.
pub fn replaced_by_edit(turns: &[Turn], idx: usize) -> bool {
    match (turns.get(idx), turns.get(idx + 1)) {
        (Some(old), Some(new)) => {
            old.state == TurnState::Superseded
                && old.arm.is_none()
                && new.arm.is_none()
                && (old.prompt != new.prompt || old.finish_reason.is_some())
        }
        _ => false,
    }
}

/// The index of the earlier version turn `idx` replaced by an edit, if it did.
pub fn earlier_version(turns: &[Turn], idx: usize) -> Option<usize> {
    let before = idx.checked_sub(1)?;
    replaced_by_edit(turns, before).then_some(before)
}
