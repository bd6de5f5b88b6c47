//! Laid-out lines kept compactly: one string per line and its style runs, each run a byte end
//! and an index into a table of the styles the document uses, instead of one heap string and
//! a full style per span. A line is turned back into spans (borrowing its text) only when
//! it is drawn or read.
//!
//! Invariants: `CompactLine::pack(line).unpack()` equals `line` whenever the line has no
//! alignment (markdown lines never have one) — same spans, same styles, empty spans included;
//! a [`Styles`] table only grows, so an index handed out stays valid for the table's life.

use std::collections::HashMap;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The distinct styles of a document's lines, each stored once.
#[derive(Clone, Debug, Default)]
pub struct Styles {
    list: Vec<Style>,
    ids: HashMap<Style, u32>,
}

impl Styles {
    fn id(&mut self, style: Style) -> u32 {
        if let Some(id) = self.ids.get(&style) {
            return *id;
        }
        let id = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
        self.list.push(style);
        self.ids.insert(style, id);
        id
    }

    fn get(&self, id: u32) -> Style {
        self.list.get(id as usize).copied().unwrap_or_default()
    }
}

/// One line: its text, and where each span ends with the style it has.
#[derive(Clone, Debug)]
pub struct CompactLine {
    text: Box<str>,
    runs: Box<[(u32, u32)]>,
    style: u32,
}

impl CompactLine {
    pub fn pack(line: &Line<'_>, styles: &mut Styles) -> CompactLine {
        let mut text = String::with_capacity(line.spans.iter().map(|s| s.content.len()).sum());
        let mut runs = Vec::with_capacity(line.spans.len());
        for span in &line.spans {
            text.push_str(&span.content);
            let end = u32::try_from(text.len()).unwrap_or(u32::MAX);
            runs.push((end, styles.id(span.style)));
        }
        CompactLine {
            text: text.into_boxed_str(),
            runs: runs.into_boxed_slice(),
            style: styles.id(line.style),
        }
    }

    pub fn unpack<'a>(&'a self, styles: &Styles) -> Line<'a> {
        let mut start = 0usize;
        let spans: Vec<Span<'a>> = self
            .runs
            .iter()
            .map(|&(end, style)| {
                let end = (end as usize).clamp(start, self.text.len());
                let span = Span::styled(
                    self.text.get(start..end).unwrap_or_default(),
                    styles.get(style),
                );
                start = end;
                span
            })
            .collect();
        Line::from(spans).style(styles.get(self.style))
    }
}

/// Packs rendered lines.
pub fn pack_all(lines: Vec<Line<'static>>, styles: &mut Styles) -> Vec<CompactLine> {
    lines.iter().map(|l| CompactLine::pack(l, styles)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Modifier};

    #[test]
    fn a_line_packs_and_unpacks_unchanged() {
        let mut styles = Styles::default();
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let line = Line::from(vec![
            Span::styled("│ ", Style::new().fg(Color::Blue)),
            Span::raw(""),
            Span::styled("fn ", bold),
            Span::styled("main—漢字", Style::new().fg(Color::Rgb(1, 2, 3))),
            Span::styled("()", bold),
        ]);
        let packed = CompactLine::pack(&line, &mut styles);
        assert_eq!(packed.unpack(&styles), line);
        assert_eq!(styles.list.len(), 4, "each style once");
        let empty = Line::default();
        assert_eq!(
            CompactLine::pack(&empty, &mut styles).unpack(&styles),
            empty
        );
    }
}
