//! `thinkbench sessions …`: list, show, export and delete the stored sessions.
//!
//! Invariants: these commands only read the database, except `rm`, which deletes exactly the
//! session named; a database that does not exist yet is an empty one and is not created by
//! a command that only reads; an unknown session id exits 2, a database that cannot be
//! opened or read exits 1, and either message names what is wrong; `export -o FILE` writes a
//! temporary file next to FILE and renames it over FILE, so FILE is whole or untouched, and
//! then stdout stays empty, and FILE is created readable by its owner only (0600 on Unix);
//! a stdout that closes ends the command quietly with 141 (see `crate::stdout`; `rm` has
//! deleted by then); what is printed to a terminal is sanitized (no control character but
//! newline and tab) unless `--raw` (show, export), what goes to a pipe or a file is exact.

use crate::conversation::Turn;
use crate::export;
use crate::export::compare::{Exchange, exchanges};
use crate::stdout::{self, StdoutError};
use crate::store::{SessionSummary, Store, StoreError};
use crate::text::Filter;
use clap::{Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Default number of sessions `list` prints.
pub const DEFAULT_LIMIT: usize = 50;

#[derive(Subcommand, Debug)]
pub enum SessionsCommand {
    /// List sessions, newest first.
    List {
        /// Print a JSON array instead of a table.
        #[arg(long)]
        json: bool,
        /// Only sessions whose title or text matches.
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// At most this many sessions.
        #[arg(long, value_name = "N", default_value_t = DEFAULT_LIMIT)]
        limit: usize,
    },
    /// Print a session: every prompt, reasoning, answer and usage line.
    Show {
        /// The session id (see `sessions list`).
        id: i64,
        /// Print the stored text exactly, even to a terminal (by default a terminal gets it
        /// without control characters: no escape sequence can reach it).
        #[arg(long)]
        raw: bool,
    },
    /// Export a session as Markdown or JSON.
    Export {
        /// The session id (see `sessions list`).
        id: i64,
        #[arg(long, value_enum, default_value_t = Format::Md)]
        format: Format,
        /// Write to FILE (replaced whole) instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Print the stored text exactly, even to a terminal (a FILE always gets it exactly).
        #[arg(long)]
        raw: bool,
        /// JSON: include each attached file's bytes (base64); by default only name, kind,
        /// size and hash.
        #[arg(long)]
        with_attachments: bool,
    },
    /// Delete a session and its turns.
    Rm {
        /// The session id (see `sessions list`).
        id: i64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Md,
    Json,
}

/// Why a `sessions` command failed.
#[derive(Debug, thiserror::Error)]
pub enum SessionsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Stdout(#[from] StdoutError),
}

impl SessionsError {
    /// The exit status: 2 for a session that does not exist, 141 for a closed stdout (see
    /// `crate::stdout`), 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            SessionsError::Store(StoreError::NoSession(_)) => 2,
            SessionsError::Stdout(err) => u8::try_from(err.exit_status()).unwrap_or(1),
            _ => 1,
        }
    }

    /// What to print on stderr: nothing when stdout's reader simply went away.
    pub fn message(&self) -> Option<String> {
        match self {
            SessionsError::Stdout(err) => err.message(),
            _ => Some(self.to_string()),
        }
    }
}

/// Run `command` against the database at `db`; what to print goes to stdout, through
/// `filter` (its `raw` set by the command's `--raw`).
pub fn run(db: &Path, command: SessionsCommand, filter: Filter) -> Result<(), SessionsError> {
    match command {
        SessionsCommand::List {
            json,
            search,
            limit,
        } => {
            let sessions = match open_existing(db)? {
                Some(store) => store.list(search.as_deref().filter(|s| !s.is_empty()), limit)?,
                None => Vec::new(),
            };
            if json {
                let list: Vec<_> = sessions.iter().map(export::summary_json).collect();
                let json = format!("{}\n", serde_json::Value::Array(list));
                print(&filter.json(&json), Filter::default())?;
            } else if sessions.is_empty() {
                eprintln!("no sessions");
            } else {
                print(&table(&sessions), filter)?;
            }
        }
        SessionsCommand::Show { id, raw } => {
            let (summary, turns) = load(db, id)?;
            print(&show(&summary, &turns), filter.with_raw(raw))?;
        }
        SessionsCommand::Export {
            id,
            format,
            output,
            raw,
            with_attachments,
        } => {
            let (summary, turns) = load(db, id)?;
            let text = match format {
                Format::Md => export::markdown(&summary, &turns),
                Format::Json => format!(
                    "{:#}\n",
                    export::session_json(&summary, &turns, with_attachments)
                ),
            };
            match output {
                Some(path) => write_whole(&path, text.as_bytes())
                    .map_err(|source| SessionsError::Write { path, source })?,
                None if format == Format::Json => {
                    print(&filter.with_raw(raw).json(&text), Filter::default())?
                }
                None => print(&text, filter.with_raw(raw))?,
            }
        }
        SessionsCommand::Rm { id } => {
            let Some(mut store) = open_existing(db)? else {
                return Err(StoreError::NoSession(id).into());
            };
            let (summary, _) = store.load(id)?;
            store.delete(id)?;
            let turns = if summary.turns == 1 { "turn" } else { "turns" };
            let line = format!(
                "deleted session {} \"{}\" ({} {turns})\n",
                summary.id, summary.title, summary.turns
            );
            print(&line, filter)?;
        }
    }
    Ok(())
}

/// The store at `db`, or `None` when there is no database there yet.
fn open_existing(db: &Path) -> Result<Option<Store>, StoreError> {
    if !db.exists() {
        return Ok(None);
    }
    Store::open(db).map(Some)
}

fn load(db: &Path, id: i64) -> Result<(SessionSummary, Vec<Turn>), StoreError> {
    match open_existing(db)? {
        Some(store) => store.load(id),
        None => Err(StoreError::NoSession(id)),
    }
}

/// Print `text`, sanitized when stdout is a terminal (stored text is model and server
/// text: no escape sequence of it may reach a terminal) unless `--raw`; exact to a pipe.
/// JSON goes through [`Filter::json`] first and then here with the default (exact) filter.
fn print(text: &str, filter: Filter) -> Result<(), StdoutError> {
    stdout::write(filter.out(text).as_bytes())
}

/// Write `bytes` to `path` through a temporary file (new, 0600 on Unix) in the same
/// directory and a rename.
pub fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".to_string());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = crate::store::private::create_new_file(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// The `list` table: id, date, turns, models, cost, title.
pub fn table(sessions: &[SessionSummary]) -> String {
    let rows: Vec<[String; 6]> = sessions
        .iter()
        .map(|s| {
            [
                s.id.to_string(),
                export::date(s.updated_ms),
                s.turns.to_string(),
                s.models.join(", "),
                crate::usage::dollars_total(s.cost, s.cost_unknown, false),
                s.title.lines().next().unwrap_or("").to_string(),
            ]
        })
        .collect();
    let header = ["ID", "DATE (UTC)", "TURNS", "MODELS", "COST", "TITLE"];
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 6]| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let pad = widths[i].saturating_sub(cell.chars().count());
            match i {
                // Numbers right-aligned, the title last and unpadded.
                0 | 2 | 4 => out.push_str(&format!("{}{cell}  ", " ".repeat(pad))),
                5 => out.push_str(cell),
                _ => out.push_str(&format!("{cell}{}  ", " ".repeat(pad))),
            }
        }
        format!("{}\n", out.trim_end())
    };
    let mut out = line(header);
    for row in &rows {
        out.push_str(&line(row.each_ref().map(String::as_str)));
    }
    out
}

/// `sessions show`: every turn's prompt, reasoning (each line marked `│ `), answer and usage;
/// a comparison once, with each arm under its heading, the summary table and the kept arm.
pub fn show(summary: &SessionSummary, turns: &[Turn]) -> String {
    let mut out = format!(
        "session {} · {} · {} UTC\n",
        summary.id,
        summary.title.lines().next().unwrap_or(""),
        export::date(summary.created_ms)
    );
    if let Some(fork) = &summary.fork {
        out.push_str(&format!("{fork}\n"));
    }
    for (n, exchange) in exchanges(turns).iter().enumerate() {
        let n = n + 1;
        match exchange {
            Exchange::Turn(turn) => {
                out.push_str(&format!("\n[{n}] you\n{}\n", turn.prompt.trim_end()));
                show_reply(&mut out, &format!("[{n}]"), &turn.spec.model, turn);
            }
            Exchange::Comparison(c) => {
                out.push_str(&format!(
                    "\n[{n}] you · {}\n{}\n",
                    c.title(),
                    c.prompt().trim_end()
                ));
                for i in c.in_order() {
                    show_reply(&mut out, &format!("[{n}] {}", c.heading(i)), "", &c.arms[i]);
                }
                out.push_str(&format!("\n[{n}] summary\n{}", c.summary_text()));
                out.push_str(&format!("{}\n", c.kept_line()));
            }
        }
    }
    out.push_str(&format!("\ntotal: {}\n", export::totals_line(turns)));
    out
}

/// One answer: `{tag} thinking` (when there is reasoning), then `{tag} {name}` over the
/// answer, tool calls, how it ended and the usage line.
fn show_reply(out: &mut String, tag: &str, name: &str, turn: &Turn) {
    let heading = if name.is_empty() {
        tag.to_string()
    } else {
        format!("{tag} {name}")
    };
    if !turn.reasoning.trim().is_empty() {
        let thinking = if name.is_empty() {
            format!("{tag} · thinking")
        } else {
            format!("{tag} thinking")
        };
        out.push_str(&format!("\n{thinking}\n"));
        for line in turn.reasoning.trim_end().lines() {
            out.push_str(&format!("│ {line}\n"));
        }
    }
    out.push_str(&format!("\n{heading}\n"));
    if !turn.answer.trim().is_empty() {
        out.push_str(&format!("{}\n", turn.answer.trim_end()));
    }
    for call in &turn.tool_calls {
        out.push_str(&format!(
            "the model asked to call `{}({})`\n",
            call.name, call.arguments
        ));
    }
    if let Some(note) = export::state_note(turn) {
        out.push_str(&format!("({note})\n"));
    }
    out.push_str(&format!("{}\n", turn.usage_line()));
}
