//! The status line: provider, model, effort, session cost on the left; a notice or the key
//! hints on the right, cut to fit.

use super::super::app::{App, Persistence};
use super::super::keymap::HINTS;
use crate::api::RateLimitInfo;
use crate::usage;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let s = &app.session.settings;
    let mut left = format!(" {} · {}", s.endpoint.provider, s.model);
    if let Some(effort) = &s.effort {
        left.push_str(&format!(" · effort {effort}"));
    }
    // From the meter's cached totals: O(1) per frame, however long the conversation.
    let overall = app.meter.totals(&app.session).overall;
    let cost = usage::dollars_partial(overall.cost, overall.unknown_cost);
    left.push_str(&format!(" · session {cost}"));
    match &app.persistence {
        Persistence::On {
            session: Some(id), ..
        } => left.push_str(&format!(" #{id}")),
        Persistence::On { .. } => {}
        Persistence::Off(_) => left.push_str(" · ⚠ not saved (persistence off)"),
    }
    if let Some(limits) = app.rate_limit.as_ref().and_then(rate_limit_text) {
        left.push_str(&format!(" · {limits}"));
    }
    left.push_str(" │ ");
    let right = match &app.notice {
        Some(n) => format!("{n} "),
        None => {
            let mut hints = String::new();
            for (key, what) in HINTS {
                hints.push_str(&format!("{key} {what} · "));
            }
            let hints = hints.trim_end_matches(" · ").to_string();
            format!("{hints} ")
        }
    };
    let width = area.width as usize;
    let left_w = left.width();
    let mut spans = vec![Span::styled(left, app.theme.status)];
    let room = width.saturating_sub(left_w);
    if room > 0 {
        let right = super::cut(&right, room, false);
        let pad = room.saturating_sub(right.width());
        spans.push(Span::styled(" ".repeat(pad), app.theme.status));
        let style = if app.notice.is_some() {
            app.theme.accent.patch(app.theme.status)
        } else {
            app.theme.status
        };
        spans.push(Span::styled(right, style));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(app.theme.status),
        area,
    );
}

/// `left 4,999 req · 1,999,000 tok (reset 12ms)`, from the last rate-limit headers.
fn rate_limit_text(info: &RateLimitInfo) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(n) = info.remaining_requests {
        parts.push(format!("{} req", usage::thousands(n)));
    }
    if let Some(n) = info.remaining_tokens {
        parts.push(format!("{} tok", usage::thousands(n)));
    }
    if parts.is_empty() {
        return None;
    }
    let mut text = format!("left {}", parts.join(" · "));
    if let Some(reset) = info.reset_tokens.as_ref().or(info.reset_requests.as_ref()) {
        text.push_str(&format!(" (reset {reset})"));
    }
    Some(text)
}
