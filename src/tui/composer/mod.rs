//! The composer component: the multi-line text being written, the prompts sent before (Up
//! and Down recall them), and the box it is drawn in.
//!
//! Invariants: nothing the person typed is lost — a sent prompt stays in the history, and a
//! draft set aside by recalling comes back after the newest prompt; the composer grows with
//! its text up to a third of the screen; the text is styled once, at construction, from the
//! theme (the text area keeps its own styles).

use super::component::Ctx;
use super::theme::Theme;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Block, Borders};
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

const PLACEHOLDER: &str = "Ask anything  (Enter sends · Alt+Enter newline)";

#[derive(Debug)]
pub struct Composer {
    text: TextArea<'static>,
    /// Prompts sent (and drafts set aside), oldest first.
    history: Vec<String>,
    /// Index into `history` while recalling with Up/Down.
    recall: Option<usize>,
    /// The draft that was in the composer when recalling started.
    stashed: String,
    placeholder: Style,
    style: Style,
}

impl Composer {
    pub fn new(theme: &Theme) -> Composer {
        let mut composer = Composer {
            text: TextArea::default(),
            history: Vec::new(),
            recall: None,
            stashed: String::new(),
            placeholder: theme.usage,
            style: theme.user,
        };
        composer.style();
        composer
    }

    fn style(&mut self) {
        self.text.set_cursor_line_style(Style::default());
        self.text.set_placeholder_text(PLACEHOLDER);
        self.text.set_placeholder_style(self.placeholder);
        self.text.set_style(self.style);
        self.text.set_wrap_mode(WrapMode::WordOrGlyph);
    }

    /// The text being written.
    pub fn draft(&self) -> String {
        self.text.lines().join("\n")
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Lines of text (for the composer's height).
    pub fn line_count(&self) -> usize {
        self.text.lines().len()
    }

    /// Replace the text, with the cursor at its end.
    pub fn set_draft(&mut self, text: &str) {
        let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        self.text = TextArea::new(lines);
        self.style();
        self.text.move_cursor(CursorMove::Bottom);
        self.text.move_cursor(CursorMove::End);
    }

    /// An editing key (typing, cursor movement, deleting).
    pub fn input(&mut self, key: KeyEvent) {
        self.recall = None;
        self.text.input(key);
    }

    /// A key the text area handles without leaving recall (Up/Down inside a long text).
    pub fn move_in_text(&mut self, key: KeyEvent) {
        self.text.input(key);
    }

    pub fn insert_newline(&mut self) {
        self.text.insert_newline();
    }

    /// Pasted text, line breaks normalised.
    pub fn paste(&mut self, text: &str) {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        self.recall = None;
        self.text.insert_str(text);
    }

    pub fn is_recalling(&self) -> bool {
        self.recall.is_some()
    }

    /// The text is being sent: remember it and empty the composer.
    pub fn take_sent(&mut self) -> String {
        let prompt = self.draft();
        self.recall = None;
        self.stashed.clear();
        self.remember(&prompt);
        self.set_draft("");
        prompt
    }

    /// Add a prompt to the history (once, if it repeats the last one).
    pub fn remember(&mut self, prompt: &str) {
        if self.history.last().map(String::as_str) != Some(prompt) {
            self.history.push(prompt.to_string());
        }
    }

    /// Up: the prompt before the one shown (the newest first).
    pub fn recall_prev(&mut self) {
        if self.history.is_empty() {
            return;
        }
        let idx = match self.recall {
            None => {
                self.stashed = self.draft();
                self.history.len() - 1
            }
            Some(i) => i.saturating_sub(1),
        };
        self.recall = Some(idx);
        let text = self.history[idx].clone();
        self.set_draft(&text);
    }

    /// Down: the next prompt, and after the newest the draft that was set aside.
    pub fn recall_next(&mut self) {
        let Some(i) = self.recall else { return };
        if i + 1 < self.history.len() {
            self.recall = Some(i + 1);
            let text = self.history[i + 1].clone();
            self.set_draft(&text);
        } else {
            self.recall = None;
            let draft = std::mem::take(&mut self.stashed);
            self.set_draft(&draft);
        }
    }

    /// Rows the composer wants on a screen `height` rows high: its text plus the border,
    /// at least 2, at most a third of the screen, and always leaving the status line.
    pub fn wanted_height(&self, height: u16) -> u16 {
        let text_rows = u16::try_from(self.line_count()).unwrap_or(u16::MAX);
        let max = (height / 3).max(3);
        text_rows
            .saturating_add(1)
            .clamp(2, max)
            .min(height.saturating_sub(1))
    }

    /// Draw with `title` on the top border.
    pub fn render(&self, ctx: &Ctx, title: &str, frame: &mut Frame, area: Rect) {
        let block = Block::default()
            .borders(Borders::TOP)
            .border_style(ctx.theme.border)
            .title(title.to_string());
        let inner = block.inner(area);
        let inner = Rect {
            x: inner.x.saturating_add(1),
            width: inner.width.saturating_sub(2),
            ..inner
        };
        frame.render_widget(block, area);
        frame.render_widget(&self.text, inner);
    }
}
