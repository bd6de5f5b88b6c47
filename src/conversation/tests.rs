use super::*;

fn spec() -> TurnSpec {
    TurnSpec {
        provider: "openai".into(),
        model: "o3-mini".into(),
        api: ApiKind::Chat,
        effort: Some("high".into()),
        max_output_tokens: None,
        price: Some(Price::flat(1.10, Some(0.55), 4.40, None)),
        reasoning_model: true,
    }
}

#[test]
fn a_turn_collects_text_usage_and_timings() {
    let mut t = Turn::new(1, "hi".into(), spec(), 10);
    t.apply(StreamEvent::TextDelta(String::new()), 5);
    t.apply(StreamEvent::TextDelta("Hel".into()), 5210);
    t.apply(StreamEvent::TextDelta("lo".into()), 5300);
    let u = Usage {
        input: 13,
        output: 238,
        reasoning: 192,
        ..Default::default()
    };
    t.apply(StreamEvent::Usage(u), 5400);
    t.apply(StreamEvent::Finished(FinishReason::Stop), 5417);
    t.apply(StreamEvent::TextDelta("late".into()), 6000);
    assert_eq!(t.answer, "Hello");
    assert_eq!(t.first_token_ms(), Some(5210));
    assert_eq!(t.timings.done_ms, Some(5417));
    assert_eq!(t.state, TurnState::Done);
    assert!((t.cost().unwrap_or_default() - 0.0010615).abs() < 1e-12);
    assert!(!t.usage().estimated);
    assert_eq!(
        t.usage_line(),
        "o3-mini · high · in 13 · reasoning 192 · out 46 · $0.00106 · 1st token 5.2 s · 1,150 tok/s"
    );
}

#[test]
fn without_reported_usage_the_turn_estimates() {
    let mut t = Turn::new(1, "hi".into(), spec(), 10);
    t.apply(
        StreamEvent::ReasoningDelta("Let me think about it.".into()),
        100,
    );
    t.apply(StreamEvent::TextDelta("Paris.".into()), 200);
    t.cancel(300);
    t.apply(StreamEvent::Finished(FinishReason::Stop), 400);
    let u = t.usage();
    assert!(u.estimated);
    assert_eq!(u.input, 10);
    assert!(u.reasoning > 0 && u.output > u.reasoning);
    assert_eq!(t.state, TurnState::Cancelled);
    assert_eq!(t.thinking_ms(1000), 200);
}

#[test]
fn an_interrupted_turn_keeps_what_arrived_and_stays_interrupted() {
    let mut t = Turn::new(1, "hi".into(), spec(), 10);
    t.apply(StreamEvent::TextDelta("Par".into()), 200);
    t.interrupt(250);
    t.apply(StreamEvent::TextDelta("is.".into()), 260);
    t.apply(StreamEvent::Finished(FinishReason::Stop), 270);
    assert_eq!(t.state, TurnState::Interrupted);
    assert_eq!((t.answer.as_str(), t.timings.done_ms), ("Par", Some(250)));
    assert!(t.usage().estimated && t.usage().output > 0);
    // Only a streaming turn is interrupted.
    let mut done = Turn::new(2, "hi".into(), spec(), 10);
    done.apply(StreamEvent::Finished(FinishReason::Stop), 100);
    done.interrupt(200);
    assert_eq!(done.state, TurnState::Done);
}

#[test]
fn a_refused_request_is_not_billed() {
    let mut t = Turn::new(1, "hi".into(), spec(), 10);
    t.apply(
        StreamEvent::Failed(ApiError {
            status: Some(429),
            ..ApiError::message("slow down")
        }),
        30,
    );
    assert!(t.refused());
    assert_eq!(t.usage(), Usage::default());
    assert_eq!(t.cost(), Some(0.0));
    assert_eq!(
        t.usage_line(),
        "o3-mini · nothing generated, nothing billed"
    );
    // A failure after output started is billed (estimated) as usual.
    let mut t = Turn::new(2, "hi".into(), spec(), 10);
    t.apply(StreamEvent::TextDelta("partial".into()), 10);
    t.apply(StreamEvent::Failed(ApiError::message("cut")), 30);
    assert!(!t.refused());
    assert!(t.usage().estimated && t.usage().output > 0);
}

#[test]
fn reasoning_before_a_bare_closing_think_tag_moves_to_reasoning() {
    let mut t = Turn::new(1, "hi".into(), spec(), 10);
    t.apply(
        StreamEvent::TextDelta("Okay, the user says hi.\n".into()),
        100,
    );
    t.apply(StreamEvent::TextDelta("</think>\n\nHello!".into()), 200);
    t.apply(StreamEvent::Finished(FinishReason::Stop), 300);
    assert_eq!(t.reasoning, "Okay, the user says hi.");
    assert_eq!(t.answer, "Hello!");
    // An answer that talks about the tags is left alone.
    let mut t = Turn::new(2, "hi".into(), spec(), 10);
    let text = "Wrap it as <think>…</think> in the template.";
    t.apply(StreamEvent::TextDelta(text.into()), 100);
    t.apply(StreamEvent::Finished(FinishReason::Stop), 300);
    assert_eq!((t.reasoning.as_str(), t.answer.as_str()), ("", text));
}

#[test]
fn a_cost_the_server_reports_wins() {
    let mut s = spec();
    s.price = None;
    let mut t = Turn::new(1, "hi".into(), s, 10);
    let u = Usage {
        input: 10,
        output: 5,
        reported_cost: Some(0.0042),
        ..Default::default()
    };
    t.apply(StreamEvent::Usage(u), 10);
    t.apply(StreamEvent::Finished(FinishReason::Stop), 20);
    assert_eq!(t.cost(), Some(0.0042));
}

#[test]
fn unknown_price_is_unknown_cost() {
    let mut s = spec();
    s.price = None;
    let t = Turn::new(1, "hi".into(), s, 10);
    assert_eq!(t.cost(), None);
}

#[test]
fn history_skips_reasoning_and_empty_answers() {
    let mut c = Conversation::default();
    let mut t = Turn::new(c.next_id(), "q1".into(), spec(), 1);
    t.apply(StreamEvent::ReasoningDelta("secret".into()), 1);
    t.apply(StreamEvent::TextDelta("a1".into()), 2);
    t.apply(StreamEvent::Finished(FinishReason::Stop), 3);
    c.turns.push(t);
    let mut t = Turn::new(c.next_id(), "q2".into(), spec(), 1);
    t.apply(StreamEvent::Failed(ApiError::message("boom")), 3);
    c.turns.push(t);
    let h = c.history();
    assert_eq!(h.len(), 2);
    assert_eq!(h[1].content, "a1");
}

#[test]
fn a_list_price_is_marked_in_the_usage_line_and_a_reported_cost_is_not() {
    let mut s = spec();
    s.price = Some(Price {
        list: true,
        ..Price::flat(1.10, Some(0.55), 4.40, None)
    });
    let mut t = Turn::new(1, "hi".into(), s, 10);
    let u = Usage {
        input: 13,
        output: 238,
        reasoning: 192,
        ..Default::default()
    };
    t.apply(StreamEvent::Usage(u), 5400);
    t.apply(StreamEvent::Finished(FinishReason::Stop), 5417);
    assert!(
        t.usage_line().contains("$0.00106 (list price)"),
        "{}",
        t.usage_line()
    );
    // A gateway that reports what it charged is not a list price.
    let mut t2 = Turn::new(2, "hi".into(), t.spec.clone(), 10);
    t2.apply(
        StreamEvent::Usage(Usage {
            reported_cost: Some(0.002),
            ..u
        }),
        5400,
    );
    t2.apply(StreamEvent::Finished(FinishReason::Stop), 5417);
    assert!(t2.usage_line().ends_with("$0.002"), "{}", t2.usage_line());
    assert!(!t2.usage_line().contains("list"), "{}", t2.usage_line());
}
