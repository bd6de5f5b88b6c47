//! The status line: provider, model, effort, session cost on the left; a notice or the key
//! hints on the right, cut to fit.

use crate::api::RateLimitInfo;
use crate::totals::Total;
use crate::tui::component::{Ctx, cut};
use crate::tui::keymap;
use crate::usage;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

/// What the status line shows besides the settings.
pub struct Status<'a> {
    /// The session's totals (from the meter's cache: O(1) per frame).
    pub overall: &'a Total,
    /// Where turns are saved: `Ok(Some(id))` the open session, `Ok(None)` not yet created,
    /// `Err(())` persistence is off.
    pub saved: Result<Option<i64>, ()>,
    pub notice: Option<&'a str>,
}

pub fn render(ctx: &Ctx, status: &Status, frame: &mut Frame, area: Rect) {
    let s = &ctx.session.settings;
    let mut left = format!(" {} · {}", s.provider_label(), s.model);
    if let Some(effort) = &s.effort {
        left.push_str(&format!(" · effort {effort}"));
    }
    let overall = status.overall;
    let cost = usage::dollars_partial(overall.cost, overall.cost_unknown);
    left.push_str(&format!(" · session {cost}"));
    match status.saved {
        Ok(Some(id)) => left.push_str(&format!(" #{id}")),
        Ok(None) => {}
        Err(()) => left.push_str(" · ⚠ not saved (persistence off)"),
    }
    if let Some(limits) = ctx.rate_limit.and_then(rate_limit_text) {
        left.push_str(&format!(" · {limits}"));
    }
    left.push_str(" │ ");
    let right = match status.notice {
        Some(n) => format!("{n} "),
        None => {
            let mut hints = String::new();
            for hint in keymap::hints() {
                hints.push_str(&format!("{} {} · ", hint.key, hint.word));
            }
            let hints = hints.trim_end_matches(" · ").to_string();
            format!("{hints} ")
        }
    };
    let width = area.width as usize;
    let left_w = left.width();
    let mut spans = vec![Span::styled(left, ctx.theme.status)];
    let room = width.saturating_sub(left_w);
    if room > 0 {
        let right = cut(&right, room, false);
        let pad = room.saturating_sub(right.width());
        spans.push(Span::styled(" ".repeat(pad), ctx.theme.status));
        let style = if status.notice.is_some() {
            ctx.theme.accent.patch(ctx.theme.status)
        } else {
            ctx.theme.status
        };
        spans.push(Span::styled(right, style));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(ctx.theme.status),
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
