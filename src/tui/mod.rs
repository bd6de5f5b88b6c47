//! The full-screen interface: terminal setup and restore (also after a panic), and the event
//! loop that feeds `App::update` and performs its effects.
//!
//! Invariants: the terminal is restored on every exit path (normal, error, panic, a signal:
//! SIGTERM, SIGHUP, SIGQUIT and SIGINT become `Event::Terminate`, which saves what streams
//! as interrupted and quits, and the process exits 128 + the signal's number); a turn still
//! streaming when the loop ends for any other reason (the terminal failing) is saved the
//! same way; a frame
//! is drawn only when something changed, at most ~60 times a second; when idle nothing wakes
//! up (the spinner tick runs only while a turn streams); nothing slow runs on this loop
//! (requests, model lists and model switches, which may run a key command, are tasks: see
//! `tasks`, which also turns their panics into errors; terminal setup and restore are
//! `terminal`). The one wait on this loop is the person's own editor (`editor`, for
//! `Effect::EditInEditor`): the terminal is handed over to it, nothing is drawn or read
//! meanwhile (events queue), and the terminal is taken back and redrawn whole after; a
//! SIGINT or SIGQUIT that arrived meanwhile was the editor's (Ctrl+C, Ctrl+\ typed in it
//! reach the terminal's whole foreground group) and is dropped, any other signal stops us.
//! The tokenizer is loaded on a thread of its own when first needed (the meter has something
//! to count, or a turn streams), never at startup, and the meter never waits for it
//! (`Meter::defer_until_loaded`).
//!
//! Layers, each importing only those below it: the runtime (this file) -> `app` (state and
//! `update`) and `ui` (caches and drawing) -> the components (`composer`, `conversation`,
//! `meter`, `picker`, `effort`, `inspector`, `browser`, `help`, `status`), each in its own
//! folder -> `component` (their shared interface), `keymap`, `markdown`, `theme`,
//! `highlight`.

pub mod app;
pub mod browser;
pub mod clipboard;
pub mod compact;
pub mod compare;
pub mod component;
pub mod composer;
pub mod confirm;
pub mod conversation;
pub mod editor;
pub mod effort;
pub mod help;
pub mod highlight;
pub mod inspector;
pub mod keymap;
pub mod markdown;
pub mod meter;
pub mod persist;
pub mod picker;
pub mod status;
pub mod syntax_themes;
pub(crate) mod tasks;
pub mod terminal;
pub mod theme;
pub mod ui;

use crate::api;
use crate::session::Session;
use crate::signals::{Listener, Signal};
use crate::store::SessionChoice;
use crate::store::Store;
use app::{App, Effect, Event};
use crossterm::event::{Event as TermEvent, EventStream};
use futures_util::StreamExt;
use persist::Persister;
use persist::worker::{Backoff, StoreWorker};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::collections::HashMap;
use std::io::Stdout;
use std::sync::Arc;
use std::time::{Duration, Instant};
use theme::Theme;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use ui::Ui;

/// How the runtime reads the environment (keys for a model switched to): injected, so tests
/// choose what it holds.
pub type Env = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Shortest time between two frames (~60 per second).
const FRAME: Duration = Duration::from_millis(16);
/// How often the spinner and elapsed times refresh while a turn streams.
const TICK: Duration = Duration::from_millis(100);

/// Run the TUI until the person quits or a signal stops it (which is returned: the process
/// exits with its status).
/// `store` is the opened session database, or why it could not be opened (the TUI then runs
/// with persistence off and says so); `resume` picks the session to start in.
pub async fn run(
    session: Session,
    theme: Theme,
    store: Result<Store, String>,
    resume: SessionChoice,
    env: Env,
) -> anyhow::Result<Option<Signal>> {
    terminal::install_panic_hook();
    // Before the terminal changes: from here on a signal no longer kills the process with
    // the terminal in raw mode, it reaches the event loop (SIGINT too: raw mode makes Ctrl+C
    // a key, but `kill -INT` still sends it).
    let mut signals = Listener::new(&Signal::ALL);
    let mut terminal = terminal::setup()?;
    let result = event_loop(
        &mut terminal,
        session,
        theme,
        store,
        resume,
        env,
        &mut signals,
    )
    .await;
    terminal::restore();
    terminal::close(terminal);
    let ended = result?;
    if ended.unsaved > 0 {
        let turns = if ended.unsaved == 1 { "turn" } else { "turns" };
        let n = ended.unsaved;
        eprintln!("thinkbench: {n} {turns} could not be saved to the session store");
    }
    Ok(ended.signal)
}

/// Draw one frame: bring the view's caches up to date, tell the app what they measured, then
/// draw from `&App`. The runtime, tests and benchmarks all draw through here.
pub fn draw<B: ratatui::backend::Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    ui: &mut Ui,
) -> Result<(), B::Error> {
    let size = terminal.size()?;
    let area = ratatui::layout::Rect::new(0, 0, size.width, size.height);
    let laid = ui.prepare(app, area);
    let now = app.now;
    app.update(Event::Laid(laid), now);
    terminal.draw(|frame| ui.render(app, frame))?;
    Ok(())
}

/// Load the tokenizer on a thread of its own, then wake the loop (`Event::TokenizerLoaded`)
/// so that what waited for it is counted and drawn.
fn load_tokenizer(tx: &mpsc::UnboundedSender<Event>) {
    let tx = tx.clone();
    std::thread::spawn(move || {
        crate::usage::load_tokenizer();
        let _ = tx.send(Event::TokenizerLoaded);
    });
}

/// How the event loop ended: the signal that stopped it, if one did, and the turns the
/// store could not save.
struct Ended {
    signal: Option<Signal>,
    unsaved: usize,
}

/// How long a terminal that failed may take to send its SIGHUP (see `event_loop`).
const HANGUP_GRACE: Duration = Duration::from_millis(200);

async fn event_loop(
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    session: Session,
    theme: Theme,
    store: Result<Store, String>,
    resume: SessionChoice,
    env: Env,
    signals: &mut Listener,
) -> anyhow::Result<Ended> {
    let client = api::client().map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut app = App::new(session, &theme, Instant::now());
    let mut ui = Ui::new(theme);
    // The meter never waits for the tokenizer: it is loaded off this loop when first needed.
    ui.meter.defer_until_loaded = true;
    let mut tokenizer_asked = false;
    let size = terminal.size()?;
    app.update(Event::Resize(size.width, size.height), Instant::now());
    let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
    let persister = match store {
        Ok(store) => Persister::new(Some(store)),
        Err(why) => {
            app.update(Event::StoreFailed(why), Instant::now());
            Persister::new(None)
        }
    };
    // The store answers on its own thread; its events come back like a stream's.
    let events = tx.clone();
    let store = StoreWorker::start(persister, Backoff::default(), move |event| {
        let _ = events.send(event);
    });
    store.resume(resume);

    let mut term_events = EventStream::new();
    // Request tasks by turn and arm (`None` for a plain turn).
    let mut tasks: HashMap<(u64, Option<u32>), JoinHandle<()>> = HashMap::new();
    // Providers whose model list was asked for this run (each is fetched once).
    let mut fetched: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut last_draw = Instant::now() - FRAME;
    // The signal that stopped the loop, or the terminal's failure.
    let mut stopped: Option<Signal> = None;
    let mut failure: Option<anyhow::Error> = None;

    loop {
        if dirty && last_draw.elapsed() >= FRAME {
            if let Err(err) = draw(terminal, &mut app, &mut ui) {
                failure = Some(err.into());
                break;
            }
            last_draw = Instant::now();
            dirty = ui.laying_out();
            if !tokenizer_asked && (ui.meter.waiting() || app.is_streaming()) {
                tokenizer_asked = true;
                load_tokenizer(&tx);
            }
        }
        let next_frame = tokio::time::Instant::from_std(last_draw + FRAME);
        let event = tokio::select! {
            ev = term_events.next() => match ev {
                Some(Ok(ev)) => match translate(ev) {
                    Some(ev) => ev,
                    None => continue,
                },
                Some(Err(err)) => {
                    failure = Some(err.into());
                    break;
                }
                None => break,
            },
            signal = signals.recv() => {
                stopped = Some(signal);
                Event::Terminate
            }
            Some(ev) = rx.recv() => ev,
            _ = tick.tick(), if app.is_streaming() => Event::Tick,
            _ = tokio::time::sleep_until(next_frame), if dirty => continue,
        };
        let mut effects = app.update(event, Instant::now());
        // Coalesce a burst of stream deltas into one frame, but never starve the screen or
        // the keyboard when a server streams faster than we draw.
        let burst_start = Instant::now();
        while burst_start.elapsed() < FRAME {
            let Ok(ev) = rx.try_recv() else { break };
            effects.extend(app.update(ev, Instant::now()));
        }
        dirty = true;
        // Effects run in order; what the store answers goes straight back to the app.
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        let mut quit = false;
        while let Some(effect) = queue.pop_front() {
            match effect {
                Effect::StartTurn { turn_id, request } => {
                    let endpoint = &app.session.settings.endpoint;
                    let task = tasks::spawn_turn(&tx, &client, endpoint, turn_id, None, request);
                    tasks.insert((turn_id, None), task);
                }
                Effect::StartArm {
                    turn_id,
                    arm,
                    endpoint,
                    request,
                } => {
                    let task =
                        tasks::spawn_turn(&tx, &client, &endpoint, turn_id, Some(arm), request);
                    tasks.insert((turn_id, Some(arm)), task);
                }
                Effect::Cancel(turn_id) => {
                    tasks.retain(|(id, _), handle| {
                        if *id == turn_id {
                            handle.abort();
                        }
                        *id != turn_id
                    });
                }
                Effect::ResolveArms { arms, then } => {
                    // Off the loop: a key may come from a command that takes its time.
                    let env = env.clone();
                    let settings = app.session.settings.clone();
                    tasks::spawn_blocking(
                        &tx,
                        "resolving the arms",
                        move || crate::compare::resolve_arms(&settings, &arms, &*env),
                        move |result| Event::ArmsResolved {
                            result: result.map(app::ResolvedArms),
                            then,
                        },
                    );
                }
                Effect::Persist(op) => store.send(op),
                Effect::SwitchModel(spec) => {
                    // Off the loop: a key may come from a command that takes its time.
                    let env = env.clone();
                    let settings = app.session.settings.clone();
                    tasks::spawn_blocking(
                        &tx,
                        "switching model",
                        move || {
                            settings
                                .switch_model(&spec, &*env)
                                .map_err(|e| e.to_string())
                        },
                        |result| Event::ModelSwitched(result.map(|s| app::Switched(Box::new(s)))),
                    );
                }
                Effect::FetchModels => {
                    let provider = app.session.settings.endpoint.provider.clone();
                    if fetched.insert(provider) {
                        tasks::fetch_models(&tx, &client, app.session.settings.endpoint.clone());
                    }
                }
                Effect::CountTokens {
                    turn_id,
                    endpoint,
                    texts,
                } => tasks::count_tokens(&tx, &client, *endpoint, turn_id, *texts),
                Effect::Attach(path) => {
                    let path = home_path(&path, env("HOME").as_deref());
                    let limits = app.session.settings.attach;
                    tasks::spawn_blocking(
                        &tx,
                        "attaching a file",
                        move || {
                            crate::attach::Attachment::load(&path, limits)
                                .map_err(|e| e.to_string())
                        },
                        Event::Attached,
                    );
                }
                Effect::ReadMentions { draft, paths } => {
                    let home = env("HOME");
                    let limits = app.session.settings.attach;
                    tasks::spawn_blocking(
                        &tx,
                        "reading the files a prompt mentions",
                        move || {
                            let read = paths
                                .iter()
                                .map(|p| {
                                    let p = home_path(p, home.as_deref());
                                    crate::attach::Attachment::load(&p, limits)
                                        .map_err(|e| e.to_string())
                                })
                                .collect::<Result<Vec<_>, String>>();
                            Ok((draft, read))
                        },
                        |result| match result {
                            Ok((draft, result)) => Event::MentionsRead { draft, result },
                            Err(why) => Event::Attached(Err(why)),
                        },
                    );
                }
                Effect::CompletePath(typed) => {
                    let home = env("HOME");
                    tasks::spawn_blocking(
                        &tx,
                        "completing a path",
                        move || {
                            Ok(crate::attach::complete::complete(&typed, home.as_deref()))
                                .map(|c| (typed, c))
                        },
                        |result| match result {
                            Ok((typed, candidates)) => Event::PathsCompleted { typed, candidates },
                            Err(why) => Event::Attached(Err(why)),
                        },
                    );
                }
                Effect::EditInEditor { text } => {
                    let edited = hand_over(terminal, &mut term_events, text, &env).await;
                    match edited {
                        Ok(result) => {
                            queue.extend(app.update(Event::Edited(result), Instant::now()))
                        }
                        Err(err) => {
                            failure = Some(err.into());
                            quit = true;
                        }
                    }
                    // Ctrl+C and Ctrl+\ typed in the editor reach us too (the terminal sends
                    // them to its whole foreground group): they were the editor's. Any other
                    // signal that came meanwhile stops us as it would have then.
                    let signal = (signals.take_pending().into_iter())
                        .find(|s| !matches!(s, Signal::Interrupt | Signal::Quit));
                    if let Some(signal) = signal {
                        stopped = Some(signal);
                        queue.extend(app.update(Event::Terminate, Instant::now()));
                    }
                }
                Effect::Copy { text } => {
                    // Inside tmux the sequence goes through its passthrough.
                    let tmux = env("TMUX").is_some_and(|v| !v.is_empty());
                    if let Ok(bytes) = clipboard::osc52(&text, tmux) {
                        use std::io::Write;
                        let out = terminal.backend_mut();
                        if let Err(err) = out.write_all(&bytes).and_then(|()| out.flush()) {
                            failure = Some(err.into());
                            quit = true;
                        }
                    }
                }
                Effect::Quit => quit = true,
            }
        }
        tasks.retain(|_, h| !h.is_finished());
        if quit {
            break;
        }
    }
    if failure.is_some() {
        // A terminal that fails to be read or written has usually been closed, and its
        // SIGHUP is on its way: the hangup is what stopped us, then.
        stopped = signals.within(HANGUP_GRACE).await;
    }
    // However the loop ended, a turn still streaming is saved with all that arrived.
    if app.is_streaming() {
        for effect in app.update(Event::Terminate, Instant::now()) {
            if let Effect::Persist(op) = effect {
                store.send(op);
            }
        }
    }
    for (_, handle) in tasks {
        handle.abort();
    }
    // What waits for the store is written (or counted as lost) before the terminal is back.
    let unsaved = store.finish();
    match (stopped, failure) {
        (Some(signal), _) => Ok(Ended {
            signal: Some(signal),
            unsaved,
        }),
        (None, Some(err)) => Err(err),
        (None, None) => Ok(Ended {
            signal: None,
            unsaved,
        }),
    }
}

/// Run the person's editor on `text` with the terminal handed over: stop reading it (the
/// reader would take the editor's keys), leave the TUI's modes, wait for the editor off this
/// thread, then take the terminal back (read anew, drawn whole at the next frame). The
/// editor's result, or the terminal's failure to come back.
async fn hand_over(
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    term_events: &mut EventStream,
    text: String,
    env: &Env,
) -> std::io::Result<Result<String, String>> {
    let command = editor::command(&**env);
    drop(std::mem::replace(term_events, EventStream::new()));
    terminal::suspend();
    let result = tokio::task::spawn_blocking(move || editor::edit(&text, &command))
        .await
        .unwrap_or_else(|e| Err(format!("the editor could not be run: {e}")));
    terminal::resume(terminal)?;
    Ok(result)
}

/// Terminal events the app cares about.
fn translate(ev: TermEvent) -> Option<Event> {
    match ev {
        TermEvent::Key(k) => Some(Event::Key(k)),
        TermEvent::Paste(s) => Some(Event::Paste(s)),
        TermEvent::Mouse(m) => Some(Event::Mouse(m)),
        TermEvent::Resize(w, h) => Some(Event::Resize(w, h)),
        TermEvent::FocusGained | TermEvent::FocusLost => None,
    }
}

/// `path` with a leading `~` standing for `home`, as in a shell.
fn home_path(path: &std::path::Path, home: Option<&str>) -> std::path::PathBuf {
    match (path.strip_prefix("~"), home) {
        (Ok(rest), Some(home)) => std::path::Path::new(home).join(rest),
        _ => path.to_path_buf(),
    }
}
