//! The summary under a comparison: one row per arm — reasoning and output tokens with a bar
//! of each arm's split, cost with a bar, time to first token, total time, finish reason and
//! answer length — with the best (lowest) value of each column marked `★`.
//!
//! Invariants: the figures are [`crate::compare::stats`]'s (the headless report reads the
//! same); bars are scaled to the largest arm, so the longest bar is the most; columns that do
//! not fit the width are dropped whole, least important first (bars, then answer length,
//! finish, first token), never cut mid-number.

use crate::compare::stats::{self, ArmSummary, Column};
use crate::conversation::Turn;
use crate::tui::theme::Theme;
use crate::usage::{self, thousands};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

/// Cells of the token bar and of the cost bar.
const TOKEN_BAR: usize = 12;
const COST_BAR: usize = 8;

/// One column of the table: its header, how it is aligned, and when it is dropped (higher
/// goes first).
struct Col {
    header: &'static str,
    right: bool,
    drop_rank: u8,
}

const COLS: [Col; 11] = [
    Col {
        header: "#",
        right: false,
        drop_rank: 0,
    },
    Col {
        header: "arm",
        right: false,
        drop_rank: 0,
    },
    Col {
        header: "reasoning vs output",
        right: false,
        drop_rank: 9,
    },
    Col {
        header: "reasoning",
        right: true,
        drop_rank: 0,
    },
    Col {
        header: "output",
        right: true,
        drop_rank: 1,
    },
    Col {
        header: "",
        right: false,
        drop_rank: 8,
    },
    Col {
        header: "cost",
        right: true,
        drop_rank: 0,
    },
    Col {
        header: "1st token",
        right: true,
        drop_rank: 5,
    },
    Col {
        header: "total",
        right: true,
        drop_rank: 2,
    },
    Col {
        header: "finish",
        right: false,
        drop_rank: 6,
    },
    Col {
        header: "answer",
        right: true,
        drop_rank: 7,
    },
];

fn mean(s: Option<stats::Spread>) -> Option<f64> {
    s.map(|s| s.mean)
}

/// The summary table of `arms` (the comparison's shown arms, in order) for `width` cells.
/// `kept` is the position of the kept arm among them.
pub fn summary_lines(
    arms: &[&Turn],
    kept: Option<usize>,
    theme: &Theme,
    width: u16,
) -> Vec<Line<'static>> {
    let summaries = stats::summarize(arms.iter().copied());
    if summaries.is_empty() {
        return Vec::new();
    }
    let max_tokens = (summaries.iter())
        .map(|s| mean(s.reasoning).unwrap_or(0.0) + mean(s.output).unwrap_or(0.0))
        .fold(0.0, f64::max);
    let max_cost = (summaries.iter())
        .filter_map(|s| mean(s.cost))
        .fold(0.0, f64::max);
    // Every cell as styled spans, row by row (header first).
    let mut rows: Vec<Vec<Vec<Span<'static>>>> = vec![
        COLS.iter()
            .map(|c| vec![Span::styled(c.header.to_string(), theme.usage)])
            .collect(),
    ];
    for (i, s) in summaries.iter().enumerate() {
        rows.push(row(
            &summaries,
            i,
            s,
            kept == Some(i),
            max_tokens,
            max_cost,
            theme,
        ));
    }
    // Drop columns, least important first, until the table fits.
    let mut keep: Vec<bool> = vec![true; COLS.len()];
    let table_width = |keep: &[bool]| -> usize {
        let widths = widths(&rows);
        let shown: Vec<usize> = (0..COLS.len())
            .filter(|&c| keep[c])
            .map(|c| widths[c])
            .collect();
        shown.iter().sum::<usize>() + 2 * shown.len().saturating_sub(1)
    };
    let mut ranks: Vec<u8> = COLS
        .iter()
        .map(|c| c.drop_rank)
        .filter(|&r| r > 0)
        .collect();
    ranks.sort_unstable_by(|a, b| b.cmp(a));
    for rank in ranks {
        if table_width(&keep) <= width as usize {
            break;
        }
        for (c, col) in COLS.iter().enumerate() {
            if col.drop_rank == rank {
                keep[c] = false;
            }
        }
    }
    let widths = widths(&rows);
    let mut lines = vec![Line::from(Span::styled(
        "summary · ★ lowest · 1-9 keeps an answer",
        theme.usage.add_modifier(Modifier::BOLD),
    ))];
    for cells in rows {
        let mut spans: Vec<Span<'static>> = Vec::new();
        for (c, cell) in cells.into_iter().enumerate().filter(|(c, _)| keep[*c]) {
            if !spans.is_empty() {
                spans.push(Span::raw("  "));
            }
            let used: usize = cell.iter().map(|s| s.content.width()).sum();
            let pad = Span::raw(" ".repeat(widths[c].saturating_sub(used)));
            if COLS[c].right {
                spans.push(pad);
                spans.extend(cell);
            } else {
                spans.extend(cell);
                spans.push(pad);
            }
        }
        lines.push(Line::from(spans));
    }
    lines
}

fn widths(rows: &[Vec<Vec<Span<'static>>>]) -> Vec<usize> {
    (0..COLS.len())
        .map(|c| {
            (rows.iter())
                .map(|r| r[c].iter().map(|s| s.content.width()).sum::<usize>())
                .max()
                .unwrap_or(0)
        })
        .collect()
}

fn row(
    all: &[ArmSummary],
    i: usize,
    s: &ArmSummary,
    kept: bool,
    max_tokens: f64,
    max_cost: f64,
    theme: &Theme,
) -> Vec<Vec<Span<'static>>> {
    let text = |t: String, style: Style| vec![Span::styled(t, style)];
    let marked = |column: Column, value: String| {
        if stats::is_best(all, i, column) {
            vec![Span::styled(format!("{value} ★"), theme.accent)]
        } else {
            vec![Span::styled(value, theme.assistant)]
        }
    };
    let est = if s.estimated { "~" } else { "" };
    let count = |v: Option<f64>| {
        v.map_or("—".to_string(), |v| {
            format!("{est}{}", thousands(v.round() as u64))
        })
    };
    let secs = |v: Option<f64>| v.map_or("—".to_string(), |v| usage::seconds(v.round() as u64));
    let reasoning = mean(s.reasoning).unwrap_or(0.0);
    let output = mean(s.output).unwrap_or(0.0);
    let cost = mean(s.cost);
    let mut label = vec![Span::styled(s.label.clone(), theme.assistant)];
    if kept {
        label.push(Span::styled(" ✓", theme.user));
    }
    let cost_text = if s.cost_unknown {
        "$?".to_string()
    } else {
        cost.map_or("—".to_string(), |c| {
            format!("{est}{}", usage::dollars(Some(c)))
        })
    };
    let finish_style = if s.errors > 0 {
        theme.error
    } else {
        theme.assistant
    };
    vec![
        text(format!("{}", i + 1), theme.usage),
        label,
        token_bar(reasoning, output, max_tokens, theme),
        marked(Column::Reasoning, count(mean(s.reasoning))),
        marked(Column::Output, count(mean(s.output))),
        text(
            bar(cost.unwrap_or(0.0), max_cost, COST_BAR, '■'),
            theme.accent,
        ),
        marked(Column::Cost, cost_text),
        marked(Column::FirstToken, secs(mean(s.first_token_ms))),
        marked(Column::Total, secs(mean(s.total_ms))),
        text(s.finish.clone(), finish_style),
        text(
            mean(s.answer_chars)
                .map_or("—".to_string(), |c| format!("{} ch", thousands(c as u64))),
            theme.usage,
        ),
    ]
}

/// `value` of `max` as a bar of up to `cells` (at least one cell for any value above 0).
fn bar(value: f64, max: f64, cells: usize, glyph: char) -> String {
    if max <= 0.0 || value <= 0.0 {
        return String::new();
    }
    let n = ((value / max) * cells as f64)
        .round()
        .clamp(1.0, cells as f64) as usize;
    glyph.to_string().repeat(n)
}

/// Reasoning then output tokens as one bar scaled to the arm with the most tokens.
fn token_bar(reasoning: f64, output: f64, max: f64, theme: &Theme) -> Vec<Span<'static>> {
    let total = reasoning + output;
    if max <= 0.0 || total <= 0.0 {
        return Vec::new();
    }
    let cells = ((total / max) * TOKEN_BAR as f64)
        .round()
        .clamp(1.0, TOKEN_BAR as f64) as usize;
    let thinking = ((reasoning / total) * cells as f64).round() as usize;
    let thinking = if reasoning > 0.0 { thinking.max(1) } else { 0 }.min(cells);
    vec![
        Span::styled("▓".repeat(thinking), theme.thinking),
        Span::styled("█".repeat(cells - thinking), theme.assistant),
    ]
}
