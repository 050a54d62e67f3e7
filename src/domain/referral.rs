//! Chuyển tuyến: a referral of a person to a health, psychological, legal, education,
//! vocational or loan service. It passes the person's details on, so it needs consent.

use super::dates::serde_day;
use super::validation::Problems;
use super::{Id, Lookup, Problem, ReferralStatus, Service, Stamp};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    pub id: Id,
    pub person_id: Id,
    /// The visit that found the need, when there was one.
    pub milestone_id: Option<Id>,
    pub service: Service,
    pub to_whom: String,
    #[serde(with = "serde_day")]
    pub made_on: NaiveDate,
    pub status: ReferralStatus,
    pub outcome: String,
    pub stamp: Stamp,
}

impl Referral {
    pub fn validate(&self, today: NaiveDate, lookup: &dyn Lookup) -> Vec<Problem> {
        let mut p = Problems::default();
        p.one_line(&[("to_whom", &self.to_whom)]);
        p.note("outcome", &self.outcome);
        match lookup.person(self.person_id) {
            None => p.check(false, "person", "err.unknown_person"),
            // Consent that covers referrals, but not on the day this one was made: the
            // date is what to fix, and the message says which way.
            Some(person) => match person.consent.as_ref().filter(|c| c.referrals) {
                Some(c) if self.made_on < c.given_on => {
                    p.check(false, "made_on", "err.before_consent")
                }
                Some(c) if c.valid_until.is_some_and(|u| self.made_on > u) => {
                    p.check(false, "made_on", "err.after_consent")
                }
                Some(_) => {}
                None => p.check(false, "consent", "err.no_consent"),
            },
        }
        p.check(!self.to_whom.is_empty(), "to_whom", "err.required");
        p.check(self.made_on <= today, "made_on", "err.date_in_future");
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::snapshot::tests::{day, sample_referral, sample_snapshot};

    #[test]
    fn a_referral_needs_consent_on_record() {
        let mut snap = sample_snapshot();
        let referral = sample_referral();
        assert_eq!(referral.validate(day(2025, 6, 1), &snap), vec![]);
        let person_id = referral.person_id;
        snap.people.get_mut(&person_id).unwrap().consent = None;
        assert_eq!(
            referral.validate(day(2025, 6, 1), &snap),
            vec![Problem::new("consent", "err.no_consent")]
        );
    }

    #[test]
    fn a_referral_made_before_the_consent_is_refused_on_its_date() {
        let snap = sample_snapshot();
        let mut referral = sample_referral();
        let given_on = snap.people[&referral.person_id]
            .consent
            .as_ref()
            .map(|c| c.given_on)
            .expect("sample consent");
        referral.made_on = given_on.pred_opt().expect("day");
        assert_eq!(
            referral.validate(day(2025, 6, 1), &snap),
            vec![Problem::new("made_on", "err.before_consent")]
        );
    }
}
