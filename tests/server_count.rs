//! Counting with the server's own tokenizer when it reports no usage: `ask` end to end, the
//! library's probe (once per server), and the TUI's count after a turn (effects, meter
//! snapshots), all against the fake server on 127.0.0.1 and its tokenizer endpoints.

mod support;

use serde_json::Value;
use std::process::Output;
use support::app::{Harness, harness_with};
use support::fake_server::{FakeServer, FakeTokenizer, Reply, chunk, render, tokens};
use thinkbench::api::tokenize::{self, Count, Texts};
use thinkbench::api::{FinishReason, StreamEvent};
use thinkbench::tui::app::{Effect, Event, PersistOp};
use thinkbench::usage::{ServerCount, Usage};

const ANSWER: &str = "Paris is the capital of France.";
const REASONING: &str = "The user asks a simple geography question.";

/// An answer streamed without any usage, as llama-cpp-python's server sends it.
fn no_usage() -> Reply {
    let events = vec![
        chunk::role(),
        chunk::content("Paris is the "),
        chunk::content("capital of France."),
        chunk::finish("stop"),
    ];
    Reply::Sse {
        events,
        delay_ms: 0,
    }
}

async fn ask(server: &FakeServer, args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let url = server.base_url();
    let mut all = vec!["ask", "--base-url", url.as_str(), "-m", "smollm2"];
    all.extend_from_slice(args);
    support::cli::run(home.path(), &all, &[], None).await
}

fn json_out(o: &Output) -> Value {
    let text = String::from_utf8_lossy(&o.stdout);
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The words of every message the turn's request carried.
fn message_words(server: &FakeServer) -> usize {
    let body = &server.requests()[0].body;
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    (messages.iter())
        .filter_map(|m| m["content"].as_str())
        .map(tokens)
        .sum()
}

fn sent_messages(server: &FakeServer) -> Vec<Value> {
    server.requests()[0].body["messages"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn ask_counts_with_llama_cpp_python_without_the_template() {
    let server = FakeServer::start(vec![no_usage()]).await;
    server.tokenizer(FakeTokenizer::LlamaCppPython);
    let out = ask(&server, &["--json", "one two three"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json_out(&out);
    let u = &v["usage"];
    assert_eq!(
        u["output_tokens"],
        tokens(ANSWER) as u64,
        "its BOS is not output"
    );
    assert_eq!(u["input_tokens"], message_words(&server) as u64);
    assert_eq!(u["estimated"], false);
    assert_eq!(u["source"], "counted");
    assert_eq!(u["input_without_chat_template"], true);
    // Every tokenizer request went to the server's root, signed like the turn.
    let asked = server.tokenizer_requests();
    assert!(!asked.is_empty());
    for r in &asked {
        assert!(!r.path.starts_with("/v1"), "{}", r.path);
        assert_eq!(r.header("authorization"), Some("Bearer sk-test"));
    }
    let probes = asked.iter().filter(|r| r.path == "/tokenize").count();
    assert_eq!(
        probes, 2,
        "llama.cpp's and vLLM's shapes are tried once each"
    );
}

#[tokio::test]
async fn ask_prints_a_counted_usage_line() {
    let server = FakeServer::start(vec![no_usage()]).await;
    server.tokenizer(FakeTokenizer::LlamaCppPython);
    let out = ask(&server, &["one two three"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let input = message_words(&server);
    let want = format!("in {input}+ (server count, no chat template)");
    assert!(err.contains(&want), "{err}");
    assert!(err.contains(&format!("out {}", tokens(ANSWER))), "{err}");
    assert!(!err.contains('~'), "{err}");
}

#[tokio::test]
async fn ask_counts_the_prompt_through_llama_cpps_template() {
    let server = FakeServer::start(vec![no_usage()]).await;
    server.tokenizer(FakeTokenizer::LlamaCpp { template: true });
    let out = ask(&server, &["--json", "one two three"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let u = &json_out(&out)["usage"];
    // The rendered prompt, with the BOS a completion adds.
    let templated = tokens(&render(&sent_messages(&server))) + 1;
    assert_eq!(u["input_tokens"], templated as u64);
    assert_eq!(u["output_tokens"], tokens(ANSWER) as u64);
    assert_eq!(u["source"], "counted");
    assert_eq!(u["input_without_chat_template"], false);
}

#[tokio::test]
async fn an_old_llama_cpp_without_apply_template_counts_the_text() {
    let server = FakeServer::start(vec![no_usage()]).await;
    server.tokenizer(FakeTokenizer::LlamaCpp { template: false });
    let out = ask(&server, &["--json", "one two three"]).await;
    let u = &json_out(&out)["usage"];
    assert_eq!(u["input_tokens"], message_words(&server) as u64);
    assert_eq!(u["input_without_chat_template"], true);
}

#[tokio::test]
async fn ask_counts_the_messages_with_vllm() {
    let server = FakeServer::start(vec![no_usage()]).await;
    server.tokenizer(FakeTokenizer::Vllm);
    let out = ask(&server, &["--json", "one two three"]).await;
    let u = &json_out(&out)["usage"];
    let templated = tokens(&render(&sent_messages(&server)));
    assert_eq!(u["input_tokens"], templated as u64);
    assert_eq!(u["output_tokens"], tokens(ANSWER) as u64);
    assert_eq!(u["input_without_chat_template"], false);
    let messages_form = server.tokenizer_requests();
    assert!(messages_form.iter().any(|r| r.body["messages"].is_array()));
}

#[tokio::test]
async fn without_a_tokenizer_the_estimate_stays() {
    let server = FakeServer::start(vec![no_usage()]).await;
    let out = ask(&server, &["--json", "one two three"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let u = &json_out(&out)["usage"];
    assert_eq!(u["estimated"], true);
    assert_eq!(u["source"], "estimated");
    assert_eq!(
        server.tokenizer_requests().len(),
        3,
        "one probe of each shape"
    );
}

#[tokio::test]
async fn absurd_counts_keep_the_estimate() {
    let server = FakeServer::start(vec![no_usage()]).await;
    server.tokenizer(FakeTokenizer::Absurd);
    let out = ask(&server, &["--json", "one two three"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json_out(&out)["usage"]["source"], "estimated");
}

#[tokio::test]
async fn reported_usage_asks_no_tokenizer() {
    let reported = Usage {
        input: 11,
        output: 7,
        ..Default::default()
    };
    let server = FakeServer::start(vec![Reply::reasoning_answer("", ANSWER, reported)]).await;
    server.tokenizer(FakeTokenizer::LlamaCppPython);
    let out = ask(&server, &["--json", "one two three"]).await;
    let u = &json_out(&out)["usage"];
    assert_eq!(u["source"], "reported");
    assert_eq!(u["input_tokens"], 11);
    assert!(server.tokenizer_requests().is_empty());
}

fn texts() -> Texts {
    Texts {
        model: "smollm2".into(),
        system: None,
        messages: vec![thinkbench::api::Message {
            role: thinkbench::api::Role::User,
            content: "one two three".into(),
            images: Vec::new(),
        }],
        reasoning: REASONING.into(),
        output: vec![ANSWER.into()],
    }
}

fn endpoint(server: &FakeServer) -> thinkbench::api::Endpoint {
    thinkbench::api::Endpoint {
        provider: "local".into(),
        api: thinkbench::api::ApiKind::Chat,
        base_url: server.base_url(),
        api_key: None,
        key_hint: None,
        headers: Vec::new(),
        max_attempts: 1,
        idle_timeout: None,
        limits: Default::default(),
    }
}

#[tokio::test]
async fn a_server_is_probed_once_per_process() {
    let server = FakeServer::start(vec![]).await;
    server.tokenizer(FakeTokenizer::LlamaCppPython);
    let client = thinkbench::api::client().unwrap();
    let endpoint = endpoint(&server);
    let first = tokenize::count(&client, &endpoint, &texts()).await;
    let want = Count {
        input: 3,
        output: tokens(ANSWER) as u64,
        reasoning: tokens(REASONING) as u64,
        prompt: ServerCount::TextOnly,
    };
    assert_eq!(first, Some(want));
    let after_first = server.tokenizer_requests().len();
    assert_eq!(
        tokenize::count(&client, &endpoint, &texts()).await,
        Some(want)
    );
    let second: Vec<_> = server.tokenizer_requests()[after_first..].to_vec();
    assert!(
        second.iter().all(|r| r.path == "/extras/tokenize/count"),
        "no probe the second time: {:?}",
        second.iter().map(|r| &r.path).collect::<Vec<_>>()
    );
    assert_eq!(second.len(), 3, "reasoning, answer, prompt");
    // A server without a tokenizer is probed once too, then left alone.
    let bare = FakeServer::start(vec![]).await;
    let endpoint = self::endpoint(&bare);
    assert_eq!(tokenize::count(&client, &endpoint, &texts()).await, None);
    let probed = bare.tokenizer_requests().len();
    assert_eq!(tokenize::count(&client, &endpoint, &texts()).await, None);
    assert_eq!(bare.tokenizer_requests().len(), probed);
}

#[tokio::test]
async fn a_slow_tokenizer_times_out_into_the_estimate() {
    let server = FakeServer::start(vec![]).await;
    server.tokenizer(FakeTokenizer::Silent);
    let client = thinkbench::api::client().unwrap();
    let started = std::time::Instant::now();
    assert_eq!(
        tokenize::count(&client, &endpoint(&server), &texts()).await,
        None
    );
    // Each probe request gives up after its timeout: three shapes, no fourth request.
    let most = tokenize::REQUEST_TIMEOUT * 3 + std::time::Duration::from_secs(2);
    assert!(started.elapsed() <= most, "{:?}", started.elapsed());
    assert_eq!(server.tokenizer_requests().len(), 3);
}

#[tokio::test]
async fn other_apis_are_never_asked() {
    let server = FakeServer::start(vec![]).await;
    server.tokenizer(FakeTokenizer::LlamaCppPython);
    let client = thinkbench::api::client().unwrap();
    let mut endpoint = endpoint(&server);
    for api in [
        thinkbench::api::ApiKind::Anthropic,
        thinkbench::api::ApiKind::Responses,
    ] {
        endpoint.api = api;
        assert_eq!(tokenize::count(&client, &endpoint, &texts()).await, None);
    }
    assert!(server.tokenizer_requests().is_empty());
}

/// A TUI against `server`, one turn answered without usage; the count effect it asked for.
fn tui_turn(server: &FakeServer) -> (Harness, u64, Option<Effect>) {
    let url = server.base_url();
    let env = [
        ("OPENAI_API_KEY", "sk-test"),
        ("OPENAI_BASE_URL", url.as_str()),
    ];
    let mut h = harness_with(&env, "smollm2", None);
    let id = h.send("What is the capital of France?", 0);
    h.stream(id, StreamEvent::ReasoningDelta(REASONING.into()), 400);
    h.stream(id, StreamEvent::TextDelta(ANSWER.into()), 900);
    let at = h.at(1_200);
    let event = StreamEvent::Finished(FinishReason::Stop);
    let effects = h.app.update(
        Event::Stream {
            turn_id: id,
            event,
            at,
        },
        at,
    );
    let count = effects
        .into_iter()
        .find(|e| matches!(e, Effect::CountTokens { .. }));
    (h, id, count)
}

/// The meter pane of `h`, `w` columns wide (the status line, which names the fake server's
/// port, is not drawn).
fn meter(h: &Harness, w: u16, rows: u16) -> ratatui::Terminal<ratatui::backend::TestBackend> {
    let mut meter = thinkbench::tui::meter::Meter::new();
    meter.update(&h.app.session, &h.app.draft());
    let backend = ratatui::backend::TestBackend::new(w, rows);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    let ctx = h.ctx();
    terminal
        .draw(|f| thinkbench::tui::meter::view::render(&ctx, &meter, f, f.area()))
        .unwrap();
    terminal
}

/// Run the count effect as the runtime does, and feed its answer back.
async fn run_count(h: &mut Harness, effect: Effect) -> Vec<Effect> {
    let Effect::CountTokens {
        turn_id,
        endpoint,
        texts,
    } = effect
    else {
        panic!("not a count: {effect:?}");
    };
    let client = thinkbench::api::client().unwrap();
    let count = tokenize::count(&client, &endpoint, &texts).await;
    let count = count.expect("the fake server counts");
    let at = h.at(1_500);
    h.app.update(Event::TokensCounted { turn_id, count }, at)
}

fn saved_usage(effects: &[Effect]) -> Option<Usage> {
    effects.iter().find_map(|e| match e {
        Effect::Persist(PersistOp::SaveTurn(turn)) => Some(turn.usage()),
        _ => None,
    })
}

#[tokio::test]
async fn the_tui_counts_a_turn_after_it_ends_and_saves_it() {
    let server = FakeServer::start(vec![]).await;
    server.tokenizer(FakeTokenizer::LlamaCpp { template: true });
    let (mut h, id, effect) = tui_turn(&server);
    let effect = effect.expect("a turn without usage is counted");
    // A frame drawn before the count: the estimate shows under the answer.
    let before = format!("{}", h.draw(120, 30).backend());
    assert!(before.contains("in ~"), "{before}");
    if let Effect::CountTokens { texts, .. } = &effect {
        assert_eq!(texts.output, vec![ANSWER.to_string()]);
        assert_eq!(texts.reasoning, REASONING);
        let prompt = texts.messages.last().map(|m| m.content.as_str());
        assert_eq!(prompt, Some("What is the capital of France?"));
    }
    let effects = run_count(&mut h, effect).await;
    let saved = saved_usage(&effects).expect("the counted turn is saved again");
    assert_eq!(saved.counted, Some(ServerCount::Templated));
    assert!(!saved.estimated);
    let turn = h.app.session.turn(id).unwrap();
    assert_eq!(
        turn.usage().output,
        (tokens(ANSWER) + tokens(REASONING)) as u64
    );
    let line = turn.usage_line();
    assert!(line.contains("in 15 · reasoning 7 · out 6"), "{line}");
    // The next frame shows the count under the answer, not the estimate laid out before.
    let after = format!("{}", h.draw(120, 30).backend());
    assert!(after.contains("in 15 · reasoning 7 · out 6"), "{after}");
    assert!(!after.contains("in ~"), "{after}");
    insta::assert_snapshot!(meter(&h, 34, 24).backend());
}

#[tokio::test]
async fn the_tui_says_when_the_template_is_not_counted() {
    let server = FakeServer::start(vec![]).await;
    server.tokenizer(FakeTokenizer::LlamaCppPython);
    let (mut h, id, effect) = tui_turn(&server);
    let effects = run_count(&mut h, effect.expect("counted")).await;
    let saved = saved_usage(&effects).expect("saved again");
    assert_eq!(saved.counted, Some(ServerCount::TextOnly));
    let line = h.app.session.turn(id).unwrap().usage_line();
    assert!(
        line.contains("in 6+ (server count, no chat template)"),
        "{line}"
    );
    insta::assert_snapshot!(meter(&h, 34, 24).backend());
    // In a narrow pane the note wraps at words instead of losing its end.
    let narrow = format!("{}", meter(&h, 20, 40).backend());
    for word in ["without", "its chat", "template", "6+"] {
        assert!(narrow.contains(word), "{word}: {narrow}");
    }
}

#[tokio::test]
async fn the_tui_asks_no_count_when_usage_was_reported() {
    let server = FakeServer::start(vec![]).await;
    let url = server.base_url();
    let env = [
        ("OPENAI_API_KEY", "sk-test"),
        ("OPENAI_BASE_URL", url.as_str()),
    ];
    let mut h = harness_with(&env, "smollm2", None);
    let id = h.send("hi", 0);
    h.stream(id, StreamEvent::TextDelta(ANSWER.into()), 900);
    let usage = Usage {
        input: 9,
        output: 7,
        ..Default::default()
    };
    h.stream(id, StreamEvent::Usage(usage), 1_000);
    let at = h.at(1_200);
    let event = StreamEvent::Finished(FinishReason::Stop);
    let effects = h.app.update(
        Event::Stream {
            turn_id: id,
            event,
            at,
        },
        at,
    );
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::CountTokens { .. })),
        "{effects:?}"
    );
    // A count arriving anyway changes nothing.
    let count = Count {
        input: 1,
        output: 1,
        reasoning: 0,
        prompt: ServerCount::Templated,
    };
    let effects = h
        .app
        .update(Event::TokensCounted { turn_id: id, count }, at);
    assert!(effects.is_empty());
    assert_eq!(h.app.session.turn(id).unwrap().usage(), usage);
}

#[tokio::test]
async fn a_count_for_a_session_left_behind_is_ignored() {
    let server = FakeServer::start(vec![]).await;
    let (mut h, id, effect) = tui_turn(&server);
    assert!(effect.is_some());
    // Another session opens before the count comes back; its turn has the same id.
    let mut other = h.app.session.turn(id).unwrap().clone();
    other.answer = "Another answer.".into();
    let at = h.at(1_300);
    let opened = Event::SessionOpened {
        id: 7,
        title: "other".into(),
        turns: vec![other],
    };
    h.app.update(opened, at);
    let count = Count {
        input: 1,
        output: 1,
        reasoning: 0,
        prompt: ServerCount::Templated,
    };
    let effects = h
        .app
        .update(Event::TokensCounted { turn_id: id, count }, at);
    assert!(effects.is_empty(), "{effects:?}");
    assert!(h.app.session.turn(id).unwrap().usage().estimated);
}
