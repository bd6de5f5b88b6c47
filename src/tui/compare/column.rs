//! One arm's column: its title (number, model, effort, kept mark), the thinking title, and
//! under the answer a live line while it streams, or the usual footer (end state, finish
//! reason, usage line) once it ended.

use crate::api::RetryNotice;
use crate::conversation::Turn;
use crate::tui::conversation::turn::{
    footer_lines, retry_line, spinner, thinking_title, wrap_fields,
};
use crate::tui::markdown::wrap_text;
use crate::tui::theme::Theme;
use crate::usage::{self, thousands};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use std::time::Duration;

/// How an arm is doing, for its column.
#[derive(Clone, Copy, Debug)]
pub struct ArmLive<'a> {
    /// Milliseconds since its request left (0 while it waits or once it ended).
    pub elapsed_ms: u64,
    /// Its request has left (false: waiting for a slot).
    pub sent: bool,
    /// A retry it waits for, and how long is left.
    pub retry: Option<(&'a RetryNotice, Duration)>,
}

/// `1 o3-mini · high` (and `✓ kept`), then the thinking title when it shares reasoning.
pub fn title_lines(
    turn: &Turn,
    number: usize,
    kept: bool,
    thinking_open: bool,
    theme: &Theme,
    live: &ArmLive,
    width: u16,
) -> Vec<Line<'static>> {
    let mut name = format!("{number} {}", turn.spec.model);
    if let Some(effort) = &turn.spec.effort {
        name.push_str(&format!(" · {effort}"));
    }
    let mut spans = vec![Span::styled(
        name,
        theme.accent.add_modifier(Modifier::BOLD),
    )];
    if kept {
        spans.push(Span::styled("  ✓ kept", theme.user));
    }
    let mut lines: Vec<Line<'static>> = wrap_spans(spans, width);
    lines.extend(thinking_title(turn, thinking_open, theme, live.elapsed_ms));
    lines
}

fn wrap_spans(spans: Vec<Span<'static>>, width: u16) -> Vec<Line<'static>> {
    let line = Line::from(spans);
    if line.width() <= width as usize {
        return vec![line];
    }
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let style = line.spans.first().map(|s| s.style).unwrap_or_default();
    wrap_text(&text, style, width)
}

/// Under the answer: the live line while the arm streams (or waits), else the footer every
/// turn has.
pub fn footer(turn: &Turn, theme: &Theme, live: &ArmLive, width: u16) -> Vec<Line<'static>> {
    if !turn.is_streaming() {
        return footer_lines(turn, false, theme, live.elapsed_ms, width, None);
    }
    let mut lines = Vec::new();
    if let Some((notice, remaining)) = live.retry {
        lines.extend(wrap_text(
            &retry_line(notice, remaining),
            theme.accent,
            width,
        ));
        lines.extend(wrap_text(
            &format!("  {}", notice.error),
            theme.usage,
            width,
        ));
    } else if !live.sent {
        lines.push(Line::from(Span::styled(
            "· waiting for a free slot",
            theme.usage,
        )));
    } else {
        let line = live_line(turn, live.elapsed_ms);
        lines.extend(wrap_fields(&line, " · ", theme.accent, width));
    }
    lines.push(Line::default());
    lines
}

/// `⠋ reasoning ~1,024 · out ~312 · 41 tok/s · ~$0.0031 · 8.2 s` while an arm streams.
pub fn live_line(turn: &Turn, elapsed_ms: u64) -> String {
    let u = turn.usage();
    let est = if u.estimated { "~" } else { "" };
    let mut parts = Vec::new();
    if !turn.reasoning.is_empty() {
        parts.push(format!("reasoning {est}{}", thousands(u.reasoning)));
    } else if turn.answer.is_empty() && turn.spec.reasoning_model {
        parts.push("reasoning…".to_string());
    } else if turn.answer.is_empty() {
        parts.push("waiting for the first token…".to_string());
    }
    if !turn.answer.is_empty() {
        parts.push(format!("out {est}{}", thousands(u.visible_output())));
    }
    if let Some(first) = turn.first_token_ms() {
        let span = elapsed_ms.saturating_sub(first);
        if span > 0 && u.output > 0 {
            let tps = (u.output as f64 * 1000.0 / span as f64).round() as u64;
            parts.push(format!("{est}{} tok/s", thousands(tps)));
        }
    }
    parts.push(match turn.cost() {
        Some(c) => format!("{est}{}", usage::dollars(Some(c))),
        None => "$?".to_string(),
    });
    parts.push(usage::seconds(elapsed_ms));
    format!("{} {}", spinner(elapsed_ms), parts.join(" · "))
}
