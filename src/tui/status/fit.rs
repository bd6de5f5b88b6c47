//! Fitting the status line's items to a width, by priority, without cutting a word: the
//! notice first and whole, then the left items in order, then the hints in order; the first
//! item that does not fit is dropped with everything after it.

use crate::tui::component::cut;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Between two items of one side.
pub const ITEM_SEP: &str = " · ";
/// Between the left side and the right one (the notice or the hints).
pub const SIDE_SEP: &str = " │ ";

/// What the status area shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// One row: the left items, then right-aligned the notice (`notice`) or the hints.
    Line {
        left: Vec<String>,
        right: Vec<String>,
        notice: bool,
    },
    /// A notice too wide for one row, alone, on as many rows as it was given (cut with `…`
    /// at its very end if even those are too few).
    Notice(Vec<String>),
}

/// Whether `notice` fits one row of `width` columns (with a space either side).
pub fn fits_one_row(notice: &str, width: usize) -> bool {
    notice.width() + 2 <= width
}

/// Columns a row with `left` and `right` takes, a space at each end included.
pub fn row_width(left: &[String], right: &[String]) -> usize {
    let side = |items: &[String]| -> usize {
        let words: usize = items.iter().map(|i| i.width()).sum();
        words + ITEM_SEP.width() * items.len().saturating_sub(1)
    };
    let (l, r) = (side(left), side(right));
    let sep = if l > 0 && r > 0 { SIDE_SEP.width() } else { 0 };
    2 + l + sep + r
}

/// The longest prefix of `items` that fits in `width` beside (before) `right`.
fn prefix(items: &[String], right: &[String], width: usize) -> Vec<String> {
    let mut taken: Vec<String> = Vec::new();
    for item in items {
        taken.push(item.clone());
        if row_width(&taken, right) > width {
            taken.pop();
            break;
        }
    }
    taken
}

/// Lay out the status area of `width` columns and `rows` rows: `left` holds the settings and
/// rate limits in order of importance, `hints` the key hints likewise.
pub fn layout(
    left: &[String],
    hints: &[String],
    notice: Option<&str>,
    width: usize,
    rows: usize,
) -> Layout {
    match notice {
        Some(notice) if !fits_one_row(notice, width) => {
            Layout::Notice(wrap(notice, width.saturating_sub(2), rows.max(1)))
        }
        Some(notice) => {
            let right = vec![notice.to_string()];
            Layout::Line {
                left: prefix(left, &right, width),
                right,
                notice: true,
            }
        }
        None => {
            let shown = prefix(left, &[], width);
            let right = if shown.len() == left.len() {
                let mut right: Vec<String> = Vec::new();
                for hint in hints {
                    right.push(hint.clone());
                    if row_width(&shown, &right) > width {
                        right.pop();
                        break;
                    }
                }
                right
            } else {
                Vec::new()
            };
            Layout::Line {
                left: shown,
                right,
                notice: false,
            }
        }
    }
}

/// `text` wrapped at spaces into at most `rows` rows of `width` columns; a word wider than
/// a row is broken, and what does not fit the last row is cut there with `…`.
pub fn wrap(text: &str, width: usize, rows: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    if width == 0 {
        return out;
    }
    while !rest.is_empty() && out.len() < rows {
        if out.len() + 1 == rows || rest.width() <= width {
            out.push(cut(rest, width, true));
            break;
        }
        let mut end = 0;
        let mut used = 0;
        let mut last_space = None;
        for (i, ch) in rest.char_indices() {
            let w = ch.width().unwrap_or(0);
            if used + w > width {
                break;
            }
            if ch == ' ' {
                last_space = Some(i);
            }
            used += w;
            end = i + ch.len_utf8();
        }
        let at_boundary = rest[end..].starts_with(' ');
        let split = match last_space {
            _ if at_boundary => end,
            Some(i) if i > 0 => i,
            _ => end,
        };
        if split == 0 {
            break;
        }
        out.push(rest[..split].trim_end().to_string());
        rest = rest[split..].trim_start();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn whole_items_are_dropped_from_the_least_important_end() {
        let left = strings(&["openai", "gpt-4o", "session $0.01"]);
        let hints = strings(&["F1 help", "Enter send"]);
        // " openai · gpt-4o · session $0.01 │ F1 help · Enter send " is 56 columns.
        let all = layout(&left, &hints, None, 56, 1);
        assert_eq!(
            all,
            Layout::Line {
                left: left.clone(),
                right: hints.clone(),
                notice: false
            }
        );
        let Layout::Line { left: l, right, .. } = layout(&left, &hints, None, 50, 1) else {
            panic!("one row expected");
        };
        assert_eq!((l, right), (left.clone(), strings(&["F1 help"])));
        let Layout::Line { left: l, right, .. } = layout(&left, &hints, None, 30, 1) else {
            panic!("one row expected");
        };
        assert_eq!((l, right), (strings(&["openai", "gpt-4o"]), Vec::new()));
    }

    #[test]
    fn a_notice_shows_whole_and_the_left_side_gives_way() {
        let left = strings(&["openai", "gpt-5-mini", "effort medium", "session $0"]);
        let notice = "press Ctrl+C again to quit";
        let Layout::Line {
            left: l,
            right,
            notice: true,
        } = layout(&left, &[], Some(notice), 60, 1)
        else {
            panic!("one row with the notice expected");
        };
        assert_eq!(right, [notice]);
        assert_eq!(l, strings(&["openai", "gpt-5-mini"]));
        assert!(row_width(&l, &right) <= 60);
    }

    #[test]
    fn a_notice_wider_than_the_row_wraps_at_words_and_is_cut_only_at_its_end() {
        let notice = "⚠ 50 output tokens may all go to reasoning (o3-mini reasons first)";
        let rows = wrap(notice, 40, 2);
        assert_eq!(
            rows,
            [
                "⚠ 50 output tokens may all go to",
                "reasoning (o3-mini reasons first)"
            ]
        );
        let rows = wrap(notice, 20, 2);
        assert_eq!(rows, ["⚠ 50 output tokens", "may all go to reaso…"]);
        assert_eq!(wrap(notice, 20, 1), ["⚠ 50 output tokens …"]);
        assert!(matches!(
            layout(&[], &[], Some(notice), 42, 2),
            Layout::Notice(rows) if rows.len() == 2
        ));
        // A word wider than a row is broken, never looped on.
        assert_eq!(wrap("abcdefgh ij", 4, 3), ["abcd", "efgh", "ij"]);
        assert!(wrap("x", 0, 2).is_empty());
    }
}
