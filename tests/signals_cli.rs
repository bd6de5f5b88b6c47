//! End to end: `ask` and `compare` told to stop by a signal in the middle of a streaming
//! answer (SIGTERM from `kill`, SIGHUP from a closed terminal, SIGQUIT from Ctrl+\) save
//! every word that arrived, marked interrupted, and exit with 128 + the signal's number.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};
use support::cli::{self, json_anyway, signal, stderr};
use support::fake_server::{FakeServer, Reply};
use thinkbench::conversation::{Turn, TurnState};
use thinkbench::store::Store;
use tokio::io::AsyncReadExt;

/// The turns of session 1 as stored now.
fn stored(home: &Path) -> Vec<Turn> {
    let db = home.join("thinkbench.db");
    Store::open(&db)
        .and_then(|s| s.load(1))
        .map(|(_, turns)| turns)
        .unwrap_or_default()
}

/// 60 words, 100 ms apart.
fn full_text() -> String {
    (1..=60)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn drip() -> Reply {
    Reply::SlowDrip {
        text: full_text(),
        per_token_ms: 100,
    }
}

/// `ask` streaming from `server`, stopped by `sig` once `words` words are on stdout: its
/// exit status, all of its stdout and stderr.
async fn ask_stopped(
    home: &Path,
    server: &FakeServer,
    sig: &str,
    words: usize,
) -> (i32, String, String) {
    let url = server.base_url();
    let args = ["ask", "--base-url", &url, "-m", "gpt-4o", "count"];
    let mut child = cli::command(home, &args, &[]).spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while String::from_utf8_lossy(&got).split_whitespace().count() < words {
        assert!(Instant::now() < deadline, "too few words: {got:?}");
        let mut buf = [0u8; 256];
        let n = stdout.read(&mut buf).await.unwrap();
        assert!(n > 0, "stdout ended early: {got:?}");
        got.extend_from_slice(&buf[..n]);
    }
    signal(child.id().unwrap(), sig);
    stdout.read_to_end(&mut got).await.unwrap();
    let out = child.wait_with_output().await.unwrap();
    let status = out.status.code().unwrap_or_else(|| {
        panic!(
            "killed by the signal instead of exiting ({:?}); stderr: {}",
            out.status,
            stderr(&out)
        )
    });
    (
        status,
        String::from_utf8_lossy(&got).into_owned(),
        stderr(&out),
    )
}

#[tokio::test]
async fn ask_stopped_by_term_hup_or_quit_saves_what_it_printed_as_interrupted() {
    let full = full_text();
    for (sig, name, code) in [
        ("-TERM", "SIGTERM", 143),
        ("-HUP", "SIGHUP", 129),
        ("-QUIT", "SIGQUIT", 131),
    ] {
        let server = FakeServer::start(vec![drip()]).await;
        let home = tempfile::tempdir().unwrap();
        let (status, printed, err) = ask_stopped(home.path(), &server, sig, 4).await;
        assert_eq!(status, code, "{sig}: {err}");
        assert!(err.contains(name), "{sig}: {err}");
        assert!(!err.contains("panicked"), "{sig}: {err}");

        let turns = stored(home.path());
        assert_eq!(turns.len(), 1, "{sig}: {turns:?}");
        let turn = &turns[0];
        assert_eq!(turn.state, TurnState::Interrupted, "{sig}");
        assert!(
            turn.timings.done_ms.is_some(),
            "{sig}: saved when it stopped"
        );
        // Every word printed was saved, none lost to the half-second flush.
        assert_eq!(turn.answer, printed.trim_end_matches('\n'), "{sig}");
        assert!(turn.answer.split_whitespace().count() >= 4, "{sig}");
        assert!(
            full.starts_with(&turn.answer) && turn.answer.len() < full.len(),
            "{sig}: cut short: {:?}",
            turn.answer
        );
    }
}

#[tokio::test]
async fn ask_json_stopped_by_term_prints_the_partial_object_and_exits_143() {
    let server = FakeServer::start(vec![drip()]).await;
    let home = tempfile::tempdir().unwrap();
    let url = server.base_url();
    let args = ["ask", "--base-url", &url, "-m", "gpt-4o", "--json", "count"];
    let child = cli::command(home.path(), &args, &[]).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.requests().is_empty() {
        assert!(Instant::now() < deadline, "the request never came");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    signal(child.id().unwrap(), "-TERM");
    let out = child.wait_with_output().await.unwrap();
    assert_eq!(out.status.code(), Some(143), "{}", stderr(&out));
    let v = json_anyway(&out);
    assert_eq!(v["error"]["type"], "interrupted", "{v}");
    let turns = stored(home.path());
    assert_eq!(turns[0].state, TurnState::Interrupted);
    assert!(!turns[0].answer.is_empty());
    assert_eq!(
        v["answer"],
        turns[0].answer.as_str(),
        "what was printed was saved"
    );
}

#[tokio::test]
async fn compare_stopped_by_term_saves_every_arm_as_interrupted_and_exits_143() {
    let full = full_text();
    let server = FakeServer::start(Vec::new()).await;
    for arm in ["o3-mini@low", "o3-mini@high"] {
        server.route(arm, vec![drip()]);
    }
    let home = tempfile::tempdir().unwrap();
    let url = server.base_url();
    let args = [
        "compare",
        "--base-url",
        &url,
        "-m",
        "o3-mini@low",
        "-m",
        "o3-mini@high",
        "--json",
        "count",
    ];
    let child = cli::command(home.path(), &args, &[]).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.requests().len() < 2 {
        assert!(Instant::now() < deadline, "the requests never came");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    signal(child.id().unwrap(), "-TERM");
    let out = child.wait_with_output().await.unwrap();
    assert_eq!(out.status.code(), Some(143), "{}", stderr(&out));
    let v = json_anyway(&out);
    let runs = v["arms"].as_array().unwrap();
    let turns = stored(home.path());
    assert_eq!(turns.len(), 2, "{turns:?}");
    for (turn, run) in turns.iter().zip(runs) {
        assert_eq!(run["error"]["type"], "interrupted", "{run}");
        assert_eq!(turn.state, TurnState::Interrupted);
        assert!(turn.timings.done_ms.is_some());
        assert_eq!(
            turn.answer,
            run["answer"].as_str().unwrap(),
            "printed = saved"
        );
        assert!(!turn.answer.is_empty() && full.starts_with(&turn.answer));
        assert!(turn.answer.len() < full.len());
    }
}
