//! The SSE framer: bytes of a body in, complete events out, as the HTML spec's
//! "event stream interpretation" describes, in time and memory linear in the bytes received.
//!
//! What it follows of the spec: a UTF-8 byte order mark at the very start is dropped; lines
//! end with LF, CR or CRLF (a CR that ends one read and an LF that starts the next are one
//! line end); a blank line dispatches the event; a line starting with `:` is a comment
//! (keep-alives) and is skipped; `field: value` drops one space after the colon, and a line
//! with no colon is a field with an empty value; `data` lines are joined with `\n`, `event`
//! names the event (`message` when unnamed), other fields (`id`, `retry`, unknown ones) are
//! ignored; an event whose data buffer is empty (no `data` line) is not dispatched. Lines are
//! decoded as UTF-8 once complete, so a character split across reads is whole; an invalid
//! byte becomes U+FFFD, as the spec's decoder does.
//!
//! What it adds: [`Framer::finish`] delivers an event whose lines were all complete when the
//! body ended, even without the blank line that dispatches it; an event whose last line was
//! cut off mid-way is never delivered, so a truncated payload is not mistaken for a whole one.
//!
//! Invariants:
//! - every byte is looked at once: a read is scanned only for its own line ends, and only the
//!   line in progress is kept between reads (no re-scan from the start);
//! - what the framer holds — the event's name and data and the line in progress — never
//!   exceeds the limit: the read that would pass it ends framing with [`TooLarge`] before it
//!   is copied, and after an error the framer is spent (every call returns the error);
//! - the same bytes give the same events however they are split into reads.
//!
//! A pure state machine (no I/O, no clock); it knows nothing of any API.

use std::borrow::Cow;

/// The byte order mark a stream may start with.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One event: its name (`message` when unnamed) and its data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Event {
    pub event: String,
    pub data: String,
}

/// An event (its name, data and the line being read) grew past `limit` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooLarge {
    pub limit: usize,
}

/// Incremental framer of one SSE body (see the module docs).
#[derive(Clone, Debug)]
pub struct Framer {
    limit: usize,
    /// The bytes of a line that a read ended in the middle of.
    line: Vec<u8>,
    /// The last line ended with a CR at the end of a read: an LF first in the next read
    /// belongs to that line end.
    after_cr: bool,
    /// No line has ended yet (a BOM may lead the first one).
    first_line: bool,
    /// The event's name (the spec's event type buffer).
    name: String,
    /// The event's data lines, each followed by `\n` (the spec's data buffer).
    data: String,
    spent: bool,
}

impl Framer {
    /// A framer for one body whose events may hold at most `limit` bytes.
    pub fn new(limit: usize) -> Framer {
        Framer {
            limit,
            line: Vec::new(),
            after_cr: false,
            first_line: true,
            name: String::new(),
            data: String::new(),
            spent: false,
        }
    }

    /// Frame the next read of the body, appending the events it completes to `out`. Events
    /// completed before the limit was passed are in `out` even when this fails.
    pub fn push(&mut self, mut bytes: &[u8], out: &mut Vec<Event>) -> Result<(), TooLarge> {
        if self.spent {
            return Err(self.too_large());
        }
        if self.after_cr && !bytes.is_empty() {
            self.after_cr = false;
            if bytes[0] == b'\n' {
                bytes = &bytes[1..];
            }
        }
        while let Some(at) = bytes.iter().position(|&b| b == b'\n' || b == b'\r') {
            let (line, end) = (&bytes[..at], bytes[at]);
            bytes = &bytes[at + 1..];
            if self.line.is_empty() {
                self.line_done(line, out)?;
            } else {
                self.check(self.line.len() + line.len())?;
                let mut held = std::mem::take(&mut self.line);
                held.extend_from_slice(line);
                self.line_done(&held, out)?;
                held.clear();
                self.line = held;
            }
            if end == b'\r' {
                match bytes.first() {
                    Some(b'\n') => bytes = &bytes[1..],
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
        }
        self.check(self.line.len() + bytes.len())?;
        self.line.extend_from_slice(bytes);
        Ok(())
    }

    /// The body ended: the event in progress if all its lines were complete (see the module
    /// docs); `None` if there is none, if its last line was cut off, or after an error.
    pub fn finish(&mut self) -> Option<Event> {
        if self.spent || !self.line.is_empty() {
            self.clear();
            return None;
        }
        let mut out = Vec::new();
        self.dispatch(&mut out);
        out.pop()
    }

    /// Bytes held for the event in progress (its name, data and the line being read).
    pub fn held(&self) -> usize {
        self.name.len() + self.data.len() + self.line.len()
    }

    /// Fail when the event in progress plus a line of `line` bytes would pass the limit.
    fn check(&mut self, line: usize) -> Result<(), TooLarge> {
        if self.name.len() + self.data.len() + line > self.limit {
            self.clear();
            self.spent = true;
            return Err(self.too_large());
        }
        Ok(())
    }

    fn too_large(&self) -> TooLarge {
        TooLarge { limit: self.limit }
    }

    fn clear(&mut self) {
        self.line = Vec::new();
        self.name = String::new();
        self.data = String::new();
    }

    /// One complete line (without its line end).
    fn line_done(&mut self, line: &[u8], out: &mut Vec<Event>) -> Result<(), TooLarge> {
        self.check(line.len())?;
        let line = if std::mem::take(&mut self.first_line) {
            line.strip_prefix(BOM).unwrap_or(line)
        } else {
            line
        };
        if line.is_empty() {
            self.dispatch(out);
            return Ok(());
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(0) => return Ok(()), // a comment
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        match field {
            b"data" => {
                self.data.push_str(&decode(value));
                self.data.push('\n');
            }
            b"event" => self.name = decode(value).into_owned(),
            _ => {} // `id`, `retry` and unknown fields carry nothing we use
        }
        // An invalid byte decodes to three: the event may have grown past the line's size.
        self.check(0)
    }

    /// A blank line: deliver the event if it has data, and start the next one.
    fn dispatch(&mut self, out: &mut Vec<Event>) {
        let name = std::mem::take(&mut self.name);
        if self.data.is_empty() {
            return;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop(); // the `\n` after the last data line
        let event = if name.is_empty() {
            "message".to_string()
        } else {
            name
        };
        out.push(Event { event, data });
    }
}

/// `bytes` as text, an invalid sequence replaced by U+FFFD.
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

#[cfg(test)]
#[path = "framer_tests.rs"]
mod tests;
