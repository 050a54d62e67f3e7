//! What validation returns, and what it may ask about other records.

use super::{Grant, Id, LivelihoodPlan, Person};

/// One thing wrong with a record: which field, and the i18n key of the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub key: &'static str,
}

impl Problem {
    pub fn new(field: &'static str, key: &'static str) -> Problem {
        Problem { field, key }
    }
}

/// The facts about other records that validation needs (a grant's person must exist...).
/// The in-memory `Snapshot` answers them.
pub trait Lookup {
    fn person(&self, id: Id) -> Option<&Person>;
    fn plan(&self, id: Id) -> Option<&LivelihoodPlan>;
    fn grant(&self, id: Id) -> Option<&Grant>;
    fn ward_exists(&self, code: &str) -> bool;
}

/// Collects problems so each validator reads as a list of rules.
#[derive(Default)]
pub(crate) struct Problems(pub Vec<Problem>);

impl Problems {
    pub fn check(&mut self, ok: bool, field: &'static str, key: &'static str) {
        if !ok {
            self.0.push(Problem::new(field, key));
        }
    }

    /// One-line text fields hold no control character (tab, line break, NUL, ESC).
    pub fn one_line(&mut self, fields: &[(&'static str, &str)]) {
        for (field, value) in fields {
            let clean = !crate::text::has_control(value);
            self.check(clean, field, "err.control_char_line");
        }
    }

    /// A note may hold tabs and line breaks, but no other control character.
    pub fn note(&mut self, field: &'static str, value: &str) {
        let clean = !crate::text::note_has_control(value);
        self.check(clean, field, "err.control_char");
    }
}
