//! Property tests of the readers of a tokenizer endpoint's answer (`api::tokenize::parse`):
//! for any bytes, and for JSON in the servers' shapes with arbitrary values, nothing
//! panics, and a count read is exactly what the body says (`count`, else the length of
//! `tokens`); a believable count is never more than one token per byte plus the slack.

use proptest::prelude::*;
use serde_json::{Value, json};
use thinkbench::api::tokenize::parse;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Any JSON value a server might put in a field.
fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        "\\PC{0,8}".prop_map(Value::from),
        prop::collection::vec(any::<i32>(), 0..40).prop_map(|v| json!(v)),
    ]
}

/// A body in one of the servers' shapes, with arbitrary values.
fn body() -> impl Strategy<Value = String> {
    prop_oneof![
        value().prop_map(|v| json!({"tokens": v}).to_string()),
        value().prop_map(|v| json!({"count": v}).to_string()),
        (value(), value()).prop_map(|(c, t)| json!({"count": c, "tokens": t}).to_string()),
        value().prop_map(|v| json!({"prompt": v}).to_string()),
        value().prop_map(|v| v.to_string()),
        prop::collection::vec(any::<u8>(), 0..200)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_body_reads_without_panic_and_exactly(body in body()) {
        let n = parse::count(&body);
        let _ = parse::template(&body);
        if let Some(n) = n {
            let v: Value = serde_json::from_str(&body).expect("a count comes from JSON");
            let said = match v.get("count") {
                Some(c) => c.as_u64(),
                None => v["tokens"].as_array().map(|t| t.len() as u64),
            };
            prop_assert_eq!(Some(n), said);
        }
    }

    #[test]
    fn a_believable_count_is_bounded(n in any::<u64>(), bytes in 0usize..1_000_000, slack in 0u64..10_000) {
        if let Some(kept) = parse::plausible(n, bytes, slack) {
            prop_assert_eq!(kept, n);
            prop_assert!(n <= bytes as u64 + slack);
            prop_assert!(bytes == 0 || n > 0);
        }
    }
}
