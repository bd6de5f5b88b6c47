//! A configuration to resolve in its own temporary THINKBENCH_HOME with an injected
//! environment (`mod config_case;` in the config tests); nothing reads the real one.

use std::collections::HashMap;
use thinkbench::config::{self, CommonArgs, ConfigError, Paths, Settings};

pub struct Case {
    dir: tempfile::TempDir,
    vars: HashMap<String, String>,
}

impl Case {
    pub fn new(config: Option<&str>, vars: &[(&str, &str)]) -> Case {
        let dir = tempfile::tempdir().unwrap();
        if let Some(text) = config {
            std::fs::write(dir.path().join("config.toml"), text).unwrap();
        }
        Case {
            dir,
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    pub fn paths(&self) -> Paths {
        Paths::at(self.dir.path())
    }

    pub fn env(&self) -> impl Fn(&str) -> Option<String> + '_ {
        |k: &str| self.vars.get(k).cloned()
    }

    pub fn resolve(&self, args: &CommonArgs) -> Result<Settings, ConfigError> {
        config::resolve(args, &self.env(), &self.paths())
    }

    pub fn ok(&self, args: &CommonArgs) -> Settings {
        self.resolve(args).unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn err(&self, args: &CommonArgs) -> String {
        match self.resolve(args) {
            Ok(s) => panic!("expected an error, got {s:?}"),
            Err(e) => e.to_string(),
        }
    }
}

pub fn model(m: &str) -> CommonArgs {
    CommonArgs {
        model: Some(m.to_string()),
        ..Default::default()
    }
}

/// The error of resolving no flags against `config`.
pub fn file_err(config: &str) -> String {
    Case::new(Some(config), &[]).err(&CommonArgs::default())
}

/// `provider/model` of the settings.
pub fn pm(s: &Settings) -> String {
    format!("{}/{}", s.endpoint.provider, s.model)
}
