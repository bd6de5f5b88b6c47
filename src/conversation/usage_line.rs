//! The one line that sums up a turn's usage, under its answer and at the end of `ask`.

use super::Turn;
use crate::usage;

impl Turn {
    /// The one-line summary shown under a finished answer and printed by `ask`:
    /// `model · effort · in 1,234 (cached 1,000) · reasoning 4,096 · out 310 · $0.0213 ·
    /// 1st token 8.1 s · 41 tok/s`. Estimated numbers carry a `~`; a cost at a vendor's list
    /// price (not the provider's own, see `Price::list`) says `(list price)`; an input the
    /// server counted without its chat template reads `in 28+ (server count, no chat template)`;
    /// a turn of the offline demo shows what it would cost followed by `(demo, not billed)`.
    pub fn usage_line(&self) -> String {
        if self.refused() {
            return format!("{} · nothing generated, nothing billed", self.spec.model);
        }
        let u = self.usage();
        let est = if u.estimated { "~" } else { "" };
        let mut parts = vec![self.spec.model.clone()];
        if let Some(effort) = &self.spec.effort {
            parts.push(effort.clone());
        }
        let mut input = format!("in {}", u.input_mark());
        if u.input_without_template() {
            input.push_str(" (server count, no chat template)");
        }
        if u.cached_input > 0 {
            input.push_str(&format!(" (cached {})", usage::thousands(u.cached_input)));
        }
        if u.cache_write > 0 {
            input.push_str(&format!(
                " (cache write {})",
                usage::thousands(u.cache_write)
            ));
        }
        parts.push(input);
        if u.reasoning > 0 || self.spec.reasoning_model {
            let est = if u.reasoning_estimated { "~" } else { est };
            parts.push(format!("reasoning {est}{}", usage::thousands(u.reasoning)));
        }
        parts.push(format!("out {est}{}", usage::thousands(u.visible_output())));
        let cost = self.cost();
        let list = u.reported_cost.is_none() && self.spec.price.is_some_and(|p| p.list);
        let mut cost = match cost {
            Some(_) if list => format!("{est}{} (list price)", usage::dollars(cost)),
            Some(_) => format!("{est}{}", usage::dollars(cost)),
            None => "$? (price unknown)".to_string(),
        };
        if self.is_demo() {
            cost.push_str(&format!(" ({})", crate::demo::NOT_BILLED));
        }
        parts.push(cost);
        if let Some(ms) = self.first_token_ms() {
            parts.push(format!("1st token {}", usage::seconds(ms)));
        }
        if let Some(tps) = self.tokens_per_second() {
            parts.push(format!(
                "{est}{} tok/s",
                usage::thousands(tps.round() as u64)
            ));
        }
        parts.join(" · ")
    }
}
