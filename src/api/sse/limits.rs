//! The errors of the [`Limits`](crate::api::Limits) on what one answer may hold, and the
//! [`AnswerBudget`] that keeps an answer's text within its limit.
//!
//! Invariants: every limit error names the limit, says the rest was not read, names the
//! config key that raises it, and is not retryable (the same request would pass it again);
//! the text an [`AnswerBudget`] passes on never adds up to more than its limit, what came
//! before the limit is passed on (the partial answer is kept), and once the limit is passed
//! the terminal event that follows is the limit's failure.
//!
//! Layering: imports only `api`'s types.

use crate::api::types::{ApiError, StreamEvent};

/// `n` bytes for people: `16 MiB`, `64 KiB`, `1.5 MiB`, `300 bytes`.
pub fn size(n: usize) -> String {
    const KIB: usize = 1 << 10;
    const MIB: usize = 1 << 20;
    let unit = |u: usize, name: &str| {
        if n.is_multiple_of(u) {
            format!("{} {name}", n / u)
        } else {
            format!("{:.1} {name}", n as f64 / u as f64)
        }
    };
    match n {
        _ if n >= MIB => unit(MIB, "MiB"),
        _ if n >= KIB => unit(KIB, "KiB"),
        _ => format!("{n} bytes"),
    }
}

fn limit_error(what: &str, limit: usize, key: &str) -> ApiError {
    ApiError {
        retryable: false,
        ..ApiError::message(format!(
            "{what} passed the limit of {}; the rest was not read (raise `{key}` in \
             config.toml to allow more)",
            size(limit)
        ))
    }
}

/// One SSE event (or a line that never ended) passed `limit` bytes.
pub fn event_too_large(limit: usize) -> ApiError {
    limit_error("one event of the server's stream", limit, "max_event_bytes")
}

/// A whole, non-streamed response body passed `limit` bytes.
pub fn body_too_large(limit: usize) -> ApiError {
    limit_error("the server's response body", limit, "max_body_bytes")
}

/// The answer's text and reasoning passed `limit` bytes.
pub fn answer_too_large(limit: usize) -> ApiError {
    limit_error("the answer (text and reasoning)", limit, "max_answer_bytes")
}

/// How much of one answer may still be passed on (see the module docs).
#[derive(Clone, Debug)]
pub struct AnswerBudget {
    limit: usize,
    used: usize,
    over: bool,
}

impl AnswerBudget {
    pub fn new(limit: usize) -> AnswerBudget {
        AnswerBudget {
            limit,
            used: 0,
            over: false,
        }
    }

    /// Whether the limit has been passed.
    pub fn is_over(&self) -> bool {
        self.over
    }

    /// Whether the answer so far and `held` bytes more (what a parser holds back, such as
    /// tool-call fragments) pass the limit; once they do, the budget is over.
    pub fn holds_too_much(&mut self, held: usize) -> bool {
        if self.used.saturating_add(held) > self.limit {
            self.over = true;
        }
        self.over
    }

    /// The failure that ends an answer over the limit.
    pub fn error(&self) -> ApiError {
        answer_too_large(self.limit)
    }

    /// Pass `events` on to `emit`: answer text up to the limit, the text that would pass it
    /// cut on a character boundary, none after it (nor tool calls); a terminal event after
    /// the limit was passed becomes the limit's failure.
    pub fn pass(&mut self, events: Vec<StreamEvent>, emit: &mut (dyn FnMut(StreamEvent) + Send)) {
        for event in events {
            let event = match event {
                StreamEvent::TextDelta(text) => self.take(text).map(StreamEvent::TextDelta),
                StreamEvent::ReasoningDelta(text) => {
                    self.take(text).map(StreamEvent::ReasoningDelta)
                }
                StreamEvent::ToolCall(call) => {
                    let size = call.name.len().saturating_add(call.arguments.len());
                    self.fits(size).then_some(StreamEvent::ToolCall(call))
                }
                event if event.is_terminal() && self.over => {
                    Some(StreamEvent::Failed(self.error()))
                }
                event => Some(event),
            };
            if let Some(event) = event {
                emit(event);
            }
        }
    }

    /// Whether `n` more bytes fit; if they do they are counted, if not the budget is over.
    fn fits(&mut self, n: usize) -> bool {
        if !self.over && n <= self.limit - self.used {
            self.used += n;
            true
        } else {
            self.over = true;
            false
        }
    }

    /// `text`, or as much of it as fits (`None` when nothing does).
    fn take(&mut self, mut text: String) -> Option<String> {
        if self.fits(text.len()) {
            return Some(text);
        }
        if self.used >= self.limit {
            return None;
        }
        let mut cut = self.limit - self.used;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        self.used += cut;
        (!text.is_empty()).then_some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::FinishReason;
    use StreamEvent::*;

    fn through(budget: &mut AnswerBudget, events: Vec<StreamEvent>) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        budget.pass(events, &mut |e| out.push(e));
        out
    }

    #[test]
    fn sizes_for_people() {
        assert_eq!(size(16 << 20), "16 MiB");
        assert_eq!(size(64 << 10), "64 KiB");
        assert_eq!(size(3 << 19), "1.5 MiB");
        assert_eq!(size(300), "300 bytes");
    }

    #[test]
    fn errors_name_the_limit_and_the_key() {
        for (e, key) in [
            (event_too_large(16 << 20), "max_event_bytes"),
            (body_too_large(64 << 20), "max_body_bytes"),
            (answer_too_large(64 << 20), "max_answer_bytes"),
        ] {
            assert!(!e.retryable && e.status.is_none());
            assert!(e.message.contains(key) && e.message.contains(" MiB"), "{e}");
        }
        assert_eq!(
            answer_too_large(10).message,
            "the answer (text and reasoning) passed the limit of 10 bytes; the rest was not \
             read (raise `max_answer_bytes` in config.toml to allow more)"
        );
    }

    #[test]
    fn text_is_cut_at_the_limit_and_the_end_becomes_the_failure() {
        let mut b = AnswerBudget::new(10);
        let out = through(
            &mut b,
            vec![
                ReasoningDelta("abcd".into()),
                TextDelta("ef\u{00e9}\u{00e9}\u{00e9}".into()),
                TextDelta("more".into()),
                Finished(FinishReason::Stop),
            ],
        );
        assert_eq!(
            out,
            [
                ReasoningDelta("abcd".into()),
                TextDelta("ef\u{00e9}\u{00e9}".into()),
                Failed(answer_too_large(10))
            ]
        );
        assert!(b.is_over());
    }

    #[test]
    fn within_the_limit_nothing_changes() {
        let mut b = AnswerBudget::new(10);
        let events = vec![
            TextDelta("0123456789".into()),
            Usage(Default::default()),
            Finished(FinishReason::Stop),
        ];
        assert_eq!(through(&mut b, events.clone()), events);
        assert!(!b.is_over() && !b.holds_too_much(0) && b.holds_too_much(1));
    }

    #[test]
    fn a_tool_call_that_does_not_fit_is_dropped() {
        let mut b = AnswerBudget::new(10);
        let call = |args: &str| {
            StreamEvent::ToolCall(crate::api::types::ToolCall {
                name: "f".into(),
                arguments: args.into(),
            })
        };
        let out = through(&mut b, vec![call("{}"), call("{\"a\":1234}")]);
        assert_eq!(out, [call("{}")]);
        assert!(b.is_over());
    }
}
