//! What the configuration decides about the offline demo: its pace (`THINKBENCH_DEMO_PACE`
//! beats `demo_pace` in the file; 1 by default) and that `--demo` runs a demo model.

use super::ConfigError;
use super::file::LoadedFile;
use crate::catalog::Catalog;
use crate::demo;

/// The demo's pace, from the environment or the file (see `demo::parse_pace`).
pub(super) fn pace(
    env_var: &dyn Fn(&str) -> Option<String>,
    file: &LoadedFile,
) -> Result<f64, ConfigError> {
    match (env_var(demo::PACE_ENV), &file.config.demo_pace) {
        (Some(p), _) => demo::parse_pace(&p)
            .map_err(|e| ConfigError::Invalid(format!("{}: {e}", demo::PACE_ENV))),
        (None, Some(p)) => demo::parse_pace(&p.get_ref().to_string())
            .map_err(|e| file.error_at(p.span(), format!("`demo_pace`: {e}"))),
        (None, None) => Ok(1.0),
    }
}

/// Refuse, under `--demo`, a model (`spec`, from `origin`) that is not one of the demo's.
pub(super) fn check_model(
    catalog: &Catalog,
    provider: &str,
    model: &str,
    spec: &str,
    origin: &str,
) -> Result<(), ConfigError> {
    if provider == demo::PROVIDER && catalog.lookup_exact(provider, model).is_some() {
        return Ok(());
    }
    let ids: Vec<&str> = demo::script::MODELS.iter().map(|(id, _, _)| *id).collect();
    Err(ConfigError::Invalid(format!(
        "{origin}: `{spec}` is not a model of the offline demo; use one of {}",
        ids.join(", ")
    )))
}
