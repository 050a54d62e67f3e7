//! Screen 7: exchanging bundles through a folder (a USB stick, a messaging app's
//! folder). The bundles found there, the devices of the programme (those waiting to be
//! accepted first), the records in conflict, and what the last exchange did, bundle by
//! bundle. A conflict opens on its own page (`conflict`).

mod conflict;

use super::{Ctx, Outcome, Request, Screen};
use crate::store::Store;
use crate::store::device::KnownDevice;
use crate::store::versions::{RecordKind, RecordRef};
use crate::sync::folder::Found;
use crate::tui::app::Work;
use crate::tui::forms::{FolderUse, FormPurpose};
use crate::tui::keymap::{Action, Cmd, Scope};
use crate::tui::widgets::list::{ListCursor, render_table};
use conflict::ConflictPage;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Widget, Wrap};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
enum Part {
    #[default]
    Bundles,
    Devices,
    Conflicts,
}

impl Part {
    const ALL: [Part; 3] = [Part::Bundles, Part::Devices, Part::Conflicts];

    fn step(self, forward: bool) -> Part {
        let i = Part::ALL.iter().position(|p| *p == self).unwrap_or(0);
        let n = Part::ALL.len();
        Part::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

/// How one line of an exchange ended, least worrying first: a bundle shows its worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LineState {
    /// Nothing new: the bundle was in already.
    Already,
    Done,
    /// Worth a look, not a failure: a device waiting, a code reissued, a look-alike.
    Look,
    Refused,
}

impl From<crate::messages::Tone> for LineState {
    fn from(tone: crate::messages::Tone) -> LineState {
        match tone {
            crate::messages::Tone::Done => LineState::Done,
            crate::messages::Tone::Look => LineState::Look,
            crate::messages::Tone::Refused => LineState::Refused,
        }
    }
}

/// One line of what the last exchange did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExchangeLine {
    /// The bundle file it is about, if any.
    pub file: Option<String>,
    /// In Vietnamese and in English: L switches the screen's language afterwards too.
    text: [String; 2],
    pub state: LineState,
}

impl ExchangeLine {
    pub fn new(state: LineState, file: Option<String>, text: String) -> ExchangeLine {
        ExchangeLine {
            file,
            text: [text.clone(), text],
            state,
        }
    }

    pub fn text(&self, lang: crate::i18n::Lang) -> &str {
        &self.text[usize::from(lang == crate::i18n::Lang::En)]
    }

    /// The lines `make` writes, in both languages (it must write the same lines in each).
    pub fn in_both(make: impl Fn(crate::i18n::Lang) -> Vec<ExchangeLine>) -> Vec<ExchangeLine> {
        let english = make(crate::i18n::Lang::En);
        let mut lines = make(crate::i18n::Lang::Vi);
        for (line, en) in lines.iter_mut().zip(english) {
            let [text, _] = en.text;
            line.text[1] = text;
        }
        lines
    }
}

/// A record in conflict as the list shows it.
#[derive(Clone, Debug)]
struct ConflictRow {
    record: RecordRef,
    kind: &'static str,
    code: String,
    name: String,
    ward: String,
}

#[derive(Default)]
pub struct SyncScreen {
    part: Part,
    bundles: ListCursor,
    devices: ListCursor,
    conflicts: ListCursor,
    /// What was read from disk, and for which data version.
    loaded: Option<u64>,
    found: Vec<Found>,
    /// Why the folder could not be read, if it could not.
    folder_error: Option<String>,
    known: Vec<KnownDevice>,
    open_conflicts: Vec<ConflictRow>,
    /// What the last send, receive or acceptance did.
    outcome: Vec<ExchangeLine>,
    /// The screen took a key: list the folder again (see `load`).
    relist: bool,
    listed_at: Option<std::time::Instant>,
    page: Option<ConflictPage>,
}

impl SyncScreen {
    pub fn show_outcome(&mut self, lines: Vec<ExchangeLine>) {
        self.outcome = lines;
    }

    pub fn close_conflict(&mut self) {
        self.page = None;
    }

    fn waiting(&self) -> usize {
        self.known.iter().filter(|d| !d.accepted).count()
    }

    fn len(&self, part: Part) -> usize {
        match part {
            Part::Bundles => self.found.len(),
            Part::Devices => self.known.len(),
            Part::Conflicts => self.open_conflicts.len(),
        }
    }

    fn cursor(&mut self, part: Part) -> &mut ListCursor {
        match part {
            Part::Bundles => &mut self.bundles,
            Part::Devices => &mut self.devices,
            Part::Conflicts => &mut self.conflicts,
        }
    }

    fn selected_device(&self) -> Option<&KnownDevice> {
        self.known.get(self.devices.selected)
    }
}

impl Screen for SyncScreen {
    fn scope(&self) -> (Scope, bool) {
        match self.page {
            Some(_) => (Scope::Conflict, false),
            None => (Scope::Sync, false),
        }
    }

    fn refresh(&mut self, _ctx: &Ctx) {
        self.clamp_cursors();
    }

    /// The devices and conflicts are read when the data changed; the folder also when
    /// this screen took a key a second or more after it was last listed (a stick may
    /// have been plugged in since), but not on each key typed into a form over it: a
    /// slow stick would make typing lag.
    fn load(&mut self, store: &Store, version: u64) {
        let due = self.relist
            && self
                .listed_at
                .is_none_or(|at| at.elapsed() >= std::time::Duration::from_secs(1));
        if due || self.loaded != Some(version) {
            self.relist = false;
            self.listed_at = Some(std::time::Instant::now());
            let listed = match store.exchange_folder() {
                Some(folder) => crate::sync::folder::bundles_in(store, folder),
                None => Ok(Vec::new()),
            };
            (self.found, self.folder_error) = match listed {
                Ok(found) => (found, None),
                Err(e) => (Vec::new(), Some(e.to_string())),
            };
        }
        if self.loaded != Some(version) {
            self.loaded = Some(version);
            self.known = store.other_devices().unwrap_or_default();
            self.open_conflicts = store
                .visible_conflicts()
                .into_iter()
                .map(|r| conflict_row(store, r))
                .collect();
            if let Some(page) = self.page.as_mut() {
                page.load(store);
                if !store.conflicts().contains(page.record()) {
                    self.page = None;
                }
            }
        }
        self.clamp_cursors();
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        let Action::Cmd(cmd) = action else {
            return Outcome::Ignored;
        };
        self.relist = true;
        if let Some(page) = self.page.as_mut() {
            return match page.handle(*cmd, ctx) {
                conflict::Key::Close => {
                    self.page = None;
                    Outcome::Changed
                }
                conflict::Key::Outcome(o) => o,
            };
        }
        match cmd {
            Cmd::NextField | Cmd::PrevField => {
                self.part = self.part.step(*cmd == Cmd::NextField);
                Outcome::Changed
            }
            Cmd::SendBundles => Outcome::Do(Request::Start(Box::new(Work::SendBundles))),
            Cmd::ReceiveBundles => {
                Outcome::Do(Request::Start(Box::new(Work::ReceiveBundles(None))))
            }
            Cmd::ChooseFolder => Outcome::Do(Request::OpenForm(FormPurpose::Folder(
                FolderUse::Exchange { then: None },
            ))),
            Cmd::SyncHub => Outcome::Do(Request::Start(Box::new(Work::SyncHub))),
            Cmd::HubAddress => Outcome::Do(Request::OpenForm(FormPurpose::HubAddress {
                then_sync: false,
            })),
            Cmd::AcceptDevice => match self.selected_device() {
                Some(d) if !d.accepted && self.part == Part::Devices => {
                    let question = crate::i18n::tf(
                        ctx.lang,
                        "sync.confirm_accept",
                        &[
                            ("fingerprint", &d.public.fingerprint()),
                            ("ward", &d.public.ward.clone().unwrap_or_default()),
                        ],
                    );
                    let then = Request::AcceptDevice(d.public.fingerprint());
                    Outcome::Do(Request::Confirm(question, Box::new(then)))
                }
                _ => Outcome::Do(Request::Status("sync.nothing_to_accept")),
            },
            Cmd::Open => match self.part {
                Part::Bundles => match self.found.get(self.bundles.selected) {
                    Some(found) => Outcome::Do(Request::Start(Box::new(Work::ReceiveBundles(
                        Some(found.path.clone()),
                    )))),
                    None => Outcome::Ignored,
                },
                Part::Conflicts => match self.open_conflicts.get(self.conflicts.selected) {
                    Some(row) => {
                        self.page = Some(ConflictPage::new(row.record.clone()));
                        // Read on the next load, before anything is drawn.
                        self.loaded = None;
                        Outcome::Changed
                    }
                    None => Outcome::Ignored,
                },
                // Enter on a waiting device accepts it, for whoever `a` is offered to.
                Part::Devices if ctx.user.may(crate::domain::Permission::ManageSettings) => {
                    self.handle(&Action::Cmd(Cmd::AcceptDevice), ctx)
                }
                Part::Devices => Outcome::Ignored,
            },
            other => {
                let len = self.len(self.part);
                let part = self.part;
                if self.cursor(part).handle(*other, len) {
                    Outcome::Changed
                } else {
                    Outcome::Ignored
                }
            }
        }
    }

    fn offers(&self, cmd: Cmd, _ctx: &Ctx) -> bool {
        match cmd {
            Cmd::AcceptDevice => self.waiting() > 0,
            _ => true,
        }
    }

    fn render(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx) -> Option<Position> {
        if let Some(page) = &self.page {
            page.render(area, buf, ctx);
            return None;
        }
        // Each line as many rows as it wraps to, at most half the screen.
        let wrapped: usize = self
            .outcome
            .iter()
            .map(|l| {
                Paragraph::new(l.text(ctx.lang))
                    .wrap(Wrap { trim: true })
                    .line_count(area.width)
            })
            .sum();
        let outcome_height = (wrapped.max(1) as u16 + 1).min(area.height / 2);
        let [top, tabs, list, outcome] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(outcome_height),
        ])
        .areas(area);
        self.render_top(top, buf, ctx);
        self.render_tabs(tabs, buf, ctx);
        match self.part {
            Part::Bundles => self.render_bundles(list, buf, ctx),
            Part::Devices => self.render_devices(list, buf, ctx),
            Part::Conflicts => self.render_conflicts(list, buf, ctx),
        }
        self.render_outcome(outcome, buf, ctx);
        None
    }
}

impl SyncScreen {
    fn clamp_cursors(&mut self) {
        for part in Part::ALL {
            let len = self.len(part);
            self.cursor(part).clamp(len);
        }
    }

    fn render_top(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx) {
        let theme = ctx.theme;
        let role = match ctx.joined_ward {
            Some(w) => crate::i18n::tf(ctx.lang, "sync.role_ward", &[("ward", &w)]),
            None => ctx.t("sync.role_supervisor").to_string(),
        };
        let folder = ctx
            .exchange_folder
            .map(|f| f.display().to_string())
            .unwrap_or_else(|| ctx.t("settings.no_folder").to_string());
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled(format!("{}: ", ctx.t("settings.device")), theme.label()),
                Span::raw(format!("{} · {role}", ctx.fingerprint)),
            ]),
            Line::from(vec![
                Span::styled(
                    format!("{}: ", ctx.t("field.exchange_folder")),
                    theme.label(),
                ),
                Span::raw(folder),
                Span::styled(
                    format!("   (f {})", ctx.t("key.choose_folder")),
                    theme.muted(),
                ),
            ]),
            hub_line(ctx, true, area.width),
        ])
        .render(area, buf);
    }

    fn render_tabs(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx) {
        let theme = ctx.theme;
        let bundles = self.len(Part::Bundles);
        let labels = [
            (
                Part::Bundles,
                crate::i18n::tf(ctx.lang, "sync.tab_bundles", &[("count", &bundles)]),
            ),
            (
                Part::Devices,
                crate::i18n::tf(
                    ctx.lang,
                    "sync.tab_devices",
                    &[("count", &self.known.len()), ("waiting", &self.waiting())],
                ),
            ),
            (
                Part::Conflicts,
                crate::i18n::tf(
                    ctx.lang,
                    "sync.tab_conflicts",
                    &[("count", &self.open_conflicts.len())],
                ),
            ),
        ];
        let mut spans = Vec::new();
        for (part, label) in labels {
            let active = part == self.part;
            let style = if active {
                theme.tab_active()
            } else if (part == Part::Devices && self.waiting() > 0)
                || (part == Part::Conflicts && !self.open_conflicts.is_empty())
            {
                theme.warning()
            } else {
                theme.label()
            };
            spans.push(Span::styled(format!(" {label} "), style));
            spans.push(Span::raw(" "));
        }
        Paragraph::new(Line::from(spans)).render(area, buf);
    }

    fn render_bundles(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx) {
        let found = &self.found;
        if let Some(detail) = &self.folder_error {
            let folder = ctx
                .exchange_folder
                .map(|f| f.display().to_string())
                .unwrap_or_default();
            let text = crate::i18n::tf(
                ctx.lang,
                "sync.cannot_read",
                &[("path", &folder), ("detail", detail)],
            );
            Paragraph::new(text)
                .style(ctx.theme.error())
                .wrap(Wrap { trim: true })
                .render(area, buf);
            return;
        }
        if found.is_empty() {
            let key = if ctx.exchange_folder.is_some() {
                "sync.folder_empty"
            } else {
                "sync.choose_folder_first"
            };
            return note(ctx.t(key), area, buf, ctx);
        }
        let state = |name: &str| {
            let worst = self
                .outcome
                .iter()
                .filter(|l| l.file.as_deref() == Some(name))
                .map(|l| l.state)
                .max()?;
            Some(match worst {
                LineState::Refused => ("sync.state_refused", ctx.theme.error()),
                LineState::Look => ("sync.state_look", ctx.theme.warning()),
                LineState::Already => ("sync.state_already", ctx.theme.muted()),
                LineState::Done => ("sync.state_received", ctx.theme.good()),
            })
        };
        render_table(
            area,
            buf,
            ["sync.col_file", "sync.col_size", "sync.col_result"]
                .iter()
                .map(|k| ctx.t(k).to_string())
                .collect(),
            &[
                Constraint::Fill(1),
                Constraint::Length(9),
                Constraint::Length(16),
            ],
            found.len(),
            &self.bundles,
            true,
            ctx.theme,
            |i| {
                let f = &found[i];
                let state = state(&f.name).map(|(word, style)| Span::styled(ctx.t(word), style));
                vec![
                    Cell::from(f.name.clone()),
                    Cell::from(size(f.bytes)),
                    Cell::from(state.unwrap_or_default()),
                ]
            },
            |_| Style::new(),
        );
    }

    fn render_devices(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx) {
        if self.known.is_empty() {
            let key = if ctx.joined_ward.is_some() {
                "sync.no_devices_ward"
            } else {
                "sync.no_devices"
            };
            return note(ctx.t(key), area, buf, ctx);
        }
        render_table(
            area,
            buf,
            [
                "sync.col_fingerprint",
                "col.ward",
                "sync.col_state",
                "sync.col_last_bundle",
            ]
            .iter()
            .map(|k| ctx.t(k).to_string())
            .collect(),
            &[
                Constraint::Length(20),
                Constraint::Fill(1),
                Constraint::Length(16),
                Constraint::Length(17),
            ],
            self.known.len(),
            &self.devices,
            true,
            ctx.theme,
            |i| {
                let d = &self.known[i];
                let ward = match &d.public.ward {
                    Some(w) => ctx.snap.ward_name(w).to_string(),
                    None => ctx.t("sync.role_supervisor").to_string(),
                };
                let state = if d.accepted {
                    "sync.state_accepted"
                } else {
                    "sync.state_waiting"
                };
                vec![
                    Cell::from(d.public.fingerprint()),
                    Cell::from(ward),
                    Cell::from(ctx.t(state)),
                    Cell::from(
                        d.last_bundle_at
                            .map(when)
                            .unwrap_or_else(|| ctx.t("sync.never").to_string()),
                    ),
                ]
            },
            |i| {
                if self.known[i].accepted {
                    Style::new()
                } else {
                    ctx.theme.warning()
                }
            },
        );
    }

    fn render_conflicts(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx) {
        if self.open_conflicts.is_empty() {
            return note(ctx.t("sync.no_conflicts"), area, buf, ctx);
        }
        render_table(
            area,
            buf,
            ["col.kind", "col.code", "col.name", "col.ward"]
                .iter()
                .map(|k| ctx.t(k).to_string())
                .collect(),
            &[
                Constraint::Length(16),
                Constraint::Length(9),
                Constraint::Fill(1),
                Constraint::Length(14),
            ],
            self.open_conflicts.len(),
            &self.conflicts,
            true,
            ctx.theme,
            |i| {
                let c = &self.open_conflicts[i];
                vec![
                    Cell::from(ctx.t(c.kind)),
                    Cell::from(c.code.clone()),
                    Cell::from(c.name.clone()),
                    Cell::from(ctx.snap.ward_name(&c.ward).to_string()),
                ]
            },
            |_| Style::new(),
        );
    }

    fn render_outcome(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx) {
        let theme = ctx.theme;
        let mut lines = vec![Line::styled(ctx.t("sync.last_exchange"), theme.label())];
        if self.outcome.is_empty() {
            lines.push(Line::styled(ctx.t("sync.no_exchange_yet"), theme.muted()));
        }
        for l in &self.outcome {
            let style = match l.state {
                LineState::Refused => theme.error(),
                LineState::Look => theme.warning(),
                _ => Style::new(),
            };
            lines.push(Line::styled(l.text(ctx.lang).to_string(), style));
        }
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .render(area, buf);
    }
}

/// What a part says when it has nothing to list.
fn note(text: &str, area: Rect, buf: &mut Buffer, ctx: &Ctx) {
    Paragraph::new(text)
        .style(ctx.theme.muted())
        .wrap(Wrap { trim: true })
        .render(area, buf);
}

fn conflict_row(store: &Store, record: &RecordRef) -> ConflictRow {
    let snap = store.snapshot();
    let person = record.id().and_then(|id| snap.person_of_record(id));
    let ward = match (person, record.kind) {
        (Some(p), _) => p.ward.clone(),
        (None, RecordKind::Ward) => String::from_utf8_lossy(&record.key).into_owned(),
        (None, _) => String::new(),
    };
    ConflictRow {
        record: record.clone(),
        kind: record.kind.label_key(),
        code: person.map(|p| p.code.clone()).unwrap_or_default(),
        name: person.map(|p| p.full_name.clone()).unwrap_or_default(),
        ward,
    }
}

pub use crate::domain::dates::format_local_time as when;

fn size(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{} KiB", bytes.div_ceil(1024))
    } else {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// Where the province hub is, if an address is kept (never its password), and the keys
/// for it (`with_sync`: also the one to exchange with it now) when they fit in `width`;
/// the footer and help list them too.
pub(crate) fn hub_line<'a>(ctx: &Ctx, with_sync: bool, width: u16) -> Line<'a> {
    let keys = ctx.t(if with_sync {
        "sync.hub_keys"
    } else {
        "settings.hub_key"
    });
    let address = match &ctx.hub_address {
        Some(shown) => shown.clone(),
        None => ctx.t("sync.no_hub").to_string(),
    };
    let mut line = Line::from(vec![
        Span::styled(format!("{}: ", ctx.t("field.hub_url")), ctx.theme.label()),
        Span::raw(address),
    ]);
    let keys = Span::styled(format!("   ({keys})"), ctx.theme.muted());
    if line.width() + keys.width() <= usize::from(width) {
        line.push_span(keys);
    }
    line
}
