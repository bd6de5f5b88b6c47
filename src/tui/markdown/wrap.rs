//! Word wrapping and clipping of styled text by display width.
//!
//! Inline markdown content arrives as a sequence of [`Piece`]s (styled text and forced breaks);
//! [`wrap`] lays it out greedily into lines no wider than the given width, breaking at ASCII
//! whitespace and hard-breaking words longer than a line. [`clip`] cuts a line to a width
//! without wrapping (code lines).
//!
//! Invariants: widths are display columns (unicode-width), never bytes or chars; a produced line
//! is wider than the limit only when a single character is (a double-width character in a
//! 1-column line); whitespace at a wrap point is dropped; adjacent text with equal style is
//! merged into one span; all output is owned (`'static`).

use ratatui::style::Style;
use ratatui::text::Span;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// A piece of inline content.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Piece {
    Text(String, Style),
    /// A forced line break.
    Break,
}

/// Display width of a string.
pub(crate) fn width_of(s: &str) -> usize {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        s.len()
    } else {
        UnicodeWidthStr::width(s)
    }
}

/// Spaces to slice from instead of allocating.
const SPACES: &str = "                                                                ";

/// Appends `n` spaces.
fn push_spaces(spans: &mut Vec<Span<'static>>, mut n: usize, style: Style) {
    while n > 0 {
        let k = n.min(SPACES.len());
        push_span(spans, &SPACES[..k], style);
        n -= k;
    }
}

/// Display width of a line's spans.
pub(crate) fn spans_width(spans: &[Span<'_>]) -> usize {
    spans.iter().map(|s| width_of(&s.content)).sum()
}

fn char_width(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(0)
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n')
}

/// Appends text to a span list, merging with the last span when the style is the same.
pub(crate) fn push_span(spans: &mut Vec<Span<'static>>, text: &str, style: Style) {
    if text.is_empty() {
        return;
    }
    match spans.last_mut() {
        Some(last) if last.style == style => last.content.to_mut().push_str(text),
        _ => spans.push(Span::styled(text.to_string(), style)),
    }
}

/// Replaces control characters (other than tab and newline) so they cannot reach the terminal.
pub(crate) fn sanitize(text: &str) -> std::borrow::Cow<'_, str> {
    crate::text::sanitize(text)
}

/// Lays pieces out in lines of at most `width` columns (`width` 0 counts as 1).
pub(crate) fn wrap(pieces: &[Piece], width: usize) -> Vec<Vec<Span<'static>>> {
    let mut w = Wrapper {
        width: width.max(1),
        ..Wrapper::default()
    };
    for piece in pieces {
        match piece {
            Piece::Break => {
                w.end_word();
                w.new_line();
            }
            Piece::Text(text, style) => {
                let mut rest = text.as_str();
                while let Some(first) = rest.chars().next() {
                    let spacey = is_space(first);
                    let end = rest.find(|c| is_space(c) != spacey).unwrap_or(rest.len());
                    let (run, tail) = rest.split_at(end);
                    if spacey {
                        w.end_word();
                        w.push_space(run.chars().count(), *style);
                    } else {
                        w.push_word(run, *style);
                    }
                    rest = tail;
                }
            }
        }
    }
    w.end_word();
    if !w.line.is_empty() {
        w.lines.push(std::mem::take(&mut w.line));
    }
    w.lines
}

#[derive(Default)]
struct Wrapper<'p> {
    width: usize,
    lines: Vec<Vec<Span<'static>>>,
    line: Vec<Span<'static>>,
    line_w: usize,
    /// Whitespace waiting between the line so far and the next word.
    space: Vec<(usize, Style)>,
    space_w: usize,
    /// The word being collected (may span several styles).
    word: Vec<(&'p str, Style)>,
    word_w: usize,
}

impl<'p> Wrapper<'p> {
    fn new_line(&mut self) {
        self.lines.push(std::mem::take(&mut self.line));
        self.line_w = 0;
        self.space.clear();
        self.space_w = 0;
    }

    fn push_space(&mut self, n: usize, style: Style) {
        if self.line.is_empty() {
            return;
        }
        self.space.push((n, style));
        self.space_w += n;
    }

    fn push_word(&mut self, text: &'p str, style: Style) {
        self.word_w += width_of(text);
        self.word.push((text, style));
    }

    fn end_word(&mut self) {
        if self.word.is_empty() {
            return;
        }
        let mut word = std::mem::take(&mut self.word);
        let word_w = std::mem::take(&mut self.word_w);
        if !self.line.is_empty() && self.line_w + self.space_w + word_w <= self.width {
            for &(n, style) in &self.space {
                push_spaces(&mut self.line, n, style);
            }
            self.line_w += self.space_w;
        } else if !self.line.is_empty() {
            self.new_line();
        }
        self.space.clear();
        self.space_w = 0;
        if self.line_w + word_w <= self.width {
            for (text, style) in &word {
                push_span(&mut self.line, text, *style);
            }
            self.line_w += word_w;
        } else {
            self.break_word(&word);
        }
        // Keep the buffer's capacity for the next word.
        word.clear();
        self.word = word;
    }

    /// Places a word longer than a line, breaking it wherever the line is full.
    fn break_word(&mut self, word: &[(&'p str, Style)]) {
        for (text, style) in word {
            let mut start = 0;
            for (i, c) in text.char_indices() {
                let cw = char_width(c);
                if self.line_w + cw > self.width && self.line_w > 0 {
                    push_span(&mut self.line, &text[start..i], *style);
                    start = i;
                    self.new_line();
                }
                self.line_w += cw;
            }
            push_span(&mut self.line, &text[start..], *style);
        }
    }
}

/// Cuts spans to at most `width` columns. When something was cut and `ellipsis` is given, the
/// last column shows `…` in that style. Returns the spans and whether anything was cut.
pub(crate) fn clip(
    spans: &[Span<'_>],
    width: usize,
    ellipsis: Option<Style>,
) -> (Vec<Span<'static>>, bool) {
    let total = spans_width(spans);
    if total <= width {
        let owned = spans
            .iter()
            .map(|s| Span::styled(s.content.to_string(), s.style))
            .collect();
        return (owned, false);
    }
    let budget = match ellipsis {
        Some(_) => width.saturating_sub(1),
        None => width,
    };
    let mut out = Vec::new();
    let mut used = 0;
    'spans: for span in spans {
        let mut end = 0;
        for (i, c) in span.content.char_indices() {
            let cw = char_width(c);
            if used + cw > budget {
                push_span(&mut out, &span.content[..i], span.style);
                break 'spans;
            }
            used += cw;
            end = i + c.len_utf8();
        }
        push_span(&mut out, &span.content[..end], span.style);
    }
    if let Some(style) = ellipsis
        && width > 0
    {
        push_span(&mut out, "…", style);
    }
    (out, true)
}

/// Pads spans with spaces to exactly `width` columns (they must not be wider), placing the
/// padding by alignment: `Left`, `Right` or `Center`.
pub(crate) fn pad(
    spans: Vec<Span<'static>>,
    width: usize,
    align: Align,
    style: Style,
) -> Vec<Span<'static>> {
    let gap = width.saturating_sub(spans_width(&spans));
    let (left, right) = match align {
        Align::Left => (0, gap),
        Align::Right => (gap, 0),
        Align::Center => (gap / 2, gap - gap / 2),
    };
    let mut out = Vec::with_capacity(spans.len() + 2);
    push_spaces(&mut out, left, style);
    out.extend(spans);
    push_spaces(&mut out, right, style);
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
    Center,
}

/// Plain text in one style, wrapped to `width` columns by the same rules as markdown prose
/// (`\n` breaks the line). For the short notices around an answer.
pub fn wrap_text(
    text: &str,
    style: ratatui::style::Style,
    width: u16,
) -> Vec<ratatui::text::Line<'static>> {
    let mut pieces = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            pieces.push(Piece::Break);
        }
        pieces.push(Piece::Text(line.to_string(), style));
    }
    wrap(&pieces, (width as usize).max(1))
        .into_iter()
        .map(ratatui::text::Line::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Vec<Span>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    fn plain(s: &str) -> Vec<Piece> {
        vec![Piece::Text(s.into(), Style::new())]
    }

    #[test]
    fn wraps_on_words_and_breaks_long_ones() {
        assert_eq!(
            text(&wrap(&plain("the quick brown fox jumps"), 10)),
            ["the quick", "brown fox", "jumps"]
        );
        assert_eq!(
            text(&wrap(&plain("abcdefghijkl xy"), 5)),
            ["abcde", "fghij", "kl xy"]
        );
        assert_eq!(text(&wrap(&plain("a b"), 0)), ["a", "b"]);
        assert_eq!(text(&wrap(&plain("日本語"), 1)), ["日", "本", "語"]);
        assert_eq!(text(&wrap(&plain("日本語です"), 4)), ["日本", "語で", "す"]);
    }

    #[test]
    fn styles_merge_and_breaks_are_kept() {
        let bold = Style::new().bold();
        let pieces = vec![
            Piece::Text("a ".into(), Style::new()),
            Piece::Text("b".into(), bold),
            Piece::Text("c".into(), bold),
            Piece::Break,
            Piece::Text("d".into(), Style::new()),
        ];
        let lines = wrap(&pieces, 20);
        assert_eq!(text(&lines), ["a bc", "d"]);
        assert_eq!(lines[0].len(), 2);
    }

    #[test]
    fn clips_with_ellipsis() {
        let spans = vec![Span::raw("hello "), Span::raw("world")];
        let (out, cut) = clip(&spans, 8, Some(Style::new()));
        assert!(cut);
        assert_eq!(text(&[out]), ["hello w…"]);
        let (out, cut) = clip(&spans, 20, Some(Style::new()));
        assert!(!cut);
        assert_eq!(spans_width(&out), 11);
        assert_eq!(text(&[clip(&spans, 0, Some(Style::new())).0]), [""]);
    }
}
