//! What `compare`/`sweep` print: the live table while the arms run, then the summary and the
//! answers as text, one JSON object, or CSV rows.
//!
//! Invariants (what may reach a terminal):
//! - the report's own lines — run headers, usage lines, error and state lines, the summary
//!   table, the live table — never hold a control character but newline: arm labels, error
//!   messages and usage lines are always passed through [`crate::text::sanitize`], on a
//!   terminal or not;
//! - the model's own text (answer and reasoning) is sanitized when stdout is a terminal
//!   (`sanitize_answers`), and byte-exact when piped, as `ask` prints it: a pipe gets what
//!   the model wrote, and only the model's text can carry a control character there (an
//!   OSC 52 clipboard write in an answer reaches a file or a pipe as it came; it never
//!   reaches a terminal that thinkbench writes to);
//! - JSON and CSV are rendered byte-exact (JSON escapes, CSV quotes a field holding a comma,
//!   a quote or a line break, doubling its quotes): they are for programs; on a terminal
//!   `run` escapes JSON's DEL and C1 characters and sanitizes CSV before printing;
//! - the text report prints each run's answer under a header, then the summary table last,
//!   so that the table is what stays in view above the prompt.

use super::stats::{self, ArmSummary, Column, Spread};
use crate::ask;
use crate::conversation::{Turn, TurnState};
use crate::text::spinner;
use crate::totals::Totals;
use crate::usage::{self, thousands};
use serde_json::{Value, json};
use std::time::Instant;
use unicode_width::UnicodeWidthStr;

/// What the live table shows of each arm besides its turn.
#[derive(Clone, Debug, Default)]
pub struct ArmProgress {
    /// When its request left; `None` while it waits for a slot.
    pub started: Option<Instant>,
    /// A retry in progress: what happened and when it is due.
    pub retrying: Option<String>,
}

/// How the result is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Csv,
}

/// The whole report for finished `turns` (every run of every arm, in arm-index order).
pub fn render(
    format: Format,
    prompt: &str,
    turns: &[Turn],
    session: Option<i64>,
    sanitize_answers: bool,
) -> String {
    match format {
        Format::Json => format!("{}\n", to_json(prompt, turns, session)),
        Format::Csv => to_csv(turns),
        Format::Text => to_text(turns, sanitize_answers),
    }
}

/// The `--json` object.
pub fn to_json(prompt: &str, turns: &[Turn], session: Option<i64>) -> Value {
    let arms: Vec<Value> = turns
        .iter()
        .map(|t| {
            let mut value = ask::to_json(t);
            if let Value::Object(map) = &mut value {
                map.insert("arm".into(), json!(t.arm_label()));
                map.insert("run".into(), json!(t.arm.as_ref().map_or(1, |a| a.run)));
            }
            value
        })
        .collect();
    let summary: Vec<Value> = stats::summarize(turns)
        .iter()
        .map(stats::summary_json)
        .collect();
    let mut value = json!({
        "prompt": prompt,
        "arms": arms,
        "summary": summary,
        "session": session,
    });
    if let Value::Object(map) = &mut value {
        map.extend(Totals::of(turns).overall.cost_json("total_"));
    }
    value
}

/// The CSV header of [`to_csv`].
pub const CSV_HEADER: &str = "arm,run,model,effort,input,cached,reasoning,output,cost_usd,\
first_token_ms,total_ms,finish_reason,error";

/// One CSV row per run.
pub fn to_csv(turns: &[Turn]) -> String {
    let mut out = format!("{CSV_HEADER}\n");
    for t in turns {
        let u = t.usage();
        let opt = |v: Option<u64>| v.map_or(String::new(), |v| v.to_string());
        let error = match &t.state {
            TurnState::Failed(err) => err.to_string(),
            TurnState::Cancelled | TurnState::Superseded => "cancelled".to_string(),
            TurnState::Interrupted => "interrupted".to_string(),
            _ => String::new(),
        };
        let fields = [
            t.arm_label(),
            t.arm.as_ref().map_or(1, |a| a.run).to_string(),
            t.spec.model.clone(),
            t.spec.effort.clone().unwrap_or_default(),
            u.input.to_string(),
            u.cached_input.to_string(),
            u.reasoning.to_string(),
            u.output.to_string(),
            t.cost().map_or(String::new(), |c| format!("{c}")),
            opt(t.first_token_ms()),
            opt(t.timings.done_ms),
            t.finish_reason
                .as_ref()
                .map_or(String::new(), |r| r.as_str().to_string()),
            error,
        ];
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Text for the report's own lines: never a control character but newline and tab.
fn clean(text: &str) -> String {
    crate::text::sanitize(text).into_owned()
}

/// The model's text: sanitized for a terminal, exact for a pipe.
fn model_text(text: &str, sanitize: bool) -> String {
    if sanitize {
        clean(text)
    } else {
        text.to_string()
    }
}

/// The text report: each run's answer under a header, then the summary table. The model's
/// text is sanitized when `sanitize_answers`; every other line always is.
pub fn to_text(turns: &[Turn], sanitize_answers: bool) -> String {
    let mut out = String::new();
    let runs = turns
        .iter()
        .any(|t| t.arm.as_ref().is_some_and(|a| a.run > 1));
    for t in turns {
        let label = clean(&t.arm_label());
        let title = match (&t.arm, runs) {
            (Some(arm), true) => format!("── {label} · run {} ", arm.run),
            _ => format!("── {label} "),
        };
        out.push_str(&format!(
            "{title}{}\n",
            "─".repeat(60usize.saturating_sub(title.width()))
        ));
        if !t.reasoning.is_empty() {
            out.push_str("thinking:\n");
            out.push_str(&model_text(t.reasoning.trim_end(), sanitize_answers));
            out.push_str("\n\n");
        }
        out.push_str(&model_text(&t.answer, sanitize_answers));
        if !t.answer.is_empty() && !t.answer.ends_with('\n') {
            out.push('\n');
        }
        match &t.state {
            TurnState::Failed(err) => out.push_str(&format!("✗ {}\n", clean(&err.to_string()))),
            TurnState::Cancelled => out.push_str("⊘ cancelled\n"),
            _ => {}
        }
        out.push_str(&clean(&t.usage_line()));
        out.push_str("\n\n");
    }
    out.push_str(&summary_text(turns));
    out
}

/// `1,024` or, over several runs, `1,024 (900–1,200)`; `—` when no run has the figure.
fn spread_text(spread: Option<Spread>, runs: usize, show: impl Fn(f64) -> String) -> String {
    match spread {
        None => "—".to_string(),
        Some(s) if runs > 1 && s.min < s.max => {
            format!("{} ({}–{})", show(s.mean), show(s.min), show(s.max))
        }
        Some(s) => show(s.mean),
    }
}

fn tokens(v: f64) -> String {
    thousands(v.round() as u64)
}

fn secs(v: f64) -> String {
    usage::seconds(v.round() as u64)
}

/// The cells of the summary table, one row per arm (header first). Best values carry `*`.
pub fn summary_cells(summaries: &[ArmSummary]) -> Vec<Vec<String>> {
    let mut rows = vec![
        [
            "arm",
            "runs",
            "reasoning",
            "output",
            "cost",
            "1st token",
            "total",
            "finish",
            "answer",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for (i, s) in summaries.iter().enumerate() {
        let mark = |column: Column, text: String| {
            if stats::is_best(summaries, i, column) {
                format!("{text} *")
            } else {
                text
            }
        };
        let est = if s.estimated { "~" } else { "" };
        let cost = if s.cost_unknown {
            "$?".to_string()
        } else {
            spread_text(s.cost, s.runs, |v| usage::dollars(Some(v)))
        };
        rows.push(vec![
            s.label.clone(),
            if s.errors > 0 {
                format!("{} ({} failed)", s.runs, s.errors)
            } else {
                s.runs.to_string()
            },
            mark(
                Column::Reasoning,
                format!("{est}{}", spread_text(s.reasoning, s.runs, tokens)),
            ),
            mark(
                Column::Output,
                format!("{est}{}", spread_text(s.output, s.runs, tokens)),
            ),
            mark(Column::Cost, cost),
            mark(
                Column::FirstToken,
                spread_text(s.first_token_ms, s.runs, secs),
            ),
            mark(Column::Total, spread_text(s.total_ms, s.runs, secs)),
            s.finish.clone(),
            match s.answer_chars {
                Some(_) => format!("{} chars", spread_text(s.answer_chars, s.runs, tokens)),
                None => "—".to_string(),
            },
        ]);
    }
    rows
}

/// The summary as an aligned text table, with the total cost of every request below it;
/// every cell sanitized (before it is measured, so the columns stay aligned).
pub fn summary_text(turns: &[Turn]) -> String {
    let summaries = stats::summarize(turns);
    let cells: Vec<Vec<String>> = summary_cells(&summaries)
        .into_iter()
        .map(|row| row.iter().map(|cell| clean(cell)).collect())
        .collect();
    let columns = cells.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|c| cells.iter().map(|r| r[c].width()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &cells {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                let pad = " ".repeat(widths[c] - cell.width());
                // Numbers right-aligned, words left; each header as its column.
                if c == 0 || c == 7 {
                    format!("{cell}{pad}")
                } else {
                    format!("{pad}{cell}")
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    let total = Totals::of(turns).overall;
    let mut cost = total.cost_text();
    if turns.iter().all(Turn::is_demo) {
        cost.push_str(&format!(" ({})", crate::demo::NOT_BILLED));
    }
    out.push_str(&format!(
        "* lowest · total {} for {} request{}\n",
        cost,
        turns.len(),
        if turns.len() == 1 { "" } else { "s" }
    ));
    out
}

/// One line per run while the comparison runs, each at most `width` columns.
pub fn live_rows(
    turns: &[Turn],
    progress: &[ArmProgress],
    now: Instant,
    width: usize,
) -> Vec<String> {
    let label_width = turns
        .iter()
        .map(|t| clean(&t.arm_label()).width())
        .max()
        .unwrap_or(0);
    turns
        .iter()
        .zip(progress)
        .map(|(t, p)| {
            let elapsed = p.started.map_or(0, |s| {
                u64::try_from(now.saturating_duration_since(s).as_millis()).unwrap_or(0)
            });
            let label = clean(&t.arm_label());
            let pad = " ".repeat(label_width.saturating_sub(label.width()));
            let status = live_status(t, p, elapsed);
            let mark = match &t.state {
                TurnState::Streaming if p.started.is_none() => "·",
                TurnState::Streaming => spinner(elapsed),
                TurnState::Done => "✓",
                _ => "✗",
            };
            let line = format!("{mark} {label}{pad}  {status}");
            crate::text::sanitize(&truncate(&line, width)).into_owned()
        })
        .collect()
}

fn live_status(t: &Turn, p: &ArmProgress, elapsed: u64) -> String {
    if let Some(retry) = &p.retrying {
        return format!("⟳ {retry}");
    }
    match &t.state {
        TurnState::Streaming if p.started.is_none() => "queued".to_string(),
        TurnState::Streaming => {
            let u = t.usage();
            let reasoning = if !t.reasoning.is_empty() {
                format!("reasoning ~{}", thousands(u.reasoning))
            } else if t.spec.reasoning_model && t.answer.is_empty() {
                "reasoning…".to_string()
            } else {
                String::new()
            };
            let out = if t.answer.is_empty() {
                String::new()
            } else {
                format!("out ~{}", thousands(u.visible_output()))
            };
            let parts: Vec<String> = [reasoning, out, usage::seconds(elapsed)]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            parts.join(" · ")
        }
        TurnState::Failed(err) => format!("error: {err}"),
        TurnState::Done => t.usage_line(),
        other => other.name().to_string(),
    }
}

/// `text` cut to `width` columns (with `…` when cut).
fn truncate(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if out.width() + c.to_string().width() + 1 > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests;
