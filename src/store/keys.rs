//! Tree names and key layouts. Integers and ids are big-endian so sled's byte order
//! is numeric order. Keys hold ids, codes, ward codes and dates: never a name.

use crate::domain::dates::day_number;
use crate::domain::{Grant, Id, LivelihoodPlan, Milestone, Person, Referral};
use chrono::NaiveDate;

pub const META: &str = "meta";
pub const WARDS: &str = "wards";
pub const PEOPLE: &str = "people";
pub const PLANS: &str = "plans";
pub const GRANTS: &str = "grants";
pub const MILESTONES: &str = "milestones";
pub const REFERRALS: &str = "referrals";
/// ward code, 0x00, person id -> ()
pub const BY_WARD: &str = "idx_ward";
/// person id, record tag, record id -> ()
pub const BY_PERSON: &str = "idx_person";
/// due day (u32 BE), milestone id -> ()
pub const BY_DUE: &str = "idx_due";
/// person code -> person id
pub const BY_CODE: &str = "idx_code";
/// sequence -> (tree index, key) of each key an unfinished bulk insert adds
pub const JOURNAL: &str = "journal";
/// user id -> sealed `User` (name, role, ward)
pub const USERS: &str = "users";
/// user id -> `KeySlot` in clear: the data key wrapped under that user's passphrase
pub const SLOTS: &str = "slots";
/// sequence (u64 BE) -> sealed `AuditEntry`, each holding the hash of the one before
pub const AUDIT: &str = "audit";
/// person id, sequence -> (): the audit entries that touched a person's records
pub const BY_AUDIT_PERSON: &str = "idx_audit_person";
/// version id -> sealed `Version`: every saved state of every record, never changed
pub const VERSIONS: &str = "versions";
/// kind, key length, record key, version id -> `VersionMeta` (parents, clock, device,
/// hash; ids and times only): a record's history without opening a version
pub const RECORD_VERSIONS: &str = "idx_record_versions";
/// local sequence (u64 BE) -> version id and where it came from, in arrival order:
/// what a bundle has not carried yet
pub const VERSION_LOG: &str = "version_log";
/// kind, key length, record key -> (): records with more than one head
pub const CONFLICTS: &str = "conflicts";
/// device id -> sealed `KnownDevice`: the other databases this one exchanges with
pub const DEVICES: &str = "devices";
/// bundle id -> the bundle file as received, from a device not yet accepted
pub const PENDING_BUNDLES: &str = "pending_bundles";
/// version id, hash -> sealed `Version`: a second body for a known version id
pub const QUARANTINE: &str = "quarantine";
/// device id, sequence, first 8 bytes of the entry's hash -> sealed `AuditEntry`: the
/// audit trails of ward laptops, as their bundles brought them
pub const WARD_AUDIT: &str = "ward_audit";

/// Every tree a user action may write, in the order the transaction opens them. New
/// trees go at the end: a bulk journal names trees by their position.
pub const TREES: [&str; 24] = [
    META,
    WARDS,
    PEOPLE,
    PLANS,
    GRANTS,
    MILESTONES,
    REFERRALS,
    BY_WARD,
    BY_PERSON,
    BY_DUE,
    BY_CODE,
    JOURNAL,
    USERS,
    SLOTS,
    AUDIT,
    BY_AUDIT_PERSON,
    VERSIONS,
    RECORD_VERSIONS,
    VERSION_LOG,
    CONFLICTS,
    DEVICES,
    PENDING_BUNDLES,
    QUARANTINE,
    WARD_AUDIT,
];

/// The trees whose values are sealed records; the others hold ids, codes, dates, key
/// slots (useless without a passphrase) and sealed meta values.
pub const RECORD_TREES: [&str; 12] = [
    WARDS, PEOPLE, PLANS, GRANTS, MILESTONES, REFERRALS, USERS, AUDIT, VERSIONS, DEVICES,
    QUARANTINE, WARD_AUDIT,
];

/// The programme's records and their indexes (not users, not the audit trail): what
/// undoing the filling of an empty database empties.
pub const DATA_TREES: [&str; 14] = [
    WARDS,
    PEOPLE,
    PLANS,
    GRANTS,
    MILESTONES,
    REFERRALS,
    BY_WARD,
    BY_PERSON,
    BY_DUE,
    BY_CODE,
    VERSIONS,
    RECORD_VERSIONS,
    VERSION_LOG,
    CONFLICTS,
];

pub fn tree_index(name: &str) -> usize {
    TREES
        .iter()
        .position(|t| *t == name)
        .unwrap_or_else(|| panic!("unknown tree {name}"))
}

pub const META_SCHEMA: &[u8] = b"schema";
pub const META_SCHEDULE: &[u8] = b"schedule";
/// Present while a bulk insert is under way: "pending" or "committed".
pub const META_BULK: &[u8] = b"bulk";
/// Sealed (sequence, hash) of the last audit entry: a removed last entry shows.
pub const META_AUDIT_HEAD: &[u8] = b"audit_head";
/// Sealed time of the last backup, Unix milliseconds.
pub const META_LAST_BACKUP: &[u8] = b"last_backup";
/// Sealed folder the officer chose for backups (a USB stick).
pub const META_BACKUP_FOLDER: &[u8] = b"backup_folder";
/// Sealed folder where bundles are sent and found (a USB stick, a shared folder).
pub const META_EXCHANGE_FOLDER: &[u8] = b"exchange_folder";
/// Sealed `DeviceSecrets`: this database's device id and private keys.
pub const META_DEVICE: &[u8] = b"device";
/// Present once every record has versions (an older database is upgraded on open).
pub const META_VERSIONED: &[u8] = b"versioned";
/// The hybrid logical clock's last time (u64 BE): new versions come after it.
pub const META_CLOCK: &[u8] = b"clock";
/// Sealed number of the last bundle this database made (bundles are numbered per device).
pub const META_BUNDLE_NUMBER: &[u8] = b"bundle_number";
/// Sealed address of the province hub (a PostgreSQL URL with its password).
pub const META_HUB_URL: &[u8] = b"hub_url";
/// Sealed `HubCursor`: how far this database has read the hub's versions.
pub const META_HUB_PULLED: &[u8] = b"hub_pulled";
/// Sealed log position up to which this database's versions are on the hub.
pub const META_HUB_PUSHED: &[u8] = b"hub_pushed";
/// Sealed `WardKeys`: the age keys each ward's versions are sealed to on the hub.
pub const META_HUB_KEYS: &[u8] = b"hub_keys";
/// Set only by the measurement build that writes values unsealed.
pub const META_PLAINTEXT: &[u8] = b"plaintext";

/// The layout of trees and keys. Bumped with a migration when keys change.
/// 1: values in clear. 2: values sealed, users, key slots and the audit trail.
pub const SCHEMA_VERSION: u8 = 2;
pub const SCHEMA_UNENCRYPTED: u8 = 1;

pub fn seq_key(seq: u64) -> Vec<u8> {
    seq.to_be_bytes().to_vec()
}

pub fn audit_person_entry(person: Id, seq: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(24);
    k.extend_from_slice(&person.to_bytes());
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// Which kind of record a `BY_PERSON` entry points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    Plan = b'p' as isize,
    Grant = b'g' as isize,
    Milestone = b'm' as isize,
    Referral = b'r' as isize,
}

impl Tag {
    pub fn from_byte(b: u8) -> Option<Tag> {
        [Tag::Plan, Tag::Grant, Tag::Milestone, Tag::Referral]
            .into_iter()
            .find(|t| *t as u8 == b)
    }

    pub fn tree(self) -> &'static str {
        match self {
            Tag::Plan => PLANS,
            Tag::Grant => GRANTS,
            Tag::Milestone => MILESTONES,
            Tag::Referral => REFERRALS,
        }
    }
}

pub fn id_key(id: Id) -> Vec<u8> {
    id.to_bytes().to_vec()
}

pub fn ward_entry(ward: &str, person: Id) -> Vec<u8> {
    let mut k = Vec::with_capacity(ward.len() + 17);
    k.extend_from_slice(ward.as_bytes());
    k.push(0);
    k.extend_from_slice(&person.to_bytes());
    k
}

pub fn person_entry(person: Id, tag: Tag, record: Id) -> Vec<u8> {
    let mut k = Vec::with_capacity(33);
    k.extend_from_slice(&person.to_bytes());
    k.push(tag as u8);
    k.extend_from_slice(&record.to_bytes());
    k
}

pub fn due_entry(due: NaiveDate, milestone: Id) -> Vec<u8> {
    let mut k = Vec::with_capacity(20);
    k.extend_from_slice(&(day_number(due).max(0) as u32).to_be_bytes());
    k.extend_from_slice(&milestone.to_bytes());
    k
}

/// One index entry: (index tree, key, value).
pub type IndexEntry = (&'static str, Vec<u8>, Vec<u8>);

/// The index entries a record needs.
pub trait Indexed {
    fn index_entries(&self) -> Vec<IndexEntry>;
}

impl Indexed for Person {
    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![
            (BY_WARD, ward_entry(&self.ward, self.id), vec![]),
            (BY_CODE, self.code.as_bytes().to_vec(), id_key(self.id)),
        ]
    }
}

impl Indexed for LivelihoodPlan {
    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![(
            BY_PERSON,
            person_entry(self.person_id, Tag::Plan, self.id),
            vec![],
        )]
    }
}

impl Indexed for Grant {
    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![(
            BY_PERSON,
            person_entry(self.person_id, Tag::Grant, self.id),
            vec![],
        )]
    }
}

impl Indexed for Milestone {
    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![
            (
                BY_PERSON,
                person_entry(self.person_id, Tag::Milestone, self.id),
                vec![],
            ),
            (BY_DUE, due_entry(self.due_on, self.id), vec![]),
        ]
    }
}

impl Indexed for Referral {
    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![(
            BY_PERSON,
            person_entry(self.person_id, Tag::Referral, self.id),
            vec![],
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_keys_sort_by_date_then_id() {
        let early = due_entry(NaiveDate::from_ymd_opt(2025, 1, 9).unwrap(), Id(u128::MAX));
        let late = due_entry(NaiveDate::from_ymd_opt(2025, 1, 10).unwrap(), Id(0));
        assert!(early < late);
    }

    #[test]
    fn every_tree_has_an_index() {
        for t in TREES {
            assert_eq!(TREES[tree_index(t)], t);
        }
    }
}
