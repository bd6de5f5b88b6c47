//! `thinkbench compare` / `sweep`: one prompt to several arms, headless.
//!
//! Invariants:
//! - every arm's turn (and each run's) is stored before any request leaves, flushed at most
//!   every [`FLUSH_EVERY`] per arm while it streams and once more when it ends, so a process
//!   killed outright (`kill -9`) loses at most the last half second of each arm;
//! - at most `concurrency` requests are in flight; an arm's times count from the moment its
//!   request leaves, not from when it was queued;
//! - one arm failing never stops the others; Ctrl+C cancels every arm still streaming, keeps
//!   what arrived and prints it (exit 130); SIGTERM, SIGHUP and SIGQUIT do the same but save
//!   the arms as interrupted and exit 128 + the signal's number (see `crate::signals`);
//! - a stdout that closes stops the comparison like a signal, quietly, exit 141 (see
//!   `crate::stdout`);
//! - stdout carries the report only (text, one JSON object, or CSV); a live table is drawn
//!   only when stdout is a terminal; what reaches a terminal is sanitized as
//!   [`super::report`] says (the models' text unless `--raw`, JSON with its DEL and C1
//!   characters escaped, CSV whole), and every line written to stderr (retries, errors)
//!   always is. Whether stdout is a terminal is the options' [`Filter`].

use super::Arm;
use super::report::{self, ArmProgress, Format};
use crate::api::{self, StreamEvent};
use crate::ask::{EXIT_NOT_SAVED, FLUSH_EVERY, Recorder};
use crate::conversation::{Turn, TurnState};
use crate::session::Session;
use crate::signals::{Listener, Signal};
use crate::stdout::{self, StdoutError};
use crate::text::Filter;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, mpsc};

/// How a comparison runs and prints.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub format: Format,
    /// Send each arm this many times.
    pub runs: u32,
    /// At most this many requests in flight.
    pub concurrency: usize,
    /// What is sanitized on the way out (see [`Filter`]).
    pub filter: Filter,
}

/// How often the live table is redrawn.
const REDRAW: Duration = Duration::from_millis(100);

enum Msg {
    /// The arm's request left (it held a concurrency permit) at this instant.
    Started(Instant),
    Event(StreamEvent, Instant),
}

/// Send `prompt` to every arm and report; returns the exit status: 0 when every run
/// succeeded, 1 when any failed, 128 + the signal's number when one stopped it (130 for
/// Ctrl+C), 141 when stdout closed.
pub async fn run(
    mut session: Session,
    prompt: String,
    arms: Vec<Arm>,
    opts: Options,
    mut recorder: Option<Recorder>,
) -> i32 {
    // From here on a signal stops the comparison and its arms are kept (see `signals`).
    let mut signals = Listener::new(&Signal::ALL);
    let outgoing = session.start_comparison(prompt.clone(), &arms, opts.runs);
    let first = session.conversation.turns.len() - outgoing.len();
    if let Some(r) = recorder.as_mut() {
        for turn in &session.conversation.turns[first..] {
            r.save(turn);
        }
    }
    let client = match api::client() {
        Ok(client) => client,
        Err(err) => {
            warn(&err.to_string());
            return 1;
        }
    };
    let slots = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let (tx, mut rx) = mpsc::unbounded_channel::<(usize, Msg)>();
    let mut tasks = Vec::new();
    for (i, out) in outgoing.into_iter().enumerate() {
        let endpoint = arms[i % arms.len()].settings.endpoint.clone();
        let (tx, client, slots) = (tx.clone(), client.clone(), slots.clone());
        tasks.push(tokio::spawn(async move {
            let Ok(_permit) = slots.acquire_owned().await else {
                return;
            };
            let _ = tx.send((i, Msg::Started(Instant::now())));
            let events = tx.clone();
            let mut emit = move |event: StreamEvent| {
                let _ = events.send((i, Msg::Event(event, Instant::now())));
            };
            api::run_turn(&client, &endpoint, &out.request, &mut emit).await;
        }));
    }
    drop(tx);

    let n = tasks.len();
    let mut progress = vec![ArmProgress::default(); n];
    let mut saved = vec![Instant::now(); n];
    let live = opts.format == Format::Text && std::io::stdout().is_terminal();
    let mut drawn = 0usize;
    let mut tick = tokio::time::interval(REDRAW);
    let mut stopped: Option<Signal> = None;
    // The first failure to write the live table; it stops the comparison.
    let mut stdout_failed: Option<StdoutError> = None;
    loop {
        tokio::select! {
            msg = rx.recv() => {
                let Some((i, msg)) = msg else { break };
                let turn = &mut session.conversation.turns[first + i];
                match msg {
                    Msg::Started(at) => progress[i].started = Some(at),
                    Msg::Event(event, at) => {
                        let sent = progress[i].started.unwrap_or(at);
                        let ms = ms_between(sent, at);
                        if let StreamEvent::Retrying(notice) = &event {
                            let text = format!("{}: {}", notice.describe(notice.delay), notice.error);
                            if !live && opts.format == Format::Text {
                                warn(&format!("{}: {text}", turn.arm_label()));
                            }
                            progress[i].retrying = Some(text);
                        } else {
                            progress[i].retrying = None;
                        }
                        let ends = event.is_terminal();
                        let text = matches!(event, StreamEvent::TextDelta(_) | StreamEvent::ReasoningDelta(_));
                        turn.apply(event, ms);
                        if let Some(r) = recorder.as_mut()
                            && (ends || (text && saved[i].elapsed() >= FLUSH_EVERY))
                        {
                            saved[i] = Instant::now();
                            r.save(turn);
                        }
                    }
                }
            }
            _ = tick.tick(), if live => {
                match redraw(&session.conversation.turns[first..], &progress, drawn) {
                    Ok(rows) => drawn = rows,
                    Err(err) => {
                        stdout_failed = Some(err);
                        break;
                    }
                }
            }
            signal = signals.recv() => {
                stopped = Some(signal);
                break;
            }
        }
    }
    for task in &tasks {
        task.abort();
    }
    let now = Instant::now();
    for (i, turn) in session.conversation.turns[first..].iter_mut().enumerate() {
        if !turn.is_streaming() {
            continue;
        }
        let at = progress[i].started.map_or(0, |t| ms_between(t, now));
        if stopped == Some(Signal::Interrupt) {
            turn.cancel(at);
        } else if stopped.is_some() || stdout_failed.is_some() {
            turn.interrupt(at);
        } else {
            // The request task ended without a last event (it panicked).
            turn.apply(
                StreamEvent::Failed(api::ApiError::message(
                    "internal error: the request ended without an answer",
                )),
                at,
            );
        }
        if let Some(r) = recorder.as_mut() {
            r.save(turn);
        }
    }
    if let Some(err) = stdout_failed {
        return crate::ask::stdout_closed(&err);
    }
    let turns = &session.conversation.turns[first..];
    let session_id = recorder.as_ref().map(Recorder::session);
    let unsaved = (recorder.as_ref())
        .and_then(Recorder::unsaved)
        .map(|(n, why)| (n, why.to_string()));
    let out = report::render(
        opts.format,
        &prompt,
        turns,
        session_id,
        opts.filter.sanitizes_stdout(),
    );
    let out = match opts.format {
        Format::Text => out.into(),
        Format::Json => opts.filter.json(&out),
        // Error messages in it are the servers' text.
        Format::Csv if opts.filter.stdout => crate::text::sanitize(&out),
        Format::Csv => out.into(),
    };
    let mut printed = if live { erase(drawn) } else { Ok(()) };
    printed = printed.and_then(|()| stdout::write(out.as_bytes()));
    if let Some(signal) = stopped
        && signal != Signal::Interrupt
    {
        return signal.stopped(session_id);
    }
    if let Err(err) = printed {
        return crate::ask::stdout_closed(&err);
    }
    if opts.format == Format::Text {
        if let Some(id) = session_id {
            eprintln!("session {id}");
        }
    } else {
        for turn in turns {
            if let TurnState::Failed(err) = &turn.state {
                warn(&format!("{}: {err}", turn.arm_label()));
            }
        }
    }
    let status = exit_status(turns, stopped);
    match unsaved {
        Some((n, why)) => {
            warn(&format!("{n} of the runs could not be saved: {why}"));
            if status == 0 { EXIT_NOT_SAVED } else { status }
        }
        None => status,
    }
}

/// `thinkbench: TEXT` on stderr, sanitized (it holds server text).
fn warn(text: &str) {
    eprintln!("thinkbench: {}", crate::text::sanitize(text));
}

/// 128 + the signal's number when one stopped it (130 for Ctrl+C), 1 when any run did not
/// finish without error, else 0.
pub fn exit_status(turns: &[Turn], stopped: Option<Signal>) -> i32 {
    if let Some(signal) = stopped {
        signal.exit_status()
    } else if turns.iter().all(|t| t.state == TurnState::Done) {
        0
    } else {
        1
    }
}

fn ms_between(from: Instant, to: Instant) -> u64 {
    u64::try_from(to.saturating_duration_since(from).as_millis()).unwrap_or(u64::MAX)
}

/// Draw the live table over the `drawn` rows drawn last time; returns the rows drawn now.
fn redraw(turns: &[Turn], progress: &[ArmProgress], drawn: usize) -> Result<usize, StdoutError> {
    let width = crossterm::terminal::size().map_or(80, |(w, _)| w as usize);
    let rows = report::live_rows(turns, progress, Instant::now(), width.saturating_sub(1));
    let mut out = String::new();
    if drawn > 0 {
        out.push_str(&format!("\x1b[{drawn}A"));
    }
    for row in &rows {
        out.push_str("\r\x1b[2K");
        out.push_str(row);
        out.push('\n');
    }
    out.push_str("\x1b[J");
    stdout::write(out.as_bytes())?;
    Ok(rows.len())
}

/// Remove the live table before the report is printed.
fn erase(drawn: usize) -> Result<(), StdoutError> {
    if drawn == 0 {
        return Ok(());
    }
    stdout::write(format!("\x1b[{drawn}A\r\x1b[J").as_bytes())
}
