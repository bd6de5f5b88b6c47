//! A streaming turn's text, saved by appending: each flush writes only what the answer and
//! the reasoning gained since the last one, as one row of `turn_chunks`; the turn's own row
//! is updated without its text. So a long answer costs bytes written in proportion to its
//! length, not to its length times the number of flushes (SQLite rewrites a whole row, text
//! and all, on any update of it, `answer = answer || ?` included).
//!
//! Invariants:
//! - the text of a stored turn is its row's `answer` (`reasoning`) followed by its chunks'
//!   in `seq` order; every read of turns ([`turns::load`](super::turns)) reads it so, and
//!   folding chunks into the row ([`fold`]) keeps it, even while another connection is
//!   streaming that turn;
//! - the row's text is written whole, and so indexed for full-text search, only by a save
//!   that is not an append: the first save of a turn, the save that ends it (any state but
//!   streaming; its chunks are deleted in the same transaction), and a fold — a turn cut off
//!   mid-stream (a crash, `kill -9`) is folded when the store is next opened, so search
//!   finds it then;
//! - a save appends only when the turn continues what this connection last stored for it
//!   (same prompt, each text at least as long and ending as stored); anything else writes
//!   the turn whole and drops its chunks, so the stored text is always the turn's;
//! - what this connection stored is remembered only once the transaction commits, so the
//!   text a failed save would have appended goes with the next save's;
//! - chunks go with their session (a foreign key, cascading), and a fork copies a source's
//!   pending text folded into its own rows, leaving the source as it was.

use crate::conversation::{Turn, TurnState};
use rusqlite::{Connection, params};
use std::collections::HashMap;

/// A stored turn: (session, position, arm).
pub(super) type Key = (i64, u64, u32);

/// How many bytes at the end of each text are kept to check that a later save continues it.
const TAIL: usize = 32;

/// What this connection has stored of one streaming turn.
#[derive(Clone, Debug)]
pub(super) struct Stream {
    prompt: String,
    answer: Mark,
    reasoning: Mark,
    /// The `seq` of the next chunk.
    next: i64,
}

/// The length of a stored text and its last bytes.
#[derive(Clone, Debug)]
struct Mark {
    len: usize,
    tail: Vec<u8>,
}

impl Mark {
    fn of(text: &str) -> Mark {
        let bytes = text.as_bytes();
        Mark {
            len: bytes.len(),
            tail: bytes[bytes.len().saturating_sub(TAIL)..].to_vec(),
        }
    }

    /// What `text` adds to the stored text, if it continues it.
    fn gained<'t>(&self, text: &'t str) -> Option<&'t str> {
        let start = self.len.checked_sub(self.tail.len())?;
        let head = text.as_bytes().get(start..self.len)?;
        (head == self.tail.as_slice())
            .then(|| text.get(self.len..))
            .flatten()
    }
}

/// The streams this connection is saving, by stored turn.
pub(super) type Streams = HashMap<Key, Stream>;

/// Save `turn` at `key` inside the caller's transaction: append what it gained if this is a
/// streaming save that continues `known`, else write it whole (with `whole`). What to
/// remember of it once the transaction commits (`None`: it is not streaming any more).
pub(super) fn save(
    conn: &Connection,
    key: Key,
    known: Option<&Stream>,
    turn: &Turn,
    whole: impl FnOnce() -> rusqlite::Result<()>,
    update: impl FnOnce() -> rusqlite::Result<usize>,
) -> rusqlite::Result<Option<Stream>> {
    if turn.state != TurnState::Streaming {
        whole()?;
        clear(conn, key)?;
        return Ok(None);
    }
    let gained = known.filter(|s| s.prompt == turn.prompt).and_then(|s| {
        Some((
            s,
            s.answer.gained(&turn.answer)?,
            s.reasoning.gained(&turn.reasoning)?,
        ))
    });
    if let Some((stream, answer, reasoning)) = gained {
        // The row may be gone (another process deleted the turn's session and made it
        // anew): then the turn is written whole.
        if update()? == 1 {
            let mut next = stream.next;
            if !(answer.is_empty() && reasoning.is_empty()) {
                append(conn, key, next, answer, reasoning)?;
                next += 1;
            }
            return Ok(Some(Stream {
                prompt: stream.prompt.clone(),
                answer: Mark::of(&turn.answer),
                reasoning: Mark::of(&turn.reasoning),
                next,
            }));
        }
    }
    whole()?;
    clear(conn, key)?;
    Ok(Some(Stream {
        prompt: turn.prompt.clone(),
        answer: Mark::of(&turn.answer),
        reasoning: Mark::of(&turn.reasoning),
        next: 0,
    }))
}

fn append(
    conn: &Connection,
    key: Key,
    seq: i64,
    answer: &str,
    reasoning: &str,
) -> rusqlite::Result<()> {
    let (session, turn_id, arm) = key;
    conn.prepare_cached(
        "INSERT INTO turn_chunks (session_id, turn_id, arm, seq, answer, reasoning)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        session,
        position(turn_id),
        arm,
        seq,
        answer,
        reasoning
    ])?;
    Ok(())
}

/// Drop the chunks of the turn at `key` (its row now holds its whole text).
fn clear(conn: &Connection, key: Key) -> rusqlite::Result<()> {
    let (session, turn_id, arm) = key;
    conn.prepare_cached(
        "DELETE FROM turn_chunks WHERE session_id = ?1 AND turn_id = ?2 AND arm = ?3",
    )?
    .execute(params![session, position(turn_id), arm])?;
    Ok(())
}

/// The pending text of the turn a `turns` row (`t`) stands for, as an SQL expression: its
/// chunks of `column`, in order (`''` when there are none).
macro_rules! pending {
    ($column:literal, $session:literal) => {
        concat!(
            "COALESCE((SELECT group_concat(c.",
            $column,
            ", '' ORDER BY c.seq) FROM turn_chunks c WHERE c.session_id = ",
            $session,
            " AND c.turn_id = t.turn_id AND c.arm = t.arm), '')"
        )
    };
}

/// The select list's text columns for [`turns::load`](super::turns): the row's text and its
/// chunks'.
pub(super) const TEXT_COLUMNS: &str = concat!(
    "t.answer || ",
    pending!("answer", "t.session_id"),
    " AS answer, t.reasoning || ",
    pending!("reasoning", "t.session_id"),
    " AS reasoning"
);

/// Append the pending text of `from`'s turns to the rows of the same turns in `to`.
const FOLD: &str = concat!(
    "UPDATE turns AS t SET answer = t.answer || ",
    pending!("answer", "?1"),
    ", reasoning = t.reasoning || ",
    pending!("reasoning", "?1"),
    " WHERE t.session_id = ?2 AND EXISTS (SELECT 1 FROM turn_chunks c
        WHERE c.session_id = ?1 AND c.turn_id = t.turn_id AND c.arm = t.arm)"
);

/// Fold the pending text of session `from`'s turns into the rows of session `to` (the same
/// session: into its own rows, and its chunks are deleted; a fork: into the copies).
pub(super) fn fold(conn: &Connection, from: i64, to: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(FOLD)?.execute(params![from, to])?;
    if from == to {
        conn.prepare_cached("DELETE FROM turn_chunks WHERE session_id = ?1")?
            .execute([from])?;
    }
    Ok(())
}

/// Fold every session's pending text into its rows (turns cut off mid-stream), in one
/// transaction; nothing is written when there is none.
pub(super) fn fold_all(conn: &mut Connection) -> rusqlite::Result<()> {
    let pending: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM turn_chunks)", [], |r| {
        r.get(0)
    })?;
    if !pending {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let sessions: Vec<i64> = {
        let mut stmt = tx.prepare("SELECT DISTINCT session_id FROM turn_chunks")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for session in sessions {
        fold(&tx, session, session)?;
    }
    tx.commit()
}

/// A position as SQLite's signed integer.
fn position(turn_id: u64) -> i64 {
    i64::try_from(turn_id).unwrap_or(i64::MAX)
}
