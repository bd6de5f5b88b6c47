//! Config resolution: file + environment + flags into one `Settings`. Every test works in its
//! own temporary THINKBENCH_HOME with an injected environment; none reads the real one.

mod config_case;

use clap::Parser;
use config_case::{Case, file_err, model, pm};
use thinkbench::api::{ApiKind, InstructionRole, MaxTokensField};
use thinkbench::config::{self, CommonArgs, Paths};

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
    // OpenRouter has no entries of its own: the model's knowledge is OpenAI's o3.
    assert_eq!(pick("openrouter/openai/o3"), "openrouter/openai/o3 (o3)");
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
    assert!(s.setup_hint.is_none());
    // The model is still known (its rules and efforts), at DeepSeek's list price.
    assert_eq!(
        s.model_info.as_ref().map(|m| m.id.as_str()),
        Some("deepseek-reasoner")
    );
    assert!(s.price().is_some_and(|p| p.list));

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
