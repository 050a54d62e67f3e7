//! A set of record changes that is validated as a whole and written as one atomic
//! transaction: what a user action (save a form, hand over a grant, import a sheet) is.

use super::keys::{self, IndexEntry, Indexed};
use crate::domain::*;
use std::collections::HashMap;

/// One record to insert or replace.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    Ward(Ward),
    Person(Person),
    Plan(LivelihoodPlan),
    Grant(Grant),
    Milestone(Milestone),
    Referral(Referral),
}

impl Change {
    pub fn id(&self) -> Id {
        match self {
            Change::Ward(_) => Id::NEW,
            Change::Person(r) => r.id,
            Change::Plan(r) => r.id,
            Change::Grant(r) => r.id,
            Change::Milestone(r) => r.id,
            Change::Referral(r) => r.id,
        }
    }

    /// How the audit trail names the record: its id, or a ward's code.
    pub(crate) fn audit_id(&self) -> String {
        match self {
            Change::Ward(r) => r.code.clone(),
            other => other.id().to_string(),
        }
    }

    /// The person whose record this is, for their history.
    pub(crate) fn person_id(&self) -> Option<Id> {
        match self {
            Change::Ward(_) => None,
            Change::Person(r) => Some(r.id),
            Change::Plan(r) => Some(r.person_id),
            Change::Grant(r) => Some(r.person_id),
            Change::Milestone(r) => Some(r.person_id),
            Change::Referral(r) => Some(r.person_id),
        }
    }

    pub(crate) fn tidy(&mut self) {
        match self {
            Change::Ward(r) => r.tidy(),
            Change::Person(r) => r.tidy(),
            Change::Plan(r) => r.tidy(),
            Change::Grant(r) => r.tidy(),
            Change::Milestone(r) => r.tidy(),
            Change::Referral(r) => r.tidy(),
        }
    }

    pub(crate) fn set_id(&mut self, id: Id) {
        match self {
            Change::Ward(_) => {}
            Change::Person(r) => r.id = id,
            Change::Plan(r) => r.id = id,
            Change::Grant(r) => r.id = id,
            Change::Milestone(r) => r.id = id,
            Change::Referral(r) => r.id = id,
        }
    }

    pub(crate) fn stamp_mut(&mut self) -> Option<&mut Stamp> {
        match self {
            Change::Ward(_) => None,
            Change::Person(r) => Some(&mut r.stamp),
            Change::Plan(r) => Some(&mut r.stamp),
            Change::Grant(r) => Some(&mut r.stamp),
            Change::Milestone(r) => Some(&mut r.stamp),
            Change::Referral(r) => Some(&mut r.stamp),
        }
    }

    /// Puts the record into an in-memory snapshot once it is on disk.
    pub(crate) fn put_into(self, snapshot: &mut Snapshot) {
        match self {
            Change::Ward(r) => snapshot.put_ward(r),
            Change::Person(r) => snapshot.put_person(r),
            Change::Plan(r) => snapshot.put_plan(r),
            Change::Grant(r) => snapshot.put_grant(r),
            Change::Milestone(r) => snapshot.put_milestone(r),
            Change::Referral(r) => snapshot.put_referral(r),
        }
    }
}

/// The snapshot as it would be after the changes seen so far: later changes in a set
/// are validated against earlier ones (a new grant's milestones find the new grant).
/// An index entry to write (`Some`) or remove (`None`): (tree, key, value).
pub(crate) type IndexWrite = (&'static str, Vec<u8>, Option<Vec<u8>>);

pub(crate) struct Overlay<'a> {
    pub base: &'a Snapshot,
    wards: HashMap<String, Ward>,
    people: HashMap<Id, Person>,
    plans: HashMap<Id, LivelihoodPlan>,
    grants: HashMap<Id, Grant>,
    milestones: HashMap<Id, Milestone>,
    referrals: HashMap<Id, Referral>,
    codes: HashMap<String, Id>,
    next_sequence: HashMap<String, u32>,
}

impl<'a> Overlay<'a> {
    pub fn new(base: &'a Snapshot) -> Overlay<'a> {
        Overlay {
            base,
            wards: HashMap::new(),
            people: HashMap::new(),
            plans: HashMap::new(),
            grants: HashMap::new(),
            milestones: HashMap::new(),
            referrals: HashMap::new(),
            codes: HashMap::new(),
            next_sequence: HashMap::new(),
        }
    }

    pub fn person_by_code(&self, code: &str) -> Option<Id> {
        if let Some(id) = self.codes.get(code) {
            return Some(*id);
        }
        let holder = self.base.person_by_code(code)?.id;
        match self.people.get(&holder) {
            // The holder left the code earlier in this set: it is whoever else has it.
            Some(staged) if staged.code != code => {
                self.other_with_code(code.as_bytes(), Some(holder))
            }
            _ => Some(holder),
        }
    }

    /// The next free code in a ward: CT-0001, CT-0002, ...
    pub fn next_code(&mut self, ward: &str) -> String {
        let base = self.base;
        let seq = self
            .next_sequence
            .entry(ward.to_string())
            .or_insert_with(|| base.last_sequence_in_ward(ward));
        loop {
            *seq += 1;
            let code = format!("{ward}-{seq:04}");
            if !self.codes.contains_key(&code) && base.person_by_code(&code).is_none() {
                return code;
            }
        }
    }

    pub fn validate(&self, change: &Change, today: chrono::NaiveDate) -> Vec<Problem> {
        match change {
            Change::Ward(w) => w.validate(),
            Change::Person(p) => {
                let mut problems = p.validate(today, self);
                if self
                    .person_by_code(&p.code)
                    .is_some_and(|owner| owner != p.id)
                {
                    problems.push(Problem::new("code", "err.code_taken"));
                }
                problems
            }
            Change::Plan(r) => r.validate(today, self),
            Change::Grant(r) => r.validate(today, self),
            Change::Milestone(r) => r.validate(today, self),
            Change::Referral(r) => r.validate(today, self),
        }
    }

    pub fn record(&mut self, change: &Change) {
        match change {
            Change::Ward(r) => {
                self.wards.insert(r.code.clone(), r.clone());
            }
            Change::Person(r) => {
                let left = self
                    .person(r.id)
                    .filter(|before| before.code != r.code)
                    .map(|before| before.code.clone());
                if let Some(left) = left
                    && self.codes.get(&left) == Some(&r.id)
                {
                    self.codes.remove(&left);
                }
                // A code someone else holds stays theirs (a clash a merge reports).
                if self
                    .person_by_code(&r.code)
                    .is_none_or(|holder| holder == r.id)
                {
                    self.codes.insert(r.code.clone(), r.id);
                }
                self.people.insert(r.id, r.clone());
            }
            Change::Plan(r) => {
                self.plans.insert(r.id, r.clone());
            }
            Change::Grant(r) => {
                self.grants.insert(r.id, r.clone());
            }
            Change::Milestone(r) => {
                self.milestones.insert(r.id, r.clone());
            }
            Change::Referral(r) => {
                self.referrals.insert(r.id, r.clone());
            }
        }
    }

    pub fn milestone(&self, id: Id) -> Option<&Milestone> {
        self.milestones
            .get(&id)
            .or_else(|| self.base.milestones.get(&id))
    }

    pub fn referral(&self, id: Id) -> Option<&Referral> {
        self.referrals
            .get(&id)
            .or_else(|| self.base.referrals.get(&id))
    }

    /// Tree, key, and the index entries of the version of this record that is on disk
    /// (or staged earlier in the same set), so stale entries can be removed.
    pub fn previous_entries(&self, change: &Change) -> Vec<IndexEntry> {
        match change {
            Change::Ward(_) => vec![],
            Change::Person(r) => self
                .person(r.id)
                .map(Indexed::index_entries)
                .unwrap_or_default(),
            Change::Plan(r) => self
                .plan(r.id)
                .map(Indexed::index_entries)
                .unwrap_or_default(),
            Change::Grant(r) => self
                .grant(r.id)
                .map(Indexed::index_entries)
                .unwrap_or_default(),
            Change::Milestone(r) => self
                .milestone(r.id)
                .map(Indexed::index_entries)
                .unwrap_or_default(),
            Change::Referral(r) => self
                .referral(r.id)
                .map(Indexed::index_entries)
                .unwrap_or_default(),
        }
    }

    /// The index entries of the record's previous version that its new entries do not
    /// replace. A code held by another person is theirs, never removed with this one.
    /// The index writes that take away what `change` no longer needs: entries removed,
    /// except that a code this person leaves passes to anyone else who has it (after a
    /// merge two people can share one until the supervisor gives one a new code).
    pub fn stale_entries(&self, change: &Change, new_entries: &[IndexEntry]) -> Vec<IndexWrite> {
        let mine = |code: &[u8]| {
            let code = String::from_utf8_lossy(code);
            self.person_by_code(&code) == change.person_id()
        };
        self.previous_entries(change)
            .into_iter()
            .filter(|(t, k, _)| !new_entries.iter().any(|(nt, nk, _)| nt == t && nk == k))
            .filter(|(t, k, _)| *t != keys::BY_CODE || mine(k))
            .map(|(t, k, _)| {
                let heir = (t == keys::BY_CODE)
                    .then(|| self.other_with_code(&k, change.person_id()))
                    .flatten();
                (t, k, heir.map(keys::id_key))
            })
            .collect()
    }

    /// Someone other than `except` whose current code is `code` (a rare scan: it runs
    /// only when a person's code changes).
    fn other_with_code(&self, code: &[u8], except: Option<Id>) -> Option<Id> {
        let holds = |p: &Person| p.code.as_bytes() == code && Some(p.id) != except;
        self.people
            .values()
            .find(|p| holds(p))
            .or_else(|| {
                self.base
                    .people
                    .values()
                    .find(|p| holds(p) && !self.people.contains_key(&p.id))
            })
            .map(|p| p.id)
    }

    /// The version of this record on disk or staged earlier in the set, if any.
    pub fn previous(&self, change: &Change) -> Option<Change> {
        match change {
            Change::Ward(r) => self
                .wards
                .get(&r.code)
                .or_else(|| self.base.wards.get(&r.code))
                .cloned()
                .map(Change::Ward),
            Change::Person(r) => self.person(r.id).cloned().map(Change::Person),
            Change::Plan(r) => self.plan(r.id).cloned().map(Change::Plan),
            Change::Grant(r) => self.grant(r.id).cloned().map(Change::Grant),
            Change::Milestone(r) => self.milestone(r.id).cloned().map(Change::Milestone),
            Change::Referral(r) => self.referral(r.id).cloned().map(Change::Referral),
        }
    }

    pub fn exists(&self, change: &Change) -> bool {
        match change {
            Change::Ward(r) => {
                self.wards.contains_key(&r.code) || self.base.wards.contains_key(&r.code)
            }
            Change::Person(r) => self.person(r.id).is_some(),
            Change::Plan(r) => self.plan(r.id).is_some(),
            Change::Grant(r) => self.grant(r.id).is_some(),
            Change::Milestone(r) => self.milestone(r.id).is_some(),
            Change::Referral(r) => self.referral(r.id).is_some(),
        }
    }

    pub fn stamp_of(&self, change: &Change) -> Option<Stamp> {
        match change {
            Change::Ward(_) => None,
            Change::Person(r) => self.person(r.id).map(|x| x.stamp.clone()),
            Change::Plan(r) => self.plan(r.id).map(|x| x.stamp.clone()),
            Change::Grant(r) => self.grant(r.id).map(|x| x.stamp.clone()),
            Change::Milestone(r) => self.milestone(r.id).map(|x| x.stamp.clone()),
            Change::Referral(r) => self.referral(r.id).map(|x| x.stamp.clone()),
        }
    }
}

impl Lookup for Overlay<'_> {
    fn person(&self, id: Id) -> Option<&Person> {
        self.people.get(&id).or_else(|| self.base.people.get(&id))
    }
    fn plan(&self, id: Id) -> Option<&LivelihoodPlan> {
        self.plans.get(&id).or_else(|| self.base.plans.get(&id))
    }
    fn grant(&self, id: Id) -> Option<&Grant> {
        self.grants.get(&id).or_else(|| self.base.grants.get(&id))
    }
    fn ward_exists(&self, code: &str) -> bool {
        self.wards.contains_key(code) || self.base.wards.contains_key(code)
    }
}

/// The tree and key under which a change's record is stored, and its index entries.
pub(crate) fn placement(change: &Change) -> (&'static str, Vec<u8>, Vec<IndexEntry>) {
    match change {
        Change::Ward(r) => (keys::WARDS, r.code.as_bytes().to_vec(), vec![]),
        Change::Person(r) => (keys::PEOPLE, keys::id_key(r.id), r.index_entries()),
        Change::Plan(r) => (keys::PLANS, keys::id_key(r.id), r.index_entries()),
        Change::Grant(r) => (keys::GRANTS, keys::id_key(r.id), r.index_entries()),
        Change::Milestone(r) => (keys::MILESTONES, keys::id_key(r.id), r.index_entries()),
        Change::Referral(r) => (keys::REFERRALS, keys::id_key(r.id), r.index_entries()),
    }
}
