//! The syntax themes code blocks can be highlighted with: syntect's defaults and two-face's
//! extra set, each loaded lazily, once per process. Invariant: looking a name up or listing
//! the names decodes no theme; only [`syntect_theme`] does, for the one asked for.

use std::sync::OnceLock;
use syntect::highlighting::{Theme as SynTheme, ThemeSet};

fn extra_themes() -> &'static two_face::theme::LazyThemeSet {
    static SET: OnceLock<two_face::theme::LazyThemeSet> = OnceLock::new();
    SET.get_or_init(|| two_face::theme::extra().into())
}

fn default_themes() -> &'static ThemeSet {
    static SET: OnceLock<ThemeSet> = OnceLock::new();
    SET.get_or_init(ThemeSet::load_defaults)
}

pub fn syntect_theme(name: &str) -> Option<&'static SynTheme> {
    extra_themes()
        .get(name)
        .or_else(|| default_themes().themes.get(name))
}

/// Whether a syntax theme of that name exists (cheap: does not decode any theme).
pub fn has_syntax_theme(name: &str) -> bool {
    two_face::theme::EmbeddedLazyThemeSet::theme_names()
        .iter()
        .any(|t| t.as_name() == name)
        || default_themes().themes.contains_key(name)
}

/// Every syntax theme name, sorted case-insensitively.
pub fn syntax_theme_names() -> Vec<String> {
    let mut names: Vec<String> = two_face::theme::EmbeddedLazyThemeSet::theme_names()
        .iter()
        .map(|t| t.as_name().to_string())
        .chain(default_themes().themes.keys().cloned())
        .collect();
    names.sort_by_key(|n| n.to_lowercase());
    names.dedup();
    names
}
