//! The lines around a turn's markdown: the person's prompt and the thinking section's title
//! above it; the live spinner, tool calls, end state and usage line below it.
//!
//! Pure functions of a turn's state and the time, so the same turn always draws the same.

use crate::api::{FinishReason, OUT_OF_CREDIT, RetryNotice};
use crate::conversation::{Turn, TurnState};
use crate::tui::markdown::wrap_text;
use crate::tui::theme::Theme;
use crate::usage;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use std::time::Duration;
use unicode_width::UnicodeWidthStr;

pub use crate::text::spinner;

/// The person's prompt and, when the model shares reasoning, the thinking section's title.
pub fn header_lines(
    turn: &Turn,
    thinking_open: bool,
    theme: &Theme,
    elapsed_ms: u64,
    width: u16,
) -> Vec<Line<'static>> {
    let mut lines = prompt_lines(turn, theme, width);
    lines.extend(thinking_title(turn, thinking_open, theme, elapsed_ms));
    lines
}

/// `▌ You` and the prompt, wrapped to `width`, its attachments (name, size), then a blank
/// line.
pub fn prompt_lines(turn: &Turn, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled(
        "▌ You",
        theme.user.add_modifier(ratatui::style::Modifier::BOLD),
    ))];
    let prompt = turn.prompt.replace('\t', "    ");
    for line in wrap_text(&prompt, theme.user, width.saturating_sub(2)) {
        let mut spans = vec![Span::styled("▌ ", theme.user)];
        spans.extend(line.spans);
        lines.push(Line::from(spans));
    }
    if !turn.attachments.is_empty() {
        let labels: Vec<String> = turn.attachments.iter().map(|a| a.label()).collect();
        let text = crate::text::sanitize(&format!("attached: {}", labels.join(" · "))).into_owned();
        for line in wrap_text(&text, theme.usage, width.saturating_sub(2)) {
            let mut spans = vec![Span::styled("▌ ", theme.user)];
            spans.extend(line.spans);
            lines.push(Line::from(spans));
        }
    }
    lines.push(Line::default());
    lines
}

/// The thinking section's title (`▾ thinking… 3.1 s`, `▸ thought for 6.4 s`), when the
/// model shared reasoning.
pub fn thinking_title(
    turn: &Turn,
    open: bool,
    theme: &Theme,
    elapsed_ms: u64,
) -> Option<Line<'static>> {
    if turn.reasoning.is_empty() {
        return None;
    }
    let arrow = if open { "▾" } else { "▸" };
    let still_thinking = turn.is_streaming() && turn.timings.first_text_ms.is_none();
    let title = if still_thinking {
        format!(
            "{arrow} {} thinking… {}",
            spinner(elapsed_ms),
            usage::seconds(elapsed_ms)
        )
    } else {
        format!(
            "{arrow} thought for {}",
            usage::seconds(turn.thinking_ms(elapsed_ms))
        )
    };
    let hint = if open {
        "  (Tab hides)"
    } else {
        "  (Tab shows)"
    };
    Some(Line::from(vec![
        Span::styled(title, theme.thinking),
        Span::styled(hint, theme.usage),
    ]))
}

/// What follows the answer: the live spinner, tool calls, the end state, the usage line.
pub fn footer_lines(
    turn: &Turn,
    edited: bool,
    theme: &Theme,
    elapsed_ms: u64,
    width: u16,
    retry: Option<(&RetryNotice, Duration)>,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if turn.is_streaming() {
        if let Some((notice, remaining)) = retry {
            lines.push(Line::from(Span::styled(
                retry_line(notice, remaining),
                theme.accent,
            )));
            lines.extend(wrap_text(
                &format!("  {}", notice.error),
                theme.usage,
                width,
            ));
        } else if turn.answer.is_empty() && turn.reasoning.is_empty() {
            let what = if turn.spec.reasoning_model {
                "reasoning…"
            } else {
                "waiting for the first token…"
            };
            lines.push(Line::from(Span::styled(
                format!(
                    "{} {what} {}",
                    spinner(elapsed_ms),
                    usage::seconds(elapsed_ms)
                ),
                theme.accent,
            )));
        } else if !turn.answer.is_empty() {
            lines.push(Line::from(Span::styled(
                spinner(elapsed_ms).to_string(),
                theme.accent,
            )));
        }
        lines.push(Line::default());
        return lines;
    }
    for call in &turn.tool_calls {
        lines.push(Line::from(Span::styled(
            format!(
                "⚙ the model asked to call `{}({})`",
                call.name, call.arguments
            ),
            theme.accent,
        )));
    }
    match &turn.state {
        TurnState::Cancelled => lines.push(Line::from(Span::styled("⊘ cancelled", theme.error))),
        TurnState::Superseded if edited => lines.push(Line::from(Span::styled(
            "✎ edited · an earlier version (still billed): the new one is below",
            theme.usage,
        ))),
        TurnState::Superseded => lines.push(Line::from(Span::styled(
            "⊘ cancelled · sent again below",
            theme.error,
        ))),
        TurnState::Interrupted => {
            lines.push(Line::from(Span::styled(
                "⚠ interrupted: thinkbench stopped before the answer finished",
                theme.error,
            )));
            lines.push(Line::from(Span::styled("  (Alt+R retries)", theme.usage)));
        }
        TurnState::Failed(err) => {
            let text = format!("✗ {err}");
            lines.extend(wrap_text(&text, theme.error, width));
            if let Some(hint) = catalog_hint(turn, err) {
                lines.extend(wrap_text(&hint, theme.usage, width));
            }
            // No retry is offered that cannot succeed.
            let keys = if err.is_out_of_credit() {
                lines.extend(wrap_text(OUT_OF_CREDIT, theme.accent, width));
                "  (Up recalls your prompt)"
            } else {
                "  (Alt+R retries · Up recalls your prompt)"
            };
            if keys.width() > width as usize {
                lines.extend(wrap_text(keys.trim_start(), theme.usage, width));
            } else {
                lines.push(Line::from(Span::styled(keys, theme.usage)));
            }
        }
        _ => {}
    }
    match &turn.finish_reason {
        Some(FinishReason::Length) if turn.answer.trim().is_empty() => {
            let u = turn.usage();
            let budget = turn.spec.max_output_tokens.unwrap_or(u.output);
            let cost = usage::dollars(turn.cost());
            let billed = if turn.is_demo() {
                format!("{cost} if it were billed ({})", crate::demo::NOT_BILLED)
            } else {
                format!("billed {cost}")
            };
            let text = format!(
                "⚠ all {} output tokens went to reasoning; no answer was produced; {billed}. \
                 Raise the limit (/max) — OpenAI suggests leaving ≥ 25,000 for reasoning.",
                usage::thousands(budget),
            );
            lines.extend(wrap_text(&text, theme.error, width));
        }
        Some(FinishReason::Length) => lines.push(Line::from(Span::styled(
            "⚠ stopped at the output token limit (length)",
            theme.error,
        ))),
        Some(FinishReason::ContentFilter) => lines.push(Line::from(Span::styled(
            "⚠ stopped by the content filter",
            theme.error,
        ))),
        Some(FinishReason::Other(reason)) => lines.push(Line::from(Span::styled(
            format!("⚠ finish reason: {reason}"),
            theme.error,
        ))),
        _ => {}
    }
    lines.extend(wrap_fields(&turn.usage_line(), " · ", theme.usage, width));
    lines.push(Line::default());
    lines
}

/// For a request the server refused because of a parameter or value the model does not
/// take: which catalog entry to fix, and how.
fn catalog_hint(turn: &Turn, err: &crate::api::ApiError) -> Option<String> {
    let code = err.code.as_deref()?;
    if code != "unsupported_parameter" && code != "unsupported_value" {
        return None;
    }
    Some(format!(
        "  The catalog's entry for {}/{} asks for something this model rejects: add a \
         [[models]] entry with id = \"{}\", provider = \"{}\" to config.toml and set the field \
         the message names (e.g. instruction_role, max_tokens_field, accepts_effort = false, \
         can_stream = false).",
        turn.spec.provider, turn.spec.model, turn.spec.model, turn.spec.provider
    ))
}

/// `⟳ rate limited — retrying in 12 s (2/4) · Esc gives up`, counting down.
pub fn retry_line(notice: &RetryNotice, remaining: Duration) -> String {
    format!("⟳ {} · Esc gives up", notice.describe(remaining))
}

/// Wrap a `sep`-separated list of fields to `width` columns, breaking between fields
/// (and inside a field only when it alone is wider than the line).
pub fn wrap_fields(text: &str, sep: &str, style: Style, width: u16) -> Vec<Line<'static>> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for field in text.split(sep) {
        if current.is_empty() {
            current = field.to_string();
        } else if current.width() + sep.width() + field.width() <= width as usize {
            current.push_str(sep);
            current.push_str(field);
        } else {
            lines.push(std::mem::take(&mut current));
            current = field.to_string();
        }
    }
    lines.push(current);
    wrap_text(&lines.join("\n"), style, width)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: Vec<Line<'static>>) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn wraps_between_fields_first() {
        let line = "o3-mini · high · in 13 · out 46 · $0.00106";
        let s = Style::default();
        assert_eq!(
            texts(wrap_fields(line, " · ", s, 25)),
            ["o3-mini · high · in 13", "out 46 · $0.00106"]
        );
        assert_eq!(
            texts(wrap_fields("abcdefgh", " · ", s, 3)),
            ["abc", "def", "gh"]
        );
        assert_eq!(
            texts(wrap_text("one two three", s, 7)),
            ["one two", "three"]
        );
        let _ = wrap_text("", s, 0);
    }
}
