//! Draws a `report::Table` (a summary) in the user's language, its total row in bold.

use super::list::{ListCursor, render_table};
use crate::domain::dates::format_date;
use crate::report::{Cell, Table};
use crate::tui::screens::Ctx;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Cell as TableCell;

/// A cell as text, and whether it is a number (drawn right-aligned).
pub fn cell_text(cell: &Cell, ctx: &Ctx) -> (String, bool) {
    match cell {
        Cell::Text(s) => (s.clone(), false),
        Cell::Label(key) => (ctx.t(key).to_string(), false),
        Cell::Count(n) => (crate::domain::Dong(*n as i64).grouped(), true),
        Cell::Money(d) => (d.grouped(), true),
        Cell::Date(d) => (format_date(*d), false),
        Cell::Percent(Some(p)) => (format!("{p:.0}%"), true),
        Cell::Percent(None) => ("—".into(), true),
        Cell::Suppressed(k) => (format!("<{k}"), true),
        Cell::Withheld => ("x".into(), true),
    }
}

pub fn render_report_table(
    table: &Table,
    area: Rect,
    buf: &mut Buffer,
    ctx: &Ctx,
    cursor: &ListCursor,
) {
    let rows: Vec<&Vec<Cell>> = table.rows.iter().chain(table.total.iter()).collect();
    let widths: Vec<Constraint> = (0..table.columns.len())
        .map(|i| {
            let longest = rows
                .iter()
                .map(|r| {
                    r.get(i)
                        .map_or(0, |c| crate::text::width(&cell_text(c, ctx).0))
                })
                .chain(std::iter::once(crate::text::width(ctx.t(table.columns[i]))))
                .max()
                .unwrap_or(4);
            if i == 0 {
                Constraint::Fill(1)
            } else {
                Constraint::Length(longest.clamp(4, 22) as u16)
            }
        })
        .collect();
    let header = table.columns.iter().map(|k| ctx.t(k).to_string()).collect();
    let total_at = table.rows.len();
    render_table(
        area,
        buf,
        header,
        &widths,
        rows.len(),
        cursor,
        true,
        ctx.theme,
        |i| {
            rows[i]
                .iter()
                .map(|c| {
                    let (text, numeric) = cell_text(c, ctx);
                    let line = if numeric {
                        Line::from(text).right_aligned()
                    } else {
                        Line::from(text)
                    };
                    TableCell::from(line)
                })
                .collect()
        },
        |i| {
            if i == total_at {
                Style::new().add_modifier(Modifier::BOLD)
            } else {
                Style::new()
            }
        },
    );
}
