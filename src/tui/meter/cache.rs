//! The live token/cost meter's state and arithmetic: what the next request will weigh, what
//! the streaming turn has produced so far, what the last turn really cost, and the session's
//! totals per model. [`Meter::panel`] turns a [`Ctx`] plus these caches into a [`Panel`] of plain
//! numbers; the view only draws it.
//!
//! Invariants:
//! - per keystroke the work is O(draft), never O(history): the history's token count is
//!   cached and recounted only when the conversation's fingerprint changes (turn count, the
//!   first and last turn's id/state/lengths, the system prompt; a turn still streaming is
//!   left out, as it is not sent back); the draft is recounted only when its text changed;
//!   the settled turns' totals are cached the same way and only the last turn is added live;
//! - the pre-send figure is exactly what `estimate_request_tokens(&session.request_for(draft))`
//!   counts (system + every message + per-message overhead, `o200k_base`), times the model
//!   family's factor below;
//! - an unknown price is `None` (shown `?`), never `$0`; a local server's price is zero;
//! - with `defer_until_loaded` (the runtime's), nothing waits for the tokenizer: counts that
//!   need it are put off (the figures stay as they were) until it is loaded.
//!
//! Approximation for other tokenizers: counts are `o200k_base` counts × a per-family factor,
//! rounded: OpenAI (provider `openai`, or ids starting `gpt-`, `chatgpt-`, `o1`, `o3`, `o4`, after any `org/` prefix) 1.00;
//! DeepSeek, Qwen, Gemini/Gemma 1.05; Claude, Llama and anything unrecognised 1.10;
//! Mistral/Mixtral 1.15. Turns keep their unscaled estimate ([`Turn::usage`]) so every pane
//! agrees on a turn's numbers; only the pre-send figure and [`estimate_error`] apply the factor.

use crate::api::{ImageRule, RateLimitInfo};
use crate::attach::Attachment;
use crate::conversation::{Turn, TurnState};
use crate::session::Session;
use crate::totals::Totals;
use crate::tui::component::Ctx;
use crate::usage::{self, MESSAGE_OVERHEAD_TOKENS, Usage};

use super::family::{Family, adjusted_prompt_estimate, estimate_error};

/// Tokens the chat format adds once per request (as `estimate_request_tokens` counts).
const REQUEST_OVERHEAD_TOKENS: u64 = 3;

/// What identifies a turn's contribution to the history and totals, cheaply.
#[derive(Clone, Debug, PartialEq, Eq)]
struct TurnPrint {
    id: u64,
    state: &'static str,
    prompt_len: usize,
    answer_len: usize,
    reasoning_len: usize,
    reported: Option<(u64, u64)>,
}

impl TurnPrint {
    fn of(turn: &Turn) -> TurnPrint {
        TurnPrint {
            id: turn.id,
            state: turn.state.name(),
            prompt_len: turn.prompt.len(),
            answer_len: turn.answer.len(),
            reasoning_len: turn.reasoning.len(),
            reported: turn.reported_usage.map(|u| (u.input, u.output)),
        }
    }
}

/// O(1) fingerprint of a list of turns: its length and its first and last turn.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Fingerprint {
    len: usize,
    first: Option<TurnPrint>,
    last: Option<TurnPrint>,
}

impl Fingerprint {
    fn of(turns: &[Turn]) -> Fingerprint {
        Fingerprint {
            len: turns.len(),
            first: turns.first().map(TurnPrint::of),
            last: turns.last().map(TurnPrint::of),
        }
    }
}

/// The next request, as it stands.
#[derive(Clone, Debug, PartialEq)]
pub struct DraftEstimate {
    pub model: String,
    /// Estimated prompt tokens of the whole request (scaled to the family).
    pub tokens: u64,
    /// The part of `tokens` that is the draft itself.
    pub draft_tokens: u64,
    pub family: Family,
    /// The model's context window; `None` when the model is not in the catalog.
    pub window: Option<u64>,
    /// Input price × tokens; `None` when the price is unknown.
    pub min_cost: Option<f64>,
    /// The output budget set with `/max`, if any.
    pub max_output: Option<u64>,
    /// With a compare set: its arms and the least the request costs over all of them.
    pub compare: Option<CompareDraft>,
    /// The files and images attached to the draft (their tokens are part of `tokens` and
    /// `draft_tokens`).
    pub files: FilesEstimate,
}

/// What the draft's attachments add to the request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FilesEstimate {
    pub count: usize,
    pub images: usize,
    /// Text files scaled to the family, plus images by the family's rule.
    pub tokens: u64,
}

/// The next request sent to every arm of the compare set.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareDraft {
    pub labels: Vec<String>,
    /// Every arm's input at its price (see [`crate::compare::min_cost`]).
    pub min_cost: f64,
    /// Some arm's price is unknown (left out of `min_cost`).
    pub cost_unknown: bool,
}

impl DraftEstimate {
    /// `tokens / window`, when the window is known.
    pub fn fraction(&self) -> Option<f64> {
        self.window
            .filter(|w| *w > 0)
            .map(|w| self.tokens as f64 / w as f64)
    }
}

/// One turn's numbers for the pane: live while streaming, final after.
#[derive(Clone, Debug, PartialEq)]
pub struct TurnFigures {
    pub number: usize,
    pub model: String,
    pub effort: Option<String>,
    pub state: TurnState,
    /// Exact (server) or estimated (`usage.estimated`) usage.
    pub usage: Usage,
    pub cost: Option<f64>,
    /// Since sending: now while streaming, the end after.
    pub elapsed_ms: Option<u64>,
    pub first_token_ms: Option<u64>,
    pub tokens_per_second: Option<f64>,
    /// How long the model has reasoned (a reasoning model, before any answer text).
    pub reasoning_ms: Option<u64>,
    /// True while reasoning with nothing shown: the reasoning is hidden.
    pub hidden_reasoning: bool,
    /// The pre-send estimate and its relative error against the reported input.
    pub estimate: Option<(u64, f64)>,
    /// Failed before producing anything: not billed.
    pub refused: bool,
}

impl TurnFigures {
    /// The figures of `turn` (number `number`, 1-based) at `elapsed_ms` since it was sent
    /// (only used while it streams).
    pub fn of(turn: &Turn, number: usize, elapsed_ms: Option<u64>) -> TurnFigures {
        let usage = turn.usage();
        let streaming = turn.is_streaming();
        let elapsed_ms = if streaming {
            elapsed_ms
        } else {
            turn.timings.done_ms
        };
        let tokens_per_second = match (streaming, turn.first_token_ms(), elapsed_ms) {
            (false, _, _) => turn.tokens_per_second(),
            (true, Some(first), Some(now)) if now > first && usage.output > 0 => {
                Some(usage.output as f64 * 1000.0 / (now - first) as f64)
            }
            _ => None,
        };
        let reasoning_ms = if turn.spec.reasoning_model || !turn.reasoning.is_empty() {
            elapsed_ms.map(|now| turn.thinking_ms(now))
        } else {
            None
        };
        TurnFigures {
            number,
            model: turn.spec.model.clone(),
            effort: turn.spec.effort.clone(),
            state: turn.state.clone(),
            usage,
            cost: turn.cost(),
            elapsed_ms,
            first_token_ms: turn.first_token_ms(),
            tokens_per_second,
            reasoning_ms,
            hidden_reasoning: streaming
                && turn.spec.reasoning_model
                && turn.reasoning.is_empty()
                && turn.answer.is_empty(),
            estimate: estimate_error(turn).map(|e| (adjusted_prompt_estimate(turn), e)),
            refused: turn.refused(),
        }
    }
}

impl ArmFigures {
    fn of(turn: &Turn) -> ArmFigures {
        let u = turn.usage();
        ArmFigures {
            label: turn.arm_label(),
            state: turn.state.clone(),
            output: u.output,
            estimated: u.estimated,
            cost: turn.cost(),
        }
    }
}

/// Which moment the pane shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Nothing streams: the next request's estimate (and the last turn, if any).
    Drafting,
    /// A turn streams: its live figures.
    Streaming,
}

/// Everything the pane draws, as plain data.
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    pub phase: Phase,
    pub draft: DraftEstimate,
    /// The streaming turn, or else the last turn.
    pub turn: Option<TurnFigures>,
    pub totals: Totals,
    pub rate_limit: Option<RateLimitInfo>,
    /// While a comparison streams: each arm's figures (then `turn` is `None`).
    pub arms: Vec<ArmFigures>,
}

/// One arm of a streaming comparison, for the pane: `1 o3-mini@low ✓ 1,024 tok ~$0.0031`.
#[derive(Clone, Debug, PartialEq)]
pub struct ArmFigures {
    pub label: String,
    pub state: TurnState,
    /// Output tokens so far (reasoning included), and whether estimated.
    pub output: u64,
    pub estimated: bool,
    pub cost: Option<f64>,
}

/// The meter's caches. Call [`Meter::update`] whenever the draft or the conversation may
/// have changed (cheap when nothing did); [`Meter::panel`] then reads them.
#[derive(Clone, Debug, Default)]
pub struct Meter {
    /// Fingerprint of the turns, the system prompt, the image rule (history images count by
    /// the model chosen now), and the raw history tokens they gave.
    history: Option<(Fingerprint, Option<String>, ImageRule, u64)>,
    /// The draft text counted last and its raw tokens.
    draft: Option<(String, u64)>,
    /// Totals of every turn but the last, and the fingerprint of those turns.
    settled: Option<(Fingerprint, Totals)>,
    history_counts: u64,
    draft_counts: u64,
    /// The attachments counted last (by hash, with the image rule): raw text tokens, image
    /// tokens, how many files and images.
    files: Option<(Vec<String>, ImageRule, u64, u64, usize, usize)>,
    /// Never wait for the tokenizer to load: count nothing until it is loaded (set by the
    /// runtime, which loads it in the background when [`Meter::waiting`] says so).
    pub defer_until_loaded: bool,
    /// Some count was put off because the tokenizer is not loaded yet.
    waiting: bool,
}

impl Meter {
    pub fn new() -> Meter {
        Meter::default()
    }

    /// Bring the caches up to date with `session` and the composer's `draft`. Recounts the
    /// history only when the conversation changed, the draft only when its text changed.
    pub fn update(&mut self, session: &Session, draft: &str) {
        self.waiting = false;
        let turns = &session.conversation.turns;
        // A streaming turn is never sent back, so its deltas must not invalidate the count.
        let sent_back = match turns.last() {
            Some(last) if last.is_streaming() => &turns[..turns.len() - 1],
            _ => &turns[..],
        };
        let print = Fingerprint::of(sent_back);
        let system = &session.settings.system;
        let rule = session.settings.quirks().image_rule;
        let fresh =
            matches!(&self.history, Some((p, s, r, _)) if *p == print && s == system && *r == rule);
        if !fresh && self.put_off(system.is_some() || !sent_back.is_empty()) {
            // Counted once the tokenizer is loaded (the cache stays stale until then).
        } else if !fresh {
            let mut raw = REQUEST_OVERHEAD_TOKENS;
            if let Some(system) = system {
                raw += usage::estimate_tokens(system) + MESSAGE_OVERHEAD_TOKENS;
            }
            for message in session.conversation.history() {
                raw += usage::estimate_tokens(&message.content) + MESSAGE_OVERHEAD_TOKENS;
                raw += (message.images.iter())
                    .map(|i| crate::attach::image::tokens(rule, i.width, i.height))
                    .sum::<u64>();
            }
            self.history = Some((print, system.clone(), rule, raw));
            self.history_counts += 1;
        }
        self.update_draft(draft);
        let settled = &turns[..turns.len().saturating_sub(1)];
        let print = Fingerprint::of(settled);
        if !matches!(&self.settled, Some((p, _)) if *p == print) {
            self.settled = Some((print, Totals::of(settled)));
        }
    }

    /// Recount the draft alone (when only the composer changed): O(draft).
    pub fn update_draft(&mut self, draft: &str) {
        if matches!(&self.draft, Some((text, _)) if text == draft)
            || self.put_off(!draft.is_empty())
        {
            return;
        }
        let raw = usage::estimate_tokens(draft) + MESSAGE_OVERHEAD_TOKENS;
        match &mut self.draft {
            Some((text, tokens)) => {
                text.clear();
                text.push_str(draft);
                *tokens = raw;
            }
            None => self.draft = Some((draft.to_string(), raw)),
        }
        self.draft_counts += 1;
    }

    /// Recount the attachments when they (or the model's image rule) changed: text files by
    /// the tokenizer, images by the rule of the model chosen now.
    pub fn update_files(&mut self, session: &Session, attachments: &[Attachment]) {
        let rule = session.settings.quirks().image_rule;
        let hashes: Vec<&str> = attachments.iter().map(|a| a.hash.as_str()).collect();
        if matches!(&self.files, Some((h, r, ..)) if *r == rule && h.iter().map(String::as_str).eq(hashes.iter().copied()))
        {
            return;
        }
        let (text, images): (Vec<&Attachment>, Vec<&Attachment>) =
            attachments.iter().partition(|a| !a.is_image());
        let text_raw = text.iter().map(|a| a.estimated_tokens(rule)).sum();
        let image_tokens = images.iter().map(|a| a.estimated_tokens(rule)).sum();
        self.files = Some((
            hashes.into_iter().map(str::to_string).collect(),
            rule,
            text_raw,
            image_tokens,
            attachments.len(),
            images.len(),
        ));
    }

    /// Whether a count that `needs_tokenizer` is put off (see [`Meter::defer_until_loaded`]).
    fn put_off(&mut self, needs_tokenizer: bool) -> bool {
        let put_off = needs_tokenizer && self.defer_until_loaded && !usage::tokenizer_loaded();
        self.waiting |= put_off;
        put_off
    }

    /// Whether the last [`Meter::update`] put a count off until the tokenizer is loaded.
    pub fn waiting(&self) -> bool {
        self.waiting
    }

    /// How many times the history has been counted (for tests and benchmarks).
    pub fn history_counts(&self) -> u64 {
        self.history_counts
    }

    /// How many times the draft has been counted.
    pub fn draft_counts(&self) -> u64 {
        self.draft_counts
    }

    /// Raw (`o200k_base`, unscaled) tokens of the next request: history + system + draft.
    pub fn raw_request_tokens(&self) -> u64 {
        let history = self.history.as_ref().map(|h| h.3).unwrap_or(0);
        let draft = self
            .draft
            .as_ref()
            .map(|d| d.1)
            .unwrap_or(MESSAGE_OVERHEAD_TOKENS);
        history + draft
    }

    /// The next request's estimate for the model chosen in `session` now.
    pub fn draft_estimate(&self, session: &Session) -> DraftEstimate {
        let s = &session.settings;
        let family = Family::of(&s.endpoint.provider, &s.model);
        let (text_files, image_files, count, images) = match &self.files {
            Some((_, _, text, image, count, images)) => (*text, *image, *count, *images),
            None => (0, 0, 0, 0),
        };
        let tokens = family.scale(self.raw_request_tokens() + text_files) + image_files;
        let draft_raw = self.draft.as_ref().map(|d| d.1).unwrap_or(0);
        let draft_tokens = family.scale(draft_raw + text_files) + image_files;
        let files = FilesEstimate {
            count,
            images,
            tokens: family.scale(text_files) + image_files,
        };
        DraftEstimate {
            model: s.model.clone(),
            tokens,
            draft_tokens,
            family,
            window: s.model_info.as_ref().and_then(|m| m.context_window),
            min_cost: s.price().map(|p| tokens as f64 * p.input / 1_000_000.0),
            max_output: s.max_output_tokens,
            compare: None,
            files,
        }
    }

    /// The next request sent to every arm of `arms`: the same input estimate the confirm
    /// prompt uses, at each arm's price.
    pub fn compare_draft(&self, arms: &[crate::compare::Arm]) -> CompareDraft {
        let (min_cost, cost_unknown) = crate::compare::min_cost(arms, self.raw_request_tokens());
        CompareDraft {
            labels: arms.iter().map(|a| a.label.clone()).collect(),
            min_cost,
            cost_unknown,
        }
    }

    /// Session totals: the cached settled turns plus the last turn, live.
    pub fn totals(&self, session: &Session) -> Totals {
        let turns = &session.conversation.turns;
        let settled = &turns[..turns.len().saturating_sub(1)];
        let mut totals = match &self.settled {
            Some((print, totals)) if *print == Fingerprint::of(settled) => totals.clone(),
            _ => Totals::of(settled),
        };
        if let Some(last) = turns.last() {
            totals.add(last);
        }
        totals
    }

    /// Everything the pane shows for `app` now.
    pub fn panel(&self, ctx: &Ctx) -> Panel {
        let session = ctx.session;
        let turns = &session.conversation.turns;
        let active = ctx
            .active_elapsed()
            .and_then(|(id, elapsed)| Some((turns.iter().rposition(|t| t.id == id)?, elapsed)));
        let arms: Vec<ArmFigures> = match active {
            Some((idx, _)) if turns[idx].arm.is_some() => {
                let conv = &session.conversation;
                (conv.shown_arms(conv.group(idx)).into_iter())
                    .map(|i| ArmFigures::of(&turns[i]))
                    .collect()
            }
            _ => Vec::new(),
        };
        let streaming = active
            .filter(|_| arms.is_empty())
            .map(|(idx, elapsed)| TurnFigures::of(&turns[idx], idx + 1, Some(elapsed)));
        let phase = if streaming.is_some() || !arms.is_empty() {
            Phase::Streaming
        } else {
            Phase::Drafting
        };
        // After a comparison, its kept arm (the answer the conversation goes on from).
        let turn = streaming.or_else(|| {
            let last = turns.len().checked_sub(1).filter(|_| arms.is_empty())?;
            let conv = &session.conversation;
            let shown = match turns[last].arm {
                Some(_) => conv.kept_arm(conv.group(last))?,
                None => last,
            };
            Some(TurnFigures::of(&turns[shown], shown + 1, None))
        });
        Panel {
            phase,
            draft: DraftEstimate {
                compare: ctx.compare_set.map(|arms| self.compare_draft(arms)),
                ..self.draft_estimate(session)
            },
            turn,
            totals: self.totals(session),
            rate_limit: ctx.rate_limit.cloned(),
            arms,
        }
    }
}

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;
