//! End to end: `thinkbench compare` and `sweep` as the person calls them — arms on other
//! providers, sweeps over efforts, arguments refused with exit status 2 — and what reaches
//! stdout when an answer or an error holds escape sequences, piped and on a terminal.

mod support;

use serde_json::json;
use support::cli::{
    self, answer, compare, f64_of, json_anyway, json_of, runs_of, stderr, stdout, usage,
};
use support::fake_server::{FakeServer, Reply};

#[tokio::test]
async fn arms_on_other_providers_use_their_own_server_and_key() {
    let server = FakeServer::start(Vec::new()).await;
    server
        .route("o3-mini@low", vec![answer("openai", usage(10, 20, 5))])
        .route(
            "deepseek-reasoner",
            vec![answer("deepseek", usage(100, 200, 50))],
        );
    let home = tempfile::tempdir().unwrap();
    let config = format!(
        "[providers.deepseek]\nbase_url = \"{}\"\n",
        server.base_url()
    );
    std::fs::write(home.path().join("config.toml"), config).unwrap();
    let args = [
        "compare",
        "-m",
        "o3-mini@low",
        "-m",
        "deepseek/deepseek-reasoner",
        "--json",
        "hi",
    ];
    let url = server.base_url();
    let vars = [
        ("OPENAI_BASE_URL", url.as_str()),
        ("DEEPSEEK_API_KEY", "sk-test-deepseek"),
    ];
    let v = json_of(&cli::run(home.path(), &args, &vars, None).await);
    let deepseek = runs_of(&v, "deepseek/deepseek-reasoner")[0];
    assert_eq!(deepseek["provider"], "deepseek");
    // deepseek-reasoner: $0.28/M in, $0.42/M out.
    let cost = (100.0 * 0.28 + 0.0 * 0.028 + 200.0 * 0.42) / 1_000_000.0;
    assert_eq!(f64_of(&deepseek["cost_usd"]), cost);
    let auth = |key: &str| {
        server.requests_to(key)[0]
            .header("authorization")
            .map(str::to_string)
    };
    assert_eq!(
        auth("deepseek-reasoner").as_deref(),
        Some("Bearer sk-test-deepseek")
    );
    assert_eq!(auth("o3-mini@low").as_deref(), Some("Bearer sk-test"));

    // With --base-url, an arm without a provider goes there, not to its catalog provider.
    server.route("gpt-4o", vec![answer("gpt-4o", usage(10, 20, 0))]);
    let home = tempfile::tempdir().unwrap();
    let args = ["-m", "gpt-4o", "-m", "deepseek-reasoner", "--json", "hi"];
    let v = json_of(&compare(home.path(), &server, &args).await);
    assert_eq!(runs_of(&v, "deepseek-reasoner")[0]["provider"], "openai");
    assert_eq!(runs_of(&v, "deepseek-reasoner")[0]["answer"], "deepseek");
}

#[tokio::test]
async fn a_sweep_sends_every_accepted_effort_and_reads_the_prompt_from_stdin() {
    let server = FakeServer::start(Vec::new()).await;
    for level in ["low", "medium", "high"] {
        server.route(
            &format!("o3-mini@{level}"),
            vec![answer(level, usage(10, 20, 5))],
        );
    }
    let home = tempfile::tempdir().unwrap();
    let url = server.base_url();
    let args = ["sweep", "--base-url", &url, "-m", "o3-mini", "--json"];
    let v = json_of(&cli::run(home.path(), &args, &[], Some("from\nstdin")).await);
    let arms: Vec<(&str, &str)> = (v["arms"].as_array().unwrap().iter())
        .map(|a| (a["arm"].as_str().unwrap(), a["answer"].as_str().unwrap()))
        .collect();
    assert_eq!(
        arms,
        [
            ("o3-mini@low", "low"),
            ("o3-mini@medium", "medium"),
            ("o3-mini@high", "high")
        ]
    );
    assert_eq!(v["prompt"], "from\nstdin");
    for request in server.requests() {
        assert_eq!(
            request.body["messages"],
            json!([{"role": "user", "content": "from\nstdin"}])
        );
    }
    let args = [
        "sweep",
        "--base-url",
        &url,
        "-m",
        "o3-mini",
        "--efforts",
        "high,low",
        "--json",
        "-",
    ];
    let v = json_of(&cli::run(home.path(), &args, &[], Some("again")).await);
    let labels: Vec<&str> = (v["summary"].as_array().unwrap().iter())
        .map(|s| s["arm"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["o3-mini@high", "o3-mini@low"]);
}

#[tokio::test]
async fn bad_arguments_exit_2_and_send_nothing() {
    let server = FakeServer::start(vec![Reply::answer("never")]).await;
    let home = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["-m", "o3-mini@minimal", "hi"],
            &["o3-mini@minimal", "low, medium, high"],
        ),
        (
            &["-m", "o3-mini@turbo", "hi"],
            &["turbo", "not an effort level"],
        ),
        (
            &["-m", "o3-mini@low", "-m", "gpt-4o@high", "hi"],
            &["gpt-4o@high", "takes no reasoning effort"],
        ),
        (
            &["-m", "o3-mini@low", "-m", "openai/o3-mini@low", "hi"],
            &["same arm", "--runs"],
        ),
        (&["-m", "o3-mini@low", "--runs", "0", "hi"], &["--runs"]),
        (
            &["-m", "o3-mini@low", "--concurrency", "0", "hi"],
            &["1 to 16"],
        ),
        (
            &[
                "-m",
                "o3-mini@low",
                "-m",
                "o3-mini@high",
                "-m",
                "gpt-4o",
                "-m",
                "o1-mini",
                "--runs",
                "20",
                "hi",
            ],
            &["4 arms x 20 runs", "64"],
        ),
        (
            &["-m", "o3-mini@low", "--json", "--format", "csv", "hi"],
            &["--format"],
        ),
        (&["-m", "o3-mini@low", "   "], &["the prompt is empty"]),
        (&["hi"], &["--model"]),
    ];
    for (args, words) in cases {
        let out = compare(home.path(), &server, args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        for word in *words {
            assert!(
                stderr(&out).contains(word),
                "{word} for {args:?}: {}",
                stderr(&out)
            );
        }
        assert_eq!(stdout(&out), "", "{args:?}");
    }
    let url = server.base_url();
    let sweeps: &[(&[&str], &str)] = &[
        (&["-m", "gpt-4o", "hi"], "nothing to sweep"),
        (
            &["-m", "o3-mini", "--efforts", "low,xhigh", "hi"],
            "low, medium, high",
        ),
        (
            &["-m", "o3-mini", "--efforts", "low,low", "hi"],
            "listed twice",
        ),
    ];
    for (args, word) in sweeps {
        let all = [&["sweep", "--base-url", url.as_str()][..], args].concat();
        let out = cli::tb(home.path(), &all).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(word),
            "{word} for {args:?}: {}",
            stderr(&out)
        );
    }
    // No --base-url: the key check is per arm, on the arm's own provider.
    let args = [
        "compare",
        "-m",
        "o3-mini@low",
        "-m",
        "deepseek/deepseek-reasoner",
        "hi",
    ];
    let out = cli::run(
        home.path(),
        &args,
        &[("OPENAI_BASE_URL", url.as_str())],
        None,
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("deepseek/deepseek-reasoner"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("DEEPSEEK_API_KEY"),
        "{}",
        stderr(&out)
    );
    assert!(server.requests().is_empty(), "nothing was sent");
    let list = json_of(&cli::tb(home.path(), &["sessions", "list", "--json"]).await);
    assert_eq!(list, json!([]), "no session was recorded");
}

#[tokio::test]
async fn piped_text_keeps_answers_exact_and_every_other_line_free_of_escapes() {
    let hostile = "Copy this: \x1b]52;c;aGk=\x07 done.";
    let server = FakeServer::start(Vec::new()).await;
    server
        .route("o3-mini@low", vec![answer(hostile, usage(10, 20, 5))])
        .route(
            "gpt-4o",
            vec![Reply::Json {
                status: 400,
                body: json!({"error": {"message": "bad \x1b[31mred\x1b[0m value",
                    "type": "invalid_request_error", "param": null, "code": null}}),
            }],
        );
    let home = tempfile::tempdir().unwrap();
    let out = compare(
        home.path(),
        &server,
        &["-m", "o3-mini@low", "-m", "gpt-4o", "hi"],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert_eq!(
        text.matches(hostile).count(),
        1,
        "the answer is byte-exact: {text:?}"
    );
    for line in text.lines().filter(|l| !l.contains(hostile)) {
        assert!(!line.chars().any(|c| c.is_control()), "{line:?}");
    }
    assert!(
        text.contains("✗ HTTP 400 (invalid_request_error): bad �[31mred�[0m value"),
        "{text}"
    );
    assert!(!stderr(&out).contains('\x1b'), "{:?}", stderr(&out));

    let json = compare(home.path(), &server, &["-m", "o3-mini@low", "--json", "hi"]).await;
    assert_eq!(
        json_anyway(&json)["arms"][0]["answer"],
        hostile,
        "JSON keeps it exact too"
    );
}

/// On a terminal (a pseudo-terminal from `script`), the live table draws and the answer is
/// sanitized: no OSC sequence or BEL reaches the terminal.
#[tokio::test]
async fn on_a_terminal_nothing_the_model_wrote_can_escape() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: no `script` to make a pseudo-terminal");
        return;
    }
    let hostile = "Copy this: \x1b]52;c;aGk=\x07 done.";
    let server = FakeServer::start(Vec::new()).await;
    server
        .route(
            "o3-mini@low",
            vec![answer(hostile, usage(10, 20, 5)).delayed(300)],
        )
        .route("o3-mini@high", vec![answer("fine", usage(10, 20, 5))]);
    let home = tempfile::tempdir().unwrap();
    let line = format!(
        "{} compare --base-url {} -m o3-mini@low -m o3-mini@high hi",
        env!("CARGO_BIN_EXE_thinkbench"),
        server.base_url()
    );
    let out = tokio::process::Command::new("script")
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .env_clear()
        .env("THINKBENCH_HOME", home.path())
        .env("OPENAI_API_KEY", "sk-test")
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TERM", "xterm")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", stderr(&out));
    assert!(text.contains("Copy this: �]52;c;aGk=� done."), "{text:?}");
    assert!(
        !text.contains("\x1b]") && !text.contains('\x07'),
        "{text:?}"
    );
    assert!(text.contains("fine"), "{text:?}");
}
