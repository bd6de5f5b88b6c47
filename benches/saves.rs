//! Streaming saves: a 1 MiB answer streamed over 60 s of simulated time, saved the way the
//! TUI saves it — through its `Persister`, one flush every 500 ms (120 flushes of the growing
//! turn, after the prompt's save before the request leaves), then the final save when the
//! turn ends. Nothing sleeps: the flushes run back to back on the same code path.
//!
//! Before the criterion group runs, two passes print the bytes the process wrote
//! (`/proc/self/io`: `wchar`, what went to write calls, and `write_bytes`, what reached the
//! storage layer; "not measured" off Linux), the ratio of bytes written to answer bytes and
//! the wall time of the saves alone: 1 MiB over 60 s (120 flushes), and the same stream going
//! on twice as long (2 MiB, 240 flushes). Linear saving keeps the ratio about the same for
//! both; rewriting the whole answer at every flush doubles it. (Also in test mode, where
//! criterion runs each benchmark once.)

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use thinkbench::api::{ApiKind, FinishReason, StreamEvent};
use thinkbench::conversation::{Turn, TurnSpec};
use thinkbench::store::Store;
use thinkbench::tui::app::PersistOp;
use thinkbench::tui::persist::Persister;
use thinkbench::usage::Usage;

/// Flushes while a 1 MiB answer streams: 60 s at one per 500 ms.
const FLUSHES: usize = 120;

/// Simulated milliseconds between flushes.
const FLUSH_MS: u64 = 500;

fn spec() -> TurnSpec {
    TurnSpec {
        provider: "openai".into(),
        model: "o3".into(),
        api: ApiKind::Chat,
        effort: None,
        max_output_tokens: None,
        price: None,
        reasoning_model: true,
    }
}

/// Markdown-ish prose of exactly `size` bytes (ASCII), with numbered lines so that the
/// full-text index sees many distinct words, as it would in a real answer.
fn answer(size: usize) -> String {
    const LINE: &str =
        "the quick brown fox jumps over the lazy dog while *reasoning* about `code` and prices";
    let mut text = String::with_capacity(size + 128);
    let mut n = 0u64;
    while text.len() < size {
        n += 1;
        text.push_str(&format!("{n}. {LINE} item{n}\n"));
    }
    text.truncate(size);
    text
}

/// Bytes this process has written so far: (`wchar`, `write_bytes`), Linux only.
fn written() -> Option<(u64, u64)> {
    let io = std::fs::read_to_string("/proc/self/io").ok()?;
    let field = |name: &str| {
        io.lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse::<u64>().ok())
    };
    Some((field("wchar:")?, field("write_bytes:")?))
}

/// Stream `text` into a fresh store in `flushes` flushes plus the final save; the time
/// spent saving.
fn stream(dir: &tempfile::TempDir, text: &str, flushes: usize) -> Duration {
    let store = match Store::open(&dir.path().join("thinkbench.db")) {
        Ok(store) => store,
        Err(err) => panic!("{err}"),
    };
    let mut persister = Persister::new(Some(store));
    let mut turn = Turn::new(1, "Write me a very long answer".into(), spec(), 12);
    let mut saving = Duration::ZERO;
    let mut save = |persister: &mut Persister, turn: &Turn| {
        let start = Instant::now();
        let op = PersistOp::SaveTurn(Box::new(turn.clone()));
        if let Err(err) = persister.try_perform(&op) {
            panic!("{err}");
        }
        saving += start.elapsed();
    };
    save(&mut persister, &turn);
    let piece = text.len().div_ceil(flushes);
    let mut at = 0;
    for flush in 1..=flushes {
        let end = (at + piece).min(text.len());
        let ms = flush as u64 * FLUSH_MS;
        turn.apply(StreamEvent::TextDelta(text[at..end].to_string()), ms);
        at = end;
        save(&mut persister, &turn);
    }
    let ms = (flushes as u64 + 1) * FLUSH_MS;
    turn.apply(
        StreamEvent::Usage(Usage {
            input: 12,
            output: 250_000,
            ..Default::default()
        }),
        ms,
    );
    turn.apply(StreamEvent::Finished(FinishReason::Stop), ms);
    save(&mut persister, &turn);
    saving
}

/// One measured pass of `size` bytes in `flushes` flushes, printed.
fn report(size: usize, flushes: usize) {
    let text = answer(size);
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(err) => panic!("{err}"),
    };
    let before = written();
    let saving = stream(&dir, &text, flushes);
    let after = written();
    let mib = size as f64 / f64::from(1 << 20);
    let secs = flushes as u64 * FLUSH_MS / 1000;
    match before.zip(after) {
        Some(((wchar0, disk0), (wchar1, disk1))) => {
            let (wchar, disk) = (wchar1 - wchar0, disk1 - disk0);
            eprintln!(
                "streaming saves, {mib} MiB answer over {secs} s ({flushes} flushes + final save): \
                 wchar {:.1} MiB (ratio {:.1}), write_bytes {:.1} MiB (ratio {:.1}), saves took {saving:?}",
                wchar as f64 / f64::from(1 << 20),
                wchar as f64 / size as f64,
                disk as f64 / f64::from(1 << 20),
                disk as f64 / size as f64,
            );
        }
        None => eprintln!(
            "streaming saves, {mib} MiB answer over {secs} s ({flushes} flushes + final save): bytes written \
             not measured (no /proc/self/io), saves took {saving:?}"
        ),
    }
}

fn saves(c: &mut Criterion) {
    report(1 << 20, FLUSHES);
    report(2 << 20, 2 * FLUSHES);
    let mut group = c.benchmark_group("streaming saves");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    let text = answer(1 << 20);
    group.bench_with_input(
        BenchmarkId::new("120 flushes + final save", "1MiB"),
        &text,
        |b, text| {
            b.iter(|| {
                let dir = match tempfile::tempdir() {
                    Ok(dir) => dir,
                    Err(err) => panic!("{err}"),
                };
                black_box(stream(&dir, text, FLUSHES))
            })
        },
    );
    group.finish();
}

criterion_group!(benches, saves);
criterion_main!(benches);
