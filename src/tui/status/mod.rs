//! The status line, by priority: a notice or warning first and whole; then provider (for
//! the offline demo, `demo · offline`), model,
//! effort (or, with a compare set, its arms), output budget (`max N`, when one is set) and
//! session cost; then the warnings (persistence off; `⚠ key over plain http` for as long as
//! a key goes unencrypted to another machine, see
//! [`crate::api::origin::key_over_plain_http`]); then the rate limits in a short form; then
//! the key hints. What does not fit is dropped whole from the least important end (`fit`),
//! so no word is ever cut. A notice wider than the terminal takes the whole status area,
//! which [`rows`] makes two rows high while it shows (in a terminal tall enough); only what
//! still does not fit is cut, at its very end, with `…`.

mod fit;

use crate::api::RateLimitInfo;
use crate::api::origin::key_over_plain_http;
use crate::totals::Total;
use crate::tui::component::Ctx;
use crate::tui::keymap;
use crate::usage;
use fit::{ITEM_SEP, Layout, SIDE_SEP};
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
    /// Turns waiting for a failing store (`Some(0)`: another save, a title, waits).
    pub unsaved: Option<usize>,
    pub notice: Option<&'a str>,
}

/// Where the offline demo's turns go, instead of a provider.
pub const DEMO: &str = "demo · offline";

/// The warning shown while a key goes over plain http to another machine.
pub const PLAIN_HTTP: &str = "⚠ key over plain http";

/// The shortest terminal in which a long notice gets a second status row.
pub const TWO_ROWS_MIN_HEIGHT: u16 = 10;

/// Rows of the status area in a terminal of `width` × `height` while `notice` shows: two
/// when the notice is wider than one row and the terminal is tall enough, else one.
pub fn rows(notice: Option<&str>, width: u16, height: u16) -> u16 {
    match notice {
        Some(n) if !fit::fits_one_row(n, width as usize) && height >= TWO_ROWS_MIN_HEIGHT => 2,
        _ => 1,
    }
}

pub fn render(ctx: &Ctx, status: &Status, frame: &mut Frame, area: Rect) {
    let t = ctx.theme;
    let notice_style = t.accent.patch(t.status);
    let width = area.width as usize;
    let hints: Vec<String> = keymap::hints()
        .iter()
        .map(|h| format!("{} {}", h.key, h.word))
        .collect();
    let layout = fit::layout(
        &items(ctx, status),
        &hints,
        status.notice,
        width,
        area.height as usize,
    );
    let lines: Vec<Line> = match layout {
        Layout::Notice(rows) => rows
            .into_iter()
            .map(|row| Line::from(Span::styled(format!(" {row}"), notice_style)))
            .collect(),
        Layout::Line {
            left,
            right,
            notice,
        } => {
            let used = fit::row_width(&left, &right);
            let left = left.join(ITEM_SEP);
            let right = right.join(ITEM_SEP);
            let sep = if !left.is_empty() && !right.is_empty() {
                SIDE_SEP
            } else {
                ""
            };
            let pad = " ".repeat(width.saturating_sub(used));
            let right_style = if notice { notice_style } else { t.status };
            vec![Line::from(vec![
                Span::styled(format!(" {left}"), t.status),
                Span::styled(pad, t.status),
                Span::styled(sep, t.status),
                Span::styled(format!("{right} "), right_style),
            ])]
        }
    };
    frame.render_widget(Paragraph::new(lines).style(t.status), area);
}

/// The left side's items, most important first: provider, model, effort, output budget,
/// session cost, persistence, rate limits.
fn items(ctx: &Ctx, status: &Status) -> Vec<String> {
    let s = &ctx.session.settings;
    let mut items = match ctx.compare_set {
        // Each prompt goes to the set: it replaces the model.
        Some(arms) => (arms.iter().enumerate())
            .map(|(n, a)| match n {
                0 => format!("⇶ compare {}", a.label),
                _ => a.label.clone(),
            })
            .collect(),
        None if s.is_demo() => vec![DEMO.to_string(), s.model.clone()],
        None => vec![s.provider_label(), s.model.clone()],
    };
    if let (None, Some(effort)) = (ctx.compare_set, &s.effort) {
        items.push(format!("effort {effort}"));
    }
    if let Some(budget) = s.max_output_tokens {
        items.push(format!("max {}", usage::thousands(budget)));
    }
    let overall = status.overall;
    let cost = usage::dollars_total(overall.cost, overall.cost_unknown, false);
    items.push(match status.saved {
        Ok(Some(id)) => format!("session {cost} #{id}"),
        _ => format!("session {cost}"),
    });
    if status.saved.is_err() {
        items.push("⚠ not saved (persistence off)".to_string());
    }
    match status.unsaved {
        Some(1) => items.push("⚠ 1 turn not saved yet — retrying".to_string()),
        Some(0) => items.push("⚠ not saved yet — retrying".to_string()),
        Some(n) => items.push(format!("⚠ {n} turns not saved yet — retrying")),
        None => {}
    }
    let arms = ctx.compare_set.unwrap_or_default();
    if std::iter::once(&s.endpoint)
        .chain(arms.iter().map(|a| &a.settings.endpoint))
        .any(|e| key_over_plain_http(e).is_some())
    {
        items.push(PLAIN_HTTP.to_string());
    }
    if let Some(limits) = ctx.rate_limit.and_then(rate_limit_text) {
        items.push(limits);
    }
    items.retain(|i| i.width() > 0);
    items
}

/// `left 4,999 req, 2.0M tok`, from the last rate-limit headers (the meter has the resets).
fn rate_limit_text(info: &RateLimitInfo) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(n) = info.remaining_requests {
        parts.push(format!("{} req", short_count(n)));
    }
    if let Some(n) = info.remaining_tokens {
        parts.push(format!("{} tok", short_count(n)));
    }
    if parts.is_empty() {
        return None;
    }
    Some(format!("left {}", parts.join(", ")))
}

/// A count in at most about five columns: `4,999`, `150k`, `2.0M`, `30M`.
fn short_count(n: u64) -> String {
    match n {
        0..10_000 => usage::thousands(n),
        10_000..999_500 => format!("{}k", (n as f64 / 1e3).round()),
        999_500..9_950_000 => format!("{:.1}M", n as f64 / 1e6),
        _ => format!("{}M", usage::thousands((n as f64 / 1e6).round() as u64)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_short() {
        let shown: Vec<String> = [499, 4_999, 10_000, 149_600, 999_499, 999_500, 1_999_000]
            .into_iter()
            .chain([29_990_000, 2_500_000_000])
            .map(short_count)
            .collect();
        assert_eq!(
            shown,
            [
                "499", "4,999", "10k", "150k", "999k", "1.0M", "2.0M", "30M", "2,500M"
            ]
        );
    }

    #[test]
    fn two_rows_only_for_a_notice_wider_than_the_terminal_and_tall_enough() {
        let long = "x".repeat(70);
        assert_eq!(rows(None, 60, 24), 1);
        assert_eq!(rows(Some("press Ctrl+C again to quit"), 60, 24), 1);
        assert_eq!(rows(Some(&long), 60, 24), 2);
        assert_eq!(rows(Some(&long), 60, 5), 1);
        assert_eq!(rows(Some(&long), 80, 24), 1);
    }
}
