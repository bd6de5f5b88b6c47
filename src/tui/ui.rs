//! The view side: the render caches the runtime owns ([`Ui`]), the layout of the panes, and
//! drawing. Drawing reads `&App` and never changes it.
//!
//! Each frame is two steps: [`Ui::prepare`] brings the caches up to date with `&App` and
//! returns what it measured (the runtime feeds that back as `Event::Laid`), then
//! [`Ui::render`] draws from `&self` and `&App`. Layout, top to bottom: the conversation (with
//! the meter pane beside it when wide enough), the composer, the status line (two rows while
//! a notice wider than the terminal shows); the open overlay over everything. Every size down to 1x1 draws without panicking: each area is
//! clipped by ratatui and all arithmetic saturates.

use super::app::{App, Persistence};
use super::component::Ctx;
use super::conversation::Laid;
use super::conversation::cache::ConversationCache;
use super::conversation::view as conversation;
use super::meter::view as meter;
use super::meter::{MIN_TERMINAL_WIDTH, Meter};
use super::status::{self, Status};
use super::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

/// The panes for a terminal area.
pub struct Areas {
    pub conversation: Rect,
    /// The meter pane beside the conversation, when shown.
    pub meter: Option<Rect>,
    pub composer: Rect,
    pub status: Rect,
}

/// Columns of the meter pane.
pub const METER_WIDTH: u16 = super::meter::WIDTH;

/// Split `area` into the panes.
pub fn areas(app: &App, area: Rect) -> Areas {
    let composer = app.composer.wanted_height(area.width, area.height);
    let status = status::rows(app.notice.as_deref(), area.width, area.height);
    let [conversation, composer, status] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(composer),
        Constraint::Length(status),
    ])
    .areas(area);
    let (conversation, meter) = if app.meter_visible(area.width) && area.width >= MIN_TERMINAL_WIDTH
    {
        let [conversation, meter] =
            Layout::horizontal([Constraint::Min(0), Constraint::Length(METER_WIDTH)])
                .areas(conversation);
        (conversation, Some(meter))
    } else {
        (conversation, None)
    };
    Areas {
        conversation,
        meter,
        composer,
        status,
    }
}

/// What drawing reads from the app, for the components.
pub fn ctx<'a>(app: &'a App, theme: &'a Theme) -> Ctx<'a> {
    Ctx {
        theme,
        session: &app.session,
        now: app.now,
        active: app.active,
        rate_limit: app.rate_limit.as_ref(),
        retry: app.retry.as_ref(),
        arms: &app.compare.runs,
        compare_set: app.compare.set.as_deref(),
        compare_tab: app.compare.tab,
    }
}

/// The render caches: laid-out conversation and the meter's counts.
pub struct Ui {
    pub theme: Theme,
    conversation: ConversationCache,
    pub meter: Meter,
}

impl Ui {
    pub fn new(theme: Theme) -> Ui {
        Ui {
            theme,
            conversation: ConversationCache::default(),
            meter: Meter::new(),
        }
    }

    /// Bring the caches up to date for `app` in a terminal of `area`; only what changed is
    /// redone. Returns what the app should know of the layout.
    pub fn prepare(&mut self, app: &App, area: Rect) -> Laid {
        self.meter.update(&app.session, &app.draft());
        self.meter
            .update_files(&app.session, app.composer.attachments());
        let a = areas(app, area);
        let text = conversation::text_area(a.conversation);
        let ctx = ctx(app, &self.theme);
        self.conversation.prepare(
            &ctx,
            &app.changes,
            &app.thinking,
            &app.scroll,
            (text.width, text.height),
        )
    }

    /// Whether the caches have more to lay out (a long history opened anew is laid out from
    /// its end over several frames): the runtime then draws again soon.
    pub fn laying_out(&self) -> bool {
        self.conversation.pending()
    }

    /// Draw the whole UI from the caches (call [`Ui::prepare`] first).
    pub fn render(&self, app: &App, frame: &mut Frame) {
        let ctx = ctx(app, &self.theme);
        let a = areas(app, frame.area());
        conversation::render(
            &ctx,
            &self.conversation,
            &app.scroll,
            app.setup_hint.as_deref(),
            frame,
            a.conversation,
        );
        // One pass over the meter's caches serves the pane and the status line.
        let panel = self.meter.panel(&ctx);
        if let Some(area) = a.meter {
            meter::render_panel(&ctx, &panel, frame, area);
        }
        app.composer
            .render(&ctx, &composer_title(app), frame, a.composer);
        let status = Status {
            overall: &panel.totals.overall,
            saved: match &app.persistence {
                Persistence::On { session, .. } => Ok(*session),
                Persistence::Off(_) => Err(()),
            },
            unsaved: app.store_backlog.as_ref().map(|b| b.unsaved),
            notice: app.notice.as_deref(),
        };
        status::render(&ctx, &status, frame, a.status);
        if let Some(overlay) = &app.overlay {
            overlay.component().render(&ctx, frame, frame.area());
        }
    }
}

/// The composer's title: command completions, the streaming state, or just `message`.
fn composer_title(app: &App) -> String {
    let completions = app.completions();
    if !completions.is_empty() {
        // While Tab cycles, the one in the composer is bracketed.
        let draft = app.draft();
        let shown: Vec<String> = (completions.iter())
            .map(|c| match *c == draft {
                true => format!("[{c}]"),
                false => c.to_string(),
            })
            .collect();
        format!(" Tab: {} ", shown.join(" · "))
    } else if app.is_streaming() {
        " streaming · Esc cancels ".to_string()
    } else {
        " message ".to_string()
    }
}
