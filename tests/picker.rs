//! The model picker and the effort selector, drawn alone on ratatui's TestBackend and
//! snapshotted; and the model listing (`GET {base}/models`) against servers on 127.0.0.1.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use serde_json::json;
use support::app::{Harness, harness, harness_with, harness_with_config};
use support::fake_server::{FakeServer, Reply};
use thinkbench::api::models::list_models;
use thinkbench::api::{ApiKind, Endpoint};
use thinkbench::tui::component::Component;
use thinkbench::tui::effort::EffortMenu;
use thinkbench::tui::picker::{Picker, PickerAction};

fn draw_picker(h: &Harness, picker: &Picker, w: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, height)).unwrap();
    terminal
        .draw(|f| picker.render(&h.ctx(), f, Rect::new(0, 0, w, height)))
        .unwrap();
    terminal
}

fn draw_effort(h: &Harness, menu: &EffortMenu, w: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, height)).unwrap();
    terminal
        .draw(|f| menu.render(&h.ctx(), f, Rect::new(0, 0, w, height)))
        .unwrap();
    terminal
}

fn press(picker: &mut Picker, code: KeyCode) -> PickerAction {
    picker.on_key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn type_query(picker: &mut Picker, text: &str) {
    for c in text.chars() {
        press(picker, KeyCode::Char(c));
    }
}

fn effort_menu(h: &Harness) -> EffortMenu {
    let s = &h.app.session.settings;
    EffortMenu::new(s.model_info.as_ref(), s.effort.as_deref())
}

fn strings(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn picker_unfiltered_marks_and_selects_the_current_model() {
    let h = harness("o3-mini");
    let picker = Picker::new(&h.app.session.settings, &[]);
    let row = picker.selected_row().unwrap();
    assert_eq!((row.id.as_str(), row.current), ("o3-mini", true));
    let terminal = draw_picker(&h, &picker, 120, 36);
    // The selected row is drawn in the selection style.
    let buffer = terminal.backend().buffer();
    let y = (0..36)
        .find(|&y| {
            let line: String = (0..120).map(|x| buffer[(x, y)].symbol()).collect();
            line.contains("● openai")
        })
        .unwrap();
    assert_eq!(buffer[(10, y)].bg, h.ui.theme.selection.bg.unwrap());
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn picker_filtered_by_o3() {
    let h = harness("gpt-4o");
    let mut picker = Picker::new(&h.app.session.settings, &[]);
    type_query(&mut picker, "o3");
    let ids: Vec<&str> = picker
        .filtered
        .iter()
        .map(|&i| picker.rows[i].id.as_str())
        .collect();
    assert_eq!(ids, ["o3", "o3-mini"]);
    insta::assert_snapshot!(draw_picker(&h, &picker, 110, 16).backend());
    assert_eq!(
        press(&mut picker, KeyCode::Down),
        PickerAction::None,
        "moves, does not select"
    );
    assert_eq!(
        press(&mut picker, KeyCode::Enter),
        PickerAction::Select {
            provider: "openai".into(),
            model: "o3-mini".into()
        }
    );
}

#[test]
fn picker_long_list_scrolls_with_the_selection() {
    let h = harness("o3-mini");
    let local: Vec<String> = (1..=30).map(|i| format!("local-model-{i:02}:7b")).collect();
    let mut picker = Picker::new(&h.app.session.settings, &[("ollama".into(), local)]);
    press(&mut picker, KeyCode::End);
    // Ollama's models come before Anthropic's six and the offline demo's four, as the
    // providers are listed.
    for _ in 0..10 {
        press(&mut picker, KeyCode::Up);
    }
    let row = picker.selected_row().unwrap();
    assert_eq!((row.id.as_str(), row.local), ("local-model-30:7b", true));
    insta::assert_snapshot!(draw_picker(&h, &picker, 100, 20).backend());
}

#[test]
fn picker_fetched_models_the_catalog_does_not_know() {
    let h = harness("o3-mini");
    let s = &h.app.session.settings;
    let mut picker = Picker::new(s, &[]);
    picker.fetch_started("openai");
    picker.fetch_started("ollama");
    let openai = strings(&[
        "gpt-9-preview",
        "o3-mini",
        "o3-mini-2025-01-31",
        "text-embedding-3-small",
        "whisper-1",
    ]);
    picker.add_fetched(s, "openai", &openai);
    picker.add_fetched(s, "ollama", &strings(&["llama3.2:latest", "qwq:32b"]));
    picker.fetch_failed("llamacpp", "could not connect to http://127.0.0.1:8080/v1");
    assert!(picker.pending.is_empty());
    assert_eq!(picker.selected_row().unwrap().id, "o3-mini", "kept");
    let ids: Vec<&str> = picker.rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.iter().filter(|id| **id == "o3-mini").count(), 1);
    assert!(!ids.contains(&"whisper-1") && !ids.contains(&"text-embedding-3-small"));
    // Fetched models come after their provider's catalog models, before the next provider's.
    let at = |id: &str| ids.iter().position(|x| *x == id).unwrap();
    assert!(at("gpt-5.2") < at("gpt-9-preview") && at("gpt-9-preview") < at("deepseek-chat"));
    assert!(at("qwq:32b") < at("claude-sonnet-4"));
    // The provider's name filters too.
    type_query(&mut picker, "ollama");
    assert_eq!(picker.filtered.len(), 2);
    press(&mut picker, KeyCode::Char('u'));
    for _ in 0.."ollamau".len() {
        press(&mut picker, KeyCode::Backspace);
    }
    type_query(&mut picker, "pre");
    insta::assert_snapshot!(draw_picker(&h, &picker, 110, 14).backend());
}

#[test]
fn picker_unknown_current_model_has_a_row() {
    let h = harness("my-finetune");
    let picker = Picker::new(&h.app.session.settings, &[]);
    let row = picker.selected_row().unwrap();
    assert_eq!(
        (row.provider.as_str(), row.id.as_str(), row.current),
        ("openai", "my-finetune", true)
    );
    assert!(row.info.is_none());
    // Nothing knows it and it has not answered: marked so.
    assert!(row.unverified);
    // Until the server lists it.
    let mut picker = picker;
    picker.add_fetched(
        &h.app.session.settings,
        "openai",
        &strings(&["my-finetune"]),
    );
    assert!(!picker.selected_row().unwrap().unverified);
}

/// A company gateway serving known models: their rows carry the vendor's knowledge, marked as
/// list prices; the footer says when the prices were checked.
#[test]
fn picker_gateway_rows_borrow_the_catalog_as_list_prices() {
    let config = "[providers.cloud]\nbase_url = \"http://127.0.0.1:9/v1\"\n";
    let h = harness_with_config(
        Some(config),
        &[("OPENAI_API_KEY", "sk-test")],
        "cloud/o3-mini",
        None,
    );
    let mut picker = Picker::new(&h.app.session.settings, &[]);
    picker.add_fetched(
        &h.app.session.settings,
        "cloud",
        &strings(&[
            "o3-mini",
            "openai/gpt-4o",
            "claude-sonnet-4-5",
            "in-house-7b",
        ]),
    );
    type_query(&mut picker, "cloud");
    let row = |id: &str| {
        let row = picker
            .rows
            .iter()
            .find(|r| r.provider == "cloud" && r.id == id)
            .unwrap();
        thinkbench::tui::picker::view::badges(row)
    };
    assert_eq!(row("o3-mini"), "reasoning low·medium·high list price");
    assert_eq!(row("openai/gpt-4o"), "vision list price");
    assert!(
        row("claude-sonnet-4-5").contains(">200k tier list price"),
        "{}",
        row("claude-sonnet-4-5")
    );
    assert_eq!(row("in-house-7b"), "");
    let terminal = draw_picker(&h, &picker, 140, 20);
    let text = format!("{}", terminal.backend());
    assert!(text.contains("prices as of 2026-07-01"), "{text}");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn effort_selector_three_levels() {
    let h = harness_with(
        &[
            ("OPENAI_API_KEY", "sk-test"),
            ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"),
        ],
        "o3-mini",
        Some("high"),
    );
    let menu = effort_menu(&h);
    assert_eq!(menu.selected_level(), Some("high"));
    insta::assert_snapshot!(draw_effort(&h, &menu, 60, 12).backend());
}

#[test]
fn effort_selector_five_levels() {
    let h = harness("gpt-5.2");
    let menu = effort_menu(&h);
    assert_eq!(menu.levels.len(), 5);
    insta::assert_snapshot!(draw_effort(&h, &menu, 60, 12).backend());
}

#[test]
fn effort_selector_without_effort() {
    let h = harness("gpt-4o");
    let menu = effort_menu(&h);
    assert!(menu.levels.is_empty());
    insta::assert_snapshot!(draw_effort(&h, &menu, 60, 7).backend());
}

#[test]
fn effort_selector_for_a_model_not_in_the_catalog() {
    let h = harness("my-finetune");
    let menu = effort_menu(&h);
    assert_eq!(menu.levels.len(), 7);
    insta::assert_snapshot!(draw_effort(&h, &menu, 60, 14).backend());
}

#[test]
fn popups_draw_at_any_size() {
    let h = harness("o3-mini");
    let mut picker = Picker::new(&h.app.session.settings, &[]);
    type_query(&mut picker, "zzz");
    let full = Picker::new(&h.app.session.settings, &[]);
    let menus = [
        effort_menu(&h),
        effort_menu(&harness("gpt-4o")),
        effort_menu(&harness("my-finetune")),
    ];
    let text = |t: &Terminal<TestBackend>| {
        let buffer = t.backend().buffer();
        buffer
            .content
            .iter()
            .map(|c| c.symbol())
            .collect::<String>()
    };
    for (w, height) in [
        (10, 3),
        (1, 1),
        (3, 10),
        (20, 5),
        (200, 2),
        (2, 200),
        (80, 24),
    ] {
        let empty = text(&draw_picker(&h, &picker, w, height));
        let listed = text(&draw_picker(&h, &full, w, height));
        let efforts: Vec<String> = (menus.iter())
            .map(|m| text(&draw_effort(&h, m, w, height)))
            .collect();
        // Room for a border, a row and a hint: what matters is there, whole.
        if w >= 60 && height >= 10 {
            assert!(
                empty.contains("no model matches “zzz”"),
                "{w}x{height}: {empty}"
            );
            assert!(listed.contains("o3-mini"), "{w}x{height}: {listed}");
            assert!(
                efforts[0].contains("medium"),
                "{w}x{height}: {}",
                efforts[0]
            );
        }
        // No words where no border fits, and no control character reaches a cell.
        for drawn in [&empty, &listed].into_iter().chain(&efforts) {
            assert!(!drawn.chars().any(char::is_control), "{w}x{height}");
            if w < 3 {
                assert!(
                    drawn.trim().is_empty() || drawn.chars().all(|c| !c.is_alphanumeric()),
                    "{w}x{height}: {drawn}"
                );
            }
        }
    }
}

fn endpoint(base_url: String, api: ApiKind) -> Endpoint {
    Endpoint {
        provider: "test".into(),
        api,
        base_url,
        api_key: Some("sk-test".into()),
        key_hint: Some("TEST_API_KEY".into()),
        headers: vec![("X-Title".into(), "thinkbench".into())],
        max_attempts: 1,
        idle_timeout: None,
        limits: Default::default(),
    }
}

#[tokio::test]
async fn models_are_listed_with_a_bearer_key() {
    let server = FakeServer::start(vec![]).await;
    let client = thinkbench::api::client().unwrap();
    let ids = list_models(&client, &endpoint(server.base_url(), ApiKind::Chat))
        .await
        .unwrap();
    assert_eq!(ids, ["fake-chat", "fake-reasoner"]);
    let requests = server.requests();
    let r = &requests[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("GET", "/v1/models"));
    assert_eq!(r.header("authorization"), Some("Bearer sk-test"));
    assert_eq!(r.header("x-title"), Some("thinkbench"));
}

#[tokio::test]
async fn anthropic_models_use_its_headers_and_errors() {
    let list = json!({"data": [{"type": "model", "id": "claude-opus-4-5"}], "has_more": false});
    let server = FakeServer::start(vec![
        Reply::Json {
            status: 200,
            body: list,
        },
        Reply::Json {
            status: 401,
            body: json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}),
        },
        Reply::Http {
            status: 200,
            headers: vec![],
            body: "hello".into(),
        },
    ])
    .await;
    let client = thinkbench::api::client().unwrap();
    let ep = endpoint(server.base_url(), ApiKind::Anthropic);
    assert_eq!(
        list_models(&client, &ep).await.unwrap(),
        ["claude-opus-4-5"]
    );
    let r = &server.requests()[0];
    assert_eq!(r.path, "/v1/models?limit=1000");
    assert_eq!(r.header("x-api-key"), Some("sk-test"));
    assert!(r.header("anthropic-version").is_some());
    assert_eq!(r.header("authorization"), None);

    let err = list_models(&client, &ep).await.unwrap_err();
    assert_eq!(err.status, Some(401));
    assert!(err.message.contains("set TEST_API_KEY"), "{}", err.message);

    let err = list_models(&client, &ep).await.unwrap_err();
    assert!(
        err.message
            .contains("did not answer with a model list (hello)"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn an_unreachable_or_silent_server_fails_in_words() {
    let client = thinkbench::api::client().unwrap();
    // Nobody listens on a port just released.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let ep = endpoint(format!("http://127.0.0.1:{port}/v1"), ApiKind::Chat);
    let err = list_models(&client, &ep).await.unwrap_err();
    assert!(err.message.contains("could not connect"), "{}", err.message);
}

#[tokio::test(start_paused = true)]
async fn a_silent_server_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // Accept and never answer.
    let _task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let client = thinkbench::api::client().unwrap();
    let ep = endpoint(format!("http://{addr}/v1"), ApiKind::Chat);
    let err = list_models(&client, &ep).await.unwrap_err();
    assert!(
        err.message.contains("gave no model list within 10 s"),
        "{}",
        err.message
    );
}
