//! `thinkbench models`: what the catalog knows of the models the configured providers offer
//! (`list`), and `models sync` to refresh its prices and limits from a public catalog.
//!
//! Invariants: listing only reads (the config file and the overlay, through
//! `config::resolve`); `sync` writes nothing but the overlay file (see `sync`); what is printed
//! to a terminal is sanitized (ids and sources come from files and servers); failures are one
//! line on stderr and exit 2 (bad usage, an unknown provider, a config that does not resolve)
//! or 1 (a source that cannot be read or understood).

pub mod list;
pub mod sync;

use crate::config::{self, CommonArgs, Paths};
use crate::text::Filter;
use clap::Subcommand;

#[derive(clap::Args, Debug, Default)]
pub struct ModelsArgs {
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Only the models of this provider.
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,
    #[command(subcommand)]
    pub command: Option<ModelsCommand>,
}

#[derive(Subcommand, Debug)]
pub enum ModelsCommand {
    /// Refresh prices, limits and vision of the openai, anthropic and deepseek models from a
    /// catalog in the models.dev format, into models.synced.toml beside config.toml.
    Sync {
        /// A file or an http(s) URL [default: https://models.dev/api.json]
        #[arg(long, value_name = "FILE_OR_URL")]
        from: Option<String>,
        /// Say what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Why a `models` command failed: the message and the exit status.
#[derive(Debug)]
pub struct ModelsError {
    pub message: String,
    pub code: u8,
}

/// Run `models` (or `models sync`); the text to print on stdout.
pub async fn run(
    args: ModelsArgs,
    common: &CommonArgs,
    paths: &Paths,
    env: &dyn Fn(&str) -> Option<String>,
    today: &str,
) -> Result<String, ModelsError> {
    let usage = |message: String| ModelsError { message, code: 2 };
    match args.command {
        Some(ModelsCommand::Sync { from, dry_run }) => {
            if args.json || args.provider.is_some() {
                return Err(usage(
                    "--json and --provider belong to `models`, not `models sync`".to_string(),
                ));
            }
            let source = from.unwrap_or_else(|| crate::catalog::sync::DEFAULT_URL.to_string());
            // A URL without its credentials; a file by its full path.
            let shown = match std::fs::canonicalize(&source) {
                Ok(path) if !source.contains("://") => path.display().to_string(),
                _ => crate::api::redact::urls(&source).into_owned(),
            };
            let failed = |message: String| ModelsError { message, code: 1 };
            let text = sync::read_source(&source, env).await.map_err(failed)?;
            let report = sync::apply(paths, &text, &shown, today, dry_run).map_err(failed)?;
            Ok(Filter::detect(false, env).out(&report).into_owned())
        }
        None => {
            // Listing sends nothing: no key command runs (a password manager would prompt).
            let settings = config::resolve_without_keys(common, env, paths)
                .map_err(|e| usage(e.to_string()))?;
            let (models, without) =
                list::rows(&settings, args.provider.as_deref()).map_err(usage)?;
            Ok(match args.json {
                true => {
                    let json = list::json(&settings, &models, &without).to_string();
                    format!("{}\n", Filter::detect(false, env).json(&json))
                }
                false => Filter::detect(false, env)
                    .out(&list::table(&settings, &models, &without))
                    .into_owned(),
            })
        }
    }
}
