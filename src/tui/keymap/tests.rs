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
        action(&key(KeyCode::Char('l'), KeyModifiers::ALT)),
        Action::EditLast
    );
    assert_eq!(command("/edit-last"), Some((Cmd::EditLast, "")));
    assert_eq!(command("/fork 3"), Some((Cmd::Fork, "3")));
    assert_eq!(
        action(&key(KeyCode::Char(','), KeyModifiers::ALT)),
        Action::EffortDown
    );
    assert_eq!(
        action(&key(KeyCode::Char('.'), KeyModifiers::ALT)),
        Action::EffortUp
    );
    // Escape-sequence prefixes are never bound.
    for c in ['[', ']', 'O', 'P'] {
        assert_eq!(
            action(&key(KeyCode::Char(c), KeyModifiers::ALT)),
            Action::Edit
        );
    }
    assert_eq!(
        action(&key(KeyCode::F(2), KeyModifiers::NONE)),
        Action::Models
    );
    assert_eq!(completions("/m"), ["/model", "/max", "/meter"]);
    assert!(completions("/model o3").is_empty());
    assert!(completions("hello").is_empty());
    assert!(completions("/model").is_empty());
    assert_eq!(completions("/q"), ["/quit"]);
}

#[test]
fn every_action_but_edit_has_a_key_and_hints_keep_their_order() {
    use Action::*;
    for a in [
        Send,
        Newline,
        HistoryPrev,
        HistoryNext,
        Cancel,
        Interrupt,
        Quit,
        Retry,
        Sessions,
        Help,
        Models,
        Efforts,
        EffortDown,
        EffortUp,
        ToggleMeter,
        Inspector,
        ToggleThinking,
        PageUp,
        PageDown,
        Bottom,
        Top,
        PickArm,
        ArmPrev,
        ArmNext,
        Demo,
        ExternalEdit,
    ] {
        assert!(
            KEYS.iter().any(|e| e.binds.iter().any(|(_, b)| *b == a)),
            "{a:?} has no key"
        );
    }
    let words: Vec<&str> = hints().iter().map(|h| h.word).collect();
    assert_eq!(
        words,
        [
            "help", "send", "model", "effort", "thinking", "usage", "sessions", "cancel", "quit"
        ]
    );
    assert_eq!(command("/model  o3-mini "), Some((Cmd::Model, "o3-mini")));
    assert_eq!(command("/etc/hosts?"), None);
}

/// Ctrl+G opens the editor and takes no key another binding or the composer's own editing
/// keys (Ctrl+A/E/K/U/W/H, Ctrl+J) use.
#[test]
fn ctrl_g_opens_the_editor_and_collides_with_nothing() {
    let ctrl_g = key(KeyCode::Char('g'), KeyModifiers::CONTROL);
    assert_eq!(action(&ctrl_g), Action::ExternalEdit);
    let takers: Vec<Action> = KEYS
        .iter()
        .flat_map(|e| e.binds.iter())
        .filter(|(pattern, _)| pattern.matches(&ctrl_g))
        .map(|(_, a)| *a)
        .collect();
    assert_eq!(takers, [Action::ExternalEdit]);
    for c in ['a', 'e', 'k', 'u', 'w', 'h', 'j'] {
        assert_ne!(
            action(&key(KeyCode::Char(c), KeyModifiers::CONTROL)),
            Action::ExternalEdit
        );
    }
    assert_eq!(
        action(&key(KeyCode::Char('g'), KeyModifiers::NONE)),
        Action::Edit
    );
    assert_eq!(command("/edit"), Some((Cmd::Edit, "")));
    assert_eq!(command("/edit draft me"), Some((Cmd::Edit, "draft me")));
}
