//! End to end: `thinkbench ask` records its turns and `thinkbench sessions` shows, exports
//! and deletes them; the real binary against the fake server on 127.0.0.1, each test in its
//! own `THINKBENCH_HOME`.

mod support;

use serde_json::{Value, json};
use std::path::Path;
use std::process::{Output, Stdio};
use support::fake_server::{FakeServer, Reply};
use thinkbench::usage::Usage;
use tokio::io::AsyncReadExt;

fn command(home: &Path, args: &[&str]) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_thinkbench"));
    cmd.args(args)
        .env_clear()
        .env("THINKBENCH_HOME", home)
        .env("OPENAI_API_KEY", "sk-test")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// `thinkbench ARGS` in `home`.
async fn tb(home: &Path, args: &[&str]) -> Output {
    command(home, args).output().await.unwrap()
}

/// `thinkbench ask --base-url SERVER ARGS` in `home`.
async fn ask(home: &Path, server: &FakeServer, args: &[&str]) -> Output {
    let url = server.base_url();
    let mut all = vec!["ask", "--base-url", url.as_str()];
    all.extend_from_slice(args);
    tb(home, &all).await
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json_of(o: &Output) -> Value {
    assert!(o.status.success(), "{}", stderr(o));
    serde_json::from_str(&stdout(o)).unwrap()
}

/// Replace every `YYYY-MM-DD HH:MM` and `YYYY-MM-DDTHH:MM:SSZ` in `text` with `[date]`.
fn redact_dates(text: &str) -> String {
    let templates = ["####-##-##T##:##:##Z", "####-##-## ##:##"];
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    'outer: while i < chars.len() {
        for t in templates {
            let t: Vec<char> = t.chars().collect();
            let fits = chars.len() - i >= t.len()
                && t.iter().zip(&chars[i..]).all(|(p, c)| match p {
                    '#' => c.is_ascii_digit(),
                    p => p == c,
                });
            if fits {
                out.push_str("[date]");
                i += t.len();
                continue 'outer;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Cut the timings (first token, tokens per second) off a usage line, keeping a closing `*`.
fn redact_timings(line: &str) -> String {
    match line.find(" · 1st token ") {
        Some(at) => {
            let end = if line.ends_with('*') {
                line.len() - 1
            } else {
                line.len()
            };
            format!("{} · [timings]{}", &line[..at], &line[end..])
        }
        None => line.to_string(),
    }
}

fn stable_text(text: &str) -> String {
    let lines: Vec<String> = text.lines().map(redact_timings).collect();
    redact_dates(&lines.join("\n"))
}

/// The JSON export with its clock readings replaced by placeholders.
fn stable_json(value: &mut Value) {
    const CLOCK: &[&str] = &[
        "created",
        "updated",
        "created_ms",
        "updated_ms",
        "first_token",
        "total",
        "first_reasoning",
        "first_text",
        "done",
    ];
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if CLOCK.contains(&key.as_str()) && (v.is_number() || v.is_string()) {
                    *v = json!("[clock]");
                } else {
                    stable_json(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(stable_json),
        Value::String(s) => *s = redact_timings(s),
        _ => {}
    }
}

fn two_replies() -> Vec<Reply> {
    vec![
        Reply::reasoning_answer(
            "Think about the sky.",
            "Blue.",
            Usage {
                input: 13,
                output: 40,
                reasoning: 20,
                ..Default::default()
            },
        ),
        Reply::reasoning_answer(
            "",
            "Green.",
            Usage {
                input: 30,
                output: 12,
                ..Default::default()
            },
        ),
    ]
}

#[tokio::test]
async fn ask_continue_sends_the_stored_turns_and_sessions_show_them() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let server = FakeServer::start(two_replies()).await;
    let model = ["-m", "o3-mini", "-e", "high"];

    let first = ask(
        home,
        &server,
        &[&model[..], &["What colour is the sky?"]].concat(),
    )
    .await;
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(stdout(&first), "Blue.\n");
    assert!(
        stderr(&first).trim_end().ends_with("session 1"),
        "{}",
        stderr(&first)
    );
    let second = ask(
        home,
        &server,
        &[&model[..], &["--continue", "And grass?"]].concat(),
    )
    .await;
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(stdout(&second), "Green.\n");

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[1].body["messages"],
        json!([
            {"role": "user", "content": "What colour is the sky?"},
            {"role": "assistant", "content": "Blue."},
            {"role": "user", "content": "And grass?"},
        ])
    );
    assert!(
        !requests[1].raw_body.contains("Think about the sky"),
        "reasoning is never sent back"
    );

    let list = json_of(&tb(home, &["sessions", "list", "--json"]).await);
    let sessions = list.as_array().unwrap();
    assert_eq!(sessions.len(), 1, "{list}");
    let s = &sessions[0];
    assert_eq!(s["id"], 1);
    assert_eq!(s["title"], "What colour is the sky?");
    assert_eq!(s["turns"], 2);
    assert_eq!(s["models"], json!(["o3-mini"]));
    assert_eq!(s["cost_unknown"], false);
    // o3-mini: $1.10/M in, $4.40/M out.
    let cost = s["cost_usd"].as_f64().unwrap();
    assert!(
        (cost - ((13.0 + 30.0) * 1.10 + (40.0 + 12.0) * 4.40) / 1e6).abs() < 1e-12,
        "{cost}"
    );

    let table = tb(home, &["sessions", "list"]).await;
    assert!(table.status.success(), "{}", stderr(&table));
    let table = stdout(&table);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "{table}");
    assert!(lines[0].starts_with("ID"), "{table}");
    for part in [
        "1  ",
        "  2  ",
        "o3-mini",
        "$0.000276",
        "What colour is the sky?",
    ] {
        assert!(lines[1].contains(part), "{part} in {table}");
    }
    let found = tb(home, &["sessions", "list", "--search", "grass"]).await;
    assert!(stdout(&found).contains("What colour"), "{}", stderr(&found));

    let show = tb(home, &["sessions", "show", "1"]).await;
    assert!(show.status.success(), "{}", stderr(&show));
    let show = stdout(&show);
    for part in [
        "[1] you\nWhat colour is the sky?\n",
        "[1] thinking\n│ Think about the sky.\n",
        "[1] o3-mini\nBlue.\no3-mini · high · in 13 · reasoning 20 · out 20 · ",
        "[2] you\nAnd grass?\n",
        "[2] o3-mini\nGreen.\no3-mini · high · in 30 · reasoning 0 · out 12 · ",
        "total: 2 turns · in 43 · reasoning 20 · out 32 · $0.000276",
    ] {
        assert!(show.contains(part), "{part:?} in:\n{show}");
    }
    assert!(!show.contains("[2] thinking"), "{show}");
}

#[tokio::test]
async fn exports_markdown_and_json_then_rm_deletes() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let server = FakeServer::start(two_replies()).await;
    let model = ["-m", "o3-mini", "-e", "high"];
    let out = ask(
        home,
        &server,
        &[&model[..], &["What colour is the sky?"]].concat(),
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let out = ask(home, &server, &[&model[..], &["-c", "And grass?"]].concat()).await;
    assert!(out.status.success(), "{}", stderr(&out));

    let md = tb(home, &["sessions", "export", "1", "--format", "md"]).await;
    assert!(md.status.success(), "{}", stderr(&md));
    let md = stdout(&md);
    insta::assert_snapshot!("export_md", stable_text(&md));

    let js = tb(home, &["sessions", "export", "1", "--format", "json"]).await;
    let mut js = json_of(&js);
    assert_eq!(js["turns"][0]["state"], "done");
    assert_eq!(js["turns"][0]["id"], 1);
    assert!(js["turns"][0]["timings_ms"]["done"].as_u64().is_some());
    stable_json(&mut js);
    insta::assert_snapshot!("export_json", format!("{js:#}"));

    // -o writes the file whole and prints nothing.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sky.md");
    std::fs::write(
        &file,
        "an older export, longer than the new one will be ".repeat(99),
    )
    .unwrap();
    let file_arg = file.to_str().unwrap();
    let out = tb(
        home,
        &["sessions", "export", "1", "--format", "md", "-o", file_arg],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), md);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec!["sky.md"], "no temporary file is left behind");

    let rm = tb(home, &["sessions", "rm", "1"]).await;
    assert!(rm.status.success(), "{}", stderr(&rm));
    assert_eq!(
        stdout(&rm),
        "deleted session 1 \"What colour is the sky?\" (2 turns)\n"
    );
    assert_eq!(
        json_of(&tb(home, &["sessions", "list", "--json"]).await),
        json!([])
    );
    for args in [
        &["sessions", "show", "1"][..],
        &["sessions", "rm", "1"],
        &["sessions", "export", "1", "--format", "json"],
    ] {
        let out = tb(home, args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains("there is no session 1"),
            "{}",
            stderr(&out)
        );
        assert_eq!(stdout(&out), "");
    }
}

#[tokio::test]
async fn ask_json_names_its_session_and_an_unknown_session_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let server = FakeServer::start(vec![Reply::answer("Hi.")]).await;
    let out = ask(home, &server, &["-m", "gpt-4o", "--json", "hello"]).await;
    let v = json_of(&out);
    assert_eq!(v["session"], 1);
    assert_eq!(v["answer"], "Hi.");
    assert!(!stderr(&out).contains("session"), "{}", stderr(&out));
    let out = ask(home, &server, &["-m", "gpt-4o", "--json", "again"]).await;
    assert_eq!(json_of(&out)["session"], 2, "a new session per ask");
    let out = ask(
        home,
        &server,
        &["-m", "gpt-4o", "--session", "1", "--json", "more"],
    )
    .await;
    assert_eq!(json_of(&out)["session"], 1);
    assert_eq!(server.requests()[2].body["messages"][1]["content"], "Hi.");

    let out = ask(home, &server, &["-m", "gpt-4o", "--session", "99", "hello"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("there is no session 99"),
        "{}",
        stderr(&out)
    );
    assert_eq!(server.requests().len(), 3, "nothing was sent");
    let out = tb(home, &["sessions", "show", "99"]).await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn a_turn_killed_mid_stream_keeps_its_partial_text_as_interrupted() {
    let full: String = (1..=80)
        .map(|i| format!("word{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    let server = FakeServer::start(vec![Reply::SlowDrip {
        text: full.clone(),
        per_token_ms: 100,
    }])
    .await;
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let url = server.base_url();
    let mut child = command(
        home,
        &["ask", "--base-url", &url, "-m", "gpt-4o", "count slowly"],
    )
    .spawn()
    .unwrap();
    let mut pipe = child.stdout.take().unwrap();
    // Each word comes at least 100 ms after the one before, and the partial answer is
    // written to the store every 500 ms, before the next word is printed: by the time
    // ten words are out, at least one flush has happened.
    let mut seen = String::new();
    let mut buf = [0u8; 256];
    while seen.split_whitespace().count() < 11 {
        let n = pipe.read(&mut buf).await.unwrap();
        assert!(n > 0, "the answer stopped early: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    let pid = child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-9", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().await.unwrap();
    assert!(!status.success());

    let js = json_of(&tb(home, &["sessions", "export", "1", "--format", "json"]).await);
    let turn = &js["turns"][0];
    assert_eq!(turn["state"], "interrupted", "{js:#}");
    assert_eq!(turn["prompt"], "count slowly");
    let answer = turn["answer"].as_str().unwrap();
    assert!(!answer.is_empty(), "{js:#}");
    assert!(full.starts_with(answer), "{answer:?} is a prefix");
    assert!(
        answer.split_whitespace().count() >= 5,
        "the 500 ms flush kept the words up to then: {answer:?}"
    );

    let show = tb(home, &["sessions", "show", "1"]).await;
    assert!(show.status.success(), "{}", stderr(&show));
    let show = stdout(&show);
    assert!(show.contains("(interrupted)"), "{show}");
    assert!(show.contains(answer.trim_end()), "{show}");
    let list = json_of(&tb(home, &["sessions", "list", "--json"]).await);
    assert_eq!(list[0]["turns"], 1);
}

#[tokio::test]
async fn a_database_that_cannot_be_opened_turns_persistence_off() {
    let server = FakeServer::start(vec![Reply::answer("Still here.")]).await;

    // A corrupt database file: ask answers and warns, sessions fails, the file is untouched.
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let junk = "this is not a database at all\n".repeat(200);
    let db = home.join("thinkbench.db");
    std::fs::write(&db, &junk).unwrap();
    let out = ask(home, &server, &["-m", "gpt-4o", "hello"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "Still here.\n");
    let err = stderr(&out);
    assert!(err.contains("persistence off"), "{err}");
    assert!(
        err.contains("thinkbench.db"),
        "the message names the file: {err}"
    );
    assert!(!err.contains("session 1"), "{err}");
    let out = ask(home, &server, &["-m", "gpt-4o", "--json", "hello"]).await;
    assert_eq!(json_of(&out)["session"], Value::Null);
    let out = tb(home, &["sessions", "list"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("thinkbench.db"), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert_eq!(std::fs::read_to_string(&db).unwrap(), junk, "never damaged");

    // A directory where the database file should be.
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    std::fs::create_dir(home.join("thinkbench.db")).unwrap();
    let out = ask(home, &server, &["-m", "gpt-4o", "hello"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "Still here.\n");
    assert!(stderr(&out).contains("persistence off"), "{}", stderr(&out));
    let out = tb(home, &["sessions", "show", "1"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("thinkbench.db"), "{}", stderr(&out));
}

#[tokio::test]
async fn sessions_list_without_a_database_is_empty_and_creates_nothing() {
    let home = tempfile::tempdir().unwrap();
    let out = tb(home.path(), &["sessions", "list", "--json"]).await;
    assert_eq!(json_of(&out), json!([]));
    let out = tb(home.path(), &["sessions", "list"]).await;
    assert!(out.status.success());
    assert_eq!(stdout(&out), "");
    assert!(!home.path().join("thinkbench.db").exists());
}
