//! The help, laid out and drawn: a box over the middle of the screen, the keys then the
//! commands, each description wrapped under its own column (a hanging indent); when the box
//! is too narrow for two columns a description goes under its key, indented. The box's
//! bottom border says how much is out of sight and which keys scroll.
//!
//! Invariants: the rows are a function of the width alone (the state pages with the same
//! rows the view draws); drawing clamps the scroll to the size drawn at and never panics,
//! down to 1x1.

use super::layout::{Row, body, popup, rows};
use super::state::Help;
use crate::tui::component::Ctx;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

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
