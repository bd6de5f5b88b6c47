//! Where a key goes: the open overlay first, then the global keys of the keymap, then the
//! composer. What an overlay asks for comes back as an [`Outcome`] and is applied here.

use super::{App, Effect, Overlay};
use crate::tui::component::{Command, Outcome};
use crate::tui::help::Help;
use crate::tui::inspector::view::table_rows;
use crate::tui::keymap::{self, Action};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use std::time::{Duration, Instant};

/// How long a first Ctrl+C waits for the second.
const QUIT_WINDOW: Duration = Duration::from_secs(3);
pub(super) const QUIT_NOTICE: &str = "press Ctrl+C again to quit";

impl App {
    pub(super) fn on_key(&mut self, key: KeyEvent, now: Instant) -> Vec<Effect> {
        if self.overlay.is_some() {
            return self.overlay_key(key);
        }
        let action = keymap::action(&key);
        if action == Action::Edit && key.code == KeyCode::Char('?') && self.composer.is_empty() {
            self.open_help();
            return Vec::new();
        }
        if action != Action::ToggleThinking {
            self.completing = None;
        } else if let Some(typed) = self.draft().strip_prefix("/attach ") {
            // A path: the runtime lists the directory ([`Event::PathsCompleted`]).
            return vec![Effect::CompletePath(typed.to_string())];
        } else if self.complete() {
            return Vec::new();
        }
        if action != Action::Interrupt {
            self.quit_armed_at = None;
            if self.notice.as_deref() == Some(QUIT_NOTICE) {
                self.notice = None;
            }
        }
        match action {
            Action::Send => return self.send(now),
            Action::Newline => self.composer.insert_newline(),
            Action::HistoryPrev => {
                if self.composer.is_empty() || self.composer.is_recalling() {
                    self.composer.recall_prev();
                } else {
                    self.composer.move_in_text(key);
                }
            }
            Action::HistoryNext => {
                if self.composer.is_recalling() {
                    self.composer.recall_next();
                } else {
                    self.composer.move_in_text(key);
                }
            }
            Action::Cancel => return self.cancel(now),
            Action::Interrupt => {
                let armed = self
                    .quit_armed_at
                    .is_some_and(|t| now.saturating_duration_since(t) <= QUIT_WINDOW);
                if armed {
                    return self.quit(now);
                }
                self.quit_armed_at = Some(now);
                self.notice = Some(QUIT_NOTICE.to_string());
            }
            Action::Quit => return self.quit(now),
            Action::Retry => return self.retry(now),
            Action::Sessions => return self.open_browser(),
            Action::Help => self.open_help(),
            Action::ToggleMeter => self.toggle_meter(),
            Action::Models => return self.open_picker(),
            Action::Efforts => self.open_efforts(),
            Action::EffortDown => self.step_effort(false),
            Action::EffortUp => self.step_effort(true),
            Action::Inspector => self.open_inspector(),
            Action::ToggleThinking => self.toggle_thinking(),
            Action::PageUp => self.scroll.up(self.scroll.page()),
            Action::PageDown => self.scroll.down(self.scroll.page()),
            Action::Top => {
                self.scroll.top = Some(0);
                self.scroll.jump = None;
            }
            Action::Bottom => {
                if self.scroll.top.is_some() {
                    self.scroll.top = None;
                } else {
                    self.composer.move_in_text(key);
                }
            }
            Action::PickArm | Action::ArmPrev | Action::ArmNext => {
                return self.arm_key(action, key);
            }
            Action::Demo if self.composer.is_empty() && self.offers_demo() => {
                let spec = format!("{}/{}", crate::demo::PROVIDER, crate::demo::DEFAULT_MODEL);
                return self.switch_model(&spec);
            }
            Action::Demo => self.composer.input(key),
            Action::ExternalEdit => return self.edit_in_editor(),
            Action::EditLast => return self.edit_last(false),
            Action::Edit => self.composer.input(key),
        }
        Vec::new()
    }

    /// Digits and Left/Right pick an arm of the last comparison on an empty composer, and
    /// are typed (or move the cursor) everywhere else.
    fn arm_key(&mut self, action: Action, key: KeyEvent) -> Vec<Effect> {
        if self.composer.is_empty() && self.last_is_comparison() {
            match (action, key.code) {
                (Action::PickArm, KeyCode::Char(c)) => {
                    let n = c.to_digit(10).unwrap_or(1) as usize;
                    return self.keep_arm(n);
                }
                (Action::ArmPrev, _) => {
                    self.step_tab(false);
                    return Vec::new();
                }
                (Action::ArmNext, _) => {
                    self.step_tab(true);
                    return Vec::new();
                }
                _ => {}
            }
        }
        self.composer.input(key);
        Vec::new()
    }

    /// Tab on a command word: a single candidate is completed (with a space for the
    /// argument); among several the first is filled in and each further Tab moves to the
    /// next, round, while the composer title lists them. `false` when there is nothing to
    /// complete (Tab then shows or hides thinking).
    fn complete(&mut self) -> bool {
        let draft = self.draft();
        let prefix = match self.completing.take() {
            Some(p) if keymap::completions(&p).contains(&draft.as_str()) => p,
            _ => draft.clone(),
        };
        let candidates = keymap::completions(&prefix);
        match candidates.as_slice() {
            [] => return false,
            [only] => self.composer.set_draft(&format!("{only} ")),
            _ => {
                let next = candidates
                    .iter()
                    .position(|c| *c == draft)
                    .map_or(0, |i| (i + 1) % candidates.len());
                self.composer.set_draft(candidates[next]);
                self.completing = Some(prefix);
            }
        }
        true
    }

    /// The commands Tab goes through now: those the typed word starts, or, while Tab
    /// cycles, those of the word typed before the first Tab.
    pub fn completions(&self) -> Vec<&'static str> {
        let draft = self.draft();
        keymap::completions(self.completing.as_deref().unwrap_or(&draft))
    }

    /// Whether the start screen offers the offline demo: nothing may be sent for want of a
    /// key, and nothing has been.
    pub fn offers_demo(&self) -> bool {
        self.setup_hint.is_some()
            && self.session.conversation.turns.is_empty()
            && !self.session.settings.is_demo()
    }

    /// F1, `?` on an empty composer, `/help`: the help, from its top.
    pub(super) fn open_help(&mut self) {
        self.overlay = Some(Overlay::Help(Help::default()));
    }

    /// A key for the open overlay, and what it asks for.
    fn overlay_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let turns = &self.session.conversation.turns;
        if let Some(Overlay::Inspector(inspector)) = &mut self.overlay {
            // Paging moves by the rows the table shows at this size.
            let (w, h) = self.size;
            inspector.set_turns(turns.len());
            inspector.set_rows(table_rows(turns, Rect::new(0, 0, w, h)));
        }
        if let Some(Overlay::Help(help)) = &mut self.overlay {
            help.set_screen(self.size);
        }
        let Some(overlay) = &mut self.overlay else {
            return Vec::new();
        };
        match overlay.component_mut().handle_key(key) {
            Outcome::Stay => Vec::new(),
            Outcome::Close => {
                self.overlay = None;
                Vec::new()
            }
            Outcome::CloseWith(command) => {
                self.overlay = None;
                self.run(command)
            }
            Outcome::Run(command) => self.run(command),
        }
    }

    /// Do what a component asked for.
    pub(super) fn run(&mut self, command: Command) -> Vec<Effect> {
        match command {
            Command::SwitchModel(spec) => self.switch_model(&spec),
            Command::SetEffort(level) => {
                self.set_effort(&level);
                Vec::new()
            }
            Command::JumpTo(idx) => {
                self.scroll.jump = Some(idx);
                Vec::new()
            }
            Command::OpenSession(id) => self.request_open(id),
            Command::DeleteSession(id) => self.delete_session(id),
            Command::SearchSessions(query) => self.list_sessions(Some(query)),
            Command::Compare(arms) => self.compare_command(&arms.join(" ")),
            Command::ConfirmSend => self.confirmed_send(self.now),
            Command::ConfirmQuit => self.quit_now(self.now),
        }
    }
}
