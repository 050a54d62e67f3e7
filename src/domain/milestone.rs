//! A follow-up milestone (thăm hộ: home visit; phone check; review) and what the
//! visit found. Overdue is derived from the date, never stored.

use super::dates::{serde_day, serde_opt_day};
use super::validation::Problems;
use super::{Dong, Id, Lookup, MilestoneKind, MilestoneStatus, Problem, Service, Stamp};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// A visit done within this many days after its due date still counts as on time.
pub const ON_TIME_GRACE_DAYS: u64 = 7;
/// "Due this week": due today or within this many days.
pub const UPCOMING_DAYS: u64 = 7;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub id: Id,
    pub person_id: Id,
    pub grant_id: Option<Id>,
    pub plan_id: Option<Id>,
    #[serde(with = "serde_day")]
    pub due_on: NaiveDate,
    pub kind: MilestoneKind,
    /// Months after the handover for a scheduled visit; None for an ad-hoc one.
    pub months_after: Option<u8>,
    /// The officer or collaborator expected to make the visit.
    pub assigned_to: String,
    pub status: MilestoneStatus,
    #[serde(with = "serde_opt_day")]
    pub done_on: Option<NaiveDate>,
    pub visit: Visit,
    pub stamp: Stamp,
}

/// What a visit found, or why it did not happen.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Visit {
    pub done_by: String,
    pub business_operating: Option<bool>,
    pub animals_alive: Option<u32>,
    pub monthly_income: Option<Dong>,
    pub notes: String,
    pub referral_needed: Option<Service>,
    /// Why a milestone was missed or cancelled.
    pub reason: String,
}

impl Milestone {
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status.is_open() && self.due_on < today
    }

    pub fn days_overdue(&self, today: NaiveDate) -> i64 {
        if self.is_overdue(today) {
            (today - self.due_on).num_days()
        } else {
            0
        }
    }

    /// Open and due between today and a week from today.
    pub fn is_upcoming(&self, today: NaiveDate) -> bool {
        self.status.is_open()
            && self.due_on >= today
            && self.due_on
                <= today
                    .checked_add_days(Days::new(UPCOMING_DAYS))
                    .unwrap_or(NaiveDate::MAX)
    }

    /// Done, and no later than the grace period after its due date.
    pub fn was_done_on_time(&self) -> Option<bool> {
        match (self.status, self.done_on) {
            (MilestoneStatus::Done, Some(done)) => Some(
                done <= self
                    .due_on
                    .checked_add_days(Days::new(ON_TIME_GRACE_DAYS))
                    .unwrap_or(NaiveDate::MAX),
            ),
            _ => None,
        }
    }

    pub fn validate(&self, today: NaiveDate, lookup: &dyn Lookup) -> Vec<Problem> {
        let mut p = Problems::default();
        p.one_line(&[
            ("assigned_to", &self.assigned_to),
            ("done_by", &self.visit.done_by),
            ("reason", &self.visit.reason),
        ]);
        p.note("notes", &self.visit.notes);
        p.check(
            lookup.person(self.person_id).is_some(),
            "person",
            "err.unknown_person",
        );
        if let Some(grant_id) = self.grant_id {
            match lookup.grant(grant_id) {
                None => p.check(false, "grant", "err.unknown_grant"),
                Some(g) => {
                    p.check(
                        g.person_id == self.person_id,
                        "grant",
                        "err.grant_other_person",
                    );
                    // A visit follows the handover, and finds no more animals than given.
                    p.check(
                        self.done_on.is_none_or(|on| on >= g.handed_over_on),
                        "done_on",
                        "err.before_handover",
                    );
                    p.check(
                        !g.is_livestock()
                            || self
                                .visit
                                .animals_alive
                                .is_none_or(|n| u64::from(n) <= g.quantity.whole_units()),
                        "animals_alive",
                        "err.more_than_given",
                    );
                }
            }
        }
        if let Some(plan_id) = self.plan_id {
            p.check(lookup.plan(plan_id).is_some(), "plan", "err.unknown_plan");
        }
        let done = self.status == MilestoneStatus::Done;
        p.check(
            self.done_on.is_none() || done,
            "done_on",
            "err.done_date_only_when_done",
        );
        p.check(self.done_on.is_some() || !done, "done_on", "err.required");
        if let Some(on) = self.done_on {
            p.check(on <= today, "done_on", "err.date_in_future");
        }
        p.check(
            !matches!(
                self.status,
                MilestoneStatus::Missed | MilestoneStatus::Cancelled
            ) || !self.visit.reason.is_empty(),
            "reason",
            "err.reason_required",
        );
        p.check(
            self.visit.monthly_income.is_none_or(|d| d.0 >= 0),
            "monthly_income",
            "err.negative_amount",
        );
        p.check(
            self.visit.notes.chars().count() <= 1000,
            "notes",
            "err.too_long_1000",
        );
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::snapshot::tests::{day, sample_milestone, sample_snapshot};

    #[test]
    fn a_planned_visit_is_overdue_from_the_day_after_it_was_due() {
        let m = sample_milestone(); // due 2025-02-01
        assert!(!m.is_overdue(day(2025, 2, 1)));
        assert!(m.is_overdue(day(2025, 2, 2)));
        assert_eq!(m.days_overdue(day(2025, 2, 11)), 10);
    }

    #[test]
    fn a_done_visit_is_never_overdue() {
        let mut m = sample_milestone();
        m.status = MilestoneStatus::Done;
        m.done_on = Some(day(2025, 3, 1));
        assert!(!m.is_overdue(day(2026, 1, 1)));
        assert_eq!(m.was_done_on_time(), Some(false));
    }

    #[test]
    fn upcoming_means_due_within_seven_days() {
        let m = sample_milestone();
        assert!(m.is_upcoming(day(2025, 1, 25)));
        assert!(!m.is_upcoming(day(2025, 1, 24)));
        assert!(m.is_upcoming(day(2025, 2, 1)));
    }

    #[test]
    fn a_done_date_belongs_only_to_a_done_visit() {
        let snap = sample_snapshot();
        let mut m = sample_milestone();
        m.done_on = Some(day(2025, 2, 3));
        assert_eq!(
            m.validate(day(2025, 6, 1), &snap),
            vec![Problem::new("done_on", "err.done_date_only_when_done")]
        );
        m.status = MilestoneStatus::Done;
        assert_eq!(m.validate(day(2025, 6, 1), &snap), vec![]);
        m.done_on = None;
        assert_eq!(
            m.validate(day(2025, 6, 1), &snap),
            vec![Problem::new("done_on", "err.required")]
        );
    }

    #[test]
    fn a_visit_comes_after_the_handover_and_finds_no_more_animals_than_given() {
        let snap = sample_snapshot(); // 50 animals handed over on 2025-01-01
        let mut m = sample_milestone();
        m.status = MilestoneStatus::Done;
        m.done_on = Some(day(2024, 12, 31));
        m.visit.animals_alive = Some(51);
        assert_eq!(
            m.validate(day(2025, 6, 1), &snap),
            vec![
                Problem::new("done_on", "err.before_handover"),
                Problem::new("animals_alive", "err.more_than_given"),
            ]
        );
        m.done_on = Some(day(2025, 1, 1));
        m.visit.animals_alive = Some(50);
        assert_eq!(m.validate(day(2025, 6, 1), &snap), vec![]);
    }

    #[test]
    fn a_missed_visit_needs_a_reason() {
        let snap = sample_snapshot();
        let mut m = sample_milestone();
        m.status = MilestoneStatus::Missed;
        assert_eq!(
            m.validate(day(2025, 6, 1), &snap),
            vec![Problem::new("reason", "err.reason_required")]
        );
        m.visit.reason = "Đi vắng".into();
        assert_eq!(m.validate(day(2025, 6, 1), &snap), vec![]);
    }

    #[test]
    fn a_visit_done_within_the_grace_week_is_on_time() {
        let mut m = sample_milestone();
        m.status = MilestoneStatus::Done;
        m.done_on = Some(day(2025, 2, 8));
        assert_eq!(m.was_done_on_time(), Some(true));
        m.done_on = Some(day(2025, 2, 9));
        assert_eq!(m.was_done_on_time(), Some(false));
    }
}
