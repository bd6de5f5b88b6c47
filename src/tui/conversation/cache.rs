//! The view side of the conversation: per-turn render caches ([`TurnView`]) and the row index
//! of every turn, for one width. The runtime owns it and refreshes it before each frame;
//! drawing only reads it.
//!
//! Invariants: `prepare` visits only the turns from the first changed one on, plus the
//! streaming turn, so a frame costs O(visible rows + the streaming tail), never O(history);
//! a conversation of more than [`LAZY_FROM`] turns that is replaced (opened with its history)
//! or resized is laid out from its end: turns `0..pending` wait, take no rows and are not
//! drawn, a few screens' worth from the end are laid out at once and the rest in batches on
//! later frames (at once if someone scrolls or jumps back); `row_starts[i]` is the first row of
//! turn `i` and `code_starts[i]` the number of its first code block, for every turn (code
//! blocks of turns still waiting are counted without laying them out); a turn's markdown is
//! fed only the text it has not seen (answers grow by appending while they stream), and is
//! rebuilt whole when the finished turn's text differs from what was fed. While a turn
//! streams, a very long open tail may be laid out at a pace
//! (`StreamingMarkdown::layout_paced`), so its rows can lag its text by a moment; once the
//! turn has ended, its rows are exact.

use super::turn::{footer_lines, header_lines};
use super::{Changes, Laid, Scroll};
use crate::conversation::Conversation;
use crate::conversation::Turn;
use crate::tui::compare::CompareView;
use crate::tui::component::Ctx;
use crate::tui::markdown;
use crate::tui::markdown::StreamingMarkdown;
use ratatui::text::Line;
use std::collections::BTreeMap;

/// Per-turn render state: the markdown of the answer and of the thinking text, and the
/// small header/footer lines around them.
#[derive(Clone, Debug, Default)]
pub struct TurnView {
    pub answer: StreamingMarkdown,
    pub thinking: StreamingMarkdown,
    /// Whether the thinking section's body is shown.
    pub thinking_shown: bool,
    pub header: Vec<Line<'static>>,
    pub footer: Vec<Line<'static>>,
    /// The turn was still streaming when last fed.
    streaming: bool,
    /// The width, thinking state, turn state and usage source (a count replaces an estimate
    /// after the turn ended) `header`/`footer` were built for.
    built: Option<(u16, bool, &'static str, &'static str)>,
    blank: Line<'static>,
}

impl TurnView {
    pub(crate) fn of(turn: &Turn) -> TurnView {
        let mut view = TurnView {
            thinking: StreamingMarkdown::thinking(),
            streaming: turn.is_streaming(),
            ..TurnView::default()
        };
        view.answer.push(&turn.answer);
        view.thinking.push(&turn.reasoning);
        view
    }

    /// Feed the text the turn gained since the last call. Returns whether anything changed.
    pub(crate) fn feed(&mut self, turn: &Turn) -> bool {
        let streaming = turn.is_streaming();
        let finished_now = self.streaming && !streaming;
        self.streaming = streaming;
        if finished_now
            && !(turn.answer.starts_with(self.answer.source())
                && turn.reasoning.starts_with(self.thinking.source()))
        {
            // The finished turn moved text between answer and reasoning: render anew.
            *self = TurnView::of(turn);
            return true;
        }
        let mut changed = finished_now;
        for (md, text) in [
            (&mut self.answer, &turn.answer),
            (&mut self.thinking, &turn.reasoning),
        ] {
            let fed = md.source().len();
            if text.len() > fed
                && let Some(new) = text.get(fed..)
            {
                md.push(new);
                changed = true;
            }
        }
        changed
    }

    /// Rows of the thinking section's body currently shown (with a blank row after it).
    fn thinking_rows(&self) -> usize {
        let body = self.thinking.line_count();
        if self.thinking_shown && body > 0 {
            body + 1
        } else {
            0
        }
    }

    /// Total rows this turn occupies.
    pub fn height(&self) -> usize {
        self.header.len() + self.thinking_rows() + self.answer.line_count() + self.footer.len()
    }

    /// Row `i` of this turn, borrowed from the caches.
    pub fn line(&self, mut i: usize) -> Option<Line<'_>> {
        if i < self.header.len() {
            return self.header.get(i).cloned();
        }
        i -= self.header.len();
        let thinking = self.thinking_rows();
        if i < thinking {
            return self.thinking.line(i).or_else(|| Some(self.blank.clone()));
        }
        i -= thinking;
        if i < self.answer.line_count() {
            return self.answer.line(i);
        }
        i -= self.answer.line_count();
        self.footer.get(i).cloned()
    }
}

/// What the pane shows for one turn: a turn, a whole comparison (at its first arm), or
/// nothing (the comparison's other arms, drawn by their first).
#[derive(Clone, Debug)]
pub enum View {
    Turn(Box<TurnView>),
    Compare(Box<CompareView>),
    Folded,
}

impl View {
    pub fn height(&self) -> usize {
        match self {
            View::Turn(v) => v.height(),
            View::Compare(v) => v.height(),
            View::Folded => 0,
        }
    }

    /// Row `i` of this view.
    pub fn line(&self, i: usize) -> Option<Line<'_>> {
        match self {
            View::Turn(v) => v.line(i),
            View::Compare(v) => v.line(i),
            View::Folded => None,
        }
    }

    /// Code blocks this view numbers.
    pub fn code_blocks(&self) -> usize {
        match self {
            View::Turn(v) => v.answer.code_blocks().len(),
            View::Compare(v) => v.code_blocks(),
            View::Folded => 0,
        }
    }
}

/// Whether turn `idx`'s thinking section is open: the person's choice, else open while the
/// turn streams and collapsed after.
pub fn thinking_visible(choices: &BTreeMap<usize, bool>, idx: usize, turn: &Turn) -> bool {
    choices
        .get(&idx)
        .copied()
        .unwrap_or_else(|| turn.is_streaming())
}

/// The conversation laid out for one width.
#[derive(Debug, Default)]
pub struct ConversationCache {
    views: Vec<View>,
    /// The [`Changes::epoch`] the views were built for.
    epoch: Option<u64>,
    width: u16,
    rows: usize,
    total_rows: usize,
    /// The first row of each turn.
    row_starts: Vec<usize>,
    /// The number of the first code block of each turn.
    code_starts: Vec<usize>,
    /// How many code blocks each turn numbers.
    counts: Vec<usize>,
    /// Turns `0..pending` are not laid out yet: they take no rows and are not drawn.
    pending: usize,
}

/// A conversation of more turns than this, when replaced (opened with its history) or resized,
/// is laid out from its end: the first frame lays out the last turns until [`FIRST_SCREENS`]
/// pane heights are filled, later frames [`BATCH`] more each, until all are.
pub const LAZY_FROM: usize = 200;
const FIRST_SCREENS: usize = 3;
const BATCH: usize = 200;

impl ConversationCache {
    /// Bring the caches up to date for a pane of `width` x `rows`, and say what was measured.
    pub fn prepare(
        &mut self,
        ctx: &Ctx,
        changes: &Changes,
        thinking: &BTreeMap<usize, bool>,
        scroll: &Scroll,
        (width, rows): (u16, u16),
    ) -> Laid {
        let turns = &ctx.session.conversation.turns;
        let n = turns.len();
        let replaced = self.epoch != Some(changes.epoch);
        if replaced {
            self.views.clear();
            self.counts.clear();
            self.code_starts.clear();
            self.row_starts.clear();
            self.epoch = Some(changes.epoch);
        }
        let resized = width != self.width || replaced;
        self.width = width;
        self.rows = rows as usize;
        let conv = &ctx.session.conversation;
        // Every turn has a slot; a turn never laid out counts its code blocks without layout.
        self.views.truncate(n);
        self.counts.truncate(n);
        while self.views.len() < n {
            self.views.push(View::Folded);
            self.counts.push(light_count(conv, self.counts.len()));
        }
        self.pending = if resized && n > LAZY_FROM {
            n
        } else {
            self.pending.min(n)
        };
        // Someone looking back through the history gets all of it.
        if scroll.top.is_some() || scroll.jump.is_some() {
            self.pending = 0;
        }
        // A comparison is laid out at its first arm.
        let active = ctx
            .active
            .and_then(|(id, _)| turns.iter().rposition(|t| t.id == id))
            .map(|idx| conv.group(idx).start);
        // From the first changed turn or the streaming one, never among those still waiting.
        let start = if resized { 0 } else { changes.stale_from }
            .min(active.unwrap_or(usize::MAX))
            .min(n);
        // Never start inside a comparison: its view lives at its first arm.
        let start = conv.group(start).start.min(start).max(self.pending);
        self.number_from(start);
        for idx in start..n {
            self.lay_out_turn(ctx, idx, resized, thinking);
        }
        // Then the waiting turns, from the last one up.
        let fresh = self.pending == n;
        let (mut laid, mut filled) = (0, 0);
        while self.pending > 0 {
            let enough = if fresh {
                filled >= FIRST_SCREENS * self.rows.max(1)
            } else {
                laid >= BATCH
            };
            if enough {
                break;
            }
            let idx = conv.group(self.pending - 1).start;
            self.lay_out_turn(ctx, idx, true, thinking);
            filled += self.views[idx].height();
            laid += self.pending - idx;
            self.pending = idx;
        }
        let from = if laid > 0 { 0 } else { start };
        self.rows_from(from);
        Laid {
            rows: self.rows,
            total_rows: self.total_rows,
            jumped_to: scroll
                .jump
                .and_then(|idx| self.row_starts.get(idx).copied()),
        }
    }

    /// Whether turns are still waiting to be laid out (another frame will do more).
    pub fn pending(&self) -> bool {
        self.pending > 0
    }

    /// Code block numbers from turn `from` on, from the counts.
    fn number_from(&mut self, from: usize) {
        let from = from.min(self.code_starts.len());
        self.code_starts.truncate(from);
        let mut next = match from.checked_sub(1) {
            Some(prev) => self.code_starts[prev] + self.counts[prev],
            None => 1,
        };
        for count in &self.counts[from..] {
            self.code_starts.push(next);
            next += count;
        }
    }

    /// First rows from turn `from` on (turns still waiting take none).
    fn rows_from(&mut self, from: usize) {
        let from = from.min(self.row_starts.len());
        self.row_starts.truncate(from);
        let mut next = match from.checked_sub(1) {
            Some(prev) => self.row_starts[prev] + self.height(prev),
            None => 0,
        };
        for idx in from..self.views.len() {
            self.row_starts.push(next);
            next += self.height(idx);
        }
        self.total_rows = next;
    }

    fn height(&self, idx: usize) -> usize {
        if idx < self.pending {
            0
        } else {
            self.views.get(idx).map_or(0, View::height)
        }
    }

    /// Lays turn `idx` out (a comparison at its first arm, the other arms folded into it),
    /// numbering its code blocks from `code_starts[idx]`; its count is updated.
    fn lay_out_turn(
        &mut self,
        ctx: &Ctx,
        idx: usize,
        resized: bool,
        thinking: &BTreeMap<usize, bool>,
    ) {
        let conv = &ctx.session.conversation;
        let Some(turn) = conv.turns.get(idx) else {
            return;
        };
        let code_number = self.code_starts.get(idx).copied().unwrap_or(1);
        if turn.arm.is_some() {
            let group = conv.group(idx);
            let view = if idx == group.start {
                let mut compare = match self.views.get_mut(idx) {
                    Some(View::Compare(v)) => std::mem::take(v),
                    _ => Box::default(),
                };
                compare.prepare(ctx, group, self.width, code_number, thinking);
                View::Compare(compare)
            } else {
                View::Folded
            };
            self.set_view(idx, view);
        } else {
            match self.views.get_mut(idx) {
                Some(View::Turn(view)) => {
                    let changed = view.feed(turn);
                    self.lay_out(ctx, idx, turn, code_number, resized || changed, thinking);
                }
                _ => {
                    self.set_view(idx, View::Turn(Box::new(TurnView::of(turn))));
                    self.lay_out(ctx, idx, turn, code_number, true, thinking);
                }
            }
        }
        let count = self.views[idx].code_blocks();
        if self.counts[idx] != count {
            // Counted without layout, and wrong: number what follows again.
            self.counts[idx] = count;
            self.number_from(idx + 1);
        }
    }

    /// Put `view` at `idx` (views are filled in order, so `idx <= views.len()`).
    fn set_view(&mut self, idx: usize, view: View) {
        match self.views.get_mut(idx) {
            Some(slot) => *slot = view,
            None => self.views.push(view),
        }
    }

    fn lay_out(
        &mut self,
        ctx: &Ctx,
        idx: usize,
        turn: &Turn,
        code_number: usize,
        text_changed: bool,
        thinking: &BTreeMap<usize, bool>,
    ) {
        let width = self.width;
        let Some(View::Turn(view)) = self.views.get_mut(idx) else {
            return;
        };
        let streaming = turn.is_streaming();
        if streaming {
            view.answer
                .layout_paced(width, ctx.theme, code_number, ctx.now);
            view.thinking.layout_paced(width, ctx.theme, 0, ctx.now);
        } else if text_changed {
            view.answer.layout(width, ctx.theme, code_number);
            view.thinking.layout(width, ctx.theme, 0);
        }
        let shown = thinking_visible(thinking, idx, turn);
        view.thinking_shown = shown;
        let source = turn.reported_usage.map_or("estimated", |u| u.source());
        let built = Some((width, shown, turn.state.name(), source));
        if text_changed || streaming || view.built != built {
            let sent = ctx.active.filter(|(id, _)| *id == turn.id).map(|(_, t)| t);
            let elapsed = sent.map_or(0, |t| {
                u64::try_from(ctx.now.saturating_duration_since(t).as_millis()).unwrap_or(0)
            });
            view.header = header_lines(turn, shown, ctx.theme, elapsed, width);
            let retry = ctx.retry.filter(|_| sent.is_some()).map(|(notice, at)| {
                let waited = ctx.now.saturating_duration_since(*at);
                (notice, notice.delay.saturating_sub(waited))
            });
            let edited =
                crate::conversation::replaced_by_edit(&ctx.session.conversation.turns, idx);
            view.footer = footer_lines(turn, edited, ctx.theme, elapsed, width, retry);
            view.built = built;
        }
    }

    pub fn total_rows(&self) -> usize {
        self.total_rows
    }

    /// The turn shown at conversation row `row`, and the row it starts at.
    pub fn turn_at_row(&self, row: usize) -> Option<(usize, usize)> {
        let idx = self
            .row_starts
            .partition_point(|&start| start <= row)
            .checked_sub(1)?;
        Some((idx, self.row_starts[idx]))
    }

    /// The view of turn `idx`; `None` while it waits to be laid out.
    pub fn view(&self, idx: usize) -> Option<&View> {
        self.views.get(idx).filter(|_| idx >= self.pending)
    }
}

/// The code blocks turn `idx` numbers, counted without laying it out: its answer's, or for the
/// first arm of a comparison those of the arms shown (as `tui::conversation::code_blocks`).
fn light_count(conv: &Conversation, idx: usize) -> usize {
    let Some(turn) = conv.turns.get(idx) else {
        return 0;
    };
    if turn.arm.is_none() {
        return markdown::code_blocks(&turn.answer, 1).len();
    }
    let group = conv.group(idx);
    if group.start != idx {
        return 0;
    }
    (conv.shown_arms(group).into_iter())
        .filter_map(|i| conv.turns.get(i))
        .map(|t| markdown::code_blocks(&t.answer, 1).len())
        .sum()
}

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;
