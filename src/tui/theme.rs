//! UI themes: a named set of ratatui styles, one per role (user text, thinking text, borders,
//! headings, …), plus the name of the syntect theme used to colour code blocks.
//!
//! Themes are TOML files. The built-in ones (`themes/*.toml`) are compiled in; a directory of
//! user `*.toml` files can add more or replace a built-in one by name. Parsing is strict: an
//! unknown key, colour, modifier or syntax theme is an error that names the file, the line and
//! the offending value, never a silent fallback.
//!
//! Invariants: a `Theme` obtained from this module always names a syntax theme that exists;
//! `Theme::no_color` leaves no foreground, background or underline colour in any style (only
//! modifiers), and sets `no_color` so code is not colour-highlighted either
//! (<https://no-color.org>).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ratatui::style::{Modifier, Style};

use self::format::RawTheme;
use super::syntax_themes;

mod format;

/// A resolved UI theme. Build one with [`Theme::builtin`], [`Theme::load`] or
/// [`Theme::from_toml`]; `Theme::default()` is the built-in `dark` theme.
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

/// Why a theme could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ThemeError {
    /// The theme text is malformed: `file:line:column: message`.
    #[error("{file}{}: {message}", position(*line, *column))]
    Invalid {
        file: String,
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },
    /// No theme has that name.
    #[error("unknown theme \"{name}\"; available themes: {}", available.join(", "))]
    Unknown {
        name: String,
        available: Vec<String>,
    },
    /// A user theme file or directory could not be read.
    #[error("cannot read {}: {message}", path.display())]
    Io { path: PathBuf, message: String },
}

fn position(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

/// The built-in themes, in the order they are listed to the user.
const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

impl Default for Theme {
    fn default() -> Self {
        Theme::builtin("dark").unwrap_or_else(Theme::plain)
    }
}

impl Theme {
    /// A theme with no styling at all (used only if a built-in theme failed to parse, which the
    /// unit tests rule out).
    fn plain() -> Theme {
        Theme {
            name: "plain".into(),
            user: Style::new().add_modifier(Modifier::BOLD),
            assistant: Style::new(),
            thinking: Style::new().add_modifier(Modifier::DIM | Modifier::ITALIC),
            code_frame: Style::new(),
            usage: Style::new(),
            status: Style::new(),
            error: Style::new().add_modifier(Modifier::BOLD),
            selection: Style::new().add_modifier(Modifier::REVERSED),
            heading: Style::new().add_modifier(Modifier::BOLD),
            link: Style::new().add_modifier(Modifier::UNDERLINED),
            inline_code: Style::new(),
            quote: Style::new().add_modifier(Modifier::ITALIC),
            border: Style::new(),
            accent: Style::new(),
            syntax_theme: "ansi".into(),
            no_color: false,
        }
    }

    /// The names of the compiled-in themes.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(name, _)| *name).collect()
    }

    /// A compiled-in theme by name (parsed once per process).
    pub fn builtin(name: &str) -> Option<Theme> {
        static PARSED: OnceLock<Vec<Option<Theme>>> = OnceLock::new();
        let parsed = PARSED.get_or_init(|| {
            BUILTIN
                .iter()
                .map(|(file, text)| Theme::from_toml(text, &format!("themes/{file}.toml")).ok())
                .collect()
        });
        let index = BUILTIN.iter().position(|(n, _)| *n == name)?;
        parsed.get(index)?.clone()
    }

    /// Parses a theme file. `source_name` names the file in error messages; its file stem is the
    /// theme's name when the file declares none.
    pub fn from_toml(text: &str, source_name: &str) -> Result<Theme, ThemeError> {
        let invalid = |span: Option<std::ops::Range<usize>>, message: String| {
            let (line, column) = match span {
                Some(span) => {
                    let (l, c) = line_col(text, span.start);
                    (Some(l), Some(c))
                }
                None => (None, None),
            };
            ThemeError::Invalid {
                file: source_name.to_string(),
                line,
                column,
                message,
            }
        };
        let raw: RawTheme =
            toml::from_str(text).map_err(|e| invalid(e.span(), e.message().to_string()))?;

        let mut theme = match &raw.extends {
            Some(base) => Theme::builtin(base.get_ref()).ok_or_else(|| {
                invalid(
                    Some(base.span()),
                    format!(
                        "cannot extend unknown built-in theme \"{}\"; built-in themes: {}",
                        base.get_ref(),
                        Theme::builtin_names().join(", ")
                    ),
                )
            })?,
            None => Theme {
                syntax_theme: String::new(),
                ..Theme::plain()
            },
        };
        theme.name = match raw.name {
            Some(name) => name,
            None => Path::new(source_name)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| source_name.to_string()),
        };
        match raw.syntax_theme {
            Some(syntax) => {
                if !syntax_themes::has_syntax_theme(syntax.get_ref()) {
                    return Err(invalid(
                        Some(syntax.span()),
                        format!(
                            "unknown syntax theme \"{}\"; available: {}",
                            syntax.get_ref(),
                            syntax_themes::syntax_theme_names().join(", ")
                        ),
                    ));
                }
                theme.syntax_theme = syntax.into_inner();
            }
            None if raw.extends.is_none() => {
                return Err(invalid(
                    None,
                    "missing `syntax_theme` (or `extends = \"<built-in theme>\"`)".into(),
                ));
            }
            None => {}
        }
        raw.styles.apply(&mut theme);
        Ok(theme)
    }

    /// Resolves a theme by name: user files in `user_themes_dir` (each `*.toml`, named by its
    /// `name` key or file stem) first, then the built-in ones. With `no_color`, the result has
    /// its colours stripped (see [`Theme::no_color`]).
    pub fn load(
        name: &str,
        user_themes_dir: Option<&Path>,
        no_color: bool,
    ) -> Result<Theme, ThemeError> {
        let user = read_user_themes(user_themes_dir)?;
        let mut first_error = None;
        for (stem, parsed) in &user {
            match parsed {
                Ok(theme) if theme.name == name => return Ok(finish(theme.clone(), no_color)),
                Err(e) if stem == name => return Err(e.clone()),
                Err(e) if first_error.is_none() => first_error = Some(e.clone()),
                _ => {}
            }
        }
        if let Some(theme) = Theme::builtin(name) {
            return Ok(finish(theme, no_color));
        }
        // A broken user file is the likeliest reason a name was not found.
        if let Some(e) = first_error {
            return Err(e);
        }
        Err(ThemeError::Unknown {
            name: name.to_string(),
            available: available_names(&user),
        })
    }

    /// Every theme name `load` would accept with this directory: built-ins, then user themes.
    pub fn available(user_themes_dir: Option<&Path>) -> Result<Vec<String>, ThemeError> {
        Ok(available_names(&read_user_themes(user_themes_dir)?))
    }

    /// The same theme without colours (<https://no-color.org>): every style keeps its modifiers
    /// but loses fg/bg/underline colours; a selection that relied on its background becomes
    /// reversed so it stays visible; code is not colour-highlighted.
    pub fn no_color(mut self) -> Theme {
        // Bars drawn with a background colour stay visible as reversed text.
        let selection_bar = self.selection.bg.is_some();
        let status_bar = self.status.bg.is_some();
        for style in self.styles_mut() {
            *style = strip(*style);
        }
        if selection_bar {
            self.selection = self.selection.add_modifier(Modifier::REVERSED);
        }
        if status_bar {
            self.status = self.status.add_modifier(Modifier::REVERSED);
        }
        self.no_color = true;
        self
    }

    /// Every style by role name, for listings and debugging.
    pub fn roles(&self) -> BTreeMap<&'static str, Style> {
        BTreeMap::from([
            ("user", self.user),
            ("assistant", self.assistant),
            ("thinking", self.thinking),
            ("code_frame", self.code_frame),
            ("usage", self.usage),
            ("status", self.status),
            ("error", self.error),
            ("selection", self.selection),
            ("heading", self.heading),
            ("link", self.link),
            ("inline_code", self.inline_code),
            ("quote", self.quote),
            ("border", self.border),
            ("accent", self.accent),
        ])
    }

    fn styles_mut(&mut self) -> [&mut Style; 14] {
        [
            &mut self.user,
            &mut self.assistant,
            &mut self.thinking,
            &mut self.code_frame,
            &mut self.usage,
            &mut self.status,
            &mut self.error,
            &mut self.selection,
            &mut self.heading,
            &mut self.link,
            &mut self.inline_code,
            &mut self.quote,
            &mut self.border,
            &mut self.accent,
        ]
    }
}

fn finish(theme: Theme, no_color: bool) -> Theme {
    if no_color { theme.no_color() } else { theme }
}

fn strip(style: Style) -> Style {
    Style {
        fg: None,
        bg: None,
        underline_color: None,
        ..style
    }
}

type UserThemes = Vec<(String, Result<Theme, ThemeError>)>;

/// Parses every `*.toml` in the directory, sorted by file name. A missing directory holds no
/// themes; an unreadable one is an error.
fn read_user_themes(dir: Option<&Path>) -> Result<UserThemes, ThemeError> {
    let Some(dir) = dir else {
        return Ok(Vec::new());
    };
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let io = |path: &Path, e: std::io::Error| ThemeError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
        let path = entry.map_err(|e| io(dir, e))?.path();
        if path.extension().is_some_and(|ext| ext == "toml") && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    let mut themes = Vec::new();
    for path in paths {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let parsed = std::fs::read_to_string(&path)
            .map_err(|e| io(&path, e))
            .and_then(|text| Theme::from_toml(&text, &path.display().to_string()));
        themes.push((stem, parsed));
    }
    Ok(themes)
}

fn available_names(user: &UserThemes) -> Vec<String> {
    let mut names: Vec<String> = Theme::builtin_names()
        .into_iter()
        .map(String::from)
        .collect();
    for (stem, parsed) in user {
        let name = match parsed {
            Ok(theme) => theme.name.clone(),
            Err(_) => stem.clone(),
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

impl fmt::Display for Theme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests;
