//! Screen 1: the programme at a glance, for all wards or one (`w`).

use super::{Ctx, Outcome, next_ward, ward_filter_label};
use crate::domain::{Dong, GrantKind, MilestoneStatus, Sex, TargetGroup};
use crate::tui::keymap::{Action, Cmd};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

/// Figures for the dashboard, computed once per change of data or ward.
#[derive(Default, Clone, Debug, PartialEq)]
pub struct Figures {
    pub people: usize,
    pub by_group: Vec<(TargetGroup, usize, usize)>,
    pub plans: usize,
    pub grants: usize,
    pub grant_value: Dong,
    pub by_kind: Vec<(GrantKind, usize, Dong)>,
    pub milestones: usize,
    pub done: usize,
    pub overdue: usize,
    pub due_this_week: usize,
}

#[derive(Default)]
pub struct DashboardScreen {
    ward: Option<String>,
    figures: Figures,
    computed_for: (u64, Option<String>, Option<chrono::NaiveDate>),
}

pub fn figures(ctx: &Ctx, ward: Option<&str>) -> Figures {
    let snap = ctx.snap;
    let in_ward = |person: crate::domain::Id| {
        ward.is_none_or(|w| snap.people.get(&person).is_some_and(|p| p.ward == w))
    };
    let mut f = Figures::default();
    let mut groups = std::collections::BTreeMap::new();
    for p in snap
        .people
        .values()
        .filter(|p| ward.is_none_or(|w| p.ward == w))
    {
        f.people += 1;
        if let Some(g) = p.primary_group() {
            let e: &mut (usize, usize) = groups.entry(g).or_default();
            if p.sex == Sex::Female {
                e.0 += 1
            } else {
                e.1 += 1
            }
        }
    }
    f.by_group = groups
        .into_iter()
        .map(|(g, (fe, other))| (g, fe, other))
        .collect();
    f.plans = snap.plans.values().filter(|p| in_ward(p.person_id)).count();
    let mut kinds = std::collections::BTreeMap::new();
    for g in snap.grants.values().filter(|g| in_ward(g.person_id)) {
        f.grants += 1;
        f.grant_value += g.total_value;
        let e: &mut (usize, Dong) = kinds.entry(g.kind).or_default();
        e.0 += 1;
        e.1 += g.total_value;
    }
    f.by_kind = kinds.into_iter().map(|(k, (n, v))| (k, n, v)).collect();
    for m in snap.milestones.values().filter(|m| in_ward(m.person_id)) {
        f.milestones += 1;
        if m.status == MilestoneStatus::Done {
            f.done += 1;
        }
        if m.is_overdue(ctx.today) {
            f.overdue += 1;
        }
        if m.is_upcoming(ctx.today) {
            f.due_this_week += 1;
        }
    }
    f
}

impl DashboardScreen {
    pub fn refresh(&mut self, ctx: &Ctx) {
        let key = (ctx.version, self.ward.clone(), Some(ctx.today));
        if self.computed_for != key {
            self.figures = figures(ctx, self.ward.as_deref());
            self.computed_for = key;
        }
    }

    pub fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        match action {
            Action::Cmd(Cmd::CycleWard) => {
                self.ward = next_ward(ctx, &self.ward);
                Outcome::Consumed
            }
            Action::Cmd(Cmd::Back) if self.ward.is_some() => {
                self.ward = None;
                Outcome::Consumed
            }
            _ => Outcome::Ignored,
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx) -> Option<Position> {
        let theme = ctx.theme;
        let f = &self.figures;
        let [title, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
        Paragraph::new(Line::from(vec![
            Span::styled(ward_filter_label(ctx, &self.ward), theme.title()),
            Span::styled(
                format!("   ({} {})", "w", ctx.t("key.cycle_ward")),
                theme.muted(),
            ),
        ]))
        .render(title, buf);
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(body);
        let num = |n: usize| Dong(n as i64).grouped();
        let line = |label: &str, value: String| {
            Line::from(vec![
                Span::styled(format!("{label}: "), theme.label()),
                Span::styled(value, theme.title()),
            ])
        };
        let mut people = vec![line(ctx.t("dash.people"), num(f.people))];
        for (g, female, other) in &f.by_group {
            people.push(Line::from(format!(
                "  {}: {} ({} {}, {} {})",
                ctx.t(g.key()),
                num(female + other),
                num(*female),
                ctx.t("sex.female"),
                num(*other),
                ctx.t("dash.male_other")
            )));
        }
        people.push(line(ctx.t("dash.plans"), num(f.plans)));
        let [people_area, follow_area] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(6)]).areas(left);
        Paragraph::new(people)
            .block(boxed(ctx.t("dash.people_box"), ctx))
            .render(people_area, buf);
        let mut follow = vec![
            line(ctx.t("dash.milestones"), num(f.milestones)),
            line(ctx.t("dash.done"), num(f.done)),
            Line::from(vec![
                Span::styled(format!("{}: ", ctx.t("dash.overdue")), theme.label()),
                Span::styled(
                    num(f.overdue),
                    if f.overdue > 0 {
                        theme.warning()
                    } else {
                        theme.good()
                    },
                ),
            ]),
        ];
        follow.push(line(ctx.t("dash.due_this_week"), num(f.due_this_week)));
        Paragraph::new(follow)
            .block(boxed(ctx.t("dash.followups_box"), ctx))
            .render(follow_area, buf);
        let mut grants = vec![line(
            ctx.t("dash.grants"),
            format!("{} · {}", num(f.grants), f.grant_value),
        )];
        for (k, n, v) in &f.by_kind {
            grants.push(Line::from(format!(
                "  {}: {} · {}",
                ctx.t(k.key()),
                num(*n),
                v
            )));
        }
        Paragraph::new(grants)
            .block(boxed(ctx.t("dash.grants_box"), ctx))
            .render(right, buf);
        None
    }
}

fn boxed<'a>(title: &'a str, ctx: &Ctx) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {title} "), ctx.theme.title()))
}
