//! A scrolling list or table over any number of rows: only the visible rows are built,
//! so 10,000 people scroll as smoothly as ten.

use crate::tui::keymap::Cmd;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Cell, Row, StatefulWidget, Table, TableState};
use std::cell::Cell as StdCell;
use std::ops::Range;

/// The selected row and the scroll position. The offset is a view detail that drawing
/// adjusts to keep the selection visible, hence the `Cell`.
#[derive(Clone, Debug, Default)]
pub struct ListCursor {
    pub selected: usize,
    offset: StdCell<usize>,
    page: StdCell<usize>,
}

impl PartialEq for ListCursor {
    fn eq(&self, other: &Self) -> bool {
        self.selected == other.selected
    }
}

impl ListCursor {
    /// Moves the selection; returns whether it moved.
    pub fn handle(&mut self, cmd: Cmd, len: usize) -> bool {
        let before = self.selected;
        let page = self.page.get().max(1);
        let last = len.saturating_sub(1);
        self.selected = match cmd {
            Cmd::Up => self.selected.saturating_sub(1),
            Cmd::Down => (self.selected + 1).min(last),
            Cmd::PageUp => self.selected.saturating_sub(page),
            Cmd::PageDown => (self.selected + page).min(last),
            Cmd::First => 0,
            Cmd::Last => last,
            _ => return false,
        };
        self.selected != before
    }

    /// Keeps the selection inside a list that may have shrunk.
    pub fn clamp(&mut self, len: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
    }

    /// The rows to draw in `height` lines, scrolled as little as possible.
    pub fn window(&self, len: usize, height: usize) -> Range<usize> {
        let height = height.max(1);
        self.page.set(height);
        let mut offset = self.offset.get().min(len.saturating_sub(1));
        if self.selected < offset {
            offset = self.selected;
        } else if self.selected >= offset + height {
            offset = self.selected + 1 - height;
        }
        if offset + height > len {
            offset = len.saturating_sub(height);
        }
        self.offset.set(offset);
        offset..(offset + height).min(len)
    }
}

/// A table's columns as (title key, width, only when wide): the titles and widths to use.
pub fn columns(
    all: &[(&'static str, Constraint, bool)],
    wide: bool,
) -> (Vec<&'static str>, Vec<Constraint>) {
    all.iter()
        .filter(|(_, _, wide_only)| wide || !wide_only)
        .map(|(title, width, _)| (*title, *width))
        .unzip()
}

/// Draws a table of `len` rows; `row(i)` builds row i's cells only for visible rows.
#[allow(clippy::too_many_arguments)]
pub fn render_table<'a>(
    area: Rect,
    buf: &mut Buffer,
    header: Vec<String>,
    widths: &[Constraint],
    len: usize,
    cursor: &ListCursor,
    focused: bool,
    theme: Theme,
    row: impl Fn(usize) -> Vec<Cell<'a>>,
    row_style: impl Fn(usize) -> Style,
) {
    let body_height = area.height.saturating_sub(1) as usize;
    let range = cursor.window(len, body_height);
    let first = range.start;
    let rows: Vec<Row> = range
        .map(|i| Row::new(row(i)).style(row_style(i)))
        .collect();
    let header =
        Row::new(header.into_iter().map(|h| Cell::from(Line::from(h)))).style(theme.title());
    let table = Table::new(rows, widths.to_vec())
        .header(header)
        .column_spacing(1)
        .row_highlight_style(if focused {
            theme.selected()
        } else {
            Style::new()
        });
    let mut state = TableState::default();
    if len > 0 {
        state.select(Some(cursor.selected - first));
    }
    StatefulWidget::render(table, area, buf, &mut state);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_follows_the_selection_without_jumping() {
        let mut cursor = ListCursor::default();
        assert_eq!(cursor.window(100, 10), 0..10);
        for _ in 0..12 {
            cursor.handle(Cmd::Down, 100);
        }
        assert_eq!(cursor.window(100, 10), 3..13);
        cursor.handle(Cmd::Up, 100);
        assert_eq!(
            cursor.window(100, 10),
            3..13,
            "moving up inside the window does not scroll"
        );
        cursor.handle(Cmd::Last, 100);
        assert_eq!(cursor.window(100, 10), 90..100);
        cursor.handle(Cmd::PageUp, 100);
        assert_eq!(cursor.selected, 89);
    }

    #[test]
    fn an_empty_list_is_safe() {
        let mut cursor = ListCursor::default();
        cursor.handle(Cmd::Down, 0);
        assert_eq!(cursor.selected, 0);
        assert_eq!(cursor.window(0, 10), 0..0);
    }
}
