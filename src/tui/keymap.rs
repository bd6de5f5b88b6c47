//! Keys -> actions. One table, so the help line and the handling cannot drift apart.
//!
//! Chosen to avoid the composer's editing keys (Ctrl+A/E/K/U/W, arrows, Home) and keys a
//! terminal cannot tell apart (Ctrl+M is Enter, Ctrl+I is Tab); all work inside tmux.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key asks the app to do, before the composer sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Send,
    Newline,
    /// Up: recall an earlier prompt when the composer is empty (or already recalling).
    HistoryPrev,
    /// Down: move forward through recalled prompts.
    HistoryNext,
    Cancel,
    /// Ctrl+C: quit when pressed twice.
    Interrupt,
    Quit,
    /// Alt+R: send the last failed or cancelled turn's prompt again.
    Retry,
    /// Ctrl+O: the session browser.
    Sessions,
    ToggleThinking,
    PageUp,
    PageDown,
    /// End: back to the live bottom when the conversation is scrolled.
    Bottom,
    /// Ctrl+Home: to the top of the conversation.
    Top,
    /// Anything else goes to the composer.
    Edit,
}

pub fn action(key: &KeyEvent) -> Action {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    let shift = key.modifiers.contains(KeyModifiers::SHIFT);
    match key.code {
        KeyCode::Enter if alt || shift || ctrl => Action::Newline,
        KeyCode::Enter => Action::Send,
        KeyCode::Char('j') if ctrl => Action::Newline,
        KeyCode::Char('c') if ctrl => Action::Interrupt,
        KeyCode::Char('q') if ctrl => Action::Quit,
        KeyCode::Char('r') if alt => Action::Retry,
        KeyCode::Char('o') if ctrl => Action::Sessions,
        KeyCode::Esc => Action::Cancel,
        KeyCode::Tab => Action::ToggleThinking,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::Up if !ctrl && !alt && !shift => Action::HistoryPrev,
        KeyCode::Down if !ctrl && !alt && !shift => Action::HistoryNext,
        KeyCode::Home if ctrl => Action::Top,
        KeyCode::End if ctrl => Action::Bottom,
        KeyCode::End => Action::Bottom,
        _ => Action::Edit,
    }
}

/// The key hints shown in the status line, most important first.
pub const HINTS: &[(&str, &str)] = &[
    ("Enter", "send"),
    ("Alt+Enter", "newline"),
    ("Tab", "thinking"),
    ("Ctrl+O", "sessions"),
    ("Esc", "cancel"),
    ("PgUp/PgDn", "scroll"),
    ("Ctrl+Q", "quit"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn enter_sends_and_modified_enter_breaks_the_line() {
        assert_eq!(
            action(&key(KeyCode::Enter, KeyModifiers::NONE)),
            Action::Send
        );
        assert_eq!(
            action(&key(KeyCode::Enter, KeyModifiers::ALT)),
            Action::Newline
        );
        assert_eq!(
            action(&key(KeyCode::Enter, KeyModifiers::SHIFT)),
            Action::Newline
        );
        assert_eq!(
            action(&key(KeyCode::Char('j'), KeyModifiers::CONTROL)),
            Action::Newline
        );
        assert_eq!(
            action(&key(KeyCode::Char('a'), KeyModifiers::CONTROL)),
            Action::Edit
        );
        assert_eq!(action(&key(KeyCode::Up, KeyModifiers::SHIFT)), Action::Edit);
        assert_eq!(
            action(&key(KeyCode::Char('r'), KeyModifiers::ALT)),
            Action::Retry
        );
        assert_eq!(
            action(&key(KeyCode::Char('r'), KeyModifiers::CONTROL)),
            Action::Edit
        );
    }
}
