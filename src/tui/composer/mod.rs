//! The composer component: the multi-line text being written, the prompts sent before (Up
//! and Down recall them), and the box it is drawn in.
//!
//! Invariants: nothing the person typed is lost — a sent prompt stays in the history, and a
//! draft set aside by recalling comes back after the newest prompt; the composer grows with
//! its text, counted in wrapped rows, up to a third of the screen, and says how many rows are
//! out of sight above and below; editing keys act on whole grapheme clusters (`edit`); the
//! text is styled once, at construction, from the theme (the text area keeps its own styles).

mod edit;

use super::component::Ctx;
use super::theme::Theme;
use crate::attach::Attachment;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Widget};
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
    /// Files and images that go with the next prompt (chips on the border).
    attachments: Vec<Attachment>,
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
            attachments: Vec::new(),
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

    /// Add `a` to the next prompt's attachments; `false` when the same file is there already.
    pub fn attach(&mut self, a: Attachment) -> bool {
        if self.attachments.iter().any(|b| b.hash == a.hash) {
            return false;
        }
        self.attachments.push(a);
        true
    }

    /// Take attachment `n` (from 1) off.
    pub fn detach(&mut self, n: usize) -> Option<Attachment> {
        let i = n.checked_sub(1).filter(|i| *i < self.attachments.len())?;
        Some(self.attachments.remove(i))
    }

    pub fn attachments(&self) -> &[Attachment] {
        &self.attachments
    }

    /// The attachments, which go with the prompt being sent.
    pub fn take_attachments(&mut self) -> Vec<Attachment> {
        std::mem::take(&mut self.attachments)
    }

    /// `1 notes.md 17 B · 2 plot.png 640x480 48 KB`, or that there are none.
    pub fn attachments_line(&self) -> String {
        if self.attachments.is_empty() {
            return "nothing attached: /attach PATH sends a file or image with the next prompt"
                .to_string();
        }
        let chips: Vec<String> = (self.attachments.iter().enumerate())
            .map(|(i, a)| format!("{} {}", i + 1, a.label()))
            .collect();
        chips.join(" · ")
    }

    /// The text being written.
    pub fn draft(&self) -> String {
        self.text.lines().join("\n")
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Lines of text (hard line breaks; see [`Composer::wanted_height`] for wrapped rows).
    pub fn line_count(&self) -> usize {
        self.text.lines().len()
    }

    /// Rows the text takes when wrapped at `width` columns, as the text area wraps it.
    fn screen_rows(&self, width: u16) -> usize {
        if width == 0 || self.text.is_empty() {
            return self.line_count();
        }
        // The text area knows its wrapped rows only after drawing at a width: draw a copy,
        // with the cursor at the very end, one row high; the cursor's row is the last one.
        let mut probe = self.text.clone();
        probe.move_cursor(CursorMove::Bottom);
        probe.move_cursor(CursorMove::End);
        let area = Rect::new(0, 0, width, 1);
        (&probe).render(area, &mut Buffer::empty(area));
        probe.screen_cursor().row + 1
    }

    /// Replace the text, with the cursor at its end.
    pub fn set_draft(&mut self, text: &str) {
        let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        self.text = TextArea::new(lines);
        self.style();
        self.text.move_cursor(CursorMove::Bottom);
        self.text.move_cursor(CursorMove::End);
    }

    /// An editing key (typing, cursor movement, deleting; by grapheme cluster).
    pub fn input(&mut self, key: KeyEvent) {
        self.recall = None;
        edit::input(&mut self.text, key);
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

    /// Rows the composer wants in an area `width` columns wide on a screen `height` rows
    /// high: its text's wrapped rows plus the border, at least 2, at most a third of the
    /// screen, and always leaving the status line.
    pub fn wanted_height(&self, width: u16, height: u16) -> u16 {
        let rows = self.screen_rows(text_width(width));
        let text_rows = u16::try_from(rows).unwrap_or(u16::MAX);
        let max = (height / 3).max(3);
        text_rows
            .saturating_add(1)
            .clamp(2, max)
            .min(height.saturating_sub(1))
    }

    /// Draw with `title` on the top border, and on its right how many wrapped rows are out
    /// of sight above and below.
    pub fn render(&self, ctx: &Ctx, title: &str, frame: &mut Frame, area: Rect) {
        let block = Block::default()
            .borders(Borders::TOP)
            .border_style(ctx.theme.border);
        let inner = block.inner(area);
        let inner = Rect {
            x: inner.x.saturating_add(1),
            width: text_width(area.width),
            ..inner
        };
        // The text first: drawing it decides its scroll.
        frame.render_widget(&self.text, inner);
        let mut block = block.title(title.to_string());
        if !self.attachments.is_empty() {
            block = block.title(Line::from(chips(ctx, &self.attachments)).style(ctx.theme.accent));
        }
        if let Some(more) = self.more(inner) {
            block = block.title_top(Line::from(more).style(ctx.theme.accent).right_aligned());
        }
        frame.render_widget(block, area);
    }

    /// ` ↑ 3 more · ↓ 1 more `: the wrapped rows above and below the text drawn in `inner`.
    fn more(&self, inner: Rect) -> Option<String> {
        if self.text.is_empty() || inner.height == 0 {
            return None;
        }
        let above = usize::from(self.text.scroll_offset().0);
        let below = self
            .screen_rows(inner.width)
            .saturating_sub(above + usize::from(inner.height));
        let mut parts = Vec::new();
        if above > 0 {
            parts.push(format!("↑ {above} more"));
        }
        if below > 0 {
            parts.push(format!("↓ {below} more"));
        }
        (!parts.is_empty()).then(|| format!(" {} ", parts.join(" · ")))
    }
}

/// Columns the text gets in a composer `width` columns wide (a margin each side).
fn text_width(width: u16) -> u16 {
    width.saturating_sub(2)
}

/// ` attached: 1 notes.md 17 B ~12 tok · 2 plot.png 640x480 48 KB ~765 tok `: each one with
/// the input tokens it adds for the model chosen now.
fn chips(ctx: &Ctx, attachments: &[Attachment]) -> String {
    let rule = ctx.session.settings.quirks().image_rule;
    let chips: Vec<String> = (attachments.iter().enumerate())
        .map(|(i, a)| {
            let tokens = crate::usage::thousands(a.estimated_tokens(rule));
            format!("{} {} ~{tokens} tok", i + 1, a.label())
        })
        .collect();
    format!(" attached: {} ", chips.join(" · "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn height_counts_wrapped_rows_up_to_a_third_of_the_screen() {
        let mut c = Composer::new(&Theme::default());
        assert_eq!(c.wanted_height(80, 24), 2);
        // 200 characters in 78 columns: 3 rows, plus the border.
        c.set_draft(&"x".repeat(200));
        assert_eq!(c.screen_rows(78), 3);
        assert_eq!(c.wanted_height(80, 24), 4);
        // Words wrap whole: 26 words of 7 columns ("wordNN ") fill 11 per 78-column row.
        let words: Vec<String> = (10..36).map(|i| format!("word{i}")).collect();
        c.set_draft(&words.join(" "));
        assert_eq!(c.screen_rows(78), 3);
        c.set_draft(&"y".repeat(3000));
        assert_eq!(c.wanted_height(80, 24), 8);
        assert_eq!(c.wanted_height(80, 2), 1);
        c.set_draft("a\nb");
        assert_eq!(c.wanted_height(0, 24), 3);
    }
}
