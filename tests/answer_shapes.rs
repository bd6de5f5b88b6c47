//! The answer shapes the performance script streams (`scripts/answer_shapes.sh`): each is
//! exactly the size asked for and arrives whole, in 8-byte deltas, through the real client.

mod support;

use support::fake_server::shapes::{SHAPES, shape_text};
use support::fake_server::{FakeServer, Reply};
use support::turn::{chat_endpoint, run};
use thinkbench::api::{ChatRequest, FinishReason, Message, RequestQuirks, Role};

fn request() -> ChatRequest {
    ChatRequest {
        model: "gpt-4o".into(),
        system: None,
        messages: vec![Message {
            role: Role::User,
            content: "go".into(),
            images: Vec::new(),
        }],
        effort: None,
        max_output_tokens: None,
        model_max_output: None,
        quirks: RequestQuirks::default(),
    }
}

#[test]
fn every_shape_has_the_size_asked_for() {
    for shape in SHAPES {
        for bytes in [0, 1, 100, 10_000] {
            assert_eq!(
                shape_text(shape, bytes).map(|t| t.len()),
                Some(bytes),
                "{shape}"
            );
        }
    }
    assert_eq!(shape_text("nope", 10), None);
    // Each shape is what it says: one table, one code block, no line break …
    let table = shape_text("table", 4096).unwrap_or_default();
    assert!(table.lines().all(|l| l.starts_with('|')));
    let paragraph = shape_text("paragraph", 4096).unwrap_or_default();
    assert!(!paragraph.contains('\n'));
    let code = shape_text("code", 4096).unwrap_or_default();
    assert_eq!(code.matches("```").count(), 1);
}

#[tokio::test]
async fn every_shape_streams_whole_in_8_byte_deltas() {
    for shape in SHAPES {
        let text = shape_text(shape, 20_000).unwrap_or_default();
        let server = FakeServer::start(vec![Reply::Flood {
            text: text.clone(),
            delta: 8,
        }])
        .await;
        let o = run(
            &chat_endpoint(&server.base_url(), Some("sk-test")),
            &request(),
        )
        .await;
        assert_eq!(o.error, None, "{shape}");
        assert!(o.text == text, "{shape}: the text arrived changed");
        assert_eq!(
            (o.text_deltas, o.finish),
            (2_500, Some(FinishReason::Stop)),
            "{shape}"
        );
        assert_eq!(o.usage.map(|u| u.output), Some(5_000), "{shape}");
    }
}
