//! A code block still streaming, extended line by line.
//!
//! When the open tail of a [`StreamingMarkdown`](super::StreamingMarkdown) is exactly one
//! top-level fenced code block that has not closed, every byte that arrives can only add code to
//! it until a closing fence comes: the block's lines so far stay as they are, and only the new
//! complete lines, the unfinished last line and the bottom border need drawing. [`OpenFence`]
//! does that, so a long code block costs O(new text) per frame instead of a parse and a render
//! of the whole block.
//!
//! Invariants: an [`OpenFence`] is only made from a tail the full renderer has just drawn (so
//! the fence, its language and its number are the parser's), starting at the tail's first byte
//! with no indentation, holding no `\r` or NUL, and with no line that could close it. It gives
//! up (and the tail is drawn in full again) as soon as new text holds a line that could close
//! the block (a closing fence by CommonMark's rule), a `\r` or a NUL, or the highlighter lost
//! its place. An unfinished last line of only spaces is left out, as the parser does (one of blanks
//! with a tab is drawn in full). The lines it keeps are those the full renderer gives, exactly.

use ratatui::text::{Line, Span};

use super::CodeBlock;
use super::blocks::Draw;
use super::code::{FrameStyle, body_line, bottom};
use crate::tui::compact::{CompactLine, Styles};
use crate::tui::highlight::IncrementalHighlighter;
use crate::tui::theme::Theme;

/// The state of a tail that is one open fenced code block.
#[derive(Clone, Debug)]
pub(crate) struct OpenFence {
    fence: char,
    fence_len: usize,
    lang: String,
    /// Tail bytes drawn as complete lines (the fence line and the code lines so far).
    done: usize,
    /// Tail bytes copied into the reported code block.
    copied: usize,
    /// Lines at the end of the tail's lines redrawn with each extension: the unfinished code
    /// line (if any) and the bottom border.
    volatile: usize,
}

impl OpenFence {
    /// The open block `tail` is, if it is one: `tail` was just rendered whole, and is one top
    /// level block (`single_top_block`); `open_fence` is the language and code length of its
    /// last block if that is a top-level fence running to the end. The code must be all the
    /// text after the fence line, but for an unfinished last line of spaces, which the parser
    /// leaves out.
    pub(crate) fn detect(
        tail: &str,
        single_top_block: bool,
        open_fence: Option<(&str, usize)>,
        memo: &IncrementalHighlighter,
        theme: &Theme,
    ) -> Option<OpenFence> {
        let (lang, code_len) = open_fence.filter(|_| single_top_block)?;
        if tail.contains(['\r', '\0']) {
            return None;
        }
        let fence = tail.chars().next().filter(|c| *c == '`' || *c == '~')?;
        let fence_len = tail.chars().take_while(|c| *c == fence).count();
        let first_end = tail.find('\n')? + 1;
        let done = tail.rfind('\n').map_or(0, |i| i + 1);
        // The parser leaves out an unfinished last line of spaces.
        if is_tabbed_blank(&tail[done..]) {
            return None;
        }
        let code_end = if is_blank(&tail[done..]) {
            done
        } else {
            tail.len()
        };
        let code = &tail[first_end..code_end];
        if fence_len < 3
            || code.len() != code_len
            || code
                .split_inclusive('\n')
                .any(|l| closes(l, fence, fence_len))
        {
            return None;
        }
        let lang = lang.to_string();
        if !memo.continues(done - first_end, &lang, theme) {
            return None;
        }
        Some(OpenFence {
            fence,
            fence_len,
            lang,
            done,
            copied: code_end,
            volatile: if done < code_end { 2 } else { 1 },
        })
    }

    /// Brings `lines` (the tail's lines) and `block` (its code block, if reported) up to the
    /// grown `tail`. Returns false, changing nothing, when the block may have closed: then the
    /// tail must be drawn in full.
    pub(crate) fn extend(
        &mut self,
        tail: &str,
        (lines, styles): (&mut Vec<CompactLine>, &mut Styles),
        block: Option<&mut CodeBlock>,
        memo: &mut IncrementalHighlighter,
        draw: &Draw<'_>,
    ) -> bool {
        let Some(fresh) = tail.get(self.done..) else {
            return false;
        };
        if fresh.contains(['\r', '\0'])
            || fresh
                .split_inclusive('\n')
                .any(|l| closes(l, self.fence, self.fence_len))
            || lines.len() < self.volatile
        {
            return false;
        }
        let complete = fresh.rfind('\n').map_or(0, |i| i + 1);
        let (new, mut partial) = fresh.split_at(complete);
        // An unfinished last line of spaces is not code yet to the parser: it is drawn (and
        // copied) once it holds more.
        if is_tabbed_blank(partial) {
            return false;
        }
        let code_end = if is_blank(partial) {
            partial = "";
            self.done + complete
        } else {
            tail.len()
        };
        let Some((new_lines, partial_line)) = memo.more_lines(new, partial, &self.lang, draw.theme)
        else {
            return false;
        };
        let style = FrameStyle::of(draw.theme);
        lines.truncate(lines.len() - self.volatile);
        let mut framed = |line: &Line<'static>| {
            let mut spans = body_line(line, draw.width, &style);
            if draw.thinking {
                for span in &mut spans {
                    span.style = span.style.patch(draw.theme.thinking);
                }
            }
            CompactLine::pack(&Line::from(spans), styles)
        };
        lines.extend(new_lines.iter().map(&mut framed));
        self.volatile = 1;
        if let Some(line) = &partial_line {
            lines.push(framed(line));
            self.volatile = 2;
        }
        let mut end: Vec<Span<'static>> = bottom(draw.width, &style);
        if draw.thinking {
            for span in &mut end {
                span.style = span.style.patch(draw.theme.thinking);
            }
        }
        lines.push(CompactLine::pack(&Line::from(end), styles));
        if let Some(block) = block {
            block.code.push_str(&tail[self.copied..code_end]);
        }
        self.copied = code_end;
        self.done += complete;
        true
    }
}

/// Whether `partial` is an unfinished line of only spaces (not empty), which the parser
/// leaves out of the code.
fn is_blank(partial: &str) -> bool {
    !partial.is_empty() && partial.chars().all(|c| c == ' ')
}

/// Whether `partial` is an unfinished line of spaces and tabs with a tab: how the parser
/// takes it depends on the tab's column, so such a line is drawn in full.
fn is_tabbed_blank(partial: &str) -> bool {
    partial.contains('\t') && partial.chars().all(|c| c == ' ' || c == '\t')
}

/// Whether `line` could close a fence of `len` × `fence`: up to three spaces, at least `len`
/// fence characters, then only spaces or tabs.
fn closes(line: &str, fence: char, len: usize) -> bool {
    let line = line.strip_suffix('\n').unwrap_or(line);
    let body = line.trim_start_matches(' ');
    if line.len() - body.len() > 3 {
        return false;
    }
    let run = body.chars().take_while(|c| *c == fence).count();
    run >= len
        && body[run * fence.len_utf8()..]
            .trim_matches([' ', '\t'])
            .is_empty()
}

#[cfg(test)]
mod tests {
    use super::closes;

    #[test]
    fn closing_fences_follow_commonmark() {
        assert!(closes("```\n", '`', 3));
        assert!(closes("   ````  \n", '`', 3));
        assert!(closes("```", '`', 3));
        assert!(!closes("    ```\n", '`', 3));
        assert!(!closes("``\n", '`', 3));
        assert!(!closes("```rust\n", '`', 3));
        assert!(!closes("~~~\n", '`', 3));
        assert!(!closes("```\n", '`', 4));
        assert!(closes("~~~~\t\n", '~', 4));
    }
}
