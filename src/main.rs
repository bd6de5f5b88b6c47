//! The `thinkbench` command: the TUI by default, `ask` for one headless turn, `sessions` to
//! browse the stored ones. Exit status: 0 done, 1 failed, 2 bad usage or unknown session,
//! 130 interrupted.

use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Read};
use std::process::ExitCode;
use thinkbench::ask::{self, AskOptions};
use thinkbench::config::{self, CommonArgs, Paths};
use thinkbench::session::Session;
use thinkbench::sessions_cli::{self, SessionsCommand};
use thinkbench::store;
use thinkbench::store::SessionChoice;
use thinkbench::tui::{self, theme::Theme};

#[derive(Parser, Debug)]
#[command(
    name = "thinkbench",
    version,
    about = "A terminal workbench for reasoning models: chat, switch, and see what every turn costs"
)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(flatten)]
    resume: ResumeArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

/// Which stored session to continue (TUI and `ask`).
#[derive(clap::Args, Debug, Default)]
struct ResumeArgs {
    /// Continue the most recent session (its turns are sent as history).
    #[arg(short = 'c', long = "continue", conflicts_with = "session")]
    continue_latest: bool,
    /// Continue session ID (its turns are sent as history).
    #[arg(long, value_name = "ID")]
    session: Option<i64>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Send one prompt and stream the answer to stdout (usage to stderr).
    Ask {
        #[command(flatten)]
        common: CommonArgs,
        /// Print exactly one JSON object at the end instead of streaming text.
        #[arg(long)]
        json: bool,
        /// Stream the model's shared reasoning text to stderr.
        #[arg(long)]
        show_reasoning: bool,
        #[command(flatten)]
        resume: ResumeArgs,
        /// The prompt; read from stdin when absent or `-`.
        prompt: Option<String>,
    },
    /// List, show, export or delete stored sessions.
    Sessions {
        #[command(subcommand)]
        command: SessionsCommand,
    },
}

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

fn fail(message: impl std::fmt::Display, code: u8) -> ExitCode {
    eprintln!("thinkbench: {message}");
    ExitCode::from(code)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(err) => return fail(format!("cannot start the async runtime: {err}"), 1),
    };
    let paths = match Paths::from_env(&env) {
        Ok(p) => p,
        Err(err) => return fail(err, 2),
    };
    match cli.command {
        None => {
            let settings = match config::resolve(&cli.common, &env, &paths) {
                Ok(s) => s,
                Err(err) => return fail(err, 2),
            };
            let no_color = env("NO_COLOR").is_some_and(|v| !v.is_empty());
            let theme = match Theme::load(&settings.theme, Some(&paths.themes_dir()), no_color) {
                Ok(t) => t,
                Err(err) => return fail(err, 2),
            };
            let db = paths.data_dir.join(store::DB_FILE);
            let store = store::Store::open(&db);
            let resume = match (cli.resume.session, cli.resume.continue_latest) {
                (Some(id), _) => SessionChoice::Id(id),
                (None, true) => SessionChoice::Latest,
                (None, false) => SessionChoice::New,
            };
            // Asked for a stored session: it must exist (and the store must open).
            match (&store, resume) {
                (Err(err), SessionChoice::Id(_) | SessionChoice::Latest) => return fail(err, 1),
                (Ok(s), SessionChoice::Id(id)) => {
                    if let Err(err) = s.load(id) {
                        return fail(err, 2);
                    }
                }
                _ => {}
            }
            let store = store.map_err(|e| e.to_string());
            match runtime.block_on(tui::run(
                Session::new(settings),
                theme,
                store,
                resume,
                std::sync::Arc::new(env),
            )) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => fail(err, 1),
            }
        }
        Some(Command::Ask {
            common,
            json,
            show_reasoning,
            resume:
                ResumeArgs {
                    continue_latest,
                    session,
                },
            prompt,
        }) => {
            let common = common.or(&cli.common);
            let settings = match config::resolve(&common, &env, &paths) {
                Ok(s) => s,
                Err(err) => return fail(err, 2),
            };
            if let Some(why) = settings.missing_key() {
                return fail(why, 2);
            }
            let prompt = match read_prompt(prompt) {
                Ok(p) => p,
                Err(err) => return fail(err, 2),
            };
            let choice = match (session, continue_latest) {
                (Some(id), _) => SessionChoice::Id(id),
                (None, true) => SessionChoice::Latest,
                (None, false) => SessionChoice::New,
            };
            let (recorder, turns) =
                match ask::open_session(&paths.data_dir.join(store::DB_FILE), choice) {
                    Ok(opened) => opened,
                    Err(err) => return fail(err, 2),
                };
            let status = runtime.block_on(ask::run(
                Session::resume(settings, turns),
                prompt,
                AskOptions {
                    json,
                    show_reasoning,
                },
                recorder,
            ));
            ExitCode::from(u8::try_from(status).unwrap_or(1))
        }
        Some(Command::Sessions { command }) => {
            match sessions_cli::run(&paths.data_dir.join(store::DB_FILE), command) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => fail(&err, err.exit_code()),
            }
        }
    }
}

/// The prompt from the argument, or from stdin when it is absent or `-`.
fn read_prompt(arg: Option<String>) -> Result<String, String> {
    let text = match arg.as_deref() {
        Some(p) if p != "-" => p.to_string(),
        _ => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                return Err("no prompt: pass one as an argument or pipe it on stdin".to_string());
            }
            let mut buf = String::new();
            stdin
                .lock()
                .read_to_string(&mut buf)
                .map_err(|e| format!("cannot read the prompt from stdin: {e}"))?;
            buf
        }
    };
    if text.trim().is_empty() {
        return Err("the prompt is empty".to_string());
    }
    Ok(text)
}
