//! How comparisons run: `compare_concurrency` and `compare_confirm_usd` from the config file.

use super::ConfigError;
use super::file::LoadedFile;

/// Limits of a comparison in the TUI.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CompareLimits {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Sending asks first when the comparison's minimum cost is above this (USD).
    pub confirm_usd: f64,
}

impl Default for CompareLimits {
    fn default() -> CompareLimits {
        CompareLimits {
            concurrency: 4,
            confirm_usd: 0.50,
        }
    }
}

/// The limits the file sets (each checked, with the line when wrong), else the defaults.
pub(super) fn limits(file: &LoadedFile) -> Result<CompareLimits, ConfigError> {
    let cfg = &file.config;
    let mut compare = CompareLimits::default();
    if let Some(n) = &cfg.compare_concurrency {
        if !(1..=16).contains(n.get_ref()) {
            return Err(file.error_at(n.span(), "`compare_concurrency` must be between 1 and 16"));
        }
        compare.concurrency = *n.get_ref() as usize;
    }
    if let Some(usd) = &cfg.compare_confirm_usd {
        if !usd.get_ref().is_finite() || *usd.get_ref() < 0.0 {
            return Err(file.error_at(
                usd.span(),
                "`compare_confirm_usd` must be 0 or more dollars",
            ));
        }
        compare.confirm_usd = *usd.get_ref();
    }
    Ok(compare)
}
