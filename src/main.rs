//! The `thinkbench` command: the TUI by default, `ask` for one headless turn, `sessions` to
//! browse the stored ones. Exit status (the README's list): 0 done, 1 failed, 2 bad usage or
//! unknown session (or, with `--strict`, an effort the model does not take; without it the
//! effort is clamped with a note), 3 (`ask` only) no answer because the output budget went to
//! reasoning (`finish_reason` `length`), 75 the answer came but could not be saved, 128 + the
//! signal's number when one stopped it (130 Ctrl+C, 143 SIGTERM, 129 SIGHUP, 131 SIGQUIT; see
//! `signals`), 141 when stdout closed before all was written (see `stdout`).

use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Read};
use std::process::ExitCode;
use thinkbench::api::{Endpoint, origin};
use thinkbench::ask::{self, AskOptions};
use thinkbench::compare;
use thinkbench::config::{self, CommonArgs, Paths};
use thinkbench::demo;
use thinkbench::models_cli;
use thinkbench::session::Session;
use thinkbench::sessions_cli::{self, SessionsCommand};
use thinkbench::store;
use thinkbench::store::SessionChoice;
use thinkbench::text::Filter;
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
        /// Write the model's text exactly as it came, even to a terminal (by default a
        /// terminal gets it without control characters: no escape sequence can reach it).
        #[arg(long)]
        raw: bool,
        /// Send a file with the prompt: text as a fenced block with its name, a PNG, JPEG,
        /// WebP or GIF as an image (repeat for more)
        #[arg(long = "attach", value_name = "PATH")]
        attach: Vec<std::path::PathBuf>,
        #[command(flatten)]
        resume: ResumeArgs,
        /// The prompt; read from stdin when absent or `-`.
        prompt: Option<String>,
    },
    /// Send one prompt to several arms ([PROVIDER/]MODEL[@EFFORT]) side by side: tokens,
    /// reasoning, cost and time per arm.
    Compare {
        /// An arm: o3-mini@low, openai/o3-mini@high, deepseek-reasoner (repeat: -m A -m B;
        /// with --demo, every demo model when none is given)
        #[arg(
            short = 'm',
            long = "model",
            value_name = "ARM",
            required_unless_present = "demo"
        )]
        arms: Vec<String>,
        #[command(flatten)]
        run: CompareArgs,
    },
    /// Send one prompt to one model at several reasoning efforts.
    Sweep {
        /// The model, optionally prefixed by its provider
        #[arg(short = 'm', long = "model", value_name = "[PROVIDER/]MODEL")]
        model: Option<String>,
        /// Effort levels, comma-separated [default: every level the model accepts]
        #[arg(long, value_name = "LEVEL,...", value_delimiter = ',')]
        efforts: Vec<String>,
        #[command(flatten)]
        run: CompareArgs,
    },
    /// The models the configured providers offer: limits, prices, reasoning, vision and
    /// where each figure came from (`models sync` refreshes prices from a public catalog).
    Models(models_cli::ModelsArgs),
    /// List, show, export or delete stored sessions.
    Sessions {
        #[command(subcommand)]
        command: SessionsCommand,
    },
}

/// Flags of `compare` and `sweep` beside the arms.
#[derive(clap::Args, Debug)]
struct CompareArgs {
    /// Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Wire protocol to speak
    #[arg(long, value_name = "chat|responses|anthropic", value_parser = config::parse_api_kind)]
    api: Option<thinkbench::api::ApiKind>,
    /// The offline demo: its models only, canned answers, no network, no key, not billed
    #[arg(long, conflicts_with_all = ["base_url", "api"])]
    demo: bool,
    /// Output budget per request, hidden reasoning included
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    max_output_tokens: Option<u64>,
    /// System instructions
    #[arg(long, value_name = "TEXT")]
    system: Option<String>,
    /// Send each arm N times, to see run-to-run variance
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=20))]
    runs: u32,
    /// At most K requests in flight [default: compare_concurrency in config.toml, else 4]
    #[arg(long, value_name = "K", value_parser = parse_concurrency)]
    concurrency: Option<usize>,
    /// Print one JSON object at the end (same as --format json)
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// text (summary and answers), json (one object) or csv (one row per run)
    #[arg(long, value_enum, default_value = "text")]
    format: compare::report::Format,
    /// Write the models' text exactly as it came, even to a terminal (by default a terminal
    /// gets it without control characters: no escape sequence can reach it).
    #[arg(long)]
    raw: bool,
    #[command(flatten)]
    resume: ResumeArgs,
    /// The prompt; read from stdin when absent or `-`.
    prompt: Option<String>,
}

fn parse_concurrency(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(k) if (1..=16).contains(&k) => Ok(k),
        _ => Err("must be a number from 1 to 16".to_string()),
    }
}

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

/// `thinkbench: MESSAGE` on stderr (sanitized on a terminal: it may quote a server or a
/// file), and the exit status `code`.
fn fail(message: impl std::fmt::Display, code: u8) -> ExitCode {
    let message = message.to_string();
    eprintln!("thinkbench: {}", Filter::detect(false, &env).diag(&message));
    ExitCode::from(code)
}

/// glibc gives each thread that allocates an arena of its own, and memory freed in one is not
/// reused by another: a long answer laid out on the UI thread while the request's worker
/// threads parse it spreads over several heaps. Two arenas keep the resident size near what
/// is in use.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets an allocator tunable; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

fn main() -> ExitCode {
    limit_malloc_arenas();
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
                Ok(None) => ExitCode::SUCCESS,
                Ok(Some(signal)) => ExitCode::from(u8::try_from(signal.exit_status()).unwrap_or(1)),
                Err(err) => fail(err, 1),
            }
        }
        Some(Command::Ask {
            common,
            json,
            show_reasoning,
            raw,
            attach,
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
            if let Some(note) = &settings.effort_note {
                eprintln!("thinkbench: note: {note}");
            }
            warn_plain_http([&settings.endpoint]);
            let mut attachments = Vec::with_capacity(attach.len());
            for path in &attach {
                match thinkbench::attach::Attachment::load(path, settings.attach) {
                    Ok(a) => attachments.push(a),
                    Err(err) => return fail(err, 2),
                }
            }
            if let Some(why) = thinkbench::session::images_refused(&settings, &attachments) {
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
                attachments,
                AskOptions {
                    json,
                    show_reasoning,
                    filter: Filter::detect(raw, &env),
                },
                recorder,
            ));
            ExitCode::from(u8::try_from(status).unwrap_or(1))
        }
        Some(Command::Compare { mut arms, run }) => {
            if arms.is_empty() && run.demo {
                arms = demo::script::MODELS
                    .iter()
                    .map(|(id, _, _)| id.to_string())
                    .collect();
            }
            let Some((first, _)) = arms.first().and_then(|a| compare::parse_arm(a).ok()) else {
                let why = arms.first().map_or_else(
                    || "name at least one arm with -m".to_string(),
                    |a| compare::parse_arm(a).err().unwrap_or_default(),
                );
                return fail(why, 2);
            };
            compare_command(
                &runtime,
                &paths,
                &cli.common,
                Some(first),
                run,
                |base, at_base_url| {
                    if at_base_url || base.is_demo() {
                        compare::resolve_arms_at_base_url(base, &arms, &env)
                    } else {
                        compare::resolve_arms(base, &arms, &env)
                    }
                },
            )
        }
        Some(Command::Sweep {
            model,
            efforts,
            run,
        }) => compare_command(&runtime, &paths, &cli.common, model, run, |base, _| {
            compare::sweep_arms(base, &efforts)
        }),
        Some(Command::Models(args)) => {
            let now_ms = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
            let today: String = thinkbench::timefmt::utc_minutes(now_ms)
                .chars()
                .take(10)
                .collect();
            match runtime.block_on(models_cli::run(args, &cli.common, &paths, &env, &today)) {
                Ok(text) => match thinkbench::stdout::write(text.as_bytes()) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(err) => {
                        if let Some(message) = err.message() {
                            eprintln!("thinkbench: {message}");
                        }
                        ExitCode::from(u8::try_from(err.exit_status()).unwrap_or(1))
                    }
                },
                Err(err) => fail(err.message, err.code),
            }
        }
        Some(Command::Sessions { command }) => {
            let filter = Filter::detect(false, &env);
            match sessions_cli::run(&paths.data_dir.join(store::DB_FILE), command, filter) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => match err.message() {
                    Some(message) => fail(message, err.exit_code()),
                    None => ExitCode::from(err.exit_code()),
                },
            }
        }
    }
}

/// `compare` and `sweep`: resolve the base settings (for `model`), build the arms with
/// `arms` (told whether `--base-url` was given), open the session and run.
fn compare_command(
    runtime: &tokio::runtime::Runtime,
    paths: &Paths,
    before: &CommonArgs,
    model: Option<String>,
    args: CompareArgs,
    arms: impl FnOnce(&config::Settings, bool) -> Result<Vec<compare::Arm>, String>,
) -> ExitCode {
    let common = CommonArgs {
        model,
        effort: None,
        base_url: args.base_url.clone(),
        api: args.api,
        max_output_tokens: args.max_output_tokens,
        system: args.system.clone(),
        theme: None,
        strict: false,
        demo: args.demo,
    }
    .or(before);
    let base = match config::resolve(&common, &env, paths) {
        Ok(s) => s,
        Err(err) => return fail(err, 2),
    };
    let mut arms = match arms(&base, common.base_url.is_some()) {
        Ok(arms) => arms,
        Err(err) => return fail(err, 2),
    };
    if arms.len() * args.runs as usize > compare::MAX_REQUESTS {
        return fail(
            format!(
                "{} arms x {} runs is more than {} requests; send fewer",
                arms.len(),
                args.runs,
                compare::MAX_REQUESTS
            ),
            2,
        );
    }
    if let Some(api) = common.api {
        for arm in &mut arms {
            arm.settings.endpoint.api = api;
        }
    }
    for arm in &arms {
        if let Some(why) = arm.settings.missing_key() {
            return fail(format!("arm `{}`: {why}", arm.label), 2);
        }
        if common.demo && !arm.settings.is_demo() {
            let why = "with --demo every arm is a model of the offline demo";
            return fail(format!("arm `{}`: {why}", arm.label), 2);
        }
    }
    warn_plain_http(arms.iter().map(|a| &a.settings.endpoint));
    let prompt = match read_prompt(args.prompt) {
        Ok(p) => p,
        Err(err) => return fail(err, 2),
    };
    let choice = match (args.resume.session, args.resume.continue_latest) {
        (Some(id), _) => SessionChoice::Id(id),
        (None, true) => SessionChoice::Latest,
        (None, false) => SessionChoice::New,
    };
    let (recorder, turns) = match ask::open_session(&paths.data_dir.join(store::DB_FILE), choice) {
        Ok(opened) => opened,
        Err(err) => return fail(err, 2),
    };
    let format = if args.json {
        compare::report::Format::Json
    } else {
        args.format
    };
    let base_concurrency = base.compare.concurrency;
    let status = runtime.block_on(compare::run::run(
        Session::resume(base, turns),
        prompt,
        arms,
        compare::run::Options {
            format,
            runs: args.runs,
            concurrency: args.concurrency.unwrap_or(base_concurrency),
            filter: Filter::detect(args.raw, &env),
        },
        recorder,
    ));
    ExitCode::from(u8::try_from(status).unwrap_or(1))
}

/// Warn on stderr, once per host and before anything is sent, of every host a key goes to
/// over plain http (see `api::origin`).
fn warn_plain_http<'a>(endpoints: impl IntoIterator<Item = &'a Endpoint>) {
    let mut hosts: Vec<String> = Vec::new();
    for endpoint in endpoints {
        if let Some(host) = origin::key_over_plain_http(endpoint)
            && !hosts.contains(&host)
        {
            eprintln!("thinkbench: {}", origin::cleartext_warning(&host));
            hosts.push(host);
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
