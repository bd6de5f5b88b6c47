//! A stored session rendered for people and programs: the Markdown and JSON exports, the
//! dates and cost figures that `thinkbench sessions` prints.
//!
//! Invariants: rendering is pure (no clock, no files), so the same session always renders
//! the same text; a cost that is partly unknown is never shown as if it were complete: a
//! lower bound (`≥ $0.0123`; in JSON the known sum with `cost_is_lower_bound: true`), or
//! unknown (`$?`; `null` in JSON) when nothing known costs anything (see `totals`); reasoning never leaves a turn's
//! collapsible block in Markdown; every figure about one turn comes from the [`Turn`] itself
//! (`usage_line`, `to_json`), so an export says what `ask` and the TUI said; a comparison is
//! one exchange with every arm under it and the summary of `thinkbench compare` (see
//! [`compare`]); a turn the person edited stays as its own exchange, marked as an earlier
//! version, and the turn that replaced it names it (`earlier version: turn N`).

pub mod compare;

use crate::ask;
use crate::attach::{Attachment, Kind};
use crate::conversation::{Turn, TurnState, earlier_version, replaced_by_edit};
use crate::store::SessionSummary;
use crate::timefmt;
use crate::totals::{self, Totals};
use crate::usage;
use compare::{Comparison, Exchange, exchanges};
use serde_json::{Value, json};

/// Version of the JSON export's shape. 2: a comparison is one entry of `turns` with
/// `"comparison": true`, its `arms` and `summary`; `totals` counts `requests` too.
pub const JSON_EXPORT_VERSION: u32 = 2;

/// `2025-03-14 09:26` (UTC).
pub fn date(ms: i64) -> String {
    timefmt::utc_minutes(ms)
}

/// `2025-03-14T09:26:53Z`.
pub fn iso_date(ms: i64) -> String {
    let seconds = ms.div_euclid(1000).rem_euclid(60);
    format!("{}:{seconds:02}Z", date(ms).replacen(' ', "T", 1))
}

/// A session as `sessions list --json` prints it.
pub fn summary_json(s: &SessionSummary) -> Value {
    let mut value = json!({
        "id": s.id,
        "title": s.title,
        "created": iso_date(s.created_ms),
        "updated": iso_date(s.updated_ms),
        "created_ms": s.created_ms,
        "updated_ms": s.updated_ms,
        "turns": s.turns,
        "models": s.models,
        "forked_from": s.fork.as_ref().map(|f| json!({"session": f.session, "turn": f.turn})),
    });
    if let Value::Object(map) = &mut value {
        map.extend(totals::cost_json("", s.cost, s.cost_unknown));
    }
    value
}

/// Everything a turn holds: the `ask --json` object plus the prompt, the state, the turn id,
/// every timing, the price and the settings it was sent with; with `data`, each
/// attachment's bytes in base64 as well.
pub fn turn_json(turn: &Turn, data: bool) -> Value {
    let mut value = ask::to_json(turn);
    if let (Value::Object(map), true) = (&mut value, data) {
        map.insert(
            "attachments".into(),
            crate::attach::json(&turn.attachments, true),
        );
    }
    if let Value::Object(map) = &mut value {
        let extra = json!({
            "id": turn.id,
            "state": turn.state.name(),
            "prompt": turn.prompt,
            "max_output_tokens": turn.spec.max_output_tokens,
            "reasoning_model": turn.spec.reasoning_model,
            "price_per_million_usd": turn.spec.price,
            "reported_usage": turn.reported_usage,
            // `null` for a turn whose estimate was never counted (its server reported usage).
            "prompt_estimate_tokens": Some(turn.prompt_estimate()).filter(|n| *n > 0),
            "timings_ms": {
                "first_reasoning": turn.timings.first_reasoning_ms,
                "first_text": turn.timings.first_text_ms,
                "done": turn.timings.done_ms,
            },
            "usage_line": turn.usage_line(),
        });
        if let Value::Object(extra) = extra {
            map.extend(extra);
        }
    }
    value
}

/// The JSON export: the session, every exchange (a turn, or a comparison with its arms),
/// the totals over every request; attachments' bytes only with `data`.
pub fn session_json(summary: &SessionSummary, turns: &[Turn], data: bool) -> Value {
    let total = Totals::of(turns).overall;
    let usage = &total.usage;
    let entries: Vec<Value> = exchanges(turns)
        .iter()
        .map(|exchange| match exchange {
            Exchange::Turn(turn) => {
                let mut value = turn_json(turn, data);
                if let Value::Object(map) = &mut value {
                    map.extend(versions_json(turns, turn));
                }
                value
            }
            Exchange::Comparison(c) => c.json(data),
        })
        .collect();
    let mut totals = json!({
        "turns": entries.len(),
        "requests": turns.len(),
        "input_tokens": usage.input,
        "cached_input_tokens": usage.cached_input,
        "output_tokens": usage.output,
        "reasoning_tokens": usage.reasoning,
        "estimated": usage.estimated,
    });
    if let Value::Object(map) = &mut totals {
        map.extend(total.cost_json(""));
    }
    json!({
        "thinkbench_export": JSON_EXPORT_VERSION,
        "session": summary_json(summary),
        "turns": entries,
        "totals": totals,
    })
}

/// What a plain turn's JSON says of edits: `"edited": true` on an earlier version,
/// `"earlier_version": ID` on the turn that replaced it.
fn versions_json(turns: &[Turn], turn: &Turn) -> serde_json::Map<String, Value> {
    let mut map = serde_json::Map::new();
    let Some(idx) = turns.iter().position(|t| std::ptr::eq(t, turn)) else {
        return map;
    };
    if replaced_by_edit(turns, idx) {
        map.insert("edited".into(), Value::Bool(true));
    }
    if let Some(before) = earlier_version(turns, idx) {
        map.insert("earlier_version".into(), json!(turns[before].id));
    }
    map
}

/// `2 turns · in 1,234 · reasoning 96 · out 310 · $0.0213` over the whole session; a
/// comparison counts as one turn, and the requests are counted when they are more
/// (`1 turn (3 requests) · …`).
pub fn totals_line(turns: &[Turn]) -> String {
    let total = Totals::of(turns).overall;
    let u = &total.usage;
    let est = if u.estimated { "~" } else { "" };
    let exchanges = exchanges(turns).len();
    let turns_word = if exchanges == 1 { "turn" } else { "turns" };
    let requests = if turns.len() == exchanges {
        String::new()
    } else {
        format!(" ({} requests)", turns.len())
    };
    format!(
        "{exchanges} {turns_word}{requests} · in {est}{} · reasoning {est}{} · out {est}{} · {}",
        usage::thousands(u.input),
        usage::thousands(u.reasoning),
        usage::thousands(u.visible_output()),
        total.cost_text(),
    )
}

/// What a turn that did not end normally ended as, for a note under it.
pub fn state_note(turn: &Turn) -> Option<String> {
    match &turn.state {
        TurnState::Done => None,
        TurnState::Failed(err) => Some(format!("failed: {}", err.message)),
        other => Some(other.name().to_string()),
    }
}

/// Markdown-escape text that goes inside a line of prose.
fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(
            ch,
            '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// The Markdown export: a title, each turn's prompt, reasoning (collapsed), answer and usage
/// line, then the session totals.
pub fn markdown(summary: &SessionSummary, turns: &[Turn]) -> String {
    let mut out = String::new();
    let title = if summary.title.trim().is_empty() {
        format!("Session {}", summary.id)
    } else {
        summary.title.clone()
    };
    out.push_str(&format!("# {}\n\n", escape_inline(title.trim())));
    out.push_str(&format!(
        "Session {} · {} UTC · {}\n",
        summary.id,
        date(summary.created_ms),
        escape_inline(&summary.models.join(", ")),
    ));
    for (n, exchange) in exchanges(turns).iter().enumerate() {
        match exchange {
            Exchange::Turn(turn) => {
                out.push_str(&format!("\n## Turn {}\n\n", n + 1));
                let idx = turns.iter().position(|t| std::ptr::eq(t, *turn));
                // A plain turn is one exchange, so its earlier version is the one before.
                if idx.and_then(|i| earlier_version(turns, i)).is_some() {
                    out.push_str(&format!("*edited; earlier version: turn {n}*\n\n"));
                }
                markdown_prompt(&mut out, &turn.prompt, &turn.attachments);
                let heading = format!("**Answer** ({})", escape_inline(&turn.spec.model));
                let note = match idx {
                    Some(i) if replaced_by_edit(turns, i) => Some(format!(
                        "edited: an earlier version, replaced by turn {} (still billed)",
                        n + 2
                    )),
                    _ => state_note(turn),
                };
                markdown_reply(&mut out, &heading, turn, note);
            }
            Exchange::Comparison(c) => markdown_comparison(&mut out, n + 1, c),
        }
    }
    out.push_str(&format!(
        "\n---\n\n**Total:** {}\n",
        escape_inline(&totals_line(turns))
    ));
    out
}

fn markdown_prompt(out: &mut String, prompt: &str, attachments: &[Attachment]) {
    out.push_str("**Prompt**\n\n");
    out.push_str(prompt.trim_end());
    out.push_str("\n\n");
    if attachments.is_empty() {
        return;
    }
    out.push_str("**Attached**\n\n");
    for a in attachments {
        let kind = match a.kind {
            Kind::Text => "text".to_string(),
            Kind::Image { width, height, .. } => format!("image {width}x{height}"),
        };
        out.push_str(&format!(
            "- `{}` ({kind}, {})\n",
            a.name.replace('`', "'"),
            crate::attach::human_bytes(a.bytes.len() as u64)
        ));
    }
    out.push('\n');
    for block in attachments.iter().filter_map(Attachment::text_block) {
        out.push_str(&block);
        out.push_str("\n\n");
    }
}

/// A comparison: the prompt once, each arm under its own heading, the summary table (as
/// preformatted text, so it stays aligned) and which arm was kept.
fn markdown_comparison(out: &mut String, n: usize, c: &Comparison<'_>) {
    out.push_str(&format!(
        "\n## Turn {n} · {}\n\n",
        escape_inline(&c.title())
    ));
    let attachments = c.arms.first().map_or(&[][..], |t| &t.attachments[..]);
    markdown_prompt(out, c.prompt(), attachments);
    for (n, i) in c.in_order().into_iter().enumerate() {
        // The prompt ends with a blank line; each reply with a line break.
        let gap = if n == 0 { "" } else { "\n" };
        out.push_str(&format!("{gap}### {}\n\n", escape_inline(&c.heading(i))));
        markdown_reply(out, "**Answer**", &c.arms[i], state_note(&c.arms[i]));
    }
    out.push_str("\n### Summary\n\n```text\n");
    out.push_str(&c.summary_text().replace("```", "'''"));
    out.push_str("```\n\n");
    out.push_str(&format!("*{}*\n", escape_inline(&c.kept_line())));
}

/// One answer under `heading`: its reasoning (collapsed), the answer, tool calls, how it
/// ended and the usage line.
fn markdown_reply(out: &mut String, heading: &str, turn: &Turn, note: Option<String>) {
    if !turn.reasoning.trim().is_empty() {
        out.push_str("<details><summary>thinking</summary>\n\n");
        out.push_str(turn.reasoning.trim_end());
        out.push_str("\n\n</details>\n\n");
    }
    out.push_str(heading);
    out.push_str("\n\n");
    if turn.answer.trim().is_empty() {
        out.push_str("*(no answer)*\n\n");
    } else {
        out.push_str(turn.answer.trim_end());
        out.push_str("\n\n");
    }
    for call in &turn.tool_calls {
        out.push_str(&format!(
            "*The model asked to call* `{}({})`\n\n",
            call.name.replace('`', "'"),
            call.arguments.replace('`', "'")
        ));
    }
    if let Some(note) = note {
        out.push_str(&format!("**{}**\n\n", escape_inline(&note)));
    }
    out.push_str(&format!("*{}*\n", escape_inline(&turn.usage_line())));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_calendar_dates() {
        assert_eq!(date(0), "1970-01-01 00:00");
        assert_eq!(iso_date(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(date(1_741_944_413_000), "2025-03-14 09:26");
        assert_eq!(iso_date(-1000), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn inline_text_is_escaped() {
        assert_eq!(escape_inline("in ~13 · *x*"), "in \\~13 · \\*x\\*");
    }
}
