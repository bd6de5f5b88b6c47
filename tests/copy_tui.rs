//! End to end: `/copy N` in the real TUI on a pseudo-terminal writes code block [N] to the
//! terminal as OSC 52 — plain, and inside tmux (`$TMUX` set) in tmux's passthrough. Skipped
//! (saying why) where there is no pseudo-terminal.

#![cfg(unix)]

mod support;

use std::time::Duration;
use support::cli;
use support::fake_server::{FakeServer, Reply};
use support::pty::Pty;

const WAIT: Duration = Duration::from_secs(15);

/// Run the TUI, get an answer with two code blocks, type `/copy 2`, and return what the
/// terminal received from then on.
async fn copy_second_block(vars: &[(&str, &str)]) -> Option<Vec<u8>> {
    let mut pty = match Pty::open(100, 30) {
        Ok(pty) => pty,
        Err(why) => {
            eprintln!("skipped: {why}");
            return None;
        }
    };
    let answer = "First:\n\n```sh\necho one\n```\n\nSecond:\n\n```py\nprint(2)\n```\n";
    let server = FakeServer::start(vec![Reply::answer(answer)]).await;
    let home = tempfile::tempdir().unwrap();
    let url = server.base_url();
    let args = ["--base-url", url.as_str(), "-m", "gpt-4o"];
    let mut all = vec![("TERM", "xterm-256color")];
    all.extend_from_slice(vars);
    let mut child = pty.spawn(cli::command(home.path(), &args, &all));
    pty.wait_for("gpt-4o", WAIT).await;
    pty.type_bytes(b"show me\r");
    let deadline = std::time::Instant::now() + WAIT;
    while server.requests().is_empty() {
        assert!(std::time::Instant::now() < deadline, "{:?}", pty.text());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The answer arrives at once; give the frame that shows it time to be drawn.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let before = pty.output().len();
    pty.type_bytes(b"/copy 2\r");
    // Both forms end with the base64 of "print(2)\n" and the string terminator.
    pty.wait_for("cHJpbnQoMikK", WAIT).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let after = pty.output()[before..].to_vec();
    pty.type_bytes(b"\x11");
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .expect("the TUI exits")
        .unwrap();
    assert_eq!(status.code(), Some(0));
    Some(after)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn copy_writes_the_block_as_osc52() {
    let Some(out) = copy_second_block(&[]).await else {
        return;
    };
    // base64("print(2)\n") = "cHJpbnQoMikK"
    let osc = b"\x1b]52;c;cHJpbnQoMikK\x1b\\";
    assert!(contains(&out, osc), "{:?}", String::from_utf8_lossy(&out));
    assert!(
        !contains(&out, b"\x1bPtmux;"),
        "no tmux wrapping outside tmux"
    );
}

#[tokio::test]
async fn inside_tmux_copy_goes_through_the_passthrough() {
    let Some(out) = copy_second_block(&[("TMUX", "/tmp/tmux-0/default,1,0")]).await else {
        return;
    };
    let wrapped = b"\x1bPtmux;\x1b\x1b]52;c;cHJpbnQoMikK\x1b\x1b\\\x1b\\";
    assert!(
        contains(&out, wrapped),
        "{:?}",
        String::from_utf8_lossy(&out)
    );
}
