//! Screen 5: what a supervisor reviews (plans waiting for approval, grants whose last
//! visit found trouble) and the summaries as tables, for a ward and a period (a quarter
//! or a year, as `export --from --to` takes them), exported as shown.

use super::person::Section;
use super::{Ctx, Outcome, Request, next_ward, ward_filter_label};
use crate::domain::dates::format_date;
use crate::domain::{Dong, Grant, Id};
use crate::i18n::tf;
use crate::report::review::{ReviewItem, review_items};
use crate::report::summaries::Summary;
use crate::report::{Filter, Period, Table};
use crate::text;
use crate::tui::keymap::{self, Action, Cmd, Scope};
use crate::tui::widgets::list::{ListCursor, render_table};
use crate::tui::widgets::report_table::render_report_table;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Widget};

/// The tabs' short titles: the review list first, then each summary.
const TAB_TITLES: [&str; 5] = [
    "tab.review",
    "tab.by_ward",
    "tab.by_kind",
    "tab.target_sex",
    "tab.overdue",
];

#[derive(Default)]
pub struct ReportsScreen {
    tab: usize,
    cursor: ListCursor,
    review: Vec<ReviewItem>,
    computed_for: u64,
    ward: Option<String>,
    table: Option<Table>,
    table_cursor: ListCursor,
    table_for: (
        u64,
        usize,
        Option<String>,
        Period,
        Option<chrono::NaiveDate>,
    ),
    /// The summaries' period; the review list is a work list and has none.
    period: Period,
}

impl ReportsScreen {
    pub fn refresh(&mut self, ctx: &Ctx) {
        if self.computed_for != ctx.version {
            self.review = review_items(ctx.snap);
            self.cursor.clamp(self.review.len());
            self.computed_for = ctx.version;
        }
        let key = (
            ctx.version,
            self.tab,
            self.ward.clone(),
            self.period,
            Some(ctx.today),
        );
        if self.tab > 0 && self.table_for != key {
            let summary = Summary::ALL[self.tab - 1];
            self.table = Some(summary.table(ctx.snap, ctx.today, &self.filter()));
            self.table_cursor
                .clamp(self.table.as_ref().map_or(0, |t| t.rows.len()));
            self.table_for = key;
        }
    }

    /// What the summaries show: the ward and the period chosen.
    fn filter(&self) -> Filter {
        self.period.filter(self.ward.as_deref())
    }

    /// The summary on screen and its ward and period, for `x` to export what it shows.
    pub fn current_summary(&self) -> Option<(Summary, Filter)> {
        (self.tab > 0).then(|| (Summary::ALL[self.tab - 1], self.filter()))
    }

    fn person_of(&self, ctx: &Ctx) -> Option<(Id, Section)> {
        match self.review.get(self.cursor.selected)? {
            ReviewItem::PlanToApprove(id) => ctx
                .snap
                .plans
                .get(id)
                .map(|p| (p.person_id, Section::Plans)),
            ReviewItem::BusinessClosed(id) | ReviewItem::AnimalsLost { grant: id, .. } => ctx
                .snap
                .grants
                .get(id)
                .map(|g| (g.person_id, Section::Grants)),
        }
    }

    pub fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        let Action::Cmd(cmd) = action else {
            return Outcome::Ignored;
        };
        let tabs = Summary::ALL.len() + 1;
        match cmd {
            Cmd::NextField => {
                self.tab = (self.tab + 1) % tabs;
                return Outcome::Changed;
            }
            Cmd::PrevField => {
                self.tab = (self.tab + tabs - 1) % tabs;
                return Outcome::Changed;
            }
            Cmd::CycleWard if self.tab > 0 => {
                self.ward = next_ward(ctx, &self.ward);
                return Outcome::Changed;
            }
            Cmd::CycleFilter if self.tab > 0 => {
                self.period = self.period.next_preset(ctx.today);
                return Outcome::Changed;
            }
            Cmd::Left | Cmd::Right if self.tab > 0 && self.period != Period::All => {
                self.period = self.period.step(if *cmd == Cmd::Left { -1 } else { 1 });
                return Outcome::Changed;
            }
            Cmd::Back if self.ward.is_some() => {
                self.ward = None;
                return Outcome::Changed;
            }
            _ => {}
        }
        if self.tab > 0 {
            let rows = self.table.as_ref().map_or(0, |t| t.rows.len());
            return if self.table_cursor.handle(*cmd, rows) {
                Outcome::Changed
            } else {
                Outcome::Ignored
            };
        }
        match cmd {
            Cmd::Open => match self.person_of(ctx) {
                Some((person, section)) => Outcome::Do(Request::OpenPerson(person, section)),
                None => Outcome::Ignored,
            },
            Cmd::Approve => match self.review.get(self.cursor.selected) {
                Some(ReviewItem::PlanToApprove(id)) => Outcome::Do(Request::Confirm(
                    ctx.t("confirm.approve_plan").to_string(),
                    Box::new(Request::ApprovePlan(*id)),
                )),
                _ => Outcome::Ignored,
            },
            other if self.cursor.handle(*other, self.review.len()) => Outcome::Changed,
            _ => Outcome::Ignored,
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx) -> Option<Position> {
        let [tabs, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
        let mut spans = Vec::new();
        for (i, key) in TAB_TITLES.into_iter().enumerate() {
            let style = if i == self.tab {
                ctx.theme.tab_active()
            } else {
                ctx.theme.label()
            };
            spans.push(Span::styled(format!(" {} ", ctx.t(key)), style));
            spans.push(Span::raw(" "));
        }
        Paragraph::new(Line::from(spans)).render(tabs, buf);
        match &self.table {
            Some(table) if self.tab > 0 => {
                let [filter, table_area] =
                    Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(body);
                let mut line = vec![Span::styled(
                    format!(
                        "{} · {}  ",
                        ward_filter_label(ctx, &self.ward),
                        period_label(self.period, ctx)
                    ),
                    ctx.theme.muted(),
                )];
                // How to change the period, beside it, from the key table: each hint
                // whole or not at all, and the arrows only once there is a period to step.
                let mut used: usize = line.iter().map(|s| text::width(&s.content)).sum();
                for b in keymap::BINDINGS.iter().filter(|b| {
                    b.scope == Scope::Reports
                        && (b.cmd == Cmd::CycleFilter
                            || (b.cmd == Cmd::Left && self.period != Period::All))
                }) {
                    let (key, help) = (format!(" {}", b.label), format!(" {} ", ctx.t(b.help)));
                    used += text::width(&key) + text::width(&help);
                    if used > filter.width as usize {
                        break;
                    }
                    line.push(Span::styled(key, ctx.theme.key()));
                    line.push(Span::styled(help, ctx.theme.muted()));
                }
                Paragraph::new(Line::from(line)).render(filter, buf);
                render_report_table(table, table_area, buf, ctx, &self.table_cursor);
                None
            }
            _ => self.render_review(body, buf, ctx),
        }
    }

    fn render_review(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx) -> Option<Position> {
        let theme = ctx.theme;
        let [title, table] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
        let plans = self
            .review
            .iter()
            .filter(|i| matches!(i, ReviewItem::PlanToApprove(_)))
            .count();
        let summary = tf(
            ctx.lang,
            "review.summary",
            &[("plans", &plans), ("grants", &(self.review.len() - plans))],
        );
        Paragraph::new(Line::from(vec![
            Span::styled(format!("{}  ", ctx.t("review.title")), theme.title()),
            Span::styled(summary, theme.muted()),
        ]))
        .render(title, buf);
        if self.review.is_empty() {
            Paragraph::new(Line::styled(
                format!("  {}", ctx.t("review.none")),
                theme.good(),
            ))
            .render(table, buf);
            return None;
        }
        let widths = [
            Constraint::Length(22),
            Constraint::Length(7),
            Constraint::Fill(1),
            Constraint::Fill(1),
            Constraint::Length(14),
        ];
        let header = [
            "col.review_reason",
            "col.code",
            "col.name",
            "col.what",
            "col.value",
        ]
        .iter()
        .map(|k| ctx.t(k).to_string())
        .collect();
        render_table(
            table,
            buf,
            header,
            &widths,
            self.review.len(),
            &self.cursor,
            true,
            theme,
            |i| review_cells(&self.review[i], ctx),
            |i| {
                if matches!(self.review[i], ReviewItem::PlanToApprove(_)) {
                    Style::new()
                } else {
                    theme.warning()
                }
            },
        );
        None
    }
}

/// "Quý 3/2021 (01/07/2021–30/09/2021)", "Năm 2021", or all time.
pub fn period_label(period: Period, ctx: &Ctx) -> String {
    let (from, to) = period.range();
    let day = |d: Option<chrono::NaiveDate>| d.map(format_date).unwrap_or_default();
    match period {
        Period::All => ctx.t("period.all").to_string(),
        Period::Quarter { year, quarter } => tf(
            ctx.lang,
            "period.quarter",
            &[
                ("quarter", &quarter),
                ("year", &year),
                ("from", &day(from)),
                ("to", &day(to)),
            ],
        ),
        Period::Year(year) => tf(ctx.lang, "period.year", &[("year", &year)]),
    }
}

fn review_cells<'a>(item: &ReviewItem, ctx: &Ctx) -> Vec<Cell<'a>> {
    let person_cells = |person: Id| {
        let p = ctx.snap.people.get(&person);
        [
            p.map(|p| p.code.clone()).unwrap_or_default(),
            p.map(|p| p.full_name.clone()).unwrap_or_default(),
        ]
    };
    let grant_row = |grant: &Grant, reason: String| {
        let [code, name] = person_cells(grant.person_id);
        vec![
            Cell::from(reason),
            Cell::from(code),
            Cell::from(name),
            Cell::from(format!(
                "{} · {}",
                grant.item,
                format_date(grant.handed_over_on)
            )),
            Cell::from(Line::from(grant.total_value.grouped()).right_aligned()),
        ]
    };
    match item {
        ReviewItem::PlanToApprove(id) => {
            let Some(plan) = ctx.snap.plans.get(id) else {
                return vec![];
            };
            let [code, name] = person_cells(plan.person_id);
            let waiting = (ctx.today - plan.created_on).num_days();
            vec![
                Cell::from(crate::i18n::tn(
                    ctx.lang,
                    "review.plan_waiting",
                    waiting,
                    &[("days", &waiting)],
                )),
                Cell::from(code),
                Cell::from(name),
                Cell::from(ctx.t(plan.business_line.key())),
                Cell::from(Line::from(Dong(plan.budget.0).grouped()).right_aligned()),
            ]
        }
        ReviewItem::BusinessClosed(id) => match ctx.snap.grants.get(id) {
            Some(g) => grant_row(g, ctx.t("review.business_closed").to_string()),
            None => vec![],
        },
        ReviewItem::AnimalsLost { grant, alive } => match ctx.snap.grants.get(grant) {
            Some(g) => grant_row(
                g,
                tf(
                    ctx.lang,
                    "review.animals_alive",
                    &[("alive", alive), ("of", &g.quantity)],
                ),
            ),
            None => vec![],
        },
    }
}

// The screen shape (issue 13): the inherent methods above, plus what `x` exports and
// when `a` applies.
impl super::Screen for ReportsScreen {
    fn scope(&self) -> (crate::tui::keymap::Scope, bool) {
        (crate::tui::keymap::Scope::Reports, false)
    }
    fn refresh(&mut self, ctx: &Ctx) {
        ReportsScreen::refresh(self, ctx)
    }
    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        ReportsScreen::handle(self, action, ctx)
    }
    fn render(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx) -> Option<Position> {
        ReportsScreen::render(self, area, buf, ctx)
    }
    fn offers(&self, cmd: Cmd, _ctx: &Ctx) -> bool {
        let on_review = self.tab == 0 && !self.review.is_empty();
        match cmd {
            Cmd::Approve => {
                on_review
                    && matches!(
                        self.review.get(self.cursor.selected),
                        Some(ReviewItem::PlanToApprove(_))
                    )
            }
            Cmd::Open => on_review,
            _ => true,
        }
    }
    fn export_target(&self) -> Option<(crate::report::export::ExportKind, crate::report::Filter)> {
        self.current_summary()
            .map(|(s, filter)| (crate::report::export::ExportKind::of_summary(s), filter))
    }
}
