//! Two processes going on from one session (`thinkbench -c` in one terminal, `ask -c` in
//! another): the store settles where each new turn goes, so neither overwrites the other's,
//! and the one that finds turns it did not load shows them.

mod support;

use support::app::harness;
use thinkbench::api::{FinishReason, StreamEvent};
use thinkbench::conversation::Turn;
use thinkbench::store::{Saved, Store};
use thinkbench::tui::app::{Effect, Event, PersistOp, Persistence};
use thinkbench::tui::persist::Persister;

/// A finished turn with this id, prompt and answer.
fn turn(id: u64, prompt: &str, answer: &str) -> Turn {
    let mut h = harness("gpt-4o");
    let local = h.send(prompt, 0);
    h.stream(local, StreamEvent::TextDelta(answer.into()), 10);
    h.stream(local, StreamEvent::Finished(FinishReason::Stop), 20);
    let mut t = h.app.session.conversation.turns[0].clone();
    t.id = id;
    t
}

fn answers(store: &Store, session: i64) -> Vec<(u64, String)> {
    let (_, turns) = store.load(session).unwrap();
    turns.into_iter().map(|t| (t.id, t.answer)).collect()
}

#[test]
fn two_connections_going_on_from_one_session_keep_both_turns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("thinkbench.db");
    let mut first = Store::open(&path).unwrap();
    let session = first.create_session(0).unwrap();
    first.save_turn(session, &turn(1, "q1", "a1"), 1).unwrap();
    first.save_turn(session, &turn(2, "q2", "a2"), 2).unwrap();

    // Both load turns 1-2 and number their next turn 3.
    let mut a = Store::open(&path).unwrap();
    let mut b = Store::open(&path).unwrap();
    assert_eq!(a.load(session).unwrap().1.len(), 2);
    assert_eq!(b.load(session).unwrap().1.len(), 2);
    let saved_a = a.save_turn(session, &turn(3, "from a", "A…"), 3).unwrap();
    assert_eq!(
        saved_a,
        Saved {
            turn_id: 3,
            others: false
        }
    );
    let saved_b = b.save_turn(session, &turn(3, "from b", "B…"), 4).unwrap();
    assert_eq!(
        saved_b,
        Saved {
            turn_id: 4,
            others: true
        },
        "b's turn goes after a's"
    );
    // Flushes of the same turns keep their places.
    a.save_turn(session, &turn(3, "from a", "A done"), 5)
        .unwrap();
    let again = b
        .save_turn(session, &turn(3, "from b", "B done"), 6)
        .unwrap();
    assert_eq!(again.turn_id, 4);
    let check = Store::open(&path).unwrap();
    assert_eq!(
        answers(&check, session),
        [
            (1, "a1".to_string()),
            (2, "a2".to_string()),
            (3, "A done".to_string()),
            (4, "B done".to_string())
        ]
    );
    // a's next turn (its own number 4) finds b's there and goes after it.
    let next = a.save_turn(session, &turn(4, "a again", "A2"), 7).unwrap();
    assert_eq!(
        next,
        Saved {
            turn_id: 5,
            others: true
        }
    );
    // Once b reloads, it knows every turn: no more surprises.
    let loaded = b.load(session).unwrap().1;
    assert_eq!(loaded.len(), 5);
    let mine = b.save_turn(session, &turn(6, "b again", "B2"), 8).unwrap();
    assert_eq!(
        mine,
        Saved {
            turn_id: 6,
            others: false
        }
    );
}

#[test]
fn the_tui_shows_turns_another_process_added_once_its_answer_ends() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("thinkbench.db");
    let mut other = Store::open(&path).unwrap();
    let session = other.create_session(0).unwrap();
    other.save_turn(session, &turn(1, "q1", "a1"), 1).unwrap();

    let mut persister = Persister::new(Some(Store::open(&path).unwrap()));
    let mut h = harness("gpt-4o");
    for event in persister.perform(PersistOp::OpenSession(session)) {
        h.app.update(event, h.at(0));
    }
    // The other process adds turn 2 while this one streams its own turn 2.
    let id = h.send("mine", 100);
    other
        .save_turn(session, &turn(2, "theirs", "T"), 2)
        .unwrap();
    let mut effects = Vec::new();
    let save = |h: &support::app::Harness| {
        PersistOp::SaveTurn(Box::new(h.app.session.conversation.turns[1].clone()))
    };
    for event in persister.perform(save(&h)) {
        effects.extend(h.app.update(event, h.at(150)));
    }
    assert!(
        effects.is_empty(),
        "nothing reloads mid-answer: {effects:?}"
    );
    let notice = h.app.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("another thinkbench added turns"),
        "{notice}"
    );

    h.stream(id, StreamEvent::TextDelta("M".into()), 200);
    let effects = h.app.update(
        Event::Stream {
            turn_id: id,
            event: StreamEvent::Finished(FinishReason::Stop),
            at: h.at(300),
        },
        h.at(300),
    );
    // The last save first, then the reopen that shows every turn in the store's order.
    let ops: Vec<&PersistOp> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Persist(op) => Some(op),
            _ => None,
        })
        .collect();
    assert!(
        matches!(ops.as_slice(), [PersistOp::SaveTurn(_), PersistOp::OpenSession(s)] if *s == session)
    );
    for op in effects.into_iter().filter_map(|e| match e {
        Effect::Persist(op) => Some(op),
        _ => None,
    }) {
        for event in persister.perform(op) {
            h.app.update(event, h.at(400));
        }
    }
    let shown: Vec<(&str, &str)> = (h.app.session.conversation.turns.iter())
        .map(|t| (t.prompt.as_str(), t.answer.as_str()))
        .collect();
    assert_eq!(shown, [("q1", "a1"), ("theirs", "T"), ("mine", "M")]);
    assert_eq!(
        h.app.persistence,
        Persistence::On {
            session: Some(session),
            title: Some("q1".into())
        }
    );
    let notice = h.app.notice.clone().unwrap_or_default();
    assert!(notice.contains("another thinkbench added"), "{notice}");
    insta::assert_snapshot!("others_shown", h.draw(100, 16).backend());
}
