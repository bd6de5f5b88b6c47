//! Text bound for a terminal: sanitizing, the one decision of whether a command's output
//! goes to a terminal ([`Filter`]), and the spinner every live display shares.
//!
//! Invariants: what [`sanitize`] returns holds no control character but newline and tab —
//! no C0, DEL or C1 — so no escape sequence a model or a server wrote (a title change, an
//! OSC 52 clipboard write, cursor moves) can reach the terminal; each one shows as `�`.
//! [`Filter::detect`] is the only place that decides whether the commands' output is
//! sanitized (whether stdout and stderr are terminals); what a [`Filter`] passes to a pipe
//! or a file is byte-exact.

use std::borrow::Cow;
use std::io::IsTerminal;

/// Set to `1`, stdout and stderr count as terminals whatever they are (how tests stand in
/// for a terminal). It can only turn sanitizing on, never off.
pub const ASSUME_TTY_VAR: &str = "THINKBENCH_ASSUME_TTY";

/// The stand-in shown for a control character.
pub const STAND_IN: char = '\u{FFFD}';

fn hostile(c: char) -> bool {
    c.is_control() && c != '\t' && c != '\n'
}

/// `text` with every control character other than tab and newline replaced by
/// [`STAND_IN`]; borrowed when there is none.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if text.chars().any(hostile) {
        text.chars()
            .map(|c| if hostile(c) { STAND_IN } else { c })
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

/// What a command does to text before writing it: which of stdout and stderr are terminals
/// (their text is sanitized), and whether `--raw` asked for the model's and the stored text
/// exactly as it is even there. Diagnostics (errors, retry notices, tool calls) are
/// sanitized on a terminal with `--raw` too.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// stdout is a terminal.
    pub stdout: bool,
    /// stderr is a terminal.
    pub stderr: bool,
    /// `--raw`: the model's and the stored text go out exactly, even to a terminal.
    pub raw: bool,
}

impl Filter {
    /// The filter for this process's stdout and stderr ([`ASSUME_TTY_VAR`] read from `env`).
    pub fn detect(raw: bool, env: &dyn Fn(&str) -> Option<String>) -> Filter {
        let assume = env(ASSUME_TTY_VAR).is_some_and(|v| v.trim() == "1");
        Filter {
            stdout: assume || std::io::stdout().is_terminal(),
            stderr: assume || std::io::stderr().is_terminal(),
            raw,
        }
    }

    /// The same filter with `--raw` set to `raw`.
    pub fn with_raw(self, raw: bool) -> Filter {
        Filter { raw, ..self }
    }

    /// Whether the model's and the stored text are sanitized on stdout.
    pub fn sanitizes_stdout(&self) -> bool {
        self.stdout && !self.raw
    }

    /// The model's or the stored text, for stdout.
    pub fn out<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.sanitizes_stdout() {
            sanitize(text)
        } else {
            text.into()
        }
    }

    /// The model's text (its reasoning), for stderr.
    pub fn err<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.stderr && !self.raw {
            sanitize(text)
        } else {
            text.into()
        }
    }

    /// A diagnostic for stderr: sanitized on a terminal, `--raw` or not.
    pub fn diag<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.stderr {
            sanitize(text)
        } else {
            text.into()
        }
    }

    /// A JSON document for stdout: on a terminal (without `--raw`), DEL and C1 characters,
    /// which JSON leaves unescaped, are written as `\u` escapes; the value is the same.
    pub fn json<'a>(&self, json: &'a str) -> Cow<'a, str> {
        if self.sanitizes_stdout() {
            escape_json_controls(json)
        } else {
            json.into()
        }
    }
}

/// `json` with every control character written as a `\u` escape. Valid JSON holds control
/// characters only inside strings, where the escape means the same character.
pub fn escape_json_controls(json: &str) -> Cow<'_, str> {
    if !json.chars().any(char::is_control) {
        return json.into();
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        // Newlines between values (pretty-printed JSON) stay as they are.
        if c.is_control() && c != '\n' {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out.into()
}

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner frame for an elapsed time (deterministic, so snapshots are stable).
pub fn spinner(elapsed_ms: u64) -> &'static str {
    SPINNER[(elapsed_ms / 100) as usize % SPINNER.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_never_pass() {
        let osc52 = "a\x1b]52;c;aGk=\x07b\u{9b}31mc\x7f\r\n\td";
        let clean = sanitize(osc52);
        assert_eq!(clean, "a�]52;c;aGk=�b�31mc��\n\td");
        assert!(matches!(sanitize("plain\ttext\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_filter_sanitizes_only_where_a_terminal_is() {
        let hostile = "a\x1b]0;title\x07b";
        let piped = Filter::default();
        assert_eq!(piped.out(hostile), hostile);
        assert_eq!(piped.diag(hostile), hostile);
        let tty = Filter {
            stdout: true,
            stderr: true,
            raw: false,
        };
        assert_eq!(tty.out(hostile), "a�]0;title�b");
        assert_eq!(tty.err(hostile), "a�]0;title�b");
        let raw = tty.with_raw(true);
        assert_eq!(raw.out(hostile), hostile);
        assert_eq!(raw.err(hostile), hostile);
        assert_eq!(raw.diag(hostile), "a�]0;title�b", "diagnostics stay clean");
    }

    #[test]
    fn json_for_a_terminal_escapes_del_and_c1_and_means_the_same() {
        let value = serde_json::json!({"answer": "x\u{9b}31m\u{7f}y\u{1b}z"});
        let text = format!("{value:#}\n");
        let tty = Filter {
            stdout: true,
            ..Filter::default()
        };
        let shown = tty.json(&text);
        assert!(
            !shown.chars().any(|c| c.is_control() && c != '\n'),
            "{shown:?}"
        );
        let back: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(back, value);
        assert_eq!(Filter::default().json(&text), text);
    }

    #[test]
    fn only_one_forces_a_terminal() {
        let env = |v: &'static str| move |k: &str| (k == ASSUME_TTY_VAR).then(|| v.to_string());
        assert!(Filter::detect(false, &env("1")).stdout);
        assert!(Filter::detect(false, &env("1")).stderr);
        // Tests run with stdout captured: not a terminal unless forced.
        let off = Filter::detect(false, &env("0"));
        assert_eq!(off.stdout, std::io::stdout().is_terminal());
    }
}
