//! What a turn's prompt becomes on the wire, and how many tokens a request is estimated at.
//!
//! Invariants: text files go before the prompt as fenced blocks (see `attach`), images after
//! the text as image inputs; the estimate counts every message, its images by the model
//! family's rule, plus the chat format's overhead; it is counted from [`prompt_texts`], which
//! a turn keeps until its estimate is first read.

use super::PromptTexts;
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
/// rule, `RequestQuirks::image_rule`) plus the chat format overhead. Counts now (this loads
/// the tokenizer); a turn keeps [`prompt_texts`] and counts them only when read.
pub fn estimate_request_tokens(request: &ChatRequest) -> u64 {
    prompt_texts(request).count()
}

/// What [`estimate_request_tokens`] counts: the system instructions' and every message's
/// text, and what is known without a tokenizer (images, the chat format's overhead).
pub fn prompt_texts(request: &ChatRequest) -> PromptTexts {
    let mut texts = Vec::with_capacity(request.messages.len() + 1);
    let mut fixed = 3;
    if let Some(system) = &request.system {
        texts.push(system.clone());
        fixed += usage::MESSAGE_OVERHEAD_TOKENS;
    }
    for m in &request.messages {
        let images: u64 = (m.images.iter())
            .map(|i| crate::attach::image::tokens(request.quirks.image_rule, i.width, i.height))
            .sum();
        texts.push(m.content.clone());
        fixed += images + usage::MESSAGE_OVERHEAD_TOKENS;
    }
    PromptTexts { texts, fixed }
}
