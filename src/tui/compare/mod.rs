//! The comparison view: one prompt, its arms side by side (or as tabs when the pane is
//! narrow), and a summary table under them.
//!
//! - [`layout`] decides columns or tabs for a width: columns when every arm gets
//!   [`MIN_COLUMN`] cells side by side, or when at least three columns fit (at most
//!   [`MAX_COLUMNS`]; more arms page with ←/→); else tabs (1-9 or ←/→ switch);
//! - `column` draws one arm's title, live line and footer; `summary` the table; `view` puts
//!   them together as rows the conversation pane shows like any turn's.
//!
//! Invariant: like every view, this reads the turns and never changes them; a row is composed
//! only when it is drawn, so a frame costs O(visible rows × columns).

mod column;
mod summary;
mod view;

pub use summary::summary_lines;
pub use view::CompareView;

/// The narrowest column worth drawing side by side.
pub const MIN_COLUMN: u16 = 37;
/// The most columns shown at once.
pub const MAX_COLUMNS: usize = 4;
/// Between two columns.
pub const SEP: &str = " │ ";

/// How a comparison's arms share the width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `per_page` columns of `width` cells each; the page holds arms `first..first+per_page`.
    Columns {
        per_page: usize,
        width: u16,
        first: usize,
    },
    /// One arm at a time, the whole width.
    Tabs { shown: usize },
}

/// The layout for `arms` arms in `width` cells, with arm `selected` in view.
pub fn layout(width: u16, arms: usize, selected: usize) -> Layout {
    let sep = SEP.chars().count() as u16;
    let fit = ((width + sep) / (MIN_COLUMN + sep)) as usize;
    let selected = selected.min(arms.saturating_sub(1));
    // Two narrow columns paging through more arms read worse than tabs.
    if arms < 2 || fit < 2 || (fit < arms && fit < 3) {
        return Layout::Tabs { shown: selected };
    }
    let per_page = fit.min(MAX_COLUMNS).min(arms);
    let gaps = (per_page as u16 - 1) * sep;
    Layout::Columns {
        per_page,
        width: (width - gaps) / per_page as u16,
        first: selected / per_page * per_page,
    }
}

/// The width each arm is laid out at in `layout` of a pane `width` wide.
pub fn arm_width(layout: Layout, width: u16) -> u16 {
    match layout {
        Layout::Columns { width, .. } => width,
        Layout::Tabs { .. } => width,
    }
}

impl Layout {
    /// The arms shown: `first..end` of `count`.
    pub fn visible(self, count: usize) -> std::ops::Range<usize> {
        match self {
            Layout::Columns {
                per_page, first, ..
            } => first.min(count)..(first + per_page).min(count),
            Layout::Tabs { shown } => shown.min(count)..(shown + 1).min(count),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_when_each_gets_its_width_else_tabs() {
        assert_eq!(layout(78, 3, 1), Layout::Tabs { shown: 1 });
        assert_eq!(
            layout(78, 2, 1),
            Layout::Columns {
                per_page: 2,
                width: 37,
                first: 0
            }
        );
        assert_eq!(
            layout(160, 2, 0),
            Layout::Columns {
                per_page: 2,
                width: 78,
                first: 0
            }
        );
        assert_eq!(
            layout(158, 4, 3),
            Layout::Columns {
                per_page: 4,
                width: 37,
                first: 0
            }
        );
        // Six arms at 200 cells: four per page, the second page from arm 5.
        assert_eq!(
            layout(200, 6, 4),
            Layout::Columns {
                per_page: 4,
                width: 47,
                first: 4
            }
        );
        assert_eq!(layout(0, 3, 9), Layout::Tabs { shown: 2 });
        assert_eq!(layout(1, 0, 0), Layout::Tabs { shown: 0 });
    }
}
