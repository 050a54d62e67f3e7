//! Loading: every sealed value is opened and decoded into the in-memory Snapshot.
//! Opening is the costly part at a province's size, so each tree is split into one
//! chunk per core and opened in parallel (std::thread::scope, no thread pool kept).

use super::audit::AuditHead;
use super::codec::{self, Sealing, Stored};
use super::disk::without_panics;
use super::{LoadProblem, Store, StoreError, keys};
use crate::domain::*;

/// Below this many values one thread is faster than starting others.
const PARALLEL_FROM: usize = 2_000;

fn workers() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
}

type Decoded<T> = Vec<Result<T, LoadProblem>>;

/// Opens and decodes `entries` of `tree`, in parallel when there are many.
fn decode_all<T: Stored + Send>(
    sealing: &Sealing,
    tree: &'static str,
    entries: &[(sled::IVec, sled::IVec)],
) -> Decoded<T> {
    let one = |(key, value): &(sled::IVec, sled::IVec)| {
        codec::unseal::<T>(value, sealing, tree, key).map_err(|e| LoadProblem {
            tree,
            key: key.to_vec(),
            error: e.to_string(),
        })
    };
    let threads = workers();
    if entries.len() < PARALLEL_FROM || threads == 1 {
        return entries.iter().map(one).collect();
    }
    let chunk = entries.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = entries
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(one).collect::<Decoded<T>>()))
            .collect();
        // A worker can only panic on a bug; its records are then reported, not lost silently.
        handles
            .into_iter()
            .zip(entries.chunks(chunk))
            .flat_map(|(h, part)| {
                h.join().unwrap_or_else(|_| {
                    part.iter()
                        .map(|(k, _)| {
                            Err(LoadProblem {
                                tree,
                                key: k.to_vec(),
                                error: "internal error while decoding".into(),
                            })
                        })
                        .collect()
                })
            })
            .collect()
    })
}

impl Store {
    /// Reads every tree into the snapshot; values that do not open are listed, not fatal.
    pub(crate) fn load(&mut self) -> Result<(), StoreError> {
        let path = self.disk.path.clone();
        without_panics(|| self.load_inner())
            .map_err(|detail| StoreError::Damaged { path, detail })?
    }

    fn load_tree<T: Stored + Send>(
        &self,
        tree: &'static str,
        problems: &mut Vec<LoadProblem>,
        mut put: impl FnMut(T),
    ) -> Result<(), StoreError> {
        let entries = self.disk.entries(tree)?;
        for result in decode_all::<T>(&self.sealing, tree, &entries) {
            match result {
                Ok(record) => put(record),
                Err(problem) => problems.push(problem),
            }
        }
        Ok(())
    }

    fn load_table<T: Stored + Send>(
        &self,
        tree: &'static str,
        problems: &mut Vec<LoadProblem>,
        id_of: impl Fn(&T) -> Id,
    ) -> Result<Table<T>, StoreError> {
        // Memory at a province's size: raw values are read from sled and decoded a slice
        // at a time, straight into rows that become the table itself, so no table is
        // ever held twice over.
        const SLICE: usize = 4_096;
        let mut rows = Vec::new();
        let mut raw = self.disk.tree(tree).iter();
        let mut slice = Vec::with_capacity(SLICE);
        loop {
            slice.clear();
            for entry in raw.by_ref().take(SLICE) {
                slice.push(entry.map_err(|e| self.disk.sled_error(e))?);
            }
            if slice.is_empty() {
                break;
            }
            // Exactly as much room as needed: a doubling vector would leave up to half
            // of the largest table's memory unused. (Large blocks grow in place.)
            rows.reserve_exact(slice.len());
            for result in decode_all::<T>(&self.sealing, tree, &slice) {
                match result {
                    Ok(record) => rows.push((id_of(&record), record)),
                    Err(problem) => problems.push(problem),
                }
            }
        }
        Ok(Table::from_rows(rows))
    }

    fn load_meta<T: Stored>(
        &self,
        key: &'static [u8],
        problems: &mut Vec<LoadProblem>,
    ) -> Result<Option<T>, StoreError> {
        let Some(bytes) = self.disk.get(keys::META, key)? else {
            return Ok(None);
        };
        match self.decode_value::<T>(keys::META, key, &bytes) {
            Ok(value) => Ok(Some(value)),
            Err(e) => {
                problems.push(LoadProblem {
                    tree: keys::META,
                    key: key.to_vec(),
                    error: e.to_string(),
                });
                Ok(None)
            }
        }
    }

    fn load_inner(&mut self) -> Result<(), StoreError> {
        let mut problems = Vec::new();
        let mut wards = Vec::new();
        self.load_tree::<Ward>(keys::WARDS, &mut problems, |w| wards.push(w))?;
        let mut users = std::collections::BTreeMap::new();
        self.load_tree::<User>(keys::USERS, &mut problems, |u| {
            users.insert(u.id, u);
        })?;
        // The signed-in user as stored now (a role or ward changed since the slot was made).
        if let Some(me) = users.get(&self.user.id) {
            self.user = me.clone();
        }
        // The largest table first: its raw values, held while it is decoded, then come
        // before sled's cache and the other tables have grown to their full size.
        let mut milestones =
            self.load_table(keys::MILESTONES, &mut problems, |r: &Milestone| r.id)?;
        let mut grants = self.load_table(keys::GRANTS, &mut problems, |r: &Grant| r.id)?;
        let mut people = self.load_table(keys::PEOPLE, &mut problems, |r: &Person| r.id)?;
        let mut plans = self.load_table(keys::PLANS, &mut problems, |r: &LivelihoodPlan| r.id)?;
        let mut referrals = self.load_table(keys::REFERRALS, &mut problems, |r: &Referral| r.id)?;
        // An officer of one ward sees that ward's people and what hangs off them, nothing
        // else: what is not loaded cannot be shown, searched or exported.
        if let Some(own) = self.user.ward.clone() {
            people.retain(|p| p.ward == own);
            let mine = |id: &Id| people.contains_key(id);
            plans.retain(|r| mine(&r.person_id));
            grants.retain(|r| mine(&r.person_id));
            milestones.retain(|r| mine(&r.person_id));
            referrals.retain(|r| mine(&r.person_id));
        }
        let s = Snapshot::from_tables(wards, people, plans, grants, milestones, referrals);
        if let Some(schedule) = self.load_meta::<Schedule>(keys::META_SCHEDULE, &mut problems)? {
            self.schedule = schedule;
        }
        self.audit_head = self
            .load_meta::<AuditHead>(keys::META_AUDIT_HEAD, &mut problems)?
            .unwrap_or_default();
        self.last_backup = self.load_meta::<i64>(keys::META_LAST_BACKUP, &mut problems)?;
        self.backup_folder = self
            .load_meta::<String>(keys::META_BACKUP_FOLDER, &mut problems)?
            .map(Into::into);
        self.exchange_folder = self
            .load_meta::<String>(keys::META_EXCHANGE_FOLDER, &mut problems)?
            .map(Into::into);
        self.snapshot = s;
        self.users = users;
        self.load_problems = problems;
        Ok(())
    }
}
