use super::*;
use crate::compare::test_turns::{arm, done, failed};
use crate::conversation::Turn;

#[test]
fn csv_fields_are_quoted_only_when_they_must_be() {
    assert_eq!(csv_field("plain text"), "plain text");
    assert_eq!(csv_field(""), "");
    assert_eq!(csv_field("a,b"), "\"a,b\"");
    assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    assert_eq!(csv_field("cr\rhere"), "\"cr\rhere\"");
}

#[test]
fn csv_has_one_row_per_run_and_quotes_an_error_with_commas_and_quotes() {
    let turns = vec![
        done(0, "o3-mini@low", 1, "ok", (10, 30, 20), (40, 90)),
        failed(1, "gpt-4o", 1, 400, r#"bad value, "x": no"#, 7),
    ];
    let csv = to_csv(&turns);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], CSV_HEADER);
    assert_eq!(
        lines[1],
        format!(
            "o3-mini@low,1,o3-mini,low,10,0,20,30,{},40,90,stop,",
            70.0 / 1e6
        )
    );
    assert_eq!(
        lines[2],
        r#"gpt-4o,1,gpt-4o,,0,0,0,0,0,,7,,"HTTP 400 (invalid_request_error): bad value, ""x"": no""#
    );
    assert_eq!(lines.len(), 3);
    assert!(csv.ends_with('\n'));

    let mut stopped = arm(0, "a", 2);
    stopped.cancel(5);
    let row = to_csv(&[stopped]);
    assert!(row.ends_with(",5,,cancelled\n"), "{row}");
    assert!(row.lines().nth(1).unwrap().starts_with("a,2,a,,"), "{row}");
}

/// Two arms: one run each, then `b` cheaper and faster with a run that failed.
fn comparison() -> Vec<Turn> {
    vec![
        done(0, "a@low", 1, "alpha", (1000, 3000, 2500), (1200, 9800)),
        done(1, "b@high", 1, "beta beta", (1000, 1200, 100), (300, 2100)),
        done(2, "a@low", 2, "alpha2", (1000, 2000, 1500), (800, 6400)),
        failed(3, "b@high", 2, 429, "slow down", 50),
    ]
}

#[test]
fn the_summary_table_is_aligned_with_best_values_marked() {
    let text = summary_text(&comparison());
    // a@low: $0.007 and $0.005; b@high: $0.0034 (its failed run has no figures but counts).
    let expected = "\
arm             runs            reasoning  output                    cost            1st token                total  finish         answer
a@low              2  2,000 (1,500–2,500)   500 *  $0.006 ($0.005–$0.007)  1.0 s (0.8 s–1.2 s)  8.1 s (6.4 s–9.8 s)  stop    6 (5–6) chars
b@high  2 (1 failed)                100 *   1,100               $0.0034 *              0.3 s *              2.1 s *  error         9 chars
* lowest · total $0.0154 for 4 requests
";
    assert_eq!(text, expected, "\n{text}");
    let widths: Vec<usize> = text.lines().take(3).map(|l| l.width()).collect();
    assert!(widths.iter().all(|w| *w <= widths[0]), "{widths:?}");
}

#[test]
fn json_is_one_object_with_every_run_and_the_summary() {
    let turns = comparison();
    let v = to_json("the prompt", &turns, Some(7));
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "arms",
            "prompt",
            "session",
            "summary",
            "total_cost_is_lower_bound",
            "total_cost_unknown",
            "total_cost_usd"
        ]
    );
    assert_eq!(
        (v["prompt"].clone(), v["session"].clone()),
        (json!("the prompt"), json!(7))
    );
    let arms = v["arms"].as_array().unwrap();
    assert_eq!(arms.len(), 4);
    let first = arms[0].as_object().unwrap();
    for key in [
        "arm",
        "run",
        "provider",
        "model",
        "api",
        "effort",
        "answer",
        "reasoning",
        "finish_reason",
        "usage",
        "cost_usd",
        "timing_ms",
        "tool_calls",
        "error",
    ] {
        assert!(first.contains_key(key), "{key} in {first:?}");
    }
    assert_eq!(
        (arms[2]["arm"].clone(), arms[2]["run"].clone()),
        (json!("a@low"), json!(2))
    );
    assert_eq!(arms[3]["error"]["status"], 429);
    let summary = v["summary"].as_array().unwrap();
    assert_eq!(summary.len(), 2);
    assert_eq!(summary[1]["errors"], 1);
    let total = v["total_cost_usd"].as_f64().unwrap();
    assert!((total - 0.0154).abs() < 1e-12, "{total}");

    assert_eq!(v["total_cost_is_lower_bound"], false);

    // One run's price unknown: the total of the others, as a lower bound.
    let mut unpriced = turns;
    let lost = unpriced[0].cost().unwrap();
    unpriced[0].spec.price = None;
    let v = to_json("p", &unpriced, None);
    let total = v["total_cost_usd"].as_f64().unwrap();
    assert!((total - (0.0154 - lost)).abs() < 1e-12, "{total}");
    assert_eq!(v["total_cost_is_lower_bound"], true);
    assert_eq!(v["session"], Value::Null);
    // Every price unknown: unknown.
    for turn in &mut unpriced {
        turn.spec.price = None;
    }
    let v = to_json("p", &unpriced, None);
    assert_eq!(v["total_cost_usd"], Value::Null);
    assert_eq!(v["total_cost_is_lower_bound"], false);
}

#[test]
fn the_text_report_keeps_model_text_exact_when_piped_and_its_own_lines_clean() {
    let hostile = "copy \x1b]52;c;aGk=\x07 done";
    let mut turns = vec![
        done(0, "a@low", 1, hostile, (10, 20, 5), (10, 20)),
        failed(1, "b@high", 1, 400, "bad \x1b[31mred", 5),
    ];
    turns[0].reasoning = "think \x1b[2J hard".into();
    let piped = to_text(&turns, false);
    assert!(piped.contains(&format!("{hostile}\n")), "{piped:?}");
    assert!(
        piped.contains("thinking:\nthink \x1b[2J hard\n"),
        "{piped:?}"
    );
    assert!(
        piped.contains("✗ HTTP 400 (invalid_request_error): bad �[31mred\n"),
        "{piped:?}"
    );
    let own: Vec<&str> = (piped.lines())
        .filter(|l| !l.contains("copy ") && !l.contains("think "))
        .collect();
    assert!(own.iter().all(|l| !l.contains('\x1b')), "{own:?}");
    assert!(piped.starts_with("── a@low ──"), "{piped}");
    assert!(
        piped.ends_with("for 2 requests\n"),
        "the summary comes last: {piped}"
    );

    let terminal = to_text(&turns, true);
    assert!(!terminal.contains(['\x1b', '\x07']), "{terminal:?}");
    assert!(terminal.contains("copy �]52;c;aGk=� done\n"), "{terminal}");
}

#[test]
fn run_headers_carry_the_run_only_when_an_arm_ran_more_than_once() {
    let one = to_text(&comparison()[..2], false);
    assert!(
        one.contains("── a@low ─") && !one.contains("run 1"),
        "{one}"
    );
    let several = to_text(&comparison(), false);
    assert!(several.contains("── a@low · run 2 ─"), "{several}");
    let header = several.lines().next().unwrap();
    assert_eq!(header.width(), 60, "{header}");
}

#[test]
fn live_rows_show_each_arm_within_the_width() {
    let mut turns = vec![arm(0, "a@low", 1), arm(1, "a-much-longer@high", 1)];
    turns[0].apply(
        crate::api::StreamEvent::TextDelta("some answer".into()),
        300,
    );
    let now = Instant::now();
    let progress = vec![
        ArmProgress {
            started: Some(now - std::time::Duration::from_millis(1500)),
            retrying: None,
        },
        ArmProgress::default(),
    ];
    let rows = live_rows(&turns, &progress, now, 200);
    assert_eq!(rows.len(), 2);
    assert!(
        rows[0].starts_with("⠴ a@low               out ~2 · 1.5 s"),
        "{rows:?}"
    );
    assert_eq!(rows[1], "· a-much-longer@high  queued");
    let narrow = live_rows(&turns, &progress, now, 12);
    assert!(narrow.iter().all(|r| r.width() <= 12), "{narrow:?}");
    assert!(narrow[0].ends_with('…'), "{narrow:?}");
}
