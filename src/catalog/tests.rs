//! Unit tests of the catalog: the built-in table, lookups, overrides and borrowed knowledge.

use super::*;

fn builtin() -> Catalog {
    Catalog::parse(BUILTIN).unwrap()
}

fn price(c: &Catalog, provider: &str, id: &str) -> (f64, Option<f64>, f64) {
    let p = c.lookup(provider, id).unwrap().price.unwrap();
    (p.input, p.cached_input, p.output)
}

#[test]
fn builtin_parses_and_has_every_table_model() {
    let c = builtin();
    assert_eq!(Catalog::builtin(), c);
    let openai = [
        "o1-preview",
        "o1-mini",
        "o1",
        "o1-pro",
        "o3-mini",
        "o3",
        "o4-mini",
        "gpt-4o",
        "gpt-4o-mini",
        "gpt-4.1",
        "gpt-4.1-mini",
        "gpt-4.1-nano",
        "gpt-5",
        "gpt-5-mini",
        "gpt-5-nano",
        "gpt-5.1",
        "gpt-5.2",
    ];
    let anthropic = [
        "claude-sonnet-4",
        "claude-sonnet-4-5",
        "claude-opus-4",
        "claude-opus-4-1",
        "claude-opus-4-5",
        "claude-haiku-4-5",
    ];
    for id in openai {
        let m = c.lookup("openai", id).unwrap_or_else(|| panic!("{id}"));
        // Reasoning models that Responses serves use it (for their reasoning summaries).
        let responses = m.reasoning && !["o1-mini", "o1-preview"].contains(&id);
        let want = if responses {
            ApiKind::Responses
        } else {
            ApiKind::Chat
        };
        assert_eq!(m.api, want, "{id}");
        assert_eq!(
            m.max_tokens_field,
            MaxTokensField::MaxCompletionTokens,
            "{id}"
        );
    }
    for id in anthropic {
        assert_eq!(c.lookup("anthropic", id).unwrap().api, ApiKind::Anthropic);
    }
    for id in ["deepseek-chat", "deepseek-reasoner"] {
        let m = c.lookup("deepseek", id).unwrap();
        assert_eq!(
            (m.max_tokens_field, m.context_window),
            (MaxTokensField::MaxTokens, Some(128000))
        );
    }
    // The offline demo's models are priced as the families they stand for, and see what
    // those families see.
    let demo = [
        ("demo-o", "openai", "o3-mini", ApiKind::Chat),
        ("demo-r1", "deepseek", "deepseek-reasoner", ApiKind::Chat),
        (
            "demo-claude",
            "anthropic",
            "claude-sonnet-4-5",
            ApiKind::Anthropic,
        ),
        ("demo-chat", "openai", "gpt-4o-mini", ApiKind::Chat),
    ];
    for (id, family_provider, family, api) in demo {
        let m = c.lookup("demo", id).unwrap();
        let f = c.lookup(family_provider, family).unwrap();
        assert_eq!(m.api, api, "{id}");
        assert_eq!((&m.price, m.vision), (&f.price, f.vision), "{id}");
    }
    assert_eq!(
        c.models().len(),
        openai.len() + anthropic.len() + 2 + demo.len()
    );
    assert!(
        c.models()
            .iter()
            .all(|m| m.price.is_some() && m.context_window.is_some())
    );
}

#[test]
fn builtin_prices_match_the_table() {
    let c = builtin();
    assert_eq!(price(&c, "openai", "o1-mini"), (1.10, Some(0.55), 4.40));
    assert_eq!(price(&c, "openai", "o1-pro"), (150.0, None, 600.0));
    assert_eq!(price(&c, "openai", "o4-mini"), (1.10, Some(0.275), 4.40));
    assert_eq!(price(&c, "openai", "gpt-4o"), (2.50, Some(1.25), 10.0));
    assert_eq!(
        price(&c, "openai", "gpt-4.1-nano"),
        (0.10, Some(0.025), 0.40)
    );
    assert_eq!(price(&c, "openai", "gpt-5-nano"), (0.05, Some(0.005), 0.40));
    assert_eq!(price(&c, "openai", "gpt-5.2"), (1.75, Some(0.175), 14.0));
    assert_eq!(
        price(&c, "deepseek", "deepseek-reasoner"),
        (0.28, Some(0.028), 0.42)
    );
    assert_eq!(
        price(&c, "anthropic", "claude-opus-4-5"),
        (5.0, Some(0.50), 25.0)
    );
    assert_eq!(
        price(&c, "anthropic", "claude-haiku-4-5"),
        (1.0, Some(0.10), 5.0)
    );
    assert_eq!(
        c.lookup("openai", "gpt-4.1").unwrap().context_window,
        Some(1_047_576)
    );
    assert_eq!(
        c.lookup("openai", "o1-mini").unwrap().max_output_tokens,
        Some(65_536)
    );
}

#[test]
fn builtin_reasoning_knobs() {
    let c = builtin();
    let m = |id: &str| c.find_model(id).unwrap();
    assert_eq!(m("o3-mini").efforts, ["low", "medium", "high"]);
    assert_eq!(m("o3-mini").default_effort.as_deref(), Some("medium"));
    assert_eq!(
        m("gpt-5-mini").efforts,
        ["minimal", "low", "medium", "high"]
    );
    assert_eq!(m("gpt-5.1").default_effort.as_deref(), Some("none"));
    assert_eq!(
        m("gpt-5.2").efforts.last().map(String::as_str),
        Some("xhigh")
    );
    assert!(m("o1-mini").efforts.is_empty() && !m("o1-mini").accepts_effort);
    assert_eq!(
        m("o1-preview").instruction_role,
        InstructionRole::FoldIntoUser
    );
    assert_eq!(m("o1").instruction_role, InstructionRole::Developer);
    assert!(m("o1").can_stream && !m("o1-pro").can_stream);
    assert!(!m("gpt-4o").reasoning && !m("gpt-4o").rejects_temperature);
    assert!(m("deepseek-reasoner").reasoning && !m("deepseek-reasoner").accepts_effort);
    assert!(!m("deepseek-chat").reasoning);
    assert_eq!(m("claude-sonnet-4-5").default_effort, None);
    let q = m("o1-pro").quirks();
    assert!(!q.can_stream && q.accepts_effort && q.stream_usage);
}

#[test]
fn date_suffix_lookup() {
    let c = builtin();
    assert_eq!(strip_date_suffix("o3-mini-2025-01-31"), Some("o3-mini"));
    assert_eq!(
        strip_date_suffix("claude-sonnet-4-20250514"),
        Some("claude-sonnet-4")
    );
    assert_eq!(strip_date_suffix("gpt-4.1"), None);
    assert_eq!(strip_date_suffix("claude-opus-4-1"), None);
    assert_eq!(strip_date_suffix("-20250514"), None);
    assert_eq!(
        c.lookup("openai", "o3-mini-2025-01-31").unwrap().id,
        "o3-mini"
    );
    assert_eq!(c.lookup("openai", "o1-2024-12-17").unwrap().id, "o1");
    assert_eq!(
        c.lookup("anthropic", "claude-sonnet-4-20250514")
            .unwrap()
            .id,
        "claude-sonnet-4"
    );
    assert!(c.lookup("deepseek", "o3-mini").is_none());
    assert_eq!(
        c.find_model("gpt-4o-2024-08-06").unwrap().provider,
        "openai"
    );
    assert!(c.find_model("llama3.2").is_none());
}

#[test]
fn merge_overrides_and_adds() {
    let mut c = builtin();
    let n = c.models().len();
    let base = c.lookup_exact("openai", "o3").cloned();
    let entry = ModelEntry {
        id: "o3".into(),
        provider: "openai".into(),
        price: Some(PriceEntry {
            input: 1.0,
            cached_input: None,
            output: 4.0,
            cache_write: None,
            tier: None,
        }),
        ..Default::default()
    };
    let o3 = entry.build(base.as_ref(), Origin::User).unwrap();
    assert_eq!(
        o3.origins,
        Origins {
            price: Origin::User,
            ..Origins::all(Origin::Builtin)
        }
    );
    assert_eq!(o3.efforts, ["low", "medium", "high"]);
    let qwq = ModelEntry {
        id: "qwq".into(),
        provider: "ollama".into(),
        efforts: Some(vec!["high".into(), "low".into()]),
        ..Default::default()
    }
    .build(None, Origin::User)
    .unwrap();
    assert_eq!(qwq.efforts, ["low", "high"]);
    assert!(qwq.reasoning && qwq.accepts_effort && qwq.rejects_temperature);
    assert_eq!(qwq.max_tokens_field, MaxTokensField::MaxTokens);
    c.merge(vec![o3, qwq]);
    assert_eq!(c.models().len(), n + 1);
    assert_eq!(price(&c, "openai", "o3"), (1.0, None, 4.0));
    assert!(c.is_local_provider("ollama") && !c.is_local_provider("openai"));
}

#[test]
fn unknown_model_quirks() {
    let c = builtin();
    let q = quirks_for(c.lookup("ollama", "llama3.2"), "ollama", false);
    assert_eq!(
        (q.instruction_role, q.max_tokens_field),
        (InstructionRole::System, MaxTokensField::MaxTokens)
    );
    assert!(q.accepts_effort && q.can_stream && q.stream_usage);
    let q = quirks_for(c.lookup("openai", "gpt-9"), "openai", true);
    assert_eq!(q.max_tokens_field, MaxTokensField::MaxCompletionTokens);
    let q = quirks_for(c.lookup("openai", "o1-mini"), "openai", true);
    assert_eq!(q.instruction_role, InstructionRole::FoldIntoUser);
}

const GATEWAY: CatalogUse<'static> = CatalogUse {
    follow_model: true,
    prices_of: None,
};

#[test]
fn knowledge_follows_the_model_to_any_provider() {
    let c = builtin();
    for spelled in [
        "o3-mini",
        "openai/o3-mini",
        "o3-mini-2025-01-31",
        "openai/o3-mini-2025-01-31",
    ] {
        let info = c.knowledge("cloud", spelled, GATEWAY).unwrap();
        assert_eq!(
            (info.provider.as_str(), info.id.as_str()),
            ("openai", "o3-mini")
        );
        assert_eq!(info.efforts, ["low", "medium", "high"], "{spelled}");
        assert_eq!(info.default_effort.as_deref(), Some("medium"));
        assert!(info.price.unwrap().list, "{spelled}: a list price");
    }
    // OpenRouter spells Claude versions with a dot.
    let sonnet = c
        .knowledge("openrouter", "anthropic/claude-sonnet-4.5", GATEWAY)
        .unwrap();
    assert_eq!(sonnet.id, "claude-sonnet-4-5");
    assert!(c.knowledge("cloud", "llama3.2", GATEWAY).is_none());
    assert!(c.knowledge("cloud", "meta/llama3.2", GATEWAY).is_none());
}

#[test]
fn knowledge_prices_apply_only_where_the_provider_charges_them() {
    let c = builtin();
    let charges = |vendor| CatalogUse {
        follow_model: true,
        prices_of: Some(vendor),
    };
    let own = c.knowledge("cloud", "o3-mini", charges("openai")).unwrap();
    assert!(!own.price.unwrap().list);
    assert_eq!(own.price.unwrap().input, 1.10);
    // Charging someone else's prices does not make OpenAI's a real charge.
    let other = c
        .knowledge("cloud", "o3-mini", charges("anthropic"))
        .unwrap();
    assert!(other.price.unwrap().list);
    // A provider's own entry is never a list price.
    let direct = c.knowledge("openai", "o3-mini", GATEWAY).unwrap();
    assert!(!direct.price.unwrap().list);
}

#[test]
fn a_provider_can_opt_out_of_borrowed_knowledge() {
    let c = builtin();
    assert!(
        c.knowledge("cloud", "o3-mini", CatalogUse::OWN_ONLY)
            .is_none()
    );
    // Its own entries still apply.
    assert!(
        c.knowledge("openai", "o3-mini", CatalogUse::OWN_ONLY)
            .is_some()
    );
    // With nothing known the quirks are the unknown model's guess: effort accepted, no rules.
    let q = quirks_for(None, "cloud", false);
    assert_eq!(q.max_tokens_field, MaxTokensField::MaxTokens);
    let q = quirks_for(
        c.knowledge("cloud", "o1-mini", GATEWAY).as_ref(),
        "cloud",
        false,
    );
    assert_eq!(
        (q.instruction_role, q.max_tokens_field, q.accepts_effort),
        (
            InstructionRole::FoldIntoUser,
            MaxTokensField::MaxCompletionTokens,
            false
        )
    );
}

#[test]
fn vision_and_prices_as_of_are_in_the_table() {
    let c = builtin();
    let vision = |id: &str| c.find_model(id).unwrap().vision;
    assert_eq!(vision("gpt-4o"), Some(true));
    assert_eq!(vision("claude-haiku-4-5"), Some(true));
    assert_eq!(vision("o3-mini"), Some(false));
    assert_eq!(vision("deepseek-reasoner"), Some(false));
    assert!(c.models().iter().all(|m| m.vision.is_some()));
    assert_eq!(c.prices_as_of(), Some("2026-07-01"));
    assert!(
        c.models()
            .iter()
            .all(|m| m.origins == Origins::all(Origin::Builtin))
    );
}

#[test]
fn long_context_tier_bills_the_whole_request_above_its_threshold() {
    let c = builtin();
    let p = c
        .lookup("anthropic", "claude-sonnet-4-5")
        .unwrap()
        .price
        .unwrap();
    let tier = p.tier.unwrap();
    assert_eq!(
        (tier.above_input, tier.input, tier.output),
        (200_000, 6.0, 22.5)
    );
    let usage = |input| crate::usage::Usage {
        input,
        output: 1_000_000,
        ..Default::default()
    };
    // At the threshold: the base rates.
    let at = p.cost(&usage(200_000));
    assert!((at - (0.2 * 3.0 + 15.0)).abs() < 1e-9, "{at}");
    // One token over: every token at the tier's rates, output included.
    let over = p.cost(&usage(200_001));
    assert!((over - (0.200_001 * 6.0 + 22.5)).abs() < 1e-9, "{over}");
    // Cached and written tokens take the tier's cache rates.
    let cached = crate::usage::Usage {
        input: 300_000,
        cached_input: 100_000,
        cache_write: 100_000,
        ..Default::default()
    };
    let cost = p.cost(&cached);
    assert!(
        (cost - (0.1 * 6.0 + 0.1 * 0.6 + 0.1 * 7.5)).abs() < 1e-9,
        "{cost}"
    );
}

#[test]
fn a_bad_tier_is_refused() {
    let bad = |tier: &str| {
        Catalog::parse(&format!(
            "[[models]]\nid = \"x\"\nprovider = \"a\"\nprice = {{ input = 1.0, output = 2.0, tier = {tier} }}\n"
        ))
    };
    assert!(bad("{ above_input = 0, input = 1.0, output = 2.0 }").is_err());
    assert!(bad("{ above_input = 10, input = -1.0, output = 2.0 }").is_err());
    assert!(bad("{ above_input = 10, input = 1.0, output = 2.0, extra = 1 }").is_err());
    assert!(bad("{ above_input = 10, input = 1.0, output = 2.0 }").is_ok());
}

#[test]
fn a_synced_overlay_overrides_figures_and_keeps_the_rules() {
    let mut c = builtin();
    let text = r#"
synced_at = "2026-11-30"
source = "https://models.dev/api.json"

[[models]]
id = "o3-mini"
provider = "openai"
context_window = 200000
price = { input = 1.0, cached_input = 0.5, output = 4.0 }

[[models]]
id = "claude-sonnet-4-20250514"
provider = "anthropic"
price = { input = 2.0, output = 10.0 }

[[models]]
id = "o9"
provider = "openai"
reasoning = true
vision = true
"#;
    c.apply_synced(SyncedFile::parse(text).unwrap()).unwrap();
    let o3 = c.lookup("openai", "o3-mini").unwrap();
    assert_eq!(o3.price.unwrap().input, 1.0);
    assert_eq!(o3.efforts, ["low", "medium", "high"], "rules kept");
    assert_eq!(o3.api, ApiKind::Responses);
    assert_eq!(
        o3.origins,
        Origins {
            price: Origin::Synced,
            limits: Origin::Synced,
            capabilities: Origin::Builtin
        }
    );
    let dated = c
        .lookup_exact("anthropic", "claude-sonnet-4-20250514")
        .unwrap();
    assert_eq!(dated.price.unwrap().output, 10.0);
    assert_eq!(
        dated.efforts,
        ["low", "medium", "high"],
        "built on the undated entry"
    );
    assert_eq!(
        c.lookup("anthropic", "claude-sonnet-4")
            .unwrap()
            .price
            .unwrap()
            .output,
        15.0
    );
    let o9 = c.lookup("openai", "o9").unwrap();
    assert!(o9.reasoning && o9.vision == Some(true) && o9.price.is_none());
    assert_eq!(c.prices_as_of(), Some("2026-11-30"));
    // The file round-trips.
    let file = SyncedFile::parse(text).unwrap();
    assert_eq!(SyncedFile::parse(&file.to_toml().unwrap()).unwrap(), file);
    assert!(SyncedFile::parse("synced_at = \"x\"\nsource = \"y\"\nbogus = 1\n").is_err());
}
