//! The yes/no prompts: before an expensive comparison (what would be sent, the least it costs
//! — every arm's input at its price; output comes on top — and the limit it is above; `y` or
//! Enter sends with [`Command::ConfirmSend`]), and before quitting with turns the store has
//! not written yet (`y` or Enter quits with [`Command::ConfirmQuit`]). `n` or Esc goes back
//! with nothing lost.

use super::component::{Command, Component, Ctx, Outcome, popup};
use crate::usage;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

#[derive(Clone, Debug, PartialEq)]
pub struct Confirm {
    question: Question,
}

#[derive(Clone, Debug, PartialEq)]
enum Question {
    Send(Send),
    /// Quit although `unsaved` turns wait to be written, the store failing with `error`.
    Quit {
        unsaved: usize,
        error: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
struct Send {
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
            question: Question::Send(Send {
                labels,
                arms,
                input_tokens,
                cost,
                cost_unknown,
                limit,
            }),
        }
    }

    /// Ask before quitting with `unsaved` turns not yet written (the store says `error`).
    pub fn quit(unsaved: usize, error: String) -> Confirm {
        Confirm {
            question: Question::Quit { unsaved, error },
        }
    }
}

impl Component for Confirm {
    fn handle_key(&mut self, key: KeyEvent) -> Outcome {
        match key.code {
            KeyCode::Char('y' | 'Y') | KeyCode::Enter => Outcome::CloseWith(match self.question {
                Question::Send(_) => Command::ConfirmSend,
                Question::Quit { .. } => Command::ConfirmQuit,
            }),
            KeyCode::Char('n' | 'N') | KeyCode::Esc => Outcome::Close,
            _ => Outcome::Stay,
        }
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        match &self.question {
            Question::Send(send) => send.render(ctx, frame, area),
            Question::Quit { unsaved, error } => {
                let t = ctx.theme;
                let turns = if *unsaved == 1 {
                    "turn is"
                } else {
                    "turns are"
                };
                let lines = vec![
                    Line::from(Span::styled(
                        format!("{unsaved} {turns} not saved yet: the store is still retrying."),
                        t.assistant,
                    )),
                    Line::from(Span::styled(
                        crate::text::sanitize(error).into_owned(),
                        t.error,
                    )),
                    Line::default(),
                    Line::from(Span::styled(
                        "Quit now and lose them? (one last attempt is made)",
                        t.assistant,
                    )),
                    Line::default(),
                    Line::from(Span::styled("y / Enter quit · n / Esc stay", t.usage)),
                ];
                let size = (64, lines.len() as u16 + 4);
                let inner = popup(frame, area, size, " quit · unsaved turns ", t.border);
                frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
            }
        }
    }
}

impl Send {
    fn render(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let t = ctx.theme;
        let cost = usage::dollars_total(self.cost, self.cost_unknown, false);
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
