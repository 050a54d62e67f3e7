//! Integrity check over what is on disk: every value decodes, every reference resolves,
//! every index entry matches its record, and no record is missing from an index.

use super::keys::{self, IndexEntry, Indexed, Tag};
use super::{Store, codec::Stored};
use crate::domain::*;
use std::collections::{BTreeSet, HashMap};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub tree: &'static str,
    /// The record id, code or raw key in hex.
    pub key: String,
    pub problem: FindingKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FindingKind {
    Undecodable(String),
    Unreadable(String),
    DanglingReference {
        field: &'static str,
        target: String,
    },
    StaleIndexEntry,
    MissingIndexEntry {
        index: &'static str,
    },
    GrantWithoutMilestones,
    MalformedKey,
    /// The audit trail has a gap, an altered entry, or ends early.
    AuditBroken(&'static str),
    /// A user without a key slot, or a key slot without a user.
    UserWithoutSlot,
    SlotWithoutUser,
}

impl FindingKind {
    pub fn message_key(&self) -> &'static str {
        match self {
            FindingKind::Undecodable(_) => "check.undecodable",
            FindingKind::Unreadable(_) => "check.unreadable",
            FindingKind::DanglingReference { .. } => "check.dangling",
            FindingKind::StaleIndexEntry => "check.stale_index",
            FindingKind::MissingIndexEntry { .. } => "check.missing_index",
            FindingKind::GrantWithoutMilestones => "check.grant_without_milestones",
            FindingKind::MalformedKey => "check.malformed_key",
            FindingKind::AuditBroken(_) => "check.audit_broken",
            FindingKind::UserWithoutSlot => "check.user_without_slot",
            FindingKind::SlotWithoutUser => "check.slot_without_user",
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: ", self.tree, self.key)?;
        match &self.problem {
            FindingKind::Undecodable(e) => write!(f, "value does not decode ({e})"),
            FindingKind::Unreadable(e) => write!(f, "cannot be read ({e})"),
            FindingKind::DanglingReference { field, target } => {
                write!(f, "{field} points to missing record {target}")
            }
            FindingKind::StaleIndexEntry => write!(f, "index entry has no matching record"),
            FindingKind::MissingIndexEntry { index } => {
                write!(f, "record missing from index {index}")
            }
            FindingKind::GrantWithoutMilestones => write!(f, "grant has no follow-up milestones"),
            FindingKind::MalformedKey => write!(f, "key has the wrong shape"),
            FindingKind::AuditBroken(what) => write!(f, "audit trail broken: {what}"),
            FindingKind::UserWithoutSlot => write!(f, "user has no key slot"),
            FindingKind::SlotWithoutUser => write!(f, "key slot has no user"),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct CheckReport {
    pub findings: Vec<Finding>,
    pub records_checked: usize,
}

impl CheckReport {
    pub fn is_ok(&self) -> bool {
        self.findings.is_empty()
    }
}

/// An index tree's entries as (key, value) pairs.
type IndexSet = BTreeSet<(Vec<u8>, Vec<u8>)>;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn key_text(key: &[u8]) -> String {
    Id::from_bytes(key)
        .map(|id| id.to_string())
        .unwrap_or_else(|| hex(key))
}

struct Checker<'a> {
    store: &'a Store,
    report: CheckReport,
}

impl Checker<'_> {
    fn find(&mut self, tree: &'static str, key: String, problem: FindingKind) {
        self.report.findings.push(Finding { tree, key, problem });
    }

    /// Decodes every value of a tree straight from disk.
    fn read<T: Stored>(&mut self, tree: &'static str) -> Vec<(Vec<u8>, T)> {
        let mut out = Vec::new();
        for entry in self.store.tree(tree).iter() {
            match entry {
                Err(e) => {
                    self.find(tree, "?".into(), FindingKind::Unreadable(e.to_string()));
                    break;
                }
                Ok((k, v)) => match self.store.decode_value::<T>(tree, &k, &v) {
                    Ok(record) => out.push((k.to_vec(), record)),
                    Err(e) => {
                        self.find(tree, key_text(&k), FindingKind::Undecodable(e.to_string()))
                    }
                },
            }
        }
        self.report.records_checked += out.len();
        out
    }

    fn index_keys(&mut self, tree: &'static str) -> IndexSet {
        let mut out = BTreeSet::new();
        for entry in self.store.tree(tree).iter() {
            match entry {
                Ok((k, v)) => {
                    out.insert((k.to_vec(), v.to_vec()));
                }
                Err(e) => {
                    self.find(tree, "?".into(), FindingKind::Unreadable(e.to_string()));
                    break;
                }
            }
        }
        out
    }

    fn reference(
        &mut self,
        tree: &'static str,
        owner: Id,
        field: &'static str,
        target: Id,
        exists: bool,
    ) {
        if !exists {
            self.find(
                tree,
                owner.to_string(),
                FindingKind::DanglingReference {
                    field,
                    target: target.to_string(),
                },
            );
        }
    }
}

pub(super) fn run(store: &Store) -> CheckReport {
    let mut c = Checker {
        store,
        report: CheckReport::default(),
    };
    let wards: HashMap<String, Ward> = c
        .read::<Ward>(keys::WARDS)
        .into_iter()
        .map(|(_, w)| (w.code.clone(), w))
        .collect();
    let people: HashMap<Id, Person> = c
        .read::<Person>(keys::PEOPLE)
        .into_iter()
        .map(|(_, r)| (r.id, r))
        .collect();
    let plans: HashMap<Id, LivelihoodPlan> = c
        .read::<LivelihoodPlan>(keys::PLANS)
        .into_iter()
        .map(|(_, r)| (r.id, r))
        .collect();
    let grants: HashMap<Id, Grant> = c
        .read::<Grant>(keys::GRANTS)
        .into_iter()
        .map(|(_, r)| (r.id, r))
        .collect();
    let milestones: HashMap<Id, Milestone> = c
        .read::<Milestone>(keys::MILESTONES)
        .into_iter()
        .map(|(_, r)| (r.id, r))
        .collect();
    let referrals: HashMap<Id, Referral> = c
        .read::<Referral>(keys::REFERRALS)
        .into_iter()
        .map(|(_, r)| (r.id, r))
        .collect();
    if let Ok(Some(bytes)) = store.tree(keys::META).get(keys::META_SCHEDULE)
        && let Err(e) = store.decode_value::<Schedule>(keys::META, keys::META_SCHEDULE, &bytes)
    {
        c.find(
            keys::META,
            "schedule".into(),
            FindingKind::Undecodable(e.to_string()),
        );
    }

    // References.
    for p in sorted(&people) {
        if !wards.contains_key(&p.ward) {
            c.find(
                keys::PEOPLE,
                p.id.to_string(),
                FindingKind::DanglingReference {
                    field: "ward",
                    target: p.ward.clone(),
                },
            );
        }
    }
    for r in sorted(&plans) {
        c.reference(
            keys::PLANS,
            r.id,
            "person",
            r.person_id,
            people.contains_key(&r.person_id),
        );
    }
    let mut milestones_per_grant: HashMap<Id, usize> = HashMap::new();
    for m in milestones.values() {
        if let Some(g) = m.grant_id {
            *milestones_per_grant.entry(g).or_default() += 1;
        }
    }
    for r in sorted(&grants) {
        c.reference(
            keys::GRANTS,
            r.id,
            "person",
            r.person_id,
            people.contains_key(&r.person_id),
        );
        if let Some(plan) = r.plan_id {
            c.reference(keys::GRANTS, r.id, "plan", plan, plans.contains_key(&plan));
        }
        if !store.schedule.months_for(r.kind).is_empty()
            && !milestones_per_grant.contains_key(&r.id)
        {
            c.find(
                keys::GRANTS,
                r.id.to_string(),
                FindingKind::GrantWithoutMilestones,
            );
        }
    }
    for r in sorted(&milestones) {
        c.reference(
            keys::MILESTONES,
            r.id,
            "person",
            r.person_id,
            people.contains_key(&r.person_id),
        );
        if let Some(g) = r.grant_id {
            c.reference(keys::MILESTONES, r.id, "grant", g, grants.contains_key(&g));
        }
        if let Some(p) = r.plan_id {
            c.reference(keys::MILESTONES, r.id, "plan", p, plans.contains_key(&p));
        }
    }
    for r in sorted(&referrals) {
        c.reference(
            keys::REFERRALS,
            r.id,
            "person",
            r.person_id,
            people.contains_key(&r.person_id),
        );
        if let Some(m) = r.milestone_id {
            c.reference(
                keys::REFERRALS,
                r.id,
                "milestone",
                m,
                milestones.contains_key(&m),
            );
        }
    }

    // Users and their key slots go in pairs.
    let users: BTreeSet<Vec<u8>> = c
        .read::<User>(keys::USERS)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    let slots: BTreeSet<Vec<u8>> = c
        .index_keys(keys::SLOTS)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    for k in users.difference(&slots) {
        c.find(keys::USERS, key_text(k), FindingKind::UserWithoutSlot);
    }
    for k in slots.difference(&users) {
        c.find(keys::SLOTS, key_text(k), FindingKind::SlotWithoutUser);
    }
    for (seq, what) in super::audit::verify_chain(store) {
        c.find(keys::AUDIT, seq, FindingKind::AuditBroken(what));
    }

    // Indexes: what the records say they need, against what the index trees hold.
    let mut expected: HashMap<&'static str, IndexSet> = HashMap::new();
    let mut add = |entries: Vec<IndexEntry>| {
        for (t, k, v) in entries {
            expected.entry(t).or_default().insert((k, v));
        }
    };
    people.values().for_each(|r| add(r.index_entries()));
    plans.values().for_each(|r| add(r.index_entries()));
    grants.values().for_each(|r| add(r.index_entries()));
    milestones.values().for_each(|r| add(r.index_entries()));
    referrals.values().for_each(|r| add(r.index_entries()));
    for index in [keys::BY_WARD, keys::BY_PERSON, keys::BY_DUE, keys::BY_CODE] {
        let actual = c.index_keys(index);
        let wanted = expected.remove(index).unwrap_or_default();
        for (k, _) in actual.difference(&wanted) {
            c.find(
                index,
                describe_index_key(index, k),
                FindingKind::StaleIndexEntry,
            );
        }
        for (k, _) in wanted.difference(&actual) {
            c.find(
                index,
                describe_index_key(index, k),
                FindingKind::MissingIndexEntry { index },
            );
        }
    }
    c.report
}

fn sorted<T>(map: &HashMap<Id, T>) -> Vec<&T> {
    let mut ids: Vec<&Id> = map.keys().collect();
    ids.sort();
    ids.into_iter().filter_map(|id| map.get(id)).collect()
}

/// A readable form of an index key: the ids in it, not raw bytes.
fn describe_index_key(index: &str, key: &[u8]) -> String {
    match index {
        keys::BY_PERSON if key.len() == 33 => {
            let tag = Tag::from_byte(key[16]).map(|t| t.tree()).unwrap_or("?");
            format!("{}/{}/{}", key_text(&key[..16]), tag, key_text(&key[17..]))
        }
        keys::BY_DUE if key.len() == 20 => {
            let day = u32::from_be_bytes([key[0], key[1], key[2], key[3]]) as i32;
            let date = dates::from_day_number(day)
                .map(dates::iso_date)
                .unwrap_or_default();
            format!("{date}/{}", key_text(&key[4..]))
        }
        keys::BY_WARD => match key.iter().position(|&b| b == 0) {
            Some(i) => format!(
                "{}/{}",
                String::from_utf8_lossy(&key[..i]),
                key_text(&key[i + 1..])
            ),
            None => hex(key),
        },
        keys::BY_CODE => String::from_utf8_lossy(key).into_owned(),
        _ => hex(key),
    }
}
