//! The one key table: it turns terminal keys into actions, and the same table feeds
//! the footer hints and the `?` help, so help never goes stale.

use crate::domain::Permission;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key means, independent of which key it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cmd {
    Quit,
    Help,
    Back,
    Screen(u8),
    ToggleLanguage,
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    Left,
    Right,
    NextField,
    PrevField,
    Open,
    New,
    Edit,
    Search,
    Save,
    Backspace,
    Delete,
    ClearInput,
    CycleWard,
    CycleKind,
    CycleFilter,
    Export,
    RecordVisit,
    MarkMissed,
    Approve,
    AddReferral,
    Toggle,
    Yes,
    No,
    Sort,
    Backup,
    /// A date field: today, the next day, the day before.
    Today,
    NextDay,
    PrevDay,
    /// A question's default answer: the one that loses nothing.
    DefaultAnswer,
    /// The sync screen: write bundles into the exchange folder, receive the ones there,
    /// accept a waiting device, choose the folder.
    /// A grant's handover record, as a PDF to print.
    Print,
    SendBundles,
    ReceiveBundles,
    AcceptDevice,
    ChooseFolder,
    /// Exchange with the province hub now: pull, then push.
    SyncHub,
    /// Keep the province hub's address in Settings.
    HubAddress,
}

/// What the app is asked to do: a command, typed text, or a redraw after a resize.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Cmd(Cmd),
    Input(char),
    Paste(String),
    Resize,
}

/// Where a binding applies. `Global` applies everywhere no text field has focus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Global,
    Dashboard,
    People,
    Person,
    Grants,
    FollowUps,
    Reports,
    Settings,
    Sync,
    /// A record in conflict, opened from the sync screen.
    Conflict,
    Form,
    /// The focused field of a form, by kind: its keys come before the form's.
    TextField,
    DateField,
    ChoiceField,
    ToggleField,
    Confirm,
    Search,
    /// The `?` popup: it scrolls, and any of its close keys closes it.
    Help,
    /// A message popup: any key closes it (the table names the usual ones for the footer).
    Message,
}

impl Scope {
    /// A form, whichever field has focus.
    pub fn is_form(self) -> bool {
        matches!(
            self,
            S::Form | S::TextField | S::DateField | S::ChoiceField | S::ToggleField
        )
    }

    /// The scopes whose keys apply, most specific first: a date field edits as text too.
    fn layers(self) -> &'static [Scope] {
        match self {
            S::TextField | S::Form => &[S::TextField, S::Form],
            S::DateField => &[S::DateField, S::TextField, S::Form],
            S::ChoiceField => &[S::ChoiceField, S::Form],
            S::ToggleField => &[S::ToggleField, S::Form],
            S::Global => &[S::Global],
            S::Dashboard => &[S::Dashboard],
            S::People => &[S::People],
            S::Person => &[S::Person],
            S::Grants => &[S::Grants],
            S::FollowUps => &[S::FollowUps],
            S::Reports => &[S::Reports],
            S::Settings => &[S::Settings],
            S::Sync => &[S::Sync],
            S::Conflict => &[S::Conflict],
            S::Confirm => &[S::Confirm],
            S::Search => &[S::Search],
            S::Help => &[S::Help],
            S::Message => &[S::Message],
        }
    }
}

pub struct Binding {
    pub code: KeyCode,
    pub mods: KeyModifiers,
    pub cmd: Cmd,
    pub scope: Scope,
    /// How the key is written in hints and help.
    pub label: &'static str,
    /// i18n key of what it does.
    pub help: &'static str,
    /// Shown in the footer, not only in `?` help.
    pub footer: bool,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

const fn bind(
    code: KeyCode,
    mods: KeyModifiers,
    cmd: Cmd,
    scope: Scope,
    label: &'static str,
    help: &'static str,
    footer: bool,
) -> Binding {
    Binding {
        code,
        mods,
        cmd,
        scope,
        label,
        help,
        footer,
    }
}

use Cmd as C;
use KeyCode as K;
use Scope as S;

/// Every key binding. Order matters for hints: the footer lists them as written here.
#[rustfmt::skip]
pub static BINDINGS: &[Binding] = &[
    // Screen-specific first, so they show first in the footer.
    bind(K::Char('/'), NONE, C::Search, S::People, "/", "key.search", true),
    bind(K::Enter, NONE, C::Open, S::People, "Enter", "key.open_person", true),
    bind(K::Char('n'), NONE, C::New, S::People, "n", "key.new_person", true),
    bind(K::Char('e'), NONE, C::Edit, S::People, "e", "key.edit_person", false),
    bind(K::Char('s'), NONE, C::Sort, S::People, "s", "key.sort", false),
    bind(K::Char('w'), NONE, C::CycleWard, S::People, "w", "key.cycle_ward", false),
    bind(K::Tab, NONE, C::NextField, S::Person, "Tab", "key.next_section", true),
    bind(K::BackTab, SHIFT, C::PrevField, S::Person, "Shift+Tab", "key.prev_section", false),
    bind(K::Right, NONE, C::Right, S::Person, "→", "key.next_section", false),
    bind(K::Left, NONE, C::Left, S::Person, "←", "key.prev_section", false),
    bind(K::Enter, NONE, C::Open, S::Person, "Enter", "key.open_item", true),
    bind(K::Char('n'), NONE, C::New, S::Person, "n", "key.new_item", true),
    bind(K::Char('e'), NONE, C::Edit, S::Person, "e", "key.edit_person", true),
    bind(K::Char('v'), NONE, C::RecordVisit, S::Person, "v", "key.record_visit", true),
    bind(K::Char('a'), NONE, C::Approve, S::Person, "a", "key.approve_plan", true),
    bind(K::Char('r'), NONE, C::AddReferral, S::Person, "r", "key.add_referral", false),
    bind(K::Char('p'), NONE, C::Print, S::Person, "p", "key.print_handover", false),
    bind(K::Delete, NONE, C::Delete, S::Person, "Del", "key.mark_error", false),
    bind(K::Char('/'), NONE, C::Search, S::Grants, "/", "key.search", true),
    bind(K::Enter, NONE, C::Open, S::Grants, "Enter", "key.open_grant", true),
    bind(K::Char('w'), NONE, C::CycleWard, S::Grants, "w", "key.cycle_ward", true),
    bind(K::Char('k'), NONE, C::CycleKind, S::Grants, "k", "key.cycle_kind", true),
    bind(K::Char('/'), NONE, C::Search, S::FollowUps, "/", "key.search", true),
    bind(K::Enter, NONE, C::RecordVisit, S::FollowUps, "Enter", "key.record_visit", true),
    bind(K::Char('d'), NONE, C::RecordVisit, S::FollowUps, "d", "key.record_visit", false),
    bind(K::Char('m'), NONE, C::MarkMissed, S::FollowUps, "m", "key.mark_missed", true),
    bind(K::Char('o'), NONE, C::Open, S::FollowUps, "o", "key.open_person", false),
    bind(K::Char('w'), NONE, C::CycleWard, S::FollowUps, "w", "key.cycle_ward", true),
    bind(K::Char('f'), NONE, C::CycleFilter, S::FollowUps, "f", "key.cycle_officer", false),
    bind(K::Char('k'), NONE, C::CycleKind, S::FollowUps, "k", "key.cycle_milestone_kind", false),
    bind(K::Char('w'), NONE, C::CycleWard, S::Dashboard, "w", "key.cycle_ward", true),
    bind(K::Tab, NONE, C::NextField, S::Dashboard, "Tab", "key.charts", true),
    bind(K::Tab, NONE, C::NextField, S::Reports, "Tab", "key.next_report", true),
    bind(K::BackTab, SHIFT, C::PrevField, S::Reports, "Shift+Tab", "key.prev_report", false),
    bind(K::Char('w'), NONE, C::CycleWard, S::Reports, "w", "key.cycle_ward", false),
    bind(K::Char('p'), NONE, C::CycleFilter, S::Reports, "p", "key.cycle_period", false),
    bind(K::Left, NONE, C::Left, S::Reports, "←/→", "key.step_period", false),
    bind(K::Enter, NONE, C::Open, S::Reports, "Enter", "key.open_person", true),
    bind(K::Char('a'), NONE, C::Approve, S::Reports, "a", "key.approve_plan", true),
    bind(K::Char('n'), NONE, C::New, S::Settings, "n", "key.new_ward", true),
    bind(K::Enter, NONE, C::Open, S::Settings, "Enter", "key.edit_setting", true),
    bind(K::Char('e'), NONE, C::Edit, S::Settings, "e", "key.edit_ward", false),
    bind(K::Char('b'), NONE, C::Backup, S::Settings, "b", "key.backup", true),
    bind(K::Tab, NONE, C::NextField, S::Settings, "Tab", "key.next_section", true),
    bind(K::Char('u'), NONE, C::HubAddress, S::Settings, "u", "key.hub_address", false),
    bind(K::Char('s'), NONE, C::SendBundles, S::Sync, "s", "key.send_bundles", true),
    bind(K::Char('r'), NONE, C::ReceiveBundles, S::Sync, "r", "key.receive_bundles", true),
    bind(K::Enter, NONE, C::Open, S::Sync, "Enter", "key.sync_open", true),
    bind(K::Char('a'), NONE, C::AcceptDevice, S::Sync, "a", "key.accept_device", false),
    bind(K::Char('f'), NONE, C::ChooseFolder, S::Sync, "f", "key.choose_folder", false),
    bind(K::Char('h'), NONE, C::SyncHub, S::Sync, "h", "key.sync_hub", true),
    bind(K::Char('u'), NONE, C::HubAddress, S::Sync, "u", "key.hub_address", false),
    bind(K::Tab, NONE, C::NextField, S::Sync, "Tab", "key.next_section", true),
    bind(K::BackTab, SHIFT, C::PrevField, S::Sync, "Shift+Tab", "key.prev_section", false),
    bind(K::Right, NONE, C::Right, S::Conflict, "←/→", "key.choose_version", true),
    bind(K::Left, NONE, C::Left, S::Conflict, "←", "key.choose_version", false),
    bind(K::Enter, NONE, C::Open, S::Conflict, "Enter", "key.resolve", true),
    bind(K::Esc, NONE, C::Back, S::Conflict, "Esc", "key.back_to_list", true),
    // Forms.
    bind(K::Char('s'), CTRL, C::Save, S::Form, "Ctrl+S", "key.save", true),
    bind(K::F(2), NONE, C::Save, S::Form, "F2", "key.save", false),
    bind(K::Tab, NONE, C::NextField, S::Form, "Tab", "key.next_field", true),
    bind(K::BackTab, SHIFT, C::PrevField, S::Form, "Shift+Tab", "key.prev_field", false),
    bind(K::Enter, NONE, C::NextField, S::Form, "Enter", "key.next_field", false),
    bind(K::Down, NONE, C::NextField, S::Form, "↓", "key.next_field", false),
    bind(K::Up, NONE, C::PrevField, S::Form, "↑", "key.prev_field", false),
    bind(K::Esc, NONE, C::Back, S::Form, "Esc", "key.cancel", true),
    // The focused field of a form; printable keys not listed here are typed.
    bind(K::Char('t'), NONE, C::Today, S::DateField, "t", "key.today", true),
    bind(K::Char('+'), NONE, C::NextDay, S::DateField, "+", "key.next_day", true),
    bind(K::Char('-'), NONE, C::PrevDay, S::DateField, "-", "key.prev_day", true),
    bind(K::Left, NONE, C::Left, S::TextField, "←", "key.cursor_left", false),
    bind(K::Right, NONE, C::Right, S::TextField, "→", "key.cursor_right", false),
    bind(K::Home, NONE, C::First, S::TextField, "Home", "key.line_start", false),
    bind(K::Char('a'), CTRL, C::First, S::TextField, "Ctrl+A", "key.line_start", false),
    bind(K::End, NONE, C::Last, S::TextField, "End", "key.line_end", false),
    bind(K::Char('e'), CTRL, C::Last, S::TextField, "Ctrl+E", "key.line_end", false),
    bind(K::Backspace, NONE, C::Backspace, S::TextField, "Backspace", "key.backspace", false),
    bind(K::Char('h'), CTRL, C::Backspace, S::TextField, "Ctrl+H", "key.backspace", false),
    bind(K::Delete, NONE, C::Delete, S::TextField, "Del", "key.delete", false),
    bind(K::Char('u'), CTRL, C::ClearInput, S::TextField, "Ctrl+U", "key.clear_field", true),
    bind(K::Left, NONE, C::Left, S::ChoiceField, "←", "key.choose_prev", true),
    bind(K::Right, NONE, C::Right, S::ChoiceField, "→", "key.choose_next", true),
    bind(K::Char(' '), NONE, C::Toggle, S::ChoiceField, "Space", "key.choose_next", false),
    bind(K::Backspace, NONE, C::Backspace, S::ChoiceField, "Backspace", "key.backspace", false),
    bind(K::Char(' '), NONE, C::Toggle, S::ToggleField, "Space", "key.toggle", true),
    bind(K::Left, NONE, C::Toggle, S::ToggleField, "←", "key.toggle", false),
    bind(K::Right, NONE, C::Toggle, S::ToggleField, "→", "key.toggle", false),
    bind(K::Char('y'), NONE, C::Yes, S::ToggleField, "y", "key.yes", true),
    bind(K::Char('c'), NONE, C::Yes, S::ToggleField, "c", "key.yes", false),
    bind(K::Char('x'), NONE, C::Yes, S::ToggleField, "x", "key.yes", false),
    bind(K::Char('n'), NONE, C::No, S::ToggleField, "n", "key.no", true),
    bind(K::Char('k'), NONE, C::No, S::ToggleField, "k", "key.no", false),
    // A yes/no question. Enter gives the default answer, the one that loses nothing.
    bind(K::Char('y'), NONE, C::Yes, S::Confirm, "y", "key.yes", true),
    bind(K::Char('c'), NONE, C::Yes, S::Confirm, "c", "key.yes", false),
    bind(K::Enter, NONE, C::DefaultAnswer, S::Confirm, "Enter", "key.default_answer", true),
    bind(K::Char('n'), NONE, C::No, S::Confirm, "n", "key.no", true),
    bind(K::Char('k'), NONE, C::No, S::Confirm, "k", "key.no", false),
    bind(K::Esc, NONE, C::Back, S::Confirm, "Esc", "key.cancel", false),
    // Search box.
    bind(K::Enter, NONE, C::Open, S::Search, "Enter", "key.search_done", true),
    bind(K::Esc, NONE, C::Back, S::Search, "Esc", "key.search_clear", true),
    bind(K::Down, NONE, C::Down, S::Search, "↓", "key.down", false),
    bind(K::Up, NONE, C::Up, S::Search, "↑", "key.up", false),
    // The help popup: it scrolls when it is longer than the screen.
    bind(K::Down, NONE, C::Down, S::Help, "↓", "key.scroll_down", true),
    bind(K::Up, NONE, C::Up, S::Help, "↑", "key.scroll_up", true),
    bind(K::Char('j'), NONE, C::Down, S::Help, "j", "key.scroll_down", false),
    bind(K::Char('k'), NONE, C::Up, S::Help, "k", "key.scroll_up", false),
    bind(K::PageDown, NONE, C::PageDown, S::Help, "PgDn", "key.page_down", false),
    bind(K::PageUp, NONE, C::PageUp, S::Help, "PgUp", "key.page_up", false),
    bind(K::Home, NONE, C::First, S::Help, "Home", "key.first", false),
    bind(K::End, NONE, C::Last, S::Help, "End", "key.last", false),
    bind(K::Esc, NONE, C::Back, S::Help, "Esc", "key.close", true),
    bind(K::Char('?'), NONE, C::Help, S::Help, "?", "key.close", false),
    bind(K::Char('q'), NONE, C::Back, S::Help, "q", "key.close", false),
    // A message: every key closes it; Enter and Esc are the ones to name.
    bind(K::Enter, NONE, C::Back, S::Message, "Enter", "key.close", true),
    bind(K::Esc, NONE, C::Back, S::Message, "Esc", "key.close", false),
    // Everywhere.
    bind(K::Char('1'), NONE, C::Screen(1), S::Global, "1-7", "key.screens", true),
    bind(K::Char('2'), NONE, C::Screen(2), S::Global, "2", "key.screens", false),
    bind(K::Char('3'), NONE, C::Screen(3), S::Global, "3", "key.screens", false),
    bind(K::Char('4'), NONE, C::Screen(4), S::Global, "4", "key.screens", false),
    bind(K::Char('5'), NONE, C::Screen(5), S::Global, "5", "key.screens", false),
    bind(K::Char('6'), NONE, C::Screen(6), S::Global, "6", "key.screens", false),
    bind(K::Char('7'), NONE, C::Screen(7), S::Global, "7", "key.screens", false),
    bind(K::Char('?'), NONE, C::Help, S::Global, "?", "key.help", true),
    bind(K::Char('L'), SHIFT, C::ToggleLanguage, S::Global, "L", "key.language", false),
    bind(K::Esc, NONE, C::Back, S::Global, "Esc", "key.back", false),
    bind(K::Char('q'), NONE, C::Quit, S::Global, "q", "key.quit", true),
    bind(K::Char('c'), CTRL, C::Quit, S::Global, "Ctrl+C", "key.quit", false),
    bind(K::Up, NONE, C::Up, S::Global, "↑", "key.up", false),
    bind(K::Down, NONE, C::Down, S::Global, "↓", "key.down", false),
    bind(K::Char('k'), NONE, C::Up, S::Global, "k", "key.up", false),
    bind(K::Char('j'), NONE, C::Down, S::Global, "j", "key.down", false),
    bind(K::PageUp, NONE, C::PageUp, S::Global, "PgUp", "key.page_up", false),
    bind(K::PageDown, NONE, C::PageDown, S::Global, "PgDn", "key.page_down", false),
    bind(K::Home, NONE, C::First, S::Global, "Home", "key.first", false),
    bind(K::End, NONE, C::Last, S::Global, "End", "key.last", false),
    bind(K::Left, NONE, C::Left, S::Global, "←", "key.left", false),
    bind(K::Right, NONE, C::Right, S::Global, "→", "key.right", false),
    bind(K::Char('x'), NONE, C::Export, S::Global, "x", "key.export", false),
];

impl Binding {
    /// What the signed-in user must be allowed to do for this key to be offered.
    pub fn needs(&self) -> Option<Permission> {
        needs(self.cmd, self.scope)
    }
}

pub fn needs(cmd: Cmd, scope: Scope) -> Option<Permission> {
    match (cmd, scope) {
        (Cmd::Approve, _) => Some(Permission::ApprovePlans),
        (Cmd::Delete, Scope::Person) => Some(Permission::MarkEnteredInError),
        (Cmd::New | Cmd::Open | Cmd::Edit, Scope::Settings) => Some(Permission::ManageSettings),
        (Cmd::AcceptDevice, _) => Some(Permission::ManageSettings),
        _ => None,
    }
}

fn matches(b: &Binding, key: &KeyEvent) -> bool {
    // Terminals disagree on whether Shift comes with an upper-case letter or BackTab.
    let mods = key.modifiers - SHIFT;
    let want = b.mods - SHIFT;
    b.code == key.code && mods == want
}

/// Resolves a key in a scope. With `text_focus`, the field's own keys come first
/// (`t` in a date, `y` on a yes/no), other printable keys are text, and only the
/// form's bindings (Tab, Enter, Esc, Ctrl+S...) still act as commands.
pub fn resolve(key: &KeyEvent, scope: Scope, text_focus: bool) -> Option<Action> {
    if text_focus {
        let found = |layer: &Scope| {
            BINDINGS
                .iter()
                .find(|b| b.scope == *layer && matches(b, key))
                .map(|b| Action::Cmd(b.cmd))
        };
        // A form: the field's layers, then the form; elsewhere (the search box): text
        // editing, then the scope's own keys.
        let (field, own): (&[Scope], &[Scope]) = match scope.layers().split_last() {
            Some((last, field)) if scope.is_form() => (field, std::slice::from_ref(last)),
            _ => (&[S::TextField], scope.layers()),
        };
        if let Some(action) = field.iter().find_map(found) {
            return Some(action);
        }
        if let K::Char(c) = key.code
            && !key.modifiers.intersects(CTRL | KeyModifiers::ALT)
        {
            return Some(Action::Input(c));
        }
        return own.iter().find_map(found);
    }
    let own = BINDINGS
        .iter()
        .find(|b| b.scope == scope && matches(b, key));
    let global = || {
        // Forms and questions are modal: screen switching and quitting do not reach through.
        if scope.is_form() || matches!(scope, S::Confirm | S::Help | S::Message) {
            return None;
        }
        BINDINGS
            .iter()
            .find(|b| b.scope == S::Global && matches(b, key))
    };
    own.or_else(global).map(|b| Action::Cmd(b.cmd))
}

fn modal(scope: Scope) -> bool {
    scope.is_form() || matches!(scope, S::Confirm | S::Search | S::Help | S::Message)
}

/// Whether a global binding is hidden in `scope` by one of the scope's own on the same
/// key (`k` filters by kind on the grants list, so it is not "up" there).
fn shadowed(b: &Binding, scope: Scope) -> bool {
    b.scope == S::Global
        && scope.layers().iter().any(|l| {
            BINDINGS
                .iter()
                .any(|own| own.scope == *l && own.code == b.code && own.mods == b.mods)
        })
}

/// One line of the `?` help: every key that does one thing, and what it does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelpLine {
    pub keys: Vec<&'static str>,
    pub cmd: Cmd,
    pub help: &'static str,
    pub needs: Option<Permission>,
}

/// The bindings to list for a scope: its own (for a form, the focused field's first),
/// then the global ones the scope does not take over.
pub fn help_for(scope: Scope) -> Vec<&'static Binding> {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    let mut out = Vec::new();
    let layers = scope.layers();
    let in_order = layers
        .iter()
        .flat_map(|l| BINDINGS.iter().filter(move |b| b.scope == *l))
        .chain(
            BINDINGS
                .iter()
                .filter(move |b| !modal(scope) && b.scope == S::Global),
        );
    for b in in_order {
        if b.scope == S::Global && b.help == "key.screens" && b.label != "1-7" {
            continue;
        }
        if shadowed(b, scope) || seen.contains(&(b.label, b.help)) {
            continue;
        }
        seen.push((b.label, b.help));
        out.push(b);
    }
    out
}

/// The help as lines, keys that do the same thing on one line ("↑ k  up"), so the
/// list stays short enough to read.
pub fn help_lines(scope: Scope) -> Vec<HelpLine> {
    let mut lines: Vec<HelpLine> = Vec::new();
    for b in help_for(scope) {
        match lines
            .iter_mut()
            .find(|l| l.help == b.help && l.needs == b.needs())
        {
            Some(line) => line.keys.push(b.label),
            None => lines.push(HelpLine {
                keys: vec![b.label],
                cmd: b.cmd,
                help: b.help,
                needs: b.needs(),
            }),
        }
    }
    lines
}

/// The few bindings the footer shows: for a form, what the focused field takes now.
pub fn footer_for(scope: Scope) -> Vec<&'static Binding> {
    let mut out: Vec<&Binding> = scope
        .layers()
        .iter()
        .flat_map(|l| BINDINGS.iter().filter(move |b| b.scope == *l && b.footer))
        .collect();
    let mut labels: Vec<&str> = out.iter().map(|b| b.help).collect();
    if !modal(scope) {
        for b in BINDINGS
            .iter()
            .filter(|b| b.scope == S::Global && b.footer && !shadowed(b, scope))
        {
            if !labels.contains(&b.help) {
                labels.push(b.help);
                out.push(b);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, NONE)
    }

    #[test]
    fn number_keys_switch_screens_but_type_digits_in_a_text_field() {
        assert_eq!(
            resolve(&key(K::Char('3')), S::People, false),
            Some(Action::Cmd(C::Screen(3)))
        );
        assert_eq!(
            resolve(&key(K::Char('3')), S::Form, true),
            Some(Action::Input('3'))
        );
    }

    #[test]
    fn q_quits_from_a_screen_but_not_from_a_text_field_or_a_form() {
        assert_eq!(
            resolve(&key(K::Char('q')), S::Grants, false),
            Some(Action::Cmd(C::Quit))
        );
        assert_eq!(
            resolve(&key(K::Char('q')), S::Search, true),
            Some(Action::Input('q'))
        );
        assert_eq!(resolve(&key(K::Char('q')), S::Form, false), None);
    }

    #[test]
    fn ctrl_s_saves_a_form_even_from_a_text_field() {
        let ctrl_s = KeyEvent::new(K::Char('s'), CTRL);
        assert_eq!(resolve(&ctrl_s, S::Form, true), Some(Action::Cmd(C::Save)));
    }

    #[test]
    fn a_fields_own_keys_come_first_and_other_letters_are_typed() {
        let t = key(K::Char('t'));
        assert_eq!(resolve(&t, S::DateField, true), Some(Action::Cmd(C::Today)));
        assert_eq!(resolve(&t, S::TextField, true), Some(Action::Input('t')));
        assert_eq!(resolve(&t, S::ChoiceField, true), Some(Action::Input('t')));
        let y = key(K::Char('y'));
        assert_eq!(resolve(&y, S::ToggleField, true), Some(Action::Cmd(C::Yes)));
        let ctrl_u = KeyEvent::new(K::Char('u'), CTRL);
        assert_eq!(
            resolve(&ctrl_u, S::DateField, true),
            Some(Action::Cmd(C::ClearInput))
        );
        assert_eq!(
            resolve(&ctrl_u, S::Search, true),
            Some(Action::Cmd(C::ClearInput))
        );
        assert_eq!(
            resolve(&key(K::Tab), S::DateField, true),
            Some(Action::Cmd(C::NextField))
        );
    }

    #[test]
    fn the_footer_shows_what_the_focused_field_takes() {
        let date: Vec<&str> = footer_for(S::DateField).iter().map(|b| b.label).collect();
        assert!(date.starts_with(&["t", "+", "-"]), "{date:?}");
        let text: Vec<&str> = footer_for(S::TextField).iter().map(|b| b.label).collect();
        assert!(
            !text.contains(&"t"),
            "no date keys on a text field: {text:?}"
        );
        let choice: Vec<&str> = footer_for(S::ChoiceField).iter().map(|b| b.label).collect();
        assert!(
            choice.contains(&"←") && !choice.contains(&"Ctrl+U"),
            "{choice:?}"
        );
    }

    #[test]
    fn enter_on_a_question_gives_its_default_answer() {
        assert_eq!(
            resolve(&key(K::Enter), S::Confirm, false),
            Some(Action::Cmd(C::DefaultAnswer))
        );
    }

    #[test]
    fn vietnamese_letters_are_text() {
        assert_eq!(
            resolve(&key(K::Char('ễ')), S::Form, true),
            Some(Action::Input('ễ'))
        );
    }

    #[test]
    fn every_binding_has_help_text_in_both_languages() {
        for b in BINDINGS {
            assert!(crate::i18n::has(b.help), "no text for {}", b.help);
        }
    }

    #[test]
    fn help_lists_the_screen_keys_and_the_global_ones_once() {
        let help = help_for(S::People);
        assert!(help.iter().any(|b| b.help == "key.search"));
        assert!(help.iter().any(|b| b.help == "key.quit"));
        assert_eq!(help.iter().filter(|b| b.help == "key.screens").count(), 1);
    }
}
