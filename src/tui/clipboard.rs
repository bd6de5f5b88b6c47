//! Copying to the system clipboard through the terminal: OSC 52 (`ESC ] 52 ; c ; BASE64
//! ST`), which works over SSH too; inside tmux wrapped in its passthrough (`ESC P tmux ;`
//! ... `ESC \`, every ESC inside doubled), which tmux hands on to the outer terminal.
//!
//! Invariants: the bytes are made here, by a pure function ([`osc52`]); the runtime only
//! writes them (`Effect::Copy`), `App::update` never does. Terminals drop (or cut) longer
//! sequences, so a text whose base64 is over [`MAX_ENCODED`] bytes is refused whole
//! ([`too_big`]) and never sent cut.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The longest base64 payload sent (terminals commonly take about 100 KB).
pub const MAX_ENCODED: usize = 100_000;

/// Bytes of base64 for `len` bytes of text.
pub fn encoded_len(len: usize) -> usize {
    len.div_ceil(3) * 4
}

/// Why `text` cannot be copied in one piece, if it cannot.
pub fn too_big(text: &str) -> Option<String> {
    let encoded = encoded_len(text.len());
    (encoded > MAX_ENCODED).then(|| {
        format!(
            "too big to copy: {} bytes, which terminals do not take through OSC 52 (at most {} \
             bytes of text)",
            crate::usage::thousands(text.len() as u64),
            crate::usage::thousands((MAX_ENCODED / 4 * 3) as u64),
        )
    })
}

/// The bytes that put `text` on the clipboard; `tmux` wraps them in tmux's passthrough.
/// `Err` (see [`too_big`]) when the text is too long to send whole.
pub fn osc52(text: &str, tmux: bool) -> Result<Vec<u8>, String> {
    if let Some(why) = too_big(text) {
        return Err(why);
    }
    let sequence = format!("\x1b]52;c;{}\x1b\\", STANDARD.encode(text));
    if !tmux {
        return Ok(sequence.into_bytes());
    }
    let inner = sequence.replace('\x1b', "\x1b\x1b");
    Ok(format!("\x1bPtmux;{inner}\x1b\\").into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_plain_and_inside_tmux() {
        assert_eq!(
            osc52("hi\n", false).unwrap(),
            b"\x1b]52;c;aGkK\x1b\\".to_vec()
        );
        assert_eq!(
            osc52("hi\n", true).unwrap(),
            b"\x1bPtmux;\x1b\x1b]52;c;aGkK\x1b\x1b\\\x1b\\".to_vec()
        );
        assert_eq!(osc52("", false).unwrap(), b"\x1b]52;c;\x1b\\".to_vec());
    }

    #[test]
    fn the_size_bound_is_on_the_base64() {
        assert_eq!(encoded_len(0), 0);
        assert_eq!(encoded_len(1), 4);
        assert_eq!(encoded_len(3), 4);
        assert_eq!(encoded_len(4), 8);
        let most = "x".repeat(MAX_ENCODED / 4 * 3);
        assert_eq!(osc52(&most, false).unwrap().len(), MAX_ENCODED + 9);
        let over = format!("{most}x");
        let why = osc52(&over, true).unwrap_err();
        assert_eq!(
            why,
            "too big to copy: 75,001 bytes, which terminals do not take through OSC 52 (at most \
             75,000 bytes of text)"
        );
    }
}
