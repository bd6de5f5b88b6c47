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

use pulldown_cmark::{BrokenLink, CowStr, Parser};

use super::blocks::{Def, Output, RefUse, Start, TableInfo, normalize_label, parser_options};
use super::render::Renderer;
use crate::tui::highlight::IncrementalHighlighter;

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
    let (mut out, refdefs) = {
        let callback = |link: BrokenLink<'_>| {
            let label = normalize_label(&link.reference);
            let found = start.refdefs.and_then(|m| m.get(&label));
            broken.push((link.span.start, label, found.is_some()));
            found.map(|(dest, title)| (CowStr::from(dest.clone()), CowStr::from(title.clone())))
        };
        let parser = Parser::new_with_broken_link_callback(src, parser_options(), Some(callback));
        let mut iter = parser.into_offset_iter();
        let out = Renderer::new(src, start, memo).run(&mut iter);
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
        (out, defs)
    };
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

/// The cells of `src` if it is one top-level table and nothing else, without drawing it.
/// `None` for anything else, and for a table using a reference link or image (those depend on
/// definitions elsewhere in the document).
pub(crate) fn table_cells(src: &str, start: &Start<'_>) -> Option<TableInfo> {
    let mut broken = false;
    let callback = |_: BrokenLink<'_>| {
        broken = true;
        None
    };
    let parser = Parser::new_with_broken_link_callback(src, parser_options(), Some(callback));
    let out = Renderer::new(src, start, None)
        .keeping_cells()
        .run(&mut parser.into_offset_iter());
    (!broken && out.refs.is_empty() && out.tops.len() == 1)
        .then_some(out.table)
        .flatten()
}
