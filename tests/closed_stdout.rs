//! End to end: a reader that goes away (`thinkbench ask … | head -1`) stops the command: the
//! request is cancelled, the partial turn kept (interrupted), and the command exits quietly
//! with 141 — what a shell reports for a process killed by SIGPIPE — never with a panic.
//! The same for every command that writes to stdout.

mod support;

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};
use support::cli::{self, stderr};
use support::fake_server::{FakeServer, Reply};
use thinkbench::conversation::{Turn, TurnState};
use thinkbench::store::Store;
use tokio::io::AsyncReadExt;

fn stored(home: &Path) -> Vec<Turn> {
    let db = home.join("thinkbench.db");
    Store::open(&db)
        .and_then(|s| s.load(1))
        .map(|(_, turns)| turns)
        .unwrap_or_default()
}

/// Run `thinkbench ARGS` in `home` with a stdout whose reader has already gone.
async fn into_closed_pipe(home: &Path, args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut cmd = cli::command(home, args, &[]);
    cmd.stdout(Stdio::from(writer));
    cmd.spawn().unwrap().wait_with_output().await.unwrap()
}

/// Exited 141, with nothing on stderr (no panic, no message).
fn assert_quiet_141(out: &Output, what: &str) {
    assert_eq!(out.status.code(), Some(141), "{what}: {}", stderr(out));
    assert!(stderr(out).trim().is_empty(), "{what}: {:?}", stderr(out));
}

#[tokio::test]
async fn ask_piped_into_head_stops_the_request_keeps_the_partial_turn_and_exits_141() {
    let full: String = (1..=60).map(|i| format!("line {i}\n")).collect();
    // Two pieces per line, 50 ms apart: six seconds for the whole answer.
    let server = FakeServer::start(vec![Reply::SlowDrip {
        text: full.clone(),
        per_token_ms: 50,
    }])
    .await;
    let home = tempfile::tempdir().unwrap();
    let url = server.base_url();
    let args = ["ask", "--base-url", &url, "-m", "gpt-4o", "count"];
    let mut child = cli::command(home.path(), &args, &[]).spawn().unwrap();
    // `head -1`: read the first line, then close the pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut got = Vec::new();
    while !got.contains(&b'\n') {
        let mut byte = [0u8; 1];
        assert_eq!(stdout.read(&mut byte).await.unwrap(), 1, "{got:?}");
        got.push(byte[0]);
    }
    assert_eq!(got, b"line 1\n");
    drop(stdout);
    let closed = Instant::now();
    let out = child.wait_with_output().await.unwrap();
    assert_quiet_141(&out, "ask");
    assert!(
        closed.elapsed() < Duration::from_secs(3),
        "the request was cancelled, not streamed to its end: {:?}",
        closed.elapsed()
    );

    let turns = stored(home.path());
    assert_eq!(turns.len(), 1, "{turns:?}");
    let turn = &turns[0];
    assert_eq!(turn.state, TurnState::Interrupted);
    assert!(turn.answer.starts_with("line 1\n"), "{:?}", turn.answer);
    assert!(full.starts_with(&turn.answer) && turn.answer.len() < full.len());
}

#[tokio::test]
async fn ask_json_into_a_closed_pipe_exits_141_without_a_panic() {
    let server = FakeServer::start(vec![Reply::answer("Paris.")]).await;
    let home = tempfile::tempdir().unwrap();
    let url = server.base_url();
    let args = [
        "ask",
        "--base-url",
        &url,
        "-m",
        "gpt-4o",
        "--json",
        "capital?",
    ];
    let out = into_closed_pipe(home.path(), &args).await;
    assert_quiet_141(&out, "ask --json");
    // The answer had arrived whole before it could not be printed: it is kept as it is.
    assert_eq!(stored(home.path())[0].answer, "Paris.");
}

#[tokio::test]
async fn compare_into_a_closed_pipe_exits_141() {
    let server = FakeServer::start(vec![Reply::answer("Paris.")]).await;
    let home = tempfile::tempdir().unwrap();
    let url = server.base_url();
    for format in ["text", "json", "csv"] {
        let args = [
            "compare",
            "--base-url",
            &url,
            "-m",
            "gpt-4o",
            "-m",
            "o3-mini",
            "--format",
            format,
            "capital?",
        ];
        let out = into_closed_pipe(home.path(), &args).await;
        assert_quiet_141(&out, format);
    }
}

#[tokio::test]
async fn sessions_commands_into_a_closed_pipe_exit_141() {
    let server = FakeServer::start(vec![Reply::answer("Paris.")]).await;
    let home = tempfile::tempdir().unwrap();
    let url = server.base_url();
    let out = cli::tb(
        home.path(),
        &["ask", "--base-url", &url, "-m", "gpt-4o", "capital?"],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    for args in [
        &["sessions", "list"][..],
        &["sessions", "list", "--json"],
        &["sessions", "show", "1"],
        &["sessions", "export", "1"],
        &["sessions", "export", "1", "--format", "json"],
    ] {
        let out = into_closed_pipe(home.path(), args).await;
        assert_quiet_141(&out, &args.join(" "));
    }
    // `rm` deletes, then says so: the deletion stands, the status says the news was lost.
    let out = into_closed_pipe(home.path(), &["sessions", "rm", "1"]).await;
    assert_quiet_141(&out, "sessions rm");
    let listed = cli::tb(home.path(), &["sessions", "list", "--json"]).await;
    assert_eq!(cli::stdout(&listed).trim(), "[]");
}
