//! The workbench end to end through the app: switch model and effort between turns against
//! the fake server, and check each request body and each turn's recorded model, effort,
//! usage and cost.

mod support;

use crossterm::event::{KeyCode, KeyModifiers};
use serde_json::json;
use support::app::{harness_with, started};
use support::fake_server::{FakeServer, Reply};
use thinkbench::tui::app::{Effect, Event, Overlay, Switched};
use thinkbench::usage::Usage;

#[tokio::test]
async fn switching_model_and_effort_between_turns() {
    let usage = |input, output, reasoning| Usage {
        input,
        output,
        reasoning,
        ..Default::default()
    };
    let server = FakeServer::start(vec![
        Reply::reasoning_answer("", "First answer.", usage(20, 300, 256)),
        Reply::reasoning_answer("", "Second answer.", usage(40, 30, 0)),
        Reply::reasoning_answer("", "Third answer.", usage(60, 500, 400)),
    ])
    .await;
    let url = server.base_url();
    let env_vars = [
        ("OPENAI_API_KEY", "sk-test"),
        ("OPENAI_BASE_URL", url.as_str()),
    ];
    let mut h = harness_with(&env_vars, "o3-mini", Some("high"));
    let env = |k: &str| {
        env_vars
            .iter()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| v.to_string())
    };
    let client = thinkbench::api::client().unwrap();

    // Carry out the app's effects the way the runtime does.
    async fn run(
        h: &mut support::app::Harness,
        client: &reqwest::Client,
        effects: Vec<Effect>,
        env: &dyn Fn(&str) -> Option<String>,
        at: u64,
    ) {
        let mut queue = effects;
        while !queue.is_empty() {
            let effect = queue.remove(0);
            match effect {
                Effect::StartTurn { turn_id, request } => {
                    let endpoint = h.app.session.settings.endpoint.clone();
                    let mut events = Vec::new();
                    thinkbench::api::run_turn(client, &endpoint, &request, &mut |e| events.push(e))
                        .await;
                    for (n, event) in events.into_iter().enumerate() {
                        h.stream(turn_id, event, at + 100 + n as u64 * 10);
                    }
                }
                Effect::SwitchModel(spec) => {
                    let result = h
                        .app
                        .session
                        .settings
                        .switch_model(&spec, env)
                        .map(|s| Switched(Box::new(s)))
                        .map_err(|e| e.to_string());
                    let now = h.at(at);
                    queue.extend(h.app.update(Event::ModelSwitched(result), now));
                }
                _ => {}
            }
        }
    }

    async fn say(
        h: &mut support::app::Harness,
        client: &reqwest::Client,
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
        at: u64,
    ) {
        h.app.update(Event::Paste(text.into()), h.at(at));
        let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, at);
        run(h, client, effects, env, at).await;
    }

    say(&mut h, &client, "one", &env, 0).await;
    say(&mut h, &client, "/model gpt-4o", &env, 1000).await;
    assert!(
        h.app
            .notice
            .as_deref()
            .unwrap_or("")
            .contains("effort high dropped"),
        "{:?}",
        h.app.notice
    );
    say(&mut h, &client, "two", &env, 2000).await;
    say(&mut h, &client, "/model gpt-5.1", &env, 3000).await;
    say(&mut h, &client, "/effort low", &env, 3500).await;
    // Alt+. steps up one level.
    let effects = h.key(KeyCode::Char('.'), KeyModifiers::ALT, 3600);
    assert!(started(&effects).is_none());
    assert_eq!(h.app.session.settings.effort.as_deref(), Some("medium"));
    say(&mut h, &client, "three", &env, 4000).await;

    let bodies: Vec<_> = server.requests().into_iter().map(|r| r.body).collect();
    assert_eq!(bodies.len(), 3);
    assert_eq!(bodies[0]["model"], "o3-mini");
    assert_eq!(bodies[0]["reasoning_effort"], "high");
    assert_eq!(bodies[1]["model"], "gpt-4o");
    assert_eq!(bodies[1].get("reasoning_effort"), None);
    assert_eq!(
        bodies[1]["messages"][1],
        json!({"role": "assistant", "content": "First answer."})
    );
    assert_eq!(bodies[2]["model"], "gpt-5.1");
    assert_eq!(bodies[2]["reasoning_effort"], "medium");
    assert_eq!(bodies[2]["messages"].as_array().map(Vec::len), Some(5));

    let turns = &h.app.session.conversation.turns;
    let recorded: Vec<_> = turns
        .iter()
        .map(|t| {
            (
                t.spec.model.as_str(),
                t.spec.effort.as_deref(),
                t.usage().input,
                t.usage().output,
            )
        })
        .collect();
    assert_eq!(
        recorded,
        [
            ("o3-mini", Some("high"), 20, 300),
            ("gpt-4o", None, 40, 30),
            ("gpt-5.1", Some("medium"), 60, 500),
        ]
    );
    let costs: Vec<f64> = turns.iter().map(|t| t.cost().unwrap()).collect();
    let expected = [
        (20.0 * 1.10 + 300.0 * 4.40) / 1e6,
        (40.0 * 2.50 + 30.0 * 10.0) / 1e6,
        (60.0 * 1.25 + 500.0 * 10.0) / 1e6,
    ];
    for (got, want) in costs.iter().zip(expected) {
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    }
}

#[test]
fn help_overlay_and_command_completion() {
    let mut h = support::app::harness("o3-mini");
    h.key(KeyCode::Char('?'), KeyModifiers::NONE, 0);
    assert!(matches!(h.app.overlay, Some(Overlay::Help(_))));
    h.app.update(Event::Resize(90, 36), h.at(0));
    insta::assert_snapshot!("help", h.draw(90, 36).backend());
    // Other keys do nothing and are not typed; Esc closes.
    h.key(KeyCode::Char('x'), KeyModifiers::NONE, 10);
    assert!(matches!(h.app.overlay, Some(Overlay::Help(_))));
    h.key(KeyCode::Esc, KeyModifiers::NONE, 10);
    assert!(h.app.overlay.is_none());
    assert_eq!(h.app.draft(), "");
    // `?` in a message is just a character.
    h.key(KeyCode::Char('a'), KeyModifiers::NONE, 20);
    h.key(KeyCode::Char('?'), KeyModifiers::NONE, 20);
    assert_eq!(h.app.draft(), "a?");
    for _ in 0..2 {
        h.key(KeyCode::Backspace, KeyModifiers::NONE, 30);
    }
    h.key(KeyCode::Char('/'), KeyModifiers::NONE, 40);
    h.key(KeyCode::Char('e'), KeyModifiers::NONE, 40);
    insta::assert_snapshot!("completion", h.draw(80, 8).backend());
    // Two commands start with /e: the first is filled in, the next Tab would go on.
    h.key(KeyCode::Tab, KeyModifiers::NONE, 50);
    assert_eq!(h.app.draft(), "/effort");
    h.app.update(Event::Paste(" high".into()), h.at(60));
    h.key(KeyCode::Enter, KeyModifiers::NONE, 60);
    assert_eq!(h.app.session.settings.effort.as_deref(), Some("high"));
}

#[test]
fn max_warns_when_reasoning_would_be_starved() {
    let mut h = support::app::harness("o3-mini");
    h.app.update(Event::Paste("/max 4,000".into()), h.at(0));
    h.key(KeyCode::Enter, KeyModifiers::NONE, 0);
    assert_eq!(h.app.session.settings.max_output_tokens, Some(4000));
    let notice = h.app.notice.clone().unwrap_or_default();
    assert!(notice.contains("may all go to reasoning"), "{notice}");
    h.app.update(Event::Paste("/max 500000".into()), h.at(10));
    h.key(KeyCode::Enter, KeyModifiers::NONE, 10);
    let notice = h.app.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("above o3-mini's limit of 100,000"),
        "{notice}"
    );
    h.app.update(Event::Paste("/max off".into()), h.at(20));
    h.key(KeyCode::Enter, KeyModifiers::NONE, 20);
    assert_eq!(h.app.session.settings.max_output_tokens, None);
}

#[test]
fn the_empty_answer_trap_says_what_happened() {
    use thinkbench::api::{FinishReason, StreamEvent};
    let mut h = support::app::harness("o3-mini");
    h.app.update(Event::Paste("/max 2000".into()), h.at(0));
    h.key(KeyCode::Enter, KeyModifiers::NONE, 0);
    let id = h.send("prove it", 10);
    let usage = Usage {
        input: 50,
        output: 2000,
        reasoning: 2000,
        ..Default::default()
    };
    h.stream(id, StreamEvent::Usage(usage), 9000);
    h.stream(id, StreamEvent::Finished(FinishReason::Length), 9000);
    insta::assert_snapshot!("empty_answer_trap", h.draw(80, 14).backend());
}

/// The effort a turn records is the one its request carried: after `/effort high` on
/// o3-mini, a turn to gpt-4o (which takes no effort) records none, and so does a turn whose
/// settings ask for an effort the model does not take.
#[test]
fn the_recorded_effort_is_the_effort_sent() {
    let env_pairs = [
        ("OPENAI_API_KEY", "sk-test"),
        ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"),
    ];
    let mut h = harness_with(&env_pairs, "o3-mini", None);
    h.app.update(Event::Paste("/effort high".into()), h.at(0));
    h.key(KeyCode::Enter, KeyModifiers::NONE, 0);
    let id = h.send("first", 10);
    let turn = h.app.session.turn(id).unwrap();
    assert_eq!(turn.spec.effort.as_deref(), Some("high"));
    let (_, request) = (id, h.app.session.request_for("x"));
    assert_eq!(request.effort.as_deref(), Some("high"));
    h.key(KeyCode::Esc, KeyModifiers::NONE, 20);

    let env = |k: &str| {
        env_pairs
            .iter()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| v.to_string())
    };
    let switched = h.app.session.settings.switch_model("gpt-4o", &env).unwrap();
    h.app.update(
        Event::ModelSwitched(Ok(Switched(Box::new(switched)))),
        h.at(30),
    );
    h.app.update(Event::Paste("second".into()), h.at(40));
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 40);
    let (id, request) = started(&effects).expect("a turn starts");
    assert_eq!(request.effort, None);
    assert_eq!(h.app.session.turn(id).unwrap().spec.effort, None);
    h.key(KeyCode::Esc, KeyModifiers::NONE, 50);

    // Settings that still ask for an effort the model does not take: nothing is sent, and
    // nothing is recorded.
    h.app.session.settings.effort = Some("high".into());
    h.app.update(Event::Paste("third".into()), h.at(60));
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 60);
    let (id, request) = started(&effects).expect("a turn starts");
    assert_eq!(request.effort, None);
    let turn = h.app.session.turn(id).unwrap();
    assert_eq!(turn.spec.effort, None, "recorded {:?}", turn.spec.effort);
}

/// A provider that needs a key and has none refuses before anything is sent, naming the
/// variable to set; the draft stays. The picker still lists that provider's models, marked.
#[test]
fn no_key_no_request() {
    // No OPENAI_API_KEY and OpenAI's own base URL: the start screen explains, and sending
    // is refused rather than tried four times against the server.
    let mut h = harness_with(&[("DEEPSEEK_API_KEY", "sk-ds")], "gpt-4o", None);
    h.type_text("hi", 0);
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 0);
    assert!(started(&effects).is_none(), "{effects:?}");
    let notice = h.app.notice.clone().unwrap_or_default();
    assert!(notice.contains("OPENAI_API_KEY"), "{notice}");
    assert_eq!(h.app.draft(), "hi");
    assert!(h.app.session.conversation.turns.is_empty());

    // The picker shows OpenAI's models as "no key", DeepSeek's (which has one) unmarked.
    h.key(KeyCode::F(2), KeyModifiers::NONE, 10);
    let Some(Overlay::Picker(picker)) = &h.app.overlay else {
        panic!("picker not open");
    };
    let row = |provider: &str| {
        picker
            .rows
            .iter()
            .find(|r| r.provider == provider)
            .unwrap_or_else(|| panic!("no {provider} row"))
    };
    assert!(row("openai").no_key);
    assert!(!row("deepseek").no_key);
    assert!(thinkbench::tui::picker::view::badges(row("openai")).contains("no key"));

    // Switching to a provider without its key refuses the same way.
    let mut h = harness_with(&[("OPENAI_API_KEY", "sk-x")], "gpt-4o", None);
    let env = |_: &str| None;
    let switched = h
        .app
        .session
        .settings
        .switch_model("deepseek-reasoner", &env)
        .unwrap();
    h.app.update(
        Event::ModelSwitched(Ok(Switched(Box::new(switched)))),
        h.at(0),
    );
    h.type_text("hi", 0);
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 0);
    assert!(started(&effects).is_none(), "{effects:?}");
    let notice = h.app.notice.clone().unwrap_or_default();
    assert!(notice.contains("DEEPSEEK_API_KEY"), "{notice}");
}

#[test]
fn help_scrolls_at_80x24_and_closes_on_esc_q_or_f1() {
    let mut h = support::app::harness("o3-mini");
    h.app.update(Event::Resize(80, 24), h.at(0));
    h.key(KeyCode::F(1), KeyModifiers::NONE, 0);
    insta::assert_snapshot!("help_80x24_top", h.draw(80, 24).backend());
    // One page down shows the scrolling keys, Ctrl+End among them.
    h.key(KeyCode::PageDown, KeyModifiers::NONE, 5);
    let screen = format!("{:?}", h.draw(80, 24).backend());
    assert!(screen.contains("End or Ctrl+End"), "{screen}");
    // The end shows the last commands.
    h.key(KeyCode::End, KeyModifiers::NONE, 10);
    insta::assert_snapshot!("help_80x24_end", h.draw(80, 24).backend());
    let screen = format!("{:?}", h.draw(80, 24).backend());
    for needle in ["/fork", "/sessions", "/copy", "/help", "/quit"] {
        assert!(screen.contains(needle), "{needle} not shown:\n{screen}");
    }
    h.key(KeyCode::PageUp, KeyModifiers::NONE, 20);
    h.key(KeyCode::Enter, KeyModifiers::NONE, 20);
    assert!(matches!(h.app.overlay, Some(Overlay::Help(_))));
    h.key(KeyCode::Char('q'), KeyModifiers::NONE, 30);
    assert!(h.app.overlay.is_none());
    assert_eq!(h.app.draft(), "");
    h.key(KeyCode::F(1), KeyModifiers::NONE, 40);
    h.key(KeyCode::F(1), KeyModifiers::NONE, 50);
    assert!(h.app.overlay.is_none());
}

#[test]
fn the_composer_grows_with_wrapped_rows_and_shows_what_is_above() {
    let mut h = support::app::harness("o3-mini");
    let line: String = (0..40).map(|i| format!("word{i:02} ")).collect();
    h.app
        .update(Event::Paste(line.trim_end().to_string()), h.at(0));
    insta::assert_snapshot!("composer_long_line", h.draw(80, 20).backend());
    // A long paste fills a third of the screen and says what scrolled out of sight.
    let paste: String = (0..300).map(|i| format!("line{i:03} ")).collect();
    h.app
        .update(Event::Paste(format!(" {}", paste.trim_end())), h.at(10));
    insta::assert_snapshot!("composer_long_paste", h.draw(80, 20).backend());
    let screen = format!("{:?}", h.draw(80, 20).backend());
    assert!(screen.contains("line299"), "{screen}");
    assert!(screen.contains("more"), "{screen}");
}

#[test]
fn an_effort_the_model_does_not_take_at_start_is_fitted_and_said_in_the_status_line() {
    let env = [
        ("OPENAI_API_KEY", "sk-test"),
        ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"),
    ];
    let mut h = harness_with(&env, "o3-mini", Some("xhigh"));
    assert_eq!(h.app.session.settings.effort.as_deref(), Some("high"));
    insta::assert_snapshot!("effort_fitted_at_start", h.draw(120, 10).backend());
}
