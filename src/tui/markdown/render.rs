//! The markdown renderer proper: walks pulldown-cmark events and produces pre-wrapped lines.
//!
//! Block structure is kept as a stack of containers (block quotes, list items, headings), each
//! contributing a prefix to every line inside it — its first line (`• `, `1. `, `## `) and the
//! lines after it (spaces of the same width, or the quote bar). Inline content is collected as
//! [`Piece`]s and wrapped when its block ends, at the width left after the prefixes. This file
//! holds the state and the line machinery; `tags` handles each kind of block and span.
//!
//! Invariants: exactly one blank line separates consecutive blocks (none between the items of
//! a tight list); no line is wider than the width unless a prefix alone already is (then it is
//! cut to the width); with `thinking`, every span is patched with the thinking style and code
//! blocks are neither numbered nor reported.

pub(super) mod tags;

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{Alignment, Event, Tag};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::blocks::{Output, Start, TopBlock};
use super::table;
use super::wrap::{Piece, clip, sanitize, spans_width, wrap};
use crate::tui::highlight::IncrementalHighlighter;
use crate::tui::theme::Theme;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Quote,
    Item,
    Heading,
}

struct Container {
    kind: Kind,
    first: Vec<Span<'static>>,
    rest: Vec<Span<'static>>,
    used: bool,
}

struct List {
    next: Option<u64>,
    tight: bool,
}

struct CodeState {
    /// A fenced block at the top level (not inside a list or quote).
    fenced_top: bool,
    lang: String,
    text: String,
    range: Range<usize>,
}

#[derive(Default)]
struct TableState {
    aligns: Vec<Alignment>,
    rows: Vec<Vec<table::Cell>>,
    row: Vec<table::Cell>,
    header_rows: usize,
    /// Whether it is a top-level block.
    top: bool,
    range: Range<usize>,
    body_start: Option<usize>,
    /// Where the current row ends: the parser's filler cells sit there, empty.
    row_end: usize,
    row_missing: usize,
    missing: usize,
}

pub(crate) struct Renderer<'a, 'm> {
    src: &'a str,
    start: &'a Start<'a>,
    theme: &'a Theme,
    memo: Option<&'m mut IncrementalHighlighter>,
    out: Output,
    next_code: usize,
    has_output: bool,
    pending_blank: bool,
    depth: usize,
    containers: Vec<Container>,
    lists: Vec<List>,
    inline: Vec<Piece>,
    styles: Vec<Style>,
    /// Open links: destination and the text so far.
    links: Vec<(String, String)>,
    image: Option<(String, String)>,
    image_depth: usize,
    code: Option<CodeState>,
    table: Option<TableState>,
    /// Start offsets of the loose lists (see `tags::loose_lists`).
    loose: HashSet<usize>,
    /// Keep a top-level table's cells in `Output::table` instead of drawing it.
    keep_cells: bool,
}

impl<'a, 'm> Renderer<'a, 'm> {
    pub(crate) fn new(
        src: &'a str,
        start: &'a Start<'a>,
        memo: Option<&'m mut IncrementalHighlighter>,
    ) -> Self {
        let base = if start.thinking {
            Style::new()
        } else {
            start.theme.assistant
        };
        Renderer {
            src,
            start,
            theme: start.theme,
            memo,
            out: Output::default(),
            next_code: start.next_code,
            has_output: start.prior_output,
            pending_blank: start.prior_output,
            depth: 0,
            containers: Vec::new(),
            lists: Vec::new(),
            inline: Vec::new(),
            styles: vec![base],
            links: Vec::new(),
            image: None,
            image_depth: 0,
            code: None,
            table: None,
            loose: tags::loose_lists(src),
            keep_cells: false,
        }
    }

    /// A renderer that keeps the cells of top-level tables (in `Output::table`) instead of
    /// drawing them.
    pub(crate) fn keeping_cells(mut self) -> Self {
        self.keep_cells = true;
        self
    }

    fn style(&self) -> Style {
        self.styles.last().copied().unwrap_or_default()
    }

    fn push_style(&mut self, f: impl FnOnce(Style) -> Style) {
        let next = f(self.style());
        self.styles.push(next);
    }

    fn pop_style(&mut self) {
        if self.styles.len() > 1 {
            self.styles.pop();
        }
    }

    fn prefix_width(&self) -> usize {
        self.containers.iter().map(|c| spans_width(&c.rest)).sum()
    }

    /// Columns left for content after the prefixes (at least 1).
    fn avail(&self) -> usize {
        self.start.width.saturating_sub(self.prefix_width()).max(1)
    }

    /// Emits one line of content behind the current prefixes.
    fn emit(&mut self, content: Vec<Span<'static>>) {
        let mut spans = Vec::with_capacity(content.len() + self.containers.len());
        for c in &mut self.containers {
            spans.extend(if c.used { &c.rest } else { &c.first }.iter().cloned());
            c.used = true;
        }
        spans.extend(content);
        if spans_width(&spans) > self.start.width {
            spans = clip(&spans, self.start.width, None).0;
        }
        self.push_line(spans);
    }

    fn push_line(&mut self, mut spans: Vec<Span<'static>>) {
        if self.start.thinking {
            for span in &mut spans {
                span.style = span.style.patch(self.theme.thinking);
            }
        }
        self.out.lines.push(Line::from(spans));
        self.has_output = true;
    }

    /// A blank line: only the prefixes that show on every line (quote bars).
    fn blank(&mut self) {
        let mut spans: Vec<Span<'static>> = Vec::new();
        for c in &self.containers {
            spans.extend(c.rest.iter().cloned());
        }
        while spans.last().is_some_and(|s| s.content.trim().is_empty()) {
            spans.pop();
        }
        if let Some(last) = spans.last_mut() {
            let trimmed = last.content.trim_end().to_string();
            last.content = trimmed.into();
        }
        let spans = clip(&spans, self.start.width, None).0;
        self.push_line(spans);
    }

    fn in_tight_item(&self) -> bool {
        self.containers.last().is_some_and(|c| c.kind == Kind::Item)
            && self.lists.last().is_some_and(|l| l.tight)
    }

    fn block_start(&mut self) {
        self.flush_inline();
        if self.pending_blank && self.has_output && !self.in_tight_item() {
            self.blank();
        }
        self.pending_blank = false;
    }

    fn block_end(&mut self) {
        self.flush_inline();
        self.pending_blank = true;
    }

    /// Wraps and emits the collected inline content.
    fn flush_inline(&mut self) {
        if self.inline.is_empty() || self.table.is_some() {
            return;
        }
        while matches!(self.inline.last(), Some(Piece::Break)) {
            self.inline.pop();
        }
        let pieces = std::mem::take(&mut self.inline);
        for line in wrap(&pieces, self.avail()) {
            self.emit(line);
        }
    }

    fn text(&mut self, text: &str, style: Style) {
        let text = sanitize(text);
        if let Some((_, link_text)) = self.links.last_mut() {
            link_text.push_str(&text);
        }
        match self.inline.last_mut() {
            Some(Piece::Text(last, s)) if *s == style => last.push_str(&text),
            _ => self.inline.push(Piece::Text(text.into_owned(), style)),
        }
    }

    /// Renders the events of a parsed chunk (of the `src` it was made with).
    pub(crate) fn run<'e>(
        mut self,
        events: &mut impl Iterator<Item = (Event<'e>, Range<usize>)>,
    ) -> Output {
        for (event, range) in events {
            let (event, range) = (&event, &range);
            let top_level = self.depth == 0;
            if top_level && matches!(event, Event::Start(_) | Event::Rule | Event::Html(_)) {
                self.out.tops.push(TopBlock {
                    offset: range.start,
                    line: self.out.lines.len(),
                    code: self.out.code_blocks.len(),
                    end: range.end,
                    exact_end: matches!(
                        event,
                        Event::Rule
                            | Event::Start(
                                Tag::Heading { .. } | Tag::CodeBlock(_) | Tag::HtmlBlock
                            )
                    ),
                });
            }
            match event {
                Event::Start(tag) => {
                    self.depth += 1;
                    self.start_tag(tag, range);
                }
                Event::End(tag) => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0
                        && let Some(top) = self.out.tops.last_mut()
                    {
                        top.end = top.end.max(range.end);
                    }
                    self.end_tag(*tag);
                }
                Event::Text(text) => {
                    if let Some(code) = &mut self.code {
                        code.text.push_str(text);
                    } else if let Some((_, alt)) = &mut self.image {
                        alt.push_str(text);
                    } else {
                        self.text(text, self.style());
                    }
                }
                Event::Code(text) => {
                    if let Some((_, alt)) = &mut self.image {
                        alt.push_str(text);
                    } else {
                        self.text(text, self.style().patch(self.theme.inline_code));
                    }
                }
                Event::InlineMath(text) | Event::DisplayMath(text) => {
                    self.text(text, self.style().patch(self.theme.inline_code));
                }
                Event::Html(text) => {
                    if top_level {
                        self.block_start();
                    }
                    let line = text.trim_end_matches(['\n', '\r']);
                    self.text(line, self.style());
                    self.inline.push(Piece::Break);
                    if top_level {
                        self.block_end();
                    }
                }
                Event::InlineHtml(text) => self.text(text, self.style()),
                Event::FootnoteReference(label) => {
                    self.text(&format!("[^{label}]"), self.style());
                }
                Event::SoftBreak => self.text(" ", self.style()),
                Event::HardBreak => self.inline.push(Piece::Break),
                Event::Rule => {
                    self.block_start();
                    let rule = "─".repeat(self.avail());
                    self.emit(vec![Span::styled(rule, self.theme.border)]);
                    self.pending_blank = true;
                }
                Event::TaskListMarker(done) => {
                    let mark = if *done { "[x] " } else { "[ ] " };
                    self.inline.push(Piece::Text(
                        mark.into(),
                        self.style().patch(self.theme.accent),
                    ));
                }
            }
        }
        self.flush_inline();
        self.out
    }
}
