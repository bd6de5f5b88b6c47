//! A bullet list still streaming, extended item by item.
//!
//! When the open tail of a [`StreamingMarkdown`](super::StreamingMarkdown) is exactly one
//! top-level bullet list, and it is tight, an item is finished once the next one begins: its
//! lines can no longer change, as long as the list stays tight (a blank line between items
//! would put blank lines between all of them) and keeps its bullet. So only the last item,
//! the one still open, is rendered again as text arrives, as a small document of its own;
//! the lines before it stay. A long list then costs O(its last item) per frame instead of a
//! parse and a layout of the whole list.
//!
//! Invariants: an [`OpenList`] is only made from a tail the full renderer has just drawn whole,
//! which is one tight top-level bullet list from its first block to its last byte, holding no
//! `\r` or NUL. It gives up (and the tail is drawn in full again) as soon as the text from the
//! open item on is not one tight list of the same bullet running to the end, holds a `\r`, a
//! NUL, a code block that would be numbered, a reference link or a link definition (those
//! reach across the document), or follows a blank line. The lines it keeps are those the full
//! renderer gives, exactly.

use ratatui::text::Line;

use super::blocks::{Draw, ListInfo, TopBlock};
use super::chunk::render_chunk;
use crate::tui::compact::{CompactLine, Styles, pack_all};

/// The state of a tail that is one open bullet list.
#[derive(Clone, Debug)]
pub(crate) struct OpenList {
    /// The bullet its items start with (`-`, `*` or `+`).
    bullet: char,
    /// Where the open (last) item's line starts in the tail.
    open_at: usize,
    /// The tail's lines before it.
    open_line: usize,
}

impl OpenList {
    /// The open list `tail` is, if it is one: `tail` was just rendered whole, its top-level
    /// blocks starting at `tops`, and `list` describes its last top-level list. Its open item
    /// must read as a list of its own too (so that it can be extended).
    pub(crate) fn detect(
        tail: &str,
        tops: &[TopBlock],
        list: Option<&ListInfo>,
        draw: &Draw<'_>,
    ) -> Option<OpenList> {
        let list = list?;
        let [top] = tops else {
            return None;
        };
        if list.range.start != top.offset
            || list.range.end != tail.len()
            || !list.bullet
            || !list.tight
            || tail.contains(['\r', '\0'])
        {
            return None;
        }
        let &(offset, line) = list.items.last()?;
        let open_at = item_line(tail, offset)?;
        let open = OpenList {
            bullet: tail[offset..].chars().next()?,
            open_at,
            open_line: line,
        };
        open.read(&tail[open_at..], draw).map(|_| open)
    }

    /// Brings `lines` (the tail's lines) up to the grown `tail`. Returns false, changing
    /// nothing, when the text from the open item on is not only more of the same list: then
    /// the tail must be drawn in full.
    pub(crate) fn extend(
        &mut self,
        tail: &str,
        (lines, styles): (&mut Vec<CompactLine>, &mut Styles),
        draw: &Draw<'_>,
    ) -> bool {
        let Some(open) = tail.get(self.open_at..) else {
            return false;
        };
        if lines.len() < self.open_line {
            return false;
        }
        let Some((drawn, next_at, next_line)) = self.read(open, draw) else {
            return false;
        };
        lines.truncate(self.open_line);
        lines.extend(pack_all(drawn, styles));
        self.open_at += next_at;
        self.open_line += next_line;
        true
    }

    /// `open` (the text from the open item on) drawn as a list of its own, if it is more of
    /// this list: its lines, and where its last item's line starts and the lines before it.
    fn read(&self, open: &str, draw: &Draw<'_>) -> Option<(Vec<Line<'static>>, usize, usize)> {
        if open.contains(['\r', '\0']) {
            return None;
        }
        let out = render_chunk(open, &draw.start(), None);
        let list = out.list.as_ref()?;
        let same = out.tops.len() == 1
            && list.range.end == open.len()
            && list.bullet
            && list.tight
            && out.refs.is_empty()
            && out.refdefs.is_empty()
            && out.code_blocks.is_empty()
            && list.items.first().is_some_and(|&(offset, line)| {
                line == 0
                    && item_line(open, offset) == Some(0)
                    && open[offset..].starts_with(self.bullet)
            });
        let &(last, last_line) = list.items.last().filter(|_| same)?;
        let next_at = item_line(open, last)?;
        Some((out.lines, next_at, last_line))
    }
}

/// The start of the line an item's marker at `offset` is on, if only indentation precedes the
/// marker there and the line before is not blank (a blank line before an item makes a list
/// loose, which changes every item).
fn item_line(text: &str, offset: usize) -> Option<usize> {
    let start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    if !text[start..offset].chars().all(|c| c == ' ') {
        return None;
    }
    let before = text[..start].strip_suffix('\n');
    let blank_before =
        before.is_some_and(|b| b[b.rfind('\n').map_or(0, |i| i + 1)..].trim().is_empty());
    (!blank_before).then_some(start)
}
