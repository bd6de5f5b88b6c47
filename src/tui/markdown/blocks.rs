//! The data a rendered chunk of markdown is described by: how a chunk continues the document
//! ([`Start`]), where its top-level blocks begin ([`TopBlock`]), its link definitions and how
//! its references resolved, and the lines it produced ([`Output`]). Plain data shared by the
//! chunk driver (`chunk`), the block renderer (`render`) and the stitching in `mod.rs`.

use std::collections::HashMap;

use pulldown_cmark::Options;
use ratatui::text::Line;

use super::CodeBlock;
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
}
