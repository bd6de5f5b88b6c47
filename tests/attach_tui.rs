//! Attachments in the TUI: `/attach` asks the runtime to read the file, the file comes back
//! as a chip on the composer with the tokens it adds, the meter counts it before sending,
//! sending takes it with the prompt, and a model without vision refuses images before
//! anything leaves.

mod support;

use crossterm::event::{KeyCode, KeyModifiers};
use support::app::{Harness, harness, started};
use support::files::png;
use thinkbench::attach::{Attachment, Limits};
use thinkbench::tui::app::{Effect, Event};

fn image() -> Attachment {
    Attachment::from_bytes("plot.png".into(), png(1024, 1024), Limits::default()).unwrap()
}

fn notes() -> Attachment {
    Attachment::from_bytes(
        "notes.md".into(),
        b"# Notes\nbuy milk\n".to_vec(),
        Limits::default(),
    )
    .unwrap()
}

fn command(h: &mut Harness, text: &str) -> Vec<Effect> {
    h.app.update(Event::Paste(text.to_string()), h.at(0));
    h.key(KeyCode::Enter, KeyModifiers::NONE, 0)
}

fn attach(h: &mut Harness, a: Attachment) {
    h.app.update(Event::Attached(Ok(a)), h.at(0));
}

fn screen(h: &mut Harness) -> String {
    let t = h.draw(120, 30);
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn attach_asks_the_runtime_to_read_the_file_and_keeps_the_draft_clean() {
    let mut h = harness("gpt-4o");
    let effects = command(&mut h, "/attach ~/plots/plot.png");
    assert!(
        matches!(effects.as_slice(), [Effect::Attach(p)] if p.as_path() == std::path::Path::new("~/plots/plot.png")),
        "{effects:?}"
    );
    assert_eq!(h.app.draft(), "");
    h.app.update(
        Event::Attached(Err("plot.png: no such file".into())),
        h.at(0),
    );
    assert_eq!(
        h.app.notice.as_deref(),
        Some("not attached: plot.png: no such file")
    );
    assert!(h.app.composer.attachments().is_empty());
}

#[test]
fn chips_show_what_each_file_adds_and_the_meter_counts_them_before_sending() {
    let mut h = harness("gpt-4o");
    attach(&mut h, notes());
    attach(&mut h, image());
    assert_eq!(
        h.app.notice.as_deref(),
        Some("attached plot.png 1024x1024 29 B · /detach takes it off")
    );
    attach(&mut h, image());
    assert_eq!(
        h.app.notice.as_deref(),
        Some("plot.png 1024x1024 29 B is attached already")
    );
    h.app
        .update(Event::Paste("what is in these?".into()), h.at(0));
    let shown = screen(&mut h);
    assert!(shown.contains("1 notes.md 17 B ~"), "{shown}");
    assert!(
        shown.contains("2 plot.png 1024x1024 29 B ~765 tok"),
        "{shown}"
    );
    assert!(shown.contains("1 file 1 image"), "{shown}");
    insta::assert_snapshot!("composer_with_chips_and_meter", shown);

    // Sent: the request carries them, the turn keeps them, the chips are gone.
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 10);
    let (_, request) = started(&effects).expect("sent");
    let last = request.messages.last().unwrap();
    assert!(
        last.content.starts_with("notes.md:\n```md\n# Notes"),
        "{}",
        last.content
    );
    assert_eq!(last.images.len(), 1);
    assert!(h.app.composer.attachments().is_empty());
    let turn = h.app.session.conversation.turns.last().unwrap();
    assert_eq!(turn.attachments.len(), 2);
    // 765 for the image, on top of the text.
    assert!(turn.prompt_estimate() > 765, "{}", turn.prompt_estimate());
    // The conversation shows what went with the prompt.
    let shown = screen(&mut h);
    assert!(
        shown.contains("▌ attached: notes.md 17 B · plot.png 1024x1024 29 B"),
        "{shown}"
    );
    insta::assert_snapshot!("sent_turn_with_attachments", shown);
}

#[test]
fn a_model_without_vision_refuses_images_before_sending() {
    let mut h = harness("o3-mini");
    attach(&mut h, image());
    let notice = h.app.notice.clone().unwrap();
    assert!(
        notice.starts_with("attached plot.png 1024x1024 29 B, but o3-mini takes no images"),
        "{notice}"
    );
    h.app.update(Event::Paste("what is it?".into()), h.at(0));
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 10);
    assert!(started(&effects).is_none(), "{effects:?}");
    assert_eq!(h.app.draft(), "what is it?");
    assert_eq!(h.app.composer.attachments().len(), 1);
    let notice = h.app.notice.clone().unwrap();
    assert_eq!(
        notice,
        "o3-mini takes no images (plot.png not sent; models that take them: o1, o1-pro, o3, o4-mini)"
    );
    insta::assert_snapshot!("refused_for_no_vision", screen(&mut h));
    // Taking the image off lets the prompt go.
    h.app.composer.set_draft("");
    command(&mut h, "/detach 1");
    assert_eq!(h.app.notice.as_deref(), Some("took plot.png off"));
    h.app.update(Event::Paste("what is it?".into()), h.at(20));
    assert!(started(&h.key(KeyCode::Enter, KeyModifiers::NONE, 20)).is_some());
}

#[test]
fn detach_and_list() {
    let mut h = harness("gpt-4o");
    command(&mut h, "/attach");
    assert_eq!(
        h.app.notice.as_deref(),
        Some("nothing attached: /attach PATH sends a file or image with the next prompt")
    );
    attach(&mut h, notes());
    attach(&mut h, image());
    command(&mut h, "/attach");
    assert_eq!(
        h.app.notice.as_deref(),
        Some("1 notes.md 17 B · 2 plot.png 1024x1024 29 B")
    );
    command(&mut h, "/detach 3");
    assert_eq!(
        h.app.notice.as_deref(),
        Some("no attachment 3 (there are 2)")
    );
    command(&mut h, "/detach");
    assert_eq!(h.app.notice.as_deref(), Some("took 2 attachments off"));
    assert!(h.app.composer.attachments().is_empty());
}

#[test]
fn tab_completes_the_path_after_attach() {
    let mut h = harness("gpt-4o");
    h.app.update(Event::Paste("/attach ~/pl".into()), h.at(0));
    let effects = h.key(KeyCode::Tab, KeyModifiers::NONE, 0);
    assert!(
        matches!(effects.as_slice(), [Effect::CompletePath(p)] if p == "~/pl"),
        "{effects:?}"
    );
    let done = |typed: &str, c: &[&str]| Event::PathsCompleted {
        typed: typed.into(),
        candidates: c.iter().map(|s| s.to_string()).collect(),
    };
    h.app.update(
        done("~/pl", &["~/plan.md", "~/plot.png", "~/plots/"]),
        h.at(0),
    );
    assert_eq!(h.app.draft(), "/attach ~/pl");
    assert_eq!(h.app.notice.as_deref(), Some("plan.md  plot.png  plots/"));
    h.app.update(Event::Paste("ot.".into()), h.at(0));
    h.app.update(done("~/plot.", &["~/plot.png"]), h.at(0));
    assert_eq!(h.app.draft(), "/attach ~/plot.png");
    // An answer for a draft that changed since is dropped; none found says so.
    h.app.update(done("~/x", &["~/xyz"]), h.at(0));
    assert_eq!(h.app.draft(), "/attach ~/plot.png");
    h.app.update(done("~/plot.png", &[]), h.at(0));
    assert_eq!(
        h.app.notice.as_deref(),
        Some("no file starts with ~/plot.png")
    );
    // Tab elsewhere still completes commands.
    h.app.composer.set_draft("/att");
    assert!(h.key(KeyCode::Tab, KeyModifiers::NONE, 0).is_empty());
    assert_eq!(h.app.draft(), "/attach ");
}

#[test]
fn history_images_count_by_the_rule_of_the_model_chosen_now() {
    use thinkbench::api::{FinishReason, StreamEvent};
    use thinkbench::tui::meter::Meter;
    let mut h = harness("gpt-4o");
    attach(&mut h, image());
    let id = h.send("what is it?", 0);
    h.stream(id, StreamEvent::TextDelta("A plot.".into()), 10);
    h.stream(id, StreamEvent::Finished(FinishReason::Stop), 20);
    let mut meter = Meter::new();
    meter.update(&h.app.session, "");
    let openai = meter.raw_request_tokens();
    // The same history for a Claude model: the image counts about 1,024²/750 = 1,399.
    let (claude, _home) = support::app::settings(
        &[("ANTHROPIC_API_KEY", "sk-ant-test")],
        thinkbench::config::CommonArgs {
            model: Some("anthropic/claude-sonnet-4-5".into()),
            ..Default::default()
        },
    );
    h.app.session.settings = claude;
    meter.update(&h.app.session, "");
    assert_eq!(meter.raw_request_tokens(), openai - 765 + 1399);
}

#[test]
fn files_mentioned_with_at_are_read_then_sent_with_the_prompt() {
    let mut h = harness("gpt-4o");
    let prompt = "what is in @~/notes.md and @plot.png?";
    h.app.update(Event::Paste(prompt.into()), h.at(0));
    let effects = h.key(KeyCode::Enter, KeyModifiers::NONE, 0);
    let [Effect::ReadMentions { draft, paths }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(draft, prompt);
    let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    assert_eq!(paths, ["~/notes.md", "plot.png"]);
    assert_eq!(h.app.draft(), prompt, "nothing is sent yet");
    // A file that cannot be read sends nothing and says why.
    h.app.update(
        Event::MentionsRead {
            draft: prompt.into(),
            result: Err("plot.png: no such file".into()),
        },
        h.at(5),
    );
    assert_eq!(
        h.app.notice.as_deref(),
        Some("not sent: plot.png: no such file")
    );
    assert_eq!(h.app.draft(), prompt);
    // Read: the prompt goes as typed, with both files.
    let effects = h.app.update(
        Event::MentionsRead {
            draft: prompt.into(),
            result: Ok(vec![notes(), image()]),
        },
        h.at(10),
    );
    let (_, request) = started(&effects).expect("sent");
    let last = request.messages.last().unwrap();
    assert!(last.content.ends_with(prompt), "{}", last.content);
    assert!(
        last.content.starts_with("notes.md:\n```md"),
        "{}",
        last.content
    );
    assert_eq!(last.images.len(), 1);
    assert!(h.app.composer.attachments().is_empty());
    // A plain word after @ is no mention: sent at once.
    h.app.update(Event::Paste("thanks @alice".into()), h.at(20));
    h.stream(
        1,
        thinkbench::api::StreamEvent::Finished(thinkbench::api::FinishReason::Stop),
        15,
    );
    assert!(started(&h.key(KeyCode::Enter, KeyModifiers::NONE, 20)).is_some());
}
