//! The files and images of stored turns.
//!
//! Invariants: a blob is written once per hash, whatever number of turns or sessions send
//! it, and never rewritten by a turn's later saves (only looked up); a turn's list is written
//! once, in order; a blob no turn lists any more is removed with the last session that
//! listed it ([`prune`]); a stored file that no longer reads as an attachment is left out of
//! the loaded turn, never a panic.

use crate::attach::{Attachment, Limits};
use crate::conversation::Turn;
use rusqlite::{Connection, OptionalExtension, params};

/// Store `turn`'s attachments at `(session, turn_id, arm)`, unless already stored.
pub(super) fn save(
    conn: &Connection,
    session: i64,
    turn_id: i64,
    turn: &Turn,
) -> rusqlite::Result<()> {
    if turn.attachments.is_empty() {
        return Ok(());
    }
    let arm = turn.arm_index();
    let listed: Option<i64> = conn
        .prepare_cached(
            "SELECT 1 FROM turn_attachments WHERE session_id = ?1 AND turn_id = ?2 AND arm = ?3 LIMIT 1",
        )?
        .query_row(params![session, turn_id, arm], |r| r.get(0))
        .optional()?;
    if listed.is_some() {
        return Ok(());
    }
    for (position, a) in turn.attachments.iter().enumerate() {
        let known: Option<i64> = conn
            .prepare_cached("SELECT 1 FROM attachment_blobs WHERE hash = ?1")?
            .query_row([&a.hash], |r| r.get(0))
            .optional()?;
        if known.is_none() {
            conn.prepare_cached("INSERT INTO attachment_blobs (hash, bytes) VALUES (?1, ?2)")?
                .execute(params![a.hash, &a.bytes[..]])?;
        }
        conn.prepare_cached(
            "INSERT INTO turn_attachments (session_id, turn_id, arm, position, name, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            session,
            turn_id,
            arm,
            position as i64,
            a.name,
            a.hash
        ])?;
    }
    Ok(())
}

/// Put the stored attachments of `session` back on its `turns` (matched by position and arm).
pub(super) fn load(conn: &Connection, session: i64, turns: &mut [Turn]) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.turn_id, t.arm, t.name, b.bytes FROM turn_attachments t
         JOIN attachment_blobs b ON b.hash = t.hash
         WHERE t.session_id = ?1 ORDER BY t.turn_id, t.arm, t.position",
    )?;
    let rows = stmt.query_map([session], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, u32>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Vec<u8>>(3)?,
        ))
    })?;
    // Stored files were checked when attached; here only what they are is read again.
    let any_size = Limits {
        image_bytes: u64::MAX,
        text_bytes: u64::MAX,
    };
    for row in rows {
        let (turn_id, arm, name, bytes) = row?;
        let Ok(turn_id) = u64::try_from(turn_id) else {
            continue;
        };
        let Ok(attachment) = Attachment::from_bytes(name, bytes, any_size) else {
            continue;
        };
        if let Some(turn) = turns
            .iter_mut()
            .find(|t| t.id == turn_id && t.arm_index() == arm)
        {
            turn.attachments.push(attachment);
        }
    }
    Ok(())
}

/// Remove blobs no stored turn lists (after a session is deleted).
pub(super) fn prune(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM attachment_blobs WHERE hash NOT IN (SELECT hash FROM turn_attachments)",
        [],
    )?;
    Ok(())
}
