//! What a turn's prompt becomes on the wire, and how many tokens a request is estimated at.
//!
//! Invariants: text files go before the prompt as fenced blocks (see `attach`), images after
//! the text as image inputs; the estimate counts every message, its images by the model
//! family's rule, plus the chat format's overhead.

use crate::api::{ChatRequest, Message, Role};
use crate::attach::Attachment;
use crate::usage;

/// The user message `prompt` is sent as: each text file as a fenced block headed by its name,
/// then the prompt; images as image inputs after the text.
pub fn user_message(prompt: &str, attachments: &[Attachment]) -> Message {
    let mut content = String::new();
    for block in attachments.iter().filter_map(Attachment::text_block) {
        content.push_str(&block);
        content.push_str("\n\n");
    }
    content.push_str(prompt);
    Message {
        role: Role::User,
        content,
        images: attachments
            .iter()
            .filter_map(Attachment::image_input)
            .collect(),
    }
}

/// Estimated prompt tokens of a request: every message (its images by the model family's
/// rule, `RequestQuirks::image_rule`) plus the chat format overhead.
pub fn estimate_request_tokens(request: &ChatRequest) -> u64 {
    let system = request
        .system
        .as_deref()
        .map(usage::estimate_tokens)
        .map(|n| n + usage::MESSAGE_OVERHEAD_TOKENS);
    let messages: u64 = request
        .messages
        .iter()
        .map(|m| {
            let images: u64 = (m.images.iter())
                .map(|i| crate::attach::image::tokens(request.quirks.image_rule, i.width, i.height))
                .sum();
            usage::estimate_tokens(&m.content) + images + usage::MESSAGE_OVERHEAD_TOKENS
        })
        .sum();
    system.unwrap_or(0) + messages + 3
}
