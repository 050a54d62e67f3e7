//! Drawing a form: a pure function of its state. Labels on the left, values on the
//! right, a problem under its field, notices under the title, and the cursor's place.

use super::{FieldKind, Form};
use crate::domain::Dong;
use crate::i18n::{Lang, t, tf};
use crate::text;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

impl Form {
    /// The lines under the title: notices, then problems that belong to no field.
    fn top_lines(&self, lang: Lang) -> Vec<(String, bool)> {
        let mut lines: Vec<(String, bool)> = self
            .notices
            .iter()
            .map(|n| {
                let args: Vec<(&str, &dyn std::fmt::Display)> = n
                    .args
                    .iter()
                    .map(|(k, v)| (*k, v as &dyn std::fmt::Display))
                    .collect();
                (tf(lang, n.key, &args), false)
            })
            .collect();
        lines.extend(
            self.general
                .iter()
                .map(|k| (format!("⚠ {}", t(lang, k)), true)),
        );
        lines
    }

    /// The problem shown under a field: a key refused just now, else the last save's.
    fn problem_of(&self, i: usize) -> Option<&'static str> {
        if let Some((key, why)) = self.refused
            && key == self.fields[i].key
        {
            return Some(why);
        }
        self.error_for(self.fields[i].key)
    }

    /// Draws the form and returns where the terminal cursor belongs.
    pub fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        lang: Lang,
        theme: Theme,
    ) -> Option<Position> {
        let block = Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(format!(" {} ", self.title), theme.title()));
        let inner = block.inner(area);
        block.render(area, buf);
        let mut y = inner.y;
        for (line, is_error) in self.top_lines(lang) {
            let style = if is_error {
                theme.error()
            } else {
                theme.warning()
            };
            let line = format!(" {line}");
            Paragraph::new(Line::styled(fit(&line, inner.width as usize), style)).render(
                Rect {
                    height: 1,
                    y,
                    ..inner
                },
                buf,
            );
            y += 1;
        }
        let hint_row = inner.bottom().saturating_sub(1);
        let height = hint_row.saturating_sub(y) as usize;
        let visible: Vec<usize> = (0..self.fields.len())
            .filter(|&i| !self.fields[i].hidden)
            .collect();
        let label_width = visible
            .iter()
            .map(|&i| text::width(t(lang, self.fields[i].label)))
            .max()
            .unwrap_or(10)
            .clamp(10, (inner.width as usize / 2).max(10));
        let value_x = inner.x + label_width as u16 + 2;
        let value_width = inner.right().saturating_sub(value_x).saturating_sub(1) as usize;
        // A field's problem, wrapped to the width beside the labels: it is read whole.
        let problem_lines = |i: usize| -> Vec<String> {
            self.problem_of(i).map_or_else(Vec::new, |key| {
                text::wrap(&format!("⚠ {}", t(lang, key)), value_width.max(10))
            })
        };
        let rows = |i: usize| 1 + problem_lines(i).len();
        // Scroll just enough to keep the focused field (and its problem lines) in view.
        let focus_pos = visible.iter().position(|&i| i == self.focus).unwrap_or(0);
        let mut start = 0;
        while start < focus_pos
            && visible[start..=focus_pos]
                .iter()
                .map(|&i| rows(i))
                .sum::<usize>()
                > height
        {
            start += 1;
        }
        let mut cursor = None;
        for &i in &visible[start..] {
            if y as usize + rows(i) > hint_row as usize {
                break;
            }
            let field = &self.fields[i];
            let focused = i == self.focus;
            let label_style = if focused {
                theme.title()
            } else {
                theme.label()
            };
            buf.set_stringn(
                inner.x + 1,
                y,
                fit(t(lang, field.label), label_width),
                label_width,
                label_style,
            );
            let (shown, cursor_col) = match &field.kind {
                FieldKind::Secret(input) if focused => {
                    let dots = "•".repeat(input.value().chars().count());
                    let col = input.value()[..input.cursor_byte()].chars().count();
                    (fit(&dots, value_width), col)
                }
                kind if focused && kind.input().is_some() => kind
                    .input()
                    .map(|input| input.visible(value_width))
                    .unwrap_or_default(),
                _ => {
                    let d = field.display(lang);
                    let w = text::width(&d);
                    (fit(&d, value_width), w)
                }
            };
            // A value about to be replaced by typing is marked, as a sheet marks a cell.
            let style = match (focused, self.fresh && field.kind.input().is_some()) {
                (true, true) => theme.selected(),
                (true, false) => theme.focused_field(),
                (false, _) => theme.input(),
            };
            let padded = format!(
                "{shown:<pad$}",
                pad = value_width.saturating_sub(text::width(&shown)) + shown.chars().count()
            );
            buf.set_stringn(value_x, y, &padded, value_width, style);
            if shown.is_empty() && !field.placeholder.is_empty() {
                let x = value_x + u16::from(focused);
                buf.set_stringn(
                    x,
                    y,
                    &field.placeholder,
                    value_width.saturating_sub(1),
                    theme.muted(),
                );
            }
            // After the value: what it reads as, or what it expects.
            let aside = match &field.kind {
                FieldKind::Money(input) => Dong::parse(input.value())
                    .ok()
                    .filter(|d| d.grouped() != input.value().trim())
                    .map(|d| format!("= {d}")),
                FieldKind::Date(_) if focused => Some(t(lang, "form.date_format").to_string()),
                FieldKind::Choice(c) if focused && !c.typed.is_empty() => {
                    Some(tf(lang, "form.typed", &[("typed", &c.typed)]))
                }
                _ => None,
            };
            if let Some(aside) = aside {
                let x = value_x as usize + text::width(&shown) + 2;
                if x + text::width(&aside) < inner.right() as usize {
                    buf.set_string(x as u16, y, aside, theme.muted());
                }
            }
            if focused {
                let col = match field.kind {
                    FieldKind::Choice(_) | FieldKind::Toggle(_) => 0,
                    _ => cursor_col.min(value_width),
                };
                cursor = Some(Position::new(value_x + col as u16, y));
            }
            y += 1;
            for line in problem_lines(i) {
                buf.set_stringn(value_x, y, line, value_width, theme.error());
                y += 1;
            }
        }
        if !self.errors.is_empty() || !self.general.is_empty() {
            buf.set_stringn(
                inner.x + 1,
                hint_row,
                t(lang, "form.fix_errors"),
                inner.width as usize,
                theme.error(),
            );
        }
        cursor
    }
}

/// Cuts text to `width` columns, marking the cut with an ellipsis.
pub fn fit(text_in: &str, width: usize) -> String {
    if text::width(text_in) <= width {
        return text_in.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text_in.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}
