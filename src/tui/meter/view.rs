//! The meter pane: the next request's size against the context window, the streaming (or
//! last) turn's tokens, time and cost, the session's totals per model, and the rate limit.
//! It draws a [`Panel`] computed by `tui::meter` and mutates nothing. Any size draws without
//! panicking: every line is cut to the width, rows beyond the height are clipped, and a pane
//! too small for a border is drawn without one.

use super::cache::{DraftEstimate, Meter, Panel, Phase, TurnFigures};
use crate::api::RateLimitInfo;
use crate::conversation::TurnState;
use crate::totals::{Total, Totals};
use crate::tui::component::{Ctx, cut};
use crate::tui::theme::Theme;
use crate::usage::{self, thousands};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use unicode_width::UnicodeWidthStr;

/// Draw the meter's figures for now into `area`.
pub fn render(ctx: &Ctx, meter: &Meter, frame: &mut Frame, area: Rect) {
    render_panel(ctx, &meter.panel(ctx), frame, area);
}

/// Draw `panel` (see [`Meter::panel`]) into `area`.
pub fn render_panel(ctx: &Ctx, panel: &Panel, frame: &mut Frame, area: Rect) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let t = &ctx.theme;
    let inner = if area.width >= 8 && area.height >= 3 {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(t.border)
            .title(Span::styled(" meter ", t.heading));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        inner
    } else {
        area
    };
    // One column of margin each side, when there is room for it.
    let inner = if inner.width >= 6 {
        Rect {
            x: inner.x + 1,
            width: inner.width - 2,
            ..inner
        }
    } else {
        inner
    };
    let lines = lines(panel, t, inner.width as usize);
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The pane's lines for a text width of `width`.
pub fn lines(panel: &Panel, t: &Theme, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let w = width;
    match panel.phase {
        Phase::Streaming => {
            if let Some(turn) = &panel.turn {
                streaming(&mut out, turn, t, w);
            }
        }
        Phase::Drafting => {
            drafting(&mut out, &panel.draft, t, w);
            if let Some(turn) = &panel.turn {
                out.push(Line::default());
                finished(&mut out, turn, t, w);
            }
        }
    }
    if panel.totals.overall.turns > 0 {
        out.push(Line::default());
        totals(&mut out, &panel.totals, t, w);
    }
    if let Some(info) = &panel.rate_limit {
        let before = out.len();
        out.push(Line::default());
        if !rate_limit(&mut out, info, t, w) {
            out.truncate(before);
        }
    }
    out
}

fn heading(text: &str, t: &Theme, w: usize) -> Line<'static> {
    Line::from(Span::styled(cut(text, w, true), t.heading))
}

/// `label ........ value` with the value right-aligned to `w`; the label is cut first.
fn kv(label: &str, value: &str, t: &Theme, value_style: Style, w: usize) -> Line<'static> {
    let value = cut(value, w, true);
    let room = w.saturating_sub(value.width() + 1);
    let label = cut(label, room, true);
    let pad = w.saturating_sub(label.width() + value.width());
    Line::from(vec![
        Span::styled(label, t.usage),
        Span::raw(" ".repeat(pad)),
        Span::styled(value, value_style),
    ])
}

fn note(text: &str, style: Style, w: usize) -> Line<'static> {
    Line::from(Span::styled(cut(text, w, true), style))
}

fn model_line(model: &str, effort: Option<&str>) -> String {
    match effort {
        Some(e) => format!("{model} · {e}"),
        None => model.to_string(),
    }
}

/// A signed percentage with a real minus sign: `+3.7%`, `−3.6%`.
pub fn signed_percent(fraction: f64) -> String {
    let percent = (fraction * 1000.0).round() / 10.0;
    if percent == 0.0 {
        return "0.0%".to_string();
    }
    format!("{percent:+.1}%").replace('-', "−")
}

fn drafting(out: &mut Vec<Line<'static>>, d: &DraftEstimate, t: &Theme, w: usize) {
    out.push(heading("NEXT REQUEST", t, w));
    out.push(kv("model", &d.model, t, t.accent, w));
    out.push(kv(
        "prompt",
        &format!("~{} tok", thousands(d.tokens)),
        t,
        t.accent,
        w,
    ));
    out.push(kv(
        "  draft",
        &format!("~{}", thousands(d.draft_tokens)),
        t,
        t.usage,
        w,
    ));
    if !d.family.is_exact_tokenizer() {
        out.push(note(
            &format!("  o200k ×{:.2} ({:?})", d.family.factor(), d.family).to_lowercase(),
            t.usage,
            w,
        ));
    }
    match (d.window, d.fraction()) {
        (Some(window), Some(fraction)) => {
            out.push(gauge(fraction, t, w));
            out.push(kv(
                "window",
                &format!("{} / {}", thousands(d.tokens), thousands(window)),
                t,
                t.usage,
                w,
            ));
        }
        _ => out.push(kv("window", "unknown", t, t.usage, w)),
    }
    let cost = match d.min_cost {
        Some(c) => format!("~{}", usage::dollars(Some(c))),
        None => "? (price unknown)".to_string(),
    };
    let style = if d.min_cost.is_some() {
        t.accent
    } else {
        t.error
    };
    out.push(kv("min cost", &cost, t, style, w));
}

/// `██████░░░░░░ 12.3%`: the context window used.
fn gauge(fraction: f64, t: &Theme, w: usize) -> Line<'static> {
    let label = if fraction > 0.0 && fraction < 0.001 {
        " <0.1%".to_string()
    } else {
        format!(" {:.1}%", fraction * 100.0)
    };
    let bar = w.saturating_sub(label.width());
    let filled = ((fraction.clamp(0.0, 1.0) * bar as f64).round() as usize).min(bar);
    let style = if fraction > 0.9 { t.error } else { t.accent };
    Line::from(vec![
        Span::styled("█".repeat(filled), style),
        Span::styled("░".repeat(bar - filled), t.border),
        Span::styled(cut(&label, w, false), style),
    ])
}

fn streaming(out: &mut Vec<Line<'static>>, f: &TurnFigures, t: &Theme, w: usize) {
    out.push(heading(&format!("STREAMING #{}", f.number), t, w));
    out.push(note(
        &model_line(&f.model, f.effort.as_deref()),
        t.accent,
        w,
    ));
    let secs = |ms: Option<u64>| ms.map(usage::seconds).unwrap_or_else(|| "…".into());
    out.push(kv("elapsed", &secs(f.elapsed_ms), t, t.accent, w));
    out.push(kv(
        "1st token",
        &f.first_token_ms
            .map(usage::seconds)
            .unwrap_or_else(|| "waiting…".into()),
        t,
        t.usage,
        w,
    ));
    let u = &f.usage;
    let est = if u.estimated { "~" } else { "" };
    out.push(kv(
        "input",
        &format!("{est}{}", thousands(u.input)),
        t,
        t.accent,
        w,
    ));
    if f.hidden_reasoning {
        out.push(kv(
            "reasoning",
            &format!("hidden · {}", secs(f.reasoning_ms)),
            t,
            t.accent,
            w,
        ));
    } else if f.reasoning_ms.is_some() || u.reasoning > 0 {
        out.push(kv(
            "reasoning",
            &format!("{est}{}", thousands(u.reasoning)),
            t,
            t.accent,
            w,
        ));
        if let Some(ms) = f.reasoning_ms {
            out.push(kv("  thought for", &usage::seconds(ms), t, t.usage, w));
        }
    }
    out.push(kv(
        "output",
        &format!("{est}{}", thousands(u.visible_output())),
        t,
        t.accent,
        w,
    ));
    if let Some(tps) = f.tokens_per_second {
        out.push(kv(
            "speed",
            &format!("{est}{} tok/s", thousands(tps.round() as u64)),
            t,
            t.usage,
            w,
        ));
    }
    out.push(cost_line(f.cost, est, t, w));
}

fn cost_line(cost: Option<f64>, est: &str, t: &Theme, w: usize) -> Line<'static> {
    match cost {
        Some(c) => kv(
            "cost",
            &format!("{est}{}", usage::dollars(Some(c))),
            t,
            t.accent,
            w,
        ),
        None => kv("cost", "? (price unknown)", t, t.error, w),
    }
}

fn finished(out: &mut Vec<Line<'static>>, f: &TurnFigures, t: &Theme, w: usize) {
    let state = match &f.state {
        TurnState::Done => "done".to_string(),
        other => other.name().to_string(),
    };
    out.push(heading(&format!("LAST TURN #{} · {state}", f.number), t, w));
    out.push(note(
        &model_line(&f.model, f.effort.as_deref()),
        t.accent,
        w,
    ));
    if f.refused {
        out.push(note("nothing generated, nothing billed", t.usage, w));
        return;
    }
    let u = &f.usage;
    let est = if u.estimated { "~" } else { "" };
    if u.estimated {
        out.push(note("no usage reported: estimated (~)", t.error, w));
    }
    let row = |label: &str, n: u64, est: &str| {
        kv(label, &format!("{est}{}", thousands(n)), t, t.accent, w)
    };
    out.push(row("input", u.input, est));
    if u.cached_input > 0 {
        out.push(row("  cached", u.cached_input, ""));
    }
    if u.cache_write > 0 {
        out.push(row("  cache write", u.cache_write, ""));
    }
    if u.reasoning > 0 || f.reasoning_ms.is_some() {
        let rest = if u.reasoning_estimated { "~" } else { est };
        out.push(row("reasoning", u.reasoning, rest));
    }
    out.push(row("output", u.visible_output(), est));
    out.push(cost_line(f.cost, est, t, w));
    let mut timing = Vec::new();
    if let Some(ms) = f.first_token_ms {
        timing.push(format!("1st {}", usage::seconds(ms)));
    }
    if let Some(ms) = f.elapsed_ms {
        timing.push(format!("total {}", usage::seconds(ms)));
    }
    if !timing.is_empty() {
        out.push(kv("time", &timing.join(" · "), t, t.usage, w));
    }
    if let Some(tps) = f.tokens_per_second {
        out.push(kv(
            "speed",
            &format!("{est}{} tok/s", thousands(tps.round() as u64)),
            t,
            t.usage,
            w,
        ));
    }
    if let Some((estimate, error)) = f.estimate {
        out.push(kv(
            "estimate was",
            &format!("{} ({})", thousands(estimate), signed_percent(error)),
            t,
            t.usage,
            w,
        ));
    }
}

fn total_value(m: &Total) -> String {
    let est = m.estimate_mark();
    let cost = usage::dollars_partial(m.cost, m.cost_unknown);
    format!(
        "{est}{} tok · {cost}",
        thousands(m.usage.input + m.usage.output)
    )
}

fn totals(out: &mut Vec<Line<'static>>, totals: &Totals, t: &Theme, w: usize) {
    let n = totals.overall.turns;
    let plural = if n == 1 { "" } else { "s" };
    out.push(heading(&format!("SESSION · {n} turn{plural}"), t, w));
    for m in &totals.per_model {
        out.push(kv(&m.label, &total_value(m), t, t.accent, w));
    }
    out.push(kv("total", &total_value(&totals.overall), t, t.heading, w));
}

/// Requests/tokens left and when they reset; false when the headers said nothing.
fn rate_limit(out: &mut Vec<Line<'static>>, info: &RateLimitInfo, t: &Theme, w: usize) -> bool {
    let mut rows = Vec::new();
    if let Some(n) = info.remaining_requests {
        rows.push(kv("requests left", &thousands(n), t, t.accent, w));
    }
    if let Some(n) = info.remaining_tokens {
        rows.push(kv("tokens left", &thousands(n), t, t.accent, w));
    }
    if let Some(reset) = &info.reset_requests {
        rows.push(kv("  req reset", reset, t, t.usage, w));
    }
    if let Some(reset) = &info.reset_tokens {
        rows.push(kv("  tok reset", reset, t, t.usage, w));
    }
    if rows.is_empty() {
        return false;
    }
    out.push(heading("RATE LIMIT", t, w));
    out.extend(rows);
    true
}
