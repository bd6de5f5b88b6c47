//! Driving the TUI's `App` in tests: settings from a fake environment, time injected as
//! offsets from a fixed start, keys and stream events fed in, frames drawn on a TestBackend.
#![allow(dead_code)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::{Duration, Instant};
use thinkbench::api::StreamEvent;
use thinkbench::config::{self, CommonArgs, Paths};
use thinkbench::session::Session;
use thinkbench::tui::app::{App, Effect, Event};
use thinkbench::tui::theme::Theme;
use thinkbench::tui::ui::Ui;

pub struct Harness {
    pub app: App,
    /// The view's caches, as the runtime keeps them.
    pub ui: Ui,
    pub t0: Instant,
    pub home: tempfile::TempDir,
}

pub fn settings(env: &[(&str, &str)], args: CommonArgs) -> (config::Settings, tempfile::TempDir) {
    settings_with_config(None, env, args)
}

/// [`settings`] with `config` as the home's `config.toml`.
pub fn settings_with_config(
    config: Option<&str>,
    env: &[(&str, &str)],
    args: CommonArgs,
) -> (config::Settings, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    if let Some(text) = config {
        std::fs::write(home.path().join("config.toml"), text).unwrap();
    }
    let paths = Paths {
        config_dir: home.path().to_path_buf(),
        data_dir: home.path().to_path_buf(),
    };
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let lookup = move |k: &str| env.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    (config::resolve(&args, &lookup, &paths).unwrap(), home)
}

pub fn harness_with(env: &[(&str, &str)], model: &str, effort: Option<&str>) -> Harness {
    harness_with_config(None, env, model, effort)
}

/// [`harness_with`] with `config` as the home's `config.toml`.
pub fn harness_with_config(
    config: Option<&str>,
    env: &[(&str, &str)],
    model: &str,
    effort: Option<&str>,
) -> Harness {
    let args = CommonArgs {
        model: Some(model.to_string()),
        effort: effort.map(str::to_string),
        ..Default::default()
    };
    let (settings, home) = settings_with_config(config, env, args);
    let t0 = Instant::now();
    let theme = Theme::builtin("dark").unwrap();
    let app = App::new(Session::new(settings), &theme, t0);
    Harness {
        app,
        ui: Ui::new(theme),
        t0,
        home,
    }
}

pub fn harness(model: &str) -> Harness {
    harness_with(
        &[
            ("OPENAI_API_KEY", "sk-test"),
            ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"),
        ],
        model,
        None,
    )
}

impl Harness {
    pub fn at(&self, ms: u64) -> Instant {
        self.t0 + Duration::from_millis(ms)
    }

    pub fn key(&mut self, code: KeyCode, mods: KeyModifiers, ms: u64) -> Vec<Effect> {
        let now = self.at(ms);
        self.app.update(Event::Key(KeyEvent::new(code, mods)), now)
    }

    pub fn type_text(&mut self, text: &str, ms: u64) {
        for ch in text.chars() {
            self.key(KeyCode::Char(ch), KeyModifiers::NONE, ms);
        }
    }

    /// Type a prompt and press Enter; returns the started turn's id.
    pub fn send(&mut self, prompt: &str, ms: u64) -> u64 {
        self.app
            .update(Event::Paste(prompt.to_string()), self.at(ms));
        let effects = self.key(KeyCode::Enter, KeyModifiers::NONE, ms);
        match started(&effects) {
            Some((turn_id, _)) => turn_id,
            None => panic!("expected StartTurn, got {effects:?}"),
        }
    }

    pub fn stream(&mut self, turn_id: u64, event: StreamEvent, ms: u64) {
        let at = self.at(ms);
        self.app.update(Event::Stream { turn_id, event, at }, at);
    }

    /// What components draw from, as the runtime builds it.
    pub fn ctx(&self) -> thinkbench::tui::component::Ctx<'_> {
        thinkbench::tui::ui::ctx(&self.app, &self.ui.theme)
    }

    pub fn draw(&mut self, w: u16, h: u16) -> Terminal<TestBackend> {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        thinkbench::tui::draw(&mut terminal, &mut self.app, &mut self.ui).unwrap();
        terminal
    }
}

/// The turn `effects` start, if any: its id and request.
pub fn started(effects: &[Effect]) -> Option<(u64, &thinkbench::api::ChatRequest)> {
    effects.iter().find_map(|e| match e {
        Effect::StartTurn { turn_id, request } => Some((*turn_id, request)),
        _ => None,
    })
}

/// `effects` without the store's share (saving turns, listing sessions).
pub fn without_persist(effects: Vec<Effect>) -> Vec<Effect> {
    effects
        .into_iter()
        .filter(|e| !matches!(e, Effect::Persist(_)))
        .collect()
}
