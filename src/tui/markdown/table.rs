//! Table layout: columns sized from their content, aligned as the markdown says, drawn with
//! box-drawing borders and a rule under the header.
//!
//! Column widths start at each column's widest cell. When the table does not fit, the widest
//! columns shrink first (a common cap is lowered until the total fits) and their cells wrap
//! inside the column.
//!
//! A row's lines depend only on its cells and the fitted widths ([`Grid::row`]), so a table
//! growing at its end can be drawn row by row for as long as its widths stay the same
//! (`open_table`).
//!
//! Invariants: every produced line is at most `width` columns (when even one column per cell
//! cannot fit, lines are cut); all rows have the same number of cells (short rows are padded).

use pulldown_cmark::Alignment;
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;

use super::wrap::{Align, Piece, clip, pad, push_span, width_of, wrap};

/// One cell's inline content.
pub(crate) type Cell = Vec<Piece>;

/// The number of columns: the most cells in a row, or the alignments if more.
pub(crate) fn columns(aligns: &[Alignment], rows: &[Vec<Cell>]) -> usize {
    rows.iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .max(aligns.len())
}

/// Each of `cols` columns' natural width (at least 1): its widest cell in `rows`.
pub(crate) fn natural(rows: &[Vec<Cell>], cols: usize) -> Vec<usize> {
    let mut natural = vec![1usize; cols];
    widen(&mut natural, rows);
    natural
}

/// Widens `natural` to hold the cells of `rows` too.
pub(crate) fn widen(natural: &mut [usize], rows: &[Vec<Cell>]) {
    for row in rows {
        for (n, cell) in natural.iter_mut().zip(row) {
            *n = (*n).max(cell_width(cell));
        }
    }
}

/// The widths columns of these natural widths get in a table `width` columns wide.
pub(crate) fn fitted(natural: &[usize], width: usize) -> Vec<usize> {
    // "│ a │ b │": two columns of frame on each side and three between cells.
    let overhead = 3 * natural.len() + 1;
    fit(natural, width.saturating_sub(overhead))
}

/// A table's frame: what every row is drawn with.
pub(crate) struct Grid<'a> {
    pub aligns: &'a [Alignment],
    /// The fitted column widths (one per column).
    pub widths: &'a [usize],
    /// The width the table is drawn in.
    pub width: usize,
    pub border: Style,
}

impl Grid<'_> {
    fn rule(&self, left: &str, mid: &str, right: &str) -> Vec<Span<'static>> {
        let mut spans = Vec::new();
        push_span(&mut spans, left, self.border);
        let cols = self.widths.len();
        for (c, w) in self.widths.iter().enumerate() {
            push_span(&mut spans, &"─".repeat(w + 2), self.border);
            let joint = if c + 1 == cols { right } else { mid };
            push_span(&mut spans, joint, self.border);
        }
        clip(&spans, self.width, None).0
    }

    pub(crate) fn top(&self) -> Vec<Span<'static>> {
        self.rule("┌", "┬", "┐")
    }

    /// The rule under the header.
    pub(crate) fn middle(&self) -> Vec<Span<'static>> {
        self.rule("├", "┼", "┤")
    }

    pub(crate) fn bottom(&self) -> Vec<Span<'static>> {
        self.rule("└", "┴", "┘")
    }

    /// The lines of one row (a header row is drawn bold).
    pub(crate) fn row(&self, row: &[Cell], header: bool) -> Vec<Vec<Span<'static>>> {
        let wrapped: Vec<Vec<Vec<Span<'static>>>> = (self.widths.iter().enumerate())
            .map(|(c, &w)| {
                let cell = row.get(c).map(Vec::as_slice).unwrap_or_default();
                if header {
                    let bold: Vec<Piece> = cell.iter().map(embolden).collect();
                    wrap(&bold, w)
                } else {
                    wrap(cell, w)
                }
            })
            .collect();
        let height = wrapped.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let cols = self.widths.len();
        (0..height)
            .map(|i| {
                let mut spans = Vec::new();
                push_span(&mut spans, "│ ", self.border);
                for (c, cell_lines) in wrapped.iter().enumerate() {
                    let content = cell_lines.get(i).cloned().unwrap_or_default();
                    let content = clip(&content, self.widths[c], None).0;
                    let align = match self.aligns.get(c) {
                        Some(Alignment::Right) => Align::Right,
                        Some(Alignment::Center) => Align::Center,
                        _ => Align::Left,
                    };
                    spans.extend(pad(content, self.widths[c], align, Style::new()));
                    let joint = if c + 1 == cols { " │" } else { " │ " };
                    push_span(&mut spans, joint, self.border);
                }
                clip(&spans, self.width, None).0
            })
            .collect()
    }
}

/// A table laid out.
pub(crate) struct Laid {
    pub lines: Vec<Vec<Span<'static>>>,
    /// The fitted column widths.
    pub widths: Vec<usize>,
    /// How many lines the last row took.
    pub last_height: usize,
}

/// Lays out a table whose columns have the `natural` widths of its `rows`. The first
/// `header_rows` rows are the header (drawn bold, ruled off).
pub(crate) fn layout(
    aligns: &[Alignment],
    rows: &[Vec<Cell>],
    header_rows: usize,
    natural: &[usize],
    width: usize,
    border: Style,
) -> Laid {
    if natural.is_empty() {
        return Laid {
            lines: Vec::new(),
            widths: Vec::new(),
            last_height: 0,
        };
    }
    let widths = fitted(natural, width);
    let grid = Grid {
        aligns,
        widths: &widths,
        width,
        border,
    };
    let mut lines = vec![grid.top()];
    let mut last_height = 0;
    for (r, row) in rows.iter().enumerate() {
        let header = r < header_rows;
        let row_lines = grid.row(row, header);
        last_height = row_lines.len();
        lines.extend(row_lines);
        if header && r + 1 == header_rows && rows.len() > header_rows {
            lines.push(grid.middle());
        }
    }
    lines.push(grid.bottom());
    Laid {
        lines,
        widths,
        last_height,
    }
}

fn embolden(piece: &Piece) -> Piece {
    match piece {
        Piece::Text(text, style) => Piece::Text(text.clone(), style.add_modifier(Modifier::BOLD)),
        Piece::Break => Piece::Break,
    }
}

/// The width of a cell's content laid out on one line (its widest line if it has breaks).
fn cell_width(cell: &[Piece]) -> usize {
    let mut widest = 0;
    let mut current = 0;
    for piece in cell {
        match piece {
            Piece::Text(text, _) => current += width_of(text),
            Piece::Break => {
                widest = widest.max(current);
                current = 0;
            }
        }
    }
    widest.max(current)
}

/// Column widths that fit in `avail` columns: the natural widths if they fit; otherwise every
/// column is capped at the largest cap that fits, the leftover going to the capped columns.
/// No column is narrower than 1.
fn fit(natural: &[usize], avail: usize) -> Vec<usize> {
    let total: usize = natural.iter().sum();
    if total <= avail {
        return natural.to_vec();
    }
    let avail = avail.max(natural.len());
    let capped = |cap: usize| -> usize { natural.iter().map(|&n| n.min(cap)).sum() };
    let (mut lo, mut hi) = (1, natural.iter().copied().max().unwrap_or(1));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if capped(mid) <= avail {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let mut widths: Vec<usize> = natural.iter().map(|&n| n.min(lo)).collect();
    let mut left = avail.saturating_sub(widths.iter().sum());
    for (w, &n) in widths.iter_mut().zip(natural) {
        if left == 0 {
            break;
        }
        if n > *w {
            *w += 1;
            left -= 1;
        }
    }
    widths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_shrinks_widest_first() {
        assert_eq!(fit(&[3, 10, 20], 40), [3, 10, 20]);
        assert_eq!(fit(&[3, 10, 20], 23), [3, 10, 10]);
        assert_eq!(fit(&[3, 10, 20], 24), [3, 10, 11]);
        assert_eq!(fit(&[30, 30, 2], 21), [10, 9, 2]);
        assert_eq!(fit(&[3, 10, 20], 2), [1, 1, 1]);
    }

    #[test]
    fn never_wider_than_asked() {
        let cell = |s: &str| vec![Piece::Text(s.into(), Style::new())];
        let rows = vec![
            vec![cell("name"), cell("description")],
            vec![cell("x"), cell("a rather long description of the thing")],
        ];
        for width in 0..60 {
            let aligns = [Alignment::None, Alignment::Right];
            let natural = natural(&rows, columns(&aligns, &rows));
            for line in layout(&aligns, &rows, 1, &natural, width, Style::new()).lines {
                let w: usize = line.iter().map(|s| width_of(&s.content)).sum();
                assert!(w <= width, "{width}: {line:?}");
            }
        }
    }
}
