//! A comparison laid out for one width: the prompt, a tab bar or page line, the arms' rows
//! side by side, and the summary. Each arm keeps its own incremental markdown (a
//! [`TurnView`]), laid out at its column's width; rows are composed only when drawn.

use super::column::{self, ArmLive};
use super::{Layout, SEP, layout, summary_lines};
use crate::conversation::Conversation;
use crate::tui::component::Ctx;
use crate::tui::conversation::cache::{TurnView, thinking_visible};
use crate::tui::conversation::turn::prompt_lines;
use ratatui::text::{Line, Span};
use std::collections::BTreeMap;
use std::ops::Range;
use unicode_width::UnicodeWidthStr;

/// One arm's render state.
#[derive(Clone, Debug)]
struct Pane {
    /// The arm's turn index in the conversation.
    idx: usize,
    view: TurnView,
}

/// A comparison, laid out.
#[derive(Clone, Debug, Default)]
pub struct CompareView {
    prompt: Vec<Line<'static>>,
    panes: Vec<Pane>,
    layout: Option<Layout>,
    /// The tab bar (tabs) or the page line (columns that page).
    bar: Vec<Line<'static>>,
    body_rows: usize,
    summary: Vec<Line<'static>>,
    blank: Line<'static>,
}

impl CompareView {
    /// Bring the view up to date with the arms of `group` for a pane `width` wide; code
    /// blocks are numbered from `code_number`.
    pub fn prepare(
        &mut self,
        ctx: &Ctx,
        group: Range<usize>,
        width: u16,
        code_number: usize,
        thinking: &BTreeMap<usize, bool>,
    ) {
        let conv: &Conversation = &ctx.session.conversation;
        let shown = conv.shown_arms(group.clone());
        let Some(&first) = shown.first() else {
            *self = CompareView::default();
            return;
        };
        // Keep the panes of arms still shown; a retried arm gets a fresh one.
        let mut old = std::mem::take(&mut self.panes);
        for &idx in &shown {
            let turn = &conv.turns[idx];
            let pane = match old.iter().position(|p| p.idx == idx) {
                Some(at) => {
                    let mut pane = old.swap_remove(at);
                    pane.view.feed(turn);
                    pane
                }
                None => Pane {
                    idx,
                    view: TurnView::of(turn),
                },
            };
            self.panes.push(pane);
        }
        let lay = layout(width, shown.len(), ctx.compare_tab);
        self.layout = Some(lay);
        let arm_width = super::arm_width(lay, width);
        let kept = conv.kept_arm(group.clone());
        let streaming = shown.iter().any(|&i| conv.turns[i].is_streaming());
        let open_default = |i: usize| thinking_visible(thinking, group.start, &conv.turns[i]);
        let mut code = code_number;
        for (n, pane) in self.panes.iter_mut().enumerate() {
            let turn = &conv.turns[pane.idx];
            let live = live(ctx, turn.id, turn.arm_index());
            let open = open_default(pane.idx);
            let view = &mut pane.view;
            view.answer.layout(arm_width, ctx.theme, code);
            view.thinking.layout(arm_width, ctx.theme, 0);
            code += view.answer.code_blocks().len();
            view.thinking_shown = open;
            let is_kept = kept == Some(pane.idx) && !streaming;
            view.header =
                column::title_lines(turn, n + 1, is_kept, open, ctx.theme, &live, arm_width);
            view.footer = column::footer(turn, ctx.theme, &live, arm_width);
        }
        self.prompt = prompt_lines(&conv.turns[first], ctx.theme, width);
        self.bar = bar(self, lay, ctx, width);
        let visible = lay.visible(self.panes.len());
        self.body_rows = (self.panes[visible].iter())
            .map(|p| p.view.height())
            .max()
            .unwrap_or(0);
        let turns: Vec<&crate::conversation::Turn> =
            shown.iter().map(|&i| &conv.turns[i]).collect();
        let kept_pos = kept.and_then(|k| shown.iter().position(|&i| i == k));
        // The summary once some arm has ended (before, every figure would be a dash).
        self.summary = if turns.iter().any(|t| !t.is_streaming()) {
            let mut summary = summary_lines(&turns, kept_pos, ctx.theme, width);
            summary.push(Line::default());
            summary
        } else {
            Vec::new()
        };
    }

    /// Code blocks numbered in this comparison (all arms).
    pub fn code_blocks(&self) -> usize {
        self.panes
            .iter()
            .map(|p| p.view.answer.code_blocks().len())
            .sum()
    }

    pub fn height(&self) -> usize {
        self.prompt.len() + self.bar.len() + self.body_rows + self.summary.len()
    }

    /// Row `i` of the comparison.
    pub fn line(&self, mut i: usize) -> Option<Line<'_>> {
        if i < self.prompt.len() {
            return self.prompt.get(i).cloned();
        }
        i -= self.prompt.len();
        if i < self.bar.len() {
            return self.bar.get(i).cloned();
        }
        i -= self.bar.len();
        if i < self.body_rows {
            return Some(self.body_row(i));
        }
        i -= self.body_rows;
        self.summary.get(i).cloned()
    }

    fn body_row(&self, i: usize) -> Line<'_> {
        let Some(lay) = self.layout else {
            return Line::default();
        };
        let visible = lay.visible(self.panes.len());
        match lay {
            Layout::Tabs { .. } => (self.panes[visible].first())
                .and_then(|p| p.view.line(i))
                .unwrap_or_default(),
            Layout::Columns { width, .. } => {
                let mut spans: Vec<Span<'_>> = Vec::new();
                let count = visible.len();
                for (n, pane) in self.panes[visible].iter().enumerate() {
                    let line = pane.view.line(i).unwrap_or_else(|| self.blank.clone());
                    fit(&line, width as usize, &mut spans);
                    if n + 1 < count {
                        spans.push(Span::styled(SEP, pane_border(&line)));
                    }
                }
                Line::from(spans)
            }
        }
    }
}

/// The separator's style: the line's own base style would leak colours; use none.
fn pane_border(_line: &Line<'_>) -> ratatui::style::Style {
    ratatui::style::Style::default()
}

/// `line`'s spans cut or padded to exactly `width` cells, appended to `out`.
fn fit<'a>(line: &Line<'a>, width: usize, out: &mut Vec<Span<'a>>) {
    let mut used = 0;
    for span in &line.spans {
        let style = line.style.patch(span.style);
        let w = span.content.width();
        if used + w <= width {
            out.push(Span::styled(span.content.clone(), style));
            used += w;
            continue;
        }
        let mut cut = String::new();
        for c in span.content.chars() {
            let cw = c.to_string().width();
            if used + cw > width {
                break;
            }
            cut.push(c);
            used += cw;
        }
        out.push(Span::styled(cut, style));
        break;
    }
    if used < width {
        out.push(Span::raw(" ".repeat(width - used)));
    }
}

/// How an arm is doing now, for its column.
fn live<'a>(ctx: &Ctx<'a>, turn_id: u64, arm: u32) -> ArmLive<'a> {
    let run = (ctx.arms.iter()).find(|r| r.turn_id == turn_id && r.arm == arm && !r.done);
    let (elapsed_ms, sent) = ctx.arm_elapsed(turn_id, arm).unwrap_or((0, true));
    let retry = run.and_then(|r| r.retry.as_ref()).map(|(notice, at)| {
        let waited = ctx.now.saturating_duration_since(*at);
        (notice, notice.delay.saturating_sub(waited))
    });
    ArmLive {
        elapsed_ms,
        sent,
        retry,
    }
}

/// The tab bar (` 1 o3-mini@low ✓ │ 2 o3-mini@high ⠋ `) or, when columns page, which arms
/// are shown.
fn bar(view: &CompareView, lay: Layout, ctx: &Ctx, width: u16) -> Vec<Line<'static>> {
    let conv = &ctx.session.conversation;
    let count = view.panes.len();
    let t = ctx.theme;
    match lay {
        Layout::Tabs { shown } => {
            let mut spans = Vec::new();
            for (n, pane) in view.panes.iter().enumerate() {
                let turn = &conv.turns[pane.idx];
                let mark = match &turn.state {
                    crate::conversation::TurnState::Streaming => "…",
                    crate::conversation::TurnState::Done => "✓",
                    _ => "✗",
                };
                let text = format!(" {} {} {mark} ", n + 1, turn.arm_label());
                spans.push(Span::styled(
                    text,
                    if n == shown { t.selection } else { t.usage },
                ));
            }
            let mut lines = wrap_tabs(spans, width as usize);
            lines.push(Line::from(Span::styled(
                "←/→ or 1-9 show another arm",
                t.usage,
            )));
            lines.push(Line::default());
            lines
        }
        Layout::Columns {
            per_page, first, ..
        } if count > per_page => {
            let end = (first + per_page).min(count);
            vec![
                Line::from(Span::styled(
                    format!("arms {}-{end} of {count} · ←/→ shows the others", first + 1),
                    t.usage,
                )),
                Line::default(),
            ]
        }
        Layout::Columns { .. } => Vec::new(),
    }
}

/// Tabs laid into as many rows as the width needs (a tab is never split).
fn wrap_tabs(tabs: Vec<Span<'static>>, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut row: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for tab in tabs {
        let w = tab.content.width();
        if used > 0 && used + w > width {
            lines.push(Line::from(std::mem::take(&mut row)));
            used = 0;
        }
        used += w;
        row.push(tab);
    }
    if !row.is_empty() {
        lines.push(Line::from(row));
    }
    lines
}
