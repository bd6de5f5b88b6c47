//! End to end: the real TUI on a pseudo-terminal, stopped while a turn streams — by SIGTERM,
//! or by its terminal closing (SIGHUP) — saves every word that arrived as interrupted, puts
//! the terminal back and exits with 128 + the signal's number; and a terminal that cannot be
//! set up is left out of raw mode. Skipped (saying why) where there is no pseudo-terminal.

mod support;

use std::path::Path;
use std::time::Duration;
use support::cli;
use support::fake_server::{FakeServer, Reply};
use support::pty::Pty;
use thinkbench::conversation::{Turn, TurnState};
use thinkbench::store::Store;

const WAIT: Duration = Duration::from_secs(15);

fn stored(home: &Path) -> Vec<Turn> {
    let db = home.join("thinkbench.db");
    Store::open(&db)
        .and_then(|s| s.load(1))
        .map(|(_, turns)| turns)
        .unwrap_or_default()
}

fn full_text() -> String {
    (1..=80)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A pseudo-terminal, or `None` after saying why the test is skipped.
fn pty() -> Option<Pty> {
    match Pty::open(100, 30) {
        Ok(pty) => Some(pty),
        Err(why) => {
            eprintln!("skipped: {why}");
            None
        }
    }
}

/// Start the TUI on `pty` against `server`, send a prompt and let the answer stream for a
/// second (ten words or so).
async fn streaming_tui(pty: &mut Pty, home: &Path, server: &FakeServer) -> tokio::process::Child {
    let url = server.base_url();
    let args = ["--base-url", url.as_str(), "-m", "gpt-4o"];
    let child = pty.spawn(cli::command(home, &args, &[("TERM", "xterm-256color")]));
    pty.wait_for("\x1b[?1049h", WAIT).await;
    // The first frame: the event loop reads the keys from now on.
    pty.wait_for("gpt-4o", WAIT).await;
    pty.type_bytes(b"count\r");
    let deadline = std::time::Instant::now() + WAIT;
    while server.requests().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the prompt was never sent; the terminal got {:?}",
            pty.text()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    child
}

async fn exit_code(child: &mut tokio::process::Child) -> Option<i32> {
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .expect("the TUI exits")
        .unwrap();
    status.code()
}

/// The stored turn holds what streamed up to the stop, marked interrupted when it stopped.
fn assert_saved_interrupted(home: &Path) {
    let turns = stored(home);
    assert_eq!(turns.len(), 1, "{turns:?}");
    let turn = &turns[0];
    assert_eq!(turn.state, TurnState::Interrupted);
    assert!(
        turn.timings.done_ms.is_some(),
        "saved when it stopped, not by the last half-second flush"
    );
    assert!(
        turn.answer.split_whitespace().count() >= 5,
        "{:?}",
        turn.answer
    );
    let full = full_text();
    assert!(full.starts_with(&turn.answer) && turn.answer.len() < full.len());
}

#[tokio::test]
async fn sigterm_while_a_turn_streams_restores_the_terminal_saves_the_turn_and_exits_143() {
    let Some(mut pty) = pty() else { return };
    let server = FakeServer::start(vec![Reply::SlowDrip {
        text: full_text(),
        per_token_ms: 100,
    }])
    .await;
    let home = tempfile::tempdir().unwrap();
    let mut child = streaming_tui(&mut pty, home.path(), &server).await;
    cli::signal(child.id().unwrap(), "-TERM");
    assert_eq!(exit_code(&mut child).await, Some(143));
    pty.wait_closed(WAIT).await;

    let out = pty.text();
    let left = out
        .rfind("\x1b[?1049l")
        .expect("it leaves the alternate screen");
    assert!(
        out.rfind("\x1b[?1049h")
            .is_some_and(|entered| entered < left),
        "the alternate screen is left last"
    );
    assert!(
        !out[left..].contains("\x1b[?1000h") && !out[left..].contains("\x1b[?2004h"),
        "nothing is turned back on after: {:?}",
        &out[left..]
    );
    assert!(!pty.is_raw(), "raw mode is off");
    assert_saved_interrupted(home.path());
}

#[tokio::test]
async fn closing_the_terminal_while_a_turn_streams_saves_the_turn_and_exits_129() {
    let Some(mut pty) = pty() else { return };
    let server = FakeServer::start(vec![Reply::SlowDrip {
        text: full_text(),
        per_token_ms: 100,
    }])
    .await;
    let home = tempfile::tempdir().unwrap();
    let mut child = streaming_tui(&mut pty, home.path(), &server).await;
    pty.hang_up();
    assert_eq!(exit_code(&mut child).await, Some(129));
    assert_saved_interrupted(home.path());
}

#[tokio::test]
async fn a_screen_that_cannot_be_set_up_leaves_raw_mode_off_and_says_why() {
    let Some(mut pty) = pty() else { return };
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped: no /dev/full to make writing the screen fail");
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let args = ["-m", "gpt-4o"];
    let cmd = cli::command(home.path(), &args, &[("TERM", "xterm-256color")]);
    // Raw mode is set on the terminal (stdin); entering the alternate screen (stdout) fails.
    let mut child = pty.spawn_with_stdout(cmd, full.into());
    assert_eq!(exit_code(&mut child).await, Some(1));
    pty.wait_closed(WAIT).await;
    assert!(pty.text().contains("thinkbench:"), "{:?}", pty.text());
    assert!(!pty.is_raw(), "raw mode is off again");
}
