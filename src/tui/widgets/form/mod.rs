//! The one form widget: labelled fields (text, number, money, date, choice, yes/no),
//! Tab/Enter to move, problems shown beside their field, nothing typed ever lost.
//! It knows nothing of people or grants; `tui/forms/` turns records into forms and back.
//! `field` holds the values, `editing` what keys do to them, `draw` the picture.

mod draw;
mod editing;
mod field;
#[cfg(test)]
mod tests;

pub use draw::fit;
pub use field::{Choice, Field, FieldId, FieldKey, FieldKind, Label};

use crate::domain::Dong;
use crate::domain::dates::{DateError, parse_date_strict};
use crate::i18n::Lang;
use crate::tui::keymap::Scope;
use chrono::NaiveDate;

/// What a key did to the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormOutcome {
    Ignored,
    Changed,
    Save,
    Cancel,
}

/// A line under the title: something about this form as a whole (missing consent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Notice {
    pub fn new(key: &'static str) -> Notice {
        Notice {
            key,
            args: Vec::new(),
        }
    }

    pub fn with(mut self, name: &'static str, value: impl ToString) -> Notice {
        self.args.push((name, value.to_string()));
        self
    }
}

/// Problems to show: (field, message key) beside a field, or a key for the whole form.
pub type FieldErrors = Vec<(FieldKey, &'static str)>;

#[derive(Clone)]
pub struct Form {
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// Focus just arrived: the first character typed replaces the value, as in a sheet.
    pub fresh: bool,
    /// From the last save attempt.
    pub errors: FieldErrors,
    /// From the last save attempt: problems that no field of this form can fix.
    pub general: Vec<&'static str>,
    /// A key a field refused just now, and why; shown until the officer erases or moves on.
    pub refused: Option<(FieldKey, &'static str)>,
    pub dirty: bool,
    pub notices: Vec<Notice>,
    pub lang: Lang,
    today: NaiveDate,
}

impl Form {
    pub fn new(title: String, fields: Vec<Field>, today: NaiveDate, lang: Lang) -> Form {
        let mut form = Form {
            title,
            fields,
            focus: 0,
            fresh: true,
            errors: Vec::new(),
            general: Vec::new(),
            refused: None,
            dirty: false,
            notices: Vec::new(),
            lang,
            today,
        };
        form.focus = form.next_visible(0, true).unwrap_or(0);
        form
    }

    pub fn today(&self) -> NaiveDate {
        self.today
    }

    fn index_of(&self, key: FieldKey) -> Option<usize> {
        self.fields.iter().position(|f| f.key == key)
    }

    /// A field of this form. Every id a form asks for is on it: `tui::forms` tests build
    /// each form and read every id back, so a missing one is caught there.
    pub fn field(&self, id: impl FieldId) -> Option<&Field> {
        let found = self.index_of(id.key()).map(|i| &self.fields[i]);
        debug_assert!(
            found.is_some(),
            "{id:?} is not on the form \"{}\"",
            self.title
        );
        found
    }

    pub fn field_mut(&mut self, id: impl FieldId) -> Option<&mut Field> {
        let key = id.key();
        let found = self.fields.iter_mut().find(|f| f.key == key);
        debug_assert!(found.is_some(), "{id:?} is not on this form");
        found
    }

    pub fn has(&self, id: impl FieldId) -> bool {
        self.index_of(id.key()).is_some()
    }

    pub fn focused_is(&self, id: impl FieldId) -> bool {
        self.fields
            .get(self.focus)
            .is_some_and(|f| f.key == id.key())
    }

    /// Shown now: on the form and not hidden by another field's value.
    pub fn is_shown(&self, id: impl FieldId) -> bool {
        self.field(id).is_some_and(|f| !f.hidden)
    }

    pub fn set_placeholder(&mut self, id: impl FieldId, text: String) {
        if let Some(f) = self.field_mut(id) {
            f.placeholder = text;
        }
    }

    pub fn set_hidden(&mut self, id: impl FieldId, hidden: bool) {
        if let Some(f) = self.field_mut(id) {
            f.hidden = hidden;
        }
    }

    /// The text of a text-like field, as typed (NFC).
    pub fn text(&self, id: impl FieldId) -> String {
        self.field(id)
            .and_then(|f| f.kind.input())
            .map(|i| i.value().to_string())
            .unwrap_or_default()
    }

    pub fn set_text(&mut self, id: impl FieldId, value: &str) {
        if let Some(input) = self.field_mut(id).and_then(|f| f.kind.input_mut()) {
            input.set(value);
        }
    }

    /// The value chosen; None when "nothing" is chosen.
    pub fn choice<T: Clone + 'static>(&self, id: impl FieldId) -> Option<T> {
        match self.field(id).map(|f| &f.kind) {
            Some(FieldKind::Choice(c)) => c
                .selected
                .and_then(|i| c.options.get(i))
                .and_then(|(_, v)| v.downcast_ref::<T>())
                .cloned(),
            _ => None,
        }
    }

    pub fn set_choice<T: PartialEq + 'static>(&mut self, id: impl FieldId, value: Option<&T>) {
        if let Some(Field {
            kind: FieldKind::Choice(c),
            ..
        }) = self.field_mut(id)
        {
            c.selected = value.and_then(|want| {
                c.options
                    .iter()
                    .position(|(_, v)| v.downcast_ref::<T>() == Some(want))
            });
        }
    }

    pub fn toggle(&self, id: impl FieldId) -> bool {
        matches!(
            self.field(id).map(|f| &f.kind),
            Some(FieldKind::Toggle(true))
        )
    }

    pub fn edited(&self, id: impl FieldId) -> bool {
        self.field(id).is_some_and(|f| f.edited)
    }

    /// Money: Ok(None) when empty, else the amount or why it cannot be read.
    pub fn money(&self, id: impl FieldId) -> Result<Option<Dong>, &'static str> {
        let text = self.text(id);
        if text.trim().is_empty() {
            return Ok(None);
        }
        Dong::parse(&text).map(Some).map_err(|e| e.key())
    }

    /// A whole number: Ok(None) when empty.
    pub fn number(&self, id: impl FieldId) -> Result<Option<i64>, &'static str> {
        let text = self.text(id);
        if text.trim().is_empty() {
            return Ok(None);
        }
        text.trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| "err.number_format")
    }

    /// A date: Ok(None) when empty; a day that does not exist says so.
    pub fn date(&self, id: impl FieldId) -> Result<Option<NaiveDate>, &'static str> {
        let text = self.text(id);
        if text.trim().is_empty() {
            return Ok(None);
        }
        parse_date_strict(&text).map(Some).map_err(DateError::key)
    }

    /// Shows these problems beside their fields and moves to the first of them.
    pub fn set_errors(&mut self, errors: FieldErrors, general: Vec<&'static str>) {
        self.refused = None;
        self.errors = errors;
        self.general = general;
        // A problem is always shown beside its field, even one another value had hidden.
        for f in &mut self.fields {
            if self.errors.iter().any(|(k, _)| *k == f.key) {
                f.hidden = false;
            }
        }
        if let Some(first) = self
            .fields
            .iter()
            .position(|f| !f.hidden && self.errors.iter().any(|(k, _)| *k == f.key))
        {
            self.focus = first;
            self.fresh = true;
        }
    }

    /// Why the last key was refused, if it was.
    pub fn refusal(&self) -> Option<&'static str> {
        self.refused.map(|(_, why)| why)
    }

    pub fn error_for(&self, key: FieldKey) -> Option<&'static str> {
        self.errors.iter().find(|(k, _)| *k == key).map(|(_, e)| *e)
    }

    /// Which keys apply: those of the focused field's kind, then the form's.
    pub fn focused_scope(&self) -> Scope {
        match self.fields.get(self.focus).map(|f| &f.kind) {
            Some(FieldKind::Date(_)) => Scope::DateField,
            Some(FieldKind::Choice(_)) => Scope::ChoiceField,
            Some(FieldKind::Toggle(_)) => Scope::ToggleField,
            _ => Scope::TextField,
        }
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
}
