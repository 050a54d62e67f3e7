//! The five lists of a person's page. Each is the same shape: a line for when it is
//! empty, its columns, and the cells and style of one record; `draw` does the rest.

use super::{Items, Section, milestone_status_text};
use crate::domain::dates::format_date;
use crate::domain::{Grant, LivelihoodPlan, Milestone, Referral};
use crate::store::{HistoryItem, RecordChange};
use crate::tui::screens::Ctx;
use crate::tui::widgets::list::{ListCursor, columns, render_table};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Widget, Wrap};

/// Columns as (title key, width, only when wide).
type Columns = [(&'static str, Constraint, bool)];

pub fn render(
    section: Section,
    items: &Items,
    history: &[HistoryItem],
    area: Rect,
    buf: &mut Buffer,
    ctx: &Ctx,
    cursor: &ListCursor,
) {
    let wide = area.width >= 110;
    let at = |empty, cols: &Columns| Shape {
        area,
        empty,
        cols: columns(cols, wide),
        ctx,
        cursor,
    };
    match section {
        Section::Plans => at("person.no_plans", PLAN_COLUMNS).draw(
            buf,
            &items.plans,
            |p| plan_cells(p, ctx, wide),
            plain,
        ),
        Section::Grants => at("person.no_grants", GRANT_COLUMNS).draw(
            buf,
            &items.grants,
            |g| grant_cells(g, ctx),
            plain,
        ),
        Section::FollowUps => at("person.no_followups", MILESTONE_COLUMNS).draw(
            buf,
            &items.milestones,
            |m| milestone_cells(m, ctx),
            |m| {
                if m.is_overdue(ctx.today) {
                    ctx.theme.warning()
                } else {
                    Style::new()
                }
            },
        ),
        Section::Referrals => at("person.no_referrals", REFERRAL_COLUMNS).draw(
            buf,
            &items.referrals,
            |r| referral_cells(r, ctx),
            plain,
        ),
        // Newest first; the changes of the one under the cursor in full below, as a
        // column at 80 wide cuts them off.
        Section::History => {
            let newest_first: Vec<&HistoryItem> = history.iter().rev().collect();
            let [list, detail] =
                Layout::vertical([Constraint::Fill(1), Constraint::Length(2)]).areas(area);
            Shape {
                area: list,
                ..at("person.no_history", HISTORY_COLUMNS)
            }
            .draw(buf, &newest_first, |h| history_cells(h, ctx), plain);
            if let Some(item) = newest_first.get(cursor.selected) {
                Paragraph::new(Line::from(vec![
                    Span::styled(format!("{}: ", ctx.t("col.changes")), ctx.theme.label()),
                    Span::raw(changes_text(item, ctx)),
                ]))
                .wrap(Wrap { trim: true })
                .render(detail, buf);
            }
        }
    }
}

/// Most rows have no style of their own.
fn plain<T>(_: &T) -> Style {
    Style::new()
}

/// Where and how a section draws, whatever its records.
struct Shape<'c, 'a> {
    area: Rect,
    empty: &'static str,
    cols: (Vec<&'static str>, Vec<Constraint>),
    ctx: &'c Ctx<'a>,
    cursor: &'c ListCursor,
}

impl Shape<'_, '_> {
    fn draw<'r, T>(
        self,
        buf: &mut Buffer,
        items: &[T],
        cells: impl Fn(&T) -> Vec<Cell<'r>>,
        style: impl Fn(&T) -> Style,
    ) {
        let ctx = self.ctx;
        if items.is_empty() {
            Paragraph::new(vec![
                Line::from(""),
                Line::styled(format!("  {}", ctx.t(self.empty)), ctx.theme.muted()),
            ])
            .render(self.area, buf);
            return;
        }
        let (titles, widths) = self.cols;
        render_table(
            self.area,
            buf,
            titles.iter().map(|k| ctx.t(k).to_string()).collect(),
            &widths,
            items.len(),
            self.cursor,
            true,
            ctx.theme,
            |i| cells(&items[i]),
            |i| style(&items[i]),
        );
    }
}

/// Who approved a plan matters more than when (the date comes too where there is room).
const PLAN_COLUMNS: &Columns = &[
    ("col.business", Constraint::Length(18), false),
    ("col.goal", Constraint::Fill(1), false),
    ("col.budget", Constraint::Length(14), false),
    ("col.status", Constraint::Length(14), false),
    ("col.approved_by", Constraint::Length(16), false),
    ("col.approved_on", Constraint::Length(10), true),
];

fn plan_cells<'r>(p: &&LivelihoodPlan, ctx: &Ctx, wide: bool) -> Vec<Cell<'r>> {
    let mut cells = vec![
        Cell::from(ctx.t(p.business_line.key())),
        Cell::from(p.goal.clone()),
        Cell::from(p.budget.to_string()),
        Cell::from(ctx.t(p.status.key())),
        Cell::from(p.approved_by.clone()),
    ];
    if wide {
        cells.push(Cell::from(
            p.approved_on.map(format_date).unwrap_or_default(),
        ));
    }
    cells
}

const GRANT_COLUMNS: &Columns = &[
    ("col.handed_over_on", Constraint::Length(10), false),
    ("col.kind", Constraint::Length(14), false),
    ("col.item", Constraint::Fill(1), false),
    ("col.quantity", Constraint::Length(9), false),
    ("col.value", Constraint::Length(14), false),
];

fn grant_cells<'r>(g: &&Grant, ctx: &Ctx) -> Vec<Cell<'r>> {
    vec![
        Cell::from(format_date(g.handed_over_on)),
        Cell::from(ctx.t(g.kind.key())),
        Cell::from(g.item.clone()),
        Cell::from(format!("{} {}", g.quantity, g.unit)),
        Cell::from(g.total_value.to_string()),
    ]
}

const MILESTONE_COLUMNS: &Columns = &[
    ("col.due_on", Constraint::Length(10), false),
    ("col.kind", Constraint::Length(12), false),
    ("col.grant", Constraint::Fill(1), false),
    ("col.status", Constraint::Length(16), false),
    ("col.done_on", Constraint::Length(10), false),
];

fn milestone_cells<'r>(m: &&Milestone, ctx: &Ctx) -> Vec<Cell<'r>> {
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
}

const REFERRAL_COLUMNS: &Columns = &[
    ("col.made_on", Constraint::Length(11), false),
    ("col.service", Constraint::Length(14), false),
    ("col.to_whom", Constraint::Fill(1), false),
    ("col.status", Constraint::Length(16), false),
    ("col.outcome", Constraint::Fill(1), false),
];

fn referral_cells<'r>(r: &&Referral, ctx: &Ctx) -> Vec<Cell<'r>> {
    vec![
        Cell::from(format_date(r.made_on)),
        Cell::from(ctx.t(r.service.key())),
        Cell::from(r.to_whom.clone()),
        Cell::from(ctx.t(r.status.key())),
        Cell::from(r.outcome.clone()),
    ]
}

const HISTORY_COLUMNS: &Columns = &[
    ("col.when_done", Constraint::Length(16), false),
    ("col.who", Constraint::Length(18), false),
    ("col.action", Constraint::Length(22), false),
    ("col.changes", Constraint::Fill(1), false),
];

fn history_cells<'r>(item: &&HistoryItem, ctx: &Ctx) -> Vec<Cell<'r>> {
    let when = crate::domain::dates::format_local_time(item.at);
    let what = changes_text(item, ctx);
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
}

/// What a change did, in words: created, removed, or the fields it changed.
fn changes_text(item: &HistoryItem, ctx: &Ctx) -> String {
    match &item.change {
        RecordChange::Created => ctx.t("history.created").to_string(),
        RecordChange::Removed => ctx.t("history.removed").to_string(),
        RecordChange::Changed(fields) if fields.is_empty() => {
            ctx.t("history.unchanged").to_string()
        }
        RecordChange::Changed(fields) => fields
            .iter()
            .map(|f| change_label(ctx, f))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// An action or record kind in the user's words when there is one, else as stored.
fn label_or_name(ctx: &Ctx, prefix: &str, name: &str) -> String {
    let key = format!("{prefix}{name}");
    if crate::i18n::has(&key) {
        ctx.t(&key).to_string()
    } else {
        name.to_string()
    }
}

/// A changed field, as the audit trail names it ("approved_by", "visit.notes"), in the
/// user's words; a name with no words yet (a field added later) shows as stored.
pub fn change_label(ctx: &Ctx, name: &str) -> String {
    let key = format!("change.{name}");
    if crate::i18n::has(&key) {
        ctx.t(&key).to_string()
    } else {
        name.to_string()
    }
}
