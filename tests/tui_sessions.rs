//! Sessions in the TUI: what the app asks the store to do (save before sending, flush while
//! streaming, new, title, open, delete), the browser, and the runtime's persister against a
//! real database file.

mod support;

use crossterm::event::{KeyCode, KeyModifiers};
use support::app::{harness, started, without_persist};
use thinkbench::api::{FinishReason, StreamEvent};
use thinkbench::conversation::TurnState;
use thinkbench::store::SessionChoice;
use thinkbench::store::{SessionSummary, Store};
use thinkbench::tui::app::{Effect, Event, Overlay, PersistOp, Persistence};
use thinkbench::tui::persist::Persister;

fn saves(effects: &[Effect]) -> Vec<(String, &'static str)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Persist(PersistOp::SaveTurn(t)) => Some((t.answer.clone(), t.state.name())),
            _ => None,
        })
        .collect()
}

fn summary(id: i64, title: &str, turns: u32, models: &[&str], cost: f64) -> SessionSummary {
    SessionSummary {
        id,
        title: title.into(),
        created_ms: 1_795_400_000_000,
        updated_ms: 1_795_448_875_000 - id * 86_400_000,
        turns,
        models: models.iter().map(|m| m.to_string()).collect(),
        cost,
        cost_unknown: false,
        fork: None,
    }
}

#[test]
fn the_prompt_is_saved_before_sending_and_the_answer_while_it_streams() {
    let mut h = harness("gpt-4o");
    h.app.update(Event::Paste("hello".into()), h.at(0));
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 0);
    let save_at = effects
        .iter()
        .position(|e| matches!(e, Effect::Persist(PersistOp::SaveTurn(_))));
    let start_at = effects
        .iter()
        .position(|e| matches!(e, Effect::StartTurn { .. }));
    assert!(save_at < start_at && save_at.is_some(), "{effects:?}");
    let id = started(&effects).map(|(id, _)| id).unwrap();

    // Deltas every 100 ms: saved at most every 500 ms, and at the end.
    let mut saved = Vec::new();
    for i in 1..=12u64 {
        let at = h.at(i * 100);
        let effects = h.app.update(
            Event::Stream {
                turn_id: id,
                event: StreamEvent::TextDelta(format!("w{i} ")),
                at,
            },
            at,
        );
        saved.extend(saves(&effects));
    }
    assert_eq!(
        saved,
        [
            ("w1 w2 w3 w4 w5 ".to_string(), "streaming"),
            ("w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 ".to_string(), "streaming"),
        ]
    );
    let at = h.at(1250);
    let effects = h.app.update(
        Event::Stream {
            turn_id: id,
            event: StreamEvent::Finished(FinishReason::Stop),
            at,
        },
        at,
    );
    assert_eq!(saves(&effects)[0].1, "done");
}

#[test]
fn a_cancelled_turn_is_saved_as_cancelled() {
    let mut h = harness("gpt-4o");
    let id = h.send("hi", 0);
    h.stream(id, StreamEvent::TextDelta("Part".into()), 100);
    let effects = h.key(KeyCode::Esc, KeyModifiers::NONE, 200);
    assert_eq!(saves(&effects), [("Part".to_string(), "cancelled")]);
}

#[test]
fn slash_commands_new_title_and_sessions() {
    let mut h = harness("gpt-4o");
    let id = h.send("first question", 0);
    h.stream(id, StreamEvent::TextDelta("answer".into()), 10);
    h.stream(id, StreamEvent::Finished(FinishReason::Stop), 20);

    h.app
        .update(Event::Paste("/title Heaps and stacks".into()), h.at(30));
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 30);
    assert_eq!(
        effects,
        [Effect::Persist(PersistOp::SetTitle(
            "Heaps and stacks".into()
        ))]
    );
    assert_eq!(h.app.draft(), "");

    h.app.update(Event::Paste("/new".into()), h.at(40));
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 40);
    assert_eq!(effects, [Effect::Persist(PersistOp::NewSession)]);
    assert!(h.app.session.conversation.turns.is_empty());

    // A prompt that merely starts with a slash is sent as it is.
    let effects = {
        h.app
            .update(Event::Paste("/etc/hosts: what is it?".into()), h.at(50));
        h.key(KeyCode::Enter, KeyModifiers::NONE, 50)
    };
    let (_, request) = started(&effects).expect("sent as a prompt");
    assert_eq!(request.messages.len(), 1, "the new session has no history");

    let effects = h.key(KeyCode::Char('o'), KeyModifiers::CONTROL, 60);
    assert_eq!(effects, [Effect::Persist(PersistOp::ListSessions(None))]);
    assert!(matches!(h.app.overlay, Some(Overlay::Browser(_))));
}

#[test]
fn the_browser_searches_opens_and_deletes_after_a_yes() {
    let mut h = harness("gpt-4o");
    h.key(KeyCode::Char('o'), KeyModifiers::CONTROL, 0);
    let list = vec![
        summary(3, "Binary heaps in Rust", 4, &["o3-mini", "gpt-4o"], 0.0213),
        summary(2, "Why is the sky blue?", 1, &["gpt-5"], 0.0042),
        summary(1, "Tokenizer limits", 2, &["deepseek-reasoner"], 0.00031),
    ];
    h.app.update(
        Event::Sessions {
            query: None,
            list: list.clone(),
        },
        h.at(0),
    );
    insta::assert_snapshot!("browser", h.draw(100, 16).backend());

    let effects = h.key(KeyCode::Char('h'), KeyModifiers::NONE, 10);
    assert_eq!(
        effects,
        [Effect::Persist(PersistOp::ListSessions(Some("h".into())))]
    );
    h.key(KeyCode::Backspace, KeyModifiers::NONE, 20);
    h.key(KeyCode::Down, KeyModifiers::NONE, 30);
    // A letter searches, even `d` on an empty search; Del asks.
    let effects = h.key(KeyCode::Char('d'), KeyModifiers::NONE, 35);
    assert_eq!(
        effects,
        [Effect::Persist(PersistOp::ListSessions(Some("d".into())))]
    );
    h.key(KeyCode::Backspace, KeyModifiers::NONE, 36);
    assert!(h.key(KeyCode::Delete, KeyModifiers::NONE, 40).is_empty());
    insta::assert_snapshot!("browser_confirm_delete", h.draw(100, 16).backend());
    let effects = h.key(KeyCode::Char('y'), KeyModifiers::NONE, 50);
    assert_eq!(
        effects,
        [
            Effect::Persist(PersistOp::DeleteSession(2)),
            Effect::Persist(PersistOp::ListSessions(Some(String::new())))
        ]
    );
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 60);
    assert_eq!(effects, [Effect::Persist(PersistOp::OpenSession(2))]);
    assert!(h.app.overlay.is_none());
}

#[test]
fn an_interrupted_turn_comes_back_and_can_be_retried() {
    let mut h = harness("gpt-4o");
    // A turn saved mid-stream by a process that was then killed.
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("thinkbench.db")).unwrap();
    let session = store.create_session(1_795_448_875_000).unwrap();
    let mut other = harness("gpt-4o");
    let id = other.send("Tell me about heaps", 0);
    other.stream(
        id,
        StreamEvent::TextDelta("A heap is a tree where".into()),
        100,
    );
    let turn = other.app.session.conversation.turns[0].clone();
    store.save_turn(session, &turn, 1_795_448_875_100).unwrap();

    let mut persister = Persister::new(Some(store));
    let events = persister.resume(SessionChoice::Latest);
    assert!(
        matches!(events.as_slice(), [Event::SessionOpened { .. }]),
        "{events:?}"
    );
    for event in events {
        h.app.update(event, h.at(0));
    }
    let turns = &h.app.session.conversation.turns;
    assert_eq!(turns.len(), 1);
    assert_eq!(turns[0].state, TurnState::Interrupted);
    assert_eq!(turns[0].answer, "A heap is a tree where");
    assert_eq!(
        h.app.persistence,
        Persistence::On {
            session: Some(session),
            title: Some("Tell me about heaps".into())
        }
    );
    insta::assert_snapshot!("interrupted", h.draw(80, 12).backend());

    // Alt+R sends the prompt again; the new turn is saved into the same session.
    let effects = h.key(KeyCode::Char('r'), KeyModifiers::ALT, 10);
    let (_, request) = started(&effects).expect("retried");
    assert_eq!(
        request.messages.len(),
        1,
        "the broken answer is not history"
    );
    for effect in effects {
        if let Effect::Persist(op) = effect {
            let events = persister.perform(op);
            assert_eq!(events, [Event::SessionSaved { id: session }]);
        }
    }
}

#[test]
fn with_persistence_off_the_status_line_says_so_and_nothing_is_saved() {
    let mut h = harness("gpt-4o");
    h.app.update(
        Event::StoreFailed(
            "cannot open the session database /x/thinkbench.db: file is not a database".into(),
        ),
        h.at(0),
    );
    h.app.update(Event::Paste("hi".into()), h.at(0));
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 0);
    assert_eq!(without_persist(effects).len(), 1);
    let screen = format!("{}", h.draw(140, 8).backend());
    assert!(screen.contains("not saved (persistence off)"), "{screen}");
    assert!(
        h.key(KeyCode::Char('o'), KeyModifiers::CONTROL, 10)
            .is_empty()
    );
    assert!(
        h.app
            .notice
            .as_deref()
            .unwrap_or("")
            .contains("file is not a database")
    );
}

#[test]
fn the_persister_creates_the_session_lazily() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("thinkbench.db");
    let mut persister = Persister::new(Some(Store::open(&path).unwrap()));
    assert!(persister.perform(PersistOp::NewSession).is_empty());
    let mut h = harness("gpt-4o");
    let id = h.send("q", 0);
    h.stream(id, StreamEvent::Finished(FinishReason::Stop), 5);
    let turn = Box::new(h.app.session.conversation.turns[0].clone());
    let events = persister.perform(PersistOp::SaveTurn(turn.clone()));
    let [Event::SessionSaved { id: session }] = events.as_slice() else {
        panic!("{events:?}");
    };
    assert_eq!(
        persister.perform(PersistOp::SaveTurn(turn)),
        [Event::SessionSaved { id: *session }],
        "the same session"
    );
    let events = persister.perform(PersistOp::ListSessions(Some("   ".into())));
    assert!(matches!(events.as_slice(), [Event::Sessions { list, .. }] if list.len() == 1));
}
