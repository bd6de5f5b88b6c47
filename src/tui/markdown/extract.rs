//! The code blocks of a markdown document without rendering it, for copying them: the same
//! blocks, languages and raw text the renderer reports in [`super::Rendered::code_blocks`]
//! (a test holds the two equal), numbered from `first`.

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use super::CodeBlock;
use super::blocks::parser_options;
use super::render::tags::fence_lang;

/// The code blocks of `src` in document order, numbered from `first`.
pub fn code_blocks(src: &str, first: usize) -> Vec<CodeBlock> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, String)> = None;
    for event in Parser::new_ext(src, parser_options()) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => fence_lang(&info),
                    CodeBlockKind::Indented => String::new(),
                };
                open = Some((lang, String::new()));
            }
            Event::Text(text) => {
                if let Some((_, code)) = &mut open {
                    code.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, code)) = open.take() {
                    let number = first + blocks.len();
                    blocks.push(CodeBlock { number, lang, code });
                }
            }
            _ => {}
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::code_blocks;
    use crate::tui::markdown::render;
    use crate::tui::theme::Theme;

    /// Copying and drawing agree on every block: its number, language and text.
    #[test]
    fn the_same_blocks_as_rendering() {
        let theme = Theme::default();
        let docs = [
            "no code at all",
            "```rust\nfn main() {}\n```\n\ntext\n\n```\nplain\n```\n",
            "- item\n\n  ```py\n  x = 1\n  ```\n> ```sh\n> ls\n> ```\n",
            "    indented\n    code\n\n~~~{.toml}\na = 1\n~~~\n",
            "| a | b |\n|---|---|\n| `x` | y |\n\n```js\nstill streaming",
            "[ref]: http://x\n\n```\n[ref]\n```\n<div>\n```\nhtml\n```\n</div>\n",
        ];
        for doc in docs {
            for first in [1, 7] {
                let rendered = render(doc, 40, &theme, first).code_blocks;
                assert_eq!(code_blocks(doc, first), rendered, "{doc:?}");
            }
        }
    }
}
