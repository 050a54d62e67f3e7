//! A person in the programme: a victim, a suspected victim, a person at risk or a relative.

use super::dates::{serde_day, serde_opt_day};
use super::validation::Problems;
use super::{Id, Lookup, PersonStatus, Problem, Sex, Stamp, TargetGroup};
use crate::text;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: Id,
    /// Ward code and sequence, "CT-0012": what exports show instead of the name.
    pub code: String,
    pub full_name: String,
    pub sex: Sex,
    pub birth_year: i32,
    pub ward: String,
    pub address: String,
    pub phone: String,
    /// The first group is the primary one, used when reports count each person once.
    pub target_groups: Vec<TargetGroup>,
    pub household_note: String,
    pub consent: Option<Consent>,
    #[serde(with = "serde_day")]
    pub enrolled_on: NaiveDate,
    pub status: PersonStatus,
    /// Cộng tác viên: the community collaborator who follows this person.
    pub collaborator: String,
    pub stamp: Stamp,
    /// Entered by mistake (a duplicate, a test): kept with its history, counted nowhere.
    /// Only `Store::mark_entered_in_error` changes it.
    pub entered_in_error: bool,
}

/// What the person agreed to, and until when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    #[serde(with = "serde_day")]
    pub given_on: NaiveDate,
    #[serde(with = "serde_opt_day")]
    pub valid_until: Option<NaiveDate>,
    pub services: bool,
    pub referrals: bool,
    pub sharing: bool,
}

impl Consent {
    pub fn is_valid_on(&self, day: NaiveDate) -> bool {
        self.given_on <= day && self.valid_until.is_none_or(|until| day <= until)
    }
}

pub const EARLIEST_BIRTH_YEAR: i32 = 1900;

impl Person {
    /// Whether this person and their plans, grants and visits count in figures, lists
    /// and exports: a record entered in error does not.
    pub fn counts(&self) -> bool {
        !self.entered_in_error
    }

    /// The likely-duplicate rule, one for the form and the importer: the same name once
    /// folded (marks, case and spacing aside), birth year and ward.
    pub fn duplicate_key(&self) -> (String, i32, &str) {
        (
            text::fold(&self.full_name),
            self.birth_year,
            self.ward.as_str(),
        )
    }

    pub fn primary_group(&self) -> Option<TargetGroup> {
        self.target_groups.first().copied()
    }

    pub fn age_on(&self, day: NaiveDate) -> i32 {
        day.year() - self.birth_year
    }

    pub fn has_valid_consent(&self, day: NaiveDate) -> bool {
        self.consent.as_ref().is_some_and(|c| c.is_valid_on(day))
    }

    /// A referral passes the person's details to another service: it needs consent that covers it.
    pub fn consents_to_referral(&self, day: NaiveDate) -> bool {
        self.consent
            .as_ref()
            .is_some_and(|c| c.referrals && c.is_valid_on(day))
    }

    /// Whether the code has the form the store gives in this person's ward: the ward's
    /// code, a dash, digits (CT-0012).
    pub fn code_fits_ward(&self) -> bool {
        self.code
            .strip_prefix(self.ward.as_str())
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    }

    pub fn validate(&self, today: NaiveDate, lookup: &dyn Lookup) -> Vec<Problem> {
        let mut p = Problems::default();
        p.one_line(&[
            ("full_name", &self.full_name),
            ("address", &self.address),
            ("collaborator", &self.collaborator),
        ]);
        p.note("household_note", &self.household_note);
        let name_len = self.full_name.chars().count();
        p.check(name_len > 0, "full_name", "err.required");
        p.check(name_len <= 100, "full_name", "err.too_long_100");
        p.check(
            (EARLIEST_BIRTH_YEAR..=today.year()).contains(&self.birth_year),
            "birth_year",
            "err.birth_year_range",
        );
        p.check(!self.ward.is_empty(), "ward", "err.required");
        p.check(
            self.ward.is_empty() || lookup.ward_exists(&self.ward),
            "ward",
            "err.unknown_ward",
        );
        p.check(
            !self.target_groups.is_empty(),
            "target_groups",
            "err.target_group_required",
        );
        p.check(is_plausible_phone(&self.phone), "phone", "err.phone_format");
        p.check(
            self.address.chars().count() <= 200,
            "address",
            "err.too_long_200",
        );
        p.check(
            self.enrolled_on <= today,
            "enrolled_on",
            "err.date_in_future",
        );
        if let Some(consent) = &self.consent {
            p.check(
                consent.given_on <= today,
                "consent_given_on",
                "err.date_in_future",
            );
            p.check(
                consent
                    .valid_until
                    .is_none_or(|until| until >= consent.given_on),
                "consent_valid_until",
                "err.until_before_given",
            );
        }
        p.0
    }
}

/// Empty, or 8 to 15 digits with the usual separators and an optional leading +.
fn is_plausible_phone(phone: &str) -> bool {
    if phone.is_empty() {
        return true;
    }
    let body = phone.strip_prefix('+').unwrap_or(phone);
    let digits = body.chars().filter(|c| c.is_ascii_digit()).count();
    body.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-'))
        && (8..=15).contains(&digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::snapshot::tests::{day, sample_person, sample_snapshot};

    #[test]
    fn a_valid_person_has_no_problems() {
        let snap = sample_snapshot();
        assert_eq!(sample_person().validate(day(2025, 6, 1), &snap), vec![]);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let snap = sample_snapshot();
        let mut person = sample_person();
        person.full_name = String::new();
        person.birth_year = 1850;
        person.ward = "ZZ".into();
        person.target_groups.clear();
        person.phone = "call me".into();
        person.enrolled_on = day(2030, 1, 1);
        let fields: Vec<_> = person
            .validate(day(2025, 6, 1), &snap)
            .iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            vec![
                "full_name",
                "birth_year",
                "ward",
                "target_groups",
                "phone",
                "enrolled_on"
            ]
        );
    }

    #[test]
    fn a_birth_year_after_this_year_is_refused() {
        let snap = sample_snapshot();
        let mut person = sample_person();
        person.birth_year = 2026;
        let problems = person.validate(day(2025, 6, 1), &snap);
        assert_eq!(
            problems,
            vec![Problem::new("birth_year", "err.birth_year_range")]
        );
    }

    #[test]
    fn consent_must_not_end_before_it_was_given() {
        let snap = sample_snapshot();
        let mut person = sample_person();
        person.consent = Some(Consent {
            given_on: day(2025, 3, 1),
            valid_until: Some(day(2025, 2, 1)),
            services: true,
            referrals: true,
            sharing: false,
        });
        let problems = person.validate(day(2025, 6, 1), &snap);
        assert_eq!(
            problems,
            vec![Problem::new(
                "consent_valid_until",
                "err.until_before_given"
            )]
        );
    }

    #[test]
    fn expired_consent_does_not_cover_a_referral() {
        let mut person = sample_person();
        person.consent = Some(Consent {
            given_on: day(2024, 1, 1),
            valid_until: Some(day(2024, 12, 31)),
            services: true,
            referrals: true,
            sharing: false,
        });
        assert!(person.consents_to_referral(day(2024, 6, 1)));
        assert!(!person.consents_to_referral(day(2025, 1, 1)));
    }

    #[test]
    fn phones_accept_vietnamese_formats() {
        assert!(is_plausible_phone("0912 345 678"));
        assert!(is_plausible_phone("+84 912.345.678"));
        assert!(!is_plausible_phone("12345"));
        assert!(!is_plausible_phone("09x2345678"));
    }
}
