//! Where keys go and where secrets show: a redirect to another origin is never followed (so
//! `x-api-key` and configured headers never reach another server), credentials in a URL
//! (`user:token@`, `?key=`) never appear in an error, a stored turn, an export or the TUI,
//! and `--base-url` never borrows another provider's key.

mod support;

use serde_json::{Value, json};
use support::app::{harness_with, settings};
use support::cli::{self, stderr, stdout};
use support::fake_server::{FakeServer, Reply};
use support::turn::{chat_endpoint, run};
use thinkbench::api::{ApiKind, ChatRequest, Message, RequestQuirks, Role};
use thinkbench::config::CommonArgs;

fn request() -> ChatRequest {
    ChatRequest {
        model: "fake-reasoner".into(),
        system: None,
        messages: vec![Message {
            role: Role::User,
            content: "Hello?".into(),
            images: Vec::new(),
        }],
        effort: None,
        max_output_tokens: None,
        model_max_output: None,
        quirks: RequestQuirks::default(),
    }
}

fn redirect_to(location: &str) -> Reply {
    Reply::Http {
        status: 307,
        headers: vec![("location".into(), location.into())],
        body: String::new(),
    }
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed_and_no_key_leaves() {
    let elsewhere = FakeServer::start(vec![Reply::answer("stolen")]).await;
    let location = format!("http://{}/v1/messages?sig=SIGSECRET&x=1", elsewhere.addr());
    let server = FakeServer::start(vec![redirect_to(&location)]).await;
    for api in [ApiKind::Anthropic, ApiKind::Chat] {
        let mut endpoint = chat_endpoint(&server.base_url(), Some("sk-test"));
        endpoint.api = api;
        endpoint.headers = vec![("api-key".into(), "sk-header".into())];
        endpoint.max_attempts = 3;
        let outcome = run(&endpoint, &request()).await;
        let err = outcome.error.expect("the redirect fails the turn");
        assert!(
            err.message.contains(&format!(
                "the server redirected to http://{}/v1/messages",
                elsewhere.addr()
            )) && err.message.contains("not followed"),
            "{api:?}: {}",
            err.message
        );
        assert!(!err.message.contains("SIGSECRET"), "{}", err.message);
        assert!(!err.retryable, "a refused redirect is not retried");
        assert!(outcome.retries.is_empty(), "{:?}", outcome.retries);
    }
    assert!(
        elsewhere.requests().is_empty(),
        "the other origin got nothing: {:?}",
        elsewhere.requests()
    );
    assert_eq!(server.requests().len(), 2, "one request per turn");
    assert_eq!(server.requests()[0].header("x-api-key"), Some("sk-test"));
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_followed_with_the_key() {
    let server = FakeServer::start(Vec::new()).await;
    // Its own address is known once it runs: route the model to a redirect to itself.
    let target = format!("http://{}/v2/chat/completions", server.addr());
    server.route(
        "fake-reasoner",
        vec![redirect_to(&target), Reply::answer("fine")],
    );
    let mut endpoint = chat_endpoint(&server.base_url(), Some("sk-test"));
    endpoint.headers = vec![("api-key".into(), "sk-header".into())];
    let outcome = run(&endpoint, &request()).await;
    assert_eq!(outcome.text, "fine", "{:?}", outcome.error);
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(requests[1].path, "/v2/chat/completions");
    for r in &requests {
        assert_eq!(r.header("authorization"), Some("Bearer sk-test"));
        assert_eq!(r.header("api-key"), Some("sk-header"));
    }
}

/// `http://user:pw@127.0.0.1:PORT/v1` for `server`.
fn with_userinfo(server: &FakeServer) -> String {
    format!("http://tok-user:PWSECRET@{}/v1", server.addr())
}

#[tokio::test]
async fn errors_never_show_credentials_of_a_url() {
    let not_found = Reply::Http {
        status: 404,
        headers: Vec::new(),
        body: "no such path".into(),
    };
    let echo = Reply::Json {
        status: 400,
        body: json!({"error": {"message": "cannot fetch https://files.example/a.png?api_key=KEYSECRET&size=2 for you",
            "type": "invalid_request_error"}}),
    };
    let server = FakeServer::start(vec![not_found, echo]).await;
    let endpoint = chat_endpoint(&with_userinfo(&server), Some("sk-test"));
    let err = run(&endpoint, &request()).await.error.unwrap();
    assert!(!err.message.contains("PWSECRET"), "{}", err.message);
    assert!(
        err.message.contains(&format!("***@{}", server.addr())),
        "{}",
        err.message
    );
    let err = run(&endpoint, &request()).await.error.unwrap();
    assert!(!err.message.contains("KEYSECRET"), "{}", err.message);
    assert!(
        err.message.contains("api_key=***&size=2"),
        "{}",
        err.message
    );

    // A connection that fails names the URL without them too.
    let closed = chat_endpoint("http://tok-user:PWSECRET@127.0.0.1:1/v1", Some("sk-test"));
    let err = run(&closed, &request()).await.error.unwrap();
    assert!(!err.message.contains("PWSECRET"), "{}", err.message);
    assert!(err.message.contains("127.0.0.1:1"), "{}", err.message);

    // And so does a model listing.
    let client = thinkbench::api::client().unwrap();
    let err = thinkbench::api::models::list_models(&client, &closed)
        .await
        .unwrap_err();
    assert!(!err.message.contains("PWSECRET"), "{}", err.message);
}

#[tokio::test]
async fn stored_turns_and_exports_never_show_credentials_of_a_url() {
    let server = FakeServer::start(vec![Reply::Http {
        status: 404,
        headers: Vec::new(),
        body: "no such path".into(),
    }])
    .await;
    let home = tempfile::tempdir().unwrap();
    let url = with_userinfo(&server);
    let out = cli::tb(home.path(), &["ask", "--base-url", &url, "hi"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(!stderr(&out).contains("PWSECRET"), "{}", stderr(&out));
    assert!(stderr(&out).contains("***@"), "{}", stderr(&out));
    let out = cli::tb(home.path(), &["ask", "--json", "--base-url", &url, "hi"]).await;
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(!v.to_string().contains("PWSECRET"), "{v}");
    for args in [
        &["sessions", "show", "1"][..],
        &["sessions", "export", "1"],
        &["sessions", "export", "1", "--format", "json"],
        &["sessions", "show", "2"],
    ] {
        let out = cli::tb(home.path(), args).await;
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(
            stdout(&out).contains("no such path at http://"),
            "{args:?}: {}",
            stdout(&out)
        );
        assert!(
            !stdout(&out).contains("PWSECRET"),
            "{args:?}: {}",
            stdout(&out)
        );
    }
}

#[test]
fn the_tui_and_debug_output_never_show_credentials_of_a_url() {
    let base = "http://tok-user:PWSECRET@127.0.0.1:9/v1?token=TOKSECRET";
    let mut h = harness_with(
        &[("OPENAI_API_KEY", "sk-test"), ("OPENAI_BASE_URL", base)],
        "gpt-4o",
        None,
    );
    let terminal = h.draw(120, 20);
    let screen: String = (terminal.backend().buffer().content().iter())
        .map(|c| c.symbol().to_string())
        .collect();
    assert!(screen.contains("***@127.0.0.1:9"), "{screen}");
    assert!(
        !screen.contains("PWSECRET") && !screen.contains("TOKSECRET"),
        "{screen}"
    );
    let debug = format!("{:?}", h.app.session.settings);
    assert!(
        !debug.contains("PWSECRET") && !debug.contains("TOKSECRET"),
        "{debug}"
    );
    assert!(!debug.contains("sk-test"), "{debug}");
}

/// `--base-url` with a model the catalog files under another provider: the request goes to
/// the base URL on the default provider, with that provider's key, never with the catalog
/// provider's key.
#[test]
fn a_base_url_never_borrows_the_key_of_a_catalog_models_provider() {
    let env = [
        ("DEEPSEEK_API_KEY", "sk-deepseek"),
        ("ANTHROPIC_API_KEY", "sk-anthropic"),
    ];
    for model in ["deepseek-reasoner", "claude-sonnet-4"] {
        let args = CommonArgs {
            model: Some(model.into()),
            base_url: Some("http://127.0.0.1:9/v1".into()),
            ..Default::default()
        };
        let (s, _home) = settings(&env, args);
        assert_eq!(s.endpoint.base_url, "http://127.0.0.1:9/v1");
        assert_eq!(s.endpoint.provider, "openai", "{model}");
        assert_eq!(s.endpoint.api_key, None, "{model}: no borrowed key");

        // A comparison's arms at the base URL, and a later switch of model, alike.
        let arms =
            thinkbench::compare::resolve_arms_at_base_url(&s, &[model.to_string()], &|k: &str| {
                env.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            })
            .unwrap();
        assert_eq!(arms[0].settings.endpoint.api_key, None, "{model}");
        let lookup = |k: &str| {
            env.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        };
        let switched = s.switch_model(model, &lookup).unwrap();
        let key = switched.endpoint.api_key.clone();
        if key.is_some() {
            assert!(
                switched.endpoint.base_url.starts_with("https://api."),
                "{model}: a provider's key goes only to its own server: {:?}",
                switched.endpoint
            );
        }
    }
}

/// The status line of a TUI connected with `env`, as drawn.
fn status_line(env: &[(&str, &str)]) -> String {
    let mut h = harness_with(env, "gpt-4o", None);
    let terminal = h.draw(120, 12);
    let buffer = terminal.backend().buffer();
    let width = buffer.area.width as usize;
    let rows: Vec<String> = (buffer.content().chunks(width))
        .map(|row| row.iter().map(|c| c.symbol()).collect())
        .collect();
    rows[rows.len() - 1].clone()
}

/// A key on its way to a host on the network over plain http: the TUI says so for as long
/// as it is connected there (nothing is sent: the TUI sends only what the person submits).
#[test]
fn the_status_line_warns_of_a_key_over_plain_http() {
    let key = ("OPENAI_API_KEY", "sk-test");
    let mut h = harness_with(
        &[key, ("OPENAI_BASE_URL", "http://10.0.0.1:1/v1")],
        "gpt-4o",
        None,
    );
    insta::assert_snapshot!(h.draw(120, 12).backend());
    let warning = "⚠ key over plain http";
    assert!(status_line(&[key, ("OPENAI_BASE_URL", "http://10.0.0.1:1/v1")]).contains(warning));
    for quiet in [
        &[key, ("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")][..],
        &[key, ("OPENAI_BASE_URL", "http://localhost:1/v1")],
        &[key, ("OPENAI_BASE_URL", "http://[::1]:1/v1")],
        &[key, ("OPENAI_BASE_URL", "https://10.0.0.1:1/v1")],
        &[("OPENAI_BASE_URL", "http://10.0.0.1:1/v1")],
    ] {
        assert!(!status_line(quiet).contains(warning), "{quiet:?}");
    }
}

/// `ask` and `compare` warn once on stderr before anything is sent. The prompt here is
/// empty, so the command stops right after the warning: nothing leaves the machine.
#[tokio::test]
async fn ask_and_compare_warn_once_of_a_key_over_plain_http() {
    let home = tempfile::tempdir().unwrap();
    let far = "http://10.0.0.1:1/v1";
    let near = "http://127.0.0.1:1/v1";
    let commands = |base: &'static str| {
        [
            vec!["ask", "--base-url", base, " "],
            vec![
                "compare",
                "--base-url",
                base,
                "-m",
                "gpt-4o",
                "-m",
                "o3-mini@low",
                " ",
            ],
        ]
    };
    for args in commands(far) {
        let out = cli::tb(home.path(), &args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("the prompt is empty"), "{err}");
        assert_eq!(
            err.matches("warning: the API key goes over plain http to 10.0.0.1:1")
                .count(),
            1,
            "{args:?}: {err}"
        );
    }
    for args in commands(near) {
        let out = cli::tb(home.path(), &args).await;
        assert!(
            !stderr(&out).contains("warning"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}
