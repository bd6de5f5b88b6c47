//! The live session: the settings chosen now plus the conversation so far.
//!
//! Both the TUI and `ask` start turns here, so a request is always built the same way:
//! the provider-neutral history (answers only, never reasoning) plus the new prompt,
//! shaped by the request quirks of the model chosen *now*.
//! Invariant: a turn is pushed to the conversation before its request leaves, so the
//! person's words exist in the history even if the request fails at once.

use crate::api::{ChatRequest, Message, Role};
use crate::config::Settings;
use crate::conversation::{Conversation, Turn, TurnSpec, estimate_request_tokens};

pub struct Session {
    pub settings: Settings,
    pub conversation: Conversation,
}

impl Session {
    pub fn new(settings: Settings) -> Session {
        Session {
            settings,
            conversation: Conversation::default(),
        }
    }

    /// A session that goes on from stored `turns` (oldest first) with the settings of now.
    pub fn resume(settings: Settings, turns: Vec<Turn>) -> Session {
        Session {
            settings,
            conversation: Conversation::restored(turns),
        }
    }

    /// The reasoning effort a turn sent now carries on the wire (see
    /// [`crate::catalog::effort_to_send`]).
    pub fn effort_sent(&self) -> Option<String> {
        let s = &self.settings;
        crate::catalog::effort_to_send(
            s.model_info.as_ref(),
            s.quirks().accepts_effort,
            s.effort.as_deref(),
        )
    }

    /// What a turn sent now would be sent with (the effort as sent, not as asked for).
    pub fn spec(&self) -> TurnSpec {
        let s = &self.settings;
        TurnSpec {
            provider: s.endpoint.provider.clone(),
            model: s.model.clone(),
            api: s.endpoint.api,
            effort: self.effort_sent(),
            max_output_tokens: s.max_output_tokens,
            price: s.price(),
            reasoning_model: s
                .model_info
                .as_ref()
                .map(|m| m.reasoning)
                .unwrap_or(s.effort.is_some()),
        }
    }

    /// The request for `prompt` after the current history.
    pub fn request_for(&self, prompt: &str) -> ChatRequest {
        let mut messages = self.conversation.history();
        messages.push(Message {
            role: Role::User,
            content: prompt.to_string(),
        });
        let quirks = self.settings.quirks();
        ChatRequest {
            model: self.settings.model.clone(),
            system: self.settings.system.clone(),
            messages,
            effort: self.effort_sent(),
            max_output_tokens: self.settings.max_output_tokens,
            model_max_output: self
                .settings
                .model_info
                .as_ref()
                .and_then(|m| m.max_output_tokens),
            quirks,
        }
    }

    /// Record a new turn for `prompt` and return its id and the request to send.
    pub fn start_turn(&mut self, prompt: String) -> (u64, ChatRequest) {
        let request = self.request_for(&prompt);
        let estimate = estimate_request_tokens(&request);
        let id = self.conversation.next_id();
        let turn = Turn::new(id, prompt, self.spec(), estimate);
        self.conversation.turns.push(turn);
        (id, request)
    }

    pub fn turn_mut(&mut self, id: u64) -> Option<&mut Turn> {
        self.conversation
            .turns
            .iter_mut()
            .rev()
            .find(|t| t.id == id)
    }

    pub fn turn(&self, id: u64) -> Option<&Turn> {
        self.conversation.turns.iter().rev().find(|t| t.id == id)
    }
}
