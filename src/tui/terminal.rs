//! The terminal's state on the way in and on every way out: raw mode, the alternate screen,
//! mouse capture, bracketed paste and keyboard enhancement are turned on by [`setup`] (which
//! turns them off again if it fails half-way) and off by [`restore`], which is safe to call
//! more than once and is also called by the panic hook (for panics on the UI thread only:
//! other threads' panics are caught where they run and become errors of what waited on
//! them, see `tui::tasks`). [`suspend`] and [`resume`] hand the terminal to another program
//! (an editor) and take it back, without asking the terminal anything again.

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

/// Hand the terminal over to another program (an editor): everything [`restore`] does, with
/// whether keyboard enhancement was on remembered for [`resume`].
pub fn suspend() {
    let enhanced = KEYBOARD_ENHANCED.load(Ordering::SeqCst);
    restore();
    SUSPENDED_ENHANCED.store(enhanced, Ordering::SeqCst);
}

/// Whether keyboard enhancement was on when [`suspend`] ran.
static SUSPENDED_ENHANCED: AtomicBool = AtomicBool::new(false);

/// Take the terminal back after [`suspend`]: the modes `setup` turned on and a cleared
/// screen, without asking the terminal anything (ratatui's `clear` asks where the cursor is),
/// and the last frame forgotten so the next one is drawn whole.
pub fn resume(terminal: &mut Terminal<CrosstermBackend<Stdout>>) -> io::Result<()> {
    enable_raw_mode()?;
    let enhanced = SUSPENDED_ENHANCED.swap(false, Ordering::SeqCst);
    resume_to(terminal.backend_mut(), enhanced)?;
    KEYBOARD_ENHANCED.store(enhanced, Ordering::SeqCst);
    // Both buffers blank: the next frame differs from "the screen" in every drawn cell.
    terminal.current_buffer_mut().reset();
    terminal.swap_buffers();
    Ok(())
}

/// The bytes that put the terminal back in the TUI's modes after [`suspend`], on a cleared
/// screen (no query).
fn resume_to(out: &mut impl Write, enhanced: bool) -> io::Result<()> {
    execute!(
        out,
        EnterAlternateScreen,
        EnableBracketedPaste,
        EnableMouseCapture,
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    if enhanced {
        execute!(
            out,
            PushKeyboardEnhancementFlags(KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES)
        )?;
    }
    Ok(())
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
    use super::{restore_to, resume_to};

    /// Handing the terminal back and taking it again: the way back in turns on what the way
    /// out turned off (alternate screen, mouse, paste; keyboard flags when they were on) and
    /// asks nothing.
    #[test]
    fn resuming_turns_back_on_what_suspending_turned_off() {
        for enhanced in [false, true] {
            let mut out = Vec::new();
            resume_to(&mut out, enhanced).unwrap();
            let text = String::from_utf8_lossy(&out);
            for on in ["\x1b[?1049h", "\x1b[?2004h", "\x1b[?1000h", "\x1b[2J"] {
                assert!(text.contains(on), "{on:?} in {text:?}");
            }
            assert_eq!(text.contains("\x1b[>1u"), enhanced, "{text:?}");
            for query in ["\x1b[c", "\x1b[?u", "\x1b[6n"] {
                assert!(!text.contains(query), "{query:?} in {text:?}");
            }
        }
    }

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
