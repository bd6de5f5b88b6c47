//! The config file (`config.toml`): its schema, reading it, and pointing at the line where
//! something is wrong.
//!
//! Invariants:
//! - a missing file means "no settings", never an error; any other read failure is an error;
//! - unknown keys are refused (`deny_unknown_fields` on every table), so a typo never silently
//!   turns into a default;
//! - every error names the file and, whenever the parser or a span knows it, the line.

use super::ConfigError;
use crate::api::ApiKind;
use crate::catalog::ModelEntry;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    /// Default model, `[provider/]model`.
    pub model: Option<Spanned<String>>,
    pub effort: Option<Spanned<String>>,
    pub max_output_tokens: Option<Spanned<u64>>,
    pub system: Option<String>,
    pub theme: Option<String>,
    /// Attempts per turn, the first included (failures before any output are retried).
    pub max_attempts: Option<Spanned<u32>>,
    /// Seconds without a byte before a stream is ended (default 120; 600 for slow models).
    pub idle_timeout_secs: Option<Spanned<u64>>,
    /// Bytes of one SSE event at most (default 16 MiB).
    pub max_event_bytes: Option<Spanned<u64>>,
    /// Bytes of one whole, non-streamed response body at most (default 64 MiB).
    pub max_body_bytes: Option<Spanned<u64>>,
    /// Bytes of one answer's text and reasoning at most (default 64 MiB).
    pub max_answer_bytes: Option<Spanned<u64>>,
    /// Bytes of one attached image at most (default 20 MiB).
    pub attach_max_image_bytes: Option<Spanned<u64>>,
    /// Bytes of one attached text file at most (default 1 MiB).
    pub attach_max_text_bytes: Option<Spanned<u64>>,
    /// Requests of one comparison in flight at once (default 4).
    pub compare_concurrency: Option<Spanned<u32>>,
    /// A comparison whose minimum cost is above this many dollars asks before sending.
    pub compare_confirm_usd: Option<Spanned<f64>>,
    /// How long the offline demo takes compared with a real model: 1 realistic, 0 instant.
    pub demo_pace: Option<Spanned<f64>>,
    #[serde(default)]
    pub providers: BTreeMap<String, Spanned<ProviderTable>>,
    #[serde(default)]
    pub models: Vec<Spanned<ModelEntry>>,
}

/// A `[providers.NAME]` table; fields given override those of a built-in provider.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProviderTable {
    pub api: Option<ApiKind>,
    pub base_url: Option<String>,
    pub api_key_env: Option<String>,
    pub api_key_cmd: Option<String>,
    /// Seconds `api_key_cmd` may take (default 10).
    pub api_key_cmd_timeout_secs: Option<Spanned<u64>>,
    pub headers: Option<BTreeMap<String, String>>,
    pub local: Option<bool>,
    /// Whose catalog prices this provider charges (`"openai"`, `"anthropic"`, ...).
    pub prices: Option<String>,
    /// `false`: models without an entry under this provider get no catalog knowledge.
    pub catalog: Option<bool>,
}

/// The parsed file with what is needed to point at its lines.
#[derive(Debug, Default)]
pub(super) struct LoadedFile {
    pub path: PathBuf,
    text: String,
    pub config: FileConfig,
}

impl LoadedFile {
    /// Read and parse `path`; a missing file gives an empty config.
    pub fn load(path: &Path) -> Result<LoadedFile, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Ok(LoadedFile {
                    path: path.to_path_buf(),
                    ..Default::default()
                });
            }
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        LoadedFile::parse(path, text)
    }

    /// Parse `text` as the contents of `path`.
    pub fn parse(path: &Path, text: String) -> Result<LoadedFile, ConfigError> {
        match toml::from_str::<FileConfig>(&text) {
            Ok(config) => Ok(LoadedFile {
                path: path.to_path_buf(),
                text,
                config,
            }),
            Err(err) => Err(ConfigError::At {
                path: path.to_path_buf(),
                line: err.span().map(|span| line_of(&text, span.start)),
                message: err.message().trim_end().to_string(),
            }),
        }
    }

    /// An error about what sits at `span` of the file.
    pub fn error_at(&self, span: Range<usize>, message: impl Into<String>) -> ConfigError {
        ConfigError::At {
            path: self.path.clone(),
            line: Some(line_of(&self.text, span.start)),
            message: message.into(),
        }
    }

    /// `path:line` of `span`, to say where a value came from.
    pub fn origin(&self, span: Range<usize>) -> String {
        format!(
            "{}:{}",
            self.path.display(),
            line_of(&self.text, span.start)
        )
    }
}

/// 1-based line of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    let end = at.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_based() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }
}
