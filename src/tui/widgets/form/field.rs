//! One form field: its id, its label and what kind of value it holds. Choices carry
//! values of the caller's own type, so a form reads back a `Sex`, never an index.

use super::super::input::TextInput;
use crate::domain::dates::format_date;
use crate::i18n::{Lang, t};
use chrono::NaiveDate;
use std::any::{Any, TypeId};
use std::sync::Arc;

/// Which field: a form's own field enum, erased to compare across one `Form`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FieldKey {
    form: TypeId,
    index: u16,
}

/// A form's field enum. `tui::forms` declares one per form with `field_ids!`.
pub trait FieldId: Copy + Eq + std::fmt::Debug + 'static {
    fn index(self) -> u16;
    fn key(self) -> FieldKey {
        FieldKey {
            form: TypeId::of::<Self>(),
            index: self.index(),
        }
    }
}

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

/// A value a choice stands for: any type of the caller's (a `GrantKind`, an `Id`).
pub type ChoiceValue = Arc<dyn Any + Send + Sync>;

#[derive(Clone)]
pub struct Choice {
    pub options: Vec<(Label, ChoiceValue)>,
    /// The entry shown for "nothing chosen" (— none —), when nothing is allowed.
    pub none: Option<Label>,
    pub selected: Option<usize>,
    /// Letters typed to search the options, shown beside the choice.
    pub typed: String,
}

impl Choice {
    /// What the choice shows: the option chosen, or its "nothing" label.
    pub fn shown(&self, lang: Lang) -> String {
        match (self.selected, &self.none) {
            (Some(i), _) => self
                .options
                .get(i)
                .map(|(l, _)| l.show(lang))
                .unwrap_or_default(),
            (None, Some(none)) => none.show(lang),
            (None, None) => String::new(),
        }
    }
}

#[derive(Clone)]
pub enum FieldKind {
    Text(TextInput),
    /// A passphrase: edited like text, shown as one dot a letter.
    Secret(TextInput),
    /// Whole numbers: a key that is not a digit is refused, and says so.
    Number(TextInput),
    /// Money as typed ("6,5 triệu"), read by `Dong::parse`; the amount read shows beside it.
    Money(TextInput),
    /// A quantity as typed ("1,5"), read by the form that knows its unit.
    Decimal(TextInput),
    /// dd/mm/yyyy; `t` fills in today, `+`/`-` move a day.
    Date(TextInput),
    Choice(Choice),
    Toggle(bool),
}

impl FieldKind {
    pub fn input(&self) -> Option<&TextInput> {
        match self {
            FieldKind::Text(i)
            | FieldKind::Secret(i)
            | FieldKind::Number(i)
            | FieldKind::Money(i)
            | FieldKind::Decimal(i)
            | FieldKind::Date(i) => Some(i),
            FieldKind::Choice(_) | FieldKind::Toggle(_) => None,
        }
    }

    pub fn input_mut(&mut self) -> Option<&mut TextInput> {
        match self {
            FieldKind::Text(i)
            | FieldKind::Secret(i)
            | FieldKind::Number(i)
            | FieldKind::Money(i)
            | FieldKind::Decimal(i)
            | FieldKind::Date(i) => Some(i),
            FieldKind::Choice(_) | FieldKind::Toggle(_) => None,
        }
    }
}

#[derive(Clone)]
pub struct Field {
    pub key: FieldKey,
    pub label: &'static str,
    pub kind: FieldKind,
    pub hidden: bool,
    /// Shown dimmed while the field is empty: what an empty value will mean.
    pub placeholder: String,
    /// Changed by the officer since the form opened (a default may follow others until then).
    pub edited: bool,
}

impl Field {
    fn new(id: impl FieldId, label: &'static str, kind: FieldKind) -> Field {
        Field {
            key: id.key(),
            label,
            kind,
            hidden: false,
            placeholder: String::new(),
            edited: false,
        }
    }

    pub fn text(id: impl FieldId, label: &'static str, value: &str) -> Field {
        Field::new(
            id,
            label,
            FieldKind::Text(TextInput::new(value).with_max(200)),
        )
    }

    pub fn secret(id: impl FieldId, label: &'static str) -> Field {
        Field::new(
            id,
            label,
            FieldKind::Secret(TextInput::default().with_max(200)),
        )
    }

    pub fn note(id: impl FieldId, label: &'static str, value: &str) -> Field {
        Field::new(
            id,
            label,
            FieldKind::Text(TextInput::new(value).with_max(1000)),
        )
    }

    pub fn number(id: impl FieldId, label: &'static str, value: Option<i64>) -> Field {
        let text = value.map(|v| v.to_string()).unwrap_or_default();
        Field::new(
            id,
            label,
            FieldKind::Number(TextInput::new(&text).with_max(10)),
        )
    }

    pub fn money(
        id: impl FieldId,
        label: &'static str,
        value: Option<crate::domain::Dong>,
    ) -> Field {
        let text = value.map(|d| d.grouped()).unwrap_or_default();
        Field::new(
            id,
            label,
            FieldKind::Money(TextInput::new(&text).with_max(30)),
        )
    }

    pub fn decimal(id: impl FieldId, label: &'static str, value: &str) -> Field {
        Field::new(
            id,
            label,
            FieldKind::Decimal(TextInput::new(value).with_max(20)),
        )
    }

    pub fn date(id: impl FieldId, label: &'static str, value: Option<NaiveDate>) -> Field {
        let text = value.map(format_date).unwrap_or_default();
        Field::new(
            id,
            label,
            FieldKind::Date(TextInput::new(&text).with_max(10)),
        )
    }

    /// A choice among `options`, `selected` first; None selects nothing (see `with_none`).
    pub fn choice<T: PartialEq + Send + Sync + 'static>(
        id: impl FieldId,
        label: &'static str,
        options: Vec<(Label, T)>,
        selected: Option<&T>,
    ) -> Field {
        let index = selected.and_then(|s| options.iter().position(|(_, v)| v == s));
        let has_options = !options.is_empty();
        let options: Vec<(Label, ChoiceValue)> = options
            .into_iter()
            .map(|(l, v)| (l, Arc::new(v) as ChoiceValue))
            .collect();
        Field::new(
            id,
            label,
            FieldKind::Choice(Choice {
                options,
                none: None,
                selected: index.or(has_options.then_some(0)),
                typed: String::new(),
            }),
        )
    }

    /// Allows choosing nothing, shown as `none`; selected when the value given was None.
    pub fn with_none(mut self, none: Label, nothing_selected: bool) -> Field {
        if let FieldKind::Choice(c) = &mut self.kind {
            c.none = Some(none);
            if nothing_selected {
                c.selected = None;
            }
        }
        self
    }

    pub fn toggle(id: impl FieldId, label: &'static str, on: bool) -> Field {
        Field::new(id, label, FieldKind::Toggle(on))
    }

    /// What the field shows when it does not have focus.
    pub fn display(&self, lang: Lang) -> String {
        match &self.kind {
            FieldKind::Text(i)
            | FieldKind::Number(i)
            | FieldKind::Date(i)
            | FieldKind::Decimal(i) => i.value().to_string(),
            FieldKind::Money(i) => i.value().to_string(),
            FieldKind::Secret(i) => "•".repeat(i.value().chars().count()),
            FieldKind::Choice(c) => format!("‹ {} ›", c.shown(lang)),
            FieldKind::Toggle(on) => format!(
                "[{}] {}",
                if *on { "x" } else { " " },
                t(lang, if *on { "form.yes" } else { "form.no" })
            ),
        }
    }
}
