//! Slash commands and their neighbours through the app: unknown command words, the `//`
//! escape, `/quit`, `/title`, Tab completion, switching to a model nothing knows, the
//! provider's label under a base-URL override, and an account out of credit.

mod support;

use crossterm::event::{KeyCode, KeyModifiers};
use support::app::{Harness, harness, harness_with, settings, started};
use thinkbench::api::{ApiError, FinishReason, StreamEvent};
use thinkbench::config::CommonArgs;
use thinkbench::tui::app::{Effect, Event, Overlay, Switched};

/// Type `text` into the composer and press Enter; what that asks for.
fn enter(h: &mut Harness, text: &str, ms: u64) -> Vec<Effect> {
    h.app.update(Event::Paste(text.to_string()), h.at(ms));
    h.key(KeyCode::Enter, KeyModifiers::NONE, ms)
}

fn tab(h: &mut Harness, ms: u64) {
    h.key(KeyCode::Tab, KeyModifiers::NONE, ms);
}

#[test]
fn unknown_command_words_are_refused_and_kept() {
    let mut h = harness("gpt-4o");
    for (typed, word) in [("/bogus", "/bogus"), ("/foo bar", "/foo")] {
        let effects = enter(&mut h, typed, 0);
        assert!(effects.is_empty(), "{typed}: {effects:?}");
        assert_eq!(
            h.app.notice.as_deref(),
            Some(format!("unknown command {word} — F1 lists them").as_str())
        );
        assert_eq!(h.app.draft(), typed, "the draft stays");
        h.app.composer.set_draft("");
    }
    assert!(h.app.session.conversation.turns.is_empty());
    // Paths are prompts.
    for prompt in ["/etc/hosts?", "/usr/bin is slow"] {
        let effects = enter(&mut h, prompt, 10);
        let (id, request) = started(&effects).expect("sent");
        assert_eq!(
            request.messages.last().map(|m| m.content.as_str()),
            Some(prompt)
        );
        h.stream(id, StreamEvent::Finished(FinishReason::Stop), 20);
    }
    // `//text` sends `/text`; Up recalls what was typed.
    let effects = enter(&mut h, "//bogus is a typo", 30);
    let (_, request) = started(&effects).expect("sent");
    assert_eq!(
        request.messages.last().map(|m| m.content.as_str()),
        Some("/bogus is a typo")
    );
}

#[test]
fn quit_command_quits_as_ctrl_q_does() {
    let mut by_key = harness("gpt-4o");
    let mut by_command = harness("gpt-4o");
    for h in [&mut by_key, &mut by_command] {
        h.send("a long answer", 0);
    }
    let want = by_key.key(KeyCode::Char('q'), KeyModifiers::CONTROL, 100);
    assert_eq!(want.last(), Some(&Effect::Quit));
    assert!(want.iter().any(|e| matches!(e, Effect::Cancel(_))));
    let got = enter(&mut by_command, "/quit", 100);
    assert_eq!(got, want);
}

#[test]
fn title_is_confirmed() {
    let mut h = harness("gpt-4o");
    enter(&mut h, "/title Heaps and queues", 0);
    assert_eq!(
        h.app.notice.as_deref(),
        Some("session titled \"Heaps and queues\"")
    );
}

#[test]
fn tab_shows_and_cycles_several_completions() {
    let mut h = harness("o3-mini");
    h.type_text("/m", 0);
    tab(&mut h, 10);
    assert_eq!(h.app.draft(), "/model");
    assert_eq!(h.app.completions(), ["/model", "/max", "/meter"]);
    insta::assert_snapshot!("tab_cycles", h.draw(80, 8).backend());
    tab(&mut h, 20);
    assert_eq!(h.app.draft(), "/max");
    tab(&mut h, 30);
    assert_eq!(h.app.draft(), "/meter");
    tab(&mut h, 40);
    assert_eq!(h.app.draft(), "/model");
    assert_eq!(h.app.notice, None, "Tab did not go to the thinking");
    // Another key ends the cycle; the word is then complete, so Tab is Tab again.
    h.type_text(" ", 50);
    assert!(h.app.completions().is_empty());
    // A single candidate completes with a space for the argument.
    h.app.composer.set_draft("");
    h.type_text("/ti", 60);
    tab(&mut h, 70);
    assert_eq!(h.app.draft(), "/title ");
}

/// `/model SPEC` as the runtime resolves it.
fn switch(h: &mut Harness, spec: &str, ms: u64) {
    let effects = enter(h, &format!("/model {spec}"), ms);
    assert_eq!(effects, [Effect::SwitchModel(spec.to_string())]);
    let new = h.app.session.settings.switch_model(spec, &|_| None);
    let result = new
        .map(|s| Switched(Box::new(s)))
        .map_err(|e| e.to_string());
    h.app.update(Event::ModelSwitched(result), h.at(ms));
}

/// The picker's row for the current model: its id and whether it is marked unverified.
fn current_row(h: &mut Harness, ms: u64) -> (String, bool) {
    h.key(KeyCode::F(2), KeyModifiers::NONE, ms);
    let Some(Overlay::Picker(picker)) = &h.app.overlay else {
        panic!("the picker is open");
    };
    let row = picker.selected_row().expect("a row for the current model");
    let found = (row.id.clone(), row.unverified);
    h.key(KeyCode::Esc, KeyModifiers::NONE, ms);
    found
}

#[test]
fn a_model_nothing_knows_is_sent_with_a_warning_and_marked_until_it_answers() {
    let mut h = harness("gpt-4o");
    switch(&mut h, "nonexistent-model-xyz", 0);
    assert_eq!(h.app.session.settings.model, "nonexistent-model-xyz");
    assert_eq!(
        h.app.notice.as_deref(),
        Some(
            "⚠ openai/nonexistent-model-xyz: not in the catalog or the server's list — sending anyway"
        )
    );
    assert_eq!(
        current_row(&mut h, 10),
        ("nonexistent-model-xyz".into(), true)
    );
    h.key(KeyCode::F(2), KeyModifiers::NONE, 20);
    insta::assert_snapshot!("unverified_row", h.draw(120, 12).backend());
    h.key(KeyCode::Esc, KeyModifiers::NONE, 20);
    // It answers: no longer marked, and it keeps its row after a switch away.
    let id = h.send("hi", 30);
    h.stream(id, StreamEvent::TextDelta("hello".into()), 40);
    h.stream(id, StreamEvent::Finished(FinishReason::Stop), 50);
    assert_eq!(
        current_row(&mut h, 60),
        ("nonexistent-model-xyz".into(), false)
    );
    switch(&mut h, "gpt-4o", 70);
    assert_eq!(h.app.notice.as_deref(), Some("next turns: openai/gpt-4o"));
    h.key(KeyCode::F(2), KeyModifiers::NONE, 80);
    let Some(Overlay::Picker(picker)) = &h.app.overlay else {
        panic!("the picker is open");
    };
    assert!(picker.rows.iter().any(|r| r.id == "nonexistent-model-xyz"));
    h.key(KeyCode::Esc, KeyModifiers::NONE, 80);
    // Back to it: it has answered, so no warning.
    switch(&mut h, "nonexistent-model-xyz", 90);
    assert_eq!(
        h.app.notice.as_deref(),
        Some("next turns: openai/nonexistent-model-xyz")
    );
}

#[test]
fn a_model_the_server_lists_is_not_warned_about() {
    let mut h = harness("gpt-4o");
    let models = Ok(vec!["my-finetune".to_string()]);
    let provider = "openai".to_string();
    h.app
        .update(Event::ModelsFetched { provider, models }, h.at(0));
    switch(&mut h, "my-finetune", 10);
    assert_eq!(
        h.app.notice.as_deref(),
        Some("next turns: openai/my-finetune")
    );
    assert_eq!(current_row(&mut h, 20), ("my-finetune".into(), false));
}

#[test]
fn an_overridden_base_url_is_named_by_its_host() {
    let args = CommonArgs {
        model: Some("llama3.2".into()),
        base_url: Some("http://127.0.0.1:8089/v1".into()),
        ..Default::default()
    };
    let (s, _home) = settings(&[], args);
    assert_eq!(
        s.endpoint.provider, "openai",
        "the key of the catalog stays"
    );
    assert_eq!(s.provider_label(), "127.0.0.1:8089");
    let (s, _home) = settings(&[("OPENAI_API_KEY", "sk-test")], CommonArgs::default());
    assert_eq!(s.provider_label(), "openai");
    let h = harness_with(
        &[
            ("OPENAI_API_KEY", "sk-test"),
            ("OPENAI_BASE_URL", "http://user:secret@localhost:8089/v1/"),
        ],
        "gpt-4o",
        None,
    );
    assert_eq!(h.app.session.settings.provider_label(), "localhost:8089");
    let mut h = harness("gpt-4o");
    let screen = h.draw(80, 8).backend().to_string();
    assert!(screen.contains("Connected to 127.0.0.1:9 at"), "{screen}");
    assert!(screen.contains(" 127.0.0.1:9 · gpt-4o"), "{screen}");
}

#[test]
fn an_account_out_of_credit_points_to_billing_and_is_not_retried() {
    let mut h = harness("gpt-4o");
    let id = h.send("hello there", 0);
    let err = ApiError {
        status: Some(429),
        kind: Some("insufficient_quota".into()),
        code: Some("insufficient_quota".into()),
        message: "You exceeded your current quota, please check your plan and billing details."
            .into(),
        ..Default::default()
    };
    assert_eq!(
        err.to_string(),
        "HTTP 429 (insufficient_quota): You exceeded your current quota, please check your \
         plan and billing details."
    );
    h.stream(id, StreamEvent::Failed(err), 300);
    let screen = h.draw(80, 14).backend().to_string();
    assert!(!screen.contains("Alt+R"), "{screen}");
    insta::assert_snapshot!("out_of_credit", screen);
    let effects = h.key(KeyCode::Char('r'), KeyModifiers::ALT, 400);
    assert!(started(&effects).is_none(), "{effects:?}");
    assert_eq!(
        h.app.notice.as_deref(),
        Some("not retried — the account is out of credit: check billing at the provider")
    );
    assert_eq!(h.app.session.conversation.turns.len(), 1);
}
