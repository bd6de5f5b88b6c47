//! Tools around the conversation.
//!
//! The composer's text in the person's editor: Ctrl+G and `/edit` ask the runtime for it
//! ([`Effect::EditInEditor`]); what comes back ([`Event::Edited`]) replaces the text, and a
//! failure keeps the text and says why in the status line.
//!
//! `/copy` (the last answer's markdown), `/copy N` (code block `[N]`, numbered as the
//! conversation shows them: `tui::conversation::code_blocks`) and `/copy thinking` (the last
//! reasoning a model showed): the text goes to the runtime as [`Effect::Copy`] and the status
//! line says what was copied; nothing to copy, or too much, is said there instead.
//! "The last" is that of the latest exchange that has one; at a comparison, that of the
//! kept arm, else of the first arm shown that has one.
//!
//! [`Event::Edited`]: super::Event::Edited

use super::{App, Effect};
use crate::conversation::Turn;
use crate::tui::clipboard;
use crate::tui::conversation::code_blocks;
use crate::usage::thousands;

impl App {
    /// Ctrl+G, `/edit`: the composer's text goes to the editor.
    pub(super) fn edit_in_editor(&mut self) -> Vec<Effect> {
        self.completing = None;
        vec![Effect::EditInEditor { text: self.draft() }]
    }

    /// What the editor left replaces the text; on failure the text stays as it was.
    pub(super) fn edited(&mut self, result: Result<String, String>) {
        match result {
            Ok(text) => {
                self.composer.set_draft(&text);
                self.notice = None;
            }
            Err(why) => self.notice = Some(format!("⚠ {why} — the message is unchanged")),
        }
    }

    /// `/copy [N | thinking]`.
    pub(super) fn copy(&mut self, arg: &str) -> Vec<Effect> {
        let (text, what) = match self.to_copy(arg) {
            Ok(found) => found,
            Err(why) => {
                self.notice = Some(why);
                return Vec::new();
            }
        };
        if let Some(why) = clipboard::too_big(&text) {
            self.notice = Some(format!("⚠ {why}"));
            return Vec::new();
        }
        self.notice = Some(format!("copied {what}"));
        vec![Effect::Copy { text }]
    }

    /// The text `/copy arg` copies and how the status line names it, or why there is none.
    fn to_copy(&self, arg: &str) -> Result<(String, String), String> {
        if arg.is_empty() {
            let answer = self
                .latest(|t| &t.answer)
                .ok_or("nothing to copy: no answer yet")?;
            return Ok((
                answer.clone(),
                format!("the last answer, {}", chars(answer)),
            ));
        }
        if arg.eq_ignore_ascii_case("thinking") {
            let reasoning = self
                .latest(|t| &t.reasoning)
                .ok_or("no visible reasoning to copy (a model that hides it only counts it)")?;
            return Ok((
                reasoning.clone(),
                format!("the last reasoning, {}", chars(reasoning)),
            ));
        }
        let n: usize = arg.parse().map_err(|_| {
            "/copy takes a code block's number or \"thinking\": /copy 2 (alone: the last answer)"
                .to_string()
        })?;
        let blocks = code_blocks(&self.session.conversation);
        let Some(block) = blocks.iter().find(|b| b.number == n) else {
            let there = match blocks.len() {
                0 => "there are none".to_string(),
                1 => "there is 1".to_string(),
                count => format!("there are {count}"),
            };
            return Err(format!("no code block [{n}] ({there})"));
        };
        let lines = block.code.lines().count();
        let unit = if lines == 1 { "line" } else { "lines" };
        Ok((
            block.code.clone(),
            format!("code block [{n}], {lines} {unit}"),
        ))
    }

    /// `field` of the latest exchange where it is not empty (see the module docs).
    fn latest(&self, field: impl Fn(&Turn) -> &String) -> Option<&String> {
        let conv = &self.session.conversation;
        let mut end = conv.turns.len();
        while end > 0 {
            let group = conv.group(end - 1);
            end = group.start;
            let candidates: Vec<usize> = if conv.turns[group.start].arm.is_none() {
                vec![group.start]
            } else {
                let kept = conv.kept_arm(group.clone());
                kept.into_iter().chain(conv.shown_arms(group)).collect()
            };
            if let Some(text) = (candidates.into_iter())
                .map(|i| field(&conv.turns[i]))
                .find(|text| !text.is_empty())
            {
                return Some(text);
            }
        }
        None
    }
}

/// `1,234 chars`.
fn chars(text: &str) -> String {
    let n = text.chars().count();
    let unit = if n == 1 { "char" } else { "chars" };
    format!("{} {unit}", thousands(n as u64))
}
