//! The synced overlay: `models.synced.toml` in the config directory, written by
//! `thinkbench models sync` from a catalog in the models.dev format (see `sync`), read at
//! start between the built-in table and the config file's `[[models]]`.
//!
//! Invariants:
//! - the overlay holds only figures a public catalog publishes (limits, prices, reasoning,
//!   vision); a model the built-in table knows keeps its request rules, efforts and wire;
//! - an overlay entry for a dated id (`claude-sonnet-4-20250514`) builds on the undated
//!   built-in entry, so it inherits that model's rules too;
//! - it never touches the built-in table or the config file.

use super::{Catalog, ModelEntry, Origin};
use serde::{Deserialize, Serialize};

/// The file's shape.
#[derive(Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SyncedFile {
    /// When it was written (`YYYY-MM-DD`): the catalog's "prices as of" from then on.
    pub synced_at: String,
    /// Where the figures came from (a URL or a file name).
    pub source: String,
    #[serde(default)]
    pub models: Vec<ModelEntry>,
}

impl SyncedFile {
    /// Parse the text of an overlay file.
    pub fn parse(text: &str) -> Result<SyncedFile, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// The file's text.
    pub fn to_toml(&self) -> Result<String, String> {
        let body = toml::to_string(self).map_err(|e| e.to_string())?;
        Ok(format!(
            "# Written by `thinkbench models sync`; run it again to refresh, or delete this file\n\
             # to go back to the built-in prices. Your own overrides belong in config.toml.\n\n{body}"
        ))
    }
}

impl Catalog {
    /// Apply an overlay: each entry overrides the figures it carries of the model it names
    /// (the dated id falls back to the undated entry), or adds a model. Errors name the entry.
    pub fn apply_synced(&mut self, file: SyncedFile) -> Result<(), String> {
        for entry in file.models {
            let (provider, id) = (entry.provider.clone(), entry.id.clone());
            let base = self.lookup(&provider, &id).cloned();
            let mut info = entry
                .build(base.as_ref(), Origin::Synced)
                .map_err(|e| format!("model {provider}/{id}: {e}"))?;
            // Built on the undated entry, it still answers to its own id.
            info.id = id;
            self.merge(vec![info]);
        }
        self.set_synced(&file.synced_at, &file.source);
        Ok(())
    }
}
