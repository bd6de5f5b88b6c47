//! The live token/cost meter component: `cache` holds the view-side counts (history and
//! draft token counts, settled totals) refreshed before each frame, `family` the tokenizer
//! factors, `view` draws the pane. It has no keys: F4 and `/meter` only show or hide it.

mod cache;
pub mod family;
pub mod view;

pub use cache::{DraftEstimate, Meter, Panel, Phase, TurnFigures};
pub use family::{Family, adjusted_prompt_estimate, estimate_error};
