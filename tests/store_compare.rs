//! The session store and comparisons against real SQLite files: a version 2 database (before
//! comparisons) upgraded with its turns and index intact, then comparisons saved and loaded
//! with their arms in order, the kept arm, a flush that replaces, listing and search.

mod store_case;

use rusqlite::Connection;
use thinkbench::api::{ApiError, ApiKind, FinishReason, StreamEvent};
use thinkbench::conversation::{ArmTag, Conversation, Turn, TurnSpec, TurnState};
use thinkbench::store::{Store, schema_version};
use thinkbench::usage::{Price, Usage};

/// Version 2 as it shipped (version 1 plus the columns and full-text index of version 2),
/// frozen here, then two sessions written by that version.
const V2_SQL: &str = "
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
ALTER TABLE turns ADD COLUMN price_cache_write REAL;
ALTER TABLE turns ADD COLUMN usage_cache_write INTEGER NOT NULL DEFAULT 0;
ALTER TABLE turns ADD COLUMN usage_reasoning_estimated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE turns ADD COLUMN usage_reported_cost REAL;
CREATE VIRTUAL TABLE turns_fts USING fts5(
    prompt, answer, content = 'turns', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER turns_fts_insert AFTER INSERT ON turns BEGIN
    INSERT INTO turns_fts(rowid, prompt, answer) VALUES (new.rowid, new.prompt, new.answer);
END;
CREATE TRIGGER turns_fts_delete AFTER DELETE ON turns BEGIN
    INSERT INTO turns_fts(turns_fts, rowid, prompt, answer)
        VALUES ('delete', old.rowid, old.prompt, old.answer);
END;
CREATE TRIGGER turns_fts_update AFTER UPDATE OF prompt, answer ON turns BEGIN
    INSERT INTO turns_fts(turns_fts, rowid, prompt, answer)
        VALUES ('delete', old.rowid, old.prompt, old.answer);
    INSERT INTO turns_fts(rowid, prompt, answer) VALUES (new.rowid, new.prompt, new.answer);
END;
CREATE VIRTUAL TABLE titles_fts USING fts5(
    title, content = 'sessions', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER titles_fts_insert AFTER INSERT ON sessions BEGIN
    INSERT INTO titles_fts(rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER titles_fts_delete AFTER DELETE ON sessions BEGIN
    INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', old.id, old.title);
END;
CREATE TRIGGER titles_fts_update AFTER UPDATE OF title ON sessions BEGIN
    INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', old.id, old.title);
    INSERT INTO titles_fts(rowid, title) VALUES (new.id, new.title);
END;

INSERT INTO sessions VALUES (1, 'Tall animals', 0, 100, 300);
INSERT INTO sessions VALUES (2, 'Rivers', 0, 400, 500);
INSERT INTO turns (session_id, turn_id, prompt, answer, reasoning, provider, model, api,
    effort, price_input, price_cached, price_output, reasoning_model, usage_input,
    usage_cached_input, usage_output, usage_reasoning, usage_estimated, usage_reported,
    prompt_estimate, cost, first_reasoning_ms, first_text_ms, done_ms, finish_reason, state,
    updated_ms, usage_cache_write, usage_reported_cost)
VALUES (1, 1, 'Tall animals', 'The giraffe is the tallest.', 'think', 'openai', 'o3-mini',
    'chat', 'low', 1.1, 0.55, 4.4, 1, 20, 0, 50, 30, 0, 1, 18, 0.000242, 10, 20, 30, 'stop',
    'done', 300, 0, NULL);
INSERT INTO turns (session_id, turn_id, prompt, answer, provider, model, api, state,
    updated_ms)
VALUES (2, 1, 'Longest river?', 'The Nile, or the Amazon.', 'ollama', 'qwen3', 'chat', 'done',
    500);
PRAGMA user_version = 2;
";

fn spec(effort: &str) -> TurnSpec {
    TurnSpec {
        provider: "openai".into(),
        model: "o3-mini".into(),
        api: ApiKind::Chat,
        effort: Some(effort.into()),
        max_output_tokens: None,
        price: Some(Price::flat(1.0, None, 2.0, None)),
        reasoning_model: true,
    }
}

/// Arm `index` of comparison `id`: `label` run `run`, answered `answer` (1,000 in, `output`
/// out), done after `done_ms`.
fn arm(
    id: u64,
    index: u32,
    label: &str,
    run: u32,
    answer: &str,
    output: u64,
    done_ms: u64,
) -> Turn {
    let effort = label.split_once('@').map_or("medium", |(_, e)| e);
    let mut turn = Turn::new(id, "Which animal?".into(), spec(effort), 12);
    turn.arm = Some(ArmTag {
        index,
        label: label.into(),
        run,
        kept: false,
    });
    turn.apply(StreamEvent::TextDelta(answer.into()), done_ms / 2);
    let usage = Usage {
        input: 1000,
        output,
        ..Default::default()
    };
    turn.apply(StreamEvent::Usage(usage), done_ms);
    turn.apply(StreamEvent::Finished(FinishReason::Stop), done_ms);
    turn
}

#[test]
fn a_version_2_database_upgrades_and_takes_comparisons() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.db");
    Connection::open(&path)
        .unwrap()
        .execute_batch(V2_SQL)
        .unwrap();

    let mut store = Store::open(&path).unwrap();
    let (summary, turns) = store.load(1).unwrap();
    assert_eq!((summary.title.as_str(), summary.turns), ("Tall animals", 1));
    let old = &turns[0];
    assert_eq!(old.arm, None, "an old turn is a plain turn");
    assert_eq!(old.arm_label(), "o3-mini@low");
    assert_eq!(old.answer, "The giraffe is the tallest.");
    assert_eq!(old.state, TurnState::Done);
    assert_eq!(
        old.reported_usage.map(|u| (u.input, u.output)),
        Some((20, 50))
    );
    let ids = |store: &Store, q: &str| -> Vec<i64> {
        store
            .list(Some(q), 10)
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect()
    };
    assert_eq!(
        ids(&store, "giraffe"),
        [1],
        "the index still finds old turns"
    );
    assert_eq!(ids(&store, "nile"), [2]);
    assert_eq!(ids(&store, "rivers"), [2]);

    // A comparison after the old turn, saved in any order, flushed twice.
    let mut comparison = [
        arm(2, 0, "o3-mini@low", 1, "A zebra.", 300, 900),
        arm(2, 1, "o3-mini@high", 1, "An okapi, surely.", 1200, 4000),
        arm(2, 2, "o3-mini@high", 2, "A quokka.", 1000, 3500),
    ];
    comparison[1].arm.as_mut().unwrap().kept = true;
    let mut partial = arm(2, 2, "o3-mini@high", 2, "A quo", 0, 0);
    partial.state = TurnState::Streaming;
    store.save_turn(1, &partial, 700).unwrap();
    for i in [2, 0, 1] {
        store.save_turn(1, &comparison[i], 800).unwrap();
    }
    let (summary, turns) = store.load(1).unwrap();
    assert_eq!(turns.len(), 4, "a flush replaces the arm's row");
    assert_eq!(turns[0].arm, None);
    assert_eq!(
        &turns[1..],
        &comparison[..],
        "arms come back in index order, kept kept"
    );
    assert_eq!(summary.turns, 2, "a comparison is one turn");
    let costs: f64 = turns.iter().map(|t| t.cost().unwrap()).sum();
    assert!((summary.cost - costs).abs() < 1e-15, "every arm is billed");
    assert!(!summary.cost_unknown);
    assert_eq!(summary.models, ["o3-mini"]);
    assert_eq!(ids(&store, "quokka"), [1], "text in any arm is found");
    assert_eq!(ids(&store, "okapi"), [1]);
    assert!(ids(&store, "quo").contains(&1));

    let listed = store.list(None, 10).unwrap();
    let listed = listed.iter().find(|s| s.id == 1).unwrap();
    assert_eq!((listed.turns, listed.cost), (2, summary.cost));

    // The conversation reads them as one exchange that carries the kept arm.
    let conversation = Conversation::restored(turns);
    assert_eq!(conversation.group(2), 1..4);
    assert_eq!(conversation.group(0), 0..1);
    assert_eq!(conversation.kept_arm(1..4), Some(2));
    let history: Vec<String> = (conversation.history().iter())
        .map(|m| m.content.clone())
        .collect();
    assert_eq!(
        history,
        [
            "Tall animals",
            "The giraffe is the tallest.",
            "Which animal?",
            "An okapi, surely."
        ]
    );
    drop(store);

    // The upgraded file has the schema of a new one (up to the layout of the SQL text of
    // version 2, copied compactly above), and sound indexes.
    let fresh = dir.path().join("fresh.db");
    drop(Store::open(&fresh).unwrap());
    let schema = |p: &std::path::Path| -> Vec<(String, Option<String>)> {
        let conn = Connection::open(p).unwrap();
        let mut stmt = conn
            .prepare("SELECT name, sql FROM sqlite_schema ORDER BY type, name")
            .unwrap();
        let words =
            |sql: Option<String>| sql.map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "));
        stmt.query_map([], |r| Ok((r.get(0)?, words(r.get(1)?))))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(schema(&path), schema(&fresh));
    let conn = Connection::open(&path).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, schema_version());
    store_case::assert_fts_intact(&conn);
}

#[test]
fn a_failed_arm_and_a_retry_keep_their_order_and_deleting_removes_every_arm() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let mut store = Store::open(&path).unwrap();
    let s = store.create_session(1).unwrap();
    let mut refused = Turn::new(1, "Which animal?".into(), spec("high"), 12);
    refused.arm = Some(ArmTag {
        index: 1,
        label: "o3-mini@high".into(),
        run: 1,
        kept: false,
    });
    refused.apply(StreamEvent::Failed(ApiError::message("overloaded")), 40);
    let arms = [
        arm(1, 0, "o3-mini@low", 1, "A zebra.", 300, 900),
        refused,
        arm(1, 2, "o3-mini@high", 1, "A quokka.", 1000, 3500),
    ];
    for turn in &arms {
        store.save_turn(s, turn, 2).unwrap();
    }
    let (_, turns) = store.load(s).unwrap();
    assert_eq!(turns, arms);
    let conversation = Conversation::restored(turns);
    assert_eq!(
        conversation.shown_arms(0..3),
        [0, 2],
        "the retry replaces the failed attempt"
    );
    assert_eq!(
        conversation.kept_arm(0..3),
        Some(0),
        "first to finish without error"
    );
    store.delete(s).unwrap();
    assert!(store.list(Some("quokka"), 10).unwrap().is_empty());
}
