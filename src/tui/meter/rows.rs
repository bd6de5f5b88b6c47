//! The meter pane's rows with how much each matters, and fitting them to a height: when the
//! pane is too short, the least useful rows go first (details, then the blank rows between
//! sections, then useful rows, then the figures, then the key rows, each kind from the bottom
//! up), the rest keep their order, and a last row says how many were hidden.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// How much a row matters when the pane is too short for all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// What the pane is for: section headings, the next prompt's size and cost, a turn's
    /// cost, the session total, the limits left, warnings.
    Key,
    /// The other figures: the window, a turn's input, reasoning and output tokens.
    Figure,
    /// Worth a row when there is one: the model line, the gauge, timings.
    Useful,
    /// A blank row between sections.
    Gap,
    /// Detail: the draft's share, the tokenizer factor, speed, per-model totals, resets.
    Detail,
}

/// The order in which rows give way.
const DROP_ORDER: [Keep; 5] = [
    Keep::Detail,
    Keep::Gap,
    Keep::Useful,
    Keep::Figure,
    Keep::Key,
];

/// The pane's rows, top to bottom.
#[derive(Default)]
pub struct Rows {
    rows: Vec<(Keep, Line<'static>)>,
}

impl Rows {
    pub fn push(&mut self, keep: Keep, line: Line<'static>) {
        self.rows.push((keep, line));
    }

    /// Several rows that matter alike (a wrapped note).
    pub fn extend(&mut self, keep: Keep, lines: Vec<Line<'static>>) {
        self.rows.extend(lines.into_iter().map(|l| (keep, l)));
    }

    /// A blank row before the next section.
    pub fn gap(&mut self) {
        self.push(Keep::Gap, Line::default());
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn truncate(&mut self, len: usize) {
        self.rows.truncate(len);
    }

    /// Every row, however many.
    pub fn all(self) -> Vec<Line<'static>> {
        self.rows.into_iter().map(|(_, line)| line).collect()
    }

    /// At most `height` rows: all of them when they fit; otherwise the most useful ones in
    /// their order and a last row `… N rows hidden` in `style`.
    pub fn fit(self, height: usize, style: Style) -> Vec<Line<'static>> {
        let keeps: Vec<Keep> = self.rows.iter().map(|(keep, _)| *keep).collect();
        let shown = shown(&keeps, height);
        let hidden = shown.iter().filter(|s| !**s).count();
        let mut out: Vec<Line<'static>> = self
            .rows
            .into_iter()
            .zip(shown)
            .filter_map(|((_, line), shown)| shown.then_some(line))
            .collect();
        if hidden > 0 && height > 0 {
            let plural = if hidden == 1 { "" } else { "s" };
            out.push(Line::from(Span::styled(
                format!("… {hidden} row{plural} hidden"),
                style,
            )));
        }
        out
    }
}

/// Which rows of `keeps` to show in `height` rows, keeping one for the count of the hidden
/// ones when some must go.
fn shown(keeps: &[Keep], height: usize) -> Vec<bool> {
    let mut shown = vec![true; keeps.len()];
    if keeps.len() <= height {
        return shown;
    }
    let room = height.saturating_sub(1);
    let mut count = keeps.len();
    for level in DROP_ORDER {
        for i in (0..keeps.len()).rev() {
            if count <= room {
                return shown;
            }
            if shown[i] && keeps[i] == level {
                shown[i] = false;
                count -= 1;
            }
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use Keep::*;

    #[test]
    fn everything_shows_when_it_fits() {
        assert_eq!(shown(&[Key, Detail, Gap], 3), [true; 3]);
    }

    #[test]
    fn details_go_first_then_gaps_then_useful_rows_from_the_bottom() {
        let keeps = [Key, Detail, Useful, Gap, Key, Detail, Useful];
        // 7 rows in 6: one row for the count, so two go: both details.
        assert_eq!(
            shown(&keeps, 6),
            [true, false, true, true, true, false, true]
        );
        // In 4: the details, the gap, then the lower useful row.
        assert_eq!(
            shown(&keeps, 4),
            [true, false, true, false, true, false, false]
        );
        // In 2: only the first heading and the count.
        assert_eq!(shown(&keeps, 2).iter().filter(|s| **s).count(), 1);
        assert!(shown(&keeps, 2)[0]);
    }

    #[test]
    fn the_last_row_counts_the_hidden_ones() {
        let mut rows = Rows::default();
        for i in 0..5 {
            rows.push(Key, Line::from(format!("row {i}")));
        }
        let text: Vec<String> = rows
            .fit(3, Style::default())
            .iter()
            .map(|l| l.to_string())
            .collect();
        assert_eq!(text, ["row 0", "row 1", "… 3 rows hidden"]);
    }
}
