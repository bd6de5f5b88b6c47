//! The conversation pane component. Its state is split by who owns it:
//! - the app owns [`Scroll`] (where the person scrolled to) and [`Changes`] (which turns
//!   changed since the last frame), both plain data changed only by `App::update`;
//! - the view side owns [`cache::ConversationCache`], the per-turn markdown and line caches
//!   the runtime refreshes before drawing; they are why a frame costs O(visible rows);
//! - after refreshing, the view reports what it measured as a [`Laid`] event, so the app
//!   can page and jump by real rows without ever touching a cache.
//!
//! `turn` builds the lines around each turn's markdown, `view` draws the visible rows, and
//! `welcome` the start screen of an empty conversation.
//!
//! Code blocks are numbered across the conversation, from 1: each plain turn's answer, then
//! at a comparison each arm it shows ([`Conversation::shown_arms`]), in order. The cache
//! numbers what it draws that way, and [`code_blocks`] lists the same numbers for copying
//! (a test holds the two equal).

use crate::conversation::Conversation;
use crate::tui::markdown::{self, CodeBlock};

pub mod cache;
pub mod turn;
pub mod view;
pub mod welcome;

/// Every code block of the conversation's answers, numbered as the pane shows them.
pub fn code_blocks(conv: &Conversation) -> Vec<CodeBlock> {
    let mut blocks: Vec<CodeBlock> = Vec::new();
    for (idx, turn) in conv.turns.iter().enumerate() {
        let answers = if turn.arm.is_none() {
            vec![idx]
        } else {
            let group = conv.group(idx);
            if group.start != idx {
                continue;
            }
            conv.shown_arms(group)
        };
        for i in answers {
            let next = blocks.len() + 1;
            blocks.extend(markdown::code_blocks(&conv.turns[i].answer, next));
        }
    }
    blocks
}

/// Where the conversation is scrolled to, and the size the last frame measured.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scroll {
    /// `None` follows the live bottom; `Some(row)` pins the top row of the view.
    pub top: Option<usize>,
    /// A turn to bring to the top at the next frame (the view resolves it to a row).
    pub jump: Option<usize>,
    /// Rows of the conversation pane at the last frame.
    pub rows: usize,
    /// Rows of the whole conversation at the last frame.
    pub total_rows: usize,
}

impl Scroll {
    /// The rows one PageUp/PageDown moves.
    pub fn page(&self) -> usize {
        self.rows.saturating_sub(2).max(1)
    }

    fn bottom_top(&self) -> usize {
        self.total_rows.saturating_sub(self.rows)
    }

    pub fn up(&mut self, rows: usize) {
        let top = self.top.unwrap_or_else(|| self.bottom_top());
        self.top = Some(top.saturating_sub(rows));
        self.jump = None;
    }

    pub fn down(&mut self, rows: usize) {
        if let Some(top) = self.top {
            let top = top + rows;
            self.top = (top < self.bottom_top()).then_some(top);
        }
        self.jump = None;
    }

    /// The first row shown, for `total_rows` rows in a pane of `rows`.
    pub fn first_visible(&self, total_rows: usize, rows: usize) -> usize {
        let bottom = total_rows.saturating_sub(rows);
        self.top.map_or(bottom, |top| top.min(bottom))
    }

    /// The view measured the conversation (and resolved a pending jump).
    pub fn laid(&mut self, laid: &Laid) {
        self.rows = laid.rows;
        self.total_rows = laid.total_rows;
        if self.jump.take().is_some()
            && let Some(row) = laid.jumped_to
        {
            self.top = Some(row);
        }
    }
}

/// Which turns changed since the view last laid them out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changes {
    /// Bumped whenever the whole conversation is replaced: every cache starts afresh.
    pub epoch: u64,
    /// The first turn that may have changed; the view starts there (`usize::MAX`: none).
    pub stale_from: usize,
}

impl Changes {
    pub fn touch(&mut self, idx: usize) {
        self.stale_from = self.stale_from.min(idx);
    }

    pub fn replaced(&mut self) {
        self.epoch += 1;
        self.stale_from = 0;
    }

    /// The view has caught up.
    pub fn seen(&mut self) {
        self.stale_from = usize::MAX;
    }
}

/// What the view measured while laying the conversation out for a frame.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Laid {
    pub rows: usize,
    pub total_rows: usize,
    /// The first row of the turn a pending jump asked for.
    pub jumped_to: Option<usize>,
}
