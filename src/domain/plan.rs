//! Kế hoạch sinh kế: the business a person plans after counselling, and its approval.

use super::dates::{serde_day, serde_opt_day};
use super::validation::Problems;
use super::{BusinessLine, Dong, Id, Lookup, PlanStatus, Problem, Stamp};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LivelihoodPlan {
    pub id: Id,
    pub person_id: Id,
    pub business_line: BusinessLine,
    /// Free text: required when the line is "other", a detail otherwise.
    pub business_detail: String,
    pub goal: String,
    pub budget: Dong,
    pub counselling_sessions: u16,
    pub status: PlanStatus,
    pub approved_by: String,
    #[serde(with = "serde_opt_day")]
    pub approved_on: Option<NaiveDate>,
    #[serde(with = "serde_day")]
    pub created_on: NaiveDate,
    pub stamp: Stamp,
}

impl LivelihoodPlan {
    pub fn is_approved(&self) -> bool {
        matches!(
            self.status,
            PlanStatus::Approved | PlanStatus::Active | PlanStatus::Completed
        )
    }

    pub fn validate(&self, today: NaiveDate, lookup: &dyn Lookup) -> Vec<Problem> {
        let mut p = Problems::default();
        p.one_line(&[
            ("business_detail", &self.business_detail),
            ("approved_by", &self.approved_by),
        ]);
        p.note("goal", &self.goal);
        p.check(
            lookup.person(self.person_id).is_some(),
            "person",
            "err.unknown_person",
        );
        p.check(
            self.business_line != BusinessLine::Other || !self.business_detail.is_empty(),
            "business_detail",
            "err.required",
        );
        p.check(!self.goal.is_empty(), "goal", "err.required");
        p.check(self.goal.chars().count() <= 500, "goal", "err.too_long_500");
        p.check(self.budget.0 >= 0, "budget", "err.negative_amount");
        p.check(self.created_on <= today, "created_on", "err.date_in_future");
        if self.is_approved() {
            p.check(
                !self.approved_by.is_empty(),
                "approved_by",
                "err.approval_missing",
            );
            p.check(
                self.approved_on.is_some(),
                "approved_on",
                "err.approval_missing",
            );
        }
        if let Some(on) = self.approved_on {
            p.check(on <= today, "approved_on", "err.date_in_future");
            p.check(
                on >= self.created_on,
                "approved_on",
                "err.approved_before_created",
            );
        }
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::snapshot::tests::{day, sample_plan, sample_snapshot};

    #[test]
    fn a_valid_plan_has_no_problems() {
        assert_eq!(
            sample_plan().validate(day(2025, 6, 1), &sample_snapshot()),
            vec![]
        );
    }

    #[test]
    fn a_plan_needs_a_known_person_a_goal_and_a_non_negative_budget() {
        let mut plan = sample_plan();
        plan.person_id = Id(999);
        plan.goal.clear();
        plan.budget = Dong(-1);
        let fields: Vec<_> = plan
            .validate(day(2025, 6, 1), &sample_snapshot())
            .iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, vec!["person", "goal", "budget"]);
    }

    #[test]
    fn an_approved_plan_says_who_approved_it_and_when() {
        let mut plan = sample_plan();
        plan.status = PlanStatus::Approved;
        let problems = plan.validate(day(2025, 6, 1), &sample_snapshot());
        assert_eq!(
            problems,
            vec![
                Problem::new("approved_by", "err.approval_missing"),
                Problem::new("approved_on", "err.approval_missing")
            ]
        );
    }

    #[test]
    fn other_business_lines_need_a_description() {
        let mut plan = sample_plan();
        plan.business_line = BusinessLine::Other;
        plan.business_detail.clear();
        let problems = plan.validate(day(2025, 6, 1), &sample_snapshot());
        assert_eq!(
            problems,
            vec![Problem::new("business_detail", "err.required")]
        );
    }
}
