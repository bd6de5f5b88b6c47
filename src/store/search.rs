//! Listing sessions, and finding them by what was said.
//!
//! Invariants:
//! - any text a person types is a valid search: it is cut into words and each word is quoted
//!   for FTS5 (so `"`, `*`, `-`, `:`, `(`, `AND` are plain text, never syntax); should FTS5
//!   still refuse, or the text hold no word at all, a plain substring (`LIKE`) search runs;
//! - search is type-to-search friendly: every word also matches as a prefix;
//! - sessions come newest first by `updated_ms` (ties: the higher id first);
//! - a summary's cost is the sum of the known turn costs, and `cost_unknown` says whether
//!   some turn's cost was unknown;
//! - a fork's summary says where it came from ([`ForkOrigin`]).

use super::{ForkOrigin, SessionSummary};
use rusqlite::{Connection, OptionalExtension, params};

const SUMMARY: &str = "
SELECT s.id, s.title, s.created_ms, s.updated_ms,
    (SELECT COUNT(DISTINCT t.turn_id) FROM turns t WHERE t.session_id = s.id),
    (SELECT TOTAL(t.cost) FROM turns t WHERE t.session_id = s.id),
    EXISTS (SELECT 1 FROM turns t WHERE t.session_id = s.id AND t.cost IS NULL),
    s.forked_from, s.forked_at
FROM sessions s
";

const ORDER: &str = "ORDER BY s.updated_ms DESC, s.id DESC LIMIT ?1";

const FTS_FILTER: &str = "
WHERE s.id IN (SELECT rowid FROM titles_fts WHERE titles_fts MATCH ?2)
   OR s.id IN (SELECT t.session_id FROM turns t
               WHERE t.rowid IN (SELECT rowid FROM turns_fts WHERE turns_fts MATCH ?2))
";

const LIKE_FILTER: &str = r"
WHERE s.title LIKE ?2 ESCAPE '\'
   OR EXISTS (SELECT 1 FROM turns t WHERE t.session_id = s.id
              AND (t.prompt LIKE ?2 ESCAPE '\' OR t.answer LIKE ?2 ESCAPE '\'))
";

/// Sessions, newest first, at most `limit`; with a search, only the matching ones.
pub(super) fn list(
    conn: &Connection,
    search: Option<&str>,
    limit: usize,
) -> rusqlite::Result<Vec<SessionSummary>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let search = search.map(str::trim).filter(|s| !s.is_empty());
    let Some(text) = search else {
        let mut stmt = conn.prepare_cached(&format!("{SUMMARY} {ORDER}"))?;
        let rows = stmt.query_map(params![limit], summary_row)?;
        return with_models(conn, rows.collect::<rusqlite::Result<_>>()?);
    };
    if let Some(query) = fts_query(text) {
        let found = conn
            .prepare_cached(&format!("{SUMMARY} {FTS_FILTER} {ORDER}"))
            .and_then(|mut stmt| {
                stmt.query_map(params![limit, query], summary_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            });
        // A refusal from FTS5 (it should not happen with quoted words) falls through to LIKE.
        if let Ok(found) = found {
            return with_models(conn, found);
        }
    }
    let mut stmt = conn.prepare_cached(&format!("{SUMMARY} {LIKE_FILTER} {ORDER}"))?;
    let rows = stmt.query_map(params![limit, like_pattern(text)], summary_row)?;
    with_models(conn, rows.collect::<rusqlite::Result<_>>()?)
}

/// One session's summary, if it exists.
pub(super) fn summary(conn: &Connection, session: i64) -> rusqlite::Result<Option<SessionSummary>> {
    let found = conn
        .prepare_cached(&format!("{SUMMARY} WHERE s.id = ?1"))?
        .query_row([session], summary_row)
        .optional()?;
    match found {
        Some(s) => Ok(with_models(conn, vec![s])?.pop()),
        None => Ok(None),
    }
}

fn summary_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<SessionSummary> {
    Ok(SessionSummary {
        id: row.get(0)?,
        title: row.get(1)?,
        created_ms: row.get(2)?,
        updated_ms: row.get(3)?,
        turns: u32::try_from(row.get::<_, i64>(4)?).unwrap_or(u32::MAX),
        models: Vec::new(),
        cost: row.get(5)?,
        cost_unknown: row.get(6)?,
        fork: match (row.get::<_, Option<i64>>(7)?, row.get::<_, Option<i64>>(8)?) {
            (Some(session), Some(turn)) => Some(ForkOrigin {
                session,
                turn: u32::try_from(turn).unwrap_or(0),
            }),
            _ => None,
        },
    })
}

/// Fill in each summary's models, in order of first use.
fn with_models(
    conn: &Connection,
    mut sessions: Vec<SessionSummary>,
) -> rusqlite::Result<Vec<SessionSummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT model FROM turns WHERE session_id = ?1 GROUP BY model ORDER BY MIN(turn_id)",
    )?;
    for session in &mut sessions {
        session.models = stmt
            .query_map([session.id], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(sessions)
}

/// The person's text as an FTS5 query: each word quoted and prefix-matched, all required.
/// `None` when the text holds no word (only punctuation), which FTS5 cannot look for.
pub(super) fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// `%text%` for LIKE, with the wildcards in the person's text taken literally.
pub(super) fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_becomes_quoted_prefix_words() {
        assert_eq!(fts_query("sky blue").as_deref(), Some("\"sky\"* \"blue\"*"));
        assert_eq!(
            fts_query("\"rust\" AND (c++) -x: NEAR").as_deref(),
            Some("\"rust\"* \"AND\"* \"c\"* \"x\"* \"NEAR\"*")
        );
        assert_eq!(fts_query("été").as_deref(), Some("\"été\"*"));
        assert_eq!(fts_query("?!* \"' ()"), None);
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
