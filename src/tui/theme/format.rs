//! The theme file format: what a theme TOML may contain, deserialized strictly.
//!
//! ```toml
//! name = "mine"                  # optional; defaults to the file stem
//! extends = "dark"               # optional; start from a built-in theme
//! syntax_theme = "OneHalfDark"   # required unless `extends` gives one
//!
//! [styles]                       # each role optional: fg, bg, modifiers
//! heading = { fg = "light-blue", bg = "#202020", modifiers = ["bold", "underlined"] }
//! ```
//!
//! Invariants: unknown keys, colours and modifiers are errors raised while deserializing, so
//! the TOML parser attaches the offending value's position to them.

use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use serde::de::{self, Deserializer};
use toml::Spanned;

use super::Theme;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTheme {
    pub name: Option<String>,
    pub extends: Option<Spanned<String>>,
    pub syntax_theme: Option<Spanned<String>>,
    #[serde(default)]
    pub styles: RawStyles,
}

macro_rules! roles {
    ($($role:ident),* $(,)?) => {
        #[derive(Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub(super) struct RawStyles {
            $($role: Option<RawStyle>,)*
        }

        impl RawStyles {
            /// Replaces each role the file names; roles it leaves out keep the base style.
            pub(super) fn apply(self, theme: &mut Theme) {
                $(if let Some(raw) = self.$role {
                    theme.$role = raw.to_style();
                })*
            }
        }
    };
}

roles!(
    user,
    assistant,
    thinking,
    code_frame,
    usage,
    status,
    error,
    selection,
    heading,
    link,
    inline_code,
    quote,
    border,
    accent,
);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStyle {
    fg: Option<ColorSpec>,
    bg: Option<ColorSpec>,
    #[serde(default)]
    modifiers: Vec<ModifierSpec>,
}

impl RawStyle {
    fn to_style(&self) -> Style {
        let mut style = Style::new();
        if let Some(ColorSpec(c)) = self.fg {
            style = style.fg(c);
        }
        if let Some(ColorSpec(c)) = self.bg {
            style = style.bg(c);
        }
        self.modifiers
            .iter()
            .fold(style, |s, ModifierSpec(m)| s.add_modifier(*m))
    }
}

struct ColorSpec(Color);

impl<'de> Deserialize<'de> for ColorSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Color::from_str(text.trim()).map(ColorSpec).map_err(|_| {
            de::Error::custom(format!(
                "unknown colour \"{text}\" (use a name like \"cyan\" or \"light-blue\", \
                 \"#rrggbb\", or a palette index 0-255)"
            ))
        })
    }
}

struct ModifierSpec(Modifier);

const MODIFIERS: &[(&str, Modifier)] = &[
    ("bold", Modifier::BOLD),
    ("dim", Modifier::DIM),
    ("italic", Modifier::ITALIC),
    ("underlined", Modifier::UNDERLINED),
    ("underline", Modifier::UNDERLINED),
    ("reversed", Modifier::REVERSED),
    ("reverse", Modifier::REVERSED),
    ("crossed-out", Modifier::CROSSED_OUT),
    ("strikethrough", Modifier::CROSSED_OUT),
    ("slow-blink", Modifier::SLOW_BLINK),
    ("rapid-blink", Modifier::RAPID_BLINK),
    ("hidden", Modifier::HIDDEN),
];

impl<'de> Deserialize<'de> for ModifierSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let key = text.trim().to_lowercase().replace(['_', ' '], "-");
        MODIFIERS
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(_, m)| ModifierSpec(*m))
            .ok_or_else(|| {
                de::Error::custom(format!(
                    "unknown modifier \"{text}\" (expected one of: bold, dim, italic, \
                     underlined, reversed, crossed-out, slow-blink, rapid-blink, hidden)"
                ))
            })
    }
}
