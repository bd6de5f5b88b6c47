//! Files and images sent with the next prompt: `/attach PATH` asks the runtime to read the
//! file ([`Effect::Attach`]: reading is I/O, never done here), the file comes back as
//! [`Event::Attached`](super::Event::Attached) and becomes a chip on the composer; `/detach`
//! takes chips off; sending takes them with the prompt. A prompt that mentions files
//! (`@notes.md`) has them read first ([`Effect::ReadMentions`]) and is sent when they come
//! back ([`Event::MentionsRead`](super::Event::MentionsRead)).
//!
//! Invariants: a file that cannot be attached leaves the composer as it was and says why; a
//! prompt with images for a model the catalog marks without vision is not sent (the draft
//! and chips stay) and the notice names models that take images; the chips go with exactly
//! one turn; a mentioned file that cannot be read sends nothing.

use super::App;
use crate::attach::Attachment;

impl App {
    /// A file read for `/attach`, or why it could not be.
    pub(super) fn attached(&mut self, result: Result<Attachment, String>) {
        self.notice = Some(match result {
            Err(why) => format!("not attached: {why}"),
            Ok(a) => {
                let warning = crate::session::images_refused(
                    &self.session.settings,
                    std::slice::from_ref(&a),
                );
                let label = a.label();
                match self.composer.attach(a) {
                    false => format!("{label} is attached already"),
                    true => match warning {
                        Some(why) => format!("attached {label}, but {why}"),
                        None => format!("attached {label} · /detach takes it off"),
                    },
                }
            }
        });
    }

    /// `/detach N` takes chip N off the composer, `/detach` all of them.
    pub(super) fn detach(&mut self, arg: &str) {
        self.notice = Some(if arg.is_empty() {
            match self.composer.take_attachments().len() {
                0 => "nothing is attached".to_string(),
                n => format!("took {n} attachment{} off", if n == 1 { "" } else { "s" }),
            }
        } else {
            match arg
                .parse::<usize>()
                .ok()
                .and_then(|n| self.composer.detach(n))
            {
                Some(a) => format!("took {} off", a.name),
                None => format!(
                    "no attachment {arg} (there {})",
                    match self.composer.attachments().len() {
                        0 => "are none".to_string(),
                        1 => "is 1".to_string(),
                        n => format!("are {n}"),
                    }
                ),
            }
        });
    }

    /// Tab after `/attach PATH`: one candidate is filled in; several fill in what they
    /// share and are listed in the notice; none says so. Ignored when the draft changed
    /// since Tab was pressed.
    pub(super) fn paths_completed(&mut self, typed: &str, candidates: &[String]) {
        if self.draft() != format!("/attach {typed}") {
            return;
        }
        // `plot.png`, `plots/`: the last part, a directory's slash kept.
        let name = |c: &String| {
            let bare = c.trim_end_matches('/');
            let base = bare.rsplit('/').next().unwrap_or(bare);
            format!("{base}{}", if c.ends_with('/') { "/" } else { "" })
        };
        match candidates {
            [] => self.notice = Some(format!("no file starts with {typed}")),
            [only] => {
                self.composer.set_draft(&format!("/attach {only}"));
                self.notice = None;
            }
            _ => {
                if let Some(shared) = crate::attach::complete::common_prefix(candidates) {
                    self.composer.set_draft(&format!("/attach {shared}"));
                }
                let shown: Vec<String> = candidates.iter().take(8).map(name).collect();
                let more = candidates.len().saturating_sub(shown.len());
                let tail = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                self.notice = Some(format!("{}{tail}", shown.join("  ")));
            }
        }
    }

    /// The files the draft mentions were read: they join the chips and the draft is sent
    /// (as typed, `@path` included). A file that could not be read sends nothing and says
    /// why; a draft changed meanwhile is left to be sent again.
    pub(super) fn mentions_read(
        &mut self,
        draft: String,
        result: Result<Vec<Attachment>, String>,
        now: std::time::Instant,
    ) -> Vec<super::Effect> {
        if self.draft() != draft {
            return Vec::new();
        }
        match result {
            Err(why) => {
                self.notice = Some(format!("not sent: {why}"));
                Vec::new()
            }
            Ok(files) => {
                for a in files {
                    self.composer.attach(a);
                }
                self.mentions_read_for = Some(draft);
                let effects = self.send(now);
                self.mentions_read_for = None;
                effects
            }
        }
    }

    /// Why the prompt cannot be sent with the chips now; `None` when it can.
    pub(super) fn refused_attachments(&self) -> Option<String> {
        crate::session::images_refused(&self.session.settings, self.composer.attachments())
    }
}
