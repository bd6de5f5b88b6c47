//! Files for attachment tests.
#![allow(dead_code)]

/// The header of a PNG `w` x `h` pixels: all an API needs to see it is one, and what its
/// input tokens are counted from.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    b.extend_from_slice(&w.to_be_bytes());
    b.extend_from_slice(&h.to_be_bytes());
    b.extend_from_slice(&[8, 6, 0, 0, 0]);
    b
}
