//! The `/` search line above a list: a text input that filters as you type, and a
//! summary on the right (filters, counts).

use super::input::TextInput;
use super::list::ListCursor;
use crate::text;
use crate::tui::keymap::{Action, Cmd};
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};

#[derive(Clone, Debug, Default)]
pub struct SearchBox {
    pub input: TextInput,
    pub active: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchOutcome {
    Ignored,
    /// The query changed: the list must be filtered again from its top.
    Edited,
    /// The cursor moved within the query, or the search closed keeping its query.
    Consumed,
    /// A list key (↑ ↓ PgUp PgDn) to pass to the list while typing.
    Navigate(Cmd),
}

impl SearchBox {
    /// The folded query, ready for `text::matches_folded`.
    pub fn query(&self) -> String {
        text::fold(self.input.value())
    }

    pub fn handle(&mut self, action: &Action) -> SearchOutcome {
        use SearchOutcome::*;
        match action {
            Action::Input(c) => self.input.insert(*c),
            Action::Paste(p) => self.input.insert_str(p),
            Action::Cmd(Cmd::Backspace) => self.input.backspace(),
            Action::Cmd(Cmd::Delete) => self.input.delete(),
            Action::Cmd(Cmd::ClearInput) => self.input.clear(),
            Action::Cmd(Cmd::Back) => {
                self.active = false;
                self.input.clear();
            }
            Action::Cmd(Cmd::Left) => {
                self.input.left();
                return Consumed;
            }
            Action::Cmd(Cmd::Right) => {
                self.input.right();
                return Consumed;
            }
            Action::Cmd(Cmd::First) => {
                self.input.home();
                return Consumed;
            }
            Action::Cmd(Cmd::Last) => {
                self.input.end();
                return Consumed;
            }
            Action::Cmd(Cmd::Open) => {
                self.active = false;
                return Consumed;
            }
            Action::Cmd(cmd @ (Cmd::Up | Cmd::Down | Cmd::PageUp | Cmd::PageDown)) => {
                return Navigate(*cmd);
            }
            _ => return Ignored,
        }
        Edited
    }

    /// Handles a key for a search over a list: typing filters from the top, arrows
    /// still move the list. Returns whether the key was used.
    pub fn drive(&mut self, action: &Action, list: &mut ListCursor, len: usize) -> bool {
        match self.handle(action) {
            SearchOutcome::Ignored => false,
            SearchOutcome::Edited => {
                list.selected = 0;
                true
            }
            SearchOutcome::Consumed => true,
            SearchOutcome::Navigate(cmd) => {
                list.handle(cmd, len);
                true
            }
        }
    }

    /// Draws "label [query]   right" on one line; returns the cursor while active.
    pub fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        label: &str,
        hint: &str,
        right: &str,
    ) -> Option<Position> {
        let label = format!("{label} ");
        let label_w = text::width(&label) as u16;
        buf.set_string(
            area.x,
            area.y,
            &label,
            if self.active {
                theme.key()
            } else {
                theme.label()
            },
        );
        let right_w = text::width(right) as u16;
        let box_w = area.width.saturating_sub(label_w + right_w + 2).max(6);
        let (shown, col) = self.input.visible(box_w as usize);
        let (shown, style) = if shown.is_empty() && !self.active {
            (hint.to_string(), theme.muted())
        } else if self.active {
            (shown, theme.focused_field())
        } else {
            (shown, theme.input())
        };
        let pad = (box_w as usize).saturating_sub(text::width(&shown));
        buf.set_stringn(
            area.x + label_w,
            area.y,
            format!("{shown}{}", " ".repeat(pad)),
            box_w as usize,
            style,
        );
        buf.set_string(
            area.right().saturating_sub(right_w),
            area.y,
            right,
            theme.muted(),
        );
        self.active
            .then(|| Position::new(area.x + label_w + col as u16, area.y))
    }
}
