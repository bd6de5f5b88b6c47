//! Headless one-shot mode: `thinkbench ask`. One turn, streamed to stdout, the usage line to
//! stderr; or, with `--json`, exactly one JSON object on stdout at the end.
//!
//! Invariants: stdout carries only the answer (or the one JSON object); everything else goes
//! to stderr; an API error exits non-zero; Ctrl+C cancels the request and keeps what arrived.

use crate::api::{self, StreamEvent};
use crate::conversation::{Turn, TurnState};
use crate::session::Session;
use serde_json::{Value, json};
use std::io::Write;
use std::time::Instant;

#[derive(Clone, Copy, Debug, Default)]
pub struct AskOptions {
    /// Print one JSON object at the end instead of streaming text.
    pub json: bool,
    /// Stream the shared reasoning text to stderr.
    pub show_reasoning: bool,
}

/// Exit status when the person interrupted the request.
pub const EXIT_INTERRUPTED: i32 = 130;

/// Send `prompt` and report; returns the process exit status.
pub async fn run(mut session: Session, prompt: String, opts: AskOptions) -> i32 {
    let (turn_id, request) = session.start_turn(prompt);
    let endpoint = session.settings.endpoint.clone();
    let client = api::client();
    let sent = Instant::now();
    let Some(turn) = session.turn_mut(turn_id) else {
        return 1;
    };
    let mut wrote_reasoning = false;
    let mut emit = |event: StreamEvent| {
        let at = sent.elapsed().as_millis() as u64;
        // Retries are announced on stderr in every mode (stdout stays the answer or the JSON).
        if let StreamEvent::Retrying(notice) = &event {
            eprintln!(
                "thinkbench: {}: {}",
                notice.describe(notice.delay),
                notice.error
            );
        }
        if !opts.json {
            match &event {
                StreamEvent::TextDelta(text) => {
                    let mut out = std::io::stdout().lock();
                    let _ = out.write_all(text.as_bytes());
                    let _ = out.flush();
                }
                StreamEvent::ReasoningDelta(text) if opts.show_reasoning => {
                    wrote_reasoning = true;
                    let mut err = std::io::stderr().lock();
                    let _ = err.write_all(text.as_bytes());
                    let _ = err.flush();
                }
                _ => {}
            }
        }
        turn.apply(event, at);
    };
    let interrupted = tokio::select! {
        _ = api::run_turn(&client, &endpoint, &request, &mut emit) => false,
        _ = tokio::signal::ctrl_c() => true,
    };
    let Some(turn) = session.turn_mut(turn_id) else {
        return 1;
    };
    if interrupted {
        turn.cancel(sent.elapsed().as_millis() as u64);
    }
    if opts.json {
        println!("{}", to_json(turn));
        // The error goes to stderr too, so a script that only checks the status can log it.
        if let TurnState::Failed(err) = &turn.state {
            eprintln!("thinkbench: {err}");
        }
    } else {
        if !turn.answer.is_empty() && !turn.answer.ends_with('\n') {
            println!();
        }
        if wrote_reasoning {
            eprintln!();
        }
        report_to_stderr(turn);
    }
    match &turn.state {
        TurnState::Failed(_) => 1,
        TurnState::Cancelled => EXIT_INTERRUPTED,
        _ => 0,
    }
}

fn report_to_stderr(turn: &Turn) {
    for call in &turn.tool_calls {
        eprintln!(
            "the model asked to call `{}({})`",
            call.name, call.arguments
        );
    }
    match &turn.state {
        TurnState::Failed(err) => eprintln!("thinkbench: {err}"),
        TurnState::Cancelled => eprintln!("thinkbench: cancelled"),
        _ => {}
    }
    if turn.finish_reason == Some(api::FinishReason::Length) && turn.answer.trim().is_empty() {
        eprintln!(
            "thinkbench: all output tokens went to reasoning; no answer was produced (raise --max-output-tokens)"
        );
    }
    eprintln!("{}", turn.usage_line());
}

/// The `--json` object for a turn.
pub fn to_json(turn: &Turn) -> Value {
    let usage = turn.usage();
    let error = match &turn.state {
        TurnState::Failed(err) => json!({
            "status": err.status,
            "type": err.kind,
            "code": err.code,
            "message": err.message,
        }),
        TurnState::Cancelled => {
            json!({"status": null, "type": "cancelled", "code": null, "message": "cancelled"})
        }
        _ => Value::Null,
    };
    json!({
        "provider": turn.spec.provider,
        "model": turn.spec.model,
        "api": turn.spec.api.as_str(),
        "effort": turn.spec.effort,
        "answer": turn.answer,
        "reasoning": turn.reasoning,
        "finish_reason": turn.finish_reason.as_ref().map(|r| r.as_str().to_string()),
        "usage": {
            "input_tokens": usage.input,
            "cached_input_tokens": usage.cached_input,
            "output_tokens": usage.output,
            "reasoning_tokens": usage.reasoning,
            "estimated": usage.estimated,
        },
        "cost_usd": turn.cost(),
        "timing_ms": {
            "first_token": turn.first_token_ms(),
            "total": turn.timings.done_ms,
        },
        "tool_calls": turn.tool_calls,
        "error": error,
    })
}
