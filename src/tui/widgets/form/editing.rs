//! What keys do to a form: move between fields, edit the focused one. A field reached
//! by Tab is replaced by the first character typed (as in a spreadsheet); an arrow or
//! Backspace first keeps it for editing. A key a field cannot take is refused and says
//! why; it is never dropped in silence.

use super::super::input::TextInput;
use super::{Choice, FieldKind, Form, FormOutcome};
use crate::domain::dates::{format_date, parse_date_strict};
use crate::text;
use crate::tui::keymap::{Action, Cmd};
use chrono::Days;

/// What one key did to the focused field.
enum Edit {
    Changed,
    /// The cursor moved or edit mode began; the value is the same.
    Moved,
    Refused(&'static str),
    Nothing,
}

impl Form {
    /// Applies a key. Returns Changed when a value changed (the caller may then hide or
    /// show fields and recompute totals).
    pub fn handle(&mut self, action: &Action) -> FormOutcome {
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
        let today = self.today;
        let lang = self.lang;
        let fresh = self.fresh;
        let Some(field) = self.fields.get_mut(self.focus) else {
            return FormOutcome::Ignored;
        };
        let edit = match (&mut field.kind, action) {
            (FieldKind::Text(i) | FieldKind::Secret(i), a) => edit_input(i, a, fresh, |_| true, ""),
            (FieldKind::Number(i), a) => {
                edit_input(i, a, fresh, |c| c.is_ascii_digit(), "err.digits_only")
            }
            (FieldKind::Money(i), a) => edit_input(i, a, fresh, |_| true, ""),
            (FieldKind::Decimal(i), a) => edit_input(
                i,
                a,
                fresh,
                |c| c.is_ascii_digit() || c == ',' || c == '.',
                "err.quantity_format",
            ),
            (FieldKind::Date(i), Action::Cmd(Cmd::Today)) => {
                i.set(&format_date(today));
                Edit::Changed
            }
            (FieldKind::Date(i), Action::Cmd(cmd @ (Cmd::NextDay | Cmd::PrevDay))) => {
                let day = parse_date_strict(i.value()).unwrap_or(today);
                let moved = if *cmd == Cmd::NextDay {
                    day.checked_add_days(Days::new(1))
                } else {
                    day.checked_sub_days(Days::new(1))
                };
                i.set(&format_date(moved.unwrap_or(day)));
                Edit::Changed
            }
            (FieldKind::Date(i), a) => edit_input(
                i,
                a,
                fresh,
                // A typed '-' moves a day back; a pasted one is a 2025-06-01 from a sheet.
                |c| c.is_ascii_digit() || matches!(c, '/' | '.' | '-'),
                "err.date_chars",
            ),
            (FieldKind::Choice(c), a) => edit_choice(c, a, lang),
            (FieldKind::Toggle(on), a) => {
                let next = match a {
                    Action::Cmd(Cmd::Toggle | Cmd::Left | Cmd::Right) => Some(!*on),
                    Action::Cmd(Cmd::Yes) => Some(true),
                    Action::Cmd(Cmd::No) => Some(false),
                    Action::Input(_) => return self.refuse("err.toggle_keys"),
                    _ => None,
                };
                match next {
                    Some(v) if v != *on => {
                        *on = v;
                        Edit::Changed
                    }
                    _ => Edit::Nothing,
                }
            }
        };
        match edit {
            Edit::Changed => {
                field.edited = true;
                self.fresh = false;
                // A refusal stays in view until the officer erases or moves on, so a
                // letter refused mid-word ("19x8") is not missed.
                if matches!(
                    action,
                    Action::Cmd(Cmd::Backspace | Cmd::Delete | Cmd::ClearInput)
                ) || is_choice(&self.fields[self.focus].kind)
                {
                    self.refused = None;
                }
                self.dirty = true;
                self.forget_fixed_error();
                FormOutcome::Changed
            }
            Edit::Moved => {
                self.fresh = false;
                // A choice's search that matches again (or is erased) answers its refusal.
                if is_choice(&self.fields[self.focus].kind) {
                    self.refused = None;
                }
                FormOutcome::Ignored
            }
            Edit::Refused(why) => self.refuse(why),
            Edit::Nothing => FormOutcome::Ignored,
        }
    }

    fn refuse(&mut self, why: &'static str) -> FormOutcome {
        self.refused = self.fields.get(self.focus).map(|f| (f.key, why));
        FormOutcome::Ignored
    }

    fn move_focus(&mut self, forward: bool) {
        let n = self.fields.len();
        if n == 0 {
            return;
        }
        if let Some(FieldKind::Choice(c)) = self.fields.get_mut(self.focus).map(|f| &mut f.kind) {
            c.typed.clear();
        }
        let start = if forward {
            (self.focus + 1) % n
        } else {
            (self.focus + n - 1) % n
        };
        if let Some(i) = self.next_visible(start, forward) {
            self.focus = i;
        }
        self.fresh = true;
        self.refused = None;
    }

    /// Once the focused field reads again, its old problem goes: a format problem is
    /// checked here, anything else the next save checks again.
    fn forget_fixed_error(&mut self) {
        let Some(field) = self.fields.get(self.focus) else {
            return;
        };
        let key = field.key;
        if self.error_for(key).is_none() {
            return;
        }
        let still = match &field.kind {
            FieldKind::Date(i) if !i.is_empty() => parse_date_strict(i.value())
                .err()
                .map(crate::domain::dates::DateError::key),
            FieldKind::Money(i) if !i.is_empty() => {
                crate::domain::Dong::parse(i.value()).err().map(|e| e.key())
            }
            FieldKind::Number(i) if !i.is_empty() => {
                i.value().parse::<i64>().err().map(|_| "err.number_format")
            }
            _ => None,
        };
        self.errors.retain(|(k, _)| *k != key);
        if let Some(problem) = still {
            self.errors.push((key, problem));
        }
    }
}

/// A choice or a yes/no: a good key there answers any refusal before it.
fn is_choice(kind: &FieldKind) -> bool {
    matches!(kind, FieldKind::Choice(_) | FieldKind::Toggle(_))
}

fn edit_input(
    input: &mut TextInput,
    action: &Action,
    fresh: bool,
    allowed: impl Fn(char) -> bool,
    refusal: &'static str,
) -> Edit {
    let typed = match action {
        Action::Input(c) => Some(c.to_string()),
        Action::Paste(p) => Some(p.clone()),
        _ => None,
    };
    if let Some(typed) = typed {
        if !typed.chars().all(&allowed) {
            return Edit::Refused(refusal);
        }
        let kept = input.clone();
        if fresh {
            input.clear();
        }
        let before = input.value().to_string();
        input.insert_str(&typed);
        if input.value() == before {
            // Full: the field holds no more (a date is ten characters). Nothing is lost.
            *input = kept;
            return Edit::Refused("err.field_full");
        }
        return Edit::Changed;
    }
    let before = input.value().to_string();
    match action {
        Action::Cmd(Cmd::Backspace) => input.backspace(),
        Action::Cmd(Cmd::Delete) => input.delete(),
        Action::Cmd(Cmd::ClearInput) => input.clear(),
        Action::Cmd(Cmd::Left) => input.left(),
        Action::Cmd(Cmd::Right) => input.right(),
        Action::Cmd(Cmd::First) => input.home(),
        Action::Cmd(Cmd::Last) => input.end(),
        _ => return Edit::Nothing,
    }
    if input.value() != before {
        Edit::Changed
    } else {
        Edit::Moved
    }
}

/// ←/→ walk the options ("nothing" first, when allowed); letters search them by the
/// start of their label, marks ignored, as more letters come ("ki" finds "Kinh doanh").
fn edit_choice(c: &mut Choice, action: &Action, lang: crate::i18n::Lang) -> Edit {
    let n = c.options.len();
    if n == 0 {
        return Edit::Nothing;
    }
    let walk = |c: &mut Choice, forward: bool| {
        // Positions: None (when allowed), then 0..n.
        let slots: Vec<Option<usize>> = c
            .none
            .as_ref()
            .map(|_| None)
            .into_iter()
            .chain((0..n).map(Some))
            .collect();
        let at = slots.iter().position(|s| *s == c.selected).unwrap_or(0);
        let len = slots.len();
        let next = if forward {
            (at + 1) % len
        } else {
            (at + len - 1) % len
        };
        c.selected = slots[next];
        c.typed.clear();
        Edit::Changed
    };
    match action {
        Action::Cmd(Cmd::Right) => walk(c, true),
        Action::Cmd(Cmd::Left) => walk(c, false),
        Action::Cmd(Cmd::Toggle) if c.typed.is_empty() => walk(c, true),
        Action::Cmd(Cmd::Toggle) => search(c, " ", lang),
        Action::Input(ch) => search(c, &ch.to_string(), lang),
        Action::Paste(p) => search(c, p, lang),
        Action::Cmd(Cmd::Backspace) => {
            if c.typed.pop().is_none() {
                return Edit::Nothing;
            }
            if c.typed.is_empty() {
                return Edit::Moved;
            }
            search(c, "", lang)
        }
        _ => Edit::Nothing,
    }
}

fn search(c: &mut Choice, more: &str, lang: crate::i18n::Lang) -> Edit {
    c.typed.push_str(&text::nfc(more));
    let want = text::fold(&c.typed);
    if want.is_empty() {
        return Edit::Moved;
    }
    // The start of the label first; then the start of any word in it, so "thang"
    // finds "Cao Thắng (CT)" and "ct" its code.
    let labels: Vec<String> = c
        .options
        .iter()
        .map(|(l, _)| text::fold(&l.show(lang)))
        .collect();
    let found = labels
        .iter()
        .position(|l| l.starts_with(&want))
        .or_else(|| {
            labels.iter().position(|l| {
                l.split(|ch: char| !ch.is_alphanumeric())
                    .any(|word| word.starts_with(&want))
            })
        });
    match found {
        Some(i) if c.selected == Some(i) => Edit::Moved,
        Some(i) => {
            c.selected = Some(i);
            Edit::Changed
        }
        None => Edit::Refused("form.no_match"),
    }
}
