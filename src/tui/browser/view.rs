//! The session browser, drawn over the conversation: a search line, the sessions (newest
//! first) with date, title, turns, cost, models and where a fork came from, and the keys.
//! Clipped to any size.

use super::state::Browser;
use crate::store::SessionSummary;
use crate::tui::component::{Ctx, cut};
use crate::usage;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

pub fn render(ctx: &Ctx, browser: &Browser, frame: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    let popup = Rect {
        x: area.x + area.width / 20,
        y: area.y + area.height / 10,
        width: area.width - area.width / 10,
        height: area.height - area.height / 5,
    };
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(" sessions ");
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [search, list, help] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(inner);

    let mut query = vec![
        Span::styled(" search: ", t.usage),
        Span::styled(browser.query.clone(), t.user),
        Span::styled("▏", t.accent),
    ];
    if browser.loading && !browser.sessions.is_empty() {
        query.push(Span::styled("  searching…", t.usage));
    }
    let query = Line::from(query);
    frame.render_widget(Paragraph::new(query), search);

    let rows = list.height as usize;
    let mut lines = Vec::with_capacity(rows);
    if browser.sessions.is_empty() {
        let text = if browser.loading && !browser.query.is_empty() {
            " searching…"
        } else if browser.loading {
            " loading…"
        } else if browser.query.is_empty() {
            " no sessions yet: every conversation is saved as you go"
        } else {
            " no session matches"
        };
        lines.push(Line::from(Span::styled(text, t.usage)));
    }
    // Room for the longest fork origin listed, the same on every row so columns align.
    let origin = (browser.sessions.iter())
        .map(|s| origin(s).width())
        .max()
        .unwrap_or(0);
    // Keep the selection in view.
    let first = browser.selected.saturating_sub(rows.saturating_sub(1));
    for (i, s) in browser.sessions.iter().enumerate().skip(first).take(rows) {
        let style = if i == browser.selected {
            t.selection
        } else {
            t.assistant
        };
        lines.push(Line::from(Span::styled(
            row(s, list.width as usize, origin),
            style,
        )));
    }
    frame.render_widget(Paragraph::new(lines), list);

    let help_line = match browser.confirm_delete {
        Some(id) => {
            let title = browser
                .sessions
                .iter()
                .find(|s| s.id == id)
                .map(|s| s.title.as_str())
                .unwrap_or("");
            Line::from(Span::styled(
                format!(" delete session {id} “{title}”? y deletes · any other key keeps it"),
                t.error,
            ))
        }
        None => Line::from(Span::styled(
            " type to search · ↑↓ choose · Enter open · Del or Ctrl+D delete · Esc close",
            t.usage,
        )),
    };
    frame.render_widget(Paragraph::new(help_line), help);
}

/// ` 12  2026-11-23 15:40  Title  3 turns  $0.0123  o3-mini, gpt-4o`, cut to `width`; a
/// fork's last column starts with where it came from (`from #12 at turn 3 · gpt-4o`).
fn row(s: &SessionSummary, width: usize, origin: usize) -> String {
    let cost = usage::dollars_total(s.cost, s.cost_unknown, false);
    let turns = if s.turns == 1 {
        "1 turn".to_string()
    } else {
        format!("{} turns", s.turns)
    };
    // The title gets what the fixed columns leave; the models come last, cut if need be.
    const FIXED: usize = 1 + 4 + 2 + 16 + 2 + 2 + 9 + 2 + 9 + 2;
    let available = width.saturating_sub(FIXED);
    let models = (available / 3).min(20);
    let last = if origin > 0 {
        models.max(origin + 6)
    } else {
        models
    };
    let title_width = available.saturating_sub(last).max(16);
    let text = format!(
        " {:>4}  {}  {}  {:>9}  {:>9}  {}",
        s.id,
        crate::timefmt::utc_minutes(s.updated_ms),
        pad(&cut(&s.title, title_width, true), title_width),
        turns,
        cost,
        last_column(s),
    );
    cut(&text, width, true)
}

/// The models, after a fork's origin.
fn last_column(s: &SessionSummary) -> String {
    format!("{}{}", origin(s), s.models.join(", "))
}

/// `from #12 at turn 3 · ` for a fork, else nothing.
fn origin(s: &SessionSummary) -> String {
    match s.fork {
        Some(f) => format!("from #{} at turn {} · ", f.session, f.turn),
        None => String::new(),
    }
}

fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(text.width())))
}
