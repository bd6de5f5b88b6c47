//! The usage inspector, drawn full screen: a title, a table of every turn (numbers right
//! aligned with thousands separators, the selected row highlighted, scrolled to keep it in
//! view), a bar chart of reasoning (`▓`) vs visible output (`░`) tokens per turn scaled to
//! the largest turn, the totals per model and overall, and the keys.
//!
//! Invariants: it only reads the app and the inspector; it draws at any size without
//! panicking (sections are dropped when there is no room, columns of least use first, and all
//! arithmetic saturates); the chart's scale is the largest turn of the whole conversation, so
//! bars do not change length while scrolling.

use super::rows::{self, DASH, RowMood, TurnRow};
use super::state::Inspector;
use crate::totals::{Total, Totals};
use crate::tui::component::{Ctx, cut};
use crate::usage;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

/// Columns between cells.
const GAP: usize = 2;
/// The narrowest the model column gets before columns are cut at the right edge.
const MIN_MODEL: usize = 8;
const KEYS: &str = " ↑↓ PgUp PgDn Home End move · Enter show in conversation · Esc/q close";

pub fn render(ctx: &Ctx, inspector: &Inspector, frame: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    frame.render_widget(Clear, area);
    let turns = &ctx.session.conversation.turns;
    let rows = rows::rows(turns, ctx.active_elapsed());
    let totals = Totals::of(turns);
    let s = sections(area.height, rows.len(), totals.per_model.len());
    let mut y = area.y;
    let mut take = |h: u16| {
        let r = Rect {
            y,
            height: h,
            ..area
        };
        y = y.saturating_add(h);
        r
    };
    let title_area = take(s.title);
    let table_area = take(s.table);
    take(s.gap_chart);
    let chart_area = take(s.chart);
    take(s.gap_totals);
    let totals_area = take(s.totals);
    let footer_area = Rect {
        y: area.bottom().saturating_sub(s.footer),
        height: s.footer,
        ..area
    };
    let width = area.width as usize;

    let model_count = totals.per_model.len();
    let title = format!(
        " usage · {} {} · {} {} · {}",
        rows.len(),
        plural(rows.len(), "turn"),
        model_count,
        plural(model_count, "model"),
        totals.overall.cost_text(),
    );
    let title = Line::from(Span::styled(fill(&title, width), t.heading));
    frame.render_widget(Paragraph::new(title), title_area);

    let visible = (table_area.height as usize).saturating_sub(1);
    let first = inspector.first_visible(visible);
    render_table(ctx, inspector, &rows, first, frame, table_area);
    // The chart follows the table's scroll, moved if it has fewer rows.
    let chart_rows = (chart_area.height as usize).saturating_sub(1);
    let selected = inspector.selected();
    let chart_first = if selected >= first + chart_rows {
        (selected + 1).saturating_sub(chart_rows)
    } else {
        first.min(selected)
    };
    render_chart(ctx, inspector, &rows, chart_first, frame, chart_area);
    let mut all = totals.per_model.clone();
    all.push(totals.overall.clone());
    render_totals(ctx, &all, frame, totals_area);
    let keys = Line::from(Span::styled(cut(KEYS, width, true), t.usage));
    frame.render_widget(Paragraph::new(keys), footer_area);
}

/// Rows of turns the table shows in `area` (for [`Inspector::set_rows`]).
pub fn table_rows(turns: &[crate::conversation::Turn], area: Rect) -> usize {
    let models = Totals::of(turns).per_model.len();
    (sections(area.height, turns.len(), models).table as usize).saturating_sub(1)
}

/// Heights of the parts, top to bottom.
#[derive(Debug, PartialEq)]
struct Sections {
    title: u16,
    table: u16,
    gap_chart: u16,
    chart: u16,
    gap_totals: u16,
    totals: u16,
    footer: u16,
}

/// Share `height` out: the footer first, then the title, the table (a header and at least one
/// row, up to half), the totals (whole or not at all), the chart (a title and at least one
/// bar), whatever is left back to the table, and blank rows between parts if room remains.
fn sections(height: u16, turns: usize, models: usize) -> Sections {
    let n = u16::try_from(turns).unwrap_or(u16::MAX);
    let m = u16::try_from(models).unwrap_or(u16::MAX);
    let footer = height.min(1);
    let title = u16::from(height >= 2);
    let room = height - footer - title;
    let table_full = 1u16.saturating_add(n.max(1));
    let (chart_full, totals_full) = if n == 0 {
        (0, 0)
    } else {
        (n.saturating_add(1), m.saturating_add(2))
    };
    let mut table = table_full.min(room.min(2).max(room / 2));
    let mut rest = room - table;
    let totals = if rest >= totals_full { totals_full } else { 0 };
    rest -= totals;
    let chart = if rest >= 2 { chart_full.min(rest) } else { 0 };
    rest -= chart;
    let more = rest.min(table_full - table);
    table += more;
    rest -= more;
    let gap_chart = u16::from(chart > 0 && rest >= 1);
    rest -= gap_chart;
    let gap_totals = u16::from(totals > 0 && rest >= 1);
    Sections {
        title,
        table,
        gap_chart,
        chart,
        gap_totals,
        totals,
        footer,
    }
}

/// A column of a hand-laid table.
struct Column {
    header: &'static str,
    right: bool,
    /// Dropped first when the table is too wide: higher goes first, 0 never.
    drop_order: u8,
    width: usize,
    cells: Vec<String>,
}

impl Column {
    fn new(header: &'static str, right: bool, drop_order: u8, cells: Vec<String>) -> Column {
        let width = cells
            .iter()
            .map(|c| c.width())
            .chain([header.width()])
            .max()
            .unwrap_or(0);
        Column {
            header,
            right,
            drop_order,
            width,
            cells,
        }
    }
}

/// Drop the least useful columns until the table fits `width` (one column of margin on the
/// left), then narrow column `name` down to `MIN_MODEL`.
fn fit(mut columns: Vec<Column>, name: usize, width: usize) -> Vec<Column> {
    let used = |cols: &[Column]| {
        1 + cols.iter().map(|c| c.width).sum::<usize>() + GAP * cols.len().saturating_sub(1)
    };
    while used(&columns) > width {
        let worst = columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.drop_order > 0)
            .max_by_key(|(i, c)| (c.drop_order, *i))
            .map(|(i, _)| i);
        match worst {
            Some(i) => {
                columns.remove(i);
            }
            None => break,
        }
    }
    let over = used(&columns).saturating_sub(width);
    if let Some(name) = columns.get_mut(name).filter(|_| over > 0) {
        name.width = name
            .width
            .saturating_sub(over)
            .max(MIN_MODEL.min(name.width));
    }
    columns
}

/// Cell `text` cut and padded to `width`, on the side the column aligns to.
fn pad(text: &str, width: usize, right: bool) -> String {
    let text = cut(text, width, true);
    let space = " ".repeat(width.saturating_sub(text.width()));
    if right {
        format!("{space}{text}")
    } else {
        format!("{text}{space}")
    }
}

/// `text` padded with spaces to `width` columns (so a highlighted row spans the screen).
fn fill(text: &str, width: usize) -> String {
    let text = cut(text, width, true);
    let space = " ".repeat(width.saturating_sub(text.width()));
    format!("{text}{space}")
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

/// One table line: `marker` (one column), the cells of row `row` (or the headers) as spans,
/// the last column in `last_style`, padded to `width`.
fn table_line(
    columns: &[Column],
    row: Option<usize>,
    marker: &'static str,
    (style, last_style): (Style, Style),
    width: usize,
) -> Line<'static> {
    let mut spans = vec![Span::styled(marker, style)];
    let mut used = 1;
    for (i, c) in columns.iter().enumerate() {
        let text = match row {
            Some(r) => c.cells.get(r).map(String::as_str).unwrap_or(""),
            None => c.header,
        };
        let mut cell = pad(text, c.width, c.right);
        if i + 1 < columns.len() {
            cell.push_str(&" ".repeat(GAP));
        }
        used += cell.width();
        let s = if i + 1 == columns.len() {
            last_style
        } else {
            style
        };
        spans.push(Span::styled(cell, s));
    }
    spans.push(Span::styled(" ".repeat(width.saturating_sub(used)), style));
    Line::from(spans)
}

fn render_table(
    ctx: &Ctx,
    inspector: &Inspector,
    rows: &[TurnRow],
    first: usize,
    frame: &mut Frame,
    area: Rect,
) {
    let t = &ctx.theme;
    let width = area.width as usize;
    let col = |header, right, drop_order, f: fn(&TurnRow) -> String| {
        Column::new(header, right, drop_order, rows.iter().map(f).collect())
    };
    let columns = fit(
        vec![
            col("#", true, 0, |r| r.tag.clone()),
            col("model", false, 0, |r| r.model.clone()),
            col("effort", false, 5, |r| r.effort.clone()),
            col("input", true, 2, |r| r.input.clone()),
            col("cached", true, 6, |r| r.cached.clone()),
            col("reasoning", true, 1, |r| r.reasoning.clone()),
            col("output", true, 1, |r| r.output.clone()),
            col("cost", true, 1, |r| r.cost.clone()),
            col("1st token", true, 4, |r| r.first_token.clone()),
            col("total", true, 3, |r| r.total.clone()),
            col("finish", false, 2, |r| r.finish.clone()),
        ],
        1,
        width,
    );
    let mut lines = vec![table_line(
        &columns,
        None,
        " ",
        (t.heading, t.heading),
        width,
    )];
    if rows.is_empty() {
        lines.push(Line::from(Span::styled(
            " no turns yet: each turn's tokens, cost and timing will show here",
            t.usage,
        )));
    }
    let visible = (area.height as usize).saturating_sub(1);
    for (i, row) in rows.iter().enumerate().skip(first).take(visible) {
        let (style, last, marker) = if i == inspector.selected() {
            (t.selection, t.selection, "›")
        } else {
            let finish = match (row.mood, columns.last().map(|c| c.header)) {
                (RowMood::Bad, Some("finish")) => t.error,
                (RowMood::Partial, Some("finish")) => t.usage,
                _ => t.assistant,
            };
            (t.assistant, finish, " ")
        };
        lines.push(table_line(&columns, Some(i), marker, (style, last), width));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// `tokens * cells / max`, rounded.
fn scale(tokens: u64, cells: usize, max: u64) -> usize {
    if max == 0 {
        return 0;
    }
    let n = (u128::from(tokens) * cells as u128 + u128::from(max) / 2) / u128::from(max);
    usize::try_from(n).unwrap_or(cells).min(cells)
}

/// Cells of the reasoning and the visible part of one bar `cells` wide at most; a part that
/// has tokens gets at least one cell when there is room.
fn bar_split(reasoning: u64, visible: u64, cells: usize, max: u64) -> (usize, usize) {
    let parts = usize::from(reasoning > 0) + usize::from(visible > 0);
    let total = scale(reasoning.saturating_add(visible), cells, max)
        .max(parts)
        .min(cells);
    let mut r = scale(reasoning, cells, max);
    if reasoning > 0 {
        r = r.max(1);
    }
    if visible > 0 {
        r = r.min(total.saturating_sub(1));
    }
    let r = r.min(total);
    (r, total - r)
}

fn render_chart(
    ctx: &Ctx,
    inspector: &Inspector,
    rows: &[TurnRow],
    first: usize,
    frame: &mut Frame,
    area: Rect,
) {
    if area.height == 0 {
        return;
    }
    let t = &ctx.theme;
    let width = area.width as usize;
    let mut lines = vec![Line::from(vec![
        Span::styled(" reasoning ", t.heading),
        Span::styled("▓", t.thinking),
        Span::styled(" vs visible output ", t.heading),
        Span::styled("░", t.accent),
        Span::styled(" tokens per turn", t.heading),
    ])];
    let max = rows
        .iter()
        .map(|r| r.reasoning_tokens.saturating_add(r.visible_tokens))
        .max()
        .unwrap_or(0);
    let number_width = rows.iter().map(|r| r.tag.width()).max().unwrap_or(1);
    let label_width = 2 + number_width + 1;
    let numbers: Vec<String> = rows.iter().map(chart_numbers).collect();
    let numbers_width = numbers.iter().map(|n| n.width()).max().unwrap_or(0);
    let mut bar_width = width.saturating_sub(label_width + 1 + numbers_width);
    let show_numbers = bar_width >= 4;
    if !show_numbers {
        bar_width = width.saturating_sub(label_width);
    }
    let visible = (area.height as usize).saturating_sub(1);
    for (i, row) in rows.iter().enumerate().skip(first).take(visible) {
        let (label_style, marker) = if i == inspector.selected() {
            (t.selection, "›")
        } else {
            (t.usage, " ")
        };
        let (r, v) = bar_split(row.reasoning_tokens, row.visible_tokens, bar_width, max);
        let mut spans = vec![
            Span::styled(format!("{marker}#{:<number_width$}", row.tag), label_style),
            Span::raw(" "),
            Span::styled("▓".repeat(r), t.thinking),
            Span::styled("░".repeat(v), t.accent),
        ];
        if show_numbers {
            let gap = bar_width.saturating_sub(r + v) + 1;
            let text = numbers.get(i).map(String::as_str).unwrap_or("");
            spans.push(Span::raw(" ".repeat(gap)));
            spans.push(Span::styled(format!("{text:>numbers_width$}"), t.usage));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// `~1,234 + 56`: reasoning and visible output of a turn, for the right of its bar.
fn chart_numbers(row: &TurnRow) -> String {
    let reasoning = if row.reasoning == DASH {
        "0"
    } else {
        row.reasoning.as_str()
    };
    let output = if row.output == DASH {
        "0"
    } else {
        row.output.as_str()
    };
    format!("{reasoning} + {output}")
}

fn render_totals(ctx: &Ctx, totals: &[Total], frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    let t = &ctx.theme;
    let width = area.width as usize;
    let col = |header, right, drop_order, f: &dyn Fn(&Total) -> String| {
        Column::new(header, right, drop_order, totals.iter().map(f).collect())
    };
    let columns = fit(
        vec![
            col("totals", false, 0, &|x| x.label.clone()),
            col("turns", true, 3, &|x| x.turns.to_string()),
            col("input", true, 2, &|x| {
                format!("{}{}", x.estimate_mark(), usage::thousands(x.usage.input))
            }),
            col("cached", true, 4, &|x| {
                usage::thousands(x.usage.cached_input)
            }),
            col("reasoning", true, 1, &|x| {
                let mark = if x.usage.estimated || x.usage.reasoning_estimated {
                    "~"
                } else {
                    ""
                };
                format!("{mark}{}", usage::thousands(x.usage.reasoning))
            }),
            col("output", true, 1, &|x| {
                let visible = x.usage.visible_output();
                format!("{}{}", x.estimate_mark(), usage::thousands(visible))
            }),
            col("cost", true, 0, &|x| x.cost_text()),
        ],
        0,
        width,
    );
    let mut lines = vec![table_line(
        &columns,
        None,
        " ",
        (t.heading, t.heading),
        width,
    )];
    let last = totals.len().saturating_sub(1);
    for i in 0..totals.len() {
        let style = if i == last { t.user } else { t.assistant };
        lines.push(table_line(&columns, Some(i), " ", (style, style), width));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

#[cfg(test)]
mod tests;
