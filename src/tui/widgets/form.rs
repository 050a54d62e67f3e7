//! The one form widget: labelled fields (text, number, money, date, choice, yes/no),
//! Tab/Enter to move, problems shown beside their field, nothing typed ever lost.
//! It knows nothing of people or grants; `tui/forms/` turns records into forms and back.

use super::input::TextInput;
use crate::domain::Dong;
use crate::domain::dates::{format_date, parse_date};
use crate::i18n::{Lang, t};
use crate::text;
use crate::tui::keymap::{Action, Cmd};
use crate::tui::theme::Theme;
use chrono::{Days, NaiveDate};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

/// A label: an i18n key, or text that is already in the user's words (a ward's name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Label {
    Key(&'static str),
    Text(String),
}

impl Label {
    pub fn show(&self, lang: Lang) -> String {
        match self {
            Label::Key(k) => t(lang, k).to_string(),
            Label::Text(s) => s.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum FieldKind {
    Text(TextInput),
    /// A passphrase: edited like text, shown as one dot a letter.
    Secret(TextInput),
    /// Whole numbers: digits only.
    Number(TextInput),
    /// Whole đồng, typed as digits and shown grouped (1.500.000 ₫).
    Money(String),
    /// dd/mm/yyyy; `t` fills in today, `+`/`-` move a day.
    Date(TextInput),
    Choice {
        options: Vec<Label>,
        selected: usize,
    },
    Toggle(bool),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    pub hidden: bool,
    /// Shown dimmed while the field is empty: what an empty value will mean.
    pub placeholder: String,
}

impl Field {
    pub fn text(name: &'static str, label: &'static str, value: &str) -> Field {
        Field {
            name,
            label,
            kind: FieldKind::Text(TextInput::new(value).with_max(200)),
            hidden: false,
            placeholder: String::new(),
        }
    }

    pub fn secret(name: &'static str, label: &'static str) -> Field {
        Field {
            name,
            label,
            kind: FieldKind::Secret(TextInput::default().with_max(200)),
            hidden: false,
            placeholder: String::new(),
        }
    }

    pub fn note(name: &'static str, label: &'static str, value: &str) -> Field {
        Field {
            name,
            label,
            kind: FieldKind::Text(TextInput::new(value).with_max(1000)),
            hidden: false,
            placeholder: String::new(),
        }
    }

    pub fn number(name: &'static str, label: &'static str, value: Option<i64>) -> Field {
        let text = value.map(|v| v.to_string()).unwrap_or_default();
        Field {
            name,
            label,
            kind: FieldKind::Number(TextInput::new(&text).with_max(10)),
            hidden: false,
            placeholder: String::new(),
        }
    }

    pub fn money(name: &'static str, label: &'static str, value: Option<Dong>) -> Field {
        let digits = value.map(|d| d.0.max(0).to_string()).unwrap_or_default();
        Field {
            name,
            label,
            kind: FieldKind::Money(digits),
            hidden: false,
            placeholder: String::new(),
        }
    }

    pub fn date(name: &'static str, label: &'static str, value: Option<NaiveDate>) -> Field {
        let text = value.map(format_date).unwrap_or_default();
        Field {
            name,
            label,
            kind: FieldKind::Date(TextInput::new(&text).with_max(10)),
            hidden: false,
            placeholder: String::new(),
        }
    }

    pub fn choice(
        name: &'static str,
        label: &'static str,
        options: Vec<Label>,
        selected: usize,
    ) -> Field {
        let selected = selected.min(options.len().saturating_sub(1));
        Field {
            name,
            label,
            kind: FieldKind::Choice { options, selected },
            hidden: false,
            placeholder: String::new(),
        }
    }

    pub fn toggle(name: &'static str, label: &'static str, on: bool) -> Field {
        Field {
            name,
            label,
            kind: FieldKind::Toggle(on),
            hidden: false,
            placeholder: String::new(),
        }
    }

    /// What the field shows when it does not have focus.
    fn display(&self, lang: Lang) -> String {
        match &self.kind {
            FieldKind::Text(i) | FieldKind::Number(i) | FieldKind::Date(i) => i.value().to_string(),
            FieldKind::Secret(i) => "•".repeat(i.value().chars().count()),
            FieldKind::Money(digits) => match digits.parse::<i64>() {
                Ok(v) => Dong(v).to_string(),
                Err(_) => String::new(),
            },
            FieldKind::Choice { options, selected } => options
                .get(*selected)
                .map(|o| format!("‹ {} ›", o.show(lang)))
                .unwrap_or_default(),
            FieldKind::Toggle(on) => {
                format!(
                    "[{}] {}",
                    if *on { "x" } else { " " },
                    t(lang, if *on { "form.yes" } else { "form.no" })
                )
            }
        }
    }
}

/// What a key did to the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormOutcome {
    Ignored,
    Changed,
    Save,
    Cancel,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Form {
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// (field name, message key) from the last save attempt.
    pub errors: Vec<(&'static str, &'static str)>,
    pub dirty: bool,
    /// A line under the title explaining something about this form (e.g. missing consent).
    pub notice: Option<&'static str>,
    today: NaiveDate,
}

impl Form {
    pub fn new(title: String, fields: Vec<Field>, today: NaiveDate) -> Form {
        let mut form = Form {
            title,
            fields,
            focus: 0,
            errors: Vec::new(),
            dirty: false,
            notice: None,
            today,
        };
        form.focus = form.next_visible(0, true).unwrap_or(0);
        form
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn field_mut(&mut self, name: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.name == name)
    }

    pub fn focused_name(&self) -> &'static str {
        self.fields.get(self.focus).map(|f| f.name).unwrap_or("")
    }

    pub fn set_placeholder(&mut self, name: &str, text: String) {
        if let Some(f) = self.field_mut(name) {
            f.placeholder = text;
        }
    }

    pub fn set_hidden(&mut self, name: &str, hidden: bool) {
        if let Some(f) = self.field_mut(name) {
            f.hidden = hidden;
        }
    }

    pub fn text(&self, name: &str) -> String {
        match self.field(name).map(|f| &f.kind) {
            Some(
                FieldKind::Text(i)
                | FieldKind::Number(i)
                | FieldKind::Date(i)
                | FieldKind::Secret(i),
            ) => i.value().to_string(),
            Some(FieldKind::Money(d)) => d.clone(),
            _ => String::new(),
        }
    }

    pub fn choice(&self, name: &str) -> usize {
        match self.field(name).map(|f| &f.kind) {
            Some(FieldKind::Choice { selected, .. }) => *selected,
            _ => 0,
        }
    }

    pub fn set_choice(&mut self, name: &str, index: usize) {
        if let Some(Field {
            kind: FieldKind::Choice { options, selected },
            ..
        }) = self.field_mut(name)
        {
            *selected = index.min(options.len().saturating_sub(1));
        }
    }

    pub fn toggle(&self, name: &str) -> bool {
        matches!(
            self.field(name).map(|f| &f.kind),
            Some(FieldKind::Toggle(true))
        )
    }

    pub fn set_text(&mut self, name: &str, value: &str) {
        match self.field_mut(name).map(|f| &mut f.kind) {
            Some(
                FieldKind::Text(i)
                | FieldKind::Number(i)
                | FieldKind::Date(i)
                | FieldKind::Secret(i),
            ) => i.set(value),
            Some(FieldKind::Money(d)) => *d = value.chars().filter(char::is_ascii_digit).collect(),
            _ => {}
        }
    }

    /// The money in a field; None when empty.
    pub fn money(&self, name: &str) -> Option<Dong> {
        self.text(name).parse::<i64>().ok().map(Dong)
    }

    /// A whole number: Ok(None) when empty, Err when it is not a number.
    pub fn number(&self, name: &str) -> Result<Option<i64>, ()> {
        let text = self.text(name);
        if text.trim().is_empty() {
            return Ok(None);
        }
        text.trim().parse::<i64>().map(Some).map_err(|_| ())
    }

    /// A date: Ok(None) when empty, Err when it is not dd/mm/yyyy.
    pub fn date(&self, name: &str) -> Result<Option<NaiveDate>, ()> {
        let text = self.text(name);
        if text.trim().is_empty() {
            return Ok(None);
        }
        parse_date(&text).map(Some).ok_or(())
    }

    /// Shows these problems beside their fields and moves to the first of them.
    pub fn set_errors(&mut self, errors: Vec<(&'static str, &'static str)>) {
        self.errors = errors;
        if let Some(first) = self
            .fields
            .iter()
            .position(|f| !f.hidden && self.errors.iter().any(|(n, _)| *n == f.name))
        {
            self.focus = first;
        }
    }

    pub fn error_for(&self, name: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, k)| *k)
    }

    fn next_visible(&self, from: usize, forward: bool) -> Option<usize> {
        let n = self.fields.len();
        (0..n)
            .map(|step| {
                if forward {
                    (from + step) % n
                } else {
                    (from + n - step) % n
                }
            })
            .find(|&i| !self.fields[i].hidden)
    }

    fn move_focus(&mut self, forward: bool) {
        let n = self.fields.len();
        if n == 0 {
            return;
        }
        let start = if forward {
            (self.focus + 1) % n
        } else {
            (self.focus + n - 1) % n
        };
        if let Some(i) = self.next_visible(start, forward) {
            self.focus = i;
        }
    }

    /// Applies a key. Returns Changed when a value changed (the caller may then hide or
    /// show fields and recompute totals).
    pub fn handle(&mut self, action: &Action) -> FormOutcome {
        let today = self.today;
        match action {
            Action::Cmd(Cmd::Save) => return FormOutcome::Save,
            Action::Cmd(Cmd::Back) => return FormOutcome::Cancel,
            Action::Cmd(Cmd::NextField) => {
                self.move_focus(true);
                return FormOutcome::Ignored;
            }
            Action::Cmd(Cmd::PrevField) => {
                self.move_focus(false);
                return FormOutcome::Ignored;
            }
            _ => {}
        }
        let Some(field) = self.fields.get_mut(self.focus) else {
            return FormOutcome::Ignored;
        };
        let changed = match (&mut field.kind, action) {
            (FieldKind::Text(i) | FieldKind::Secret(i), a) => edit_text(i, a, |_| true),
            (FieldKind::Number(i), a) => edit_text(i, a, |c| c.is_ascii_digit()),
            (FieldKind::Date(i), Action::Input('t' | 'T')) => {
                i.set(&format_date(today));
                true
            }
            (FieldKind::Date(i), Action::Input(c @ ('+' | '-'))) => {
                let day = parse_date(i.value()).unwrap_or(today);
                let moved = if *c == '+' {
                    day.checked_add_days(Days::new(1))
                } else {
                    day.checked_sub_days(Days::new(1))
                };
                i.set(&format_date(moved.unwrap_or(day)));
                true
            }
            (FieldKind::Date(i), a) => edit_text(i, a, |c| c.is_ascii_digit() || c == '/'),
            (FieldKind::Money(digits), Action::Input(c)) if c.is_ascii_digit() => {
                if digits.len() < 15 {
                    if digits == "0" {
                        digits.clear();
                    }
                    digits.push(*c);
                }
                true
            }
            (FieldKind::Money(digits), Action::Paste(p)) => {
                *digits = p.chars().filter(char::is_ascii_digit).take(15).collect();
                true
            }
            (FieldKind::Money(digits), Action::Cmd(Cmd::Backspace | Cmd::Delete)) => {
                digits.pop().is_some()
            }
            (FieldKind::Money(digits), Action::Cmd(Cmd::ClearInput)) => {
                digits.clear();
                true
            }
            (FieldKind::Choice { options, selected }, Action::Cmd(Cmd::Right))
                if !options.is_empty() =>
            {
                *selected = (*selected + 1) % options.len();
                true
            }
            (FieldKind::Choice { options, selected }, Action::Cmd(Cmd::Left))
                if !options.is_empty() =>
            {
                *selected = (*selected + options.len() - 1) % options.len();
                true
            }
            (FieldKind::Choice { options, selected }, Action::Input(' '))
                if !options.is_empty() =>
            {
                *selected = (*selected + 1) % options.len();
                true
            }
            (FieldKind::Choice { options, selected }, Action::Input(c)) => {
                jump_to_option(options, selected, *c, Lang::Vi)
                    || jump_to_option(options, selected, *c, Lang::En)
            }
            (FieldKind::Toggle(on), Action::Input(' ') | Action::Cmd(Cmd::Left | Cmd::Right)) => {
                *on = !*on;
                true
            }
            (FieldKind::Toggle(on), Action::Input('y' | 'c' | 'x')) => {
                *on = true;
                true
            }
            (FieldKind::Toggle(on), Action::Input('n' | 'k')) => {
                *on = false;
                true
            }
            _ => false,
        };
        if changed {
            self.dirty = true;
            FormOutcome::Changed
        } else {
            FormOutcome::Ignored
        }
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
        if let Some(notice) = self.notice {
            Paragraph::new(Line::styled(t(lang, notice), theme.warning())).render(
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
        let rows = |i: usize| {
            if self.error_for(self.fields[i].name).is_some() {
                2
            } else {
                1
            }
        };
        // Scroll just enough to keep the focused field (and its error line) in view.
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
        let label_width = visible
            .iter()
            .map(|&i| text::width(t(lang, self.fields[i].label)))
            .max()
            .unwrap_or(10)
            .clamp(10, (inner.width as usize / 2).max(10));
        let value_x = inner.x + label_width as u16 + 2;
        let value_width = inner.right().saturating_sub(value_x).saturating_sub(1) as usize;
        let mut cursor = None;
        for &i in &visible[start..] {
            if y as usize + rows(i) > hint_row as usize {
                break;
            }
            let field = &self.fields[i];
            let focused = i == self.focus;
            let label = fit(t(lang, field.label), label_width);
            let label_style = if focused {
                theme.title()
            } else {
                theme.label()
            };
            buf.set_stringn(inner.x + 1, y, &label, label_width, label_style);
            let (shown, cursor_col) = match &field.kind {
                FieldKind::Text(input) | FieldKind::Number(input) | FieldKind::Date(input)
                    if focused =>
                {
                    input.visible(value_width)
                }
                FieldKind::Secret(input) if focused => {
                    let dots = "•".repeat(input.value().chars().count());
                    let col = "•"
                        .repeat(input.value()[..input.cursor_byte()].chars().count())
                        .chars()
                        .count();
                    (fit(&dots, value_width), col)
                }
                _ => {
                    let d = field.display(lang);
                    let w = text::width(&d);
                    (fit(&d, value_width), w)
                }
            };
            let style = if focused {
                theme.focused_field()
            } else {
                theme.input()
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
            if focused {
                let col = match field.kind {
                    FieldKind::Choice { .. } | FieldKind::Toggle(_) => 0,
                    _ => cursor_col.min(value_width),
                };
                cursor = Some(Position::new(value_x + col as u16, y));
                if let FieldKind::Date(_) = field.kind {
                    let hint = t(lang, "form.date_hint");
                    let x = value_x + text::width(&shown) as u16 + 1;
                    if (x as usize) + text::width(hint) < inner.right() as usize {
                        buf.set_string(x, y, hint, theme.muted());
                    }
                }
            }
            y += 1;
            if let Some(key) = self.error_for(field.name) {
                buf.set_stringn(
                    value_x,
                    y,
                    format!("⚠ {}", t(lang, key)),
                    value_width,
                    theme.error(),
                );
                y += 1;
            }
        }
        if !self.errors.is_empty() {
            let text = t(lang, "form.fix_errors");
            buf.set_stringn(
                inner.x + 1,
                hint_row,
                text,
                inner.width as usize,
                theme.error(),
            );
        }
        cursor
    }
}

fn edit_text(input: &mut TextInput, action: &Action, allowed: impl Fn(char) -> bool) -> bool {
    match action {
        Action::Input(c) if allowed(*c) => input.insert(*c),
        Action::Paste(p) => {
            input.insert_str(&p.chars().filter(|c| allowed(*c)).collect::<String>())
        }
        Action::Cmd(Cmd::Backspace) => input.backspace(),
        Action::Cmd(Cmd::Delete) => input.delete(),
        Action::Cmd(Cmd::ClearInput) => input.clear(),
        Action::Cmd(Cmd::Left) => {
            input.left();
            return false;
        }
        Action::Cmd(Cmd::Right) => {
            input.right();
            return false;
        }
        Action::Cmd(Cmd::First) => {
            input.home();
            return false;
        }
        Action::Cmd(Cmd::Last) => {
            input.end();
            return false;
        }
        _ => return false,
    }
    true
}

/// Type-ahead in a choice: the next option whose label starts with the typed letter,
/// diacritics ignored ("d" finds "Đào tạo nghề").
fn jump_to_option(options: &[Label], selected: &mut usize, typed: char, lang: Lang) -> bool {
    let want = text::fold(&typed.to_string());
    if want.is_empty() {
        return false;
    }
    let n = options.len();
    for step in 1..=n {
        let i = (*selected + step) % n;
        if text::fold(&options[i].show(lang)).starts_with(&want) {
            *selected = i;
            return true;
        }
    }
    false
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

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 1).expect("date")
    }

    fn sample() -> Form {
        Form::new(
            "Test".into(),
            vec![
                Field::text("name", "field.full_name", ""),
                Field::money("budget", "field.budget", None),
                Field::date("on", "field.enrolled_on", None),
                Field::choice(
                    "sex",
                    "field.sex",
                    vec![Label::Key("sex.female"), Label::Key("sex.male")],
                    0,
                ),
                Field::toggle("ok", "field.consent", false),
            ],
            today(),
        )
    }

    fn type_text(form: &mut Form, text: &str) {
        for c in text.chars() {
            form.handle(&Action::Input(c));
        }
    }

    #[test]
    fn typing_moves_through_fields_and_keeps_values() {
        let mut form = sample();
        type_text(&mut form, "Lê Thị Mai");
        form.handle(&Action::Cmd(Cmd::NextField));
        type_text(&mut form, "1.500.000");
        form.handle(&Action::Cmd(Cmd::NextField));
        form.handle(&Action::Input('t'));
        form.handle(&Action::Cmd(Cmd::NextField));
        form.handle(&Action::Cmd(Cmd::Right));
        form.handle(&Action::Cmd(Cmd::NextField));
        form.handle(&Action::Input(' '));
        assert_eq!(form.text("name"), "Lê Thị Mai");
        assert_eq!(form.money("budget"), Some(Dong(1_500_000)));
        assert_eq!(form.date("on"), Ok(Some(today())));
        assert_eq!(form.choice("sex"), 1);
        assert!(form.toggle("ok"));
        assert!(form.dirty);
    }

    #[test]
    fn errors_move_the_focus_to_the_first_problem_and_keep_what_was_typed() {
        let mut form = sample();
        type_text(&mut form, "Hoa");
        form.handle(&Action::Cmd(Cmd::NextField));
        form.handle(&Action::Cmd(Cmd::NextField));
        form.set_errors(vec![("budget", "err.required"), ("ok", "err.required")]);
        assert_eq!(form.focused_name(), "budget");
        assert_eq!(form.text("name"), "Hoa");
    }

    #[test]
    fn type_ahead_ignores_diacritics() {
        let mut form = sample();
        form.focus = 3;
        form.handle(&Action::Input('n'));
        assert_eq!(
            form.choice("sex"),
            1,
            "Nam, the next option starting with n"
        );
        form.handle(&Action::Input('n'));
        assert_eq!(
            form.choice("sex"),
            0,
            "Nữ: typing n again cycles, the mark ignored"
        );
        form.handle(&Action::Input('m'));
        assert_eq!(form.choice("sex"), 1, "Male, by its English label");
    }

    #[test]
    fn hidden_fields_are_skipped() {
        let mut form = sample();
        form.set_hidden("budget", true);
        form.handle(&Action::Cmd(Cmd::NextField));
        assert_eq!(form.focused_name(), "on");
        form.handle(&Action::Cmd(Cmd::PrevField));
        assert_eq!(form.focused_name(), "name");
    }

    #[test]
    fn a_date_that_is_not_a_date_is_an_error_not_a_guess() {
        let mut form = sample();
        form.focus = 2;
        type_text(&mut form, "31/02/2025");
        assert_eq!(form.date("on"), Err(()));
    }

    #[test]
    fn fitting_text_cuts_by_columns() {
        assert_eq!(fit("Nguyễn Thị Hoa", 20), "Nguyễn Thị Hoa");
        assert_eq!(fit("Nguyễn Thị Hoa", 8), "Nguyễn …");
    }
}
