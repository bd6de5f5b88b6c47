//! End to end: the real `thinkbench ask` binary against the fake server on 127.0.0.1.

mod support;

use serde_json::{Value, json};
use std::process::Output;
use support::fake_server::{FakeServer, Reply, chunk};
use thinkbench::usage::Usage;

/// Run `thinkbench ask` with a clean environment pointed at `server`.
async fn ask(server: &FakeServer, args: &[&str], stdin: Option<&str>) -> Output {
    ask_env(server, args, stdin, &[]).await
}

/// `ask` with extra environment variables.
async fn ask_env(
    server: &FakeServer,
    args: &[&str],
    stdin: Option<&str>,
    vars: &[(&str, &str)],
) -> Output {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_thinkbench"));
    cmd.arg("ask")
        .args(["--base-url", &server.base_url()])
        .args(args)
        .env_clear()
        .env("THINKBENCH_HOME", home.path())
        .env("OPENAI_API_KEY", "sk-test-key")
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(vars.iter().copied());
    cmd.stdin(if stdin.is_some() {
        std::process::Stdio::piped()
    } else {
        std::process::Stdio::null()
    });
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        use tokio::io::AsyncWriteExt;
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(text.as_bytes()).await.unwrap();
        drop(pipe);
    }
    child.wait_with_output().await.unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json_out(o: &Output) -> Value {
    let text = stdout(o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one JSON object on stdout: {text}");
    serde_json::from_str(lines[0]).unwrap()
}

#[tokio::test]
async fn streams_the_answer_to_stdout_and_usage_to_stderr() {
    let server = FakeServer::start(vec![Reply::reasoning_answer(
        "",
        "The capital of Mexico is Mexico City.",
        Usage {
            input: 13,
            output: 238,
            reasoning: 192,
            ..Default::default()
        },
    )])
    .await;
    let out = ask(
        &server,
        &[
            "-m",
            "o3-mini",
            "-e",
            "high",
            "What is the capital of Mexico?",
        ],
        None,
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "The capital of Mexico is Mexico City.\n");
    let err = stderr(&out);
    assert!(
        err.contains("o3-mini · high · in 13 · reasoning 192 · out 46 · $0.00106"),
        "{err}"
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let req = &requests[0];
    assert_eq!(req.path, "/v1/chat/completions");
    assert_eq!(req.header("authorization"), Some("Bearer sk-test-key"));
    assert_eq!(req.body["model"], "o3-mini");
    assert_eq!(req.body["reasoning_effort"], "high");
    assert_eq!(req.body["stream"], true);
    assert_eq!(req.body["stream_options"], json!({"include_usage": true}));
    assert_eq!(
        req.body["messages"],
        json!([{"role": "user", "content": "What is the capital of Mexico?"}])
    );
}

#[tokio::test]
async fn json_output_has_every_field() {
    let server = FakeServer::start(vec![Reply::reasoning_answer(
        "",
        "Mexico City.",
        Usage {
            input: 13,
            output: 238,
            reasoning: 192,
            ..Default::default()
        },
    )])
    .await;
    let out = ask(
        &server,
        &["-m", "o3-mini", "-e", "high", "--json", "capital?"],
        None,
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json_out(&out);
    assert_eq!(v["provider"], "openai");
    assert_eq!(v["model"], "o3-mini");
    assert_eq!(v["api"], "chat");
    assert_eq!(v["effort"], "high");
    assert_eq!(v["answer"], "Mexico City.");
    assert_eq!(v["reasoning"], "");
    assert_eq!(v["finish_reason"], "stop");
    assert_eq!(
        v["usage"],
        json!({"input_tokens":13,"cached_input_tokens":0,"output_tokens":238,"reasoning_tokens":192,"estimated":false,"source":"reported","input_without_chat_template":false})
    );
    let cost = v["cost_usd"].as_f64().unwrap();
    assert!((cost - 0.0010615).abs() < 1e-12, "{cost}");
    assert!(v["timing_ms"]["first_token"].as_u64().is_some());
    assert!(
        v["timing_ms"]["total"].as_u64().unwrap()
            >= v["timing_ms"]["first_token"].as_u64().unwrap()
    );
    assert_eq!(v["tool_calls"], json!([]));
    assert_eq!(v["error"], Value::Null);
}

#[tokio::test]
async fn reasoning_goes_to_its_own_field_and_to_stderr_on_request() {
    let reply = || {
        Reply::reasoning_answer(
            "Count the letters.",
            "Three.",
            Usage {
                input: 20,
                output: 30,
                reasoning: 10,
                ..Default::default()
            },
        )
    };
    let server = FakeServer::start(vec![reply()]).await;
    let out = ask(
        &server,
        &[
            "-m",
            "some-local-model",
            "--json",
            "how many r in strawberry",
        ],
        None,
    )
    .await;
    let v = json_out(&out);
    assert_eq!(v["reasoning"], "Count the letters.");
    assert_eq!(v["answer"], "Three.");
    assert_eq!(
        v["cost_usd"],
        Value::Null,
        "an unknown model's cost is unknown, not 0"
    );

    let server = FakeServer::start(vec![reply()]).await;
    let out = ask(
        &server,
        &["-m", "some-local-model", "--show-reasoning", "how many r"],
        None,
    )
    .await;
    assert_eq!(stdout(&out), "Three.\n");
    assert!(
        stderr(&out).starts_with("Count the letters."),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("$? (price unknown)"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn api_error_exits_non_zero_with_the_error_object() {
    let body = json!({"error":{"message":"Rate limit reached for gpt-4o-mini in organization org-x on tokens per min (TPM): Limit 200000, Used 170633, Requested 180002. Please try again in 45.19s.","type":"tokens","param":null,"code":"rate_limit_exceeded"}});
    let server = FakeServer::start(vec![Reply::Json { status: 429, body }]).await;
    let out = ask(&server, &["-m", "gpt-4o-mini", "--json", "hi"], None).await;
    assert_eq!(out.status.code(), Some(1));
    let v = json_out(&out);
    assert_eq!(v["error"]["status"], 429);
    assert_eq!(v["error"]["type"], "tokens");
    assert_eq!(v["error"]["code"], "rate_limit_exceeded");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Rate limit reached")
    );
    assert!(stderr(&out).contains("HTTP 429"), "{}", stderr(&out));

    let server = FakeServer::start(vec![Reply::Json {
        status: 401,
        body: json!({"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}),
    }])
    .await;
    let out = ask(&server, &["-m", "gpt-4o", "hi"], None).await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(err.contains("HTTP 401"), "{err}");
    assert!(
        err.contains("the API key was rejected: set OPENAI_API_KEY"),
        "{err}"
    );
    assert!(
        !err.contains("sk-test-key"),
        "the key never appears in output: {err}"
    );
}

#[tokio::test]
async fn reads_the_prompt_from_stdin_and_estimates_missing_usage() {
    let events = vec![chunk::role(), chunk::content("pong"), chunk::finish("stop")];
    let server = FakeServer::start(vec![Reply::Sse {
        events,
        delay_ms: 0,
    }])
    .await;
    let out = ask(
        &server,
        &["-m", "gpt-4o", "--json", "-"],
        Some("ping\nfrom stdin"),
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json_out(&out);
    assert_eq!(v["answer"], "pong");
    assert_eq!(v["usage"]["estimated"], true);
    assert!(v["usage"]["input_tokens"].as_u64().unwrap() > 0);
    assert_eq!(v["usage"]["output_tokens"], 1);
    assert_eq!(
        server.requests()[0].body["messages"][0]["content"],
        "ping\nfrom stdin"
    );
}

#[tokio::test]
async fn tool_calls_are_reported_not_answered() {
    let tool = json!({"id":"c1","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\"location\":"}}]},"finish_reason":null}]}).to_string();
    let tool2 = json!({"id":"c1","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Florence\"}"}}]},"finish_reason":null}]}).to_string();
    let events = vec![chunk::role(), tool, tool2, chunk::finish("tool_calls")];
    let server = FakeServer::start(vec![Reply::Sse {
        events,
        delay_ms: 0,
    }])
    .await;
    let out = ask(&server, &["-m", "gpt-4o", "--json", "weather?"], None).await;
    let v = json_out(&out);
    assert_eq!(v["answer"], "");
    assert_eq!(v["finish_reason"], "tool_calls");
    assert_eq!(
        v["tool_calls"],
        json!([{"name":"weather","arguments":"{\"location\":\"Florence\"}"}])
    );
}

#[tokio::test]
async fn bad_flags_fail_fast() {
    let server = FakeServer::start(vec![Reply::answer("never")]).await;
    let out = ask(&server, &["--api", "grpc", "hi"], None).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("grpc"), "{}", stderr(&out));
    let out = ask(&server, &["-m", "o3-mini", "-e", "extreme", "hi"], None).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("extreme"), "{}", stderr(&out));
    let out = ask(&server, &["-m", "gpt-4o"], None).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("empty"), "{}", stderr(&out));
    assert!(server.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_cut_stream_keeps_the_partial_answer_and_fails() {
    let events = vec![
        chunk::role(),
        chunk::content("Partial "),
        chunk::content("answer"),
    ];
    let server = FakeServer::start(vec![Reply::CutAfter { events, n: 3 }]).await;
    let out = ask(&server, &["-m", "gpt-4o", "--json", "hi"], None).await;
    assert_eq!(out.status.code(), Some(1));
    let v = json_out(&out);
    assert_eq!(v["answer"], "Partial answer");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("closed"),
        "{v}"
    );
}

#[tokio::test]
async fn ctrl_c_keeps_what_arrived_and_exits_130() {
    use tokio::io::AsyncReadExt;
    let server = FakeServer::start(vec![Reply::SlowDrip {
        text: "one two three four five six seven eight nine ten".into(),
        per_token_ms: 300,
    }])
    .await;
    let home = tempfile::tempdir().unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_thinkbench"))
        .args([
            "ask",
            "--base-url",
            &server.base_url(),
            "-m",
            "gpt-4o",
            "count",
        ])
        .env_clear()
        .env("THINKBENCH_HOME", home.path())
        .env("OPENAI_API_KEY", "sk-test-key")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 3];
    stdout.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"one");
    let pid = child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).await.unwrap();
    let out = child.wait_with_output().await.unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert!(!rest.contains("ten"), "the answer stopped: {rest}");
    assert!(stderr(&out).contains("cancelled"), "{}", stderr(&out));
}

#[tokio::test]
async fn anthropic_json_end_to_end() {
    use support::anthropic;
    let events = anthropic::answer("Think it through.", "Paris.", 30, 50);
    let server = FakeServer::start(vec![anthropic::stream(&events)]).await;
    let out = ask_env(
        &server,
        &[
            "-m",
            "anthropic/claude-sonnet-4-5",
            "-e",
            "low",
            "--json",
            "capital of France?",
        ],
        None,
        &[("ANTHROPIC_API_KEY", "sk-ant-test")],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json_out(&out);
    assert_eq!(v["provider"], "anthropic");
    assert_eq!(v["api"], "anthropic");
    assert_eq!(v["effort"], "low");
    assert_eq!(v["answer"], "Paris.");
    assert_eq!(v["reasoning"], "Think it through.");
    assert_eq!(v["usage"]["input_tokens"], 30);
    assert_eq!(v["usage"]["output_tokens"], 50);
    assert!(v["usage"]["reasoning_tokens"].as_u64().unwrap() > 0);
    // 30 in at $3/M + 50 out at $15/M.
    let cost = v["cost_usd"].as_f64().unwrap();
    assert!(
        (cost - (30.0 * 3.0 + 50.0 * 15.0) / 1e6).abs() < 1e-12,
        "{cost}"
    );
    let req = &server.requests()[0];
    assert_eq!(req.path, "/v1/messages");
    assert_eq!(req.header("x-api-key"), Some("sk-ant-test"));
    assert_eq!(req.header("authorization"), None);
    assert_eq!(req.body["thinking"]["budget_tokens"], 2048);
}

#[tokio::test]
async fn openrouter_reasoning_object_and_reported_cost() {
    let usage =
        json!({"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30, "cost": 0.0123});
    let usage_chunk =
        json!({"id":"c","object":"chat.completion.chunk","model":"x","choices":[],"usage":usage})
            .to_string();
    let events = vec![
        chunk::role(),
        chunk::content("ok"),
        chunk::finish("stop"),
        usage_chunk,
    ];
    let server = FakeServer::start(vec![Reply::Sse {
        events,
        delay_ms: 0,
    }])
    .await;
    let out = ask_env(
        &server,
        &[
            "-m",
            "openrouter/deepseek/deepseek-r1",
            "-e",
            "high",
            "--json",
            "hi",
        ],
        None,
        &[("OPENROUTER_API_KEY", "or-test")],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json_out(&out);
    assert_eq!(v["provider"], "openrouter");
    assert_eq!(v["cost_usd"], 0.0123, "the server's own cost wins");
    let body = &server.requests()[0].body;
    assert_eq!(body["reasoning"], json!({"effort": "high"}));
    assert_eq!(body.get("reasoning_effort"), None);
}

#[tokio::test]
async fn ollama_takes_reasoning_effort_none_and_costs_nothing() {
    let server = FakeServer::start(vec![Reply::answer("hi")]).await;
    let out = ask(
        &server,
        &["-m", "ollama/qwen3", "-e", "none", "--json", "hi"],
        None,
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json_out(&out);
    assert_eq!(v["provider"], "ollama");
    assert_eq!(v["cost_usd"], 0.0, "local models cost nothing");
    let body = &server.requests()[0].body;
    assert_eq!(body["reasoning_effort"], "none");
    assert_eq!(server.requests()[0].header("authorization"), None);
}

#[tokio::test]
async fn responses_json_end_to_end_over_the_recording() {
    let server = FakeServer::start(vec![Reply::fixture_in_pieces(
        "openai-responses-gpt5-summary.sse",
        7,
    )])
    .await;
    let out = ask(
        &server,
        &[
            "--api",
            "responses",
            "-m",
            "gpt-5",
            "-e",
            "high",
            "--json",
            "--system",
            "Be brief.",
            "weather in Florence?",
        ],
        None,
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json_out(&out);
    assert_eq!(v["api"], "responses");
    assert_eq!(v["answer"], "");
    assert!(
        v["reasoning"]
            .as_str()
            .unwrap()
            .starts_with("**Getting weather info**\n\n"),
        "{v}"
    );
    assert_eq!(v["finish_reason"], "tool_calls");
    assert_eq!(
        v["tool_calls"],
        json!([{"name": "weather", "arguments": "{\"location\":\"Florence, Italy\"}"}])
    );
    assert_eq!(
        v["usage"],
        json!({"input_tokens":63,"cached_input_tokens":0,"output_tokens":121,"reasoning_tokens":64,"estimated":false,"source":"reported","input_without_chat_template":false})
    );
    // gpt-5: 63 in at $1.25/M, 121 out at $10/M.
    let cost = v["cost_usd"].as_f64().unwrap();
    assert!(
        (cost - (63.0 * 1.25 + 121.0 * 10.0) / 1e6).abs() < 1e-12,
        "{cost}"
    );
    let req = &server.requests()[0];
    assert_eq!(req.path, "/v1/responses");
    assert_eq!(req.body["instructions"], "Be brief.");
    assert_eq!(
        req.body["reasoning"],
        json!({"effort": "high", "summary": "auto"})
    );
    assert_eq!(req.body["store"], false);
}

/// A configured provider that needs a key and has none: `ask` refuses before sending (the
/// provider's own base URL is the fake server, so a request would reach it).
#[tokio::test]
async fn a_provider_without_its_key_sends_nothing() {
    let server = FakeServer::start(vec![Reply::answer("never")]).await;
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        format!(
            "model = \"cloud/gpt-4o\"\n\n[providers.cloud]\nbase_url = \"{}\"\napi_key_env = \"CLOUD_KEY\"\n",
            server.base_url()
        ),
    )
    .unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_thinkbench"))
        .args(["ask", "hi"])
        .env_clear()
        .env("THINKBENCH_HOME", home.path())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("CLOUD_KEY"), "{}", stderr(&out));
    assert!(server.requests().is_empty(), "nothing was sent");
}
