//! Rendering benchmarks.
//!
//! `streaming`: ~1 MB and ~2 MB of generated markdown (prose, nested lists, code blocks in
//! several languages, tables, quotes) fed to `StreamingMarkdown` in 4-byte deltas, laid out at
//! 120 columns every 64 deltas, as the conversation pane does while an answer streams. The
//! document is deterministic. Streaming must be linear: the 2 MB time should stay within about
//! 2.2× the 1 MB time (compare the two, or the MiB/s throughput).
//!
//! `shapes`: each answer shape of `scripts/answer_shapes.sh` (`tests/support/shapes.rs`: one
//! long table, code block, list or paragraph, or mixed markdown), 512 KiB and 1 MiB, fed in
//! 8-byte deltas and laid out as the conversation pane does while streaming
//! (`layout_paced`, a frame every 2 KiB, 16 ms apart), then once more whole. This is the
//! rendering share of that script's CPU figures, without the terminal, the wire and the
//! tokenizer; the 1 MiB time should stay within about 2.2× the 512 KiB one.
//!
//! Drawing a whole frame over a long history is measured in `benches/frame.rs`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use thinkbench::tui::markdown::StreamingMarkdown;
use thinkbench::tui::theme::Theme;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

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
    "frame",
    "quickly",
    "carefully",
    "because",
    "therefore",
    "however",
    "compute",
    "estimate",
    "exact",
];

const RUST: &str = "fn total(usage: &Usage, price: &Price) -> f64 {\n    let fresh = usage.input - usage.cached_input;\n    // billed per million tokens\n    (fresh as f64 * price.input + usage.output as f64 * price.output) / 1e6\n}\n";
const PYTHON: &str = "def total(usage, price):\n    \"\"\"Cost of one turn.\"\"\"\n    fresh = usage[\"input\"] - usage[\"cached\"]\n    return (fresh * price.input + usage[\"output\"] * price.output) / 1e6\n";
const TOML: &str = "[model.o3]\nprovider = \"openai\"\ninput = 2.00\noutput = 8.00\nefforts = [\"low\", \"medium\", \"high\"]\n";
const JS: &str = "export function total(usage, price) {\n  const fresh = usage.input - usage.cached;\n  return (fresh * price.input + usage.output * price.output) / 1e6;\n}\n";
const SH: &str = "#!/bin/sh\nset -eu\nfor m in o3 gpt-5-mini; do\n  thinkbench ask --model \"$m\" \"hello\" | tee \"out-$m.txt\"\ndone\n";

fn sentence(rng: &mut Rng, out: &mut String) {
    let n = 6 + rng.below(12);
    for i in 0..n {
        let word = rng.pick(WORDS);
        match rng.below(20) {
            0 => out.push_str(&format!("**{word}**")),
            1 => out.push_str(&format!("`{word}()`")),
            2 => out.push_str(&format!("*{word}*")),
            3 => out.push_str(&format!("[{word}](https://example.com/{word})")),
            _ => out.push_str(word),
        }
        out.push(if i + 1 == n { '.' } else { ' ' });
    }
}

fn paragraph(rng: &mut Rng, out: &mut String) {
    for _ in 0..3 + rng.below(5) {
        sentence(rng, out);
        out.push(' ');
    }
    out.push_str("\n\n");
}

fn list(rng: &mut Rng, out: &mut String) {
    let ordered = rng.below(2) == 0;
    for i in 0..3 + rng.below(4) {
        if ordered {
            out.push_str(&format!("{}. ", i + 1));
        } else {
            out.push_str("- ");
        }
        sentence(rng, out);
        out.push('\n');
        if rng.below(3) == 0 {
            for _ in 0..1 + rng.below(3) {
                out.push_str(if ordered { "   - " } else { "  - " });
                sentence(rng, out);
                out.push('\n');
            }
        }
    }
    out.push('\n');
}

fn code(rng: &mut Rng, out: &mut String) {
    let (lang, body) = [
        ("rust", RUST),
        ("python", PYTHON),
        ("toml", TOML),
        ("js", JS),
        ("sh", SH),
    ][rng.below(5)];
    out.push_str(&format!("```{lang}\n"));
    for _ in 0..1 + rng.below(3) {
        out.push_str(body);
    }
    out.push_str("```\n\n");
}

fn table(rng: &mut Rng, out: &mut String) {
    out.push_str("| Model | Input $/M | Output $/M | Notes |\n|:--|--:|--:|:-:|\n");
    for _ in 0..3 + rng.below(5) {
        out.push_str(&format!(
            "| {} | {}.{:02} | {}.{:02} | {} {} |\n",
            rng.pick(&[
                "o3",
                "o4-mini",
                "gpt-5",
                "gpt-5-mini",
                "deepseek-r1",
                "claude"
            ]),
            rng.below(20),
            rng.below(100),
            rng.below(80),
            rng.below(100),
            rng.pick(WORDS),
            rng.pick(WORDS),
        ));
    }
    out.push('\n');
}

/// Deterministic markdown of at least `size` bytes.
fn document(size: usize) -> String {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut out = String::with_capacity(size + 4096);
    let mut section = 0;
    while out.len() < size {
        section += 1;
        out.push_str(&format!("## Section {section}\n\n"));
        for _ in 0..2 + rng.below(4) {
            match rng.below(10) {
                0..=3 => paragraph(&mut rng, &mut out),
                4 | 5 => list(&mut rng, &mut out),
                6 | 7 => code(&mut rng, &mut out),
                8 => table(&mut rng, &mut out),
                _ => {
                    out.push_str("> ");
                    sentence(&mut rng, &mut out);
                    out.push_str("\n\n");
                }
            }
        }
    }
    out
}

/// Splits into deltas of about `step` bytes on character boundaries.
fn deltas(text: &str, step: usize) -> Vec<&str> {
    let mut out = Vec::with_capacity(text.len() / step + 1);
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

fn stream(parts: &[&str], theme: &Theme) -> usize {
    let mut md = StreamingMarkdown::new();
    for (i, delta) in parts.iter().enumerate() {
        md.push(delta);
        if i % 64 == 63 {
            md.layout(120, theme, 1);
        }
    }
    md.layout(120, theme, 1);
    md.line_count()
}

fn streaming(c: &mut Criterion) {
    let theme = Theme::default();
    let mut group = c.benchmark_group("streaming");
    // One iteration takes a few hundred milliseconds: ten flat samples are plenty.
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    for mib in [1usize, 2] {
        let doc = document(mib << 20);
        let parts = deltas(&doc, 4);
        group.throughput(Throughput::Bytes(doc.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("4-byte deltas", format!("{mib}MB")),
            &parts,
            |b, parts| {
                b.iter(|| black_box(stream(parts, &theme)));
            },
        );
    }
    group.finish();
}

#[path = "../tests/support/shapes.rs"]
mod shapes;

/// Streams `parts` as the pane does: a paced layout every 256 deltas, 16 ms apart.
fn stream_paced(parts: &[&str], theme: &Theme) -> usize {
    let start = Instant::now();
    let mut md = StreamingMarkdown::new();
    for (i, delta) in parts.iter().enumerate() {
        md.push(delta);
        if i % 256 == 255 {
            let frame = u32::try_from(i / 256).unwrap_or(u32::MAX);
            md.layout_paced(120, theme, 1, start + Duration::from_millis(16) * frame);
        }
    }
    md.layout(120, theme, 1);
    md.line_count()
}

fn answer_shapes(c: &mut Criterion) {
    let theme = Theme::default();
    let mut group = c.benchmark_group("shapes");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for shape in shapes::SHAPES {
        for kib in [512usize, 1024] {
            let Some(text) = shapes::shape_text(shape, kib << 10) else {
                continue;
            };
            let parts = deltas(&text, 8);
            group.throughput(Throughput::Bytes(text.len() as u64));
            group.bench_with_input(
                BenchmarkId::new(*shape, format!("{kib}KiB")),
                &parts,
                |b, p| {
                    b.iter(|| black_box(stream_paced(p, &theme)));
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, streaming, answer_shapes);
criterion_main!(benches);
