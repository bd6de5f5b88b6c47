//! The catalog as this configuration sees it: the built-in table, then the synced overlay
//! (`models.synced.toml` beside `config.toml`, written by `thinkbench models sync`), then the
//! config file's `[[models]]`; and how a provider takes the catalog's knowledge
//! (`catalog = false`, `prices = "VENDOR"`).
//!
//! Invariants:
//! - later layers win field by field, and every figure records which layer it came from;
//! - an overlay that cannot be read is an error naming the file and how to recover, never
//!   silently ignored (its prices would otherwise change without a word).

use super::file::LoadedFile;
use super::{ConfigError, Paths, Provider};
use crate::catalog::{Catalog, CatalogUse, Origin, SyncedFile};
use std::path::PathBuf;

/// The synced overlay's file name, in the config directory.
pub const SYNCED_FILE: &str = "models.synced.toml";

impl Paths {
    /// Where `thinkbench models sync` writes its overlay.
    pub fn synced_catalog(&self) -> PathBuf {
        self.config_dir.join(SYNCED_FILE)
    }
}

/// How `provider` takes the catalog's knowledge.
pub fn catalog_use(provider: &Provider) -> CatalogUse<'_> {
    CatalogUse {
        follow_model: provider.follow_catalog,
        prices_of: provider.prices.as_deref(),
    }
}

/// The built-in catalog with the synced overlay (when there is one) and the config file's
/// `[[models]]` applied; local providers marked.
pub(super) fn assemble(
    file: &LoadedFile,
    providers: &[Provider],
    paths: &Paths,
) -> Result<Catalog, ConfigError> {
    let mut catalog = Catalog::builtin();
    for p in providers {
        catalog.set_local(&p.name, p.local);
    }
    let synced = paths.synced_catalog();
    match std::fs::read_to_string(&synced) {
        Ok(text) => SyncedFile::parse(&text)
            .and_then(|overlay| catalog.apply_synced(overlay))
            .map_err(|e| ConfigError::At {
                path: synced.clone(),
                line: None,
                message: format!(
                    "{e}\n(run `thinkbench models sync` again, or delete the file to use the \
                     built-in prices)"
                ),
            })?,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(ConfigError::Read {
                path: synced,
                source,
            });
        }
    }
    for entry in &file.config.models {
        let span = entry.span();
        let entry = entry.get_ref().clone();
        let (provider, id) = (entry.provider.clone(), entry.id.clone());
        if !providers.iter().any(|p| p.name == provider) {
            return Err(file.error_at(span, format!("model `{id}`: unknown provider `{provider}`")));
        }
        let base = catalog.lookup_exact(&provider, &id).cloned();
        let info = entry
            .build(base.as_ref(), Origin::User)
            .map_err(|e| file.error_at(span, format!("model `{provider}/{id}`: {e}")))?;
        catalog.merge(vec![info]);
    }
    Ok(catalog)
}

impl super::Settings {
    /// What the catalog knows of `model` on `provider` as that provider takes it (see
    /// [`Catalog::knowledge`]); an unknown provider gets its own entries only.
    pub fn knowledge(&self, provider: &str, model: &str) -> Option<crate::catalog::ModelInfo> {
        let usage = self
            .providers
            .iter()
            .find(|p| p.name == provider)
            .map_or(CatalogUse::OWN_ONLY, catalog_use);
        self.catalog.knowledge(provider, model, usage)
    }
}
