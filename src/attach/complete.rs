//! Tab completion of a path typed after `/attach`: the entries of the directory it names
//! that start with its last part.
//!
//! Invariants: candidates keep the prefix as typed (`~/` stays `~/`), directories end with
//! `/`, hidden entries show only when the last part starts with `.`; at most [`MAX_READ`]
//! entries are read and [`MAX_CANDIDATES`] returned, sorted; a directory that cannot be read
//! gives none.

use std::path::{Path, PathBuf};

/// Most directory entries looked at.
pub const MAX_READ: usize = 10_000;
/// Most candidates returned.
pub const MAX_CANDIDATES: usize = 200;

/// The completions of `typed`, `~` standing for `home`.
pub fn complete(typed: &str, home: Option<&str>) -> Vec<String> {
    let (dir_typed, stem) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    };
    let dir: PathBuf = match (dir_typed.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => Path::new(home).join(rest),
        _ if dir_typed.is_empty() => PathBuf::from("."),
        _ => PathBuf::from(dir_typed),
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .take(MAX_READ)
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let shown = name.starts_with(stem) && (stem.starts_with('.') || !name.starts_with('.'));
            if !shown {
                return None;
            }
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir())
                || (e.file_type().is_ok_and(|t| t.is_symlink()) && e.path().is_dir());
            let slash = if is_dir { "/" } else { "" };
            Some(format!("{dir_typed}{name}{slash}"))
        })
        .collect();
    out.sort();
    out.truncate(MAX_CANDIDATES);
    out
}

/// The longest start all of `candidates` share (`None` when there are none).
pub fn common_prefix(candidates: &[String]) -> Option<String> {
    let first = candidates.first()?;
    let mut end = first.len();
    for c in &candidates[1..] {
        end = end.min(
            first
                .char_indices()
                .zip(c.chars())
                .take_while(|((_, a), b)| a == b)
                .last()
                .map_or(0, |((i, a), _)| i + a.len_utf8()),
        );
    }
    Some(first[..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_that_start_with_the_last_part() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().display().to_string();
        std::fs::write(dir.path().join("plot.png"), b"x").unwrap();
        std::fs::write(dir.path().join("plan.md"), b"x").unwrap();
        std::fs::write(dir.path().join(".hidden"), b"x").unwrap();
        std::fs::create_dir(dir.path().join("plots")).unwrap();
        let got = complete(&format!("{root}/pl"), None);
        assert_eq!(
            got,
            [
                format!("{root}/plan.md"),
                format!("{root}/plot.png"),
                format!("{root}/plots/")
            ]
        );
        assert_eq!(common_prefix(&got), Some(format!("{root}/pl")));
        assert_eq!(
            complete(&format!("{root}/plot."), None),
            [format!("{root}/plot.png")]
        );
        assert_eq!(
            complete(&format!("{root}/."), None),
            [format!("{root}/.hidden")]
        );
        assert_eq!(complete(&format!("{root}/"), None).len(), 3);
        // `~/` stays as typed.
        assert_eq!(complete("~/plo", Some(&root)), ["~/plot.png", "~/plots/"]);
        assert!(complete("/no/such/dir/x", None).is_empty());
        assert_eq!(
            common_prefix(&["日本".into(), "日曜".into()]),
            Some("日".into())
        );
        assert_eq!(common_prefix(&[]), None);
    }
}
