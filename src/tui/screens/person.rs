//! A person's page: details, then their plans, grants, follow-ups and referrals, each
//! list navigable and each item openable.

use super::{Ctx, Outcome, Request};
use crate::domain::dates::format_date;
use crate::domain::*;
use crate::i18n::tf;
use crate::store::{HistoryItem, RecordChange};
use crate::tui::forms::FormPurpose;
use crate::tui::keymap::{Action, Cmd};
use crate::tui::widgets::form::fit;
use crate::tui::widgets::list::{ListCursor, render_table};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Widget};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Plans,
    Grants,
    FollowUps,
    Referrals,
    /// Who changed what, from the audit trail (field names only).
    History,
}

impl Section {
    const ALL: [Section; 5] = [
        Section::Plans,
        Section::Grants,
        Section::FollowUps,
        Section::Referrals,
        Section::History,
    ];

    fn index(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// The section worth seeing first: grants if any, else plans, else follow-ups.
    pub fn first_useful(snap: &Snapshot, person: Id) -> Section {
        if snap.grants_of(person).next().is_some() {
            Section::Grants
        } else if snap.plans_of(person).next().is_some() {
            Section::Plans
        } else if snap.milestones_of(person).next().is_some() {
            Section::FollowUps
        } else {
            Section::Grants
        }
    }

    fn title_key(self) -> &'static str {
        match self {
            Section::Plans => "section.plans",
            Section::Grants => "section.grants",
            Section::FollowUps => "section.followups",
            Section::Referrals => "section.referrals",
            Section::History => "section.history",
        }
    }
}

pub struct PersonPage {
    pub person: Id,
    section: Section,
    cursors: [ListCursor; 5],
    /// Read from the audit trail by the app when the page opens or the data changes
    /// (drawing never reads the disk).
    pub history: Vec<HistoryItem>,
    pub history_version: u64,
}

/// A person's records of each kind, in the order the page lists them.
struct Items<'a> {
    plans: Vec<&'a LivelihoodPlan>,
    grants: Vec<&'a Grant>,
    milestones: Vec<&'a Milestone>,
    referrals: Vec<&'a Referral>,
}

impl<'a> Items<'a> {
    fn of(snap: &'a Snapshot, person: Id) -> Items<'a> {
        let mut plans: Vec<_> = snap.plans_of(person).collect();
        plans.sort_by_key(|p| (p.created_on, p.id));
        let mut grants: Vec<_> = snap.grants_of(person).collect();
        grants.sort_by_key(|g| (std::cmp::Reverse(g.handed_over_on), g.id));
        let mut milestones: Vec<_> = snap.milestones_of(person).collect();
        milestones.sort_by_key(|m| (m.due_on, m.id));
        let mut referrals: Vec<_> = snap.referrals_of(person).collect();
        referrals.sort_by_key(|r| (std::cmp::Reverse(r.made_on), r.id));
        Items {
            plans,
            grants,
            milestones,
            referrals,
        }
    }

    fn len(&self, section: Section) -> usize {
        match section {
            Section::Plans => self.plans.len(),
            Section::Grants => self.grants.len(),
            Section::FollowUps => self.milestones.len(),
            Section::Referrals => self.referrals.len(),
            Section::History => 0,
        }
    }
}

impl PersonPage {
    pub fn new(person: Id, section: Section) -> PersonPage {
        PersonPage {
            person,
            section,
            cursors: Default::default(),
            history: Vec::new(),
            history_version: 0,
        }
    }

    fn cursor(&self) -> &ListCursor {
        &self.cursors[self.section.index()]
    }

    pub fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        let Action::Cmd(cmd) = action else {
            return Outcome::Ignored;
        };
        let items = Items::of(ctx.snap, self.person);
        let selected = self.cursor().selected;
        let person = self.person;
        let open = |purpose| Outcome::Do(Request::OpenForm(purpose));
        match cmd {
            Cmd::NextField | Cmd::Right => {
                self.section = Section::ALL[(self.section.index() + 1) % Section::ALL.len()];
                Outcome::Consumed
            }
            Cmd::PrevField | Cmd::Left => {
                self.section = Section::ALL
                    [(self.section.index() + Section::ALL.len() - 1) % Section::ALL.len()];
                Outcome::Consumed
            }
            Cmd::Edit => open(FormPurpose::Person(Some(person))),
            Cmd::New => open(match self.section {
                Section::Plans => FormPurpose::Plan { person, plan: None },
                Section::Grants => FormPurpose::Grant {
                    person,
                    grant: None,
                },
                Section::FollowUps => FormPurpose::Milestone {
                    person,
                    grant: items.grants.first().map(|g| g.id),
                },
                Section::Referrals | Section::History => FormPurpose::Referral {
                    person,
                    referral: None,
                    milestone: None,
                },
            }),
            Cmd::AddReferral => open(FormPurpose::Referral {
                person,
                referral: None,
                milestone: None,
            }),
            Cmd::Open => match self.section {
                Section::Plans => items.plans.get(selected).map_or(Outcome::Ignored, |p| {
                    open(FormPurpose::Plan {
                        person,
                        plan: Some(p.id),
                    })
                }),
                Section::Grants => items.grants.get(selected).map_or(Outcome::Ignored, |g| {
                    open(FormPurpose::Grant {
                        person,
                        grant: Some(g.id),
                    })
                }),
                Section::FollowUps => {
                    items
                        .milestones
                        .get(selected)
                        .map_or(Outcome::Ignored, |m| {
                            open(FormPurpose::Visit {
                                milestone: m.id,
                                missed: false,
                            })
                        })
                }
                Section::Referrals => items.referrals.get(selected).map_or(Outcome::Ignored, |r| {
                    open(FormPurpose::Referral {
                        person,
                        referral: Some(r.id),
                        milestone: r.milestone_id,
                    })
                }),
                Section::History => Outcome::Ignored,
            },
            Cmd::RecordVisit => {
                let target = if self.section == Section::FollowUps {
                    items.milestones.get(selected).copied()
                } else {
                    items
                        .milestones
                        .iter()
                        .find(|m| m.status.is_open())
                        .copied()
                };
                target.map_or(Outcome::Do(Request::Status("status.no_open_visit")), |m| {
                    open(FormPurpose::Visit {
                        milestone: m.id,
                        missed: false,
                    })
                })
            }
            // Entered in error (or back): asked first, the store checks the role.
            Cmd::Delete => match ctx.snap.people.get(&person) {
                Some(p) => Outcome::Do(Request::Confirm(
                    if p.counts() {
                        "confirm.mark_error"
                    } else {
                        "confirm.restore_error"
                    },
                    Box::new(Request::MarkEnteredInError(person, p.counts())),
                )),
                None => Outcome::Ignored,
            },
            Cmd::Approve if self.section == Section::Plans => match items.plans.get(selected) {
                Some(plan) if plan.status == PlanStatus::Draft => Outcome::Do(Request::Confirm(
                    "confirm.approve_plan",
                    Box::new(Request::ApprovePlan(plan.id)),
                )),
                Some(_) => Outcome::Do(Request::Status("status.plan_not_draft")),
                None => Outcome::Ignored,
            },
            other => {
                let len = self.len(&items, self.section);
                if self.cursors[self.section.index()].handle(*other, len) {
                    Outcome::Consumed
                } else {
                    Outcome::Ignored
                }
            }
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx) -> Option<Position> {
        let person = ctx.snap.people.get(&self.person)?;
        let items = Items::of(ctx.snap, self.person);
        let [details, tabs, list] = Layout::vertical([
            Constraint::Length(7),
            Constraint::Length(1),
            Constraint::Fill(1),
        ])
        .areas(area);
        render_details(person, details, buf, ctx);
        self.render_tabs(&items, tabs, buf, ctx);
        let cursor = self.cursor();
        match self.section {
            Section::Plans => render_plans(&items.plans, list, buf, ctx, cursor),
            Section::Grants => render_grants(&items.grants, list, buf, ctx, cursor),
            Section::FollowUps => render_milestones(&items.milestones, list, buf, ctx, cursor),
            Section::Referrals => render_referrals(&items.referrals, list, buf, ctx, cursor),
            Section::History => render_history(&self.history, list, buf, ctx, cursor),
        }
        None
    }

    fn len(&self, items: &Items, section: Section) -> usize {
        if section == Section::History {
            self.history.len()
        } else {
            items.len(section)
        }
    }

    fn render_tabs(&self, items: &Items, area: Rect, buf: &mut Buffer, ctx: &Ctx) {
        let mut spans = Vec::new();
        for section in Section::ALL {
            let label = format!(
                " {} ({}) ",
                ctx.t(section.title_key()),
                self.len(items, section)
            );
            let style = if section == self.section {
                ctx.theme.tab_active()
            } else {
                ctx.theme.label()
            };
            spans.push(Span::styled(label, style));
            spans.push(Span::raw(" "));
        }
        Paragraph::new(Line::from(spans)).render(area, buf);
    }
}

fn render_details(p: &Person, area: Rect, buf: &mut Buffer, ctx: &Ctx) {
    let theme = ctx.theme;
    let mut title = vec![Span::styled(
        format!(" {} · {} ", p.code, p.full_name),
        theme.title(),
    )];
    if !p.counts() {
        title.push(Span::styled(
            format!(" {} ", ctx.t("person.entered_in_error")),
            theme.error(),
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Line::from(title));
    let inner = block.inner(area);
    block.render(area, buf);
    let half = inner.width / 2;
    let left = Rect {
        width: half,
        ..inner
    };
    let right = Rect {
        x: inner.x + half,
        width: inner.width - half,
        ..inner
    };
    let field = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{}: ", ctx.t(label)), theme.label()),
            Span::raw(value),
        ])
    };
    let age = p.age_on(ctx.today);
    let groups: Vec<&str> = p.target_groups.iter().map(|g| ctx.t(g.key())).collect();
    let consent_line = match &p.consent {
        None => Line::from(vec![
            Span::styled(format!("{}: ", ctx.t("field.consent")), theme.label()),
            Span::styled(ctx.t("consent.none"), theme.warning()),
        ]),
        Some(c) if !c.is_valid_on(ctx.today) => Line::from(vec![
            Span::styled(format!("{}: ", ctx.t("field.consent")), theme.label()),
            Span::styled(
                tf(
                    ctx.lang,
                    "consent.expired",
                    &[("date", &c.valid_until.map(format_date).unwrap_or_default())],
                ),
                theme.warning(),
            ),
        ]),
        Some(c) => field(
            "field.consent",
            match c.valid_until {
                Some(until) => tf(
                    ctx.lang,
                    "consent.valid_until",
                    &[("date", &format_date(until))],
                ),
                None => ctx.t("consent.valid").to_string(),
            },
        ),
    };
    let left_lines = vec![
        field(
            "field.sex",
            format!(
                "{} · {} ({} {})",
                ctx.t(p.sex.key()),
                p.birth_year,
                age,
                ctx.t("unit.years")
            ),
        ),
        field("field.ward", ctx.snap.ward_name(&p.ward).to_string()),
        field(
            "field.phone",
            if p.phone.is_empty() {
                "—".into()
            } else {
                p.phone.clone()
            },
        ),
        field("field.address", p.address.clone()),
        field("field.target", groups.join(", ")),
    ];
    let right_lines = vec![
        field("field.status", ctx.t(p.status.key()).to_string()),
        field("field.enrolled_on", format_date(p.enrolled_on)),
        field("field.collaborator", p.collaborator.clone()),
        consent_line,
        field(
            "field.household_note",
            fit(&p.household_note, right.width.saturating_sub(12) as usize),
        ),
    ];
    Paragraph::new(left_lines).render(left, buf);
    Paragraph::new(right_lines).render(right, buf);
}

fn header(ctx: &Ctx, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| ctx.t(k).to_string()).collect()
}

fn empty(area: Rect, buf: &mut Buffer, ctx: &Ctx, key: &str) {
    Paragraph::new(vec![
        Line::from(""),
        Line::styled(format!("  {}", ctx.t(key)), ctx.theme.muted()),
    ])
    .render(area, buf);
}

fn render_plans(
    plans: &[&LivelihoodPlan],
    area: Rect,
    buf: &mut Buffer,
    ctx: &Ctx,
    cursor: &ListCursor,
) {
    if plans.is_empty() {
        return empty(area, buf, ctx, "person.no_plans");
    }
    let widths = [
        Constraint::Length(18),
        Constraint::Fill(1),
        Constraint::Length(14),
        Constraint::Length(14),
        Constraint::Length(10),
    ];
    render_table(
        area,
        buf,
        header(
            ctx,
            &[
                "col.business",
                "col.goal",
                "col.budget",
                "col.status",
                "col.approved_on",
            ],
        ),
        &widths,
        plans.len(),
        cursor,
        true,
        ctx.theme,
        |i| {
            let p = plans[i];
            vec![
                Cell::from(ctx.t(p.business_line.key())),
                Cell::from(p.goal.clone()),
                Cell::from(p.budget.to_string()),
                Cell::from(ctx.t(p.status.key())),
                Cell::from(p.approved_on.map(format_date).unwrap_or_default()),
            ]
        },
        |_| Style::new(),
    );
}

fn render_grants(grants: &[&Grant], area: Rect, buf: &mut Buffer, ctx: &Ctx, cursor: &ListCursor) {
    if grants.is_empty() {
        return empty(area, buf, ctx, "person.no_grants");
    }
    let widths = [
        Constraint::Length(10),
        Constraint::Length(14),
        Constraint::Fill(1),
        Constraint::Length(9),
        Constraint::Length(14),
    ];
    render_table(
        area,
        buf,
        header(
            ctx,
            &[
                "col.handed_over_on",
                "col.kind",
                "col.item",
                "col.quantity",
                "col.value",
            ],
        ),
        &widths,
        grants.len(),
        cursor,
        true,
        ctx.theme,
        |i| {
            let g = grants[i];
            vec![
                Cell::from(format_date(g.handed_over_on)),
                Cell::from(ctx.t(g.kind.key())),
                Cell::from(g.item.clone()),
                Cell::from(format!("{} {}", g.quantity, g.unit)),
                Cell::from(g.total_value.to_string()),
            ]
        },
        |_| Style::new(),
    );
}

/// The status of a milestone as a person reads it, with overdue days.
pub fn milestone_status_text(m: &Milestone, ctx: &Ctx) -> String {
    if m.is_overdue(ctx.today) {
        let days = m.days_overdue(ctx.today);
        crate::i18n::tn(ctx.lang, "followup.overdue_days", days, &[("days", &days)])
    } else {
        ctx.t(m.status.key()).to_string()
    }
}

fn render_milestones(
    milestones: &[&Milestone],
    area: Rect,
    buf: &mut Buffer,
    ctx: &Ctx,
    cursor: &ListCursor,
) {
    if milestones.is_empty() {
        return empty(area, buf, ctx, "person.no_followups");
    }
    let widths = [
        Constraint::Length(10),
        Constraint::Length(12),
        Constraint::Fill(1),
        Constraint::Length(16),
        Constraint::Length(10),
    ];
    render_table(
        area,
        buf,
        header(
            ctx,
            &[
                "col.due_on",
                "col.kind",
                "col.grant",
                "col.status",
                "col.done_on",
            ],
        ),
        &widths,
        milestones.len(),
        cursor,
        true,
        ctx.theme,
        |i| {
            let m = milestones[i];
            let grant = m
                .grant_id
                .and_then(|g| ctx.snap.grants.get(&g))
                .map(|g| g.item.clone())
                .unwrap_or_default();
            vec![
                Cell::from(format_date(m.due_on)),
                Cell::from(ctx.t(m.kind.key())),
                Cell::from(grant),
                Cell::from(milestone_status_text(m, ctx)),
                Cell::from(m.done_on.map(format_date).unwrap_or_default()),
            ]
        },
        |i| {
            if milestones[i].is_overdue(ctx.today) {
                ctx.theme.warning()
            } else {
                Style::new()
            }
        },
    );
}

fn render_referrals(
    referrals: &[&Referral],
    area: Rect,
    buf: &mut Buffer,
    ctx: &Ctx,
    cursor: &ListCursor,
) {
    if referrals.is_empty() {
        return empty(area, buf, ctx, "person.no_referrals");
    }
    let widths = [
        Constraint::Length(10),
        Constraint::Length(14),
        Constraint::Fill(1),
        Constraint::Length(16),
        Constraint::Fill(1),
    ];
    render_table(
        area,
        buf,
        header(
            ctx,
            &[
                "col.made_on",
                "col.service",
                "col.to_whom",
                "col.status",
                "col.outcome",
            ],
        ),
        &widths,
        referrals.len(),
        cursor,
        true,
        ctx.theme,
        |i| {
            let r = referrals[i];
            vec![
                Cell::from(format_date(r.made_on)),
                Cell::from(ctx.t(r.service.key())),
                Cell::from(r.to_whom.clone()),
                Cell::from(ctx.t(r.status.key())),
                Cell::from(r.outcome.clone()),
            ]
        },
        |_| Style::new(),
    );
}

/// A field or action name in the user's words when there is one, else as stored.
fn label_or_name(ctx: &Ctx, prefix: &str, name: &str) -> String {
    // Nested fields ("visit.monthly_income") use the plain field's words.
    let key = format!("{prefix}{}", name.rsplit('.').next().unwrap_or(name));
    if crate::i18n::has(&key) {
        ctx.t(&key).to_string()
    } else {
        name.to_string()
    }
}

fn render_history(
    history: &[HistoryItem],
    area: Rect,
    buf: &mut Buffer,
    ctx: &Ctx,
    cursor: &ListCursor,
) {
    if history.is_empty() {
        return empty(area, buf, ctx, "person.no_history");
    }
    let widths = [
        Constraint::Length(16),
        Constraint::Length(18),
        Constraint::Length(22),
        Constraint::Fill(1),
    ];
    render_table(
        area,
        buf,
        header(
            ctx,
            &["col.when_done", "col.who", "col.action", "col.changes"],
        ),
        &widths,
        history.len(),
        cursor,
        true,
        ctx.theme,
        |i| {
            // Newest first.
            let item = &history[history.len() - 1 - i];
            let when = crate::domain::dates::millis_to_datetime(item.at)
                .map(|t| {
                    t.with_timezone(&chrono::Local)
                        .format("%d/%m/%Y %H:%M")
                        .to_string()
                })
                .unwrap_or_default();
            let what = match &item.change {
                RecordChange::Created => ctx.t("history.created").to_string(),
                RecordChange::Removed => ctx.t("history.removed").to_string(),
                RecordChange::Changed(fields) if fields.is_empty() => {
                    ctx.t("history.unchanged").to_string()
                }
                RecordChange::Changed(fields) => fields
                    .iter()
                    .map(|f| label_or_name(ctx, "field.", f))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            vec![
                Cell::from(when),
                Cell::from(item.user.clone()),
                Cell::from(format!(
                    "{} · {}",
                    label_or_name(ctx, "audit.", &item.action),
                    label_or_name(ctx, "tree.", &item.tree)
                )),
                Cell::from(what),
            ]
        },
        |_| Style::new(),
    );
}
