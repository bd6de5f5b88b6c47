//! Deterministic markdown answers of one shape each, for measuring how the client keeps up
//! with long answers (`scripts/answer_shapes.sh`, the fake server's `shape:NAME:BYTES`
//! scenario): `mixed` (headings, paragraphs, a table, code and a list, repeated), `code` (one
//! fenced code block), `table` (one table), `paragraph` (one paragraph, no line break) and
//! `list` (one bulleted list). Every text is ASCII and exactly the size asked for.

/// The shapes, in the order the script measures them.
pub const SHAPES: &[&str] = &["mixed", "code", "table", "paragraph", "list"];

const WORDS: &[&str] = &[
    "the",
    "model",
    "reasons",
    "about",
    "tokens",
    "while",
    "streaming",
    "an",
    "answer",
    "with",
    "cost",
    "latency",
    "and",
    "hidden",
    "effort",
    "budget",
    "cache",
    "input",
    "output",
    "per",
    "million",
    "request",
    "server",
    "context",
    "window",
    "limit",
    "terminal",
    "render",
];

const CODE: &[&str] = &[
    "fn total(usage: &Usage, price: &Price) -> f64 {",
    "    let fresh = usage.input.saturating_sub(usage.cached_input);",
    "    // billed per million tokens, cached input at its own rate",
    "    let cost = fresh as f64 * price.input + usage.output as f64 * price.output;",
    "    if cost > 1e6 { return f64::NAN; }",
    "    cost / 1_000_000.0",
    "}",
    "",
];

/// `n` words starting at word `seed`.
fn words(seed: usize, n: usize) -> String {
    (0..n)
        .map(|i| WORDS[(seed * 7 + i * 3) % WORDS.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

fn table_row(i: usize) -> String {
    format!(
        "| {i} | {} | {}.{:02} | `{}` |\n",
        words(i, 3),
        i % 97,
        i % 100,
        WORDS[i % WORDS.len()]
    )
}

/// The answer of `shape`, exactly `bytes` long; `None` for an unknown shape.
pub fn shape_text(shape: &str, bytes: usize) -> Option<String> {
    let mut text = String::with_capacity(bytes + 256);
    let mut i = 0usize;
    match shape {
        "mixed" => {
            while text.len() < bytes {
                text.push_str(&format!("## Section {i}\n\n{}.\n\n", words(i, 40)));
                text.push_str("| n | what | cost |\n|---|---|---|\n");
                for r in 0..4 {
                    text.push_str(&format!("| {r} | {} | {}.5 |\n", words(i + r, 2), i % 9));
                }
                text.push_str("\n```rust\n");
                for line in CODE {
                    text.push_str(line);
                    text.push('\n');
                }
                text.push_str("```\n\n");
                for (r, word) in WORDS.iter().enumerate().take(3) {
                    text.push_str(&format!("- **{word}**: {}\n", words(i + r, 8)));
                }
                text.push('\n');
                i += 1;
            }
        }
        "code" => {
            text.push_str("```rust\n");
            while text.len() < bytes {
                text.push_str(CODE[i % CODE.len()]);
                text.push('\n');
                i += 1;
            }
        }
        "table" => {
            text.push_str("| n | words | amount | tag |\n|---:|---|---:|---|\n");
            while text.len() < bytes {
                text.push_str(&table_row(i));
                i += 1;
            }
        }
        "paragraph" => {
            while text.len() < bytes {
                text.push_str(WORDS[(i * 5) % WORDS.len()]);
                text.push(' ');
                i += 1;
            }
        }
        "list" => {
            while text.len() < bytes {
                text.push_str(&format!("- item {i}: {}\n", words(i, 9)));
                i += 1;
            }
        }
        _ => return None,
    }
    text.truncate(bytes);
    Some(text)
}
