//! Unknown stays unknown: a cost nobody knows is `null` in every JSON output (never `0.0`),
//! a total only partly known is its known part marked as a lower bound
//! (`"cost_is_lower_bound": true`, `≥ $…` in text), and a total fully known is plain. The
//! real binary against the fake server on 127.0.0.1, each test in its own home.

mod support;

use serde_json::Value;
use std::path::Path;
use support::cli::{compare, f64_of, json_anyway, json_doc, o3_mini_cost, run, stderr, stdout, tb};
use support::fake_server::{FakeServer, Reply};
use thinkbench::usage::Usage;

/// A model the catalog does not know: no price.
const UNPRICED: &str = "my-local-model";

fn reply(text: &str, input: u64, output: u64) -> Reply {
    Reply::reasoning_answer(
        "",
        text,
        Usage {
            input,
            output,
            ..Default::default()
        },
    )
}

/// `thinkbench ask --base-url SERVER ARGS` in `home`; it must succeed.
async fn ask(home: &Path, server: &FakeServer, args: &[&str]) -> std::process::Output {
    let url = server.base_url();
    let mut all = vec!["ask", "--base-url", url.as_str()];
    all.extend_from_slice(args);
    let out = run(home, &all, &[], None).await;
    assert!(out.status.success(), "{}", stderr(&out));
    out
}

/// The one session of `home`, as `sessions list --json` prints it.
async fn listed(home: &Path) -> Value {
    let out = tb(home, &["sessions", "list", "--json"]).await;
    let list = json_doc(&out);
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    list[0].clone()
}

#[tokio::test]
async fn a_session_whose_every_price_is_unknown_has_a_null_cost() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::start(vec![reply("Hi.", 10, 5)]).await;
    let out = ask(home.path(), &server, &["-m", UNPRICED, "--json", "hi"]).await;
    assert_eq!(json_anyway(&out)["cost_usd"], Value::Null);

    let s = listed(home.path()).await;
    assert_eq!(s["cost_usd"], Value::Null, "{s}");
    assert_eq!(s["cost_unknown"], true);
    assert_eq!(s["cost_is_lower_bound"], false);

    let text = stdout(&tb(home.path(), &["sessions", "list"]).await);
    assert!(text.contains(" $? "), "{text}");

    let id = s["id"].to_string();
    let out = tb(
        home.path(),
        &["sessions", "export", &id, "--format", "json"],
    )
    .await;
    let export = json_doc(&out);
    assert_eq!(export["totals"]["cost_usd"], Value::Null, "{export}");
    assert_eq!(export["totals"]["cost_unknown"], true);
    assert_eq!(export["totals"]["cost_is_lower_bound"], false);
    assert_eq!(export["session"]["cost_usd"], Value::Null);
    assert_eq!(export["turns"][0]["cost_usd"], Value::Null);
}

#[tokio::test]
async fn a_partly_known_total_is_a_lower_bound_in_json_and_text() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::start(vec![reply("One.", 1000, 2000), reply("Two.", 10, 5)]).await;
    ask(home.path(), &server, &["-m", "o3-mini", "hi"]).await;
    ask(home.path(), &server, &["-c", "-m", UNPRICED, "again"]).await;
    let known = o3_mini_cost(1000, 2000);

    let s = listed(home.path()).await;
    assert!((f64_of(&s["cost_usd"]) - known).abs() < 1e-12, "{s}");
    assert_eq!(s["cost_unknown"], true);
    assert_eq!(s["cost_is_lower_bound"], true);

    let shown = thinkbench::usage::dollars(Some(known));
    let at_least = format!("≥ {shown}");
    let list = stdout(&tb(home.path(), &["sessions", "list"]).await);
    assert!(list.contains(&at_least), "{list}");

    let id = s["id"].to_string();
    let show = stdout(&tb(home.path(), &["sessions", "show", &id]).await);
    assert!(show.contains(&format!("· {at_least}\n")), "{show}");
    let md = stdout(&tb(home.path(), &["sessions", "export", &id]).await);
    assert!(md.contains(&at_least), "{md}");
    assert!(!md.contains("+?"), "{md}");

    let out = tb(
        home.path(),
        &["sessions", "export", &id, "--format", "json"],
    )
    .await;
    let export = json_doc(&out);
    let totals = &export["totals"];
    assert!(
        (f64_of(&totals["cost_usd"]) - known).abs() < 1e-12,
        "{totals}"
    );
    assert_eq!(totals["cost_is_lower_bound"], true);
    assert_eq!(export["turns"][1]["cost_usd"], Value::Null);
}

#[tokio::test]
async fn a_fully_known_total_is_no_lower_bound() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::start(vec![reply("One.", 1000, 2000)]).await;
    ask(home.path(), &server, &["-m", "o3-mini", "hi"]).await;
    let s = listed(home.path()).await;
    assert_eq!(s["cost_unknown"], false);
    assert_eq!(s["cost_is_lower_bound"], false);
    let list = stdout(&tb(home.path(), &["sessions", "list"]).await);
    assert!(!list.contains('≥'), "{list}");
}

#[tokio::test]
async fn a_comparison_with_an_unpriced_arm_totals_a_lower_bound() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::start(vec![]).await;
    server.route("o3-mini", vec![reply("One.", 1000, 2000)]);
    server.route(UNPRICED, vec![reply("Two.", 10, 5)]);
    let arms = ["-m", "o3-mini@low", "-m", UNPRICED];
    let known = o3_mini_cost(1000, 2000);

    let mut args = arms.to_vec();
    args.extend(["--json", "hi"]);
    let v = json_doc(&compare(home.path(), &server, &args).await);
    assert!((f64_of(&v["total_cost_usd"]) - known).abs() < 1e-12, "{v}");
    assert_eq!(v["total_cost_is_lower_bound"], true, "{v}");

    // Stored, the comparison exports the same way.
    let id = v["session"].to_string();
    let out = tb(
        home.path(),
        &["sessions", "export", &id, "--format", "json"],
    )
    .await;
    let entry = &json_doc(&out)["turns"][0];
    assert!(
        (f64_of(&entry["cost_usd"]) - known).abs() < 1e-12,
        "{entry}"
    );
    assert_eq!(entry["cost_is_lower_bound"], true, "{entry}");

    server.route("o3-mini", vec![reply("One.", 1000, 2000)]);
    server.route(UNPRICED, vec![reply("Two.", 10, 5)]);
    let mut args = arms.to_vec();
    args.push("hi");
    let out = compare(home.path(), &server, &args).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let total = format!(
        "total ≥ {} for 2 requests",
        thinkbench::usage::dollars(Some(known))
    );
    assert!(text.contains(&total), "{text}");
}

#[tokio::test]
async fn a_comparison_whose_every_price_is_unknown_totals_null() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::start(vec![reply("One.", 10, 5), reply("Two.", 10, 5)]).await;
    let args = [
        "-m",
        &format!("{UNPRICED}@low"),
        "-m",
        &format!("{UNPRICED}@high"),
        "--json",
        "hi",
    ]
    .map(|s| s.to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let v = json_doc(&compare(home.path(), &server, &args).await);
    assert_eq!(v["total_cost_usd"], Value::Null, "{v}");
    assert_eq!(v["total_cost_is_lower_bound"], false, "{v}");
}
