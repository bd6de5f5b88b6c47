//! End to end: the real `thinkbench compare` binary against the fake server on 127.0.0.1,
//! each test in its own `THINKBENCH_HOME`: arms streaming concurrently, a retried arm, a
//! failing arm, statistics over runs and the request body of each arm. The server answers
//! each arm from its own route (`o3-mini@high`, `gpt-4o`), since concurrent arms arrive in
//! any order. Arguments, providers, sweeps and escapes are in `compare_cli_args.rs`; what a
//! comparison stores, exports and leaves behind when killed in `compare_cli_store.rs`.

mod support;

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::cli::{
    answer, compare, csv_record, f64_of, json_of, o3_mini_cost, runs_of, stderr, stdout,
    summary_of, usage,
};
use support::fake_server::{FakeServer, Reply};

#[tokio::test]
async fn arms_stream_concurrently_and_time_from_their_own_request() {
    let server = FakeServer::start(Vec::new()).await;
    for (arm, ms) in [("low", 300), ("medium", 600), ("high", 900)] {
        let reply = answer(&format!("{arm} answer"), usage(10, 20, 5)).delayed(ms);
        server.route(&format!("o3-mini@{arm}"), vec![reply]);
    }
    let home = tempfile::tempdir().unwrap();
    let arms = [
        "-m",
        "o3-mini@low",
        "-m",
        "o3-mini@medium",
        "-m",
        "o3-mini@high",
    ];
    let out = compare(
        home.path(),
        &server,
        &[&arms[..], &["--json", "hi"]].concat(),
    )
    .await;
    let ended = Instant::now();
    let v = json_of(&out);
    let arrived: Vec<Instant> = server.requests().iter().map(|r| r.received).collect();
    assert_eq!(arrived.len(), 3);
    let (first, last) = (arrived.iter().min().unwrap(), arrived.iter().max().unwrap());
    // One after another, the second request could not leave before the first 300 ms answer.
    assert!(*last - *first < Duration::from_millis(250), "{arrived:?}");
    // From the first request to the exit: under the 1.8 s the delays add up to.
    assert!(
        ended - *first < Duration::from_millis(1650),
        "{:?}",
        ended - *first
    );
    for (label, ms) in [
        ("o3-mini@low", 300),
        ("o3-mini@medium", 600),
        ("o3-mini@high", 900),
    ] {
        let run = runs_of(&v, label)[0];
        assert_eq!(run["answer"], label.replace("o3-mini@", "") + " answer");
        let total = run["timing_ms"]["total"].as_u64().unwrap();
        assert!(total >= ms && total < ms + 700, "{label}: {total} ms");
    }

    // --concurrency 1: one request at a time, each timed from when it left (the third
    // waited 600 ms in the queue: timed from then, it would show 900 ms or more).
    let server = FakeServer::start(vec![answer("ok", usage(10, 20, 5)).delayed(300)]).await;
    let out = compare(
        home.path(),
        &server,
        &[&arms[..], &["--concurrency", "1", "--json", "hi"]].concat(),
    )
    .await;
    let v = json_of(&out);
    let arrived: Vec<Instant> = server.requests().iter().map(|r| r.received).collect();
    for pair in arrived.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_millis(300),
            "{arrived:?}"
        );
    }
    for run in v["arms"].as_array().unwrap() {
        let total = run["timing_ms"]["total"].as_u64().unwrap();
        assert!((300..800).contains(&total), "{run}");
    }
}

#[tokio::test]
async fn a_rate_limited_arm_waits_and_is_retried_while_the_others_finish() {
    let server = FakeServer::start(Vec::new()).await;
    let limited = Reply::Json {
        status: 429,
        body: json!({"error": {"message": "Rate limit reached for o3-mini.", "type": "tokens",
            "param": null, "code": "rate_limit_exceeded"}}),
    }
    .with_headers(&[("retry-after", "0.3")]);
    server
        .route(
            "o3-mini@high",
            vec![limited, answer("High answer.", usage(10, 40, 20))],
        )
        .route(
            "o3-mini@low",
            vec![answer("Low answer.", usage(10, 30, 10))],
        );
    let home = tempfile::tempdir().unwrap();
    let out = compare(
        home.path(),
        &server,
        &["-m", "o3-mini@low", "-m", "o3-mini@high", "Say hi."],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("── o3-mini@low ─"), "{text}");
    assert!(text.contains("Low answer.\n"), "{text}");
    assert!(text.contains("── o3-mini@high ─"), "{text}");
    assert!(text.contains("High answer.\n"), "{text}");
    let err = stderr(&out);
    assert!(
        err.contains("thinkbench: o3-mini@high: rate limited — retrying in 1 s (2/4): HTTP 429"),
        "{err}"
    );
    assert!(err.trim_end().ends_with("session 1"), "{err}");
    let high = server.requests_to("o3-mini@high");
    assert_eq!(high.len(), 2, "one retry");
    assert!(high[1].received - high[0].received >= Duration::from_millis(300));
    assert_eq!(server.requests_to("o3-mini@low").len(), 1);
}

#[tokio::test]
async fn one_arm_failing_exits_1_with_every_other_answer_and_csv_quotes_its_error() {
    let server = FakeServer::start(Vec::new()).await;
    let message = r#"Invalid value, "max_tokens": use "max_completion_tokens" instead"#;
    server
        .route(
            "gpt-4o",
            vec![Reply::Json {
                status: 400,
                body: json!({"error": {"message": message, "type": "invalid_request_error",
                    "param": null, "code": null}}),
            }],
        )
        .route(
            "o3-mini@low",
            vec![answer("Low answer.", usage(10, 30, 10))],
        );
    let home = tempfile::tempdir().unwrap();
    let arms = ["-m", "o3-mini@low", "-m", "gpt-4o"];
    let out = compare(home.path(), &server, &[&arms[..], &["hi"]].concat()).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let error = format!("HTTP 400 (invalid_request_error): {message}");
    assert!(text.contains("Low answer.\n"), "{text}");
    assert!(text.contains("── gpt-4o ─"), "{text}");
    assert!(text.contains(&format!("✗ {error}\n")), "{text}");
    assert!(
        text.contains("gpt-4o · nothing generated, nothing billed"),
        "{text}"
    );
    let row = text.lines().find(|l| l.starts_with("gpt-4o  ")).unwrap();
    assert!(
        row.contains("1 (1 failed)") && row.contains("error"),
        "{text}"
    );
    assert_eq!(server.requests().len(), 2, "a 400 is not retried");

    let out = compare(
        home.path(),
        &server,
        &[&arms[..], &["--format", "csv", "hi"]].concat(),
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let csv = stdout(&out);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert_eq!(
        lines[0],
        "arm,run,model,effort,input,cached,reasoning,output,cost_usd,first_token_ms,total_ms,finish_reason,error"
    );
    let quoted = format!("\"{}\"", error.replace('"', "\"\""));
    let failed = lines.iter().find(|l| l.starts_with("gpt-4o,")).unwrap();
    assert!(failed.ends_with(&format!(",{quoted}")), "{failed}");
    let fields = csv_record(failed);
    assert_eq!(fields.len(), 13, "{fields:?}");
    assert_eq!(
        fields[..9],
        ["gpt-4o", "1", "gpt-4o", "", "0", "0", "0", "0", "0"]
    );
    assert_eq!(fields[12], error);
    let low = csv_record(
        lines
            .iter()
            .find(|l| l.starts_with("o3-mini@low,"))
            .unwrap(),
    );
    assert_eq!(
        low[..8],
        ["o3-mini@low", "1", "o3-mini", "low", "10", "0", "10", "30"]
    );
    assert_eq!(low[8].parse::<f64>().unwrap(), o3_mini_cost(10, 30));
    assert_eq!((low[11].as_str(), low[12].as_str()), ("stop", ""));
    assert!(
        stderr(&out).contains(&format!("thinkbench: gpt-4o: {error}")),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn runs_give_exact_statistics_and_costs_per_arm() {
    let server = FakeServer::start(Vec::new()).await;
    let low = [(10, 100, 40), (10, 200, 120), (10, 600, 500)];
    server
        .route(
            "o3-mini@low",
            low.iter()
                .map(|&(i, o, r)| answer("low", usage(i, o, r)))
                .collect(),
        )
        .route("o3-mini@high", vec![answer("high", usage(20, 1000, 800))]);
    let home = tempfile::tempdir().unwrap();
    let out = compare(
        home.path(),
        &server,
        &[
            "-m",
            "o3-mini@low",
            "-m",
            "o3-mini@high",
            "--runs",
            "3",
            "--json",
            "hi",
        ],
    )
    .await;
    let v = json_of(&out);
    assert_eq!(v["prompt"], "hi");
    assert_eq!(v["session"], 1);
    assert_eq!(v["arms"].as_array().unwrap().len(), 6);
    let labels: Vec<(&str, u64)> = (v["arms"].as_array().unwrap().iter())
        .map(|a| (a["arm"].as_str().unwrap(), a["run"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        labels,
        [
            ("o3-mini@low", 1),
            ("o3-mini@high", 1),
            ("o3-mini@low", 2),
            ("o3-mini@high", 2),
            ("o3-mini@low", 3),
            ("o3-mini@high", 3)
        ]
    );
    // Which usage each run got depends on arrival order; each run's cost matches its own.
    let mut seen: Vec<(u64, u64)> = Vec::new();
    for run in runs_of(&v, "o3-mini@low") {
        let (input, output) = (
            run["usage"]["input_tokens"].as_u64().unwrap(),
            run["usage"]["output_tokens"].as_u64().unwrap(),
        );
        assert_eq!(
            f64_of(&run["cost_usd"]),
            o3_mini_cost(input, output),
            "{run}"
        );
        assert_eq!(run["effort"], "low");
        seen.push((output, run["usage"]["reasoning_tokens"].as_u64().unwrap()));
    }
    seen.sort();
    assert_eq!(seen, [(100, 40), (200, 120), (600, 500)]);

    let s = summary_of(&v, "o3-mini@low");
    assert_eq!(
        (s["runs"].clone(), s["errors"].clone()),
        (json!(3), json!(0))
    );
    assert_eq!(
        s["reasoning_tokens"],
        json!({"mean": 220.0, "min": 40, "max": 500})
    );
    assert_eq!(
        s["output_tokens"],
        json!({"mean": 300.0, "min": 100, "max": 600})
    );
    let costs = [
        o3_mini_cost(10, 100),
        o3_mini_cost(10, 200),
        o3_mini_cost(10, 600),
    ];
    let cost = &s["cost_usd"];
    assert_eq!(
        (f64_of(&cost["min"]), f64_of(&cost["max"])),
        (costs[0], costs[2])
    );
    let mean = (costs[0] + costs[1] + costs[2]) / 3.0;
    assert!(
        (f64_of(&cost["mean"]) - mean).abs() < 1e-18,
        "{cost} vs {mean}"
    );
    for timing in ["first_token_ms", "total_ms"] {
        let t = &s[timing];
        let (min, max) = (t["min"].as_u64().unwrap(), t["max"].as_u64().unwrap());
        let mean = f64_of(&t["mean"]);
        assert!(min as f64 <= mean && mean <= max as f64, "{timing}: {t}");
    }
    assert_eq!(s["estimated"], false);

    let s = summary_of(&v, "o3-mini@high");
    assert_eq!(
        s["reasoning_tokens"],
        json!({"mean": 800.0, "min": 800, "max": 800})
    );
    assert_eq!(
        s["output_tokens"],
        json!({"mean": 1000.0, "min": 1000, "max": 1000})
    );
    let high = o3_mini_cost(20, 1000);
    assert_eq!(
        s["cost_usd"],
        json!({"mean": high, "min": high, "max": high})
    );
    let total = costs.iter().sum::<f64>() + 3.0 * high;
    assert!(
        (f64_of(&v["total_cost_usd"]) - total).abs() < 1e-15,
        "{}",
        v["total_cost_usd"]
    );
}

#[tokio::test]
async fn each_arm_gets_the_body_its_model_takes() {
    let server = FakeServer::start(Vec::new()).await;
    for model in ["o1-mini", "o3-mini@high", "gpt-4o"] {
        server.route(
            model,
            vec![answer(&format!("{model} says hi"), usage(10, 20, 0))],
        );
    }
    let home = tempfile::tempdir().unwrap();
    let args = [
        "-m",
        "o1-mini",
        "-m",
        "o3-mini@high",
        "-m",
        "gpt-4o",
        "--system",
        "Be brief.",
        "--max-output-tokens",
        "500",
        "--json",
        "hi",
    ];
    let v = json_of(&compare(home.path(), &server, &args).await);
    assert_eq!(v["arms"].as_array().unwrap().len(), 3);
    let body = |key: &str| server.requests_to(key)[0].body.clone();
    let stream = json!({"include_usage": true});
    assert_eq!(
        body("o1-mini"),
        json!({"model": "o1-mini", "messages": [{"role": "user", "content": "Be brief.\n\nhi"}],
            "max_completion_tokens": 500, "stream": true, "stream_options": stream}),
        "o1-mini takes no system or developer role and no effort: the instructions are folded in"
    );
    assert_eq!(
        body("o3-mini@high"),
        json!({"model": "o3-mini", "messages": [{"role": "developer", "content": "Be brief."},
            {"role": "user", "content": "hi"}], "max_completion_tokens": 500,
            "reasoning_effort": "high", "stream": true, "stream_options": stream})
    );
    assert_eq!(
        body("gpt-4o"),
        json!({"model": "gpt-4o", "messages": [{"role": "system", "content": "Be brief."},
            {"role": "user", "content": "hi"}], "max_completion_tokens": 500, "stream": true,
            "stream_options": stream})
    );
    for request in server.requests() {
        assert_eq!(request.path, "/v1/chat/completions");
        assert_eq!(request.header("authorization"), Some("Bearer sk-test"));
    }
    assert_eq!(runs_of(&v, "o1-mini")[0]["effort"], Value::Null);
    assert_eq!(runs_of(&v, "o3-mini@high")[0]["effort"], "high");
}
