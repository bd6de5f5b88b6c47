//! Turns: sending a prompt, the stream of its answer, cancelling, retrying, quitting, and
//! stopping on a signal.
//!
//! Invariants: the prompt is saved before its request leaves; a streaming answer is saved
//! at most every [`FLUSH_EVERY`] and always when it ends — cancelled, or interrupted when
//! thinkbench is told to stop ([`Event::Terminate`](super::Event::Terminate)), with every
//! delta received — so only a crash or `kill -9` loses anything, at most the last half
//! second; events of a turn that is no longer active are ignored; a turn that ends by itself
//! without usage reported is then counted by the server's tokenizer, where it has one
//! (`count`).

use super::{App, Effect, FLUSH_EVERY, Overlay, ms_between};
use crate::api::{OUT_OF_CREDIT, StreamEvent};
use crate::conversation::{Turn, TurnState};
use crate::tui::confirm::Confirm;
use crate::tui::conversation::cache::thinking_visible;
use std::time::Instant;

/// How a streaming turn is stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stop {
    /// The person cancelled it (Esc, quitting).
    Cancel,
    /// thinkbench was told to stop (a signal, its terminal gone).
    Interrupt,
}

impl Stop {
    /// Stop `turn`, `at_ms` after it was sent.
    pub(super) fn apply(self, turn: &mut Turn, at_ms: u64) {
        match self {
            Stop::Cancel => turn.cancel(at_ms),
            Stop::Interrupt => turn.interrupt(at_ms),
        }
    }

    /// The error of an arm that was still waiting for a slot.
    pub(super) fn before_sent(self) -> &'static str {
        match self {
            Stop::Cancel => "cancelled before it was sent (nothing billed)",
            Stop::Interrupt => "stopped before it was sent (nothing billed)",
        }
    }
}

impl App {
    pub(super) fn send(&mut self, now: Instant) -> Vec<Effect> {
        let prompt = self.draft();
        if prompt.trim().is_empty() {
            return Vec::new();
        }
        if let Some(effects) = self.command(&prompt) {
            return effects;
        }
        if self.is_streaming() {
            self.notice = Some("an answer is still streaming: Esc cancels it".to_string());
            return Vec::new();
        }
        if self.compare.set.is_some() && !self.composer.attachments().is_empty() {
            self.notice = Some(
                "attachments go with a single model for now: /detach them or clear the compare set"
                    .to_string(),
            );
            return Vec::new();
        }
        if self.compare.set.is_some() && self.editing.is_some() {
            self.notice = Some(
                "an edited turn goes to one model: /compare off first, or Esc to send it as a new turn"
                    .to_string(),
            );
            return Vec::new();
        }
        if self.compare.set.is_some() {
            return self.send_to_set(now);
        }
        // Files the prompt mentions are read first; the send comes back with them.
        if self.mentions_read_for.as_deref() != Some(prompt.as_str()) {
            let paths = crate::attach::mentions(&prompt);
            if !paths.is_empty() {
                self.notice = Some(format!("reading {}…", paths.join(", ")));
                let paths = paths.into_iter().map(Into::into).collect();
                return vec![Effect::ReadMentions {
                    draft: prompt,
                    paths,
                }];
            }
        }
        // Refused before anything leaves; the draft (and its attachments) stays.
        if let Some(why) =
            (self.session.settings.missing_key()).or_else(|| self.refused_attachments())
        {
            self.notice = Some(why);
            return Vec::new();
        }
        // The history keeps what was typed (`//text`); the model gets `/text`.
        let prompt = super::commands::unescape(self.composer.take_sent());
        let attachments = self.composer.take_attachments();
        let mut effects = self.supersede_edited();
        effects.extend(self.start(prompt, attachments, now));
        effects
    }

    /// Alt+R: the last turn failed or was cancelled; send its prompt again as a new turn.
    /// The retry replaces that attempt: the old turn stays for the record but is never sent
    /// back as history (a cancelled one becomes [`TurnState::Superseded`]), so the request
    /// carries exactly what came before it. An account out of credit is not retried: the
    /// notice says why.
    pub(super) fn retry(&mut self, now: Instant) -> Vec<Effect> {
        if self.is_streaming() {
            return Vec::new();
        }
        if self.last_is_comparison() {
            return self.retry_arms(now);
        }
        if let Some(why) = self.session.settings.missing_key() {
            self.notice = Some(why);
            return Vec::new();
        }
        let last = self.session.conversation.turns.len().checked_sub(1);
        let last = last.and_then(|idx| Some((idx, self.session.conversation.turns.get_mut(idx)?)));
        match last {
            Some((_, turn)) if matches!(&turn.state, TurnState::Failed(err) if err.is_out_of_credit()) =>
            {
                self.notice = Some(format!("not retried — {OUT_OF_CREDIT}"));
                Vec::new()
            }
            Some((idx, turn)) if turn.state.is_broken() || turn.state == TurnState::Cancelled => {
                let prompt = turn.prompt.clone();
                let attachments = turn.attachments.clone();
                let mut effects = Vec::new();
                if turn.state == TurnState::Cancelled {
                    turn.state = TurnState::Superseded;
                    self.touch(idx);
                    effects = self.save(idx);
                }
                effects.extend(self.start(prompt, attachments, now));
                effects
            }
            _ => {
                self.notice = Some("nothing to retry: the last turn did not fail".to_string());
                Vec::new()
            }
        }
    }

    /// What starting any exchange does to the view: notices go, the view follows the end.
    pub(super) fn before_start(&mut self) {
        self.notice = None;
        self.setup_hint = None;
        self.scroll.top = None;
        self.scroll.jump = None;
    }

    fn start(
        &mut self,
        prompt: String,
        attachments: Vec<crate::attach::Attachment>,
        now: Instant,
    ) -> Vec<Effect> {
        self.before_start();
        let (turn_id, request) = self.session.start_turn_with(prompt, attachments);
        let idx = self.session.conversation.turns.len() - 1;
        self.touch(idx);
        self.active = Some((turn_id, now));
        self.last_flush = Some(now);
        // The prompt is saved before the request leaves.
        let mut effects = self.save(idx);
        self.remember_sent(turn_id, &request);
        effects.push(Effect::StartTurn { turn_id, request });
        effects
    }

    pub(super) fn cancel(&mut self, now: Instant) -> Vec<Effect> {
        if !self.is_streaming() && self.editing.take().is_some() {
            self.notice = Some("not editing: the draft stays and goes as a new turn".into());
            return Vec::new();
        }
        self.stop_streaming(now, Stop::Cancel)
    }

    /// thinkbench must stop (a signal, or its terminal went away): what streams is saved as
    /// interrupted, with every delta received, then the app quits.
    pub(super) fn terminate(&mut self, now: Instant) -> Vec<Effect> {
        let mut effects = self.stop_streaming(now, Stop::Interrupt);
        effects.push(Effect::Quit);
        effects
    }

    /// Stop the turn (or every arm) streaming, keeping what arrived, and save it.
    fn stop_streaming(&mut self, now: Instant, how: Stop) -> Vec<Effect> {
        let Some((turn_id, sent)) = self.active.take() else {
            return Vec::new();
        };
        self.retry = None;
        self.sent = None;
        if !self.compare.runs.is_empty() {
            return self.stop_arms(now, how);
        }
        let at = ms_between(sent, now);
        if let Some(turn) = self.session.turn_mut(turn_id) {
            how.apply(turn, at);
        }
        let mut effects = vec![Effect::Cancel(turn_id)];
        if let Some(idx) = self.turn_index(turn_id) {
            self.touch(idx);
            effects.extend(self.save(idx));
        }
        effects.extend(self.show_others());
        effects
    }

    /// Quit, asking first while turns wait to be saved.
    pub(super) fn quit(&mut self, now: Instant) -> Vec<Effect> {
        if let Some(backlog) = &self.store_backlog
            && backlog.unsaved > 0
        {
            let ask = Confirm::quit(backlog.unsaved, backlog.error.clone());
            self.overlay = Some(Overlay::Confirm(ask));
            return Vec::new();
        }
        self.quit_now(now)
    }

    /// Cancel what streams (saving it as interrupted) and quit.
    pub(super) fn quit_now(&mut self, now: Instant) -> Vec<Effect> {
        let mut effects = self.cancel(now);
        effects.push(Effect::Quit);
        effects
    }

    /// Tab: show or hide the thinking of the latest turn that has some.
    pub(super) fn toggle_thinking(&mut self) {
        let turns = &self.session.conversation.turns;
        let Some(idx) = turns.iter().rposition(|t| !t.reasoning.is_empty()) else {
            self.notice = Some("no thinking to show in this conversation".to_string());
            return;
        };
        // A comparison's arms open and close together, keyed by its first arm.
        let at = self.session.conversation.group(idx).start;
        let open = thinking_visible(&self.thinking, at, &turns[idx]);
        let idx = at;
        self.thinking.insert(idx, !open);
        self.touch(idx);
    }

    pub(super) fn on_stream(
        &mut self,
        turn_id: u64,
        event: StreamEvent,
        at: Instant,
    ) -> Vec<Effect> {
        let Some((active_id, sent)) = self.active else {
            return Vec::new();
        };
        if active_id != turn_id {
            return Vec::new();
        }
        let Some(idx) = self.turn_index(turn_id) else {
            return Vec::new();
        };
        self.touch(idx);
        match &event {
            StreamEvent::Retrying(notice) => {
                self.retry = Some((notice.clone(), at));
                return Vec::new();
            }
            StreamEvent::RateLimit(info) => self.rate_limit = Some(info.clone()),
            _ => self.retry = None,
        }
        let terminal = event.is_terminal();
        let text = matches!(
            event,
            StreamEvent::TextDelta(_) | StreamEvent::ReasoningDelta(_)
        );
        self.session.conversation.turns[idx].apply(event, ms_between(sent, at));
        if terminal {
            self.active = None;
        }
        let due = self
            .last_flush
            .is_none_or(|t| at.saturating_duration_since(t) >= FLUSH_EVERY);
        if terminal || (text && due) {
            self.last_flush = Some(at);
            let mut effects = self.save(idx);
            if terminal {
                effects.extend(self.count_after(turn_id));
                effects.extend(self.show_others());
            }
            return effects;
        }
        Vec::new()
    }
}
