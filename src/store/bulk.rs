//! Large all-or-nothing inserts (an import, demo data) without holding them all in one
//! sled transaction: sled pins every page a transaction touches until it ends, which
//! costs hundreds of MB at a province's size. Instead an undo journal lists every key
//! about to be inserted, the data goes in bounded chunks, and a commit mark ends it.
//! A kill at any moment is undone on the next open: all keys inserted, or none.

use super::keys::{self, tree_index};
use super::{Op, Store, StoreError};
use sled::Transactional;
use sled::transaction::TransactionError;

/// Writes per transaction: small enough that sled's pinned memory stays a few MB.
const CHUNK: usize = 2_000;

const STATE_PENDING: &[u8] = b"pending";
/// A bulk insert into a database with no records yet: undone by emptying the record
/// trees, so it needs no journal (half the writes, and half the garbage on disk).
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

impl Store {
    fn write_chunk(&self, ops: &[Op]) -> Result<(), StoreError> {
        let trees: Vec<&sled::Tree> = self.trees.iter().collect();
        trees
            .as_slice()
            .transaction(|tx| {
                for (tree, key, value) in ops {
                    match value {
                        Some(v) => tx[*tree].insert(key.as_slice(), v.as_slice())?,
                        None => tx[*tree].remove(key.as_slice())?,
                    };
                }
                Ok::<(), sled::transaction::ConflictableTransactionError<()>>(())
            })
            .map_err(|e| match e {
                TransactionError::Storage(e) => StoreError::from_sled(e, &self.path),
                TransactionError::Abort(()) => StoreError::Io("aborted".into()),
            })
    }

    fn set_bulk_state(&self, state: Option<&[u8]>) -> Result<(), StoreError> {
        let meta = self.tree(keys::META);
        let result = match state {
            Some(s) => meta.insert(keys::META_BULK, s).map(|_| ()),
            None => meta.remove(keys::META_BULK).map(|_| ()),
        };
        result.map_err(|e| StoreError::from_sled(e, &self.path))?;
        self.flush()
    }

    /// Inserts keys that do not exist yet, all or none, in bounded memory.
    pub(super) fn commit_bulk(&self, ops: &[Op], into_empty: bool) -> Result<(), StoreError> {
        debug_assert!(
            ops.iter().all(|(_, _, v)| v.is_some()),
            "bulk writes only insert"
        );
        let journal = tree_index(keys::JOURNAL);
        // 1. The undo journal: which keys are about to appear.
        if into_empty {
            self.set_bulk_state(Some(STATE_PENDING_FILL))?;
        } else {
            self.set_bulk_state(Some(STATE_PENDING))?;
            let entries: Vec<Op> = ops
                .iter()
                .enumerate()
                .map(|(n, (tree, key, _))| {
                    let mut entry = vec![*tree as u8];
                    entry.extend_from_slice(key);
                    (journal, (n as u64).to_be_bytes().to_vec(), Some(entry))
                })
                .collect();
            for chunk in entries.chunks(CHUNK) {
                self.write_chunk(chunk)?;
            }
        }
        self.flush()?;
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
            if let Err(e) = self.write_chunk(chunk) {
                let _ = self.recover_bulk();
                return Err(e);
            }
        }
        self.flush()?;
        // 3. The commit mark: from here on the insert stands.
        self.set_bulk_state(Some(STATE_COMMITTED))?;
        #[cfg(test)]
        if self.crash_at == Some(CrashPoint::CommitMarked) {
            return Err(StoreError::Io("simulated crash".into()));
        }
        self.clear_journal()
    }

    fn clear_journal(&self) -> Result<(), StoreError> {
        self.tree(keys::JOURNAL)
            .clear()
            .map_err(|e| StoreError::from_sled(e, &self.path))?;
        self.set_bulk_state(None)
    }

    /// Finishes what an interrupted bulk insert left: undone if it never reached its
    /// commit mark, kept otherwise. Returns whether there was anything to do.
    pub(super) fn recover_bulk(&self) -> Result<bool, StoreError> {
        let state = self
            .tree(keys::META)
            .get(keys::META_BULK)
            .map_err(|e| StoreError::from_sled(e, &self.path))?;
        let Some(state) = state else { return Ok(false) };
        if state.as_ref() == STATE_PENDING_FILL {
            for name in keys::RECORD_TREES {
                self.tree(name)
                    .clear()
                    .map_err(|e| StoreError::from_sled(e, &self.path))?;
            }
            self.flush()?;
        } else if state.as_ref() != STATE_COMMITTED {
            let mut undo: Vec<Op> = Vec::new();
            for entry in self.tree(keys::JOURNAL).iter() {
                let (_, value) = entry.map_err(|e| StoreError::from_sled(e, &self.path))?;
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
