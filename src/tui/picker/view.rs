//! The model picker, drawn over the conversation: a search line, column titles, one row per
//! model (provider, model, context window, max output, input/output price per 1M tokens,
//! badges), and the keys. The current model is marked `●`, rows marked to compare by their
//! number (1-6); the selection stays in view.
//! Clipped to any size: all arithmetic saturates and ratatui clips each line.

use super::state::{Picker, PickerRow};
use crate::catalog::display::{per_million, tokens};
use crate::tui::component::{Ctx, cut};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

/// Widest provider and model columns; longer names are cut with `…`.
const MAX_PROVIDER: usize = 10;
const MAX_MODEL: usize = 28;

pub fn render(ctx: &Ctx, picker: &Picker, frame: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    let popup = Rect {
        x: area.x + area.width / 20,
        y: area.y + area.height / 10,
        width: area.width - area.width / 10,
        height: area.height - area.height / 5,
    };
    frame.render_widget(Clear, popup);
    let title = format!(" models {}/{} ", picker.filtered.len(), picker.rows.len());
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(title);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let fetching = fetch_status(ctx, picker);
    let [search, header, list, status, help] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(u16::from(fetching.is_some())),
        Constraint::Length(1),
    ])
    .areas(inner);

    let query = Line::from(vec![
        Span::styled(" filter: ", t.usage),
        Span::styled(picker.query.clone(), t.user),
        Span::styled("▏", t.accent),
    ]);
    frame.render_widget(Paragraph::new(query), search);

    let widths = Widths::for_rows(picker);
    let titles = widths.cells([
        "",
        "provider",
        "model",
        "context",
        "output",
        "$/1M in/out",
        "",
    ]);
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(titles, t.heading))),
        header,
    );

    let rows = list.height as usize;
    let mut lines = Vec::with_capacity(rows);
    if picker.filtered.is_empty() {
        let text = if picker.rows.is_empty() {
            " no models: configure a provider".to_string()
        } else {
            format!(" no model matches “{}”", picker.query)
        };
        lines.push(Line::from(Span::styled(text, t.usage)));
    }
    // Keep the selection in view.
    let first = picker.selected.saturating_sub(rows.saturating_sub(1));
    for (at, &i) in picker.filtered.iter().enumerate().skip(first).take(rows) {
        let Some(row) = picker.rows.get(i) else {
            continue;
        };
        let selected = (at == picker.selected).then_some(t.selection);
        lines.push(row_line(ctx, row, picker.mark_of(i), &widths, selected));
    }
    frame.render_widget(Paragraph::new(lines), list);

    if let Some(line) = fetching {
        frame.render_widget(Paragraph::new(line), status);
    }
    let keys = if picker.marked.is_empty() {
        let as_of = ctx.session.settings.catalog.prices_as_of();
        let as_of = as_of
            .map(|d| format!(" · prices as of {d}"))
            .unwrap_or_default();
        format!(
            " type to filter · ↑↓ PgUp PgDn choose · Enter switch · Space marks to compare · \
             Esc close{as_of}"
        )
    } else {
        format!(
            " {} marked · Space marks/unmarks · Enter compares them · Esc close",
            picker.marked.len()
        )
    };
    frame.render_widget(Paragraph::new(Span::styled(keys, t.usage)), help);
}

/// What the background model listings are doing, when anything is worth saying.
fn fetch_status(ctx: &Ctx, picker: &Picker) -> Option<Line<'static>> {
    let t = &ctx.theme;
    let mut spans = Vec::new();
    if !picker.pending.is_empty() {
        spans.push(Span::styled(
            format!(" listing the models of {}… ", picker.pending.join(", ")),
            t.status,
        ));
    }
    for (provider, why) in &picker.failed {
        spans.push(Span::styled(
            format!(" {provider}: no model list ({why}) "),
            t.error,
        ));
    }
    (!spans.is_empty()).then(|| Line::from(spans))
}

/// Column widths for the rows in the list.
struct Widths {
    provider: usize,
    model: usize,
}

impl Widths {
    fn for_rows(picker: &Picker) -> Widths {
        let widest =
            |f: fn(&PickerRow) -> &str| picker.rows.iter().map(|r| f(r).width()).max().unwrap_or(0);
        Widths {
            provider: widest(|r| &r.provider).clamp(8, MAX_PROVIDER),
            model: widest(|r| &r.id).clamp(5, MAX_MODEL),
        }
    }

    /// The seven cells (marker, provider, model, context, output, price, badges) laid out.
    fn cells(&self, cells: [&str; 7]) -> String {
        let [mark, provider, model, context, output, price, badges] = cells;
        format!(
            " {} {}  {}  {:>7}  {:>6}  {:<15} {}",
            pad(mark, 1),
            pad(&cut(provider, self.provider, true), self.provider),
            pad(&cut(model, self.model, true), self.model),
            context,
            output,
            price,
            badges
        )
    }
}

fn row_line(
    ctx: &Ctx,
    row: &PickerRow,
    marked: Option<usize>,
    widths: &Widths,
    selected: Option<Style>,
) -> Line<'static> {
    let t = &ctx.theme;
    let info = row.info.as_ref();
    let number = marked.map(|n| n.to_string());
    let mark = match (&number, row.current) {
        (Some(n), _) => n.as_str(),
        (None, true) => "●",
        (None, false) => "",
    };
    let context = tokens(info.and_then(|m| m.context_window));
    let output = tokens(info.and_then(|m| m.max_output_tokens));
    let price = price_cell(row);
    let badges = badges(row);
    let text = widths.cells([
        mark,
        &row.provider,
        &row.id,
        &context,
        &output,
        &price,
        &badges,
    ]);
    if let Some(style) = selected {
        return Line::from(Span::styled(text, style));
    }
    // Unselected: the name in the answer colour, the figures dimmer, the badges accented.
    let split_at = |s: &str, n: usize| {
        let at = s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
        (s[..at].to_string(), s[at..].to_string())
    };
    let head_chars = 3 + widths.provider + 2 + widths.model;
    let (head, rest) = split_at(&text, head_chars);
    let figures_chars = 2 + 7 + 2 + 6 + 2 + 15 + 1;
    let (figures, tail) = split_at(&rest, figures_chars);
    let name_style = if row.current { t.accent } else { t.assistant };
    let figure_style = if row.info.is_none() && !row.local {
        t.usage
    } else {
        t.assistant
    };
    Line::from(vec![
        Span::styled(head, name_style),
        Span::styled(figures, figure_style),
        Span::styled(tail, t.accent),
    ])
}

/// `$1.10/$4.40` per 1M input/output tokens; `local` on a local server; `price unknown`.
pub fn price_cell(row: &PickerRow) -> String {
    let price = row.info.as_ref().and_then(|m| m.price);
    match price {
        _ if row.local => "local".to_string(),
        Some(p) if p.input == 0.0 && p.output == 0.0 => "local".to_string(),
        Some(p) => format!("{}/{}", per_million(p.input), per_million(p.output)),
        None => "price unknown".to_string(),
    }
}

/// `no key` for a provider without its key; `reasoning low·medium·high vision no-stream`;
/// `list price` when the price is the vendor's and not the provider's own; `>200k tier` when
/// long prompts bill at higher rates; `unverified: no answer yet` for a model nothing knows
/// that has not answered.
pub fn badges(row: &PickerRow) -> String {
    let mut out = Vec::new();
    if row.no_key {
        out.push("no key".to_string());
    }
    if row.unverified {
        out.push("unverified: no answer yet".to_string());
    }
    let Some(m) = &row.info else {
        return out.join(" ");
    };
    if m.reasoning {
        out.push("reasoning".to_string());
    }
    if m.accepts_effort && !m.efforts.is_empty() {
        out.push(m.efforts.join("·"));
    }
    if m.vision == Some(true) {
        out.push("vision".to_string());
    }
    if !m.can_stream {
        out.push("no-stream".to_string());
    }
    if let Some(price) = m.price.filter(|_| !row.local) {
        if let Some(tier) = price.tier {
            out.push(format!(">{} tier", tokens(Some(tier.above_input))));
        }
        if price.list {
            out.push("list price".to_string());
        }
    }
    out.join(" ")
}

fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(text.width())))
}
