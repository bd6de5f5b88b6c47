//! Requests adapted to the model that answers: the exact JSON body built for each kind of
//! model from the same provider-neutral history (instructions role, output budget field,
//! effort only where accepted, never temperature, earlier reasoning never sent back).

mod support;

use serde_json::{Value, json};
use support::app::settings;
use thinkbench::api::{FinishReason, StreamEvent, request_body};
use thinkbench::config::CommonArgs;
use thinkbench::conversation::Turn;
use thinkbench::session::Session;

/// The body that would be sent for "and now?" after one earlier turn (whose reasoning must
/// not travel), with `--system` and `--max-output-tokens 4000`.
fn body(env: &[(&str, &str)], model: &str, effort: Option<&str>) -> (String, Value) {
    let args = CommonArgs {
        model: Some(model.into()),
        effort: effort.map(str::to_string),
        system: Some("Be brief.".into()),
        max_output_tokens: Some(4000),
        ..Default::default()
    };
    let (settings, _home) = settings(env, args);
    let api = settings.endpoint.api;
    let mut session = Session::new(settings);
    let (id, _) = session.start_turn("first".into());
    let turn: &mut Turn = session.turn_mut(id).unwrap();
    turn.apply(StreamEvent::ReasoningDelta("secret thoughts".into()), 1);
    turn.apply(StreamEvent::TextDelta("one".into()), 2);
    turn.apply(StreamEvent::Finished(FinishReason::Stop), 3);
    let request = session.request_for("and now?");
    (api.as_str().to_string(), request_body(api, &request))
}

const OPENAI: &[(&str, &str)] = &[("OPENAI_API_KEY", "sk-test")];

fn chat_history(system_role: &str) -> Value {
    json!([
        {"role": system_role, "content": "Be brief."},
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "one"},
        {"role": "user", "content": "and now?"},
    ])
}

#[test]
fn o1_mini_folds_instructions_and_takes_no_effort() {
    let (api, b) = body(OPENAI, "o1-mini", None);
    assert_eq!(api, "chat");
    assert_eq!(
        b,
        json!({
            "model": "o1-mini",
            "messages": [
                {"role": "user", "content": "Be brief.\n\nfirst"},
                {"role": "assistant", "content": "one"},
                {"role": "user", "content": "and now?"},
            ],
            "max_completion_tokens": 4000,
            "stream": true,
            "stream_options": {"include_usage": true},
        })
    );
}

#[test]
fn gpt_4o_uses_chat_with_a_system_message_and_no_effort() {
    let (api, b) = body(OPENAI, "gpt-4o", None);
    assert_eq!(api, "chat");
    assert_eq!(
        b,
        json!({
            "model": "gpt-4o",
            "messages": chat_history("system"),
            "max_completion_tokens": 4000,
            "stream": true,
            "stream_options": {"include_usage": true},
        })
    );
}

#[test]
fn o1_o3_mini_and_gpt_5_use_responses_with_instructions_and_effort() {
    for (model, effort) in [("o1", "high"), ("o3-mini", "low"), ("gpt-5", "minimal")] {
        let (api, b) = body(OPENAI, model, Some(effort));
        assert_eq!(api, "responses", "{model}");
        assert_eq!(
            b,
            json!({
                "model": model,
                "instructions": "Be brief.",
                "input": [
                    {"role": "user", "content": "first"},
                    {"role": "assistant", "content": "one"},
                    {"role": "user", "content": "and now?"},
                ],
                "reasoning": {"effort": effort, "summary": "auto"},
                "max_output_tokens": 4000,
                "stream": true,
                "store": false,
            }),
            "{model}"
        );
    }
}

#[test]
fn o1_on_chat_completions_takes_developer_role_and_reasoning_effort() {
    let args_env = [
        ("OPENAI_API_KEY", "sk-test"),
        ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"),
    ];
    let (api, b) = body(&args_env, "o1", Some("high"));
    assert_eq!(api, "chat", "a compatible server speaks Chat Completions");
    assert_eq!(
        b,
        json!({
            "model": "o1",
            "messages": chat_history("developer"),
            "max_completion_tokens": 4000,
            "reasoning_effort": "high",
            "stream": true,
            "stream_options": {"include_usage": true},
        })
    );
}

#[test]
fn deepseek_reasoner_takes_max_tokens_and_no_effort() {
    let (api, b) = body(&[("DEEPSEEK_API_KEY", "dk")], "deepseek-reasoner", None);
    assert_eq!(api, "chat");
    assert_eq!(
        b,
        json!({
            "model": "deepseek-reasoner",
            "messages": chat_history("system"),
            "max_tokens": 4000,
            "stream": true,
            "stream_options": {"include_usage": true},
        })
    );
}

#[test]
fn an_unknown_model_on_a_local_server_gets_the_safe_shape() {
    let (api, b) = body(&[], "ollama/qwen3:8b", Some("low"));
    assert_eq!(api, "chat");
    assert_eq!(
        b,
        json!({
            "model": "qwen3:8b",
            "messages": chat_history("system"),
            "max_tokens": 4000,
            "reasoning_effort": "low",
            "stream": true,
            "stream_options": {"include_usage": true},
        })
    );
}

#[test]
fn claude_gets_a_thinking_budget_under_max_tokens() {
    let (api, b) = body(
        &[("ANTHROPIC_API_KEY", "k")],
        "claude-sonnet-4-5",
        Some("low"),
    );
    assert_eq!(api, "anthropic");
    assert_eq!(b["system"], "Be brief.");
    assert_eq!(
        b["thinking"],
        json!({"type": "enabled", "budget_tokens": 2048})
    );
    assert_eq!(b["max_tokens"], 4000);
    assert_eq!(
        b["messages"][1],
        json!({"role": "assistant", "content": "one"})
    );
    assert!(b.get("temperature").is_none());
}
