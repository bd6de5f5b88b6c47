//! The TUI's state and its `update`: events in, effects out.
//!
//! Invariants:
//! - `update` does no I/O, awaits nothing, reads no clock and no environment: time arrives
//!   as an argument, so every behaviour can be driven from a test and snapshotted;
//! - effects are data ([`Effect`]); the runtime in `tui/mod.rs` performs them;
//! - the app holds no styled text and no render cache: drawing reads `&App` and the view's
//!   own caches (`tui/ui.rs`), which report back what they measured as [`Event::Laid`];
//! - at most one overlay is open ([`Overlay`]); keys go to it first, then to the global
//!   keys of the keymap, then to the composer;
//! - nothing the person typed is lost: a sent prompt stays in the prompt history (Up recalls
//!   it), and a draft is never cleared by anything but sending it (the person's editor
//!   replaces it only with what the editor saved, and only when the editor succeeded).

mod attach;
mod coalesce;
mod commands;
mod compare;
mod count;
mod edit_last;
mod fork;
mod keys;
mod overlay;
mod sessions;
mod tools;
mod turns;
mod workbench;

pub use coalesce::StreamQueue;
pub use compare::{ArmsFor, CompareState, ResolvedArms};
pub use overlay::Overlay;
pub use workbench::{METER_MIN_WIDTH, REASONING_BUDGET_HINT, Switched, budget_warning};

use super::composer::Composer;
use super::conversation::{Changes, Laid, Scroll};
use super::theme::Theme;
use crate::api::tokenize::{Count, Texts};
use crate::api::{ChatRequest, Endpoint, RateLimitInfo, RetryNotice, StreamEvent};
use crate::conversation::Turn;
use crate::session::Session;
use crate::store::SessionSummary;
use crossterm::event::{KeyEvent, KeyEventKind, MouseEvent, MouseEventKind};
use std::collections::BTreeMap;
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
    /// A wire event of arm `arm` of comparison `turn_id`, received at `at`.
    ArmStream {
        turn_id: u64,
        arm: u32,
        event: StreamEvent,
        at: Instant,
    },
    /// Events of a request task are waiting in its queue (sent when the queue turns
    /// non-empty): the app takes them all, in order.
    Queued(StreamQueue),
    /// The arms asked for with [`Effect::ResolveArms`], or why not.
    ArmsResolved {
        result: Result<ResolvedArms, String>,
        then: ArmsFor,
    },
    /// Time passed (only sent while something animates).
    Tick,
    /// The tokenizer finished loading in the background: the meter can count now (only the
    /// frame it causes matters).
    TokenizerLoaded,
    /// thinkbench must stop now (SIGTERM, SIGHUP, SIGQUIT, SIGINT, or the terminal went
    /// away): what streams is saved as interrupted, then [`Effect::Quit`].
    Terminate,
    /// The view laid the conversation out for a frame and measured it.
    Laid(Laid),
    /// Stored sessions matching `query` (`None`: all), for the browser.
    Sessions {
        query: Option<String>,
        list: Vec<SessionSummary>,
    },
    /// A stored session was opened.
    SessionOpened {
        id: i64,
        title: String,
        turns: Vec<Turn>,
    },
    /// Session `from` was forked at its exchange `at` into the new session `id`, now the one
    /// turns are saved into ([`PersistOp::Fork`]).
    Forked {
        id: i64,
        title: String,
        turns: Vec<Turn>,
        from: crate::store::ForkOrigin,
    },
    /// The store saved into session `id` (it creates the session on the first save).
    SessionSaved {
        id: i64,
    },
    /// The store could not be opened: persistence is off for this run, and the status line
    /// says so.
    StoreFailed(String),
    /// Saves wait because the store fails (`unsaved` turns, the store's `error`), or, with
    /// `unsaved == 0` and no error, everything is written again.
    StoreBacklog {
        unsaved: usize,
        error: Option<String>,
    },
    /// An operation other than a save failed (opening, deleting, listing sessions).
    StoreError(String),
    /// Another process added turns to session `id`, the open one (they show once it is
    /// reopened, which the app does as soon as nothing streams).
    OthersAdded {
        id: i64,
    },
    /// The settings for the model asked for with [`Effect::SwitchModel`], or why not.
    ModelSwitched(Result<Switched, String>),
    /// The models a provider's server lists (`GET /models`), or why it could not say.
    ModelsFetched {
        provider: String,
        models: Result<Vec<String>, String>,
    },
    /// The server's tokenizer counted turn `turn_id` (asked with [`Effect::CountTokens`]).
    TokensCounted {
        turn_id: u64,
        count: Count,
    },
    /// The file asked for with [`Effect::Attach`], read and checked, or why not.
    Attached(Result<crate::attach::Attachment, String>),
    /// The files a prompt mentions (`@path`), read for sending `draft` (asked with
    /// [`Effect::ReadMentions`]), or the first that could not be.
    MentionsRead {
        draft: String,
        result: Result<Vec<crate::attach::Attachment>, String>,
    },
    /// The paths that complete `typed` (asked with [`Effect::CompletePath`]).
    PathsCompleted {
        typed: String,
        candidates: Vec<String>,
    },
    /// The text the editor asked for with [`Effect::EditInEditor`] left, or why there is none.
    Edited(Result<String, String>),
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
    /// A new session holding the first `upto` exchanges of session `from`; it becomes the
    /// open one and comes back as [`Event::Forked`].
    Fork {
        from: i64,
        upto: u32,
    },
}

/// Saves the store has not managed to write yet: how many turns, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Backlog {
    pub unsaved: usize,
    pub error: String,
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
    /// Send one arm of a comparison to its own endpoint.
    StartArm {
        turn_id: u64,
        arm: u32,
        endpoint: Box<Endpoint>,
        request: ChatRequest,
    },
    /// Stop turn `id`'s request (every arm of a comparison).
    Cancel(u64),
    Persist(PersistOp),
    /// Resolve arms (`[provider/]model[@effort]`; keys may come from a command).
    ResolveArms {
        arms: Vec<String>,
        then: ArmsFor,
    },
    /// Resolve `[provider/]model` into new settings (keys may come from a command).
    SwitchModel(String),
    /// List the current provider's models in the background.
    FetchModels,
    /// Count turn `turn_id` with the server's own tokenizer (it reported no usage); a count
    /// comes back as [`Event::TokensCounted`], a failure as nothing.
    CountTokens {
        turn_id: u64,
        endpoint: Box<Endpoint>,
        texts: Box<Texts>,
    },
    /// Read the file at this path for the next prompt; it comes back as [`Event::Attached`].
    Attach(std::path::PathBuf),
    /// Read the files `draft` mentions before sending it; [`Event::MentionsRead`].
    ReadMentions {
        draft: String,
        paths: Vec<std::path::PathBuf>,
    },
    /// List what completes this path typed after `/attach`; [`Event::PathsCompleted`].
    CompletePath(String),
    /// Hand the terminal to the person's editor with `text`, take it back and redraw whole;
    /// what the editor left comes back as [`Event::Edited`].
    EditInEditor {
        text: String,
    },
    /// Put `text` on the system clipboard: the runtime writes `tui::clipboard`'s OSC 52
    /// bytes for it to the terminal (the app has checked it is not too big).
    Copy {
        text: String,
    },
    /// Stop: the runtime performs the effects before this one, then restores the terminal.
    Quit,
}

/// How often a streaming answer is saved, at most.
const FLUSH_EVERY: Duration = Duration::from_millis(500);
/// Rows one mouse-wheel notch scrolls.
const WHEEL_ROWS: usize = 3;

pub struct App {
    pub session: Session,
    pub composer: Composer,
    /// The open overlay, if any.
    pub overlay: Option<Overlay>,
    /// The turn being streamed (every arm of a comparison), and when it was sent.
    pub active: Option<(u64, Instant)>,
    /// The compare set and the comparison in flight.
    pub compare: CompareState,
    pub scroll: Scroll,
    /// Which turns changed since the view last laid them out.
    pub changes: Changes,
    /// The person's choice to show (`true`) or hide a turn's thinking, by turn index; a turn
    /// without a choice shows it while streaming.
    pub thinking: BTreeMap<usize, bool>,
    /// A one-line notice in the status bar.
    pub notice: Option<String>,
    quit_armed_at: Option<Instant>,
    /// While Tab cycles through several commands: the word typed before the first Tab.
    completing: Option<String>,
    /// A hint shown in an empty conversation (no key configured, ...).
    pub setup_hint: Option<String>,
    /// Terminal size from the last resize.
    pub size: (u16, u16),
    /// The time of the last event, for elapsed-time displays.
    pub now: Instant,
    /// The active turn is waiting to retry: the notice and when it arrived.
    pub retry: Option<(RetryNotice, Instant)>,
    /// The latest rate-limit state a server reported.
    pub rate_limit: Option<RateLimitInfo>,
    pub persistence: Persistence,
    /// Saves waiting for a failing store (the store thread retries them).
    pub store_backlog: Option<Backlog>,
    /// The open session, when another process added turns to it that are not shown yet.
    others_pending: Option<i64>,
    /// The session is being reopened to show turns another process added.
    reopened_for_others: bool,
    /// The turn the composer's draft replaces when sent (`/edit-last`, Alt+L).
    pub editing: Option<u64>,
    /// When the streaming turn was last saved.
    last_flush: Option<Instant>,
    /// The meter pane: `None` follows the width (shown at ≥ 100 columns).
    pub show_meter: Option<bool>,
    /// Models each provider's server listed, fetched once per run.
    pub fetched_models: Vec<(String, Vec<String>)>,
    /// What the streaming plain turn was sent with, for counting it once it ends.
    sent: Option<Box<count::Sent>>,
    /// The draft whose `@path` mentions have been read and attached (sent as it is next).
    mentions_read_for: Option<String>,
    /// The turn whose count was asked for, and the conversation's epoch then.
    counting: Option<(u64, u64)>,
}

impl App {
    /// A fresh workbench; `theme` styles the composer's text.
    pub fn new(session: Session, theme: &Theme, now: Instant) -> App {
        let setup_hint = session.settings.setup_hint.clone();
        // How the effort asked for at start was fitted to the model, said once.
        let notice = session.settings.effort_note.clone();
        App {
            session,
            composer: Composer::new(theme),
            overlay: None,
            active: None,
            compare: CompareState::default(),
            scroll: Scroll::default(),
            changes: Changes::default(),
            thinking: BTreeMap::new(),
            notice,
            quit_armed_at: None,
            completing: None,
            mentions_read_for: None,
            setup_hint,
            size: (80, 24),
            now,
            retry: None,
            rate_limit: None,
            store_backlog: None,
            others_pending: None,
            reopened_for_others: false,
            persistence: Persistence::On {
                session: None,
                title: None,
            },
            editing: None,
            last_flush: None,
            show_meter: None,
            fetched_models: Vec::new(),
            sent: None,
            counting: None,
        }
    }

    pub fn is_streaming(&self) -> bool {
        self.active.is_some()
    }

    /// The composer's text.
    pub fn draft(&self) -> String {
        self.composer.draft()
    }

    /// The first row of the conversation shown at the last frame.
    pub fn first_visible_row(&self) -> usize {
        self.scroll
            .first_visible(self.scroll.total_rows, self.scroll.rows)
    }

    /// Handle one event at time `now`.
    pub fn update(&mut self, event: Event, now: Instant) -> Vec<Effect> {
        self.now = now;
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => self.on_key(key, now),
            Event::Key(_) | Event::Tick | Event::TokenizerLoaded => Vec::new(),
            Event::Terminate => self.terminate(now),
            Event::Paste(text) => {
                self.completing = None;
                self.composer.paste(&text);
                Vec::new()
            }
            Event::Mouse(m) => {
                match m.kind {
                    MouseEventKind::ScrollUp => self.scroll.up(WHEEL_ROWS),
                    MouseEventKind::ScrollDown => self.scroll.down(WHEEL_ROWS),
                    _ => {}
                }
                Vec::new()
            }
            Event::Resize(w, h) => {
                self.size = (w, h);
                Vec::new()
            }
            Event::Laid(laid) => {
                self.scroll.laid(&laid);
                self.changes.seen();
                Vec::new()
            }
            Event::Queued(queue) => {
                let mut effects = Vec::new();
                for event in queue.take() {
                    effects.extend(self.update(event, now));
                }
                effects
            }
            Event::Stream { turn_id, event, at } => self.on_stream(turn_id, event, at),
            Event::ArmStream {
                turn_id,
                arm,
                event,
                at,
            } => self.on_arm_stream(turn_id, arm, event, at),
            Event::ArmsResolved { result, then } => {
                self.arms_resolved(result.map(|r| r.0), then, now)
            }
            Event::Sessions { query, list } => {
                if let Some(Overlay::Browser(browser)) = &mut self.overlay {
                    browser.set_sessions(query.as_deref(), list);
                }
                Vec::new()
            }
            Event::SessionOpened { id, title, turns } => {
                self.open_session(id, title, turns);
                Vec::new()
            }
            Event::Forked {
                id,
                title,
                turns,
                from,
            } => {
                self.forked(id, title, turns, from);
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
            Event::StoreBacklog { unsaved, error } => {
                self.store_backlog = match error {
                    Some(error) => Some(Backlog { unsaved, error }),
                    None => {
                        if self.store_backlog.take().is_some() {
                            self.notice = Some("the store is back: every turn is saved".into());
                        }
                        None
                    }
                };
                Vec::new()
            }
            Event::OthersAdded { id } => self.others_added(id),
            Event::StoreError(why) => {
                if let Some(Overlay::Browser(browser)) = &mut self.overlay {
                    browser.loading = false;
                }
                self.notice = Some(format!("⚠ session store: {why}"));
                Vec::new()
            }
            Event::ModelSwitched(result) => {
                self.model_switched(result);
                Vec::new()
            }
            Event::ModelsFetched { provider, models } => {
                self.models_fetched(provider, models);
                Vec::new()
            }
            Event::TokensCounted { turn_id, count } => self.tokens_counted(turn_id, count),
            Event::Attached(result) => {
                self.attached(result);
                Vec::new()
            }
            Event::MentionsRead { draft, result } => self.mentions_read(draft, result, now),
            Event::PathsCompleted { typed, candidates } => {
                self.paths_completed(&typed, &candidates);
                Vec::new()
            }
            Event::Edited(result) => {
                self.edited(result);
                Vec::new()
            }
        }
    }

    /// Turn `idx` changed: the view lays it out (and everything after it) again.
    pub(super) fn touch(&mut self, idx: usize) {
        self.changes.touch(idx);
    }

    pub(super) fn turn_index(&self, turn_id: u64) -> Option<usize> {
        self.session
            .conversation
            .turns
            .iter()
            .rposition(|t| t.id == turn_id)
    }
}

fn ms_between(from: Instant, to: Instant) -> u64 {
    u64::try_from(to.saturating_duration_since(from).as_millis()).unwrap_or(u64::MAX)
}
