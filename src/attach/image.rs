//! Images as the APIs see them: the format and size read from the first bytes (PNG, JPEG,
//! WebP, GIF; no decoding), and the input tokens each family documents for an image.
//!
//! Invariants: the readers look only at headers, never allocate by what a header claims, and
//! return `None` for anything they cannot read (any bytes, no panic); the token rules are
//! the vendors' published ones, with their scaling, so a 1024x1024 image is 765 tokens on
//! OpenAI at high detail and at most 1,600 on Anthropic.

pub use crate::api::ImageRule as Rule;

/// An image format the APIs take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Png,
    Jpeg,
    Webp,
    Gif,
}

impl Format {
    pub fn mime(self) -> &'static str {
        match self {
            Format::Png => "image/png",
            Format::Jpeg => "image/jpeg",
            Format::Webp => "image/webp",
            Format::Gif => "image/gif",
        }
    }

    /// The format of a MIME type this module writes.
    pub fn from_mime(mime: &str) -> Option<Format> {
        [Format::Png, Format::Jpeg, Format::Webp, Format::Gif]
            .into_iter()
            .find(|f| f.mime() == mime)
    }
}

/// The format of `bytes` by their signature, if they are an image the APIs take.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(Format::Gif)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(Format::Webp)
    } else {
        None
    }
}

/// Width and height in pixels, from the header of an image of `format`.
pub fn dimensions(format: Format, b: &[u8]) -> Option<(u32, u32)> {
    let le16 = |i: usize| Some(u16::from_le_bytes([*b.get(i)?, *b.get(i + 1)?]) as u32);
    let be32 = |i: usize| Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?));
    let le24 = |i: usize| Some(le16(i)? | (*b.get(i + 2)? as u32) << 16);
    let size = match format {
        Format::Png => (be32(16)?, be32(20)?),
        Format::Gif => (le16(6)?, le16(8)?),
        Format::Webp => match b.get(12..16)? {
            b"VP8 " => (le16(26)? & 0x3FFF, le16(28)? & 0x3FFF),
            b"VP8L" => {
                let bits = u32::from_le_bytes(b.get(21..25)?.try_into().ok()?);
                ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
            }
            b"VP8X" => (le24(24)? + 1, le24(27)? + 1),
            _ => return None,
        },
        Format::Jpeg => jpeg_size(b)?,
    };
    (size.0 > 0 && size.1 > 0).then_some(size)
}

/// The size in a JPEG's first start-of-frame marker.
fn jpeg_size(b: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    while i + 4 <= b.len() {
        if b[i] != 0xFF {
            return None;
        }
        let marker = b[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = u16::from_be_bytes([b[i + 2], b[i + 3]]) as usize;
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            let h = u16::from_be_bytes([*b.get(i + 5)?, *b.get(i + 6)?]) as u32;
            let w = u16::from_be_bytes([*b.get(i + 7)?, *b.get(i + 8)?]) as u32;
            return Some((w, h));
        }
        if len < 2 {
            return None;
        }
        i = i.checked_add(2 + len)?;
    }
    None
}

/// The most tokens Anthropic counts for one image (bigger ones are scaled down first).
pub const ANTHROPIC_MAX_TOKENS: u64 = 1600;

/// The input tokens of a `width` x `height` image under `rule`.
pub fn tokens(rule: Rule, width: u32, height: u32) -> u64 {
    // OpenAI, high detail: fit in 2048x2048, shortest side down to 768, then 85 tokens plus
    // 170 per 512-px tile. Anthropic: long side down to 1568 px and the area to about 1.15
    // megapixels, then about width x height / 750.
    let (mut w, mut h) = (width.max(1) as f64, height.max(1) as f64);
    match rule {
        Rule::OpenAi => {
            let fit = (2048.0 / w.max(h)).min(1.0);
            (w, h) = (w * fit, h * fit);
            let short = (768.0 / w.min(h)).min(1.0);
            (w, h) = ((w * short).floor(), (h * short).floor());
            let tiles = (w / 512.0).ceil() * (h / 512.0).ceil();
            85 + 170 * tiles as u64
        }
        Rule::Anthropic => {
            let fit = (1568.0 / w.max(h)).min(1.0);
            (w, h) = (w * fit, h * fit);
            // Past about 1,600 tokens (~1.15 megapixels) the image is scaled down too.
            let area = (ANTHROPIC_MAX_TOKENS as f64 * 750.0 / (w * h))
                .sqrt()
                .min(1.0);
            (w, h) = ((w * area).floor().max(1.0), (h * area).floor().max(1.0));
            ((w * h) / 750.0).ceil().min(ANTHROPIC_MAX_TOKENS as f64) as u64
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn the_documented_examples() {
        // OpenAI's own examples: 1024x1024 is 765 at high detail; 2048x4096 is 1105.
        assert_eq!(tokens(Rule::OpenAi, 1024, 1024), 765);
        assert_eq!(tokens(Rule::OpenAi, 2048, 4096), 1105);
        assert_eq!(tokens(Rule::OpenAi, 512, 512), 255);
        // Anthropic: 1000x1000 is about 1,334; 1092x1092 about 1,590; bigger ones scale down.
        assert_eq!(tokens(Rule::Anthropic, 1000, 1000), 1334);
        assert_eq!(tokens(Rule::Anthropic, 1092, 1092), 1590);
        assert!((1590..=1600).contains(&tokens(Rule::Anthropic, 8000, 8000)));
        assert_eq!(tokens(Rule::Anthropic, 0, 0), 1);
    }

    /// The header of a PNG `w` x `h` pixels.
    pub(crate) fn png(w: u32, h: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend_from_slice(&w.to_be_bytes());
        b.extend_from_slice(&h.to_be_bytes());
        b.extend_from_slice(&[8, 6, 0, 0, 0]);
        b
    }

    #[test]
    fn headers_give_the_size() {
        assert_eq!(sniff(&png(640, 480)), Some(Format::Png));
        assert_eq!(dimensions(Format::Png, &png(640, 480)), Some((640, 480)));
        let gif = b"GIF89a\x20\x03\x58\x02\0\0\0";
        assert_eq!(sniff(gif), Some(Format::Gif));
        assert_eq!(dimensions(Format::Gif, gif), Some((800, 600)));
        // JPEG: SOI, an APP0 segment, then SOF0 with height 300 and width 400.
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xC0, 0, 11, 8, 1, 0x2C, 1, 0x90, 3, 0, 0,
        ];
        assert_eq!(sniff(&jpeg), Some(Format::Jpeg));
        assert_eq!(dimensions(Format::Jpeg, &jpeg), Some((400, 300)));
        let mut webp = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
        webp.extend_from_slice(&[0x7F, 0x02, 0, 0xDF, 0x01, 0]);
        assert_eq!(sniff(&webp), Some(Format::Webp));
        assert_eq!(dimensions(Format::Webp, &webp), Some((640, 480)));
        assert_eq!(sniff(b"hello"), None);
        assert_eq!(dimensions(Format::Png, &png(0, 10)), None);
        assert_eq!(dimensions(Format::Jpeg, &[0xFF, 0xD8, 0xFF]), None);
    }

    mod prop {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn any_bytes_read_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64), f in 0usize..4) {
                let format = [Format::Png, Format::Jpeg, Format::Webp, Format::Gif][f];
                let _ = sniff(&bytes);
                let _ = dimensions(format, &bytes);
            }

            #[test]
            fn any_size_counts_without_panic(w in any::<u32>(), h in any::<u32>()) {
                prop_assert!(tokens(Rule::OpenAi, w, h) >= 85);
                prop_assert!((1..=ANTHROPIC_MAX_TOKENS).contains(&tokens(Rule::Anthropic, w, h)));
            }
        }
    }
}
