//! The help overlay component: every key and every slash command, from the keymap's own
//! tables (so the help cannot drift from what the keys do). Any key closes it.

use crate::tui::component::{Component, Ctx, Outcome};
use crate::tui::keymap::{COMMANDS, KEYS};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// The help overlay (it has no state of its own).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Help;

impl Component for Help {
    fn handle_key(&mut self, _key: KeyEvent) -> Outcome {
        Outcome::Close
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        render(ctx, frame, area);
    }
}

fn render(ctx: &Ctx, frame: &mut Frame, area: Rect) {
    let t = &ctx.theme;
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
    let key_width = KEYS
        .iter()
        .map(|e| e.keys)
        .chain(COMMANDS.iter().map(|(name, _, _)| *name))
        .map(|k| k.chars().count())
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
    lines.extend(KEYS.iter().map(|e| row(e.keys, e.what)));
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        " Commands (type / in the composer; Tab completes)",
        t.heading,
    )));
    lines.extend(COMMANDS.iter().map(|(k, w, _)| row(k, w)));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        popup,
    );
}
