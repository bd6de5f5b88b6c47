//! Snapshots of a stored comparison as `sessions show` prints it and as the Markdown export
//! writes it, built by hand (fixed usage, timings and dates) so every figure is stable: a
//! plain turn, then a comparison of two arms over two runs with a failed attempt replaced
//! by a retry and an arm the person kept. The JSON export of the same session is checked
//! field by field.

use serde_json::json;
use thinkbench::api::{ApiError, ApiKind, FinishReason, StreamEvent};
use thinkbench::conversation::{ArmTag, Turn, TurnSpec};
use thinkbench::export;
use thinkbench::sessions_cli;
use thinkbench::store::SessionSummary;
use thinkbench::usage::{Price, Usage};

fn spec(effort: Option<&str>) -> TurnSpec {
    TurnSpec {
        provider: "openai".into(),
        model: "o3-mini".into(),
        api: ApiKind::Chat,
        effort: effort.map(str::to_string),
        max_output_tokens: None,
        price: Some(Price::flat(1.1, Some(0.55), 4.4, None)),
        reasoning_model: true,
    }
}

/// A finished turn: `reasoning`, `answer`, `(input, output, reasoning)` tokens, first token
/// and end in milliseconds.
fn finished(
    mut turn: Turn,
    reasoning: &str,
    answer: &str,
    tokens: (u64, u64, u64),
    (first, end): (u64, u64),
) -> Turn {
    if !reasoning.is_empty() {
        turn.apply(StreamEvent::ReasoningDelta(reasoning.into()), first);
    }
    turn.apply(StreamEvent::TextDelta(answer.into()), first + 100);
    let usage = Usage {
        input: tokens.0,
        output: tokens.1,
        reasoning: tokens.2,
        ..Default::default()
    };
    turn.apply(StreamEvent::Usage(usage), end);
    turn.apply(StreamEvent::Finished(FinishReason::Stop), end);
    turn
}

fn arm(index: u32, label: &str, run: u32, kept: bool) -> Turn {
    let effort = label.split_once('@').map(|(_, e)| e);
    let mut turn = Turn::new(2, "Name a striped animal.".into(), spec(effort), 14);
    turn.arm = Some(ArmTag {
        index,
        label: label.into(),
        run,
        kept,
    });
    turn
}

fn session() -> (SessionSummary, Vec<Turn>) {
    let plain = finished(
        Turn::new(1, "Hello?".into(), spec(Some("low")), 9),
        "",
        "Hello! How can I help?",
        (9, 30, 20),
        (400, 900),
    );
    let mut refused = arm(1, "o3-mini@high", 1, false);
    refused.apply(
        StreamEvent::Failed(ApiError {
            status: Some(503),
            message: "The server is overloaded.".into(),
            ..Default::default()
        }),
        120,
    );
    let turns = vec![
        plain,
        finished(
            arm(0, "o3-mini@low", 1, false),
            "Stripes: zebra.",
            "A zebra.",
            (40, 200, 150),
            (800, 2400),
        ),
        refused,
        finished(
            arm(2, "o3-mini@low", 2, false),
            "",
            "A zebra, again.",
            (40, 260, 200),
            (1000, 3000),
        ),
        finished(
            arm(3, "o3-mini@high", 2, false),
            "",
            "An okapi has striped legs.",
            (40, 900, 820),
            (2500, 7000),
        ),
        finished(
            arm(4, "o3-mini@high", 1, true),
            "Think beyond zebras.",
            "A bongo.",
            (40, 700, 640),
            (2000, 6100),
        ),
    ];
    let summary = SessionSummary {
        id: 3,
        title: "Hello?".into(),
        created_ms: 1_741_944_413_000,
        updated_ms: 1_741_944_500_000,
        turns: 2,
        models: vec!["o3-mini".into()],
        cost: 0.0,
        cost_unknown: false,
        fork: None,
    };
    (summary, turns)
}

#[test]
fn sessions_show_a_comparison() {
    let (summary, turns) = session();
    insta::assert_snapshot!("show_comparison", sessions_cli::show(&summary, &turns));
}

#[test]
fn markdown_export_of_a_comparison() {
    let (summary, turns) = session();
    insta::assert_snapshot!("export_md_comparison", export::markdown(&summary, &turns));
}

#[test]
fn json_export_of_a_comparison_has_every_arm_and_the_summary() {
    let (summary, turns) = session();
    let v = export::session_json(&summary, &turns, false);
    assert_eq!(v["thinkbench_export"], 2);
    assert_eq!(v["totals"]["turns"], 2);
    assert_eq!(v["totals"]["requests"], 6);
    let entries = v["turns"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["answer"], "Hello! How can I help?");
    assert_eq!(
        entries[0].get("comparison"),
        None,
        "a plain turn is as it was"
    );
    let c = &entries[1];
    assert_eq!(c["comparison"], true);
    assert_eq!(c["id"], 2);
    assert_eq!(c["prompt"], "Name a striped animal.");
    assert_eq!(
        c["kept"],
        json!({"arm": "o3-mini@high", "run": 1, "index": 4, "chosen": true})
    );
    let arms: Vec<_> = (c["arms"].as_array().unwrap().iter())
        .map(|a| {
            (
                a["index"].as_u64().unwrap(),
                a["arm"].as_str().unwrap(),
                a["run"].as_u64().unwrap(),
                a["kept"].as_bool().unwrap(),
                a["replaced"].as_bool().unwrap(),
                a["state"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        arms,
        [
            (0, "o3-mini@low", 1, false, false, "done"),
            (1, "o3-mini@high", 1, false, true, "failed"),
            (2, "o3-mini@low", 2, false, false, "done"),
            (3, "o3-mini@high", 2, false, false, "done"),
            (4, "o3-mini@high", 1, true, false, "done"),
        ]
    );
    let summary = c["summary"].as_array().unwrap();
    assert_eq!(summary.len(), 2);
    assert_eq!(summary[1]["arm"], "o3-mini@high");
    assert_eq!(summary[1]["runs"], 2, "the replaced attempt is not a run");
    assert_eq!(summary[1]["errors"], 0);
    assert_eq!(
        summary[1]["reasoning_tokens"],
        json!({"mean": 730.0, "min": 640, "max": 820})
    );
    let every: f64 = turns[1..].iter().filter_map(Turn::cost).sum();
    let cost = c["cost_usd"].as_f64().unwrap();
    assert!((cost - every).abs() < 1e-15, "every arm is billed: {cost}");
}
