//! Forking a stored session: the fork holds the first N exchanges with every field, its
//! attachments point at the same blobs, it records its origin, and the source is untouched.

use rusqlite::Connection;
use std::path::PathBuf;
use thinkbench::api::{ApiKind, FinishReason, StreamEvent};
use thinkbench::attach::{Attachment, Limits};
use thinkbench::conversation::{ArmTag, Turn, TurnSpec};
use thinkbench::store::{ForkOrigin, Store, StoreError};
use thinkbench::usage::{Price, Usage};

fn db(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("thinkbench.db")
}

fn done(id: u64, prompt: &str, answer: &str) -> Turn {
    let spec = TurnSpec {
        provider: "openai".into(),
        model: "gpt-4o".into(),
        api: ApiKind::Chat,
        effort: None,
        max_output_tokens: None,
        price: Some(Price::flat(1.0, None, 2.0, None)),
        reasoning_model: false,
    };
    let mut t = Turn::new(id, prompt.into(), spec, 10);
    t.apply(StreamEvent::TextDelta(answer.into()), 100);
    t.apply(
        StreamEvent::Usage(Usage {
            input: 1000 * id,
            output: 500,
            ..Default::default()
        }),
        150,
    );
    t.apply(StreamEvent::Finished(FinishReason::Stop), 200);
    t
}

fn note(text: &str) -> Attachment {
    let limits = Limits {
        image_bytes: 1 << 20,
        text_bytes: 1 << 20,
    };
    Attachment::from_bytes("notes.md".into(), text.as_bytes().to_vec(), limits).unwrap()
}

/// Session 1: turn 1 with a file, turn 2 a comparison of two arms, turn 3 plain.
fn source(store: &mut Store) -> (i64, Vec<Turn>) {
    let s = store.create_session(1).unwrap();
    let mut first = done(1, "What is a heap?", "A tree.");
    first.attachments.push(note("# notes\n"));
    let mut arms = Vec::new();
    for index in 0..2 {
        let mut arm = done(2, "Compare them", &format!("arm {index}"));
        arm.arm = Some(ArmTag {
            index,
            label: format!("m{index}"),
            run: 1,
            kept: index == 1,
        });
        arms.push(arm);
    }
    let last = done(3, "And a stack?", "A pile.");
    for t in [&first, &arms[0], &arms[1], &last] {
        store.save_turn(s, t, 2).unwrap();
    }
    let turns = store.load(s).unwrap().1;
    assert_eq!(turns.len(), 4);
    (s, turns)
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn a_fork_holds_the_first_exchanges_with_their_attachments_and_its_origin() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    let (s, turns) = source(&mut store);
    let before = store.load(s).unwrap();

    let f = store.fork(s, 2, 50).unwrap();
    assert_ne!(f, s);
    let (summary, forked) = store.load(f).unwrap();
    // `sessions list --json` and `sessions show` say where it came from too.
    let listed = thinkbench::export::summary_json(&summary);
    assert_eq!(
        listed["forked_from"],
        serde_json::json!({"session": s, "turn": 2})
    );
    let shown = thinkbench::sessions_cli::show(&summary, &forked);
    assert_eq!(
        shown.lines().nth(1),
        Some(format!("fork of #{s} at turn 2").as_str())
    );
    assert_eq!(
        thinkbench::export::summary_json(&before.0)["forked_from"],
        serde_json::Value::Null
    );
    // Exchanges 1 and 2: the plain turn and both arms of the comparison, every field equal.
    assert_eq!(forked, turns[..3]);
    assert_eq!(forked[0].attachments, turns[0].attachments);
    assert_eq!(summary.title, "fork of What is a heap?");
    assert_eq!(summary.turns, 2);
    assert_eq!(
        summary.fork,
        Some(ForkOrigin {
            session: s,
            turn: 2
        })
    );
    assert_eq!(
        summary.fork.unwrap().to_string(),
        format!("fork of #{s} at turn 2")
    );
    let cost = |ts: &[Turn]| ts.iter().filter_map(Turn::cost).sum::<f64>();
    assert!((summary.cost - cost(&turns[..3])).abs() < 1e-12);

    // The source is as it was, and is no fork.
    assert_eq!(store.load(s).unwrap(), before);
    assert_eq!(before.0.fork, None);

    // Attachment rows were copied, the blob was not.
    let conn = Connection::open(db(&dir)).unwrap();
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM attachment_blobs"), 1);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM turn_attachments"), 2);
    // The fork's text is found by search, and it lists with its origin.
    let found = store.list(Some("heap"), 10).unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].id, f);
    assert_eq!(
        found[0].fork,
        Some(ForkOrigin {
            session: s,
            turn: 2
        })
    );

    // Deleting the source keeps the fork and the blob it lists.
    store.delete(s).unwrap();
    assert_eq!(store.load(f).unwrap().1, turns[..3]);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM attachment_blobs"), 1);
}

#[test]
fn a_fork_of_every_turn_and_one_titled_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    let (s, turns) = source(&mut store);
    store.set_title(s, "Data structures").unwrap();
    let f = store.fork(s, 3, 60).unwrap();
    let (summary, forked) = store.load(f).unwrap();
    assert_eq!(forked, turns);
    assert_eq!(summary.title, "fork of Data structures");
    // New turns go on after the copied ones, in the fork only.
    let saved = store.save_turn(f, &done(4, "More?", "Yes."), 70).unwrap();
    assert_eq!(saved.turn_id, 4);
    assert_eq!(store.load(s).unwrap().1.len(), 4);
    assert_eq!(store.load(f).unwrap().0.turns, 4);
}

#[test]
fn forks_at_no_such_turn_or_of_no_such_session_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    let (s, _) = source(&mut store);
    for n in [0, 4, 99] {
        match store.fork(s, n, 5) {
            Err(e @ StoreError::NoTurn { .. }) => assert_eq!(
                e.to_string(),
                format!("session {s} has 3 turns: there is no turn {n}")
            ),
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(
        store.fork(99, 1, 5),
        Err(StoreError::NoSession(99))
    ));
    assert_eq!(store.list(None, 10).unwrap().len(), 1);
}
