//! What a demo model says to one request, before any wire shape: its reasoning (shared text
//! or a hidden token count), its answer, how it finished and what it counts, built from the
//! request's model, effort and output budget and the canned texts of `answers`.
//!
//! Invariants:
//! - more effort never means less reasoning (tokens and text), and a model without reasoning
//!   reasons not at all;
//! - the output budget is honoured the way reasoning models spend it: reasoning first, then
//!   the answer; what does not fit is cut at a word and the turn finishes with `Length` (a
//!   budget smaller than the reasoning leaves the answer empty);
//! - the counts are those of the text sent: `reasoning_tokens` is the hidden count or the
//!   estimate of the shared reasoning text, `answer_tokens` the estimate of the answer text,
//!   and neither goes above the budget;
//! - pure: the same request always gives the same script.

use super::answers;
use crate::usage::estimate_tokens;

/// Words per streamed chunk (a chunk is a few tokens, as real servers send them).
const WORDS_PER_CHUNK: usize = 3;

/// How a demo model reasons: the families it stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// o-series: reasoning is hidden, only counted in usage.
    Hidden,
    /// R1: the reasoning text is shared (`reasoning_content`).
    Visible,
    /// Claude: thinking blocks.
    Thinking,
    /// A chat model that answers straight away.
    Plain,
}

/// The demo models: id, family, and what each stands for.
pub const MODELS: &[(&str, Family, &str)] = &[
    ("demo-o", Family::Hidden, "hidden reasoning, like o3-mini"),
    (
        "demo-r1",
        Family::Visible,
        "shared reasoning text, like DeepSeek R1",
    ),
    (
        "demo-claude",
        Family::Thinking,
        "thinking blocks, like Claude",
    ),
    ("demo-chat", Family::Plain, "no reasoning, like gpt-4o-mini"),
];

impl Family {
    /// The family of demo model `id`; `None` when there is no such demo model.
    pub fn of(id: &str) -> Option<Family> {
        MODELS.iter().find(|(m, _, _)| *m == id).map(|(_, f, _)| *f)
    }
}

/// How hard to think: from a `reasoning_effort` level or an Anthropic thinking budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Minimal,
    Low,
    Medium,
    High,
    Max,
}

impl Level {
    /// A `reasoning_effort` word; none or an unknown one is `Medium` (the usual default).
    pub fn from_effort(effort: Option<&str>) -> Level {
        match effort {
            Some("none" | "minimal") => Level::Minimal,
            Some("low") => Level::Low,
            Some("high") => Level::High,
            Some("xhigh" | "max") => Level::Max,
            _ => Level::Medium,
        }
    }

    /// An Anthropic `thinking.budget_tokens` (see `api::anthropic::body`'s effort budgets).
    pub fn from_budget(budget: u64) -> Level {
        match budget {
            0..=1_024 => Level::Minimal,
            1_025..=2_048 => Level::Low,
            2_049..=8_192 => Level::Medium,
            8_193..=24_576 => Level::High,
            _ => Level::Max,
        }
    }

    /// Paragraphs of the canned reasoning thought through at this level.
    fn paragraphs(self) -> usize {
        match self {
            Level::Minimal => 1,
            Level::Low => 2,
            Level::Medium => 4,
            Level::High => 6,
            Level::Max => usize::MAX,
        }
    }

    /// Hidden reasoning tokens at this level (before the prompt's share).
    fn hidden_tokens(self) -> u64 {
        match self {
            Level::Minimal => 64,
            Level::Low => 256,
            Level::Medium => 896,
            Level::High => 2_304,
            Level::Max => 4_608,
        }
    }
}

/// What the request asks of the demo.
#[derive(Clone, Debug, PartialEq)]
pub struct Ask {
    pub family: Family,
    /// `None` when the request does not ask for reasoning (an Anthropic request without
    /// `thinking`): the model then answers straight away.
    pub level: Option<Level>,
    /// The output budget (reasoning included), when the request sets one.
    pub max_tokens: Option<u64>,
    /// The last user message.
    pub prompt: String,
    /// User messages in the request (a later turn gets another canned answer).
    pub user_turns: usize,
    /// Prompt tokens of the whole request.
    pub input_tokens: u64,
}

/// How the turn ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finish {
    Stop,
    /// The output budget ran out.
    Length,
}

/// What the demo answers: the pieces to stream and what they count.
#[derive(Clone, Debug, PartialEq)]
pub struct Script {
    /// Shared reasoning, in the chunks it streams as (empty when hidden or none).
    pub reasoning: Vec<String>,
    /// The answer, in the chunks it streams as.
    pub answer: Vec<String>,
    pub finish: Finish,
    pub input_tokens: u64,
    /// Reasoning tokens: hidden ones, or those of the shared text.
    pub reasoning_tokens: u64,
    pub answer_tokens: u64,
    /// Whether the reasoning is hidden (counted, never shown).
    pub hidden: bool,
}

impl Script {
    /// Everything billed as output: reasoning and answer.
    pub fn output_tokens(&self) -> u64 {
        self.reasoning_tokens + self.answer_tokens
    }

    /// The shared reasoning text.
    pub fn reasoning_text(&self) -> String {
        self.reasoning.concat()
    }

    /// The answer text.
    pub fn answer_text(&self) -> String {
        self.answer.concat()
    }
}

/// The script for `ask` (see the module's invariants).
pub fn build(ask: &Ask) -> Script {
    let budget = ask.max_tokens.unwrap_or(u64::MAX);
    let level = match ask.family {
        Family::Plain => None,
        _ => ask.level,
    };
    // Whether the reasoning used up the budget before it was done.
    let (reasoning, reasoning_tokens, hidden, spent) = match (ask.family, level) {
        (_, None) => (Vec::new(), 0, false, false),
        (Family::Hidden, Some(level)) => {
            let tokens = level.hidden_tokens() + 3 * ask.input_tokens.min(1_000);
            (Vec::new(), tokens.min(budget), true, tokens >= budget)
        }
        (_, Some(level)) => {
            let all = chunks(&answers::reasoning(&ask.prompt, level.paragraphs()));
            let whole = all.len();
            let chunks = fit(all, budget);
            let tokens = estimate_tokens(&chunks.concat());
            let spent = chunks.len() < whole;
            (chunks, tokens, false, spent)
        }
    };
    let full = chunks(answers::answer(&ask.prompt, ask.user_turns));
    let room = if spent {
        0
    } else {
        budget.saturating_sub(reasoning_tokens)
    };
    let answer = fit(full.clone(), room);
    let answer_tokens = estimate_tokens(&answer.concat());
    let finish = if answer.len() < full.len() {
        Finish::Length
    } else {
        Finish::Stop
    };
    Script {
        reasoning,
        answer,
        finish,
        input_tokens: ask.input_tokens,
        reasoning_tokens,
        answer_tokens,
        hidden,
    }
}

/// `text` in chunks of a few words, each with the whitespace after it (joined, they give
/// `text` back exactly).
pub fn chunks(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_inclusive(char::is_whitespace).collect();
    words.chunks(WORDS_PER_CHUNK).map(|c| c.concat()).collect()
}

/// The longest run of `chunks` from the start whose text counts at most `budget` tokens.
fn fit(mut chunks: Vec<String>, budget: u64) -> Vec<String> {
    let mut text = String::new();
    let mut keep = 0;
    for chunk in &chunks {
        text.push_str(chunk);
        if estimate_tokens(&text) > budget {
            break;
        }
        keep += 1;
    }
    chunks.truncate(keep);
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(family: Family, effort: &str, max_tokens: Option<u64>) -> Ask {
        Ask {
            family,
            level: Some(Level::from_effort(Some(effort))),
            max_tokens,
            prompt: "Is 1009 prime?".to_string(),
            user_turns: 1,
            input_tokens: 20,
        }
    }

    #[test]
    fn more_effort_means_more_reasoning_for_every_reasoning_family() {
        for family in [Family::Hidden, Family::Visible, Family::Thinking] {
            let tokens: Vec<u64> = ["minimal", "low", "medium", "high", "max"]
                .iter()
                .map(|e| build(&ask(family, e, None)).reasoning_tokens)
                .collect();
            assert!(
                tokens.windows(2).all(|w| w[0] < w[1]),
                "{family:?}: {tokens:?}"
            );
        }
        assert_eq!(build(&ask(Family::Plain, "high", None)).reasoning_tokens, 0);
    }

    #[test]
    fn counts_are_those_of_the_text_sent() {
        let visible = build(&ask(Family::Visible, "low", None));
        assert!(!visible.hidden);
        assert_eq!(
            visible.reasoning_tokens,
            estimate_tokens(&visible.reasoning_text())
        );
        assert_eq!(
            visible.answer_tokens,
            estimate_tokens(&visible.answer_text())
        );
        assert_eq!(visible.finish, Finish::Stop);
        assert!(visible.answer_text().contains("1009"));
        let hidden = build(&ask(Family::Hidden, "low", None));
        assert!(hidden.hidden && hidden.reasoning.is_empty());
        assert_eq!(hidden.reasoning_tokens, 256 + 60);
    }

    #[test]
    fn a_budget_below_the_reasoning_leaves_the_answer_empty() {
        for family in [Family::Hidden, Family::Visible, Family::Thinking] {
            let s = build(&ask(family, "high", Some(100)));
            assert!(s.answer.is_empty(), "{family:?}");
            assert_eq!(s.finish, Finish::Length);
            assert!(
                s.output_tokens() <= 100 && s.reasoning_tokens >= 90,
                "{s:?}"
            );
        }
    }

    #[test]
    fn a_budget_between_cuts_the_answer_at_a_word() {
        let whole = build(&ask(Family::Visible, "low", None));
        let budget = whole.reasoning_tokens + 40;
        let s = build(&ask(Family::Visible, "low", Some(budget)));
        assert_eq!(s.finish, Finish::Length);
        assert_eq!(s.reasoning, whole.reasoning);
        assert!(!s.answer.is_empty() && s.answer.len() < whole.answer.len());
        assert!(whole.answer_text().starts_with(&s.answer_text()));
        assert!(s.output_tokens() <= budget);
    }

    #[test]
    fn chunks_give_the_text_back() {
        let text = "# Title\n\n```rust\n    let x = 1;\n```\n";
        assert_eq!(chunks(text).concat(), text);
    }
}
