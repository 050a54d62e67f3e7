//! The only code that touches sled. Opens the database with a small cache, loads every
//! record into a `Snapshot`, and writes each user action as one atomic, flushed
//! transaction that updates records and their indexes together.

mod bulk;
mod changes;
mod check;
pub mod codec;
mod error;
pub mod keys;

pub use changes::Change;
pub use check::{CheckReport, Finding};
pub use error::{Rejected, StoreError};

use crate::domain::*;
use changes::{Overlay, placement};
use chrono::NaiveDate;
use codec::{CodecError, Stored};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// Old laptops have 2-4 GB: sled's default 1 GiB cache is far too much. The Snapshot
/// holds every record anyway, so sled's cache only speeds up writes.
const CACHE_BYTES: u64 = 4 * 1024 * 1024;

/// Above this many writes, an action of new records only is written in journaled chunks.
const BULK_THRESHOLD: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenMode {
    /// Create the database if the folder has none (the TUI, `demo`, `import`).
    CreateIfMissing,
    /// Refuse a folder without a database (`stats`, `check`, `export`).
    MustExist,
}

/// One write: (tree index, key, new value or None to remove).
type Op = (usize, Vec<u8>, Option<Vec<u8>>);

/// A value that could not be read when the database was opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadProblem {
    pub tree: &'static str,
    pub key: Vec<u8>,
    pub error: String,
}

pub struct Store {
    db: sled::Db,
    trees: Vec<sled::Tree>,
    path: PathBuf,
    snapshot: Snapshot,
    schedule: Schedule,
    load_problems: Vec<LoadProblem>,
    actor: String,
    today: Option<NaiveDate>,
    #[cfg(test)]
    fail_after_writes: Option<usize>,
    #[cfg(test)]
    crash_at: Option<bulk::CrashPoint>,
}

/// What a transaction can abort with.
#[derive(Debug)]
enum Abort {
    CodeTaken(String),
    #[cfg(test)]
    Injected,
}

/// Runs `f`, turning a panic inside sled into an error and keeping its message off the screen.
fn without_panics<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    // The hook is global: tests running side by side would lose each other's messages.
    #[cfg(not(test))]
    let previous = std::panic::take_hook();
    #[cfg(not(test))]
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "internal error while reading".into())
    });
    #[cfg(not(test))]
    std::panic::set_hook(previous);
    result
}

/// sled finishes writing on its own threads after a `Db` is dropped and only then
/// releases its lock, so a reopen in the same second can find the lock still held.
/// A short wait tells that apart from another program that really has it open.
fn open_sled(config: &sled::Config, dir: &Path) -> Result<sled::Db, StoreError> {
    let mut attempts = 0;
    loop {
        let result = without_panics(|| config.open())
            .map_err(|detail| StoreError::Damaged {
                path: dir.to_path_buf(),
                detail,
            })?
            .map_err(|e| StoreError::from_sled(e, dir));
        match result {
            Err(StoreError::AlreadyOpen(_)) if attempts < 10 => {
                attempts += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

impl Store {
    pub fn open(dir: &Path, mode: OpenMode) -> Result<Store, StoreError> {
        let (has_data, has_conf) = (dir.join("db").is_file(), dir.join("conf").is_file());
        // Half a database is a damaged one, not a new one: never create over it.
        if has_data != has_conf {
            let missing = if has_data { "conf" } else { "db" };
            return Err(StoreError::Damaged {
                path: dir.to_path_buf(),
                detail: format!("the file '{missing}' is missing"),
            });
        }
        if !has_data {
            if mode == OpenMode::MustExist {
                return Err(StoreError::Missing(dir.to_path_buf()));
            }
            let occupied = std::fs::read_dir(dir)
                .map(|mut d| d.next().is_some())
                .unwrap_or(false);
            if occupied || dir.is_file() {
                return Err(StoreError::NotADatabase(dir.to_path_buf()));
            }
            std::fs::create_dir_all(dir).map_err(|e| StoreError::from_io(e, dir))?;
        }
        let config = sled::Config::new()
            .path(dir)
            .cache_capacity(CACHE_BYTES)
            .flush_every_ms(None);
        let damaged = |detail: String| StoreError::Damaged {
            path: dir.to_path_buf(),
            detail,
        };
        let db = open_sled(&config, dir)?;
        let trees = keys::TREES
            .iter()
            .map(|name| db.open_tree(name))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StoreError::from_sled(e, dir))?;
        let mut store = Store {
            db,
            trees,
            path: dir.to_path_buf(),
            snapshot: Snapshot::default(),
            schedule: Schedule::default(),
            load_problems: Vec::new(),
            actor: default_actor(),
            today: None,
            #[cfg(test)]
            fail_after_writes: None,
            #[cfg(test)]
            crash_at: None,
        };
        store.check_schema()?;
        store.recover_bulk()?;
        without_panics(|| store.load()).map_err(damaged)??;
        Ok(store)
    }

    fn tree(&self, name: &str) -> &sled::Tree {
        &self.trees[keys::tree_index(name)]
    }

    fn check_schema(&mut self) -> Result<(), StoreError> {
        let meta = self.tree(keys::META);
        match meta
            .get(keys::META_SCHEMA)
            .map_err(|e| StoreError::from_sled(e, &self.path))?
        {
            Some(v) if v.first().copied().unwrap_or(0) > keys::SCHEMA_VERSION => {
                Err(StoreError::TooNew(self.path.clone()))
            }
            Some(_) => Ok(()),
            None => {
                meta.insert(keys::META_SCHEMA, &[keys::SCHEMA_VERSION])
                    .map_err(|e| StoreError::from_sled(e, &self.path))?;
                self.flush()
            }
        }
    }

    /// Reads every tree into the snapshot; values that do not decode are listed, not fatal.
    fn load(&mut self) -> Result<(), StoreError> {
        let mut problems = Vec::new();
        let mut wards = Vec::new();
        self.load_tree::<Ward>(keys::WARDS, &mut problems, |r| wards.push(r))?;
        // Each table becomes its map before the next is read, so only one table's
        // records are ever held twice.
        let people = self.load_table(keys::PEOPLE, &mut problems, |r: &Person| r.id)?;
        let plans = self.load_table(keys::PLANS, &mut problems, |r: &LivelihoodPlan| r.id)?;
        let grants = self.load_table(keys::GRANTS, &mut problems, |r: &Grant| r.id)?;
        let milestones = self.load_table(keys::MILESTONES, &mut problems, |r: &Milestone| r.id)?;
        let referrals = self.load_table(keys::REFERRALS, &mut problems, |r: &Referral| r.id)?;
        let snapshot = Snapshot::from_tables(wards, people, plans, grants, milestones, referrals);
        if let Some(bytes) = self
            .tree(keys::META)
            .get(keys::META_SCHEDULE)
            .map_err(|e| StoreError::from_sled(e, &self.path))?
        {
            match codec::decode::<Schedule>(&bytes) {
                Ok(s) => self.schedule = s,
                Err(e) => problems.push(LoadProblem {
                    tree: keys::META,
                    key: keys::META_SCHEDULE.to_vec(),
                    error: e.to_string(),
                }),
            }
        }
        self.snapshot = snapshot;
        self.load_problems = problems;
        Ok(())
    }

    /// A whole tree as a map, built in one go so its nodes are packed full.
    fn load_table<T: Stored>(
        &self,
        name: &'static str,
        problems: &mut Vec<LoadProblem>,
        id_of: impl Fn(&T) -> Id,
    ) -> Result<std::collections::BTreeMap<Id, T>, StoreError> {
        let mut rows = Vec::with_capacity(self.tree(name).len());
        self.load_tree::<T>(name, problems, |r| rows.push((id_of(&r), r)))?;
        Ok(rows.into_iter().collect())
    }

    fn load_tree<T: Stored>(
        &self,
        name: &'static str,
        problems: &mut Vec<LoadProblem>,
        mut put: impl FnMut(T),
    ) -> Result<(), StoreError> {
        for entry in self.tree(name).iter() {
            let (key, value) = entry.map_err(|e| StoreError::from_sled(e, &self.path))?;
            match self.decode_value::<T>(name, &key, &value) {
                Ok(record) => put(record),
                Err(e) => problems.push(LoadProblem {
                    tree: name,
                    key: key.to_vec(),
                    error: e.to_string(),
                }),
            }
        }
        Ok(())
    }

    /// The one place values are turned back into records (decryption will sit here).
    fn decode_value<T: Stored>(
        &self,
        _tree: &str,
        _key: &[u8],
        value: &[u8],
    ) -> Result<T, CodecError> {
        codec::decode(value)
    }

    /// The one place records are turned into values (encryption will sit here).
    fn encode_value<T: Stored>(&self, _tree: &str, _key: &[u8], record: &T) -> Vec<u8> {
        codec::encode(record)
    }

    fn encode_change(&self, tree: &str, key: &[u8], change: &Change) -> Vec<u8> {
        match change {
            Change::Ward(r) => self.encode_value(tree, key, r),
            Change::Person(r) => self.encode_value(tree, key, r),
            Change::Plan(r) => self.encode_value(tree, key, r),
            Change::Grant(r) => self.encode_value(tree, key, r),
            Change::Milestone(r) => self.encode_value(tree, key, r),
            Change::Referral(r) => self.encode_value(tree, key, r),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// Values that could not be read when the database was opened.
    pub fn load_problems(&self) -> &[LoadProblem] {
        &self.load_problems
    }

    /// The name written into `updated_by` of every record this store saves.
    pub fn set_actor(&mut self, name: &str) {
        self.actor = name.to_string();
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Fixes "today" for validation and derived dates (tests, `SINHKE_TODAY`).
    pub fn set_today(&mut self, today: NaiveDate) {
        self.today = Some(today);
    }

    pub fn today(&self) -> NaiveDate {
        self.today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    /// A fresh time-ordered id.
    pub fn new_id(&self) -> Id {
        let mut random = [0u8; 16];
        // Without OS randomness we still get unique ids from the clock and a counter.
        if getrandom::fill(&mut random).is_err() {
            random = fallback_random();
        }
        Id::from_parts(now_millis_u64(), u128::from_le_bytes(random))
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.db
            .flush()
            .map(|_| ())
            .map_err(|e| StoreError::from_sled(e, &self.path))
    }

    /// Validates a set of changes as a whole, writes them in one transaction with their
    /// index entries, flushes, and only then updates the snapshot. Returns the records as
    /// saved (with ids, codes and stamps filled in).
    pub fn apply(&mut self, changes: Vec<Change>) -> Result<Vec<Change>, StoreError> {
        self.apply_with(changes, true)
    }

    fn apply_with(
        &mut self,
        mut changes: Vec<Change>,
        stamp: bool,
    ) -> Result<Vec<Change>, StoreError> {
        let mut all_new = true;
        let today = self.today();
        let now = crate::domain::dates::now_millis();
        let mut rejected = Vec::new();
        let mut ops: Vec<Op> = Vec::new();
        let mut codes_claimed: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        {
            let mut overlay = Overlay::new(&self.snapshot);
            for (index, change) in changes.iter_mut().enumerate() {
                change.tidy();
                if change.id().is_new() && !matches!(change, Change::Ward(_)) {
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
                            Some(old) => old.touched(now, &self.actor),
                            None => Stamp::new(now, &self.actor),
                        };
                    }
                }
                all_new &= !overlay.exists(change);
                let problems = overlay.validate(change, today);
                if !problems.is_empty() {
                    rejected.push(Rejected { index, problems });
                    continue;
                }
                let (tree, key, entries) = placement(change);
                let value = self.encode_change(tree, &key, change);
                for (t, k, _) in overlay.previous_entries(change) {
                    if !entries.iter().any(|(nt, nk, _)| *nt == t && *nk == k) {
                        ops.push((keys::tree_index(t), k, None));
                    }
                }
                for (t, k, v) in entries {
                    if t == keys::BY_CODE {
                        codes_claimed.push((k.clone(), v.clone()));
                    }
                    ops.push((keys::tree_index(t), k, Some(v)));
                }
                ops.push((keys::tree_index(tree), key, Some(value)));
                overlay.record(change);
            }
        }
        if !rejected.is_empty() {
            return Err(StoreError::Invalid(rejected));
        }
        // Many new records go through the journaled bulk path, which keeps memory bounded.
        if all_new && ops.len() > BULK_THRESHOLD {
            let into_empty = self.snapshot.is_empty() && self.snapshot.wards.is_empty();
            self.commit_bulk(&ops, into_empty)?;
        } else {
            self.commit(&ops, &codes_claimed)?;
        }
        for change in &changes {
            change.clone().put_into(&mut self.snapshot);
        }
        Ok(changes)
    }

    /// One sled transaction over every tree, then a flush. The closure may run more than
    /// once, so it only reads and writes the transaction's own trees.
    fn commit(&self, ops: &[Op], codes: &[(Vec<u8>, Vec<u8>)]) -> Result<(), StoreError> {
        let trees: Vec<&sled::Tree> = self.trees.iter().collect();
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
            Err(TransactionError::Storage(e)) => Err(StoreError::from_sled(e, &self.path)),
        }
    }

    /// Writes records exactly as given, stamps included (demo data is deterministic),
    /// into a database that holds no records yet.
    pub fn fill_empty(&mut self, changes: Vec<Change>) -> Result<(), StoreError> {
        if !self.snapshot.is_empty() || !self.snapshot.wards.is_empty() {
            return Err(StoreError::NotEmpty);
        }
        self.apply_with(changes, false).map(|_| ())
    }

    // ----- user actions -----

    pub fn add_ward(&mut self, ward: Ward) -> Result<Ward, StoreError> {
        match self.apply(vec![Change::Ward(ward)])?.pop() {
            Some(Change::Ward(w)) => Ok(w),
            _ => Err(StoreError::NotFound),
        }
    }

    pub fn save_person(&mut self, person: Person) -> Result<Person, StoreError> {
        let mut person = person;
        if let Some(old) = self.snapshot.people.get(&person.id) {
            person.code = old.code.clone(); // a code never changes once given
        }
        match self.apply(vec![Change::Person(person)])?.pop() {
            Some(Change::Person(p)) => Ok(p),
            _ => Err(StoreError::NotFound),
        }
    }

    /// Adds many people in one atomic write: all of them, or none.
    pub fn import_people(&mut self, people: Vec<Person>) -> Result<Vec<Person>, StoreError> {
        let saved = self.apply(people.into_iter().map(Change::Person).collect())?;
        Ok(saved
            .into_iter()
            .filter_map(|c| {
                if let Change::Person(p) = c {
                    Some(p)
                } else {
                    None
                }
            })
            .collect())
    }

    pub fn save_plan(&mut self, plan: LivelihoodPlan) -> Result<LivelihoodPlan, StoreError> {
        match self.apply(vec![Change::Plan(plan)])?.pop() {
            Some(Change::Plan(p)) => Ok(p),
            _ => Err(StoreError::NotFound),
        }
    }

    /// Hands over a new grant and creates its follow-up schedule in the same write.
    pub fn hand_over_grant(
        &mut self,
        mut grant: Grant,
    ) -> Result<(Grant, Vec<Milestone>), StoreError> {
        if grant.id.is_new() {
            grant.id = self.new_id();
        }
        let assigned = self
            .snapshot
            .people
            .get(&grant.person_id)
            .map(|p| p.collaborator.clone())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| self.actor.clone());
        let milestones = self
            .schedule
            .milestones_for(&grant, &assigned, &Stamp::default(), || Id::NEW);
        let mut changes = vec![Change::Grant(grant)];
        changes.extend(milestones.into_iter().map(Change::Milestone));
        split_grant(self.apply(changes)?)
    }

    /// Saves an edited grant. When its kind or handover date changed, the visits still
    /// planned are rescheduled; visits already done, missed or cancelled stay as they are.
    pub fn save_grant(&mut self, grant: Grant) -> Result<(Grant, Vec<Milestone>), StoreError> {
        let Some(old) = self.snapshot.grants.get(&grant.id) else {
            return self.hand_over_grant(grant);
        };
        let mut changes = Vec::new();
        if old.kind != grant.kind || old.handed_over_on != grant.handed_over_on {
            let existing: Vec<&Milestone> = self
                .snapshot
                .milestones_of(grant.id)
                .filter(|m| m.months_after.is_some())
                .collect();
            let kept_months: Vec<u8> = existing
                .iter()
                .filter(|m| !m.status.is_open())
                .filter_map(|m| m.months_after)
                .collect();
            let mut fresh = self
                .schedule
                .milestones_for(
                    &grant,
                    &existing
                        .first()
                        .map(|m| m.assigned_to.clone())
                        .unwrap_or_default(),
                    &Stamp::default(),
                    || Id::NEW,
                )
                .into_iter()
                .filter(|m| !kept_months.contains(&m.months_after.unwrap_or(0)));
            // Reuse the ids of planned visits so no orphan is left behind.
            for planned in existing.iter().filter(|m| m.status.is_open()) {
                let mut m = (*planned).clone();
                match fresh.next() {
                    Some(new) => {
                        m.due_on = new.due_on;
                        m.months_after = new.months_after;
                    }
                    None => {
                        m.status = MilestoneStatus::Cancelled;
                        m.visit.reason = "rescheduled".into();
                    }
                }
                changes.push(Change::Milestone(m));
            }
            changes.extend(fresh.map(Change::Milestone));
        }
        changes.insert(0, Change::Grant(grant));
        split_grant(self.apply(changes)?)
    }

    pub fn save_milestone(&mut self, milestone: Milestone) -> Result<Milestone, StoreError> {
        match self.apply(vec![Change::Milestone(milestone)])?.pop() {
            Some(Change::Milestone(m)) => Ok(m),
            _ => Err(StoreError::NotFound),
        }
    }

    pub fn save_referral(&mut self, referral: Referral) -> Result<Referral, StoreError> {
        match self.apply(vec![Change::Referral(referral)])?.pop() {
            Some(Change::Referral(r)) => Ok(r),
            _ => Err(StoreError::NotFound),
        }
    }

    /// A new follow-up schedule per grant kind; milestones already created are untouched.
    pub fn set_schedule(&mut self, schedule: Schedule) -> Result<(), StoreError> {
        let value = self.encode_value(keys::META, keys::META_SCHEDULE, &schedule);
        self.commit(
            &[(
                keys::tree_index(keys::META),
                keys::META_SCHEDULE.to_vec(),
                Some(value),
            )],
            &[],
        )?;
        self.schedule = schedule;
        Ok(())
    }

    /// Runs every integrity check over the data on disk.
    pub fn check(&self) -> CheckReport {
        check::run(self)
    }
}

fn split_grant(saved: Vec<Change>) -> Result<(Grant, Vec<Milestone>), StoreError> {
    let mut grant = None;
    let mut milestones = Vec::new();
    for change in saved {
        match change {
            Change::Grant(g) => grant = Some(g),
            Change::Milestone(m) => milestones.push(m),
            _ => {}
        }
    }
    Ok((grant.ok_or(StoreError::NotFound)?, milestones))
}

fn now_millis_u64() -> u64 {
    crate::domain::dates::now_millis().max(0) as u64
}

fn fallback_random() -> [u8; 16] {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed) as u128;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    ((nanos << 32) ^ n ^ ((std::process::id() as u128) << 64)).to_le_bytes()
}

/// The officer's name for `updated_by` until users exist: the login name.
fn default_actor() -> String {
    std::env::var("SINHKE_USER")
        .or_else(|_| std::env::var("USER"))
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "sinhke".into())
}

#[cfg(test)]
mod tests;
