//! The usage inspector over a mixed conversation — three models, hidden and shared
//! reasoning, a cancelled turn with estimated usage, a refused request, a turn cut off by
//! its output limit — drawn on a TestBackend and snapshotted, plus its totals and keys.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::app::{Harness, harness};
use thinkbench::api::{ApiError, ApiKind, FinishReason, StreamEvent};
use thinkbench::conversation::{Conversation, Timings, Turn, TurnSpec, TurnState};
use thinkbench::totals::Totals;
use thinkbench::tui::app::{Event, Overlay};
use thinkbench::tui::component::Component;
use thinkbench::tui::inspector::view::table_rows;
use thinkbench::tui::inspector::{self, Inspector, InspectorAction, TurnRow};
use thinkbench::usage::{Price, Usage};

fn spec(
    provider: &str,
    model: &str,
    effort: Option<&str>,
    price: Price,
    reasoning: bool,
) -> TurnSpec {
    TurnSpec {
        provider: provider.into(),
        model: model.into(),
        api: ApiKind::Chat,
        effort: effort.map(str::to_string),
        max_output_tokens: None,
        price: Some(price),
        reasoning_model: reasoning,
    }
}

fn o3_mini() -> TurnSpec {
    let price = Price::flat(1.1, Some(0.55), 4.4, None);
    spec("openai", "o3-mini", Some("high"), price, true)
}

fn gpt_4o() -> TurnSpec {
    let price = Price::flat(2.5, Some(1.25), 10.0, None);
    spec("openai", "gpt-4o", None, price, false)
}

fn deepseek_reasoner() -> TurnSpec {
    let price = Price::flat(0.28, Some(0.028), 0.42, None);
    spec("deepseek", "deepseek-reasoner", None, price, true)
}

fn usage(input: u64, cached: u64, output: u64, reasoning: u64) -> Usage {
    Usage {
        input,
        cached_input: cached,
        output,
        reasoning,
        ..Default::default()
    }
}

#[allow(clippy::too_many_arguments)]
fn turn(
    id: u64,
    spec: TurnSpec,
    reasoning: &str,
    answer: &str,
    reported: Option<Usage>,
    prompt_estimate: u64,
    times: (Option<u64>, Option<u64>, Option<u64>),
    finish: Option<FinishReason>,
    state: TurnState,
) -> Turn {
    let timings = Timings {
        first_reasoning_ms: times.0,
        first_text_ms: times.1,
        done_ms: times.2,
    };
    Turn::restored(
        id,
        format!("question {id}"),
        spec,
        reasoning.into(),
        answer.into(),
        Vec::new(),
        reported,
        prompt_estimate,
        timings,
        finish,
        state,
    )
}

/// Six turns over three models.
fn mixed_turns() -> Vec<Turn> {
    let refused = ApiError {
        status: Some(429),
        code: Some("rate_limit_exceeded".into()),
        ..ApiError::message("Rate limit reached")
    };
    vec![
        // Hidden reasoning exploded.
        turn(
            1,
            o3_mini(),
            "",
            "The answer is 42.",
            Some(usage(1_250, 0, 19_072, 18_432)),
            1_200,
            (None, Some(41_200), Some(52_800)),
            Some(FinishReason::Stop),
            TurnState::Done,
        ),
        // No reasoning at all, a cache hit.
        turn(
            2,
            gpt_4o(),
            "",
            "Sure, here is the table.",
            Some(usage(2_100, 1_024, 512, 0)),
            2_000,
            (None, Some(420), Some(3_100)),
            Some(FinishReason::Stop),
            TurnState::Done,
        ),
        // Shared reasoning.
        turn(
            3,
            deepseek_reasoner(),
            "First, consider the cases.",
            "Two cases remain.",
            Some(usage(2_900, 1_920, 3_400, 2_700)),
            2_800,
            (Some(900), Some(31_000), Some(38_000)),
            Some(FinishReason::Stop),
            TurnState::Done,
        ),
        // Cancelled before the server reported usage: estimated.
        turn(
            4,
            o3_mini(),
            "",
            "Let me start with the first part of the proof, which",
            None,
            3_480,
            (None, Some(12_300), Some(14_000)),
            None,
            TurnState::Cancelled,
        ),
        // Refused: nothing generated, nothing billed.
        turn(
            5,
            gpt_4o(),
            "",
            "",
            None,
            3_600,
            (None, None, Some(180)),
            None,
            TurnState::Failed(refused),
        ),
        // Every output token went to reasoning.
        turn(
            6,
            deepseek_reasoner(),
            "Hmm, wait, let me reconsider the whole approach again.",
            "",
            Some(usage(3_700, 2_816, 8_192, 8_192)),
            3_650,
            (Some(1_100), None, Some(96_400)),
            Some(FinishReason::Length),
            TurnState::Done,
        ),
    ]
}

fn mixed_app() -> Harness {
    let mut h = harness("gpt-4o");
    h.app.session.conversation = Conversation::restored(mixed_turns());
    h
}

fn draw(h: &Harness, inspector: &Inspector, w: u16, hgt: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, hgt)).unwrap();
    terminal
        .draw(|f| inspector.render(&h.ctx(), f, f.area()))
        .unwrap();
    terminal
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

#[test]
fn mixed_conversation() {
    let h = mixed_app();
    let mut i = Inspector::new(6);
    i.on_key(key(KeyCode::Up));
    insta::assert_snapshot!(draw(&h, &i, 120, 30).backend());
}

/// The mixed conversation with gpt-4o's price unknown: its rows cost `$?`, the total is a
/// lower bound, in the inspector and in the status line alike.
#[test]
fn a_partly_known_total_is_a_lower_bound_in_the_inspector_and_the_status_line() {
    let mut turns = mixed_turns();
    for turn in turns.iter_mut().filter(|t| t.spec.model == "gpt-4o") {
        turn.spec.price = None;
    }
    let mut h = harness("gpt-4o");
    h.app.session.conversation = Conversation::restored(turns);
    let i = Inspector::new(6);
    insta::assert_snapshot!("partly_known_total", draw(&h, &i, 120, 16).backend());
    insta::assert_snapshot!("partly_known_status_line", h.draw(100, 6).backend());
}

#[test]
fn mixed_conversation_narrow_and_scrolled() {
    let mut h = harness("gpt-4o");
    let mut turns = mixed_turns();
    turns.extend(mixed_turns().into_iter().map(|mut t| {
        t.id += 6;
        t
    }));
    h.app.session.conversation = Conversation::restored(turns);
    let area = ratatui::layout::Rect::new(0, 0, 80, 20);
    let mut i = Inspector::new(12);
    i.set_rows(table_rows(&h.app.session.conversation.turns, area));
    assert_eq!(i.first_visible(8), 4);
    i.on_key(key(KeyCode::Home));
    i.on_key(key(KeyCode::PageDown));
    assert_eq!(i.selected(), 8);
    insta::assert_snapshot!(draw(&h, &i, 80, 20).backend());
}

#[test]
fn the_selected_row_is_highlighted() {
    let h = mixed_app();
    let mut i = Inspector::new(6);
    i.select(2);
    let terminal = draw(&h, &i, 120, 30);
    let buffer = terminal.backend().buffer();
    let selection = h.ui.theme.selection;
    // Row 0 is the title, row 1 the table header, so turn 3 is on row 4.
    for x in [0, 5, 60, 119] {
        let cell = &buffer[(x, 4)];
        assert_eq!(cell.fg, selection.fg.unwrap_or_default(), "x {x}");
        assert_eq!(cell.bg, selection.bg.unwrap_or_default(), "x {x}");
    }
    assert_eq!(buffer[(0, 4)].symbol(), "›");
    assert_ne!(buffer[(5, 3)].bg, selection.bg.unwrap_or_default());
}

#[test]
fn any_size_draws() {
    let h = mixed_app();
    let i = Inspector::new(6);
    for (w, hgt) in [(0, 0), (1, 1), (3, 2), (10, 3), (20, 5), (40, 8), (200, 60)] {
        let _ = draw(&h, &i, w, hgt);
    }
    insta::assert_snapshot!("tiny", draw(&h, &i, 10, 3).backend());
    insta::assert_snapshot!("huge", draw(&h, &i, 200, 60).backend());
    // An empty conversation says so.
    let empty = harness("gpt-4o");
    insta::assert_snapshot!("empty", draw(&empty, &Inspector::new(0), 80, 8).backend());
}

#[test]
fn rows_mark_estimates_unknowns_and_endings() {
    let turns = mixed_turns();
    let rows = inspector::rows(&turns, None);
    let r = &rows[0];
    assert_eq!(
        (r.input.as_str(), r.reasoning.as_str(), r.output.as_str()),
        ("1,250", "18,432", "640")
    );
    assert_eq!(
        (r.first_token.as_str(), r.total.as_str()),
        ("41.2 s", "52.8 s")
    );
    // A model without reasoning shows none rather than 0.
    assert_eq!(rows[1].reasoning, inspector::DASH);
    assert_eq!(rows[1].effort, inspector::DASH);
    // Estimated usage carries `~`; the cached count is unknown.
    assert!(rows[3].input.starts_with('~') && rows[3].cost.starts_with("~$"));
    assert_eq!(rows[3].cached, inspector::DASH);
    assert_eq!(rows[3].finish, "cancelled");
    assert_eq!(
        (rows[4].finish.as_str(), rows[4].cost.as_str()),
        ("error 429", "$0")
    );
    assert_eq!(rows[5].finish, "length, no answer");
    // An unknown price is `$?`, never `$0`.
    let mut t = turns[1].clone();
    t.spec.price = None;
    assert_eq!(TurnRow::of(0, &t, None).cost, "$?");
}

#[test]
fn totals_per_model_and_overall() {
    let turns = mixed_turns();
    let totals = Totals::of(&turns);
    let labels: Vec<(&str, usize)> = totals
        .per_model
        .iter()
        .map(|t| (t.label.as_str(), t.turns))
        .collect();
    assert_eq!(
        labels,
        [("o3-mini", 2), ("gpt-4o", 2), ("deepseek-reasoner", 2)]
    );
    let ds = &totals.per_model[2];
    assert_eq!(ds.usage.input, 6_600);
    assert_eq!(ds.usage.cached_input, 4_736);
    assert_eq!(ds.usage.reasoning, 10_892);
    assert_eq!(ds.usage.visible_output(), 700);
    assert!(!ds.usage.estimated);
    let expected = turns[2].cost().unwrap() + turns[5].cost().unwrap();
    assert!((ds.cost - expected).abs() < 1e-12);
    // o3-mini includes the cancelled, estimated turn.
    assert!(totals.per_model[0].usage.estimated);
    assert!(totals.per_model[0].cost_text().starts_with("~$"));
    // Overall is the sum of the models.
    let o = &totals.overall;
    assert_eq!(o.turns, 6);
    let sum: u64 = totals.per_model.iter().map(|t| t.usage.output).sum();
    assert_eq!(o.usage.output, sum);
    let cost: f64 = turns.iter().filter_map(Turn::cost).sum();
    assert!((o.cost - cost).abs() < 1e-12 && !o.cost_unknown);

    // An unknown price makes the total partial.
    let mut turns = turns;
    turns[1].spec.price = None;
    let totals = Totals::of(&turns);
    assert!(totals.overall.cost_unknown);
    let known: f64 = turns.iter().filter_map(Turn::cost).sum();
    assert_eq!(
        totals.overall.cost_text(),
        format!("≥ ~{}", thinkbench::usage::dollars(Some(known)))
    );
    // The same model name from two providers counts apart.
    turns[2].spec.provider = "openrouter".into();
    let labels: Vec<String> = Totals::of(&turns)
        .per_model
        .into_iter()
        .map(|t| t.label)
        .collect();
    assert_eq!(
        labels,
        [
            "o3-mini",
            "gpt-4o",
            "openrouter/deepseek-reasoner",
            "deepseek/deepseek-reasoner"
        ]
    );
}

#[test]
fn enter_jumps_to_the_selected_turn() {
    let mut i = Inspector::new(6);
    assert_eq!(i.on_key(key(KeyCode::Enter)), InspectorAction::JumpTo(5));
    i.on_key(key(KeyCode::PageUp));
    assert_eq!(i.on_key(key(KeyCode::Enter)), InspectorAction::JumpTo(0));
    i.on_key(key(KeyCode::Down));
    i.on_key(key(KeyCode::Down));
    assert_eq!(i.on_key(key(KeyCode::Enter)), InspectorAction::JumpTo(2));
    assert_eq!(i.on_key(key(KeyCode::Char('q'))), InspectorAction::Close);
}

#[test]
fn a_streaming_turn_shows_its_elapsed_time() {
    let mut h = harness("gpt-4o");
    let id = h.send("hello", 0);
    h.stream(id, StreamEvent::TextDelta("Hel".into()), 700);
    let rows = inspector::rows(&h.app.session.conversation.turns, Some((id, 2_500)));
    assert_eq!(rows[0].finish, "streaming…");
    assert_eq!(rows[0].first_token, "0.7 s");
    assert_eq!(rows[0].total, "2.5 s");
    assert!(rows[0].output.starts_with('~'));
    h.stream(id, StreamEvent::Finished(FinishReason::Stop), 900);
    let rows = inspector::rows(&h.app.session.conversation.turns, Some((id, 2_500)));
    assert_eq!(
        (rows[0].finish.as_str(), rows[0].total.as_str()),
        ("stop", "0.9 s")
    );
}

/// PageUp/PageDown in the inspector move by the rows its table shows at the terminal's size,
/// not by a fixed ten.
#[test]
fn paging_moves_by_the_visible_height() {
    let mut h = harness("gpt-4o");
    let mut turns = Vec::new();
    for _ in 0..8 {
        turns.extend(mixed_turns());
    }
    for (i, t) in turns.iter_mut().enumerate() {
        t.id = i as u64 + 1;
    }
    h.app.session.conversation = Conversation::restored(turns);
    for (w, hgt) in [(100u16, 20u16), (100, 40)] {
        h.app.update(Event::Resize(w, hgt), h.at(0));
        h.key(KeyCode::F(5), KeyModifiers::NONE, 0);
        h.key(KeyCode::Home, KeyModifiers::NONE, 0);
        h.key(KeyCode::PageDown, KeyModifiers::NONE, 0);
        let visible = table_rows(
            &h.app.session.conversation.turns,
            ratatui::layout::Rect::new(0, 0, w, hgt),
        );
        assert!(visible != 10 && visible > 1, "{visible}");
        match &h.app.overlay {
            Some(Overlay::Inspector(i)) => assert_eq!(i.selected(), visible, "at {w}x{hgt}"),
            other => panic!("inspector not open: {other:?}"),
        }
        h.key(KeyCode::Esc, KeyModifiers::NONE, 0);
    }
}
