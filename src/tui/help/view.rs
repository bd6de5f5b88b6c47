//! The help, laid out and drawn: a box over the middle of the screen, the keys then the
//! commands, each description wrapped under its own column (a hanging indent); when the box
//! is too narrow for two columns a description goes under its key, indented. The box's
//! bottom border says how much is out of sight and which keys scroll.
//!
//! Invariants: the rows are a function of the width alone (the state pages with the same
//! rows the view draws); drawing clamps the scroll to the size drawn at and never panics,
//! down to 1x1.

use super::state::Help;
use crate::tui::component::Ctx;
use crate::tui::keymap::{COMMANDS, KEYS};
use crate::tui::markdown::wrap_text;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// One row of the help at some width.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Row {
    Heading(&'static str),
    Blank,
    /// The key column (blank on a description's later rows) and a row of the description.
    Item {
        key: String,
        what: String,
    },
}

/// Narrowest description column beside the keys; narrower boxes stack key and description.
const MIN_WHAT: usize = 20;
/// The indent of a description under its key, when stacked.
const STACKED: usize = 3;

/// The box the help is drawn in, for a terminal of `area`.
fn popup(area: Rect) -> Rect {
    Rect {
        x: area.x + area.width / 12,
        y: area.y + area.height / 12,
        width: area.width - area.width / 6,
        height: area.height - area.height / 6,
    }
}

/// Where the rows go, for a terminal of `area`.
pub(super) fn body(area: Rect) -> Rect {
    Block::default().borders(Borders::ALL).inner(popup(area))
}

/// The help's rows when `width` columns wide.
pub(super) fn rows(width: u16) -> Vec<Row> {
    let width = usize::from(width);
    let key_width = KEYS
        .iter()
        .map(|e| e.keys)
        .chain(COMMANDS.iter().map(|(name, _, _)| *name))
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    // The key column: a space, the widest key, two spaces.
    let key_col = 1 + key_width;
    let beside = width >= key_col + MIN_WHAT;
    let what_width = if beside {
        width - key_col
    } else {
        width.saturating_sub(STACKED)
    };
    let mut rows = vec![Row::Heading(" Keys")];
    let item = |rows: &mut Vec<Row>, key: &str, what: &str| {
        let wrapped = wrap_text(
            what,
            Style::default(),
            u16::try_from(what_width).unwrap_or(u16::MAX),
        );
        let mut wrapped = wrapped.iter().map(Line::to_string);
        let indent = if beside { key_col } else { STACKED };
        if beside {
            rows.push(Row::Item {
                key: format!(" {key:<key_width$}"),
                what: wrapped.next().unwrap_or_default(),
            });
        } else {
            rows.push(Row::Item {
                key: format!(" {key}"),
                what: String::new(),
            });
        }
        rows.extend(wrapped.map(|what| Row::Item {
            key: " ".repeat(indent),
            what,
        }));
    };
    for e in KEYS {
        item(&mut rows, e.keys, e.what);
    }
    rows.push(Row::Blank);
    rows.push(Row::Heading(
        " Commands (type / in the composer; Tab completes)",
    ));
    for (name, what, _) in COMMANDS {
        item(&mut rows, name, what);
    }
    rows
}

pub(super) fn render(ctx: &Ctx, help: &Help, frame: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    let popup = popup(area);
    let body = body(area);
    let rows = rows(body.width);
    let shown = usize::from(body.height);
    let first = help.first_row(rows.len(), shown);
    let below = rows.len().saturating_sub(first + shown);

    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(" help · Esc, q or F1 closes ");
    if first > 0 || below > 0 {
        let mut hint = Vec::new();
        if first > 0 {
            hint.push(format!("↑ {first} more"));
        }
        if below > 0 {
            hint.push(format!("↓ {below} more"));
        }
        hint.push("↑↓ PgUp/PgDn Home/End scroll".to_string());
        block = block.title_bottom(
            Line::from(format!(" {} ", hint.join(" · ")))
                .style(t.accent)
                .right_aligned(),
        );
    }
    let lines: Vec<Line> = rows
        .into_iter()
        .skip(first)
        .take(shown)
        .map(|row| match row {
            Row::Heading(text) => Line::from(Span::styled(text, t.heading)),
            Row::Blank => Line::default(),
            Row::Item { key, what } => Line::from(vec![
                Span::styled(key, t.accent),
                Span::styled(what, t.assistant),
            ]),
        })
        .collect();
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    frame.render_widget(Paragraph::new(lines), body);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(rows: &[Row]) -> Vec<String> {
        rows.iter()
            .map(|r| match r {
                Row::Heading(t) => t.to_string(),
                Row::Blank => String::new(),
                Row::Item { key, what } => format!("{key}{what}"),
            })
            .collect()
    }

    #[test]
    fn descriptions_wrap_under_their_own_column() {
        let wide = texts(&rows(60));
        let at = wide
            .iter()
            .position(|r| r.starts_with(" Alt+R"))
            .unwrap_or_else(|| panic!("no Alt+R row in {wide:#?}"));
        let column = wide[at].find("send").unwrap_or(0);
        assert!(column > 10);
        // The rest of the description starts in the same column, not at the box edge.
        let next = &wide[at + 1];
        assert_eq!(next.len() - next.trim_start().len(), column, "{next:?}");
        assert!(wide.iter().all(|r| r.chars().count() <= 60), "{wide:#?}");
        // Too narrow for two columns: the description goes under its key.
        let narrow = texts(&rows(30));
        let at = narrow.iter().position(|r| r == " Alt+R").unwrap_or(0);
        assert!(narrow[at + 1].starts_with("   send"), "{narrow:#?}");
        // Nothing panics at any width.
        for w in 0..4 {
            assert!(!rows(w).is_empty());
        }
    }
}
