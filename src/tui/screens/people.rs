//! Screen 2: everyone in the programme, searchable as you type without diacritics,
//! and each person's page.

use super::person::{PersonPage, Section};
use super::{Ctx, Outcome, Request, Screen, next_ward, ward_filter_label};
use crate::domain::dates::format_date;
use crate::domain::{Dong, Id, Person};
use crate::report::Filter;
use crate::report::export::ExportKind;
use crate::text;
use crate::tui::forms::FormPurpose;
use crate::tui::keymap::{Action, Cmd, Scope};
use crate::tui::widgets::table::{SearchTable, TableKey, TableView};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Widget, Wrap};

#[derive(Default)]
pub struct PeopleScreen {
    /// The people shown, in order: filtered by search and ward.
    table: SearchTable<Id>,
    sort_by_name: bool,
    ward: Option<String>,
    /// Everyone, sorted; recomputed only when the data or the sort changes.
    sorted: Vec<Id>,
    /// Each sorted person's ward (an index into `ward_codes`) and folded search text,
    /// side by side in memory, so a keystroke scans one block instead of chasing
    /// 10,000 pointers.
    sorted_wards: Vec<u16>,
    ward_codes: Vec<String>,
    search_text: String,
    search_spans: Vec<(u32, u32)>,
    sorted_for: (u64, bool),
    filtered_for: (u64, bool, String, Option<String>),
    page: Option<PersonPage>,
}

/// A ward's place in the sorted list of codes; a code not in it (a person whose ward
/// was never added: `check` reports them) gets a place no real ward has.
fn ward_index(codes: &[String], code: &str) -> u16 {
    codes
        .binary_search_by(|c| c.as_str().cmp(code))
        .map_or(u16::MAX, |i| u16::try_from(i).unwrap_or(u16::MAX))
}

impl PeopleScreen {
    pub fn open_person(&mut self, id: Id, section: Section) {
        self.page = Some(PersonPage::new(id, section));
    }

    /// After a save, keep the saved person selected in the list.
    pub fn select_person(&mut self, id: Id) {
        self.table.select(id);
    }
}

impl Screen for PeopleScreen {
    fn export_target(&self) -> Option<(ExportKind, Filter)> {
        Some((ExportKind::People, Filter::ward(self.ward.as_deref())))
    }

    fn scope(&self) -> (Scope, bool) {
        if self.page.is_some() {
            (Scope::Person, false)
        } else if self.table.searching() {
            (Scope::Search, true)
        } else {
            (Scope::People, false)
        }
    }

    fn offers(&self, cmd: Cmd, ctx: &Ctx) -> bool {
        match &self.page {
            Some(page) => page.offers(cmd, ctx),
            None => match cmd {
                Cmd::Open | Cmd::Edit => self.table.selected().is_some(),
                // The list has no columns to move between.
                Cmd::Left | Cmd::Right => false,
                _ => true,
            },
        }
    }

    /// A person's history comes from the audit trail on disk.
    fn load(&mut self, store: &crate::store::Store, version: u64) {
        if let Some(page) = self.page.as_mut()
            && page.history_version != version
        {
            page.history = store.history_of(page.person).unwrap_or_default();
            page.history_version = version;
        }
    }

    fn refresh(&mut self, ctx: &Ctx) {
        if self.sorted_for != (ctx.version, self.sort_by_name) {
            let mut people: Vec<&Person> =
                ctx.snap.people.values().filter(|p| p.counts()).collect();
            if self.sort_by_name {
                let mut keyed: Vec<(Vec<u32>, &Person)> = people
                    .iter()
                    .map(|p| (text::name_sort_key(&p.full_name), *p))
                    .collect();
                keyed.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.code.cmp(&b.1.code)));
                people = keyed.into_iter().map(|(_, p)| p).collect();
            } else {
                people.sort_by(|a, b| a.code.cmp(&b.code));
            }
            // Into the same memory as before, emptied first: no second copy alongside.
            self.search_text.clear();
            self.search_spans.clear();
            self.search_spans.reserve_exact(people.len());
            self.sorted_wards.clear();
            self.sorted_wards.reserve_exact(people.len());
            self.ward_codes = ctx.snap.wards.keys().cloned().collect();
            for p in &people {
                let start = self.search_text.len() as u32;
                self.search_text.push_str(ctx.snap.search_key(p.id));
                self.search_spans
                    .push((start, self.search_text.len() as u32));
                self.sorted_wards
                    .push(ward_index(&self.ward_codes, &p.ward));
            }
            self.sorted = people.into_iter().map(|p| p.id).collect();
            self.sorted_for = (ctx.version, self.sort_by_name);
        }
        let query = self.table.query();
        let key = (
            ctx.version,
            self.sort_by_name,
            query.clone(),
            self.ward.clone(),
        );
        if self.filtered_for != key {
            let ward = self
                .ward
                .as_deref()
                .map(|w| ward_index(&self.ward_codes, w));
            let rows = (0..self.sorted.len())
                .filter(|&i| ward.is_none_or(|w| self.sorted_wards[i] == w))
                .filter(|&i| {
                    let (start, end) = self.search_spans[i];
                    query.is_empty()
                        || text::matches_folded(
                            &self.search_text[start as usize..end as usize],
                            &query,
                        )
                })
                .map(|i| self.sorted[i])
                .collect();
            self.table.set_rows(rows);
            self.filtered_for = key;
        }
        if let Some(page) = &self.page
            && !ctx.snap.people.contains_key(&page.person)
        {
            self.page = None;
        }
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        if let Some(page) = &mut self.page {
            if action == &Action::Cmd(Cmd::Back) {
                self.page = None;
                return Outcome::Changed;
            }
            return page.handle(action, ctx);
        }
        let used = self.table.handle(action);
        if used != TableKey::Ignored || self.table.searching() {
            return used.into();
        }
        let Action::Cmd(cmd) = action else {
            return Outcome::Ignored;
        };
        match cmd {
            Cmd::Open => match self.table.selected() {
                Some(id) => {
                    self.open_person(id, Section::first_useful(ctx.snap, id));
                    Outcome::Changed
                }
                None => Outcome::Ignored,
            },
            Cmd::New if ctx.snap.wards.is_empty() => {
                Outcome::Do(Request::OpenForm(FormPurpose::Ward(None)))
            }
            Cmd::New => Outcome::Do(Request::OpenForm(FormPurpose::Person(None))),
            Cmd::Edit => match self.table.selected() {
                Some(id) => Outcome::Do(Request::OpenForm(FormPurpose::Person(Some(id)))),
                None => Outcome::Ignored,
            },
            Cmd::Sort => {
                self.sort_by_name = !self.sort_by_name;
                Outcome::Changed
            }
            Cmd::CycleWard => {
                self.ward = next_ward(ctx, &self.ward);
                Outcome::Changed
            }
            Cmd::Back if self.table.has_query() || self.ward.is_some() => {
                self.table.clear_query();
                self.ward = None;
                Outcome::Changed
            }
            _ => Outcome::Ignored,
        }
    }

    fn render(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx) -> Option<Position> {
        if let Some(page) = &self.page {
            return page.render(area, buf, ctx);
        }
        if ctx.snap.people.is_empty() {
            render_first_start(area, buf, ctx);
            return None;
        }
        // Every column from 110 wide; the status from 95 (it is on the person's page too);
        // at 80 the name keeps room for a Vietnamese full name.
        let wide = area.width >= 110;
        let with_status = area.width >= 95;
        let mut columns: Vec<(&str, Constraint)> = vec![
            ("col.code", Constraint::Length(7)),
            ("col.name", Constraint::Fill(2)),
            // As wide as the longest sex label ("Female"), and a short group header
            // when narrow: a header or label is never cut off.
            (
                "col.sex",
                Constraint::Length(label_width(ctx, "col.sex", &sex_keys())),
            ),
            (
                "col.birth_year",
                Constraint::Length(if wide { 8 } else { 4 }),
            ),
            ("col.ward", Constraint::Length(if wide { 12 } else { 10 })),
            (
                if wide {
                    "col.target"
                } else {
                    "col.target_short"
                },
                if wide {
                    Constraint::Fill(1)
                } else {
                    Constraint::Length(10)
                },
            ),
        ];
        if with_status {
            columns.push(("col.status", Constraint::Length(if wide { 13 } else { 11 })));
        }
        // "dd/mm/yyyy !" for an overdue one.
        columns.push((
            "col.next_follow_up",
            Constraint::Length(if wide { 16 } else { 12 }),
        ));
        let theme = ctx.theme;
        let right = self.search_summary(ctx);
        let view = TableView {
            label: ctx.t("people.search"),
            hint: ctx.t("people.search_hint"),
            right: &right,
            empty: vec![Line::styled(ctx.t("people.no_match"), theme.muted())],
            header: columns.iter().map(|(k, _)| ctx.t(k).to_string()).collect(),
            widths: columns.iter().map(|(_, w)| *w).collect(),
        };
        self.table.render(
            area,
            buf,
            theme,
            view,
            |id| {
                let Some(p) = ctx.snap.people.get(&id) else {
                    return vec![];
                };
                let next = ctx.snap.next_follow_up(p.id);
                let next_cell = match next {
                    Some(m) if m.is_overdue(ctx.today) => Cell::from(Span::styled(
                        format!("{} !", format_date(m.due_on)),
                        theme.warning(),
                    )),
                    Some(m) => Cell::from(format_date(m.due_on)),
                    None => Cell::from(Span::styled("—", theme.muted())),
                };
                let group = p
                    .primary_group()
                    .map(|g| ctx.t(g.short_key()))
                    .unwrap_or("");
                let mut cells = vec![
                    Cell::from(p.code.clone()),
                    Cell::from(p.full_name.clone()),
                    Cell::from(ctx.t(p.sex.key())),
                    Cell::from(p.birth_year.to_string()),
                    Cell::from(ctx.snap.ward_name(&p.ward).to_string()),
                    Cell::from(group),
                ];
                if with_status {
                    cells.push(Cell::from(ctx.t(p.status.key())));
                }
                cells.push(next_cell);
                cells
            },
            |_| Style::new(),
        )
    }
}

impl PeopleScreen {
    /// "ward · sorted by · 3 of 120 people", right of the search line.
    fn search_summary(&self, ctx: &Ctx) -> String {
        let count = crate::i18n::tf(
            ctx.lang,
            "people.count",
            &[
                ("shown", &Dong(self.table.rows().len() as i64).grouped()),
                // People entered in error are in no list: the total counts the rest.
                ("total", &Dong(self.sorted.len() as i64).grouped()),
            ],
        );
        let sort = ctx.t(if self.sort_by_name {
            "people.sorted_by_name"
        } else {
            "people.sorted_by_code"
        });
        format!(
            "{}  ·  {}  ·  {}",
            ward_filter_label(ctx, &self.ward),
            sort,
            count
        )
    }
}

/// A new, empty database: say what to do first instead of showing empty tables.
fn render_first_start(area: Rect, buf: &mut Buffer, ctx: &Ctx) {
    let theme = ctx.theme;
    let mut lines = vec![
        Line::styled(ctx.t("welcome.title"), theme.title()),
        Line::from(""),
    ];
    let step = |n: &str, key: &str| {
        Line::from(vec![
            Span::styled(format!(" {n}. "), theme.key()),
            Span::raw(ctx.t(key).to_string()),
        ])
    };
    if ctx.snap.wards.is_empty() {
        lines.push(step("1", "welcome.add_ward"));
        lines.push(step("2", "welcome.add_person"));
    } else {
        lines.push(step("1", "welcome.add_person"));
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(ctx.t("welcome.import"), theme.muted()));
    lines.push(Line::styled(ctx.t("welcome.demo"), theme.muted()));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(area, buf);
}

fn sex_keys() -> Vec<&'static str> {
    crate::domain::Sex::ALL.iter().map(|s| s.key()).collect()
}

/// The width of the widest of a column's header and labels, in this language.
fn label_width(ctx: &Ctx, header: &str, labels: &[&str]) -> u16 {
    labels
        .iter()
        .chain(std::iter::once(&header))
        .map(|k| text::width(ctx.t(k)))
        .max()
        .unwrap_or(4) as u16
}
