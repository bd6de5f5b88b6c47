//! The offline demo: the built-in `demo` provider's server, on 127.0.0.1 in this process.
//! Its four models stand for the reasoning families the workbench measures (see
//! [`script::MODELS`]) and answer with canned Markdown, at a realistic pace, on the wire
//! shapes of their APIs, so every request goes through the same HTTP, SSE and parsers as a
//! real provider's, and the meter, costs, inspector and sessions work unchanged.
//!
//! Layers, each importing only those below it: `server` (listening, routing, pacing) ->
//! `chat`, `anthropic` (the wire shapes) -> `reply` (a reply as data) -> `script` (what a
//! model says, wire-neutral) -> `answers` (the canned texts); `http` (reading a request,
//! writing a head) sits beside them. This module imports nothing of the TUI, the config or
//! the commands; `config` makes the `demo` provider's endpoint point at [`base_url`].
//!
//! Invariants: the server starts only when the demo is used, at most once per process, and
//! listens only on 127.0.0.1; nothing it answers is billed, and it says so ([`NOT_BILLED`]).

pub mod answers;
pub mod anthropic;
pub mod chat;
pub mod http;
pub mod reply;
pub mod script;
pub mod server;

pub use server::base_url;

/// The provider's name.
pub const PROVIDER: &str = "demo";
/// The model `--demo` starts with.
pub const DEFAULT_MODEL: &str = "demo-o";
/// The request header that carries the pace (see [`parse_pace`]).
pub const PACE_HEADER: &str = "x-thinkbench-demo-pace";
/// The environment variable that sets the pace (beating `demo_pace` in config.toml).
pub const PACE_ENV: &str = "THINKBENCH_DEMO_PACE";
/// What a demo turn's cost is followed by.
pub const NOT_BILLED: &str = "demo, not billed";

/// A pace: how long the demo takes compared with a real model, `1` realistic, `0` instant,
/// `0.5` twice as fast (at most 10).
pub fn parse_pace(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(p) if (0.0..=10.0).contains(&p) => Ok(p),
        _ => Err(format!(
            "the demo pace {text:?} is not a number from 0 (instant) to 10 (1 is realistic)"
        )),
    }
}
