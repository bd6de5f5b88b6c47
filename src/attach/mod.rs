//! Files and images sent with a prompt: read once, checked, and kept with the turn.
//!
//! A text file goes into the prompt as a fenced block headed by its name; an image goes as
//! an image input in each API's own shape (see `api::types::ImageInput`).
//!
//! Invariants:
//! - an [`Attachment`] is either UTF-8 text (no NUL) within [`Limits::text_bytes`] or a PNG,
//!   JPEG, WebP or GIF whose header gives its size, within [`Limits::image_bytes`]; anything
//!   else is an [`AttachError`] that names the file and says what is wrong;
//! - the bytes are shared (`Arc`), so history and the store never copy them per turn;
//! - `hash` is the SHA-256 of the bytes: the store keeps one copy per hash;
//! - a text block's fence is longer than any run of backticks in the text, so the file
//!   cannot close it early.

pub mod complete;
pub mod image;

use base64::Engine;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;

/// Largest files taken, by kind (config: `attach_max_image_bytes`, `attach_max_text_bytes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub image_bytes: u64,
    pub text_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            image_bytes: 20 * 1024 * 1024,
            text_bytes: 1024 * 1024,
        }
    }
}

/// What a file is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    Image {
        format: image::Format,
        width: u32,
        height: u32,
    },
}

/// One file sent with a prompt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// The file name as shown (the last part of the path).
    pub name: String,
    pub kind: Kind,
    pub bytes: Arc<[u8]>,
    /// SHA-256 of `bytes`, hex.
    pub hash: String,
}

/// Why a file cannot be attached.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AttachError {
    #[error("{0}: no such file")]
    Missing(String),
    #[error("{0}: is a directory, not a file")]
    Directory(String),
    #[error("{0}: cannot be read ({1})")]
    Unreadable(String, String),
    #[error("{0}: {1} is larger than the {2} limit for {3}")]
    TooLarge(String, String, String, &'static str),
    #[error("{0}: a binary file that is not an image (PNG, JPEG, WebP or GIF)")]
    Binary(String),
    #[error("{0}: an image whose size cannot be read (a damaged file?)")]
    BadImage(String),
}

impl Attachment {
    /// Read the file at `path` and check it against `limits`.
    pub fn load(path: &Path, limits: Limits) -> Result<Attachment, AttachError> {
        let shown = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => AttachError::Missing(shown.clone()),
            _ => AttachError::Unreadable(shown.clone(), e.to_string()),
        })?;
        if meta.is_dir() {
            return Err(AttachError::Directory(shown));
        }
        // The larger limit bounds the read; the kind's own limit is checked once known.
        let most = limits.image_bytes.max(limits.text_bytes);
        if meta.len() > most {
            return Err(too_large(&shown, meta.len(), most, "any file"));
        }
        let bytes = std::fs::read(path)
            .map_err(|e| AttachError::Unreadable(shown.clone(), e.to_string()))?;
        let name = path
            .file_name()
            .map_or(shown.clone(), |n| n.to_string_lossy().into_owned());
        Attachment::from_bytes(name, bytes, limits).map_err(|e| e.renamed(&shown))
    }

    /// Check `bytes` named `name` against `limits` (also what a stored one is rebuilt from).
    pub fn from_bytes(
        name: String,
        bytes: Vec<u8>,
        limits: Limits,
    ) -> Result<Attachment, AttachError> {
        let len = bytes.len() as u64;
        let kind = match image::sniff(&bytes) {
            Some(format) => {
                if len > limits.image_bytes {
                    return Err(too_large(&name, len, limits.image_bytes, "images"));
                }
                let (width, height) =
                    image::dimensions(format, &bytes).ok_or(AttachError::BadImage(name.clone()))?;
                Kind::Image {
                    format,
                    width,
                    height,
                }
            }
            None if bytes.contains(&0) || std::str::from_utf8(&bytes).is_err() => {
                return Err(AttachError::Binary(name));
            }
            None => {
                if len > limits.text_bytes {
                    return Err(too_large(&name, len, limits.text_bytes, "text files"));
                }
                Kind::Text
            }
        };
        let hash = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Attachment {
            name,
            kind,
            bytes: bytes.into(),
            hash,
        })
    }

    pub fn is_image(&self) -> bool {
        matches!(self.kind, Kind::Image { .. })
    }

    /// The text of a text file (`None` for an image).
    pub fn text(&self) -> Option<&str> {
        match self.kind {
            Kind::Text => std::str::from_utf8(&self.bytes).ok(),
            Kind::Image { .. } => None,
        }
    }

    /// The fenced block a text file is sent as: its name on the fence, the language from
    /// its extension when there is one.
    pub fn text_block(&self) -> Option<String> {
        let text = self.text()?;
        let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
        let fence = "`".repeat(longest.max(2) + 1);
        let lang = Path::new(&self.name)
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default();
        let newline = if text.ends_with('\n') { "" } else { "\n" };
        Some(format!(
            "{name}:\n{fence}{lang}\n{text}{newline}{fence}",
            name = self.name
        ))
    }

    /// The image as a `data:` URL payload: MIME type and base64 (`None` for text).
    pub fn image_input(&self) -> Option<crate::api::ImageInput> {
        let Kind::Image { format, .. } = self.kind else {
            return None;
        };
        let Kind::Image { width, height, .. } = self.kind else {
            return None;
        };
        Some(crate::api::ImageInput {
            mime: format.mime().to_string(),
            base64: base64::engine::general_purpose::STANDARD
                .encode(&self.bytes)
                .into(),
            width,
            height,
        })
    }

    /// Input tokens this attachment adds, by `rule` for images and the tokenizer for text.
    pub fn estimated_tokens(&self, rule: image::Rule) -> u64 {
        match (&self.kind, self.text_block()) {
            (Kind::Image { width, height, .. }, _) => image::tokens(rule, *width, *height),
            (Kind::Text, Some(block)) => crate::usage::estimate_tokens(&block),
            (Kind::Text, None) => 0,
        }
    }

    /// `notes.md 2.1 KB` or `plot.png 640x480 48 KB`.
    pub fn label(&self) -> String {
        let size = human_bytes(self.bytes.len() as u64);
        match self.kind {
            Kind::Text => format!("{} {size}", self.name),
            Kind::Image { width, height, .. } => format!("{} {width}x{height} {size}", self.name),
        }
    }
}

/// The attachments of a turn as JSON: name, kind (`text` or `image`), bytes, SHA-256, and
/// for images MIME type and size; with `data`, the bytes themselves in base64.
pub fn json(attachments: &[Attachment], data: bool) -> serde_json::Value {
    let items: Vec<serde_json::Value> = attachments
        .iter()
        .map(|a| {
            let mut v = serde_json::json!({
                "name": a.name,
                "kind": if a.is_image() { "image" } else { "text" },
                "bytes": a.bytes.len(),
                "sha256": a.hash,
            });
            if let (
                serde_json::Value::Object(map),
                Kind::Image {
                    format,
                    width,
                    height,
                },
            ) = (&mut v, &a.kind)
            {
                map.insert("mime".into(), format.mime().into());
                map.insert("width".into(), (*width).into());
                map.insert("height".into(), (*height).into());
            }
            if let (serde_json::Value::Object(map), true) = (&mut v, data) {
                let b64 = base64::engine::general_purpose::STANDARD.encode(&a.bytes);
                map.insert("data_base64".into(), b64.into());
            }
            v
        })
        .collect();
    serde_json::Value::Array(items)
}

/// The files a prompt mentions: each word that starts with `@` and names a path (it has a
/// `/` or a `.` after the `@`, so `@alice` is a word and `a@b.com` is not a mention), without
/// the `@` and without trailing sentence punctuation; each path once, in order.
pub fn mentions(prompt: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in prompt.split_whitespace() {
        let Some(path) = word.strip_prefix('@') else {
            continue;
        };
        let path = path.trim_end_matches([',', ';', ':', '!', '?', ')', '"', '\'']);
        let path = path.strip_suffix('.').unwrap_or(path);
        let file_like = path.contains('/') || path.contains('.');
        if file_like && !path.is_empty() && !out.iter().any(|p| p == path) {
            out.push(path.to_string());
        }
    }
    out
}

impl AttachError {
    /// The same error naming `shown` (the path as given) instead of the file name.
    fn renamed(self, shown: &str) -> AttachError {
        let s = shown.to_string();
        match self {
            AttachError::TooLarge(_, a, b, c) => AttachError::TooLarge(s, a, b, c),
            AttachError::Binary(_) => AttachError::Binary(s),
            AttachError::BadImage(_) => AttachError::BadImage(s),
            other => other,
        }
    }
}

fn too_large(name: &str, len: u64, limit: u64, what: &'static str) -> AttachError {
    AttachError::TooLarge(name.to_string(), human_bytes(len), human_bytes(limit), what)
}

/// `512 B`, `2.1 KB`, `20 MB` (1 KB = 1024 B).
pub fn human_bytes(n: u64) -> String {
    const KB: f64 = 1024.0;
    let f = n as f64;
    if f < KB {
        format!("{n} B")
    } else if f < KB * KB {
        format!("{:.1} KB", f / KB).replace(".0 ", " ")
    } else {
        format!("{:.1} MB", f / KB / KB).replace(".0 ", " ")
    }
}

#[cfg(test)]
mod tests;
