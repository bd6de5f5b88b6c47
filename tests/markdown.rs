//! Markdown rendering as the conversation pane shows it: snapshots of the drawn buffer, the
//! colours that snapshots cannot show, and the promise that streamed text lays out exactly like
//! the finished text.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use thinkbench::tui::markdown::{CodeBlock, StreamingMarkdown, render, render_thinking};
use thinkbench::tui::theme::Theme;
use unicode_width::UnicodeWidthStr;

const ANSWER: &str = r#"# Streaming parsers

A *reasoning* model writes **long** answers with `inline code`, ~~mistakes~~ and a [link](https://example.com/docs). Autolinks like <https://example.org> show once.

## Steps

1. Read the input
2. Split it into lines:
   - keep the `\n`
   - drop empty ones
     - nested deeper, with a continuation line that is long enough to wrap
3. Done

- [x] parse
- [ ] render

> A quote that is long enough to wrap around at narrow widths, really.
>
> > nested quote

---

| Model | Input $/M | Notes |
|:------|----------:|:-----:|
| o3 | 2.00 | reasoning |
| gpt-5-mini | 0.25 | cheap and fast |

```rust
fn main() {
    let answer = 42; // the answer
    println!("{answer}");
}
```

```toml
[model]
name = "o3"
effort = "high"
```

### Lower heading

Final words with ![a diagram](diagram.png) and <b>html</b>.
"#;

fn dark() -> Theme {
    Theme::builtin("dark").unwrap()
}

fn draw(lines: &[Line<'static>], width: u16) -> Terminal<TestBackend> {
    let height = u16::try_from(lines.len().max(1)).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| f.render_widget(Paragraph::new(lines.to_vec()), f.area()))
        .unwrap();
    terminal
}

fn assert_fits(lines: &[Line], width: usize) {
    for line in lines {
        let w: usize = line.spans.iter().map(|s| s.content.width()).sum();
        assert!(w <= width.max(1), "{w} > {width}: {line}");
    }
}

#[test]
fn finished_answer() {
    let r = render(ANSWER, 72, &dark(), 1);
    assert_fits(&r.lines, 72);
    insta::assert_snapshot!(draw(&r.lines, 72).backend());
    assert_eq!(
        r.code_blocks,
        [
            CodeBlock {
                number: 1,
                lang: "rust".into(),
                code: "fn main() {\n    let answer = 42; // the answer\n    println!(\"{answer}\");\n}\n"
                    .into(),
            },
            CodeBlock {
                number: 2,
                lang: "toml".into(),
                code: "[model]\nname = \"o3\"\neffort = \"high\"\n".into(),
            },
        ]
    );
}

#[test]
fn finished_answer_narrow() {
    let r = render(ANSWER, 30, &dark(), 7);
    assert_fits(&r.lines, 30);
    assert_eq!(r.code_blocks[0].number, 7);
    insta::assert_snapshot!(draw(&r.lines, 30).backend());
}

#[test]
fn long_code_lines_are_clipped_not_wrapped() {
    let src = "```python\ndef f():\n    return \"a string that is far too long to fit in the frame\" + str(42)\n\tpass\n```\n\n    indented code block\n";
    let r = render(src, 40, &dark(), 3);
    assert_fits(&r.lines, 40);
    insta::assert_snapshot!(draw(&r.lines, 40).backend());
    assert_eq!(r.code_blocks.len(), 2);
    assert_eq!(r.code_blocks[1].lang, "");
}

#[test]
fn unclosed_fence_renders_as_code() {
    let r = render("Here:\n\n```rust\nlet x = 1;\nlet y", 30, &dark(), 1);
    insta::assert_snapshot!(draw(&r.lines, 30).backend());
}

#[test]
fn tiny_widths_do_not_panic() {
    for width in 0..=3u16 {
        let r = render(ANSWER, width, &dark(), 1);
        assert_fits(&r.lines, usize::from(width));
        assert!(!r.lines.is_empty());
        let mut md = StreamingMarkdown::new();
        md.push(ANSWER);
        md.layout(width, &dark(), 1);
        assert_eq!(md.line_count(), r.lines.len());
    }
    let r = render(ANSWER, 3, &dark(), 1);
    insta::assert_snapshot!(draw(&r.lines[..12], 3).backend());
}

#[test]
fn colours_of_headings_and_keywords() {
    let theme = dark();
    let r = render(ANSWER, 72, &theme, 1);
    let title = r.lines[0]
        .spans
        .iter()
        .find(|s| s.content.contains("Streaming"))
        .unwrap();
    assert_eq!(title.style.fg, theme.heading.fg);
    assert_eq!(title.style.fg, Some(Color::LightBlue));
    assert!(
        title
            .style
            .add_modifier
            .contains(Modifier::BOLD | Modifier::UNDERLINED)
    );

    let fn_line = r
        .lines
        .iter()
        .find(|l| l.to_string().contains("fn main"))
        .unwrap();
    let keyword = fn_line.spans.iter().find(|s| s.content == "fn").unwrap();
    assert!(
        matches!(keyword.style.fg, Some(Color::Rgb(..))),
        "{keyword:?}"
    );
    let name = fn_line.spans.iter().find(|s| s.content == "main").unwrap();
    assert_ne!(keyword.style.fg, name.style.fg);

    let link = r
        .lines
        .iter()
        .flat_map(|l| &l.spans)
        .find(|s| s.content.contains("link"))
        .unwrap();
    assert_eq!(link.style.fg, Some(Color::Cyan));
    assert!(link.style.add_modifier.contains(Modifier::UNDERLINED));

    // NO_COLOR: modifiers stay, colours go, code is plain.
    let plain = render(ANSWER, 72, &theme.no_color(), 1);
    for span in plain.lines.iter().flat_map(|l| &l.spans) {
        assert_eq!((span.style.fg, span.style.bg), (None, None), "{span:?}");
    }
    assert!(
        plain.lines[0].spans[1]
            .style
            .add_modifier
            .contains(Modifier::BOLD)
    );
}

#[test]
fn thinking_text_is_patched_and_unnumbered() {
    let theme = dark();
    let r = render_thinking("Let me think.\n\n```rust\nfn x() {}\n```\n", 40, &theme);
    assert!(r.code_blocks.is_empty());
    assert!(
        r.lines[2].to_string().starts_with("╭─ rust ─"),
        "{}",
        r.lines[2]
    );
    for span in r.lines.iter().flat_map(|l| &l.spans) {
        assert_eq!(span.style.fg, theme.thinking.fg, "{span:?}");
        assert!(
            span.style
                .add_modifier
                .contains(Modifier::ITALIC | Modifier::DIM)
        );
    }
}

/// Documents that exercise every kind of block boundary.
fn documents() -> Vec<String> {
    vec![
        ANSWER.to_string(),
        "para\n\n```\nunclosed fence\n\nwith blank lines\n".into(),
        "- a\n\n- b\n\n  continued\n\n  ```sh\n  echo hi\n  ```\n\nafter the list\n\n1. one\n1. two\n\n10. ten\n"
            .into(),
        "Setext\n======\n\nand\n---\n\nfoo\n***\n| a | b |\n|---|---|\n| 1 | 2 |\n\ntext\n".into(),
        "> quote\nlazy continuation\n\n> another\n\n    indented\n\n    still code\n\nend".into(),
        "See [the docs] and [here][x].\n\n<!-- comment\n\nstill comment -->\n\n[x]: https://x.example \"T\"\n\nThen [the docs].\n\n[the docs]: https://docs.example\n"
            .into(),
        "Unicode: 日本語のテキストと emoji 🎉 wrap.\n\n* ünïcödé\n* ~~gone~~ **bold _both_**\n\nTrailing  \nhard break\\\nagain".into(),
        "```rust\nfn main() {\n    let s = \"```\";\n}\n```\nright after\n\n~~~\ntilde\n~~~\n\n````md\n```\nnested\n```\n````\n".into(),
    ]
}

/// Splits at roughly `step` bytes, never inside a character.
fn deltas(text: &str, step: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + step).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        out.push(&text[start..end]);
        start = end;
    }
    out
}

fn streamed(
    deltas: &[&str],
    thinking: bool,
    width: u16,
    theme: &Theme,
) -> (Vec<Line<'static>>, Vec<CodeBlock>) {
    let mut md = if thinking {
        StreamingMarkdown::thinking()
    } else {
        StreamingMarkdown::new()
    };
    for (i, delta) in deltas.iter().enumerate() {
        md.push(delta);
        if i % 2 == 0 {
            md.layout(width, theme, 4);
        }
    }
    md.layout(width, theme, 4);
    let lines = (0..md.line_count())
        .filter_map(|i| md.line(i))
        .map(|l| {
            let spans: Vec<ratatui::text::Span<'static>> = (l.spans.iter())
                .map(|s| ratatui::text::Span::styled(s.content.to_string(), s.style))
                .collect();
            Line::from(spans).style(l.style)
        })
        .collect();
    (lines, md.code_blocks().to_vec())
}

#[test]
fn streaming_equals_whole_render() {
    let theme = dark();
    for doc in documents() {
        for width in [80u16, 33] {
            let whole = render(&doc, width, &theme, 4);
            let thought = render_thinking(&doc, width, &theme);
            for step in [1, 3, 7] {
                let parts = deltas(&doc, step);
                let (lines, blocks) = streamed(&parts, false, width, &theme);
                assert_eq!(lines, whole.lines, "step {step}, width {width}:\n{doc}");
                assert_eq!(blocks, whole.code_blocks, "step {step}:\n{doc}");
                let (lines, blocks) = streamed(&parts, true, width, &theme);
                assert_eq!(lines, thought.lines, "thinking, step {step}:\n{doc}");
                assert!(blocks.is_empty());
            }
        }
    }
}

#[test]
fn resizing_mid_stream_recomputes_once() {
    let theme = dark();
    let doc = documents().concat();
    let mut md = StreamingMarkdown::new();
    for (i, delta) in deltas(&doc, 5).into_iter().enumerate() {
        md.push(delta);
        let width = if (i / 40) % 2 == 0 { 70 } else { 41 };
        md.layout(width, &theme, 1);
    }
    md.layout(41, &theme, 1);
    let whole = render(&doc, 41, &theme, 1);
    assert_eq!(md.lines().collect::<Vec<_>>(), whole.lines);
    assert_eq!(md.code_blocks(), whole.code_blocks.as_slice());
    md.layout(41, &theme, 9);
    assert_eq!(md.code_blocks()[0].number, 9);
}

/// Tricky fragments: containers, fences, HTML blocks, link definitions (also partial ones),
/// setext underlines, tables, CRLF, wide characters.
const FRAGMENTS: &[&str] = &[
    "para text",
    "\n",
    "\n\n",
    "# head",
    "## two",
    "- item",
    "  - nested",
    "1. one",
    "2) two",
    "10. ten",
    "> quote",
    ">",
    "> > deep",
    "```",
    "```rust",
    "~~~",
    "````",
    "    indented",
    "\tTab",
    "---",
    "***",
    "===",
    "| a | b |",
    "|---|:-:|",
    "| 1 | 2 |",
    "<div>",
    "</div>",
    "<!--",
    "-->",
    "[x]: http://x.y",
    "[x]",
    "[X]",
    "[link](http://l)",
    "<http://auto>",
    "**bold",
    "bold**",
    "`code`",
    "- [ ] task",
    "- [x] done",
    "text  ",
    "back\\",
    "![img](i.png)",
    "fn main() {}",
    "let s = \"s\";",
    "[y]: /y 'T'",
    "[y]",
    "日本語",
    "🎉 party",
    "<pre>",
    "</pre>",
    "1.",
    "-",
    "> ```",
    "  ```",
    "[a]:",
    "/url",
    "\r\n",
    "<script>",
    "</script>",
    "[A]: <u v>",
    "[b]: /b&amp;c",
    "[b]",
    "    ",
    "> [x]: /q",
];

/// A small deterministic generator (xorshift64).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[test]
fn streaming_equals_whole_render_on_random_documents() {
    let theme = dark();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..400 {
        let mut doc = String::new();
        for _ in 0..1 + rng.below(50) {
            doc.push_str(FRAGMENTS[rng.below(FRAGMENTS.len())]);
            doc.push_str(["", " ", "\n", "\n"][rng.below(4)]);
        }
        let width = [1u16, 7, 20, 50][rng.below(4)];
        let whole = render(&doc, width, &theme, 1);
        let mut md = StreamingMarkdown::new();
        let mut at = 0;
        while at < doc.len() {
            let mut end = (at + 1 + rng.below(8)).min(doc.len());
            while !doc.is_char_boundary(end) {
                end += 1;
            }
            md.push(&doc[at..end]);
            at = end;
            if rng.below(3) == 0 {
                md.layout(width, &theme, 1);
            }
        }
        md.layout(width, &theme, 1);
        let lines: Vec<Line> = md.lines().collect();
        assert_eq!(lines, whole.lines, "round {round}, width {width}: {doc:?}");
        assert_eq!(md.code_blocks(), whole.code_blocks.as_slice(), "{doc:?}");
        assert_fits(&whole.lines, usize::from(width.max(2)));
    }
}
