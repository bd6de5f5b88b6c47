//! One chunk of a document rendered, with what is needed to stitch chunks together.
//!
//! A document can be rendered in one go or as consecutive chunks split at top-level block
//! starts, with the same lines, provided each chunk is told how it continues ([`Start`]):
//! whether lines were already produced before it, which number its first code block gets, and
//! the reference-link definitions of other chunks — those of earlier chunks as a `preamble` of
//! definitions parsed before the chunk (so they win over later ones, as the first definition
//! of a label does), those of later chunks through `refdefs`, consulted only for references
//! nothing else resolves. In return the [`Output`] lists where each top-level block starts
//! (source offset, line index, code block count), the link definitions found, and how each
//! reference link was resolved.
//!
//! Invariants: all offsets in the output are relative to the chunk, not the preamble; the
//! preamble itself produces no lines and no blocks.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{BrokenLink, CowStr, Event, Options, Parser};
use ratatui::text::Line;

use super::CodeBlock;
use super::render::Renderer;
use crate::tui::highlight::IncrementalHighlighter;
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
}

/// Renders one chunk of a document. `memo` (if any) highlights a code block that runs to the
/// end of the chunk — the one still streaming.
pub(crate) fn render_chunk(
    src: &str,
    start: &Start<'_>,
    memo: Option<&mut IncrementalHighlighter>,
) -> Output {
    let joined;
    let (src, shift) = if start.preamble.is_empty() {
        (src, 0)
    } else {
        joined = format!("{}\n{src}", start.preamble);
        (joined.as_str(), start.preamble.len() + 1)
    };
    let mut broken: Vec<(usize, String, bool)> = Vec::new();
    let (events, refdefs) = {
        let callback = |link: BrokenLink<'_>| {
            let label = normalize_label(&link.reference);
            let found = start.refdefs.and_then(|m| m.get(&label));
            broken.push((link.span.start, label, found.is_some()));
            found.map(|(dest, title)| (CowStr::from(dest.clone()), CowStr::from(title.clone())))
        };
        let parser = Parser::new_with_broken_link_callback(src, parser_options(), Some(callback));
        let mut iter = parser.into_offset_iter();
        let events: Vec<(Event<'_>, Range<usize>)> = iter.by_ref().collect();
        let mut defs: Vec<Def> = iter
            .reference_definitions()
            .iter()
            .filter(|(_, def)| def.span.start >= shift)
            .map(|(label, def)| Def {
                offset: def.span.start - shift,
                label: normalize_label(label),
                raw: label.to_string(),
                dest: def.dest.to_string(),
                title: def.title.as_deref().unwrap_or_default().to_string(),
            })
            .collect();
        defs.sort_by_key(|d| d.offset);
        (events, defs)
    };
    let mut out = Renderer::new(src, start, memo).run(&events);
    out.refdefs = refdefs;
    for (offset, label, found) in broken {
        if !found {
            out.refs.push((offset, label, RefUse::Broken));
        }
    }
    for top in &mut out.tops {
        top.offset = top.offset.saturating_sub(shift);
        top.end = top.end.saturating_sub(shift);
    }
    for r in &mut out.refs {
        r.0 = r.0.saturating_sub(shift);
    }
    out.refs.sort_by_key(|r| r.0);
    out
}
