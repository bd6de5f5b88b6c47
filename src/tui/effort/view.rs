//! The reasoning-effort selector: a small popup over the conversation listing the levels the
//! current model accepts, the model's default and the current level marked, or the one-line
//! reason there is nothing to choose. Clipped to any size; all arithmetic saturates.

use super::state::EffortMenu;
use crate::tui::component::{Ctx, popup};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

pub fn render(ctx: &Ctx, menu: &EffortMenu, frame: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    let model = &ctx.session.settings.model;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(reason) = &menu.unavailable {
        lines.push(Line::from(Span::styled(format!(" {reason} "), t.usage)));
    }
    for (i, level) in menu.levels.iter().enumerate() {
        let current = menu.current.as_deref() == Some(level.as_str());
        let mark = if current { "●" } else { " " };
        let default = if menu.default.as_deref() == Some(level.as_str()) {
            "  default"
        } else {
            ""
        };
        let text = format!(" {mark} {level:<8}{default} ");
        let style = if i == menu.selected {
            t.selection
        } else if current {
            t.accent
        } else {
            t.assistant
        };
        lines.push(Line::from(Span::styled(text, style)));
    }
    if let Some(note) = &menu.note {
        lines.push(Line::from(Span::styled(format!(" {note} "), t.usage)));
    }
    let keys = if menu.levels.is_empty() {
        " Esc close "
    } else {
        " ↑↓ choose · Enter set · letter picks · Esc close "
    };
    lines.push(Line::from(Span::styled(keys, t.usage)));

    let title = format!(" effort · {model} ");
    let content_width = lines.iter().map(Line::width).max().unwrap_or(0);
    let width = (content_width.max(title.width() + 2) + 2) as u16;
    let height = lines.len() as u16 + 2;
    let inner = popup(frame, area, (width, height), &title, t.border);
    frame.render_widget(Paragraph::new(lines), inner);
}
