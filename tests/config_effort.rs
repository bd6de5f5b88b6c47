//! Config resolution, continued: efforts, setup hints, the API chosen, switching models, and
//! the limits the file sets. Every test works in its own temporary THINKBENCH_HOME with an
//! injected environment; none reads the real one.

mod config_case;

use clap::Parser;
use config_case::{Case, file_err, model, pm};
use thinkbench::api::ApiKind;
use thinkbench::config::{self, CommonArgs};

#[derive(Parser, Debug)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
}

#[test]
fn effort_validation() {
    let case = Case::new(None, &[]);
    let with = |m: &str, e: &str| CommonArgs {
        effort: Some(e.to_string()),
        ..model(m)
    };
    let strict = |m: &str, e: &str| CommonArgs {
        strict: true,
        ..with(m, e)
    };
    let err = case.err(&strict("o3-mini", "minimal"));
    assert_eq!(
        err,
        "--effort: `minimal` is not a reasoning effort o3-mini accepts; it accepts: low, medium, high"
    );
    assert!(
        case.err(&strict("gpt-4o", "high"))
            .contains("gpt-4o takes no reasoning effort")
    );
    // A level name that is none is an error, strict or not.
    for args in [with("llama3.2", "turbo"), with("o3-mini", "turbo")] {
        assert!(
            case.err(&args)
                .contains("known levels: none, minimal, low, medium, high, xhigh, max")
        );
    }
    assert_eq!(
        case.ok(&with("llama3.2", "high")).effort.as_deref(),
        Some("high")
    );
    assert_eq!(case.ok(&with("llama3.2", "high")).effort_note, None);
    assert_eq!(case.ok(&model("gpt-5.1")).effort.as_deref(), Some("none"));
    assert_eq!(case.ok(&model("gpt-4o")).effort, None);

    // A preferred effort from the file applies where an effort applies at all.
    let file = Case::new(Some("\neffort = \"minimal\"\n"), &[]);
    assert_eq!(file.ok(&model("gpt-5")).effort.as_deref(), Some("minimal"));
    let reasoner = file.ok(&model("deepseek-reasoner"));
    assert_eq!((reasoner.effort, reasoner.effort_note), (None, None));
    assert!(
        file.err(&CommonArgs {
            strict: true,
            ..model("o3")
        })
        .contains("config.toml:2: `minimal` is not a reasoning effort o3 accepts")
    );
    let o3 = file.ok(&model("o3"));
    assert_eq!(o3.effort.as_deref(), Some("low"));
    let note = o3.effort_note.unwrap_or_default();
    assert!(
        note.ends_with(
            "config.toml:2: o3 takes low|medium|high; sending low instead of minimal \
             (--strict to make this an error)"
        ),
        "{note}"
    );
}

#[test]
fn an_effort_the_model_does_not_take_is_fitted_as_a_switch_fits_it() {
    let case = Case::new(None, &[]);
    let with = |m: &str, e: &str| CommonArgs {
        effort: Some(e.to_string()),
        ..model(m)
    };
    let s = case.ok(&with("o3-mini", "xhigh"));
    assert_eq!(s.effort.as_deref(), Some("high"));
    assert_eq!(
        s.effort_note.as_deref(),
        Some(
            "o3-mini takes low|medium|high; sending high instead of xhigh (--strict to make this an error)"
        )
    );
    let s = case.ok(&with("gpt-4o", "high"));
    assert_eq!(s.effort, None);
    assert_eq!(
        s.effort_note.as_deref(),
        Some(
            "gpt-4o takes no reasoning effort; sending without one (--strict to make this an error)"
        )
    );
    // Where the TUI's switch lands from the same place.
    let from = case.ok(&with("gpt-5.2", "xhigh"));
    assert_eq!(
        from.switch_model("o3-mini", &|_| None).unwrap().effort,
        case.ok(&with("o3-mini", "xhigh")).effort
    );
    // The note is said once, at start: a switch does not carry it.
    assert_eq!(
        case.ok(&with("o3-mini", "xhigh"))
            .switch_model("gpt-5", &|_| None)
            .unwrap()
            .effort_note,
        None
    );
    // An environment preference is fitted too, and says where it came from.
    let env = Case::new(None, &[("THINKBENCH_EFFORT", "max")]);
    let s = env.ok(&model("o3-mini"));
    assert_eq!(s.effort.as_deref(), Some("high"));
    assert!(
        s.effort_note
            .as_deref()
            .is_some_and(|n| n.starts_with("THINKBENCH_EFFORT: o3-mini takes")),
        "{:?}",
        s.effort_note
    );
}

#[test]
fn setup_hint_only_when_a_key_is_missing() {
    let case = Case::new(None, &[]);
    let hint = case.ok(&CommonArgs::default()).setup_hint.unwrap();
    assert!(hint.contains("OPENAI_API_KEY"), "{hint}");
    assert!(
        hint.contains("OPENAI_BASE_URL=http://127.0.0.1:11434/v1 thinkbench -m llama3.2"),
        "{hint}"
    );
    assert!(
        hint.contains("--base-url http://127.0.0.1:8080/v1"),
        "{hint}"
    );
    assert!(hint.contains("-m ollama/"), "{hint}");
    assert!(
        case.ok(&model("deepseek-chat"))
            .setup_hint
            .unwrap()
            .contains("DEEPSEEK_API_KEY")
    );

    let case = Case::new(None, &[("OPENAI_API_KEY", "sk")]);
    assert!(case.ok(&CommonArgs::default()).setup_hint.is_none());
    let case = Case::new(None, &[]);
    let args = CommonArgs {
        base_url: Some("http://127.0.0.1:8080/v1".into()),
        ..Default::default()
    };
    assert!(case.ok(&args).setup_hint.is_none());
    let case = Case::new(
        Some("[providers.openai]\nbase_url = \"http://127.0.0.1:8000/v1\"\n"),
        &[],
    );
    assert!(case.ok(&CommonArgs::default()).setup_hint.is_none());
}

#[test]
fn the_api_follows_flag_provider_config_and_catalog() {
    let api = |case: &Case, args: &CommonArgs| case.ok(args).endpoint.api;
    let case = Case::new(None, &[]);
    // OpenAI's own server: its reasoning models speak Responses, the rest Chat Completions.
    assert_eq!(api(&case, &model("o3-mini")), ApiKind::Responses);
    assert_eq!(api(&case, &model("gpt-5")), ApiKind::Responses);
    assert_eq!(api(&case, &model("gpt-4o")), ApiKind::Chat);
    assert_eq!(api(&case, &model("o1-mini")), ApiKind::Chat);
    assert_eq!(api(&case, &model("claude-sonnet-4-5")), ApiKind::Anthropic);
    assert_eq!(api(&case, &model("some-new-model")), ApiKind::Chat);
    // --api wins.
    let args = CommonArgs {
        api: Some(ApiKind::Chat),
        ..model("o3-mini")
    };
    assert_eq!(api(&case, &args), ApiKind::Chat);
    let args = CommonArgs {
        api: Some(ApiKind::Chat),
        ..model("claude-sonnet-4-5")
    };
    let s = case.ok(&args);
    assert_eq!(
        (s.endpoint.provider.as_str(), s.endpoint.api),
        ("anthropic", ApiKind::Chat)
    );
    // A compatible server (base URL of one's own) speaks Chat Completions.
    let local = Case::new(None, &[("OPENAI_BASE_URL", "http://127.0.0.1:8080/v1")]);
    assert_eq!(api(&local, &model("o3-mini")), ApiKind::Chat);
    let args = CommonArgs {
        base_url: Some("http://127.0.0.1:8080/v1".into()),
        ..model("o3-mini")
    };
    assert_eq!(api(&case, &args), ApiKind::Chat);
    // A provider's `api` in the config wins over the catalog.
    let chat = Case::new(Some("[providers.openai]\napi = \"chat\"\n"), &[]);
    assert_eq!(api(&chat, &model("o3-mini")), ApiKind::Chat);
    // A [[models]] entry can move a model to another API.
    let moved = Case::new(
        Some("[[models]]\nid = \"gpt-4o\"\nprovider = \"openai\"\napi = \"responses\"\n"),
        &[],
    );
    assert_eq!(api(&moved, &model("gpt-4o")), ApiKind::Responses);
}

#[test]
fn openrouter_takes_effort_as_a_reasoning_object() {
    let case = Case::new(None, &[("OPENROUTER_API_KEY", "k")]);
    let args = CommonArgs {
        effort: Some("high".into()),
        ..model("openrouter/deepseek/deepseek-r1")
    };
    let s = case.ok(&args);
    assert_eq!(
        s.quirks().effort_field,
        thinkbench::api::EffortField::ReasoningObject
    );
    assert_eq!(s.effort.as_deref(), Some("high"));
}

#[test]
fn flag_values_are_checked_at_parse_time() {
    assert!(Cli::try_parse_from(["tb", "--max-output-tokens", "0"]).is_err());
    assert!(Cli::try_parse_from(["tb", "--api", "grpc"]).is_err());
    let cli = Cli::try_parse_from(["tb", "--api", "responses", "-m", "x"]).unwrap();
    assert_eq!(cli.common.api, Some(ApiKind::Responses));
    let case = Case::new(None, &[]);
    let args = CommonArgs {
        max_output_tokens: Some(0),
        ..Default::default()
    };
    assert!(
        case.err(&args)
            .contains("--max-output-tokens must be at least 1")
    );
}

#[test]
fn switching_models_keeps_what_fits() {
    let case = Case::new(
        None,
        &[("OPENAI_API_KEY", "sk"), ("DEEPSEEK_API_KEY", "dk")],
    );
    let s = case.ok(&CommonArgs {
        effort: Some("high".into()),
        ..model("o3-mini")
    });
    let env = case.env();
    let next = s.switch_model("gpt-5.1", &env).unwrap();
    assert_eq!(
        (next.model.as_str(), next.effort.as_deref()),
        ("gpt-5.1", Some("high"))
    );
    let next = s.switch_model("gpt-4o", &env).unwrap();
    assert_eq!(next.effort, None);
    let next = s.switch_model("deepseek-chat", &env).unwrap();
    assert_eq!(
        (
            next.endpoint.provider.as_str(),
            next.endpoint.api_key.as_deref()
        ),
        ("deepseek", Some("dk"))
    );
    let next = s.switch_model("ollama/qwen3", &env).unwrap();
    assert!(next.local && next.price().is_some());
    let next = next.switch_model("llama3.2", &env).unwrap();
    assert_eq!(pm(&next), "ollama/llama3.2");
    assert_eq!(pm(&next.switch_model("o3", &env).unwrap()), "openai/o3");
    let s = case.ok(&CommonArgs {
        effort: Some("minimal".into()),
        ..model("gpt-5")
    });
    assert_eq!(
        s.switch_model("o3", &env).unwrap().effort.as_deref(),
        Some("low")
    );
    let claude = s.switch_model("claude-opus-4-5", &env).unwrap();
    assert_eq!(claude.endpoint.api, ApiKind::Anthropic);
    // Within one provider the API follows the model too.
    let chat = s.switch_model("gpt-4o", &env).unwrap();
    assert_eq!(chat.endpoint.api, ApiKind::Chat);
    assert_eq!(
        chat.switch_model("o3", &env).unwrap().endpoint.api,
        ApiKind::Responses
    );
}

#[test]
fn retries_and_idle_timeout_come_from_the_file() {
    let case = Case::new(None, &[]);
    let s = case.ok(&CommonArgs::default());
    assert_eq!(
        s.endpoint.max_attempts,
        thinkbench::api::DEFAULT_MAX_ATTEMPTS
    );
    assert_eq!(s.endpoint.idle_timeout, None);
    let case = Case::new(Some("max_attempts = 2\nidle_timeout_secs = 30\n"), &[]);
    let s = case.ok(&CommonArgs::default());
    assert_eq!(s.endpoint.max_attempts, 2);
    assert_eq!(
        s.endpoint.idle_timeout,
        Some(std::time::Duration::from_secs(30))
    );
    let err = file_err("model = \"gpt-4o\"\nmax_attempts = 0\n");
    assert!(err.contains(":2:") && err.contains("max_attempts"), "{err}");
}

#[test]
fn size_limits_come_from_the_file_are_checked_and_survive_a_model_switch() {
    let s = Case::new(None, &[]).ok(&CommonArgs::default());
    assert_eq!(s.endpoint.limits, thinkbench::api::Limits::DEFAULT);
    assert_eq!(
        (
            s.endpoint.limits.max_event_bytes,
            s.endpoint.limits.max_body_bytes,
            s.endpoint.limits.max_answer_bytes
        ),
        (16 << 20, 64 << 20, 64 << 20)
    );
    let case = Case::new(
        Some("max_event_bytes = 65536\nmax_body_bytes = 2048\nmax_answer_bytes = 1048576\n"),
        &[("OPENAI_API_KEY", "sk"), ("DEEPSEEK_API_KEY", "dk")],
    );
    let s = case.ok(&model("o3-mini"));
    let set = thinkbench::api::Limits {
        max_event_bytes: 65536,
        max_body_bytes: 2048,
        max_answer_bytes: 1 << 20,
    };
    assert_eq!(s.endpoint.limits, set);
    let env = case.env();
    let other = s.switch_model("deepseek-chat", &env).unwrap();
    assert_eq!(other.endpoint.provider, "deepseek");
    assert_eq!(other.endpoint.limits, set);
    assert_eq!(s.switch_model("gpt-4o", &env).unwrap().endpoint.limits, set);
    let err = file_err("model = \"gpt-4o\"\nmax_answer_bytes = 10\n");
    assert!(
        err.contains(":2:") && err.contains("`max_answer_bytes` must be at least 1024"),
        "{err}"
    );
}

#[test]
fn comparison_limits_come_from_the_file_and_are_checked() {
    let s = Case::new(None, &[]).ok(&CommonArgs::default());
    assert_eq!(s.compare, config::CompareLimits::default());
    assert_eq!((s.compare.concurrency, s.compare.confirm_usd), (4, 0.5));
    let case = Case::new(
        Some("compare_concurrency = 2\ncompare_confirm_usd = 1.25\n"),
        &[],
    );
    let s = case.ok(&CommonArgs::default());
    assert_eq!((s.compare.concurrency, s.compare.confirm_usd), (2, 1.25));
    let err = file_err("model = \"gpt-4o\"\ncompare_concurrency = 0\n");
    assert!(
        err.contains(":2:") && err.contains("compare_concurrency"),
        "{err}"
    );
    let err = file_err("compare_confirm_usd = -1.0\n");
    assert!(
        err.contains(":1:") && err.contains("compare_confirm_usd"),
        "{err}"
    );
}
