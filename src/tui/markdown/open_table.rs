//! A table still streaming, extended row by row.
//!
//! When the open tail of a [`StreamingMarkdown`](super::StreamingMarkdown) is exactly one
//! top-level table, every line that arrives is either one more row of it or ends it. A row's
//! lines depend only on its own cells and the column widths (`table::Grid::row`), and the
//! parser reads a row from its line alone given the table's header and delimiter rows. So new
//! rows are parsed in a small document made of those two lines and the new text, drawn, and
//! put before the bottom border, for as long as the fitted column widths stay the same. A long
//! table then costs O(new text) per frame instead of a parse and a layout of the whole table.
//!
//! Invariants: an [`OpenTable`] is only made from a tail the full renderer has just drawn whole,
//! which is one top-level table from its first byte to its last (or to the end of its last
//! complete line, the unfinished line after it being something else so far, such as the `|`
//! that starts the next row), with at least one body row, holding no `\r` or NUL. It gives up (and the tail is drawn in full again) as soon as new text
//! holds a `\r` or a NUL, a line that is not one more row of the table, a reference link or
//! image (those depend on definitions elsewhere), or a cell that changes the fitted widths, or
//! when the parser's limit on filler cells could be reached. The lines it keeps are those the
//! full renderer gives, exactly — except that, when allowed to lag (while the text streams,
//! `layout_paced`), it leaves out an unfinished last line that is not a row yet, or is a row
//! that alone would change the widths, until that line is complete.

use pulldown_cmark::Alignment;
use ratatui::text::{Line, Span};

use super::blocks::{Draw, TableInfo, TopBlock};
use super::chunk::table_cells;
use super::table::{Grid, fitted, widen};
use crate::tui::compact::{CompactLine, Styles};

/// The parser stops a table once it has added this many filler cells to short rows.
const FILLER_LIMIT: usize = 1 << 18;

/// The state of a tail that is one open table.
#[derive(Clone, Debug)]
pub(crate) struct OpenTable {
    /// The header and delimiter lines, verbatim: the start of every small document.
    head: String,
    aligns: Vec<Alignment>,
    /// Column widths from the header and the complete rows.
    natural: Vec<usize>,
    /// The fitted widths every drawn row has.
    widths: Vec<usize>,
    /// Filler cells in the complete rows.
    missing: usize,
    /// Complete body rows drawn (the rule under the header is drawn only if there are any, so
    /// a first row can't be left out).
    body_rows: usize,
    /// Tail bytes drawn as complete rows.
    done: usize,
    /// Lines at the end of the tail's lines redrawn with each extension: the unfinished last
    /// row's (if any) and the bottom border.
    volatile: usize,
}

impl OpenTable {
    /// The open table `tail` is, if it is one: `tail` was just rendered whole into `lines`
    /// lines, its top-level blocks starting at `tops`, and `table` describes its last
    /// top-level table.
    pub(crate) fn detect(
        tail: &str,
        tops: &[TopBlock],
        lines: usize,
        table: Option<&TableInfo>,
        draw: &Draw<'_>,
    ) -> Option<OpenTable> {
        let table = table?;
        if table.range.start != 0 || table.body_rows == 0 || tail.contains(['\r', '\0']) {
            return None;
        }
        let done = tail.rfind('\n').map_or(0, |i| i + 1);
        // Lines drawn after the table's own: those of an unfinished line that is not a row.
        let after = match tops {
            [_] if table.range.end == tail.len() => 0,
            [_, next] if table.range.end == done && next.offset >= done => {
                lines.checked_sub(next.line)?
            }
            _ => return None,
        };
        // The header and delimiter rows are the first two lines; the body starts after them.
        let head_len = tail.match_indices('\n').nth(1)?.0 + 1;
        let body_start = table.body_start?;
        if !tail
            .get(head_len..body_start)?
            .chars()
            .all(|c| c == ' ' || c == '\t')
        {
            return None;
        }
        let head = &tail[..head_len];
        // The two lines alone must make the same table, with no body.
        let alone = table_cells(head, &draw.start())?;
        if alone.range != (0..head_len) || alone.body_rows != 0 || alone.aligns != table.aligns {
            return None;
        }
        // Whether the table's last row is the unfinished line.
        let partial = table.range.end > done;
        Some(OpenTable {
            head: head.to_string(),
            aligns: table.aligns.clone(),
            natural: if partial {
                table.natural_before_last.clone()
            } else {
                table.natural.clone()
            },
            widths: table.widths.clone(),
            missing: table.missing - if partial { table.missing_last } else { 0 },
            body_rows: table.body_rows - usize::from(partial),
            done,
            volatile: 1 + if partial { table.last_height } else { after },
        })
    }

    /// Brings `lines` (the tail's lines) up to the grown `tail`. Returns `None`, changing
    /// nothing, when the new text is not only more rows drawn with the same widths: then the
    /// tail must be drawn in full. With `may_lag`, an unfinished last line that is not a row
    /// yet, or is one that alone would change the widths (say, with a code span not closed
    /// yet), is left out instead: then it returns `Some(false)`, the lines lagging the text.
    pub(crate) fn extend(
        &mut self,
        tail: &str,
        (lines, styles): (&mut Vec<CompactLine>, &mut Styles),
        draw: &Draw<'_>,
        may_lag: bool,
    ) -> Option<bool> {
        let fresh = tail.get(self.done..)?;
        if fresh.is_empty() {
            return Some(true);
        }
        if fresh.contains(['\r', '\0']) || lines.len() < self.volatile {
            return None;
        }
        let complete = fresh.rfind('\n').map_or(0, |i| i + 1);
        let partial = complete < fresh.len();
        let complete_rows = fresh[..complete].matches('\n').count();
        let may_lag = may_lag && self.body_rows + complete_rows > 0;
        // The new rows, the unfinished one included if it is a row.
        let (rows, with_partial) =
            match self.rows(fresh, complete_rows + usize::from(partial), draw) {
                Some(rows) => (rows, partial),
                None if may_lag && partial => {
                    (self.rows(&fresh[..complete], complete_rows, draw)?, false)
                }
                None => return None,
            };
        let mut natural = self.natural.clone();
        widen(&mut natural, &rows.cells[..complete_rows]);
        let mut shown = natural.clone();
        widen(&mut shown, &rows.cells);
        let mut drawn = rows.cells.len();
        if fitted(&shown, draw.width) != self.widths {
            if !(may_lag && with_partial && fitted(&natural, draw.width) == self.widths) {
                return None;
            }
            drawn = complete_rows;
        }
        let grid = Grid {
            aligns: &self.aligns,
            widths: &self.widths,
            width: draw.width,
            border: draw.theme.border,
        };
        lines.truncate(lines.len() - self.volatile);
        let mut pack = |spans: Vec<Span<'static>>| {
            let mut spans = spans;
            if draw.thinking {
                for span in &mut spans {
                    span.style = span.style.patch(draw.theme.thinking);
                }
            }
            lines.push(CompactLine::pack(&Line::from(spans), styles));
        };
        self.volatile = 1;
        for (i, row) in rows.cells[..drawn].iter().enumerate() {
            let row_lines = grid.row(row, false);
            if i >= complete_rows {
                self.volatile += row_lines.len();
            }
            row_lines.into_iter().for_each(&mut pack);
        }
        pack(grid.bottom());
        self.natural = natural;
        self.missing += rows.missing - if with_partial { rows.missing_last } else { 0 };
        self.body_rows += complete_rows;
        self.done += complete;
        Some(drawn == complete_rows + usize::from(partial))
    }

    /// The cells of `text`, read as `count` more rows of the table; `None` if it is not that.
    fn rows(&self, text: &str, count: usize, draw: &Draw<'_>) -> Option<TableInfo> {
        let mini = format!("{}{text}", self.head);
        let rows = table_cells(&mini, &draw.start())?;
        let fits = rows.range == (0..mini.len())
            && rows.body_rows == count
            && rows.cells.len() == count
            && rows.aligns == self.aligns
            && rows.natural.len() == self.natural.len()
            && self.missing + rows.missing < FILLER_LIMIT;
        fits.then_some(rows)
    }
}
