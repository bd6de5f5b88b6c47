//! The session store against real SQLite files: round-trips of every turn field, migrations,
//! refusal of newer files, concurrent writers, unreadable files (search, listing and deletes
//! are in `store_sessions.rs`).

mod store_case;

use rusqlite::Connection;
use std::path::Path;
use store_case::{db, done, price, spec};
use thinkbench::api::{ApiError, ApiKind, FinishReason, StreamEvent, ToolCall};
use thinkbench::conversation::{Timings, Turn, TurnSpec, TurnState};
use thinkbench::store::{Store, StoreError, schema_version};
use thinkbench::usage::{Price, Usage};

fn every_field_turn() -> Turn {
    Turn::restored(
        7,
        "Explain \"quotes\" and 'apostrophes';\nsecond line — ünïcödé".into(),
        TurnSpec {
            provider: "openrouter".into(),
            model: "o4-mini".into(),
            api: ApiKind::Responses,
            effort: Some("high".into()),
            max_output_tokens: Some(12_345),
            price: Some(Price::flat(1.1, Some(0.275), 4.4, Some(1.375))),
            reasoning_model: true,
        },
        "Thinking about it...\n\nstep 2".into(),
        "The answer, partly.".into(),
        vec![
            ToolCall {
                name: "search".into(),
                arguments: r#"{"q":"x \"y\""}"#.into(),
            },
            ToolCall {
                name: "calc".into(),
                arguments: String::new(),
            },
        ],
        Some(Usage {
            input: 1234,
            cached_input: 1000,
            cache_write: 77,
            output: 456,
            reasoning: 321,
            estimated: false,
            reasoning_estimated: true,
            reported_cost: Some(0.012_345_678_9),
            counted: None,
        }),
        999,
        Timings {
            first_reasoning_ms: Some(120),
            first_text_ms: Some(3400),
            done_ms: Some(5600),
        },
        Some(FinishReason::Other("x".into())),
        TurnState::Failed(ApiError {
            status: Some(529),
            kind: Some("overloaded_error".into()),
            code: Some("overloaded".into()),
            message: "Overloaded, try later".into(),
            ..Default::default()
        }),
    )
}

#[test]
fn every_turn_field_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    let s = store.create_session(1_000).unwrap();
    let full = every_field_turn();
    store.save_turn(s, &full, 2_000).unwrap();

    // A streamed turn without reported usage (the estimate is recounted on load).
    let mut streamed = Turn::new(8, "and then?".into(), spec("llama3", None), 42);
    streamed.apply(StreamEvent::ReasoningDelta("hmm".into()), 10);
    streamed.apply(StreamEvent::TextDelta("Then this.".into()), 20);
    streamed.apply(
        StreamEvent::ToolCall(ToolCall {
            name: "t".into(),
            arguments: "{}".into(),
        }),
        25,
    );
    streamed.apply(StreamEvent::Finished(FinishReason::ToolCalls), 30);
    store.save_turn(s, &streamed, 2_100).unwrap();

    let mut cancelled = Turn::new(9, "stop".into(), spec("gpt-4.1", Some(price())), 5);
    cancelled.apply(StreamEvent::TextDelta("I was".into()), 5);
    cancelled.cancel(6);
    store.save_turn(s, &cancelled, 2_200).unwrap();

    // A turn the server's tokenizer counted (it reported no usage), saved again once counted.
    let mut counted = Turn::new(10, "count me".into(), spec("smollm2", None), 28);
    counted.apply(StreamEvent::TextDelta("Counted.".into()), 5);
    counted.apply(StreamEvent::Finished(FinishReason::Stop), 6);
    store.save_turn(s, &counted, 2_300).unwrap();
    let count = thinkbench::api::tokenize::Count {
        input: 51,
        output: 23,
        reasoning: 4,
        prompt: thinkbench::usage::ServerCount::TextOnly,
    };
    assert!(counted.apply_count(count));
    store.save_turn(s, &counted, 2_400).unwrap();
    drop(store);

    let store = Store::open(&db(&dir)).unwrap();
    let (summary, turns) = store.load(s).unwrap();
    assert_eq!(turns.len(), 4);
    assert_eq!(turns[0], full);
    assert_eq!(turns[1], streamed);
    assert_eq!(turns[2], cancelled);
    assert_eq!(turns[3], counted);
    assert_eq!(turns[3].usage().source(), "counted");
    assert!(turns[3].usage().input_without_template());
    assert_eq!(turns[1].usage(), streamed.usage());
    assert!(turns[1].usage().estimated);
    assert_eq!(
        summary.title, "Explain \"quotes\" and 'apostrophes';",
        "the first line of the first prompt"
    );
    assert_eq!(summary.turns, 4);
    assert_eq!(summary.models, ["o4-mini", "llama3", "gpt-4.1", "smollm2"]);
    assert_eq!((summary.created_ms, summary.updated_ms), (1_000, 2_400));
    assert!(summary.cost_unknown, "llama3 has no price");
    let known = full.cost().unwrap() + cancelled.cost().unwrap();
    assert!((summary.cost - known).abs() < 1e-12);
}

#[test]
fn a_turn_saved_while_streaming_comes_back_interrupted_with_its_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    let s = store.create_session(1).unwrap();
    let mut t = Turn::new(1, "Write a poem".into(), spec("o3", Some(price())), 12);
    store.save_turn(s, &t, 2).unwrap();
    t.apply(StreamEvent::ReasoningDelta("Rhymes...".into()), 100);
    t.apply(StreamEvent::TextDelta("Roses are".into()), 200);
    store.save_turn(s, &t, 3).unwrap();
    t.apply(StreamEvent::TextDelta(" red".into()), 300);
    store.save_turn(s, &t, 4).unwrap();
    drop(store); // as if killed: nothing more is written

    let store = Store::open(&db(&dir)).unwrap();
    let (summary, turns) = store.load(s).unwrap();
    assert_eq!(summary.turns, 1);
    assert_eq!(turns.len(), 1);
    let back = &turns[0];
    assert_eq!(back.state, TurnState::Interrupted);
    assert_eq!(back.answer, "Roses are red");
    assert_eq!(back.reasoning, "Rhymes...");
    assert_eq!(back.timings.first_text_ms, Some(200));
    assert!(back.state.is_broken());
}

#[test]
fn a_new_file_in_a_new_directory_and_an_empty_file_get_the_latest_schema() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("a").join("b").join("thinkbench.db");
    drop(Store::open(&fresh).unwrap());
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let mut store = Store::open(&empty).unwrap();
    let s = store.create_session(5).unwrap();
    store
        .save_turn(s, &done(1, "hello", "hi", "m", None), 6)
        .unwrap();
    drop(store);
    for path in [&fresh, &empty] {
        let conn = Connection::open(path).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, schema_version());
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }
    let store = Store::open(&empty).unwrap();
    assert_eq!(store.list(Some("hello"), 10).unwrap().len(), 1);
}

/// Version 1 as it shipped, frozen here: an old file must keep opening whatever the code
/// becomes.
const V1_SQL: &str = "
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY, title TEXT NOT NULL DEFAULT '',
    title_set INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE INDEX sessions_by_update ON sessions(updated_ms);
CREATE TABLE turns (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    turn_id INTEGER NOT NULL, prompt TEXT NOT NULL, answer TEXT NOT NULL DEFAULT '',
    reasoning TEXT NOT NULL DEFAULT '', provider TEXT NOT NULL, model TEXT NOT NULL,
    api TEXT NOT NULL, effort TEXT, max_output_tokens INTEGER, price_input REAL,
    price_cached REAL, price_output REAL, reasoning_model INTEGER NOT NULL DEFAULT 0,
    usage_input INTEGER NOT NULL DEFAULT 0, usage_cached_input INTEGER NOT NULL DEFAULT 0,
    usage_output INTEGER NOT NULL DEFAULT 0, usage_reasoning INTEGER NOT NULL DEFAULT 0,
    usage_estimated INTEGER NOT NULL DEFAULT 1, usage_reported INTEGER NOT NULL DEFAULT 0,
    prompt_estimate INTEGER NOT NULL DEFAULT 0, cost REAL, first_reasoning_ms INTEGER,
    first_text_ms INTEGER, done_ms INTEGER, finish_reason TEXT, state TEXT NOT NULL,
    error_json TEXT, tool_calls_json TEXT, updated_ms INTEGER NOT NULL,
    PRIMARY KEY (session_id, turn_id)
);
INSERT INTO sessions VALUES (1, 'Volcanoes of Iceland', 0, 100, 300);
INSERT INTO sessions VALUES (2, 'Renamed by hand', 1, 400, 500);
INSERT INTO turns (session_id, turn_id, prompt, answer, reasoning, provider, model, api,
    effort, price_input, price_cached, price_output, reasoning_model, usage_input,
    usage_cached_input, usage_output, usage_reasoning, usage_estimated, usage_reported,
    prompt_estimate, cost, first_reasoning_ms, first_text_ms, done_ms, finish_reason, state,
    updated_ms)
VALUES (1, 1, 'Volcanoes of Iceland', 'Hekla and Katla are the famous ones.', 'think',
    'openai', 'o3-mini', 'chat', 'low', 1.1, 0.55, 4.4, 1, 20, 0, 50, 30, 0, 1, 18, 0.000242,
    10, 20, 30, 'stop', 'done', 300);
INSERT INTO turns (session_id, turn_id, prompt, answer, provider, model, api, state,
    updated_ms)
VALUES (2, 1, 'What about glaciers?', 'Vatnajökull is the largest.', 'ollama', 'qwen3',
    'chat', 'streaming', 500);
PRAGMA user_version = 1;
";

#[test]
fn a_version_1_database_is_migrated_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    Connection::open(&path)
        .unwrap()
        .execute_batch(V1_SQL)
        .unwrap();

    let mut store = Store::open(&path).unwrap();
    let (summary, turns) = store.load(1).unwrap();
    assert_eq!(summary.title, "Volcanoes of Iceland");
    assert_eq!(turns.len(), 1);
    let t = &turns[0];
    assert_eq!(t.answer, "Hekla and Katla are the famous ones.");
    assert_eq!(t.spec.effort.as_deref(), Some("low"));
    let price = t.spec.price.unwrap();
    assert_eq!((price.cached_input, price.cache_write), (Some(0.55), None));
    let usage = t.reported_usage.unwrap();
    assert_eq!((usage.input, usage.output, usage.reasoning), (20, 50, 30));
    assert_eq!((usage.cache_write, usage.reported_cost), (0, None));
    assert_eq!(t.state, TurnState::Done);
    assert_eq!(t.finish_reason, Some(FinishReason::Stop));
    assert_eq!(store.load(2).unwrap().1[0].state, TurnState::Interrupted);

    // The full-text index covers what was there before the upgrade.
    let ids = |store: &Store, q: &str| -> Vec<i64> {
        store
            .list(Some(q), 10)
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect()
    };
    assert_eq!(ids(&store, "katla"), [1]);
    assert_eq!(ids(&store, "vatnajokull"), [2], "diacritics are folded");
    assert_eq!(ids(&store, "renamed"), [2]);
    assert_eq!(ids(&store, "iceland"), [1]);

    // New columns work on migrated rows, and the hand-set title stays.
    store.save_turn(2, &every_field_turn(), 600).unwrap();
    assert_eq!(store.load(2).unwrap().1[1], every_field_turn());
    assert_eq!(store.load(2).unwrap().0.title, "Renamed by hand");
    drop(store);

    let conn = Connection::open(&path).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, schema_version());
    store_case::assert_fts_intact(&conn);
}

#[test]
fn a_database_from_a_newer_version_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::TooNew { found: 99, .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(text.contains("newer"), "{text}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(!dir.path().join("new.db-wal").exists());
}

#[test]
fn two_writers_on_one_file_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    drop(Store::open(&path).unwrap());
    const SAVES: u64 = 200;
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                let s = store.create_session(w).unwrap();
                for i in 1..=SAVES {
                    // Every other save grows a turn in place, as streaming flushes do.
                    let id = i.div_ceil(2);
                    let t = done(id, &format!("w{w} q{id}"), &format!("a{i}"), "m", None);
                    store.save_turn(s, &t, i as i64).unwrap();
                    if i % 50 == 0 {
                        store.list(None, 10).unwrap();
                    }
                }
                s
            })
        })
        .collect();
    let sessions: Vec<i64> = writers.into_iter().map(|h| h.join().unwrap()).collect();
    let store = Store::open(&path).unwrap();
    for (w, s) in sessions.iter().enumerate() {
        let (summary, turns) = store.load(*s).unwrap();
        assert_eq!(summary.turns as u64, SAVES / 2);
        assert_eq!(turns.len() as u64, SAVES / 2);
        assert_eq!(turns[0].prompt, format!("w{w} q1"));
        assert_eq!(turns.last().unwrap().answer, format!("a{SAVES}"));
    }
}

/// Run by `two_processes_on_one_file_lose_nothing` in a child process; does nothing
/// otherwise.
#[test]
#[ignore = "a child process of another test"]
fn child_writer() {
    let Ok(path) = std::env::var("THINKBENCH_STORE_CHILD_DB") else {
        return;
    };
    let mut store = Store::open(Path::new(&path)).unwrap();
    let s = store.create_session(0).unwrap();
    for i in 1..=100u64 {
        let t = done(i, &format!("child {s} q{i}"), "a", "m", None);
        store.save_turn(s, &t, i as i64).unwrap();
    }
}

#[test]
fn two_processes_on_one_file_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // No file yet: both children race to create it.
    let path = db(&dir);
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(&exe)
                .args(["--exact", "child_writer", "--ignored", "--quiet"])
                .env("THINKBENCH_STORE_CHILD_DB", &path)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a writer failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let store = Store::open(&path).unwrap();
    let list = store.list(None, 10).unwrap();
    assert_eq!(list.len(), 2);
    for summary in list {
        assert_eq!(summary.turns, 100);
        assert_eq!(store.load(summary.id).unwrap().1.len(), 100);
    }
}

fn assert_names_file(err: &StoreError, path: &Path, words: &str) {
    let text = err.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(text.contains(words), "{text}");
}

#[test]
fn a_corrupt_file_is_refused_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("thinkbench.db");
    let noise: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&path, &noise).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert_names_file(&err, &path, "not a database");
    assert_eq!(std::fs::read(&path).unwrap(), noise);

    // A directory where the file should be.
    let err = Store::open(dir.path()).unwrap_err();
    assert_names_file(&err, dir.path(), "unable to open");
}

#[test]
fn a_read_only_file_is_refused_with_its_name() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("thinkbench.db");
    drop(Store::open(&path).unwrap());
    // Leave no WAL side files, so only the database file's own bits matter.
    Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA journal_mode = DELETE")
        .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    if std::fs::OpenOptions::new().write(true).open(&path).is_ok() {
        // Running as root: permission bits do not stop writes, so there is nothing to
        // refuse here. The read-only path is covered by the store's unit test, which opens
        // the file with SQLite's read-only flag.
        return;
    }
    let err = Store::open(&path).unwrap_err();
    assert_names_file(&err, &path, "read-only");
}
