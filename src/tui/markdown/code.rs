//! The frame drawn around a code block: a top border carrying the block's label (`[3] rust`),
//! a `│ ` bar before each highlighted line, and a bottom border.
//!
//! Invariants: code is never wrapped or re-flowed — a line wider than the frame is cut and ends
//! in `…`; every produced line is at most `width` columns; the frame spans the full width, so
//! it depends only on the width and the label, never on the code (a growing block keeps its
//! frame).

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::wrap::{clip, push_span, width_of};
use crate::tui::theme::Theme;

/// Frame styles.
pub(crate) struct FrameStyle {
    pub border: Style,
    pub number: Style,
}

impl FrameStyle {
    pub(crate) fn of(theme: &Theme) -> FrameStyle {
        FrameStyle {
            border: theme.code_frame,
            number: theme.code_frame.patch(theme.accent),
        }
    }
}

/// Frames highlighted lines. `number` and `lang` make the label; either may be absent.
pub(crate) fn frame(
    lines: &[Line<'static>],
    number: Option<usize>,
    lang: &str,
    width: usize,
    style: &FrameStyle,
) -> Vec<Vec<Span<'static>>> {
    let mut out = Vec::with_capacity(lines.len() + 2);
    out.push(top(number, lang, width, style));
    out.extend(lines.iter().map(|line| body_line(line, width, style)));
    out.push(bottom(width, style));
    out
}

/// One code line inside the frame: the bar, then the code, cut to fit.
pub(crate) fn body_line(
    line: &Line<'static>,
    width: usize,
    style: &FrameStyle,
) -> Vec<Span<'static>> {
    let inner = width.saturating_sub(2);
    let mut spans = vec![Span::styled("│ ", style.border)];
    spans.extend(clip(&line.spans, inner, Some(style.border)).0);
    clip(&spans, width, None).0
}

/// The bottom border.
pub(crate) fn bottom(width: usize, style: &FrameStyle) -> Vec<Span<'static>> {
    let mut bottom = Vec::new();
    push_span(&mut bottom, "╰", style.border);
    push_span(
        &mut bottom,
        &"─".repeat(width.saturating_sub(1)),
        style.border,
    );
    clip(&bottom, width, None).0
}

fn top(number: Option<usize>, lang: &str, width: usize, style: &FrameStyle) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    if number.is_none() && lang.is_empty() {
        push_span(&mut spans, "╭", style.border);
    } else {
        push_span(&mut spans, "╭─ ", style.border);
        if let Some(n) = number {
            spans.push(Span::styled(format!("[{n}]"), style.number));
            if !lang.is_empty() {
                push_span(&mut spans, " ", style.border);
            }
        }
        push_span(&mut spans, lang, style.border);
        push_span(&mut spans, " ", style.border);
    }
    let used: usize = spans.iter().map(|s| width_of(&s.content)).sum();
    push_span(
        &mut spans,
        &"─".repeat(width.saturating_sub(used)),
        style.border,
    );
    clip(&spans, width, None).0
}
