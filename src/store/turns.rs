//! Turns to rows and back.
//!
//! Invariants:
//! - every field of a [`Turn`] is stored and read back equal (transient retry hints of an
//!   [`ApiError`] — `retryable`, `retry_after`, `should_retry` — are not part of history);
//! - nothing read back can panic: an unknown state becomes `Failed` with a message saying so,
//!   unreadable JSON becomes an explanatory error or no tool calls, out-of-range numbers clamp;
//! - a turn saved while streaming is read back `Interrupted` (by [`Turn::restored`]), with
//!   all the text its flushes stored (its row's and its pending chunks', see `chunks`);
//! - the usage columns hold what the turn bills (the server's numbers, its tokenizer's count
//!   with `usage_counted` saying how, or our estimate with `usage_estimated = 1`), so plain
//!   SQL over the file gives the same totals as the UI; a turn still streaming holds its
//!   estimate as far as it was counted (`Turn::usage_so_far`: saving never loads the
//!   tokenizer), its save once ended the whole estimate.

use crate::api::{ApiError, ApiKind, FinishReason, ToolCall};
use crate::conversation::{ArmTag, Timings, Turn, TurnSpec, TurnState};
use crate::usage::{Price, ServerCount, Usage};
use rusqlite::{Connection, Row, named_params};
use serde_json::{Value, json};

/// Longest automatic title, in characters.
pub(super) const TITLE_MAX_CHARS: usize = 80;

const UPSERT: &str = "
INSERT INTO turns (
    session_id, turn_id, arm, arm_label, arm_run, arm_kept, prompt, answer, reasoning, provider, model, api, effort,
    max_output_tokens, price_input, price_cached, price_output, price_cache_write,
    price_tier_json, price_list,
    reasoning_model, usage_input, usage_cached_input, usage_cache_write, usage_output,
    usage_reasoning, usage_estimated, usage_reported, usage_reasoning_estimated,
    usage_reported_cost, usage_counted, prompt_estimate, cost, first_reasoning_ms, first_text_ms, done_ms,
    finish_reason, state, error_json, tool_calls_json, updated_ms
) VALUES (
    :session_id, :turn_id, :arm, :arm_label, :arm_run, :arm_kept, :prompt, :answer, :reasoning, :provider, :model, :api, :effort,
    :max_output_tokens, :price_input, :price_cached, :price_output, :price_cache_write,
    :price_tier_json, :price_list,
    :reasoning_model, :usage_input, :usage_cached_input, :usage_cache_write, :usage_output,
    :usage_reasoning, :usage_estimated, :usage_reported, :usage_reasoning_estimated,
    :usage_reported_cost, :usage_counted, :prompt_estimate, :cost, :first_reasoning_ms, :first_text_ms,
    :done_ms, :finish_reason, :state, :error_json, :tool_calls_json, :updated_ms
)
ON CONFLICT (session_id, turn_id, arm) DO UPDATE SET
    arm_label = excluded.arm_label, arm_run = excluded.arm_run, arm_kept = excluded.arm_kept,
    prompt = excluded.prompt, answer = excluded.answer, reasoning = excluded.reasoning,
    provider = excluded.provider, model = excluded.model, api = excluded.api,
    effort = excluded.effort, max_output_tokens = excluded.max_output_tokens,
    price_input = excluded.price_input, price_cached = excluded.price_cached,
    price_output = excluded.price_output, price_cache_write = excluded.price_cache_write,
    price_tier_json = excluded.price_tier_json, price_list = excluded.price_list,
    reasoning_model = excluded.reasoning_model, usage_input = excluded.usage_input,
    usage_cached_input = excluded.usage_cached_input,
    usage_cache_write = excluded.usage_cache_write, usage_output = excluded.usage_output,
    usage_reasoning = excluded.usage_reasoning, usage_estimated = excluded.usage_estimated,
    usage_reported = excluded.usage_reported,
    usage_reasoning_estimated = excluded.usage_reasoning_estimated,
    usage_reported_cost = excluded.usage_reported_cost,
    usage_counted = excluded.usage_counted,
    prompt_estimate = excluded.prompt_estimate, cost = excluded.cost,
    first_reasoning_ms = excluded.first_reasoning_ms, first_text_ms = excluded.first_text_ms,
    done_ms = excluded.done_ms, finish_reason = excluded.finish_reason,
    state = excluded.state, error_json = excluded.error_json,
    tool_calls_json = excluded.tool_calls_json, updated_ms = excluded.updated_ms
";

/// Every column of a turn but its text, as [`UPSERT`] names them: what a streaming save
/// updates ([`update_meta`]).
const UPDATE_META: &str = "
UPDATE turns SET
    arm_label = :arm_label, arm_run = :arm_run, arm_kept = :arm_kept,
    provider = :provider, model = :model, api = :api,
    effort = :effort, max_output_tokens = :max_output_tokens,
    price_input = :price_input, price_cached = :price_cached,
    price_output = :price_output, price_cache_write = :price_cache_write,
    price_tier_json = :price_tier_json, price_list = :price_list,
    reasoning_model = :reasoning_model, usage_input = :usage_input,
    usage_cached_input = :usage_cached_input,
    usage_cache_write = :usage_cache_write, usage_output = :usage_output,
    usage_reasoning = :usage_reasoning, usage_estimated = :usage_estimated,
    usage_reported = :usage_reported,
    usage_reasoning_estimated = :usage_reasoning_estimated,
    usage_reported_cost = :usage_reported_cost,
    usage_counted = :usage_counted,
    prompt_estimate = :prompt_estimate, cost = :cost,
    first_reasoning_ms = :first_reasoning_ms, first_text_ms = :first_text_ms,
    done_ms = :done_ms, finish_reason = :finish_reason,
    state = :state, error_json = :error_json,
    tool_calls_json = :tool_calls_json, updated_ms = :updated_ms
WHERE session_id = :session_id AND turn_id = :turn_id AND arm = :arm
";

/// The text columns of [`UPSERT`], which [`UPDATE_META`] leaves as they are.
const TEXT_PARAMS: [&str; 3] = [":prompt", ":answer", ":reasoning"];

/// A turn's text is its row's and its pending chunks' (see `chunks`).
fn select() -> String {
    format!(
        "SELECT turn_id, arm, arm_label, arm_run, arm_kept, prompt, {}, provider, model, api, effort,
    max_output_tokens, price_input, price_cached, price_output, price_cache_write,
    price_tier_json, price_list,
    reasoning_model, usage_input, usage_cached_input, usage_cache_write, usage_output,
    usage_reasoning, usage_estimated, usage_reported, usage_reasoning_estimated,
    usage_reported_cost, usage_counted, prompt_estimate, first_reasoning_ms, first_text_ms, done_ms,
    finish_reason, state, error_json, tool_calls_json
FROM turns t WHERE session_id = ?1 ORDER BY turn_id, arm",
        super::chunks::TEXT_COLUMNS
    )
}

/// Insert or update one turn at position `turn_id` of `session` (the caller holds the
/// transaction and chose the position), its text included.
pub(super) fn upsert(
    conn: &Connection,
    session: i64,
    turn_id: u64,
    turn: &Turn,
    now_ms: i64,
) -> rusqlite::Result<()> {
    with_params(session, turn_id, turn, now_ms, |params| {
        conn.prepare_cached(UPSERT)?.execute(params)
    })?;
    Ok(())
}

/// Update every column of the stored turn at position `turn_id` of `session` but its text
/// (prompt, answer, reasoning: so the full-text index is not touched); how many rows it
/// changed (0 when the turn is not stored).
pub(super) fn update_meta(
    conn: &Connection,
    session: i64,
    turn_id: u64,
    turn: &Turn,
    now_ms: i64,
) -> rusqlite::Result<usize> {
    with_params(session, turn_id, turn, now_ms, |params| {
        let params: Vec<_> = (params.iter())
            .filter(|(name, _)| !TEXT_PARAMS.contains(name))
            .copied()
            .collect();
        conn.prepare_cached(UPDATE_META)?.execute(params.as_slice())
    })
}

/// Call `f` with the named parameters of [`UPSERT`] for `turn`.
fn with_params<R>(
    session: i64,
    turn_id: u64,
    turn: &Turn,
    now_ms: i64,
    f: impl FnOnce(&[(&str, &dyn rusqlite::ToSql)]) -> rusqlite::Result<R>,
) -> rusqlite::Result<R> {
    let spec = &turn.spec;
    let price = spec.price.as_ref();
    // Saving never counts tokens: a streaming turn's estimate is written as far as it was
    // counted, and counted for good by its last save.
    let usage = turn.usage_so_far();
    let error_json = match &turn.state {
        TurnState::Failed(err) => Some(error_to_json(err)),
        _ => None,
    };
    let tool_calls_json = if turn.tool_calls.is_empty() {
        None
    } else {
        let calls: Vec<Value> = turn
            .tool_calls
            .iter()
            .map(|c| json!({ "name": c.name, "arguments": c.arguments }))
            .collect();
        Some(Value::Array(calls).to_string())
    };
    f(named_params! {
        ":session_id": session,
        ":turn_id": int(turn_id),
        ":arm": turn.arm_index(),
        ":arm_label": turn.arm.as_ref().map(|a| a.label.as_str()),
        ":arm_run": turn.arm.as_ref().map(|a| a.run),
        ":arm_kept": turn.arm.as_ref().is_some_and(|a| a.kept),
        ":prompt": turn.prompt,
        ":answer": turn.answer,
        ":reasoning": turn.reasoning,
        ":provider": spec.provider,
        ":model": spec.model,
        ":api": spec.api.as_str(),
        ":effort": spec.effort,
        ":max_output_tokens": spec.max_output_tokens.map(int),
        ":price_input": price.map(|p| p.input),
        ":price_cached": price.and_then(|p| p.cached_input),
        ":price_output": price.map(|p| p.output),
        ":price_cache_write": price.and_then(|p| p.cache_write),
        ":price_tier_json": price
            .and_then(|p| p.tier.as_ref())
            .and_then(|t| serde_json::to_string(t).ok()),
        ":price_list": price.is_some_and(|p| p.list),
        ":reasoning_model": spec.reasoning_model,
        ":usage_input": int(usage.input),
        ":usage_cached_input": int(usage.cached_input),
        ":usage_cache_write": int(usage.cache_write),
        ":usage_output": int(usage.output),
        ":usage_reasoning": int(usage.reasoning),
        ":usage_estimated": usage.estimated,
        ":usage_reported": turn.reported_usage.is_some(),
        ":usage_reasoning_estimated": usage.reasoning_estimated,
        ":usage_reported_cost": usage.reported_cost,
        ":usage_counted": usage.counted.map(ServerCount::name),
        ":prompt_estimate": int(turn.prompt_estimate_so_far()),
        ":cost": turn.cost_of(&usage),
        ":first_reasoning_ms": turn.timings.first_reasoning_ms.map(int),
        ":first_text_ms": turn.timings.first_text_ms.map(int),
        ":done_ms": turn.timings.done_ms.map(int),
        ":finish_reason": turn.finish_reason.as_ref().map(FinishReason::as_str),
        ":state": turn.state.name(),
        ":error_json": error_json,
        ":tool_calls_json": tool_calls_json,
        ":updated_ms": now_ms,
    })
}

/// Every turn of `session`, oldest first.
pub(super) fn load(conn: &Connection, session: i64) -> rusqlite::Result<Vec<Turn>> {
    let mut stmt = conn.prepare_cached(&select())?;
    let rows = stmt.query_map([session], from_row)?;
    rows.collect()
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Turn> {
    let api: String = row.get("api")?;
    let price = match (
        row.get::<_, Option<f64>>("price_input")?,
        row.get::<_, Option<f64>>("price_output")?,
    ) {
        (Some(input), Some(output)) => Some(Price {
            input,
            cached_input: row.get("price_cached")?,
            output,
            cache_write: row.get("price_cache_write")?,
            // A tier the store cannot read back is dropped: the turn keeps its flat rates.
            tier: row
                .get::<_, Option<String>>("price_tier_json")?
                .and_then(|json| serde_json::from_str(&json).ok()),
            list: row.get("price_list")?,
        }),
        _ => None,
    };
    let spec = TurnSpec {
        provider: row.get("provider")?,
        model: row.get("model")?,
        // Only this code writes the column; an unknown value (a future API) reads as Chat.
        api: ApiKind::parse(&api).unwrap_or(ApiKind::Chat),
        effort: row.get("effort")?,
        max_output_tokens: opt_uint(row, "max_output_tokens")?,
        price,
        reasoning_model: row.get("reasoning_model")?,
    };
    let reported_usage = if row.get::<_, bool>("usage_reported")? {
        Some(Usage {
            input: uint(row, "usage_input")?,
            cached_input: uint(row, "usage_cached_input")?,
            cache_write: uint(row, "usage_cache_write")?,
            output: uint(row, "usage_output")?,
            reasoning: uint(row, "usage_reasoning")?,
            estimated: row.get("usage_estimated")?,
            reasoning_estimated: row.get("usage_reasoning_estimated")?,
            reported_cost: row.get("usage_reported_cost")?,
            counted: (row.get::<_, Option<String>>("usage_counted")?)
                .and_then(|name| ServerCount::parse(&name)),
        })
    } else {
        None
    };
    let timings = Timings {
        first_reasoning_ms: opt_uint(row, "first_reasoning_ms")?,
        first_text_ms: opt_uint(row, "first_text_ms")?,
        done_ms: opt_uint(row, "done_ms")?,
    };
    let finish_reason = row
        .get::<_, Option<String>>("finish_reason")?
        .map(|s| finish_reason(&s));
    let state_name: String = row.get("state")?;
    let error_json: Option<String> = row.get("error_json")?;
    let tool_calls = row
        .get::<_, Option<String>>("tool_calls_json")?
        .map(|text| tool_calls_from_json(&text))
        .unwrap_or_default();
    let arm = match row.get::<_, Option<String>>("arm_label")? {
        Some(label) => Some(ArmTag {
            index: u32::try_from(uint(row, "arm")?).unwrap_or(u32::MAX),
            label,
            run: u32::try_from(opt_uint(row, "arm_run")?.unwrap_or(1)).unwrap_or(u32::MAX),
            kept: row.get("arm_kept")?,
        }),
        None => None,
    };
    let mut turn = Turn::restored(
        uint(row, "turn_id")?,
        row.get("prompt")?,
        spec,
        row.get("reasoning")?,
        row.get("answer")?,
        tool_calls,
        reported_usage,
        uint(row, "prompt_estimate")?,
        timings,
        finish_reason,
        state(&state_name, error_json.as_deref()),
    );
    turn.arm = arm;
    Ok(turn)
}

/// A stored state name back to the state; never fails.
pub(super) fn state(name: &str, error_json: Option<&str>) -> TurnState {
    match name {
        "streaming" => TurnState::Streaming,
        "done" => TurnState::Done,
        "cancelled" => TurnState::Cancelled,
        "superseded" => TurnState::Superseded,
        "interrupted" => TurnState::Interrupted,
        "failed" => TurnState::Failed(match error_json {
            Some(text) => error_from_json(text),
            None => ApiError::message("failed (no error was recorded)"),
        }),
        other => TurnState::Failed(ApiError::message(format!(
            "stored in an unknown state {other:?} (written by another version?)"
        ))),
    }
}

/// The exact names `FinishReason::as_str` writes; anything else is `Other`, so a reason the
/// server named itself comes back as it was.
fn finish_reason(s: &str) -> FinishReason {
    match s {
        "stop" => FinishReason::Stop,
        "length" => FinishReason::Length,
        "tool_calls" => FinishReason::ToolCalls,
        "content_filter" => FinishReason::ContentFilter,
        other => FinishReason::Other(other.to_string()),
    }
}

fn error_to_json(err: &ApiError) -> String {
    json!({
        "status": err.status,
        "type": err.kind,
        "code": err.code,
        "message": err.message,
    })
    .to_string()
}

pub(super) fn error_from_json(text: &str) -> ApiError {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return ApiError::message(format!("failed (the stored error is unreadable: {text})"));
    };
    let string = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
    ApiError {
        status: value
            .get("status")
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok()),
        kind: string("type"),
        code: string("code"),
        message: string("message").unwrap_or_default(),
        ..Default::default()
    }
}

/// Unreadable JSON gives no tool calls: they are shown, never sent back.
pub(super) fn tool_calls_from_json(text: &str) -> Vec<ToolCall> {
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    items
        .iter()
        .map(|item| {
            let field = |key: &str| {
                item.get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            ToolCall {
                name: field("name"),
                arguments: field("arguments"),
            }
        })
        .collect()
}

/// The automatic title of a session: the first non-blank line of its first prompt, trimmed,
/// at most [`TITLE_MAX_CHARS`] characters (cut with an ellipsis).
pub(super) fn title_from_prompt(prompt: &str) -> String {
    let line = prompt
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    if line.chars().count() <= TITLE_MAX_CHARS {
        return line.to_string();
    }
    let mut cut: String = line.chars().take(TITLE_MAX_CHARS - 1).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// A token count as SQLite's signed integer (clamped; no real count comes near the limit).
fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn uint(row: &Row<'_>, column: &str) -> rusqlite::Result<u64> {
    Ok(opt_uint(row, column)?.unwrap_or(0))
}

fn opt_uint(row: &Row<'_>, column: &str) -> rusqlite::Result<Option<u64>> {
    Ok(row
        .get::<_, Option<i64>>(column)?
        .map(|n| u64::try_from(n).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_the_first_line_trimmed_and_short() {
        assert_eq!(
            title_from_prompt("\n  Why is the sky blue?  \nmore"),
            "Why is the sky blue?"
        );
        assert_eq!(title_from_prompt("   "), "");
        let long = "word ".repeat(40);
        let title = title_from_prompt(&long);
        assert_eq!(title.chars().count(), 80);
        assert!(title.ends_with("word …") || title.ends_with('…'), "{title}");
        let wide = "é".repeat(100);
        assert_eq!(title_from_prompt(&wide).chars().count(), 80);
    }

    #[test]
    fn every_state_reads_back_by_its_name() {
        for st in [
            TurnState::Streaming,
            TurnState::Done,
            TurnState::Cancelled,
            TurnState::Superseded,
            TurnState::Interrupted,
        ] {
            assert_eq!(state(st.name(), None), st);
        }
    }

    #[test]
    fn unknown_or_damaged_values_never_panic() {
        match state("exploded", None) {
            TurnState::Failed(e) => assert!(e.message.contains("exploded"), "{}", e.message),
            s => panic!("{s:?}"),
        }
        match state("failed", Some("{not json")) {
            TurnState::Failed(e) => assert!(e.message.contains("unreadable")),
            s => panic!("{s:?}"),
        }
        assert_eq!(
            state("failed", None),
            TurnState::Failed(ApiError::message("failed (no error was recorded)"))
        );
        assert!(
            tool_calls_from_json("[1, {\"name\": 3}]")
                .iter()
                .all(|c| c.name.is_empty())
        );
        assert!(tool_calls_from_json("nope").is_empty());
        let e = error_from_json(r#"{"status": 70000, "message": "m"}"#);
        assert_eq!((e.status, e.message.as_str()), (None, "m"));
    }

    #[test]
    fn finish_reasons_round_trip_exactly() {
        for reason in [
            FinishReason::Stop,
            FinishReason::Length,
            FinishReason::ToolCalls,
            FinishReason::ContentFilter,
            FinishReason::Other("end_turn".into()),
            FinishReason::Other("x".into()),
        ] {
            assert_eq!(finish_reason(reason.as_str()), reason);
        }
    }
}
