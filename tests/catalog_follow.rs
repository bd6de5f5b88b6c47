//! The catalog follows the model, not only the provider: a company gateway (`[providers.cloud]`)
//! serving a known model gets that model's efforts, request rules and price (a list price,
//! marked, unless the provider says whose prices it charges); `catalog = false` opts out; the
//! synced overlay beside config.toml applies between the built-in table and `[[models]]`.

#[allow(dead_code)]
mod config_case;

use config_case::{Case, file_err, model};
use thinkbench::api::{InstructionRole, MaxTokensField};
use thinkbench::catalog::{Origin, Origins};

const CLOUD: &str = r#"
[providers.cloud]
base_url = "https://llm.example.internal/v1"
api_key_env = "CLOUD_KEY"
"#;

#[test]
fn a_gateway_serving_a_known_model_gets_its_rules_efforts_and_a_list_price() {
    let case = Case::new(Some(CLOUD), &[("CLOUD_KEY", "k")]);
    for spelled in [
        "cloud/o3-mini",
        "cloud/openai/o3-mini",
        "cloud/o3-mini-2025-01-31",
    ] {
        let s = case.ok(&model(spelled));
        assert_eq!(s.endpoint.provider, "cloud", "{spelled}");
        let info = s.model_info.as_ref().expect("known through the model");
        assert_eq!(info.efforts, ["low", "medium", "high"], "{spelled}");
        assert_eq!(
            s.effort.as_deref(),
            Some("medium"),
            "the model's default effort"
        );
        let q = s.quirks();
        assert_eq!(q.max_tokens_field, MaxTokensField::MaxCompletionTokens);
        assert_eq!(q.instruction_role, InstructionRole::Developer);
        let price = s.price().expect("the list price is shown");
        assert!(price.list, "{spelled}: marked as a list price");
        assert_eq!((price.input, price.output), (1.10, 4.40));
    }
    // An effort o3-mini does not take is fitted to its levels, as on OpenAI itself, and
    // refused with --strict.
    let mut args = model("cloud/o3-mini");
    args.effort = Some("minimal".into());
    assert_eq!(case.ok(&args).effort.as_deref(), Some("low"));
    args.strict = true;
    assert!(case.err(&args).contains("low"), "{}", case.err(&args));
}

#[test]
fn prices_names_whose_prices_the_provider_charges() {
    let config = format!("{CLOUD}prices = \"openai\"\n");
    let s = Case::new(Some(&config), &[("CLOUD_KEY", "k")]).ok(&model("cloud/o3-mini"));
    let price = s.price().unwrap();
    assert!(!price.list, "charged at OpenAI's prices: a real price");
    assert_eq!(price.input, 1.10);
    // Another vendor's model on the same gateway stays a list price.
    let s = Case::new(Some(&config), &[("CLOUD_KEY", "k")]).ok(&model("cloud/claude-haiku-4-5"));
    assert!(s.price().unwrap().list);
    let err = file_err(&format!("{CLOUD}prices = \"opnai\"\n"));
    assert!(
        err.contains("opnai") && err.contains("names no provider"),
        "{err}"
    );
}

#[test]
fn catalog_false_opts_out() {
    let config = format!("{CLOUD}catalog = false\n");
    let s = Case::new(Some(&config), &[("CLOUD_KEY", "k")]).ok(&model("cloud/o3-mini"));
    assert!(s.model_info.is_none());
    assert!(s.price().is_none(), "no price: $?");
    assert_eq!(s.effort, None);
    assert_eq!(s.quirks().max_tokens_field, MaxTokensField::MaxTokens);
}

#[test]
fn built_in_providers_keep_their_own_prices() {
    let case = Case::new(None, &[]);
    let s = case.ok(&model("o3-mini"));
    assert!(!s.price().unwrap().list);
    // OpenRouter reports its own cost; the catalog's is only a list price there.
    let s = case.ok(&model("openrouter/openai/o3-mini"));
    assert!(s.price().unwrap().list);
    assert_eq!(
        s.model_info.as_ref().unwrap().efforts,
        ["low", "medium", "high"]
    );
}

const OVERLAY: &str = r#"
synced_at = "2026-11-30"
source = "sample"

[[models]]
id = "o3-mini"
provider = "openai"
price = { input = 1.0, cached_input = 0.5, output = 4.0 }
"#;

#[test]
fn the_synced_overlay_applies_and_the_config_file_wins_over_it() {
    let case = Case::new(None, &[]);
    std::fs::write(case.paths().synced_catalog(), OVERLAY).unwrap();
    let s = case.ok(&model("o3-mini"));
    let info = s.model_info.as_ref().unwrap();
    assert_eq!(info.price.unwrap().input, 1.0);
    assert_eq!(info.origins.price, Origin::Synced);
    assert_eq!(s.catalog.prices_as_of(), Some("2026-11-30"));

    let config = "[[models]]\nid = \"o3-mini\"\nprovider = \"openai\"\nprice = { input = 0.9, output = 3.0 }\n";
    let case = Case::new(Some(config), &[]);
    std::fs::write(case.paths().synced_catalog(), OVERLAY).unwrap();
    let info = case.ok(&model("o3-mini")).model_info.unwrap();
    assert_eq!(info.price.unwrap().input, 0.9);
    assert_eq!(
        info.origins,
        Origins {
            price: Origin::User,
            ..Origins::all(Origin::Builtin)
        }
    );
}

#[test]
fn a_broken_overlay_is_an_error_that_says_how_to_recover() {
    let case = Case::new(None, &[]);
    std::fs::write(
        case.paths().synced_catalog(),
        "synced_at = \"x\"\n[[models\n",
    )
    .unwrap();
    let err = case.err(&model("o3-mini"));
    assert!(err.contains("models.synced.toml"), "{err}");
    assert!(
        err.contains("models sync") && err.contains("delete"),
        "{err}"
    );
}
