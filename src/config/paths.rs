//! Where thinkbench keeps its files: `$THINKBENCH_HOME`, else the XDG directories.

use super::ConfigError;
use std::path::PathBuf;

/// Where thinkbench keeps its files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    /// `config.toml` and `themes/` live here.
    pub config_dir: PathBuf,
    /// Saved sessions live here.
    pub data_dir: PathBuf,
}

impl Paths {
    /// `$THINKBENCH_HOME` for both when set, else the XDG config and data directories
    /// (`~/.config/thinkbench`, `~/.local/share/thinkbench`).
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Paths, ConfigError> {
        if let Some(home) = env("THINKBENCH_HOME").filter(|h| !h.is_empty()) {
            return Ok(Paths::at(home));
        }
        use etcetera::BaseStrategy;
        let base =
            etcetera::choose_base_strategy().map_err(|e| ConfigError::NoHome(e.to_string()))?;
        Ok(Paths {
            config_dir: base.config_dir().join("thinkbench"),
            data_dir: base.data_dir().join("thinkbench"),
        })
    }

    /// Both directories at `home`.
    pub fn at(home: impl Into<PathBuf>) -> Paths {
        let home = home.into();
        Paths {
            config_dir: home.clone(),
            data_dir: home,
        }
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    pub fn themes_dir(&self) -> PathBuf {
        self.config_dir.join("themes")
    }
}
