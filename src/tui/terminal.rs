//! The terminal's state on the way in and on every way out: raw mode, the alternate screen,
//! mouse capture, bracketed paste and keyboard enhancement are turned on by [`setup`] (which
//! turns them off again if it fails half-way) and off by [`restore`], which is safe to call
//! more than once and is also called by the panic hook (for panics on the UI thread only: other threads' panics are caught where they run
//! and become errors of what waited on them, see `tui::tasks`).

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    KeyboardEnhancementFlags, PopKeyboardEnhancementFlags, PushKeyboardEnhancementFlags,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Turn the terminal's modes on. When a step after raw mode fails, the terminal is put back
/// before the error is returned, so the message is printed on a terminal in its usual mode.
pub fn setup() -> anyhow::Result<Terminal<CrosstermBackend<Stdout>>> {
    enable_raw_mode()?;
    enter().inspect_err(|_| restore())
}

/// Everything `setup` does once raw mode is on.
fn enter() -> anyhow::Result<Terminal<CrosstermBackend<Stdout>>> {
    let mut out = io::stdout();
    execute!(
        out,
        EnterAlternateScreen,
        EnableBracketedPaste,
        EnableMouseCapture
    )?;
    // The one terminal query of a run: asked here, its reply read here (crossterm waits for
    // it), remembered for the way out, which must write nothing a terminal answers.
    if crossterm::terminal::supports_keyboard_enhancement().unwrap_or(false) {
        // Lets terminals that can tell Shift+Enter from Enter say so.
        let pushed = execute!(
            out,
            PushKeyboardEnhancementFlags(KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES)
        );
        KEYBOARD_ENHANCED.store(pushed.is_ok(), Ordering::SeqCst);
    }
    let terminal = Terminal::new(CrosstermBackend::new(out))?;
    Ok(terminal)
}

/// Whether `setup` pushed keyboard enhancement flags (so the way out pops them).
static KEYBOARD_ENHANCED: AtomicBool = AtomicBool::new(false);

/// Put the terminal back as we found it. Safe to call more than once.
pub fn restore() {
    let enhanced = KEYBOARD_ENHANCED.swap(false, Ordering::SeqCst);
    let _ = restore_to(&mut io::stdout(), enhanced);
    let _ = disable_raw_mode();
}

/// Let go of `terminal` once [`restore`] has run. ratatui's own way out (its `Drop`) shows
/// the cursor and, when that fails, prints about it with `eprintln!` — which panics when
/// stderr is the terminal that was closed; so a terminal that can no longer be written is
/// forgotten instead (the process is ending).
pub fn close(mut terminal: Terminal<CrosstermBackend<Stdout>>) {
    if terminal.show_cursor().is_err() {
        std::mem::forget(terminal);
    }
}

/// The bytes that put the terminal back: pop the keyboard flags `setup` pushed, stop mouse
/// capture and bracketed paste, leave the alternate screen, show the cursor. Nothing here is a
/// query, so no reply can arrive after we stop reading (and land at the shell prompt).
fn restore_to(out: &mut impl Write, enhanced: bool) -> io::Result<()> {
    if enhanced {
        execute!(out, PopKeyboardEnhancementFlags)?;
    }
    execute!(
        out,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    )
}

/// A panic on the UI thread restores the terminal before the message is printed. A panic in
/// a request task is caught there and becomes that turn's error (see `spawn_turn`), so it
/// must neither tear the screen down nor print over it.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    let ui_thread = std::thread::current().id();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == ui_thread {
            restore();
            previous(info);
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::restore_to;

    /// The way out writes no query (`ESC [ c`, `ESC [ ? u`, `ESC [ 6 n`, ...): a terminal's
    /// reply to one would arrive after we stop reading and end up at the shell prompt.
    #[test]
    fn restoring_the_terminal_asks_it_nothing() {
        for enhanced in [false, true] {
            let mut out = Vec::new();
            restore_to(&mut out, enhanced).unwrap();
            let text = String::from_utf8_lossy(&out);
            for query in ["\x1b[c", "\x1b[?u", "\x1b[6n", "\x1b[>c", "\x1b[5n"] {
                assert!(!text.contains(query), "{query:?} in {text:?}");
            }
            assert!(
                text.contains("\x1b[?1049l"),
                "leaves the alternate screen: {text:?}"
            );
            assert_eq!(text.contains("\x1b[<1u"), enhanced, "{text:?}");
        }
    }
}
