//! The user actions the screens and commands call: each is one atomic, audited write.

use super::audit::AuditDraft;
use super::{Change, Rejected, Store, StoreError, keys};
use crate::domain::*;
use chrono::NaiveDate;

/// What an officer records about a follow-up: its outcome, what the visit found, a
/// referral it asks for (to whom), and a next, extra visit if one is planned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisitRecord {
    pub milestone: Id,
    pub status: MilestoneStatus,
    /// Done visits only.
    pub done_on: Option<NaiveDate>,
    pub visit: Visit,
    /// Where `visit.referral_needed` sends the person (chuyển tuyến).
    pub refer_to: String,
    pub next_visit_on: Option<NaiveDate>,
}

/// What `record_visit` wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedVisit {
    pub milestone: Milestone,
    pub referral: Option<Referral>,
    pub next_visit: Option<Milestone>,
}

/// Refused as one record with these problems (field names are the action's own).
fn refused(problems: Vec<Problem>) -> StoreError {
    StoreError::Invalid(vec![Rejected { index: 0, problems }])
}

impl Store {
    /// Refuses what the signed-in user's role does not allow.
    pub(crate) fn require(&self, permission: Permission) -> Result<(), StoreError> {
        if self.user.may(permission) {
            Ok(())
        } else {
            Err(StoreError::NotAllowed(permission))
        }
    }

    /// Approves a draft plan: the signed-in supervisor, today. Officers are refused.
    pub fn approve_plan(&mut self, plan_id: Id) -> Result<LivelihoodPlan, StoreError> {
        self.require(Permission::ApprovePlans)?;
        let mut plan = self
            .snapshot
            .plans
            .get(&plan_id)
            .cloned()
            .ok_or(StoreError::NotFound)?;
        if plan.status != PlanStatus::Draft {
            return Err(StoreError::Invalid(vec![super::Rejected {
                index: 0,
                problems: vec![Problem::new("status", "err.approve_draft_only")],
            }]));
        }
        plan.status = PlanStatus::Approved;
        plan.approved_by = self.user.name.clone();
        plan.approved_on = Some(self.today());
        match self
            .apply_as(vec![Change::Plan(plan)], "approve_plan", true)?
            .pop()
        {
            Some(Change::Plan(p)) => Ok(p),
            _ => Err(StoreError::NotFound),
        }
    }

    /// Records that an export was made (`kind` names the table, never a person). One
    /// with names needs a supervisor: call this before writing the file, and write it
    /// only if this succeeds.
    pub fn record_export(&mut self, kind: &str, with_names: bool) -> Result<(), StoreError> {
        if with_names {
            self.require(Permission::ExportWithNames)?;
        }
        if self.is_read_only() {
            // Nothing can be recorded on a read-only medium: names, which must be, wait
            // for a copy that can; codes alone may leave unrecorded.
            return if with_names {
                self.refuse_if_read_only()
            } else {
                Ok(())
            };
        }
        let names = if with_names {
            "with names"
        } else {
            "codes only"
        };
        let draft = AuditDraft::new("export").detail(format!("{kind}, {names}"));
        self.commit(Vec::new(), &[], draft)
    }

    /// Records that documents naming people were printed (`what`: "handover"; `which`:
    /// their record numbers, never a name). Any user who can see the records may print
    /// them: handing over is an officer's work. Nothing can be recorded on a read-only
    /// copy, so nothing is printed from one.
    pub fn record_printing(&mut self, what: &str, which: &str) -> Result<(), StoreError> {
        self.refuse_if_read_only()?;
        let draft = AuditDraft::new("print").detail(format!("{what}: {which}"));
        self.commit(Vec::new(), &[], draft)
    }

    /// Writes records exactly as given, stamps included (demo data is deterministic),
    /// into a database that holds no records yet.
    pub fn fill_empty(&mut self, changes: Vec<Change>) -> Result<(), StoreError> {
        if !self.snapshot.is_empty() || !self.snapshot.wards.is_empty() {
            return Err(StoreError::NotEmpty);
        }
        self.apply_as(changes, "demo", false).map(|_| ())
    }

    /// Fills a database that has its wards but no one in them yet (a joined ward
    /// laptop) with demo records of one ward.
    pub fn fill_ward(&mut self, changes: Vec<Change>) -> Result<(), StoreError> {
        // Not only what this user sees: no record of any ward may be there.
        let empty = [
            keys::PEOPLE,
            keys::PLANS,
            keys::GRANTS,
            keys::MILESTONES,
            keys::REFERRALS,
        ]
        .iter()
        .all(|t| self.tree(t).is_empty());
        if !empty {
            return Err(StoreError::NotEmpty);
        }
        let batch = self.version_batch();
        self.apply_with(changes, "demo", false, batch, true)
            .map(|_| ())
    }

    // ----- user actions -----

    /// Adds a new ward (supervisors). A code already in use is refused: adding must
    /// never overwrite a ward and move its people under another name. `edit_ward` changes one.
    pub fn add_ward(&mut self, mut ward: Ward) -> Result<Ward, StoreError> {
        self.require(Permission::ManageSettings)?;
        ward.tidy();
        if self.snapshot.wards.contains_key(&ward.code) {
            return Err(one_problem("code", "err.ward_code_taken"));
        }
        self.write_ward(ward, "add_ward")
    }

    /// Changes the name, district or province of a ward that exists (supervisors). The
    /// code names the ward and never changes: every code of its people begins with it.
    pub fn edit_ward(&mut self, mut ward: Ward) -> Result<Ward, StoreError> {
        self.require(Permission::ManageSettings)?;
        ward.tidy();
        if !self.snapshot.wards.contains_key(&ward.code) {
            return Err(one_problem("code", "err.unknown_ward"));
        }
        self.write_ward(ward, "edit_ward")
    }

    fn write_ward(&mut self, ward: Ward, action: &'static str) -> Result<Ward, StoreError> {
        match self.apply_as(vec![Change::Ward(ward)], action, true)?.pop() {
            Some(Change::Ward(w)) => Ok(w),
            _ => Err(StoreError::NotFound),
        }
    }

    pub fn save_person(&mut self, person: Person) -> Result<Person, StoreError> {
        let mut person = person;
        // A code never changes once given; the mark of a record entered in error
        // changes only through `mark_entered_in_error`.
        person.entered_in_error = false;
        if let Some(old) = self.snapshot.people.get(&person.id) {
            person.code = old.code.clone();
            person.entered_in_error = old.entered_in_error;
        }
        match self
            .apply_as(vec![Change::Person(person)], "save_person", true)?
            .pop()
        {
            Some(Change::Person(p)) => Ok(p),
            _ => Err(StoreError::NotFound),
        }
    }

    /// Marks a person entered in error (a duplicate, a test), or takes the mark back: a
    /// supervisor's decision, audited. The record and its history stay; while marked,
    /// the person and their plans, grants and visits count in no figure, list or export.
    pub fn mark_entered_in_error(
        &mut self,
        person: Id,
        in_error: bool,
    ) -> Result<Person, StoreError> {
        self.require(Permission::MarkEnteredInError)?;
        let mut p = self
            .snapshot
            .people
            .get(&person)
            .cloned()
            .ok_or(StoreError::NotFound)?;
        p.entered_in_error = in_error;
        let action = if in_error {
            "mark_entered_in_error"
        } else {
            "restore_entered_in_error"
        };
        match self.apply_as(vec![Change::Person(p)], action, true)?.pop() {
            Some(Change::Person(p)) => Ok(p),
            _ => Err(StoreError::NotFound),
        }
    }

    /// Adds many people in one atomic write: all of them, or none.
    pub fn import_people(&mut self, people: Vec<Person>) -> Result<Vec<Person>, StoreError> {
        let saved = self.apply_as(
            people
                .into_iter()
                .map(|mut p| {
                    p.entered_in_error = false;
                    Change::Person(p)
                })
                .collect(),
            "import_people",
            true,
        )?;
        Ok(saved
            .into_iter()
            .filter_map(|c| {
                if let Change::Person(p) = c {
                    Some(p)
                } else {
                    None
                }
            })
            .collect())
    }

    pub fn save_plan(&mut self, plan: LivelihoodPlan) -> Result<LivelihoodPlan, StoreError> {
        match self
            .apply_as(vec![Change::Plan(plan)], "save_plan", true)?
            .pop()
        {
            Some(Change::Plan(p)) => Ok(p),
            _ => Err(StoreError::NotFound),
        }
    }

    /// Hands over a new grant and creates its follow-up schedule in the same write.
    pub fn hand_over_grant(
        &mut self,
        mut grant: Grant,
    ) -> Result<(Grant, Vec<Milestone>), StoreError> {
        if grant.id.is_new() {
            grant.id = self.new_id();
        }
        let changes = self.with_schedule(grant);
        split_grant(self.apply_as(changes, "hand_over_grant", true)?)
    }

    /// A new grant (its id given) and its follow-up visits, assigned to the person's
    /// collaborator, or else to whoever hands it over.
    pub(super) fn with_schedule(&self, grant: Grant) -> Vec<Change> {
        let assigned = self
            .snapshot
            .people
            .get(&grant.person_id)
            .map(|p| p.collaborator.clone())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| self.user.name.clone());
        let milestones = self
            .schedule
            .milestones_for(&grant, &assigned, &Stamp::default(), || Id::NEW);
        let mut changes = vec![Change::Grant(grant)];
        changes.extend(milestones.into_iter().map(Change::Milestone));
        changes
    }

    /// Saves an edited grant. When its kind or handover date changed, the visits still
    /// planned are rescheduled; visits already done, missed or cancelled stay as they are.
    pub fn save_grant(&mut self, grant: Grant) -> Result<(Grant, Vec<Milestone>), StoreError> {
        let Some(old) = self.snapshot.grants.get(&grant.id) else {
            return self.hand_over_grant(grant);
        };
        let mut changes = Vec::new();
        if old.kind != grant.kind || old.handed_over_on != grant.handed_over_on {
            let existing: Vec<&Milestone> = self
                .snapshot
                .milestones_of(grant.id)
                .filter(|m| m.months_after.is_some())
                .collect();
            let kept_months: Vec<u8> = existing
                .iter()
                .filter(|m| !m.status.is_open())
                .filter_map(|m| m.months_after)
                .collect();
            let mut fresh = self
                .schedule
                .milestones_for(
                    &grant,
                    &existing
                        .first()
                        .map(|m| m.assigned_to.clone())
                        .unwrap_or_default(),
                    &Stamp::default(),
                    || Id::NEW,
                )
                .into_iter()
                .filter(|m| !kept_months.contains(&m.months_after.unwrap_or(0)));
            // Reuse the ids of planned visits so no orphan is left behind.
            for planned in existing.iter().filter(|m| m.status.is_open()) {
                let mut m = (*planned).clone();
                match fresh.next() {
                    Some(new) => {
                        m.due_on = new.due_on;
                        m.months_after = new.months_after;
                    }
                    None => {
                        m.status = MilestoneStatus::Cancelled;
                        m.visit.reason = "rescheduled".into();
                    }
                }
                changes.push(Change::Milestone(m));
            }
            changes.extend(fresh.map(Change::Milestone));
        }
        changes.insert(0, Change::Grant(grant));
        split_grant(self.apply_as(changes, "save_grant", true)?)
    }

    pub fn save_milestone(&mut self, milestone: Milestone) -> Result<Milestone, StoreError> {
        match self
            .apply_as(vec![Change::Milestone(milestone)], "save_milestone", true)?
            .pop()
        {
            Some(Change::Milestone(m)) => Ok(m),
            _ => Err(StoreError::NotFound),
        }
    }

    pub fn save_referral(&mut self, referral: Referral) -> Result<Referral, StoreError> {
        match self
            .apply_as(vec![Change::Referral(referral)], "save_referral", true)?
            .pop()
        {
            Some(Change::Referral(r)) => Ok(r),
            _ => Err(StoreError::NotFound),
        }
    }

    /// Records a follow-up in one write: the milestone's outcome, the referral the visit
    /// asks for, and the next visit. A missed or cancelled visit keeps only its reason.
    /// Problems are named by the record's fields, `refer_to` and `next_visit_on`.
    pub fn record_visit(&mut self, record: VisitRecord) -> Result<RecordedVisit, StoreError> {
        let today = self.today();
        let mut m = self
            .snapshot
            .milestones
            .get(&record.milestone)
            .cloned()
            .ok_or(StoreError::NotFound)?;
        let done = record.status == MilestoneStatus::Done;
        let mut problems = Vec::new();
        m.status = record.status;
        m.done_on = if done { record.done_on } else { None };
        if done && record.done_on.is_none() {
            problems.push(Problem::new("done_on", "err.required"));
        }
        if done {
            m.visit = Visit {
                reason: String::new(),
                ..record.visit
            };
        } else {
            m.visit.reason = record.visit.reason;
        }
        let service = m.visit.referral_needed.filter(|_| done);
        let referral = match service {
            Some(_) if record.refer_to.trim().is_empty() => {
                problems.push(Problem::new("refer_to", "err.required"));
                None
            }
            Some(service) => Some(Referral {
                id: Id::NEW,
                person_id: m.person_id,
                milestone_id: Some(m.id),
                service,
                to_whom: record.refer_to,
                made_on: m.done_on.unwrap_or(today),
                status: ReferralStatus::Made,
                outcome: String::new(),
                stamp: Stamp::default(),
            }),
            None => None,
        };
        if record.next_visit_on.is_some_and(|next| next < today) {
            problems.push(Problem::new("next_visit_on", "err.date_in_past"));
        }
        let next_visit = record.next_visit_on.map(|next| Milestone {
            id: Id::NEW,
            due_on: next,
            months_after: None,
            status: MilestoneStatus::Planned,
            done_on: None,
            visit: Visit::default(),
            ..m.clone()
        });
        let mut tidy = m.clone();
        tidy.tidy();
        for p in tidy.validate(today, &self.snapshot) {
            if !problems.iter().any(|q| q.field == p.field) {
                problems.push(p);
            }
        }
        // The referral's own problems (consent, to whom) belong beside "to whom".
        if let Some(r) = &referral {
            problems.extend(
                r.validate(today, &self.snapshot)
                    .into_iter()
                    .map(|p| Problem::new("refer_to", p.key)),
            );
        }
        if !problems.is_empty() {
            return Err(refused(problems));
        }
        let mut changes = vec![Change::Milestone(m)];
        changes.extend(referral.map(Change::Referral));
        changes.extend(next_visit.map(Change::Milestone));
        let mut saved = self.apply_as(changes, "record_visit", true)?.into_iter();
        let Some(Change::Milestone(milestone)) = saved.next() else {
            return Err(StoreError::NotFound);
        };
        let mut out = RecordedVisit {
            milestone,
            referral: None,
            next_visit: None,
        };
        for change in saved {
            match change {
                Change::Referral(r) => out.referral = Some(r),
                Change::Milestone(m) => out.next_visit = Some(m),
                _ => {}
            }
        }
        Ok(out)
    }

    /// Saves a referral; with `consent_on`, first records in the same write that the
    /// person consented to referrals on that day (the referral form offers this when
    /// consent is missing). A consent that ran out before the referral is extended.
    pub fn save_referral_with_consent(
        &mut self,
        referral: Referral,
        consent_on: NaiveDate,
    ) -> Result<Referral, StoreError> {
        let mut person = self
            .snapshot
            .people
            .get(&referral.person_id)
            .cloned()
            .ok_or(StoreError::NotFound)?;
        let mut consent = person.consent.clone().unwrap_or(Consent {
            given_on: consent_on,
            valid_until: None,
            services: true,
            referrals: true,
            sharing: false,
        });
        consent.given_on = consent.given_on.min(consent_on);
        consent.referrals = true;
        if consent.valid_until.is_some_and(|u| u < referral.made_on) {
            consent.valid_until = None;
        }
        person.consent = Some(consent);
        // The person goes first: the referral relies on the consent saved with them.
        let changes = vec![Change::Person(person), Change::Referral(referral)];
        match self.apply_as(changes, "save_referral", true)?.pop() {
            Some(Change::Referral(r)) => Ok(r),
            _ => Err(StoreError::NotFound),
        }
    }

    /// A new follow-up schedule per grant kind; milestones already created are untouched.
    pub fn set_schedule(&mut self, schedule: Schedule) -> Result<(), StoreError> {
        self.require(Permission::ManageSettings)?;
        let value = self.encode_value(keys::META, keys::META_SCHEDULE, &schedule)?;
        let draft = AuditDraft::new("set_schedule").detail("schedule".into());
        self.commit(
            vec![(
                keys::tree_index(keys::META),
                keys::META_SCHEDULE.to_vec(),
                Some(value),
            )],
            &[],
            draft,
        )?;
        self.schedule = schedule;
        Ok(())
    }
}

/// A refusal of one field of the one record of an action, shown beside that field.
fn one_problem(field: &'static str, key: &'static str) -> StoreError {
    StoreError::Invalid(vec![super::Rejected {
        index: 0,
        problems: vec![Problem::new(field, key)],
    }])
}

fn split_grant(saved: Vec<Change>) -> Result<(Grant, Vec<Milestone>), StoreError> {
    let mut grant = None;
    let mut milestones = Vec::new();
    for change in saved {
        match change {
            Change::Grant(g) => grant = Some(g),
            Change::Milestone(m) => milestones.push(m),
            _ => {}
        }
    }
    Ok((grant.ok_or(StoreError::NotFound)?, milestones))
}

#[cfg(test)]
mod ward_tests {
    use super::super::tests::fresh;
    use super::*;
    use crate::domain::snapshot::tests::sample_ward;

    #[test]
    fn adding_a_ward_whose_code_exists_is_refused_and_changes_nothing() {
        let (_dir, mut store) = fresh();
        let mut other = sample_ward();
        other.code = "ct".into();
        other.name = "Tuần Châu".into();
        match store.add_ward(other) {
            Err(StoreError::Invalid(rejected)) => assert_eq!(
                rejected[0].problems,
                vec![Problem::new("code", "err.ward_code_taken")]
            ),
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert_eq!(store.snapshot().wards["CT"], sample_ward());
    }

    #[test]
    fn editing_a_ward_keeps_its_code_and_needs_one_that_exists() {
        let (_dir, mut store) = fresh();
        let mut renamed = sample_ward();
        renamed.name = "Cao Thắng mới".into();
        store.edit_ward(renamed.clone()).expect("edit");
        assert_eq!(store.snapshot().wards["CT"], renamed);
        let mut missing = sample_ward();
        missing.code = "ZZ".into();
        assert!(matches!(
            store.edit_ward(missing),
            Err(StoreError::Invalid(_))
        ));
        assert!(!store.snapshot().wards.contains_key("ZZ"));
    }
}
