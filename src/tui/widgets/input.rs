//! A one-line text input whose cursor moves by grapheme and is placed by display width,
//! so it lands right after "Nguyễn" whether the marks were typed composed or not.

use crate::text;
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextInput {
    value: String,
    /// Cursor position in graphemes from the start.
    cursor: usize,
    max_chars: usize,
}

impl Default for TextInput {
    fn default() -> TextInput {
        TextInput::new("")
    }
}

impl TextInput {
    pub fn new(value: &str) -> TextInput {
        let value: String = value.nfc().collect();
        let cursor = value.graphemes(true).count();
        TextInput {
            value,
            cursor,
            max_chars: 500,
        }
    }

    pub fn with_max(mut self, max_chars: usize) -> TextInput {
        self.max_chars = max_chars;
        self
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn set(&mut self, value: &str) {
        *self = TextInput::new(value).with_max(self.max_chars);
    }

    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    fn byte_at(&self, grapheme: usize) -> usize {
        self.value
            .grapheme_indices(true)
            .nth(grapheme)
            .map(|(i, _)| i)
            .unwrap_or(self.value.len())
    }

    /// Inserts text at the cursor. A combining mark typed on its own joins the letter
    /// before it (NFC), and the cursor stays after that letter.
    pub fn insert_str(&mut self, typed: &str) {
        let typed: String = typed.chars().filter(|c| !c.is_control()).collect();
        if typed.is_empty() || self.value.chars().count() + typed.chars().count() > self.max_chars {
            return;
        }
        let at = self.byte_at(self.cursor);
        let (before, after) = self.value.split_at(at);
        let new_before: String = format!("{before}{typed}").nfc().collect();
        self.cursor = new_before.graphemes(true).count();
        self.value = format!("{new_before}{after}").nfc().collect();
    }

    pub fn insert(&mut self, c: char) {
        let mut buf = [0u8; 4];
        self.insert_str(c.encode_utf8(&mut buf));
    }

    pub fn backspace(&mut self) {
        if self.cursor == 0 {
            return;
        }
        let start = self.byte_at(self.cursor - 1);
        let end = self.byte_at(self.cursor);
        self.value.replace_range(start..end, "");
        self.cursor -= 1;
    }

    pub fn delete(&mut self) {
        let start = self.byte_at(self.cursor);
        let end = self.byte_at(self.cursor + 1);
        self.value.replace_range(start..end, "");
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.value.graphemes(true).count());
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.value.graphemes(true).count();
    }

    pub fn clear(&mut self) {
        self.value.clear();
        self.cursor = 0;
    }

    /// Where the cursor is, in bytes into the value.
    pub fn cursor_byte(&self) -> usize {
        self.byte_at(self.cursor)
    }

    /// Columns from the start of the text to the cursor.
    pub fn cursor_column(&self) -> usize {
        text::width(&self.value[..self.byte_at(self.cursor)])
    }

    /// The part of the text that fits in `width` columns with the cursor visible,
    /// and the cursor's column within it.
    pub fn visible(&self, width: usize) -> (String, usize) {
        let width = width.max(1);
        let cursor_col = self.cursor_column();
        let skip_cols = cursor_col.saturating_sub(width - 1);
        let mut shown = String::new();
        let mut col = 0;
        let mut used = 0;
        for g in self.value.graphemes(true) {
            let w = text::width(g);
            if col < skip_cols {
                col += w;
                continue;
            }
            if used + w > width {
                break;
            }
            shown.push_str(g);
            used += w;
            col += w;
        }
        (shown, cursor_col - skip_cols.min(cursor_col))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_sits_after_a_vietnamese_name_typed_composed_or_decomposed() {
        let mut composed = TextInput::default();
        composed.insert_str("Nguyễn");
        let mut decomposed = TextInput::default();
        for c in "Nguye\u{0302}\u{0303}n".chars() {
            decomposed.insert(c);
        }
        assert_eq!(composed.value(), "Nguyễn");
        assert_eq!(decomposed.value(), "Nguyễn");
        assert_eq!(composed.cursor_column(), 6);
        assert_eq!(decomposed.cursor_column(), 6);
    }

    #[test]
    fn backspace_removes_a_whole_letter_with_its_marks() {
        let mut input = TextInput::new("Thị");
        input.backspace();
        assert_eq!(input.value(), "Th");
    }

    #[test]
    fn moving_left_and_typing_inserts_in_the_middle() {
        let mut input = TextInput::new("Hoa");
        input.left();
        input.left();
        input.insert('à');
        assert_eq!(input.value(), "Hàoa");
        assert_eq!(input.cursor_column(), 2);
        input.delete();
        assert_eq!(input.value(), "Hàa");
    }

    #[test]
    fn a_long_value_scrolls_to_keep_the_cursor_visible() {
        let input = TextInput::new("Nguyễn Thị Minh Nguyệt");
        let (shown, col) = input.visible(10);
        assert_eq!(shown, "nh Nguyệt");
        assert_eq!(col, 9);
        assert!(text::width(&shown) <= 10);
    }

    #[test]
    fn control_characters_from_a_paste_are_dropped_and_the_limit_holds() {
        let mut input = TextInput::default().with_max(5);
        input.insert_str("ab\u{1b}[c");
        assert_eq!(input.value(), "ab[c");
        input.insert_str("toolong");
        assert_eq!(input.value(), "ab[c");
    }
}
