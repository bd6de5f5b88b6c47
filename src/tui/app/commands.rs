//! Slash commands typed in the composer, dispatched from the keymap's one table.
//!
//! A draft whose first word looks like a command (`/` then letters, digits and dashes) but
//! names none is refused with a notice and kept, never sent; `//text` sends `/text`; any
//! other draft starting with `/` (`/etc/hosts?`) is a prompt.

use super::{App, Effect, PersistOp, Persistence};
use crate::tui::keymap::{self, Cmd};

impl App {
    /// A slash command in the composer; `None` when the text is a prompt. An unknown
    /// command word gets a notice and leaves the draft as it is.
    pub(super) fn command(&mut self, text: &str) -> Option<Vec<Effect>> {
        let Some((cmd, arg)) = keymap::command(text) else {
            let word = unknown_command(text)?;
            self.notice = Some(format!("unknown command {word} — F1 lists them"));
            return Some(Vec::new());
        };
        let effects = match cmd {
            Cmd::New => self.new_session(),
            Cmd::Sessions => self.open_browser(),
            Cmd::Help => {
                self.open_help();
                Vec::new()
            }
            Cmd::Meter => {
                self.toggle_meter();
                Vec::new()
            }
            Cmd::Usage => {
                self.open_inspector();
                Vec::new()
            }
            Cmd::Model if arg.is_empty() => self.open_picker(),
            Cmd::Model => self.switch_model(arg),
            Cmd::Effort if arg.is_empty() => {
                self.open_efforts();
                Vec::new()
            }
            Cmd::Effort => {
                self.set_effort(arg);
                Vec::new()
            }
            Cmd::Max => {
                self.set_max(arg);
                Vec::new()
            }
            Cmd::Title => {
                if arg.is_empty() {
                    self.notice = Some("/title needs the new title: /title My session".into());
                    return Some(Vec::new());
                }
                if let Persistence::On { title, .. } = &mut self.persistence {
                    *title = Some(arg.to_string());
                }
                self.notice = Some(format!("session titled \"{arg}\""));
                self.persist(PersistOp::SetTitle(arg.to_string()))
            }
            Cmd::Fork => self.fork(arg),
            // The draft is the command itself: the prompt takes its place.
            Cmd::EditLast => return Some(self.edit_last(true)),
            Cmd::Edit => {
                // The editor opens on what follows the command word.
                self.composer.set_draft(arg);
                return Some(self.edit_in_editor());
            }
            Cmd::Copy => self.copy(arg),
            Cmd::Compare => self.compare_command(arg),
            Cmd::Sweep => {
                self.sweep_command(arg);
                Vec::new()
            }
            Cmd::Keep => match arg.parse::<usize>() {
                Ok(n) => self.keep_arm(n),
                Err(_) => {
                    self.notice = Some("/keep needs the arm's number: /keep 2".into());
                    Vec::new()
                }
            },
            Cmd::Attach if arg.is_empty() => {
                self.notice = Some(self.composer.attachments_line());
                Vec::new()
            }
            Cmd::Attach => vec![Effect::Attach(arg.into())],
            Cmd::Detach => {
                self.detach(arg);
                Vec::new()
            }
            Cmd::Quit => self.quit(self.now),
        };
        self.composer.set_draft("");
        Some(effects)
    }
}

/// The first word of `text` when it looks like a command (`/` then letters, digits and
/// dashes only); `None` for a prompt such as `/etc/hosts?`, `/usr/bin is slow` or `//text`.
fn unknown_command(text: &str) -> Option<&str> {
    let text = text.trim_start();
    let word = text.split(char::is_whitespace).next().unwrap_or(text);
    let name = word.strip_prefix('/')?;
    let looks = !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '-');
    looks.then_some(word)
}

/// What a prompt sends: `//text` is the escape for a message that starts with `/text`.
pub(super) fn unescape(prompt: String) -> String {
    match prompt.trim_start().strip_prefix("//") {
        Some(_) => prompt.replacen("//", "/", 1),
        None => prompt,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_words_and_prompts_that_start_with_a_slash() {
        assert_eq!(unknown_command("/bogus"), Some("/bogus"));
        assert_eq!(unknown_command("  /foo bar"), Some("/foo"));
        assert_eq!(unknown_command("/gpt-5 please"), Some("/gpt-5"));
        for prompt in [
            "/etc/hosts?",
            "/usr/bin is slow",
            "//text",
            "/",
            "hi /x",
            "/a.b",
        ] {
            assert_eq!(unknown_command(prompt), None, "{prompt}");
        }
        assert_eq!(unescape("//text".into()), "/text");
        assert_eq!(unescape("  //x // y".into()), "  /x // y");
        assert_eq!(unescape("a // b".into()), "a // b");
    }
}
