//! Runs of stream text folded into one event before the app sees them.
//!
//! A server may send an answer in deltas of a few bytes, faster than the screen keeps up;
//! queued as separate events they would cost far more memory than their text (about a
//! hundred bytes per delta), and an update each. So a request task's events wait in its
//! [`StreamQueue`], each delta folded into the one before it when both are the same kind of
//! text (answer or reasoning) of the same turn or arm, and the loop is told only when the
//! queue turns non-empty ([`Event::Queued`]). The app then sees the same text, in the same
//! order, stamped with the arrival time of its first part (the only use of a delta's arrival:
//! first text and first reasoning).
//!
//! Invariant: folding never reorders events and never merges across any other event.

use std::sync::{Arc, Mutex, MutexGuard};

use super::Event;
use crate::api::StreamEvent;

/// The events of one request task not taken yet, folded (see the module docs). Shared by the
/// task, which pushes, and the app, which takes.
#[derive(Clone, Debug, Default)]
pub struct StreamQueue(Arc<Mutex<Vec<Event>>>);

impl StreamQueue {
    /// Adds an event; true if the queue was empty (so the loop must be told).
    pub fn push(&self, event: Event) -> bool {
        let mut queue = self.lock();
        let was_empty = queue.is_empty();
        coalesce(&mut queue, event);
        was_empty
    }

    /// Everything queued, in order.
    pub fn take(&self) -> Vec<Event> {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Event>> {
        // Neither side panics while holding it; if one did, the events are still whole.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Two handles are equal when they share one queue.
impl PartialEq for StreamQueue {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Appends `next` to `burst`, folded into its last event if both are text of one kind for
/// the same turn (or arm).
fn coalesce(burst: &mut Vec<Event>, mut next: Event) {
    if let Some(last) = burst.last_mut()
        && key(last).is_some_and(|k| key(&next) == Some(k))
        && let (Some(text), Some(more)) = (text(last), text(&mut next))
    {
        text.push_str(more);
        return;
    }
    burst.push(next);
}

/// Which stream a text delta is of, and whether it is reasoning.
fn key(event: &Event) -> Option<(u64, Option<u32>, bool)> {
    let (turn_id, arm, event) = match event {
        Event::Stream { turn_id, event, .. } => (*turn_id, None, event),
        Event::ArmStream {
            turn_id,
            arm,
            event,
            ..
        } => (*turn_id, Some(*arm), event),
        _ => return None,
    };
    match event {
        StreamEvent::TextDelta(_) => Some((turn_id, arm, false)),
        StreamEvent::ReasoningDelta(_) => Some((turn_id, arm, true)),
        _ => None,
    }
}

/// A text delta's text.
fn text(event: &mut Event) -> Option<&mut String> {
    match event {
        Event::Stream { event, .. } | Event::ArmStream { event, .. } => match event {
            StreamEvent::TextDelta(text) | StreamEvent::ReasoningDelta(text) => Some(text),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::FinishReason;
    use std::time::{Duration, Instant};

    fn stream(turn_id: u64, event: StreamEvent, at: Instant) -> Event {
        Event::Stream { turn_id, event, at }
    }

    #[test]
    fn a_queue_folds_and_says_when_it_turned_non_empty() {
        let at = Instant::now();
        let queue = StreamQueue::default();
        let text = |s: &str| stream(1, StreamEvent::TextDelta(s.into()), at);
        assert!(queue.push(text("a")));
        assert!(!queue.push(text("b")));
        assert!(!queue.push(Event::Tick));
        assert_eq!(queue.take(), vec![text("ab"), Event::Tick]);
        assert!(queue.take().is_empty());
        assert!(queue.push(text("c")), "empty again once taken");
    }

    #[test]
    fn runs_of_one_kind_of_text_fold_in_order() {
        let t0 = Instant::now();
        let t1 = t0 + Duration::from_millis(5);
        let text = |s: &str| StreamEvent::TextDelta(s.into());
        let reasoning = |s: &str| StreamEvent::ReasoningDelta(s.into());
        let mut burst = Vec::new();
        for event in [
            stream(1, reasoning("th"), t0),
            stream(1, reasoning("ink"), t1),
            stream(1, text("an"), t0),
            stream(1, text("swer"), t1),
            // Another turn's text is kept apart.
            stream(2, text("other"), t1),
            stream(1, text(" more"), t1),
            Event::Tick,
            stream(1, text(" after"), t1),
            stream(1, StreamEvent::Finished(FinishReason::Stop), t1),
            stream(1, text("late"), t1),
        ] {
            coalesce(&mut burst, event);
        }
        let arm = |arm: u32, s: &str| Event::ArmStream {
            turn_id: 3,
            arm,
            event: text(s),
            at: t0,
        };
        coalesce(&mut burst, arm(0, "a"));
        coalesce(&mut burst, arm(0, "b"));
        coalesce(&mut burst, arm(1, "c"));
        assert_eq!(
            burst,
            vec![
                stream(1, reasoning("think"), t0),
                stream(1, text("answer"), t0),
                stream(2, text("other"), t1),
                stream(1, text(" more"), t1),
                Event::Tick,
                stream(1, text(" after"), t1),
                stream(1, StreamEvent::Finished(FinishReason::Stop), t1),
                stream(1, text("late"), t1),
                arm(0, "ab"),
                arm(1, "c"),
            ]
        );
    }
}
