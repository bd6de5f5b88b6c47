//! `ask` behaves like the TUI: an effort the model does not take is clamped to one it takes
//! (with a one-line note on stderr; `--strict` keeps the error), and an answer cut before it
//! began (`finish_reason` `length`, nothing but reasoning) is explained on stderr and exits 3,
//! with `--json` too. Through the real binary against the fake server on 127.0.0.1.

mod support;

use serde_json::Value;
use support::cli::{json_anyway, run, stderr, stdout};
use support::fake_server::ReasoningField;
use support::fake_server::{FakeServer, Reply, chunk};
use thinkbench::usage::Usage;

/// `thinkbench ask --base-url SERVER ARGS` in a fresh home.
async fn ask(server: &FakeServer, args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    let url = server.base_url();
    let mut all = vec!["ask", "--base-url", url.as_str()];
    all.extend_from_slice(args);
    run(home.path(), &all, &[], None).await
}

fn ok_reply() -> Reply {
    Reply::answer("Fine.")
}

/// A reply whose whole output budget went to reasoning: reasoning text, no answer,
/// `finish_reason: "length"`.
fn cut_reply() -> Reply {
    let usage = Usage {
        input: 20,
        output: 64,
        reasoning: 64,
        ..Default::default()
    };
    Reply::Sse {
        events: vec![
            chunk::role(),
            chunk::reasoning(ReasoningField::ReasoningContent, "Let me think about "),
            chunk::reasoning(ReasoningField::ReasoningContent, "this at length"),
            chunk::finish("length"),
            chunk::usage(&usage),
        ],
        delay_ms: 0,
    }
}

#[tokio::test]
async fn an_effort_a_model_takes_none_of_is_dropped_with_a_note() {
    let server = FakeServer::start(vec![ok_reply()]).await;
    let out = ask(&server, &["-m", "o1-mini", "-e", "high", "hi"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "Fine.\n");
    let err = stderr(&out);
    let notes: Vec<&str> = err.lines().filter(|l| l.contains("note:")).collect();
    assert_eq!(
        notes,
        [
            "thinkbench: note: o1-mini takes no reasoning effort; sending without one (--strict to make this an error)"
        ],
        "{err}"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].body["model"], "o1-mini");
    assert_eq!(requests[0].effort(), None, "{}", requests[0].body);
}

#[tokio::test]
async fn an_effort_above_the_models_levels_is_clamped_to_the_nearest() {
    let server = FakeServer::start(vec![ok_reply()]).await;
    let out = ask(&server, &["-m", "o3-mini", "-e", "xhigh", "--json", "hi"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "thinkbench: note: o3-mini takes low|medium|high; sending high instead of xhigh (--strict to make this an error)\n"
        ),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert_eq!(server.requests()[0].body["reasoning_effort"], "high");
    // What was sent is what the turn says.
    assert_eq!(json_anyway(&out)["effort"], "high");
}

#[tokio::test]
async fn strict_keeps_the_error_and_sends_nothing() {
    let server = FakeServer::start(vec![ok_reply()]).await;
    let out = ask(&server, &["--strict", "-m", "o1-mini", "-e", "high", "hi"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("o1-mini takes no reasoning effort (asked for `high`)"),
        "{}",
        stderr(&out)
    );
    let out = ask(&server, &["-m", "o3-mini", "-e", "xhigh", "--strict", "hi"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_model_the_catalog_does_not_know_gets_the_effort_as_given() {
    let server = FakeServer::start(vec![ok_reply()]).await;
    let out = ask(&server, &["-m", "my-local-model", "-e", "xhigh", "hi"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("note:"), "{}", stderr(&out));
    assert_eq!(server.requests()[0].body["reasoning_effort"], "xhigh");
}

#[tokio::test]
async fn an_effort_that_is_no_level_is_still_an_error() {
    let server = FakeServer::start(vec![ok_reply()]).await;
    let out = ask(&server, &["-m", "o3-mini", "-e", "turbo", "hi"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn an_answer_cut_before_it_began_is_explained_and_exits_3() {
    let server = FakeServer::start(vec![cut_reply()]).await;
    let out = ask(&server, &["-m", "o3-mini", "hi"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains(
            "thinkbench: all output tokens went to reasoning; no answer was produced (raise --max-output-tokens)"
        ),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn with_json_too_the_empty_answer_is_explained_on_stderr_and_exits_3() {
    let server = FakeServer::start(vec![cut_reply()]).await;
    let out = ask(&server, &["-m", "o3-mini", "--json", "hi"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let v: Value = json_anyway(&out);
    assert_eq!(v["answer"], "");
    assert_eq!(v["finish_reason"], "length");
    assert_eq!(v["error"], Value::Null);
    let err = stderr(&out);
    assert_eq!(
        err,
        "thinkbench: all output tokens went to reasoning; no answer was produced (raise --max-output-tokens)\n"
    );
}

#[tokio::test]
async fn an_answer_that_began_before_the_cut_is_a_success() {
    let usage = Usage {
        input: 20,
        output: 64,
        reasoning: 60,
        ..Default::default()
    };
    let server = FakeServer::start(vec![Reply::Sse {
        events: vec![
            chunk::role(),
            chunk::content("The answer is"),
            chunk::finish("length"),
            chunk::usage(&usage),
        ],
        delay_ms: 0,
    }])
    .await;
    let out = ask(&server, &["-m", "o3-mini", "--json", "hi"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}
