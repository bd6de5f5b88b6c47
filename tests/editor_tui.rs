//! End to end: Ctrl+G in the real TUI on a pseudo-terminal hands the terminal to `$EDITOR`
//! (out of raw mode, off the alternate screen, mouse capture off), takes it back without
//! asking the terminal anything, draws the edited text and sends it. Skipped (saying why)
//! where there is no pseudo-terminal.

#![cfg(unix)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;
use support::cli;
use support::fake_server::{FakeServer, Reply};
use support::pty::Pty;

const WAIT: Duration = Duration::from_secs(15);

#[tokio::test]
async fn ctrl_g_hands_the_terminal_to_the_editor_and_takes_it_back() {
    let mut pty = match Pty::open(100, 30) {
        Ok(pty) => pty,
        Err(why) => {
            eprintln!("skipped: {why}");
            return;
        }
    };
    let server = FakeServer::start(vec![Reply::answer("Noted.")]).await;
    let home = tempfile::tempdir().unwrap();
    let stty = home.path().join("stty");
    let editor = home.path().join("append.sh");
    std::fs::write(
        &editor,
        format!(
            "#!/bin/sh\nstty -a > '{}'\necho 'appended by the editor' >> \"$1\"\n",
            stty.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    let url = server.base_url();
    let editor = editor.display().to_string();
    let args = ["--base-url", url.as_str(), "-m", "gpt-4o"];
    let vars = [("TERM", "xterm-256color"), ("EDITOR", editor.as_str())];
    let mut child = pty.spawn(cli::command(home.path(), &args, &vars));
    pty.wait_for("\x1b[?1049h", WAIT).await;
    pty.wait_for("gpt-4o", WAIT).await;
    let before = pty.output().len();
    // Keys are read in order: the draft, then Ctrl+G (the BEL byte).
    pty.type_bytes(b"my draft\x07");
    pty.wait_for("appended by the editor", WAIT).await;

    let out = pty.output();
    let after = String::from_utf8_lossy(&out[before..]).to_string();
    let left = after
        .find("\x1b[?1049l")
        .expect("the alternate screen is left");
    let back = after.rfind("\x1b[?1049h").expect("and entered again");
    assert!(left < back, "{after:?}");
    assert!(after[..back].contains("\x1b[?1000l"), "mouse capture off");
    assert!(after[back..].contains("\x1b[?1000h"), "and on again");
    assert!(!after.contains("\x1b[6n"), "no cursor query: {after:?}");
    let modes = std::fs::read_to_string(&stty).unwrap();
    assert!(
        modes.split_whitespace().any(|w| w == "icanon"),
        "the editor runs out of raw mode: {modes}"
    );
    assert!(pty.is_raw(), "raw mode is back");

    // The edited text is what Enter sends.
    pty.type_bytes(b"\r");
    let deadline = std::time::Instant::now() + WAIT;
    while server.requests().is_empty() {
        assert!(std::time::Instant::now() < deadline, "{:?}", pty.text());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let body = &server.requests()[0].body;
    let messages = body["messages"].to_string();
    assert!(
        messages.contains("my draft\\nappended by the editor\""),
        "{messages}"
    );
    // The short answer arrives at once.
    tokio::time::sleep(Duration::from_millis(300)).await;
    pty.type_bytes(b"\x11");
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .expect("the TUI exits")
        .unwrap();
    assert_eq!(status.code(), Some(0), "{:?}", pty.text());
}

/// Start the TUI with an editor that says it started and then takes a second, type a draft
/// and Ctrl+G; returns the child once the editor runs.
async fn in_slow_editor(pty: &mut Pty, home: &std::path::Path) -> tokio::process::Child {
    let started = home.join("started");
    let editor = home.join("slow.sh");
    std::fs::write(
        &editor,
        format!(
            "#!/bin/sh\ntouch '{}'\nsleep 1\necho 'edited slowly' >> \"$1\"\n",
            started.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    let editor = editor.display().to_string();
    let args = ["--base-url", "http://127.0.0.1:9/v1", "-m", "gpt-4o"];
    let vars = [("TERM", "xterm-256color"), ("EDITOR", editor.as_str())];
    let child = pty.spawn(cli::command(home, &args, &vars));
    pty.wait_for("gpt-4o", WAIT).await;
    pty.type_bytes(b"draft\x07");
    let deadline = std::time::Instant::now() + WAIT;
    while !started.exists() {
        assert!(std::time::Instant::now() < deadline, "the editor never ran");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child
}

/// Ctrl+C typed in the editor reaches the whole foreground group, thinkbench too: it was
/// the editor's, and thinkbench goes on with the edited text.
#[tokio::test]
async fn a_ctrl_c_meant_for_the_editor_does_not_stop_thinkbench() {
    let Ok(mut pty) = Pty::open(100, 30) else {
        eprintln!("skipped: no pseudo-terminal");
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let mut child = in_slow_editor(&mut pty, home.path()).await;
    cli::signal(child.id().unwrap(), "-INT");
    pty.wait_for("edited slowly", WAIT).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(child.try_wait().unwrap().is_none(), "{:?}", pty.text());
    pty.type_bytes(b"\x11");
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .expect("the TUI exits")
        .unwrap();
    assert_eq!(status.code(), Some(0), "{:?}", pty.text());
}

/// A SIGTERM that comes while the editor runs stops thinkbench once the editor is done.
#[tokio::test]
async fn a_sigterm_while_the_editor_runs_stops_thinkbench_after_it() {
    let Ok(mut pty) = Pty::open(100, 30) else {
        eprintln!("skipped: no pseudo-terminal");
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let mut child = in_slow_editor(&mut pty, home.path()).await;
    cli::signal(child.id().unwrap(), "-TERM");
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .expect("the TUI exits")
        .unwrap();
    assert_eq!(status.code(), Some(143), "{:?}", pty.text());
    assert!(!pty.is_raw(), "the terminal is put back");
}
