//! The reasoning-effort selector's state and keys, and the step up/down used by Alt+, / Alt+.
//!
//! Invariants: only levels the current model accepts are offered, lowest first (all of
//! [`EFFORT_LEVELS`] for a model the catalog does not know, since the server decides); a model
//! that takes no effort gets no levels and a one-line reason instead; `selected` indexes
//! `levels` (0 when there are none); nothing is changed here — Enter or a level's letter
//! returns [`EffortAction::Set`] for the app to apply.

use crate::catalog::{EFFORT_LEVELS, ModelInfo};
use crossterm::event::{KeyCode, KeyEvent};

/// What the selector asks of the app after a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EffortAction {
    None,
    /// Use this effort from the next turn on.
    Set(String),
    Close,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EffortMenu {
    /// The levels offered, lowest first.
    pub levels: Vec<String>,
    /// The model's own default level, when it has one.
    pub default: Option<String>,
    /// The level chosen now, if any.
    pub current: Option<String>,
    /// Index into `levels`.
    pub selected: usize,
    /// Why no level can be chosen (the model takes no effort).
    pub unavailable: Option<String>,
    /// A remark shown under the levels (e.g. the model is not in the catalog).
    pub note: Option<String>,
}

impl EffortMenu {
    /// The selector for `model` (`None`: not in the catalog) with `current` chosen now. The
    /// current level is selected, else the default, else the middle one.
    pub fn new(model: Option<&ModelInfo>, current: Option<&str>) -> EffortMenu {
        let mut menu = EffortMenu {
            current: current.map(str::to_string),
            ..EffortMenu::default()
        };
        match model {
            None => {
                menu.levels = EFFORT_LEVELS.iter().map(|l| l.to_string()).collect();
                menu.note = Some("not in the catalog: the server decides".to_string());
            }
            Some(m) => match unavailable_reason(m) {
                Some(reason) => menu.unavailable = Some(reason),
                None => {
                    menu.levels = m.efforts.clone();
                    menu.default = m.default_effort.clone();
                    if menu.default.is_none() && m.api == crate::api::ApiKind::Anthropic {
                        menu.note = Some("no effort: thinking stays off".to_string());
                    }
                }
            },
        }
        let position =
            |level: Option<&str>| level.and_then(|l| menu.levels.iter().position(|x| x == l));
        menu.selected = position(current)
            .or_else(|| position(menu.default.as_deref()))
            .unwrap_or(menu.levels.len() / 2);
        menu.selected = menu.selected.min(menu.levels.len().saturating_sub(1));
        menu
    }

    pub fn selected_level(&self) -> Option<&str> {
        self.levels.get(self.selected).map(String::as_str)
    }

    pub fn on_key(&mut self, key: KeyEvent) -> EffortAction {
        if self.levels.is_empty() {
            // Nothing to choose: any of the closing keys closes.
            return match key.code {
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => EffortAction::Close,
                _ => EffortAction::None,
            };
        }
        let last = self.levels.len() - 1;
        match key.code {
            KeyCode::Esc => EffortAction::Close,
            KeyCode::Enter => match self.selected_level() {
                Some(level) => EffortAction::Set(level.to_string()),
                None => EffortAction::None,
            },
            KeyCode::Up => {
                self.selected = self.selected.saturating_sub(1);
                EffortAction::None
            }
            KeyCode::Down => {
                self.selected = (self.selected + 1).min(last);
                EffortAction::None
            }
            KeyCode::Home => {
                self.selected = 0;
                EffortAction::None
            }
            KeyCode::End => {
                self.selected = last;
                EffortAction::None
            }
            KeyCode::Char(c) => self.letter(c),
            _ => EffortAction::None,
        }
    }

    /// A level's first letter: sets it when only one level starts so, else moves to the next
    /// of those that do (Enter then sets it).
    fn letter(&mut self, c: char) -> EffortAction {
        let c = c.to_ascii_lowercase();
        let matching: Vec<usize> = (0..self.levels.len())
            .filter(|&i| self.levels[i].starts_with(c))
            .collect();
        match matching.as_slice() {
            [] => EffortAction::None,
            [only] => {
                self.selected = *only;
                EffortAction::Set(self.levels[*only].clone())
            }
            several => {
                self.selected = several
                    .iter()
                    .copied()
                    .find(|&i| i > self.selected)
                    .unwrap_or(several[0]);
                EffortAction::None
            }
        }
    }
}

/// Why `model` takes no reasoning effort, or `None` when it takes one.
pub fn unavailable_reason(model: &ModelInfo) -> Option<String> {
    if model.accepts_effort && !model.efforts.is_empty() {
        return None;
    }
    Some(if model.reasoning {
        format!(
            "{} reasons at a fixed effort: it rejects reasoning_effort",
            model.id
        )
    } else {
        format!("{} takes no reasoning effort", model.id)
    })
}

/// The next accepted level below (`up == false`) or above `current` for `model` (all levels
/// for a model the catalog does not know). With no current level the step starts from the
/// model's default; with no default either, up gives the lowest level. `None` at either end
/// and for a model that takes no effort.
pub fn step(model: Option<&ModelInfo>, current: Option<&str>, up: bool) -> Option<String> {
    let levels: Vec<&str> = match model {
        None => EFFORT_LEVELS.to_vec(),
        Some(m) if unavailable_reason(m).is_some() => return None,
        Some(m) => m.efforts.iter().map(String::as_str).collect(),
    };
    let rank = |level: &str| EFFORT_LEVELS.iter().position(|l| *l == level);
    let from = current
        .or(model.and_then(|m| m.default_effort.as_deref()))
        .and_then(rank);
    let Some(from) = from else {
        // Nothing chosen and no default: up starts at the bottom.
        return if up {
            levels.first().map(|l| l.to_string())
        } else {
            None
        };
    };
    let ranked = levels.iter().filter_map(|l| rank(l).map(|r| (r, *l)));
    let next = if up {
        ranked.filter(|(r, _)| *r > from).min_by_key(|(r, _)| *r)
    } else {
        ranked.filter(|(r, _)| *r < from).max_by_key(|(r, _)| *r)
    };
    next.map(|(_, l)| l.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crossterm::event::KeyModifiers;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn levels_default_and_unavailable_reasons() {
        let c = Catalog::builtin();
        let m = EffortMenu::new(c.find_model("o3-mini"), None);
        assert_eq!(m.levels, ["low", "medium", "high"]);
        assert_eq!(m.default.as_deref(), Some("medium"));
        assert_eq!(m.selected_level(), Some("medium"));
        let m = EffortMenu::new(c.find_model("gpt-5.2"), Some("xhigh"));
        assert_eq!(m.levels.len(), 5);
        assert_eq!(m.selected_level(), Some("xhigh"));
        let m = EffortMenu::new(c.find_model("gpt-4o"), Some("low"));
        assert!(m.levels.is_empty());
        assert_eq!(
            m.unavailable.as_deref(),
            Some("gpt-4o takes no reasoning effort")
        );
        let m = EffortMenu::new(c.find_model("o1-mini"), None);
        assert!(
            m.unavailable
                .unwrap()
                .contains("o1-mini reasons at a fixed effort")
        );
        let m = EffortMenu::new(None, Some("max"));
        assert_eq!(m.levels, EFFORT_LEVELS);
        assert_eq!(m.selected_level(), Some("max"));
        assert!(m.note.unwrap().contains("not in the catalog"));
    }

    #[test]
    fn keys_move_set_and_close() {
        let c = Catalog::builtin();
        let mut m = EffortMenu::new(c.find_model("o3-mini"), Some("low"));
        assert_eq!(m.on_key(key(KeyCode::Up)), EffortAction::None);
        assert_eq!(m.selected_level(), Some("low"));
        m.on_key(key(KeyCode::Down));
        m.on_key(key(KeyCode::Down));
        m.on_key(key(KeyCode::Down));
        assert_eq!(
            m.on_key(key(KeyCode::Enter)),
            EffortAction::Set("high".into())
        );
        assert_eq!(
            m.on_key(key(KeyCode::Char('L'))),
            EffortAction::Set("low".into())
        );
        assert_eq!(m.on_key(key(KeyCode::Char('z'))), EffortAction::None);
        assert_eq!(m.on_key(key(KeyCode::Esc)), EffortAction::Close);
        // Several levels share `m`: the letter moves among them, Enter sets.
        let mut m = EffortMenu::new(None, Some("none"));
        assert_eq!(m.on_key(key(KeyCode::Char('m'))), EffortAction::None);
        assert_eq!(m.selected_level(), Some("minimal"));
        m.on_key(key(KeyCode::Char('m')));
        m.on_key(key(KeyCode::Char('m')));
        assert_eq!(m.selected_level(), Some("max"));
        m.on_key(key(KeyCode::Char('m')));
        assert_eq!(m.selected_level(), Some("minimal"));
        m.on_key(key(KeyCode::End));
        assert_eq!(
            m.on_key(key(KeyCode::Enter)),
            EffortAction::Set("max".into())
        );
        // Unavailable: only closing.
        let mut m = EffortMenu::new(c.find_model("gpt-4o"), None);
        assert_eq!(m.on_key(key(KeyCode::Char('l'))), EffortAction::None);
        assert_eq!(m.on_key(key(KeyCode::Enter)), EffortAction::Close);
    }

    #[test]
    fn step_walks_the_accepted_levels() {
        let c = Catalog::builtin();
        let o3 = c.find_model("o3-mini");
        assert_eq!(step(o3, Some("medium"), true).as_deref(), Some("high"));
        assert_eq!(step(o3, Some("medium"), false).as_deref(), Some("low"));
        assert_eq!(step(o3, Some("high"), true), None);
        assert_eq!(step(o3, Some("low"), false), None);
        // From the default when nothing is chosen.
        assert_eq!(step(o3, None, true).as_deref(), Some("high"));
        // A level the model does not list steps to its neighbours.
        let gpt5 = c.find_model("gpt-5");
        assert_eq!(step(gpt5, Some("none"), true).as_deref(), Some("minimal"));
        assert_eq!(step(gpt5, Some("xhigh"), false).as_deref(), Some("high"));
        assert_eq!(step(gpt5, Some("minimal"), false), None);
        // No effort at all.
        assert_eq!(step(c.find_model("gpt-4o"), Some("low"), true), None);
        assert_eq!(step(c.find_model("o1-mini"), None, false), None);
        // Claude: thinking off by default; up turns it on at the lowest level.
        let claude = c.find_model("claude-sonnet-4-5");
        assert_eq!(step(claude, None, true).as_deref(), Some("low"));
        assert_eq!(step(claude, None, false), None);
        // Unknown model: every level.
        assert_eq!(step(None, Some("high"), true).as_deref(), Some("xhigh"));
        assert_eq!(step(None, Some("max"), true), None);
        assert_eq!(step(None, None, true).as_deref(), Some("none"));
    }
}
