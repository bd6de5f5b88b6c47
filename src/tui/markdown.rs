//! Markdown rendering (placeholder; being written).
use super::theme::Theme;
use ratatui::text::Line;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeBlock {
    pub number: usize,
    pub lang: String,
    pub code: String,
}

#[derive(Clone, Debug, Default)]
pub struct Rendered {
    pub lines: Vec<Line<'static>>,
    pub code_blocks: Vec<CodeBlock>,
}

pub fn render(_src: &str, _width: u16, _theme: &Theme, _first_code_number: usize) -> Rendered {
    Rendered::default()
}

#[derive(Clone, Debug, Default)]
pub struct StreamingMarkdown {
    src: String,
    lines: Vec<Line<'static>>,
    blocks: Vec<CodeBlock>,
}

impl StreamingMarkdown {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn thinking() -> Self {
        Self::default()
    }
    pub fn push(&mut self, delta: &str) {
        self.src.push_str(delta);
    }
    pub fn source(&self) -> &str {
        &self.src
    }
    pub fn layout(&mut self, _width: u16, _theme: &Theme, _first_code_number: usize) {}
    pub fn line_count(&self) -> usize {
        self.lines.len()
    }
    pub fn line(&self, i: usize) -> Option<&Line<'static>> {
        self.lines.get(i)
    }
    pub fn code_blocks(&self) -> &[CodeBlock] {
        &self.blocks
    }
}
