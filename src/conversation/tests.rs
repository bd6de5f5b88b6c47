use super::*;
use crate::api::ChatRequest;

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

fn sent(prompt: &str) -> ChatRequest {
    ChatRequest {
        model: "o3-mini".into(),
        system: Some("Be brief.".into()),
        messages: vec![Message {
            role: Role::User,
            content: prompt.into(),
            images: Vec::new(),
        }],
        effort: None,
        max_output_tokens: None,
        model_max_output: None,
        quirks: Default::default(),
    }
}

fn count(prompt: crate::usage::ServerCount) -> crate::api::tokenize::Count {
    crate::api::tokenize::Count {
        input: 51,
        output: 23,
        reasoning: 7,
        prompt,
    }
}

#[test]
fn a_turn_without_usage_is_counted_by_the_server_once_it_ends() {
    use crate::usage::ServerCount;
    let mut t = Turn::new(1, "hi".into(), spec(), 28);
    t.apply(StreamEvent::ReasoningDelta("Hmm.".into()), 100);
    t.apply(StreamEvent::TextDelta("Paris.".into()), 200);
    assert_eq!(t.texts_to_count(&sent("hi")), None, "still streaming");
    assert!(!t.apply_count(count(ServerCount::Templated)));
    t.apply(StreamEvent::Finished(FinishReason::Stop), 400);
    let texts = t
        .texts_to_count(&sent("hi"))
        .expect("an ended turn is counted");
    assert_eq!(texts.reasoning, "Hmm.");
    assert_eq!(texts.output, vec!["Paris.".to_string()]);
    assert_eq!(texts.system.as_deref(), Some("Be brief."));
    assert_eq!(texts.messages.len(), 1);
    assert!(t.usage_line().contains("in ~28"), "{}", t.usage_line());

    assert!(t.apply_count(count(ServerCount::Templated)));
    let u = t.usage();
    assert_eq!((u.input, u.output, u.reasoning), (51, 30, 7));
    assert!(!u.estimated);
    assert_eq!(u.source(), "counted");
    let line = t.usage_line();
    assert!(!line.contains('~'), "{line}");
    assert!(line.contains("in 51 · reasoning 7 · out 23"), "{line}");
    // Counted once: a second count changes nothing, and there is nothing more to count.
    assert!(!t.apply_count(count(ServerCount::TextOnly)));
    assert_eq!(t.texts_to_count(&sent("hi")), None);
}

#[test]
fn a_count_without_the_chat_template_says_so() {
    let mut t = Turn::new(1, "hi".into(), spec(), 28);
    t.apply(StreamEvent::TextDelta("Paris.".into()), 200);
    t.apply(StreamEvent::Finished(FinishReason::Stop), 400);
    assert!(t.apply_count(count(crate::usage::ServerCount::TextOnly)));
    let line = t.usage_line();
    assert!(
        line.contains("in 51+ (server count, no chat template)"),
        "{line}"
    );
    assert!(!line.contains('~'), "{line}");
}

#[test]
fn reported_usage_is_never_replaced_by_a_count() {
    let mut t = Turn::new(1, "hi".into(), spec(), 28);
    t.apply(StreamEvent::TextDelta("Paris.".into()), 200);
    let reported = Usage {
        input: 9,
        output: 2,
        ..Default::default()
    };
    t.apply(StreamEvent::Usage(reported), 300);
    t.apply(StreamEvent::Finished(FinishReason::Stop), 400);
    assert_eq!(t.texts_to_count(&sent("hi")), None);
    assert!(!t.apply_count(count(crate::usage::ServerCount::Templated)));
    assert_eq!(t.usage(), reported);
    assert_eq!(t.usage().source(), "reported");
    // A turn refused before anything came back is not counted either.
    let mut refused = Turn::new(2, "hi".into(), spec(), 28);
    refused.apply(StreamEvent::Failed(ApiError::message("refused")), 10);
    assert_eq!(refused.texts_to_count(&sent("hi")), None);
}

#[test]
fn a_comparison_is_one_exchange_and_a_replaced_turn_is_one_of_its_own() {
    let mut turns = vec![Turn::new(1, "a".into(), spec(), 1)];
    for index in 0..3 {
        let mut arm = Turn::new(2, "b".into(), spec(), 1);
        arm.arm = Some(super::ArmTag {
            index,
            label: format!("m{index}"),
            run: 1,
            kept: false,
        });
        turns.push(arm);
    }
    let mut replaced = Turn::new(3, "c".into(), spec(), 1);
    replaced.state = TurnState::Superseded;
    turns.push(replaced);
    turns.push(Turn::new(4, "c".into(), spec(), 1));
    assert_eq!(Conversation::restored(turns).exchange_count(), 4);
    assert_eq!(Conversation::default().exchange_count(), 0);
}

#[test]
fn estimates_are_counted_when_read_and_saves_count_nothing() {
    let texts = PromptTexts {
        texts: vec!["Be brief.".into(), "What is the capital of Mexico?".into()],
        fixed: 11,
    };
    let expected_prompt = 11
        + usage::estimate_tokens("Be brief.")
        + usage::estimate_tokens("What is the capital of Mexico?");
    let mut t = Turn::counted_later(1, "hi".into(), spec(), texts);
    t.apply(StreamEvent::ReasoningDelta("Let me think".into()), 10);
    t.apply(StreamEvent::TextDelta("Mexico City is the".into()), 20);
    // Nothing was read: a save counts nothing.
    let so_far = t.usage_so_far();
    assert!(so_far.estimated);
    assert_eq!((so_far.input, so_far.output), (0, 0));
    assert_eq!(t.prompt_estimate_so_far(), 0);
    // A read counts what arrived; the save then writes it.
    let read = t.usage();
    assert_eq!(read.input, expected_prompt);
    assert_eq!(t.usage_so_far(), read);
    // Reads while streaming follow the text as it grows (tool calls included).
    t.apply(StreamEvent::TextDelta(" capital, at 2,240 m.".into()), 30);
    let call = ToolCall {
        name: "lookup".into(),
        arguments: "{\"city\": \"Mexico City\"}".into(),
    };
    t.apply(StreamEvent::ToolCall(call.clone()), 35);
    let answer = "Mexico City is the capital, at 2,240 m.";
    let tools = usage::estimate_tokens(&call.name) + usage::estimate_tokens(&call.arguments);
    let live = t.usage();
    assert_eq!(live.reasoning, usage::estimate_tokens("Let me think"));
    assert_eq!(
        live.output,
        live.reasoning + usage::estimate_tokens(answer) + tools
    );
    // Once ended, the whole text is counted once.
    t.apply(StreamEvent::ReasoningDelta(" more".into()), 38);
    t.apply(StreamEvent::Finished(FinishReason::Stop), 40);
    let done = t.usage_so_far();
    assert_eq!(done.reasoning, usage::estimate_tokens("Let me think more"));
    assert_eq!(
        done.output,
        done.reasoning + usage::estimate_tokens(answer) + tools
    );
    assert_eq!(t.prompt_estimate_so_far(), expected_prompt);
}

#[test]
fn a_turn_with_reported_usage_reads_no_estimate() {
    let reported = Usage {
        input: 7,
        output: 3,
        ..Default::default()
    };
    let texts = PromptTexts {
        texts: vec!["hi".into()],
        fixed: 7,
    };
    let mut t = Turn::counted_later(1, "hi".into(), spec(), texts);
    t.apply(StreamEvent::TextDelta("Hello there.".into()), 10);
    t.apply(StreamEvent::Usage(reported), 20);
    t.apply(StreamEvent::Finished(FinishReason::Stop), 30);
    assert_eq!(t.usage(), reported);
    assert_eq!(t.usage_so_far(), reported);
    // The estimates were never read, so never counted.
    assert_eq!(t.estimates.prompt_so_far(), 0);
    assert_eq!(t.estimates.output_so_far(), (0, 0));
}

#[test]
fn a_turn_saved_before_its_estimate_was_counted_is_estimated_again_when_read_back() {
    let restored = |prompt: &str, answer: &str, estimate: u64, state: TurnState| {
        let timings = Timings::default();
        let (r, a) = (String::new(), answer.to_string());
        Turn::restored(
            1,
            prompt.into(),
            spec(),
            r,
            a,
            vec![],
            None,
            estimate,
            timings,
            None,
            state,
        )
    };
    let first = restored(
        "Tell me about heaps",
        "A heap is a tree.",
        40,
        TurnState::Done,
    );
    let mut second = restored("And stacks?", "A stack is", 0, TurnState::Streaming);
    second.id = 2;
    let conversation = Conversation::restored(vec![first, second]);
    let texts = ["Tell me about heaps", "A heap is a tree.", "And stacks?"];
    let expected = 3
        + 3 * usage::MESSAGE_OVERHEAD_TOKENS
        + texts.iter().map(|t| usage::estimate_tokens(t)).sum::<u64>();
    assert_eq!(conversation.turns[1].state, TurnState::Interrupted);
    assert_eq!(conversation.turns[1].usage().input, expected);
    // A counted estimate stays as stored.
    assert_eq!(conversation.turns[0].prompt_estimate(), 40);
}
