//! End to end: what `thinkbench compare` leaves in the session store — one turn with every
//! arm, shown, exported and searched as such, the kept arm carried as history — and what
//! survives a kill -9 or a Ctrl+C in the middle of a comparison.

mod support;

use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};
use support::cli::{
    self, compare, json_anyway, json_doc, json_of, o3_mini_cost, signal, stderr, stdout, usage,
};
use support::fake_server::{FakeServer, Reply};
use thinkbench::conversation::{Turn, TurnState};
use thinkbench::store::Store;

/// The turns of session 1 as stored now (empty while it does not exist yet).
fn stored(home: &Path) -> Vec<Turn> {
    let db = home.join("thinkbench.db");
    if !db.exists() {
        return Vec::new();
    }
    Store::open(&db)
        .and_then(|s| s.load(1))
        .map(|(_, turns)| turns)
        .unwrap_or_default()
}

/// Two arms that drip 60 words, 100 ms apart.
async fn slow_server() -> (FakeServer, String) {
    let full: String = (1..=60)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    let server = FakeServer::start(Vec::new()).await;
    for arm in ["o3-mini@low", "o3-mini@high"] {
        let drip = Reply::SlowDrip {
            text: full.clone(),
            per_token_ms: 100,
        };
        server.route(arm, vec![drip]);
    }
    (server, full)
}

#[tokio::test]
async fn a_comparison_is_stored_shown_exported_and_searched_as_one_turn() {
    let server = FakeServer::start(Vec::new()).await;
    let low = Reply::reasoning_answer(
        "Think of stripes.",
        "Zebras are striped.",
        usage(10, 40, 20),
    );
    let high = Reply::reasoning_answer("", "Aardvarks dig.", usage(10, 30, 10)).delayed(300);
    server
        .route("o3-mini@low", vec![low])
        .route("o3-mini@high", vec![high]);
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let arms = ["-m", "o3-mini@low", "-m", "o3-mini@high"];
    let v = json_of(
        &compare(
            home,
            &server,
            &[&arms[..], &["--json", "Name an animal."]].concat(),
        )
        .await,
    );
    assert_eq!(v["session"], 1);

    let list = json_of(&cli::tb(home, &["sessions", "list", "--json"]).await);
    assert_eq!(list[0]["turns"], 1, "a comparison is one turn: {list}");
    assert_eq!(list[0]["title"], "Name an animal.");
    assert_eq!(list[0]["models"], json!(["o3-mini"]));
    let cost = list[0]["cost_usd"].as_f64().unwrap();
    let both = o3_mini_cost(10, 40) + o3_mini_cost(10, 30);
    assert!(
        (cost - both).abs() < 1e-15,
        "every arm is billed: {cost} vs {both}"
    );
    for word in ["zebras", "aardvarks", "stripes"] {
        let found = cli::tb(home, &["sessions", "list", "--search", word, "--json"]).await;
        let found = json_of(&found);
        if word == "stripes" {
            assert_eq!(found, json!([]), "reasoning is not indexed");
        } else {
            assert_eq!(found[0]["id"], 1, "{word} in any arm is found");
        }
    }

    let show = cli::tb(home, &["sessions", "show", "1"]).await;
    assert!(show.status.success(), "{}", stderr(&show));
    let show = stdout(&show);
    for part in [
        "[1] you · comparison of 2 arms\nName an animal.\n",
        "[1] o3-mini@low · kept · thinking\n│ Think of stripes.\n",
        "[1] o3-mini@low · kept\nZebras are striped.\no3-mini · low · in 10 · reasoning 20 · out 20 · ",
        "[1] o3-mini@high\nAardvarks dig.\no3-mini · high · in 10 · reasoning 10 · out 20 · ",
        "[1] summary\narm ",
        "kept: o3-mini@low (the first to finish without error); its answer continues the conversation\n",
        "total: 1 turn (2 requests) · in 20 · reasoning 30 · out 40 · $0.00033\n",
    ] {
        assert!(show.contains(part), "{part:?} in:\n{show}");
    }
    assert_eq!(
        show.matches("Name an animal.").count(),
        2,
        "title and prompt once: {show}"
    );

    let md = stdout(&cli::tb(home, &["sessions", "export", "1", "--format", "md"]).await);
    for part in [
        "## Turn 1 · comparison of 2 arms\n\n**Prompt**\n\nName an animal.\n",
        "### o3-mini@low · kept\n\n<details><summary>thinking</summary>\n\nThink of stripes.",
        "### o3-mini@high\n\n**Answer**\n\nAardvarks dig.\n",
        "### Summary\n\n```text\narm ",
        "**Total:** 1 turn (2 requests)",
    ] {
        assert!(md.contains(part), "{part:?} in:\n{md}");
    }

    let js = json_doc(&cli::tb(home, &["sessions", "export", "1", "--format", "json"]).await);
    assert_eq!(js["thinkbench_export"], 2);
    assert_eq!(
        (
            js["totals"]["turns"].clone(),
            js["totals"]["requests"].clone()
        ),
        (json!(1), json!(2))
    );
    let turn = &js["turns"][0];
    assert_eq!(turn["comparison"], true);
    assert_eq!(turn["prompt"], "Name an animal.");
    assert_eq!(
        turn["kept"],
        json!({"arm": "o3-mini@low", "run": 1, "index": 0, "chosen": false})
    );
    let arms: Vec<(Value, Value, Value, Value)> = (turn["arms"].as_array().unwrap().iter())
        .map(|a| {
            (
                a["arm"].clone(),
                a["run"].clone(),
                a["kept"].clone(),
                a["answer"].clone(),
            )
        })
        .collect();
    assert_eq!(
        arms,
        [
            (
                json!("o3-mini@low"),
                json!(1),
                json!(true),
                json!("Zebras are striped.")
            ),
            (
                json!("o3-mini@high"),
                json!(1),
                json!(false),
                json!("Aardvarks dig.")
            ),
        ]
    );
    let summary: Vec<&Value> = turn["summary"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["arm"])
        .collect();
    assert_eq!(summary, [&json!("o3-mini@low"), &json!("o3-mini@high")]);

    // Going on: the history carries the kept arm's answer only.
    let url = server.base_url();
    server.route("gpt-4o", vec![Reply::answer("Next.")]);
    let out = cli::tb(
        home,
        &[
            "ask",
            "--base-url",
            &url,
            "-m",
            "gpt-4o",
            "-c",
            "And another?",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        server.requests_to("gpt-4o")[0].body["messages"],
        json!([
            {"role": "user", "content": "Name an animal."},
            {"role": "assistant", "content": "Zebras are striped."},
            {"role": "user", "content": "And another?"},
        ])
    );
    let list = json_of(&cli::tb(home, &["sessions", "list", "--json"]).await);
    assert_eq!(list[0]["turns"], 2);
}

#[tokio::test]
async fn kill_9_mid_comparison_keeps_the_partial_answer_of_every_arm() {
    let (server, full) = slow_server().await;
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let url = server.base_url();
    let args = [
        "compare",
        "--base-url",
        &url,
        "-m",
        "o3-mini@low",
        "-m",
        "o3-mini@high",
        "count",
    ];
    let mut child = cli::command(home, &args, &[]).spawn().unwrap();
    // Flushed at most every 500 ms per arm: wait until each arm has words in the file.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let turns = stored(home);
        let words = |t: &Turn| t.answer.split_whitespace().count();
        if turns.len() == 2 && turns.iter().all(|t| words(t) >= 5) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no partial answers were flushed: {turns:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    signal(child.id().unwrap(), "-9");
    assert!(!child.wait().await.unwrap().success());

    let turns = stored(home);
    assert_eq!(turns.len(), 2, "{turns:?}");
    for (turn, (index, label)) in turns.iter().zip([(0, "o3-mini@low"), (1, "o3-mini@high")]) {
        let arm = turn.arm.as_ref().unwrap();
        assert_eq!((arm.index, arm.label.as_str(), arm.run), (index, label, 1));
        assert_eq!(turn.state, TurnState::Interrupted);
        assert_eq!(turn.prompt, "count");
        assert!(
            !turn.answer.is_empty() && full.starts_with(&turn.answer),
            "{:?}",
            turn.answer
        );
        assert!(
            turn.answer.len() < full.len(),
            "it was cut: {:?}",
            turn.answer
        );
    }
    let show = stdout(&cli::tb(home, &["sessions", "show", "1"]).await);
    assert_eq!(show.matches("(interrupted)").count(), 2, "{show}");
    assert!(
        show.contains("kept: none (no arm finished without error)"),
        "{show}"
    );
}

#[tokio::test]
async fn ctrl_c_mid_comparison_prints_and_stores_the_partials_and_exits_130() {
    let (server, full) = slow_server().await;
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
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
    let child = cli::command(home, &args, &[]).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.requests().len() < 2 {
        assert!(Instant::now() < deadline, "the requests never came");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    signal(child.id().unwrap(), "-INT");
    let out = child.wait_with_output().await.unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    let v = json_anyway(&out);
    for run in v["arms"].as_array().unwrap() {
        let answer = run["answer"].as_str().unwrap();
        assert!(!answer.is_empty() && full.starts_with(answer), "{run}");
        assert!(answer.len() < full.len(), "{run}");
        assert_eq!(run["error"]["type"], "cancelled", "{run}");
    }
    let turns = stored(home);
    assert_eq!(turns.len(), 2);
    for (turn, run) in turns.iter().zip(v["arms"].as_array().unwrap()) {
        assert_eq!(turn.state, TurnState::Cancelled);
        assert_eq!(
            turn.answer,
            run["answer"].as_str().unwrap(),
            "what was printed was saved"
        );
    }
}
