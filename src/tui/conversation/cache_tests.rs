//! Tests of how a turn's view follows its text.

use super::TurnView;
use crate::api::{FinishReason, StreamEvent};
use crate::conversation::Turn;
use crate::tui::theme::Theme;

fn streaming_turn(answer: &str) -> Turn {
    let mut turn = crate::tui::meter::family::tests::turn("gpt-4o", "openai", 3);
    turn.apply(StreamEvent::TextDelta(answer.into()), 1);
    turn
}

/// A turn that ends together with its last text keeps its view, which takes the new text as
/// usual (here one more table row, extended without drawing the table again); a finished
/// turn whose text was rearranged is laid out anew.
#[test]
fn a_finished_turn_keeps_its_view_unless_its_text_moved() {
    let theme = Theme::default();
    let mut turn = streaming_turn("| n |\n|---|\n| 1 |\n");
    let mut view = TurnView::of(&turn);
    view.answer.layout(60, &theme, 1);
    turn.apply(StreamEvent::TextDelta("| 2 |\n".into()), 2);
    turn.apply(StreamEvent::Finished(FinishReason::Stop), 3);
    assert!(!turn.is_streaming());
    assert!(view.feed(&turn));
    view.answer.layout(60, &theme, 1);
    assert!(view.answer.tail_was_extended(), "the view was kept");
    assert_eq!(view.answer.source(), turn.answer);

    let mut turn = streaming_turn("thinking out loud");
    let mut view = TurnView::of(&turn);
    view.answer.layout(60, &theme, 1);
    turn.answer = "rearranged".into();
    turn.apply(StreamEvent::Finished(FinishReason::Stop), 3);
    assert!(view.feed(&turn));
    assert_eq!(view.answer.source(), "rearranged");
}
