//! The conversation pane: only the visible rows are materialised from the per-turn caches,
//! so drawing costs O(rows on screen), whatever the length of the history.

use super::Scroll;
use super::cache::ConversationCache;
use crate::tui::component::Ctx;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState};

/// The text inside the conversation pane (one column of margin, one for the scrollbar).
pub fn text_area(area: Rect) -> Rect {
    Rect {
        x: area.x.saturating_add(1),
        width: area.width.saturating_sub(2),
        ..area
    }
}

/// Draw the visible rows of the laid-out conversation; an empty one shows the welcome (or
/// `setup_hint`, what is missing to connect).
pub fn render(
    ctx: &Ctx,
    cache: &ConversationCache,
    scroll: &Scroll,
    setup_hint: Option<&str>,
    frame: &mut Frame,
    area: Rect,
) {
    let text_area = text_area(area);
    if ctx.session.conversation.turns.is_empty() {
        super::welcome::render(ctx, setup_hint, frame, text_area);
        return;
    }
    let rows = text_area.height as usize;
    let total_rows = cache.total_rows();
    let first = scroll.first_visible(total_rows, rows);
    let mut lines: Vec<Line> = Vec::with_capacity(rows);
    if let Some((first_turn, turn_start)) = cache.turn_at_row(first) {
        let mut skip = first - turn_start;
        let count = ctx.session.conversation.turns.len();
        'fill: for idx in first_turn..count {
            let Some(view) = cache.view(idx) else {
                continue;
            };
            for i in skip..view.height() {
                if lines.len() >= rows {
                    break 'fill;
                }
                if let Some(line) = view.line(i) {
                    lines.push(line);
                }
            }
            skip = 0;
        }
    }
    frame.render_widget(Paragraph::new(lines).style(ctx.theme.assistant), text_area);
    if total_rows > rows && area.width > 2 {
        let mut state = ScrollbarState::new(total_rows.saturating_sub(rows)).position(first);
        let bar = Scrollbar::new(ScrollbarOrientation::VerticalRight)
            .begin_symbol(None)
            .end_symbol(None)
            .style(ctx.theme.border);
        frame.render_stateful_widget(bar, area, &mut state);
    }
    if scroll.top.is_some() && text_area.height > 1 {
        let label = " ↓ End: back to live ";
        let w = label.chars().count() as u16;
        if text_area.width > w {
            let at = Rect {
                x: text_area.x + text_area.width - w,
                y: text_area.y + text_area.height - 1,
                width: w,
                height: 1,
            };
            frame.render_widget(Paragraph::new(Span::styled(label, ctx.theme.selection)), at);
        }
    }
}
