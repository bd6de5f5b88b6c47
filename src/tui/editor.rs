//! The composer's text in the person's own editor: which editor (`$VISUAL`, else `$EDITOR`,
//! else `vi`), its command line split as a shell splits simple quoting (`code --wait`,
//! `"my editor" -f`), and one round trip through a temporary file.
//!
//! Invariants: the text is written (as a text file: with a final line break) to a file
//! created 0600 in a fresh directory of its own (0700), both removed when the round trip
//! ends, whatever its outcome; the file's path is
//! the editor's last argument; the edited text comes back only when the editor exits with
//! status 0 (less the one final line break editors add), and otherwise the error says why
//! (it could not be started, it exited with status N, a signal killed it). The terminal is
//! handed over by the runtime (`tui/mod.rs`, `terminal::suspend`) around [`edit`], which
//! blocks until the editor exits.

use crate::store::private;
use std::io::Write;
use std::process::{Command, ExitStatus};

/// The editor when neither `$VISUAL` nor `$EDITOR` names one.
pub const FALLBACK: &str = "vi";

/// The editor command: `$VISUAL`, else `$EDITOR`, else [`FALLBACK`]; blank values are skipped.
pub fn command(env: &dyn Fn(&str) -> Option<String>) -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|name| env(name))
        .find(|value| !value.trim().is_empty())
        .unwrap_or_else(|| FALLBACK.to_string())
}

/// Split a command line into words as a shell does for simple quoting: blanks separate
/// words; `'...'` keeps everything literally; `"..."` keeps everything but `\"`, `\\`, `\$`
/// and `` \` ``, which lose their backslash; outside quotes a backslash keeps the next
/// character. No variables, globs or operators. An unclosed quote is an error.
pub fn split(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    // Whether a word has begun (`''` is an empty word).
    let mut started = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            '\'' => {
                started = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(format!("unclosed ' in {line:?}")),
                    }
                }
            }
            '"' => {
                started = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(format!("unclosed \" in {line:?}")),
                        },
                        Some(c) => word.push(c),
                        None => return Err(format!("unclosed \" in {line:?}")),
                    }
                }
            }
            '\\' => {
                started = true;
                if let Some(c) = chars.next() {
                    word.push(c);
                }
            }
            c => {
                started = true;
                word.push(c);
            }
        }
    }
    if started {
        words.push(word);
    }
    Ok(words)
}

/// Open `text` in the editor `command` (see [`command`]) and wait for it; the edited text,
/// or why there is none.
pub fn edit(text: &str, command: &str) -> Result<String, String> {
    let words = split(command).map_err(|e| format!("the editor command: {e}"))?;
    let Some((program, args)) = words.split_first() else {
        return Err("the editor command is empty".into());
    };
    // Removed (with the file) when it goes out of scope.
    let mut builder = tempfile::Builder::new();
    builder.prefix("thinkbench-edit-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    let dir = builder
        .tempdir()
        .map_err(|e| format!("could not make a temporary directory: {e}"))?;
    let path = dir.path().join("message.md");
    // A text file ends with a line break; the one that comes back is taken off again.
    let mut contents = text.to_string();
    if !contents.is_empty() && !contents.ends_with('\n') {
        contents.push('\n');
    }
    private::create_new_file(&path)
        .and_then(|mut file| file.write_all(contents.as_bytes()))
        .map_err(|e| format!("could not write {}: {e}", path.display()))?;
    let status = Command::new(program)
        .args(args)
        .arg(&path)
        .status()
        .map_err(|e| format!("could not start the editor {program}: {e}"))?;
    if !status.success() {
        return Err(failure(program, status));
    }
    let edited =
        std::fs::read(&path).map_err(|e| format!("could not read {} back: {e}", path.display()))?;
    let edited = String::from_utf8_lossy(&edited);
    let edited = edited
        .strip_suffix("\r\n")
        .or_else(|| edited.strip_suffix('\n'))
        .unwrap_or(&edited);
    Ok(edited.to_string())
}

/// Why an editor that ended with `status` did not succeed.
fn failure(program: &str, status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("the editor {program} exited with status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("the editor {program} was killed by signal {signal}");
        }
    }
    format!("the editor {program} failed ({status})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_like_a_shell_with_simple_quoting() {
        let ok = |line: &str| split(line).unwrap();
        assert_eq!(ok("vi"), ["vi"]);
        assert_eq!(ok("  code   --wait "), ["code", "--wait"]);
        assert_eq!(ok("'my editor' -f"), ["my editor", "-f"]);
        assert_eq!(ok(r#""a \"b\" \\ \n" c"#), [r#"a "b" \ \n"#, "c"]);
        assert_eq!(ok(r"a\ b c"), ["a b", "c"]);
        assert_eq!(ok("x'' ''"), ["x", ""]);
        assert_eq!(ok("em'acs'\"client\" -t"), ["emacsclient", "-t"]);
        assert!(ok("").is_empty());
        assert!(split("vi 'open").is_err());
        assert!(split("vi \"open").is_err());
    }

    #[test]
    fn the_editor_is_visual_then_editor_then_vi() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let both = env(&[("VISUAL", "nvim"), ("EDITOR", "nano")]);
        assert_eq!(command(&both), "nvim");
        assert_eq!(command(&env(&[("EDITOR", "code --wait")])), "code --wait");
        assert_eq!(command(&env(&[("VISUAL", " "), ("EDITOR", "ed")])), "ed");
        assert_eq!(command(&env(&[])), "vi");
    }
}
