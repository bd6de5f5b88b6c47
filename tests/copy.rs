//! `/copy`: the last answer's markdown, code block `[N]` as the conversation numbers it, the
//! last visible reasoning; what the status line says; every way there is nothing to copy;
//! the OSC 52 bytes the runtime writes for a code block, plain and inside tmux.

mod support;

use crossterm::event::{KeyCode, KeyModifiers};
use support::app::{Harness, harness_with};
use thinkbench::api::{FinishReason, StreamEvent};
use thinkbench::compare::resolve_arms;
use thinkbench::tui::app::{ArmsFor, Effect, Event, ResolvedArms};
use thinkbench::tui::clipboard;

const ENV: &[(&str, &str)] = &[
    ("OPENAI_API_KEY", "sk-test"),
    ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"),
];

fn bench() -> Harness {
    harness_with(ENV, "o3-mini", None)
}

fn enter(h: &mut Harness, text: &str, ms: u64) -> Vec<Effect> {
    h.app.update(Event::Paste(text.to_string()), h.at(ms));
    h.key(KeyCode::Enter, KeyModifiers::NONE, ms)
}

/// Send `prompt` and stream `reasoning` (if any) and `answer` to the end.
fn turn(h: &mut Harness, prompt: &str, reasoning: &str, answer: &str, ms: u64) {
    let id = h.send(prompt, ms);
    if !reasoning.is_empty() {
        h.stream(id, StreamEvent::ReasoningDelta(reasoning.into()), ms + 10);
    }
    h.stream(id, StreamEvent::TextDelta(answer.into()), ms + 20);
    h.stream(id, StreamEvent::Finished(FinishReason::Stop), ms + 30);
}

/// What `/copy arg` asks the runtime to copy (`None`: nothing), and the notice.
fn copy(h: &mut Harness, arg: &str, ms: u64) -> (Option<String>, String) {
    let command = if arg.is_empty() {
        "/copy".to_string()
    } else {
        format!("/copy {arg}")
    };
    let effects = enter(h, &command, ms);
    let copied = match effects.as_slice() {
        [] => None,
        [Effect::Copy { text }] => Some(text.clone()),
        other => panic!("{other:?}"),
    };
    (copied, h.app.notice.clone().unwrap_or_default())
}

const FIRST: &str =
    "Two ways:\n\n```sh\necho one\n```\n\nor\n\n```python\nprint('two')\nprint(2)\n```\n";
const LAST: &str = "Last one:\n\n```rust\nfn five() {}\n```\n";

/// A plain turn with blocks [1] and [2], a comparison whose arms hold [3] and [4], and a
/// plain turn with [5].
fn five_blocks() -> Harness {
    let mut h = bench();
    turn(&mut h, "first", "Thinking about shells.", FIRST, 0);
    let effects = enter(&mut h, "/compare o3-mini@low o3-mini@high", 100);
    let Some(Effect::ResolveArms { arms, then }) = effects.into_iter().next() else {
        panic!("expected ResolveArms");
    };
    assert_eq!(then, ArmsFor::Set);
    let env = |k: &str| {
        ENV.iter()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| v.to_string())
    };
    let result = resolve_arms(&h.app.session.settings, &arms, &env).map(ResolvedArms);
    h.app
        .update(Event::ArmsResolved { result, then }, h.at(100));
    let effects = enter(&mut h, "compare", 200);
    let turn_id = effects
        .iter()
        .find_map(|e| match e {
            Effect::StartArm { turn_id, .. } => Some(*turn_id),
            _ => None,
        })
        .expect("the arms start");
    for arm in 0..2u32 {
        let text = format!("Arm {arm}:\n\n```rust\nfn arm{arm}() {{}}\n```\n");
        for (event, ms) in [
            (StreamEvent::TextDelta(text), 300),
            (StreamEvent::Finished(FinishReason::Stop), 400),
        ] {
            let at = h.at(ms + u64::from(arm));
            h.app.update(
                Event::ArmStream {
                    turn_id,
                    arm,
                    event,
                    at,
                },
                at,
            );
        }
    }
    enter(&mut h, "/compare off", 500);
    turn(&mut h, "last", "", LAST, 600);
    h
}

/// The screen as text, one string per row.
fn rows(h: &mut Harness, w: u16, height: u16) -> Vec<String> {
    let terminal = h.draw(w, height);
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| (0..w).map(|x| buffer[(x, y)].symbol()).collect::<String>())
        .collect()
}

/// `/copy N` copies the block the conversation labels `[N]`: the same numbering, across
/// plain turns and a comparison's arms.
#[test]
fn copy_n_copies_the_block_labelled_n() {
    let mut h = five_blocks();
    let screen = rows(&mut h, 160, 120);
    let code = [
        "echo one\n",
        "print('two')\nprint(2)\n",
        "fn arm0() {}\n",
        "fn arm1() {}\n",
    ];
    let code = [code.as_slice(), &["fn five() {}\n"]].concat();
    for (i, expected) in code.iter().enumerate() {
        let n = i + 1;
        let label = format!("[{n}]");
        let row = screen
            .iter()
            .position(|r| r.contains(&label))
            .unwrap_or_else(|| panic!("{label} is shown:\n{}", screen.join("\n")));
        // The block's first line is drawn right under its label.
        let first_line = expected.lines().next().unwrap();
        let byte = screen[row].find(&label).unwrap();
        // The frame's corner (`╭─ [N]`) sits above the block's left edge.
        let column = screen[row][..byte].chars().count() - 3;
        let below: String = screen[row + 1].chars().skip(column).collect();
        assert!(
            below.contains(first_line),
            "{label} frames {first_line:?}:\n{}",
            screen.join("\n")
        );
        let (copied, notice) = copy(&mut h, &n.to_string(), 1000 + n as u64);
        assert_eq!(copied.as_deref(), Some(*expected), "[{n}]");
        let lines = expected.lines().count();
        let unit = if lines == 1 { "line" } else { "lines" };
        assert_eq!(notice, format!("copied code block [{n}], {lines} {unit}"));
    }
    let (copied, notice) = copy(&mut h, "7", 2000);
    assert_eq!(copied, None);
    assert_eq!(notice, "no code block [7] (there are 5)");
}

#[test]
fn copy_alone_copies_the_last_answer_and_thinking_the_last_reasoning() {
    let mut h = five_blocks();
    let (copied, notice) = copy(&mut h, "", 1000);
    assert_eq!(copied.as_deref(), Some(LAST));
    assert_eq!(
        notice,
        format!("copied the last answer, {} chars", LAST.chars().count())
    );
    // The last turn showed no reasoning, nor did the comparison: the first turn's is the last.
    let (copied, notice) = copy(&mut h, "thinking", 1010);
    assert_eq!(copied.as_deref(), Some("Thinking about shells."));
    assert_eq!(notice, "copied the last reasoning, 22 chars");
    insta::assert_snapshot!("copied_reasoning_status", h.draw(100, 6).backend());
    let (_, notice) = copy(&mut h, "2", 1020);
    assert_eq!(notice, "copied code block [2], 2 lines");
    insta::assert_snapshot!("copied_code_block_status", h.draw(80, 6).backend());
}

#[test]
fn a_long_answer_is_counted_with_separators() {
    let mut h = bench();
    let answer = "word ".repeat(300);
    turn(&mut h, "long", "", &answer, 0);
    let (copied, notice) = copy(&mut h, "", 100);
    assert_eq!(copied.as_deref(), Some(answer.as_str()));
    assert_eq!(notice, "copied the last answer, 1,500 chars");
}

#[test]
fn nothing_to_copy_is_said_plainly() {
    let mut h = bench();
    assert_eq!(
        copy(&mut h, "", 0),
        (None, "nothing to copy: no answer yet".into())
    );
    assert_eq!(
        copy(&mut h, "7", 10),
        (None, "no code block [7] (there are none)".into())
    );
    assert_eq!(
        copy(&mut h, "thinking", 20),
        (
            None,
            "no visible reasoning to copy (a model that hides it only counts it)".into()
        )
    );
    turn(&mut h, "one", "", "```\nonly\n```\n", 30);
    assert_eq!(
        copy(&mut h, "2", 100),
        (None, "no code block [2] (there is 1)".into())
    );
    assert_eq!(
        copy(&mut h, "0", 110),
        (None, "no code block [0] (there is 1)".into())
    );
    let (copied, notice) = copy(&mut h, "two", 120);
    assert_eq!(copied, None);
    assert!(
        notice.starts_with("/copy takes a code block's number"),
        "{notice}"
    );
    assert_eq!(
        copy(&mut h, "thinking", 130).1,
        "no visible reasoning to copy (a model that hides it only counts it)"
    );
}

/// A text whose OSC 52 would pass what terminals take is refused whole, never sent cut.
#[test]
fn too_much_to_copy_is_refused_whole() {
    let mut h = bench();
    let answer = "x".repeat(80_000);
    turn(&mut h, "long", "", &answer, 0);
    let (copied, notice) = copy(&mut h, "", 100);
    assert_eq!(copied, None);
    assert_eq!(
        notice,
        "⚠ too big to copy: 80,000 bytes, which terminals do not take through OSC 52 (at most \
         75,000 bytes of text)"
    );
}

/// The bytes the runtime writes for `/copy 1`, plain and inside tmux.
#[test]
fn the_osc52_bytes_for_a_code_block() {
    let mut h = bench();
    turn(&mut h, "one", "", "```sh\necho one\n```\n", 0);
    let (copied, _) = copy(&mut h, "1", 100);
    let text = copied.expect("copied");
    // base64("echo one\n") = "ZWNobyBvbmUK"
    assert_eq!(
        clipboard::osc52(&text, false).unwrap(),
        b"\x1b]52;c;ZWNobyBvbmUK\x1b\\"
    );
    assert_eq!(
        clipboard::osc52(&text, true).unwrap(),
        b"\x1bPtmux;\x1b\x1b]52;c;ZWNobyBvbmUK\x1b\x1b\\\x1b\\"
    );
}

#[test]
fn copy_is_in_the_help_and_completes() {
    let mut h = bench();
    h.app.update(Event::Paste("/co".into()), h.at(0));
    assert_eq!(h.app.completions(), ["/compare", "/copy"]);
    h.app.update(Event::Paste("p".into()), h.at(0));
    h.key(KeyCode::Tab, KeyModifiers::NONE, 10);
    assert_eq!(h.app.draft(), "/copy ");
    let help: Vec<&str> = thinkbench::tui::keymap::COMMANDS
        .iter()
        .map(|(name, _, _)| *name)
        .collect();
    assert!(help.contains(&"/copy"));
}
