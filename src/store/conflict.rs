//! A record in conflict, as a person resolves it: each head with who made it where
//! and when, the common ancestor, the fields each head changed since, and, when no two
//! heads changed a field differently, one merged proposal.

use super::fields::{self, FieldChange};
use super::versions::{RecordRef, Version};
use super::{Change, Store, StoreError};
use crate::domain::Id;
use std::collections::{BTreeSet, HashMap};

/// One head of a record in conflict.
#[derive(Clone, Debug)]
pub struct ConflictHead {
    pub version: Version,
    pub record: Change,
}

#[derive(Clone, Debug)]
pub struct ConflictView {
    pub record: RecordRef,
    /// Winner (the value shown meanwhile) first.
    pub heads: Vec<ConflictHead>,
    /// The latest version every head follows, if they share one.
    pub ancestor: Option<Change>,
    pub fields: Vec<FieldChange>,
    /// Every head's changes in one record, when their fields do not clash.
    pub merged: Option<Change>,
}

/// How a person resolves a conflict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// Keep the head with this version id (a prefix of it is enough).
    Keep(String),
    /// Take the merged proposal.
    Merge,
}

impl Store {
    /// The conflict view of a record with more than one head.
    pub fn conflict_view(&self, record: &RecordRef) -> Result<ConflictView, StoreError> {
        if !self.may_see(record) {
            return Err(StoreError::OutsideWard(record.display()));
        }
        let history = self.history(record)?;
        let heads = super::versions::heads(&history);
        let mut out = Vec::new();
        for id in &heads {
            let version = self.version(*id)?.ok_or(StoreError::NotFound)?;
            let change = version.change().map_err(StoreError::from_codec)?;
            out.push(ConflictHead {
                version,
                record: change,
            });
        }
        let parents: HashMap<Id, Vec<Id>> = history
            .iter()
            .map(|(id, m)| (*id, m.parents.clone()))
            .collect();
        let clock: HashMap<Id, u64> = history.iter().map(|(id, m)| (*id, m.clock)).collect();
        let ancestor_id = common_ancestor(&heads, &parents, &clock);
        let ancestor = match ancestor_id {
            Some(id) => Some(
                self.version(id)?
                    .ok_or(StoreError::NotFound)?
                    .change()
                    .map_err(StoreError::from_codec)?,
            ),
            None => None,
        };
        let records: Vec<&Change> = out.iter().map(|h| &h.record).collect();
        let (fields, merged) = match &ancestor {
            Some(a) if out.len() > 1 => compare(a, &records),
            _ => (Vec::new(), None),
        };
        Ok(ConflictView {
            record: record.clone(),
            heads: out,
            ancestor,
            fields,
            merged,
        })
    }

    /// Resolves a conflict: the chosen value becomes a new version that follows every
    /// head, and the record leaves the conflict list here and, once it travels,
    /// everywhere.
    pub fn resolve(
        &mut self,
        record: &RecordRef,
        resolution: &Resolution,
    ) -> Result<Change, StoreError> {
        if !self.conflicts.contains(record) {
            return Err(StoreError::NotFound);
        }
        let view = self.conflict_view(record)?;
        let chosen = match resolution {
            Resolution::Merge => view.merged.clone().ok_or(StoreError::NotFound)?,
            Resolution::Keep(prefix) => {
                let prefix = prefix.to_ascii_lowercase();
                let matching: Vec<&ConflictHead> = view
                    .heads
                    .iter()
                    .filter(|h| {
                        h.version
                            .id
                            .to_string()
                            .to_ascii_lowercase()
                            .starts_with(&prefix)
                    })
                    .collect();
                match matching.as_slice() {
                    [one] => one.record.clone(),
                    _ => return Err(StoreError::NotFound),
                }
            }
        };
        let batch = self.resolving_batch(std::slice::from_ref(record));
        let saved = self.apply_with(vec![chosen], "resolve_conflict", true, batch, false)?;
        saved.into_iter().next().ok_or(StoreError::NotFound)
    }
}

/// The latest version (by clock) that every head is, or follows.
fn common_ancestor(
    heads: &[Id],
    parents: &HashMap<Id, Vec<Id>>,
    clock: &HashMap<Id, u64>,
) -> Option<Id> {
    let ancestry = |head: Id| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![head];
        while let Some(id) = todo.pop() {
            if seen.insert(id) {
                todo.extend(parents.get(&id).into_iter().flatten().copied());
            }
        }
        seen
    };
    let mut common: Option<BTreeSet<Id>> = None;
    for head in heads {
        let mine = ancestry(*head);
        common = Some(match common {
            None => mine,
            Some(c) => c.intersection(&mine).copied().collect(),
        });
    }
    common?
        .into_iter()
        .max_by_key(|id| (clock.get(id).copied().unwrap_or(0), *id))
}

/// Field changes of the heads since the ancestor, and the merged proposal.
fn compare(ancestor: &Change, heads: &[&Change]) -> (Vec<FieldChange>, Option<Change>) {
    macro_rules! kinds {
        ($($variant:ident),*) => {
            match ancestor {
                $(Change::$variant(a) => {
                    let hs: Vec<_> = heads
                        .iter()
                        .filter_map(|h| match h {
                            Change::$variant(r) => Some(r),
                            _ => None,
                        })
                        .collect();
                    if hs.len() != heads.len() {
                        return (Vec::new(), None);
                    }
                    let changes = fields::changes_since(a, &hs);
                    let merged = fields::merge(a, &hs, hs[0]).map(Change::$variant);
                    (changes, merged)
                })*
            }
        };
    }
    kinds!(Ward, Person, Plan, Grant, Milestone, Referral)
}
