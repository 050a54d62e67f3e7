//! Screen 3: every grant handed over, newest first, filtered by ward, kind and search.

use super::person::Section;
use super::{Ctx, Outcome, Request, Screen, next_ward, ward_filter_label};
use crate::domain::dates::format_date;
use crate::domain::{Dong, GrantKind, Id};
use crate::i18n::tf;
use crate::report::Filter;
use crate::report::export::ExportKind;
use crate::text;
use crate::tui::keymap::{Action, Cmd, Scope};
use crate::tui::widgets::list::columns;
use crate::tui::widgets::table::{SearchTable, TableKey, TableView};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Cell;

#[derive(Default)]
pub struct GrantsScreen {
    table: SearchTable<Id>,
    ward: Option<String>,
    kind: Option<GrantKind>,
    total: Dong,
    computed_for: (u64, String, Option<String>, Option<GrantKind>),
}

impl Screen for GrantsScreen {
    fn export_target(&self) -> Option<(ExportKind, Filter)> {
        Some((ExportKind::Grants, Filter::ward(self.ward.as_deref())))
    }

    fn scope(&self) -> (Scope, bool) {
        if self.table.searching() {
            (Scope::Search, true)
        } else {
            (Scope::Grants, false)
        }
    }

    fn offers(&self, cmd: Cmd, _ctx: &Ctx) -> bool {
        match cmd {
            Cmd::Open => self.table.selected().is_some(),
            // The list has no columns to move between.
            Cmd::Left | Cmd::Right => false,
            _ => true,
        }
    }

    fn refresh(&mut self, ctx: &Ctx) {
        let query = self.table.query();
        let key = (ctx.version, query.clone(), self.ward.clone(), self.kind);
        if self.computed_for == key {
            return;
        }
        let mut grants: Vec<_> = ctx
            .snap
            .grants
            .values()
            .filter(|g| self.kind.is_none_or(|k| g.kind == k) && ctx.snap.counts(g.person_id))
            .filter(|g| {
                let person = ctx.snap.people.get(&g.person_id);
                self.ward
                    .as_deref()
                    .is_none_or(|w| person.is_some_and(|p| p.ward == w))
                    && (query.is_empty()
                        || text::matches_folded(
                            &format!(
                                "{} {}",
                                ctx.snap.search_key(g.person_id),
                                text::fold(&g.item)
                            ),
                            &query,
                        ))
            })
            .collect();
        grants.sort_by_key(|g| (std::cmp::Reverse(g.handed_over_on), g.id));
        self.total = grants.iter().map(|g| g.total_value).sum();
        self.table
            .set_rows(grants.into_iter().map(|g| g.id).collect());
        self.computed_for = key;
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        let used = self.table.handle(action);
        if used != TableKey::Ignored || self.table.searching() {
            return used.into();
        }
        let Action::Cmd(cmd) = action else {
            return Outcome::Ignored;
        };
        match cmd {
            Cmd::CycleWard => {
                self.ward = next_ward(ctx, &self.ward);
                Outcome::Changed
            }
            Cmd::CycleKind => {
                self.kind = match self.kind {
                    None => GrantKind::ALL.first().copied(),
                    Some(k) => GrantKind::ALL
                        .iter()
                        .position(|x| *x == k)
                        .and_then(|i| GrantKind::ALL.get(i + 1))
                        .copied(),
                };
                Outcome::Changed
            }
            Cmd::Open => match self
                .table
                .selected()
                .and_then(|id| ctx.snap.grants.get(&id))
            {
                Some(g) => Outcome::Do(Request::OpenPerson(g.person_id, Section::Grants)),
                None => Outcome::Ignored,
            },
            Cmd::Back if self.ward.is_some() || self.kind.is_some() || self.table.has_query() => {
                self.ward = None;
                self.kind = None;
                self.table.clear_query();
                Outcome::Changed
            }
            _ => Outcome::Ignored,
        }
    }

    fn render(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx) -> Option<Position> {
        let theme = ctx.theme;
        let kind = self
            .kind
            .map(|k| ctx.t(k.key()))
            .unwrap_or(ctx.t("filter.all_kinds"));
        let summary = tf(
            ctx.lang,
            "grants.summary",
            &[
                ("count", &Dong(self.table.rows().len() as i64).grouped()),
                ("value", &self.total),
            ],
        );
        let right = format!(
            "{} · {} · {}",
            ward_filter_label(ctx, &self.ward),
            kind,
            summary
        );
        let wide = area.width >= 110;
        let (header, widths) = columns(
            &[
                ("col.handed_over_short", Constraint::Length(10), false),
                ("col.code", Constraint::Length(7), true),
                ("col.name", Constraint::Fill(2), false),
                ("col.kind", Constraint::Length(13), false),
                ("col.item", Constraint::Fill(2), false),
                ("col.quantity", Constraint::Length(8), false),
                ("col.value", Constraint::Length(11), false),
                ("col.record_no", Constraint::Length(12), true),
            ],
            wide,
        );
        let view = TableView {
            label: ctx.t("people.search"),
            hint: ctx.t("grants.search_hint"),
            right: &right,
            empty: vec![Line::styled(ctx.t("grants.none"), theme.muted())],
            header: header.iter().map(|k| ctx.t(k).to_string()).collect(),
            widths,
        };
        self.table.render(
            area,
            buf,
            theme,
            view,
            |id| {
                let Some(g) = ctx.snap.grants.get(&id) else {
                    return vec![];
                };
                let person = ctx.snap.people.get(&g.person_id);
                let mut cells = vec![Cell::from(format_date(g.handed_over_on))];
                if wide {
                    cells.push(Cell::from(
                        person.map(|p| p.code.clone()).unwrap_or_default(),
                    ));
                }
                cells.extend([
                    Cell::from(person.map(|p| p.full_name.clone()).unwrap_or_default()),
                    Cell::from(ctx.t(g.kind.key())),
                    Cell::from(g.item.clone()),
                    Cell::from(format!("{} {}", g.quantity, g.unit)),
                    Cell::from(Line::from(g.total_value.grouped()).right_aligned()),
                ]);
                if wide {
                    cells.push(Cell::from(g.handover_record_no.clone()));
                }
                cells
            },
            |_| Style::new(),
        )
    }
}
