//! The help's layout: the box over the middle of the screen and the rows in it at a width
//! (the keys, then the commands, each description wrapped under its own column). Shared by
//! the state (which pages by these rows) and the view (which draws them), so both agree.

use crate::tui::keymap::{COMMANDS, KEYS};
use crate::tui::markdown::wrap_text;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders};

/// One row of the help at some width.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Row {
    Heading(&'static str),
    Blank,
    /// The key column (blank on a description's later rows) and a row of the description.
    Item {
        key: String,
        what: String,
    },
}

/// Narrowest description column beside the keys; narrower boxes stack key and description.
const MIN_WHAT: usize = 20;
/// The indent of a description under its key, when stacked.
const STACKED: usize = 3;

/// The box the help is drawn in, for a terminal of `area`.
pub(super) fn popup(area: Rect) -> Rect {
    Rect {
        x: area.x + area.width / 12,
        y: area.y + area.height / 12,
        width: area.width - area.width / 6,
        height: area.height - area.height / 6,
    }
}

/// Where the rows go, for a terminal of `area`.
pub(super) fn body(area: Rect) -> Rect {
    Block::default().borders(Borders::ALL).inner(popup(area))
}

/// The help's rows when `width` columns wide.
pub(super) fn rows(width: u16) -> Vec<Row> {
    let width = usize::from(width);
    let key_width = KEYS
        .iter()
        .map(|e| e.keys)
        .chain(COMMANDS.iter().map(|(name, _, _)| *name))
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    // The key column: a space, the widest key, two spaces.
    let key_col = 1 + key_width;
    let beside = width >= key_col + MIN_WHAT;
    let what_width = if beside {
        width - key_col
    } else {
        width.saturating_sub(STACKED)
    };
    let mut rows = vec![Row::Heading(" Keys")];
    let item = |rows: &mut Vec<Row>, key: &str, what: &str| {
        let wrapped = wrap_text(
            what,
            Style::default(),
            u16::try_from(what_width).unwrap_or(u16::MAX),
        );
        let mut wrapped = wrapped.iter().map(Line::to_string);
        let indent = if beside { key_col } else { STACKED };
        if beside {
            rows.push(Row::Item {
                key: format!(" {key:<key_width$}"),
                what: wrapped.next().unwrap_or_default(),
            });
        } else {
            rows.push(Row::Item {
                key: format!(" {key}"),
                what: String::new(),
            });
        }
        rows.extend(wrapped.map(|what| Row::Item {
            key: " ".repeat(indent),
            what,
        }));
    };
    for e in KEYS {
        item(&mut rows, e.keys, e.what);
    }
    rows.push(Row::Blank);
    rows.push(Row::Heading(
        " Commands (type / in the composer; Tab completes)",
    ));
    for (name, what, _) in COMMANDS {
        item(&mut rows, name, what);
    }
    rows
}
