use super::*;
use crate::config::{self, CommonArgs, Paths};

fn base(model: &str, env: &[(&str, &str)]) -> (Settings, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let lookup = move |k: &str| env.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    let args = CommonArgs {
        model: Some(model.to_string()),
        ..Default::default()
    };
    let settings = config::resolve(&args, &lookup, &Paths::at(home.path())).unwrap();
    (settings, home)
}

const KEYS: &[(&str, &str)] = &[
    ("OPENAI_API_KEY", "sk-test"),
    ("DEEPSEEK_API_KEY", "sk-test"),
    ("ANTHROPIC_API_KEY", "sk-test"),
];

fn no_env(_: &str) -> Option<String> {
    None
}

fn keys(k: &str) -> Option<String> {
    KEYS.iter()
        .find(|(key, _)| *key == k)
        .map(|(_, v)| v.to_string())
}

#[test]
fn arms_parse_into_model_and_effort() {
    assert_eq!(
        parse_arm("o3-mini@low").unwrap(),
        ("o3-mini".into(), Some("low".into()))
    );
    assert_eq!(
        parse_arm(" openai/o3-mini@high ").unwrap(),
        ("openai/o3-mini".into(), Some("high".into()))
    );
    assert_eq!(
        parse_arm("deepseek-reasoner").unwrap(),
        ("deepseek-reasoner".into(), None)
    );
    for bad in ["", "  ", "@high", "o3-mini@", "o3-mini@turbo"] {
        assert!(parse_arm(bad).is_err(), "{bad:?}");
    }
    let err = parse_arm("o3-mini@turbo").unwrap_err();
    assert!(
        err.contains("turbo") && err.contains("low, medium, high"),
        "{err}"
    );
}

#[test]
fn an_effort_the_model_does_not_take_is_refused_with_the_levels_it_does() {
    let (settings, _home) = base("o3-mini", KEYS);
    let err = resolve_arm(&settings, "o3-mini@minimal", &keys)
        .err()
        .unwrap();
    assert!(
        err.contains("o3-mini@minimal") && err.contains("low, medium, high"),
        "{err}"
    );
    let err = resolve_arm(&settings, "gpt-4o@high", &keys).err().unwrap();
    assert!(err.contains("takes no reasoning effort"), "{err}");
}

#[test]
fn arms_resolve_to_their_own_provider_model_and_effort() {
    let (settings, _home) = base("o3-mini", KEYS);
    let texts: Vec<String> = [
        "o3-mini@low",
        "openai/o3-mini@high",
        "deepseek-reasoner",
        "gpt-4o",
    ]
    .map(String::from)
    .to_vec();
    let arms = resolve_arms(&settings, &texts, &keys).unwrap();
    let got: Vec<(String, String, Option<String>)> = arms
        .iter()
        .map(|a| {
            let s = &a.settings;
            (
                s.endpoint.provider.clone(),
                s.model.clone(),
                s.effort.clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("openai".into(), "o3-mini".into(), Some("low".into())),
            ("openai".into(), "o3-mini".into(), Some("high".into())),
            ("deepseek".into(), "deepseek-reasoner".into(), None),
            ("openai".into(), "gpt-4o".into(), None),
        ]
    );
    assert_eq!(arms[1].label, "openai/o3-mini@high");
}

#[test]
fn an_arm_without_effort_gets_its_models_default_not_the_current_one() {
    let (mut settings, _home) = base("o3-mini", KEYS);
    settings.effort = Some("high".into());
    let arm = resolve_arm(&settings, "o3-mini", &keys).unwrap();
    let default = settings.model_info.as_ref().unwrap().default_effort.clone();
    assert_eq!(arm.settings.effort, default);
}

#[test]
fn the_same_arm_twice_and_a_missing_key_are_refused() {
    let (settings, _home) = base("o3-mini", KEYS);
    let twice = ["o3-mini@low", "openai/o3-mini@low"].map(String::from);
    let err = resolve_arms(&settings, &twice, &keys).err().unwrap();
    assert!(err.contains("same arm") && err.contains("--runs"), "{err}");
    let err = resolve_arm(&settings, "deepseek-reasoner", &no_env)
        .err()
        .unwrap();
    assert!(err.contains("DEEPSEEK_API_KEY"), "{err}");
}

#[test]
fn a_sweep_covers_every_accepted_level_or_the_ones_named() {
    let (settings, _home) = base("o3-mini", KEYS);
    let arms = sweep_arms(&settings, &[]).unwrap();
    let labels: Vec<&str> = arms.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(labels, ["o3-mini@low", "o3-mini@medium", "o3-mini@high"]);
    let arms = sweep_arms(&settings, &["high".into(), "low".into()]).unwrap();
    let efforts: Vec<_> = arms
        .iter()
        .map(|a| a.settings.effort.clone().unwrap())
        .collect();
    assert_eq!(efforts, ["high", "low"]);
    let err = sweep_arms(&settings, &["xhigh".into()]).err().unwrap();
    assert!(err.contains("low, medium, high"), "{err}");
    let (gpt4o, _home) = base("gpt-4o", KEYS);
    let err = sweep_arms(&gpt4o, &[]).err().unwrap();
    assert!(err.contains("nothing to sweep"), "{err}");
}

#[test]
fn with_a_base_url_arms_without_a_provider_stay_at_that_url() {
    let home = tempfile::tempdir().unwrap();
    let args = CommonArgs {
        model: Some("gpt-4o".to_string()),
        base_url: Some("http://127.0.0.1:9/v1".to_string()),
        ..Default::default()
    };
    let settings = config::resolve(&args, &keys, &Paths::at(home.path())).unwrap();
    let texts: Vec<String> = [
        "deepseek-reasoner",
        "o3-mini@high",
        "anthropic/claude-sonnet-4-5@low",
    ]
    .map(String::from)
    .to_vec();
    let arms = resolve_arms_at_base_url(&settings, &texts, &keys).unwrap();
    let got: Vec<(&str, &str, &str, &str)> = arms
        .iter()
        .map(|a| {
            let s = &a.settings;
            (
                a.label.as_str(),
                s.endpoint.provider.as_str(),
                s.model.as_str(),
                s.endpoint.base_url.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "deepseek-reasoner",
                "openai",
                "deepseek-reasoner",
                "http://127.0.0.1:9/v1"
            ),
            ("o3-mini@high", "openai", "o3-mini", "http://127.0.0.1:9/v1"),
            (
                "anthropic/claude-sonnet-4-5@low",
                "anthropic",
                "claude-sonnet-4-5",
                "https://api.anthropic.com/v1"
            ),
        ]
    );
    assert_eq!(arms[1].settings.effort.as_deref(), Some("high"));
    // Without a base URL on the command line, a catalog model goes to its own provider.
    let arms = resolve_arms(&settings, &texts[..1], &keys).unwrap();
    assert_eq!(arms[0].settings.endpoint.provider, "deepseek");
    let twice = ["o3-mini@low", "openai/o3-mini@low"].map(String::from);
    let err = resolve_arms_at_base_url(&settings, &twice, &keys)
        .err()
        .unwrap();
    assert!(err.contains("same arm"), "{err}");
}
