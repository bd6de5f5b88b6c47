//! Syntax highlighting of code blocks: syntect with two-face's extended grammars and themes,
//! mapped to ratatui spans.
//!
//! The syntax and theme sets cost tens of milliseconds to load, so each is loaded lazily, once
//! per process. Finished blocks are highlighted once: results are kept in a bounded cache keyed
//! by a hash of (code, language, syntax theme, colour mode). A block that is still streaming is
//! highlighted with an [`IncrementalHighlighter`], which resumes from the parser state after the
//! last complete line instead of starting over.
//!
//! Invariants: output has one `Line` per source line (a final line without `\n` counts); spans
//! never contain `\n`, `\r` or tabs (tabs become 4 spaces, other control characters `�`); only
//! foreground colours and bold/italic/underline are taken from the syntax theme, never its
//! background; with `theme.no_color` the lines are plain text in the `code_frame` style.
//! Highlighting a text incrementally gives exactly the lines highlighting it at once gives.

use std::collections::{HashMap, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use syntect::highlighting::{
    FontStyle, HighlightIterator, HighlightState, Highlighter, Style as SynStyle, Theme as SynTheme,
};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};

use super::compact::{CompactLine, Styles};
use super::syntax_themes::syntect_theme;
use super::theme::Theme;

/// How many finished blocks the cache keeps.
const CACHE_ENTRIES: usize = 512;

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// Common fence labels that are neither a syntax name nor a file extension.
const ALIASES: &[(&str, &str)] = &[
    ("shell", "sh"),
    ("console", "sh"),
    ("shellsession", "sh"),
    ("zsh", "sh"),
    ("golang", "go"),
    ("c++", "cpp"),
    ("objc", "m"),
    ("jsonc", "json"),
    ("json5", "json"),
    ("docker", "Dockerfile"),
    ("proto", "proto"),
    ("patch", "diff"),
    ("terraform", "tf"),
    ("hcl", "tf"),
    ("text", "txt"),
    ("plaintext", "txt"),
    ("plain", "txt"),
];

/// The grammar for a fence label: by token (extension, then name, case-insensitively), then
/// aliases, falling back to plain text.
pub fn find_syntax(lang: &str) -> &'static SyntaxReference {
    let ss = syntaxes();
    let lang = lang.trim();
    if lang.is_empty() {
        return ss.find_syntax_plain_text();
    }
    let lower = lang.to_lowercase();
    ss.find_syntax_by_token(lang)
        .or_else(|| ss.find_syntax_by_token(&lower))
        .or_else(|| {
            ss.syntaxes()
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(lang))
        })
        .or_else(|| {
            ALIASES
                .iter()
                .find(|(alias, _)| *alias == lower)
                .and_then(|(_, token)| ss.find_syntax_by_token(token))
        })
        .unwrap_or_else(|| ss.find_syntax_plain_text())
}

/// Highlights a code block into one `Line` per source line. Cached: the same block with the
/// same theme is highlighted only once.
pub fn highlight(code: &str, lang: &str, theme: &Theme) -> Vec<Line<'static>> {
    highlight_shared(code, lang, theme).as_ref().clone()
}

/// Like [`highlight`], without copying the cached lines.
pub fn highlight_shared(code: &str, lang: &str, theme: &Theme) -> Arc<Vec<Line<'static>>> {
    if theme.no_color {
        return Arc::new(plain_lines(code, theme.code_frame));
    }
    let key = cache_key(code, lang, theme);
    if let Some(hit) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(key) {
        return hit;
    }
    let lines = Arc::new(highlight_uncached(code, lang, theme));
    cache()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, Arc::clone(&lines));
    lines
}

fn cache_key(code: &str, lang: &str, theme: &Theme) -> u64 {
    let mut h = DefaultHasher::new();
    (code, lang, &theme.syntax_theme).hash(&mut h);
    h.finish()
}

fn memo_key(lang: &str, theme: &Theme) -> u64 {
    let mut h = DefaultHasher::new();
    (lang, &theme.syntax_theme).hash(&mut h);
    h.finish()
}

fn highlight_uncached(code: &str, lang: &str, theme: &Theme) -> Vec<Line<'static>> {
    let Some(syn_theme) = syntect_theme(&theme.syntax_theme) else {
        return plain_lines(code, theme.code_frame);
    };
    let mut state = LineState::new(find_syntax(lang), syn_theme);
    source_lines(code)
        .map(|line| state.highlight(line))
        .collect()
}

/// Plain, unhighlighted lines in one style.
fn plain_lines(code: &str, style: Style) -> Vec<Line<'static>> {
    source_lines(code)
        .map(|line| Line::from(Span::styled(clean(line), style)))
        .collect()
}

/// The lines of a block, each with its `\n` if it has one.
fn source_lines(code: &str) -> impl Iterator<Item = &str> {
    code.split_inclusive('\n')
}

/// The syntect parser and highlighter state between two lines.
#[derive(Clone, Debug)]
struct LineState {
    parse: ParseState,
    highlight: HighlightState,
    highlighter: Arc<Highlighter<'static>>,
}

impl LineState {
    fn new(syntax: &SyntaxReference, theme: &'static SynTheme) -> Self {
        let highlighter = highlighter(theme);
        LineState {
            parse: ParseState::new(syntax),
            highlight: HighlightState::new(&highlighter, ScopeStack::new()),
            highlighter,
        }
    }

    /// Highlights one line (with or without its `\n`), advancing the state.
    fn highlight(&mut self, line: &str) -> Line<'static> {
        // The grammars expect every line to end in a newline, the last one included.
        let owned;
        let line = if line.ends_with('\n') {
            line
        } else {
            owned = format!("{line}\n");
            &owned
        };
        let Ok(ops) = self.parse.parse_line(line, syntaxes()) else {
            return Line::from(clean(line));
        };
        let spans: Vec<Span<'static>> =
            HighlightIterator::new(&mut self.highlight, &ops, line, &self.highlighter)
                .filter_map(|(style, text)| {
                    let text = clean(text);
                    (!text.is_empty()).then(|| Span::styled(text, convert(style)))
                })
                .collect();
        Line::from(spans)
    }
}

/// The highlighter of a theme, built once per theme: building one walks all the theme's rules.
fn highlighter(theme: &'static SynTheme) -> Arc<Highlighter<'static>> {
    /// Highlighters by the address of their (static) theme.
    type Made = Vec<(usize, Arc<Highlighter<'static>>)>;
    static MADE: OnceLock<Mutex<Made>> = OnceLock::new();
    let key = theme as *const SynTheme as usize;
    let mut made = MADE
        .get_or_init(|| Mutex::new(Vec::new()))
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some((_, h)) = made.iter().find(|(k, _)| *k == key) {
        return Arc::clone(h);
    }
    let h = Arc::new(Highlighter::new(theme));
    made.push((key, Arc::clone(&h)));
    h
}

/// Drops the line ending, expands tabs, and makes other control characters visible.
fn clean(text: &str) -> String {
    let text = text.strip_suffix('\n').unwrap_or(text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push_str("    "),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A syntect style as a ratatui style: foreground and font style only. Colours with alpha 0
/// encode a terminal palette index and alpha 1 the terminal's default colour (the `ansi` and
/// `base16` themes use this convention).
fn convert(style: SynStyle) -> Style {
    let mut out = Style::new();
    let c = style.foreground;
    match c.a {
        0 => {
            out = out.fg(match c.r {
                0 => Color::Black,
                1 => Color::Red,
                2 => Color::Green,
                3 => Color::Yellow,
                4 => Color::Blue,
                5 => Color::Magenta,
                6 => Color::Cyan,
                7 => Color::Gray,
                n => Color::Indexed(n),
            })
        }
        1 => {}
        _ => out = out.fg(Color::Rgb(c.r, c.g, c.b)),
    }
    if style.font_style.contains(FontStyle::BOLD) {
        out = out.add_modifier(Modifier::BOLD);
    }
    if style.font_style.contains(FontStyle::ITALIC) {
        out = out.add_modifier(Modifier::ITALIC);
    }
    if style.font_style.contains(FontStyle::UNDERLINE) {
        out = out.add_modifier(Modifier::UNDERLINED);
    }
    out
}

// ---- the cache ---------------------------------------------------------------------------------

#[derive(Default)]
struct Cache {
    map: HashMap<u64, Arc<Vec<Line<'static>>>>,
    order: VecDeque<u64>,
}

impl Cache {
    fn get(&self, key: u64) -> Option<Arc<Vec<Line<'static>>>> {
        self.map.get(&key).cloned()
    }

    fn insert(&mut self, key: u64, lines: Arc<Vec<Line<'static>>>) {
        if self.map.insert(key, lines).is_none() {
            self.order.push_back(key);
        }
        while self.order.len() > CACHE_ENTRIES {
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
    }
}

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

// ---- incremental highlighting ------------------------------------------------------------------

/// Highlights a block that grows at its end (a code fence still streaming): lines already
/// complete are highlighted once; each call highlights only the new complete lines and the
/// unfinished last one. Feeding it anything that does not extend the previous text (or another
/// language or theme) simply starts over.
#[derive(Clone, Debug, Default)]
pub struct IncrementalHighlighter {
    memo: Option<Memo>,
}

#[derive(Clone, Debug)]
struct Memo {
    key: u64,
    /// The complete lines highlighted so far.
    done: String,
    /// Their lines, packed.
    lines: Vec<CompactLine>,
    styles: Styles,
    state: LineState,
}

impl Memo {
    fn lines(&self) -> Vec<Line<'static>> {
        self.lines
            .iter()
            .map(|l| owned(l.unpack(&self.styles)))
            .collect()
    }
}

/// A line that owns its text.
fn owned(line: Line<'_>) -> Line<'static> {
    let spans: Vec<Span<'static>> = (line.spans.into_iter())
        .map(|s| Span::styled(s.content.into_owned(), s.style))
        .collect();
    Line::from(spans).style(line.style)
}

impl IncrementalHighlighter {
    pub fn new() -> Self {
        Self::default()
    }

    /// The same lines [`highlight`] gives for `code`, reusing the work of the previous call.
    pub fn highlight(&mut self, code: &str, lang: &str, theme: &Theme) -> Vec<Line<'static>> {
        if theme.no_color {
            return plain_lines(code, theme.code_frame);
        }
        let Some(syn_theme) = syntect_theme(&theme.syntax_theme) else {
            return plain_lines(code, theme.code_frame);
        };
        let key = memo_key(lang, theme);
        let reusable = self
            .memo
            .as_ref()
            .is_some_and(|m| m.key == key && code.starts_with(m.done.as_str()));
        let memo = match &mut self.memo {
            Some(memo) if reusable => memo,
            slot => slot.insert(Memo {
                key,
                done: String::new(),
                lines: Vec::new(),
                styles: Styles::default(),
                state: LineState::new(find_syntax(lang), syn_theme),
            }),
        };
        let rest = code.get(memo.done.len()..).unwrap_or_default();
        let complete = rest.rfind('\n').map_or(0, |i| i + 1);
        let (new_lines, partial) = rest.split_at(complete);
        for line in source_lines(new_lines) {
            let highlighted = memo.state.highlight(line);
            memo.lines
                .push(CompactLine::pack(&highlighted, &mut memo.styles));
        }
        memo.done.push_str(new_lines);
        let mut out = memo.lines();
        if !partial.is_empty() {
            out.push(memo.state.clone().highlight(partial));
        }
        out
    }

    /// Whether [`more_lines`](Self::more_lines) can continue a text whose first `done` bytes
    /// are its complete lines highlighted so far (always, when nothing is highlighted).
    pub fn continues(&self, done: usize, lang: &str, theme: &Theme) -> bool {
        if theme.no_color || syntect_theme(&theme.syntax_theme).is_none() {
            return true;
        }
        let key = memo_key(lang, theme);
        self.memo
            .as_ref()
            .is_some_and(|m| m.key == key && m.done.len() == done)
    }

    /// Continues the text highlighted so far with `new` (complete lines, each ending in `\n`)
    /// and an unfinished last line `partial`: returns the lines of `new` and that of
    /// `partial` (if not empty), exactly as [`highlight`] of the whole text has them. `None`
    /// when nothing is kept for `lang` and `theme` (then highlight the whole text again).
    pub fn more_lines(
        &mut self,
        new: &str,
        partial: &str,
        lang: &str,
        theme: &Theme,
    ) -> Option<(Vec<Line<'static>>, Option<Line<'static>>)> {
        if theme.no_color || syntect_theme(&theme.syntax_theme).is_none() {
            let plain = |text: &str| Line::from(Span::styled(clean(text), theme.code_frame));
            let partial = (!partial.is_empty()).then(|| plain(partial));
            return Some((source_lines(new).map(plain).collect(), partial));
        }
        let key = memo_key(lang, theme);
        let memo = self.memo.as_mut().filter(|m| m.key == key)?;
        let mut lines = Vec::new();
        for line in source_lines(new) {
            let highlighted = memo.state.highlight(line);
            memo.lines
                .push(CompactLine::pack(&highlighted, &mut memo.styles));
            lines.push(highlighted);
        }
        memo.done.push_str(new);
        let partial = (!partial.is_empty()).then(|| memo.state.clone().highlight(partial));
        Some((lines, partial))
    }

    /// The lines of `code` if it is exactly the complete text highlighted so far (a block that
    /// just closed). They go into the shared cache too, so [`highlight_shared`] of the same
    /// block costs nothing later.
    pub fn finished(
        &self,
        code: &str,
        lang: &str,
        theme: &Theme,
    ) -> Option<Arc<Vec<Line<'static>>>> {
        let memo = self.memo.as_ref()?;
        if theme.no_color || memo.key != memo_key(lang, theme) || memo.done != code {
            return None;
        }
        let lines = Arc::new(memo.lines());
        cache()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(cache_key(code, lang, theme), Arc::clone(&lines));
        Some(lines)
    }
}

#[cfg(test)]
mod tests;
