use super::*;
use ratatui::style::Color;

#[test]
fn builtins_parse() {
    for name in Theme::builtin_names() {
        let text = BUILTIN.iter().find(|(n, _)| *n == name).unwrap().1;
        let theme = Theme::from_toml(text, name).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(theme.name, name);
        assert!(!theme.no_color);
    }
    let dark = Theme::default();
    assert_eq!(dark.name, "dark");
    assert_eq!(dark.syntax_theme, "OneHalfDark");
    assert_eq!(dark.link.fg, Some(Color::Cyan));
    assert!(dark.heading.add_modifier.contains(Modifier::BOLD));
    assert_eq!(
        Theme::builtin("light").unwrap().selection.bg,
        Some(Color::Rgb(0xad, 0xd6, 0xff))
    );
}

#[test]
fn unknown_key_names_the_line() {
    let text =
        "name = \"x\"\nsyntax_theme = \"Nord\"\n[styles]\nuser = { fg = \"red\" }\nheadline = {}\n";
    let err = Theme::from_toml(text, "mine.toml").unwrap_err();
    let shown = err.to_string();
    assert!(shown.starts_with("mine.toml:5:"), "{shown}");
    assert!(shown.contains("headline"), "{shown}");

    let err = Theme::from_toml("syntax_theme = \"Nord\"\ncolour = 1\n", "a.toml").unwrap_err();
    assert!(err.to_string().starts_with("a.toml:2:"), "{err}");

    let err = Theme::from_toml(
        "syntax_theme = \"Nord\"\n[styles]\nuser = { foreground = \"red\" }\n",
        "b.toml",
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("b.toml:3:"), "{err}");
}

#[test]
fn unknown_colour_is_named() {
    let text = "syntax_theme = \"Nord\"\n[styles]\nlink = { fg = \"blurple\" }\n";
    let err = Theme::from_toml(text, "c.toml").unwrap_err();
    let shown = err.to_string();
    assert!(shown.starts_with("c.toml:3:"), "{shown}");
    assert!(shown.contains("unknown colour \"blurple\""), "{shown}");

    let text = "syntax_theme = \"Nord\"\n[styles]\nlink = { modifiers = [\"blinky\"] }\n";
    let shown = Theme::from_toml(text, "d.toml").unwrap_err().to_string();
    assert!(shown.contains("unknown modifier \"blinky\""), "{shown}");
}

#[test]
fn unknown_syntax_theme_is_an_error() {
    let shown = Theme::from_toml("name = \"x\"\nsyntax_theme = \"Nope\"\n", "e.toml")
        .unwrap_err()
        .to_string();
    assert!(shown.starts_with("e.toml:2:"), "{shown}");
    assert!(shown.contains("unknown syntax theme \"Nope\""), "{shown}");
    assert!(shown.contains("OneHalfDark"), "{shown}");
    assert!(Theme::from_toml("name = \"x\"\n", "f.toml").is_err());
}

#[test]
fn extends_a_builtin() {
    let text = "name = \"mine\"\nextends = \"dark\"\n[styles]\nlink = { fg = \"#ff0000\" }\n";
    let theme = Theme::from_toml(text, "mine.toml").unwrap();
    assert_eq!(theme.link, Style::new().fg(Color::Rgb(255, 0, 0)));
    assert_eq!(theme.heading, Theme::default().heading);
    assert_eq!(theme.syntax_theme, "OneHalfDark");
    assert!(Theme::from_toml("extends = \"nah\"\n", "g.toml").is_err());
}

#[test]
fn no_color_strips_colours_keeps_modifiers() {
    let theme = Theme::default().no_color();
    assert!(theme.no_color);
    for (role, style) in theme.roles() {
        assert_eq!((style.fg, style.bg), (None, None), "{role}");
    }
    assert!(theme.heading.add_modifier.contains(Modifier::BOLD));
    assert!(theme.thinking.add_modifier.contains(Modifier::ITALIC));
    assert!(theme.selection.add_modifier.contains(Modifier::REVERSED));
}

#[test]
fn load_prefers_user_files_and_lists_names_when_unknown() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("dark.toml"),
        "extends = \"dark\"\n[styles]\nuser = { fg = \"red\" }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("solar.toml"),
        "syntax_theme = \"Solarized (dark)\"\n",
    )
    .unwrap();
    let dark = Theme::load("dark", Some(dir.path()), false).unwrap();
    assert_eq!(dark.user.fg, Some(Color::Red));
    let solar = Theme::load("solar", Some(dir.path()), true).unwrap();
    assert!(solar.no_color);
    let err = Theme::load("nope", Some(dir.path()), false).unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains("dark, light, high-contrast, solar"),
        "{shown}"
    );
    assert_eq!(Theme::load("light", None, false).unwrap().name, "light");

    std::fs::write(dir.path().join("broken.toml"), "syntax_theme = 3\n").unwrap();
    let err = Theme::load("broken", Some(dir.path()), false).unwrap_err();
    assert!(err.to_string().contains("broken.toml:1:"), "{err}");
}
