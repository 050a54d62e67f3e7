//! Integrity check over what is on disk: every value decodes, every reference resolves,
//! every index entry matches its record, and no record is missing from an index.

use super::audit::AuditDraft;
use super::keys::{self, IndexEntry, Indexed, Tag};
use super::{Op, Store, StoreError, codec::Stored};
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
    /// A record without versions, versions without a record, a version named in a
    /// history that is not there, or the conflict list disagreeing with the heads.
    HistoryBroken(&'static str),
}

impl FindingKind {
    /// Damage `check --repair` mends: the records are intact, an index disagrees.
    pub fn is_index_only(&self) -> bool {
        matches!(
            self,
            FindingKind::StaleIndexEntry | FindingKind::MissingIndexEntry { .. }
        )
    }

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
            FindingKind::HistoryBroken(_) => "check.history_broken",
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
            FindingKind::HistoryBroken(what) => write!(f, "version history broken: {what}"),
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
    let records = Records::read(&mut c);
    let Records {
        people,
        plans,
        grants,
        milestones,
        referrals,
    } = &records;
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
    for p in sorted(people) {
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
    for r in sorted(plans) {
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
    for r in sorted(grants) {
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
    for r in sorted(milestones) {
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
    for r in sorted(referrals) {
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
    for (tree, key, what) in store.verify_history() {
        c.find(tree, key, FindingKind::HistoryBroken(what));
    }

    // Indexes: what the records say they need, against what the index trees hold.
    for (index, wrong) in index_differences(&mut c, &records) {
        let key = describe_index_key(index, wrong.key());
        let problem = match wrong {
            IndexFix::Remove(_) => FindingKind::StaleIndexEntry,
            IndexFix::Add(..) => FindingKind::MissingIndexEntry { index },
        };
        c.find(index, key, problem);
    }
    c.report
}

/// The records as read from disk, which the references and indexes must agree with.
struct Records {
    people: HashMap<Id, Person>,
    plans: HashMap<Id, LivelihoodPlan>,
    grants: HashMap<Id, Grant>,
    milestones: HashMap<Id, Milestone>,
    referrals: HashMap<Id, Referral>,
}

impl Records {
    /// Decodes every record straight from disk; what does not decode is a finding.
    fn read(c: &mut Checker) -> Records {
        Records {
            people: by_id(c.read::<Person>(keys::PEOPLE), |r| r.id),
            plans: by_id(c.read::<LivelihoodPlan>(keys::PLANS), |r| r.id),
            grants: by_id(c.read::<Grant>(keys::GRANTS), |r| r.id),
            milestones: by_id(c.read::<Milestone>(keys::MILESTONES), |r| r.id),
            referrals: by_id(c.read::<Referral>(keys::REFERRALS), |r| r.id),
        }
    }
}

/// One index entry that does not agree with the records.
pub(crate) enum IndexFix {
    /// An entry no record needs.
    Remove(Vec<u8>),
    /// An entry a record needs, with its value.
    Add(Vec<u8>, Vec<u8>),
}

impl IndexFix {
    fn key(&self) -> &[u8] {
        match self {
            IndexFix::Remove(k) | IndexFix::Add(k, _) => k,
        }
    }
}

/// The index trees whose entries are derived from the records.
const INDEXES: [&str; 4] = [keys::BY_WARD, keys::BY_PERSON, keys::BY_DUE, keys::BY_CODE];

fn index_differences(c: &mut Checker, records: &Records) -> Vec<(&'static str, IndexFix)> {
    let mut expected: HashMap<&'static str, IndexSet> = HashMap::new();
    let mut add = |entries: Vec<IndexEntry>| {
        for (t, k, v) in entries {
            expected.entry(t).or_default().insert((k, v));
        }
    };
    records.people.values().for_each(|r| add(r.index_entries()));
    records.plans.values().for_each(|r| add(r.index_entries()));
    records.grants.values().for_each(|r| add(r.index_entries()));
    records
        .milestones
        .values()
        .for_each(|r| add(r.index_entries()));
    records
        .referrals
        .values()
        .for_each(|r| add(r.index_entries()));
    let mut out = Vec::new();
    for index in INDEXES {
        let actual = c.index_keys(index);
        let wanted = expected.remove(index).unwrap_or_default();
        for (k, _) in actual.difference(&wanted) {
            out.push((index, IndexFix::Remove(k.clone())));
        }
        for (k, v) in wanted.difference(&actual) {
            out.push((index, IndexFix::Add(k.clone(), v.clone())));
        }
    }
    out
}

/// What `check --repair` did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepairReport {
    pub removed: usize,
    pub added: usize,
}

impl Store {
    /// Rebuilds every index from the records as they are on disk, in one atomic write
    /// (with its audit entry): stale entries removed, missing ones added. Records are
    /// never changed; values that do not open stay for `check` to report.
    pub fn repair_indexes(&mut self) -> Result<RepairReport, StoreError> {
        let fixes = {
            let mut c = Checker {
                store: self,
                report: CheckReport::default(),
            };
            let records = Records::read(&mut c);
            index_differences(&mut c, &records)
        };
        let mut report = RepairReport::default();
        if fixes.is_empty() {
            return Ok(report);
        }
        let ops: Vec<Op> = fixes
            .into_iter()
            .map(|(index, fix)| match fix {
                IndexFix::Remove(k) => {
                    report.removed += 1;
                    (keys::tree_index(index), k, None)
                }
                IndexFix::Add(k, v) => {
                    report.added += 1;
                    (keys::tree_index(index), k, Some(v))
                }
            })
            .collect();
        let detail = format!("{} removed, {} added", report.removed, report.added);
        self.commit(ops, &[], AuditDraft::new("repair_indexes").detail(detail))?;
        Ok(report)
    }

    /// A quick look, without decoding anything, at whether the people's indexes (ward
    /// and code: the code index keeps codes unique) have an entry for every person: what
    /// the terminal program asks on start, to say when `check --repair` is needed.
    /// `check` compares every entry of every index. The follow-up and link indexes are
    /// left to it: walking them too kept 3 MiB more of sled's pages in memory at a
    /// province's size (sled pages out only once a shard's queue of accesses fills).
    pub fn indexes_look_whole(&self) -> bool {
        let count = |tree: &str| self.tree(tree).iter().keys().count();
        let people = count(keys::PEOPLE);
        count(keys::BY_WARD) == people && count(keys::BY_CODE) == people
    }
}

fn by_id<T>(records: Vec<(Vec<u8>, T)>, id: impl Fn(&T) -> Id) -> HashMap<Id, T> {
    records.into_iter().map(|(_, r)| (id(&r), r)).collect()
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
