//! A person's page: details, then their plans, grants, follow-ups, referrals and
//! history, each list navigable and each item openable. This file owns the page's state
//! and keys; `details` and `sections` draw it.

mod details;
mod sections;

use super::{Ctx, Outcome, Request};
use crate::domain::*;

use crate::store::HistoryItem;
use crate::tui::forms::FormPurpose;
use crate::tui::keymap::{Action, Cmd};
use crate::tui::widgets::list::ListCursor;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

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
pub(super) struct Items<'a> {
    pub(super) plans: Vec<&'a LivelihoodPlan>,
    pub(super) grants: Vec<&'a Grant>,
    pub(super) milestones: Vec<&'a Milestone>,
    pub(super) referrals: Vec<&'a Referral>,
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

    /// The plan under the cursor when the plans are shown.
    fn selected_plan<'a>(&self, items: &Items<'a>) -> Option<&'a LivelihoodPlan> {
        (self.section == Section::Plans)
            .then(|| items.plans.get(self.cursor().selected).copied())
            .flatten()
    }

    /// What the page's keys would do now: approving needs a draft plan under the cursor,
    /// opening needs a record, recording a visit needs an open one.
    pub fn offers(&self, cmd: Cmd, ctx: &Ctx) -> bool {
        let items = Items::of(ctx.snap, self.person);
        match cmd {
            Cmd::Approve => self
                .selected_plan(&items)
                .is_some_and(|p| p.status == PlanStatus::Draft),
            Cmd::Open => {
                self.section != Section::History && self.cursor().selected < items.len(self.section)
            }
            Cmd::RecordVisit => items.milestones.iter().any(|m| m.status.is_open()),
            Cmd::Print => self.section == Section::Grants && !items.grants.is_empty(),
            _ => true,
        }
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
                Outcome::Changed
            }
            Cmd::PrevField | Cmd::Left => {
                self.section = Section::ALL
                    [(self.section.index() + Section::ALL.len() - 1) % Section::ALL.len()];
                Outcome::Changed
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
            Cmd::Print => match (self.section, items.grants.get(selected)) {
                (Section::Grants, Some(g)) => open(FormPurpose::PrintHandover { grant: g.id }),
                _ => Outcome::Do(Request::Status("status.print_on_a_grant")),
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
                    ctx.t(if p.counts() {
                        "confirm.mark_error"
                    } else {
                        "confirm.restore_error"
                    })
                    .to_string(),
                    Box::new(Request::MarkEnteredInError(person, p.counts())),
                )),
                None => Outcome::Ignored,
            },
            Cmd::Approve if self.section == Section::Plans => match items.plans.get(selected) {
                Some(plan) if plan.status == PlanStatus::Draft => Outcome::Do(Request::Confirm(
                    ctx.t("confirm.approve_plan").to_string(),
                    Box::new(Request::ApprovePlan(plan.id)),
                )),
                Some(_) => Outcome::Do(Request::Status("status.plan_not_draft")),
                None => Outcome::Ignored,
            },
            other => {
                let len = self.len(&items, self.section);
                if self.cursors[self.section.index()].handle(*other, len) {
                    Outcome::Changed
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
        details::render_details(person, details, buf, ctx);
        self.render_tabs(&items, tabs, buf, ctx);
        sections::render(
            self.section,
            &items,
            &self.history,
            list,
            buf,
            ctx,
            self.cursor(),
        );
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

/// The status of a milestone as a person reads it, with overdue days.
pub fn milestone_status_text(m: &Milestone, ctx: &Ctx) -> String {
    if m.is_overdue(ctx.today) {
        let days = m.days_overdue(ctx.today);
        crate::i18n::tn(ctx.lang, "followup.overdue_days", days, &[("days", &days)])
    } else {
        ctx.t(m.status.key()).to_string()
    }
}
