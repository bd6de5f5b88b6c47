//! The offline demo in the TUI: the start screen's offer when no key is set, `d` switching to
//! the demo, the demo's own start screen and status line, and a whole demo turn answered by
//! the real demo server (at pace 0) through `api::run_turn`, drawn with injected times.

mod support;

use crossterm::event::{KeyCode, KeyModifiers};
use support::app::{Harness, harness_with};
use thinkbench::tui::app::{Effect, Event, Switched};

/// The environment of a person with no key at all (the demo answers instantly).
const NO_KEY: &[(&str, &str)] = &[("THINKBENCH_DEMO_PACE", "0")];

fn env(name: &str) -> Option<String> {
    NO_KEY
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// What the runtime does with `Effect::SwitchModel`.
fn perform_switch(h: &mut Harness, effects: Vec<Effect>) {
    let spec = effects
        .iter()
        .find_map(|e| match e {
            Effect::SwitchModel(spec) => Some(spec.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no switch in {effects:?}"));
    let switched = h.app.session.settings.switch_model(&spec, &env);
    let event = Event::ModelSwitched(
        switched
            .map(|s| Switched(Box::new(s)))
            .map_err(|e| e.to_string()),
    );
    h.app.update(event, h.at(10));
}

#[test]
fn the_keyless_start_screen_offers_the_demo_and_d_switches_to_it() {
    let mut h = harness_with(NO_KEY, "gpt-5-mini", None);
    assert!(h.app.offers_demo());
    insta::assert_snapshot!("keyless_start_screen", h.draw(100, 26).backend());

    let effects = h.key(KeyCode::Char('d'), KeyModifiers::NONE, 5);
    assert_eq!(effects, [Effect::SwitchModel("demo/demo-o".into())]);
    perform_switch(&mut h, effects);
    assert!(h.app.session.settings.is_demo());
    assert!(
        !h.app.offers_demo(),
        "the hint is gone: the demo needs no key"
    );
    insta::assert_snapshot!("demo_start_screen_after_d", h.draw(100, 30).backend());
}

#[test]
fn d_is_typed_everywhere_else() {
    // Something already typed.
    let mut h = harness_with(NO_KEY, "gpt-5-mini", None);
    h.type_text("ad", 0);
    assert_eq!(h.app.composer.draft(), "ad");
    // A provider that needs no key offers nothing.
    let mut h = harness_with(&[("OPENAI_API_KEY", "sk-test")], "gpt-5-mini", None);
    assert!(!h.app.offers_demo());
    assert!(h.key(KeyCode::Char('d'), KeyModifiers::NONE, 0).is_empty());
    assert_eq!(h.app.composer.draft(), "d");
}

#[test]
fn demo_start_screen_and_status_line() {
    let args = thinkbench::config::CommonArgs {
        demo: true,
        ..Default::default()
    };
    let (settings, _home) = support::app::settings(NO_KEY, args);
    assert_eq!(settings.model, "demo-o");
    assert_eq!(settings.provider_label(), "demo");
    let mut h = harness_with(NO_KEY, "demo/demo-o", Some("high"));
    insta::assert_snapshot!("demo_start_screen", h.draw(120, 30).backend());
    let status = h.draw(120, 30).backend().buffer().clone();
    let last: String = (0..120)
        .map(|x| status[(x, 29)].symbol().to_string())
        .collect();
    assert!(
        last.starts_with(" demo · offline · demo-o · effort high · session $0"),
        "{last}"
    );
}

/// Send `prompt` from `h` and answer it with the real demo server; events are fed back with
/// injected times (the first at 600 ms, then 20 ms apart).
async fn demo_turn(h: &mut Harness, prompt: &str) {
    h.app.update(Event::Paste(prompt.into()), h.at(0));
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 0);
    let (turn_id, request) = support::app::started(&effects).unwrap();
    let request = request.clone();
    let endpoint = h.app.session.settings.endpoint.clone();
    let client = thinkbench::api::client().unwrap();
    let mut events = Vec::new();
    thinkbench::api::run_turn(&client, &endpoint, &request, &mut |e| events.push(e)).await;
    for (n, event) in events.into_iter().enumerate() {
        h.stream(turn_id, event, 600 + 20 * n as u64);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_finished_demo_turn_shows_its_usage_line() {
    let mut h = harness_with(NO_KEY, "demo/demo-r1", Some("low"));
    demo_turn(&mut h, "Is 1009 prime?").await;
    let turn = &h.app.session.conversation.turns[0];
    assert!(
        turn.answer.starts_with("# Is 1009 prime?"),
        "{}",
        turn.answer
    );
    assert!(turn.usage_line().contains("(demo, not billed)"));
    insta::assert_snapshot!("finished_demo_turn", h.draw(120, 44).backend());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_empty_answer_of_a_small_budget_is_explained_and_not_billed() {
    let mut h = harness_with(NO_KEY, "demo/demo-o", Some("high"));
    h.app.update(Event::Paste("/max 100".into()), h.at(0));
    h.key(KeyCode::Enter, KeyModifiers::NONE, 0);
    demo_turn(&mut h, "why is the sky blue?").await;
    let turn = &h.app.session.conversation.turns[0];
    assert_eq!(turn.answer, "");
    let screen = h.draw(100, 20);
    let text: String = format!("{:?}", screen.backend());
    assert!(
        text.contains("all 100 output tokens went to reasoning"),
        "{text}"
    );
    assert!(
        !text.contains("; billed $"),
        "a demo turn is never billed: {text}"
    );
    insta::assert_snapshot!("demo_empty_answer", screen.backend());
}
