//! The app's side of the workbench: switching model (resolved by the runtime), effort,
//! output budget, and opening the picker, the effort selector, the meter and the inspector.
//!
//! Invariants: a change of model, effort or budget applies from the next turn on; turns
//! already made keep the settings they were sent with. A switch to a model that neither the
//! catalog nor the provider's fetched list knows, and that has not answered here, is made
//! with a warning.

use super::{App, Effect, Overlay};
use crate::config::Settings;
use crate::conversation::TurnState;
use crate::tui::effort::{EffortMenu, step, unavailable_reason};
use crate::tui::inspector::Inspector;
use crate::tui::meter::MIN_TERMINAL_WIDTH;
use crate::tui::picker::Picker;
use crate::usage;

impl App {
    /// `/model NAME`: the runtime resolves it (keys may come from a command, which may take
    /// seconds: the status line says a switch is on its way until it lands or fails).
    pub(super) fn switch_model(&mut self, spec: &str) -> Vec<Effect> {
        self.notice = Some(format!("switching to {spec}…"));
        vec![Effect::SwitchModel(spec.to_string())]
    }

    /// New settings arrived: they apply from the next turn; the conversation stays. Says
    /// when the effort had to change to one the new model accepts.
    pub(super) fn model_switched(&mut self, result: Result<Switched, String>) {
        let new = match result {
            Ok(Switched(new)) => new,
            Err(why) => {
                self.notice = Some(format!("cannot switch model: {why}"));
                return;
            }
        };
        let old_effort = self.session.settings.effort.clone();
        let (provider, model) = (&new.endpoint.provider, &new.model);
        let listed =
            (self.fetched_models.iter()).any(|(p, ids)| p == provider && ids.contains(model));
        let mut notice = if new.model_info.is_none() && !listed && !self.answered(provider, model) {
            format!(
                "⚠ {provider}/{model}: not in the catalog or the server's list — sending anyway"
            )
        } else {
            format!("next turns: {provider}/{model}")
        };
        match (&old_effort, &new.effort) {
            (Some(old), Some(now)) if old != now => {
                let levels = new
                    .model_info
                    .as_ref()
                    .map(|m| m.efforts.join(", "))
                    .unwrap_or_default();
                notice.push_str(&format!(" · effort {old} → {now} (it accepts {levels})"));
            }
            (Some(old), None) => {
                notice.push_str(&format!(" · effort {old} dropped: it takes none"))
            }
            (_, Some(now)) => notice.push_str(&format!(" · effort {now}")),
            _ => {}
        }
        if self.session.conversation.turns.is_empty() {
            // The start screen tells how to connect the model it will send to.
            self.setup_hint = new.setup_hint.clone();
        }
        self.session.settings = *new;
        self.notice = Some(notice);
    }

    /// `/effort LEVEL`, checked against the current model's levels.
    pub(super) fn set_effort(&mut self, level: &str) {
        let settings = &mut self.session.settings;
        match crate::catalog::validate_effort(settings.model_info.as_ref(), level) {
            Ok(()) => {
                settings.effort = Some(level.to_string());
                self.notice = Some(format!("effort {level} from the next turn"));
            }
            Err(why) => self.notice = Some(why),
        }
    }

    /// `/max N` (or `/max off`): the output budget for the next turns, with a warning when
    /// it leaves a reasoning model too little room.
    pub(super) fn set_max(&mut self, arg: &str) {
        let settings = &mut self.session.settings;
        if matches!(arg, "off" | "none" | "default" | "0") {
            settings.max_output_tokens = None;
            self.notice = Some("output budget: the model's own".into());
            return;
        }
        let Ok(n) = arg.replace([',', '_'], "").parse::<u64>() else {
            self.notice =
                Some("/max needs a number of tokens, e.g. /max 32000 (or /max off)".into());
            return;
        };
        settings.max_output_tokens = Some(n);
        let limit = settings
            .model_info
            .as_ref()
            .and_then(|m| m.max_output_tokens);
        self.notice = Some(match (budget_warning(settings, n), limit) {
            (_, Some(limit)) if n > limit => format!(
                "⚠ {} is above {}'s limit of {}: the server will refuse it",
                usage::thousands(n),
                settings.model,
                usage::thousands(limit)
            ),
            (Some(warning), _) => warning,
            _ => format!("output budget {} tokens", usage::thousands(n)),
        });
    }

    /// Whether `provider/model` has answered in this conversation.
    fn answered(&self, provider: &str, model: &str) -> bool {
        (self.session.conversation.turns.iter()).any(|t| {
            t.state == TurnState::Done && t.spec.provider == provider && t.spec.model == model
        })
    }

    /// F2 or `/model`: every model of the configured providers, plus what the current
    /// provider's server lists (fetched in the background, once per run), plus the models
    /// that answered in this conversation.
    pub(super) fn open_picker(&mut self) -> Vec<Effect> {
        let mut picker = Picker::new(&self.session.settings, &self.fetched_models);
        let mut answered: Vec<(String, String)> = Vec::new();
        for turn in &self.session.conversation.turns {
            let key = (turn.spec.provider.clone(), turn.spec.model.clone());
            if turn.state == TurnState::Done && !answered.contains(&key) {
                answered.push(key);
            }
        }
        picker.add_answered(&self.session.settings, &answered);
        let provider = self.session.settings.endpoint.provider.clone();
        let fetched = self.fetched_models.iter().any(|(p, _)| *p == provider);
        if !fetched {
            picker.fetch_started(&provider);
        }
        self.overlay = Some(Overlay::Picker(picker));
        if fetched {
            Vec::new()
        } else {
            vec![Effect::FetchModels]
        }
    }

    /// F3 or `/effort`: the levels the current model accepts.
    pub(super) fn open_efforts(&mut self) {
        let s = &self.session.settings;
        let menu = EffortMenu::new(s.model_info.as_ref(), s.effort.as_deref());
        self.overlay = Some(Overlay::Effort(menu));
    }

    /// Alt+, / Alt+.: one accepted level down or up.
    pub(super) fn step_effort(&mut self, up: bool) {
        let s = &mut self.session.settings;
        match step(s.model_info.as_ref(), s.effort.as_deref(), up) {
            Some(level) => {
                self.notice = Some(format!("effort {level} from the next turn"));
                s.effort = Some(level);
            }
            None => {
                let why = s.model_info.as_ref().and_then(unavailable_reason);
                self.notice = Some(why.unwrap_or_else(|| {
                    let end = if up { "highest" } else { "lowest" };
                    format!("already at the {end} effort {} accepts", s.model)
                }));
            }
        }
    }

    pub(super) fn open_inspector(&mut self) {
        let inspector = Inspector::new(self.session.conversation.turns.len());
        self.overlay = Some(Overlay::Inspector(inspector));
    }

    /// A provider's server listed its models (or could not).
    pub(super) fn models_fetched(&mut self, provider: String, models: Result<Vec<String>, String>) {
        let picker = match &mut self.overlay {
            Some(Overlay::Picker(picker)) => Some(picker),
            _ => None,
        };
        match models {
            Ok(models) => {
                if let Some(picker) = picker {
                    picker.add_fetched(&self.session.settings, &provider, &models);
                }
                self.fetched_models.retain(|(p, _)| *p != provider);
                self.fetched_models.push((provider, models));
            }
            Err(why) => match picker {
                Some(picker) => picker.fetch_failed(&provider, &why),
                None => self.notice = Some(format!("could not list {provider}'s models: {why}")),
            },
        }
    }

    /// F4 or `/meter`: show or hide the pane; in a terminal too narrow for it, say so (and
    /// show it once there is room).
    pub(super) fn toggle_meter(&mut self) {
        let width = self.size.0;
        if width < MIN_TERMINAL_WIDTH {
            self.show_meter = Some(true);
            self.notice = Some(format!(
                "F4: the meter needs {MIN_TERMINAL_WIDTH} columns (now {width})"
            ));
            return;
        }
        let shown = self.meter_visible(width);
        self.show_meter = Some(!shown);
    }

    /// Whether the meter pane is drawn at terminal width `width`.
    pub fn meter_visible(&self, width: u16) -> bool {
        self.show_meter.unwrap_or(width >= METER_MIN_WIDTH)
    }
}

/// Settings for a newly chosen model (compared by provider, model and effort).
#[derive(Debug)]
pub struct Switched(pub Box<Settings>);

impl PartialEq for Switched {
    fn eq(&self, other: &Switched) -> bool {
        let key = |s: &Settings| {
            (
                s.endpoint.provider.clone(),
                s.model.clone(),
                s.effort.clone(),
            )
        };
        key(&self.0) == key(&other.0)
    }
}

/// The meter shows by default from this terminal width on.
pub const METER_MIN_WIDTH: u16 = 100;

/// OpenAI suggests leaving at least this much output budget to reasoning models.
pub const REASONING_BUDGET_HINT: u64 = 25_000;

/// A warning when `budget` leaves the model too little room to reason, before sending.
pub fn budget_warning(settings: &Settings, budget: u64) -> Option<String> {
    let info = settings.model_info.as_ref()?;
    if !info.reasoning {
        return None;
    }
    let minimum = match settings.endpoint.api {
        // A thinking budget is at least 1,024 tokens and must stay below max_tokens.
        crate::api::ApiKind::Anthropic => 1_025,
        _ => REASONING_BUDGET_HINT,
    };
    (budget < minimum).then(|| {
        format!(
            "⚠ {} output tokens may all go to reasoning ({} reasons first; at least {} suggested)",
            usage::thousands(budget),
            settings.model,
            usage::thousands(minimum)
        )
    })
}
