//! Large all-or-nothing inserts (an import, demo data) without holding them all in one
//! sled transaction: sled pins every page a transaction touches until it ends, which
//! costs hundreds of MB at a province's size. Instead an undo journal lists every key
//! about to be inserted, the data goes in bounded chunks, and a commit mark ends it.
//! A kill at any moment is undone on the next open: all keys inserted, or none.
//! The audit entries are inserts like the records; the audit head moves with the
//! commit mark, in the same transaction.

use super::audit::AuditDraft;
use super::disk::Disk;
use super::keys::{self, tree_index};
use super::{Op, Store, StoreError};

/// Writes per transaction: small enough that sled's pinned memory stays a few MB.
const CHUNK: usize = 2_000;

const STATE_PENDING: &[u8] = b"pending";
/// A bulk insert into a database with no records yet: the record trees are undone by
/// emptying them, so only the other keys (audit entries) need the journal. Half the
/// writes, and half the garbage sled keeps on disk.
const STATE_PENDING_FILL: &[u8] = b"pending-fill";
const STATE_COMMITTED: &[u8] = b"committed";

/// Where a test may stop a bulk write, as a crash would.
#[cfg(test)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CrashPoint {
    JournalWritten,
    ChunksWritten(usize),
    CommitMarked,
}

impl Disk {
    fn set_bulk_state(&self, state: Option<&[u8]>) -> Result<(), StoreError> {
        let meta = self.tree(keys::META);
        let result = match state {
            Some(s) => meta.insert(keys::META_BULK, s).map(|_| ()),
            None => meta.remove(keys::META_BULK).map(|_| ()),
        };
        result.map_err(|e| self.sled_error(e))?;
        self.flush()
    }

    fn clear_journal(&self) -> Result<(), StoreError> {
        self.tree(keys::JOURNAL)
            .clear()
            .map_err(|e| self.sled_error(e))?;
        self.set_bulk_state(None)
    }

    /// Finishes what an interrupted bulk insert left: undone if it never reached its
    /// commit mark, kept otherwise. Needs no key: the journal holds trees and keys only.
    /// Returns whether there was anything to do.
    pub(super) fn recover_bulk(&self) -> Result<bool, StoreError> {
        let Some(state) = self.get(keys::META, keys::META_BULK)? else {
            return Ok(false);
        };
        if state.as_ref() == STATE_PENDING_FILL {
            for name in keys::DATA_TREES {
                self.tree(name).clear().map_err(|e| self.sled_error(e))?;
            }
        }
        if state.as_ref() != STATE_COMMITTED {
            let mut undo: Vec<Op> = Vec::new();
            for (_, value) in self.entries(keys::JOURNAL)? {
                if let Some((&tree, key)) = value.split_first()
                    && (tree as usize) < keys::TREES.len()
                {
                    undo.push((tree as usize, key.to_vec(), None));
                }
            }
            for chunk in undo.chunks(CHUNK) {
                self.write_chunk(chunk)?;
            }
            self.flush()?;
        }
        self.clear_journal()?;
        Ok(true)
    }
}

impl Store {
    /// Inserts keys that do not exist yet, all or none, in bounded memory, with the
    /// audit entries for them.
    pub(super) fn commit_bulk(
        &mut self,
        mut ops: Vec<Op>,
        draft: AuditDraft,
        into_empty: bool,
    ) -> Result<(), StoreError> {
        self.refuse_if_read_only()?;
        let (audit, head_ops, head) = self.audit_ops(draft)?;
        ops.extend(audit);
        debug_assert!(
            ops.iter().all(|(_, _, v)| v.is_some()),
            "bulk writes only insert"
        );
        let disk = &self.disk;
        let journal = tree_index(keys::JOURNAL);
        // 1. The undo journal: which keys are about to appear.
        disk.set_bulk_state(Some(if into_empty {
            STATE_PENDING_FILL
        } else {
            STATE_PENDING
        }))?;
        let record_trees: Vec<usize> = keys::DATA_TREES.iter().map(|t| tree_index(t)).collect();
        let entries: Vec<Op> = ops
            .iter()
            .filter(|(tree, _, _)| !(into_empty && record_trees.contains(tree)))
            .enumerate()
            .map(|(n, (tree, key, _))| {
                let mut entry = vec![*tree as u8];
                entry.extend_from_slice(key);
                (journal, (n as u64).to_be_bytes().to_vec(), Some(entry))
            })
            .collect();
        for chunk in entries.chunks(CHUNK) {
            disk.write_chunk(chunk)?;
        }
        disk.flush()?;
        #[cfg(test)]
        if self.crash_at == Some(CrashPoint::JournalWritten) {
            return Err(StoreError::Io("simulated crash".into()));
        }
        // 2. The data, chunk by chunk. A failure here is undone now, or on the next open.
        for (n, chunk) in ops.chunks(CHUNK).enumerate() {
            #[cfg(not(test))]
            let _ = n;
            #[cfg(test)]
            if self.crash_at == Some(CrashPoint::ChunksWritten(n)) {
                return Err(StoreError::Io("simulated crash".into()));
            }
            if let Err(e) = disk.write_chunk(chunk) {
                let _ = disk.recover_bulk();
                return Err(e);
            }
        }
        disk.flush()?;
        // 3. The commit mark, with the audit head: from here on the insert stands.
        let mut mark = head_ops;
        mark.push((
            tree_index(keys::META),
            keys::META_BULK.to_vec(),
            Some(STATE_COMMITTED.to_vec()),
        ));
        disk.write_chunk(&mark)?;
        disk.flush()?;
        self.audit_head = head;
        #[cfg(test)]
        if self.crash_at == Some(CrashPoint::CommitMarked) {
            return Err(StoreError::Io("simulated crash".into()));
        }
        self.disk.clear_journal()
    }
}
