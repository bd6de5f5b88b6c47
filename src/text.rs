//! Text bound for a terminal: sanitizing, and the spinner every live display shares.
//!
//! Invariant: what [`sanitize`] returns holds no control character but newline and tab —
//! no C0, DEL or C1 — so no escape sequence a model or a server wrote (a title change, an
//! OSC 52 clipboard write, cursor moves) can reach the terminal; each one shows as `�`.

use std::borrow::Cow;

/// The stand-in shown for a control character.
pub const STAND_IN: char = '\u{FFFD}';

fn hostile(c: char) -> bool {
    c.is_control() && c != '\t' && c != '\n'
}

/// `text` with every control character other than tab and newline replaced by
/// [`STAND_IN`]; borrowed when there is none.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if text.chars().any(hostile) {
        text.chars()
            .map(|c| if hostile(c) { STAND_IN } else { c })
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner frame for an elapsed time (deterministic, so snapshots are stable).
pub fn spinner(elapsed_ms: u64) -> &'static str {
    SPINNER[(elapsed_ms / 100) as usize % SPINNER.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_never_pass() {
        let osc52 = "a\x1b]52;c;aGk=\x07b\u{9b}31mc\x7f\r\n\td";
        let clean = sanitize(osc52);
        assert_eq!(clean, "a�]52;c;aGk=�b�31mc��\n\td");
        assert!(matches!(sanitize("plain\ttext\n"), Cow::Borrowed(_)));
    }
}
