//! Persistence of sessions in SQLite (placeholder; being written).

use crate::conversation::Turn;
use std::path::{Path, PathBuf};

/// The database file in the data dir.
pub const DB_FILE: &str = "thinkbench.db";

/// What went wrong with the database; every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the session database {}: {message}", path.display())]
    Open { path: PathBuf, message: String },
    #[error(
        "the session database {} was written by a newer thinkbench (schema {found}; this one knows up to {known}); it was left untouched",
        path.display()
    )]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error("session database {}: {message}", path.display())]
    Sql { path: PathBuf, message: String },
    #[error("there is no session {0}")]
    NoSession(i64),
}

/// One session as listed.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionSummary {
    pub id: i64,
    /// The first prompt's first line unless set with `/title`.
    pub title: String,
    /// Unix milliseconds.
    pub created_ms: i64,
    pub updated_ms: i64,
    pub turns: u32,
    /// Models used, in order of first use.
    pub models: Vec<String>,
    /// Sum of the known turn costs.
    pub cost: f64,
    /// Some turn's price was unknown.
    pub cost_unknown: bool,
}

/// An open session database.
pub struct Store {
    path: PathBuf,
}

impl Store {
    /// Open (creating, migrating) the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Err(StoreError::Open { path: path.to_path_buf(), message: "not written yet".into() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A new, empty session; its id.
    pub fn create_session(&mut self, _now_ms: i64) -> Result<i64, StoreError> {
        Err(StoreError::NoSession(0))
    }

    pub fn set_title(&mut self, session: i64, _title: &str) -> Result<(), StoreError> {
        Err(StoreError::NoSession(session))
    }

    /// Insert or update `turn` (keyed by session and `turn.id`), in one short transaction.
    pub fn save_turn(&mut self, session: i64, _turn: &Turn, _now_ms: i64) -> Result<(), StoreError> {
        Err(StoreError::NoSession(session))
    }

    /// A session and its turns, oldest first (a turn saved while streaming comes back
    /// interrupted).
    pub fn load(&self, session: i64) -> Result<(SessionSummary, Vec<Turn>), StoreError> {
        Err(StoreError::NoSession(session))
    }

    /// Sessions, newest first; with `search`, only those whose title or text matches (FTS5).
    pub fn list(&self, _search: Option<&str>, _limit: usize) -> Result<Vec<SessionSummary>, StoreError> {
        Ok(Vec::new())
    }

    /// The most recently updated session.
    pub fn latest(&self) -> Result<Option<i64>, StoreError> {
        Ok(None)
    }

    pub fn delete(&mut self, session: i64) -> Result<(), StoreError> {
        Err(StoreError::NoSession(session))
    }
}
