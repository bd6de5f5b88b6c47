//! The app's side of a signal (`Event::Terminate`, which the runtime sends on SIGTERM,
//! SIGHUP, SIGQUIT, SIGINT or a terminal that went away): what streams is stopped and saved
//! as interrupted with every delta received, then the app quits.

mod support;

use crossterm::event::{KeyCode, KeyModifiers};
use support::app::harness_with;
use thinkbench::api::StreamEvent;
use thinkbench::conversation::{Turn, TurnState};
use thinkbench::tui::app::{ArmsFor, Effect, Event, PersistOp, ResolvedArms};

const ENV: &[(&str, &str)] = &[
    ("OPENAI_API_KEY", "sk-test"),
    ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"),
];

fn env(k: &str) -> Option<String> {
    ENV.iter()
        .find(|(key, _)| *key == k)
        .map(|(_, v)| v.to_string())
}

/// The turns `effects` save, in order.
fn saved(effects: &[Effect]) -> Vec<&Turn> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Persist(PersistOp::SaveTurn(turn)) => Some(&**turn),
            _ => None,
        })
        .collect()
}

#[test]
fn a_signal_saves_the_streaming_turn_as_interrupted_with_every_delta_then_quits() {
    let mut h = harness_with(ENV, "gpt-4o", None);
    let id = h.send("count", 0);
    h.stream(id, StreamEvent::TextDelta("one two".into()), 600);
    // Less than half a second after the last save: not saved on its own.
    h.stream(id, StreamEvent::TextDelta(" three".into()), 700);
    let effects = h.app.update(Event::Terminate, h.at(800));

    assert_eq!(effects.last(), Some(&Effect::Quit), "{effects:?}");
    assert!(effects.contains(&Effect::Cancel(id)), "{effects:?}");
    let saves = saved(&effects);
    assert_eq!(saves.len(), 1, "{effects:?}");
    assert_eq!(saves[0].state, TurnState::Interrupted);
    assert_eq!(saves[0].answer, "one two three");
    assert_eq!(saves[0].timings.done_ms, Some(800));
    assert!(!h.app.is_streaming());
    // A delta that was already on its way changes nothing.
    h.stream(id, StreamEvent::TextDelta(" four".into()), 810);
    let turn = &h.app.session.conversation.turns[0];
    assert_eq!(
        (&turn.state, turn.answer.as_str()),
        (&TurnState::Interrupted, "one two three")
    );
}

#[test]
fn a_signal_with_nothing_streaming_only_quits() {
    let mut h = harness_with(ENV, "gpt-4o", None);
    h.type_text("a draft", 0);
    let effects = h.app.update(Event::Terminate, h.at(10));
    assert_eq!(effects, [Effect::Quit]);
}

#[test]
fn a_signal_during_a_comparison_saves_every_arm_and_quits() {
    let mut h = harness_with(ENV, "o3-mini", None);
    h.app.session.settings.compare.concurrency = 2;
    h.app.update(
        Event::Paste("/compare o3-mini@low o3-mini@high gpt-4o".into()),
        h.at(0),
    );
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 0);
    let Some(Effect::ResolveArms { arms, then }) = effects.into_iter().next() else {
        panic!("expected ResolveArms");
    };
    let result = thinkbench::compare::resolve_arms(&h.app.session.settings, &arms, &env);
    let now = h.at(0);
    let event = Event::ArmsResolved {
        result: result.map(ResolvedArms),
        then,
    };
    assert_eq!(then, ArmsFor::Set);
    h.app.update(event, now);
    h.app.update(Event::Paste("count".into()), h.at(0));
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 0);
    let turn_id = effects
        .iter()
        .find_map(|e| match e {
            Effect::StartArm { turn_id, .. } => Some(*turn_id),
            _ => None,
        })
        .expect("the arms start");
    let at = h.at(100);
    let event = StreamEvent::TextDelta("1 2".into());
    h.app.update(
        Event::ArmStream {
            turn_id,
            arm: 0,
            event,
            at,
        },
        at,
    );

    let effects = h.app.update(Event::Terminate, h.at(300));
    assert_eq!(effects.last(), Some(&Effect::Quit), "{effects:?}");
    assert!(effects.contains(&Effect::Cancel(turn_id)), "{effects:?}");
    let saves = saved(&effects);
    assert_eq!(saves.len(), 3, "every arm is saved: {effects:?}");
    assert_eq!(saves[0].state, TurnState::Interrupted);
    assert_eq!(saves[0].answer, "1 2");
    assert_eq!(saves[1].state, TurnState::Interrupted);
    // The third arm was waiting for a slot: never sent, never billed.
    assert!(
        matches!(&saves[2].state, TurnState::Failed(e) if e.message.contains("before it was sent")),
        "{:?}",
        saves[2].state
    );
    assert!(!h.app.is_streaming());
}
