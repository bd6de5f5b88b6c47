//! Opening the database file: connection settings, the version check and forward migrations.
//!
//! Invariants:
//! - a database whose `user_version` is newer than [`SCHEMA_VERSION`] is refused before
//!   anything is written to it (not even the journal mode), so an older build never damages
//!   a newer file;
//! - an older database is upgraded in ONE immediate transaction: either every migration
//!   applies and `user_version` moves, or nothing changes;
//! - two processes opening the same file at once are safe: the version is re-read inside the
//!   write transaction, so only one of them migrates;
//! - every failure becomes a [`StoreError::Open`] whose message says what is wrong in words
//!   (read-only, not a database, disk full, ...) and names the file.

use super::StoreError;
use super::schema::{MIGRATIONS, SCHEMA_VERSION};
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};
use std::path::Path;
use std::time::Duration;

/// How long a statement waits for another process's lock before giving up.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How long to keep trying to switch a file to WAL (20 ms apart) before falling back to a
/// rollback journal: as long as a statement waits for another process's lock.
const WAL_PATIENCE: Duration = BUSY_TIMEOUT;

/// Open `path` read-write (creating it and its directory, private: see `private`), set it
/// up and migrate it.
pub(super) fn open(path: &Path) -> Result<Connection, StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        super::private::create_dir(dir).map_err(|e| StoreError::Open {
            path: path.to_path_buf(),
            message: format!("cannot create the directory {}: {e}", dir.display()),
        })?;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    // Best effort: what cannot be done here, SQLite fails on next, in its own words.
    let _ = super::private::prepare_database(path);
    let conn = Connection::open_with_flags(path, flags).map_err(|e| open_error(path, &e))?;
    prepare(conn, path)
}

/// Configure an open connection and bring its schema up to date.
pub(super) fn prepare(mut conn: Connection, path: &Path) -> Result<Connection, StoreError> {
    let fail = |e: rusqlite::Error| open_error(path, &e);
    conn.busy_timeout(BUSY_TIMEOUT).map_err(fail)?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(fail)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(fail)?;
    // The first read of the file: a corrupt or foreign file fails here.
    let found = user_version(&conn).map_err(fail)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    if conn.is_readonly("main").map_err(fail)? {
        return Err(StoreError::Open {
            path: path.to_path_buf(),
            message: "the file is read-only (check its permissions and its directory's)".into(),
        });
    }
    // Switching a new file to WAL needs a moment alone with it: another process opening the
    // same new file at once makes the switch fail or report the old mode, so try again for
    // a while before concluding that the file system cannot do WAL.
    let mut mode = String::new();
    let started = std::time::Instant::now();
    loop {
        let last = started.elapsed() >= WAL_PATIENCE;
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0)) {
            Ok(m) => mode = m,
            Err(e) if last => return Err(fail(e)),
            Err(_) => {}
        }
        if mode.eq_ignore_ascii_case("wal") || last {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    if !mode.eq_ignore_ascii_case("wal") {
        // Some file systems (network mounts) cannot do WAL; the rollback journal still
        // keeps the file consistent, only with less concurrency.
        conn.pragma_update(None, "journal_mode", "DELETE")
            .map_err(fail)?;
    }
    if found < SCHEMA_VERSION {
        migrate(&mut conn, path)?;
    }
    Ok(conn)
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Apply every migration past the stored version, in one transaction. A file at version 0
/// must be empty: another program's database is refused, not filled with our tables.
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let fail = |e: rusqlite::Error| open_error(path, &e);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(fail)?;
    // Another process may have migrated between our first look and taking the lock.
    let from = user_version(&tx).map_err(fail)?;
    if from >= SCHEMA_VERSION {
        return tx.commit().map_err(fail);
    }
    if from == 0 {
        let objects: i64 = tx
            .query_row("SELECT COUNT(*) FROM sqlite_schema", [], |row| row.get(0))
            .map_err(fail)?;
        if objects > 0 {
            return Err(StoreError::Open {
                path: path.to_path_buf(),
                message: "not a thinkbench database (it holds other tables); it was left untouched"
                    .into(),
            });
        }
    }
    let start = usize::try_from(from).unwrap_or(0);
    for sql in &MIGRATIONS[start..] {
        tx.execute_batch(sql).map_err(fail)?;
    }
    // PRAGMA takes no bound parameters; the value is our own integer constant.
    tx.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))
        .map_err(fail)?;
    tx.commit().map_err(fail)
}

/// The error for a failure while opening, in words a person can act on.
pub(super) fn open_error(path: &Path, err: &rusqlite::Error) -> StoreError {
    StoreError::Open {
        path: path.to_path_buf(),
        message: describe(err),
    }
}

/// A rusqlite error in words; the common failures get a hint at the cause.
pub(super) fn describe(err: &rusqlite::Error) -> String {
    let Some(code) = err.sqlite_error_code() else {
        return err.to_string();
    };
    let hint = match code {
        ErrorCode::NotADatabase => "file is not a database (corrupt, or not a thinkbench file)",
        ErrorCode::DatabaseCorrupt => "the database file is corrupt (malformed)",
        ErrorCode::CannotOpen => {
            "unable to open the file (check that its directory exists and is writable)"
        }
        ErrorCode::PermissionDenied => "permission denied",
        ErrorCode::ReadOnly => "the file is read-only (check its permissions)",
        ErrorCode::DiskFull => "the disk is full",
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
            "the database stayed locked by another process"
        }
        ErrorCode::SystemIoFailure => "an I/O error occurred reading or writing the file",
        _ => return err.to_string(),
    };
    let detail = err.to_string();
    if detail.is_empty() || hint.contains(detail.as_str()) {
        hint.to_string()
    } else {
        format!("{hint} ({detail})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_only_connection_is_refused_with_the_file_named() {
        // Permission bits do not stop root, so open read-only explicitly instead.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ro.db");
        drop(open(&path).unwrap());
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags).unwrap();
        let err = prepare(conn, &path).err().unwrap();
        let text = err.to_string();
        assert!(text.contains("read-only"), "{text}");
        assert!(text.contains(&path.display().to_string()), "{text}");
    }

    #[test]
    fn migrating_twice_is_harmless() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let mut conn = open(&path).unwrap();
        migrate(&mut conn, &path).unwrap();
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn a_version_7_database_is_migrated_and_its_turns_stream_by_appending() {
        use crate::conversation::{Turn, TurnSpec};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v7.db");
        let conn = Connection::open(&path).unwrap();
        for sql in &MIGRATIONS[..7] {
            conn.execute_batch(sql).unwrap();
        }
        conn.execute_batch(
            "PRAGMA user_version = 7;
             INSERT INTO sessions (id, title, created_ms, updated_ms) VALUES (1, 'Lava', 1, 2);
             INSERT INTO turns (session_id, turn_id, prompt, answer, provider, model, api,
                 state, updated_ms)
             VALUES (1, 1, 'Lava?', 'Basalt flows', 'openai', 'o3', 'chat', 'done', 2);",
        )
        .unwrap();
        drop(conn);

        let mut store = crate::store::Store::open(&path).unwrap();
        let (_, turns) = store.load(1).unwrap();
        assert_eq!(turns[0].answer, "Basalt flows");
        assert_eq!(store.list(Some("basalt"), 10).unwrap().len(), 1);
        let spec = TurnSpec {
            provider: "openai".into(),
            model: "o3".into(),
            api: crate::api::ApiKind::Chat,
            effort: None,
            max_output_tokens: None,
            price: None,
            reasoning_model: false,
        };
        let mut t = Turn::new(2, "More?".into(), spec, 3);
        store.save_turn(1, &t, 3).unwrap();
        t.apply(crate::api::StreamEvent::TextDelta("Pahoehoe".into()), 10);
        store.save_turn(1, &t, 4).unwrap();
        drop(store);

        let conn = Connection::open(&path).unwrap();
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
        let chunks: i64 = conn
            .query_row("SELECT COUNT(*) FROM turn_chunks", [], |r| r.get(0))
            .unwrap();
        assert_eq!(chunks, 1);
        let store = crate::store::Store::open(&path).unwrap();
        assert_eq!(store.load(1).unwrap().1[1].answer, "Pahoehoe");
        assert_eq!(store.list(Some("pahoehoe"), 10).unwrap().len(), 1);
    }

    #[test]
    fn another_programs_database_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE sessions (x); INSERT INTO sessions VALUES (1);")
            .unwrap();
        let err = open(&path).err().unwrap().to_string();
        assert!(err.contains("not a thinkbench database"), "{err}");
        let conn = Connection::open(&path).unwrap();
        let tables: i64 = conn
            .query_row("SELECT COUNT(*) FROM sqlite_schema", [], |r| r.get(0))
            .unwrap();
        assert_eq!((tables, user_version(&conn).unwrap()), (1, 0));
    }
}
