//! Streaming saves against real SQLite files: a streaming turn's flushes append what it
//! gained, the save that ends it writes it whole once (and the full-text index with it), a
//! turn cut off mid-stream (`kill -9`) comes back with every flushed word and is found by
//! search once the file is opened again, and nothing of the appended text outlives its turn.

mod store_case;

use rusqlite::Connection;
use std::path::Path;
use store_case::{assert_fts_intact, db, price, spec};
use thinkbench::api::{FinishReason, StreamEvent};
use thinkbench::conversation::{ArmTag, Turn, TurnState};
use thinkbench::store::Store;
use thinkbench::usage::Usage;

/// What each flush of [`flushed`] adds: reasoning first, then the answer, with a word of its
/// own in each (`wordN`), multi-byte characters and a line break.
fn piece(n: usize) -> (String, String) {
    if n < 3 {
        (format!("thinking{n} über alles; "), String::new())
    } else {
        (String::new(), format!("word{n} ünïcödé — ✓\n"))
    }
}

/// A turn as it stands after `flushes` flushes.
fn flushed(id: u64, prompt: &str, flushes: usize) -> Turn {
    let mut t = Turn::new(id, prompt.into(), spec("o3", Some(price())), 12);
    for n in 0..flushes {
        grow(&mut t, n);
    }
    t
}

fn grow(t: &mut Turn, n: usize) {
    let (reasoning, answer) = piece(n);
    let ms = 100 * (n as u64 + 1);
    if !reasoning.is_empty() {
        t.apply(StreamEvent::ReasoningDelta(reasoning), ms);
    }
    if !answer.is_empty() {
        t.apply(StreamEvent::TextDelta(answer), ms);
    }
}

/// Save `t` after each of `flushes` flushes, starting with the prompt's save.
fn stream(store: &mut Store, session: i64, t: &mut Turn, flushes: std::ops::Range<usize>) {
    if flushes.start == 0 {
        store.save_turn(session, t, 1).unwrap();
    }
    for n in flushes {
        grow(t, n);
        store.save_turn(session, t, 2 + n as i64).unwrap();
    }
}

fn finish(t: &mut Turn) {
    t.apply(
        StreamEvent::Usage(Usage {
            input: 12,
            output: 300,
            ..Default::default()
        }),
        5_000,
    );
    t.apply(StreamEvent::Finished(FinishReason::Stop), 5_000);
}

fn pending(path: &Path) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM turn_chunks", [], |r| r.get(0))
        .unwrap()
}

/// The stored row's own text of every turn of `session` (without pending chunks).
fn rows(path: &Path, session: i64) -> Vec<(String, String)> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT answer, reasoning FROM turns WHERE session_id = ?1 ORDER BY turn_id, arm")
        .unwrap();
    stmt.query_map([session], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn found(store: &Store, words: &str) -> Vec<i64> {
    let list = store.list(Some(words), 10).unwrap();
    list.iter().map(|s| s.id).collect()
}

#[test]
fn appends_then_the_final_save_store_what_one_save_does() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut store = Store::open(&path).unwrap();
    let streamed = store.create_session(1).unwrap();
    let mut t = Turn::new(1, "Tell me".into(), spec("o3", Some(price())), 12);
    stream(&mut store, streamed, &mut t, 0..10);

    // While it streams, the row keeps the text of the prompt's save; the flushes appended.
    assert_eq!(rows(&path, streamed), [(String::new(), String::new())]);
    assert_eq!(pending(&path), 10);
    let back = &store.load(streamed).unwrap().1[0];
    assert_eq!((&back.answer, &back.reasoning), (&t.answer, &t.reasoning));
    // Search indexes a turn once it is whole.
    assert!(found(&store, "word9").is_empty());

    finish(&mut t);
    store.save_turn(streamed, &t, 100).unwrap();
    let once = store.create_session(2).unwrap();
    store.save_turn(once, &t, 100).unwrap();

    assert_eq!(pending(&path), 0);
    assert_eq!(rows(&path, streamed), rows(&path, once));
    assert_eq!(
        rows(&path, streamed),
        [(t.answer.clone(), t.reasoning.clone())]
    );
    let (a, b) = (store.load(streamed).unwrap().1, store.load(once).unwrap().1);
    assert_eq!(a, b);
    assert_eq!(a, [t.clone()]);
    assert_eq!(a[0].state, TurnState::Done);
    for word in ["word3", "word9", "ünïcödé", "thinking1"] {
        let mut ids = found(&store, word);
        ids.sort_unstable();
        let want = if word.starts_with("thinking") {
            vec![] // reasoning is not searched
        } else {
            vec![streamed, once]
        };
        assert_eq!(ids, want, "{word}");
    }
    assert_fts_intact(&Connection::open(&path).unwrap());
}

#[test]
fn a_turn_cut_off_mid_stream_comes_back_whole_and_is_found_once_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut store = Store::open(&path).unwrap();
    let s = store.create_session(1).unwrap();
    let mut t = Turn::new(1, "Tell me".into(), spec("o3", Some(price())), 12);
    stream(&mut store, s, &mut t, 0..6);
    drop(store); // as if killed: the turn never ends
    assert_eq!(pending(&path), 6);

    let store = Store::open(&path).unwrap();
    assert_eq!(pending(&path), 0, "opening folds what was cut off");
    let back = &store.load(s).unwrap().1[0];
    assert_eq!(back.state, TurnState::Interrupted);
    assert_eq!(back.answer, flushed(1, "Tell me", 6).answer);
    assert_eq!(back.reasoning, flushed(1, "Tell me", 6).reasoning);
    assert_eq!(found(&store, "word5"), [s]);
    assert_fts_intact(&Connection::open(&path).unwrap());
}

#[test]
fn another_process_opening_the_file_mid_stream_takes_nothing_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut store = Store::open(&path).unwrap();
    let s = store.create_session(1).unwrap();
    let mut t = Turn::new(1, "Tell me".into(), spec("o3", Some(price())), 12);
    stream(&mut store, s, &mut t, 0..4);
    // Another process opens the file (folding the chunks) and reads the turn as it stands.
    let other = Store::open(&path).unwrap();
    assert_eq!(other.load(s).unwrap().1[0].answer, t.answer);
    stream(&mut store, s, &mut t, 4..8);
    assert_eq!(other.load(s).unwrap().1[0].answer, t.answer);
    drop(Store::open(&path).unwrap());
    stream(&mut store, s, &mut t, 8..9);
    finish(&mut t);
    store.save_turn(s, &t, 100).unwrap();
    assert_eq!(other.load(s).unwrap().1, [t.clone()]);
    assert_eq!(rows(&path, s), [(t.answer.clone(), t.reasoning.clone())]);
    assert_eq!(pending(&path), 0);
    assert_eq!(found(&other, "word8"), [s]);
    assert_fts_intact(&Connection::open(&path).unwrap());
}

#[test]
fn the_arms_of_a_comparison_streaming_at_once_keep_their_own_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut store = Store::open(&path).unwrap();
    let s = store.create_session(1).unwrap();
    let mut arms: Vec<Turn> = (0..2u32)
        .map(|index| {
            let mut t = Turn::new(1, "Compare".into(), spec("o3", Some(price())), 12);
            t.arm = Some(ArmTag {
                index,
                label: format!("arm{index}"),
                run: 1,
                kept: false,
            });
            store.save_turn(s, &t, 1).unwrap();
            t
        })
        .collect();
    for n in 0..6 {
        for (i, t) in arms.iter_mut().enumerate() {
            t.apply(
                StreamEvent::TextDelta(format!("arm{i}piece{n} ")),
                10 * n as u64,
            );
            store.save_turn(s, t, 2 + n as i64).unwrap();
        }
    }
    let back = store.load(s).unwrap().1;
    assert_eq!(back.len(), 2);
    for (b, t) in back.iter().zip(&arms) {
        assert_eq!(b.answer, t.answer);
    }
    finish(&mut arms[1]);
    store.save_turn(s, &arms[1], 50).unwrap();
    assert_eq!(pending(&path), 6, "the other arm still streams");
    finish(&mut arms[0]);
    store.save_turn(s, &arms[0], 51).unwrap();
    assert_eq!(pending(&path), 0);
    assert_eq!(store.load(s).unwrap().1, arms);
    assert_eq!(found(&store, "arm0piece5"), [s]);
    assert_fts_intact(&Connection::open(&path).unwrap());
}

#[test]
fn a_streaming_save_that_does_not_continue_the_stored_text_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut store = Store::open(&path).unwrap();
    let s = store.create_session(1).unwrap();
    let mut t = Turn::new(1, "Tell me".into(), spec("o3", Some(price())), 12);
    stream(&mut store, s, &mut t, 0..5);
    // The same turn, saved with other text (shorter, then as long but different).
    for answer in ["other", "word3 ünïcödé — ✓\nword4 ünïcödé — ✗\n"] {
        let mut other = Turn::new(1, "Tell me".into(), spec("o3", Some(price())), 12);
        other.apply(StreamEvent::TextDelta(answer.into()), 10);
        store.save_turn(s, &other, 50).unwrap();
        let back = &store.load(s).unwrap().1[0];
        assert_eq!(
            (back.answer.as_str(), back.reasoning.as_str()),
            (answer, "")
        );
    }
    // And with another prompt.
    let mut other = flushed(1, "Something else", 5);
    store.save_turn(s, &other, 60).unwrap();
    grow(&mut other, 5);
    store.save_turn(s, &other, 61).unwrap();
    let back = &store.load(s).unwrap().1[0];
    assert_eq!(
        (&back.prompt, &back.answer, &back.reasoning),
        (&other.prompt, &other.answer, &other.reasoning)
    );
}

#[test]
fn ending_forking_or_deleting_a_streaming_turn_leaves_no_chunks_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut store = Store::open(&path).unwrap();

    // Sent again (the retried turn is superseded) or cancelled: the end of the stream.
    for end in [TurnState::Superseded, TurnState::Cancelled] {
        let s = store.create_session(1).unwrap();
        let mut t = Turn::new(1, "Tell me".into(), spec("o3", Some(price())), 12);
        stream(&mut store, s, &mut t, 0..5);
        assert_eq!(pending(&path), 5);
        t.state = end.clone();
        store.save_turn(s, &t, 50).unwrap();
        assert_eq!(pending(&path), 0, "{end:?}");
        assert_eq!(rows(&path, s), [(t.answer.clone(), t.reasoning.clone())]);
        assert_eq!(store.load(s).unwrap().1[0].state, end);
    }

    // A fork of a session whose last turn streams: the fork holds the text whole.
    let source = store.create_session(1).unwrap();
    let first = store_case::done(1, "First", "plain", "o3", None);
    store.save_turn(source, &first, 2).unwrap();
    let mut t = Turn::new(2, "Tell me".into(), spec("o3", Some(price())), 12);
    stream(&mut store, source, &mut t, 0..6);
    let fork = store.fork(source, 2, 70).unwrap();
    let copied = store.load(fork).unwrap().1;
    assert_eq!(
        (copied[1].answer.as_str(), copied[1].reasoning.as_str()),
        (t.answer.as_str(), t.reasoning.as_str())
    );
    assert_eq!(
        rows(&path, fork)[1],
        (t.answer.clone(), t.reasoning.clone())
    );
    assert_eq!(
        found(&store, "word5"),
        [fork],
        "the fork is whole, the source streams"
    );
    assert_eq!(pending(&path), 6, "the source is left as it was");
    assert_eq!(store.load(source).unwrap().1[1].answer, t.answer);

    // Deleting the session that streams takes its chunks with it.
    store.delete(source).unwrap();
    assert_eq!(pending(&path), 0);
    assert_fts_intact(&Connection::open(&path).unwrap());
}

/// Bytes written by this thread so far (SQLite writes on the thread that saves).
#[cfg(target_os = "linux")]
fn thread_wchar() -> u64 {
    let io = std::fs::read_to_string("/proc/thread-self/io").unwrap();
    io.lines()
        .find_map(|l| l.strip_prefix("wchar:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Bytes written to stream `size` bytes of answer in `flushes` flushes, then end it.
#[cfg(target_os = "linux")]
fn written(size: usize, flushes: usize) -> u64 {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    let s = store.create_session(1).unwrap();
    let line = "the quick brown fox jumps over the lazy dog, item ";
    let text: String = (0..)
        .map(|n| format!("{line}{n}\n"))
        .take_while({
            let mut len = 0;
            move |l: &String| {
                len += l.len();
                len <= size
            }
        })
        .collect();
    let piece = text.len().div_ceil(flushes);
    let mut t = Turn::new(1, "Tell me".into(), spec("o3", None), 12);
    let before = thread_wchar();
    store.save_turn(s, &t, 1).unwrap();
    for (n, chunk) in text.as_bytes().chunks(piece).enumerate() {
        let chunk = std::str::from_utf8(chunk).unwrap().to_string();
        t.apply(StreamEvent::TextDelta(chunk), 500 * n as u64);
        store.save_turn(s, &t, 2 + n as i64).unwrap();
    }
    finish(&mut t);
    store.save_turn(s, &t, 1_000).unwrap();
    thread_wchar() - before
}

/// At the same pace, an answer streaming twice as long costs twice the writes, not four
/// times (which rewriting the whole answer at every flush would).
#[cfg(target_os = "linux")]
#[test]
fn twice_as_long_a_stream_writes_twice_as_much() {
    let short = written(256 << 10, 32);
    let long = written(512 << 10, 64);
    let ratio = long as f64 / short as f64;
    eprintln!(
        "256 KiB in 32 flushes wrote {short} bytes, 512 KiB in 64 flushes {long} ({ratio:.2}×)"
    );
    assert!(
        ratio < 2.6,
        "256 KiB in 32 flushes wrote {short} bytes, 512 KiB in 64 flushes {long} ({ratio:.2}×)"
    );
}

/// Run by `a_process_killed_mid_stream_loses_no_flushed_word` in a child process: streams
/// three flushes, says so in a file, then waits to be killed. Does nothing otherwise.
#[test]
#[ignore = "a child process of another test"]
fn child_streamer() {
    let Ok(path) = std::env::var("THINKBENCH_STREAM_CHILD_DB") else {
        return;
    };
    let mut store = Store::open(Path::new(&path)).unwrap();
    let s = store.create_session(0).unwrap();
    let mut t = Turn::new(1, "Tell me".into(), spec("o3", Some(price())), 12);
    stream(&mut store, s, &mut t, 0..4);
    std::fs::write(format!("{path}.flushed"), s.to_string()).unwrap();
    std::thread::sleep(std::time::Duration::from_secs(60));
}

#[test]
fn a_process_killed_mid_stream_loses_no_flushed_word() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    drop(Store::open(&path).unwrap());
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_streamer", "--ignored", "--quiet"])
        .env("THINKBENCH_STREAM_CHILD_DB", &path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let marker = format!("{}.flushed", path.display());
    let started = std::time::Instant::now();
    let session = loop {
        if let Ok(text) = std::fs::read_to_string(&marker)
            && let Ok(id) = text.parse::<i64>()
        {
            break id;
        }
        assert!(started.elapsed().as_secs() < 30, "the child never flushed");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let store = Store::open(&path).unwrap();
    let back = &store.load(session).unwrap().1[0];
    let want = flushed(1, "Tell me", 4);
    assert_eq!(back.state, TurnState::Interrupted);
    assert_eq!(
        (&back.answer, &back.reasoning),
        (&want.answer, &want.reasoning)
    );
    assert_eq!(found(&store, "word3"), [session]);
    assert_eq!(pending(&path), 0);
}
