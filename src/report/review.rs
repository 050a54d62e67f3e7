//! What a supervisor should look at: plans waiting for approval, and grants whose last
//! visit found the business closed or most of the animals dead.

use crate::domain::{Id, LivelihoodPlan, MilestoneStatus, PlanStatus, Snapshot};
use chrono::NaiveDate;

/// Something a supervisor should look at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReviewItem {
    /// A plan still in draft, waiting for approval.
    PlanToApprove(Id),
    /// A grant whose last visit found the business closed.
    BusinessClosed(Id),
    /// A livestock grant whose last visit found fewer than half the animals alive.
    AnimalsLost { grant: Id, alive: u32 },
}

/// Below this share of animals alive at the last visit, a livestock grant needs review.
const ANIMALS_ALIVE_ALERT_PERCENT: u64 = 50;

/// Plans waiting for approval (oldest first), then grants in trouble (most recent visit first).
pub fn review_items(snap: &Snapshot) -> Vec<ReviewItem> {
    let mut plans: Vec<&LivelihoodPlan> = snap
        .plans
        .values()
        .filter(|p| p.status == PlanStatus::Draft && snap.counts(p.person_id))
        .collect();
    plans.sort_by_key(|p| (p.created_on, p.id));
    let mut items: Vec<ReviewItem> = plans
        .iter()
        .map(|p| ReviewItem::PlanToApprove(p.id))
        .collect();
    let mut troubled: Vec<(NaiveDate, ReviewItem)> = Vec::new();
    // A person entered in error needs no review.
    for grant in snap.grants.values().filter(|g| snap.counts(g.person_id)) {
        let last = snap
            .milestones_of(grant.id)
            .filter(|m| m.status == MilestoneStatus::Done)
            .max_by_key(|m| (m.done_on, m.due_on));
        let Some(visit) = last else { continue };
        let on = visit.done_on.unwrap_or(visit.due_on);
        if visit.visit.business_operating == Some(false) {
            troubled.push((on, ReviewItem::BusinessClosed(grant.id)));
        } else if let Some(alive) = visit.visit.animals_alive.filter(|_| grant.is_livestock())
            && (alive as u64) * 100 < grant.quantity.whole_units() * ANIMALS_ALIVE_ALERT_PERCENT
        {
            troubled.push((
                on,
                ReviewItem::AnimalsLost {
                    grant: grant.id,
                    alive,
                },
            ));
        }
    }
    troubled.sort_by_key(|t| std::cmp::Reverse(t.0));
    items.extend(troubled.into_iter().map(|(_, item)| item));
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::snapshot::tests::*;
    use crate::domain::*;

    #[test]
    fn review_lists_draft_plans_then_grants_whose_last_visit_found_trouble() {
        let mut snap = sample_snapshot(); // a draft plan and a livestock grant of 50 chickens
        assert_eq!(review_items(&snap), vec![ReviewItem::PlanToApprove(Id(2))]);

        let mut visit = sample_milestone();
        visit.status = MilestoneStatus::Done;
        visit.done_on = Some(day(2025, 2, 3));
        visit.visit.animals_alive = Some(20); // 20 of 50: below half
        snap.put_milestone(visit.clone());
        assert_eq!(
            review_items(&snap)[1],
            ReviewItem::AnimalsLost {
                grant: Id(3),
                alive: 20
            }
        );

        visit.visit.animals_alive = Some(45);
        visit.visit.business_operating = Some(false);
        snap.put_milestone(visit);
        assert_eq!(review_items(&snap)[1], ReviewItem::BusinessClosed(Id(3)));
    }

    #[test]
    fn an_approved_plan_and_a_thriving_grant_need_no_review() {
        let mut snap = sample_snapshot();
        let mut plan = sample_plan();
        plan.status = PlanStatus::Approved;
        snap.put_plan(plan);
        let mut visit = sample_milestone();
        visit.status = MilestoneStatus::Done;
        visit.done_on = Some(day(2025, 2, 3));
        visit.visit.animals_alive = Some(48);
        visit.visit.business_operating = Some(true);
        snap.put_milestone(visit);
        assert!(review_items(&snap).is_empty());
    }
}
