//! Shared by the store tests (`mod store_case;`): where the database goes, finished turns to
//! store, and the check that the full-text indexes are intact.
#![allow(dead_code)]

use rusqlite::Connection;
use std::path::PathBuf;
use thinkbench::api::{ApiKind, FinishReason, StreamEvent};
use thinkbench::conversation::{Turn, TurnSpec};
use thinkbench::usage::{Price, Usage};

pub fn db(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("data").join("thinkbench.db")
}

pub fn spec(model: &str, price: Option<Price>) -> TurnSpec {
    TurnSpec {
        provider: "openai".into(),
        model: model.into(),
        api: ApiKind::Chat,
        effort: None,
        max_output_tokens: None,
        price,
        reasoning_model: false,
    }
}

pub fn price() -> Price {
    Price::flat(1.0, None, 2.0, None)
}

/// A finished turn with server-reported usage.
pub fn done(id: u64, prompt: &str, answer: &str, model: &str, price: Option<Price>) -> Turn {
    let mut t = Turn::new(id, prompt.into(), spec(model, price), 10);
    t.apply(StreamEvent::TextDelta(answer.into()), 100);
    t.apply(
        StreamEvent::Usage(Usage {
            input: 1000,
            output: 500,
            ..Default::default()
        }),
        150,
    );
    t.apply(StreamEvent::Finished(FinishReason::Stop), 200);
    t
}

/// SQLite's own check of both full-text indexes passes.
pub fn assert_fts_intact(conn: &Connection) {
    for fts in ["turns_fts", "titles_fts"] {
        conn.execute_batch(&format!(
            "INSERT INTO {fts}({fts}) VALUES ('integrity-check')"
        ))
        .unwrap();
    }
}
