//! Property tests of the markdown renderer: arbitrary markdown — deep nesting of lists and
//! quotes, huge tables, wide CJK and emoji, combining marks, tabs, control and escape
//! characters, unclosed fences — at every width from 1 to 200.
//!
//! What must hold for any input: no panic; every rendered line fits its width (display
//! columns, unicode-width; the one exception the renderer documents is a double-width
//! character alone on a 1-column line); no control character at all — not even a tab or a
//! newline — in any rendered span, so nothing a model writes can move the cursor or send an
//! escape sequence; and the streamed layout equals the whole one however the text arrives.
//! The case count is fixed and modest, so `cargo test` stays fast; regressions found are
//! kept as plain tests in `tests/markdown.rs`.

use proptest::prelude::*;
use proptest::sample::Index;
use ratatui::text::Line;
use thinkbench::tui::markdown::{StreamingMarkdown, render, render_thinking};
use thinkbench::tui::theme::Theme;
use unicode_width::UnicodeWidthStr;

/// `cases` cases (`PROPTEST_CASES` overrides it, for a deeper run by hand); failures are
/// not written to files (regressions are kept as plain tests).
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Words a model might write, and the characters that are hard to lay out or dangerous to
/// print.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9]{1,12}",
        1 => "[a-z]{30,90}",
        2 => prop_oneof![
            Just("漢字かな交じり文"), Just("한국어"), Just("👨‍👩‍👧‍👦"), Just("🇫🇷"), Just("😀😀😀"),
            Just("e\u{301}\u{302}\u{303}"), Just("\u{200b}\u{200d}\u{fe0f}"), Just("ｆｕｌｌ"),
            Just("\u{202e}rtl\u{202c}"), Just("a\tb\t\tc"), Just("\t"),
        ].prop_map(str::to_string),
        2 => prop_oneof![
            Just("\x1b[31mred\x1b[0m"), Just("\x1b]52;c;aGk=\x07"), Just("\x1b]0;title\x1b\\"),
            Just("\u{9b}31m"), Just("\r"), Just("\x08\x08"), Just("\x00"), Just("\x7f"),
            Just("\u{85}"), Just("\x0b\x0c"),
        ].prop_map(str::to_string),
        1 => "\\PC{1,6}",
        1 => proptest::char::range('\0', '\u{a0}').prop_map(String::from),
        1 => prop_oneof![Just("**"), Just("*"), Just("`"), Just("~~"), Just("_"), Just("\\"),
            Just("[link](https://example.com)"), Just("<https://example.org>"), Just("![i](u.png)"),
            Just("[ref]"), Just("<b>"), Just("&amp;"), Just("|"), Just("$x$")].prop_map(str::to_string),
    ]
}

fn words() -> impl Strategy<Value = String> {
    proptest::collection::vec(word(), 0..12).prop_map(|w| w.join(" "))
}

fn table() -> impl Strategy<Value = String> {
    (1usize..40, 0usize..30, words()).prop_map(|(cols, rows, cell)| {
        let row = |c: &str| format!("|{}\n", format!(" {c} |").repeat(cols));
        let mut t = row("Head");
        t.push_str(&format!(
            "|{}\n",
            ":--|--:|:-:|---|".repeat(cols.div_ceil(4))
        ));
        for _ in 0..rows {
            t.push_str(&row(&cell));
        }
        t
    })
}

/// A block (or a piece of one) of markdown.
fn block() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => words().prop_map(|w| format!("{w}\n")),
        2 => (1usize..8, words()).prop_map(|(n, w)| format!("{} {w}\n", "#".repeat(n))),
        2 => (0usize..40, prop_oneof![Just("- "), Just("1. "), Just("* "), Just("- [ ] "), Just("9) ")], words())
            .prop_map(|(depth, m, w)| format!("{}{m}{w}\n", "  ".repeat(depth))),
        2 => (1usize..60, words()).prop_map(|(n, w)| format!("{}{w}\n", "> ".repeat(n))),
        1 => (1usize..30, words()).prop_map(|(n, w)| format!("{}{w}\n", "> - ".repeat(n))),
        1 => table(),
        2 => prop_oneof![Just("```rust\n"), Just("```\n"), Just("~~~py\n"), Just("````\n"),
            Just("```\u{1b}]52;c;x\u{7}\n"), Just("```漢字 🦀\n")].prop_map(str::to_string),
        1 => words().prop_map(|w| format!("    {w}\n")),
        1 => words().prop_map(|w| format!("\t{w}\n")),
        2 => prop_oneof![Just("\n"), Just("\n\n"), Just("---\n"), Just("***\n"), Just("<div>\n"),
            Just("[ref]: https://example.com \"t\"\n"), Just("Setext\n===\n")].prop_map(str::to_string),
    ]
}

fn document() -> impl Strategy<Value = String> {
    proptest::collection::vec(block(), 0..16).prop_map(|b| b.concat())
}

fn line_text(line: &Line) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}

/// Every line fits `width` and no span holds a control character.
fn check_lines(lines: &[Line], width: u16) -> Result<(), TestCaseError> {
    let width = usize::from(width.max(1));
    for line in lines {
        let text = line_text(line);
        let w: usize = line.spans.iter().map(|s| s.content.width()).sum();
        let lone_wide = width == 1 && text.chars().count() == 1 && w == 2;
        prop_assert!(
            w <= width || lone_wide,
            "{} columns > {}: {:?}",
            w,
            width,
            text
        );
        prop_assert!(
            !text.chars().any(char::is_control),
            "control character in {:?}",
            text
        );
    }
    Ok(())
}

fn dark() -> Theme {
    Theme::builtin("dark").unwrap_or_default()
}

/// Where the pieces of `src` about `step` bytes long end (on character boundaries).
fn piece_ends(src: &str, step: usize) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut end = 0;
    while end < src.len() {
        end = (end + step).min(src.len());
        while !src.is_char_boundary(end) {
            end += 1;
        }
        ends.push(end);
    }
    ends
}

/// An empty answer, or reasoning text.
fn streaming(thinking: bool) -> StreamingMarkdown {
    if thinking {
        StreamingMarkdown::thinking()
    } else {
        StreamingMarkdown::new()
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn rendered_lines_fit_and_hold_no_control_character(src in document(), width in 1u16..200) {
        let theme = dark();
        check_lines(&render(&src, width, &theme, 1).lines, width)?;
        check_lines(&render_thinking(&src, width, &theme).lines, width)?;
    }

    #[test]
    fn streamed_text_lays_out_as_the_whole(
        src in document(),
        width in 1u16..200,
        cuts in proptest::collection::vec(any::<Index>(), 0..10),
    ) {
        let theme = dark();
        let mut at: Vec<usize> = cuts.iter().map(|c| c.index(src.len() + 1)).collect();
        at.retain(|&i| src.is_char_boundary(i));
        at.sort_unstable();
        let mut md = StreamingMarkdown::new();
        let mut start = 0;
        for end in at.into_iter().chain([src.len()]) {
            md.push(&src[start..end]);
            md.layout(width, &theme, 1);
            start = end;
        }
        let streamed: Vec<Line> = md.lines().collect();
        check_lines(&streamed, width)?;
        prop_assert_eq!(streamed, render(&src, width, &theme, 1).lines);
    }
}

/// A line inside a code block, often one that looks like (or is) a closing fence.
fn code_line() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => words().prop_map(|w| format!("{w}\n")),
        1 => prop_oneof![Just("```\n"), Just("   ```\n"), Just("    ```\n"), Just("``\n"),
            Just("````\n"), Just("~~~\n"), Just("```rust\n"), Just("``` \t\n"), Just("```"),
            Just("\n"), Just("\t```\n"), Just("a\r\n"), Just("x\0y\n")].prop_map(str::to_string),
    ]
}

/// Text, then a code block (closed or not) that grows line by line, maybe then more text.
fn fenced_document() -> impl Strategy<Value = String> {
    let text = || proptest::collection::vec(words().prop_map(|w| format!("{w}\n\n")), 0..3);
    (
        text(),
        prop_oneof![
            Just("```rust\n"),
            Just("```\n"),
            Just("~~~~py\n"),
            Just("  ```\n"),
            Just("```c")
        ],
        proptest::collection::vec(code_line(), 0..40),
        text(),
    )
        .prop_map(|(before, fence, code, after)| {
            format!(
                "{}{fence}{}{}",
                before.concat(),
                code.concat(),
                after.concat()
            )
        })
}

proptest! {
    #![proptest_config(config(96))]

    /// A code block streaming in small pieces (extended line by line once it is the open
    /// tail) lays out, and reports its code, exactly as the whole text does.
    #[test]
    fn a_streaming_code_block_lays_out_as_the_whole(
        src in fenced_document(),
        width in 1u16..120,
        step in 1usize..24,
        thinking in any::<bool>(),
    ) {
        let theme = dark();
        let mut md = streaming(thinking);
        let mut start = 0;
        for end in piece_ends(&src, step) {
            md.push(&src[start..end]);
            md.layout(width, &theme, 3);
            start = end;
        }
        let whole = if thinking { render_thinking(&src, width, &theme) } else { render(&src, width, &theme, 3) };
        let streamed: Vec<Line> = md.lines().collect();
        prop_assert_eq!(streamed, whole.lines);
        prop_assert_eq!(md.code_blocks(), whole.code_blocks.as_slice());
    }
}

/// A cell: words, often with what makes table rows hard to read (escaped pipes, pipes in code
/// spans, unclosed backticks, links of every kind, wide characters), sometimes long enough to
/// change the column widths.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => proptest::collection::vec(word(), 0..3).prop_map(|w| w.join(" ")),
        1 => proptest::collection::vec(word(), 6..20).prop_map(|w| w.join(" ")),
        2 => prop_oneof![Just("a \\| b"), Just("`x|y`"), Just("`open"), Just("**b** _i_"),
            Just("[t](https://e.com)"), Just("[ref]"), Just("[ref][r]"), Just("![i](p.png)"),
            Just("<b>h</b>"), Just("漢字🦀"), Just(""), Just("  "), Just("\\")]
            .prop_map(str::to_string),
    ]
}

/// A line after a table's delimiter row: mostly a row (with the usual, fewer or more cells,
/// with or without outer pipes, indented), sometimes a line that ends the table or can't
/// be read line by line.
fn table_line(cols: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (proptest::collection::vec(cell(), 1..cols + 3), any::<bool>(), 0usize..3)
            .prop_map(|(cells, outer, indent)| {
                let row = cells.join(" | ");
                let row = if outer { format!("| {row} |") } else { row };
                format!("{}{row}\n", " ".repeat(indent))
            }),
        1 => prop_oneof![Just("\n"), Just("> quote\n"), Just("# heading\n"), Just("```\n"),
            Just("- item\n"), Just("    indented\n"), Just("[r]: https://d.example\n"),
            Just("| a\r\n"), Just("| x\0 |\n"), Just("plain words\n"), Just("---\n"), Just("|\n")]
            .prop_map(str::to_string),
    ]
}

/// Text, then a table growing row by row, maybe then more text.
fn table_document() -> impl Strategy<Value = String> {
    (1usize..6).prop_flat_map(|cols| {
        let text = || proptest::collection::vec(words().prop_map(|w| format!("{w}\n\n")), 0..2);
        let align = prop_oneof![Just("---"), Just(":--"), Just("--:"), Just(":-:")];
        (
            text(),
            proptest::collection::vec(cell(), cols),
            proptest::collection::vec(align, cols),
            proptest::collection::vec(table_line(cols), 0..30),
            text(),
        )
            .prop_map(|(before, head, aligns, rows, after)| {
                format!(
                    "{}| {} |\n|{}|\n{}{}",
                    before.concat(),
                    head.join(" | "),
                    aligns.join("|"),
                    rows.concat(),
                    after.concat()
                )
            })
    })
}

proptest! {
    #![proptest_config(config(96))]

    /// A table streaming in small pieces (extended row by row once it is the open tail) lays
    /// out exactly as the text so far does, after every piece. Laid out as the pane does while
    /// streaming (`paced`), it may leave out an unfinished last line: then its lines are those
    /// of the text up to that line, and a final `layout` makes them whole.
    #[test]
    fn a_streaming_table_lays_out_as_the_text_so_far(
        src in table_document(),
        width in 1u16..120,
        step in 1usize..40,
        thinking in any::<bool>(),
        paced in any::<bool>(),
    ) {
        let theme = dark();
        let whole = |text: &str| {
            if thinking { render_thinking(text, width, &theme) } else { render(text, width, &theme, 3) }
        };
        let now = std::time::Instant::now();
        let mut md = streaming(thinking);
        let mut start = 0;
        for end in piece_ends(&src, step) {
            md.push(&src[start..end]);
            let exact = if paced {
                md.layout_paced(width, &theme, 3, now)
            } else {
                md.layout(width, &theme, 3);
                true
            };
            let shown = if exact { end } else { src[..end].rfind('\n').map_or(0, |i| i + 1) };
            let streamed: Vec<Line> = md.lines().collect();
            prop_assert_eq!(streamed, whole(&src[..shown]).lines, "at {} (exact: {})", end, exact);
            start = end;
        }
        md.layout(width, &theme, 3);
        prop_assert_eq!(md.lines().collect::<Vec<_>>(), whole(&src).lines);
    }
}

/// A line of a list: mostly an item (of the usual bullet or another, nested, ordered), or
/// what an item holds or what ends a list: continuation and lazy lines, blank lines, code,
/// references and definitions, other blocks.
fn list_line() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (prop_oneof![Just("- "), Just("- "), Just("- "), Just("  - "), Just("    - "), Just("* "),
            Just("+ "), Just("1. "), Just("- [ ] "), Just(" - "), Just("-")], words())
            .prop_map(|(m, w)| format!("{m}{w}\n")),
        2 => prop_oneof![words().prop_map(|w| format!("  {w}\n")), words().prop_map(|w| format!("{w}\n"))],
        1 => prop_oneof![Just("\n"), Just("  ```rust\n  let x = 1;\n  ```\n"), Just("      indented code\n"),
            Just("- [ref]\n"), Just("  [r]: https://d.example\n"), Just("> quote\n"), Just("# heading\n"),
            Just("---\n"), Just("- a\r\n"), Just("- x\0\n"), Just("| a |\n|---|\n")].prop_map(str::to_string),
    ]
}

/// Text, then a list growing item by item, maybe then more text.
fn list_document() -> impl Strategy<Value = String> {
    let text = || proptest::collection::vec(words().prop_map(|w| format!("{w}\n\n")), 0..2);
    (
        text(),
        proptest::collection::vec(list_line(), 0..30),
        text(),
    )
        .prop_map(|(before, items, after)| {
            format!("{}{}{}", before.concat(), items.concat(), after.concat())
        })
}

proptest! {
    #![proptest_config(config(96))]

    /// A list streaming in small pieces (extended item by item once it is the open tail)
    /// lays out, and reports its code, exactly as the text so far does, after every piece.
    #[test]
    fn a_streaming_list_lays_out_as_the_text_so_far(
        src in list_document(),
        width in 1u16..100,
        step in 1usize..40,
        thinking in any::<bool>(),
    ) {
        let theme = dark();
        let whole = |text: &str| {
            if thinking { render_thinking(text, width, &theme) } else { render(text, width, &theme, 3) }
        };
        let mut md = streaming(thinking);
        let mut start = 0;
        for end in piece_ends(&src, step) {
            md.push(&src[start..end]);
            md.layout(width, &theme, 3);
            let so_far = whole(&src[..end]);
            prop_assert_eq!(md.lines().collect::<Vec<_>>(), so_far.lines, "at {}", end);
            prop_assert_eq!(md.code_blocks(), so_far.code_blocks.as_slice(), "at {}", end);
            start = end;
        }
    }
}
