//! SSE framing: 1 MiB and 4 MiB bodies delivered in 8-byte reads, the way a slow proxy or a
//! trickling server hands them over — a stream of chat-completion events, and one `data:`
//! line that never ends until the last read. The framer looks at each byte once, so framing
//! must be linear: the 4 MiB time should stay within about 4.4× the 1 MiB time. Before the
//! criterion group runs, one timed pass of each size prints that ratio (also in test mode,
//! where criterion runs each benchmark once).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use thinkbench::api::sse::framer::Framer;

const READ: usize = 8;

/// Chat-completion chunks, as many as make at least `size` bytes.
fn events(size: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(size + 512);
    let mut n = 0u64;
    while body.len() < size {
        n += 1;
        body.extend_from_slice(
            format!(
                "data: {{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":\
                 [{{\"index\":0,\"delta\":{{\"content\":\"word {n} \"}},\"finish_reason\":null}}]}}\n\n"
            )
            .as_bytes(),
        );
        if n.is_multiple_of(16) {
            body.extend_from_slice(b": keep-alive\r\n\r\n");
        }
    }
    body
}

/// One `data:` line of `size` bytes, ended only by the last read.
fn one_line(size: usize) -> Vec<u8> {
    let mut body = b"data: ".to_vec();
    body.resize(size - 2, b'x');
    body.extend_from_slice(b"\n\n");
    body
}

/// A kind of body, and how to make one of a size.
type Kind = (&'static str, fn(usize) -> Vec<u8>);

const KINDS: [Kind; 2] = [("events", events), ("one line", one_line)];

/// Frame `body` in reads of [`READ`] bytes; the number of events.
fn frame(body: &[u8]) -> usize {
    let mut framer = Framer::new(16 << 20);
    let mut out = Vec::new();
    let mut count = 0;
    for read in body.chunks(READ) {
        if framer.push(read, &mut out).is_err() {
            panic!("an event passed the limit");
        }
        count += out.len();
        out.clear();
    }
    count + usize::from(framer.finish().is_some())
}

/// The best of three timed passes.
fn time(body: &[u8]) -> Duration {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            black_box(frame(body));
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn framing(c: &mut Criterion) {
    for (name, make) in KINDS {
        let (small, large) = (make(1 << 20), make(4 << 20));
        let (t1, t4) = (time(&small), time(&large));
        eprintln!(
            "sse framing, {name}, 8-byte reads: 1 MiB {t1:?}, 4 MiB {t4:?}, ratio {:.2} (linear: about 4)",
            t4.as_secs_f64() / t1.as_secs_f64().max(1e-9)
        );
    }
    let mut group = c.benchmark_group("sse framing");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for (name, make) in KINDS {
        for mib in [1usize, 4] {
            let body = make(mib << 20);
            group.throughput(Throughput::Bytes(body.len() as u64));
            group.bench_with_input(
                BenchmarkId::new(format!("{name}, 8-byte reads"), format!("{mib}MiB")),
                &body,
                |b, body| b.iter(|| black_box(frame(body))),
            );
        }
    }
    group.finish();
}

criterion_group!(benches, framing);
criterion_main!(benches);
