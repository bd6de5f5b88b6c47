//! The effort a session starts with, from `--effort`, `THINKBENCH_EFFORT` or the config
//! file, fitted to the model.
//!
//! Invariants: a level name that is no level at all is always an error naming where it came
//! from; a level the model does not take is fitted to it as a model switch does
//! ([`catalog::fit_effort`]: the nearest level it takes, or none) with one note saying so,
//! unless `strict`, when it is an error as it always was; a preference (environment or file)
//! is dropped without a note for a model that takes no effort at all, strict or not; a model
//! the catalog does not know gets the level as asked.

use super::ConfigError;
use crate::catalog::{self, Fitted, ModelInfo};

/// An effort asked for, and where.
pub(super) struct Asked {
    level: String,
    /// `--effort`, `THINKBENCH_EFFORT` or `config.toml:LINE`.
    origin: String,
    /// From the flag (else a standing preference).
    flag: bool,
}

impl Asked {
    pub(super) fn flag(level: &str) -> Asked {
        Asked {
            level: level.trim().to_string(),
            origin: "--effort".to_string(),
            flag: true,
        }
    }

    pub(super) fn preference(level: &str, origin: String) -> Asked {
        Asked {
            level: level.trim().to_string(),
            origin,
            flag: false,
        }
    }
}

/// The effort to start with and the note saying how it was fitted (see the module's
/// invariants); without one asked for, the model's default.
pub(super) fn resolve(
    asked: Option<Asked>,
    model: Option<&ModelInfo>,
    strict: bool,
) -> Result<(Option<String>, Option<String>), ConfigError> {
    let Some(asked) = asked else {
        return Ok((model.and_then(|m| m.default_effort.clone()), None));
    };
    let at = |e: String| ConfigError::Invalid(format!("{}: {e}", asked.origin));
    let fitted = catalog::fit_effort(model, &asked.level).map_err(at)?;
    let level = fitted.level().map(str::to_string);
    match fitted {
        Fitted::AsAsked(_) => Ok((level, None)),
        Fitted::Dropped { .. } if !asked.flag => Ok((None, None)),
        _ if strict => Err(at(catalog::validate_effort(model, &asked.level)
            .err()
            .unwrap_or_default())),
        fitted => {
            let note = fitted.note().map(|note| {
                let from = if asked.flag {
                    String::new()
                } else {
                    format!("{}: ", asked.origin)
                };
                format!("{from}{note} (--strict to make this an error)")
            });
            Ok((level, note))
        }
    }
}
