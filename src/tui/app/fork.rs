//! `/fork [N]`: a new session holding the first N exchanges of the open one (default: all),
//! made by the store ([`PersistOp::Fork`]) and opened when it comes back ([`Event::Forked`]).
//!
//! Invariants: the exchanges are numbered as the exports and the store number them (a
//! comparison is one, see [`Conversation::exchange_count`]); a fork is asked for only of a
//! session the store holds, while nothing streams, for an N that exists — anything else is
//! a notice and no effect; the session forked from is never changed.
//!
//! [`Event::Forked`]: super::Event::Forked
//! [`Conversation::exchange_count`]: crate::conversation::Conversation::exchange_count

use super::{App, Effect, PersistOp, Persistence};
use crate::conversation::Turn;
use crate::store::ForkOrigin;

impl App {
    /// `/fork [N]`.
    pub(super) fn fork(&mut self, arg: &str) -> Vec<Effect> {
        let session = match &self.persistence {
            Persistence::Off(why) => {
                self.notice = Some(format!("cannot fork: persistence is off ({why})"));
                return Vec::new();
            }
            Persistence::On { session, .. } => *session,
        };
        if self.is_streaming() {
            self.notice = Some("an answer is still streaming: Esc cancels it first".into());
            return Vec::new();
        }
        let count = self.session.conversation.exchange_count();
        let Some(from) = session.filter(|_| count > 0) else {
            self.notice = Some("nothing to fork yet: this session has no saved turn".into());
            return Vec::new();
        };
        let upto = if arg.is_empty() {
            count
        } else {
            match arg.parse::<usize>() {
                Ok(0) => {
                    self.notice = Some("turns count from 1: /fork 1 keeps the first".into());
                    return Vec::new();
                }
                Ok(n) if n > count => {
                    let turns = if count == 1 { "turn" } else { "turns" };
                    self.notice = Some(format!(
                        "there is no turn {n}: this session has {count} {turns}"
                    ));
                    return Vec::new();
                }
                Ok(n) => n,
                Err(_) => {
                    self.notice = Some(format!(
                        "/fork takes a turn number (1-{count}), not \"{arg}\""
                    ));
                    return Vec::new();
                }
            }
        };
        self.notice = Some(format!("forking at turn {upto}…"));
        let upto = u32::try_from(upto).unwrap_or(u32::MAX);
        self.persist(PersistOp::Fork { from, upto })
    }

    /// The store made the fork: it is the open session now.
    pub(super) fn forked(&mut self, id: i64, title: String, turns: Vec<Turn>, from: ForkOrigin) {
        self.open_session(id, title, turns);
        self.notice = Some(format!(
            "session #{id} is a {from}: new turns go here, #{} is unchanged",
            from.session
        ));
    }
}
