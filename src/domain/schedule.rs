//! The follow-up rule: which milestones a handover creates. The defaults are kept here,
//! per kind: a livelihood grant is visited at home 1, 3, 6 and 12 months after the
//! handover; a study-equipment grant gets phone checks; a health-insurance card one
//! review before it runs out. A database may store its own months per kind.

use super::dates::add_months;
use super::{Grant, GrantKind, Id, Milestone, MilestoneKind, MilestoneStatus, Stamp, Visit};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The livelihood schedule: home visits after 1, 3, 6 and 12 months.
pub const DEFAULT_MONTHS: [u8; 4] = [1, 3, 6, 12];
/// Is the bicycle or desk still used for school: a check each term.
const STUDY_MONTHS: [u8; 2] = [3, 12];
/// A one-year card: one review a month before it runs out, to renew it.
const INSURANCE_MONTHS: [u8; 1] = [11];

/// The months a kind is followed up when the database keeps none of its own.
pub fn default_months(kind: GrantKind) -> &'static [u8] {
    match kind {
        GrantKind::HealthInsurance => &INSURANCE_MONTHS,
        GrantKind::StudyEquipment => &STUDY_MONTHS,
        _ => &DEFAULT_MONTHS,
    }
}

/// How a kind is followed up: livelihoods at home, where the business is.
pub fn follow_up_kind(kind: GrantKind) -> MilestoneKind {
    match kind {
        GrantKind::HealthInsurance => MilestoneKind::Review,
        GrantKind::StudyEquipment => MilestoneKind::PhoneCheck,
        _ => MilestoneKind::HomeVisit,
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// Months after the handover, per grant kind; a kind not listed uses the default.
    pub months_by_kind: BTreeMap<GrantKind, Vec<u8>>,
}

impl Schedule {
    pub fn months_for(&self, kind: GrantKind) -> &[u8] {
        self.months_by_kind
            .get(&kind)
            .map(Vec::as_slice)
            .unwrap_or(default_months(kind))
    }

    /// The planned milestones for a grant just handed over; `next_id` gives each its id.
    pub fn milestones_for(
        &self,
        grant: &Grant,
        assigned_to: &str,
        stamp: &Stamp,
        mut next_id: impl FnMut() -> Id,
    ) -> Vec<Milestone> {
        self.months_for(grant.kind)
            .iter()
            .map(|&months| Milestone {
                id: next_id(),
                person_id: grant.person_id,
                grant_id: Some(grant.id),
                plan_id: grant.plan_id,
                due_on: add_months(grant.handed_over_on, months as u32),
                kind: follow_up_kind(grant.kind),
                months_after: Some(months),
                assigned_to: assigned_to.to_string(),
                status: MilestoneStatus::Planned,
                done_on: None,
                visit: Visit::default(),
                stamp: stamp.clone(),
            })
            .collect()
    }

    /// Parses "1, 3, 6, 12": ascending whole months between 1 and 60.
    pub fn parse_months(text: &str) -> Option<Vec<u8>> {
        let months: Vec<u8> = text
            .split([',', ' ', ';'])
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<u8>().ok().filter(|m| (1..=60).contains(m)))
            .collect::<Option<_>>()?;
        let ascending = months.windows(2).all(|w| w[0] < w[1]);
        (!months.is_empty() && ascending).then_some(months)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::snapshot::tests::{day, sample_grant};

    #[test]
    fn a_grant_handed_over_today_has_its_first_visit_in_one_month() {
        let mut grant = sample_grant();
        grant.handed_over_on = day(2025, 1, 31);
        let mut n = 100;
        let visits = Schedule::default().milestones_for(&grant, "Lan", &Stamp::default(), || {
            n += 1;
            Id(n)
        });
        let due: Vec<_> = visits.iter().map(|m| m.due_on).collect();
        assert_eq!(
            due,
            vec![
                day(2025, 2, 28),
                day(2025, 4, 30),
                day(2025, 7, 31),
                day(2026, 1, 31)
            ]
        );
        assert!(
            visits
                .iter()
                .all(|m| m.status == MilestoneStatus::Planned && m.grant_id == Some(grant.id))
        );
        assert_eq!(visits[0].id, Id(101));
    }

    #[test]
    fn a_kind_can_have_its_own_schedule() {
        let mut schedule = Schedule::default();
        schedule
            .months_by_kind
            .insert(GrantKind::Livestock, vec![1, 2, 4]);
        assert_eq!(schedule.months_for(GrantKind::Livestock), &[1, 2, 4]);
        assert_eq!(schedule.months_for(GrantKind::Equipment), &DEFAULT_MONTHS);
    }

    #[test]
    fn study_equipment_and_insurance_are_not_given_the_livelihood_home_visits() {
        let mut grant = sample_grant();
        grant.kind = GrantKind::HealthInsurance;
        let visits = Schedule::default().milestones_for(&grant, "Lan", &Stamp::default(), || Id(9));
        assert_eq!(visits.len(), 1);
        assert_eq!(visits[0].kind, MilestoneKind::Review);
        assert_eq!(visits[0].months_after, Some(11));
        grant.kind = GrantKind::StudyEquipment;
        let visits = Schedule::default().milestones_for(&grant, "Lan", &Stamp::default(), || Id(9));
        assert!(visits.iter().all(|m| m.kind == MilestoneKind::PhoneCheck));
        assert_eq!(
            Schedule::default().months_for(GrantKind::Livestock),
            &DEFAULT_MONTHS
        );
    }

    #[test]
    fn schedules_are_typed_as_ascending_months() {
        assert_eq!(
            Schedule::parse_months("1, 3, 6, 12"),
            Some(vec![1, 3, 6, 12])
        );
        assert_eq!(Schedule::parse_months("3 1"), None);
        assert_eq!(Schedule::parse_months("0"), None);
        assert_eq!(Schedule::parse_months(""), None);
    }
}
