//! UI themes (placeholder; being written).
use ratatui::style::Style;

#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub name: String,
    pub user: Style,
    pub assistant: Style,
    pub thinking: Style,
    pub code_frame: Style,
    pub usage: Style,
    pub status: Style,
    pub error: Style,
    pub selection: Style,
    pub heading: Style,
    pub link: Style,
    pub inline_code: Style,
    pub quote: Style,
    pub border: Style,
    pub accent: Style,
    pub syntax_theme: String,
    pub no_color: bool,
}
