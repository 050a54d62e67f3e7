//! A searchable table over any number of records: the `/` line above, the rows below.
//! The cursor is on a record, not on a row number, so a list that re-sorts or loses a
//! line after a save keeps the officer on the record they were on.

use super::list::{ListCursor, render_table};
use super::search::SearchBox;
use crate::tui::keymap::{Action, Cmd};
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Widget};

/// What a key did to the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableKey {
    /// Not a table key: the screen decides.
    Ignored,
    /// A table key that changed nothing (↓ on the last row).
    Unchanged,
    /// The cursor, the search line or the query changed.
    Changed,
}

#[derive(Clone, Debug)]
pub struct SearchTable<K> {
    pub search: SearchBox,
    cursor: ListCursor,
    rows: Vec<K>,
    /// The record under the cursor, followed when the rows are recomputed (or one to
    /// select once it appears, after a save).
    selected: Option<K>,
    /// A new query filters from the top.
    to_top: bool,
}

impl<K> Default for SearchTable<K> {
    fn default() -> Self {
        SearchTable {
            search: SearchBox::default(),
            cursor: ListCursor::default(),
            rows: Vec::new(),
            selected: None,
            to_top: false,
        }
    }
}

/// What the table shows around its rows.
pub struct TableView<'a> {
    /// The search line: its label, the hint shown while empty, the summary on the right.
    pub label: &'a str,
    pub hint: &'a str,
    pub right: &'a str,
    /// Shown instead of the rows when there are none.
    pub empty: Vec<Line<'a>>,
    pub header: Vec<String>,
    pub widths: Vec<Constraint>,
}

impl<K: Copy + PartialEq> SearchTable<K> {
    pub fn rows(&self) -> &[K] {
        &self.rows
    }

    pub fn selected(&self) -> Option<K> {
        self.rows.get(self.cursor.selected).copied()
    }

    pub fn searching(&self) -> bool {
        self.search.active
    }

    /// The folded query, for the screen's filter.
    pub fn query(&self) -> String {
        self.search.query()
    }

    pub fn has_query(&self) -> bool {
        !self.search.input.is_empty()
    }

    pub fn clear_query(&mut self) {
        self.search.input.clear();
        self.to_top = true;
    }

    /// Puts the cursor on `key` now, or as soon as the rows hold it (a record just saved).
    pub fn select(&mut self, key: K) {
        self.selected = Some(key);
        if let Some(pos) = self.rows.iter().position(|r| *r == key) {
            self.cursor.selected = pos;
        }
    }

    /// New rows (the data, the order or a filter changed). The cursor stays on its
    /// record; if that record is gone, on the line that took its place.
    pub fn set_rows(&mut self, rows: Vec<K>) {
        self.rows = rows;
        if std::mem::take(&mut self.to_top) {
            self.cursor.selected = 0;
        } else if let Some(pos) = self
            .selected
            .and_then(|key| self.rows.iter().position(|r| *r == key))
        {
            self.cursor.selected = pos;
        }
        self.cursor.clamp(self.rows.len());
        self.selected = self.selected();
    }

    pub fn handle(&mut self, action: &Action) -> TableKey {
        let before = (self.cursor.selected, self.search.active);
        let used = if self.search.active {
            let query = self.search.input.value().to_string();
            let used = self.search.drive(action, &mut self.cursor, self.rows.len());
            if self.search.input.value() != query {
                self.to_top = true;
            }
            used
        } else {
            match action {
                Action::Cmd(Cmd::Search) => {
                    self.search.active = true;
                    true
                }
                Action::Cmd(cmd) => {
                    let moved = self.cursor.handle(*cmd, self.rows.len());
                    // Keys that move the cursor are the table's even when it cannot move.
                    moved
                        || matches!(
                            cmd,
                            Cmd::Up
                                | Cmd::Down
                                | Cmd::PageUp
                                | Cmd::PageDown
                                | Cmd::First
                                | Cmd::Last
                        )
                }
                _ => false,
            }
        };
        self.selected = self.selected();
        if !used {
            TableKey::Ignored
        } else if self.to_top || before != (self.cursor.selected, self.search.active) {
            TableKey::Changed
        } else {
            TableKey::Unchanged
        }
    }

    /// Draws the search line and the rows; `row` builds the cells of the visible records
    /// only. Returns the cursor position while the search line is being typed in.
    pub fn render<'a>(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        view: TableView<'a>,
        row: impl Fn(K) -> Vec<Cell<'a>>,
        style: impl Fn(K) -> Style,
    ) -> Option<Position> {
        let [top, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
        let cursor = self
            .search
            .render(top, buf, theme, view.label, view.hint, view.right);
        if self.rows.is_empty() {
            Paragraph::new(view.empty).render(body, buf);
            return cursor;
        }
        render_table(
            body,
            buf,
            view.header,
            &view.widths,
            self.rows.len(),
            &self.cursor,
            true,
            theme,
            |i| row(self.rows[i]),
            |i| style(self.rows[i]),
        );
        cursor
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn down(table: &mut SearchTable<u32>, times: usize) {
        for _ in 0..times {
            table.handle(&Action::Cmd(Cmd::Down));
        }
    }

    #[test]
    fn the_cursor_stays_on_its_record_when_the_list_re_sorts() {
        let mut table = SearchTable::default();
        table.set_rows(vec![10, 20, 30, 40]);
        down(&mut table, 2);
        assert_eq!(table.selected(), Some(30));
        table.set_rows(vec![5, 40, 30, 20, 10]);
        assert_eq!(table.selected(), Some(30));
    }

    #[test]
    fn a_record_that_left_the_list_gives_the_cursor_to_the_line_that_took_its_place() {
        let mut table = SearchTable::default();
        table.set_rows(vec![10, 20, 30, 40]);
        down(&mut table, 2);
        table.set_rows(vec![10, 20, 40]);
        assert_eq!(table.selected(), Some(40));
        table.set_rows(vec![10]);
        assert_eq!(table.selected(), Some(10));
    }

    #[test]
    fn a_new_query_filters_from_the_top() {
        let mut table = SearchTable::default();
        table.set_rows(vec![10, 20, 30]);
        down(&mut table, 2);
        table.handle(&Action::Cmd(Cmd::Search));
        assert_eq!(table.handle(&Action::Input('a')), TableKey::Changed);
        table.set_rows(vec![20, 30]);
        assert_eq!(table.selected(), Some(20));
    }

    #[test]
    fn a_key_that_cannot_move_the_cursor_changes_nothing() {
        let mut table = SearchTable::default();
        table.set_rows(vec![10, 20]);
        assert_eq!(table.handle(&Action::Cmd(Cmd::Up)), TableKey::Unchanged);
        assert_eq!(table.handle(&Action::Cmd(Cmd::Down)), TableKey::Changed);
        assert_eq!(table.handle(&Action::Cmd(Cmd::Open)), TableKey::Ignored);
    }

    #[test]
    fn a_record_saved_before_it_is_listed_is_selected_when_it_appears() {
        let mut table = SearchTable::default();
        table.set_rows(vec![10, 20]);
        table.select(30);
        table.set_rows(vec![10, 20, 30]);
        assert_eq!(table.selected(), Some(30));
    }
}
