//! The framer, one spec feature at a time, and split into reads every way.

use super::*;

const BIG: usize = 1 << 20;

fn ev(event: &str, data: &str) -> Event {
    Event {
        event: event.into(),
        data: data.into(),
    }
}

/// Frame `reads` with `limit`, then finish: the events, or the error with the events before it.
fn frame_with(limit: usize, reads: &[&[u8]]) -> (Vec<Event>, Option<TooLarge>) {
    let mut framer = Framer::new(limit);
    let mut out = Vec::new();
    for read in reads {
        if let Err(e) = framer.push(read, &mut out) {
            return (out, Some(e));
        }
    }
    out.extend(framer.finish());
    (out, None)
}

fn frame(reads: &[&str]) -> Vec<Event> {
    let reads: Vec<&[u8]> = reads.iter().map(|r| r.as_bytes()).collect();
    let (out, err) = frame_with(BIG, &reads);
    assert_eq!(err, None);
    out
}

fn datas(reads: &[&str]) -> Vec<String> {
    frame(reads).into_iter().map(|e| e.data).collect()
}

#[test]
fn data_lines_are_joined_with_newlines() {
    assert_eq!(datas(&["data: a\ndata: b\n\ndata: c\n\n"]), ["a\nb", "c"]);
    assert_eq!(datas(&["data:\ndata:\n\n"]), ["\n"]);
}

#[test]
fn comments_are_skipped() {
    assert_eq!(
        datas(&[": keep-alive\n\n:\ndata: a\n: in between\ndata: b\n\n"]),
        ["a\nb"]
    );
}

#[test]
fn every_line_end() {
    for body in [
        "data: a\n\ndata: b\n\n",
        "data: a\r\rdata: b\r\r",
        "data: a\r\n\r\ndata: b\r\n\r\n",
        "data: a\n\r\ndata: b\r\n\n",
    ] {
        assert_eq!(datas(&[body]), ["a", "b"], "{body:?}");
    }
}

#[test]
fn a_cr_ending_one_read_and_an_lf_starting_the_next_are_one_line_end() {
    // Read as two line ends, the LF would be a blank line and split the event in two.
    assert_eq!(datas(&["data: a\r", "\ndata: b\r\n\r\n"]), ["a\nb"]);
    assert_eq!(
        datas(&["data: a\r", "", "\ndata: b\r", "\n\r", "\n"]),
        ["a\nb"]
    );
    // A CR at the end of a read followed by anything else is a line end of its own.
    assert_eq!(datas(&["data: a\r", "\r", "data: b\n\n"]), ["a", "b"]);
}

#[test]
fn utf8_split_across_reads_and_invalid_bytes() {
    let body = "data: \u{00b0}C \u{1F600}\n\n".as_bytes();
    for at in 1..body.len() {
        let (out, _) = frame_with(BIG, &[&body[..at], &body[at..]]);
        assert_eq!(out, [ev("message", "\u{00b0}C \u{1F600}")], "split at {at}");
    }
    let (out, _) = frame_with(BIG, &[b"data: a\xffb\n\n"]);
    assert_eq!(out, [ev("message", "a\u{FFFD}b")]);
}

#[test]
fn event_names_and_their_reset() {
    assert_eq!(
        frame(&["event: delta\ndata: 1\n\ndata: 2\n\nevent:ping\ndata\n\n"]),
        [ev("delta", "1"), ev("message", "2"), ev("ping", "")]
    );
    // A name with no data dispatches nothing, and does not carry over to the next event.
    assert_eq!(frame(&["event: lost\n\ndata: x\n\n"]), [ev("message", "x")]);
    // The last `event` line wins.
    assert_eq!(frame(&["event: a\nevent: b\ndata: x\n\n"]), [ev("b", "x")]);
}

#[test]
fn fields_without_colon_one_space_stripped_and_others_ignored() {
    assert_eq!(datas(&["data\n\n"]), [""]);
    assert_eq!(
        datas(&["data:x\n\ndata:  two\n\ndata: a: b\n\n"]),
        ["x", " two", "a: b"]
    );
    assert_eq!(
        frame(&["id: 7\nretry: 100\nfoo: bar\ndatum: no\nDATA: no\ndata: yes\n\n"]),
        [ev("message", "yes")]
    );
    // A line with only unknown fields dispatches nothing.
    assert!(frame(&["id: 1\n\n"]).is_empty());
}

#[test]
fn a_bom_at_the_start_is_dropped_and_only_there() {
    assert_eq!(datas(&["\u{FEFF}data: a\n\n"]), ["a"]);
    let body = "\u{FEFF}data: a\n\n".as_bytes();
    for at in 1..4 {
        let (out, _) = frame_with(BIG, &[&body[..at], &body[at..]]);
        assert_eq!(out, [ev("message", "a")], "split at {at}");
    }
    // Later, it is part of the line: a field named "\u{FEFF}data", which is ignored.
    assert_eq!(datas(&["data: a\n\n\u{FEFF}data: b\n\n"]), ["a"]);
}

#[test]
fn at_the_end_a_complete_event_is_delivered_and_a_cut_line_never() {
    assert_eq!(datas(&["data: a\n\ndata: b\n"]), ["a", "b"]);
    assert_eq!(datas(&["data: a\r\n\r\ndata: b\r\n"]), ["a", "b"]);
    assert_eq!(datas(&["data: a\n\ndata: b\r"]), ["a", "b"]);
    assert_eq!(datas(&["data: a\n\ndata: {\"trunc"]), ["a"]);
    // The whole event goes, even its complete lines.
    assert_eq!(datas(&["data: a\n\ndata: b\ndata: c"]), ["a"]);
    assert_eq!(datas(&["data: a\n\ndata: b\n: keep-al"]), ["a"]);
    assert!(datas(&[]).is_empty());
    assert!(datas(&[""]).is_empty());
    assert!(datas(&["\u{FEFF}"]).is_empty());
}

#[test]
fn any_split_gives_the_same_events() {
    let body = "\u{FEFF}: hi\r\nevent: e\r\ndata: {\"a\":\r\ndata:1}\r\n\r\ndata: \u{00e9}\u{4e2d}\r\rdata\n\nid: 3\ndata:x\r\n";
    let whole = frame(&[body]);
    assert_eq!(
        whole,
        [
            ev("e", "{\"a\":\n1}"),
            ev("message", "\u{00e9}\u{4e2d}"),
            ev("message", ""),
            ev("message", "x")
        ]
    );
    let bytes = body.as_bytes();
    for i in 0..=bytes.len() {
        for j in i..=bytes.len() {
            let (out, err) = frame_with(BIG, &[&bytes[..i], &bytes[i..j], &bytes[j..]]);
            assert_eq!((&out, err), (&whole, None), "split at {i}, {j}");
        }
    }
    let singles: Vec<&[u8]> = bytes.chunks(1).collect();
    assert_eq!(frame_with(BIG, &singles).0, whole);
}

#[test]
fn a_line_that_never_ends_stops_at_the_limit() {
    let mut framer = Framer::new(1000);
    let mut out = Vec::new();
    let mut sent = 0;
    let err = loop {
        match framer.push(b"data: aaaaaaa", &mut out) {
            Ok(()) => {
                sent += 13;
                assert!(framer.held() <= 1000);
            }
            Err(e) => break e,
        }
        assert!(sent < 10_000, "never stopped");
    };
    assert_eq!(err, TooLarge { limit: 1000 });
    assert!(sent <= 1000 && sent > 1000 - 13, "{sent}");
    assert_eq!(framer.held(), 0, "the event is let go");
    assert_eq!(framer.push(b"\n\n", &mut out), Err(err), "spent");
    assert_eq!(framer.finish(), None);
    assert!(out.is_empty());
}

#[test]
fn data_lines_without_a_blank_line_stop_at_the_limit() {
    let mut framer = Framer::new(1000);
    let mut out = Vec::new();
    assert_eq!(framer.push(b"data: first\n\n", &mut out), Ok(()));
    let mut reads = 0;
    let err = loop {
        match framer.push(b"data: 0123456789\n", &mut out) {
            Ok(()) => assert!(framer.held() <= 1000),
            Err(e) => break e,
        }
        reads += 1;
        assert!(reads < 1000, "never stopped");
    };
    assert_eq!(err.limit, 1000);
    // Each line adds 11 bytes of data: the 90th would pass 1000.
    assert_eq!(reads, 90);
    assert_eq!(out, [ev("message", "first")]);
}

#[test]
fn events_before_the_one_that_is_too_large_come_out() {
    let (out, err) = frame_with(20, &[b"data: ok\n\ndata: 0123456789012345678901\n\n"]);
    assert_eq!(out, [ev("message", "ok")]);
    assert_eq!(err, Some(TooLarge { limit: 20 }));
    // The name, the data and the line being read count (line ends do not): this one fits.
    let (out, err) = frame_with(20, &[b"event: e\ndata: 0123456789012\n\n"]);
    assert_eq!((out, err), (vec![ev("e", "0123456789012")], None));
    // Comments count while they are being read, as any line does.
    let (_, err) = frame_with(20, &[b": 01234567890123456789\n"]);
    assert!(err.is_some());
    let (out, err) = frame_with(20, &[b": 0123456789\n: 0123456789\ndata: x\n\n"]);
    assert_eq!((out, err), (vec![ev("message", "x")], None));
}

#[test]
fn invalid_bytes_count_as_what_they_decode_to() {
    // 11 bytes of line, 3 × 6 = 18 bytes of data once decoded (and the `\n` after it).
    let (out, err) = frame_with(18, &[b"data:\xff\xff\xff\xff\xff\xff\n\n"]);
    assert_eq!((out, err), (vec![], Some(TooLarge { limit: 18 })));
    let (out, err) = frame_with(19, &[b"data:\xff\xff\xff\xff\xff\xff\n\n"]);
    assert_eq!(err, None);
    assert_eq!(out[0].data.len(), 18);
}
