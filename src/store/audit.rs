//! The audit trail: one entry per write, appended in the same atomic write as the
//! records it describes. An entry says who, when, which action, which records and the
//! NAMES of the fields that changed — never their values. Each entry holds the SHA-256
//! of the one before and the last one's hash is kept in meta, so `check` notices an
//! entry removed, reordered or altered. Entries are sealed like every other value.

use super::codec::{self, Stored};
use super::keys;
use super::{Op, Store, StoreError};
use crate::domain::Id;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Big actions (an import, demo data) are split so no value grows past a few kB per
/// hundred records.
const RECORDS_PER_ENTRY: usize = 500;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordChange {
    Created,
    /// The names of the fields that changed, e.g. `phone`, `visit.monthly_income`.
    Changed(Vec<String>),
    Removed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub tree: String,
    /// The record id (or a ward code): never a name.
    pub id: String,
    /// The person whose records these are, so a person page can show its history.
    pub person: Option<Id>,
    pub change: RecordChange,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    /// Unix milliseconds, from the clock (not the `--today` override).
    pub at: i64,
    pub user: String,
    /// The store action: `save_person`, `approve_plan`, `export`, `backup`, ...
    pub action: String,
    /// What the action needs beyond records, free of personal values ("milestones, names").
    pub detail: String,
    pub records: Vec<AuditRecord>,
    /// SHA-256 of the previous entry's encoding; zeros for the first.
    pub prev: [u8; 32],
}

impl Stored for AuditEntry {
    const VERSION: u8 = 1;
}

impl AuditEntry {
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(codec::encode(self)).into()
    }
}

/// Where the trail ends: kept sealed in meta.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AuditHead {
    pub seq: u64,
    pub hash: [u8; 32],
}

impl Stored for AuditHead {
    const VERSION: u8 = 1;
}

/// One line of a person's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryItem {
    pub at: i64,
    pub user: String,
    pub action: String,
    pub tree: String,
    pub id: String,
    pub change: RecordChange,
}

/// An entry being prepared, before it has a place in the chain.
pub(crate) struct AuditDraft {
    action: &'static str,
    detail: String,
    records: Vec<AuditRecord>,
}

impl AuditDraft {
    pub fn new(action: &'static str) -> AuditDraft {
        AuditDraft {
            action,
            detail: String::new(),
            records: Vec::new(),
        }
    }

    pub fn detail(mut self, detail: String) -> AuditDraft {
        self.detail = detail;
        self
    }

    pub fn record(&mut self, tree: &str, id: String, person: Option<Id>, change: RecordChange) {
        self.records.push(AuditRecord {
            tree: tree.to_string(),
            id,
            person,
            change,
        });
    }

    pub fn created(mut self, tree: &str, id: Id, person: Option<Id>) -> AuditDraft {
        self.record(tree, id.to_string(), person, RecordChange::Created);
        self
    }
}

impl Store {
    /// The writes that append `draft` to the trail: the entries and their person-index
    /// entries (all new keys), then the head (an overwrite, kept apart for the bulk path,
    /// which can only undo inserts). Also returns the head to keep once written.
    pub(crate) fn audit_ops(
        &self,
        draft: AuditDraft,
    ) -> Result<(Vec<Op>, Vec<Op>, AuditHead), StoreError> {
        let at = crate::domain::dates::now_millis();
        let mut head = self.audit_head;
        let mut inserts = Vec::new();
        let mut chunks: Vec<Vec<AuditRecord>> = draft
            .records
            .chunks(RECORDS_PER_ENTRY)
            .map(|c| c.to_vec())
            .collect();
        if chunks.is_empty() {
            chunks.push(Vec::new());
        }
        for records in chunks {
            let entry = AuditEntry {
                seq: head.seq + 1,
                at,
                user: self.user.name.clone(),
                action: draft.action.to_string(),
                detail: draft.detail.clone(),
                records,
                prev: head.hash,
            };
            let mut people: Vec<Id> = entry.records.iter().filter_map(|r| r.person).collect();
            people.sort();
            people.dedup();
            for person in people {
                inserts.push((
                    keys::tree_index(keys::BY_AUDIT_PERSON),
                    keys::audit_person_entry(person, entry.seq),
                    Some(Vec::new()),
                ));
            }
            let key = keys::seq_key(entry.seq);
            let value = self.encode_value(keys::AUDIT, &key, &entry)?;
            inserts.push((keys::tree_index(keys::AUDIT), key, Some(value)));
            head = AuditHead {
                seq: entry.seq,
                hash: entry.hash(),
            };
        }
        let head_value = self.encode_value(keys::META, keys::META_AUDIT_HEAD, &head)?;
        let head_ops = vec![(
            keys::tree_index(keys::META),
            keys::META_AUDIT_HEAD.to_vec(),
            Some(head_value),
        )];
        Ok((inserts, head_ops, head))
    }

    fn read_entry(&self, key: &[u8], value: &[u8]) -> Result<AuditEntry, StoreError> {
        self.decode_value::<AuditEntry>(keys::AUDIT, key, value)
            .map_err(|e| StoreError::Damaged {
                path: self.path().to_path_buf(),
                detail: format!("audit entry {}: {e}", hex_seq(key)),
            })
    }

    /// The whole trail, oldest first, from `since` (Unix milliseconds) on.
    pub fn audit_trail(&self, since: Option<i64>) -> Result<Vec<AuditEntry>, StoreError> {
        let mut out = Vec::new();
        for (key, value) in self.disk.entries(keys::AUDIT)? {
            let entry = self.read_entry(&key, &value)?;
            if since.is_none_or(|s| entry.at >= s) {
                out.push(entry);
            }
        }
        Ok(out)
    }

    /// What was done to a person's records, oldest first (for the person page).
    pub fn history_of(&self, person: Id) -> Result<Vec<HistoryItem>, StoreError> {
        let mut out = Vec::new();
        let index = self.tree(keys::BY_AUDIT_PERSON);
        for item in index.scan_prefix(person.to_bytes()) {
            let (k, _) = item.map_err(|e| self.disk.sled_error(e))?;
            let seq_key = k[16..].to_vec();
            let Some(value) = self.disk.get(keys::AUDIT, &seq_key)? else {
                continue;
            };
            let entry = self.read_entry(&seq_key, &value)?;
            for record in entry
                .records
                .into_iter()
                .filter(|r| r.person == Some(person))
            {
                out.push(HistoryItem {
                    at: entry.at,
                    user: entry.user.clone(),
                    action: entry.action.clone(),
                    tree: record.tree,
                    id: record.id,
                    change: record.change,
                });
            }
        }
        Ok(out)
    }
}

impl Store {
    /// Appends to this (just restored) database's trail the entries of `replaced` that
    /// came after the point where the two trails part: what was done to the replaced
    /// database since the backup was made is not lost with it. Each keeps its time,
    /// user, action and records, says where it came from, and is chained anew.
    /// Returns how many were carried.
    pub(crate) fn carry_over_trail(&mut self, replaced: &Store) -> Result<usize, StoreError> {
        let theirs = replaced.audit_trail(None)?;
        let ours = self.audit_head;
        let common = theirs
            .iter()
            .position(|e| e.seq == ours.seq && e.hash() == ours.hash)
            .map_or(0, |i| i + 1);
        let later = &theirs[common..];
        for batch in later.chunks(CARRY_CHUNK) {
            let mut ops = Vec::new();
            let mut head = self.audit_head;
            for old in batch {
                let entry = AuditEntry {
                    seq: head.seq + 1,
                    prev: head.hash,
                    detail: format!("{} [carried over from the replaced database]", old.detail)
                        .trim_start()
                        .to_string(),
                    ..old.clone()
                };
                let key = keys::seq_key(entry.seq);
                let value = codec::seal(&entry, &self.sealing, keys::AUDIT, &key, entry.seq)
                    .map_err(StoreError::from_codec)?;
                let mut people: Vec<Id> = entry.records.iter().filter_map(|r| r.person).collect();
                people.sort();
                people.dedup();
                for person in people {
                    ops.push((
                        keys::tree_index(keys::BY_AUDIT_PERSON),
                        keys::audit_person_entry(person, entry.seq),
                        Some(Vec::new()),
                    ));
                }
                ops.push((keys::tree_index(keys::AUDIT), key, Some(value)));
                head = AuditHead {
                    seq: entry.seq,
                    hash: entry.hash(),
                };
            }
            let head_value = codec::seal(
                &head,
                &self.sealing,
                keys::META,
                keys::META_AUDIT_HEAD,
                head.seq,
            )
            .map_err(StoreError::from_codec)?;
            ops.push((
                keys::tree_index(keys::META),
                keys::META_AUDIT_HEAD.to_vec(),
                Some(head_value),
            ));
            // The restored copy is not in place yet: a kill here discards it whole.
            self.disk.write_chunk(&ops)?;
            self.audit_head = head;
        }
        self.flush()?;
        Ok(later.len())
    }
}

/// Entries carried over per write while restoring.
const CARRY_CHUNK: usize = 500;

fn hex_seq(key: &[u8]) -> String {
    key.try_into()
        .map(|b: [u8; 8]| u64::from_be_bytes(b).to_string())
        .unwrap_or_else(|_| "?".into())
}

/// What is wrong with the chain as stored: entries that do not open, gaps, broken
/// links, and a head that does not match the last entry. (entry sequence, what is wrong)
pub(crate) fn verify_chain(store: &Store) -> Vec<(String, &'static str)> {
    let mut problems = Vec::new();
    let entries = match store.disk.entries(keys::AUDIT) {
        Ok(e) => e,
        Err(_) => return vec![("?".into(), "cannot be read")],
    };
    let mut last_seq = 0u64;
    // None after an entry that does not open: the next link cannot be judged.
    let mut last_hash = Some([0u8; 32]);
    for (key, value) in entries {
        let name = hex_seq(&key);
        let entry = match store.decode_value::<AuditEntry>(keys::AUDIT, &key, &value) {
            Ok(entry) => entry,
            Err(_) => {
                problems.push((name, "does not open: altered or damaged"));
                last_seq = key
                    .as_ref()
                    .try_into()
                    .map(u64::from_be_bytes)
                    .unwrap_or(last_seq + 1);
                last_hash = None;
                continue;
            }
        };
        if entry.seq != last_seq + 1 {
            problems.push((name, "entries before this one are missing"));
        } else if last_hash.is_some_and(|h| h != entry.prev) {
            problems.push((name, "the entry before it was altered or replaced"));
        }
        last_seq = entry.seq;
        last_hash = Some(entry.hash());
    }
    let head = store
        .disk
        .get(keys::META, keys::META_AUDIT_HEAD)
        .ok()
        .flatten()
        .and_then(|v| {
            store
                .decode_value::<AuditHead>(keys::META, keys::META_AUDIT_HEAD, &v)
                .ok()
        })
        .unwrap_or_default();
    if head.seq != last_seq || last_hash.is_some_and(|h| h != head.hash) {
        problems.push((
            head.seq.to_string(),
            "the trail does not end where it was last written: entries removed or added",
        ));
    }
    // A trail cut at its end and capped with an older head (copied from an older
    // database or backup) is consistent in itself; the values written by the removed
    // entries are not: each carries, sealed, the sequence of the entry that wrote it.
    let mut sealed_trees: Vec<&str> = keys::RECORD_TREES.to_vec();
    sealed_trees.push(keys::META);
    for tree in sealed_trees {
        let Ok(values) = store.disk.entries(tree) else {
            continue;
        };
        let late = values
            .iter()
            .filter(|(k, v)| codec::written_at(v) > head.seq && store.opens(tree, k, v))
            .count();
        if late > 0 {
            problems.push((
                format!("{tree} ({late})"),
                "values were written after the trail's last entry: entries were removed",
            ));
        }
    }
    problems
}
