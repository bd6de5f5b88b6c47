//! The live token/cost meter component: `cache` holds the view-side counts (history and
//! draft token counts, settled totals) refreshed before each frame, `family` the tokenizer
//! factors, `view` draws the pane and `rows` fits its rows to the pane's height. It has no
//! keys: F4 and `/meter` only show or hide it.

mod cache;
pub mod family;
mod rows;
pub mod view;

pub use cache::{DraftEstimate, Meter, Panel, Phase, TurnFigures};
pub use family::{Family, adjusted_prompt_estimate, estimate_error};

/// Columns of the meter pane.
pub const WIDTH: u16 = 34;

/// The narrowest terminal with room for the pane beside the conversation (at least 20
/// columns of it).
pub const MIN_TERMINAL_WIDTH: u16 = WIDTH + 21;
