//! Token usage arithmetic, cost, token estimation (`tokens`: the tokenizer, loaded only when
//! an estimate is needed) and the number formats the UI prints.
//!
//! Invariants:
//! - `Usage::output` counts everything billed as output, hidden reasoning included;
//!   `reasoning <= output` is not trusted from the wire, so `visible_output` saturates.
//! - A cost is only ever computed from a known price; an unknown price gives `None`,
//!   which every caller shows as `?` (or `null` in JSON), never as `$0`.
//! - A total with unknown parts is shown by [`dollars_total`] and put in JSON by
//!   [`total_json`] only: its known part as a lower bound (`≥ $0.42`,
//!   `"cost_is_lower_bound": true`), or unknown (`$?`, `null`) when nothing known costs
//!   anything.
//! - Usage comes from one of three sources ([`Usage::source`]): the server reported it, the
//!   server's own tokenizer counted it after the turn (`counted`, never `estimated`), or we
//!   estimated it (`estimated`, shown with `~`). A count whose prompt could not include the
//!   server's chat template ([`ServerCount::TextOnly`]) is a lower bound of the input and
//!   shows as `28+` ([`Usage::input_mark`]).

use serde::{Deserialize, Serialize};

mod tokens;
pub use tokens::{TokenTally, estimate_tokens, load_tokenizer, tokenizer_loaded};

/// Tokens of one turn, as the server reported them (or as estimated, see `estimated`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    /// Prompt tokens, cached ones included.
    pub input: u64,
    /// The part of `input` served from the prompt cache.
    pub cached_input: u64,
    /// Tokens written to a prompt cache (Anthropic); 0 elsewhere.
    pub cache_write: u64,
    /// Everything billed as output, reasoning included.
    pub output: u64,
    /// The hidden reasoning part of `output`.
    pub reasoning: u64,
    /// True when the numbers are our estimate because the server sent none.
    pub estimated: bool,
    /// True when only `reasoning` is our estimate (Anthropic counts thinking inside
    /// `output` and reports no separate number).
    #[serde(default)]
    pub reasoning_estimated: bool,
    /// The cost in USD the server itself reported (OpenRouter's `usage.cost`); preferred over
    /// our own computation from catalog prices.
    #[serde(default)]
    pub reported_cost: Option<f64>,
    /// Set when the server reported no usage and its own tokenizer counted the turn after
    /// it ended: how the prompt was counted.
    #[serde(default)]
    pub counted: Option<ServerCount>,
}

/// How a server's tokenizer counted a turn's prompt (its output is counted exactly either way).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerCount {
    /// The prompt as the model saw it: the server applied its chat template.
    Templated,
    /// Only the text of the messages: the server's chat template (role markers, a default
    /// system prompt) is not included, so the input is a lower bound.
    TextOnly,
}

impl ServerCount {
    /// The name stored and exported: `templated`, `text_only`.
    pub fn name(self) -> &'static str {
        match self {
            ServerCount::Templated => "templated",
            ServerCount::TextOnly => "text_only",
        }
    }

    /// [`ServerCount::name`] read back; `None` for anything else.
    pub fn parse(name: &str) -> Option<ServerCount> {
        match name {
            "templated" => Some(ServerCount::Templated),
            "text_only" => Some(ServerCount::TextOnly),
            _ => None,
        }
    }
}

impl Usage {
    /// Where the numbers come from: `reported` by the server, `counted` by its tokenizer
    /// after the turn, or `estimated` by us.
    pub fn source(&self) -> &'static str {
        match (self.estimated, self.counted) {
            (true, _) => "estimated",
            (false, Some(_)) => "counted",
            (false, None) => "reported",
        }
    }

    /// True when the input is the server's count of the messages' text only, without its
    /// chat template: a lower bound.
    pub fn input_without_template(&self) -> bool {
        !self.estimated && self.counted == Some(ServerCount::TextOnly)
    }

    /// The input tokens as shown: `~28` estimated, `28+` counted without the chat template,
    /// `28` otherwise.
    pub fn input_mark(&self) -> String {
        let n = thousands(self.input);
        if self.estimated {
            format!("~{n}")
        } else if self.input_without_template() {
            format!("{n}+")
        } else {
            n
        }
    }

    /// Output tokens the person can see: `output - reasoning`.
    pub fn visible_output(&self) -> u64 {
        self.output.saturating_sub(self.reasoning)
    }
}

/// Prices in USD per one million tokens.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Price {
    pub input: f64,
    /// Price of cached input; when a model has none, cached input bills as `input`.
    pub cached_input: Option<f64>,
    pub output: f64,
    /// Price of tokens written to a prompt cache (Anthropic); when none, they bill as `input`.
    #[serde(default)]
    pub cache_write: Option<f64>,
    /// Long-context rates: a request whose prompt passes the tier's size is billed entirely
    /// at the tier's rates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<PriceTier>,
    /// The vendor's list price, borrowed for a provider that did not say whose prices it
    /// charges (`prices = "..."` in its config): shown marked as a list price.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub list: bool,
}

/// Rates that replace a [`Price`]'s own for a request whose prompt is larger than
/// `above_input` tokens (cached ones included), e.g. long-context pricing past 200K.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceTier {
    pub above_input: u64,
    pub input: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_input: Option<f64>,
    pub output: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_write: Option<f64>,
}

impl Price {
    /// Nothing per token: a local server.
    pub const FREE: Price = Price::flat(0.0, Some(0.0), 0.0, Some(0.0));

    /// A price without long-context tier, not a list price.
    pub const fn flat(
        input: f64,
        cached_input: Option<f64>,
        output: f64,
        cache_write: Option<f64>,
    ) -> Price {
        Price {
            input,
            cached_input,
            output,
            cache_write,
            tier: None,
            list: false,
        }
    }

    /// The rates `usage` is billed at: the tier's once the prompt passes its size, else the
    /// price's own. `(input, cached input, cache write, output)`.
    pub fn rates(&self, usage: &Usage) -> (f64, f64, f64, f64) {
        match &self.tier {
            Some(t) if usage.input > t.above_input => (
                t.input,
                t.cached_input.unwrap_or(t.input),
                t.cache_write.unwrap_or(t.input),
                t.output,
            ),
            _ => (
                self.input,
                self.cached_input.unwrap_or(self.input),
                self.cache_write.unwrap_or(self.input),
                self.output,
            ),
        }
    }

    /// Cost in USD of `usage` at this price, per million tokens:
    /// `(input - cached - written) * in + cached * cached_in + written * cache_write +
    /// output * out`, at the rates of [`Price::rates`] (a long-context tier applies to the
    /// whole request). `input` counts cached and cache-written tokens (as every parser fills
    /// it); the parts are clamped so that no token is billed twice, whatever the wire said.
    pub fn cost(&self, usage: &Usage) -> f64 {
        let cached = usage.cached_input.min(usage.input);
        let written = usage.cache_write.min(usage.input - cached);
        let uncached = usage.input - cached - written;
        let (input_price, cached_price, write_price, output_price) = self.rates(usage);
        (uncached as f64 * input_price
            + cached as f64 * cached_price
            + written as f64 * write_price
            + usage.output as f64 * output_price)
            / 1_000_000.0
    }
}

/// Cost of `usage` at `price`, `None` when the price is unknown.
pub fn cost(price: Option<&Price>, usage: &Usage) -> Option<f64> {
    price.map(|p| p.cost(usage))
}

/// Per-message overhead of the chat format (role markers), as OpenAI documents it.
pub const MESSAGE_OVERHEAD_TOKENS: u64 = 4;

/// `1234567` -> `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Dollars with enough precision to see a cheap turn: `$0.0213`, `$1.42`, `$0.000041`.
/// `None` prints as `$?`.
pub fn dollars(cost: Option<f64>) -> String {
    match cost {
        None => "$?".to_string(),
        Some(0.0) => "$0".to_string(),
        Some(c) if c >= 1.0 => format!("${c:.2}"),
        Some(c) if c >= 0.01 => format!("${c:.4}"),
        Some(c) => {
            // Keep three significant digits for tiny amounts.
            let digits = (-c.log10()).floor() as usize + 3;
            let text = format!("{c:.digits$}");
            format!("${}", text.trim_end_matches('0'))
        }
    }
}

/// A total whose parts may be unknown, `known` the sum of the known parts: `$0.0123` when
/// every part is known, `≥ $0.0123` when some is not (a lower bound), `$?` when no known part
/// costs anything; `~` in front of the dollars when some number was `estimated`. The one
/// format of a total wherever one is shown (status line, meter, inspector, sessions, exports,
/// the comparison summary).
pub fn dollars_total(known: f64, unknown: bool, estimated: bool) -> String {
    let est = if estimated { "~" } else { "" };
    match (unknown, known > 0.0) {
        (false, _) => format!("{est}{}", dollars(Some(known))),
        (true, true) => format!("≥ {est}{}", dollars(Some(known))),
        (true, false) => "$?".to_string(),
    }
}

/// Whether a total whose known parts sum to `known` is a lower bound: some part is unknown
/// and the known ones cost something (see [`dollars_total`]).
pub fn is_lower_bound(known: f64, unknown: bool) -> bool {
    unknown && known > 0.0
}

/// A total in JSON: its `cost_usd` (`null` when no known part costs anything while some part
/// is unknown, else the known sum) and whether that is a lower bound
/// (`cost_is_lower_bound`); the same cut as [`dollars_total`], so JSON and text agree.
pub fn total_json(known: f64, unknown: bool) -> (Option<f64>, bool) {
    let cost = (!unknown || known > 0.0).then_some(known);
    (cost, is_lower_bound(known, unknown))
}

/// Seconds with one decimal: `8.1 s`.
pub fn seconds(ms: u64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_follows_the_formula() {
        let price = Price::flat(1.10, Some(0.55), 4.40, None);
        let usage = Usage {
            input: 13,
            output: 238,
            reasoning: 192,
            ..Default::default()
        };
        let c = price.cost(&usage);
        assert!((c - 0.0010615).abs() < 1e-12, "{c}");
        let usage = Usage {
            input: 2_000_000,
            cached_input: 1_000_000,
            output: 1_000_000,
            ..Default::default()
        };
        assert!((price.cost(&usage) - (1.10 + 0.55 + 4.40)).abs() < 1e-9);
    }

    #[test]
    fn missing_cached_price_bills_cached_as_input() {
        let price = Price::flat(150.0, None, 600.0, None);
        let usage = Usage {
            input: 1_000_000,
            cached_input: 500_000,
            ..Default::default()
        };
        assert!((price.cost(&usage) - 150.0).abs() < 1e-9);
    }

    #[test]
    fn cache_writes_bill_at_their_own_price() {
        // Claude Sonnet 4's list prices: writes cost more than plain input, reads less.
        let price = Price::flat(3.0, Some(0.30), 15.0, Some(3.75));
        let usage = Usage {
            input: 3_000_000,
            cached_input: 1_000_000,
            cache_write: 1_000_000,
            output: 100_000,
            ..Default::default()
        };
        assert!((price.cost(&usage) - (3.0 + 0.30 + 3.75 + 1.5)).abs() < 1e-9);
        // Without a write price, writes bill as input.
        let plain = Price {
            cache_write: None,
            ..price
        };
        assert!((plain.cost(&usage) - (3.0 + 0.30 + 3.0 + 1.5)).abs() < 1e-9);
        // A wire that claims more cached and written tokens than input bills no token twice.
        let absurd = Usage {
            input: 1_000_000,
            cached_input: 600_000,
            cache_write: 900_000,
            ..Default::default()
        };
        assert!((price.cost(&absurd) - (0.6 * 0.30 + 0.4 * 3.75)).abs() < 1e-9);
    }

    #[test]
    fn formats() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(dollars(None), "$?");
        assert_eq!(dollars(Some(0.0)), "$0");
        assert_eq!(dollars(Some(0.0213)), "$0.0213");
        assert_eq!(dollars(Some(1.4249)), "$1.42");
        assert_eq!(dollars(Some(0.0010615)), "$0.00106");
        assert_eq!(dollars(Some(0.00009)), "$0.00009");
        assert_eq!(seconds(8_149), "8.1 s");
        assert_eq!(dollars_total(0.0123, false, false), "$0.0123");
        assert_eq!(dollars_total(0.0123, false, true), "~$0.0123");
        assert_eq!(dollars_total(0.42, true, false), "≥ $0.4200");
        assert_eq!(dollars_total(0.42, true, true), "≥ ~$0.4200");
        assert_eq!(dollars_total(0.0, true, true), "$?");
        assert_eq!(dollars_total(0.0, false, false), "$0");
        assert_eq!(total_json(0.42, true), (Some(0.42), true));
        assert_eq!(total_json(0.42, false), (Some(0.42), false));
        assert_eq!(total_json(0.0, true), (None, false));
        assert_eq!(total_json(0.0, false), (Some(0.0), false));
        assert_eq!(
            Usage {
                output: 5,
                reasoning: 9,
                ..Default::default()
            }
            .visible_output(),
            0
        );
    }
}
