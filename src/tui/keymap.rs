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
    /// F1 (or `?` on an empty composer): the help overlay.
    Help,
    /// F2, Alt+M: the model picker.
    Models,
    /// F3, Alt+E: the effort selector.
    Efforts,
    /// Alt+[ / Alt+]: one effort level down / up.
    EffortDown,
    EffortUp,
    /// F4, Alt+T: show or hide the meter.
    ToggleMeter,
    /// F5, Alt+U: the usage inspector.
    Inspector,
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
        KeyCode::F(1) => Action::Help,
        KeyCode::F(2) => Action::Models,
        KeyCode::Char('m') if alt => Action::Models,
        KeyCode::F(3) => Action::Efforts,
        KeyCode::Char('e') if alt => Action::Efforts,
        KeyCode::Char('[') if alt => Action::EffortDown,
        KeyCode::Char(']') if alt => Action::EffortUp,
        KeyCode::F(4) => Action::ToggleMeter,
        KeyCode::Char('t') if alt => Action::ToggleMeter,
        KeyCode::F(5) => Action::Inspector,
        KeyCode::Char('u') if alt => Action::Inspector,
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
    ("F1", "help"),
    ("Enter", "send"),
    ("F2", "model"),
    ("F3", "effort"),
    ("Tab", "thinking"),
    ("F5", "usage"),
    ("Ctrl+O", "sessions"),
    ("Esc", "cancel"),
    ("Ctrl+Q", "quit"),
];

/// Every key, for the help overlay.
pub const HELP: &[(&str, &str)] = &[
    ("Enter", "send the message"),
    ("Alt+Enter, Shift+Enter, Ctrl+J", "new line in the message"),
    ("Up / Down (empty composer)", "earlier prompts"),
    ("F2, Alt+M", "model picker"),
    ("F3, Alt+E", "reasoning effort"),
    ("Alt+[ / Alt+]", "effort one level down / up"),
    ("F4, Alt+T", "show or hide the meter"),
    ("F5, Alt+U", "usage inspector"),
    ("Ctrl+O", "sessions"),
    (
        "Tab",
        "show or hide the latest thinking (completes a /command)",
    ),
    ("Esc", "cancel the answer (or give up a retry)"),
    (
        "Alt+R",
        "send a failed, cancelled or interrupted turn again",
    ),
    (
        "PgUp / PgDn, wheel",
        "scroll; End returns to the live bottom",
    ),
    ("Ctrl+Home", "top of the conversation"),
    ("F1, ? (empty composer)", "this help"),
    ("Ctrl+C twice, Ctrl+Q", "quit"),
];

/// Slash commands, with what follows them, for completion and help.
pub const COMMANDS: &[(&str, &str)] = &[
    (
        "/model",
        "[PROVIDER/]MODEL — switch model (no name: the picker)",
    ),
    (
        "/effort",
        "LEVEL — set reasoning effort (no level: the selector)",
    ),
    ("/max", "N — output token budget (off: the model's own)"),
    ("/usage", "the usage inspector"),
    ("/meter", "show or hide the meter"),
    ("/sessions", "the session browser"),
    ("/new", "start a new session"),
    ("/title", "TEXT — name this session"),
    ("/help", "keys and commands"),
];

/// Commands starting with what is typed, while only a command word is typed.
pub fn completions(draft: &str) -> Vec<&'static str> {
    if !draft.starts_with('/') || draft.contains(char::is_whitespace) {
        return Vec::new();
    }
    COMMANDS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| name.starts_with(draft) && *name != draft)
        .collect()
}

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
        assert_eq!(
            action(&key(KeyCode::Char('['), KeyModifiers::ALT)),
            Action::EffortDown
        );
        assert_eq!(
            action(&key(KeyCode::F(2), KeyModifiers::NONE)),
            Action::Models
        );
        assert_eq!(completions("/m"), ["/model", "/max", "/meter"]);
        assert!(completions("/model o3").is_empty());
        assert!(completions("hello").is_empty());
    }
}
