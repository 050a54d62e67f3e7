//! Screen 4: the officer's work list. Overdue visits first (most overdue on top), then
//! those due this week, then open referrals, then later visits. A visit is recorded from
//! here in a few keys: Enter, (answers), Ctrl+S.

use super::person::{Section, milestone_status_text};
use super::{Ctx, Outcome, Request, Screen, next_ward, ward_filter_label};
use crate::domain::dates::format_date;
use crate::domain::{Id, MilestoneKind};
use crate::i18n::tf;
use crate::report::Filter;
use crate::report::export::ExportKind;
use crate::text;
use crate::tui::forms::FormPurpose;
use crate::tui::keymap::{Action, Cmd, Scope};
use crate::tui::widgets::list::columns;
use crate::tui::widgets::table::{SearchTable, TableKey, TableView};
use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Cell;

/// A line of the work list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum WorkItem {
    Visit(Id),
    Referral(Id),
}

/// Which group a line belongs to, in the order the list shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Urgency {
    Overdue,
    ThisWeek,
    OpenReferral,
    Later,
}

/// What the kind filter cycles through: every milestone kind, then referrals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KindFilter {
    Milestone(MilestoneKind),
    Referrals,
}

#[derive(Default)]
pub struct FollowUpsScreen {
    table: SearchTable<WorkItem>,
    ward: Option<String>,
    officer: Option<String>,
    kind: Option<KindFilter>,
    /// The lines with the group and the order within it they are sorted by: kept
    /// between refreshes so a new list reuses the memory of the last.
    keyed: Vec<(Urgency, i64, WorkItem)>,
    overdue: usize,
    this_week: usize,
    computed_for: (
        u64,
        String,
        Option<String>,
        Option<String>,
        Option<KindFilter>,
        NaiveDate,
    ),
}

impl Screen for FollowUpsScreen {
    fn export_target(&self) -> Option<(ExportKind, Filter)> {
        Some((ExportKind::Milestones, Filter::ward(self.ward.as_deref())))
    }

    fn scope(&self) -> (Scope, bool) {
        if self.table.searching() {
            (Scope::Search, true)
        } else {
            (Scope::FollowUps, false)
        }
    }

    /// Recording, missing and opening need a line; `m` needs a visit, not a referral.
    fn offers(&self, cmd: Cmd, _ctx: &Ctx) -> bool {
        match cmd {
            Cmd::RecordVisit | Cmd::Open => self.table.selected().is_some(),
            Cmd::MarkMissed => matches!(self.table.selected(), Some(WorkItem::Visit(_))),
            Cmd::Left | Cmd::Right => false,
            _ => true,
        }
    }

    fn refresh(&mut self, ctx: &Ctx) {
        let query = self.table.query();
        let key = (
            ctx.version,
            query.clone(),
            self.ward.clone(),
            self.officer.clone(),
            self.kind,
            ctx.today,
        );
        if self.computed_for == key {
            return;
        }
        let today = ctx.today;
        let person_ok = |person: Id| {
            let p = ctx.snap.people.get(&person);
            p.is_some_and(|p| p.counts())
                && self
                    .ward
                    .as_deref()
                    .is_none_or(|w| p.is_some_and(|p| p.ward == w))
                && (query.is_empty() || text::matches_folded(ctx.snap.search_key(person), &query))
        };
        // At 10,000 people this list has some 25,000 lines: the old lines go before the
        // new are made, into the same memory, not beside it.
        let keyed = &mut self.keyed;
        keyed.clear();
        if !matches!(self.kind, Some(KindFilter::Referrals)) {
            for m in ctx.snap.milestones.values().filter(|m| m.status.is_open()) {
                if self
                    .kind
                    .is_some_and(|k| k != KindFilter::Milestone(m.kind))
                    || self.officer.as_deref().is_some_and(|o| o != m.assigned_to)
                    || !person_ok(m.person_id)
                {
                    continue;
                }
                let urgency = if m.is_overdue(today) {
                    Urgency::Overdue
                } else if m.is_upcoming(today) {
                    Urgency::ThisWeek
                } else {
                    Urgency::Later
                };
                // Most overdue first; otherwise soonest first.
                let order = if urgency == Urgency::Overdue {
                    -m.days_overdue(today)
                } else {
                    (m.due_on - today).num_days()
                };
                keyed.push((urgency, order, WorkItem::Visit(m.id)));
            }
        }
        if matches!(self.kind, None | Some(KindFilter::Referrals)) && self.officer.is_none() {
            for r in ctx.snap.referrals.values().filter(|r| r.status.is_open()) {
                if person_ok(r.person_id) {
                    keyed.push((
                        Urgency::OpenReferral,
                        -(today - r.made_on).num_days(),
                        WorkItem::Referral(r.id),
                    ));
                }
            }
        }
        keyed.sort_unstable();
        self.overdue = keyed.iter().filter(|k| k.0 == Urgency::Overdue).count();
        self.this_week = keyed.iter().filter(|k| k.0 == Urgency::ThisWeek).count();
        self.table.set_rows(keyed.iter().map(|k| k.2).collect());
        self.computed_for = key;
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        self.handle_key(action, ctx)
    }

    fn render(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx) -> Option<Position> {
        self.draw(area, buf, ctx)
    }
}

impl FollowUpsScreen {
    fn officers(ctx: &Ctx) -> Vec<String> {
        let mut names: Vec<String> = ctx
            .snap
            .milestones
            .values()
            .filter(|m| m.status.is_open())
            .map(|m| m.assigned_to.clone())
            .collect();
        names.sort_by(|a, b| text::collate(a, b));
        names.dedup();
        names
    }

    fn handle_key(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        let used = self.table.handle(action);
        if used != TableKey::Ignored || self.table.searching() {
            return used.into();
        }
        let Action::Cmd(cmd) = action else {
            return Outcome::Ignored;
        };
        let selected = self.table.selected();
        match cmd {
            Cmd::CycleWard => {
                self.ward = next_ward(ctx, &self.ward);
                Outcome::Changed
            }
            Cmd::CycleFilter => {
                let names = Self::officers(ctx);
                self.officer = match &self.officer {
                    None => names.first().cloned(),
                    Some(o) => names
                        .iter()
                        .position(|n| n == o)
                        .and_then(|i| names.get(i + 1))
                        .cloned(),
                };
                Outcome::Changed
            }
            Cmd::CycleKind => {
                let all: Vec<KindFilter> = MilestoneKind::ALL
                    .iter()
                    .map(|k| KindFilter::Milestone(*k))
                    .chain([KindFilter::Referrals])
                    .collect();
                self.kind = match self.kind {
                    None => all.first().copied(),
                    Some(k) => all
                        .iter()
                        .position(|x| *x == k)
                        .and_then(|i| all.get(i + 1))
                        .copied(),
                };
                Outcome::Changed
            }
            Cmd::RecordVisit | Cmd::MarkMissed => match selected {
                Some(WorkItem::Visit(id)) => Outcome::Do(Request::OpenForm(FormPurpose::Visit {
                    milestone: id,
                    missed: *cmd == Cmd::MarkMissed,
                })),
                Some(WorkItem::Referral(id)) => match ctx.snap.referrals.get(&id) {
                    Some(r) => Outcome::Do(Request::OpenForm(FormPurpose::Referral {
                        person: r.person_id,
                        referral: Some(id),
                        milestone: r.milestone_id,
                    })),
                    None => Outcome::Ignored,
                },
                None => Outcome::Ignored,
            },
            Cmd::Open => {
                let person = match selected {
                    Some(WorkItem::Visit(id)) => ctx
                        .snap
                        .milestones
                        .get(&id)
                        .map(|m| (m.person_id, Section::FollowUps)),
                    Some(WorkItem::Referral(id)) => ctx
                        .snap
                        .referrals
                        .get(&id)
                        .map(|r| (r.person_id, Section::Referrals)),
                    None => None,
                };
                person.map_or(Outcome::Ignored, |(p, s)| {
                    Outcome::Do(Request::OpenPerson(p, s))
                })
            }
            Cmd::Back
                if self.ward.is_some()
                    || self.officer.is_some()
                    || self.kind.is_some()
                    || self.table.has_query() =>
            {
                self.ward = None;
                self.officer = None;
                self.kind = None;
                self.table.clear_query();
                Outcome::Changed
            }
            _ => Outcome::Ignored,
        }
    }

    fn filters_text(&self, ctx: &Ctx) -> String {
        let mut parts = vec![ward_filter_label(ctx, &self.ward)];
        if let Some(o) = &self.officer {
            parts.push(o.clone());
        }
        match self.kind {
            Some(KindFilter::Milestone(k)) => parts.push(ctx.t(k.key()).to_string()),
            Some(KindFilter::Referrals) => parts.push(ctx.t("section.referrals").to_string()),
            None => {}
        }
        parts.push(tf(
            ctx.lang,
            "followup.counts",
            &[("overdue", &self.overdue), ("week", &self.this_week)],
        ));
        parts.join(" · ")
    }

    fn draw(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx) -> Option<Position> {
        let theme = ctx.theme;
        let right = self.filters_text(ctx);
        let wide = area.width >= 110;
        let (header, widths) = columns(
            &[
                ("col.when", Constraint::Length(16), false),
                ("col.due_on", Constraint::Length(10), false),
                ("col.code", Constraint::Length(7), false),
                ("col.name", Constraint::Fill(2), false),
                ("col.ward", Constraint::Length(10), false),
                ("col.kind", Constraint::Length(12), true),
                (
                    if wide { "col.grant" } else { "col.grant_short" },
                    Constraint::Fill(1),
                    false,
                ),
                ("col.assigned_to", Constraint::Length(18), true),
            ],
            wide,
        );
        let view = TableView {
            label: ctx.t("people.search"),
            hint: ctx.t("people.search_hint"),
            right: &right,
            empty: vec![
                Line::from(""),
                Line::styled(format!("  {}", ctx.t("followup.none")), theme.good()),
            ],
            header: header.iter().map(|k| ctx.t(k).to_string()).collect(),
            widths,
        };
        self.table.render(
            area,
            buf,
            theme,
            view,
            |item| self.row_cells(item, ctx, wide),
            |item| match item {
                WorkItem::Visit(id)
                    if ctx
                        .snap
                        .milestones
                        .get(&id)
                        .is_some_and(|m| m.is_overdue(ctx.today)) =>
                {
                    theme.warning()
                }
                _ => Style::new(),
            },
        )
    }

    fn row_cells<'a>(&self, item: WorkItem, ctx: &Ctx, wide: bool) -> Vec<Cell<'a>> {
        let today = ctx.today;
        let (person_id, when, due, kind, what, assigned) = match item {
            WorkItem::Visit(id) => {
                let Some(m) = ctx.snap.milestones.get(&id) else {
                    return vec![];
                };
                let when = if m.is_overdue(today) {
                    milestone_status_text(m, ctx)
                } else if m.due_on == today {
                    ctx.t("followup.today").to_string()
                } else {
                    let days = (m.due_on - today).num_days();
                    crate::i18n::tn(ctx.lang, "followup.in_days", days, &[("days", &days)])
                };
                let grant = m.grant_id.and_then(|g| ctx.snap.grants.get(&g));
                let what = grant.map(|g| g.item.clone()).unwrap_or_default();
                (
                    m.person_id,
                    when,
                    format_date(m.due_on),
                    ctx.t(m.kind.key()).to_string(),
                    what,
                    m.assigned_to.clone(),
                )
            }
            WorkItem::Referral(id) => {
                let Some(r) = ctx.snap.referrals.get(&id) else {
                    return vec![];
                };
                let days = (today - r.made_on).num_days();
                let when =
                    crate::i18n::tn(ctx.lang, "followup.referral_open", days, &[("days", &days)]);
                let what = format!("{}: {}", ctx.t(r.service.key()), r.to_whom);
                (
                    r.person_id,
                    when,
                    format_date(r.made_on),
                    ctx.t("followup.referral").to_string(),
                    what,
                    String::new(),
                )
            }
        };
        let person = ctx.snap.people.get(&person_id);
        let mut cells = vec![
            Cell::from(Span::raw(when)),
            Cell::from(due),
            Cell::from(person.map(|p| p.code.clone()).unwrap_or_default()),
            Cell::from(person.map(|p| p.full_name.clone()).unwrap_or_default()),
            Cell::from(
                person
                    .map(|p| ctx.snap.ward_name(&p.ward).to_string())
                    .unwrap_or_default(),
            ),
        ];
        if wide {
            cells.push(Cell::from(kind));
        }
        cells.push(Cell::from(what));
        if wide {
            cells.push(Cell::from(assigned));
        }
        cells
    }
}
