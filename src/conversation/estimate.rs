//! A turn's token estimates, counted only when first read: the prompt's from the texts of
//! the request the turn was sent with ([`PromptTexts`]), the output's from its reasoning,
//! answer and tool calls.
//!
//! Invariants:
//! - nothing is counted (so the tokenizer is not loaded) until a number is read, and a turn
//!   whose server reported its usage never reads them (`Turn::usage`); a save reads only
//!   what was counted already ([`Estimates::prompt_so_far`], [`Estimates::output_so_far`]);
//! - the prompt is counted once; its texts are dropped then;
//! - a read while the turn streams counts only the text that arrived since the last read
//!   (one `TokenTally` per text), so reading every frame costs what the new text costs;
//! - a read once the turn has ended counts the whole text once, the number of counting the
//!   finished text (the one kept for good: deltas may split tokens).

use crate::api::ToolCall;
use crate::usage::{self, TokenTally};
use std::sync::{Mutex, MutexGuard};

/// What a request's prompt estimate is counted from: the texts to tokenize (system
/// instructions, every message's text) and the tokens known without a tokenizer (the chat
/// format's overhead, images by their model family's rule).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PromptTexts {
    pub texts: Vec<String>,
    pub fixed: u64,
}

impl PromptTexts {
    /// The estimate: `fixed` plus every text's tokens (this loads the tokenizer).
    pub fn count(&self) -> u64 {
        let texts: u64 = self.texts.iter().map(|t| usage::estimate_tokens(t)).sum();
        self.fixed + texts
    }
}

#[derive(Clone, Debug)]
enum Prompt {
    Counted(u64),
    Pending(PromptTexts),
}

/// The text an output estimate counted: reasoning bytes, answer bytes, tool calls, and
/// whether the turn had ended.
type Key = (usize, usize, usize, bool);

#[derive(Clone, Debug, Default)]
struct Output {
    key: Option<Key>,
    /// Tallies of the text read so far while streaming.
    reasoning: TokenTally,
    answer: TokenTally,
    tools: u64,
    /// The last numbers read: (reasoning, answer with tool calls).
    last: (u64, u64),
}

#[derive(Clone, Debug)]
struct Inner {
    prompt: Prompt,
    output: Output,
}

/// The estimates of one turn (see the module's invariants).
#[derive(Debug)]
pub struct Estimates(Mutex<Inner>);

impl Estimates {
    /// A prompt estimate known already (a turn read back, a test).
    pub fn counted(prompt: u64) -> Estimates {
        Estimates::with(Prompt::Counted(prompt))
    }

    /// A prompt estimate to count from `texts` when first read.
    pub fn pending(texts: PromptTexts) -> Estimates {
        Estimates::with(Prompt::Pending(texts))
    }

    fn with(prompt: Prompt) -> Estimates {
        Estimates(Mutex::new(Inner {
            prompt,
            output: Output::default(),
        }))
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere while holding it leaves numbers that are still numbers.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The prompt estimate, counted now if it was not yet.
    pub fn prompt(&self) -> u64 {
        let mut inner = self.lock();
        match &inner.prompt {
            Prompt::Counted(n) => *n,
            Prompt::Pending(texts) => {
                let n = texts.count();
                inner.prompt = Prompt::Counted(n);
                n
            }
        }
    }

    /// The prompt estimate if it was counted already, else 0 (nothing is counted).
    pub fn prompt_so_far(&self) -> u64 {
        match self.lock().prompt {
            Prompt::Counted(n) => n,
            Prompt::Pending(_) => 0,
        }
    }

    /// The output estimate of this text, `(reasoning, answer with tool calls)`: counted
    /// over the new text while `ended` is false, over the whole text once it is true.
    pub fn output(
        &self,
        reasoning: &str,
        answer: &str,
        tools: &[ToolCall],
        ended: bool,
    ) -> (u64, u64) {
        let mut inner = self.lock();
        let out = &mut inner.output;
        let key = (reasoning.len(), answer.len(), tools.len(), ended);
        if out.key == Some(key) {
            return out.last;
        }
        let tool_tokens = |calls: &[ToolCall]| -> u64 {
            (calls.iter())
                .map(|c| usage::estimate_tokens(&c.name) + usage::estimate_tokens(&c.arguments))
                .sum()
        };
        if ended {
            out.last = (
                usage::estimate_tokens(reasoning),
                usage::estimate_tokens(answer) + tool_tokens(tools),
            );
        } else {
            // While streaming the text only grows; anything else starts the tallies over.
            let (fed_r, fed_a, fed_t) = match out.key {
                Some((r, a, t, false)) if r <= reasoning.len() && a <= answer.len() => {
                    (r, a, t.min(tools.len()))
                }
                _ => {
                    out.reasoning = TokenTally::new();
                    out.answer = TokenTally::new();
                    out.tools = 0;
                    (0, 0, 0)
                }
            };
            match (reasoning.get(fed_r..), answer.get(fed_a..)) {
                (Some(r), Some(a)) => {
                    out.reasoning.push(r);
                    out.answer.push(a);
                }
                // A cut inside a character cannot come from appending: count it all again.
                _ => {
                    out.reasoning = TokenTally::new();
                    out.reasoning.push(reasoning);
                    out.answer = TokenTally::new();
                    out.answer.push(answer);
                }
            }
            out.tools += tool_tokens(&tools[fed_t..]);
            out.last = (out.reasoning.total(), out.answer.total() + out.tools);
        }
        out.key = Some(key);
        out.last
    }

    /// The output estimate as last read, `(0, 0)` before any read (nothing is counted).
    pub fn output_so_far(&self) -> (u64, u64) {
        self.lock().output.last
    }
}

impl Clone for Estimates {
    fn clone(&self) -> Estimates {
        Estimates(Mutex::new(self.lock().clone()))
    }
}

impl PartialEq for Estimates {
    /// Equal prompt estimates (the output's follows from the turn's text).
    fn eq(&self, other: &Estimates) -> bool {
        self.prompt() == other.prompt()
    }
}
