//! The one overlay that may be open over the workbench. Being an enum, two overlays can never
//! be open at once: opening one replaces the other. To add an overlay: write its component
//! folder (state, keys, `impl Component`), then add its variant here and one arm to each
//! match below.

use crate::tui::browser::Browser;
use crate::tui::component::Component;
use crate::tui::confirm::Confirm;
use crate::tui::effort::EffortMenu;
use crate::tui::help::Help;
use crate::tui::inspector::Inspector;
use crate::tui::picker::Picker;

#[derive(Debug)]
pub enum Overlay {
    Help(Help),
    Browser(Browser),
    Picker(Picker),
    Effort(EffortMenu),
    Inspector(Inspector),
    Confirm(Confirm),
}

impl Overlay {
    pub fn component(&self) -> &dyn Component {
        match self {
            Overlay::Help(c) => c,
            Overlay::Browser(c) => c,
            Overlay::Picker(c) => c,
            Overlay::Effort(c) => c,
            Overlay::Inspector(c) => c,
            Overlay::Confirm(c) => c,
        }
    }

    pub fn component_mut(&mut self) -> &mut dyn Component {
        match self {
            Overlay::Help(c) => c,
            Overlay::Browser(c) => c,
            Overlay::Picker(c) => c,
            Overlay::Effort(c) => c,
            Overlay::Inspector(c) => c,
            Overlay::Confirm(c) => c,
        }
    }
}
