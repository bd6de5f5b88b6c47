//! Forking a session: a new session holding the first turns of another.
//!
//! Invariants:
//! - a fork copies the rows of the source's first `upto` exchanges (a plain turn, or a
//!   comparison with every arm and retried attempt, as `sessions list` counts them) with
//!   every column as stored — state, usage, cost, timings — and keeps their turn ids; the
//!   text a streaming turn appended (`chunks`) is folded into the fork's copy of its row;
//! - attachments are copied as rows of `turn_attachments` pointing at the same blobs, never
//!   as new blobs;
//! - the source session is only read; the fork records where it came from (`forked_from`,
//!   `forked_at`) and is titled "fork of …" as the person's own title;
//! - it is one immediate transaction: the fork exists whole or not at all.

use super::{StoreError, sql_error, turns};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::Path;

/// Where a forked session came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ForkOrigin {
    /// The session it was forked from (which may since have been deleted).
    pub session: i64,
    /// How many of its exchanges were copied (the fork was made "at turn N").
    pub turn: u32,
}

impl std::fmt::Display for ForkOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "fork of #{} at turn {}", self.session, self.turn)
    }
}

/// Copy the first `upto` exchanges of `source` into a new session; its id.
pub(super) fn fork(
    conn: &mut Connection,
    path: &Path,
    source: i64,
    upto: u32,
    now_ms: i64,
) -> Result<i64, StoreError> {
    let fail = |e: rusqlite::Error| sql_error(path, &e);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(fail)?;
    let title: Option<String> = tx
        .query_row("SELECT title FROM sessions WHERE id = ?1", [source], |r| {
            r.get(0)
        })
        .optional()
        .map_err(fail)?;
    let Some(title) = title else {
        return Err(StoreError::NoSession(source));
    };
    let exchanges: i64 = tx
        .query_row(
            "SELECT COUNT(DISTINCT turn_id) FROM turns WHERE session_id = ?1",
            [source],
            |r| r.get(0),
        )
        .map_err(fail)?;
    let exchanges = u32::try_from(exchanges).unwrap_or(u32::MAX);
    if upto == 0 || upto > exchanges {
        return Err(StoreError::NoTurn {
            session: source,
            turn: upto,
            turns: exchanges,
        });
    }
    let title = if title.trim().is_empty() {
        let first: Option<String> = tx
            .query_row(
                "SELECT prompt FROM turns WHERE session_id = ?1 ORDER BY turn_id, arm LIMIT 1",
                [source],
                |r| r.get(0),
            )
            .optional()
            .map_err(fail)?;
        turns::title_from_prompt(first.as_deref().unwrap_or_default())
    } else {
        title
    };
    tx.execute(
        "INSERT INTO sessions (title, title_set, created_ms, updated_ms, forked_from, forked_at)
         VALUES (?1, 1, ?2, ?2, ?3, ?4)",
        params![format!("fork of {}", title.trim()), now_ms, source, upto],
    )
    .map_err(fail)?;
    let id = tx.last_insert_rowid();
    for table in ["turns", "turn_attachments"] {
        copy_rows(&tx, table, source, id, upto).map_err(fail)?;
    }
    // A turn of the source still streaming (or cut off mid-stream) is copied with all its
    // text, the fork's rows holding it whole.
    super::chunks::fold(&tx, source, id).map_err(fail)?;
    tx.commit().map_err(fail)?;
    Ok(id)
}

/// Copy `table`'s rows of the first `upto` turn ids of `source` to session `to`, every
/// column as it is (read from the table itself, so a column added later is copied too).
fn copy_rows(
    conn: &Connection,
    table: &str,
    source: i64,
    to: i64,
    upto: u32,
) -> rusqlite::Result<()> {
    let columns: Vec<String> = {
        let mut stmt = conn.prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?;
        let names = stmt.query_map([], |r| r.get::<_, String>(0))?;
        names
            .filter(|n| n.as_ref().map_or(true, |n| n != "session_id"))
            .collect::<rusqlite::Result<_>>()?
    };
    let columns = columns.join(", ");
    conn.execute(
        &format!(
            "INSERT INTO {table} (session_id, {columns})
             SELECT ?2, {columns} FROM {table}
             WHERE session_id = ?1 AND turn_id IN (
                 SELECT DISTINCT turn_id FROM turns WHERE session_id = ?1
                 ORDER BY turn_id LIMIT ?3)
             ORDER BY turn_id"
        ),
        params![source, to, upto],
    )?;
    Ok(())
}
