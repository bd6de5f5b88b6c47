//! `/edit-last` and Alt+L: the last prompt back in the composer; sending replaces that turn,
//! which stays as an earlier version (superseded: not history, still billed), shown so in
//! the conversation, the inspector and the exports.

mod support;

use crossterm::event::{KeyCode, KeyModifiers};
use support::app::{Harness, harness, started};
use thinkbench::api::{FinishReason, Role, StreamEvent};
use thinkbench::conversation::{ArmTag, TurnState};
use thinkbench::store::SessionSummary;
use thinkbench::totals::Totals;
use thinkbench::tui::app::{Effect, Event, PersistOp};
use thinkbench::usage::Usage;

fn answer(h: &mut Harness, id: u64, text: &str, ms: u64) {
    h.stream(id, StreamEvent::TextDelta(text.into()), ms);
    h.stream(
        id,
        StreamEvent::Usage(Usage {
            input: 100 * id,
            output: 20,
            ..Default::default()
        }),
        ms + 1,
    );
    h.stream(id, StreamEvent::Finished(FinishReason::Stop), ms + 2);
}

/// Two answered turns.
fn two_turns() -> Harness {
    let mut h = harness("gpt-4o");
    let id = h.send("What is a heap?", 0);
    answer(&mut h, id, "A tree.", 10);
    let id = h.send("And a stak?", 100);
    answer(&mut h, id, "A pile.", 110);
    h
}

fn notice(h: &Harness) -> String {
    h.app.notice.clone().unwrap_or_default()
}

/// Alt+L, fix the prompt, send; the effects of sending.
fn edit_and_send(h: &mut Harness, fixed: &str, ms: u64) -> Vec<Effect> {
    assert!(h.key(KeyCode::Char('l'), KeyModifiers::ALT, ms).is_empty());
    assert_eq!(h.app.draft(), "And a stak?");
    assert!(notice(h).starts_with("editing turn 2:"), "{}", notice(h));
    h.app.composer.set_draft(fixed);
    h.key(KeyCode::Enter, KeyModifiers::NONE, ms + 10)
}

#[test]
fn sending_an_edit_replaces_the_turn_and_keeps_the_old_one_billed_but_out_of_history() {
    let mut h = two_turns();
    let before = Totals::of(&h.app.session.conversation.turns).overall;
    let effects = edit_and_send(&mut h, "And a stack?", 200);

    // The old turn is saved superseded before the new one is sent.
    let saved: Vec<(&str, &str)> = (effects.iter())
        .filter_map(|e| match e {
            Effect::Persist(PersistOp::SaveTurn(t)) => Some((t.prompt.as_str(), t.state.name())),
            _ => None,
        })
        .collect();
    assert_eq!(
        saved,
        [("And a stak?", "superseded"), ("And a stack?", "streaming")]
    );
    let (id, request) = started(&effects).expect("sent");
    let sent: Vec<(Role, &str)> = (request.messages.iter())
        .map(|m| (m.role, m.content.as_str()))
        .collect();
    assert_eq!(
        sent,
        [
            (Role::User, "What is a heap?"),
            (Role::Assistant, "A tree."),
            (Role::User, "And a stack?"),
        ]
    );
    answer(&mut h, id, "A pile, LIFO.", 300);
    let turns = &h.app.session.conversation.turns;
    assert_eq!(turns.len(), 3);
    assert_eq!(turns[1].state, TurnState::Superseded);
    assert_eq!(turns[1].answer, "A pile.");
    // Still counted: every request stays in the totals.
    let after = Totals::of(turns).overall;
    assert_eq!(after.turns, 3);
    assert_eq!(after.usage.input, before.usage.input + 300);
    assert!(after.cost > before.cost);
    assert_eq!(h.app.editing, None);

    insta::assert_snapshot!("edited_conversation", h.draw(90, 22).backend());
    h.key(KeyCode::F(5), KeyModifiers::NONE, 400);
    insta::assert_snapshot!("edited_inspector", h.draw(120, 16).backend());
}

#[test]
fn the_command_does_the_same_and_esc_gives_the_edit_up() {
    let mut h = two_turns();
    h.app.update(Event::Paste("/edit-last".into()), h.at(200));
    assert!(h.key(KeyCode::Enter, KeyModifiers::NONE, 200).is_empty());
    assert_eq!(h.app.draft(), "And a stak?");
    assert!(h.app.editing.is_some());

    // Esc: no edit any more; the draft stays and goes as a new turn.
    assert!(h.key(KeyCode::Esc, KeyModifiers::NONE, 210).is_empty());
    assert_eq!(h.app.editing, None);
    assert_eq!(
        notice(&h),
        "not editing: the draft stays and goes as a new turn"
    );
    assert_eq!(h.app.draft(), "And a stak?");
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 220);
    assert_eq!(started(&effects).unwrap().1.messages.len(), 5);
    assert_eq!(h.app.session.conversation.turns[1].state, TurnState::Done);
}

#[test]
fn edits_that_would_lose_a_draft_or_touch_a_comparison_are_refused() {
    // A draft is never overwritten.
    let mut h = two_turns();
    h.type_text("half a thought", 200);
    assert!(h.key(KeyCode::Char('l'), KeyModifiers::ALT, 210).is_empty());
    assert_eq!(h.app.draft(), "half a thought");
    assert_eq!(h.app.editing, None);
    assert!(
        notice(&h).starts_with("the composer holds a draft"),
        "{}",
        notice(&h)
    );

    // Nothing to edit.
    let mut empty = harness("gpt-4o");
    assert!(
        empty
            .key(KeyCode::Char('l'), KeyModifiers::ALT, 0)
            .is_empty()
    );
    assert_eq!(notice(&empty), "nothing to edit yet");

    // While an answer streams.
    let mut busy = two_turns();
    busy.send("more", 200);
    assert!(
        busy.key(KeyCode::Char('l'), KeyModifiers::ALT, 210)
            .is_empty()
    );
    assert_eq!(
        notice(&busy),
        "an answer is still streaming: Esc cancels it first"
    );

    // The last turn is a comparison.
    let mut cmp = two_turns();
    let mut turns = cmp.app.session.conversation.turns.clone();
    for index in 0..2 {
        let mut arm = turns[1].clone();
        arm.id = 3;
        arm.arm = Some(ArmTag {
            index,
            label: format!("m{index}"),
            run: 1,
            kept: false,
        });
        turns.push(arm);
    }
    cmp.app.update(
        Event::SessionOpened {
            id: 1,
            title: "t".into(),
            turns,
        },
        cmp.at(200),
    );
    assert!(
        cmp.key(KeyCode::Char('l'), KeyModifiers::ALT, 210)
            .is_empty()
    );
    assert!(
        notice(&cmp).starts_with("the last turn is a comparison"),
        "{}",
        notice(&cmp)
    );
    assert_eq!(cmp.app.draft(), "");
}

#[test]
fn exports_show_the_earlier_version() {
    let mut h = two_turns();
    let effects = edit_and_send(&mut h, "And a stack?", 200);
    let id = started(&effects).unwrap().0;
    answer(&mut h, id, "A pile, LIFO.", 300);
    let turns = h.app.session.conversation.turns.clone();
    let summary = SessionSummary {
        id: 4,
        title: "What is a heap?".into(),
        created_ms: 1_795_400_000_000,
        updated_ms: 1_795_400_000_000,
        turns: 3,
        models: vec!["gpt-4o".into()],
        cost: 0.0,
        cost_unknown: false,
        fork: None,
    };
    let md = thinkbench::export::markdown(&summary, &turns);
    assert!(
        md.contains("**edited: an earlier version, replaced by turn 3 (still billed)**"),
        "{md}"
    );
    assert!(
        md.contains("## Turn 3\n\n*edited; earlier version: turn 2*\n\n**Prompt**\n\nAnd a stack?"),
        "{md}"
    );
    assert!(md.contains("3 turns"), "{md}");
    let json = thinkbench::export::session_json(&summary, &turns, false);
    let entries = json["turns"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[1]["state"], "superseded");
    assert_eq!(entries[1]["edited"], true);
    assert_eq!(entries[2]["earlier_version"], turns[1].id);
    assert!(entries[0].get("edited").is_none() && entries[0].get("earlier_version").is_none());
    assert_eq!(json["totals"]["requests"], 3);
}

#[test]
fn an_edit_sent_unchanged_is_still_an_edit_and_a_retry_is_not() {
    let mut h = two_turns();
    let effects = edit_and_send(&mut h, "And a stak?", 200);
    answer(&mut h, started(&effects).unwrap().0, "A pile.", 300);
    let turns = &h.app.session.conversation.turns;
    assert!(thinkbench::conversation::replaced_by_edit(turns, 1));
    assert_eq!(thinkbench::conversation::earlier_version(turns, 2), Some(1));

    // Alt+R after a cancel supersedes too, but sends the same prompt again: no edit.
    let mut r = harness("gpt-4o");
    let id = r.send("hi", 0);
    r.stream(id, StreamEvent::TextDelta("Par".into()), 10);
    r.key(KeyCode::Esc, KeyModifiers::NONE, 20);
    r.key(KeyCode::Char('r'), KeyModifiers::ALT, 30);
    let turns = &r.app.session.conversation.turns;
    assert_eq!(turns[0].state, TurnState::Superseded);
    assert!(!thinkbench::conversation::replaced_by_edit(turns, 0));
    assert_eq!(thinkbench::conversation::earlier_version(turns, 1), None);
}
