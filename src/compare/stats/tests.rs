use super::*;
use crate::api::{FinishReason, StreamEvent};
use crate::compare::test_turns::{arm, done, failed, spec};
use crate::conversation::Turn;

/// `(input, output)` at $1/M in, $2/M out, as `Price::cost` computes it.
fn cost(input: u64, output: u64) -> f64 {
    (input as f64 * 1.0 + 0.0 * 1.0 + output as f64 * 2.0) / 1_000_000.0
}

fn spread(mean: f64, min: f64, max: f64) -> Option<Spread> {
    Some(Spread { mean, min, max })
}

#[test]
fn a_spread_is_mean_min_and_max_and_none_for_no_values() {
    assert_eq!(Spread::of(Vec::<f64>::new()), None);
    assert_eq!(Spread::of([7.0]), spread(7.0, 7.0, 7.0));
    assert_eq!(Spread::of([3.0, 1.0, 2.0, 6.0]), spread(3.0, 1.0, 6.0));
    assert_eq!(
        Spread::json(None, true),
        json!({"mean": null, "min": null, "max": null})
    );
    let s = Spread::of([40.0, 120.0, 500.0]);
    assert_eq!(
        Spread::json(s, true),
        json!({"mean": 220.0, "min": 40, "max": 500})
    );
    assert_eq!(
        Spread::json(spread(0.5, 0.25, 0.75), false),
        json!({"mean": 0.5, "min": 0.25, "max": 0.75})
    );
}

/// `a@low` ×3 (the second run refused), `b@high` ×2, interleaved as `--runs` sends them.
fn runs() -> Vec<Turn> {
    vec![
        done(0, "a@low", 1, "first", (100, 300, 100), (50, 1000)),
        done(1, "b@high", 1, "b one", (100, 200, 0), (10, 500)),
        failed(2, "a@low", 2, 400, "bad request", 20),
        done(3, "b@high", 2, "b two!", (100, 400, 200), (30, 700)),
        done(4, "a@low", 3, "third", (100, 500, 300), (150, 3000)),
    ]
}

#[test]
fn statistics_are_over_the_runs_that_finished_and_failures_are_counted() {
    let all = summarize(&runs());
    assert_eq!(
        all.iter().map(|s| s.label.as_str()).collect::<Vec<_>>(),
        ["a@low", "b@high"],
        "arms in the order first sent"
    );
    let a = &all[0];
    assert_eq!((a.runs, a.errors), (3, 1));
    assert_eq!(a.reasoning, spread(200.0, 100.0, 300.0));
    assert_eq!(a.output, spread(200.0, 200.0, 200.0), "visible output");
    assert_eq!(a.billed_output, spread(400.0, 300.0, 500.0));
    let c = a.cost.unwrap();
    assert_eq!((c.min, c.max), (cost(100, 300), cost(100, 500)));
    assert!((c.mean - (cost(100, 300) + cost(100, 500)) / 2.0).abs() < 1e-18);
    assert_eq!(a.first_token_ms, spread(100.0, 50.0, 150.0));
    assert_eq!(a.total_ms, spread(2000.0, 1000.0, 3000.0));
    assert_eq!(a.answer_chars, spread(5.0, 5.0, 5.0));
    assert_eq!(a.finish, "stop");
    assert!(!a.estimated && !a.cost_unknown);

    let b = &all[1];
    assert_eq!((b.runs, b.errors), (2, 0));
    assert_eq!(b.reasoning, spread(100.0, 0.0, 200.0));
    assert_eq!(b.answer_chars, spread(5.5, 5.0, 6.0));

    let json = summary_json(a);
    assert_eq!(json["arm"], "a@low");
    assert_eq!(
        (json["runs"].clone(), json["errors"].clone()),
        (json!(3), json!(1))
    );
    assert_eq!(
        json["reasoning_tokens"],
        json!({"mean": 200.0, "min": 100, "max": 300})
    );
    assert_eq!(
        json["output_tokens"],
        json!({"mean": 400.0, "min": 300, "max": 500})
    );
    assert_eq!(
        json["total_ms"],
        json!({"mean": 2000.0, "min": 1000, "max": 3000})
    );
    assert_eq!(json["cost_usd"]["min"], json!(cost(100, 300)));
    assert_eq!(json["estimated"], false);
}

#[test]
fn an_arm_that_never_finished_has_no_figures_not_zeros() {
    let turns = vec![
        failed(0, "x", 1, 500, "down", 10),
        failed(1, "x", 2, 500, "down", 12),
    ];
    let s = &summarize(&turns)[0];
    assert_eq!((s.runs, s.errors), (2, 2));
    for figure in [s.reasoning, s.output, s.cost, s.first_token_ms, s.total_ms] {
        assert_eq!(figure, None);
    }
    assert_eq!(s.finish, "error");
    let json = summary_json(s);
    assert_eq!(
        json["cost_usd"],
        json!({"mean": null, "min": null, "max": null})
    );
    assert_eq!(json["first_token_ms"]["mean"], Value::Null);
}

#[test]
fn an_unknown_price_leaves_the_cost_unknown_and_estimates_are_marked() {
    let mut unpriced = arm(0, "local", 1);
    unpriced.spec = spec("local", None, None);
    unpriced.apply(StreamEvent::TextDelta("hello there".into()), 5);
    unpriced.apply(StreamEvent::Finished(FinishReason::Stop), 9);
    let s = &summarize(&[unpriced])[0];
    assert!(s.cost_unknown && s.estimated, "{s:?}");
    assert_eq!(summary_json(s)["cost_usd"]["mean"], Value::Null);
    assert_eq!(summary_json(s)["estimated"], true);
}

#[test]
fn endings_name_how_a_run_ended() {
    let mut streaming = arm(0, "a", 1);
    assert_eq!(ending(&streaming), "…");
    streaming.cancel(5);
    assert_eq!(ending(&streaming), "cancelled");
    assert_eq!(ending(&failed(0, "a", 1, 400, "x", 1)), "error");
    let mut cut = arm(0, "a", 1);
    cut.apply(StreamEvent::Finished(FinishReason::Length), 3);
    assert_eq!(ending(&cut), "length");
    let mut restored = arm(0, "a", 1);
    restored.state = TurnState::Interrupted;
    assert_eq!(ending(&restored), "interrupted");
}

fn with_reasoning(values: &[Option<u64>]) -> Vec<ArmSummary> {
    let turns: Vec<Turn> = (values.iter().enumerate())
        .map(|(i, v)| {
            let label = format!("arm{i}");
            match v {
                Some(r) => done(i as u32, &label, 1, "x", (10, 100 + r, *r), (5, 10)),
                None => failed(i as u32, &label, 1, 500, "down", 5),
            }
        })
        .collect();
    summarize(&turns)
}

#[test]
fn the_best_value_is_the_lowest_and_ties_share_it() {
    let all = with_reasoning(&[Some(300), Some(100), Some(100)]);
    let best: Vec<bool> = (0..3)
        .map(|i| is_best(&all, i, Column::Reasoning))
        .collect();
    assert_eq!(best, [false, true, true], "a tie for the lowest marks both");
    let equal = with_reasoning(&[Some(100), Some(100)]);
    assert!(
        !is_best(&equal, 0, Column::Reasoning),
        "all equal: nothing stands out"
    );
    let alone = with_reasoning(&[Some(100)]);
    assert!(
        !is_best(&alone, 0, Column::Reasoning),
        "one arm has nothing to beat"
    );
    let failed = with_reasoning(&[None, Some(200), Some(100)]);
    assert!(
        !is_best(&failed, 0, Column::Reasoning),
        "no value is never best"
    );
    assert!(is_best(&failed, 2, Column::Reasoning));
    assert!(!is_best(&failed, 9, Column::Reasoning), "out of range");
}

#[test]
fn an_arm_whose_cost_is_unknown_is_never_the_cheapest_nor_compared() {
    let mut turns = vec![
        done(0, "cheap?", 1, "x", (1, 1, 0), (5, 10)),
        done(1, "mid", 1, "x", (10, 100, 0), (5, 10)),
        done(2, "dear", 1, "x", (10, 900, 0), (5, 10)),
    ];
    turns[0].spec.price = None;
    let all = summarize(&turns);
    let best: Vec<bool> = (0..3).map(|i| is_best(&all, i, Column::Cost)).collect();
    assert_eq!(best, [false, true, false]);
    turns[2].spec.price = None;
    let all = summarize(&turns);
    assert!(
        (0..3).all(|i| !is_best(&all, i, Column::Cost)),
        "one known cost has nothing to beat"
    );
    assert!(
        is_best(&all, 0, Column::Output),
        "the other columns still compare"
    );
}
