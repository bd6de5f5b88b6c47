//! Running the real `thinkbench` binary in a test: a clean environment (only `PATH`, a fake
//! `OPENAI_API_KEY` and `THINKBENCH_HOME` pointing at the test's own temporary directory),
//! stdin closed or given, stdout and stderr captured; reading what it printed; and the
//! figures `compare` tests check.
#![allow(dead_code)]

use super::fake_server::{FakeServer, Reply};
use serde_json::Value;
use std::path::Path;
use std::process::{Output, Stdio};
use thinkbench::usage::Usage;

/// `thinkbench ARGS` in `home`, with `vars` added to the clean environment.
pub fn command(home: &Path, args: &[&str], vars: &[(&str, &str)]) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_thinkbench"));
    cmd.args(args)
        .env_clear()
        .env("THINKBENCH_HOME", home)
        .env("OPENAI_API_KEY", "sk-test")
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(vars.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // A failing test leaves no process behind (holding what the test run holds).
        .kill_on_drop(true);
    cmd
}

/// Run `thinkbench ARGS` in `home` to the end, feeding `stdin` when given.
pub async fn run(home: &Path, args: &[&str], vars: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut cmd = command(home, args, vars);
    if stdin.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        use tokio::io::AsyncWriteExt;
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(text.as_bytes()).await.unwrap();
        drop(pipe);
    }
    child.wait_with_output().await.unwrap()
}

/// `thinkbench compare --base-url SERVER ARGS` in `home`.
pub async fn compare(home: &Path, server: &FakeServer, args: &[&str]) -> Output {
    let url = server.base_url();
    let mut all = vec!["compare", "--base-url", url.as_str()];
    all.extend_from_slice(args);
    tb(home, &all).await
}

/// Usage as a server reports it: `output` includes `reasoning`.
pub fn usage(input: u64, output: u64, reasoning: u64) -> Usage {
    Usage {
        input,
        output,
        reasoning,
        ..Default::default()
    }
}

/// A streamed answer without reasoning text, reporting `u`.
pub fn answer(text: &str, u: Usage) -> Reply {
    Reply::reasoning_answer("", text, u)
}

/// o3-mini's price as `usage::Price::cost` computes it: $1.10/M in, $4.40/M out.
pub fn o3_mini_cost(input: u64, output: u64) -> f64 {
    (input as f64 * 1.1 + 0.0 * 0.55 + output as f64 * 4.4) / 1_000_000.0
}

pub fn f64_of(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The entries of `compare --json`'s `arms` for `label`.
pub fn runs_of<'a>(v: &'a Value, label: &str) -> Vec<&'a Value> {
    let arms = v["arms"].as_array().unwrap();
    arms.iter().filter(|a| a["arm"] == label).collect()
}

/// The entry of `compare --json`'s `summary` for `label`.
pub fn summary_of<'a>(v: &'a Value, label: &str) -> &'a Value {
    let summary = v["summary"].as_array().unwrap();
    summary.iter().find(|s| s["arm"] == label).unwrap()
}

/// `thinkbench ARGS` in `home`.
pub async fn tb(home: &Path, args: &[&str]) -> Output {
    run(home, args, &[], None).await
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The one JSON line (object or array) on stdout of a run that succeeded.
pub fn json_of(o: &Output) -> Value {
    assert!(o.status.success(), "{}", stderr(o));
    json_anyway(o)
}

/// The JSON document on stdout (pretty-printed or not) of a run that succeeded.
pub fn json_doc(o: &Output) -> Value {
    assert!(o.status.success(), "{}", stderr(o));
    serde_json::from_str(&stdout(o)).unwrap()
}

/// The one JSON object on stdout, whatever the exit status.
pub fn json_anyway(o: &Output) -> Value {
    let text = stdout(o);
    assert_eq!(
        text.trim_end().lines().count(),
        1,
        "exactly one JSON line on stdout: {text}\nstderr: {}",
        stderr(o)
    );
    serde_json::from_str(&text).unwrap()
}

/// Send `signal` (`-INT`, `-9`) to the process `pid` (one this test started).
pub fn signal(pid: u32, signal: &str) {
    let sent = std::process::Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill {signal} {pid}");
}

/// Split one CSV record (RFC 4180: quoted fields, `""` for a quote inside one).
pub fn csv_record(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let field = fields.last_mut().unwrap();
        match (c, quoted) {
            ('"', false) if field.is_empty() => quoted = true,
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => quoted = false,
            (',', false) => fields.push(String::new()),
            (c, _) => field.push(c),
        }
    }
    fields
}
