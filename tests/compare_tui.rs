//! Comparisons in the TUI, driven through the app: setting the compare set, sending to every
//! arm (bounded), streams per arm, cancel, retry of failed arms, keeping an answer, the
//! confirm prompt, the picker's marks, and snapshots of columns, tabs and the summary.

mod support;

use crossterm::event::{KeyCode, KeyModifiers};
use support::app::{Harness, harness_with};
use thinkbench::api::{ApiError, ChatRequest, FinishReason, StreamEvent};
use thinkbench::conversation::TurnState;
use thinkbench::tui::app::{ArmsFor, Effect, Event, Overlay, PersistOp, ResolvedArms};
use thinkbench::usage::Usage;

const ENV: &[(&str, &str)] = &[
    ("OPENAI_API_KEY", "sk-test"),
    ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"),
    ("DEEPSEEK_API_KEY", "sk-test"),
    ("ANTHROPIC_API_KEY", "sk-test"),
];

fn env(k: &str) -> Option<String> {
    ENV.iter()
        .find(|(key, _)| *key == k)
        .map(|(_, v)| v.to_string())
}

fn bench(model: &str) -> Harness {
    harness_with(ENV, model, None)
}

/// `/compare ARMS…`, resolved the way the runtime does it.
fn set_compare(h: &mut Harness, arms: &[&str]) {
    h.app.update(
        Event::Paste(format!("/compare {}", arms.join(" "))),
        h.at(0),
    );
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 0);
    let Some(Effect::ResolveArms { arms, then }) = effects.into_iter().next() else {
        panic!("expected ResolveArms");
    };
    assert_eq!(then, ArmsFor::Set);
    let result = thinkbench::compare::resolve_arms(&h.app.session.settings, &arms, &env);
    let now = h.at(0);
    h.app.update(
        Event::ArmsResolved {
            result: result.map(ResolvedArms),
            then,
        },
        now,
    );
}

/// The arms `effects` start: turn, arm and request.
fn started_arms(effects: &[Effect]) -> Vec<(u64, u32, ChatRequest)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::StartArm {
                turn_id,
                arm,
                request,
                ..
            } => Some((*turn_id, *arm, request.clone())),
            _ => None,
        })
        .collect()
}

fn send(h: &mut Harness, prompt: &str, ms: u64) -> Vec<Effect> {
    h.app.update(Event::Paste(prompt.to_string()), h.at(ms));
    h.key(KeyCode::Enter, KeyModifiers::NONE, ms)
}

fn arm_event(h: &mut Harness, turn_id: u64, arm: u32, event: StreamEvent, ms: u64) -> Vec<Effect> {
    let at = h.at(ms);
    h.app.update(
        Event::ArmStream {
            turn_id,
            arm,
            event,
            at,
        },
        at,
    )
}

fn usage(input: u64, output: u64, reasoning: u64) -> Usage {
    Usage {
        input,
        output,
        reasoning,
        ..Default::default()
    }
}

/// Stream a whole answer for one arm, from `ms` on; returns the effects of its last event.
fn answer(h: &mut Harness, turn: u64, arm: u32, text: &str, u: Usage, ms: u64) -> Vec<Effect> {
    arm_event(h, turn, arm, StreamEvent::TextDelta(text.to_string()), ms);
    arm_event(h, turn, arm, StreamEvent::Usage(u), ms + 10);
    arm_event(
        h,
        turn,
        arm,
        StreamEvent::Finished(FinishReason::Stop),
        ms + 20,
    )
}

#[test]
fn sweep_sets_every_level_and_the_status_line_and_meter_show_the_set() {
    let mut h = bench("o3-mini");
    h.app.update(Event::Paste("/sweep".into()), h.at(0));
    h.key(KeyCode::Enter, KeyModifiers::NONE, 0);
    let labels: Vec<String> = (h.app.compare.set.as_ref().unwrap().iter())
        .map(|a| a.label.clone())
        .collect();
    assert_eq!(labels, ["o3-mini@low", "o3-mini@medium", "o3-mini@high"]);
    // An effort the model does not take is refused with the levels it does.
    h.app
        .update(Event::Paste("/sweep low xhigh".into()), h.at(0));
    h.key(KeyCode::Enter, KeyModifiers::NONE, 0);
    let notice = h.app.notice.clone().unwrap();
    assert!(notice.contains("low, medium, high"), "{notice}");
    assert_eq!(
        h.app.compare.set.as_ref().map(Vec::len),
        Some(3),
        "the set stays"
    );
    h.type_text("Explain quicksort", 0);
    let screen = format!("{}", h.draw(160, 48).backend());
    assert!(screen.contains("⇶ compare o3-mini@low"), "{screen}");
    assert!(screen.contains("NEXT REQUEST · 3 ARMS"), "{screen}");
    assert!(screen.contains("min cost, all"), "{screen}");
    h.app.composer.set_draft("");
    // `/compare off` goes back to one model.
    h.app.update(Event::Paste("/compare off".into()), h.at(0));
    h.key(KeyCode::Enter, KeyModifiers::NONE, 0);
    assert!(h.app.compare.set.is_none());
}

#[test]
fn compare_refuses_a_bad_arm_and_too_few_or_too_many() {
    let mut h = bench("o3-mini");
    h.app
        .update(Event::Paste("/compare o3-mini@low".into()), h.at(0));
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 0);
    assert!(effects.is_empty());
    assert!(h.app.notice.as_deref().unwrap().contains("2 to 6"));
    let seven = ["a", "b", "c", "d", "e", "f", "g"].join(" ");
    h.app
        .update(Event::Paste(format!("/compare {seven}")), h.at(0));
    assert!(h.key(KeyCode::Enter, KeyModifiers::NONE, 0).is_empty());
    set_compare(&mut h, &["o3-mini@minimal", "gpt-4o"]);
    let notice = h.app.notice.clone().unwrap();
    assert!(notice.contains("o3-mini@minimal") && notice.contains("low, medium, high"));
    assert!(h.app.compare.set.is_none());
}

#[test]
fn every_arm_is_saved_then_sent_at_most_four_at_a_time_each_built_for_its_model() {
    let mut h = bench("o3-mini");
    h.app.session.settings.system = Some("Be brief.".into());
    set_compare(
        &mut h,
        &[
            "o1-mini",
            "o3-mini@high",
            "gpt-4o",
            "o3-mini@low",
            "gpt-4o-mini",
        ],
    );
    assert_eq!(h.app.compare.set.as_ref().map(Vec::len), Some(5));
    let effects = send(&mut h, "Why is the sky blue?", 0);
    // Every arm's turn is saved before the first request leaves.
    let first_start = effects
        .iter()
        .position(|e| matches!(e, Effect::StartArm { .. }))
        .unwrap();
    let saved = effects[..first_start]
        .iter()
        .filter(|e| matches!(e, Effect::Persist(PersistOp::SaveTurn(_))))
        .count();
    assert_eq!(saved, 5);
    let started = started_arms(&effects);
    assert_eq!(started.len(), 4, "the fifth waits for a slot");
    let (turn, _, _) = started[0];
    let by_arm = |n: u32| &started.iter().find(|(_, a, _)| *a == n).unwrap().2;
    assert_eq!(by_arm(0).model, "o1-mini");
    assert_eq!(by_arm(0).effort, None);
    assert_eq!(by_arm(1).model, "o3-mini");
    assert_eq!(by_arm(1).effort.as_deref(), Some("high"));
    assert_eq!(by_arm(2).model, "gpt-4o");
    assert_eq!(by_arm(2).effort, None);
    assert_eq!(by_arm(3).effort.as_deref(), Some("low"));
    for (_, _, request) in &started {
        assert_eq!(request.system.as_deref(), Some("Be brief."));
        assert_eq!(request.messages.len(), 1);
    }
    // One arm ends: the waiting one leaves.
    let effects = answer(&mut h, turn, 2, "Rayleigh.", usage(10, 5, 0), 100);
    let next = started_arms(&effects);
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].1, 4);
    assert_eq!(next[0].2.model, "gpt-4o-mini");
    assert!(h.app.is_streaming());
    for arm in [0, 1, 3, 4] {
        answer(
            &mut h,
            turn,
            arm,
            "Scattering.",
            usage(10, 50, 40),
            200 + arm as u64,
        );
    }
    assert!(!h.app.is_streaming());
    // Every arm counts in the session totals.
    let turns = &h.app.session.conversation.turns;
    assert_eq!(turns.len(), 5);
    assert!(turns.iter().all(|t| t.state == TurnState::Done));
}

#[test]
fn esc_cancels_every_arm_keeping_partials_and_alt_r_retries_only_the_broken_ones() {
    let mut h = bench("o3-mini");
    h.app.session.settings.compare.concurrency = 2;
    set_compare(&mut h, &["o3-mini@low", "o3-mini@high", "gpt-4o"]);
    let effects = send(&mut h, "Count to ten", 0);
    let started = started_arms(&effects);
    assert_eq!(started.len(), 2);
    let turn = started[0].0;
    answer(&mut h, turn, 0, "1 2 3 4 5 6 7 8 9 10", usage(5, 20, 0), 50);
    // Arm 3 left when arm 1 ended; arm 2 has said something.
    arm_event(&mut h, turn, 1, StreamEvent::TextDelta("1 2 3".into()), 60);
    let effects = h.key(KeyCode::Esc, KeyModifiers::NONE, 100);
    assert!(effects.contains(&Effect::Cancel(turn)));
    assert!(!h.app.is_streaming());
    let turns = &h.app.session.conversation.turns;
    assert_eq!(turns[0].state, TurnState::Done);
    assert_eq!(turns[1].state, TurnState::Cancelled);
    assert_eq!(turns[1].answer, "1 2 3");
    assert_eq!(turns[2].state, TurnState::Cancelled, "arm 3 had left");
    // Events after the cancel are ignored.
    arm_event(&mut h, turn, 1, StreamEvent::TextDelta(" 4".into()), 120);
    assert_eq!(h.app.session.conversation.turns[1].answer, "1 2 3");

    let effects = h.key(KeyCode::Char('r'), KeyModifiers::ALT, 200);
    let again = started_arms(&effects);
    let labels: Vec<u32> = again.iter().map(|(_, arm, _)| *arm).collect();
    assert_eq!(
        labels,
        [3, 4],
        "only the two cancelled arms, as new attempts"
    );
    let conv = &h.app.session.conversation;
    let shown: Vec<String> = (conv.shown_arms(conv.group(0)).into_iter())
        .map(|i| conv.turns[i].arm_label())
        .collect();
    assert_eq!(shown, ["o3-mini@low", "o3-mini@high", "gpt-4o"]);
    // The retries carry the history before the comparison (none), not the kept answer.
    assert!(again.iter().all(|(_, _, r)| r.messages.len() == 1));
}

#[test]
fn an_arm_that_waits_when_cancelled_is_never_billed() {
    let mut h = bench("o3-mini");
    h.app.session.settings.compare.concurrency = 1;
    set_compare(&mut h, &["o3-mini@low", "o3-mini@high"]);
    let effects = send(&mut h, "hi", 0);
    let turn = started_arms(&effects)[0].0;
    h.key(KeyCode::Esc, KeyModifiers::NONE, 10);
    let waiting = &h.app.session.conversation.turns[1];
    assert!(
        matches!(&waiting.state, TurnState::Failed(e) if e.message.contains("before it was sent"))
    );
    assert!(waiting.refused());
    assert_eq!(waiting.cost(), Some(0.0));
    let _ = turn;
}

#[test]
fn a_failed_arm_shows_its_error_while_the_others_finish_and_digits_keep_an_answer() {
    let mut h = bench("o3-mini");
    set_compare(&mut h, &["o3-mini@low", "o3-mini@high", "gpt-4o"]);
    let effects = send(&mut h, "Name a prime", 0);
    let turn = started_arms(&effects)[0].0;
    answer(&mut h, turn, 0, "Two.", usage(8, 300, 290), 900);
    let mut err = ApiError::message("The server had an error while processing your request.");
    err.status = Some(500);
    arm_event(&mut h, turn, 1, StreamEvent::Failed(err), 400);
    answer(&mut h, turn, 2, "Seven.", usage(8, 3, 0), 300);
    assert!(!h.app.is_streaming());
    insta::assert_snapshot!("failed_arm", h.draw(160, 48).backend());
    // Until the person chooses, the first arm that finished without error is kept.
    let conv = &h.app.session.conversation;
    assert_eq!(conv.kept_arm(conv.group(0)), Some(2));
    // `1` on an empty composer keeps arm 1; the next turn carries its answer.
    let effects = h.key(KeyCode::Char('1'), KeyModifiers::NONE, 1000);
    assert_eq!(h.app.composer.draft(), "", "the digit was not typed");
    let saves = effects
        .iter()
        .filter(|e| matches!(e, Effect::Persist(PersistOp::SaveTurn(_))))
        .count();
    assert_eq!(saves, 1, "the kept flag is saved");
    let conv = &h.app.session.conversation;
    assert_eq!(conv.kept_arm(conv.group(0)), Some(0));
    // Keeping a failed arm is refused.
    h.key(KeyCode::Char('2'), KeyModifiers::NONE, 1000);
    assert!(
        h.app
            .notice
            .as_deref()
            .unwrap()
            .contains("no finished answer")
    );
    h.app
        .update(Event::Paste("/compare off".into()), h.at(1000));
    h.key(KeyCode::Enter, KeyModifiers::NONE, 1000);
    let effects = send(&mut h, "And another?", 1100);
    let (_, request) = support::app::started(&effects).unwrap();
    let texts: Vec<&str> = request
        .messages
        .iter()
        .map(|m| m.content.as_str())
        .collect();
    assert_eq!(texts, ["Name a prime", "Two.", "And another?"]);
    // A digit typed into a draft is text.
    let mut h = bench("o3-mini");
    h.type_text("1", 0);
    assert_eq!(h.app.composer.draft(), "1");
}

#[test]
fn above_the_limit_sending_asks_first_and_no_keeps_the_draft() {
    let mut h = bench("o3-mini");
    set_compare(&mut h, &["o1", "o3-mini@high"]);
    h.app.session.settings.compare.confirm_usd = 0.0;
    let effects = send(&mut h, "Prove the four colour theorem", 0);
    assert!(started_arms(&effects).is_empty());
    assert!(matches!(h.app.overlay, Some(Overlay::Confirm(_))));
    insta::assert_snapshot!("confirm", h.draw(100, 24).backend());
    h.key(KeyCode::Char('n'), KeyModifiers::NONE, 10);
    assert!(h.app.overlay.is_none());
    assert_eq!(h.app.composer.draft(), "Prove the four colour theorem");
    assert!(h.app.session.conversation.turns.is_empty());
    h.key(KeyCode::Enter, KeyModifiers::NONE, 20);
    let effects = h.key(KeyCode::Char('y'), KeyModifiers::NONE, 30);
    assert_eq!(started_arms(&effects).len(), 2);
}

#[test]
fn the_pickers_marks_become_the_compare_set() {
    let mut h = bench("o3-mini");
    h.key(KeyCode::F(2), KeyModifiers::NONE, 0);
    h.type_text("gpt-4o", 0);
    h.key(KeyCode::Char(' '), KeyModifiers::NONE, 0);
    h.key(KeyCode::Char(' '), KeyModifiers::NONE, 0);
    insta::assert_snapshot!("picker_marks", h.draw(120, 20).backend());
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 0);
    let Some(Effect::ResolveArms { arms, then }) = effects.first() else {
        panic!("expected ResolveArms, got {effects:?}");
    };
    assert_eq!(*then, ArmsFor::Set);
    assert_eq!(arms.len(), 2);
    assert!(
        arms.iter().all(|a| a.starts_with("openai/gpt-4o")),
        "{arms:?}"
    );
}

/// A finished comparison of `labels`, each arm with a different amount of thinking.
fn finished(labels: &[&str]) -> Harness {
    let mut h = bench("o3-mini");
    set_compare(&mut h, labels);
    let effects = send(&mut h, "Sort a list of a million integers", 0);
    let turn = started_arms(&effects)[0].0;
    for (arm, _) in labels.iter().enumerate() {
        let n = arm as u64 + 1;
        let text = format!(
            "## Arm {n}\n\nUse a radix sort:\n\n```rust\nfn sort(v: &mut [u32]) {{ v.sort_unstable(); }}\n```\n\nIt runs in O(n)."
        );
        arm_event(
            &mut h,
            turn,
            arm as u32,
            StreamEvent::ReasoningDelta(format!("Thinking {n}.")),
            100 * n,
        );
        answer(
            &mut h,
            turn,
            arm as u32,
            &text,
            usage(40, 200 * n, 150 * n),
            1000 * n,
        );
    }
    h
}

#[test]
fn two_three_and_four_columns() {
    let mut h = finished(&["o3-mini@low", "o3-mini@high"]);
    insta::assert_snapshot!("two_columns", h.draw(160, 48).backend());
    let mut h = finished(&["o3-mini@low", "o3-mini@medium", "o3-mini@high"]);
    insta::assert_snapshot!("three_columns", h.draw(160, 48).backend());
    let mut h = finished(&["o3-mini@low", "o3-mini@medium", "o3-mini@high", "gpt-4o"]);
    h.app.update(Event::Resize(160, 48), h.at(9000));
    h.key(KeyCode::F(4), KeyModifiers::NONE, 9000);
    insta::assert_snapshot!("four_columns", h.draw(160, 48).backend());
}

#[test]
fn tabs_when_narrow_switch_with_arrows() {
    let mut h = finished(&["o3-mini@low", "o3-mini@medium", "o3-mini@high"]);
    h.key(KeyCode::Right, KeyModifiers::NONE, 9000);
    h.key(KeyCode::Home, KeyModifiers::CONTROL, 9000);
    insta::assert_snapshot!("tabs", h.draw(80, 24).backend());
    assert_eq!(h.app.compare.tab, 1);
}

#[test]
fn streaming_columns_show_each_arms_live_line() {
    let mut h = bench("o3-mini");
    set_compare(&mut h, &["o3-mini@low", "deepseek-reasoner", "gpt-4o"]);
    let effects = send(&mut h, "What is 17 * 23?", 0);
    let turn = started_arms(&effects)[0].0;
    arm_event(
        &mut h,
        turn,
        1,
        StreamEvent::ReasoningDelta("17 * 23 = 17 * 20 + 17 * 3".into()),
        500,
    );
    arm_event(
        &mut h,
        turn,
        2,
        StreamEvent::TextDelta("It is 391.".into()),
        600,
    );
    h.app.update(Event::Tick, h.at(2300));
    insta::assert_snapshot!("streaming_columns", h.draw(160, 30).backend());
}

#[test]
fn the_summary_marks_the_lowest_and_the_inspector_lists_every_arm() {
    let mut h = finished(&["o3-mini@low", "o3-mini@high", "gpt-4o"]);
    let lines = thinkbench::tui::compare::summary_lines(
        &h.app.session.conversation.turns.iter().collect::<Vec<_>>(),
        Some(0),
        &h.ui.theme,
        150,
    );
    let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    insta::assert_snapshot!("summary", text.join("\n"));
    let rows = thinkbench::tui::inspector::rows::rows(&h.app.session.conversation.turns, None);
    let tags: Vec<&str> = rows.iter().map(|r| r.tag.as_str()).collect();
    assert_eq!(tags, ["1.1", "1.2", "1.3"]);
    h.key(KeyCode::F(5), KeyModifiers::NONE, 9000);
    let screen = format!("{}", h.draw(120, 30).backend());
    assert!(screen.contains("1.3"), "{screen}");
}

#[test]
fn a_reopened_session_shows_the_comparison_again_and_goes_on_from_the_kept_arm() {
    let mut h = finished(&["o3-mini@low", "o3-mini@high"]);
    h.key(KeyCode::Char('2'), KeyModifiers::NONE, 9000);
    let turns = h.app.session.conversation.turns.clone();
    let mut reopened = bench("o3-mini");
    let now = reopened.at(0);
    reopened.app.update(
        Event::SessionOpened {
            id: 7,
            title: "sorting".into(),
            turns,
        },
        now,
    );
    let screen = format!("{}", reopened.draw(160, 48).backend());
    for needle in [
        "1 o3-mini · low",
        "2 o3-mini · high  ✓ kept",
        "summary",
        "## Arm 2",
    ] {
        assert!(screen.contains(needle), "{needle} missing:\n{screen}");
    }
    let effects = send(&mut reopened, "Faster?", 100);
    let (_, request) = support::app::started(&effects).unwrap();
    let texts: Vec<&str> = request
        .messages
        .iter()
        .map(|m| m.content.as_str())
        .collect();
    assert_eq!(texts.len(), 3);
    assert!(texts[1].starts_with("## Arm 2"), "{texts:?}");
}
