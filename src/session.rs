//! The live session: the settings chosen now plus the conversation so far.
//!
//! Both the TUI and `ask`/`compare` start turns here, so a request is always built the same
//! way: the provider-neutral history (answers only, never reasoning) plus the new prompt,
//! shaped by the request quirks of the model it goes to. A comparison's arms are built by
//! the same function, each with its own settings and the same history. A turn's files and
//! images go with its prompt every time it is sent (history included).
//! Invariant: a turn is pushed to the conversation before its request leaves, so the
//! person's words exist in the history even if the request fails at once.

use crate::api::{ChatRequest, Message};
use crate::attach::Attachment;
use crate::config::Settings;
use crate::conversation::{ArmTag, Conversation, Turn, TurnSpec, prompt_texts, user_message};

pub struct Session {
    pub settings: Settings,
    pub conversation: Conversation,
}

/// One arm of a comparison, resolved: its label (`o3-mini@high`) and the settings its
/// requests are built and sent with.
#[derive(Clone, Debug)]
pub struct Arm {
    pub label: String,
    pub settings: Settings,
}

/// A request to send for one turn (or one arm: `arm` is its index).
#[derive(Clone, Debug, PartialEq)]
pub struct Outgoing {
    pub turn_id: u64,
    pub arm: u32,
    pub request: ChatRequest,
}

/// The reasoning effort a turn sent with `settings` carries on the wire (see
/// [`crate::catalog::effort_to_send`]).
pub fn effort_sent(settings: &Settings) -> Option<String> {
    crate::catalog::effort_to_send(
        settings.model_info.as_ref(),
        settings.quirks().accepts_effort,
        settings.effort.as_deref(),
    )
}

/// What a turn sent with `settings` is sent with (the effort as sent, not as asked for).
pub fn spec_for(s: &Settings) -> TurnSpec {
    TurnSpec {
        provider: s.endpoint.provider.clone(),
        model: s.model.clone(),
        api: s.endpoint.api,
        effort: effort_sent(s),
        max_output_tokens: s.max_output_tokens,
        price: s.price(),
        reasoning_model: s
            .model_info
            .as_ref()
            .map(|m| m.reasoning)
            .unwrap_or(s.effort.is_some()),
    }
}

/// The request for `prompt` (with its `attachments`) after `history`, shaped for the model
/// of `settings`.
pub fn request_with(
    settings: &Settings,
    mut history: Vec<Message>,
    prompt: &str,
    attachments: &[Attachment],
) -> ChatRequest {
    history.push(user_message(prompt, attachments));
    ChatRequest {
        model: settings.model.clone(),
        system: settings.system.clone(),
        messages: history,
        effort: effort_sent(settings),
        max_output_tokens: settings.max_output_tokens,
        model_max_output: settings
            .model_info
            .as_ref()
            .and_then(|m| m.max_output_tokens),
        quirks: settings.quirks(),
    }
}

/// Why the images among `attachments` cannot go to the model of `settings`: the catalog
/// says it takes none. Names up to four models of the same provider that do. `None` when
/// there is no image, or the model takes images, or nothing is known (the server decides).
pub fn images_refused(settings: &Settings, attachments: &[Attachment]) -> Option<String> {
    let first = attachments.iter().find(|a| a.is_image())?;
    let info = settings.model_info.as_ref()?;
    if info.vision != Some(false) {
        return None;
    }
    let provider = &settings.endpoint.provider;
    let vision: Vec<&str> = (settings.catalog.models().iter())
        .filter(|m| &m.provider == provider && m.vision == Some(true))
        .map(|m| m.id.as_str())
        .take(4)
        .collect();
    let others = match vision.is_empty() {
        true => "see `thinkbench models` for models that take images".to_string(),
        false => format!("models that take them: {}", vision.join(", ")),
    };
    Some(format!(
        "{} takes no images ({} not sent; {others})",
        settings.model, first.name
    ))
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

    /// The reasoning effort a turn sent now carries on the wire.
    pub fn effort_sent(&self) -> Option<String> {
        effort_sent(&self.settings)
    }

    /// What a turn sent now would be sent with.
    pub fn spec(&self) -> TurnSpec {
        spec_for(&self.settings)
    }

    /// The request for `prompt` after the current history.
    pub fn request_for(&self, prompt: &str) -> ChatRequest {
        self.request_with_files(prompt, &[])
    }

    /// The request for `prompt` with `attachments` after the current history.
    pub fn request_with_files(&self, prompt: &str, attachments: &[Attachment]) -> ChatRequest {
        request_with(
            &self.settings,
            self.conversation.history(),
            prompt,
            attachments,
        )
    }

    /// Record a new turn for `prompt` and return its id and the request to send.
    pub fn start_turn(&mut self, prompt: String) -> (u64, ChatRequest) {
        self.start_turn_with(prompt, Vec::new())
    }

    /// [`Session::start_turn`] with files and images sent along (kept with the turn).
    pub fn start_turn_with(
        &mut self,
        prompt: String,
        attachments: Vec<Attachment>,
    ) -> (u64, ChatRequest) {
        let request = self.request_with_files(&prompt, &attachments);
        let id = self.conversation.next_id();
        let mut turn = Turn::counted_later(id, prompt, self.spec(), prompt_texts(&request));
        turn.attachments = attachments;
        self.conversation.turns.push(turn);
        (id, request)
    }

    /// Record a comparison of `prompt` over `arms`, each sent `runs` times (run 1 of every
    /// arm first, then run 2, ...), and return the requests in arm-index order. Every arm
    /// gets the same history, each request shaped for its own model.
    pub fn start_comparison(&mut self, prompt: String, arms: &[Arm], runs: u32) -> Vec<Outgoing> {
        let history = self.conversation.history();
        let id = self.conversation.next_id();
        let mut out = Vec::new();
        for run in 1..=runs.max(1) {
            for arm in arms {
                let index = out.len() as u32;
                let request = request_with(&arm.settings, history.clone(), &prompt, &[]);
                let mut turn = Turn::counted_later(
                    id,
                    prompt.clone(),
                    spec_for(&arm.settings),
                    prompt_texts(&request),
                );
                turn.arm = Some(ArmTag {
                    index,
                    label: arm.label.clone(),
                    run,
                    kept: false,
                });
                self.conversation.turns.push(turn);
                out.push(Outgoing {
                    turn_id: id,
                    arm: index,
                    request,
                });
            }
        }
        out
    }

    /// Send arm `idx` of a comparison again with `settings`: a new arm with the same label
    /// and run, after the comparison's last arm, with the history the comparison had. The
    /// old attempt stays (stored and billed). `None` when `idx` is not an arm.
    pub fn retry_arm(&mut self, idx: usize, settings: &Settings) -> Option<(usize, Outgoing)> {
        let group = self.conversation.group(idx);
        let old = self.conversation.turns.get(idx)?;
        let tag = old.arm.clone()?;
        let prompt = old.prompt.clone();
        let attachments = old.attachments.clone();
        let id = old.id;
        let index = (self.conversation.turns[group.clone()].iter())
            .map(Turn::arm_index)
            .max()
            .unwrap_or(0)
            + 1;
        let history = self.conversation.history_before(group.start);
        let request = request_with(settings, history, &prompt, &attachments);
        let mut turn = Turn::counted_later(id, prompt, spec_for(settings), prompt_texts(&request));
        turn.attachments = attachments;
        turn.arm = Some(ArmTag {
            index,
            kept: false,
            ..tag
        });
        self.conversation.turns.insert(group.end, turn);
        Some((
            group.end,
            Outgoing {
                turn_id: id,
                arm: index,
                request,
            },
        ))
    }

    /// The index of turn `id` (arm `arm`, 0 for a plain turn).
    pub fn index_of(&self, id: u64, arm: u32) -> Option<usize> {
        (self.conversation.turns.iter()).rposition(|t| t.id == id && t.arm_index() == arm)
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
