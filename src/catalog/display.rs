//! How the catalog's figures are written for people, one way everywhere (the picker and
//! `thinkbench models`): token counts short (`200k`, `65.5k`, `1.05M`) and prices per 1M
//! tokens (`$1.10`, `$0.075`, `$150`).

/// `200k`, `65.5k`, `1.05M`, `?` when unknown.
pub fn tokens(n: Option<u64>) -> String {
    let Some(n) = n else {
        return "?".to_string();
    };
    let trim = |s: String| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    if n >= 1_000_000 {
        format!("{}M", trim(format!("{:.2}", n as f64 / 1e6)))
    } else if n >= 100_000 {
        format!("{}k", (n as f64 / 1e3).round())
    } else if n >= 1_000 {
        format!("{}k", trim(format!("{:.1}", n as f64 / 1e3)))
    } else {
        n.to_string()
    }
}

/// A price per 1M tokens: `$1.10`, `$0.075`, `$150` (at least two decimals, at most three).
pub fn per_million(dollars: f64) -> String {
    if dollars >= 100.0 && dollars.fract() == 0.0 {
        return format!("${dollars:.0}");
    }
    let text = format!("{dollars:.3}");
    let text = text.strip_suffix('0').unwrap_or(&text);
    format!("${text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_short() {
        assert_eq!(tokens(Some(200_000)), "200k");
        assert_eq!(tokens(Some(128_000)), "128k");
        assert_eq!(tokens(Some(65_536)), "65.5k");
        assert_eq!(tokens(Some(8_000)), "8k");
        assert_eq!(tokens(Some(1_047_576)), "1.05M");
        assert_eq!(tokens(Some(1_000_000)), "1M");
        assert_eq!(tokens(Some(512)), "512");
        assert_eq!(tokens(None), "?");
        assert_eq!(per_million(1.1), "$1.10");
        assert_eq!(per_million(0.075), "$0.075");
        assert_eq!(per_million(150.0), "$150");
        assert_eq!(per_million(0.0), "$0.00");
    }
}
