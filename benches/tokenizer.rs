//! The `o200k_base` tokenizer behind `usage::estimate_tokens` (tiktoken-rs). Before the
//! criterion group runs, one pass prints its load time, the RSS its load adds, and checks
//! that the estimate is exactly tiktoken's count over a corpus (the tests' strings, unicode,
//! CJK, emoji, long repeats, prose and code) and that a [`TokenTally`] fed in pieces counts
//! the same; also in test mode, where criterion runs each benchmark once. The group then
//! measures counting 1 MiB of prose and of code: at once, as a streaming turn counts it
//! (a [`TokenTally`] fed 8-byte deltas, and fed 4 KiB per read, about what a frame brings),
//! and one estimate per 8-byte delta (how turns counted before they counted lazily).
//!
//! bpe-openai 0.3.2 was measured against it the same way (same corpus: every count equal):
//! it loads in ~66-71 ms (tiktoken-rs ~185-226 ms) but adds ~65 MiB RSS (tiktoken-rs ~43-45),
//! counts prose at about the same speed (53 vs 49 MiB/s) and code twice as fast (31 vs
//! 15 MiB/s), and embeds three encodings in the binary. The load now happens only when an
//! estimate is needed (and in the TUI off its loop), while the memory stays for the whole
//! session, so tiktoken-rs stays.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use thinkbench::usage::{TokenTally, estimate_tokens};

#[path = "../tests/support/shapes.rs"]
#[allow(dead_code)]
mod shapes;

const MIB: usize = 1 << 20;

/// Resident memory of this process, in KiB (0 where /proc is not there).
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    (status.lines())
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Texts both crates must count alike.
fn corpus() -> Vec<String> {
    let mut texts: Vec<String> = [
        "",
        "The capital of Mexico is Mexico City.",
        "Let me think: the user's question (about 42 apples, 3.5 kg) is simple.\n\nFirst, \
         ünïcödé words, \"quotes\" and code `x = y + 1;` — then    spaces and tabs\tand/slashes. \
         Done!",
        "First thought.Second.",
        "Looking at it.",
        "思考思考思考。日本語の文章と中文的句子，还有한국어 문장도 있습니다.",
        "emoji 👩‍👩‍👧‍👦 🇲🇽 ✨ and combining e\u{301} a\u{308}",
        "I'm sure they'll say you've done what we'd do: DON'T SHOUT, it's fine.",
        "  leading and trailing spaces  \n\n\n  \r\n\t\t",
        "1234567890 3.14159 1e-9 0xDEADBEEF 2,240 m",
        "https://example.com/path?query=1&b=2#frag <tag attr=\"v\">x</tag>",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    texts.push("a".repeat(10_000));
    texts.push(" ".repeat(5_000));
    texts.push("\n".repeat(3_000));
    texts.push("ab".repeat(20_000));
    texts.push("思".repeat(20_000));
    texts.push("word ".repeat(10_000));
    texts.push(include_str!("../README.md").to_string());
    texts.push(include_str!("../src/usage/mod.rs").to_string());
    for shape in shapes::SHAPES {
        texts.extend(shapes::shape_text(shape, 64 * 1024));
    }
    texts
}

/// Load the encoding once, timed, with the RSS it adds; check the counts over the corpus.
fn figures() {
    let before = rss_kib();
    let t = Instant::now();
    let tiktoken = tiktoken_rs::o200k_base().ok();
    let load = t.elapsed();
    let after = rss_kib();
    eprintln!(
        "load o200k (tiktoken-rs): {:.1} ms, +{:.1} MiB RSS",
        load.as_secs_f64() * 1000.0,
        after.saturating_sub(before) as f64 / 1024.0,
    );
    let Some(tiktoken) = tiktoken else {
        eprintln!("tiktoken-rs could not load o200k_base");
        return;
    };
    let texts = corpus();
    let mut differ = 0;
    for text in &texts {
        let exact = tiktoken.encode_ordinary(text).len() as u64;
        let mut tally = TokenTally::new();
        for piece in pieces(text, 7) {
            tally.push(piece);
        }
        let (ours, tallied) = (estimate_tokens(text), tally.total());
        // A tally may count a little more where it had to cut a 4 KiB run without a word
        // boundary (a token or two per cut).
        let slack = 2 * (text.len() as u64 / 4096);
        if ours != exact || !(exact..=exact + slack).contains(&tallied) {
            differ += 1;
            let head: String = text.chars().take(40).collect();
            eprintln!("counts differ: tiktoken {exact}, ours {ours}, tally {tallied}: {head:?}");
        }
    }
    eprintln!(
        "exact counts: {} of {} texts agree",
        texts.len() - differ,
        texts.len()
    );
    assert_eq!(differ, 0, "the estimate is tiktoken's o200k count");
}

/// `text` in pieces of about `size` bytes, each cut on a character boundary.
fn pieces(text: &str, size: usize) -> Vec<&str> {
    let mut out = Vec::with_capacity(text.len() / size + 1);
    let mut rest = text;
    while !rest.is_empty() {
        let mut at = size.min(rest.len());
        while !rest.is_char_boundary(at) {
            at += 1;
        }
        out.push(&rest[..at]);
        rest = &rest[at..];
    }
    out
}

fn counting(c: &mut Criterion) {
    figures();
    let prose = shapes::shape_text("paragraph", MIB).unwrap_or_default();
    let code = shapes::shape_text("code", MIB).unwrap_or_default();
    let tiktoken = tiktoken_rs::o200k_base().ok();
    let mut group = c.benchmark_group("o200k count 1 MiB");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(4));
    group.throughput(Throughput::Bytes(MIB as u64));
    for (name, text) in [("prose", &prose), ("code", &code)] {
        if let Some(tiktoken) = &tiktoken {
            group.bench_function(format!("at once {name}"), |b| {
                b.iter(|| tiktoken.encode_ordinary(black_box(text)).len())
            });
        }
        for (how, size) in [("8-byte deltas", 8), ("4 KiB reads", 4096)] {
            let parts = pieces(text, size);
            group.bench_function(format!("TokenTally {how} {name}"), |b| {
                b.iter(|| {
                    let mut tally = TokenTally::new();
                    for part in &parts {
                        tally.push(black_box(part));
                    }
                    tally.total()
                })
            });
        }
        let deltas = pieces(text, 8);
        group.bench_function(format!("estimate per 8-byte delta {name}"), |b| {
            b.iter(|| {
                deltas
                    .iter()
                    .map(|d| estimate_tokens(black_box(d)))
                    .sum::<u64>()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, counting);
criterion_main!(benches);
