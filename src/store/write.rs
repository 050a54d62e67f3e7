//! Writing a user action: validate the set of changes as a whole, check the signed-in
//! user may make each of them, seal every value (before the transaction: its closure
//! may run more than once and must not draw new nonces), and commit records, index
//! entries and the audit entry in one sled transaction, then flush.

use super::audit::{AuditDraft, RecordChange};
use super::changes::{Overlay, placement};
use super::{Change, Op, Rejected, Store, StoreError, fields, keys};
use crate::domain::*;
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

/// Above this many writes, an action of new records only is written in journaled chunks.
const BULK_THRESHOLD: usize = 500;

/// What a transaction can abort with.
#[derive(Debug)]
enum Abort {
    CodeTaken(String),
    #[cfg(test)]
    Injected,
}

impl Store {
    /// Refuses what the signed-in user may not do: another ward's records, approving a
    /// plan, adding wards. Checked against the records as they are before this change.
    /// An officer of one ward has only that ward's records loaded (`load.rs`): a record
    /// or a person they cannot see is someone else's, never a new one.
    fn authorize(
        &self,
        change: &Change,
        overlay: &Overlay,
        new: bool,
        demo_fill: bool,
    ) -> Result<(), StoreError> {
        let user = &self.user;
        let covered = |ward: Option<&str>| match ward {
            Some(w) if !user.covers_ward(w) => Err(StoreError::OutsideWard(w.to_string())),
            _ => Ok(()),
        };
        let seen = |known: bool| {
            if known || user.ward.is_none() {
                Ok(())
            } else {
                Err(StoreError::Unseen)
            }
        };
        if !new {
            seen(overlay.exists(change))?;
        }
        let person_ward = |id: Id| overlay.person(id).map(|p| p.ward.as_str());
        let covered_person = |id: Id| {
            seen(overlay.person(id).is_some())?;
            covered(person_ward(id))
        };
        let require = |p: Permission| {
            if self.may(p) {
                Ok(())
            } else {
                Err(StoreError::NotAllowed(p))
            }
        };
        match change {
            Change::Ward(_) => require(Permission::ManageSettings),
            Change::Person(p) => {
                covered(Some(&p.ward))?;
                let old = overlay.person(p.id);
                covered(old.map(|old| old.ward.as_str()))?;
                // Whatever the path, only a supervisor sets or lifts the mark.
                if p.entered_in_error != old.is_some_and(|o| o.entered_in_error) {
                    require(Permission::MarkEnteredInError)?;
                }
                Ok(())
            }
            Change::Plan(p) => {
                covered_person(p.person_id)?;
                let old = overlay.plan(p.id);
                covered(old.and_then(|o| person_ward(o.person_id)))?;
                let approving = p.is_approved()
                    && old.is_none_or(|o| {
                        !o.is_approved()
                            || o.approved_by != p.approved_by
                            || o.approved_on != p.approved_on
                    });
                // Invented demo records of a ward laptop come approved, as the
                // supervisor would have approved them.
                if approving && !demo_fill {
                    require(Permission::ApprovePlans)?;
                }
                Ok(())
            }
            Change::Grant(g) => {
                covered_person(g.person_id)?;
                covered(overlay.grant(g.id).and_then(|o| person_ward(o.person_id)))
            }
            Change::Milestone(m) => {
                covered_person(m.person_id)?;
                covered(
                    overlay
                        .milestone(m.id)
                        .and_then(|o| person_ward(o.person_id)),
                )
            }
            Change::Referral(r) => {
                covered_person(r.person_id)?;
                covered(
                    overlay
                        .referral(r.id)
                        .and_then(|o| person_ward(o.person_id)),
                )
            }
        }
    }

    /// Validates a set of changes as a whole, writes them in one transaction with their
    /// index entries and an audit entry, flushes, and only then updates the snapshot.
    /// Returns the records as saved (with ids, codes and stamps filled in). Internal:
    /// callers use the named actions in `actions.rs`, so each rule has one write path.
    pub(crate) fn apply_as(
        &mut self,
        changes: Vec<Change>,
        action: &'static str,
        stamp: bool,
    ) -> Result<Vec<Change>, StoreError> {
        let batch = self.version_batch();
        self.apply_with(changes, action, stamp, batch, false)
    }

    /// `apply_as`, with the version history the changes add (a resolution's versions
    /// follow every head of the records it resolves).
    pub(crate) fn apply_with(
        &mut self,
        mut changes: Vec<Change>,
        action: &'static str,
        stamp: bool,
        mut batch: super::history::VersionBatch,
        ids_are_new: bool,
    ) -> Result<Vec<Change>, StoreError> {
        let mut all_new = true;
        let today = self.today();
        let now = crate::domain::dates::now_millis();
        let actor = self.user.name.clone();
        let mut rejected = Vec::new();
        let mut ops: Vec<Op> = Vec::new();
        let mut codes_claimed: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        let mut draft = AuditDraft::new(action);
        {
            let mut overlay = Overlay::new(&self.snapshot);
            for (index, change) in changes.iter_mut().enumerate() {
                change.tidy();
                let new = change.id().is_new();
                if new && !matches!(change, Change::Ward(_)) {
                    change.set_id(self.new_id());
                }
                if let Change::Person(p) = change
                    && p.code.is_empty()
                    && Ward::is_valid_code(&p.ward)
                {
                    p.code = overlay.next_code(&p.ward);
                }
                if stamp {
                    let previous = overlay.stamp_of(change);
                    if let Some(s) = change.stamp_mut() {
                        *s = match previous {
                            Some(old) => old.touched(now, &actor),
                            None => Stamp::new(now, &actor),
                        };
                    }
                }
                // `ids_are_new`: records made with their ids into a database that holds
                // no records at all (demo data for a ward), so no id can be anyone's.
                self.authorize(change, &overlay, new || ids_are_new, ids_are_new)?;
                let existed = overlay.exists(change);
                all_new &= !existed;
                let problems = overlay.validate(change, today);
                if !problems.is_empty() {
                    rejected.push(Rejected { index, problems });
                    continue;
                }
                let (tree, key, entries) = placement(change);
                let record_change = match overlay.previous(change) {
                    None => RecordChange::Created,
                    Some(old) => RecordChange::Changed(changed_fields(&old, change)),
                };
                draft.record(tree, change.audit_id(), change.person_id(), record_change);
                let value = self.encode_change(tree, &key, change)?;
                for (t, k, v) in overlay.stale_entries(change, &entries) {
                    ops.push((keys::tree_index(t), k, v));
                }
                for (t, k, v) in entries {
                    if t == keys::BY_CODE {
                        codes_claimed.push((k.clone(), v.clone()));
                    }
                    ops.push((keys::tree_index(t), k, Some(v)));
                }
                ops.push((keys::tree_index(tree), key, Some(value)));
                self.version_ops(&mut batch, change, &overlay, existed, &mut ops)?;
                overlay.record(change);
            }
        }
        if !rejected.is_empty() {
            return Err(StoreError::Invalid(rejected));
        }
        ops.push(Store::batch_clock_op(&batch));
        // Many new records go through the journaled bulk path, which keeps memory bounded.
        if all_new && ops.len() > BULK_THRESHOLD {
            let into_empty = self.snapshot.is_empty() && self.snapshot.wards.is_empty();
            self.commit_bulk(ops, draft, into_empty)?;
        } else {
            self.commit(ops, &codes_claimed, draft)?;
        }
        self.finish_batch(batch);
        for change in &changes {
            change.clone().put_into(&mut self.snapshot);
        }
        Ok(changes)
    }

    pub(crate) fn encode_change(
        &self,
        tree: &str,
        key: &[u8],
        change: &Change,
    ) -> Result<Vec<u8>, StoreError> {
        match change {
            Change::Ward(r) => self.encode_value(tree, key, r),
            Change::Person(r) => self.encode_value(tree, key, r),
            Change::Plan(r) => self.encode_value(tree, key, r),
            Change::Grant(r) => self.encode_value(tree, key, r),
            Change::Milestone(r) => self.encode_value(tree, key, r),
            Change::Referral(r) => self.encode_value(tree, key, r),
        }
    }

    /// Writes `ops` and the audit entry for them in one transaction, then flushes.
    /// `codes` are person codes this write claims: the transaction aborts if another
    /// record holds one.
    pub(crate) fn commit(
        &mut self,
        mut ops: Vec<Op>,
        codes: &[(Vec<u8>, Vec<u8>)],
        draft: AuditDraft,
    ) -> Result<(), StoreError> {
        self.refuse_if_read_only()?;
        let (audit, head_ops, head) = self.audit_ops(draft)?;
        ops.extend(audit);
        ops.extend(head_ops);
        self.transact(&ops, codes)?;
        self.audit_head = head;
        Ok(())
    }

    /// One sled transaction over every tree, then a flush. The closure may run more
    /// than once, so it only reads and writes the transaction's own trees.
    fn transact(&self, ops: &[Op], codes: &[(Vec<u8>, Vec<u8>)]) -> Result<(), StoreError> {
        let trees: Vec<&sled::Tree> = self.disk.trees.iter().collect();
        let code_tree = keys::tree_index(keys::BY_CODE);
        #[cfg(test)]
        let fail_after = self.fail_after_writes;
        let result = trees.as_slice().transaction(|tx| {
            for (code, owner) in codes {
                if let Some(existing) = tx[code_tree].get(code)?
                    && existing.as_ref() != owner.as_slice()
                {
                    let text = String::from_utf8_lossy(code).into_owned();
                    return Err(ConflictableTransactionError::Abort(Abort::CodeTaken(text)));
                }
            }
            for (n, (tree, key, value)) in ops.iter().enumerate() {
                #[cfg(not(test))]
                let _ = n;
                #[cfg(test)]
                if fail_after == Some(n) {
                    return Err(ConflictableTransactionError::Abort(Abort::Injected));
                }
                match value {
                    Some(v) => tx[*tree].insert(key.as_slice(), v.as_slice())?,
                    None => tx[*tree].remove(key.as_slice())?,
                };
            }
            Ok(())
        });
        match result {
            Ok(()) => self.flush(),
            Err(TransactionError::Abort(Abort::CodeTaken(code))) => {
                Err(StoreError::CodeTaken(code))
            }
            #[cfg(test)]
            Err(TransactionError::Abort(Abort::Injected)) => {
                Err(StoreError::Io("injected failure".into()))
            }
            Err(TransactionError::Storage(e)) => Err(self.disk.sled_error(e)),
        }
    }
}

fn changed_fields(old: &Change, new: &Change) -> Vec<String> {
    match (old, new) {
        (Change::Ward(a), Change::Ward(b)) => fields::changed(a, b),
        (Change::Person(a), Change::Person(b)) => fields::changed(a, b),
        (Change::Plan(a), Change::Plan(b)) => fields::changed(a, b),
        (Change::Grant(a), Change::Grant(b)) => fields::changed(a, b),
        (Change::Milestone(a), Change::Milestone(b)) => fields::changed(a, b),
        (Change::Referral(a), Change::Referral(b)) => fields::changed(a, b),
        _ => Vec::new(),
    }
}
