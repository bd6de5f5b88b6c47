//! The composer's text in the person's editor: the round trip through a scripted `$EDITOR`
//! (it rewrites the file; it exits 1; it takes arguments; it cannot be started; it is
//! killed), and the app's side (Ctrl+G and `/edit` ask for the editor, what comes back
//! replaces the text, a failure keeps it and says why).

#![cfg(unix)]

mod support;

use crossterm::event::{KeyCode, KeyModifiers};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use support::app::harness;
use thinkbench::tui::app::{Effect, Event};
use thinkbench::tui::editor;

/// An executable shell script `name` in `dir` with `body`.
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// An editor that notes the file it got and its mode, then rewrites it.
fn rewriting_editor(dir: &Path) -> PathBuf {
    let seen = dir.join("seen");
    script(
        dir,
        "rewrite.sh",
        &format!(
            r#"echo "$1" > '{seen}'
stat -c %a "$1" >> '{seen}'
stat -c %a "$(dirname "$1")" >> '{seen}'
printf 'edited: %s\n' "$(cat "$1")" > "$1""#,
            seen = seen.display()
        ),
    )
}

#[test]
fn a_scripted_editor_rewrites_the_text_in_a_private_file_removed_after() {
    let dir = tempfile::tempdir().unwrap();
    let editor = rewriting_editor(dir.path());
    let edited = editor::edit("draft text", &editor.display().to_string());
    assert_eq!(edited, Ok("edited: draft text".to_string()));
    let seen = std::fs::read_to_string(dir.path().join("seen")).unwrap();
    let lines: Vec<&str> = seen.lines().collect();
    let [file, file_mode, dir_mode] = lines.as_slice() else {
        panic!("{seen}");
    };
    assert_eq!(*file_mode, "600");
    assert_eq!(*dir_mode, "700");
    let file = Path::new(file);
    assert!(!file.exists(), "the file is removed");
    assert!(!file.parent().unwrap().exists(), "its directory is removed");
}

#[test]
fn an_editor_that_exits_1_gives_no_text_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let editor = script(dir.path(), "fail.sh", "echo changed > \"$1\"\nexit 1");
    let result = editor::edit("keep me", &editor.display().to_string());
    let why = result.unwrap_err();
    assert!(why.ends_with("fail.sh exited with status 1"), "{why}");
}

#[test]
fn an_editor_killed_by_a_signal_or_that_cannot_start_gives_no_text() {
    let dir = tempfile::tempdir().unwrap();
    let editor = script(dir.path(), "killed.sh", "kill -9 $$");
    let why = editor::edit("x", &editor.display().to_string()).unwrap_err();
    assert!(why.ends_with("killed.sh was killed by signal 9"), "{why}");
    let missing = dir.path().join("no-such-editor");
    let why = editor::edit("x", &missing.display().to_string()).unwrap_err();
    assert!(
        why.starts_with(&format!("could not start the editor {}", missing.display())),
        "{why}"
    );
    assert!(editor::edit("x", "vi 'unclosed").is_err());
}

/// `EDITOR="code --wait"`: the words before the file are the editor's, quoted words stay
/// whole, and the file is the last argument.
#[test]
fn an_editor_with_arguments_gets_the_file_last() {
    let dir = tempfile::tempdir().unwrap();
    let editor = script(
        dir.path(),
        "args.sh",
        r#"for last; do :; done
n=$#
printf '%s|' "$@" > "$last.args"
{ echo "$n args"; echo "1=$1"; echo "2=$2"; cat "$last.args" | grep -q "$last|$" && echo "file last"; } > "$last"
rm "$last.args""#,
    );
    let command = format!("{} --wait 'two words'", editor.display());
    let edited = editor::edit("hello", &command).unwrap();
    assert_eq!(edited, "3 args\n1=--wait\n2=two words\nfile last");
}

#[test]
fn ctrl_g_and_slash_edit_ask_for_the_editor_with_the_text() {
    let mut h = harness("gpt-4o");
    h.type_text("a draft", 0);
    let effects = h.key(KeyCode::Char('g'), KeyModifiers::CONTROL, 10);
    assert_eq!(
        effects,
        [Effect::EditInEditor {
            text: "a draft".into()
        }]
    );
    assert_eq!(
        h.app.draft(),
        "a draft",
        "the text stays until the editor is back"
    );
    h.app.update(Event::Paste("\nsecond line".into()), h.at(20));
    let effects = h.key(KeyCode::Char('g'), KeyModifiers::CONTROL, 30);
    assert_eq!(
        effects,
        [Effect::EditInEditor {
            text: "a draft\nsecond line".into()
        }]
    );

    let mut h = harness("gpt-4o");
    h.type_text("/edit start here", 0);
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 10);
    assert_eq!(
        effects,
        [Effect::EditInEditor {
            text: "start here".into()
        }]
    );
    h.app.update(Event::Edited(Ok(String::new())), h.at(15));
    h.type_text("/edit", 20);
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 30);
    assert_eq!(effects, [Effect::EditInEditor { text: "".into() }]);
}

#[test]
fn the_edited_text_replaces_the_composers() {
    let mut h = harness("gpt-4o");
    h.type_text("before", 0);
    h.key(KeyCode::Char('g'), KeyModifiers::CONTROL, 10);
    let effects = h
        .app
        .update(Event::Edited(Ok("after\nthe edit".into())), h.at(20));
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(h.app.draft(), "after\nthe edit");
    assert_eq!(h.app.notice, None);
    // And it is what Enter sends.
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 30);
    let (_, request) = support::app::started(&effects).expect("a turn starts");
    let sent = format!("{:?}", request.messages);
    assert!(sent.contains("after\\nthe edit"), "{sent}");
}

#[test]
fn a_failed_editor_keeps_the_text_and_says_why() {
    let mut h = harness("gpt-4o");
    h.type_text("my careful draft", 0);
    h.key(KeyCode::Char('g'), KeyModifiers::CONTROL, 10);
    h.app.update(
        Event::Edited(Err("the editor vim exited with status 1".into())),
        h.at(20),
    );
    assert_eq!(h.app.draft(), "my careful draft");
    assert_eq!(
        h.app.notice.as_deref(),
        Some("⚠ the editor vim exited with status 1 — the message is unchanged")
    );
    insta::assert_snapshot!("editor_failed", h.draw(80, 8).backend());

    h.app.update(
        Event::Edited(Err(
            "could not start the editor nvim: No such file or directory (os error 2)".into(),
        )),
        h.at(30),
    );
    assert_eq!(h.app.draft(), "my careful draft");
    insta::assert_snapshot!("editor_not_started", h.draw(80, 10).backend());
}

/// An editor that saves without changing anything gives the text back as it was: the final
/// line break a text file gets is taken off again.
#[test]
fn an_unchanged_file_gives_the_same_text_back() {
    let dir = tempfile::tempdir().unwrap();
    let editor = script(dir.path(), "touch.sh", "touch \"$1\"");
    let command = editor.display().to_string();
    for text in ["one line", "two\nlines", "", "ends with a break\n"] {
        let back = editor::edit(text, &command).unwrap();
        assert_eq!(back, text.strip_suffix('\n').unwrap_or(text));
    }
}
