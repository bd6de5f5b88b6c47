//! The meter pane: the next request's size against the context window, the streaming (or
//! last) turn's tokens, time and cost, the session's totals per model, and the rate limit.
//! It draws a [`Panel`] computed by `tui::meter` and mutates nothing. A finished turn says how
//! its usage was obtained when the server reported none: estimated (`~`), or counted by the
//! server's tokenizer (an input counted without its chat template reads `28+`, with a note
//! that says so). Any size draws without panicking: figures are cut to the width and notes
//! wrapped at words; when the pane is too short, the least useful rows give way and a last
//! row says how many are hidden (see `rows`); a pane too small for a border is drawn without
//! one.

use super::cache::{ArmFigures, CompareDraft, DraftEstimate, Meter, Panel, Phase, TurnFigures};
use super::rows::{Keep, Rows};
use crate::api::RateLimitInfo;
use crate::conversation::TurnState;
use crate::totals::{Total, Totals};
use crate::tui::component::{Ctx, cut};
use crate::tui::markdown::wrap_text;
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
    let lines = rows(panel, t, inner.width as usize).fit(inner.height as usize, t.usage);
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The pane's lines for a text width of `width`, however many.
pub fn lines(panel: &Panel, t: &Theme, width: usize) -> Vec<Line<'static>> {
    rows(panel, t, width).all()
}

/// The pane's rows for a text width of `width`, each with how much it matters.
fn rows(panel: &Panel, t: &Theme, width: usize) -> Rows {
    let mut out = Rows::default();
    let w = width;
    match panel.phase {
        Phase::Streaming => {
            if let Some(turn) = &panel.turn {
                streaming(&mut out, turn, t, w);
            }
            if !panel.arms.is_empty() {
                comparing_live(&mut out, &panel.arms, t, w);
            }
        }
        Phase::Drafting => {
            drafting(&mut out, &panel.draft, t, w);
            if let Some(turn) = &panel.turn {
                out.gap();
                finished(&mut out, turn, t, w);
            }
        }
    }
    if panel.totals.overall.turns > 0 {
        out.gap();
        totals(&mut out, &panel.totals, t, w);
    }
    if let Some(info) = &panel.rate_limit {
        let before = out.len();
        out.gap();
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

/// A note wrapped at words to `w` columns (a word wider than `w` is broken).
fn note(text: &str, style: Style, w: usize) -> Vec<Line<'static>> {
    wrap_text(text, style, u16::try_from(w).unwrap_or(u16::MAX))
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

fn drafting(out: &mut Rows, d: &DraftEstimate, t: &Theme, w: usize) {
    if let Some(c) = &d.compare {
        return comparing(out, d, c, t, w);
    }
    out.push(Keep::Key, heading("NEXT REQUEST", t, w));
    out.push(Keep::Useful, kv("model", &d.model, t, t.accent, w));
    out.push(
        Keep::Key,
        kv(
            "prompt",
            &format!("~{} tok", thousands(d.tokens)),
            t,
            t.accent,
            w,
        ),
    );
    out.push(
        Keep::Detail,
        kv(
            "  draft",
            &format!("~{}", thousands(d.draft_tokens)),
            t,
            t.usage,
            w,
        ),
    );
    if d.files.count > 0 {
        // What the attachments add: images by the family's rule, text files by the tokenizer.
        let what = match (d.files.images, d.files.count - d.files.images) {
            (0, n) => format!("  {n} file{}", if n == 1 { "" } else { "s" }),
            (n, 0) => format!("  {n} image{}", if n == 1 { "" } else { "s" }),
            (i, f) => format!(
                "  {f} file{} {i} image{}",
                if f == 1 { "" } else { "s" },
                if i == 1 { "" } else { "s" }
            ),
        };
        out.push(
            Keep::Useful,
            kv(
                &what,
                &format!("~{}", thousands(d.files.tokens)),
                t,
                t.usage,
                w,
            ),
        );
    }
    if !d.family.is_exact_tokenizer() {
        out.extend(
            Keep::Detail,
            note(
                &format!("  o200k ×{:.2} ({:?})", d.family.factor(), d.family).to_lowercase(),
                t.usage,
                w,
            ),
        );
    }
    match (d.window, d.fraction()) {
        (Some(window), Some(fraction)) => {
            out.push(Keep::Useful, gauge(fraction, t, w));
            out.push(
                Keep::Figure,
                kv(
                    "window",
                    &format!("{} / {}", thousands(d.tokens), thousands(window)),
                    t,
                    t.usage,
                    w,
                ),
            );
        }
        _ => out.push(Keep::Figure, kv("window", "unknown", t, t.usage, w)),
    }
    if let Some(budget) = d.max_output {
        let value = format!("{} tok", thousands(budget));
        out.push(Keep::Key, kv("max output", &value, t, t.accent, w));
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
    out.push(Keep::Key, kv("min cost", &cost, t, style, w));
}

/// The next request with a compare set: every arm, the input estimate, and the least it costs
/// over all arms together.
fn comparing(out: &mut Rows, d: &DraftEstimate, c: &CompareDraft, t: &Theme, w: usize) {
    out.push(
        Keep::Key,
        heading(&format!("NEXT REQUEST · {} ARMS", c.labels.len()), t, w),
    );
    for (n, label) in c.labels.iter().enumerate() {
        out.push(
            Keep::Useful,
            kv(&format!("{}", n + 1), label, t, t.accent, w),
        );
    }
    let tokens = format!("~{} tok each", thousands(d.tokens));
    out.push(Keep::Key, kv("prompt", &tokens, t, t.accent, w));
    let cost = usage::dollars_total(c.min_cost, c.cost_unknown, false);
    let style = if c.cost_unknown { t.error } else { t.accent };
    out.push(
        Keep::Key,
        kv("min cost, all", &format!("~{cost}"), t, style, w),
    );
    if c.cost_unknown {
        out.extend(
            Keep::Detail,
            note("  some arm's price is unknown", t.usage, w),
        );
    }
}

/// A streaming comparison: each arm's output so far and cost, marked when it ended.
fn comparing_live(out: &mut Rows, arms: &[ArmFigures], t: &Theme, w: usize) {
    out.push(
        Keep::Key,
        heading(&format!("COMPARING {} ARMS", arms.len()), t, w),
    );
    for (n, arm) in arms.iter().enumerate() {
        let mark = match arm.state {
            TurnState::Streaming => "…",
            TurnState::Done => "✓",
            _ => "✗",
        };
        out.push(
            Keep::Key,
            kv(&format!("{} {}", n + 1, arm.label), mark, t, t.accent, w),
        );
        let est = if arm.estimated { "~" } else { "" };
        let cost = match arm.cost {
            Some(c) => format!("{est}{}", usage::dollars(Some(c))),
            None => "$?".to_string(),
        };
        let value = format!("{est}{} tok · {cost}", thousands(arm.output));
        out.push(Keep::Useful, kv("", &value, t, t.usage, w));
    }
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

fn streaming(out: &mut Rows, f: &TurnFigures, t: &Theme, w: usize) {
    let heading_text = format!("STREAMING #{}", f.number);
    out.push(Keep::Key, heading(&heading_text, t, w));
    let model = model_line(&f.model, f.effort.as_deref());
    out.extend(Keep::Useful, note(&model, t.accent, w));
    let secs = |ms: Option<u64>| ms.map(usage::seconds).unwrap_or_else(|| "…".into());
    out.push(
        Keep::Key,
        kv("elapsed", &secs(f.elapsed_ms), t, t.accent, w),
    );
    let first = f.first_token_ms.map(usage::seconds);
    let first = first.unwrap_or_else(|| "waiting…".into());
    out.push(Keep::Useful, kv("1st token", &first, t, t.usage, w));
    let u = &f.usage;
    let est = if u.estimated { "~" } else { "" };
    let count = |n: u64| format!("{est}{}", thousands(n));
    out.push(Keep::Figure, kv("input", &count(u.input), t, t.accent, w));
    if f.hidden_reasoning {
        let value = format!("hidden · {}", secs(f.reasoning_ms));
        out.push(Keep::Figure, kv("reasoning", &value, t, t.accent, w));
    } else if f.reasoning_ms.is_some() || u.reasoning > 0 {
        let value = count(u.reasoning);
        out.push(Keep::Figure, kv("reasoning", &value, t, t.accent, w));
        if let Some(ms) = f.reasoning_ms {
            let value = usage::seconds(ms);
            out.push(Keep::Useful, kv("  thought for", &value, t, t.usage, w));
        }
    }
    let output = count(u.visible_output());
    out.push(Keep::Key, kv("output", &output, t, t.accent, w));
    if let Some(tps) = f.tokens_per_second {
        let value = format!("{est}{} tok/s", thousands(tps.round() as u64));
        out.push(Keep::Detail, kv("speed", &value, t, t.usage, w));
    }
    out.push(Keep::Key, cost_line(f.cost, est, t, w));
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

fn finished(out: &mut Rows, f: &TurnFigures, t: &Theme, w: usize) {
    let state = match &f.state {
        TurnState::Done => "done".to_string(),
        other => other.name().to_string(),
    };
    let heading_text = format!("LAST TURN #{} · {state}", f.number);
    out.push(Keep::Key, heading(&heading_text, t, w));
    let model = model_line(&f.model, f.effort.as_deref());
    out.extend(Keep::Useful, note(&model, t.accent, w));
    if f.refused {
        let text = "nothing generated, nothing billed";
        out.extend(Keep::Key, note(text, t.usage, w));
        return;
    }
    let u = &f.usage;
    let est = if u.estimated { "~" } else { "" };
    if u.estimated {
        let text = "no usage reported: estimated (~)";
        out.extend(Keep::Key, note(text, t.error, w));
    } else if u.input_without_template() {
        let text = "counted by the server's tokenizer; input+ is without its chat template";
        out.extend(Keep::Key, note(text, t.usage, w));
    } else if u.counted.is_some() {
        let text = "counted by the server's tokenizer";
        out.extend(Keep::Useful, note(text, t.usage, w));
    }
    let row = |label: &str, n: u64, est: &str| {
        kv(label, &format!("{est}{}", thousands(n)), t, t.accent, w)
    };
    out.push(Keep::Figure, kv("input", &u.input_mark(), t, t.accent, w));
    if u.cached_input > 0 {
        out.push(Keep::Useful, row("  cached", u.cached_input, ""));
    }
    if u.cache_write > 0 {
        out.push(Keep::Useful, row("  cache write", u.cache_write, ""));
    }
    if u.reasoning > 0 || f.reasoning_ms.is_some() {
        let rest = if u.reasoning_estimated { "~" } else { est };
        out.push(Keep::Figure, row("reasoning", u.reasoning, rest));
    }
    out.push(Keep::Figure, row("output", u.visible_output(), est));
    out.push(Keep::Key, cost_line(f.cost, est, t, w));
    let mut timing = Vec::new();
    if let Some(ms) = f.first_token_ms {
        timing.push(format!("1st {}", usage::seconds(ms)));
    }
    if let Some(ms) = f.elapsed_ms {
        timing.push(format!("total {}", usage::seconds(ms)));
    }
    if !timing.is_empty() {
        let value = timing.join(" · ");
        out.push(Keep::Useful, kv("time", &value, t, t.usage, w));
    }
    if let Some(tps) = f.tokens_per_second {
        let value = format!("{est}{} tok/s", thousands(tps.round() as u64));
        out.push(Keep::Detail, kv("speed", &value, t, t.usage, w));
    }
    if let Some((estimate, error)) = f.estimate {
        let value = format!("{} ({})", thousands(estimate), signed_percent(error));
        out.push(Keep::Detail, kv("estimate was", &value, t, t.usage, w));
    }
}

fn total_value(m: &Total) -> String {
    let est = m.estimate_mark();
    let cost = usage::dollars_total(m.cost, m.cost_unknown, false);
    format!(
        "{est}{} tok · {cost}",
        thousands(m.usage.input.saturating_add(m.usage.output))
    )
}

fn totals(out: &mut Rows, totals: &Totals, t: &Theme, w: usize) {
    let n = totals.overall.turns;
    let plural = if n == 1 { "" } else { "s" };
    let heading_text = format!("SESSION · {n} turn{plural}");
    out.push(Keep::Key, heading(&heading_text, t, w));
    for m in &totals.per_model {
        out.push(Keep::Detail, kv(&m.label, &total_value(m), t, t.accent, w));
    }
    let total = total_value(&totals.overall);
    out.push(Keep::Key, kv("total", &total, t, t.heading, w));
}

/// Requests/tokens left and when they reset; false when the headers said nothing.
fn rate_limit(out: &mut Rows, info: &RateLimitInfo, t: &Theme, w: usize) -> bool {
    let mut rows = Vec::new();
    if let Some(n) = info.remaining_requests {
        let row = kv("requests left", &thousands(n), t, t.accent, w);
        rows.push((Keep::Key, row));
    }
    if let Some(n) = info.remaining_tokens {
        rows.push((Keep::Key, kv("tokens left", &thousands(n), t, t.accent, w)));
    }
    if let Some(reset) = &info.reset_requests {
        rows.push((Keep::Detail, kv("  req reset", reset, t, t.usage, w)));
    }
    if let Some(reset) = &info.reset_tokens {
        rows.push((Keep::Detail, kv("  tok reset", reset, t, t.usage, w)));
    }
    if rows.is_empty() {
        return false;
    }
    out.push(Keep::Key, heading("RATE LIMIT", t, w));
    for (keep, row) in rows {
        out.push(keep, row);
    }
    true
}
