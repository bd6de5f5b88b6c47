//! The session store on its own thread: the UI hands it work without waiting (even while
//! another process holds the database locked), saves that fail are kept and retried until
//! they land, the status line says how many wait, and quitting with unsaved turns asks.

mod support;

use crossterm::event::{KeyCode, KeyModifiers};
use rusqlite::Connection;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use support::app::harness;
use thinkbench::api::{FinishReason, StreamEvent};
use thinkbench::conversation::Turn;
use thinkbench::store::Store;
use thinkbench::tui::app::{Effect, Event, Overlay, PersistOp};
use thinkbench::tui::persist::Persister;
use thinkbench::tui::persist::worker::{Backoff, StoreWorker};

const FAST: Backoff = Backoff {
    first: Duration::from_millis(20),
    max: Duration::from_millis(80),
};

/// A store on a fresh file that gives up on a lock after 50 ms.
fn store_at(dir: &tempfile::TempDir) -> Store {
    let store = Store::open(&dir.path().join("thinkbench.db")).unwrap();
    store.set_busy_timeout(Duration::from_millis(50)).unwrap();
    store
}

/// Another process's connection holding the write lock until dropped.
fn lock(dir: &tempfile::TempDir) -> Connection {
    let conn = Connection::open(dir.path().join("thinkbench.db")).unwrap();
    conn.execute_batch("BEGIN EXCLUSIVE").unwrap();
    conn
}

fn worker(store: Store) -> (StoreWorker, mpsc::Receiver<Event>) {
    let (tx, rx) = mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let emit = std::sync::Arc::new(move |e: Event| {
        let _ = tx.lock().unwrap().send(e);
    });
    let worker = StoreWorker::start(Persister::new(Some(store)), FAST, move |e| emit(e));
    (worker, rx)
}

/// Events until one matches `want` (panics after 5 s).
fn wait_for(rx: &mpsc::Receiver<Event>, want: impl Fn(&Event) -> bool) -> Vec<Event> {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(e) => {
                let done = want(&e);
                seen.push(e);
                if done {
                    return seen;
                }
            }
            Err(_) => break,
        }
    }
    panic!("the event never came; seen: {seen:?}");
}

fn finished_turn(prompt: &str, answer: &str) -> Turn {
    let mut h = harness("gpt-4o");
    let id = h.send(prompt, 0);
    h.stream(id, StreamEvent::TextDelta(answer.into()), 10);
    h.stream(id, StreamEvent::Finished(FinishReason::Stop), 20);
    h.app.session.conversation.turns[0].clone()
}

fn stored_answers(dir: &tempfile::TempDir) -> Vec<String> {
    let store = Store::open(&dir.path().join("thinkbench.db")).unwrap();
    let Some(id) = store.latest().unwrap() else {
        return Vec::new();
    };
    store
        .load(id)
        .unwrap()
        .1
        .into_iter()
        .map(|t| t.answer)
        .collect()
}

#[test]
fn saves_wait_out_a_locked_database_and_land() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, rx) = worker(store_at(&dir));
    let held = lock(&dir);
    let started = Instant::now();
    let mut turn = finished_turn("Tell me about heaps", "A heap");
    // A long answer flushes many times while the store is down.
    for n in 0..20 {
        turn.answer = format!("A heap{}", ".".repeat(n));
        worker.send(PersistOp::SaveTurn(Box::new(turn.clone())));
    }
    assert!(
        started.elapsed() < Duration::from_millis(40),
        "sending never waits for the store: {:?}",
        started.elapsed()
    );
    let seen = wait_for(&rx, |e| matches!(e, Event::StoreBacklog { .. }));
    let Some(Event::StoreBacklog { unsaved, error }) = seen.last() else {
        unreachable!()
    };
    assert_eq!(*unsaved, 1, "one turn waits, however often it was flushed");
    let error = error.as_deref().unwrap_or_default();
    assert!(
        error.contains("locked") || error.contains("busy"),
        "{error}"
    );
    std::thread::sleep(Duration::from_millis(100));
    drop(held);
    let seen = wait_for(&rx, |e| {
        matches!(
            e,
            Event::StoreBacklog {
                unsaved: 0,
                error: None
            }
        )
    });
    assert!(seen.iter().any(|e| matches!(e, Event::SessionSaved { .. })));
    assert_eq!(worker.finish(), 0);
    assert_eq!(stored_answers(&dir), [format!("A heap{}", ".".repeat(19))]);
}

#[test]
fn quitting_tries_once_more_and_counts_what_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, rx) = worker(store_at(&dir));
    let held = lock(&dir);
    worker.send(PersistOp::SaveTurn(Box::new(finished_turn("a", "one"))));
    let mut second = finished_turn("b", "two");
    second.id = 2;
    worker.send(PersistOp::SaveTurn(Box::new(second)));
    wait_for(&rx, |e| matches!(e, Event::StoreBacklog { unsaved: 2, .. }));
    assert_eq!(worker.finish(), 2);
    drop(held);
    assert!(stored_answers(&dir).is_empty());
}

#[test]
fn a_failed_delete_is_reported_and_does_not_block_saves() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, rx) = worker(store_at(&dir));
    let held = lock(&dir);
    worker.send(PersistOp::DeleteSession(7));
    let seen = wait_for(&rx, |e| matches!(e, Event::StoreError(_)));
    assert!(!seen.iter().any(|e| matches!(e, Event::StoreBacklog { .. })));
    drop(held);
    worker.send(PersistOp::SaveTurn(Box::new(finished_turn("a", "one"))));
    wait_for(&rx, |e| matches!(e, Event::SessionSaved { .. }));
    assert_eq!(worker.finish(), 0);
    assert_eq!(stored_answers(&dir), ["one"]);
}

#[test]
fn the_status_line_counts_waiting_turns_until_they_are_saved() {
    let mut h = harness("gpt-4o");
    let id = h.send("Tell me about heaps", 0);
    h.stream(id, StreamEvent::TextDelta("A heap".into()), 100);
    let backlog = Event::StoreBacklog {
        unsaved: 2,
        error: Some("session database /x/thinkbench.db: database is locked".into()),
    };
    h.app.update(backlog, h.at(200));
    let screen = format!("{}", h.draw(140, 10).backend());
    assert!(
        screen.contains("⚠ 2 turns not saved yet — retrying"),
        "{screen}"
    );
    insta::assert_snapshot!("status_unsaved", h.draw(140, 10).backend());

    let done = Event::StoreBacklog {
        unsaved: 0,
        error: None,
    };
    h.app.update(done, h.at(300));
    let screen = format!("{}", h.draw(140, 10).backend());
    assert!(!screen.contains("not saved yet"), "{screen}");
    assert!(screen.contains("every turn is saved"), "{screen}");
}

#[test]
fn quitting_with_unsaved_turns_asks_first() {
    let mut h = harness("gpt-4o");
    let id = h.send("Tell me about heaps", 0);
    h.stream(id, StreamEvent::Finished(FinishReason::Stop), 100);
    let backlog = Event::StoreBacklog {
        unsaved: 1,
        error: Some("session database /x/thinkbench.db: disk is full".into()),
    };
    h.app.update(backlog, h.at(200));
    let quit =
        |h: &mut support::app::Harness, ms| h.key(KeyCode::Char('q'), KeyModifiers::CONTROL, ms);
    assert!(quit(&mut h, 300).is_empty(), "asks instead of quitting");
    assert!(matches!(h.app.overlay, Some(Overlay::Confirm(_))));
    insta::assert_snapshot!("quit_unsaved", h.draw(80, 16).backend());
    // No: nothing happens and the app goes on.
    assert!(
        h.key(KeyCode::Char('n'), KeyModifiers::NONE, 400)
            .is_empty()
    );
    assert!(h.app.overlay.is_none());
    // Yes: quit.
    quit(&mut h, 500);
    let effects = h.key(KeyCode::Char('y'), KeyModifiers::NONE, 600);
    assert!(effects.contains(&Effect::Quit), "{effects:?}");
    // With nothing waiting, quitting does not ask.
    let mut calm = harness("gpt-4o");
    assert!(quit(&mut calm, 0).contains(&Effect::Quit));
}

#[test]
fn the_browser_says_it_searches_until_the_answer_for_the_latest_search_comes() {
    let mut h = harness("gpt-4o");
    h.key(KeyCode::Char('o'), KeyModifiers::CONTROL, 0);
    let one = thinkbench::store::SessionSummary {
        id: 1,
        title: "Binary heaps in Rust".into(),
        created_ms: 1_795_400_000_000,
        updated_ms: 1_795_448_875_000,
        turns: 2,
        models: vec!["o3-mini".into()],
        cost: 0.0213,
        cost_unknown: false,
        fork: None,
    };
    let list = vec![one];
    h.app.update(
        Event::Sessions {
            query: None,
            list: list.clone(),
        },
        h.at(0),
    );
    h.type_text("hea", 10);
    // The answer to an older search shows, but the browser still searches.
    h.app.update(
        Event::Sessions {
            query: Some("he".into()),
            list: list.clone(),
        },
        h.at(20),
    );
    let screen = format!("{}", h.draw(100, 12).backend());
    assert!(screen.contains("searching…"), "{screen}");
    insta::assert_snapshot!("browser_searching", h.draw(100, 12).backend());
    h.app.update(
        Event::Sessions {
            query: Some("hea".into()),
            list,
        },
        h.at(30),
    );
    let screen = format!("{}", h.draw(100, 12).backend());
    assert!(!screen.contains("searching…"), "{screen}");
    assert!(screen.contains("Binary heaps in Rust"), "{screen}");
}

#[tokio::test]
async fn ask_says_when_its_turn_could_not_be_saved_and_exits_75() {
    use support::fake_server::{FakeServer, Reply};
    use tokio::io::AsyncReadExt;
    let server = FakeServer::start(vec![Reply::SlowDrip {
        text: "one two three".into(),
        per_token_ms: 150,
    }])
    .await;
    let home = tempfile::tempdir().unwrap();
    let args = [
        "ask",
        "--base-url",
        &server.base_url(),
        "-m",
        "gpt-4o",
        "count",
    ];
    let mut child = support::cli::command(home.path(), &args, &[])
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 3];
    stdout.read_exact(&mut first).await.unwrap();
    // The prompt is stored; from now on another process holds the database.
    let held = Connection::open(home.path().join("thinkbench.db")).unwrap();
    held.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).await.unwrap();
    let out = child.wait_with_output().await.unwrap();
    drop(held);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(format!("{}{rest}", "one"), "one two three\n");
    assert!(
        stderr.contains("thinkbench: the turn could not be saved:"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(75), "{stderr}");
}
