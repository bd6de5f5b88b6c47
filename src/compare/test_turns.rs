//! Turns for the unit tests of [`super::stats`] and [`super::report`]: arms of a
//! comparison with exact usage, timings and endings.

use crate::api::{ApiError, ApiKind, FinishReason, StreamEvent};
use crate::conversation::{ArmTag, Turn, TurnSpec};
use crate::usage::{Price, Usage};

/// $1/M in, $2/M out: costs are easy to check by hand.
pub fn price() -> Option<Price> {
    Some(Price::flat(1.0, None, 2.0, None))
}

pub fn spec(model: &str, effort: Option<&str>, price: Option<Price>) -> TurnSpec {
    TurnSpec {
        provider: "openai".into(),
        model: model.into(),
        api: ApiKind::Chat,
        effort: effort.map(str::to_string),
        max_output_tokens: None,
        price,
        reasoning_model: true,
    }
}

/// An arm still streaming: `label` (`model@effort`), run `run`, arm index `index`.
pub fn arm(index: u32, label: &str, run: u32) -> Turn {
    let (model, effort) = match label.split_once('@') {
        Some((m, e)) => (m, Some(e)),
        None => (label, None),
    };
    let mut turn = Turn::new(1, "the prompt".into(), spec(model, effort, price()), 10);
    turn.arm = Some(ArmTag {
        index,
        label: label.into(),
        run,
        kept: false,
    });
    turn
}

/// An arm that answered `answer` with `(input, output, reasoning)` tokens, its first token
/// at `first_ms` and its end at `total_ms`.
pub fn done(
    index: u32,
    label: &str,
    run: u32,
    answer: &str,
    tokens: (u64, u64, u64),
    (first_ms, total_ms): (u64, u64),
) -> Turn {
    let mut turn = arm(index, label, run);
    turn.apply(StreamEvent::TextDelta(answer.into()), first_ms);
    turn.apply(
        StreamEvent::Usage(Usage {
            input: tokens.0,
            output: tokens.1,
            reasoning: tokens.2,
            ..Default::default()
        }),
        total_ms,
    );
    turn.apply(StreamEvent::Finished(FinishReason::Stop), total_ms);
    turn
}

/// An arm refused with HTTP `status` and `message` after `ms`.
pub fn failed(index: u32, label: &str, run: u32, status: u16, message: &str, ms: u64) -> Turn {
    let mut turn = arm(index, label, run);
    turn.apply(
        StreamEvent::Failed(ApiError {
            status: Some(status),
            kind: Some("invalid_request_error".into()),
            message: message.into(),
            ..Default::default()
        }),
        ms,
    );
    turn
}
