//! Laying the conversation out for a width: per-turn render caches ([`TurnView`]), the row
//! index of every turn, and scrolling.
//!
//! Invariants: `prepare` visits only the turns from the first changed one on (all of them
//! after a resize), so a frame costs O(visible rows + the streaming tail), never O(history);
//! `row_starts[i]` is the first row of turn `i` for every turn laid out.

use super::{App, ms_between};
use crate::conversation::Turn;
use crate::tui::markdown::StreamingMarkdown;
use crate::tui::view::turn::{footer_lines, header_lines};
use ratatui::text::Line;

/// Per-turn render state: the markdown of the answer and of the thinking text, and the
/// small header/footer lines around them.
#[derive(Clone, Debug, Default)]
pub struct TurnView {
    pub answer: StreamingMarkdown,
    pub thinking: StreamingMarkdown,
    /// The person's choice for the thinking section; `None` follows the default
    /// (open while streaming, collapsed after).
    pub thinking_open: Option<bool>,
    pub header: Vec<Line<'static>>,
    pub footer: Vec<Line<'static>>,
    /// The state `header`/`footer` were built for; `None` forces a rebuild.
    pub(super) built: Option<(u16, bool)>,
    pub(super) dirty: bool,
    pub(super) blank: Line<'static>,
}

impl TurnView {
    pub fn thinking_visible(&self, turn: &Turn) -> bool {
        self.thinking_open.unwrap_or(turn.is_streaming())
    }

    /// Rows of the thinking section's body currently shown (with a blank row after it).
    fn thinking_rows(&self, turn: &Turn) -> usize {
        let body = self.thinking.line_count();
        if self.thinking_visible(turn) && body > 0 {
            body + 1
        } else {
            0
        }
    }

    /// Total rows this turn occupies.
    pub fn height(&self, turn: &Turn) -> usize {
        self.header.len() + self.thinking_rows(turn) + self.answer.line_count() + self.footer.len()
    }

    /// Row `i` of this turn, borrowed from the caches.
    pub fn line(&self, turn: &Turn, mut i: usize) -> Option<&Line<'static>> {
        if i < self.header.len() {
            return self.header.get(i);
        }
        i -= self.header.len();
        let thinking = self.thinking_rows(turn);
        if i < thinking {
            return self.thinking.line(i).or(Some(&self.blank));
        }
        i -= thinking;
        if i < self.answer.line_count() {
            return self.answer.line(i);
        }
        i -= self.answer.line_count();
        self.footer.get(i)
    }
}

impl App {
    /// Turn `idx` changed: lay it out (and everything after it) again at the next `prepare`.
    pub(super) fn touch(&mut self, idx: usize) {
        self.first_stale = self.first_stale.min(idx);
    }

    pub(super) fn mark_dirty(&mut self, turn_id: u64) {
        if let Some(idx) = self
            .session
            .conversation
            .turns
            .iter()
            .rposition(|t| t.id == turn_id)
            && let Some(view) = self.views.get_mut(idx)
        {
            view.dirty = true;
            view.built = None;
            self.first_stale = self.first_stale.min(idx);
        }
    }

    pub(super) fn page(&self) -> usize {
        self.view_rows.saturating_sub(2).max(1)
    }

    pub(super) fn bottom_top(&self) -> usize {
        self.total_rows.saturating_sub(self.view_rows)
    }

    pub(super) fn scroll_up(&mut self, rows: usize) {
        let top = self.scroll_top.unwrap_or_else(|| self.bottom_top());
        self.scroll_top = Some(top.saturating_sub(rows));
    }

    pub(super) fn scroll_down(&mut self, rows: usize) {
        if let Some(top) = self.scroll_top {
            let top = top + rows;
            self.scroll_top = if top >= self.bottom_top() {
                None
            } else {
                Some(top)
            };
        }
    }

    /// The first row of the conversation shown.
    pub fn first_visible_row(&self) -> usize {
        match self.scroll_top {
            Some(top) => top.min(self.bottom_top()),
            None => self.bottom_top(),
        }
    }

    /// Bring the render caches up to date for a conversation pane of `width` x `rows`.
    /// Only turns from the first changed one on are visited (all of them after a resize).
    pub fn prepare(&mut self, width: u16, rows: u16) {
        let draft = self.draft();
        self.meter.update(&self.session, &draft);
        let resized = width != self.laid_out_width;
        self.laid_out_width = width;
        self.view_rows = rows as usize;
        let now = self.now;
        let active = self.active;
        let turns = &self.session.conversation.turns;
        let mut start = if resized { 0 } else { self.first_stale };
        if let Some((id, _)) = active
            && let Some(idx) = turns.iter().rposition(|t| t.id == id)
        {
            start = start.min(idx);
        }
        let start = start.min(self.row_starts.len()).min(turns.len());
        self.row_starts.truncate(start);
        self.code_starts.truncate(start);
        let (mut total, mut code_number) = match start.checked_sub(1) {
            Some(prev) => (
                self.row_starts[prev] + self.views[prev].height(&turns[prev]),
                self.code_starts[prev] + self.views[prev].answer.code_blocks().len(),
            ),
            None => (0, 1),
        };
        for (turn, view) in turns.iter().zip(self.views.iter_mut()).skip(start) {
            let streaming = turn.is_streaming();
            if resized || view.dirty || streaming {
                view.answer.layout(width, &self.theme, code_number);
                view.thinking.layout(width, &self.theme, 0);
                view.dirty = false;
            }
            if resized || streaming || view.built != Some((width, view.thinking_visible(turn))) {
                let sent = active.filter(|(id, _)| *id == turn.id).map(|(_, t)| t);
                let elapsed = sent.map(|t| ms_between(t, now)).unwrap_or(0);
                view.header = header_lines(turn, view, &self.theme, elapsed, width);
                let retry = self
                    .retry
                    .as_ref()
                    .filter(|_| sent.is_some())
                    .map(|(notice, at)| {
                        let waited = now.saturating_duration_since(*at);
                        (notice, notice.delay.saturating_sub(waited))
                    });
                view.footer = footer_lines(turn, &self.theme, elapsed, width, retry);
                view.built = Some((width, view.thinking_visible(turn)));
            }
            self.row_starts.push(total);
            self.code_starts.push(code_number);
            code_number += view.answer.code_blocks().len();
            total += view.height(turn);
        }
        self.total_rows = total;
        self.first_stale = turns.len();
    }

    /// The turn shown at conversation row `row`, and the row it starts at.
    pub fn turn_at_row(&self, row: usize) -> Option<(usize, usize)> {
        let idx = self
            .row_starts
            .partition_point(|&start| start <= row)
            .checked_sub(1)?;
        Some((idx, self.row_starts[idx]))
    }
}
