//! The conversation pane: only the visible rows are materialised from the per-turn caches,
//! so drawing costs O(rows on screen), whatever the length of the history.

use super::super::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState, Wrap};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let text_area = super::conversation_text_area(area);
    if app.session.conversation.turns.is_empty() {
        render_welcome(app, frame, text_area);
        return;
    }
    let rows = text_area.height as usize;
    let first = app.first_visible_row();
    let mut lines: Vec<Line> = Vec::with_capacity(rows);
    if let Some((first_turn, turn_start)) = app.turn_at_row(first) {
        let mut skip = first - turn_start;
        let turns = app
            .session
            .conversation
            .turns
            .iter()
            .zip(app.views.iter())
            .skip(first_turn);
        'fill: for (turn, view) in turns {
            for i in skip..view.height(turn) {
                if lines.len() >= rows {
                    break 'fill;
                }
                if let Some(line) = view.line(turn, i) {
                    lines.push(line.clone());
                }
            }
            skip = 0;
        }
    }
    frame.render_widget(Paragraph::new(lines).style(app.theme.assistant), text_area);
    if app.total_rows > rows && area.width > 2 {
        let mut state = ScrollbarState::new(app.total_rows.saturating_sub(rows)).position(first);
        let bar = Scrollbar::new(ScrollbarOrientation::VerticalRight)
            .begin_symbol(None)
            .end_symbol(None)
            .style(app.theme.border);
        frame.render_stateful_widget(bar, area, &mut state);
    }
    if app.scroll_top.is_some() && text_area.height > 1 {
        let label = " ↓ End: back to live ";
        let w = label.chars().count() as u16;
        if text_area.width > w {
            let at = Rect {
                x: text_area.x + text_area.width - w,
                y: text_area.y + text_area.height - 1,
                width: w,
                height: 1,
            };
            frame.render_widget(Paragraph::new(Span::styled(label, app.theme.selection)), at);
        }
    }
}

fn render_welcome(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut lines = vec![
        Line::from(Span::styled("thinkbench", t.heading)),
        Line::from(Span::styled(
            "Talk to reasoning models and see what every turn costs: input, cached, reasoning, output, dollars, latency.",
            t.usage,
        )),
        Line::default(),
    ];
    match &app.setup_hint {
        Some(hint) => {
            for l in hint.lines() {
                lines.push(Line::from(Span::styled(l.to_string(), t.error)));
            }
        }
        None => {
            let s = &app.session.settings;
            lines.push(Line::from(Span::styled(
                format!(
                    "Connected to {} at {} — model {}.",
                    s.endpoint.provider, s.endpoint.base_url, s.model
                ),
                t.assistant,
            )));
            lines.push(Line::from(Span::styled(
                "Type a message below and press Enter.",
                t.assistant,
            )));
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
