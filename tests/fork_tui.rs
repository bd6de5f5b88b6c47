//! `/fork [N]` in the TUI: what the app asks of the store, its notices and refusals, the
//! persister making the fork against a real database, and the browser row of a fork.

mod support;

use crossterm::event::{KeyCode, KeyModifiers};
use support::app::{Harness, harness, started};
use thinkbench::api::{FinishReason, StreamEvent};
use thinkbench::store::{ForkOrigin, SessionSummary, Store};
use thinkbench::tui::app::{Effect, Event, PersistOp, Persistence};
use thinkbench::tui::persist::Persister;

/// Run `command` in the composer; the effects.
fn command(h: &mut Harness, command: &str, ms: u64) -> Vec<Effect> {
    h.app.update(Event::Paste(command.into()), h.at(ms));
    h.key(KeyCode::Enter, KeyModifiers::NONE, ms)
}

/// Three finished turns, saved (as the store says) into session 12.
fn three_turns() -> Harness {
    let mut h = harness("gpt-4o");
    for (n, prompt) in ["What is a heap?", "And a stack?", "Which is faster?"]
        .iter()
        .enumerate()
    {
        let ms = n as u64 * 100;
        let id = h.send(prompt, ms);
        h.stream(
            id,
            StreamEvent::TextDelta(format!("answer {}", n + 1)),
            ms + 10,
        );
        h.stream(id, StreamEvent::Finished(FinishReason::Stop), ms + 20);
    }
    h.app.update(Event::SessionSaved { id: 12 }, h.at(400));
    h
}

fn notice(h: &Harness) -> String {
    h.app.notice.clone().unwrap_or_default()
}

#[test]
fn fork_asks_the_store_for_turns_1_to_n_and_defaults_to_all() {
    let mut h = three_turns();
    assert_eq!(
        command(&mut h, "/fork 2", 500),
        [Effect::Persist(PersistOp::Fork { from: 12, upto: 2 })]
    );
    assert_eq!(notice(&h), "forking at turn 2…");
    assert_eq!(h.app.draft(), "");
    assert_eq!(
        command(&mut h, "/fork", 510),
        [Effect::Persist(PersistOp::Fork { from: 12, upto: 3 })]
    );
    // Nothing changes until the store answers.
    assert_eq!(h.app.session.conversation.turns.len(), 3);
}

#[test]
fn forks_of_no_such_turn_or_of_nothing_saved_are_refused_with_a_notice() {
    let mut h = three_turns();
    for (arg, says) in [
        ("/fork 0", "turns count from 1: /fork 1 keeps the first"),
        ("/fork 99", "there is no turn 99: this session has 3 turns"),
        ("/fork two", "/fork takes a turn number (1-3), not \"two\""),
    ] {
        assert!(command(&mut h, arg, 500).is_empty(), "{arg}");
        assert_eq!(notice(&h), says, "{arg}");
    }

    // A conversation the store has not saved (yet).
    let mut fresh = harness("gpt-4o");
    assert!(command(&mut fresh, "/fork", 0).is_empty());
    assert_eq!(
        notice(&fresh),
        "nothing to fork yet: this session has no saved turn"
    );

    // Persistence off.
    let mut off = three_turns();
    off.app
        .update(Event::StoreFailed("disk full".into()), off.at(450));
    assert!(command(&mut off, "/fork 1", 500).is_empty());
    assert_eq!(notice(&off), "cannot fork: persistence is off (disk full)");

    // While an answer streams.
    let mut busy = three_turns();
    busy.send("one more", 500);
    assert!(command(&mut busy, "/fork 1", 510).is_empty());
    assert_eq!(
        notice(&busy),
        "an answer is still streaming: Esc cancels it first"
    );
}

#[test]
fn the_persister_makes_the_fork_and_the_app_continues_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("thinkbench.db");
    let mut persister = Persister::new(Some(Store::open(&path).unwrap()));
    let mut h = harness("gpt-4o");
    let mut run = |h: &mut Harness, effects: Vec<Effect>, ms: u64| {
        for effect in effects {
            if let Effect::Persist(op) = effect {
                for event in persister.perform(op) {
                    h.app.update(event, h.at(ms));
                }
            }
        }
    };
    for (n, prompt) in ["What is a heap?", "And a stack?", "Which is faster?"]
        .iter()
        .enumerate()
    {
        let ms = n as u64 * 100;
        h.app.update(Event::Paste(prompt.to_string()), h.at(ms));
        let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, ms);
        let id = started(&effects).unwrap().0;
        run(&mut h, effects, ms);
        let at = h.at(ms + 10);
        let effects = h.app.update(
            Event::Stream {
                turn_id: id,
                event: StreamEvent::TextDelta(format!("answer {}", n + 1)),
                at,
            },
            at,
        );
        run(&mut h, effects, ms + 10);
        let at = h.at(ms + 20);
        let effects = h.app.update(
            Event::Stream {
                turn_id: id,
                event: StreamEvent::Finished(FinishReason::Stop),
                at,
            },
            at,
        );
        run(&mut h, effects, ms + 20);
    }
    let Persistence::On {
        session: Some(source),
        ..
    } = h.app.persistence
    else {
        panic!("{:?}", h.app.persistence);
    };

    let effects = command(&mut h, "/fork 2", 500);
    run(&mut h, effects, 500);
    let Persistence::On {
        session: Some(fork),
        title,
    } = h.app.persistence.clone()
    else {
        panic!("{:?}", h.app.persistence);
    };
    assert_ne!(fork, source);
    assert_eq!(title.as_deref(), Some("fork of What is a heap?"));
    let answers: Vec<&str> = (h.app.session.conversation.turns.iter())
        .map(|t| t.answer.as_str())
        .collect();
    assert_eq!(answers, ["answer 1", "answer 2"]);
    assert_eq!(
        notice(&h),
        format!(
            "session #{fork} is a fork of #{source} at turn 2: new turns go here, #{source} is unchanged"
        )
    );

    // The next prompt carries the fork's history and is saved into the fork.
    h.app.update(Event::Paste("And a queue?".into()), h.at(600));
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 600);
    let (id, request) = started(&effects).unwrap();
    assert_eq!(request.messages.len(), 5);
    run(&mut h, effects, 600);
    h.stream(id, StreamEvent::Finished(FinishReason::Stop), 610);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.load(source).unwrap().1.len(), 3);
    let (summary, turns) = store.load(fork).unwrap();
    assert_eq!(turns.len(), 3);
    assert_eq!(turns[2].prompt, "And a queue?");
    assert_eq!(
        summary.fork,
        Some(ForkOrigin {
            session: source,
            turn: 2
        })
    );

    // A source gone meanwhile is said so.
    let effects = command(&mut h, "/fork 1", 700);
    assert_eq!(
        effects,
        [Effect::Persist(PersistOp::Fork {
            from: fork,
            upto: 1
        })]
    );
    let mut other = Store::open(&path).unwrap();
    other.delete(fork).unwrap();
    let events = persister.perform(PersistOp::Fork {
        from: fork,
        upto: 1,
    });
    assert_eq!(
        events,
        [Event::StoreError(format!("there is no session {fork}"))]
    );
}

#[test]
fn the_browser_shows_where_a_fork_came_from() {
    let mut h = harness("gpt-4o");
    h.key(KeyCode::Char('o'), KeyModifiers::CONTROL, 0);
    let summary = |id: i64, title: &str, fork: Option<ForkOrigin>| SessionSummary {
        id,
        title: title.into(),
        created_ms: 1_795_400_000_000,
        updated_ms: 1_795_448_875_000 - id * 86_400_000,
        turns: 3,
        models: vec!["gpt-4o".into()],
        cost: 0.0042,
        cost_unknown: false,
        fork,
    };
    let list = vec![
        summary(
            13,
            "fork of Binary heaps in Rust",
            Some(ForkOrigin {
                session: 12,
                turn: 3,
            }),
        ),
        summary(12, "Binary heaps in Rust", None),
    ];
    h.app.update(Event::Sessions { query: None, list }, h.at(0));
    insta::assert_snapshot!("browser_fork", h.draw(100, 10).backend());
}
