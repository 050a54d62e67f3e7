//! Imports of a ward's existing plans, grants and visits: each sheet in one atomic,
//! audited write, all of its rows or none. The rows were checked by `report`; the
//! write checks them again against what the store holds at that moment.

use super::error::Rejected;
use super::{Change, Store, StoreError};
use crate::domain::*;

impl Store {
    /// Hands over every grant with its follow-up schedule, as the grant form does.
    /// A refusal names the index of the grant (not of its visits).
    pub fn import_grants(&mut self, grants: Vec<Grant>) -> Result<usize, StoreError> {
        let count = grants.len();
        let mut changes = Vec::new();
        // For each change, the grant it belongs to.
        let mut owner = Vec::new();
        for (i, mut grant) in grants.into_iter().enumerate() {
            grant.id = self.new_id();
            let with_visits = self.with_schedule(grant);
            owner.extend(std::iter::repeat_n(i, with_visits.len()));
            changes.extend(with_visits);
        }
        self.import_changes(changes, "import_grants", &owner)?;
        Ok(count)
    }

    /// Records visits already made: follow-ups marked done, or visits of their own.
    pub fn import_visits(&mut self, visits: Vec<Milestone>) -> Result<usize, StoreError> {
        let count = visits.len();
        let owner: Vec<usize> = (0..count).collect();
        let changes = visits.into_iter().map(Change::Milestone).collect();
        self.import_changes(changes, "import_visits", &owner)?;
        Ok(count)
    }

    /// Adds livelihood plans; an approved one needs a supervisor, as approving does.
    pub fn import_plans(&mut self, plans: Vec<LivelihoodPlan>) -> Result<usize, StoreError> {
        if plans.iter().any(LivelihoodPlan::is_approved) {
            self.require(Permission::ApprovePlans)?;
        }
        let count = plans.len();
        let owner: Vec<usize> = (0..count).collect();
        let changes = plans.into_iter().map(Change::Plan).collect();
        self.import_changes(changes, "import_plans", &owner)?;
        Ok(count)
    }

    fn import_changes(
        &mut self,
        changes: Vec<Change>,
        action: &'static str,
        owner: &[usize],
    ) -> Result<(), StoreError> {
        match self.apply_as(changes, action, true) {
            Ok(_) => Ok(()),
            Err(StoreError::Invalid(rejected)) => Err(StoreError::Invalid(
                rejected
                    .into_iter()
                    .map(|r| Rejected {
                        index: owner.get(r.index).copied().unwrap_or(r.index),
                        problems: r.problems,
                    })
                    .collect(),
            )),
            Err(e) => Err(e),
        }
    }
}
