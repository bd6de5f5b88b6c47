//! What every TUI component shares: the read-only [`Ctx`] it draws from, the [`Outcome`] of a
//! key, and the [`Component`] interface.
//!
//! A component is one folder under `tui/` holding its state, its key handling and its
//! drawing. Invariants every component keeps:
//! - it knows nothing of `App` (nor of other components): it reads what it needs from a
//!   [`Ctx`] and says what it wants done as an [`Outcome`], which the app applies;
//! - `render` takes `&self`: drawing never changes state, and draws at any size (down to
//!   1x1) without panicking.

use super::theme::Theme;
use crate::api::{ChatRequest, Endpoint, RateLimitInfo, RetryNotice};
use crate::session::{Arm, Session};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use std::time::Instant;

/// What a component may read while drawing: the theme, the session (settings and turns) and
/// the live state of the streaming turn.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub theme: &'a Theme,
    pub session: &'a Session,
    /// The time of the last event (elapsed-time displays count from it).
    pub now: Instant,
    /// The turn being streamed, and when it was sent.
    pub active: Option<(u64, Instant)>,
    /// The latest rate-limit state a server reported.
    pub rate_limit: Option<&'a RateLimitInfo>,
    /// The streaming turn is waiting to retry: the notice and when it arrived.
    pub retry: Option<&'a (RetryNotice, Instant)>,
    /// The arms of the comparison being streamed.
    pub arms: &'a [ArmRun],
    /// The compare set each prompt goes to, if any.
    pub compare_set: Option<&'a [Arm]>,
    /// The arm shown in a comparison's tabs (or the first of its page of columns).
    pub compare_tab: usize,
}

/// One arm of the comparison in flight: the live state its column and the meter show.
#[derive(Clone, Debug)]
pub struct ArmRun {
    pub turn_id: u64,
    pub arm: u32,
    /// When its request left; `None` while it waits for a slot.
    pub sent: Option<Instant>,
    /// The request, until it leaves.
    pub waiting: Option<(Box<Endpoint>, ChatRequest)>,
    pub done: bool,
    pub last_flush: Option<Instant>,
    /// The arm is waiting to retry: the notice and when it arrived.
    pub retry: Option<(RetryNotice, Instant)>,
}

impl Ctx<'_> {
    /// Arm `arm` of comparison `turn_id` while it streams: its elapsed milliseconds (0 while
    /// it waits for a slot) and whether its request has left.
    pub fn arm_elapsed(&self, turn_id: u64, arm: u32) -> Option<(u64, bool)> {
        let run = self
            .arms
            .iter()
            .find(|r| r.turn_id == turn_id && r.arm == arm && !r.done)?;
        Some(match run.sent {
            Some(sent) => {
                let ms = self.now.saturating_duration_since(sent).as_millis();
                (u64::try_from(ms).unwrap_or(u64::MAX), true)
            }
            None => (0, false),
        })
    }

    /// The streaming turn's id and its elapsed milliseconds.
    pub fn active_elapsed(&self) -> Option<(u64, u64)> {
        self.active.map(|(id, sent)| {
            let ms = self.now.saturating_duration_since(sent).as_millis();
            (id, u64::try_from(ms).unwrap_or(u64::MAX))
        })
    }
}

/// Something a component asks the app to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Switch to `[provider/]model` from the next turn.
    SwitchModel(String),
    /// Use this reasoning effort from the next turn.
    SetEffort(String),
    /// Show turn `idx` at the top of the conversation.
    JumpTo(usize),
    OpenSession(i64),
    DeleteSession(i64),
    /// List the stored sessions matching the text (all when empty).
    SearchSessions(String),
    /// Compare these `[provider/]model` arms from the next prompt.
    Compare(Vec<String>),
    /// Send the draft to the compare set (the person confirmed the cost).
    ConfirmSend,
    /// Quit although turns are not saved yet.
    ConfirmQuit,
}

/// What a key did to a component.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The key was used (or ignored); the component stays open.
    Stay,
    /// The component is done; close it.
    Close,
    /// Close the component, then run the command.
    CloseWith(Command),
    /// Run the command and stay open.
    Run(Command),
}

/// The interface every overlay component implements (the panes implement the same shape
/// with the extra inputs they need).
pub trait Component {
    /// Handle one key.
    fn handle_key(&mut self, key: KeyEvent) -> Outcome;
    /// Draw into `area` (the whole screen for an overlay).
    fn render(&self, ctx: &Ctx, frame: &mut Frame, area: Rect);
}

/// A popup of `width` x `height` (clipped to `area`) centred in `area`, cleared, framed and
/// titled; returns the area inside the frame.
pub fn popup(
    frame: &mut Frame,
    area: Rect,
    (width, height): (u16, u16),
    title: &str,
    border: ratatui::style::Style,
) -> Rect {
    use ratatui::widgets::{Block, Borders, Clear};
    let (width, height) = (width.min(area.width), height.min(area.height));
    let outer = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, outer);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(title.to_string());
    let inner = block.inner(outer);
    frame.render_widget(block, outer);
    inner
}

/// `text` cut to `width` display columns (ending in `…` when `ellipsis` and something was
/// cut).
pub fn cut(text: &str, width: usize, ellipsis: bool) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if text.width() <= width {
        return text.to_string();
    }
    let room = if ellipsis {
        width.saturating_sub(1)
    } else {
        width
    };
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        out.push(ch);
        used += w;
    }
    if ellipsis && width > 0 {
        out.push('…');
    }
    out
}
