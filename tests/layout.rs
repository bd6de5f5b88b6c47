//! Texts fitted to their boxes: the status line by priority (a notice whole, whole items
//! dropped from the least important end), the output budget shown once set, the meter's
//! hidden rows and F4's word in a terminal too narrow for it, and the start screen's commands
//! kept whole.

mod support;

use crossterm::event::{KeyCode, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::app::{Harness, harness, settings};
use thinkbench::api::{FinishReason, RateLimitInfo, StreamEvent};
use thinkbench::config::CommonArgs;
use thinkbench::session::Session;
use thinkbench::tui::app::{App, Event, Switched};
use thinkbench::tui::theme::Theme;
use thinkbench::tui::ui::Ui;
use thinkbench::usage::Usage;

/// The screen's rows as text.
fn rows(terminal: &Terminal<TestBackend>) -> Vec<String> {
    let buf = terminal.backend().buffer();
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

fn last_row(terminal: &Terminal<TestBackend>) -> String {
    rows(terminal).pop().unwrap_or_default()
}

/// A status row's items: the left side's and the right side's, split at their separators.
fn items(row: &str) -> (Vec<String>, Vec<String>) {
    let (left, right) = row.split_once(" │ ").unwrap_or((row, ""));
    let split = |side: &str| -> Vec<String> {
        let side = side.trim();
        if side.is_empty() {
            return Vec::new();
        }
        side.split(" · ").map(str::to_string).collect()
    };
    (split(left), split(right))
}

/// One finished exchange with reported usage, then a rate-limit report.
fn one_turn_with_limits(h: &mut Harness) {
    let id = h.send("hi", 0);
    let limits = RateLimitInfo {
        remaining_requests: Some(499),
        remaining_tokens: Some(29_990_000),
        reset_requests: Some("12ms".into()),
        reset_tokens: Some("12ms".into()),
    };
    h.stream(id, StreamEvent::RateLimit(limits), 10);
    h.stream(
        id,
        StreamEvent::TextDelta("Hello! How can I help?".into()),
        900,
    );
    let usage = Usage {
        input: 1_200,
        cached_input: 1_024,
        output: 300,
        reasoning: 128,
        ..Default::default()
    };
    h.stream(id, StreamEvent::Usage(usage), 1_500);
    h.stream(id, StreamEvent::Finished(FinishReason::Stop), 1_500);
    h.app.update(Event::SessionSaved { id: 1 }, h.at(1_600));
}

fn command(h: &mut Harness, text: &str, ms: u64) {
    h.app.update(Event::Paste(text.to_string()), h.at(ms));
    h.key(KeyCode::Enter, KeyModifiers::NONE, ms);
}

#[test]
fn a_switch_on_its_way_says_so_until_it_lands() {
    let mut h = harness("gpt-4o");
    command(&mut h, "/model gpt-4o-mini", 1_000);
    let terminal = h.draw(80, 10);
    let status = last_row(&terminal);
    assert!(status.ends_with(" switching to gpt-4o-mini… "), "{status}");
    insta::assert_snapshot!("model_switch_on_its_way", terminal.backend());
    let failed = Err("api_key_cmd of provider `openai` did not finish within 10 s".into());
    h.app.update(Event::ModelSwitched(failed), h.at(2_000));
    let status = last_row(&h.draw(120, 10));
    assert!(
        status.contains("cannot switch model: api_key_cmd"),
        "{status}"
    );
    assert!(!status.contains("switching"), "{status}");
}

#[test]
fn after_a_model_switch_the_notice_shows_whole_at_80_columns() {
    let mut h = harness("gpt-4o");
    one_turn_with_limits(&mut h);
    let env = |_: &str| None;
    let new = h.app.session.settings.switch_model("gpt-4o-mini", &env);
    let new = Switched(Box::new(new.unwrap()));
    h.app.update(Event::ModelSwitched(Ok(new)), h.at(2_000));
    let terminal = h.draw(80, 10);
    let status = last_row(&terminal);
    assert!(
        status.ends_with(" next turns: openai/gpt-4o-mini "),
        "{status}"
    );
    assert!(
        // The harness's base URL is overridden, so the provider shows as its host; the
        // session cost gives way to the notice at this width.
        status.starts_with(" 127.0.0.1:9 · gpt-4o-mini "),
        "{status}"
    );
    insta::assert_snapshot!("model_switch_at_80", terminal.backend());
    // Without a notice, the rate limits in short form, then as many hints as fit.
    h.app.notice = None;
    let status = last_row(&h.draw(80, 10));
    assert!(status.contains(" · left 499 req, 30M tok "), "{status}");
    // With the host as the provider's name no hint fits beside them: none is cut.
    assert!(status.trim_end().ends_with("30M tok"), "{status}");
}

#[test]
fn the_status_line_drops_whole_items_from_the_least_important_end() {
    let mut h = harness("o3-mini");
    one_turn_with_limits(&mut h);
    let (all_left, all_hints) = items(&last_row(&h.draw(400, 8)));
    assert_eq!(all_left.len(), 5, "{all_left:?}");
    assert!(all_hints.len() >= 8, "{all_hints:?}");
    for width in 1..200 {
        let (left, right) = items(&last_row(&h.draw(width, 8)));
        assert_eq!(left, all_left[..left.len()], "at {width} columns");
        assert_eq!(right, all_hints[..right.len()], "at {width} columns");
        assert!(right.is_empty() || left == all_left, "at {width} columns");
    }
}

#[test]
fn ctrl_c_says_press_again_whole_at_60_columns() {
    let mut h = harness("gpt-5-mini");
    h.key(KeyCode::Char('c'), KeyModifiers::CONTROL, 0);
    let status = last_row(&h.draw(60, 10));
    assert!(status.contains("press Ctrl+C again to quit"), "{status}");
    let pad = " ".repeat(5);
    assert_eq!(
        status,
        format!(" 127.0.0.1:9 · gpt-5-mini{pad} │ press Ctrl+C again to quit ")
    );
}

#[test]
fn a_long_warning_shows_whole_then_wraps_then_is_cut_only_at_its_end() {
    let mut h = harness("o3-mini");
    command(&mut h, "/max 50", 0);
    let warning = h.app.notice.clone().unwrap_or_default();
    assert!(warning.contains("may all go to reasoning"), "{warning}");
    // At 120 columns it fits beside the provider and model.
    let status = last_row(&h.draw(120, 12));
    assert!(status.contains(&warning), "{status}");
    // At 80 it takes two status rows, broken between words.
    let terminal = h.draw(80, 12);
    let screen = rows(&terminal);
    let two = format!("{} {}", screen[10].trim(), screen[11].trim());
    assert_eq!(two, warning);
    insta::assert_snapshot!("long_warning_at_80", terminal.backend());
    // In a terminal too short for a second row, one row cut at its very end.
    let status = last_row(&h.draw(80, 6));
    assert!(status.trim_end().ends_with('…'), "{status}");
    assert!(warning.starts_with(status.trim().trim_end_matches('…')));
}

#[test]
fn an_output_budget_shows_in_the_status_line_and_the_meter() {
    let mut h = harness("gpt-4o");
    command(&mut h, "/max 50", 0);
    let id = h.send("hi", 10);
    h.stream(id, StreamEvent::TextDelta("Hello!".into()), 500);
    h.stream(id, StreamEvent::Finished(FinishReason::Stop), 600);
    let terminal = h.draw(120, 24);
    let status = last_row(&terminal);
    assert!(
        status.contains("127.0.0.1:9 · gpt-4o · max 50 · session"),
        "{status}"
    );
    let screen = rows(&terminal);
    assert!(
        screen
            .iter()
            .any(|r| r.contains("│ max output") && r.contains(" 50 tok │")),
        "{screen:#?}"
    );
    insta::assert_snapshot!("budget_shown", terminal.backend());
}

#[test]
fn the_meter_at_24_rows_keeps_the_totals_and_limits_and_says_what_it_hides() {
    let mut h = harness("o3-mini");
    one_turn_with_limits(&mut h);
    let terminal = h.draw(100, 24);
    let screen = rows(&terminal).join("\n");
    for shown in [
        "SESSION",
        "total",
        "RATE LIMIT",
        "requests left",
        "tokens left",
    ] {
        assert!(screen.contains(shown), "{shown} missing:\n{screen}");
    }
    assert!(screen.contains("rows hidden"), "{screen}");
    insta::assert_snapshot!("meter_at_24_rows", terminal.backend());
}

#[test]
fn f4_in_a_terminal_too_narrow_for_the_meter_says_so() {
    let mut h = harness("gpt-4o");
    h.app.update(Event::Resize(50, 20), h.at(0));
    h.key(KeyCode::F(4), KeyModifiers::NONE, 10);
    let notice = h.app.notice.clone().unwrap_or_default();
    assert_eq!(notice, "F4: the meter needs 55 columns (now 50)");
    assert!(last_row(&h.draw(50, 20)).contains(&notice));
    // Once the terminal is wide enough, the meter asked for shows.
    h.app.update(Event::Resize(80, 20), h.at(20));
    assert!(rows(&h.draw(80, 20))[0].contains("┌ meter"));
}

#[test]
fn the_start_screen_keeps_commands_whole_at_60_columns() {
    let (settings, _home) = settings(&[], CommonArgs::default());
    let theme = Theme::builtin("dark").unwrap();
    let mut app = App::new(Session::new(settings), &theme, std::time::Instant::now());
    let mut ui = Ui::new(theme);
    let mut terminal = Terminal::new(TestBackend::new(60, 24)).unwrap();
    thinkbench::tui::draw(&mut terminal, &mut app, &mut ui).unwrap();
    let screen = rows(&terminal);
    for row in &screen {
        let row = row.trim_end();
        assert!(!row.ends_with("thinkbench -m"), "{screen:#?}");
        if row.contains("llama3.2") {
            assert!(row.contains("thinkbench -m llama3.2"), "{screen:#?}");
        }
    }
    insta::assert_snapshot!("start_screen_at_60", terminal.backend());
}
