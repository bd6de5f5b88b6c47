//! Drawing. Every function here takes `&App` and draws; none mutates state.
//!
//! Layout, top to bottom: the conversation (with a scrollbar when it overflows), the
//! composer, and one status line. Every size down to 1x1 draws without panicking: each
//! area is clipped by ratatui and all arithmetic here saturates.

mod browser;
mod conversation;
pub mod effort;
mod help;
pub mod inspector;
pub mod meter;
pub mod picker;
mod status;
pub mod turn;

use super::app::App;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Block, Borders};

/// The three panes for a terminal area.
pub struct Areas {
    pub conversation: Rect,
    /// The meter pane beside the conversation, when shown.
    pub meter: Option<Rect>,
    pub composer: Rect,
    pub status: Rect,
}

/// Columns of the meter pane.
pub const METER_WIDTH: u16 = 34;

/// Split `area` into the panes; the composer grows with its text up to a third of the height.
pub fn areas(app: &App, area: Rect) -> Areas {
    let text_rows = app.composer.lines().len() as u16;
    let max_composer = (area.height / 3).max(3);
    let composer = (text_rows + 1)
        .clamp(2, max_composer)
        .min(area.height.saturating_sub(1));
    let [conversation, composer, status] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(composer),
        Constraint::Length(1),
    ])
    .areas(area);
    let (conversation, meter) = if app.meter_visible(area.width) && area.width > METER_WIDTH + 20 {
        let [conversation, meter] =
            Layout::horizontal([Constraint::Min(0), Constraint::Length(METER_WIDTH)])
                .areas(conversation);
        (conversation, Some(meter))
    } else {
        (conversation, None)
    };
    Areas {
        conversation,
        meter,
        composer,
        status,
    }
}

/// Width of the text inside the conversation pane (one column of margin, one for the scrollbar).
pub fn conversation_text_area(area: Rect) -> Rect {
    Rect {
        x: area.x.saturating_add(1),
        width: area.width.saturating_sub(2),
        ..area
    }
}

/// Draw the whole UI. Call `App::prepare` with `conversation_text_area(areas(..).conversation)`
/// first so the caches match.
pub fn render(app: &App, frame: &mut Frame) {
    let a = areas(app, frame.area());
    conversation::render(app, frame, a.conversation);
    if let Some(area) = a.meter {
        meter::render(app, &app.meter, frame, area);
    }
    render_composer(app, frame, a.composer);
    status::render(app, frame, a.status);
    if let Some(b) = &app.browser {
        browser::render(app, b, frame, frame.area());
    }
    if let Some(i) = &app.inspector {
        inspector::render(app, i, frame, frame.area());
    }
    if let Some(p) = &app.picker {
        picker::render(app, p, frame, frame.area());
    }
    if let Some(m) = &app.effort_menu {
        effort::render(app, m, frame, frame.area());
    }
    if app.help {
        help::render(app, frame, frame.area());
    }
}

/// Size the caches for the current frame area, then draw. The runtime and tests use this.
pub fn prepare_and_render(app: &mut App, terminal_area: Rect) -> impl FnOnce(&mut Frame) + '_ {
    let a = areas(app, terminal_area);
    let text = conversation_text_area(a.conversation);
    app.prepare(text.width, text.height);
    move |frame: &mut Frame| render(app, frame)
}

/// `text` cut to `width` display columns (ending in `…` when `ellipsis` and something was
/// cut).
pub(super) fn cut(text: &str, width: usize, ellipsis: bool) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if text.width() <= width {
        return text.to_string();
    }
    let room = if ellipsis {
        width.saturating_sub(1)
    } else {
        width
    };
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        out.push(ch);
        used += w;
    }
    if ellipsis && width > 0 {
        out.push('…');
    }
    out
}

fn render_composer(app: &App, frame: &mut Frame, area: Rect) {
    let completions = super::keymap::completions(&app.draft());
    let title = if !completions.is_empty() {
        format!(" Tab: {} ", completions.join(" · "))
    } else if app.is_streaming() {
        " streaming · Esc cancels ".to_string()
    } else {
        " message ".to_string()
    };
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(app.theme.border)
        .title(title);
    let inner = block.inner(area);
    let inner = Rect {
        x: inner.x.saturating_add(1),
        width: inner.width.saturating_sub(2),
        ..inner
    };
    frame.render_widget(block, area);
    frame.render_widget(&app.composer, inner);
}
