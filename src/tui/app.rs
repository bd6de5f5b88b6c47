//! The TUI's state and its `update`: events in, effects out.
//!
//! Invariants:
//! - `update` does no I/O, awaits nothing and reads no clock: time arrives as an argument,
//!   so every behaviour can be driven from a test and snapshotted;
//! - effects are data ([`Effect`]); the runtime in `tui/mod.rs` performs them;
//! - nothing the person typed is lost: a sent prompt stays in the prompt history (Up recalls
//!   it), and a draft is never cleared by anything but sending it;
//! - `prepare` brings the render caches up to date for a width; it only re-lays-out the turn
//!   that changed (or everything once after a resize), so a frame costs O(visible rows + tail).

mod layout;
mod sessions;
mod workbench;

pub use layout::TurnView;

pub use workbench::{METER_MIN_WIDTH, REASONING_BUDGET_HINT, Switched, budget_warning};

use super::browser::{Browser, BrowserAction};
use super::effort::{EffortAction, EffortMenu};
use super::inspector::{Inspector, InspectorAction};
use super::keymap::{self, Action};
use super::markdown::StreamingMarkdown;
use super::meter::Meter;
use super::picker::{Picker, PickerAction};
use super::theme::Theme;
use crate::api::{ChatRequest, RateLimitInfo, RetryNotice, StreamEvent};
use crate::conversation::{Turn, TurnState};
use crate::session::Session;
use crate::store::SessionSummary;
use crossterm::event::{KeyEvent, KeyEventKind, MouseEvent, MouseEventKind};
use ratatui_textarea::TextArea;
use std::time::{Duration, Instant};

/// Something that happened.
#[derive(Debug, PartialEq)]
pub enum Event {
    Key(KeyEvent),
    Paste(String),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// A wire event of turn `turn_id`, received at `at`.
    Stream {
        turn_id: u64,
        event: StreamEvent,
        at: Instant,
    },
    /// Time passed (only sent while something animates).
    Tick,
    /// Stored sessions, for the browser.
    Sessions(Vec<SessionSummary>),
    /// A stored session was opened.
    SessionOpened {
        id: i64,
        title: String,
        turns: Vec<Turn>,
    },
    /// The store saved into session `id` (it creates the session on the first save).
    SessionSaved {
        id: i64,
    },
    /// The store failed: persistence is off from now on, and the status line says so.
    StoreFailed(String),
    /// The settings for the model asked for with [`Effect::SwitchModel`], or why not.
    ModelSwitched(Result<Switched, String>),
    /// The models a provider's server lists (`GET /models`), or why it could not say.
    ModelsFetched {
        provider: String,
        models: Result<Vec<String>, String>,
    },
}

/// Something for the session store to do; the runtime does it at once, in order.
#[derive(Debug, PartialEq)]
pub enum PersistOp {
    /// Insert or update a turn of the open session (creating the session if needed).
    SaveTurn(Box<Turn>),
    /// The next save starts a new session.
    NewSession,
    OpenSession(i64),
    SetTitle(String),
    DeleteSession(i64),
    ListSessions(Option<String>),
}

/// Whether turns are being saved, and where.
#[derive(Clone, Debug, PartialEq)]
pub enum Persistence {
    On {
        /// The open session, once the store has created it.
        session: Option<i64>,
        title: Option<String>,
    },
    /// Why nothing is saved.
    Off(String),
}

/// Something the runtime must do.
#[derive(Debug, PartialEq)]
pub enum Effect {
    StartTurn {
        turn_id: u64,
        request: ChatRequest,
    },
    Cancel(u64),
    Persist(PersistOp),
    /// Resolve `[provider/]model` into new settings (keys may come from a command).
    SwitchModel(String),
    /// List the current provider's models in the background.
    FetchModels,
    Quit,
}

/// How often a streaming answer is saved, at most.
const FLUSH_EVERY: Duration = Duration::from_millis(500);

/// How long a first Ctrl+C waits for the second.
const QUIT_WINDOW: Duration = Duration::from_secs(3);
/// Rows one mouse-wheel notch scrolls.
const WHEEL_ROWS: usize = 3;

pub struct App {
    pub session: Session,
    pub theme: Theme,
    pub views: Vec<TurnView>,
    pub composer: TextArea<'static>,
    /// Prompts sent (and drafts set aside), oldest first.
    pub prompt_history: Vec<String>,
    /// Index into `prompt_history` while recalling with Up/Down.
    recall: Option<usize>,
    /// The draft that was in the composer when recalling started.
    stashed_draft: String,
    /// The turn being streamed, and when it was sent.
    pub active: Option<(u64, Instant)>,
    /// `None` follows the live bottom; `Some(row)` pins the top row of the view.
    pub scroll_top: Option<usize>,
    /// A one-line notice in the status bar.
    pub notice: Option<String>,
    quit_armed_at: Option<Instant>,
    pub should_quit: bool,
    /// A hint shown in an empty conversation (no key configured, ...).
    pub setup_hint: Option<String>,
    /// Terminal size from the last resize.
    pub size: (u16, u16),
    /// Rows of the conversation pane at the last `prepare`.
    pub view_rows: usize,
    /// Sum of all turn heights at the last `prepare`.
    pub total_rows: usize,
    /// The time of the last event, for elapsed-time displays.
    pub now: Instant,
    /// The active turn is waiting to retry: the notice and when it arrived.
    pub retry: Option<(RetryNotice, Instant)>,
    /// The latest rate-limit state a server reported.
    pub rate_limit: Option<RateLimitInfo>,
    pub persistence: Persistence,
    /// The session browser, when open.
    pub browser: Option<Browser>,
    /// When the streaming turn was last saved.
    last_flush: Option<Instant>,
    /// The help overlay is open.
    pub help: bool,
    /// The usage inspector, when open.
    pub inspector: Option<Inspector>,
    /// The model picker, when open.
    pub picker: Option<Picker>,
    /// The live token/cost meter's caches (brought up to date in `prepare`).
    pub meter: Meter,
    /// The effort selector, when open.
    pub effort_menu: Option<EffortMenu>,
    /// The meter pane: `None` follows the width (shown at ≥ 100 columns).
    pub show_meter: Option<bool>,
    /// Models each provider's server listed, fetched once per run.
    pub fetched_models: Vec<(String, Vec<String>)>,
    laid_out_width: u16,
    /// Index of the first turn whose layout may be out of date; turns before it are clean,
    /// so `prepare` starts there (after a resize, at 0).
    first_stale: usize,
    /// The first row of each turn, for turns laid out so far.
    row_starts: Vec<usize>,
    /// The number of the first code block of each turn.
    code_starts: Vec<usize>,
}

impl App {
    pub fn new(session: Session, theme: Theme, now: Instant) -> App {
        let setup_hint = session.settings.setup_hint.clone();
        let mut app = App {
            session,
            theme,
            views: Vec::new(),
            composer: TextArea::default(),
            prompt_history: Vec::new(),
            recall: None,
            stashed_draft: String::new(),
            active: None,
            scroll_top: None,
            notice: None,
            quit_armed_at: None,
            should_quit: false,
            setup_hint,
            size: (80, 24),
            view_rows: 0,
            total_rows: 0,
            now,
            retry: None,
            rate_limit: None,
            persistence: Persistence::On {
                session: None,
                title: None,
            },
            browser: None,
            last_flush: None,
            help: false,
            inspector: None,
            picker: None,
            meter: Meter::new(),
            effort_menu: None,
            show_meter: None,
            fetched_models: Vec::new(),
            laid_out_width: 0,
            first_stale: 0,
            row_starts: Vec::new(),
            code_starts: Vec::new(),
        };
        app.style_composer();
        app
    }

    fn style_composer(&mut self) {
        self.composer
            .set_cursor_line_style(ratatui::style::Style::default());
        self.composer
            .set_placeholder_text("Ask anything  (Enter sends · Alt+Enter newline)");
        self.composer.set_placeholder_style(self.theme.usage);
        self.composer.set_style(self.theme.user);
        self.composer
            .set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
    }

    pub fn is_streaming(&self) -> bool {
        self.active.is_some()
    }

    /// The composer's text.
    pub fn draft(&self) -> String {
        self.composer.lines().join("\n")
    }

    fn set_draft(&mut self, text: &str) {
        let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        self.composer = TextArea::new(lines);
        self.style_composer();
        self.composer
            .move_cursor(ratatui_textarea::CursorMove::Bottom);
        self.composer.move_cursor(ratatui_textarea::CursorMove::End);
    }

    /// Handle one event at time `now`.
    pub fn update(&mut self, event: Event, now: Instant) -> Vec<Effect> {
        self.now = now;
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => self.on_key(key, now),
            Event::Key(_) => Vec::new(),
            Event::Paste(text) => {
                let text = text.replace("\r\n", "\n").replace('\r', "\n");
                self.recall = None;
                self.composer.insert_str(text);
                Vec::new()
            }
            Event::Mouse(m) => {
                match m.kind {
                    MouseEventKind::ScrollUp => self.scroll_up(WHEEL_ROWS),
                    MouseEventKind::ScrollDown => self.scroll_down(WHEEL_ROWS),
                    _ => {}
                }
                Vec::new()
            }
            Event::Resize(w, h) => {
                self.size = (w, h);
                Vec::new()
            }
            Event::Stream { turn_id, event, at } => self.on_stream(turn_id, event, at),
            Event::Tick => Vec::new(),
            Event::Sessions(list) => {
                if let Some(browser) = &mut self.browser {
                    browser.set_sessions(list);
                }
                Vec::new()
            }
            Event::SessionOpened { id, title, turns } => {
                self.open_session(id, title, turns);
                Vec::new()
            }
            Event::SessionSaved { id } => {
                if let Persistence::On { session, .. } = &mut self.persistence {
                    *session = Some(id);
                }
                Vec::new()
            }
            Event::StoreFailed(why) => {
                self.persistence = Persistence::Off(why);
                Vec::new()
            }
            Event::ModelSwitched(result) => {
                self.model_switched(result);
                Vec::new()
            }
            Event::ModelsFetched { provider, models } => {
                match models {
                    Ok(models) => {
                        if let Some(picker) = &mut self.picker {
                            picker.add_fetched(&self.session.settings, &provider, &models);
                        }
                        self.fetched_models.retain(|(p, _)| *p != provider);
                        self.fetched_models.push((provider, models));
                    }
                    Err(why) => match &mut self.picker {
                        Some(picker) => picker.fetch_failed(&provider, &why),
                        None => {
                            self.notice = Some(format!("could not list {provider}'s models: {why}"))
                        }
                    },
                }
                Vec::new()
            }
        }
    }

    fn on_key(&mut self, key: KeyEvent, now: Instant) -> Vec<Effect> {
        if let Some(browser) = &mut self.browser {
            return match browser.on_key(key) {
                BrowserAction::None => Vec::new(),
                BrowserAction::Search(q) => self.persist(PersistOp::ListSessions(Some(q))),
                BrowserAction::Open(id) => {
                    self.browser = None;
                    self.request_open(id)
                }
                BrowserAction::Delete(id) => {
                    let mut effects = self.persist(PersistOp::DeleteSession(id));
                    if matches!(self.persistence, Persistence::On { session: Some(open), .. } if open == id)
                    {
                        effects.extend(self.new_session());
                    }
                    let query = self.browser.as_ref().map(|b| b.query.clone());
                    effects.extend(self.persist(PersistOp::ListSessions(query)));
                    effects
                }
                BrowserAction::Close => {
                    self.browser = None;
                    Vec::new()
                }
            };
        }
        if self.help {
            // Any key closes the help.
            self.help = false;
            return Vec::new();
        }
        if let Some(picker) = &mut self.picker {
            return match picker.on_key(key) {
                PickerAction::None => Vec::new(),
                PickerAction::Select { provider, model } => {
                    self.picker = None;
                    self.switch_model(&format!("{provider}/{model}"))
                }
                PickerAction::Close => {
                    self.picker = None;
                    Vec::new()
                }
            };
        }
        if let Some(menu) = &mut self.effort_menu {
            match menu.on_key(key) {
                EffortAction::None => {}
                EffortAction::Set(level) => {
                    self.effort_menu = None;
                    self.notice = Some(format!("effort {level} from the next turn"));
                    self.session.settings.effort = Some(level);
                }
                EffortAction::Close => self.effort_menu = None,
            }
            return Vec::new();
        }
        if let Some(inspector) = &mut self.inspector {
            inspector.set_turns(self.session.conversation.turns.len());
            match inspector.on_key(key) {
                InspectorAction::None => {}
                InspectorAction::JumpTo(idx) => {
                    self.inspector = None;
                    self.jump_to(idx);
                }
                InspectorAction::Close => self.inspector = None,
            }
            return Vec::new();
        }
        let action = keymap::action(&key);
        if action == Action::Edit
            && key.code == crossterm::event::KeyCode::Char('?')
            && self.composer.is_empty()
        {
            self.help = true;
            return Vec::new();
        }
        if action == Action::ToggleThinking && !keymap::completions(&self.draft()).is_empty() {
            let first = keymap::completions(&self.draft())[0];
            self.set_draft(&format!("{first} "));
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
            Action::Newline => {
                self.composer.insert_newline();
            }
            Action::HistoryPrev => {
                if self.composer.is_empty() || self.recall.is_some() {
                    self.recall_prev();
                } else {
                    self.composer.input(key);
                }
            }
            Action::HistoryNext => {
                if self.recall.is_some() {
                    self.recall_next();
                } else {
                    self.composer.input(key);
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
            Action::Help => self.help = true,
            Action::ToggleMeter => self.toggle_meter(),
            Action::Models => return self.open_picker(),
            Action::Efforts => self.open_efforts(),
            Action::EffortDown => self.step_effort(false),
            Action::EffortUp => self.step_effort(true),
            Action::Inspector => self.open_inspector(),
            Action::ToggleThinking => self.toggle_thinking(),
            Action::PageUp => self.scroll_up(self.page()),
            Action::PageDown => self.scroll_down(self.page()),
            Action::Top => self.scroll_top = Some(0),
            Action::Bottom => {
                if self.scroll_top.is_some() {
                    self.scroll_top = None;
                } else {
                    self.composer.input(key);
                }
            }
            Action::Edit => {
                self.recall = None;
                self.composer.input(key);
            }
        }
        Vec::new()
    }

    fn send(&mut self, now: Instant) -> Vec<Effect> {
        let prompt = self.draft();
        if prompt.trim().is_empty() {
            return Vec::new();
        }
        if let Some(effects) = self.command(&prompt) {
            return effects;
        }
        if self.is_streaming() {
            self.notice = Some("an answer is still streaming: Esc cancels it".to_string());
            return Vec::new();
        }
        self.recall = None;
        self.stashed_draft.clear();
        if self.prompt_history.last() != Some(&prompt) {
            self.prompt_history.push(prompt.clone());
        }
        self.set_draft("");
        self.start(prompt, now)
    }

    /// A slash command in the composer (`/new`, `/sessions`, `/title TEXT`); `None` when the
    /// text is a prompt. Only a known command word counts, so `/etc/hosts?` is still a prompt.
    fn command(&mut self, text: &str) -> Option<Vec<Effect>> {
        let text = text.trim();
        let (word, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        let effects = match word {
            "/new" => self.new_session(),
            "/sessions" => self.open_browser(),
            "/help" => {
                self.help = true;
                Vec::new()
            }
            "/meter" => {
                self.toggle_meter();
                Vec::new()
            }
            "/usage" => {
                self.open_inspector();
                Vec::new()
            }
            "/model" if rest.trim().is_empty() => self.open_picker(),
            "/model" => self.switch_model(rest.trim()),
            "/effort" if rest.trim().is_empty() => {
                self.open_efforts();
                Vec::new()
            }
            "/effort" => {
                self.set_effort(rest.trim());
                Vec::new()
            }
            "/max" => {
                self.set_max(rest.trim());
                Vec::new()
            }
            "/title" => {
                let title = rest.trim();
                if title.is_empty() {
                    self.notice = Some("/title needs the new title: /title My session".into());
                    return Some(Vec::new());
                }
                if let Persistence::On { title: t, .. } = &mut self.persistence {
                    *t = Some(title.to_string());
                }
                self.persist(PersistOp::SetTitle(title.to_string()))
            }
            _ => return None,
        };
        self.set_draft("");
        Some(effects)
    }

    /// Alt+R: the last turn failed or was cancelled; send its prompt again as a new turn
    /// (the old one stays, for the record, and is not sent back as history).
    fn retry(&mut self, now: Instant) -> Vec<Effect> {
        if self.is_streaming() {
            return Vec::new();
        }
        let last = self.session.conversation.turns.last();
        match last {
            Some(turn) if turn.state.is_broken() || turn.state == TurnState::Cancelled => {
                let prompt = turn.prompt.clone();
                self.start(prompt, now)
            }
            _ => {
                self.notice = Some("nothing to retry: the last turn did not fail".to_string());
                Vec::new()
            }
        }
    }

    fn start(&mut self, prompt: String, now: Instant) -> Vec<Effect> {
        self.notice = None;
        self.setup_hint = None;
        self.scroll_top = None;
        let (turn_id, request) = self.session.start_turn(prompt);
        self.views.push(TurnView {
            dirty: true,
            ..TurnView::default()
        });
        self.touch(self.views.len() - 1);
        self.active = Some((turn_id, now));
        self.last_flush = Some(now);
        // The prompt is saved before the request leaves.
        let mut effects = self.save(self.views.len() - 1);
        effects.push(Effect::StartTurn { turn_id, request });
        effects
    }

    fn cancel(&mut self, now: Instant) -> Vec<Effect> {
        let Some((turn_id, sent)) = self.active.take() else {
            return Vec::new();
        };
        self.retry = None;
        let at = ms_between(sent, now);
        if let Some(turn) = self.session.turn_mut(turn_id) {
            turn.cancel(at);
        }
        self.mark_dirty(turn_id);
        let mut effects = vec![Effect::Cancel(turn_id)];
        if let Some(idx) = self.turn_index(turn_id) {
            effects.extend(self.save(idx));
        }
        effects
    }

    fn turn_index(&self, turn_id: u64) -> Option<usize> {
        self.session
            .conversation
            .turns
            .iter()
            .rposition(|t| t.id == turn_id)
    }

    fn quit(&mut self, now: Instant) -> Vec<Effect> {
        let mut effects = self.cancel(now);
        self.should_quit = true;
        effects.push(Effect::Quit);
        effects
    }

    fn recall_prev(&mut self) {
        if self.prompt_history.is_empty() {
            return;
        }
        let idx = match self.recall {
            None => {
                self.stashed_draft = self.draft();
                self.prompt_history.len() - 1
            }
            Some(i) => i.saturating_sub(1),
        };
        self.recall = Some(idx);
        let text = self.prompt_history[idx].clone();
        self.set_draft(&text);
    }

    fn recall_next(&mut self) {
        let Some(i) = self.recall else { return };
        if i + 1 < self.prompt_history.len() {
            self.recall = Some(i + 1);
            let text = self.prompt_history[i + 1].clone();
            self.set_draft(&text);
        } else {
            self.recall = None;
            let draft = std::mem::take(&mut self.stashed_draft);
            self.set_draft(&draft);
        }
    }

    fn toggle_thinking(&mut self) {
        let turns = &self.session.conversation.turns;
        let Some(idx) = turns.iter().rposition(|t| !t.reasoning.is_empty()) else {
            self.notice = Some("no thinking to show in this conversation".to_string());
            return;
        };
        let turn = &turns[idx];
        if let Some(view) = self.views.get_mut(idx) {
            let open = view.thinking_visible(turn);
            view.thinking_open = Some(!open);
            view.built = None;
        }
        self.touch(idx);
    }

    fn on_stream(&mut self, turn_id: u64, event: StreamEvent, at: Instant) -> Vec<Effect> {
        let Some((active_id, sent)) = self.active else {
            return Vec::new();
        };
        if active_id != turn_id {
            return Vec::new();
        }
        match &event {
            StreamEvent::Retrying(notice) => {
                self.retry = Some((notice.clone(), at));
                self.mark_dirty(turn_id);
                return Vec::new();
            }
            StreamEvent::RateLimit(info) => self.rate_limit = Some(info.clone()),
            _ => self.retry = None,
        }
        let terminal = event.is_terminal();
        let text = matches!(
            event,
            StreamEvent::TextDelta(_) | StreamEvent::ReasoningDelta(_)
        );
        let at_ms = ms_between(sent, at);
        let Some(idx) = self.turn_index(turn_id) else {
            return Vec::new();
        };
        if let (StreamEvent::TextDelta(text), Some(view)) = (&event, self.views.get_mut(idx)) {
            view.answer.push(text);
        }
        if let (StreamEvent::ReasoningDelta(text), Some(view)) = (&event, self.views.get_mut(idx)) {
            view.thinking.push(text);
        }
        let turn = &mut self.session.conversation.turns[idx];
        turn.apply(event, at_ms);
        if let Some(view) = self.views.get_mut(idx) {
            view.dirty = true;
            if terminal && view.thinking.source() != turn.reasoning {
                // The finished turn moved text between answer and reasoning: render anew.
                view.answer = StreamingMarkdown::new();
                view.answer.push(&turn.answer);
                view.thinking = StreamingMarkdown::thinking();
                view.thinking.push(&turn.reasoning);
                view.built = None;
            }
        }
        self.touch(idx);
        if terminal {
            self.active = None;
        }
        // Saved as it streams (at most every FLUSH_EVERY) and always at the end, so a crash
        // loses at most the last half second.
        let due = self
            .last_flush
            .is_none_or(|t| at.saturating_duration_since(t) >= FLUSH_EVERY);
        if terminal || (text && due) {
            self.last_flush = Some(at);
            return self.save(idx);
        }
        Vec::new()
    }
}

const QUIT_NOTICE: &str = "press Ctrl+C again to quit";

fn ms_between(from: Instant, to: Instant) -> u64 {
    to.saturating_duration_since(from).as_millis() as u64
}
