//! The markdown renderer proper: walks pulldown-cmark events and produces pre-wrapped lines.
//!
//! Block structure is kept as a stack of containers (block quotes, list items, headings), each
//! contributing a prefix to every line inside it — its first line (`• `, `1. `, `## `) and the
//! lines after it (spaces of the same width, or the quote bar). Inline content is collected as
//! [`Piece`]s and wrapped when its block ends, at the width left after the prefixes.
//!
//! The renderer can continue a document: [`Start`] says whether lines were already produced
//! before this chunk and which number the next code block gets. Rendering a document in one
//! go or as consecutive chunks split at top-level block starts gives the same lines, provided
//! reference-link definitions in other chunks are passed in (`refdefs`). To make such splits
//! possible the output lists where each top-level block starts (source offset, line index and
//! code block count), the link definitions found, and how reference links were resolved.
//!
//! Invariants: exactly one blank line separates consecutive blocks (none between the items of
//! a tight list); no line is wider than the width unless a prefix alone already is (then it is
//! cut to the width); with `thinking`, every span is patched with the thinking style and code
//! blocks are neither numbered nor reported.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::{
    Alignment, BrokenLink, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser,
    Tag, TagEnd,
};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::CodeBlock;
use super::code::{FrameStyle, frame};
use super::table;
use super::wrap::{Piece, clip, sanitize, spans_width, wrap};
use crate::tui::highlight::{IncrementalHighlighter, highlight_shared};
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
    /// Definitions from other chunks, used for references this chunk cannot resolve itself.
    pub refdefs: Option<&'a RefMap>,
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
    /// (offset, label, destination, title) of each definition in the chunk, in source order.
    pub refdefs: Vec<(usize, String, String, String)>,
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
    let mut broken: Vec<(usize, String, bool)> = Vec::new();
    let (events, refdefs) = {
        let callback = |link: BrokenLink<'_>| {
            let label = normalize_label(&link.reference);
            let found = start.refdefs.and_then(|m| m.get(&label));
            broken.push((link.span.start, label, found.is_some()));
            found.map(|(dest, title)| (CowStr::from(dest.clone()), CowStr::from(title.clone())))
        };
        let parser =
            Parser::new_with_broken_link_callback(src, parser_options(), Some(callback));
        let mut iter = parser.into_offset_iter();
        let events: Vec<(Event<'_>, Range<usize>)> = iter.by_ref().collect();
        let mut defs: Vec<(usize, String, String, String)> = iter
            .reference_definitions()
            .iter()
            .map(|(label, def)| {
                let title = def.title.as_deref().unwrap_or_default().to_string();
                (def.span.start, normalize_label(label), def.dest.to_string(), title)
            })
            .collect();
        defs.sort();
        (events, defs)
    };
    let mut r = Renderer::new(src, start, memo);
    r.run(&events);
    let mut out = r.out;
    out.refdefs = refdefs;
    for (offset, label, found) in broken {
        if !found {
            out.refs.push((offset, label, RefUse::Broken));
        }
    }
    out.refs.sort_by_key(|r| r.0);
    out
}

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
}

struct Renderer<'a, 'm> {
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
}

impl<'a, 'm> Renderer<'a, 'm> {
    fn new(
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
        }
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

    fn run(&mut self, events: &[(Event<'_>, Range<usize>)]) {
        for (i, (event, range)) in events.iter().enumerate() {
            let top_level = self.depth == 0;
            if top_level && matches!(event, Event::Start(_) | Event::Rule | Event::Html(_)) {
                self.out.tops.push(TopBlock {
                    offset: range.start,
                    line: self.out.lines.len(),
                    code: self.out.code_blocks.len(),
                    end: range.end,
                });
            }
            match event {
                Event::Start(tag) => {
                    self.depth += 1;
                    self.start_tag(tag, range, &events[i + 1..]);
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
                    self.inline
                        .push(Piece::Text(mark.into(), self.style().patch(self.theme.accent)));
                }
            }
        }
        self.flush_inline();
    }

    fn start_tag(&mut self, tag: &Tag<'_>, range: &Range<usize>, after: &[(Event<'_>, Range<usize>)]) {
        match tag {
            Tag::Paragraph | Tag::HtmlBlock => self.block_start(),
            Tag::Heading { level, .. } => {
                self.block_start();
                let n = heading_level(*level);
                let marker = format!("{} ", "#".repeat(n));
                let blank = " ".repeat(marker.len());
                self.containers.push(Container {
                    kind: Kind::Heading,
                    first: vec![Span::styled(marker, self.theme.heading)],
                    rest: vec![Span::raw(blank)],
                    used: false,
                });
                let extra = match n {
                    1 => Modifier::BOLD | Modifier::UNDERLINED,
                    2 => Modifier::BOLD,
                    3 => Modifier::BOLD | Modifier::ITALIC,
                    _ => Modifier::ITALIC,
                };
                let heading = self.theme.heading;
                self.push_style(|s| s.patch(heading).add_modifier(extra));
            }
            Tag::BlockQuote(_) => {
                self.block_start();
                let bar = vec![Span::styled("│ ", self.theme.quote)];
                self.containers.push(Container {
                    kind: Kind::Quote,
                    first: bar.clone(),
                    rest: bar,
                    used: false,
                });
                let quote = self.theme.quote;
                self.push_style(|s| s.patch(quote));
            }
            Tag::CodeBlock(kind) => {
                self.block_start();
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => fence_lang(info),
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some(CodeState {
                    lang,
                    text: String::new(),
                    range: range.clone(),
                });
            }
            Tag::List(first) => {
                self.block_start();
                self.lists.push(List {
                    next: *first,
                    tight: is_tight(after),
                });
            }
            Tag::Item => {
                self.flush_inline();
                let depth = self.lists.len().saturating_sub(1);
                let marker = match self.lists.last_mut() {
                    Some(List { next: Some(n), tight }) => {
                        let marker = format!("{n}. ");
                        *n += 1;
                        if *tight {
                            self.pending_blank = false;
                        }
                        marker
                    }
                    Some(List { next: None, tight }) => {
                        if *tight {
                            self.pending_blank = false;
                        }
                        format!("{} ", ["•", "◦", "▪"][depth % 3])
                    }
                    None => "• ".to_string(),
                };
                let blank = " ".repeat(marker.chars().count());
                self.containers.push(Container {
                    kind: Kind::Item,
                    first: vec![Span::styled(marker, self.theme.accent)],
                    rest: vec![Span::raw(blank)],
                    used: false,
                });
            }
            Tag::Table(aligns) => {
                self.block_start();
                self.table = Some(TableState {
                    aligns: aligns.clone(),
                    ..TableState::default()
                });
            }
            Tag::TableHead | Tag::TableRow | Tag::TableCell => {}
            Tag::Emphasis => self.push_style(|s| s.add_modifier(Modifier::ITALIC)),
            Tag::Strong => self.push_style(|s| s.add_modifier(Modifier::BOLD)),
            Tag::Strikethrough => self.push_style(|s| s.add_modifier(Modifier::CROSSED_OUT)),
            Tag::Superscript | Tag::Subscript => self.push_style(|s| s),
            Tag::Link {
                link_type,
                dest_url,
                id,
                ..
            } => {
                self.note_reference(*link_type, id, dest_url, range);
                let link = self.theme.link;
                self.push_style(|s| s.patch(link));
                self.links.push((dest_url.to_string(), String::new()));
            }
            Tag::Image {
                link_type,
                dest_url,
                id,
                ..
            } => {
                self.note_reference(*link_type, id, dest_url, range);
                self.image_depth += 1;
                if self.image_depth == 1 {
                    self.image = Some((dest_url.to_string(), String::new()));
                }
            }
            Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => self.block_start(),
        }
    }

    fn end_tag(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::HtmlBlock => self.block_end(),
            TagEnd::Heading(_) => {
                self.flush_inline();
                self.containers.pop();
                self.pop_style();
                self.pending_blank = true;
            }
            TagEnd::BlockQuote(_) => {
                self.flush_inline();
                self.containers.pop();
                self.pop_style();
                self.pending_blank = true;
            }
            TagEnd::CodeBlock => {
                if let Some(code) = self.code.take() {
                    self.code_block(code);
                }
                self.pending_blank = true;
            }
            TagEnd::List(_) => {
                self.flush_inline();
                self.lists.pop();
                self.pending_blank = true;
            }
            TagEnd::Item => {
                self.flush_inline();
                if self.containers.last().is_some_and(|c| !c.used) {
                    self.emit(Vec::new());
                }
                self.containers.pop();
            }
            TagEnd::TableCell => {
                let cell = std::mem::take(&mut self.inline);
                if let Some(t) = &mut self.table {
                    t.row.push(cell);
                }
            }
            TagEnd::TableHead | TagEnd::TableRow => {
                if let Some(t) = &mut self.table {
                    let row = std::mem::take(&mut t.row);
                    t.rows.push(row);
                    if tag == TagEnd::TableHead {
                        t.header_rows = t.rows.len();
                    }
                }
            }
            TagEnd::Table => {
                if let Some(t) = self.table.take() {
                    let lines =
                        table::layout(&t.aligns, &t.rows, t.header_rows, self.avail(), self.theme.border);
                    for line in lines {
                        self.emit(line);
                    }
                }
                self.pending_blank = true;
            }
            TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript => self.pop_style(),
            TagEnd::Link => {
                self.pop_style();
                if let Some((url, text)) = self.links.pop() {
                    let same = url == text
                        || url.strip_prefix("mailto:") == Some(text.as_str())
                        || url.is_empty();
                    if !same {
                        let style = Style {
                            fg: self.theme.link.fg,
                            ..self.style().add_modifier(Modifier::DIM)
                        };
                        self.text(&format!(" ({url})"), style);
                    }
                }
            }
            TagEnd::Image => {
                self.image_depth = self.image_depth.saturating_sub(1);
                if self.image_depth == 0
                    && let Some((url, alt)) = self.image.take()
                {
                    let alt = if alt.trim().is_empty() { url } else { alt };
                    self.text(&format!("[image: {alt}]"), self.style().patch(self.theme.link));
                }
            }
            TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::MetadataBlock(_) => self.block_end(),
        }
    }

    /// Records how a reference-style link was resolved (for chunked rendering).
    fn note_reference(&mut self, kind: LinkType, id: &str, dest: &str, range: &Range<usize>) {
        let label = normalize_label(id);
        let resolution = match kind {
            LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut => {
                RefUse::Native(dest.to_string())
            }
            LinkType::ReferenceUnknown
            | LinkType::CollapsedUnknown
            | LinkType::ShortcutUnknown => RefUse::Borrowed(dest.to_string()),
            _ => return,
        };
        self.out.refs.push((range.start, label, resolution));
    }

    fn code_block(&mut self, code: CodeState) {
        let number = if self.start.thinking {
            None
        } else {
            let n = self.next_code;
            self.next_code += 1;
            self.out.code_blocks.push(CodeBlock {
                number: n,
                lang: code.lang.clone(),
                code: code.text.clone(),
            });
            Some(n)
        };
        // A block running to the end of the chunk may still be growing.
        let streaming = self.src.get(code.range.end..).is_none_or(|s| s.trim().is_empty());
        let lines = match &mut self.memo {
            Some(memo) if streaming => Arc::new(memo.highlight(&code.text, &code.lang, self.theme)),
            Some(memo) => memo
                .finished(&code.text, &code.lang, self.theme)
                .unwrap_or_else(|| highlight_shared(&code.text, &code.lang, self.theme)),
            None => highlight_shared(&code.text, &code.lang, self.theme),
        };
        let style = FrameStyle {
            border: self.theme.code_frame,
            number: self.theme.code_frame.patch(self.theme.accent),
        };
        for line in frame(&lines, number, &code.lang, self.avail(), &style) {
            self.emit(line);
        }
    }
}

fn heading_level(level: HeadingLevel) -> usize {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// The language of a fence info string: its first word (`rust,ignore` → `rust`,
/// `{.python}` → `python`).
fn fence_lang(info: &str) -> String {
    let info = info.trim().trim_start_matches(['{', '.']);
    let lang = info
        .split(|c: char| c.is_whitespace() || c == ',' || c == '}')
        .next()
        .unwrap_or_default();
    sanitize(lang).into_owned()
}

/// Whether the list whose events follow is tight: no item holds a paragraph directly.
fn is_tight(after: &[(Event<'_>, Range<usize>)]) -> bool {
    let mut depth = 0usize;
    for (event, _) in after {
        match event {
            Event::Start(tag) => {
                if depth == 1 && matches!(tag, Tag::Paragraph) {
                    return false;
                }
                depth += 1;
            }
            Event::End(_) => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    true
}
