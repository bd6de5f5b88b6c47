//! The confirm prompt before an expensive comparison: what would be sent, the least it costs
//! (every arm's input at its price; output comes on top) and the limit it is above.
//! `y` or Enter sends ([`Command::ConfirmSend`]); `n` or Esc goes back with the draft kept.

use super::component::{Command, Component, Ctx, Outcome};
use crate::usage;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

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
        let width = 64.min(area.width);
        let height = (lines.len() as u16 + 4).min(area.height);
        let popup = Rect {
            x: area.x + (area.width - width) / 2,
            y: area.y + (area.height - height) / 2,
            width,
            height,
        };
        frame.render_widget(Clear, popup);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(t.border)
            .title(" compare · confirm ");
        let inner = block.inner(popup);
        frame.render_widget(block, popup);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }
}
