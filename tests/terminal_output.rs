//! What reaches a terminal: model and server text holding escape sequences (an OSC 52
//! clipboard write, a title change, CSI colours, C1 and DEL) is neutralized on every path
//! that writes to a terminal — `ask`'s answer, reasoning, errors, retry notices and tool
//! calls, `sessions show`/`export`, `compare`'s report, the TUI's cells — while a pipe,
//! `--raw` and `--json` keep the exact text. `THINKBENCH_ASSUME_TTY=1` stands in for a
//! terminal (the one place the commands decide is `text::Filter::detect`).

mod support;

use serde_json::{Value, json};
use std::path::Path;
use std::process::Output;
use support::cli::{self, stderr, stdout};
use support::fake_server::{FakeServer, Reply, chunk};
use thinkbench::api::{ApiError, RetryNotice, StreamEvent};

/// An answer that writes the clipboard (OSC 52) and changes the window title.
const ANSWER: &str = "Sure.\x1b]52;c;aGVsbG8=\x07 Done.\x1b]0;pwned\x1b\\ End.\n";
/// Reasoning with a colour change, an 8-bit CSI and a DEL.
const REASONING: &str = "think \x1b[31mred\x1b[0m \u{9b}2J \x7f ok";

const TTY: (&str, &str) = ("THINKBENCH_ASSUME_TTY", "1");

/// No control character but newline and tab: nothing a terminal would act on.
fn assert_clean(what: &str, text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|c| c.is_control() && *c != '\n' && *c != '\t')
        .collect();
    assert!(
        bad.is_empty(),
        "{what} holds control characters {bad:?}: {text:?}"
    );
}

fn hostile_server_reply() -> Reply {
    Reply::reasoning_answer(REASONING, ANSWER, cli::usage(10, 20, 5))
}

/// `thinkbench ask --base-url SERVER ARGS` in `home`, with `vars`.
async fn ask(home: &Path, server: &FakeServer, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let url = server.base_url();
    let mut all = vec!["ask", "--base-url", url.as_str(), "-m", "gpt-4o"];
    all.extend_from_slice(args);
    cli::run(home, &all, vars, None).await
}

#[tokio::test]
async fn ask_on_a_terminal_neutralizes_the_answer_and_the_reasoning() {
    let server = FakeServer::start(vec![hostile_server_reply()]).await;
    let home = tempfile::tempdir().unwrap();
    let out = ask(home.path(), &server, &["--show-reasoning", "hi"], &[TTY]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let (text, err) = (stdout(&out), stderr(&out));
    assert_clean("stdout", &text);
    assert_clean("stderr", &err);
    assert!(
        text.contains("Sure.�]52;c;aGVsbG8=� Done.�]0;pwned�\\ End."),
        "the answer shows, with stand-ins: {text:?}"
    );
    assert!(err.contains("think �[31mred�[0m �2J � ok"), "{err:?}");
}

#[tokio::test]
async fn ask_to_a_pipe_or_with_raw_is_byte_exact() {
    let server = FakeServer::start(vec![hostile_server_reply()]).await;
    let home = tempfile::tempdir().unwrap();
    let piped = ask(home.path(), &server, &["--show-reasoning", "hi"], &[]).await;
    assert!(piped.status.success(), "{}", stderr(&piped));
    assert_eq!(stdout(&piped), ANSWER);
    assert!(stderr(&piped).contains(REASONING), "{:?}", stderr(&piped));

    let raw = ask(
        home.path(),
        &server,
        &["--show-reasoning", "--raw", "hi"],
        &[TTY],
    )
    .await;
    assert!(raw.status.success(), "{}", stderr(&raw));
    assert_eq!(stdout(&raw), ANSWER, "--raw on a terminal is exact");
    assert!(stderr(&raw).contains(REASONING), "{:?}", stderr(&raw));
}

#[tokio::test]
async fn ask_json_on_a_terminal_escapes_what_json_leaves_raw_and_keeps_the_value() {
    let server = FakeServer::start(vec![hostile_server_reply()]).await;
    let home = tempfile::tempdir().unwrap();
    let tty = ask(home.path(), &server, &["--json", "hi"], &[TTY]).await;
    assert!(tty.status.success(), "{}", stderr(&tty));
    let text = stdout(&tty);
    assert_clean("--json on a terminal", &text);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["answer"], ANSWER);
    assert_eq!(
        v["reasoning"], REASONING,
        "C1 and DEL are escapes, same value"
    );

    let piped = ask(home.path(), &server, &["--json", "hi"], &[]).await;
    let exact = serde_json::to_string(&json!(REASONING)).unwrap();
    assert!(
        stdout(&piped).contains(&exact),
        "piped JSON is serde's own: {:?}",
        stdout(&piped)
    );
}

#[tokio::test]
async fn ask_stderr_neutralizes_errors_retry_notices_and_tool_calls() {
    let failing = Reply::Json {
        status: 503,
        body: json!({"error": {"message": "busy \x1b]52;c;ZXZpbA==\x07 now", "type": "server_error"}}),
    }
    .with_headers(&[("retry-after-ms", "1")]);
    let name = "get_\x1b]0;title\x07weather";
    let tool = json!({"id":"c1","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":name,"arguments":"{\"x\":\"\u{9b}6n\"}"}}]},"finish_reason":null}]}).to_string();
    let tool_reply = Reply::Sse {
        events: vec![chunk::role(), tool, chunk::finish("tool_calls")],
        delay_ms: 0,
    };
    let server = FakeServer::start(vec![failing.clone(), tool_reply]).await;
    let home = tempfile::tempdir().unwrap();
    let out = ask(home.path(), &server, &["hi"], &[TTY]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert_clean("stderr", &err);
    assert!(
        err.contains("busy �]52;c;ZXZpbA==� now"),
        "the retry notice: {err}"
    );
    assert!(
        err.contains("get_�]0;title�weather"),
        "the tool call: {err}"
    );

    // A final error, on stderr, in text mode and with --json.
    let server = FakeServer::start(vec![Reply::Json {
        status: 400,
        body: json!({"error": {"message": "bad \x1b[2J\x1b]0;x\x07 value", "type": "invalid_request_error"}}),
    }])
    .await;
    for args in [&["hi"][..], &["--json", "hi"], &["--raw", "hi"]] {
        let out = ask(home.path(), &server, args, &[TTY]).await;
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert_clean("stderr", &err);
        assert!(err.contains("bad �[2J�]0;x� value"), "{args:?}: {err}");
    }
    // A pipe gets the server's message as it came.
    let out = ask(home.path(), &server, &["hi"], &[]).await;
    assert!(stderr(&out).contains("bad \x1b[2J\x1b]0;x\x07 value"));
}

/// Record one turn whose answer and reasoning are hostile; its session id.
async fn recorded(home: &Path) -> String {
    let server = FakeServer::start(vec![hostile_server_reply()]).await;
    let out = ask(home, &server, &["--json", "hi"], &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    v["session"].to_string()
}

#[tokio::test]
async fn sessions_show_and_export_neutralize_stored_text_on_a_terminal() {
    let home = tempfile::tempdir().unwrap();
    let id = recorded(home.path()).await;
    let id = id.as_str();
    for args in [
        &["sessions", "show", id][..],
        &["sessions", "export", id],
        &["sessions", "export", id, "--format", "json"],
    ] {
        let tty = cli::run(home.path(), args, &[TTY], None).await;
        assert!(tty.status.success(), "{args:?}: {}", stderr(&tty));
        assert_clean(&format!("{args:?} on a terminal"), &stdout(&tty));
        assert!(stdout(&tty).contains("Sure."), "{args:?}");

        let piped = cli::run(home.path(), args, &[], None).await;
        let mut raw_args = args.to_vec();
        raw_args.push("--raw");
        let raw = cli::run(home.path(), &raw_args, &[TTY], None).await;
        assert!(raw.status.success(), "{raw_args:?}: {}", stderr(&raw));
        assert_eq!(stdout(&raw), stdout(&piped), "--raw is what a pipe gets");
    }
    let show = stdout(&cli::run(home.path(), &["sessions", "show", id], &[], None).await);
    assert!(
        show.contains(ANSWER.trim_end()),
        "a pipe gets it exact: {show:?}"
    );
    let json = stdout(
        &cli::run(
            home.path(),
            &["sessions", "export", id, "--format", "json"],
            &[TTY],
            None,
        )
        .await,
    );
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["turns"][0]["reasoning"], REASONING, "same JSON value");
}

#[tokio::test]
async fn compare_on_a_terminal_neutralizes_answers_unless_raw() {
    let server = FakeServer::start(vec![hostile_server_reply()]).await;
    let home = tempfile::tempdir().unwrap();
    let url = server.base_url();
    let compare = |extra: &'static [&'static str]| {
        let mut args = vec![
            "compare",
            "--base-url",
            url.as_str(),
            "-m",
            "gpt-4o",
            "-m",
            "o3-mini@low",
        ];
        args.extend_from_slice(extra);
        args.push("hi");
        args
    };
    let tty = cli::run(home.path(), &compare(&[]), &[TTY], None).await;
    assert!(tty.status.success(), "{}", stderr(&tty));
    assert_clean("compare on a terminal", &stdout(&tty));
    assert!(
        stdout(&tty).contains("Sure.�]52;c;aGVsbG8=� Done."),
        "{}",
        stdout(&tty)
    );

    let raw = cli::run(home.path(), &compare(&["--raw"]), &[TTY], None).await;
    assert!(
        stdout(&raw).contains(ANSWER.trim_end()),
        "{:?}",
        stdout(&raw)
    );

    let json = cli::run(home.path(), &compare(&["--json"]), &[TTY], None).await;
    assert_clean("compare --json on a terminal", &stdout(&json));
    let v: Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(v["arms"][0]["reasoning"], REASONING);
}

#[tokio::test]
async fn compare_csv_on_a_terminal_neutralizes_error_messages() {
    let server = FakeServer::start(vec![Reply::Json {
        status: 400,
        body: json!({"error": {"message": "no \x1b]52;c;eA==\x07 way", "type": "invalid_request_error"}}),
    }])
    .await;
    let home = tempfile::tempdir().unwrap();
    let url = server.base_url();
    let args = [
        "compare",
        "--base-url",
        &url,
        "-m",
        "gpt-4o",
        "--format",
        "csv",
        "hi",
    ];
    let tty = cli::run(home.path(), &args, &[TTY], None).await;
    assert_eq!(tty.status.code(), Some(1));
    assert_clean("csv on a terminal", &stdout(&tty));
    assert!(
        stdout(&tty).contains("no �]52;c;eA==� way"),
        "{}",
        stdout(&tty)
    );
    let piped = cli::run(home.path(), &args, &[], None).await;
    assert!(stdout(&piped).contains("no \x1b]52;c;eA==\x07 way"));
}

/// The TUI draws model and server text without a control character in any cell: the answer,
/// the reasoning, a retry notice and the error.
#[test]
fn the_tui_never_puts_a_control_character_in_a_cell() {
    let mut h = support::app::harness_with(
        &[("DEEPSEEK_API_KEY", "sk-test")],
        "deepseek/deepseek-reasoner",
        None,
    );
    let id = h.send("hi \x1b]0;prompt title\x07", 0);
    h.stream(id, StreamEvent::ReasoningDelta(REASONING.into()), 100);
    let cells = |h: &mut support::app::Harness| {
        let terminal = h.draw(100, 30);
        let buffer = terminal.backend().buffer().clone();
        buffer
            .content()
            .iter()
            .map(|c| c.symbol().to_string())
            .collect::<String>()
    };
    let mut notice = RetryNotice {
        attempt: 2,
        max_attempts: 3,
        delay: std::time::Duration::from_secs(2),
        error: ApiError::message("slow \x1b]52;c;aGk=\x07 down"),
    };
    notice.error.status = Some(503);
    h.stream(id, StreamEvent::Retrying(notice), 200);
    let drawn = cells(&mut h);
    assert_clean("the TUI while retrying", &drawn);
    // Shown (with its escapes neutralized: a stand-in, or nothing).
    assert!(drawn.contains("]52;c;aGk="), "{drawn}");

    h.stream(id, StreamEvent::TextDelta(ANSWER.into()), 300);
    h.stream(
        id,
        StreamEvent::Failed(ApiError::message("gone \x1b[2J\x1b]0;t\x07 away")),
        400,
    );
    let drawn = cells(&mut h);
    assert_clean("the TUI after an error", &drawn);
    assert!(drawn.contains("Sure.�]52;c;aGVsbG8=� Done."), "{drawn}");
    assert!(drawn.contains("gone") && drawn.contains("away"), "{drawn}");
}
