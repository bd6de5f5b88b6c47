//! Headless one-shot mode: `thinkbench ask`. One turn, streamed to stdout, the usage line to
//! stderr; or, with `--json`, exactly one JSON object on stdout at the end. When the server
//! reported no usage, its own tokenizer counts the turn before the usage is printed, where
//! it has one (`api::tokenize`; its `usage.source` says `counted`), else the estimate stays.
//!
//! The turn is recorded in the session store: the prompt is committed before the request
//! leaves, the streaming text is flushed at most every [`FLUSH_EVERY`] and once more when the
//! turn ends however it ends, so only a process killed outright (`kill -9`, a crash) loses
//! anything, at most the last half second.
//!
//! Invariants: stdout carries only the answer (or the one JSON object); everything else goes
//! to stderr; what reaches a terminal passes through the options' [`Filter`] (no control
//! character but newline and tab, unless `--raw` for the model's text), what reaches a pipe
//! is byte-exact; an API error exits non-zero; Ctrl+C cancels the request and keeps what
//! arrived (exit 130); SIGTERM, SIGHUP and SIGQUIT stop it the same way, save it as
//! interrupted and exit 128 + the signal's number (see `crate::signals`); a stdout that
//! closes (`| head -1`) stops it too, quietly, saved as interrupted, exit 141 (see
//! `crate::stdout`); every word written to stdout is in the turn saved when the request
//! stops; a store that cannot be opened turns persistence off with one warning naming the
//! file, and the turn is still answered; a store that fails while the turn streams is tried
//! again at every flush, and if the turn's last save fails too the command says so and exits
//! with [`EXIT_NOT_SAVED`] (unless it already fails for another reason); an answer the output
//! budget cut before it began (all reasoning) is explained on stderr, with `--json` too, and
//! exits [`EXIT_NO_ANSWER`]; the effort is the one the model takes (fitted with a note on
//! stderr, see `config`), never one it refuses.

use crate::api::{self, StreamEvent};
use crate::attach::Attachment;
use crate::conversation::{Turn, TurnState};
use crate::session::Session;
use crate::signals::{Listener, Signal};
use crate::stdout::{self, StdoutError};
use crate::store::{SessionChoice, Store, StoreError, now_ms};
use crate::text::Filter;
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, Default)]
pub struct AskOptions {
    /// Print one JSON object at the end instead of streaming text.
    pub json: bool,
    /// Stream the shared reasoning text to stderr.
    pub show_reasoning: bool,
    /// What is sanitized on the way out (see [`Filter`]).
    pub filter: Filter,
}

/// Exit status when the person interrupted the request.
pub const EXIT_INTERRUPTED: i32 = 130;

/// Exit status when the output budget ran out before any answer came (`finish_reason`
/// `length`, all of it reasoning): the request succeeded, but there is nothing to use.
pub const EXIT_NO_ANSWER: i32 = 3;

/// Exit status when the answer came but the turn could not be saved (sysexits' TEMPFAIL:
/// trying again later may work).
pub const EXIT_NOT_SAVED: i32 = 75;

/// A streaming turn is written to the store at most this often (and when it ends).
pub const FLUSH_EVERY: Duration = Duration::from_millis(500);

fn persistence_off(why: impl std::fmt::Display) {
    eprintln!("thinkbench: persistence off: {why}");
}

/// Writes one session's turns to the store. A failed write warns once and is tried again
/// with the next flush; [`Recorder::unsaved`] says which turns' latest write failed.
pub struct Recorder {
    store: Store,
    session: i64,
    last_flush: Instant,
    /// Turns (id, arm) whose latest write failed, and why.
    failed: std::collections::BTreeMap<(u64, u32), String>,
    warned: bool,
}

impl Recorder {
    pub fn new(store: Store, session: i64) -> Recorder {
        Recorder {
            store,
            session,
            last_flush: Instant::now(),
            failed: Default::default(),
            warned: false,
        }
    }

    /// The session id.
    pub fn session(&self) -> i64 {
        self.session
    }

    /// Write `turn` now.
    pub fn save(&mut self, turn: &Turn) {
        self.last_flush = Instant::now();
        let key = (turn.id, turn.arm_index());
        match self.store.save_turn(self.session, turn, now_ms()) {
            Ok(_) => {
                self.failed.remove(&key);
            }
            Err(err) => {
                if !self.warned {
                    eprintln!("thinkbench: cannot save the turn yet ({err}); trying again");
                    self.warned = true;
                }
                self.failed.insert(key, err.to_string());
            }
        }
    }

    /// How many turns are not in the store as they stand (their latest write failed), and
    /// why the last of them failed; `None` when every write landed.
    pub fn unsaved(&self) -> Option<(usize, &str)> {
        let why = self.failed.values().next_back()?;
        Some((self.failed.len(), why.as_str()))
    }

    /// Write `turn` if the last write is at least [`FLUSH_EVERY`] old.
    pub fn save_if_due(&mut self, turn: &Turn) {
        if self.last_flush.elapsed() >= FLUSH_EVERY {
            self.save(turn);
        }
    }
}

/// Open the store at `db` and pick the session to add to: the recorder (`None`, after a
/// "persistence off" warning, when the database cannot be used) and the stored turns the
/// request goes on from. The one error is a session that does not exist.
pub fn open_session(
    db: &Path,
    choice: SessionChoice,
) -> Result<(Option<Recorder>, Vec<Turn>), StoreError> {
    if let Some(dir) = db.parent()
        && let Err(err) = crate::store::private::create_dir(dir)
    {
        persistence_off(format!(
            "cannot create {} for the session database {}: {err}",
            dir.display(),
            db.display()
        ));
        return Ok((None, Vec::new()));
    }
    let picked = Store::open(db).and_then(|mut store| {
        let id = match choice {
            SessionChoice::New => None,
            SessionChoice::Latest => store.latest()?,
            SessionChoice::Id(id) => Some(id),
        };
        let (id, turns) = match id {
            Some(id) => (id, store.load(id)?.1),
            None => (store.create_session(now_ms())?, Vec::new()),
        };
        Ok((Recorder::new(store, id), turns))
    });
    match picked {
        Ok((recorder, turns)) => Ok((Some(recorder), turns)),
        Err(err @ StoreError::NoSession(_)) => Err(err),
        Err(err) => {
            if choice != SessionChoice::New {
                persistence_off(format!("{err} (answering without the stored history)"));
            } else {
                persistence_off(err);
            }
            Ok((None, Vec::new()))
        }
    }
}

/// How the request ended.
enum Ended {
    /// The stream ended by itself (answered, failed or cut).
    Stream,
    Signal(Signal),
    /// Writing the answer to stdout failed.
    Stdout,
}

/// Send `prompt` and report, recording the turn with `recorder` when there is one; returns
/// the process exit status.
pub async fn run(
    mut session: Session,
    prompt: String,
    attachments: Vec<Attachment>,
    opts: AskOptions,
    mut recorder: Option<Recorder>,
) -> i32 {
    let client = match api::client() {
        Ok(client) => client,
        Err(err) => {
            eprintln!("thinkbench: {err}");
            return 1;
        }
    };
    // From here on a signal stops the request and the turn is kept (see `signals`).
    let mut signals = Listener::new(&Signal::ALL);
    let (turn_id, request) = session.start_turn_with(prompt, attachments);
    let endpoint = session.settings.endpoint.clone();
    let Some(turn) = session.turn_mut(turn_id) else {
        return 1;
    };
    // The prompt is stored before the request leaves.
    if let Some(r) = recorder.as_mut() {
        r.save(turn);
    }
    let sent = Instant::now();
    let mut wrote_reasoning = false;
    // The first failure to write the answer; it stops the request.
    let mut stdout_failed: Option<StdoutError> = None;
    let stop = tokio::sync::Notify::new();
    let mut emit = |event: StreamEvent| {
        let at = sent.elapsed().as_millis() as u64;
        // Retries are announced on stderr in every mode (stdout stays the answer or the JSON).
        if let StreamEvent::Retrying(notice) = &event {
            let line = format!("{}: {}", notice.describe(notice.delay), notice.error);
            eprintln!("thinkbench: {}", opts.filter.diag(&line));
        }
        if !opts.json {
            match &event {
                StreamEvent::TextDelta(text) if stdout_failed.is_none() => {
                    if let Err(err) = stdout::write(opts.filter.out(text).as_bytes()) {
                        stdout_failed = Some(err);
                        stop.notify_one();
                    }
                }
                StreamEvent::ReasoningDelta(text) if opts.show_reasoning => {
                    wrote_reasoning = true;
                    let mut err = std::io::stderr().lock();
                    let _ = err.write_all(opts.filter.err(text).as_bytes());
                    let _ = err.flush();
                }
                _ => {}
            }
        }
        let delta = matches!(
            event,
            StreamEvent::TextDelta(_) | StreamEvent::ReasoningDelta(_)
        );
        turn.apply(event, at);
        if delta && let Some(r) = recorder.as_mut() {
            r.save_if_due(turn);
        }
    };
    let ended = tokio::select! {
        _ = api::run_turn(&client, &endpoint, &request, &mut emit) => Ended::Stream,
        signal = signals.recv() => Ended::Signal(signal),
        _ = stop.notified() => Ended::Stdout,
    };
    let Some(turn) = session.turn_mut(turn_id) else {
        return 1;
    };
    let at = sent.elapsed().as_millis() as u64;
    match ended {
        Ended::Signal(Signal::Interrupt) => turn.cancel(at),
        Ended::Signal(_) | Ended::Stdout => turn.interrupt(at),
        Ended::Stream => {}
    }
    if let Some(r) = recorder.as_mut() {
        r.save(turn);
    }
    // A server that reported no usage may count the turn with its own tokenizer.
    let mut ended = ended;
    if matches!(ended, Ended::Stream)
        && let Some(texts) = turn.texts_to_count(&request)
    {
        tokio::select! {
            count = api::tokenize::count(&client, &endpoint, &texts) => {
                if let Some(count) = count
                    && turn.apply_count(count)
                    && let Some(r) = recorder.as_mut()
                {
                    r.save(turn);
                }
            }
            signal = signals.recv() => ended = Ended::Signal(signal),
        }
    }
    let unsaved = (recorder.as_ref())
        .and_then(Recorder::unsaved)
        .map(|(_, why)| why.to_string());
    let session_id = recorder.as_ref().map(Recorder::session);
    if let Some(err) = stdout_failed {
        return stdout_closed(&err);
    }
    let printed = if opts.json {
        let mut value = to_json(turn);
        if let Value::Object(map) = &mut value {
            map.insert("session".into(), json!(session_id));
        }
        stdout::write(format!("{}\n", opts.filter.json(&value.to_string())).as_bytes())
    } else if !turn.answer.is_empty() && !turn.answer.ends_with('\n') {
        stdout::write(b"\n")
    } else {
        Ok(())
    };
    if let Ended::Signal(signal) = ended
        && signal != Signal::Interrupt
    {
        return signal.stopped(session_id);
    }
    if let Err(err) = printed {
        return stdout_closed(&err);
    }
    if opts.json {
        // The error goes to stderr too, so a script that only checks the status can log it.
        if let TurnState::Failed(err) = &turn.state {
            eprintln!("thinkbench: {}", opts.filter.diag(&err.to_string()));
        }
        if cut_before_answer(turn) {
            eprintln!("thinkbench: {CUT_BEFORE_ANSWER}");
        }
    } else {
        if wrote_reasoning {
            eprintln!();
        }
        report_to_stderr(turn, opts.filter);
        if let Some(id) = session_id {
            eprintln!("session {id}");
        }
    }
    if let Some(why) = &unsaved {
        eprintln!("thinkbench: the turn could not be saved: {why}");
    }
    match &turn.state {
        TurnState::Failed(_) => 1,
        TurnState::Cancelled => EXIT_INTERRUPTED,
        _ if cut_before_answer(turn) => EXIT_NO_ANSWER,
        _ if unsaved.is_some() => EXIT_NOT_SAVED,
        _ => 0,
    }
}

/// Why a turn cut before its answer began has none.
const CUT_BEFORE_ANSWER: &str =
    "all output tokens went to reasoning; no answer was produced (raise --max-output-tokens)";

/// The output budget ran out (`finish_reason` `length`) before any answer came.
fn cut_before_answer(turn: &Turn) -> bool {
    turn.finish_reason == Some(api::FinishReason::Length) && turn.answer.trim().is_empty()
}

/// The end of a command whose stdout failed: quiet when its reader went away (see
/// [`stdout`]), one line otherwise; the exit status.
pub fn stdout_closed(err: &StdoutError) -> i32 {
    if let Some(message) = err.message() {
        let _ = writeln!(std::io::stderr(), "thinkbench: {message}");
    }
    err.exit_status()
}

/// The tool calls, how the turn ended and its usage line, each line through `filter`'s
/// [`Filter::diag`] (names, arguments and errors are the server's text).
fn report_to_stderr(turn: &Turn, filter: Filter) {
    for call in &turn.tool_calls {
        let line = format!(
            "the model asked to call `{}({})`",
            call.name, call.arguments
        );
        eprintln!("{}", filter.diag(&line));
    }
    match &turn.state {
        TurnState::Failed(err) => eprintln!("thinkbench: {}", filter.diag(&err.to_string())),
        TurnState::Cancelled => eprintln!("thinkbench: cancelled"),
        _ => {}
    }
    if cut_before_answer(turn) {
        eprintln!("thinkbench: {CUT_BEFORE_ANSWER}");
    }
    eprintln!("{}", filter.diag(&turn.usage_line()));
}

/// The `--json` object for a turn.
pub fn to_json(turn: &Turn) -> Value {
    let usage = turn.usage();
    let error = match &turn.state {
        TurnState::Failed(err) => json!({
            "status": err.status,
            "type": err.kind,
            "code": err.code,
            "message": err.message,
        }),
        TurnState::Cancelled => {
            json!({"status": null, "type": "cancelled", "code": null, "message": "cancelled"})
        }
        TurnState::Interrupted => {
            json!({"status": null, "type": "interrupted", "code": null, "message": "interrupted"})
        }
        _ => Value::Null,
    };
    json!({
        "provider": turn.spec.provider,
        "model": turn.spec.model,
        "api": turn.spec.api.as_str(),
        "effort": turn.spec.effort,
        "answer": turn.answer,
        "reasoning": turn.reasoning,
        "finish_reason": turn.finish_reason.as_ref().map(|r| r.as_str().to_string()),
        "attachments": crate::attach::json(&turn.attachments, false),
        "usage": {
            "input_tokens": usage.input,
            "cached_input_tokens": usage.cached_input,
            "output_tokens": usage.output,
            "reasoning_tokens": usage.reasoning,
            "estimated": usage.estimated,
            "source": usage.source(),
            "input_without_chat_template": usage.input_without_template(),
        },
        "cost_usd": turn.cost(),
        "timing_ms": {
            "first_token": turn.first_token_ms(),
            "total": turn.timings.done_ms,
        },
        "tool_calls": turn.tool_calls,
        "error": error,
    })
}
