//! Persistence of sessions in one SQLite file: sessions, their turns, and a full-text index.
//!
//! Invariants:
//! - the file is only ever upgraded forward (see `migrate`); a file from a newer build is
//!   refused untouched;
//! - every write is one short immediate transaction, and every statement waits up to a busy
//!   timeout for another process's lock, so two thinkbench processes can share the file (WAL);
//! - a turn is keyed by (session, turn id, arm): saving it again replaces it; while it
//!   streams, a save appends only the text it gained since this connection's last save, and
//!   the save that ends it writes it whole, once, for the full-text index (see `chunks`);
//!   opening the file folds the text of turns cut off mid-stream into their rows;
//! - the store, not the caller, settles where a new turn goes: the first save of a turn this
//!   `Store` has not seen (neither loaded nor saved) takes its own id if that is past every
//!   stored turn of the session, else the next free position, inside the write transaction.
//!   So two processes that both go on from turn N never overwrite each other's turn N+1: the
//!   later one's turn becomes N+2, and [`Saved::others`] tells it that turns it did not load
//!   exist (it can reopen the session to show them);
//! - a session's automatic title follows its first prompt until the person sets one;
//! - a fork copies turns and attachment rows, never blobs, and leaves its source as it was;
//! - nothing secret is stored: a [`Turn`] holds no API key or header, and only a turn's
//!   fields are written;
//! - every error names the file and says what is wrong in words;
//! - on Unix the directories made for the file are 0700 and the file, its WAL and its
//!   shared memory 0600, whatever the umask (see [`private`]).

mod attachments;
mod chunks;
mod fork;
mod migrate;
pub mod private;
mod schema;
mod search;
mod turns;

pub use fork::ForkOrigin;
pub use schema::SCHEMA_VERSION;

use crate::conversation::Turn;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The database file in the data dir.
pub const DB_FILE: &str = "thinkbench.db";

/// The schema version this build writes (older files are migrated up to it).
pub const fn schema_version() -> i64 {
    SCHEMA_VERSION
}

/// What went wrong with the database; every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the session database {}: {message}", path.display())]
    Open { path: PathBuf, message: String },
    #[error(
        "the session database {} was written by a newer thinkbench (schema {found}; this one knows up to {known}); it was left untouched",
        path.display()
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("session database {}: {message}", path.display())]
    Sql { path: PathBuf, message: String },
    #[error("there is no session {0}")]
    NoSession(i64),
    #[error("session {session} has {turns} turns: there is no turn {turn}")]
    NoTurn { session: i64, turn: u32, turns: u32 },
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
    /// Where the session was forked from, if it is a fork.
    pub fork: Option<ForkOrigin>,
}

/// Which stored session to go on with (the TUI's `--continue`/`--session` and `ask`'s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionChoice {
    /// A new session.
    New,
    /// `--continue`: the most recently updated session (a new one when there is none).
    Latest,
    /// `--session ID`.
    Id(i64),
}

/// Now, in Unix milliseconds (the store's timestamps).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// An open session database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Where this connection's turns are stored: (session, the caller's turn id) -> stored
    /// position. Filled by loads (the same id) and by first saves (see the module doc).
    positions: RefCell<HashMap<(i64, u64), u64>>,
    /// The turns this connection is streaming, and what it stored of them (see `chunks`).
    streams: chunks::Streams,
}

/// What a save did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Saved {
    /// The position the turn is stored at (its id unless another process took that one).
    pub turn_id: u64,
    /// The session holds turns this connection neither loaded nor saved (another process
    /// added them).
    pub others: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Open (creating, migrating) the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let mut conn = migrate::open(path)?;
        // Best effort: the text is read with its chunks anyway; only search waits for the
        // next open to find it.
        let _ = chunks::fold_all(&mut conn);
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            positions: RefCell::default(),
            streams: chunks::Streams::new(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Wait at most `wait` for another process's lock before a statement fails (the default
    /// is a few seconds; the TUI's store thread can afford them, tests cannot).
    pub fn set_busy_timeout(&self, wait: std::time::Duration) -> Result<(), StoreError> {
        self.conn
            .busy_timeout(wait)
            .map_err(|e| sql_error(&self.path, &e))
    }

    /// A new, empty session; its id.
    pub fn create_session(&mut self, now_ms: i64) -> Result<i64, StoreError> {
        self.conn
            .execute(
                "INSERT INTO sessions (title, title_set, created_ms, updated_ms)
                 VALUES ('', 0, ?1, ?1)",
                [now_ms],
            )
            .map_err(|e| sql_error(&self.path, &e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Set the session's title (marking it as the person's own, so prompts no longer change
    /// it). A blank title goes back to the automatic one, from the first prompt.
    pub fn set_title(&mut self, session: i64, title: &str) -> Result<(), StoreError> {
        let Store { conn, path, .. } = self;
        let fail = |e: rusqlite::Error| sql_error(path, &e);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        let title = title.trim();
        let changed = if title.is_empty() {
            let changed = tx
                .execute("UPDATE sessions SET title_set = 0 WHERE id = ?1", [session])
                .map_err(fail)?;
            auto_title(&tx, session).map_err(fail)?;
            changed
        } else {
            tx.execute(
                "UPDATE sessions SET title = ?2, title_set = 1 WHERE id = ?1",
                params![session, title],
            )
            .map_err(fail)?
        };
        if changed == 0 {
            return Err(StoreError::NoSession(session));
        }
        tx.commit().map_err(fail)
    }

    /// Insert or update `turn` (keyed by session, its position and its arm), in one short
    /// transaction; where it went (see the module doc on positions).
    pub fn save_turn(
        &mut self,
        session: i64,
        turn: &Turn,
        now_ms: i64,
    ) -> Result<Saved, StoreError> {
        let Store {
            conn,
            path,
            positions,
            streams,
        } = self;
        let positions = positions.get_mut();
        let fail = |e: rusqlite::Error| sql_error(path, &e);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        let exists = tx
            .query_row(
                "SELECT 1 FROM sessions WHERE id = ?1",
                [session],
                |_| Ok(()),
            )
            .optional()
            .map_err(fail)?;
        if exists.is_none() {
            return Err(StoreError::NoSession(session));
        }
        let known = positions.get(&(session, turn.id)).copied();
        let last: Option<i64> = tx
            .query_row(
                "SELECT MAX(turn_id) FROM turns WHERE session_id = ?1",
                [session],
                |r| r.get(0),
            )
            .map_err(fail)?;
        let last = last.map_or(0, |n| u64::try_from(n).unwrap_or(0));
        let turn_id = match known {
            Some(at) => at,
            None if turn.id > last => turn.id,
            None => last + 1,
        };
        let key = (session, turn_id, turn.arm_index());
        let stream = chunks::save(
            &tx,
            key,
            streams.get(&key),
            turn,
            || turns::upsert(&tx, session, turn_id, turn, now_ms),
            || turns::update_meta(&tx, session, turn_id, turn, now_ms),
        )
        .map_err(fail)?;
        attachments::save(
            &tx,
            session,
            i64::try_from(turn_id).unwrap_or(i64::MAX),
            turn,
        )
        .map_err(fail)?;
        tx.execute(
            "UPDATE sessions SET updated_ms = MAX(updated_ms, ?2) WHERE id = ?1",
            params![session, now_ms],
        )
        .map_err(fail)?;
        auto_title(&tx, session).map_err(fail)?;
        // Turns stored at positions this connection never loaded nor saved.
        let mine: Vec<u64> = (positions.iter())
            .filter(|((s, _), _)| *s == session)
            .map(|(_, at)| *at)
            .chain([turn_id])
            .collect();
        let stored: Vec<u64> = {
            let mut stmt = tx
                .prepare_cached("SELECT DISTINCT turn_id FROM turns WHERE session_id = ?1")
                .map_err(fail)?;
            let rows = stmt
                .query_map([session], |r| r.get::<_, i64>(0))
                .map_err(fail)?;
            rows.filter_map(Result::ok)
                .filter_map(|n| u64::try_from(n).ok())
                .collect()
        };
        let others = stored.iter().any(|at| !mine.contains(at));
        tx.commit().map_err(fail)?;
        positions.insert((session, turn.id), turn_id);
        match stream {
            Some(stream) => streams.insert(key, stream),
            None => streams.remove(&key),
        };
        Ok(Saved { turn_id, others })
    }

    /// A new session holding the first `upto` exchanges of `source` (a comparison is one),
    /// titled "fork of …" and recording where it came from; its id. The source is untouched
    /// (see `fork`).
    pub fn fork(&mut self, source: i64, upto: u32, now_ms: i64) -> Result<i64, StoreError> {
        fork::fork(&mut self.conn, &self.path, source, upto, now_ms)
    }

    /// A session and its turns, oldest first (a turn saved while streaming comes back
    /// interrupted).
    pub fn load(&self, session: i64) -> Result<(SessionSummary, Vec<Turn>), StoreError> {
        let fail = |e: rusqlite::Error| sql_error(&self.path, &e);
        // One read transaction, so the summary and the turns agree.
        let tx = self.conn.unchecked_transaction().map_err(fail)?;
        let summary = search::summary(&tx, session)
            .map_err(fail)?
            .ok_or(StoreError::NoSession(session))?;
        let mut turns = turns::load(&tx, session).map_err(fail)?;
        attachments::load(&tx, session, &mut turns).map_err(fail)?;
        tx.finish().map_err(fail)?;
        let mut positions = self.positions.borrow_mut();
        positions.retain(|(s, _), _| *s != session);
        positions.extend(turns.iter().map(|t| ((session, t.id), t.id)));
        Ok((summary, turns))
    }

    /// Sessions, newest first; with `search`, only those whose title or text matches (FTS5).
    pub fn list(
        &self,
        search: Option<&str>,
        limit: usize,
    ) -> Result<Vec<SessionSummary>, StoreError> {
        search::list(&self.conn, search, limit).map_err(|e| sql_error(&self.path, &e))
    }

    /// The most recently updated session.
    pub fn latest(&self) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_row(
                "SELECT id FROM sessions ORDER BY updated_ms DESC, id DESC LIMIT 1",
                [],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| sql_error(&self.path, &e))
    }

    /// Delete a session and (by cascade) its turns.
    pub fn delete(&mut self, session: i64) -> Result<(), StoreError> {
        let deleted = self
            .conn
            .execute("DELETE FROM sessions WHERE id = ?1", [session])
            .map_err(|e| sql_error(&self.path, &e))?;
        self.streams.retain(|(s, _, _), _| *s != session);
        if deleted == 0 {
            return Err(StoreError::NoSession(session));
        }
        attachments::prune(&self.conn).map_err(|e| sql_error(&self.path, &e))
    }
}

/// Unless the person set one, title the session after its first prompt.
fn auto_title(conn: &Connection, session: i64) -> rusqlite::Result<()> {
    let first: Option<String> = conn
        .query_row(
            "SELECT prompt FROM turns WHERE session_id = ?1 ORDER BY turn_id, arm LIMIT 1",
            [session],
            |row| row.get(0),
        )
        .optional()?;
    let title = first
        .as_deref()
        .map(turns::title_from_prompt)
        .unwrap_or_default();
    conn.execute(
        "UPDATE sessions SET title = ?2 WHERE id = ?1 AND title_set = 0 AND title <> ?2",
        params![session, title],
    )?;
    Ok(())
}

fn sql_error(path: &Path, err: &rusqlite::Error) -> StoreError {
    StoreError::Sql {
        path: path.to_path_buf(),
        message: migrate::describe(err),
    }
}
