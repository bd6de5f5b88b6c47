use super::*;

fn text(lines: &[Line]) -> Vec<String> {
    lines.iter().map(|l| l.to_string()).collect()
}

#[test]
fn blocks_are_separated_by_one_blank_line() {
    let r = render(
        "# Title\n\npara one\n\n- a\n- b\n\n> quote",
        40,
        &Theme::default(),
        1,
    );
    assert_eq!(
        text(&r.lines),
        ["# Title", "", "para one", "", "• a", "• b", "", "│ quote"]
    );
}

/// A loose list (an item holding a paragraph) keeps a blank line between its items; a
/// tight one, even inside a loose one, does not.
#[test]
fn loose_and_tight_lists() {
    let theme = Theme::default();
    let tight = render("- a\n- b\n", 40, &theme, 1);
    assert_eq!(text(&tight.lines), ["• a", "• b"]);
    let loose = render("- a\n\n- b\n  - c\n  - d\n", 40, &theme, 1);
    assert_eq!(text(&loose.lines), ["• a", "", "• b", "", "  ◦ c", "  ◦ d"]);
}

#[test]
fn streaming_commits_finished_blocks() {
    let theme = Theme::default();
    let mut md = StreamingMarkdown::new();
    md.push("first paragraph\n\nsecond\n\nthi");
    md.layout(40, &theme, 1);
    // "thi" could still become anything, so "second" stays open with it.
    assert_eq!(md.committed.len(), 1);
    assert_eq!(md.committed_len, "first paragraph\n\n".len());
    assert_eq!(md.line_count(), 5);
    assert_eq!(md.line(4).map(|l| l.to_string()), Some("thi".into()));
    md.push("rd\n");
    md.layout(40, &theme, 1);
    assert_eq!(md.committed.len(), 3);
    assert_eq!(md.committed_len, "first paragraph\n\nsecond\n\n".len());
    assert_eq!(md.tail.len(), 2);
}

/// A lone CR ends a line in CommonMark: a heading ended by one was committed and then
/// rendered again with the tail (found by the property tests).
#[test]
fn carriage_returns_end_lines_when_streaming() {
    let theme = Theme::default();
    for src in [
        "# \n# a \r a\naaaa \u{7f}\n",
        "\n# a \r \u{8}\u{8}\n\n",
        "a\rb\r\rc\r\rd\n",
        "# h\r\rpara\r\n\r\nmore\r\n",
        "x\r\n\r\n# h\r- a\r- b\r\r```\rcode\r```\rend\r",
    ] {
        let whole = text(&render(src, 40, &theme, 1).lines);
        for cut in 0..=src.len() {
            let mut md = StreamingMarkdown::new();
            md.push(&src[..cut]);
            md.layout(40, &theme, 1);
            md.push(&src[cut..]);
            md.layout(40, &theme, 1);
            let streamed = text(&md.lines().collect::<Vec<_>>());
            assert_eq!(streamed, whole, "{src:?} cut at {cut}");
        }
    }
}

/// A long code block streaming in is extended line by line, not drawn again whole, and
/// gives the same lines and code as the whole text.
#[test]
fn an_open_code_block_grows_without_a_full_render() {
    let theme = Theme::default();
    let mut md = StreamingMarkdown::new();
    md.push("Intro.\n\n```rust\nfn a() {}\n");
    md.layout(40, &theme, 1);
    assert!(md.open_fence.is_some());
    let mut src = md.source().to_string();
    for piece in [
        "let x",
        " = 1;\n",
        "// ``",
        "`` not a fence\n",
        "   ```\n",
        "after\n",
    ] {
        md.push(piece);
        src.push_str(piece);
        md.layout(40, &theme, 1);
        let whole = render(&src, 40, &theme, 1);
        assert_eq!(text(&md.lines().collect::<Vec<_>>()), text(&whole.lines));
        assert_eq!(md.code_blocks(), whole.code_blocks.as_slice());
    }
    // The closing fence ended the fast path; the block was committed.
    assert!(md.open_fence.is_none());
    assert_eq!(md.committed_blocks, 1);
}

/// A table streaming in is extended row by row (partial rows included), not drawn again
/// whole, until a cell widens a column or a line ends the table; it gives the same lines as
/// the whole text at every step.
#[test]
fn an_open_table_grows_row_by_row() {
    let theme = Theme::default();
    let mut md = StreamingMarkdown::new();
    md.push("Intro.\n\n| n | name |\n|--:|:--|\n| 1 | one |\n");
    md.layout(60, &theme, 1);
    assert!(md.open_table.is_some());
    let mut src = md.source().to_string();
    let pieces = [
        ("| 2 | tw", true),
        ("o |\n| 3", true),
        // An escaped pipe is text; a pipe in a code span still splits the cell.
        (" | t\\|e | `a|b` |\n", true),
        ("| 4 |\n", true),
        // Wider than the column so far: drawn whole, then extended again.
        ("| 5 | a much longer name |\n", false),
        ("| 6 | six |\n", true),
        // A reference may resolve through a definition elsewhere.
        ("| 7 | [seven] |\n", false),
        ("| 8 | eight |\n", true),
        ("\nAfter.\n", false),
    ];
    for (piece, extended) in pieces {
        let detected = md.open_table.is_some();
        md.push(piece);
        src.push_str(piece);
        md.layout(60, &theme, 1);
        let whole = render(&src, 60, &theme, 1);
        assert_eq!(
            text(&md.lines().collect::<Vec<_>>()),
            text(&whole.lines),
            "{piece:?}"
        );
        assert!(detected, "{piece:?}");
        assert_eq!(md.tail_was_extended, extended, "{piece:?}");
    }
    assert!(md.open_table.is_none());
}

/// While streaming (`layout_paced`), an unfinished last line that is not a row yet (`|`), or
/// whose unclosed code span would widen a column, is left out until complete, rather than
/// drawing the table again whole; `layout` is always exact.
#[test]
fn an_unfinished_row_may_wait_for_its_line_end() {
    let theme = Theme::default();
    let now = Instant::now();
    let mut md = StreamingMarkdown::new();
    md.push("| n | tag |\n|--:|:--|\n| 1 | `abc` |\n");
    assert!(md.layout_paced(60, &theme, 1, now));
    let upto = |md: &StreamingMarkdown, text: &str| {
        let whole = render(text, 60, &theme, 1);
        assert_eq!(md.lines().collect::<Vec<_>>(), whole.lines);
    };
    let mut src = md.source().to_string();
    for (piece, exact) in [("|", false), (" 2 | `abc", false), ("` |\n", true)] {
        md.push(piece);
        src.push_str(piece);
        assert_eq!(md.layout_paced(60, &theme, 1, now), exact, "{piece:?}");
        assert!(md.tail_was_extended(), "{piece:?}");
        let shown = if exact {
            src.len()
        } else {
            src.rfind('\n').map_or(0, |i| i + 1)
        };
        upto(&md, &src[..shown]);
    }
    md.push("| 3 | `abc");
    src.push_str("| 3 | `abc");
    md.layout(60, &theme, 1);
    upto(&md, &src);
}

/// A tight bullet list streaming in is extended item by item (only its open item drawn
/// again), until something makes it loose or ends it; it gives the same lines as the whole
/// text at every step.
#[test]
fn an_open_list_grows_item_by_item() {
    let theme = Theme::default();
    let mut md = StreamingMarkdown::new();
    md.push("Intro.\n\n- one\n");
    md.layout(30, &theme, 1);
    assert!(md.open_list.is_some());
    let mut src = md.source().to_string();
    let pieces = [
        ("- tw", true),
        ("o, a longer item that wraps\n  on", true),
        (" two lines\n  - nested\n- three\n", true),
        ("lazy continuation\n", true),
        // Another bullet starts another list, right after the first: two blocks in the tail.
        ("* four\n", false),
        ("* five\n", false),
        // A blank line between items makes the list loose: every item changes.
        ("\n* six\n", false),
        ("After.\n", false),
    ];
    for (piece, extended) in pieces {
        md.push(piece);
        src.push_str(piece);
        md.layout(30, &theme, 1);
        let whole = render(&src, 30, &theme, 1);
        assert_eq!(
            text(&md.lines().collect::<Vec<_>>()),
            text(&whole.lines),
            "{piece:?}"
        );
        assert_eq!(md.tail_was_extended, extended, "{piece:?}");
    }
}

/// The parser stops a table after 2^18 filler cells (for rows shorter than the header); rows
/// drawn one at a time stop at the same row.
#[test]
fn a_table_of_short_rows_stops_where_the_parser_does() {
    let theme = Theme::default();
    let mut src = String::from("| a | b | c | d | e | f | g | h | i |\n|-|-|-|-|-|-|-|-|-|\n");
    let row = "| x |\n";
    // 8 filler cells per row: the limit falls inside the last chunk.
    let rows = (1 << 18) / 8 + 2;
    let mut md = StreamingMarkdown::new();
    md.push(&src);
    md.layout(40, &theme, 1);
    for chunk in 0..4 {
        let piece = row.repeat(rows / 4 + usize::from(chunk == 3) * (rows % 4));
        md.push(&piece);
        src.push_str(&piece);
        md.layout(40, &theme, 1);
    }
    let whole = render(&src, 40, &theme, 1);
    assert_eq!(md.lines().collect::<Vec<_>>(), whole.lines);
    // The last rows are not in the table: they became a paragraph.
    assert!(
        !text(&whole.lines)
            .last()
            .is_some_and(|l| l.starts_with('└'))
    );
}

/// A long open tail is not drawn again in the same instant it was drawn, but is once its
/// pace allows, and `layout` is always exact.
#[test]
fn a_long_open_tail_is_laid_out_at_a_pace() {
    let theme = Theme::default();
    let start = Instant::now();
    let mut md = StreamingMarkdown::new();
    let para = "word ".repeat(PACED_TAIL / 5 + 10);
    md.push(&para);
    assert!(md.layout_paced(60, &theme, 1, start));
    let before = md.line_count();
    md.push("more words arriving");
    assert!(!md.layout_paced(60, &theme, 1, start));
    assert_eq!(md.line_count(), before, "the lines lag the text");
    assert!(md.layout_paced(60, &theme, 1, start + Duration::from_secs(60)));
    let whole = render(md.source(), 60, &theme, 1);
    assert_eq!(text(&md.lines().collect::<Vec<_>>()), text(&whole.lines));
    // A short tail is never paced.
    let mut short = StreamingMarkdown::new();
    short.push("short");
    assert!(short.layout_paced(60, &theme, 1, start));
    short.push(" text");
    assert!(short.layout_paced(60, &theme, 1, start));
    assert_eq!(
        short.line(0).map(|l| l.to_string()),
        Some("short text".into())
    );
}

#[test]
fn late_reference_definitions_relink_committed_text() {
    let theme = Theme::default();
    let src = "See [the docs].\n\nMore text.\n\n[the docs]: https://example.com\n";
    let mut md = StreamingMarkdown::new();
    for c in src.chars() {
        md.push(&c.to_string());
        md.layout(60, &theme, 1);
    }
    let whole = render(src, 60, &theme, 1);
    assert_eq!(text(&md.lines().collect::<Vec<_>>()), text(&whole.lines));
    assert!(text(&whole.lines)[0].contains("(https://example.com)"));
}

/// Found by the property tests: a code block at width 1 whose first line holds control
/// characters, cut in three anywhere (an unfinished line of blanks is not code yet).
#[test]
fn a_narrow_code_block_streams_as_the_whole() {
    let theme = Theme::builtin("dark").unwrap_or_default();
    let src = "```\u{1b}]52;c;x\u{7}\n  ![i](u.png) \u{1} \u{16e40}\n\t0aaa\n  \n  y\n";
    let cuts: Vec<usize> = (0..=src.len())
        .filter(|&c| src.is_char_boundary(c))
        .collect();
    for &a in &cuts {
        for &b in cuts.iter().filter(|&&b| b >= a) {
            let mut md = StreamingMarkdown::new();
            for (start, end) in [(0, a), (a, b), (b, src.len())] {
                md.push(&src[start..end]);
                md.layout(1, &theme, 1);
                // At every step, what the text so far renders to.
                let so_far = render(&src[..end], 1, &theme, 1);
                assert_eq!(
                    md.lines().collect::<Vec<_>>(),
                    so_far.lines,
                    "cut at {a}, {b}"
                );
                assert_eq!(
                    md.code_blocks(),
                    so_far.code_blocks.as_slice(),
                    "cut at {a}, {b}"
                );
            }
        }
    }
}
