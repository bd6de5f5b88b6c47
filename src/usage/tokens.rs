//! Token estimates: the `o200k_base` encoding, loaded once per process and only when an
//! estimate is first needed (never at startup, never for a turn whose server reported its
//! usage), and [`TokenTally`], which counts text arriving in pieces.
//!
//! Invariants:
//! - [`estimate_tokens`] is exact for `o200k_base`: the count of `encode_ordinary`;
//! - [`tokenizer_loaded`] never loads anything, so code that must not wait (a frame, a
//!   streaming turn without a reader) can ask it first.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once the encoding has been loaded (or failed to load): see [`tokenizer_loaded`].
static LOADED: AtomicBool = AtomicBool::new(false);

fn bpe() -> Option<&'static tiktoken_rs::CoreBPE> {
    static BPE: OnceLock<Option<tiktoken_rs::CoreBPE>> = OnceLock::new();
    BPE.get_or_init(|| {
        let bpe = tiktoken_rs::o200k_base().ok();
        LOADED.store(true, Ordering::Release);
        bpe
    })
    .as_ref()
}

/// Whether this process has loaded the encoding: true from the first estimate on. Free to
/// ask (it never loads anything); what callers that must not wait check first, and what
/// proves that a turn whose server reported usage never needed an estimate.
pub fn tokenizer_loaded() -> bool {
    LOADED.load(Ordering::Acquire)
}

/// Load the encoding now, if it is not loaded yet (blocks while it loads): for a thread that
/// loads it in the background before an estimate is needed.
pub fn load_tokenizer() {
    let _ = bpe();
}

/// Estimated token count of `text` with the `o200k_base` encoding (OpenAI's current one).
/// For other model families this is an approximation within a few percent for prose.
/// Falls back to ~4 bytes per token if the encoding cannot be loaded.
pub fn estimate_tokens(text: &str) -> u64 {
    if text.is_empty() {
        return 0;
    }
    match bpe() {
        Some(bpe) => bpe.encode_ordinary(text).len() as u64,
        None => (text.len() as u64).div_ceil(4),
    }
}

/// Bytes of text a [`TokenTally`] keeps at most while it waits for a word boundary.
const TALLY_HOLD: usize = 4096;

/// The token estimate of text that arrives in pieces, without keeping the text. Text is
/// counted up to its last word boundary (a space after a non-space and before a letter or
/// digit), where `o200k_base`'s pre-tokenizer always splits, so the total is
/// [`estimate_tokens`] of the whole text; only text with no such boundary for
/// `TALLY_HOLD` bytes (e.g. CJK) is cut elsewhere, which may count a token more.
#[derive(Clone, Debug, Default)]
pub struct TokenTally {
    counted: u64,
    /// The text after the last boundary.
    pending: String,
}

impl TokenTally {
    pub fn new() -> TokenTally {
        TokenTally::default()
    }

    /// Add a piece of the text.
    pub fn push(&mut self, text: &str) {
        // A boundary needs the character after the space: look from the last byte held.
        let from = self.pending.len().saturating_sub(1);
        self.pending.push_str(text);
        let cut = last_boundary(&self.pending, from).or_else(|| {
            (self.pending.len() > TALLY_HOLD).then(|| {
                let mut at = self.pending.len() - 16;
                while !self.pending.is_char_boundary(at) {
                    at -= 1;
                }
                at
            })
        });
        if let Some(cut) = cut.filter(|&c| c > 0) {
            self.counted += estimate_tokens(&self.pending[..cut]);
            self.pending.drain(..cut);
        }
    }

    /// The estimate of all the text pushed so far.
    pub fn total(&self) -> u64 {
        self.counted + estimate_tokens(&self.pending)
    }
}

/// The last word boundary of `text` at or after byte `from` (see [`TokenTally`]).
fn last_boundary(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    (from.max(1)..bytes.len().saturating_sub(1))
        .rev()
        .find(|&i| {
            bytes[i] == b' '
                && !text[..i].ends_with(char::is_whitespace)
                && text[i + 1..].starts_with(char::is_alphanumeric)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tally_of_pieces_counts_the_whole_text() {
        let text = "Let me think: the user's question (about 42 apples, 3.5 kg) is \
            simple.\n\nFirst, ünïcödé words, \"quotes\" and code `x = y + 1;` — then    spaces \
            and tabs\tand/slashes. Done!";
        for step in [1, 2, 3, 5, 8, 13, 64, 1000] {
            let mut tally = TokenTally::new();
            let mut rest = text;
            while !rest.is_empty() {
                let mut at = step.min(rest.len());
                while !rest.is_char_boundary(at) {
                    at += 1;
                }
                tally.push(&rest[..at]);
                rest = &rest[at..];
                assert!(tally.pending.len() <= TALLY_HOLD);
            }
            assert_eq!(tally.total(), estimate_tokens(text), "pieces of {step}");
        }
        let mut long = TokenTally::new();
        for _ in 0..1000 {
            long.push("word ");
        }
        assert!(long.pending.len() < 16, "only the last word waits");
        assert_eq!(long.total(), estimate_tokens(&"word ".repeat(1000)));
        let mut cjk = TokenTally::new();
        for _ in 0..10_000 {
            cjk.push("思考");
        }
        assert!(cjk.pending.len() <= TALLY_HOLD);
        assert!(cjk.total() > 0);
    }

    #[test]
    fn estimates_tokens() {
        assert_eq!(estimate_tokens(""), 0);
        let n = estimate_tokens("The capital of Mexico is Mexico City.");
        assert!((6..=12).contains(&n), "{n}");
    }
}
