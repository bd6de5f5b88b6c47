//! How each kind of markdown block and span is rendered: headings, quotes, lists, tables,
//! code blocks, emphasis, links and images — the `Start`/`End` tag handlers of [`Renderer`].
//!
//! Invariants: every `Start` pushes exactly what the matching `End` pops (styles, containers,
//! lists), so a document cut off mid-block leaves the renderer consistent; code blocks are
//! numbered in document order, only outside thinking mode.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd};
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;

use super::{CodeState, Container, Kind, List, Renderer, TableState, table};
use crate::tui::highlight::highlight_shared;
use crate::tui::markdown::CodeBlock;
use crate::tui::markdown::blocks::{ListInfo, RefUse, TableInfo, normalize_label, parser_options};
use crate::tui::markdown::code::{FrameStyle, frame};
use crate::tui::markdown::wrap::sanitize;

impl Renderer<'_, '_> {
    pub(super) fn start_tag(&mut self, tag: &Tag<'_>, range: &Range<usize>) {
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
                    fenced_top: self.depth == 1 && matches!(kind, CodeBlockKind::Fenced(_)),
                    lang,
                    text: String::new(),
                    range: range.clone(),
                });
            }
            Tag::List(first) => {
                self.block_start();
                let tight = !self.loose.contains(&range.start);
                self.lists.push(List {
                    next: *first,
                    tight,
                });
                if self.depth == 1 {
                    self.out.list = Some(ListInfo {
                        range: range.clone(),
                        bullet: first.is_none(),
                        tight,
                        items: Vec::new(),
                    });
                }
            }
            Tag::Item => {
                self.flush_inline();
                if self.depth == 2
                    && let Some(list) = &mut self.out.list
                {
                    list.items.push((range.start, self.out.lines.len()));
                }
                let depth = self.lists.len().saturating_sub(1);
                let (marker, tight) = match self.lists.last_mut() {
                    Some(List {
                        next: Some(n),
                        tight,
                    }) => {
                        let marker = format!("{n}. ");
                        *n += 1;
                        (marker, *tight)
                    }
                    Some(List { next: None, tight }) => {
                        (format!("{} ", ["•", "◦", "▪"][depth % 3]), *tight)
                    }
                    None => ("• ".to_string(), true),
                };
                // Loose items are separated by a blank line, tight ones by none — even when
                // the item is empty or starts with something other than a paragraph.
                if !tight && self.pending_blank && self.has_output {
                    self.blank();
                }
                self.pending_blank = false;
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
                    top: self.depth == 1,
                    range: range.clone(),
                    ..TableState::default()
                });
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(t) = &mut self.table {
                    t.row_end = range.end;
                    t.row_missing = 0;
                    if matches!(tag, Tag::TableRow) {
                        t.body_start.get_or_insert(range.start);
                    }
                }
            }
            Tag::TableCell => {
                if let Some(t) = &mut self.table
                    && range.is_empty()
                    && range.start == t.row_end
                {
                    t.row_missing += 1;
                }
            }
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

    pub(super) fn end_tag(&mut self, tag: TagEnd) {
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
                    t.missing += t.row_missing;
                    if tag == TagEnd::TableHead {
                        t.header_rows = t.rows.len();
                    }
                }
            }
            TagEnd::Table => {
                if let Some(t) = self.table.take() {
                    self.table(t);
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
                    self.text(
                        &format!("[image: {alt}]"),
                        self.style().patch(self.theme.link),
                    );
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
            LinkType::ReferenceUnknown | LinkType::CollapsedUnknown | LinkType::ShortcutUnknown => {
                RefUse::Borrowed(dest.to_string())
            }
            _ => return,
        };
        self.out.refs.push((range.start, label, resolution));
    }

    /// Draws a finished table (or keeps its cells, see `keep_cells`); a top-level one is
    /// described in `Output::table`.
    fn table(&mut self, mut t: TableState) {
        let cols = table::columns(&t.aligns, &t.rows);
        let body_rows = t.rows.len().saturating_sub(t.header_rows);
        let last_body = t.rows.len() - usize::from(body_rows > 0);
        let natural_before_last = table::natural(&t.rows[..last_body], cols);
        let mut natural = natural_before_last.clone();
        table::widen(&mut natural, &t.rows[last_body..]);
        let mut info = TableInfo {
            body_start: t.body_start,
            body_rows,
            natural_before_last,
            missing: t.missing,
            missing_last: if body_rows > 0 { t.row_missing } else { 0 },
            ..TableInfo::default()
        };
        if self.keep_cells && t.top {
            info.cells = t.rows.split_off(t.header_rows.min(t.rows.len()));
        } else {
            let laid = table::layout(
                &t.aligns,
                &t.rows,
                t.header_rows,
                &natural,
                self.avail(),
                self.theme.border,
            );
            for line in laid.lines {
                self.emit(line);
            }
            info.widths = laid.widths;
            info.last_height = laid.last_height;
        }
        if t.top {
            info.natural = natural;
            info.aligns = t.aligns;
            info.range = t.range;
            self.out.table = Some(info);
        }
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
        let streaming = self
            .src
            .get(code.range.end..)
            .is_none_or(|s| s.trim().is_empty());
        self.out.open_fence = (code.fenced_top && code.range.end >= self.src.len())
            .then(|| (code.lang.clone(), code.text.len()));
        let lines = match &mut self.memo {
            Some(memo) if streaming => Arc::new(memo.highlight(&code.text, &code.lang, self.theme)),
            Some(memo) => memo
                .finished(&code.text, &code.lang, self.theme)
                .unwrap_or_else(|| highlight_shared(&code.text, &code.lang, self.theme)),
            None => highlight_shared(&code.text, &code.lang, self.theme),
        };
        let style = FrameStyle::of(self.theme);
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
pub(in crate::tui::markdown) fn fence_lang(info: &str) -> String {
    let info = info.trim().trim_start_matches(['{', '.']);
    let lang = info
        .split(|c: char| c.is_whitespace() || c == ',' || c == '}')
        .next()
        .unwrap_or_default();
    sanitize(lang).into_owned()
}

/// The start offsets of the loose lists of `src`: those with an item holding a paragraph
/// directly (the parser wraps no item of a tight list in paragraphs).
pub(in crate::tui::markdown) fn loose_lists(src: &str) -> HashSet<usize> {
    #[derive(PartialEq)]
    enum Open {
        List(usize),
        Item,
        Other,
    }
    let mut open: Vec<Open> = Vec::new();
    let mut loose = HashSet::new();
    for (event, range) in Parser::new_ext(src, parser_options()).into_offset_iter() {
        match event {
            Event::Start(tag) => {
                if matches!(tag, Tag::Paragraph)
                    && open.last() == Some(&Open::Item)
                    && let Some(Open::List(start)) = open.iter().rev().nth(1)
                {
                    loose.insert(*start);
                }
                open.push(match tag {
                    Tag::List(_) => Open::List(range.start),
                    Tag::Item => Open::Item,
                    _ => Open::Other,
                });
            }
            Event::End(_) => {
                open.pop();
            }
            _ => {}
        }
    }
    loose
}
