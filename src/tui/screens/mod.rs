//! The screens, switched by number keys. Each owns its state and its keys, and draws
//! itself from that state and the snapshot without changing anything.

mod dashboard;
mod followups;
mod grants;
mod people;
mod person;
mod reports;
mod settings;
pub mod sync;

pub use person::Section;

use super::forms::FormPurpose;
use super::keymap::{Action, Cmd, Scope};
use super::theme::Theme;
use super::widgets::table::TableKey;
use crate::domain::{Id, Schedule, Snapshot};
use crate::i18n::Lang;
use crate::report::export::ExportKind;
use crate::store::Store;
use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};

/// What every screen may read while handling a key or drawing.
pub struct Ctx<'a> {
    pub snap: &'a Snapshot,
    pub today: NaiveDate,
    pub lang: Lang,
    pub theme: Theme,
    /// Changes whenever the data does.
    pub version: u64,
    pub actor: &'a str,
    /// Who is signed in: what they may do decides what is offered.
    pub user: &'a crate::domain::User,
    pub schedule: &'a Schedule,
    /// When the last backup was made (Unix ms) and where backups go.
    pub last_backup: Option<i64>,
    pub backup_folder: Option<&'a std::path::Path>,
    /// Where bundles are sent and found.
    pub exchange_folder: Option<&'a std::path::Path>,
    /// Who and where the province hub address kept in Settings points at; never its
    /// password.
    pub hub_address: Option<String>,
    /// This database's fingerprint, the ward it joined (a ward laptop), and how many
    /// records are in conflict after exchanges.
    pub fingerprint: String,
    pub joined_ward: Option<&'a str>,
    pub conflicts: usize,
}

impl<'a> Ctx<'a> {
    pub fn new(store: &'a Store, lang: Lang, theme: Theme, version: u64) -> Ctx<'a> {
        Ctx {
            snap: store.snapshot(),
            today: store.today(),
            lang,
            theme,
            version,
            actor: store.actor(),
            user: store.user(),
            schedule: store.schedule(),
            last_backup: store.last_backup_at(),
            backup_folder: store.backup_folder(),
            exchange_folder: store.exchange_folder(),
            hub_address: store
                .hub_url()
                .ok()
                .flatten()
                .map(|url| crate::messages::hub_address_shown(&url).unwrap_or_default()),
            fingerprint: store.device_public().fingerprint(),
            joined_ward: store.joined_ward(),
            conflicts: store.visible_conflicts().len(),
        }
    }

    pub fn t(&self, key: &str) -> &'static str {
        crate::i18n::t(self.lang, key)
    }
}

/// What a screen did with a key.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Not a key for this screen: the global keys get it.
    Ignored,
    /// Used, and nothing shown changed (↓ on the last row): nothing is redrawn.
    Unchanged,
    /// Used, with only the screen's own state changed: the screen is redrawn.
    Changed,
    /// Used, and the app must do something (open a form, save...).
    Do(Request),
}

impl From<TableKey> for Outcome {
    fn from(key: TableKey) -> Outcome {
        match key {
            TableKey::Ignored => Outcome::Ignored,
            TableKey::Unchanged => Outcome::Unchanged,
            TableKey::Changed => Outcome::Changed,
        }
    }
}

/// One screen: its state, its keys and its drawing. The app talks to every screen
/// through this, so adding a screen touches `Screens::get` and nothing else.
pub trait Screen {
    /// The scope whose keys apply now, and whether a text field has focus.
    fn scope(&self) -> (Scope, bool);
    /// Recomputes what the screen derives from the data (cheap when nothing changed).
    fn refresh(&mut self, ctx: &Ctx);
    /// Reads what the screen shows from disk rather than from the snapshot (a person's
    /// history, the devices and conflicts of exchanges): here, once per change of
    /// `version`, never while drawing.
    fn load(&mut self, _store: &Store, _version: u64) {}
    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome;
    /// Draws from the state alone; returns where the text cursor goes, if anywhere.
    fn render(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx) -> Option<Position>;
    /// Whether `cmd` would do something now: the footer and `?` offer only those
    /// (no "approve" on a plan already approved).
    fn offers(&self, _cmd: Cmd, _ctx: &Ctx) -> bool {
        true
    }
    /// What `x` exports here: the list shown (with its ward filter), or None.
    fn export_target(&self) -> Option<(ExportKind, crate::report::Filter)> {
        None
    }
}

/// Things only the app can do.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    OpenForm(FormPurpose),
    OpenPerson(Id, Section),
    CloseForm,
    Status(&'static str),
    /// Ask a yes/no question (in the user's words), then carry out the request on yes.
    Confirm(String, Box<Request>),
    ApprovePlan(Id),
    /// Mark a person entered in error (true) or take the mark back (false).
    MarkEnteredInError(Id, bool),
    /// Save the open form although it looks like a person already here.
    SaveDespiteDuplicate,
    Quit,
    /// Back up into the chosen folder (asking for it the first time), then maybe quit.
    Backup {
        then_quit: bool,
    },
    /// Do this when the screen next has a moment (a progress line shows).
    Start(Box<super::app::Work>),
    /// Accept the device with this fingerprint (compared by phone) and merge what it sent.
    AcceptDevice(String),
    /// Resolve a conflict as chosen on its page.
    Resolve(crate::store::versions::RecordRef, crate::store::Resolution),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ScreenId {
    #[default]
    Dashboard,
    People,
    Grants,
    FollowUps,
    Reports,
    Settings,
    Sync,
}

impl ScreenId {
    pub const ALL: [ScreenId; 7] = [
        ScreenId::Dashboard,
        ScreenId::People,
        ScreenId::Grants,
        ScreenId::FollowUps,
        ScreenId::Reports,
        ScreenId::Settings,
        ScreenId::Sync,
    ];

    pub fn from_number(n: u8) -> Option<ScreenId> {
        Self::ALL.get((n as usize).checked_sub(1)?).copied()
    }

    pub fn title_key(self) -> &'static str {
        match self {
            ScreenId::Dashboard => "screen.dashboard",
            ScreenId::People => "screen.people",
            ScreenId::Grants => "screen.grants",
            ScreenId::FollowUps => "screen.followups",
            ScreenId::Reports => "screen.reports",
            ScreenId::Settings => "screen.settings",
            ScreenId::Sync => "screen.sync",
        }
    }
}

#[derive(Default)]
pub struct Screens {
    pub dashboard: dashboard::DashboardScreen,
    pub people: people::PeopleScreen,
    pub grants: grants::GrantsScreen,
    pub followups: followups::FollowUpsScreen,
    pub reports: reports::ReportsScreen,
    pub settings: settings::SettingsScreen,
    pub sync: sync::SyncScreen,
}

impl Screens {
    pub fn get(&self, screen: ScreenId) -> &dyn Screen {
        match screen {
            ScreenId::Dashboard => &self.dashboard,
            ScreenId::People => &self.people,
            ScreenId::Grants => &self.grants,
            ScreenId::FollowUps => &self.followups,
            ScreenId::Reports => &self.reports,
            ScreenId::Settings => &self.settings,
            ScreenId::Sync => &self.sync,
        }
    }

    pub fn get_mut(&mut self, screen: ScreenId) -> &mut dyn Screen {
        match screen {
            ScreenId::Dashboard => &mut self.dashboard,
            ScreenId::People => &mut self.people,
            ScreenId::Grants => &mut self.grants,
            ScreenId::FollowUps => &mut self.followups,
            ScreenId::Reports => &mut self.reports,
            ScreenId::Settings => &mut self.settings,
            ScreenId::Sync => &mut self.sync,
        }
    }
}

/// "3 of 120" style counters and other small helpers shared by list screens.
pub fn ward_filter_label(ctx: &Ctx, ward: &Option<String>) -> String {
    // An officer of one ward sees only it, whatever the filter says.
    match ward.as_ref().or(ctx.user.ward.as_ref()) {
        Some(code) => ctx.snap.ward_name(code).to_string(),
        None => ctx.t("filter.all_wards").to_string(),
    }
}

/// Cycles through None (all wards) and each ward code.
pub fn next_ward(ctx: &Ctx, current: &Option<String>) -> Option<String> {
    if ctx.user.ward.is_some() {
        return current.clone(); // one ward only: nothing to cycle through
    }
    let codes: Vec<&String> = ctx
        .snap
        .wards_in_order()
        .into_iter()
        .map(|w| &w.code)
        .collect();
    match current {
        None => codes.first().map(|c| (*c).clone()),
        Some(c) => codes
            .iter()
            .position(|x| *x == c)
            .and_then(|i| codes.get(i + 1))
            .map(|c| (*c).clone()),
    }
}
