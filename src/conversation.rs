//! The provider-neutral conversation: what was asked, what came back, and what it cost.
//!
//! A [`Turn`] is the one record the TUI, `ask --json`, (later) the store and the meter read.
//! Invariants:
//! - a turn's model, provider, effort and price are those of the model that answered it,
//!   fixed when the turn starts; switching model later never rewrites history;
//! - `apply` accepts events in any order the wire may produce and never panics; once a turn
//!   is no longer `Streaming`, further events are ignored (a cancelled turn stays cancelled);
//! - times are milliseconds since the request was sent, measured by the caller's clock;
//! - a turn's token estimates are counted only when read (`estimate`): a turn whose server
//!   reported usage never loads the tokenizer, and saving a turn counts nothing.

use crate::api::{ApiError, ApiKind, FinishReason, Message, Role, StreamEvent, ToolCall};
use crate::attach::Attachment;
use crate::usage::{self, Price, Usage};

mod arms;
mod count;
mod estimate;
mod request;
mod usage_line;
mod versions;
pub use arms::ArmTag;
use estimate::Estimates;
pub use estimate::PromptTexts;
pub use request::{estimate_request_tokens, prompt_texts, user_message};
pub use versions::{earlier_version, replaced_by_edit};

/// Where a turn stands.
#[derive(Clone, Debug, PartialEq)]
pub enum TurnState {
    Streaming,
    Done,
    /// The person cancelled it; what arrived stays.
    Cancelled,
    /// Cancelled, then sent again (Alt+R), or edited (`/edit-last`): kept for the record as
    /// an earlier version, never sent back as history, since the turn after it replaces it.
    Superseded,
    /// The request or stream failed; what arrived stays.
    Failed(ApiError),
    /// thinkbench stopped while this turn streamed, with the text saved up to then: told to
    /// by a signal or a closed stdout (saved so at once), or killed or crashed (found so on
    /// restart).
    Interrupted,
}

impl TurnState {
    /// The state's name as stored and exported: `streaming`, `done`, `cancelled`,
    /// `superseded`, `failed`, `interrupted`.
    pub fn name(&self) -> &'static str {
        match self {
            TurnState::Streaming => "streaming",
            TurnState::Done => "done",
            TurnState::Cancelled => "cancelled",
            TurnState::Superseded => "superseded",
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
    /// Files and images sent with the prompt (and with it again as history).
    pub attachments: Vec<Attachment>,
    pub spec: TurnSpec,
    /// Shared reasoning text (without `<think>` tags); empty when the server shares none.
    pub reasoning: String,
    pub answer: String,
    pub tool_calls: Vec<ToolCall>,
    /// Usage as the server reported it, if it did, or as its tokenizer counted it after the
    /// turn when it reported none (`Usage::counted`, see `count`).
    pub reported_usage: Option<Usage>,
    pub timings: Timings,
    pub finish_reason: Option<FinishReason>,
    pub state: TurnState,
    /// Set when this turn is one arm of a comparison (see [`arms`]).
    pub arm: Option<ArmTag>,
    /// Estimated tokens of the prompt (used when the server reports no usage) and of the
    /// reasoning and answer text (tool calls included): counted only when read, so a turn
    /// whose server reported usage never loads the tokenizer (see [`estimate`]).
    estimates: Estimates,
}

impl Turn {
    pub fn new(id: u64, prompt: String, spec: TurnSpec, prompt_estimate: u64) -> Turn {
        Turn::with_estimates(id, prompt, spec, Estimates::counted(prompt_estimate))
    }

    /// A new turn whose prompt estimate is counted from `texts` when first read.
    pub fn counted_later(id: u64, prompt: String, spec: TurnSpec, texts: PromptTexts) -> Turn {
        Turn::with_estimates(id, prompt, spec, Estimates::pending(texts))
    }

    fn with_estimates(id: u64, prompt: String, spec: TurnSpec, estimates: Estimates) -> Turn {
        Turn {
            id,
            prompt,
            attachments: Vec::new(),
            spec,
            reasoning: String::new(),
            answer: String::new(),
            tool_calls: Vec::new(),
            reported_usage: None,
            timings: Timings::default(),
            finish_reason: None,
            state: TurnState::Streaming,
            arm: None,
            estimates,
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
        Turn {
            id,
            prompt,
            attachments: Vec::new(),
            spec,
            reasoning,
            answer,
            tool_calls,
            reported_usage,
            timings,
            finish_reason,
            state,
            arm: None,
            estimates: Estimates::counted(prompt_estimate),
        }
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
                    self.reasoning.push_str(&text);
                }
            }
            StreamEvent::TextDelta(text) => {
                if !text.is_empty() {
                    self.timings.first_text_ms.get_or_insert(at_ms);
                    self.answer.push_str(&text);
                }
            }
            StreamEvent::ToolCall(call) => self.tool_calls.push(call),
            StreamEvent::Usage(u) => self.reported_usage = Some(u),
            StreamEvent::RateLimit(_) | StreamEvent::Retrying(_) => {}
            StreamEvent::Finished(reason) => {
                self.finish_reason = Some(reason);
                self.timings.done_ms = Some(at_ms);
                self.state = TurnState::Done;
                self.split_unopened_think();
            }
            StreamEvent::Failed(err) => {
                self.timings.done_ms = Some(at_ms);
                self.state = TurnState::Failed(err);
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

    /// Estimated prompt tokens of the request, counted now if they were not yet (used when
    /// the server reports no usage).
    pub fn prompt_estimate(&self) -> u64 {
        self.estimates.prompt()
    }

    /// The estimate of the output, `(reasoning, answer with tool calls)`, counted now.
    fn output_estimate(&self) -> (u64, u64) {
        let ended = !self.is_streaming();
        (self.estimates).output(&self.reasoning, &self.answer, &self.tool_calls, ended)
    }

    /// The person cancelled the turn `at_ms` after it was sent.
    pub fn cancel(&mut self, at_ms: u64) {
        if self.is_streaming() {
            self.timings.done_ms = Some(at_ms);
            self.state = TurnState::Cancelled;
        }
    }

    /// thinkbench was stopped (a signal, a closed stdout) `at_ms` after the turn was sent:
    /// what arrived stays, and the turn is interrupted, as if found so on restart.
    pub fn interrupt(&mut self, at_ms: u64) {
        if self.is_streaming() {
            self.timings.done_ms = Some(at_ms);
            self.state = TurnState::Interrupted;
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
        Turn::estimated(self.prompt_estimate(), self.output_estimate())
    }

    /// [`Turn::usage`] as far as it is known without counting anything: the server's usage,
    /// or the estimate as far as it was counted already (by reading [`Turn::usage`]; else
    /// zeros). What a save writes while the turn may still be counted later, so saving a
    /// turn never loads the tokenizer (the last save, once the turn ended, counts it).
    pub fn usage_so_far(&self) -> Usage {
        if self.reported_usage.is_some() || self.refused() || !self.is_streaming() {
            return self.usage();
        }
        let prompt = self.estimates.prompt_so_far();
        Turn::estimated(prompt, self.estimates.output_so_far())
    }

    /// [`Turn::prompt_estimate`] as far as it is known without counting (see
    /// [`Turn::usage_so_far`]): 0 while a streaming turn's prompt was not counted yet, and
    /// for good when the server reported the usage before anything read the estimate.
    pub fn prompt_estimate_so_far(&self) -> u64 {
        if self.is_streaming() || self.reported_usage.is_some() {
            self.estimates.prompt_so_far()
        } else {
            self.prompt_estimate()
        }
    }

    fn estimated(prompt: u64, (reasoning, answer): (u64, u64)) -> Usage {
        Usage {
            input: prompt,
            output: reasoning.saturating_add(answer),
            reasoning,
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
        self.cost_of(&self.usage())
    }

    /// The cost of `usage` (this turn's, e.g. [`Turn::usage_so_far`]) at the turn's price,
    /// or the cost the server reported with it.
    pub fn cost_of(&self, usage: &Usage) -> Option<f64> {
        if let Some(reported) = usage.reported_cost {
            return Some(reported);
        }
        usage::cost(self.spec.price.as_ref(), usage)
    }

    /// Whether the offline demo answered: the cost is what the turn would cost, never billed.
    pub fn is_demo(&self) -> bool {
        self.spec.provider == crate::demo::PROVIDER
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
    /// A conversation read back from storage; new turns number on from the last one. A turn
    /// without reported usage whose prompt estimate was never counted (saved while it
    /// streamed, stored as 0) is estimated again, when read, from the history it followed
    /// and its prompt (the system prompt is not stored, so it is left out).
    pub fn restored(turns: Vec<Turn>) -> Conversation {
        let next_id = turns.iter().map(|t| t.id).max().unwrap_or(0);
        let mut conversation = Conversation { turns, next_id };
        for idx in 0..conversation.turns.len() {
            let turn = &conversation.turns[idx];
            if turn.reported_usage.is_some() || turn.estimates.prompt_so_far() > 0 {
                continue;
            }
            let mut messages = conversation.history_before(idx);
            messages.push(user_message(&turn.prompt, &turn.attachments));
            let texts = PromptTexts {
                fixed: 3 + messages.len() as u64 * usage::MESSAGE_OVERHEAD_TOKENS,
                texts: messages.into_iter().map(|m| m.content).collect(),
            };
            conversation.turns[idx].estimates = Estimates::pending(texts);
        }
        conversation
    }

    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Messages to send before a new prompt: earlier turns' prompts and answers, never
    /// their reasoning. Failed turns (their text may be cut anywhere), turns a retry replaced
    /// and empty answers are left out, so the history stays alternating user/assistant. A
    /// cancelled answer stays: the person chose to stop it where it is. Of a comparison,
    /// only the kept arm's answer is sent.
    pub fn history(&self) -> Vec<Message> {
        self.history_before(self.turns.len())
    }

    /// The history as it stood before turn `end` (see [`Conversation::history`]).
    pub fn history_before(&self, end: usize) -> Vec<Message> {
        let mut messages = Vec::new();
        for (idx, turn) in self.turns.iter().enumerate().take(end) {
            let replaced = turn.state == TurnState::Superseded;
            if !self.carries_history(idx)
                || turn.is_streaming()
                || turn.state.is_broken()
                || replaced
                || turn.answer.trim().is_empty()
            {
                continue;
            }
            messages.push(user_message(&turn.prompt, &turn.attachments));
            messages.push(Message {
                role: Role::Assistant,
                content: turn.answer.clone(),
                images: Vec::new(),
            });
        }
        messages
    }
}

#[cfg(test)]
mod tests;
