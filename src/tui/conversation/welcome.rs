//! The start screen of an empty conversation: what thinkbench is, then where it is connected
//! (the base URL without its credentials) or, with `setup_hint`, what is missing to connect
//! and the offer of the offline demo (`d`, see the keymap). On the demo it says that it is a
//! demonstration (canned answers, no network, not billed), lists the demo models and tells
//! how to connect a real provider.
//!
//! Prose wraps at words. An indented line of the hint is a command, optionally followed by a
//! label after two or more spaces (`  thinkbench -m ollama/MODEL      (Ollama)`): it is never
//! broken inside a word nor between an option and its value. When it is wider than the pane
//! it continues on indented rows ending in ` \`, so it still pastes into a shell as one
//! command (environment assignments go on their own row first), and its label follows it or
//! takes a row of its own.

use crate::tui::component::Ctx;
use crate::tui::markdown::wrap_text;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

/// What a continued command row ends in.
const CONTINUED: &str = " \\";
/// Extra indentation of a command's continuation rows and of a label on its own row.
const MORE: &str = "    ";

pub fn render(ctx: &Ctx, setup_hint: Option<&str>, frame: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    let w = area.width;
    let mut lines = vec![Line::from(Span::styled("thinkbench", t.heading))];
    lines.extend(wrap_text(
        "Talk to reasoning models and see what every turn costs: input, cached, reasoning, output, dollars, latency.",
        t.usage,
        w,
    ));
    lines.push(Line::default());
    let s = &ctx.session.settings;
    match setup_hint {
        Some(hint) => {
            lines.extend(hint_lines(hint, t.error, w as usize));
            lines.push(Line::default());
            lines.extend(wrap_text(DEMO_OFFER, t.accent, w));
        }
        None if s.is_demo() => lines.extend(demo_lines(ctx, w)),
        None => {
            let connected = format!(
                "Connected to {} at {} — model {}.",
                s.provider_label(),
                crate::api::redact::urls(&s.endpoint.base_url),
                s.model
            );
            lines.extend(wrap_text(&connected, t.assistant, w));
            lines.extend(wrap_text(
                "Type a message below and press Enter.",
                t.assistant,
                w,
            ));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// What the start screen offers when nothing may be sent for want of a key.
pub const DEMO_OFFER: &str =
    "No key at hand? Press d for an offline demo: canned answers, no network, not billed.";

/// What the start screen says on the offline demo.
fn demo_lines(ctx: &Ctx, width: u16) -> Vec<Line<'static>> {
    let t = &ctx.theme;
    let mut lines = wrap_text(
        "This is the offline demo: canned answers from a server inside thinkbench, in the \
         wire formats of the real APIs. No network, no key, nothing billed; the cost shown is \
         what the turn would cost at the list price of the family each model stands for.",
        t.accent,
        width,
    );
    lines.push(Line::default());
    let models: Vec<String> = (crate::demo::script::MODELS.iter())
        .map(|(id, _, what)| format!("  {id:<13}{what}"))
        .collect();
    lines.extend(hint_lines(&models.join("\n"), t.assistant, width as usize));
    lines.push(Line::default());
    lines.extend(wrap_text(
        "Type a message and press Enter. F2 switches model, F3 sets the effort, and /max 300 \
         shows what a small output budget does to a reasoning model.",
        t.assistant,
        width,
    ));
    lines.push(Line::default());
    lines.extend(hint_lines(
        "To connect a real provider, quit and set its key, e.g.\n  export OPENAI_API_KEY=...\n  \
         thinkbench -m o3-mini",
        t.usage,
        width as usize,
    ));
    lines
}

/// The lines of a setup hint for a pane `width` columns wide.
pub fn hint_lines(hint: &str, style: Style, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for line in hint.lines() {
        let body = line.trim_start();
        if body.is_empty() {
            out.push(Line::default());
        } else if body.len() < line.len() {
            let indent = &line[..line.len() - body.len()];
            for row in command_rows(indent, body, width) {
                out.push(Line::from(Span::styled(row, style)));
            }
        } else {
            let w = u16::try_from(width).unwrap_or(u16::MAX);
            out.extend(wrap_text(line, style, w));
        }
    }
    out
}

/// The rows of an indented command line `indent` + `body` in `width` columns.
fn command_rows(indent: &str, body: &str, width: usize) -> Vec<String> {
    let whole = format!("{indent}{}", body.trim_end());
    if whole.width() <= width {
        return vec![whole];
    }
    let (command, label) = match body.find("  ") {
        Some(at) => (&body[..at], body[at..].trim()),
        None => (body, ""),
    };
    let more = format!("{indent}{MORE}");
    let mut rows = continued(indent, &more, command, width);
    if !label.is_empty() {
        match rows.last_mut() {
            Some(last) if last.width() + 3 + label.width() <= width => {
                last.push_str("   ");
                last.push_str(label);
            }
            _ => rows.push(format!("{more}{label}")),
        }
    }
    rows
}

/// `command` on rows of `width` columns, the first indented by `indent`, the others by
/// `more`, each but the last ending in ` \`.
fn continued(indent: &str, more: &str, command: &str, width: usize) -> Vec<String> {
    let tokens: Vec<&str> = command.split_whitespace().collect();
    let env = tokens.iter().take_while(|t| is_assignment(t)).count();
    let groups = [units(&tokens[..env]), units(&tokens[env..])];
    let mut rows: Vec<String> = Vec::new();
    let mut row = indent.to_string();
    let mut fresh = true;
    let total = groups.iter().map(Vec::len).sum::<usize>();
    let mut placed = 0;
    for (g, group) in groups.iter().enumerate() {
        // The program starts a row of its own when it and its arguments do not fit after
        // the assignments.
        if g == 1 && !fresh && !group.is_empty() {
            let rest = group.join(" ");
            if row.width() + 1 + rest.width() > width {
                row.push_str(CONTINUED);
                rows.push(std::mem::replace(&mut row, more.to_string()));
                fresh = true;
            }
        }
        for unit in group {
            placed += 1;
            let last = placed == total;
            let reserve = if last { 0 } else { CONTINUED.width() };
            if !fresh && row.width() + 1 + unit.width() + reserve > width {
                row.push_str(CONTINUED);
                rows.push(std::mem::replace(&mut row, more.to_string()));
                fresh = true;
            }
            if !fresh {
                row.push(' ');
            }
            row.push_str(unit);
            fresh = false;
        }
    }
    rows.push(row);
    rows
}

/// `NAME=value`: an environment assignment before a command.
fn is_assignment(token: &str) -> bool {
    match token.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => false,
    }
}

/// Tokens grouped so an option stays with its value: `-m llama3.2` is one unit.
fn units(tokens: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        match tokens.get(i + 1) {
            Some(value) if token.starts_with('-') && !value.starts_with('-') => {
                out.push(format!("{token} {value}"));
                i += 2;
            }
            _ => {
                out.push(token.to_string());
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLLAMA: &str =
        "OPENAI_BASE_URL=http://127.0.0.1:11434/v1 thinkbench -m llama3.2   (Ollama)";

    #[test]
    fn a_command_that_fits_keeps_its_alignment() {
        let rows = command_rows("  ", "thinkbench -m MODEL      (Ollama)", 60);
        assert_eq!(rows, ["  thinkbench -m MODEL      (Ollama)"]);
    }

    #[test]
    fn a_wide_command_continues_after_its_assignments_and_keeps_options_whole() {
        assert_eq!(
            command_rows("  ", OLLAMA, 64),
            [
                "  OPENAI_BASE_URL=http://127.0.0.1:11434/v1 \\",
                "      thinkbench -m llama3.2   (Ollama)",
            ]
        );
        let rows = command_rows(
            "  ",
            "thinkbench --base-url http://127.0.0.1:8080/v1 -m MODEL   (llama.cpp)",
            46,
        );
        assert_eq!(
            rows,
            [
                "  thinkbench \\",
                "      --base-url http://127.0.0.1:8080/v1 \\",
                "      -m MODEL   (llama.cpp)",
            ]
        );
    }

    #[test]
    fn a_label_without_room_takes_its_own_row() {
        let rows = command_rows("  ", "thinkbench -m ollama/MODEL        (Ollama)", 30);
        assert_eq!(rows, ["  thinkbench -m ollama/MODEL", "      (Ollama)"]);
    }

    #[test]
    fn assignments_are_names_then_equals() {
        assert!(is_assignment("OPENAI_BASE_URL=http://x"));
        assert!(!is_assignment("--base-url=http://x"));
        assert!(!is_assignment("thinkbench"));
        assert!(!is_assignment("=x"));
    }
}
