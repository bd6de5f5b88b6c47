//! `thinkbench models sync [--from FILE_OR_URL] [--dry-run]`: read a public catalog in the
//! models.dev format (by default its published `api.json`), write the figures of the
//! providers thinkbench knows into the overlay file beside `config.toml`, and say what
//! changed.
//!
//! Invariants:
//! - nothing is written unless the whole source was read and understood: a download that
//!   fails, breaks off, is larger than [`MAX_BODY`] or does not parse leaves the overlay as it
//!   was (see `catalog::sync`);
//! - the overlay is written to a temporary file in the same directory and renamed over the
//!   old one, so it is always whole; the built-in table and `config.toml` are never touched;
//! - the changes reported are those the person will see: the catalog in use before (built-in
//!   plus the old overlay, when it reads) against the one after (built-in plus the new);
//! - no credential is sent with the download; it goes through the environment's proxy like
//!   every request (loopback directly).

use crate::catalog::display::{per_million, tokens};
use crate::catalog::sync::{self, Changed, Changes};
use crate::catalog::{Catalog, SyncedFile};
use crate::config::Paths;
use crate::usage::Price;
use std::path::Path;
use std::time::Duration;

/// Most bytes read of a catalog (models.dev's whole `api.json` is a few MB).
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// The longest the download may take.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(60);

/// The text of `source`: a `http(s)://` URL is fetched, anything else is a file path.
pub async fn read_source(
    source: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, String> {
    if !(source.starts_with("https://") || source.starts_with("http://")) {
        return std::fs::read_to_string(source).map_err(|e| format!("cannot read {source}: {e}"));
    }
    let client = crate::api::client_with(env).map_err(|e| e.message)?;
    let shown = crate::api::redact::urls(source).into_owned();
    let failed = |why: String| format!("cannot download {shown}: {why}; nothing was changed");
    let response = client
        .get(source)
        .timeout(FETCH_TIMEOUT)
        .send()
        .await
        .map_err(|e| failed(crate::api::errors::send_error(&e, source).message))?;
    let status = response.status();
    if !status.is_success() {
        return Err(failed(format!("the server answered {status}")));
    }
    crate::api::http::read_whole(response, MAX_BODY)
        .await
        .map_err(|e| match e {
            crate::api::http::WholeBodyError::TooLarge => {
                failed(format!("it is larger than {} MB", MAX_BODY / (1024 * 1024)))
            }
            crate::api::http::WholeBodyError::Body(e) => failed(format!(
                "the download broke off ({})",
                crate::api::errors::root_cause(&e)
            )),
        })
}

/// Read `text` (from `source`), write the overlay dated `today` unless `dry_run`, and return
/// the report.
pub fn apply(
    paths: &Paths,
    text: &str,
    source: &str,
    today: &str,
    dry_run: bool,
) -> Result<String, String> {
    let read =
        sync::read_models_dev(text, &Catalog::builtin()).map_err(|e| format!("{source}: {e}"))?;
    let file = SyncedFile {
        synced_at: today.to_string(),
        source: source.to_string(),
        models: read.entries,
    };
    let overlay_path = paths.synced_catalog();
    let (before, old_note) = catalog_before(&overlay_path);
    let mut after = Catalog::builtin();
    let entries = file.models.len();
    let body = file.to_toml()?;
    // The file written must be the file read back at start.
    after.apply_synced(SyncedFile::parse(&body)?)?;
    let changes = sync::changes(&before, &after);
    let mut out = format!(
        "{entries} models of {} read from {source}\n",
        sync::PROVIDERS.join(", ")
    );
    if let Some(note) = old_note {
        out.push_str(&format!("{note}\n"));
    }
    out.push_str(&report(&changes));
    if !read.skipped.is_empty() {
        out.push_str(&format!(
            "skipped, figures that make no sense ({}):\n",
            read.skipped.len()
        ));
        for s in &read.skipped {
            out.push_str(&format!("  {s}\n"));
        }
    }
    if read.deprecated > 0 {
        out.push_str(&format!(
            "left out: {} deprecated model{} the catalog does not know\n",
            read.deprecated,
            if read.deprecated == 1 { "" } else { "s" }
        ));
    }
    if dry_run {
        out.push_str("nothing written (--dry-run)\n");
        return Ok(out);
    }
    if let Some(dir) = overlay_path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    crate::sessions_cli::write_whole(&overlay_path, body.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", overlay_path.display()))?;
    out.push_str(&format!(
        "wrote {} (prices as of {today}); delete it to go back to the built-in prices\n",
        overlay_path.display()
    ));
    Ok(out)
}

/// The catalog in use before this sync, and a note when the old overlay could not be read.
fn catalog_before(overlay: &Path) -> (Catalog, Option<String>) {
    let mut catalog = Catalog::builtin();
    let text = match std::fs::read_to_string(overlay) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (catalog, None),
        Err(e) => {
            return (
                catalog,
                Some(format!("the old overlay could not be read ({e})")),
            );
        }
    };
    let mut applied = catalog.clone();
    match SyncedFile::parse(&text).and_then(|old| applied.apply_synced(old)) {
        Ok(()) => (applied, None),
        Err(e) => {
            catalog = Catalog::builtin();
            let note = format!(
                "the old overlay did not read ({e}); changes are against the built-in table"
            );
            (catalog, Some(note))
        }
    }
}

/// New models, changed prices, changed limits, models no longer listed, and a count of
/// those unchanged.
fn report(c: &Changes) -> String {
    let mut out = String::new();
    let name = |m: &str, id: &str| format!("{m}/{id}");
    if !c.new.is_empty() {
        out.push_str(&format!("new ({}):\n", c.new.len()));
        for m in &c.new {
            out.push_str(&format!(
                "  {}  {}, context {}\n",
                name(&m.provider, &m.id),
                m.price.map_or("price unknown".to_string(), |p| format!(
                    "{} in / {} out",
                    per_million(p.input),
                    per_million(p.output)
                )),
                tokens(m.context_window)
            ));
        }
    }
    if !c.prices.is_empty() {
        out.push_str(&format!("price changed ({}):\n", c.prices.len()));
        for m in &c.prices {
            out.push_str(&format!(
                "  {}  {}\n",
                name(&m.provider, &m.id),
                price_change(m.before, m.after)
            ));
        }
    }
    if !c.limits.is_empty() {
        out.push_str(&format!("limits changed ({}):\n", c.limits.len()));
        for m in &c.limits {
            out.push_str(&format!("  {}  {}\n", name(&m.provider, &m.id), limits(m)));
        }
    }
    if !c.gone.is_empty() {
        out.push_str(&format!(
            "no longer listed ({}), back to what the built-in table knows: {}\n",
            c.gone.len(),
            c.gone.join(", ")
        ));
    }
    out.push_str(&format!("unchanged: {}\n", c.unchanged));
    out
}

/// `input $2.00 → $1.50, output $8.00 → $6.00` (only the rates that changed).
fn price_change(before: Option<Price>, after: Option<Price>) -> String {
    let (Some(b), Some(a)) = (before, after) else {
        let show = |p: Option<Price>| {
            p.map_or("unknown".to_string(), |p| {
                format!("{} / {}", per_million(p.input), per_million(p.output))
            })
        };
        return format!("{} → {}", show(before), show(after));
    };
    let rate = |r: Option<f64>| r.map_or("-".to_string(), per_million);
    let mut parts = Vec::new();
    for (what, x, y) in [
        ("input", Some(b.input), Some(a.input)),
        ("cached", b.cached_input, a.cached_input),
        ("write", b.cache_write, a.cache_write),
        ("output", Some(b.output), Some(a.output)),
    ] {
        if x != y {
            parts.push(format!("{what} {} → {}", rate(x), rate(y)));
        }
    }
    if b.tier != a.tier {
        parts.push(match a.tier {
            Some(t) => format!(
                "prompts over {}: input {}, output {}",
                tokens(Some(t.above_input)),
                per_million(t.input),
                per_million(t.output)
            ),
            None => "no long-context tier".to_string(),
        });
    }
    parts.join(", ")
}

/// `context 128k → 200k, max output 32k → 64k` (only what changed).
fn limits(m: &Changed) -> String {
    let [(c0, c1), (o0, o1)] = m.limits;
    let mut parts = Vec::new();
    if c0 != c1 {
        parts.push(format!("context {} → {}", tokens(c0), tokens(c1)));
    }
    if o0 != o1 {
        parts.push(format!("max output {} → {}", tokens(o0), tokens(o1)));
    }
    parts.join(", ")
}
