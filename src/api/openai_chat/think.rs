//! Splits `<think>…</think>` reasoning out of answer text that arrives in pieces.
//!
//! Some servers put a model's reasoning inside `content`, wrapped in `<think>` tags. The tags
//! may be split anywhere across deltas (`"<thi"` + `"nk>"`). Invariants:
//! - only a `<think>` at the very start of the content (after optional whitespace) opens a
//!   reasoning block; a literal `<think>` later in an answer is answer text;
//! - the tags themselves are never emitted; whitespace right after `<think>` and right after
//!   `</think>` is dropped;
//! - text is held back only while it could still be (part of) a tag, and `finish` releases
//!   whatever is held, so no text is ever lost;
//! - each byte is scanned a bounded number of times (whitespace held at the start is not
//!   scanned again), so the cost is linear in the content;
//! - an unclosed block (the budget ran out mid-thought) stays reasoning.

use crate::api::types::StreamEvent;

const OPEN: &str = "<think>";
const CLOSE: &str = "</think>";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum State {
    /// Nothing but whitespace seen yet: the content may still open with `<think>`.
    #[default]
    Start,
    /// Just after `<think>`: skipping whitespace.
    ThinkLead,
    /// Inside the reasoning block.
    Think,
    /// Just after `</think>`: skipping whitespace.
    AnswerLead,
    /// Plain answer text.
    Text,
}

/// Incremental `<think>` splitter; feed content pieces with [`ThinkSplitter::push`].
#[derive(Clone, Debug, Default)]
pub struct ThinkSplitter {
    state: State,
    held: String,
    /// In `Start`, the bytes of whitespace `held` begins with (not scanned again).
    lead: usize,
}

impl ThinkSplitter {
    pub fn new() -> ThinkSplitter {
        ThinkSplitter::default()
    }

    /// Route one piece of `content` to reasoning or text deltas, appended to `out`.
    pub fn push(&mut self, piece: &str, out: &mut Vec<StreamEvent>) {
        if piece.is_empty() {
            return;
        }
        match self.state {
            State::Start => {
                self.held.push_str(piece);
                let unseen = &self.held[self.lead..];
                self.lead += unseen.len() - unseen.trim_start().len();
                let trimmed = &self.held[self.lead..];
                if let Some(rest) = trimmed.strip_prefix(OPEN) {
                    let rest = rest.to_string();
                    self.held.clear();
                    self.state = State::ThinkLead;
                    self.push(&rest, out);
                } else if trimmed.is_empty() || OPEN.starts_with(trimmed) {
                    // Still whitespace, or a tag in the making: wait for more.
                } else {
                    self.state = State::Text;
                    text(std::mem::take(&mut self.held), out);
                }
            }
            State::ThinkLead | State::AnswerLead => {
                let trimmed = piece.trim_start();
                if !trimmed.is_empty() {
                    self.state = if self.state == State::ThinkLead {
                        State::Think
                    } else {
                        State::Text
                    };
                    self.push(trimmed, out);
                }
            }
            State::Think => {
                self.held.push_str(piece);
                if let Some(at) = self.held.find(CLOSE) {
                    let rest = self.held[at + CLOSE.len()..].to_string();
                    self.held.truncate(at);
                    reasoning(std::mem::take(&mut self.held), out);
                    self.state = State::AnswerLead;
                    self.push(&rest, out);
                } else {
                    let keep = partial_close_len(&self.held);
                    let held = std::mem::take(&mut self.held);
                    let (done, pending) = held.split_at(held.len() - keep);
                    self.held = pending.to_string();
                    reasoning(done.to_string(), out);
                }
            }
            State::Text => text(piece.to_string(), out),
        }
    }

    /// Bytes held back (text that may still turn out to be a tag).
    pub fn held(&self) -> usize {
        self.held.len()
    }

    /// The content ended: release anything held back.
    pub fn finish(&mut self, out: &mut Vec<StreamEvent>) {
        let held = std::mem::take(&mut self.held);
        match self.state {
            State::Start => text(held, out),
            State::Think => reasoning(held, out),
            _ => {}
        }
    }
}

/// Length of the longest suffix of `s` that could be the start of `</think>`.
fn partial_close_len(s: &str) -> usize {
    (1..CLOSE.len().min(s.len() + 1))
        .rev()
        .find(|&k| s.is_char_boundary(s.len() - k) && CLOSE.starts_with(&s[s.len() - k..]))
        .unwrap_or(0)
}

fn text(s: String, out: &mut Vec<StreamEvent>) {
    if !s.is_empty() {
        out.push(StreamEvent::TextDelta(s));
    }
}

fn reasoning(s: String, out: &mut Vec<StreamEvent>) {
    if !s.is_empty() {
        out.push(StreamEvent::ReasoningDelta(s));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feed the pieces, then return (reasoning, text) and the number of events.
    fn split(pieces: &[&str]) -> (String, String) {
        let mut s = ThinkSplitter::new();
        let mut out = Vec::new();
        for p in pieces {
            s.push(p, &mut out);
        }
        s.finish(&mut out);
        let mut r = String::new();
        let mut t = String::new();
        for ev in out {
            match ev {
                StreamEvent::ReasoningDelta(x) => r.push_str(&x),
                StreamEvent::TextDelta(x) => t.push_str(&x),
                other => panic!("unexpected {other:?}"),
            }
        }
        (r, t)
    }

    #[test]
    fn whole_tags() {
        let got = split(&["<think>\nLet me see.\n</think>\n\nParis."]);
        assert_eq!(got, ("Let me see.\n".into(), "Paris.".into()));
    }

    #[test]
    fn tags_split_everywhere() {
        let text = "  <think>abc</think>xyz";
        for i in 1..text.len() {
            for j in i..text.len() {
                let got = split(&[&text[..i], &text[i..j], &text[j..]]);
                assert_eq!(got, ("abc".into(), "xyz".into()), "split at {i},{j}");
            }
        }
    }

    #[test]
    fn split_open_tag() {
        assert_eq!(
            split(&["<thi", "nk>", "hmm", "</th", "ink>", "ok"]),
            ("hmm".into(), "ok".into())
        );
    }

    #[test]
    fn literal_tag_later_is_text() {
        let got = split(&["Use ", "<think>", " tags</think>."]);
        assert_eq!(got, (String::new(), "Use <think> tags</think>.".into()));
    }

    #[test]
    fn lookalikes_are_text() {
        assert_eq!(
            split(&["<thi", "s is html>"]),
            (String::new(), "<this is html>".into())
        );
        assert_eq!(split(&["<t"]), (String::new(), "<t".into()));
        assert_eq!(split(&["\n"]), (String::new(), "\n".into()));
        assert_eq!(
            split(&["<think>a</thinking> b"]),
            ("a</thinking> b".into(), String::new())
        );
    }

    #[test]
    fn unclosed_block_stays_reasoning() {
        assert_eq!(
            split(&["<think>still going</th"]),
            ("still going</th".into(), String::new())
        );
    }

    #[test]
    fn reasoning_streams_while_open() {
        let mut s = ThinkSplitter::new();
        let mut out = Vec::new();
        s.push("<think>one ", &mut out);
        s.push("two <", &mut out);
        assert_eq!(
            out,
            [
                StreamEvent::ReasoningDelta("one ".into()),
                StreamEvent::ReasoningDelta("two ".into())
            ]
        );
    }

    /// Whitespace that may still come before `<think>` is held; each piece is scanned once,
    /// not the whole of what is held (which took minutes here: quadratic).
    #[test]
    fn endless_leading_whitespace_is_linear() {
        let started = std::time::Instant::now();
        let mut s = ThinkSplitter::new();
        let mut out = Vec::new();
        let blank = " ".repeat(100);
        for _ in 0..100_000 {
            s.push(&blank, &mut out);
        }
        assert!(out.is_empty() && s.held() == 10_000_000);
        s.push("<think>x</think>y", &mut out);
        assert_eq!(
            out,
            [
                StreamEvent::ReasoningDelta("x".into()),
                StreamEvent::TextDelta("y".into())
            ]
        );
        let took = started.elapsed();
        assert!(took < std::time::Duration::from_secs(10), "{took:?}");
    }

    #[test]
    fn multibyte_text_near_tags() {
        let got = split(&["<think>é°</", "think>ü"]);
        assert_eq!(got, ("é°".into(), "ü".into()));
    }
}
