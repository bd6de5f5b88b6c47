//! Retries of a turn that failed before any output: [`run`] makes up to
//! `Endpoint::max_attempts` attempts (each one `exchange::run_attempt` in the protocol `P`),
//! announcing each retry with a `Retrying` event and waiting out its delay in between;
//! [`policy`] decides whether and how long.
//!
//! Invariants (on top of the contract of `api::run_turn`, which they keep):
//! - every event of an attempt is passed on as it comes, except a `Failed` that arrives
//!   before any output (reasoning or answer text, a tool call; rate limits and usage do not
//!   count), which is held until the retry decision;
//! - a failure after output started is passed on as it is and never retried: the person
//!   sees what came and may retry the turn themselves;
//! - a `Retrying` notice always precedes its wait, and exactly one terminal event ends the
//!   turn, last; when it is the failure of a turn tried more than once, its message says how
//!   many tries were made;
//! - cancelling is dropping the future, which also ends a wait at once.
//!
//! Layering: above the exchange (which uses only [`policy`], a leaf), below `api::run_turn`.

pub mod policy;

pub use policy::{
    BASE_BACKOFF, MAX_BACKOFF, MAX_SERVER_DELAY, apply_headers, apply_headers_at, backoff,
    retry_delay, should_retry,
};

use crate::api::exchange::run_attempt;
use crate::api::protocol::Protocol;
use crate::api::types::{ApiError, ChatRequest, Endpoint, RetryNotice, StreamEvent};

/// Run the turn in `P`'s protocol, retrying failures before any output (see the module docs).
pub async fn run<P: Protocol>(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    request: &ChatRequest,
    emit: &mut (dyn FnMut(StreamEvent) + Send),
) {
    let max_attempts = endpoint.max_attempts.max(1);
    let mut jitter = Jitter::from_clock();
    let mut attempt = 1;
    loop {
        let mut gate = Gate::default();
        run_attempt::<P>(client, endpoint, request, &mut |event| {
            if let Some(event) = gate.pass(event) {
                emit(event);
            }
        })
        .await;
        let error = match gate.end() {
            Ending::Done => return,
            Ending::Failed(error) => return emit(StreamEvent::Failed(error)),
            Ending::FailedEarly(error) => error,
        };
        if attempt < max_attempts && should_retry(&error) {
            let delay = backoff(attempt, &error, jitter.next());
            attempt += 1;
            emit(StreamEvent::Retrying(RetryNotice {
                attempt,
                max_attempts,
                delay,
                error,
            }));
            tokio::time::sleep(delay).await;
            continue;
        }
        return emit(StreamEvent::Failed(after_tries(error, attempt)));
    }
}

/// `error`, its message saying how many tries were made when there was more than one.
pub fn after_tries(mut error: ApiError, tries: u32) -> ApiError {
    if tries > 1 {
        error.message = format!("{} (after {tries} tries)", error.message);
    }
    error
}

/// Watches one attempt's events: passes them on, holds an early failure.
#[derive(Debug, Default)]
struct Gate {
    /// Output (text, reasoning, a tool call) has been passed on.
    output: bool,
    /// The terminal event has been seen.
    ended: bool,
    /// A failure that came before any output.
    held: Option<ApiError>,
}

/// How an attempt ended, once it returned.
#[derive(Debug, PartialEq)]
enum Ending {
    /// Its terminal event was passed on.
    Done,
    /// It ended after output without a terminal event; this one must be sent.
    Failed(ApiError),
    /// It failed before any output: retry, or send this.
    FailedEarly(ApiError),
}

impl Gate {
    /// The event to pass on now, if any.
    fn pass(&mut self, event: StreamEvent) -> Option<StreamEvent> {
        if self.ended {
            return None; // nothing may follow a terminal event
        }
        match event {
            StreamEvent::Failed(error) if !self.output => {
                self.ended = true;
                self.held = Some(error);
                None
            }
            event => {
                self.ended = event.is_terminal();
                self.output |= is_output(&event);
                Some(event)
            }
        }
    }

    fn end(self) -> Ending {
        match (self.held, self.ended) {
            (Some(error), _) => Ending::FailedEarly(error),
            (None, true) => Ending::Done,
            (None, false) => {
                let error = ApiError::message("the answer ended without a finish or an error");
                if self.output {
                    Ending::Failed(error)
                } else {
                    Ending::FailedEarly(error)
                }
            }
        }
    }
}

/// Whether `event` is something the person has seen of the answer.
fn is_output(event: &StreamEvent) -> bool {
    match event {
        StreamEvent::ReasoningDelta(text) | StreamEvent::TextDelta(text) => !text.is_empty(),
        StreamEvent::ToolCall(call) => !call.name.is_empty() || !call.arguments.is_empty(),
        _ => false,
    }
}

/// A tiny xorshift generator for backoff jitter, seeded from the clock.
struct Jitter(u64);

impl Jitter {
    fn from_clock() -> Jitter {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        Jitter(nanos.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next number in `[0, 1)`.
    fn next(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::{FinishReason, ToolCall};

    fn through(events: Vec<StreamEvent>) -> (Vec<StreamEvent>, Ending) {
        let mut gate = Gate::default();
        let passed = events.into_iter().filter_map(|e| gate.pass(e)).collect();
        (passed, gate.end())
    }

    #[test]
    fn early_failure_is_held_and_late_failure_passes() {
        let rate = StreamEvent::RateLimit(Default::default());
        let fail = StreamEvent::Failed(ApiError::message("boom"));
        let (passed, end) = through(vec![
            rate.clone(),
            StreamEvent::TextDelta(String::new()),
            fail.clone(),
        ]);
        assert_eq!(passed.len(), 2);
        assert_eq!(end, Ending::FailedEarly(ApiError::message("boom")));
        let (passed, end) = through(vec![StreamEvent::ReasoningDelta("hm".into()), fail.clone()]);
        assert_eq!(passed.last(), Some(&fail));
        assert_eq!(end, Ending::Done);
        let call = StreamEvent::ToolCall(ToolCall {
            name: "f".into(),
            arguments: String::new(),
        });
        assert_eq!(through(vec![call, fail]).1, Ending::Done);
    }

    #[test]
    fn nothing_passes_after_the_terminal_event_and_a_missing_one_is_made() {
        let done = StreamEvent::Finished(FinishReason::Stop);
        let (passed, end) = through(vec![done.clone(), StreamEvent::TextDelta("late".into())]);
        assert_eq!((passed, end), (vec![done], Ending::Done));
        let (_, end) = through(vec![StreamEvent::TextDelta("a".into())]);
        assert!(matches!(end, Ending::Failed(_)));
        assert!(matches!(through(vec![]).1, Ending::FailedEarly(e) if !should_retry(&e)));
    }

    #[test]
    fn jitter_stays_in_range_and_tries_are_counted() {
        let mut j = Jitter::from_clock();
        assert!((0..1000).map(|_| j.next()).all(|x| (0.0..1.0).contains(&x)));
        assert_eq!(after_tries(ApiError::message("m"), 1).message, "m");
        assert_eq!(
            after_tries(ApiError::message("m"), 4).message,
            "m (after 4 tries)"
        );
    }
}
