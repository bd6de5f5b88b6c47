//! The `thinkbench` command: the TUI by default, `ask` for one headless turn.

use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Read};
use std::process::ExitCode;
use thinkbench::ask::{self, AskOptions};
use thinkbench::config::{self, CommonArgs, Paths};
use thinkbench::session::Session;
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
    #[command(subcommand)]
    command: Option<Command>,
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
        /// The prompt; read from stdin when absent or `-`.
        prompt: Option<String>,
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
            let theme = match Theme::load(
                &settings.theme,
                Some(&paths.config_dir.join("themes")),
                no_color,
            ) {
                Ok(t) => t,
                Err(err) => return fail(err, 2),
            };
            match runtime.block_on(tui::run(Session::new(settings), theme)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => fail(err, 1),
            }
        }
        Some(Command::Ask {
            common,
            json,
            show_reasoning,
            prompt,
        }) => {
            let common = common.or(&cli.common);
            let settings = match config::resolve(&common, &env, &paths) {
                Ok(s) => s,
                Err(err) => return fail(err, 2),
            };
            let prompt = match read_prompt(prompt) {
                Ok(p) => p,
                Err(err) => return fail(err, 2),
            };
            let status = runtime.block_on(ask::run(
                Session::new(settings),
                prompt,
                AskOptions {
                    json,
                    show_reasoning,
                },
            ));
            ExitCode::from(u8::try_from(status).unwrap_or(1))
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
