//! Reasoning effort levels: the names every API shares, their order, and checks of a chosen
//! level against what a model accepts.
//!
//! Invariants: levels are compared by their rank in [`EFFORT_LEVELS`] (lowest first); a list
//! of levels that passes [`normalize_efforts`] holds known names only, once each, in that
//! order; an effort asked for is fitted to a model in one place, [`fit_effort`] (as asked for
//! an unknown model, else the nearest level the model takes, else none).

use super::ModelInfo;

/// Every reasoning effort level any API accepts, lowest first.
pub const EFFORT_LEVELS: [&str; 7] = ["none", "minimal", "low", "medium", "high", "xhigh", "max"];

/// Rank of an effort level in [`EFFORT_LEVELS`].
pub fn effort_rank(level: &str) -> Option<usize> {
    EFFORT_LEVELS.iter().position(|l| *l == level)
}

/// Check level names, drop nothing silently (repeats are an error), sort lowest first.
pub(super) fn normalize_efforts(levels: Vec<String>) -> Result<Vec<String>, String> {
    let mut ranked = Vec::with_capacity(levels.len());
    for level in levels {
        let Some(rank) = effort_rank(&level) else {
            return Err(format!(
                "unknown effort level {level:?} in `efforts`; known levels: {}",
                EFFORT_LEVELS.join(", ")
            ));
        };
        if ranked.iter().any(|(r, _)| *r == rank) {
            return Err(format!("effort level {level:?} appears twice in `efforts`"));
        }
        ranked.push((rank, level));
    }
    ranked.sort_by_key(|(rank, _)| *rank);
    Ok(ranked.into_iter().map(|(_, level)| level).collect())
}

/// Check `effort` against what `model` accepts. Unknown models accept any known level name.
/// The error says which levels would do.
pub fn validate_effort(model: Option<&ModelInfo>, effort: &str) -> Result<(), String> {
    match model {
        Some(m) if m.efforts.iter().any(|e| e == effort) => Ok(()),
        Some(m) if m.efforts.is_empty() => Err(format!(
            "{} takes no reasoning effort (asked for `{effort}`); leave the effort unset",
            m.id
        )),
        Some(m) => Err(format!(
            "`{effort}` is not a reasoning effort {} accepts; it accepts: {}",
            m.id,
            m.efforts.join(", ")
        )),
        None if effort_rank(effort).is_some() => Ok(()),
        None => Err(format!(
            "unknown reasoning effort `{effort}`; known levels: {}",
            EFFORT_LEVELS.join(", ")
        )),
    }
}

/// The effort that goes on the wire for `requested` with a model described by `model` (the
/// catalog entry, `None` for an unknown model) whose request quirks say whether it takes an
/// effort field at all. The one place this is decided: the request, the recorded turn, the
/// database and the usage line all show this value, so none shows an effort never sent.
pub fn effort_to_send(
    model: Option<&ModelInfo>,
    accepts_effort: bool,
    requested: Option<&str>,
) -> Option<String> {
    let requested = requested?;
    (accepts_effort && validate_effort(model, requested).is_ok()).then(|| requested.to_string())
}

/// What an effort asked for becomes with a model: the one place an effort is fitted to what a
/// model takes (a model switch in the TUI, `--effort` at start for the TUI and `ask`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fitted {
    /// The model takes it (or the catalog does not know the model: sent as asked).
    AsAsked(String),
    /// The model takes other levels: the nearest of them (ties to the lower).
    Nearest {
        model: String,
        asked: String,
        sent: String,
        accepts: Vec<String>,
    },
    /// The model takes no effort at all: none is sent.
    Dropped { model: String, asked: String },
}

impl Fitted {
    /// The level that goes out.
    pub fn level(&self) -> Option<&str> {
        match self {
            Fitted::AsAsked(level) | Fitted::Nearest { sent: level, .. } => Some(level),
            Fitted::Dropped { .. } => None,
        }
    }

    /// One line saying what changed, `None` when nothing did: `o3-mini takes
    /// low|medium|high; sending high instead of xhigh`.
    pub fn note(&self) -> Option<String> {
        match self {
            Fitted::AsAsked(_) => None,
            Fitted::Nearest {
                model,
                asked,
                sent,
                accepts,
            } => Some(format!(
                "{model} takes {}; sending {sent} instead of {asked}",
                accepts.join("|")
            )),
            Fitted::Dropped { model, .. } => Some(format!(
                "{model} takes no reasoning effort; sending without one"
            )),
        }
    }
}

/// Fit `wanted` to `model` (its catalog entry, `None` when unknown): as asked when the model
/// takes it or is unknown, else the nearest level it takes, else none. An error only when
/// `wanted` is no level name at all.
pub fn fit_effort(model: Option<&ModelInfo>, wanted: &str) -> Result<Fitted, String> {
    let Some(info) = model else {
        validate_effort(None, wanted)?;
        return Ok(Fitted::AsAsked(wanted.to_string()));
    };
    if info.efforts.iter().any(|e| e == wanted) {
        return Ok(Fitted::AsAsked(wanted.to_string()));
    }
    validate_effort(None, wanted)?;
    Ok(match nearest_effort(info, wanted) {
        Some(sent) => Fitted::Nearest {
            model: info.id.clone(),
            asked: wanted.to_string(),
            sent,
            accepts: info.efforts.clone(),
        },
        None => Fitted::Dropped {
            model: info.id.clone(),
            asked: wanted.to_string(),
        },
    })
}

/// The level of `model` closest to `wanted` (ties go to the lower level): what to send when
/// the person switches to a model whose levels differ. `None` when the model takes no effort
/// or `wanted` is not a level name.
pub fn nearest_effort(model: &ModelInfo, wanted: &str) -> Option<String> {
    let target = effort_rank(wanted)?;
    model
        .efforts
        .iter()
        .filter_map(|e| effort_rank(e).map(|r| (r.abs_diff(target), r, e)))
        .min_by_key(|(distance, rank, _)| (*distance, *rank))
        .map(|(_, _, e)| e.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn effort_validation_and_clamping() {
        let c = Catalog::builtin();
        let o3 = c.find_model("o3-mini");
        assert!(validate_effort(o3, "high").is_ok());
        let err = validate_effort(o3, "minimal").unwrap_err();
        assert!(
            err.contains("o3-mini") && err.contains("low, medium, high"),
            "{err}"
        );
        assert!(
            validate_effort(c.find_model("o1-mini"), "low")
                .unwrap_err()
                .contains("no reasoning effort")
        );
        assert!(validate_effort(None, "xhigh").is_ok());
        assert!(
            validate_effort(None, "turbo")
                .unwrap_err()
                .contains("none, minimal, low")
        );
        let gpt5 = c.find_model("gpt-5").unwrap();
        assert_eq!(nearest_effort(gpt5, "none").as_deref(), Some("minimal"));
        assert_eq!(nearest_effort(gpt5, "xhigh").as_deref(), Some("high"));
        assert_eq!(nearest_effort(c.find_model("gpt-4o").unwrap(), "low"), None);
    }

    #[test]
    fn fitting_an_effort_to_a_model() {
        let c = Catalog::builtin();
        let fit = |m: &str, e: &str| fit_effort(c.find_model(m), e);
        assert_eq!(fit("o3-mini", "high"), Ok(Fitted::AsAsked("high".into())));
        let nearest = fit("o3-mini", "xhigh").unwrap();
        assert_eq!(nearest.level(), Some("high"));
        assert_eq!(
            nearest.note().as_deref(),
            Some("o3-mini takes low|medium|high; sending high instead of xhigh")
        );
        let dropped = fit("o1-mini", "high").unwrap();
        assert_eq!(dropped.level(), None);
        assert_eq!(
            dropped.note().as_deref(),
            Some("o1-mini takes no reasoning effort; sending without one")
        );
        assert_eq!(fit("my-model", "max"), Ok(Fitted::AsAsked("max".into())));
        assert!(fit("o3-mini", "turbo").is_err());
        assert!(fit("my-model", "turbo").is_err());
    }
}
