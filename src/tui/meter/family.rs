//! Which tokenizer family a model belongs to and how far its token counts sit from
//! `o200k_base` (see the factors in `tui::meter`'s module doc), and the pre-send estimate's
//! error against what the server reported. Invariant: a factor is applied once, to a raw
//! `o200k_base` count, and rounded to whole tokens.

use crate::conversation::Turn;

/// The tokenizer family a model belongs to, for the estimate's correction factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    OpenAi,
    Claude,
    DeepSeek,
    Qwen,
    Gemini,
    Llama,
    Mistral,
    Other,
}

impl Family {
    /// The family of `model` on `provider` (an `org/` prefix on the id is ignored; the
    /// offline demo's models count as OpenAI's, since the demo counts with `o200k_base`).
    pub fn of(provider: &str, model: &str) -> Family {
        let id = model.to_ascii_lowercase();
        let base = id.rsplit('/').next().unwrap_or(&id);
        let openai_id = ["gpt-", "o1", "o3", "o4", "chatgpt-"]
            .iter()
            .any(|p| base.starts_with(p));
        // The offline demo counts tokens with `o200k_base`, whatever family a model stands for.
        if provider == "openai" || provider == crate::demo::PROVIDER || openai_id {
            Family::OpenAi
        } else if provider == "anthropic" || id.contains("claude") {
            Family::Claude
        } else if id.contains("deepseek") {
            Family::DeepSeek
        } else if id.contains("qwen") || id.contains("qwq") {
            Family::Qwen
        } else if id.contains("gemini") || id.contains("gemma") {
            Family::Gemini
        } else if id.contains("llama") {
            Family::Llama
        } else if id.contains("mistral") || id.contains("mixtral") {
            Family::Mistral
        } else {
            Family::Other
        }
    }

    /// Tokens of this family per `o200k_base` token (see the module doc).
    pub fn factor(self) -> f64 {
        match self {
            Family::OpenAi => 1.0,
            Family::DeepSeek | Family::Qwen | Family::Gemini => 1.05,
            Family::Claude | Family::Llama | Family::Other => 1.10,
            Family::Mistral => 1.15,
        }
    }

    /// Whether counts for this family are exact `o200k_base` counts (not scaled).
    pub fn is_exact_tokenizer(self) -> bool {
        self == Family::OpenAi
    }

    /// `raw` o200k tokens scaled to this family.
    pub fn scale(self, raw: u64) -> u64 {
        (raw as f64 * self.factor()).round() as u64
    }
}

/// The prompt estimate a turn showed before it was sent: its `prompt_estimate` scaled to the
/// family of the model that answered.
pub fn adjusted_prompt_estimate(turn: &Turn) -> u64 {
    Family::of(&turn.spec.provider, &turn.spec.model).scale(turn.prompt_estimate())
}

/// The pre-send estimate's relative error against the input the server reported:
/// `(estimate - reported) / reported` (`-0.036` = 3.6% low). `None` without reported usage,
/// with a reported input of zero, with an input counted without the chat template, or for a
/// turn read back whose estimate was never counted (stored as 0: `ask` counts nothing when
/// the server reports usage).
pub fn estimate_error(turn: &Turn) -> Option<f64> {
    let reported = turn.reported_usage?;
    if reported.estimated || reported.input == 0 || reported.input_without_template() {
        return None;
    }
    let estimate = adjusted_prompt_estimate(turn) as f64;
    if estimate == 0.0 {
        return None;
    }
    Some((estimate - reported.input as f64) / reported.input as f64)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::api::{ApiKind, StreamEvent};
    use crate::conversation::TurnSpec;
    use crate::usage::Usage;

    /// A turn of `model` on `provider` with a prompt estimate (shared with the meter and
    /// conversation view tests).
    pub(crate) fn turn(model: &str, provider: &str, estimate: u64) -> Turn {
        let spec = TurnSpec {
            provider: provider.into(),
            model: model.into(),
            api: ApiKind::Chat,
            effort: None,
            max_output_tokens: None,
            price: None,
            reasoning_model: false,
        };
        Turn::new(1, "hi".into(), spec, estimate)
    }

    #[test]
    fn families_and_factors() {
        assert_eq!(Family::of("openai", "anything"), Family::OpenAi);
        assert_eq!(Family::of("openrouter", "openai/o3"), Family::OpenAi);
        assert_eq!(Family::of("azure", "gpt-4o"), Family::OpenAi);
        assert_eq!(Family::of("anthropic", "x"), Family::Claude);
        // The offline demo counts every model's tokens with `o200k_base`.
        assert_eq!(Family::of("demo", "demo-claude"), Family::OpenAi);
        assert_eq!(Family::of("demo", "demo-r1"), Family::OpenAi);
        assert_eq!(
            Family::of("deepseek", "deepseek-reasoner"),
            Family::DeepSeek
        );
        assert_eq!(Family::of("ollama", "qwen3:8b"), Family::Qwen);
        assert_eq!(Family::of("ollama", "llama3.2"), Family::Llama);
        assert_eq!(Family::of("local", "mystery"), Family::Other);
        assert_eq!(Family::Claude.scale(1000), 1100);
        assert_eq!(Family::OpenAi.scale(1234), 1234);
    }

    #[test]
    fn estimate_error_compares_the_scaled_estimate_with_the_reported_input() {
        let mut t = turn("o3-mini", "openai", 1190);
        assert_eq!(estimate_error(&t), None);
        t.apply(
            StreamEvent::Usage(Usage {
                input: 1234,
                ..Default::default()
            }),
            1,
        );
        let e = estimate_error(&t).unwrap_or_default();
        assert!((e - (1190.0 - 1234.0) / 1234.0).abs() < 1e-12);
        let mut t = turn("claude-sonnet-4", "anthropic", 1000);
        t.apply(
            StreamEvent::Usage(Usage {
                input: 1100,
                ..Default::default()
            }),
            1,
        );
        assert_eq!(estimate_error(&t), Some(0.0));
        // A turn read back whose estimate was never counted has no error to show.
        let mut t = turn("o3-mini", "openai", 0);
        t.apply(
            StreamEvent::Usage(Usage {
                input: 1234,
                ..Default::default()
            }),
            1,
        );
        assert_eq!(estimate_error(&t), None);
    }
}
