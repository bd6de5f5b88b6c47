//! Config resolution: file + environment + flags into one `Settings`. Every test works in its
//! own temporary THINKBENCH_HOME with an injected environment; none reads the real one.

use clap::Parser;
use std::collections::HashMap;
use thinkbench::api::{ApiKind, InstructionRole, MaxTokensField};
use thinkbench::config::{self, CommonArgs, ConfigError, Paths, Settings};

struct Case {
    dir: tempfile::TempDir,
    vars: HashMap<String, String>,
}

impl Case {
    fn new(config: Option<&str>, vars: &[(&str, &str)]) -> Case {
        let dir = tempfile::tempdir().unwrap();
        if let Some(text) = config {
            std::fs::write(dir.path().join("config.toml"), text).unwrap();
        }
        Case {
            dir,
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn paths(&self) -> Paths {
        Paths::at(self.dir.path())
    }

    fn env(&self) -> impl Fn(&str) -> Option<String> + '_ {
        |k: &str| self.vars.get(k).cloned()
    }

    fn resolve(&self, args: &CommonArgs) -> Result<Settings, ConfigError> {
        config::resolve(args, &self.env(), &self.paths())
    }

    fn ok(&self, args: &CommonArgs) -> Settings {
        self.resolve(args).unwrap_or_else(|e| panic!("{e}"))
    }

    fn err(&self, args: &CommonArgs) -> String {
        match self.resolve(args) {
            Ok(s) => panic!("expected an error, got {s:?}"),
            Err(e) => e.to_string(),
        }
    }
}

fn model(m: &str) -> CommonArgs {
    CommonArgs {
        model: Some(m.to_string()),
        ..Default::default()
    }
}

/// The error of resolving no flags against `config`.
fn file_err(config: &str) -> String {
    Case::new(Some(config), &[]).err(&CommonArgs::default())
}

/// `provider/model` of the settings.
fn pm(s: &Settings) -> String {
    format!("{}/{}", s.endpoint.provider, s.model)
}

#[derive(Parser, Debug)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
}

#[test]
fn defaults() {
    let case = Case::new(None, &[]);
    let s = case.ok(&CommonArgs::default());
    assert_eq!(pm(&s), "openai/gpt-5-mini");
    assert_eq!(s.endpoint.base_url, "https://api.openai.com/v1");
    assert_eq!(s.endpoint.api, ApiKind::Responses);
    assert_eq!(s.endpoint.api_key, None);
    assert_eq!(s.endpoint.key_hint.as_deref(), Some("OPENAI_API_KEY"));
    assert_eq!(s.effort.as_deref(), Some("medium"));
    assert_eq!((s.max_output_tokens, s.system.as_deref()), (None, None));
    assert_eq!(s.theme, config::DEFAULT_THEME);
    assert!(!s.local);
    assert_eq!(s.price().map(|p| (p.input, p.output)), Some((0.25, 2.0)));
    assert_eq!(s.quirks().instruction_role, InstructionRole::Developer);
    assert_eq!(s.paths, case.paths());
    assert!(s.catalog.find_model("o3").is_some());
}

#[test]
fn paths_follow_thinkbench_home() {
    let env = |k: &str| (k == "THINKBENCH_HOME").then(|| "/tmp/tb-home".to_string());
    let paths = Paths::from_env(&env).unwrap();
    assert_eq!(paths, Paths::at("/tmp/tb-home"));
    assert_eq!(
        paths.config_file(),
        std::path::Path::new("/tmp/tb-home/config.toml")
    );
    assert_eq!(
        paths.themes_dir(),
        std::path::Path::new("/tmp/tb-home/themes")
    );
}

#[test]
fn env_key_and_base_url() {
    let case = Case::new(
        None,
        &[
            ("OPENAI_API_KEY", "sk-secret-123"),
            ("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1/"),
        ],
    );
    let s = case.ok(&model("llama3.2"));
    assert_eq!(s.endpoint.base_url, "http://127.0.0.1:11434/v1");
    assert_eq!(s.endpoint.api_key.as_deref(), Some("sk-secret-123"));
    assert!(s.setup_hint.is_none());
    assert!(s.model_info.is_none() && s.effort.is_none() && s.price().is_none());
    // An unknown model on a server that is not OpenAI itself: the most compatible request.
    let q = s.quirks();
    assert_eq!(
        (q.instruction_role, q.max_tokens_field),
        (InstructionRole::System, MaxTokensField::MaxTokens)
    );
    assert!(!format!("{s:?}").contains("sk-secret-123"));
}

#[test]
fn flags_beat_env_beat_file() {
    let file = "model = \"deepseek/deepseek-chat\"\ntheme = \"file\"\nsystem = \"from file\"\nmax_output_tokens = 500\n";
    let case = Case::new(Some(file), &[("THINKBENCH_THEME", "env")]);
    let s = case.ok(&CommonArgs::default());
    assert_eq!(pm(&s), "deepseek/deepseek-chat");
    assert_eq!(
        (s.theme.as_str(), s.system.as_deref(), s.max_output_tokens),
        ("env", Some("from file"), Some(500))
    );
    assert_eq!(s.quirks().max_tokens_field, MaxTokensField::MaxTokens);

    let case = Case::new(
        Some(file),
        &[("THINKBENCH_MODEL", "o3"), ("THINKBENCH_EFFORT", "low")],
    );
    let s = case.ok(&CommonArgs::default());
    assert_eq!((s.model.as_str(), s.effort.as_deref()), ("o3", Some("low")));

    let argv = "tb -m o3-mini -e high --theme flag --system=brief --max-output-tokens 100 --base-url https://proxy.example/v1/";
    let cli = Cli::try_parse_from(argv.split(' ')).unwrap();
    let s = case.ok(&cli.common);
    assert_eq!(pm(&s), "openai/o3-mini");
    assert_eq!(s.endpoint.base_url, "https://proxy.example/v1");
    assert_eq!(
        (s.effort.as_deref(), s.theme.as_str()),
        (Some("high"), "flag")
    );
    assert_eq!(
        (s.system.as_deref(), s.max_output_tokens),
        (Some("brief"), Some(100))
    );
}

#[test]
fn args_after_a_subcommand_win() {
    let outer = CommonArgs {
        model: Some("o3".into()),
        theme: Some("t".into()),
        ..Default::default()
    };
    let inner = CommonArgs {
        model: Some("gpt-4o".into()),
        ..Default::default()
    };
    let merged = inner.or(&outer);
    assert_eq!(
        (merged.model.as_deref(), merged.theme.as_deref()),
        (Some("gpt-4o"), Some("t"))
    );
}

#[test]
fn provider_and_model_parsing() {
    let case = Case::new(None, &[]);
    let pick = |m: &str| {
        let s = case.ok(&model(m));
        let known = s.model_info.as_ref().map_or("unknown", |i| i.id.as_str());
        format!("{} ({known})", pm(&s))
    };
    assert_eq!(
        pick("deepseek-reasoner"),
        "deepseek/deepseek-reasoner (deepseek-reasoner)"
    );
    assert_eq!(
        pick("openrouter/openai/o3"),
        "openrouter/openai/o3 (unknown)"
    );
    assert_eq!(
        pick("meta-llama/llama-3.3-70b"),
        "openai/meta-llama/llama-3.3-70b (unknown)"
    );
    assert_eq!(pick("openai/gpt-4o"), "openai/gpt-4o (gpt-4o)");
    assert_eq!(
        pick("o3-mini-2025-01-31"),
        "openai/o3-mini-2025-01-31 (o3-mini)"
    );

    let s = case.ok(&model("ollama/llama3.2"));
    assert!(s.local && s.setup_hint.is_none());
    assert_eq!(s.endpoint.base_url, "http://127.0.0.1:11434/v1");
    assert_eq!(s.price().map(|p| (p.input, p.output)), Some((0.0, 0.0)));
    assert_eq!(
        case.ok(&model("llamacpp/qwen3")).endpoint.base_url,
        "http://127.0.0.1:8080/v1"
    );

    // A base URL keeps a bare model on the default provider.
    let args = CommonArgs {
        base_url: Some("http://127.0.0.1:8080/v1/".into()),
        ..model("deepseek-reasoner")
    };
    let s = case.ok(&args);
    assert_eq!(
        (s.endpoint.provider.as_str(), s.endpoint.base_url.as_str()),
        ("openai", "http://127.0.0.1:8080/v1")
    );
    assert!(s.model_info.is_none() && s.setup_hint.is_none());

    assert!(case.err(&model("openai/")).contains("no model"));
    assert!(case.err(&model("  ")).contains("empty"));
    let args = CommonArgs {
        base_url: Some("127.0.0.1:8080".into()),
        ..model("x")
    };
    assert!(case.err(&args).contains("http://"));
}

#[test]
fn malformed_config_names_file_and_line() {
    let case = Case::new(
        Some("model = \"o3\"\n\n[providers.openai]\nbase_url = \n"),
        &[],
    );
    let err = case.err(&CommonArgs::default());
    let file = case.paths().config_file();
    assert!(err.starts_with(&format!("{}:4: ", file.display())), "{err}");

    assert!(file_err("max_output_tokens = -5\n").contains("config.toml:1: "));

    assert!(
        file_err("effort = \"low\"\nmax_output_tokens = 0\n")
            .contains("config.toml:2: `max_output_tokens` must be at least 1")
    );

    assert!(file_err("[providers.mine]\napi_key_env = \"MINE\"\n").contains("needs `base_url`"));
}

#[test]
fn unknown_field_is_refused_with_its_line() {
    let case = Case::new(
        Some("model = \"o3\"\n[providers.openai]\nbse_url = \"http://x\"\n"),
        &[],
    );
    let err = case.err(&CommonArgs::default());
    assert!(
        err.contains("config.toml:3: unknown field `bse_url`, expected one of"),
        "{err}"
    );

    assert!(file_err("modle = \"o3\"\n").contains("config.toml:1: unknown field `modle`"));

    assert!(
        file_err("[[models]]\nid = \"o3\"\nprovider = \"openai\"\ncost = 3\n")
            .contains("config.toml:4: unknown field `cost`")
    );

    assert!(
        file_err("[providers.openai]\napi = \"chatt\"\n")
            .contains("config.toml:2: unknown variant `chatt`")
    );
}

#[test]
fn api_key_cmd_success() {
    let case = Case::new(
        Some("[providers.openai]\napi_key_cmd = \"printf '  sk-from-cmd\\\\n'\"\n"),
        &[],
    );
    let s = case.ok(&CommonArgs::default());
    assert_eq!(s.endpoint.api_key.as_deref(), Some("sk-from-cmd"));
    assert_eq!(
        s.endpoint.key_hint.as_deref(),
        Some("api_key_cmd of provider openai")
    );
    assert!(s.setup_hint.is_none());
    assert!(!format!("{s:?}").contains("sk-from-cmd"));

    // The environment wins over the command, which then never runs.
    let case = Case::new(
        Some("[providers.openai]\napi_key_cmd = \"exit 1\"\n"),
        &[("OPENAI_API_KEY", "sk-env")],
    );
    assert_eq!(
        case.ok(&CommonArgs::default()).endpoint.api_key.as_deref(),
        Some("sk-env")
    );
}

#[test]
fn api_key_cmd_failure_and_laziness() {
    let case = Case::new(
        Some("[providers.openai]\napi_key_cmd = \"echo sk-leaked; exit 3\"\n"),
        &[],
    );
    let err = case.err(&CommonArgs::default());
    assert!(
        err.contains("provider `openai`") && err.contains("status 3"),
        "{err}"
    );
    assert!(!err.contains("sk-leaked"), "{err}");

    assert!(file_err("[providers.openai]\napi_key_cmd = \"true\"\n").contains("printed nothing"));

    // A command of a provider not in use does not run.
    let marker = tempfile::tempdir().unwrap();
    let marker = marker.path().join("ran");
    let file = format!(
        "[providers.deepseek]\napi_key_cmd = \"touch '{}'; echo k\"\n",
        marker.display()
    );
    let case = Case::new(Some(&file), &[]);
    case.ok(&model("o3"));
    assert!(!marker.exists());
    assert_eq!(
        case.ok(&model("deepseek-chat")).endpoint.api_key.as_deref(),
        Some("k")
    );
    assert!(marker.exists());
}

#[test]
fn api_key_cmd_has_a_timeout_and_reports_its_stderr() {
    let case = Case::new(
        Some(
            "[providers.openai]\napi_key_cmd = \"echo 'Enter PIN:' >&2; sleep 30; echo k\"\n\
             api_key_cmd_timeout_secs = 1\n",
        ),
        &[],
    );
    let started = std::time::Instant::now();
    let err = case.err(&CommonArgs::default());
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert!(
        err.contains("provider `openai`") && err.contains("did not finish within 1 s"),
        "{err}"
    );
    assert!(err.ends_with(": Enter PIN:"), "{err}");

    let err =
        file_err("[providers.openai]\napi_key_cmd = \"echo k\"\napi_key_cmd_timeout_secs = 0\n");
    assert!(
        err.contains("config.toml:3") && err.contains("at least 1"),
        "{err}"
    );
}

#[test]
fn config_providers_and_models_override_the_catalog() {
    let file = r#"
[providers.openai]
headers = { "X-Title" = "bench" }

[providers.work]
base_url = "https://llm.example.com/v1/"
api_key_env = "WORK_KEY"

[[models]]
id = "o3"
provider = "openai"
price = { input = 1.0, output = 4.0 }

[[models]]
id = "big"
provider = "work"
context_window = 32000
price = { input = 0.5, cached_input = 0.1, output = 1.5 }
efforts = ["low", "high"]
default_effort = "low"
"#;
    let case = Case::new(Some(file), &[("WORK_KEY", "wk")]);
    let s = case.ok(&model("o3"));
    let price = s.price().unwrap();
    assert_eq!(
        (price.input, price.cached_input, price.output),
        (1.0, None, 4.0)
    );
    let info = s.model_info.as_ref().unwrap();
    assert_eq!(info.efforts, ["low", "medium", "high"]);
    assert_eq!(info.max_output_tokens, Some(100_000));
    assert_eq!(
        s.endpoint.headers,
        [("X-Title".to_string(), "bench".to_string())]
    );

    let s = case.ok(&model("work/big"));
    assert_eq!(s.endpoint.base_url, "https://llm.example.com/v1");
    assert_eq!(
        (s.endpoint.api_key.as_deref(), s.effort.as_deref()),
        (Some("wk"), Some("low"))
    );
    assert_eq!(s.price().map(|p| p.output), Some(1.5));
    assert_eq!(s.quirks().max_tokens_field, MaxTokensField::MaxTokens);
    // A bare id the merged catalog knows finds its provider.
    assert_eq!(case.ok(&model("big")).endpoint.provider, "work");

    assert!(
        file_err("[[models]]\nid = \"x\"\nprovider = \"nowhere\"\n")
            .contains("config.toml:1: model `x`: unknown provider `nowhere`")
    );
    assert!(
        file_err("[[models]]\nid = \"x\"\nprovider = \"ollama\"\nefforts = [\"huge\"]\n")
            .contains("unknown effort level \"huge\"")
    );
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
