//! Editing by grapheme cluster around the text area, which moves and deletes by code point:
//! a base letter with its combining marks, or an emoji ZWJ sequence, is one unit for
//! Backspace, Delete, Left and Right; Ctrl+U clears from the cursor to the start of the line
//! as in a shell (the text area would undo).
//!
//! Invariants: within a line a key acts on the whole cluster next to the cursor (Backspace
//! once per code point, Delete as one deletion, a move as one jump); at a line's ends and on
//! a selection the text area's own behaviour is kept (joining lines, deleting the selection);
//! nothing here indexes the text without checking.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{CursorMove, TextArea};
use unicode_segmentation::UnicodeSegmentation;

/// Which side of the cursor a key acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Before,
    After,
}

/// Feed `key` to `text`, treating grapheme clusters as one unit and Ctrl+U as "clear to the
/// start of the line".
pub(super) fn input(text: &mut TextArea<'static>, key: KeyEvent) {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    let shift = key.modifiers.contains(KeyModifiers::SHIFT);
    match (key.code, ctrl, alt) {
        (KeyCode::Char('u'), true, false) => clear_to_line_start(text),
        (KeyCode::Backspace, false, false) | (KeyCode::Char('h'), true, false) => {
            // `delete_char` counts code points in the line, so one per code point is exact.
            let times = if text.is_selecting() {
                1
            } else {
                cluster_chars(text, Side::Before)
            };
            for _ in 0..times {
                text.input(key);
            }
        }
        (KeyCode::Delete, false, false) | (KeyCode::Char('d'), true, false)
            if !text.is_selecting() && !at_line_end(text) =>
        {
            // One deletion of the whole cluster (at a line's end the key joins the lines).
            text.delete_str(cluster_chars(text, Side::After));
        }
        (KeyCode::Left, false, false) | (KeyCode::Char('b'), true, false) => {
            step(text, key, Side::Before, shift);
        }
        (KeyCode::Right, false, false) | (KeyCode::Char('f'), true, false) => {
            step(text, key, Side::After, shift);
        }
        _ => {
            text.input(key);
        }
    }
}

/// Move over the cluster on `side` (extending the selection with Shift). Within a line the
/// cursor jumps to the cluster's other end: the text area's own step forward cannot pass a
/// zero-width mark at a line's end. At a line's ends the key crosses the line as usual.
fn step(text: &mut TextArea<'static>, key: KeyEvent, side: Side, shift: bool) {
    let (row, col) = (text.cursor().0, text.cursor().1);
    let n = cluster_chars(text, side);
    let target = match side {
        Side::Before if col > 0 => col.checked_sub(n),
        Side::After if !at_line_end(text) => Some(col + n),
        _ => None,
    };
    let jump = target.and_then(|c| Some((u16::try_from(row).ok()?, u16::try_from(c).ok()?)));
    let Some((row, col)) = jump else {
        text.input(key);
        return;
    };
    if !shift {
        text.cancel_selection();
    } else if !text.is_selecting() {
        text.start_selection();
    }
    text.move_cursor(CursorMove::Jump(row, col));
}

/// The cursor is at the end of its line.
fn at_line_end(text: &TextArea<'static>) -> bool {
    let (row, col) = (text.cursor().0, text.cursor().1);
    text.lines()
        .get(row)
        .is_none_or(|line| col >= line.chars().count())
}

/// Code points in the grapheme cluster next to the cursor on `side` (1 at a line's ends,
/// where the key joins or crosses lines).
fn cluster_chars(text: &TextArea<'static>, side: Side) -> usize {
    let (row, col) = (text.cursor().0, text.cursor().1);
    let Some(line) = text.lines().get(row) else {
        return 1;
    };
    let offset = line.char_indices().nth(col).map_or(line.len(), |(i, _)| i);
    let (before, after) = line.split_at(offset);
    let cluster = match side {
        Side::Before => before.graphemes(true).next_back(),
        Side::After => after.graphemes(true).next(),
    };
    cluster.map_or(1, |g| g.chars().count().max(1))
}

/// Ctrl+U: delete from the cursor to the start of its line (nothing at the start).
fn clear_to_line_start(text: &mut TextArea<'static>) {
    text.cancel_selection();
    if text.cursor().1 > 0 {
        text.delete_line_by_head();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn area(text: &str) -> TextArea<'static> {
        let mut t = TextArea::new(text.split('\n').map(str::to_string).collect());
        t.move_cursor(CursorMove::Bottom);
        t.move_cursor(CursorMove::End);
        t
    }

    const FAMILY: &str = "\u{1F469}\u{200D}\u{1F469}\u{200D}\u{1F467}";

    #[test]
    fn backspace_deletes_a_whole_cluster() {
        // `e` + combining acute, then a ZWJ family emoji.
        let mut t = area(&format!("cafe\u{301}{FAMILY}"));
        input(&mut t, key(KeyCode::Backspace));
        assert_eq!(t.lines(), ["cafe\u{301}"]);
        input(&mut t, key(KeyCode::Backspace));
        assert_eq!(t.lines(), ["caf"]);
        // At the start of a line Backspace still joins the lines.
        let mut t = area("ab\n");
        input(&mut t, key(KeyCode::Backspace));
        assert_eq!(t.lines(), ["ab"]);
    }

    #[test]
    fn arrows_and_delete_step_over_a_whole_cluster() {
        let mut t = area(&format!("a{FAMILY}e\u{301}"));
        input(&mut t, key(KeyCode::Left));
        assert_eq!(t.cursor(), (0, 1 + 5));
        input(&mut t, key(KeyCode::Left));
        assert_eq!(t.cursor(), (0, 1));
        input(&mut t, key(KeyCode::Delete));
        assert_eq!(t.lines(), ["ae\u{301}"]);
        input(&mut t, key(KeyCode::Right));
        assert_eq!(t.cursor(), (0, 3));
        // Delete before a cluster that ends the line takes all of it.
        input(&mut t, key(KeyCode::Left));
        input(&mut t, key(KeyCode::Delete));
        assert_eq!(t.lines(), ["a"]);
        t.insert_str("e\u{301}");
        // Ctrl+B / Ctrl+F / Ctrl+D / Ctrl+H are the same moves and deletes.
        let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        input(&mut t, ctrl('b'));
        assert_eq!(t.cursor(), (0, 1));
        input(&mut t, ctrl('d'));
        assert_eq!(t.lines(), ["a"]);
        input(&mut t, ctrl('f'));
        assert_eq!(t.cursor(), (0, 1));
        t.insert_str("o\u{308}");
        input(&mut t, ctrl('h'));
        assert_eq!(t.lines(), ["a"]);
    }

    #[test]
    fn ctrl_u_clears_to_the_start_of_the_line() {
        let ctrl_u = KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL);
        let mut t = area("first\nsecond line");
        input(&mut t, key(KeyCode::Left));
        input(&mut t, key(KeyCode::Left));
        input(&mut t, ctrl_u);
        assert_eq!(t.lines(), ["first", "ne"]);
        assert_eq!(t.cursor(), (1, 0));
        // At the start of a line there is nothing to clear: the lines stay apart.
        input(&mut t, ctrl_u);
        assert_eq!(t.lines(), ["first", "ne"]);
    }
}
