//! The help overlay: every key and every slash command, from the keymap's own tables (so the
//! help cannot drift from what the keys do). Any key closes it.

use super::super::app::App;
use super::super::keymap::{COMMANDS, HELP};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let popup = Rect {
        x: area.x + area.width / 12,
        y: area.y + area.height / 12,
        width: area.width - area.width / 6,
        height: area.height - area.height / 6,
    };
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(" help · any key closes ");
    let key_width = HELP
        .iter()
        .chain(COMMANDS)
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let row = |key: &str, what: &str| {
        Line::from(vec![
            Span::styled(format!(" {key:<key_width$}"), t.accent),
            Span::styled(what.to_string(), t.assistant),
        ])
    };
    let mut lines = vec![Line::from(Span::styled(" Keys", t.heading))];
    lines.extend(HELP.iter().map(|(k, w)| row(k, w)));
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        " Commands (type / in the composer; Tab completes)",
        t.heading,
    )));
    lines.extend(COMMANDS.iter().map(|(k, w)| row(k, w)));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        popup,
    );
}
