use super::*;

fn text(lines: &[Line]) -> Vec<String> {
    lines.iter().map(|l| l.to_string()).collect()
}

#[test]
fn languages_resolve_by_token_name_and_alias() {
    for (lang, name) in [
        ("rust", "Rust"),
        ("rs", "Rust"),
        ("RUST", "Rust"),
        ("toml", "TOML"),
        ("ts", "TypeScript"),
        ("typescript", "TypeScript"),
        ("py", "Python"),
        ("sh", "Bourne Again Shell (bash)"),
        ("shell", "Bourne Again Shell (bash)"),
        ("Dockerfile", "Dockerfile"),
        ("", "Plain Text"),
        ("no-such-language", "Plain Text"),
    ] {
        assert_eq!(find_syntax(lang).name, name, "{lang}");
    }
}

#[test]
fn keywords_get_colour_and_text_is_kept() {
    let theme = Theme::default();
    let lines = highlight("fn main() {\n\tlet x = 1;\n}\n", "rust", &theme);
    assert_eq!(text(&lines), ["fn main() {", "    let x = 1;", "}"]);
    let fn_span = &lines[0].spans[0];
    assert_eq!(fn_span.content, "fn");
    assert!(matches!(fn_span.style.fg, Some(Color::Rgb(..))));
    assert_eq!(fn_span.style.bg, None);
    assert!(
        lines
            .iter()
            .flat_map(|l| &l.spans)
            .all(|s| !s.content.contains('\n'))
    );
}

#[test]
fn no_color_gives_plain_lines() {
    let theme = Theme::default().no_color();
    let lines = highlight("fn main() {}\n", "rust", &theme);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].spans.len(), 1);
    assert_eq!(lines[0].spans[0].style.fg, None);
}

#[test]
fn ansi_theme_uses_palette_colours() {
    let theme = Theme::builtin("high-contrast").unwrap();
    let lines = highlight("fn main() {}\n", "rust", &theme);
    assert!(
        lines[0]
            .spans
            .iter()
            .all(|s| !matches!(s.style.fg, Some(Color::Rgb(..))))
    );
}

#[test]
fn incremental_equals_whole() {
    let theme = Theme::default();
    let code = "/* a\n comment */\nfn main() {\n    let s = \"str\";\n}\n// end";
    let whole = highlight(code, "rust", &theme);
    let mut inc = IncrementalHighlighter::new();
    for end in 0..=code.len() {
        let part = &code[..end];
        assert_eq!(
            inc.highlight(part, "rust", &theme),
            highlight(part, "rust", &theme)
        );
    }
    assert_eq!(inc.highlight(code, "rust", &theme), whole);
    assert!(
        inc.finished(code, "rust", &theme).is_none(),
        "last line is incomplete"
    );
    let closed = format!("{code}\n");
    inc.highlight(&closed, "rust", &theme);
    let finished = inc.finished(&closed, "rust", &theme).unwrap();
    assert_eq!(*finished, highlight(&closed, "rust", &theme));
    // A different text starts over.
    assert_eq!(
        inc.highlight("let y = 2;\n", "rust", &theme),
        highlight("let y = 2;\n", "rust", &theme)
    );
}
