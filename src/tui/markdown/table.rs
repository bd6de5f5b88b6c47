//! Table layout: columns sized from their content, aligned as the markdown says, drawn with
//! box-drawing borders and a rule under the header.
//!
//! Column widths start at each column's widest cell. When the table does not fit, the widest
//! columns shrink first (a common cap is lowered until the total fits) and their cells wrap
//! inside the column.
//!
//! Invariants: every produced line is at most `width` columns (when even one column per cell
//! cannot fit, lines are cut); all rows have the same number of cells (short rows are padded).

use pulldown_cmark::Alignment;
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;

use super::wrap::{Align, Piece, clip, pad, push_span, width_of, wrap};

/// One cell's inline content.
pub(crate) type Cell = Vec<Piece>;

/// Lays out a table. The first `header_rows` rows are the header (drawn bold, ruled off).
pub(crate) fn layout(
    aligns: &[Alignment],
    rows: &[Vec<Cell>],
    header_rows: usize,
    width: usize,
    border: Style,
) -> Vec<Vec<Span<'static>>> {
    let cols = rows
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .max(aligns.len());
    if cols == 0 {
        return Vec::new();
    }
    let mut natural = vec![1usize; cols];
    for row in rows {
        for (c, cell) in row.iter().enumerate() {
            natural[c] = natural[c].max(cell_width(cell));
        }
    }
    // "│ a │ b │": two columns of frame on each side and three between cells.
    let overhead = 3 * cols + 1;
    let widths = fit(&natural, width.saturating_sub(overhead));

    let rule = |left: &str, mid: &str, right: &str| {
        let mut spans = Vec::new();
        push_span(&mut spans, left, border);
        for (c, w) in widths.iter().enumerate() {
            push_span(&mut spans, &"─".repeat(w + 2), border);
            push_span(&mut spans, if c + 1 == cols { right } else { mid }, border);
        }
        clip(&spans, width, None).0
    };

    let mut out = vec![rule("┌", "┬", "┐")];
    for (r, row) in rows.iter().enumerate() {
        let header = r < header_rows;
        let wrapped: Vec<Vec<Vec<Span<'static>>>> = (0..cols)
            .map(|c| {
                let cell = row.get(c).map(Vec::as_slice).unwrap_or_default();
                if header {
                    let bold: Vec<Piece> = cell.iter().map(embolden).collect();
                    wrap(&bold, widths[c])
                } else {
                    wrap(cell, widths[c])
                }
            })
            .collect();
        let height = wrapped.iter().map(Vec::len).max().unwrap_or(0).max(1);
        for i in 0..height {
            let mut spans = Vec::new();
            push_span(&mut spans, "│ ", border);
            for (c, cell_lines) in wrapped.iter().enumerate() {
                let content = cell_lines.get(i).cloned().unwrap_or_default();
                let content = clip(&content, widths[c], None).0;
                let align = match aligns.get(c) {
                    Some(Alignment::Right) => Align::Right,
                    Some(Alignment::Center) => Align::Center,
                    _ => Align::Left,
                };
                spans.extend(pad(content, widths[c], align, Style::new()));
                push_span(&mut spans, if c + 1 == cols { " │" } else { " │ " }, border);
            }
            out.push(clip(&spans, width, None).0);
        }
        if header && r + 1 == header_rows && rows.len() > header_rows {
            out.push(rule("├", "┼", "┤"));
        }
    }
    out.push(rule("└", "┴", "┘"));
    out
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
            for line in layout(
                &[Alignment::None, Alignment::Right],
                &rows,
                1,
                width,
                Style::new(),
            ) {
                let w: usize = line.iter().map(|s| width_of(&s.content)).sum();
                assert!(w <= width, "{width}: {line:?}");
            }
        }
    }
}
