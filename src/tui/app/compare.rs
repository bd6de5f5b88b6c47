//! Comparisons in the TUI: the compare set (`/compare`, `/sweep`, the picker's marks), sending
//! one prompt to every arm, the arms' streams, cancelling, retrying failed arms and keeping
//! one arm's answer.
//!
//! Invariants:
//! - every arm's turn is saved before any request leaves; each arm is flushed at most every
//!   [`FLUSH_EVERY`] while it streams and always when it ends;
//! - at most `settings.compare.concurrency` arms are in flight; the others wait in order and
//!   an arm's times count from when its request leaves;
//! - an arm cancelled (or stopped by a signal) before its request left is recorded as never
//!   sent (nothing billed);
//! - the exchange stays active (`App::active`) until its last arm ends.

use super::turns::Stop;
use super::{App, Effect, FLUSH_EVERY, Overlay, ms_between};
use crate::api::{ApiError, Endpoint, StreamEvent};
use crate::compare::{self, Arm, TUI_ARMS};
use crate::conversation::TurnState;
use crate::session::Outgoing;
use crate::tui::component::ArmRun;
use crate::tui::confirm::Confirm;
use std::time::Instant;

/// What a set of resolved arms is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArmsFor {
    /// The compare set for the next prompts.
    Set,
    /// Sending the last comparison's failed or cancelled arms again.
    Retry,
}

/// Arms resolved in the background (compared by label, provider, model and effort).
#[derive(Debug)]
pub struct ResolvedArms(pub Vec<Arm>);

impl PartialEq for ResolvedArms {
    fn eq(&self, other: &ResolvedArms) -> bool {
        let key = |a: &Arm| {
            let s = &a.settings;
            (
                a.label.clone(),
                s.endpoint.provider.clone(),
                s.model.clone(),
                s.effort.clone(),
            )
        };
        self.0.iter().map(key).eq(other.0.iter().map(key))
    }
}

/// The comparison state of the workbench.
#[derive(Clone, Debug, Default)]
pub struct CompareState {
    /// The arms each prompt goes to; `None` sends to the current model alone.
    pub set: Option<Vec<Arm>>,
    /// Arms of the comparison being streamed (in flight, waiting, or ended).
    pub runs: Vec<ArmRun>,
    /// Every arm resolved this run, for Alt+R.
    known: Vec<Arm>,
    /// The arm shown in the tabs layout (and the first column shown when they page).
    pub tab: usize,
}

impl App {
    /// `/compare ARM ARM…` sets the compare set, `/compare off` clears it, `/compare` says
    /// what it is.
    pub(super) fn compare_command(&mut self, arg: &str) -> Vec<Effect> {
        let words: Vec<String> = arg.split_whitespace().map(str::to_string).collect();
        match words.as_slice() {
            [] => {
                self.notice = Some(match &self.compare.set {
                    Some(arms) => format!("comparing {} · /compare off ends it", compare::labels(arms)),
                    None => "/compare ARM ARM… (2 to 6, e.g. o3-mini@low o3-mini@high gpt-4o) · /sweep for every effort".to_string(),
                });
                Vec::new()
            }
            [off] if off == "off" => {
                self.compare.set = None;
                self.notice = Some(format!(
                    "back to one model: {}",
                    self.session.settings.model
                ));
                Vec::new()
            }
            _ if !TUI_ARMS.contains(&words.len()) => {
                self.notice = Some(format!(
                    "a comparison takes 2 to 6 arms; {} given",
                    words.len()
                ));
                Vec::new()
            }
            _ => {
                self.notice = Some(format!("checking {} arms…", words.len()));
                vec![Effect::ResolveArms {
                    arms: words,
                    then: ArmsFor::Set,
                }]
            }
        }
    }

    /// `/sweep [LEVEL…]`: the current model at each level (every level it accepts).
    pub(super) fn sweep_command(&mut self, arg: &str) {
        let levels: Vec<String> = arg.split_whitespace().map(str::to_string).collect();
        match compare::sweep_arms(&self.session.settings, &levels) {
            Ok(arms) => self.set_compare(arms),
            Err(why) => self.notice = Some(why),
        }
    }

    fn set_compare(&mut self, arms: Vec<Arm>) {
        if !TUI_ARMS.contains(&arms.len()) {
            self.notice = Some(format!(
                "a comparison takes 2 to 6 arms; {} given ({})",
                arms.len(),
                compare::labels(&arms)
            ));
            return;
        }
        self.remember(&arms);
        self.notice = Some(format!(
            "each prompt now goes to {} · /compare off ends it",
            compare::labels(&arms)
        ));
        self.compare.set = Some(arms);
    }

    fn remember(&mut self, arms: &[Arm]) {
        for arm in arms {
            self.compare.known.retain(|k| k.label != arm.label);
            self.compare.known.push(arm.clone());
        }
    }

    /// Arms resolved in the background (or why not).
    pub(super) fn arms_resolved(
        &mut self,
        result: Result<Vec<Arm>, String>,
        then: ArmsFor,
        now: Instant,
    ) -> Vec<Effect> {
        match (result, then) {
            (Err(why), _) => {
                self.notice = Some(why);
                Vec::new()
            }
            (Ok(arms), ArmsFor::Set) => {
                self.set_compare(arms);
                Vec::new()
            }
            (Ok(arms), ArmsFor::Retry) => {
                self.remember(&arms);
                self.retry_arms(now)
            }
        }
    }

    /// Enter with a compare set: ask first when the least it can cost is above the limit.
    pub(super) fn send_to_set(&mut self, now: Instant) -> Vec<Effect> {
        let Some(arms) = self.compare.set.clone() else {
            return Vec::new();
        };
        // Refused before anything leaves; the draft stays.
        if let Some((arm, why)) = (arms.iter()).find_map(|a| Some((a, a.settings.missing_key()?))) {
            self.notice = Some(format!("arm {}: {why}", arm.label));
            return Vec::new();
        }
        let draft = super::commands::unescape(self.draft());
        let history = self.session.conversation.history();
        let tokens = crate::conversation::estimate_request_tokens(&crate::session::request_with(
            &self.session.settings,
            history,
            &draft,
            &[],
        ));
        let (cost, unknown) = compare::min_cost(&arms, tokens);
        if cost > self.session.settings.compare.confirm_usd {
            self.overlay = Some(Overlay::Confirm(Confirm::new(
                compare::labels(&arms),
                arms.len(),
                tokens,
                cost,
                unknown,
                self.session.settings.compare.confirm_usd,
            )));
            return Vec::new();
        }
        self.confirmed_send(now)
    }

    /// Send the draft to every arm of the compare set (after any confirmation).
    pub(super) fn confirmed_send(&mut self, now: Instant) -> Vec<Effect> {
        let Some(arms) = self.compare.set.clone() else {
            return Vec::new();
        };
        if self.is_streaming() {
            return Vec::new();
        }
        let prompt = super::commands::unescape(self.composer.take_sent());
        self.before_start();
        let outgoing = self.session.start_comparison(prompt, &arms, 1);
        self.compare.tab = 0;
        let endpoints: Vec<Endpoint> = arms.iter().map(|a| a.settings.endpoint.clone()).collect();
        self.launch(outgoing, endpoints, now)
    }

    /// Save the new arms and send the first of them (as many as may be in flight).
    fn launch(
        &mut self,
        outgoing: Vec<Outgoing>,
        endpoints: Vec<Endpoint>,
        now: Instant,
    ) -> Vec<Effect> {
        let mut effects = Vec::new();
        let Some(first) = outgoing.first() else {
            return effects;
        };
        self.active = Some((first.turn_id, now));
        if let Some(idx) = self.session.index_of(first.turn_id, first.arm) {
            self.touch(self.session.conversation.group(idx).start);
        }
        for (out, endpoint) in outgoing.into_iter().zip(endpoints) {
            if let Some(idx) = self.session.index_of(out.turn_id, out.arm) {
                effects.extend(self.save(idx));
            }
            self.compare.runs.push(ArmRun {
                turn_id: out.turn_id,
                arm: out.arm,
                sent: None,
                waiting: Some((Box::new(endpoint), out.request)),
                done: false,
                last_flush: None,
                retry: None,
            });
        }
        effects.extend(self.send_waiting(now));
        effects
    }

    /// Send waiting arms while fewer than the limit are in flight.
    fn send_waiting(&mut self, now: Instant) -> Vec<Effect> {
        let limit = self.session.settings.compare.concurrency.max(1);
        let mut effects = Vec::new();
        loop {
            let in_flight = (self.compare.runs.iter())
                .filter(|r| r.sent.is_some() && !r.done)
                .count();
            if in_flight >= limit {
                break;
            }
            let Some(run) = self.compare.runs.iter_mut().find(|r| r.waiting.is_some()) else {
                break;
            };
            let Some((endpoint, request)) = run.waiting.take() else {
                break;
            };
            run.sent = Some(now);
            run.last_flush = Some(now);
            effects.push(Effect::StartArm {
                turn_id: run.turn_id,
                arm: run.arm,
                endpoint,
                request,
            });
        }
        effects
    }

    /// A wire event of one arm.
    pub(super) fn on_arm_stream(
        &mut self,
        turn_id: u64,
        arm: u32,
        event: StreamEvent,
        at: Instant,
    ) -> Vec<Effect> {
        let Some(pos) = (self.compare.runs.iter())
            .position(|r| r.turn_id == turn_id && r.arm == arm && !r.done)
        else {
            return Vec::new();
        };
        let Some(idx) = self.session.index_of(turn_id, arm) else {
            return Vec::new();
        };
        self.touch(self.session.conversation.group(idx).start);
        let run = &mut self.compare.runs[pos];
        let sent = run.sent.unwrap_or(at);
        match &event {
            StreamEvent::Retrying(notice) => {
                run.retry = Some((notice.clone(), at));
                return Vec::new();
            }
            StreamEvent::RateLimit(info) => self.rate_limit = Some(info.clone()),
            _ => run.retry = None,
        }
        let terminal = event.is_terminal();
        let text = matches!(
            event,
            StreamEvent::TextDelta(_) | StreamEvent::ReasoningDelta(_)
        );
        self.session.conversation.turns[idx].apply(event, ms_between(sent, at));
        let run = &mut self.compare.runs[pos];
        let due = run
            .last_flush
            .is_none_or(|t| at.saturating_duration_since(t) >= FLUSH_EVERY);
        let mut effects = Vec::new();
        if terminal || (text && due) {
            run.last_flush = Some(at);
            effects.extend(self.save(idx));
        }
        if terminal {
            self.compare.runs[pos].done = true;
            effects.extend(self.send_waiting(at));
            if self.compare.runs.iter().all(|r| r.done) {
                self.compare.runs.clear();
                self.active = None;
                effects.extend(self.show_others());
            }
        }
        effects
    }

    /// Esc on a comparison (or a signal: see [`Stop`]): every arm still streaming is stopped
    /// (what arrived stays); an arm still waiting is recorded as never sent.
    pub(super) fn stop_arms(&mut self, now: Instant, how: Stop) -> Vec<Effect> {
        let mut effects = Vec::new();
        let runs = std::mem::take(&mut self.compare.runs);
        for run in runs.iter().filter(|r| !r.done) {
            let Some(idx) = self.session.index_of(run.turn_id, run.arm) else {
                continue;
            };
            let turn = &mut self.session.conversation.turns[idx];
            match run.sent {
                Some(sent) => how.apply(turn, ms_between(sent, now)),
                None => turn.apply(StreamEvent::Failed(ApiError::message(how.before_sent())), 0),
            }
            effects.extend(self.save(idx));
        }
        if let Some(run) = runs.first() {
            if let Some(idx) = self.session.index_of(run.turn_id, run.arm) {
                self.touch(self.session.conversation.group(idx).start);
            }
            effects.push(Effect::Cancel(run.turn_id));
        }
        effects
    }

    /// The last exchange's arms that can be sent again: failed, cut off or cancelled ones.
    fn broken_arms(&self) -> Vec<usize> {
        let conv = &self.session.conversation;
        let Some(last) = conv.turns.len().checked_sub(1) else {
            return Vec::new();
        };
        if conv.turns[last].arm.is_none() {
            return Vec::new();
        }
        conv.shown_arms(conv.group(last))
            .into_iter()
            .filter(|&i| {
                let state = &conv.turns[i].state;
                state.is_broken() || *state == TurnState::Cancelled
            })
            .collect()
    }

    /// Whether the last exchange is a comparison.
    pub(super) fn last_is_comparison(&self) -> bool {
        (self.session.conversation.turns.last()).is_some_and(|t| t.arm.is_some())
    }

    /// Alt+R on a comparison: send its failed and cancelled arms again (each a new attempt;
    /// the old one stays, stored and billed). Arms not resolved this run are resolved first.
    pub(super) fn retry_arms(&mut self, now: Instant) -> Vec<Effect> {
        if self.is_streaming() {
            return Vec::new();
        }
        let broken = self.broken_arms();
        if broken.is_empty() {
            self.notice = Some("nothing to retry: every arm of the comparison finished".into());
            return Vec::new();
        }
        let turns = &self.session.conversation.turns;
        let labels: Vec<String> = broken.iter().map(|&i| turns[i].arm_label()).collect();
        let missing: Vec<String> = (labels.iter())
            .filter(|l| !self.compare.known.iter().any(|k| &k.label == *l))
            .cloned()
            .collect();
        if !missing.is_empty() {
            self.notice = Some(format!("checking {}…", missing.join(", ")));
            return vec![Effect::ResolveArms {
                arms: missing,
                then: ArmsFor::Retry,
            }];
        }
        let mut outgoing = Vec::new();
        let mut endpoints = Vec::new();
        // A retry goes after the comparison's last arm, so no arm still to retry moves.
        for (&idx, label) in broken.iter().zip(&labels) {
            let Some(arm) = self
                .compare
                .known
                .iter()
                .find(|k| &k.label == label)
                .cloned()
            else {
                continue;
            };
            if let Some((_, out)) = self.session.retry_arm(idx, &arm.settings) {
                outgoing.push(out);
                endpoints.push(arm.settings.endpoint.clone());
            }
        }
        self.before_start();
        self.notice = Some(format!("sending {} again", labels.join(", ")));
        self.launch(outgoing, endpoints, now)
    }

    /// `/keep N` or a digit on an empty composer: keep arm N of the last comparison.
    pub(super) fn keep_arm(&mut self, n: usize) -> Vec<Effect> {
        let conv = &self.session.conversation;
        let Some(last) = conv
            .turns
            .len()
            .checked_sub(1)
            .filter(|_| self.last_is_comparison())
        else {
            self.notice = Some("no comparison to keep an answer from".into());
            return Vec::new();
        };
        let group = conv.group(last);
        let shown = conv.shown_arms(group.clone());
        let Some(&idx) = n.checked_sub(1).and_then(|i| shown.get(i)) else {
            self.notice = Some(format!("the comparison has arms 1 to {}", shown.len()));
            return Vec::new();
        };
        self.compare.tab = n - 1;
        self.touch(group.start);
        if self.is_streaming() {
            return Vec::new();
        }
        let turn = &self.session.conversation.turns[idx];
        if turn.state != TurnState::Done || turn.answer.trim().is_empty() {
            self.notice = Some(format!(
                "arm {n} ({}) has no finished answer to keep",
                turn.arm_label()
            ));
            return Vec::new();
        }
        let label = turn.arm_label();
        let changed = self.session.conversation.keep_arm(idx);
        self.notice = Some(format!(
            "kept arm {n} ({label}): the conversation goes on from its answer"
        ));
        changed.into_iter().flat_map(|i| self.save(i)).collect()
    }

    /// ←/→ on an empty composer: the next or previous arm of the last comparison.
    pub(super) fn step_tab(&mut self, forward: bool) -> bool {
        if !self.last_is_comparison() {
            return false;
        }
        let conv = &self.session.conversation;
        let last = conv.turns.len() - 1;
        let group = conv.group(last);
        let count = conv.shown_arms(group.clone()).len().max(1);
        self.compare.tab = if forward {
            (self.compare.tab + 1) % count
        } else {
            (self.compare.tab + count - 1) % count
        };
        self.touch(group.start);
        true
    }
}
