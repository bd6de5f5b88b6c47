//! The confirm prompt before an expensive comparison: what would be sent, the least it costs
//! (every arm's input at its price; output comes on top) and the limit it is above.
//! `y` or Enter sends ([`Command::ConfirmSend`]); `n` or Esc goes back with the draft kept.

use super::component::{Command, Component, Ctx, Outcome, popup};
use crate::usage;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

#[derive(Clone, Debug, PartialEq)]
pub struct Confirm {
    labels: String,
    arms: usize,
    input_tokens: u64,
    cost: f64,
    cost_unknown: bool,
    limit: f64,
}

impl Confirm {
    pub fn new(
        labels: String,
        arms: usize,
        input_tokens: u64,
        cost: f64,
        cost_unknown: bool,
        limit: f64,
    ) -> Confirm {
        Confirm {
            labels,
            arms,
            input_tokens,
            cost,
            cost_unknown,
            limit,
        }
    }
}

impl Component for Confirm {
    fn handle_key(&mut self, key: KeyEvent) -> Outcome {
        match key.code {
            KeyCode::Char('y' | 'Y') | KeyCode::Enter => Outcome::CloseWith(Command::ConfirmSend),
            KeyCode::Char('n' | 'N') | KeyCode::Esc => Outcome::Close,
            _ => Outcome::Stay,
        }
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let t = ctx.theme;
        let cost = usage::dollars_partial(self.cost, self.cost_unknown);
        let lines = vec![
            Line::from(Span::styled(
                format!("Send this prompt to {} arms?", self.arms),
                t.assistant,
            )),
            Line::from(Span::styled(self.labels.clone(), t.accent)),
            Line::default(),
            Line::from(Span::styled(
                format!(
                    "at least {cost}: ~{} input tokens per arm, before any output",
                    usage::thousands(self.input_tokens)
                ),
                t.error,
            )),
            Line::from(Span::styled(
                format!(
                    "(asks above {}; compare_confirm_usd in config.toml)",
                    usage::dollars(Some(self.limit))
                ),
                t.usage,
            )),
            Line::default(),
            Line::from(Span::styled("y / Enter send · n / Esc back", t.usage)),
        ];
        let size = (64, lines.len() as u16 + 4);
        let inner = popup(frame, area, size, " compare · confirm ", t.border);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }
}
