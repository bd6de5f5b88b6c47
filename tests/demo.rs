//! The offline demo through the real binary, with nothing but a loopback address to reach:
//! the environment cleared (no key, no base URL) and every proxy variable pointing at a port
//! nothing listens on, so an answer proves that nothing left the machine and nothing went
//! through a proxy.

mod offline;

use offline::{stderr, stdout, tb};
use serde_json::Value;
use std::path::Path;

/// `ask --demo --json ARGS PROMPT`, which must succeed.
fn ask_json(home: &Path, args: &[&str]) -> Value {
    let mut all = vec!["ask", "--demo", "--json"];
    all.extend_from_slice(args);
    let o = tb(home, &all, &[]);
    assert!(o.status.success(), "{all:?}: {}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

fn reasoning_tokens(v: &Value) -> u64 {
    v["usage"]["reasoning_tokens"].as_u64().unwrap()
}

#[test]
fn each_demo_model_answers_like_its_family_without_network_or_key() {
    let home = tempfile::tempdir().unwrap();
    for model in ["demo-o", "demo-r1", "demo-claude", "demo-chat"] {
        let v = ask_json(home.path(), &["-m", model, "Show me some code"]);
        assert_eq!(v["provider"], "demo", "{model}");
        assert_eq!(v["finish_reason"], "stop", "{model}: {v}");
        let answer = v["answer"].as_str().unwrap();
        assert!(
            answer.starts_with("# Reading a stream of tokens"),
            "{model}: {answer}"
        );
        assert!(answer.contains("```rust") && answer.contains("```python"));
        assert!(answer.trim_end().ends_with("nothing was billed.*"));
        let usage = &v["usage"];
        assert!(
            usage["input_tokens"].as_u64().unwrap() > 0,
            "{model}: {usage}"
        );
        assert!(
            usage["output_tokens"].as_u64().unwrap() > 100,
            "{model}: {usage}"
        );
        let reasoning = v["reasoning"].as_str().unwrap();
        match model {
            "demo-o" => {
                assert_eq!(reasoning, "", "hidden");
                assert!(reasoning_tokens(&v) > 0, "counted in usage: {usage}");
                assert_eq!(v["api"], "chat");
            }
            "demo-r1" | "demo-claude" => {
                assert!(
                    reasoning.contains("“Show me some code”"),
                    "{model}: {reasoning}"
                );
                assert!(reasoning_tokens(&v) > 0);
                let api = if model == "demo-r1" {
                    "chat"
                } else {
                    "anthropic"
                };
                assert_eq!(v["api"], api);
            }
            _ => {
                assert_eq!(reasoning, "");
                assert_eq!(reasoning_tokens(&v), 0);
            }
        }
        // Priced as the family it stands for: never free, never unknown.
        assert!(v["cost_usd"].as_f64().unwrap() > 0.0, "{model}: {v}");
    }
}

#[test]
fn more_effort_means_more_reasoning_tokens() {
    let home = tempfile::tempdir().unwrap();
    for model in ["demo-o", "demo-r1", "demo-claude"] {
        let low = ask_json(home.path(), &["-m", model, "-e", "low", "hello"]);
        let high = ask_json(home.path(), &["-m", model, "-e", "high", "hello"]);
        assert_eq!(low["effort"], "low");
        assert!(
            reasoning_tokens(&high) > reasoning_tokens(&low),
            "{model}: high {} low {}",
            reasoning_tokens(&high),
            reasoning_tokens(&low)
        );
    }
}

#[test]
fn a_tiny_output_budget_reproduces_the_empty_answer() {
    let home = tempfile::tempdir().unwrap();
    for model in ["demo-o", "demo-r1"] {
        // An answer cut before it began is exit 3, with the JSON still printed.
        let args = [
            "ask",
            "--demo",
            "--json",
            "-m",
            model,
            "--max-output-tokens",
            "60",
            "hi",
        ];
        let o = tb(home.path(), &args, &[]);
        assert_eq!(o.status.code(), Some(3), "{model}: {}", stderr(&o));
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(v["answer"], "", "{model}: {v}");
        assert_eq!(v["finish_reason"], "length");
        let out = v["usage"]["output_tokens"].as_u64().unwrap();
        assert!(out <= 60 && reasoning_tokens(&v) == out, "{model}: {v}");
        // The plain output explains the trap.
        let o = tb(
            home.path(),
            &[
                "ask",
                "--demo",
                "-m",
                model,
                "--max-output-tokens",
                "60",
                "hi",
            ],
            &[],
        );
        assert!(
            stderr(&o).contains("all output tokens went to reasoning"),
            "{}",
            stderr(&o)
        );
    }
    // For Claude the request itself makes room: `max_tokens` is raised above the thinking
    // budget (see `api::anthropic::body::fit_tokens`), and the demo honours what was sent.
    let v = ask_json(
        home.path(),
        &["-m", "demo-claude", "--max-output-tokens", "60", "hi"],
    );
    assert_eq!(v["finish_reason"], "stop", "{v}");
    assert!(reasoning_tokens(&v) > 60);
    assert!(!v["answer"].as_str().unwrap().is_empty());
}

#[test]
fn the_usage_line_says_the_demo_is_not_billed_and_the_turn_is_stored() {
    let home = tempfile::tempdir().unwrap();
    let o = tb(home.path(), &["ask", "--demo", "is 1009 prime?"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("# Is 1009 prime?"), "{}", stdout(&o));
    let err = stderr(&o);
    let line = err
        .lines()
        .find(|l| l.starts_with("demo-o · medium"))
        .unwrap();
    assert!(line.contains(" (demo, not billed) · "), "{line}");
    let shown = tb(home.path(), &["sessions", "show", "1"], &[]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    assert!(
        stdout(&shown).contains("(demo, not billed)"),
        "{}",
        stdout(&shown)
    );
}

#[test]
fn compare_and_sweep_run_on_the_demo() {
    let home = tempfile::tempdir().unwrap();
    let args = [
        "compare",
        "--demo",
        "-m",
        "demo-o@low",
        "-m",
        "demo-r1",
        "--json",
        "hello",
    ];
    let o = tb(home.path(), &args, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let arms = v["arms"].as_array().unwrap();
    assert_eq!(arms.len(), 2);
    for arm in arms {
        assert_eq!(arm["provider"], "demo");
        assert_eq!(arm["finish_reason"], "stop", "{arm}");
    }
    assert_eq!(arms[0]["effort"], "low");

    let o = tb(home.path(), &["sweep", "--demo", "hello"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for label in ["demo-o@low", "demo-o@medium", "demo-o@high"] {
        assert!(text.contains(label), "{text}");
    }
    assert!(text.contains("(demo, not billed)"), "{text}");

    let o = tb(
        home.path(),
        &["compare", "--demo", "-m", "openai/o3-mini", "hi"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("model of the offline demo"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn demo_refuses_what_is_not_the_demo() {
    let home = tempfile::tempdir().unwrap();
    let o = tb(home.path(), &["ask", "--demo", "-m", "o3-mini", "hi"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a model of the offline demo"),
        "{}",
        stderr(&o)
    );
    let o = tb(
        home.path(),
        &["ask", "--demo", "hi"],
        &[("THINKBENCH_DEMO_PACE", "fast")],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("THINKBENCH_DEMO_PACE"),
        "{}",
        stderr(&o)
    );
    // The environment's model is a real one: --demo does not use it.
    let v = {
        let o = tb(
            home.path(),
            &["ask", "--demo", "--json", "hi"],
            &[
                ("THINKBENCH_MODEL", "o3-mini"),
                ("THINKBENCH_EFFORT", "xhigh"),
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str::<Value>(&stdout(&o)).unwrap()
    };
    assert_eq!(v["model"], "demo-o");
}

#[test]
fn the_pace_is_realistic_unless_set_to_zero() {
    let home = tempfile::tempdir().unwrap();
    let paced = |pace: &str| {
        let args = ["ask", "--demo", "--json", "-m", "demo-chat", "hi"];
        let o = tb(home.path(), &args, &[("THINKBENCH_DEMO_PACE", pace)]);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
        v["timing_ms"]["total"].as_u64().unwrap()
    };
    let slow = paced("0.2");
    // ~130 chunks at 20 ms each, a fifth of it.
    assert!(slow >= 400, "{slow} ms");
    assert!(paced("0") < slow / 2);
}

#[test]
fn the_config_file_sets_the_pace_and_cannot_reconfigure_the_demo() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(&config, "demo_pace = 0\n").unwrap();
    let unset = [("THINKBENCH_DEMO_PACE", "")];
    let args = ["ask", "--demo", "--json", "-m", "demo-chat", "hi"];
    let o = tb(home.path(), &args, &unset);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    // At the realistic pace this takes seconds.
    assert!(v["timing_ms"]["total"].as_u64().unwrap() < 500, "{v}");
    std::fs::write(&config, "demo_pace = 11\n").unwrap();
    let o = tb(home.path(), &["ask", "--demo", "hi"], &unset);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("demo_pace"), "{}", stderr(&o));
    std::fs::write(
        &config,
        "[providers.demo]\nbase_url = \"http://127.0.0.1:9/v1\"\n",
    )
    .unwrap();
    let o = tb(home.path(), &["ask", "--demo", "hi"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot be configured"),
        "{}",
        stderr(&o)
    );
}
