//! Keys and commands, declared once. [`KEYS`] drives key dispatch ([`action`]), the status
//! line's hints ([`hints`]) and the help overlay; [`COMMANDS`] drives slash-command dispatch
//! ([`command`]), completion and the help overlay. Nothing else lists a key or a command.
//!
//! Chosen to avoid the composer's editing keys (Ctrl+A/E/K/U/W, arrows, Home) and keys a
//! terminal cannot tell apart (Ctrl+M is Enter, Ctrl+I is Tab, Ctrl+H is Backspace); all
//! work inside tmux (Ctrl+G is the BEL byte, which tmux passes on; its prefix is Ctrl+B).
//! A key matches the first binding whose code is equal, whose required modifiers it holds
//! and whose forbidden modifiers it lacks; a key no binding takes goes to the composer.

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
    /// Alt+, / Alt+.: one effort level down / up.
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
    /// A digit on an empty composer after a comparison: keep that arm (show it, while the
    /// comparison streams); otherwise the digit is typed.
    PickArm,
    /// Left / Right on an empty composer after a comparison: the previous / next arm's tab
    /// (or page of columns); otherwise the cursor moves.
    ArmPrev,
    ArmNext,
    /// Ctrl+G: the message in `$VISUAL` / `$EDITOR`.
    ExternalEdit,
    /// Alt+L: the last prompt back in the composer; sending replaces that turn.
    EditLast,
    /// `d` on the empty start screen of a provider without a key: the offline demo;
    /// otherwise the letter is typed.
    Demo,
    /// Anything else goes to the composer.
    Edit,
}

/// One key pattern: the code, the modifiers it must hold and those it must not.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    pub code: KeyCode,
    pub with: KeyModifiers,
    pub without: KeyModifiers,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const ALT: KeyModifiers = KeyModifiers::ALT;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
const MODS: KeyModifiers = CTRL.union(ALT).union(SHIFT);

/// `code` with any modifiers.
const fn any(code: KeyCode) -> Key {
    Key {
        code,
        with: NONE,
        without: NONE,
    }
}
/// `code` with at least `with`.
const fn with(code: KeyCode, with: KeyModifiers) -> Key {
    Key {
        code,
        with,
        without: NONE,
    }
}
/// `code` without Ctrl, Alt or Shift.
const fn plain(code: KeyCode) -> Key {
    Key {
        code,
        with: NONE,
        without: MODS,
    }
}

impl Key {
    fn matches(&self, key: &KeyEvent) -> bool {
        key.code == self.code
            && key.modifiers.contains(self.with)
            && !key.modifiers.intersects(self.without)
    }
}

/// A key shown in the status line: its rank there (lowest first), the key and the word.
#[derive(Clone, Copy, Debug)]
pub struct Hint {
    pub rank: u8,
    pub key: &'static str,
    pub word: &'static str,
}

/// One row of the help: the keys as shown, what they do, the status-line hint, and the
/// bindings the row stands for.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    pub keys: &'static str,
    pub what: &'static str,
    pub hint: Option<Hint>,
    pub binds: &'static [(Key, Action)],
}

const fn hint(rank: u8, key: &'static str, word: &'static str) -> Option<Hint> {
    Some(Hint { rank, key, word })
}

/// Every key, in help order.
pub const KEYS: &[Entry] = &[
    Entry {
        keys: "Enter",
        what: "send the message",
        hint: hint(1, "Enter", "send"),
        binds: &[(plain(KeyCode::Enter), Action::Send)],
    },
    Entry {
        keys: "Alt+Enter, Shift+Enter, Ctrl+J",
        what: "new line in the message (Ctrl+Enter too, where the terminal reports it)",
        hint: None,
        binds: &[
            (with(KeyCode::Enter, ALT), Action::Newline),
            (with(KeyCode::Enter, SHIFT), Action::Newline),
            (with(KeyCode::Enter, CTRL), Action::Newline),
            (with(KeyCode::Char('j'), CTRL), Action::Newline),
        ],
    },
    Entry {
        keys: "Ctrl+U",
        what: "clear the line before the cursor (the composer edits whole characters)",
        hint: None,
        // The composer's own key (tui/composer), listed here so the help shows it.
        binds: &[],
    },
    Entry {
        keys: "Ctrl+G",
        what: "edit the message in $VISUAL or $EDITOR (else vi); also /edit",
        hint: None,
        binds: &[(with(KeyCode::Char('g'), CTRL), Action::ExternalEdit)],
    },
    Entry {
        keys: "Alt+L",
        what: "edit the last prompt: sending replaces that turn (also /edit-last)",
        hint: None,
        binds: &[(with(KeyCode::Char('l'), ALT), Action::EditLast)],
    },
    Entry {
        keys: "Up / Down (empty composer)",
        what: "earlier prompts",
        hint: None,
        binds: &[
            (plain(KeyCode::Up), Action::HistoryPrev),
            (plain(KeyCode::Down), Action::HistoryNext),
        ],
    },
    Entry {
        keys: "F2, Alt+M",
        what: "model picker",
        hint: hint(2, "F2", "model"),
        binds: &[
            (any(KeyCode::F(2)), Action::Models),
            (with(KeyCode::Char('m'), ALT), Action::Models),
        ],
    },
    Entry {
        keys: "F3, Alt+E",
        what: "reasoning effort",
        hint: hint(3, "F3", "effort"),
        binds: &[
            (any(KeyCode::F(3)), Action::Efforts),
            (with(KeyCode::Char('e'), ALT), Action::Efforts),
        ],
    },
    Entry {
        keys: "Alt+, / Alt+.",
        what: "effort one level down / up",
        hint: None,
        // Not Alt+[ / Alt+]: a terminal sends them as ESC [ and ESC ], the starts of control
        // sequences, so they are read as one and swallow the next key.
        binds: &[
            (with(KeyCode::Char(','), ALT), Action::EffortDown),
            (with(KeyCode::Char('.'), ALT), Action::EffortUp),
        ],
    },
    Entry {
        keys: "F4, Alt+T",
        what: "show or hide the meter",
        hint: None,
        binds: &[
            (any(KeyCode::F(4)), Action::ToggleMeter),
            (with(KeyCode::Char('t'), ALT), Action::ToggleMeter),
        ],
    },
    Entry {
        keys: "F5, Alt+U",
        what: "usage inspector",
        hint: hint(5, "F5", "usage"),
        binds: &[
            (any(KeyCode::F(5)), Action::Inspector),
            (with(KeyCode::Char('u'), ALT), Action::Inspector),
        ],
    },
    Entry {
        keys: "Ctrl+O",
        what: "sessions",
        hint: hint(6, "Ctrl+O", "sessions"),
        binds: &[(with(KeyCode::Char('o'), CTRL), Action::Sessions)],
    },
    Entry {
        keys: "Tab",
        what: "show or hide the latest thinking (completes a /command; again: the next one)",
        hint: hint(4, "Tab", "thinking"),
        binds: &[(any(KeyCode::Tab), Action::ToggleThinking)],
    },
    Entry {
        keys: "Esc",
        what: "cancel the answer (or give up a retry)",
        hint: hint(7, "Esc", "cancel"),
        binds: &[(any(KeyCode::Esc), Action::Cancel)],
    },
    Entry {
        keys: "Alt+R",
        what: "send a failed, cancelled or interrupted turn again",
        hint: None,
        binds: &[(with(KeyCode::Char('r'), ALT), Action::Retry)],
    },
    Entry {
        keys: "1-9, ← / →",
        what: "after a comparison, on an empty composer: keep arm N's answer (while it \
               streams: show it) / show the previous or next arm",
        hint: None,
        binds: &[
            (plain(KeyCode::Char('1')), Action::PickArm),
            (plain(KeyCode::Char('2')), Action::PickArm),
            (plain(KeyCode::Char('3')), Action::PickArm),
            (plain(KeyCode::Char('4')), Action::PickArm),
            (plain(KeyCode::Char('5')), Action::PickArm),
            (plain(KeyCode::Char('6')), Action::PickArm),
            (plain(KeyCode::Char('7')), Action::PickArm),
            (plain(KeyCode::Char('8')), Action::PickArm),
            (plain(KeyCode::Char('9')), Action::PickArm),
            (plain(KeyCode::Left), Action::ArmPrev),
            (plain(KeyCode::Right), Action::ArmNext),
        ],
    },
    Entry {
        keys: "d (start screen without a key)",
        what: "the offline demo: canned answers, no network, not billed",
        hint: None,
        binds: &[(plain(KeyCode::Char('d')), Action::Demo)],
    },
    Entry {
        keys: "PgUp / PgDn, wheel",
        what: "scroll; End or Ctrl+End returns to the live bottom",
        hint: None,
        binds: &[
            (any(KeyCode::PageUp), Action::PageUp),
            (any(KeyCode::PageDown), Action::PageDown),
            (any(KeyCode::End), Action::Bottom),
        ],
    },
    Entry {
        keys: "Ctrl+Home",
        what: "top of the conversation",
        hint: None,
        binds: &[(with(KeyCode::Home, CTRL), Action::Top)],
    },
    Entry {
        keys: "F1, ? (empty composer)",
        what: "this help",
        hint: hint(0, "F1", "help"),
        binds: &[(any(KeyCode::F(1)), Action::Help)],
    },
    Entry {
        keys: "Ctrl+C twice, Ctrl+Q",
        what: "quit",
        hint: hint(8, "Ctrl+Q", "quit"),
        binds: &[
            (with(KeyCode::Char('c'), CTRL), Action::Interrupt),
            (with(KeyCode::Char('q'), CTRL), Action::Quit),
        ],
    },
];

/// The action `key` asks for ([`Action::Edit`] when no binding takes it).
pub fn action(key: &KeyEvent) -> Action {
    KEYS.iter()
        .flat_map(|entry| entry.binds.iter())
        .find(|(pattern, _)| pattern.matches(key))
        .map_or(Action::Edit, |(_, action)| *action)
}

/// The status line's key hints, most important first.
pub fn hints() -> Vec<Hint> {
    let mut hints: Vec<Hint> = KEYS.iter().filter_map(|e| e.hint).collect();
    hints.sort_by_key(|h| h.rank);
    hints
}

/// What a slash command does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmd {
    Model,
    Effort,
    Max,
    Usage,
    Meter,
    Sessions,
    New,
    Title,
    Fork,
    EditLast,
    Edit,
    Copy,
    Compare,
    Sweep,
    Keep,
    Attach,
    Detach,
    Help,
    Quit,
}

/// Slash commands, with what follows them, for dispatch, completion and help.
pub const COMMANDS: &[(&str, &str, Cmd)] = &[
    (
        "/model",
        "[PROVIDER/]MODEL — switch model (no name: the picker)",
        Cmd::Model,
    ),
    (
        "/effort",
        "LEVEL — set reasoning effort (no level: the selector)",
        Cmd::Effort,
    ),
    (
        "/max",
        "N — output token budget (off: the model's own)",
        Cmd::Max,
    ),
    (
        "/compare",
        "ARM ARM… — send each prompt to 2-6 arms ([PROVIDER/]MODEL[@EFFORT]); off: one model",
        Cmd::Compare,
    ),
    (
        "/sweep",
        "[LEVEL…] — compare this model at each effort (default: every level it takes)",
        Cmd::Sweep,
    ),
    (
        "/keep",
        "N — continue from arm N's answer (also a digit on an empty composer)",
        Cmd::Keep,
    ),
    (
        "/attach",
        "PATH — send a file or image with the next prompt (alone: list them)",
        Cmd::Attach,
    ),
    (
        "/detach",
        "[N] — take attachment N (alone: all) off the next prompt",
        Cmd::Detach,
    ),
    ("/usage", "the usage inspector", Cmd::Usage),
    ("/meter", "show or hide the meter", Cmd::Meter),
    ("/sessions", "the session browser", Cmd::Sessions),
    ("/new", "start a new session", Cmd::New),
    ("/title", "TEXT — name this session", Cmd::Title),
    (
        "/fork",
        "[N] — a new session with turns 1..N of this one (default: all)",
        Cmd::Fork,
    ),
    (
        "/copy",
        "[N | thinking] — copy the last answer, code block [N] or the last reasoning",
        Cmd::Copy,
    ),
    (
        "/edit",
        "[TEXT] — write the message in $VISUAL or $EDITOR (as Ctrl+G)",
        Cmd::Edit,
    ),
    (
        "/edit-last",
        "put the last prompt back; sending replaces that turn (as Alt+L)",
        Cmd::EditLast,
    ),
    (
        "/help",
        "keys and commands (//TEXT sends a message that starts with /TEXT)",
        Cmd::Help,
    ),
    ("/quit", "quit (as Ctrl+Q)", Cmd::Quit),
];

/// The command `text` starts with and its argument (trimmed); `None` when the text is a
/// prompt. Only a known command word counts, so `/etc/hosts?` is still a prompt.
pub fn command(text: &str) -> Option<(Cmd, &str)> {
    let text = text.trim();
    let (word, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    COMMANDS
        .iter()
        .find(|(name, _, _)| *name == word)
        .map(|(_, _, cmd)| (*cmd, rest.trim()))
}

/// Commands starting with what is typed, while only a command word is typed; empty when
/// the only one is the word itself (it is complete).
pub fn completions(draft: &str) -> Vec<&'static str> {
    if !draft.starts_with('/') || draft.contains(char::is_whitespace) {
        return Vec::new();
    }
    let found: Vec<&'static str> = COMMANDS
        .iter()
        .map(|(name, _, _)| *name)
        .filter(|name| name.starts_with(draft))
        .collect();
    if found == [draft] { Vec::new() } else { found }
}

#[cfg(test)]
mod tests;
