//! How much one answer may hold: `max_event_bytes`, `max_body_bytes` and `max_answer_bytes`
//! from the config file, into the endpoint's [`Limits`]; and how large an attached file may
//! be (`attach_max_image_bytes`, `attach_max_text_bytes`).
//!
//! Invariant: a limit not set is the default (`Limits::DEFAULT`); a limit set is at least
//! [`MIN_LIMIT`] bytes, or the file is refused with the line.

use super::ConfigError;
use super::file::LoadedFile;
use crate::api::Limits;

/// The smallest limit the file may set (smaller ones would fail ordinary answers).
pub const MIN_LIMIT: u64 = 1024;

/// The limits the file sets (each checked, with the line when wrong), else the defaults.
pub(super) fn limits(file: &LoadedFile) -> Result<Limits, ConfigError> {
    let cfg = &file.config;
    let mut limits = Limits::DEFAULT;
    for (key, value, slot) in [
        (
            "max_event_bytes",
            &cfg.max_event_bytes,
            &mut limits.max_event_bytes,
        ),
        (
            "max_body_bytes",
            &cfg.max_body_bytes,
            &mut limits.max_body_bytes,
        ),
        (
            "max_answer_bytes",
            &cfg.max_answer_bytes,
            &mut limits.max_answer_bytes,
        ),
    ] {
        if let Some(n) = checked(file, key, value)? {
            *slot = usize::try_from(n).unwrap_or(usize::MAX);
        }
    }
    Ok(limits)
}

/// The largest attachments the file allows (each at least [`MIN_LIMIT`]), else the defaults.
pub(super) fn attach_limits(file: &LoadedFile) -> Result<crate::attach::Limits, ConfigError> {
    let cfg = &file.config;
    let defaults = crate::attach::Limits::default();
    Ok(crate::attach::Limits {
        image_bytes: checked(file, "attach_max_image_bytes", &cfg.attach_max_image_bytes)?
            .unwrap_or(defaults.image_bytes),
        text_bytes: checked(file, "attach_max_text_bytes", &cfg.attach_max_text_bytes)?
            .unwrap_or(defaults.text_bytes),
    })
}

/// The byte limit `key` sets, when set: at least [`MIN_LIMIT`], or an error at its line.
fn checked(
    file: &LoadedFile,
    key: &str,
    value: &Option<toml::Spanned<u64>>,
) -> Result<Option<u64>, ConfigError> {
    match value {
        Some(n) if *n.get_ref() < MIN_LIMIT => Err(file.error_at(
            n.span(),
            format!("`{key}` must be at least {MIN_LIMIT} (bytes)"),
        )),
        Some(n) => Ok(Some(*n.get_ref())),
        None => Ok(None),
    }
}
