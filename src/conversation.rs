//! The provider-neutral conversation: what was asked, what came back, and what it cost.
//!
//! A [`Turn`] is the one record the TUI, `ask --json`, (later) the store and the meter read.
//! Invariants:
//! - a turn's model, provider, effort and price are those of the model that answered it,
//!   fixed when the turn starts; switching model later never rewrites history;
//! - `apply` accepts events in any order the wire may produce and never panics; once a turn
//!   is no longer `Streaming`, further events are ignored (a cancelled turn stays cancelled);
//! - times are milliseconds since the request was sent, measured by the caller's clock.

use crate::api::{
    ApiError, ApiKind, ChatRequest, FinishReason, Message, Role, StreamEvent, ToolCall,
};
use crate::usage::{self, Price, Usage};

/// Where a turn stands.
#[derive(Clone, Debug, PartialEq)]
pub enum TurnState {
    Streaming,
    Done,
    /// The person cancelled it; what arrived stays.
    Cancelled,
    /// The request or stream failed; what arrived stays.
    Failed(ApiError),
    /// thinkbench stopped (killed, crashed) while this turn streamed; found so on restart,
    /// with the text saved up to then.
    Interrupted,
}

impl TurnState {
    /// The state's name as stored and exported: `streaming`, `done`, `cancelled`, `failed`,
    /// `interrupted`.
    pub fn name(&self) -> &'static str {
        match self {
            TurnState::Streaming => "streaming",
            TurnState::Done => "done",
            TurnState::Cancelled => "cancelled",
            TurnState::Failed(_) => "failed",
            TurnState::Interrupted => "interrupted",
        }
    }

    /// Ended without a complete answer, so it can be retried and is not sent back as history.
    pub fn is_broken(&self) -> bool {
        matches!(self, TurnState::Failed(_) | TurnState::Interrupted)
    }
}

/// Milliseconds since the request was sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timings {
    pub first_reasoning_ms: Option<u64>,
    pub first_text_ms: Option<u64>,
    pub done_ms: Option<u64>,
}

/// The model settings a turn was sent with.
#[derive(Clone, Debug, PartialEq)]
pub struct TurnSpec {
    pub provider: String,
    pub model: String,
    pub api: ApiKind,
    pub effort: Option<String>,
    pub max_output_tokens: Option<u64>,
    /// Price of this model when the turn was sent; `None` when unknown.
    pub price: Option<Price>,
    /// True for models that reason before answering (shows "reasoning…" while silent).
    pub reasoning_model: bool,
}

/// One exchange: the person's prompt and the model's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Turn {
    pub id: u64,
    pub prompt: String,
    pub spec: TurnSpec,
    /// Shared reasoning text (without `<think>` tags); empty when the server shares none.
    pub reasoning: String,
    pub answer: String,
    pub tool_calls: Vec<ToolCall>,
    /// Usage as the server reported it, if it did.
    pub reported_usage: Option<Usage>,
    /// Estimated prompt tokens of the request (used when the server reports no usage).
    pub prompt_estimate: u64,
    pub timings: Timings,
    pub finish_reason: Option<FinishReason>,
    pub state: TurnState,
    /// Estimated tokens of the reasoning and answer text (tool calls included), kept up to
    /// date per delta while streaming and recounted over the whole text once at the end,
    /// so reading the usage never re-tokenizes the history.
    est_reasoning: u64,
    est_answer: u64,
}

impl Turn {
    pub fn new(id: u64, prompt: String, spec: TurnSpec, prompt_estimate: u64) -> Turn {
        Turn {
            id,
            prompt,
            spec,
            reasoning: String::new(),
            answer: String::new(),
            tool_calls: Vec::new(),
            reported_usage: None,
            prompt_estimate,
            timings: Timings::default(),
            finish_reason: None,
            state: TurnState::Streaming,
            est_reasoning: 0,
            est_answer: 0,
        }
    }

    /// A turn read back from storage, with every field as saved. A turn saved while it was
    /// still streaming comes back `Interrupted`.
    #[allow(clippy::too_many_arguments)]
    pub fn restored(
        id: u64,
        prompt: String,
        spec: TurnSpec,
        reasoning: String,
        answer: String,
        tool_calls: Vec<ToolCall>,
        reported_usage: Option<Usage>,
        prompt_estimate: u64,
        timings: Timings,
        finish_reason: Option<FinishReason>,
        state: TurnState,
    ) -> Turn {
        let state = if state == TurnState::Streaming {
            TurnState::Interrupted
        } else {
            state
        };
        let mut turn = Turn {
            id,
            prompt,
            spec,
            reasoning,
            answer,
            tool_calls,
            reported_usage,
            prompt_estimate,
            timings,
            finish_reason,
            state,
            est_reasoning: 0,
            est_answer: 0,
        };
        turn.recount_estimate();
        turn
    }

    pub fn is_streaming(&self) -> bool {
        self.state == TurnState::Streaming
    }

    /// Fold one wire event into the turn, `at_ms` after the request was sent.
    pub fn apply(&mut self, event: StreamEvent, at_ms: u64) {
        if !self.is_streaming() {
            return;
        }
        match event {
            StreamEvent::ReasoningDelta(text) => {
                if !text.is_empty() {
                    self.timings.first_reasoning_ms.get_or_insert(at_ms);
                    self.est_reasoning += usage::estimate_tokens(&text);
                    self.reasoning.push_str(&text);
                }
            }
            StreamEvent::TextDelta(text) => {
                if !text.is_empty() {
                    self.timings.first_text_ms.get_or_insert(at_ms);
                    self.est_answer += usage::estimate_tokens(&text);
                    self.answer.push_str(&text);
                }
            }
            StreamEvent::ToolCall(call) => {
                self.est_answer +=
                    usage::estimate_tokens(&call.name) + usage::estimate_tokens(&call.arguments);
                self.tool_calls.push(call);
            }
            StreamEvent::Usage(u) => self.reported_usage = Some(u),
            StreamEvent::RateLimit(_) | StreamEvent::Retrying(_) => {}
            StreamEvent::Finished(reason) => {
                self.finish_reason = Some(reason);
                self.timings.done_ms = Some(at_ms);
                self.state = TurnState::Done;
                self.split_unopened_think();
                self.recount_estimate();
            }
            StreamEvent::Failed(err) => {
                self.timings.done_ms = Some(at_ms);
                self.state = TurnState::Failed(err);
                self.recount_estimate();
            }
        }
    }

    /// Some chat templates open `<think>` inside the prompt, so the model's content is its
    /// reasoning, a bare `</think>`, then the answer. Once the answer is complete, move that
    /// reasoning where it belongs. Only when no reasoning was shared otherwise and the answer
    /// never opens a `<think>` itself (then the tag is part of what the model is saying).
    fn split_unopened_think(&mut self) {
        const CLOSE: &str = "</think>";
        if !self.reasoning.is_empty() || self.answer.contains("<think>") {
            return;
        }
        let Some(pos) = self.answer.find(CLOSE) else {
            return;
        };
        let reasoning = self.answer[..pos].trim();
        if reasoning.is_empty() {
            return;
        }
        self.reasoning = reasoning.to_string();
        self.answer = self.answer[pos + CLOSE.len()..].trim_start().to_string();
        self.timings.first_reasoning_ms = self.timings.first_text_ms;
    }

    /// Count the whole text once, now that it is complete (deltas may split tokens).
    fn recount_estimate(&mut self) {
        self.est_reasoning = usage::estimate_tokens(&self.reasoning);
        let tools: u64 = self
            .tool_calls
            .iter()
            .map(|c| usage::estimate_tokens(&c.name) + usage::estimate_tokens(&c.arguments))
            .sum();
        self.est_answer = usage::estimate_tokens(&self.answer) + tools;
    }

    /// The person cancelled the turn `at_ms` after it was sent.
    pub fn cancel(&mut self, at_ms: u64) {
        if self.is_streaming() {
            self.timings.done_ms = Some(at_ms);
            self.state = TurnState::Cancelled;
            self.recount_estimate();
        }
    }

    /// Usage to show and bill: the server's when it reported any, else an estimate
    /// (`estimated: true`) from the prompt estimate and the text that arrived.
    /// A request that failed before anything came back (refused, unreachable) is not
    /// billed: its usage is zero.
    pub fn usage(&self) -> Usage {
        if let Some(u) = self.reported_usage {
            return u;
        }
        if self.refused() {
            return Usage::default();
        }
        Usage {
            input: self.prompt_estimate,
            output: self.est_reasoning + self.est_answer,
            reasoning: self.est_reasoning,
            estimated: true,
            ..Default::default()
        }
    }

    /// True when the turn failed before the model produced anything.
    pub fn refused(&self) -> bool {
        self.state.is_broken()
            && self.reported_usage.is_none()
            && self.answer.is_empty()
            && self.reasoning.is_empty()
            && self.tool_calls.is_empty()
    }

    /// Cost of the turn in USD, `None` when the model's price is unknown.
    pub fn cost(&self) -> Option<f64> {
        let usage = self.usage();
        if let Some(reported) = usage.reported_cost {
            return Some(reported);
        }
        usage::cost(self.spec.price.as_ref(), &usage)
    }

    /// Time to the first token of any kind (reasoning or answer).
    pub fn first_token_ms(&self) -> Option<u64> {
        match (self.timings.first_reasoning_ms, self.timings.first_text_ms) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Output tokens per second, from the first token to the end.
    pub fn tokens_per_second(&self) -> Option<f64> {
        let first = self.first_token_ms()?;
        let done = self.timings.done_ms?;
        let span = done.checked_sub(first)?;
        let output = self.usage().output;
        if span == 0 || output == 0 {
            return None;
        }
        Some(output as f64 * 1000.0 / span as f64)
    }

    /// The one-line summary shown under a finished answer and printed by `ask`:
    /// `model · effort · in 1,234 (cached 1,000) · reasoning 4,096 · out 310 · $0.0213 ·
    /// 1st token 8.1 s · 41 tok/s`. Estimated numbers carry a `~`.
    pub fn usage_line(&self) -> String {
        if self.refused() {
            return format!("{} · nothing generated, nothing billed", self.spec.model);
        }
        let u = self.usage();
        let est = if u.estimated { "~" } else { "" };
        let mut parts = vec![self.spec.model.clone()];
        if let Some(effort) = &self.spec.effort {
            parts.push(effort.clone());
        }
        let mut input = format!("in {est}{}", usage::thousands(u.input));
        if u.cached_input > 0 {
            input.push_str(&format!(" (cached {})", usage::thousands(u.cached_input)));
        }
        if u.cache_write > 0 {
            input.push_str(&format!(
                " (cache write {})",
                usage::thousands(u.cache_write)
            ));
        }
        parts.push(input);
        if u.reasoning > 0 || self.spec.reasoning_model {
            let est = if u.reasoning_estimated { "~" } else { est };
            parts.push(format!("reasoning {est}{}", usage::thousands(u.reasoning)));
        }
        parts.push(format!("out {est}{}", usage::thousands(u.visible_output())));
        let cost = self.cost();
        parts.push(match cost {
            Some(_) => format!("{est}{}", usage::dollars(cost)),
            None => "$? (price unknown)".to_string(),
        });
        if let Some(ms) = self.first_token_ms() {
            parts.push(format!("1st token {}", usage::seconds(ms)));
        }
        if let Some(tps) = self.tokens_per_second() {
            parts.push(format!(
                "{est}{} tok/s",
                usage::thousands(tps.round() as u64)
            ));
        }
        parts.join(" · ")
    }

    /// How long the model reasoned in the open: from sending to the first answer token
    /// (or to the end, when no answer came).
    pub fn thinking_ms(&self, now_ms: u64) -> u64 {
        self.timings
            .first_text_ms
            .or(self.timings.done_ms)
            .unwrap_or(now_ms)
    }
}

/// The history of one session, oldest turn first.
#[derive(Clone, Debug, Default)]
pub struct Conversation {
    pub turns: Vec<Turn>,
    next_id: u64,
}

impl Conversation {
    /// A conversation read back from storage; new turns number on from the last one.
    pub fn restored(turns: Vec<Turn>) -> Conversation {
        let next_id = turns.iter().map(|t| t.id).max().unwrap_or(0);
        Conversation { turns, next_id }
    }

    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Messages to send before a new prompt: earlier turns' prompts and answers, never
    /// their reasoning. Failed turns (their text may be cut anywhere) and empty answers are
    /// left out, so the history stays alternating user/assistant. A cancelled answer stays:
    /// the person chose to stop it where it is.
    pub fn history(&self) -> Vec<Message> {
        let mut messages = Vec::new();
        for turn in &self.turns {
            if turn.is_streaming() || turn.state.is_broken() || turn.answer.trim().is_empty() {
                continue;
            }
            messages.push(Message {
                role: Role::User,
                content: turn.prompt.clone(),
            });
            messages.push(Message {
                role: Role::Assistant,
                content: turn.answer.clone(),
            });
        }
        messages
    }
}

/// Estimated prompt tokens of a request: every message plus the chat format overhead.
pub fn estimate_request_tokens(request: &ChatRequest) -> u64 {
    let system = request
        .system
        .as_deref()
        .map(usage::estimate_tokens)
        .map(|n| n + usage::MESSAGE_OVERHEAD_TOKENS);
    let messages: u64 = request
        .messages
        .iter()
        .map(|m| usage::estimate_tokens(&m.content) + usage::MESSAGE_OVERHEAD_TOKENS)
        .sum();
    system.unwrap_or(0) + messages + 3
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> TurnSpec {
        TurnSpec {
            provider: "openai".into(),
            model: "o3-mini".into(),
            api: ApiKind::Chat,
            effort: Some("high".into()),
            max_output_tokens: None,
            price: Some(Price {
                input: 1.10,
                cached_input: Some(0.55),
                output: 4.40,
                cache_write: None,
            }),
            reasoning_model: true,
        }
    }

    #[test]
    fn a_turn_collects_text_usage_and_timings() {
        let mut t = Turn::new(1, "hi".into(), spec(), 10);
        t.apply(StreamEvent::TextDelta(String::new()), 5);
        t.apply(StreamEvent::TextDelta("Hel".into()), 5210);
        t.apply(StreamEvent::TextDelta("lo".into()), 5300);
        let u = Usage {
            input: 13,
            output: 238,
            reasoning: 192,
            ..Default::default()
        };
        t.apply(StreamEvent::Usage(u), 5400);
        t.apply(StreamEvent::Finished(FinishReason::Stop), 5417);
        t.apply(StreamEvent::TextDelta("late".into()), 6000);
        assert_eq!(t.answer, "Hello");
        assert_eq!(t.first_token_ms(), Some(5210));
        assert_eq!(t.timings.done_ms, Some(5417));
        assert_eq!(t.state, TurnState::Done);
        assert!((t.cost().unwrap_or_default() - 0.0010615).abs() < 1e-12);
        assert!(!t.usage().estimated);
        assert_eq!(
            t.usage_line(),
            "o3-mini · high · in 13 · reasoning 192 · out 46 · $0.00106 · 1st token 5.2 s · 1,150 tok/s"
        );
    }

    #[test]
    fn without_reported_usage_the_turn_estimates() {
        let mut t = Turn::new(1, "hi".into(), spec(), 10);
        t.apply(
            StreamEvent::ReasoningDelta("Let me think about it.".into()),
            100,
        );
        t.apply(StreamEvent::TextDelta("Paris.".into()), 200);
        t.cancel(300);
        t.apply(StreamEvent::Finished(FinishReason::Stop), 400);
        let u = t.usage();
        assert!(u.estimated);
        assert_eq!(u.input, 10);
        assert!(u.reasoning > 0 && u.output > u.reasoning);
        assert_eq!(t.state, TurnState::Cancelled);
        assert_eq!(t.thinking_ms(1000), 200);
    }

    #[test]
    fn a_refused_request_is_not_billed() {
        let mut t = Turn::new(1, "hi".into(), spec(), 10);
        t.apply(
            StreamEvent::Failed(ApiError {
                status: Some(429),
                ..ApiError::message("slow down")
            }),
            30,
        );
        assert!(t.refused());
        assert_eq!(t.usage(), Usage::default());
        assert_eq!(t.cost(), Some(0.0));
        assert_eq!(
            t.usage_line(),
            "o3-mini · nothing generated, nothing billed"
        );
        // A failure after output started is billed (estimated) as usual.
        let mut t = Turn::new(2, "hi".into(), spec(), 10);
        t.apply(StreamEvent::TextDelta("partial".into()), 10);
        t.apply(StreamEvent::Failed(ApiError::message("cut")), 30);
        assert!(!t.refused());
        assert!(t.usage().estimated && t.usage().output > 0);
    }

    #[test]
    fn reasoning_before_a_bare_closing_think_tag_moves_to_reasoning() {
        let mut t = Turn::new(1, "hi".into(), spec(), 10);
        t.apply(
            StreamEvent::TextDelta("Okay, the user says hi.\n".into()),
            100,
        );
        t.apply(StreamEvent::TextDelta("</think>\n\nHello!".into()), 200);
        t.apply(StreamEvent::Finished(FinishReason::Stop), 300);
        assert_eq!(t.reasoning, "Okay, the user says hi.");
        assert_eq!(t.answer, "Hello!");
        // An answer that talks about the tags is left alone.
        let mut t = Turn::new(2, "hi".into(), spec(), 10);
        let text = "Wrap it as <think>…</think> in the template.";
        t.apply(StreamEvent::TextDelta(text.into()), 100);
        t.apply(StreamEvent::Finished(FinishReason::Stop), 300);
        assert_eq!((t.reasoning.as_str(), t.answer.as_str()), ("", text));
    }

    #[test]
    fn a_cost_the_server_reports_wins() {
        let mut s = spec();
        s.price = None;
        let mut t = Turn::new(1, "hi".into(), s, 10);
        let u = Usage {
            input: 10,
            output: 5,
            reported_cost: Some(0.0042),
            ..Default::default()
        };
        t.apply(StreamEvent::Usage(u), 10);
        t.apply(StreamEvent::Finished(FinishReason::Stop), 20);
        assert_eq!(t.cost(), Some(0.0042));
    }

    #[test]
    fn unknown_price_is_unknown_cost() {
        let mut s = spec();
        s.price = None;
        let t = Turn::new(1, "hi".into(), s, 10);
        assert_eq!(t.cost(), None);
    }

    #[test]
    fn history_skips_reasoning_and_empty_answers() {
        let mut c = Conversation::default();
        let mut t = Turn::new(c.next_id(), "q1".into(), spec(), 1);
        t.apply(StreamEvent::ReasoningDelta("secret".into()), 1);
        t.apply(StreamEvent::TextDelta("a1".into()), 2);
        t.apply(StreamEvent::Finished(FinishReason::Stop), 3);
        c.turns.push(t);
        let mut t = Turn::new(c.next_id(), "q2".into(), spec(), 1);
        t.apply(StreamEvent::Failed(ApiError::message("boom")), 3);
        c.turns.push(t);
        let h = c.history();
        assert_eq!(h.len(), 2);
        assert_eq!(h[1].content, "a1");
    }
}
