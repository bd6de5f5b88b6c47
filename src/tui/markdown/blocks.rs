//! The data a rendered chunk of markdown is described by: how a chunk continues the document
//! ([`Start`]), where its top-level blocks begin ([`TopBlock`]), its link definitions and how
//! its references resolved, and the lines it produced ([`Output`]). Plain data shared by the
//! chunk driver (`chunk`), the block renderer (`render`) and the stitching in `mod.rs`.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{Alignment, Options};
use ratatui::text::Line;

use super::CodeBlock;
use super::table::Cell;
use crate::tui::theme::Theme;

/// Reference-link definitions by normalized label: destination and title.
pub(crate) type RefMap = HashMap<String, (String, String)>;

pub(crate) fn parser_options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// A link label as pulldown-cmark matches it: case-insensitive, whitespace collapsed.
pub(crate) fn normalize_label(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// How this chunk continues the document.
pub(crate) struct Start<'a> {
    pub width: usize,
    pub theme: &'a Theme,
    pub thinking: bool,
    /// The number the next code block gets.
    pub next_code: usize,
    /// Whether earlier chunks produced lines (so the first block needs a blank line before it).
    pub prior_output: bool,
    /// Definitions from later chunks, used for references nothing else resolves.
    pub refdefs: Option<&'a RefMap>,
    /// Definitions from earlier chunks, as markdown (see [`definition_line`]), parsed before
    /// the chunk; empty for none.
    pub preamble: &'a str,
}

/// Everything the extension of an open block (`open_fence`, `open_table`) draws with.
pub(crate) struct Draw<'a> {
    pub width: usize,
    pub theme: &'a Theme,
    pub thinking: bool,
}

impl Draw<'_> {
    /// How a small document of its own, drawn the same way, starts: alone, at the top.
    pub(crate) fn start(&self) -> Start<'_> {
        Start {
            width: self.width,
            theme: self.theme,
            thinking: self.thinking,
            next_code: 1,
            prior_output: false,
            refdefs: None,
            preamble: "",
        }
    }
}

/// A link definition found in a chunk.
#[derive(Clone, Debug)]
pub(crate) struct Def {
    pub offset: usize,
    /// Normalized label.
    pub label: String,
    /// The label as the parser keeps it (whitespace collapsed, escapes kept).
    pub raw: String,
    pub dest: String,
    pub title: String,
}

/// A definition as a line of markdown that parses back to the same label and destination.
pub(crate) fn definition_line(raw_label: &str, dest: &str) -> String {
    let mut line = format!("[{raw_label}]: <");
    for c in dest.chars() {
        if c.is_ascii_punctuation() {
            line.push('\\');
        }
        line.push(c);
    }
    line.push_str(">\n");
    line
}

/// Where a top-level block begins.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TopBlock {
    /// Byte offset in the chunk.
    pub offset: usize,
    /// Lines produced before it (the separating blank line belongs to it).
    pub line: usize,
    /// Code blocks reported before it.
    pub code: usize,
    /// Byte offset where it ends.
    pub end: usize,
    /// Whether `end` is exact: for lists and quotes the parser's range may run on over link
    /// definitions that follow them.
    pub exact_end: bool,
}

/// How a reference link or image in the chunk was resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RefUse {
    /// By a definition inside the chunk.
    Native(String),
    /// By `Start::refdefs`.
    Borrowed(String),
    /// Not at all (shown as plain text).
    Broken,
}

#[derive(Debug, Default)]
pub(crate) struct Output {
    pub lines: Vec<Line<'static>>,
    pub code_blocks: Vec<CodeBlock>,
    pub tops: Vec<TopBlock>,
    /// The definitions in the chunk, in source order.
    pub refdefs: Vec<Def>,
    /// (offset, label, resolution) of each reference link.
    pub refs: Vec<(usize, String, RefUse)>,
    /// The language and code length (bytes) of the chunk's last block if that is a top-level
    /// fenced code block that runs to its end (still open, or closed by the chunk's last line).
    pub open_fence: Option<(String, usize)>,
    /// The chunk's last top-level table.
    pub table: Option<TableInfo>,
    /// The chunk's last top-level list.
    pub list: Option<ListInfo>,
}

/// A top-level list as rendered: what is needed to extend it item by item (`open_list`).
#[derive(Clone, Debug, Default)]
pub(crate) struct ListInfo {
    /// Its bytes in the chunk.
    pub range: Range<usize>,
    /// A bullet list (not an ordered one).
    pub bullet: bool,
    pub tight: bool,
    /// Where each of its items starts (at its marker) and the lines drawn before it.
    pub items: Vec<(usize, usize)>,
}

/// A top-level table as rendered: what is needed to extend it row by row (`open_table`).
/// "Missing" cells are those the parser adds to a row shorter than the header; it stops a
/// table once it has added 2^18 of them.
#[derive(Clone, Debug, Default)]
pub(crate) struct TableInfo {
    pub aligns: Vec<Alignment>,
    /// Its bytes in the chunk.
    pub range: Range<usize>,
    /// Where its first body row starts (past the row's indentation), if it has one.
    pub body_start: Option<usize>,
    pub body_rows: usize,
    /// Column widths from every row, header included.
    pub natural: Vec<usize>,
    /// The same from every row but the last body row.
    pub natural_before_last: Vec<usize>,
    /// The fitted column widths it was drawn with (empty when its cells were kept instead).
    pub widths: Vec<usize>,
    /// Missing cells in all rows, and in the last body row.
    pub missing: usize,
    pub missing_last: usize,
    /// Lines the last row was drawn on.
    pub last_height: usize,
    /// The body rows' cells, when the renderer was asked to keep them instead of drawing.
    pub cells: Vec<Vec<Cell>>,
}

/// Where the tail can be cut: the start of the line of the last top-level block whose first
/// line is complete and which is cleanly separated from what precedes it — by a blank line, or
/// by nothing at all after a heading, rule, code or HTML block. Link definitions print nothing,
/// so the parser reports no block for them; until a blank line follows one, it and the lines
/// after it may still turn out to be one paragraph. Block starts may point past indentation,
/// hence the cut at the line start.
///
/// Lines end as CommonMark says: LF, CR or CRLF (a lone CR ends a line too, so a block may
/// begin right after one).
pub(crate) fn commit_point(tail: &str, tops: &[TopBlock]) -> Option<TopBlock> {
    let eol = |c: char| c == '\n' || c == '\r';
    (0..tops.len()).rev().find_map(|i| {
        let top = tops[i];
        let line_start = tail
            .get(..top.offset)
            .and_then(|s| s.rfind(eol))
            .map_or(0, |n| n + 1);
        if line_start == 0 || !tail.get(line_start..).is_some_and(|s| s.contains(eol)) {
            return None;
        }
        // The text before, without the line end (one of LF, CR, CRLF) of its last line.
        let before = tail.get(..line_start).unwrap_or_default();
        let before = before.strip_suffix('\n').unwrap_or(before);
        let before = before.strip_suffix('\r').unwrap_or(before);
        let previous_line = &before[before.rfind(eol).map_or(0, |n| n + 1)..];
        let after_blank = previous_line.trim().is_empty();
        let right_after_exact = i > 0 && tops[i - 1].exact_end && {
            let end = tops[i - 1].end.min(line_start);
            tail.get(end..line_start)
                .is_some_and(|gap| gap.trim().is_empty())
        };
        (after_blank || right_after_exact).then_some(TopBlock {
            offset: line_start,
            ..top
        })
    })
}
