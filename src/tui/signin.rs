//! Signing in before anything is shown: name and passphrase (hidden), three tries. A new
//! or not yet encrypted database asks for the passphrase twice and makes its first user
//! a supervisor.

use super::keymap::{Action, Cmd};
use super::theme::Theme;
use super::widgets::form::{Field, Form, FormOutcome};
use super::widgets::popup;
use crate::i18n::{Lang, t};
use crate::store::{Credentials, DbState, MIN_PASSPHRASE_CHARS, StoreError};
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

pub const TRIES: u8 = 3;

super::forms::field_ids!(SignInField {
    User = "user",
    Passphrase = "passphrase",
    Repeat = "repeat",
});
use SignInField as F;

pub struct SignIn {
    form: Form,
    creating: bool,
    state: DbState,
    tries: u8,
    /// The last problem, as an i18n key, shown under the form.
    problem: Option<String>,
    /// Shown while the passphrase is checked or the records are opened.
    pub busy: Option<&'static str>,
}

pub enum Step {
    Continue,
    Submit(Credentials),
    Quit,
}

impl SignIn {
    pub fn new(state: DbState, user: Option<&str>, today: NaiveDate, lang: Lang) -> SignIn {
        let creating = state != DbState::Encrypted;
        let mut fields = vec![
            Field::text(F::User, "signin.user", user.unwrap_or("")),
            Field::secret(F::Passphrase, "signin.passphrase"),
        ];
        if creating {
            fields.push(Field::secret(F::Repeat, "signin.repeat"));
        }
        let title = t(
            lang,
            if creating {
                "signin.title_new"
            } else {
                "signin.title"
            },
        )
        .to_string();
        let mut form = Form::new(title, fields, today, lang);
        if user.is_some_and(|u| !u.is_empty()) {
            form.focus = 1;
        }
        SignIn {
            form,
            creating,
            state,
            tries: 0,
            problem: None,
            busy: None,
        }
    }

    fn on_last_field(&self) -> bool {
        self.form.focus + 1 == self.form.fields.len()
    }

    pub fn handle(&mut self, action: &Action) -> Step {
        if matches!(action, Action::Cmd(Cmd::NextField)) && self.on_last_field() {
            return self.submit();
        }
        match self.form.handle(action) {
            FormOutcome::Save => self.submit(),
            FormOutcome::Cancel => Step::Quit,
            FormOutcome::Changed | FormOutcome::Ignored => Step::Continue,
        }
    }

    fn submit(&mut self) -> Step {
        let user = self.form.text(F::User);
        let passphrase = self.form.text(F::Passphrase);
        let problem = if user.trim().is_empty() {
            self.form.focus = 0;
            Some("signin.need_user")
        } else if passphrase.is_empty() {
            self.form.focus = 1;
            Some("signin.need_passphrase")
        } else if self.creating && passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
            self.form.focus = 1;
            Some("store.passphrase_too_short")
        } else if self.creating && passphrase != self.form.text(F::Repeat) {
            self.form.set_text(F::Repeat, "");
            self.form.focus = 2;
            Some("signin.mismatch")
        } else {
            None
        };
        if let Some(key) = problem {
            self.problem = Some(key.to_string());
            return Step::Continue;
        }
        let credentials = Credentials::new(&user, &passphrase);
        self.forget_passphrases();
        Step::Submit(credentials)
    }

    fn forget_passphrases(&mut self) {
        self.form.set_text(F::Passphrase, "");
        if self.creating {
            self.form.set_text(F::Repeat, "");
        }
    }

    /// The store refused: count a try, say why, and ask again. Returns true when the
    /// tries are used up.
    pub fn refused(&mut self, err: &StoreError, lang: Lang) -> bool {
        self.busy = None;
        if matches!(
            err,
            StoreError::WrongPassphrase | StoreError::UnknownUser(_)
        ) {
            self.tries += 1;
        }
        let left = TRIES.saturating_sub(self.tries);
        self.problem = Some(match err {
            StoreError::WrongPassphrase | StoreError::UnknownUser(_) => crate::i18n::tf(
                lang,
                "signin.refused",
                &[
                    ("reason", &crate::messages::store_message(err, lang)),
                    ("left", &left),
                ],
            ),
            other => crate::messages::store_message(other, lang),
        });
        self.form.focus = if matches!(err, StoreError::UnknownUser(_)) {
            0
        } else {
            1
        };
        self.tries >= TRIES
    }

    pub fn render(&self, frame: &mut Frame, lang: Lang, theme: Theme) {
        let area = frame.area();
        let buf = frame.buffer_mut();
        let height = if self.creating { 13 } else { 12 };
        let box_area = popup::centered(area, 70.min(area.width), height.min(area.height));
        let [intro, form, problem] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(height - 5),
            Constraint::Length(2),
        ])
        .areas(box_area);
        let intro_key = match self.state {
            DbState::New => "signin.intro_new",
            DbState::Unencrypted => "signin.intro_unencrypted",
            DbState::Encrypted => "signin.intro",
        };
        Paragraph::new(Line::styled(t(lang, intro_key), theme.label()))
            .wrap(Wrap { trim: true })
            .render(intro, buf);
        let cursor = self.form.render(form, buf, lang, theme);
        let (text, style) = match (&self.busy, &self.problem) {
            (Some(key), _) => (t(lang, key).to_string(), theme.title()),
            (None, Some(problem)) => (t_or_text(lang, problem), theme.error()),
            (None, None) => (t(lang, "signin.hint").to_string(), theme.muted()),
        };
        Paragraph::new(Line::styled(text, style))
            .wrap(Wrap { trim: true })
            .render(problem, buf);
        if let (Some(position), None) = (cursor, self.busy) {
            frame.set_cursor_position(position);
        }
    }
}

/// A problem is either an i18n key or a message already in words.
fn t_or_text(lang: Lang, problem: &str) -> String {
    if crate::i18n::has(problem) {
        t(lang, problem).to_string()
    } else {
        problem.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::Action;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 1).expect("date")
    }

    fn type_text(s: &mut SignIn, text: &str) {
        for c in text.chars() {
            s.handle(&Action::Input(c));
        }
    }

    #[test]
    fn enter_on_the_passphrase_signs_in() {
        let mut s = SignIn::new(DbState::Encrypted, Some("Lan"), today(), Lang::Vi);
        type_text(&mut s, "bí mật lắm");
        match s.handle(&Action::Cmd(Cmd::NextField)) {
            Step::Submit(c) => assert_eq!((c.user.as_str(), c.passphrase()), ("Lan", "bí mật lắm")),
            _ => panic!("expected a submit"),
        }
        assert_eq!(
            s.form.text(F::Passphrase),
            "",
            "the passphrase does not linger in the form"
        );
    }

    #[test]
    fn a_new_database_asks_twice_and_refuses_a_mismatch() {
        let mut s = SignIn::new(DbState::New, None, today(), Lang::En);
        type_text(&mut s, "Lan");
        s.handle(&Action::Cmd(Cmd::NextField));
        type_text(&mut s, "first passphrase");
        s.handle(&Action::Cmd(Cmd::NextField));
        type_text(&mut s, "other passphrase");
        assert!(matches!(
            s.handle(&Action::Cmd(Cmd::NextField)),
            Step::Continue
        ));
        assert_eq!(s.problem.as_deref(), Some("signin.mismatch"));
        assert!(s.form.focused_is(F::Repeat));
    }

    #[test]
    fn three_wrong_passphrases_end_it() {
        let mut s = SignIn::new(DbState::Encrypted, Some("Lan"), today(), Lang::Vi);
        assert!(!s.refused(&StoreError::WrongPassphrase, Lang::Vi));
        assert!(!s.refused(&StoreError::WrongPassphrase, Lang::Vi));
        assert!(s.refused(&StoreError::WrongPassphrase, Lang::Vi));
    }

    #[test]
    fn esc_quits() {
        let mut s = SignIn::new(DbState::Encrypted, None, today(), Lang::Vi);
        assert!(matches!(s.handle(&Action::Cmd(Cmd::Back)), Step::Quit));
    }
}
