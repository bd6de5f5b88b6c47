//! Markdown → ratatui lines, pre-wrapped to a width, with an incremental variant for text that
//! is still streaming in.
//!
//! [`render`] lays out a whole document: headings, emphasis, lists (nested, numbered, task
//! lists), block quotes, links, rules, tables, and code blocks — framed, syntax-highlighted,
//! numbered in document order and reported in [`Rendered::code_blocks`] with their raw text;
//! [`code_blocks`] finds the same blocks without rendering (for copying them).
//!
//! [`StreamingMarkdown`] holds text that grows by deltas. Its lines are split in two: a
//! committed prefix, rendered once per width and never parsed again, and the open tail
//! (normally just the last block), re-rendered on `layout` only if text arrived. The tail is
//! committed up to the start of the line of its last top-level block that (a) begins on a
//! complete line and (b) follows a blank line, or directly follows a heading, rule, code or
//! HTML block. CommonMark closes blocks line by line, so once such a block has begun, the ones
//! before it cannot change any more — except through link definitions, which are tracked: the
//! committed ones are parsed before the tail, and committed lines are redone if a definition
//! they depend on appears or changes later. A code block still streaming is extended line by
//! line (`open_fence`), resuming its highlighting where it stopped, a table still streaming
//! row by row while its column widths hold (`open_table`), and a tight bullet list item by
//! item (`open_list`). So streaming costs O(text) overall,
//! not O(text²).
//!
//! A very long open tail that no such path covers (one huge loose or numbered list, quote or
//! paragraph, or a table whose widths keep changing) would still be drawn in full each frame; [`StreamingMarkdown::layout_paced`] spaces those layouts
//! out so that they take a bounded share of the time (see [`PACE`]).
//!
//! Invariants: after `layout(w, theme, n)`, the lines and code blocks equal
//! `render(source, w, theme, n)` (respectively `render_thinking`) exactly, however the text was
//! split into deltas. Lines are kept packed (`tui::compact`) and handed out as spans borrowing
//! them; no line is wider than the width (a width of 0 counts as 1; a double-width character
//! in a 1-column width is the only overflow).

mod blocks;
mod chunk;
mod code;
mod extract;
mod open_fence;
mod open_list;
mod open_table;
mod render;
mod table;
mod wrap;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use pulldown_cmark::Parser;
use ratatui::text::Line;

use self::blocks::{
    Draw, RefMap, RefUse, Start, TopBlock, commit_point, definition_line, normalize_label,
    parser_options,
};
use self::chunk::render_chunk;
pub use self::extract::code_blocks;
use self::open_fence::OpenFence;
use self::open_list::OpenList;
use self::open_table::OpenTable;
pub use self::wrap::wrap_text;
use super::highlight::IncrementalHighlighter;
use super::theme::Theme;
use crate::tui::compact::{CompactLine, Styles, pack_all};

/// Open tails at least this long are laid out at a pace by
/// [`StreamingMarkdown::layout_paced`].
pub const PACED_TAIL: usize = 32 * 1024;
/// Between two paced layouts of a long tail pass at least `PACE` times what the last one took,
/// so drawing it takes at most about a ninth of the time while it streams.
pub const PACE: u32 = 8;

/// A code block of a rendered document, for copying.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeBlock {
    /// Its number, shown in the frame label (`[3] rust`).
    pub number: usize,
    /// The language of the fence (first word of its info string); empty if none.
    pub lang: String,
    /// The raw code, as written between the fences.
    pub code: String,
}

/// A rendered document.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    pub lines: Vec<Line<'static>>,
    pub code_blocks: Vec<CodeBlock>,
}

/// Renders a whole document to lines at most `width` columns wide; code blocks are numbered from
/// `first_code_number`.
pub fn render(src: &str, width: u16, theme: &Theme, first_code_number: usize) -> Rendered {
    render_mode(src, width, theme, first_code_number, false)
}

/// Renders reasoning text: like [`render`], but every span carries the theme's thinking style
/// and code blocks are neither numbered nor reported.
pub fn render_thinking(src: &str, width: u16, theme: &Theme) -> Rendered {
    render_mode(src, width, theme, 1, true)
}

fn render_mode(src: &str, width: u16, theme: &Theme, first: usize, thinking: bool) -> Rendered {
    let start = Start {
        width: usize::from(width.max(1)),
        theme,
        thinking,
        next_code: first,
        prior_output: false,
        refdefs: None,
        preamble: "",
    };
    let out = render_chunk(src, &start, None);
    Rendered {
        lines: out.lines,
        code_blocks: out.code_blocks,
    }
}

/// Markdown text arriving in deltas, laid out incrementally (see the module docs).
#[derive(Clone, Debug, Default)]
pub struct StreamingMarkdown {
    src: String,
    thinking: bool,
    layout: Option<LayoutKey>,
    /// Bytes of `src` whose lines are in `committed`.
    committed_len: usize,
    committed: Vec<CompactLine>,
    tail: Vec<CompactLine>,
    /// The styles `committed` and `tail` refer to.
    styles: Styles,
    /// Code blocks: the committed ones, then the tail's.
    blocks: Vec<CodeBlock>,
    committed_blocks: usize,
    tail_dirty: bool,
    /// Link definitions in the committed text (the first of a label wins).
    defs: RefMap,
    /// The same definitions as markdown, parsed before the tail so they resolve its references.
    preamble: String,
    /// References in the committed lines whose definition is not committed, and the destination
    /// they were rendered with (`None`: shown unresolved). If what the whole text defines for
    /// one of these labels changes, the committed lines are redone.
    depends: HashMap<String, Option<String>>,
    memo: IncrementalHighlighter,
    /// Set while the tail is one open code block, extended without rendering it again.
    open_fence: Option<OpenFence>,
    /// Set while the tail is one open table, or one open bullet list, extended the same way.
    open_table: Option<OpenTable>,
    open_list: Option<OpenList>,
    /// Set while `layout_paced` lays out: the lines may lag the text.
    may_lag: bool,
    /// Whether the tail's last layout extended an open code block or table (rather than
    /// drawing the tail in full).
    tail_was_extended: bool,
    /// When the tail was last drawn in full by `layout_paced`, and how long that took.
    last_tail: Option<(Instant, Duration)>,
}

#[derive(Clone, Debug, PartialEq)]
struct LayoutKey {
    width: u16,
    first: usize,
    theme: Theme,
}

impl StreamingMarkdown {
    /// An empty answer text.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty reasoning text: rendered like [`render_thinking`].
    pub fn thinking() -> Self {
        StreamingMarkdown {
            thinking: true,
            ..Self::default()
        }
    }

    /// Appends text. Nothing is laid out until the next [`layout`](Self::layout).
    pub fn push(&mut self, delta: &str) {
        if !delta.is_empty() {
            self.src.push_str(delta);
            self.tail_dirty = true;
        }
    }

    /// All the text so far.
    pub fn source(&self) -> &str {
        &self.src
    }

    /// Brings the lines up to date: re-renders only the open tail, or everything once when the
    /// width, theme or first code number changed.
    pub fn layout(&mut self, width: u16, theme: &Theme, first_code_number: usize) {
        let same = self
            .layout
            .as_ref()
            .is_some_and(|k| k.width == width && k.first == first_code_number && k.theme == *theme);
        if !same {
            self.layout = Some(LayoutKey {
                width,
                first: first_code_number,
                theme: theme.clone(),
            });
            self.relayout(true);
        } else if self.tail_dirty {
            self.render_tail(true);
        }
    }

    /// Like [`layout`](Self::layout), but a long open tail (at least [`PACED_TAIL`] bytes,
    /// not a code block, table or list being extended) drawn in full less than [`PACE`] times its
    /// cost before `now` is left as it was, and the unfinished last row of a table being
    /// extended is left out if it alone would change the column widths: the lines then lag
    /// the text until a later call. Returns whether the lines are up to date. Call
    /// [`layout`](Self::layout) when the text is final.
    pub fn layout_paced(
        &mut self,
        width: u16,
        theme: &Theme,
        first_code_number: usize,
        now: Instant,
    ) -> bool {
        let same = self
            .layout
            .as_ref()
            .is_some_and(|k| k.width == width && k.first == first_code_number && k.theme == *theme);
        let long = self.src.len() - self.committed_len >= PACED_TAIL;
        let extended =
            self.open_fence.is_some() || self.open_table.is_some() || self.open_list.is_some();
        let paced = same && self.tail_dirty && long && !extended;
        if paced
            && let Some((at, took)) = self.last_tail
            && at
                .checked_add(took.saturating_mul(PACE))
                .is_some_and(|next| now < next)
        {
            return false;
        }
        let started = Instant::now();
        self.may_lag = true;
        self.layout(width, theme, first_code_number);
        self.may_lag = false;
        self.last_tail = Some((now, started.elapsed()));
        !self.tail_dirty
    }

    /// Whether the last layout that changed the lines only extended the open code block or
    /// table the tail is (rather than drawing the tail, or everything, in full).
    pub fn tail_was_extended(&self) -> bool {
        self.tail_was_extended
    }

    /// Number of lines (as of the last `layout`).
    pub fn line_count(&self) -> usize {
        self.committed.len() + self.tail.len()
    }

    /// Line `i`, in O(its length); it borrows the laid-out text.
    pub fn line(&self, i: usize) -> Option<Line<'_>> {
        match i.checked_sub(self.committed.len()) {
            None => self.committed.get(i),
            Some(j) => self.tail.get(j),
        }
        .map(|l| l.unpack(&self.styles))
    }

    /// All lines, in order.
    pub fn lines(&self) -> impl Iterator<Item = Line<'_>> {
        (self.committed.iter().chain(&self.tail)).map(|l| l.unpack(&self.styles))
    }

    /// The code blocks so far (none in thinking mode).
    pub fn code_blocks(&self) -> &[CodeBlock] {
        &self.blocks
    }

    /// Where a chunk starts: the committed text (`tail` false) or the tail after it.
    fn start<'a>(&'a self, key: &'a LayoutKey, tail: bool, later: &'a RefMap) -> Start<'a> {
        Start {
            width: usize::from(key.width.max(1)),
            theme: &key.theme,
            thinking: self.thinking,
            next_code: key.first + if tail { self.committed_blocks } else { 0 },
            prior_output: tail && !self.committed.is_empty(),
            refdefs: (!tail).then_some(later),
            preamble: if tail { &self.preamble } else { "" },
        }
    }

    /// Records a committed definition (unless its label already has one).
    fn define(&mut self, raw: &str, label: &str, dest: &str, title: &str) {
        if !self.defs.contains_key(label) {
            self.defs
                .insert(label.to_string(), (dest.to_string(), title.to_string()));
            self.preamble.push_str(&definition_line(raw, dest));
        }
    }

    /// Renders the committed text again (as one chunk), then the tail.
    fn relayout(&mut self, may_repeat: bool) {
        let Some(key) = self.layout.take() else {
            return;
        };
        self.open_fence = None;
        self.open_table = None;
        self.open_list = None;
        let (prefix, tail) = self.src.split_at(self.committed_len);
        // References in the committed text may point at definitions after it.
        let tail_defs: RefMap = Parser::new_ext(tail, parser_options())
            .reference_definitions()
            .iter()
            .map(|(label, def)| {
                let title = def.title.as_deref().unwrap_or_default().to_string();
                (normalize_label(label), (def.dest.to_string(), title))
            })
            .collect();
        let out = render_chunk(prefix, &self.start(&key, false, &tail_defs), None);
        self.committed = pack_all(out.lines, &mut self.styles);
        self.blocks = out.code_blocks;
        self.committed_blocks = self.blocks.len();
        self.defs.clear();
        self.preamble.clear();
        for def in &out.refdefs {
            self.define(&def.raw, &def.label, &def.dest, &def.title);
        }
        self.depends.clear();
        for (_, label, resolution) in out.refs {
            match resolution {
                RefUse::Native(_) => {}
                RefUse::Borrowed(dest) => {
                    self.depends.insert(label, Some(dest));
                }
                RefUse::Broken => {
                    self.depends.insert(label, None);
                }
            }
        }
        self.layout = Some(key);
        self.render_tail(may_repeat);
    }

    /// Extends the open code block or table the tail is, if it is one: whether the lines are
    /// exact (see `may_lag`), or `None` if the tail must be drawn in full.
    fn extend_open(&mut self, draw: &Draw<'_>) -> Option<bool> {
        let tail = &self.src[self.committed_len..];
        let lines = (&mut self.tail, &mut self.styles);
        if let Some(mut open) = self.open_fence.take() {
            let block = if self.thinking {
                None
            } else {
                self.blocks.last_mut()
            };
            if open.extend(tail, lines, block, &mut self.memo, draw) {
                self.open_fence = Some(open);
                return Some(true);
            }
        } else if let Some(mut open) = self.open_table.take() {
            if let Some(exact) = open.extend(tail, lines, draw, self.may_lag) {
                self.open_table = Some(open);
                return Some(exact);
            }
        } else if let Some(mut open) = self.open_list.take()
            && open.extend(tail, lines, draw)
        {
            self.open_list = Some(open);
            return Some(true);
        }
        None
    }

    /// Re-renders the tail and commits every block of it that can no longer change.
    fn render_tail(&mut self, may_repeat: bool) {
        let Some(key) = self.layout.take() else {
            return;
        };
        let draw = Draw {
            width: usize::from(key.width.max(1)),
            theme: &key.theme,
            thinking: self.thinking,
        };
        let extended = self.extend_open(&draw);
        self.tail_was_extended = extended.is_some();
        if let Some(exact) = extended {
            self.tail_dirty = !exact;
            self.layout = Some(key);
            return;
        }
        let no_defs = RefMap::new();
        let mut memo = std::mem::take(&mut self.memo);
        let tail = &self.src[self.committed_len..];
        let mut out = render_chunk(tail, &self.start(&key, true, &no_defs), Some(&mut memo));
        self.memo = memo;
        self.tail_dirty = false;

        let split = commit_point(tail, &out.tops);
        let mut stale = false;
        self.blocks.truncate(self.committed_blocks);
        if let Some(split) = split {
            for def in &out.refdefs {
                if def.offset < split.offset {
                    self.define(&def.raw, &def.label, &def.dest, &def.title);
                }
            }
            for (offset, label, resolution) in &out.refs {
                if *offset >= split.offset {
                    continue;
                }
                let applied = match resolution {
                    RefUse::Native(dest) if !self.defs.contains_key(label) => Some(dest.clone()),
                    RefUse::Broken => None,
                    _ => continue,
                };
                if let Some(previous) = self.depends.insert(label.clone(), applied.clone()) {
                    stale |= previous != applied;
                }
            }
            let rest = out.lines.split_off(split.line);
            let done = std::mem::replace(&mut out.lines, rest);
            let mut packed = pack_all(done, &mut self.styles);
            self.committed.append(&mut packed);
            self.committed_blocks += split.code;
            self.committed_len += split.offset;
        }
        self.blocks.append(&mut out.code_blocks);
        self.tail = pack_all(std::mem::take(&mut out.lines), &mut self.styles);
        let cut = split.map_or(0, |s| s.offset);
        let single = out.tops.iter().filter(|t| t.offset >= cut).count() == 1;
        let tail = &self.src[self.committed_len..];
        self.open_fence = OpenFence::detect(
            tail,
            single,
            out.open_fence
                .as_ref()
                .map(|(lang, len)| (lang.as_str(), *len)),
            &self.memo,
            &key.theme,
        );
        let table = out
            .table
            .as_mut()
            .filter(|t| t.range.start >= cut)
            .map(|t| {
                t.range = t.range.start - cut..t.range.end - cut;
                t.body_start = t.body_start.map(|b| b - cut);
                &*t
            });
        let first_line = split.map_or(0, |s| s.line);
        let tops: Vec<TopBlock> = (out.tops.iter().filter(|t| t.offset >= cut))
            .map(|t| TopBlock {
                offset: t.offset - cut,
                line: t.line.saturating_sub(first_line),
                ..*t
            })
            .collect();
        self.open_table = OpenTable::detect(tail, &tops, self.tail.len(), table, &draw);
        let list = out.list.as_mut().filter(|l| l.range.start >= cut).map(|l| {
            l.range = l.range.start - cut..l.range.end - cut;
            for item in &mut l.items {
                *item = (item.0 - cut, item.1.saturating_sub(first_line));
            }
            &*l
        });
        self.open_list = OpenList::detect(tail, &tops, list, &draw);

        // Has a definition appeared (or vanished) that the committed lines depend on?
        if !self.depends.is_empty() {
            let mut tail_defs: HashMap<&str, &str> = HashMap::new();
            for def in &out.refdefs {
                tail_defs
                    .entry(def.label.as_str())
                    .or_insert(def.dest.as_str());
            }
            stale |= self.depends.iter().any(|(label, applied)| {
                let now = self
                    .defs
                    .get(label)
                    .map(|(dest, _)| dest.as_str())
                    .or_else(|| tail_defs.get(label.as_str()).copied());
                now != applied.as_deref()
            });
        }
        self.layout = Some(key);
        if stale && may_repeat {
            self.relayout(false);
        }
    }
}

#[cfg(test)]
mod tests;
