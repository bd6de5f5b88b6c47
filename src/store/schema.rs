//! The database schema, as a list of forward migrations.
//!
//! Invariants:
//! - `MIGRATIONS[i]` takes a database at `user_version == i` to `i + 1`; a fresh file runs
//!   them all, so a new database and an upgraded one end with exactly the same schema;
//! - a migration, once shipped, is never edited: a change is a new entry at the end;
//! - the full-text index is external-content (it stores no copy of the text) and is kept in
//!   step with `sessions` and `turns` by triggers, so no code path can forget it; the text a
//!   streaming turn appends (`turn_chunks`) is indexed once it is folded into its row.

/// Version 1: sessions and their turns, every field a turn holds.
const V1: &str = "
CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    title       TEXT    NOT NULL DEFAULT '',
    title_set   INTEGER NOT NULL DEFAULT 0,
    created_ms  INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL
);
CREATE INDEX sessions_by_update ON sessions(updated_ms);

CREATE TABLE turns (
    session_id          INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    turn_id             INTEGER NOT NULL,
    prompt              TEXT    NOT NULL,
    answer              TEXT    NOT NULL DEFAULT '',
    reasoning           TEXT    NOT NULL DEFAULT '',
    provider            TEXT    NOT NULL,
    model               TEXT    NOT NULL,
    api                 TEXT    NOT NULL,
    effort              TEXT,
    max_output_tokens   INTEGER,
    price_input         REAL,
    price_cached        REAL,
    price_output        REAL,
    reasoning_model     INTEGER NOT NULL DEFAULT 0,
    usage_input         INTEGER NOT NULL DEFAULT 0,
    usage_cached_input  INTEGER NOT NULL DEFAULT 0,
    usage_output        INTEGER NOT NULL DEFAULT 0,
    usage_reasoning     INTEGER NOT NULL DEFAULT 0,
    usage_estimated     INTEGER NOT NULL DEFAULT 1,
    usage_reported      INTEGER NOT NULL DEFAULT 0,
    prompt_estimate     INTEGER NOT NULL DEFAULT 0,
    cost                REAL,
    first_reasoning_ms  INTEGER,
    first_text_ms       INTEGER,
    done_ms             INTEGER,
    finish_reason       TEXT,
    state               TEXT    NOT NULL,
    error_json          TEXT,
    tool_calls_json     TEXT,
    updated_ms          INTEGER NOT NULL,
    PRIMARY KEY (session_id, turn_id)
);
";

/// Version 2: prompt-cache writes, server-reported cost and estimated reasoning (Anthropic,
/// OpenRouter); full-text search over titles, prompts and answers.
const V2: &str = "
ALTER TABLE turns ADD COLUMN price_cache_write REAL;
ALTER TABLE turns ADD COLUMN usage_cache_write INTEGER NOT NULL DEFAULT 0;
ALTER TABLE turns ADD COLUMN usage_reasoning_estimated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE turns ADD COLUMN usage_reported_cost REAL;

CREATE VIRTUAL TABLE turns_fts USING fts5(
    prompt, answer,
    content = 'turns', content_rowid = 'rowid',
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
INSERT INTO turns_fts(turns_fts) VALUES ('rebuild');

CREATE VIRTUAL TABLE titles_fts USING fts5(
    title,
    content = 'sessions', content_rowid = 'id',
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
INSERT INTO titles_fts(titles_fts) VALUES ('rebuild');
";

/// Version 3: comparisons. A turn may have several arms (one row each, keyed by `arm`, 0 for a
/// plain turn), with the arm as written, its run and whether the person kept its answer. The
/// key changes, so the table is rebuilt (rows keep their rowids) and the full-text triggers
/// are made anew over it.
const V3: &str = "
DROP TRIGGER turns_fts_insert;
DROP TRIGGER turns_fts_delete;
DROP TRIGGER turns_fts_update;

CREATE TABLE turns_v3 (
    session_id          INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    turn_id             INTEGER NOT NULL,
    arm                 INTEGER NOT NULL DEFAULT 0,
    arm_label           TEXT,
    arm_run             INTEGER,
    arm_kept            INTEGER NOT NULL DEFAULT 0,
    prompt              TEXT    NOT NULL,
    answer              TEXT    NOT NULL DEFAULT '',
    reasoning           TEXT    NOT NULL DEFAULT '',
    provider            TEXT    NOT NULL,
    model               TEXT    NOT NULL,
    api                 TEXT    NOT NULL,
    effort              TEXT,
    max_output_tokens   INTEGER,
    price_input         REAL,
    price_cached        REAL,
    price_output        REAL,
    reasoning_model     INTEGER NOT NULL DEFAULT 0,
    usage_input         INTEGER NOT NULL DEFAULT 0,
    usage_cached_input  INTEGER NOT NULL DEFAULT 0,
    usage_output        INTEGER NOT NULL DEFAULT 0,
    usage_reasoning     INTEGER NOT NULL DEFAULT 0,
    usage_estimated     INTEGER NOT NULL DEFAULT 1,
    usage_reported      INTEGER NOT NULL DEFAULT 0,
    prompt_estimate     INTEGER NOT NULL DEFAULT 0,
    cost                REAL,
    first_reasoning_ms  INTEGER,
    first_text_ms       INTEGER,
    done_ms             INTEGER,
    finish_reason       TEXT,
    state               TEXT    NOT NULL,
    error_json          TEXT,
    tool_calls_json     TEXT,
    updated_ms          INTEGER NOT NULL,
    price_cache_write   REAL,
    usage_cache_write   INTEGER NOT NULL DEFAULT 0,
    usage_reasoning_estimated INTEGER NOT NULL DEFAULT 0,
    usage_reported_cost REAL,
    PRIMARY KEY (session_id, turn_id, arm)
);
INSERT INTO turns_v3 (
    rowid, session_id, turn_id, prompt, answer, reasoning, provider, model, api, effort,
    max_output_tokens, price_input, price_cached, price_output, reasoning_model, usage_input,
    usage_cached_input, usage_output, usage_reasoning, usage_estimated, usage_reported,
    prompt_estimate, cost, first_reasoning_ms, first_text_ms, done_ms, finish_reason, state,
    error_json, tool_calls_json, updated_ms, price_cache_write, usage_cache_write,
    usage_reasoning_estimated, usage_reported_cost
) SELECT
    rowid, session_id, turn_id, prompt, answer, reasoning, provider, model, api, effort,
    max_output_tokens, price_input, price_cached, price_output, reasoning_model, usage_input,
    usage_cached_input, usage_output, usage_reasoning, usage_estimated, usage_reported,
    prompt_estimate, cost, first_reasoning_ms, first_text_ms, done_ms, finish_reason, state,
    error_json, tool_calls_json, updated_ms, price_cache_write, usage_cache_write,
    usage_reasoning_estimated, usage_reported_cost
FROM turns;
DROP TABLE turns;
ALTER TABLE turns_v3 RENAME TO turns;

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
INSERT INTO turns_fts(turns_fts) VALUES ('rebuild');
";

/// Version 4: the long-context tier of a turn's price (JSON, as `usage::PriceTier`) and
/// whether the price was a vendor's list price borrowed for another provider.
const V4: &str = "
ALTER TABLE turns ADD COLUMN price_tier_json TEXT;
ALTER TABLE turns ADD COLUMN price_list INTEGER NOT NULL DEFAULT 0;
";

/// Version 5: how a server's tokenizer counted a turn that reported no usage (`templated`,
/// `text_only`; `NULL` when reported by the server or estimated).
const V5: &str = "
ALTER TABLE turns ADD COLUMN usage_counted TEXT;
";

/// Version 6: files and images sent with a turn. Their bytes are kept once per SHA-256
/// (`attachment_blobs`); each turn lists its own in order (`turn_attachments`), removed with
/// the turn's session.
const V6: &str = "
CREATE TABLE attachment_blobs (
    hash   TEXT PRIMARY KEY,
    bytes  BLOB NOT NULL
);
CREATE TABLE turn_attachments (
    session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    turn_id     INTEGER NOT NULL,
    arm         INTEGER NOT NULL DEFAULT 0,
    position    INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    hash        TEXT    NOT NULL REFERENCES attachment_blobs(hash),
    PRIMARY KEY (session_id, turn_id, arm, position)
);
CREATE INDEX turn_attachments_hash ON turn_attachments(hash);
";

/// Version 7: where a forked session came from: the session (not a foreign key: the source
/// may be deleted and the fork stays) and how many of its exchanges were copied.
const V7: &str = "
ALTER TABLE sessions ADD COLUMN forked_from INTEGER;
ALTER TABLE sessions ADD COLUMN forked_at INTEGER;
";

/// Version 8: a streaming turn's text is saved by appending (see `chunks`): each flush adds
/// one chunk, what the answer and the reasoning gained since the last, and the save that ends
/// the turn folds them into its row. A turn's text is its row's followed by its chunks' in
/// `seq` order. Not indexed for search: the row is, once whole.
const V8: &str = "
CREATE TABLE turn_chunks (
    session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    turn_id     INTEGER NOT NULL,
    arm         INTEGER NOT NULL DEFAULT 0,
    seq         INTEGER NOT NULL,
    answer      TEXT    NOT NULL DEFAULT '',
    reasoning   TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (session_id, turn_id, arm, seq)
);
";

/// Forward migrations, oldest first; entry `i` upgrades version `i` to `i + 1`.
pub(super) const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8];

/// The schema version this build writes and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;
