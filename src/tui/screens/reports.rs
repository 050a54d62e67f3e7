//! Screen 5: the summaries as tables, by ward for now.

use super::{Ctx, Outcome};
use crate::domain::Dong;
use crate::tui::keymap::Action;
use crate::tui::widgets::list::{ListCursor, render_table};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Cell;

#[derive(Default)]
pub struct ReportsScreen {
    cursor: ListCursor,
    rows: Vec<(String, usize, usize, Dong, usize)>,
    computed_for: u64,
}

impl ReportsScreen {
    pub fn refresh(&mut self, ctx: &Ctx) {
        if self.computed_for == ctx.version {
            return;
        }
        let mut rows = Vec::new();
        for w in ctx.snap.wards.values() {
            let people: Vec<_> = ctx
                .snap
                .people
                .values()
                .filter(|p| p.ward == w.code)
                .map(|p| p.id)
                .collect();
            let grants: Vec<_> = people
                .iter()
                .flat_map(|id| ctx.snap.grants_of(*id))
                .collect();
            let overdue = people
                .iter()
                .flat_map(|id| ctx.snap.milestones_of(*id))
                .filter(|m| m.is_overdue(ctx.today))
                .count();
            rows.push((
                w.name.clone(),
                people.len(),
                grants.len(),
                grants.iter().map(|g| g.total_value).sum(),
                overdue,
            ));
        }
        self.rows = rows;
        self.computed_for = ctx.version;
    }

    pub fn handle(&mut self, action: &Action, _ctx: &Ctx) -> Outcome {
        match action {
            Action::Cmd(cmd) if self.cursor.handle(*cmd, self.rows.len()) => Outcome::Consumed,
            _ => Outcome::Ignored,
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx) -> Option<Position> {
        let header = [
            "col.ward",
            "dash.people",
            "dash.grants",
            "col.value",
            "dash.overdue",
        ]
        .iter()
        .map(|k| ctx.t(k).to_string())
        .collect();
        let widths = [
            Constraint::Fill(1),
            Constraint::Length(10),
            Constraint::Length(10),
            Constraint::Length(16),
            Constraint::Length(10),
        ];
        render_table(
            area,
            buf,
            header,
            &widths,
            self.rows.len(),
            &self.cursor,
            true,
            ctx.theme,
            |i| {
                let (name, people, grants, value, overdue) = &self.rows[i];
                vec![
                    Cell::from(name.clone()),
                    Cell::from(Line::from(people.to_string()).right_aligned()),
                    Cell::from(Line::from(grants.to_string()).right_aligned()),
                    Cell::from(Line::from(value.grouped()).right_aligned()),
                    Cell::from(Line::from(overdue.to_string()).right_aligned()),
                ]
            },
            |_| Style::new(),
        );
        None
    }
}
