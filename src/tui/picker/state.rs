//! The model picker's state and keys: every model the person can switch to — the catalog's
//! models of each configured provider plus the ids the providers' `GET /models` reported that
//! the catalog does not know — filtered fuzzily by what the person types.
//!
//! Invariants: it never switches anything itself — Enter returns a [`PickerAction::Select`]
//! for the app to apply; `filtered` holds indices into `rows`, best match first (all rows in
//! list order when the query is empty); `selected` indexes `filtered` (0 when it is empty);
//! the current model always has a row, and there is at most one row per `(provider, id)`;
//! a model neither the catalog nor a server's list knows gets a row only while it is the
//! current one (marked `unverified` until it has answered) or once it has answered.

use crate::catalog::ModelInfo;
use crate::config::Settings;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What the picker asks of the app after a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PickerAction {
    None,
    /// Switch to `provider/model` from the next turn on.
    Select {
        provider: String,
        model: String,
    },
    /// Compare these `provider/model` specs (the rows marked with Space, in order).
    Compare(Vec<String>),
    Close,
}

/// One model the person can pick.
#[derive(Clone, Debug, PartialEq)]
pub struct PickerRow {
    pub provider: String,
    pub id: String,
    /// The catalog's entry; `None` for a model only the provider's list knows.
    pub info: Option<ModelInfo>,
    /// The model the session uses now.
    pub current: bool,
    /// The provider is a local server: the model costs nothing.
    pub local: bool,
    /// The provider needs a key and none is set: it can be seen, not used.
    pub no_key: bool,
    /// Neither the catalog nor the server's list knows it, and it has not answered yet (a
    /// typo would be sent as is).
    pub unverified: bool,
}

impl PickerRow {
    /// `provider/id`, what the filter matches against.
    pub fn spec(&self) -> String {
        format!("{}/{}", self.provider, self.id)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Picker {
    /// What the person typed to filter.
    pub query: String,
    pub rows: Vec<PickerRow>,
    /// Indices into `rows` that match `query`, best first.
    pub filtered: Vec<usize>,
    /// Index into `filtered`.
    pub selected: usize,
    /// Providers whose model list is still being fetched.
    pub pending: Vec<String>,
    /// Providers whose model list could not be fetched, with why.
    pub failed: Vec<(String, String)>,
    /// Rows marked with Space for a comparison (indices into `rows`), in marking order.
    pub marked: Vec<usize>,
}

/// Rows a PageUp/PageDown moves.
const PAGE: usize = 10;

impl Picker {
    /// The rows for `settings`: per provider (in `settings.providers` order) the catalog's
    /// models, then the `fetched` ids the catalog does not know. The current model is selected.
    pub fn new(settings: &Settings, fetched: &[(String, Vec<String>)]) -> Picker {
        let mut picker = Picker::default();
        for provider in &settings.providers {
            for info in settings.catalog.models() {
                if info.provider == provider.name {
                    picker.push_row(settings, &info.provider, &info.id, Some(info.clone()));
                }
            }
            for (name, ids) in fetched.iter().filter(|(p, _)| *p == provider.name) {
                picker.push_fetched(settings, name, ids);
            }
        }
        let current = (&settings.endpoint.provider, &settings.model);
        if !picker.rows.iter().any(|r| (&r.provider, &r.id) == current) {
            let (provider, model) = current;
            picker.push_row(settings, provider, model, settings.model_info.clone());
            if let Some(row) = picker.rows.last_mut() {
                row.unverified = row.info.is_none();
            }
        }
        picker.refilter();
        picker.select_current();
        picker
    }

    /// A provider's model list arrived: add the ids not listed yet, after that provider's
    /// rows; the selection stays on the same model.
    pub fn add_fetched(&mut self, settings: &Settings, provider: &str, ids: &[String]) {
        self.pending.retain(|p| p != provider);
        self.failed.retain(|(p, _)| p != provider);
        let keep = self
            .selected_row()
            .map(|r| (r.provider.clone(), r.id.clone()));
        // After the rows of this provider and of those listed before it.
        let rank = |name: &str| {
            (settings.providers.iter())
                .position(|p| p.name == name)
                .unwrap_or(usize::MAX)
        };
        let mine = rank(provider);
        let at = self
            .rows
            .iter()
            .rposition(|r| rank(&r.provider) <= mine)
            .map_or(0, |i| i + 1);
        let tail = self.rows.split_off(at);
        self.push_fetched(settings, provider, ids);
        self.rows.extend(tail);
        self.refilter();
        if let Some((p, id)) = keep {
            self.select_where(|r| r.provider == p && r.id == id);
        }
    }

    /// Models that answered in this conversation (`(provider, id)`): each has a row (added
    /// at the end when neither the catalog nor a list has it) and none is unverified.
    pub fn add_answered(&mut self, settings: &Settings, answered: &[(String, String)]) {
        for (provider, id) in answered {
            if !settings.providers.iter().any(|p| p.name == *provider) {
                continue;
            }
            let info = settings.knowledge(provider, id);
            self.push_row(settings, provider, id, info);
            for row in &mut self.rows {
                if row.provider == *provider && row.id == *id {
                    row.unverified = false;
                }
            }
        }
        self.refilter();
        self.select_current();
    }

    /// A provider's model list is being fetched.
    pub fn fetch_started(&mut self, provider: &str) {
        if !self.pending.iter().any(|p| p == provider) {
            self.pending.push(provider.to_string());
        }
    }

    /// A provider's model list could not be fetched.
    pub fn fetch_failed(&mut self, provider: &str, why: &str) {
        self.pending.retain(|p| p != provider);
        self.failed.retain(|(p, _)| p != provider);
        self.failed.push((provider.to_string(), why.to_string()));
    }

    pub fn selected_row(&self) -> Option<&PickerRow> {
        self.filtered
            .get(self.selected)
            .and_then(|&i| self.rows.get(i))
    }

    /// The mark of row `row` (1-based position among the marked), if marked.
    pub fn mark_of(&self, row: usize) -> Option<usize> {
        self.marked.iter().position(|&m| m == row).map(|p| p + 1)
    }

    pub fn on_key(&mut self, key: KeyEvent) -> PickerAction {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let last = self.filtered.len().saturating_sub(1);
        match key.code {
            KeyCode::Esc => return PickerAction::Close,
            KeyCode::Enter if !self.marked.is_empty() => {
                let specs = (self.marked.iter())
                    .filter_map(|&i| self.rows.get(i))
                    .map(PickerRow::spec)
                    .collect();
                return PickerAction::Compare(specs);
            }
            KeyCode::Char(' ') if !ctrl => {
                if let Some(&row) = self.filtered.get(self.selected) {
                    match self.marked.iter().position(|&m| m == row) {
                        Some(at) => {
                            self.marked.remove(at);
                        }
                        None if self.marked.len() < *crate::compare::TUI_ARMS.end() => {
                            self.marked.push(row)
                        }
                        None => {}
                    }
                    self.selected = (self.selected + 1).min(last);
                }
            }
            KeyCode::Enter => {
                return match self.selected_row() {
                    Some(r) => PickerAction::Select {
                        provider: r.provider.clone(),
                        model: r.id.clone(),
                    },
                    None => PickerAction::None,
                };
            }
            KeyCode::Up => self.selected = self.selected.saturating_sub(1),
            KeyCode::Char('p') if ctrl => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down => self.selected = (self.selected + 1).min(last),
            KeyCode::Char('n') if ctrl => self.selected = (self.selected + 1).min(last),
            KeyCode::PageUp => self.selected = self.selected.saturating_sub(PAGE),
            KeyCode::PageDown => self.selected = (self.selected + PAGE).min(last),
            KeyCode::Home => self.selected = 0,
            KeyCode::End => self.selected = last,
            KeyCode::Backspace => {
                if self.query.pop().is_none() {
                    return PickerAction::None;
                }
                self.query_changed();
            }
            KeyCode::Char('u') if ctrl => {
                self.query.clear();
                self.query_changed();
            }
            KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
                self.query.push(c);
                self.query_changed();
            }
            _ => {}
        }
        PickerAction::None
    }

    /// Filter again; the best match is selected, or the current model when the query is empty.
    fn query_changed(&mut self) {
        self.refilter();
        if self.query.trim().is_empty() {
            self.select_current();
        } else {
            self.selected = 0;
        }
    }

    fn refilter(&mut self) {
        let query: String = self.query.split_whitespace().collect();
        let mut scored: Vec<(i64, usize, usize)> = self
            .rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let spec = r.spec();
                fuzzy_score(&query, &spec).map(|s| (s, spec.len(), i))
            })
            .collect();
        if !query.is_empty() {
            // Best score first; among equals the shorter name, then list order.
            scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        }
        self.filtered = scored.into_iter().map(|(_, _, i)| i).collect();
        self.selected = self.selected.min(self.filtered.len().saturating_sub(1));
    }

    fn select_current(&mut self) {
        self.select_where(|r| r.current);
    }

    fn select_where(&mut self, pred: impl Fn(&PickerRow) -> bool) {
        if let Some(at) = self
            .filtered
            .iter()
            .position(|&i| self.rows.get(i).is_some_and(&pred))
        {
            self.selected = at;
        }
    }

    fn push_fetched(&mut self, settings: &Settings, provider: &str, ids: &[String]) {
        for id in ids.iter().filter(|id| is_chat_model(id)) {
            // A dated snapshot of a known model gets that model's entry (and price).
            let info = settings.knowledge(provider, id);
            self.push_row(settings, provider, id, info);
        }
        // The server lists it: no longer unverified.
        for row in self.rows.iter_mut().filter(|r| r.provider == provider) {
            row.unverified &= !ids.contains(&row.id);
        }
    }

    fn push_row(&mut self, settings: &Settings, provider: &str, id: &str, info: Option<ModelInfo>) {
        if self
            .rows
            .iter()
            .any(|r| r.provider == provider && r.id == id)
        {
            return;
        }
        let local = settings.catalog.is_local_provider(provider)
            || settings
                .providers
                .iter()
                .any(|p| p.name == provider && p.local);
        self.rows.push(PickerRow {
            provider: provider.to_string(),
            id: id.to_string(),
            info,
            current: provider == settings.endpoint.provider && id == settings.model,
            local,
            no_key: settings.keyless.iter().any(|p| p == provider),
            unverified: false,
        });
    }
}

/// Whether a listed id can be a chat model: providers also list embedding, speech, image and
/// moderation models, which cannot answer a chat.
pub fn is_chat_model(id: &str) -> bool {
    const NOT_CHAT: [&str; 11] = [
        "embed",
        "whisper",
        "tts",
        "dall-e",
        "moderation",
        "transcribe",
        "image",
        "davinci",
        "babbage",
        "realtime",
        "sora",
    ];
    let id = id.to_ascii_lowercase();
    !id.trim().is_empty() && !NOT_CHAT.iter().any(|w| id.contains(w))
}

/// How well `query` matches `candidate` as a subsequence (case-insensitive); `None` when it
/// does not. Higher is better: consecutive letters, letters at the start of a word (after
/// `/ - . _ :` or at the very start) and a match that starts the model id score most, then
/// one covering the whole id; each skipped letter costs a little. The empty query matches
/// everything with 0.
pub fn fuzzy_score(query: &str, candidate: &str) -> Option<i64> {
    let q: Vec<char> = query.chars().flat_map(char::to_lowercase).collect();
    let c: Vec<char> = candidate.chars().flat_map(char::to_lowercase).collect();
    if q.is_empty() {
        return Some(0);
    }
    let id_start = c.iter().position(|&ch| ch == '/').map_or(0, |i| i + 1);
    let boundary = |i: usize| i == 0 || matches!(c[i - 1], '/' | '-' | '.' | '_' | ':' | ' ');
    let mut best: Option<i64> = None;
    // Try each place the first letter occurs, then match the rest greedily.
    for start in (0..c.len()).filter(|&i| c[i] == q[0]) {
        let mut score = 10 + if boundary(start) { 10 } else { 0 };
        if start == id_start {
            score += 15;
        }
        let mut prev = start;
        let mut ok = true;
        for &ch in &q[1..] {
            let Some(offset) = c[prev + 1..].iter().position(|&x| x == ch) else {
                ok = false;
                break;
            };
            let at = prev + 1 + offset;
            score += 10;
            if at == prev + 1 {
                score += 15;
            } else {
                score -= (at - prev - 1).min(10) as i64;
                if boundary(at) {
                    score += 10;
                }
            }
            prev = at;
        }
        if !ok {
            // Later starts cannot find what this one could not.
            break;
        }
        if prev + 1 == c.len() && start == id_start {
            // The whole model id, exactly.
            score += 20;
        }
        best = Some(best.map_or(score, |b| b.max(score)));
    }
    best
}

#[cfg(test)]
mod tests;
