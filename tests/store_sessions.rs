//! The session store's sessions against real SQLite files: search, deletes, listing and
//! titles.

mod store_case;

use rusqlite::Connection;
use store_case::{db, done, price};
use thinkbench::store::{Store, StoreError};

#[test]
fn search_finds_titles_prompts_and_answers_and_takes_any_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    let a = store.create_session(1).unwrap();
    store
        .save_turn(
            a,
            &done(1, "How do tides work?", "The moon pulls.", "m", None),
            2,
        )
        .unwrap();
    let b = store.create_session(3).unwrap();
    store
        .save_turn(
            b,
            &done(1, "Rust lifetimes", "Borrow checker says no.", "m", None),
            4,
        )
        .unwrap();
    store
        .set_title(b, "Ownership & borrowing (C++ vs Rust)")
        .unwrap();
    let c = store.create_session(5).unwrap();
    store
        .save_turn(
            c,
            &done(1, "50% off_sale?", "Discount \"math\".", "m", None),
            6,
        )
        .unwrap();

    let ids = |q: &str| -> Vec<i64> {
        store
            .list(Some(q), 10)
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect()
    };
    assert_eq!(ids("tides"), [a], "prompt");
    assert_eq!(ids("MOON"), [a], "answer, any case");
    assert_eq!(ids("ownership"), [b], "title");
    assert_eq!(ids("borr"), [b], "prefix, as one types");
    assert_eq!(ids("moon tides"), [a], "all words");
    assert!(ids("moon rust").is_empty());
    assert_eq!(ids("\"math\""), [c]);
    assert_eq!(ids("c++"), [b], "the `c` of `C++` and of `checker`");
    assert_eq!(ids("50%"), [c]);
    for weird in [
        "\"",
        "'",
        "\"unbalanced",
        "AND",
        "OR NOT",
        "*",
        "-",
        "a:b",
        "(",
        ")",
        "NEAR(",
        "^x",
        "{x}",
        "%",
        "_",
        "\\",
        "?!",
        "💥",
        "sky\0blue",
    ] {
        store.list(Some(weird), 10).unwrap();
    }
    // Punctuation only: a plain substring search.
    assert_eq!(ids("%"), [c]);
    assert!(ids("%%").is_empty());
    assert_eq!(ids("% off_"), [c]);
    // Blank search is no search.
    assert_eq!(ids("  ").len(), 3);

    // Should the index be unusable, search still answers, by substring.
    let conn = Connection::open(db(&dir)).unwrap();
    conn.execute_batch("DROP TABLE turns_fts").unwrap();
    let found: Vec<i64> = store
        .list(Some("moon"), 10)
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(found, [a]);
}

#[test]
fn delete_removes_the_session_its_turns_and_its_index_entries() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut store = Store::open(&path).unwrap();
    let a = store.create_session(1).unwrap();
    let b = store.create_session(2).unwrap();
    for s in [a, b] {
        for i in 1..=3 {
            store
                .save_turn(
                    s,
                    &done(i, "zebra crossing", "stripes", "m", None),
                    10 + i as i64,
                )
                .unwrap();
        }
    }
    store.delete(a).unwrap();
    assert!(matches!(store.load(a), Err(StoreError::NoSession(id)) if id == a));
    assert!(matches!(store.delete(a), Err(StoreError::NoSession(_))));
    let found: Vec<i64> = store
        .list(Some("zebra"), 10)
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(found, [b]);
    assert_eq!(store.load(b).unwrap().1.len(), 3);
    drop(store);
    let conn = Connection::open(&path).unwrap();
    let left: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM turns WHERE session_id = ?1",
            [a],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0);
    store_case::assert_fts_intact(&conn);
}

#[test]
fn list_is_newest_first_with_counts_models_and_costs() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    assert_eq!(store.latest().unwrap(), None);
    assert!(store.list(None, 10).unwrap().is_empty());

    let old = store.create_session(100).unwrap();
    let t1 = done(1, "first", "x", "gpt-5", Some(price()));
    let t2 = done(2, "second", "y", "o3", Some(price()));
    let t3 = done(3, "third", "z", "gpt-5", Some(price()));
    for (i, t) in [&t1, &t2, &t3].into_iter().enumerate() {
        store.save_turn(old, t, 200 + i as i64).unwrap();
    }
    let unknown = store.create_session(300).unwrap();
    store
        .save_turn(unknown, &done(1, "local", "x", "llama", None), 400)
        .unwrap();
    let empty = store.create_session(500).unwrap();

    let list = store.list(None, 10).unwrap();
    let ids: Vec<i64> = list.iter().map(|s| s.id).collect();
    assert_eq!(ids, [empty, unknown, old]);
    assert_eq!(store.latest().unwrap(), Some(empty));
    let old_summary = &list[2];
    assert_eq!(old_summary.turns, 3);
    assert_eq!(old_summary.models, ["gpt-5", "o3"]);
    assert_eq!(old_summary.title, "first");
    assert!(!old_summary.cost_unknown);
    let expected = t1.cost().unwrap() + t2.cost().unwrap() + t3.cost().unwrap();
    assert!((old_summary.cost - expected).abs() < 1e-12);
    assert!(list[1].cost_unknown);
    assert_eq!(list[1].cost, 0.0);
    assert_eq!(
        (list[0].turns, list[0].cost, list[0].cost_unknown),
        (0, 0.0, false)
    );
    assert!(list[0].models.is_empty());

    // Touching the old session brings it to the top; the limit keeps the newest.
    store.save_turn(old, &t3, 600).unwrap();
    assert_eq!(store.latest().unwrap(), Some(old));
    let top: Vec<i64> = store.list(None, 2).unwrap().iter().map(|s| s.id).collect();
    assert_eq!(top, [old, empty]);
    assert_eq!(
        store.list(None, 10).unwrap()[0].turns,
        3,
        "saved again, not twice"
    );
}

#[test]
fn titles_follow_the_first_prompt_until_set_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    let s = store.create_session(1).unwrap();
    assert_eq!(store.load(s).unwrap().0.title, "");
    store
        .save_turn(
            s,
            &done(
                1,
                "\n  Plan a trip to Kyoto  \nwith details",
                "ok",
                "m",
                None,
            ),
            2,
        )
        .unwrap();
    store
        .save_turn(s, &done(2, "Another", "ok", "m", None), 3)
        .unwrap();
    assert_eq!(store.load(s).unwrap().0.title, "Plan a trip to Kyoto");
    store.set_title(s, "  Kyoto  ").unwrap();
    store
        .save_turn(s, &done(3, "More", "ok", "m", None), 4)
        .unwrap();
    assert_eq!(store.load(s).unwrap().0.title, "Kyoto");
    assert_eq!(store.list(Some("kyoto"), 5).unwrap().len(), 1);
    store.set_title(s, "").unwrap();
    assert_eq!(store.load(s).unwrap().0.title, "Plan a trip to Kyoto");

    let long = format!("{} end", "a".repeat(100));
    let t = store.create_session(5).unwrap();
    store
        .save_turn(t, &done(1, &long, "ok", "m", None), 6)
        .unwrap();
    assert_eq!(store.load(t).unwrap().0.title.chars().count(), 80);

    assert!(matches!(
        store.set_title(999, "x"),
        Err(StoreError::NoSession(999))
    ));
    assert!(matches!(
        store.save_turn(999, &done(1, "x", "y", "m", None), 1),
        Err(StoreError::NoSession(999))
    ));
}
