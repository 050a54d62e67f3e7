//! The only code that touches sled. Opens the database, signs a user in, loads every
//! record into a `Snapshot`, and writes each user action as one atomic, flushed
//! transaction that updates records, their indexes and the audit trail together.
//! Every value is sealed under the database's data key (see `codec` and `crypto`).

mod actions;
pub use actions::{RecordedVisit, VisitRecord};
mod audit;
mod backup;

mod bulk;
mod changes;
mod check;
mod conflict;
pub use conflict::{ConflictHead, ConflictView, Resolution};
pub mod device;
mod exchange;
pub use exchange::Arrival;
pub mod codec;
pub mod crypto;
mod disk;
mod error;
mod fields;
mod folders;
mod history;
mod hub_state;
pub use hub_state::{HubCursor, HubProgress, WardKeys};
mod imports;
pub mod keys;
mod load;
mod migrate;
mod open;
mod swap;
mod users;
pub mod versions;
mod write;

pub use audit::{AuditEntry, AuditRecord, HistoryItem, RecordChange};

pub use backup::{BACKUP_EVERY_MILLIS, RestoreReport, restore};
pub use changes::Change;
pub use check::{CheckReport, Finding, FindingKind, RepairReport};
pub use crypto::KdfParams;
pub use error::{Refusal, Rejected, StoreError};
pub use fields::field_names;
pub use history::MergeReport;
pub use open::{Credentials, DbState, Locked, MIN_PASSPHRASE_CHARS, Unlocked, open_read_only_copy};

use crate::domain::*;
use audit::AuditHead;
use chrono::NaiveDate;
use codec::Sealing;
use disk::Disk;
use std::collections::BTreeMap;
use std::path::Path;

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

/// An open, signed-in database: the records in memory, and who is working on them.
pub struct Store {
    disk: Disk,
    sealing: Sealing,
    /// The signed-in user: every write is checked against their role and ward.
    user: User,
    users: BTreeMap<Id, User>,
    snapshot: Snapshot,
    schedule: Schedule,
    load_problems: Vec<LoadProblem>,
    audit_head: AuditHead,
    last_backup: Option<i64>,
    backup_folder: Option<std::path::PathBuf>,
    exchange_folder: Option<std::path::PathBuf>,
    today: Option<NaiveDate>,
    /// This database's identity among the programme's databases (see `device`).
    device: Option<device::Device>,
    /// The hybrid logical clock's last time and the version log's last position.
    clock: u64,
    log_seq: u64,
    /// Records with more than one head (see `versions`).
    conflicts: std::collections::BTreeSet<versions::RecordRef>,
    /// Set when the database lies on a medium that cannot be written and this is a
    /// private copy of it (declared after `disk`, so sled closes before it is wiped).
    read_only: Option<open::ReadOnlyCopy>,
    #[cfg(test)]
    fail_after_writes: Option<usize>,
    #[cfg(test)]
    crash_at: Option<bulk::CrashPoint>,
}

impl Store {
    /// Opens (or, with `CreateIfMissing`, creates) the database in `dir` and signs in.
    /// A new database gets `credentials` as its first user, a supervisor; a database
    /// from before encryption is migrated. KDF cost for a new slot: `KdfParams::DEFAULT`.
    pub fn open(
        dir: &Path,
        mode: OpenMode,
        credentials: &Credentials,
    ) -> Result<Store, StoreError> {
        Store::open_with_kdf(dir, mode, credentials, KdfParams::DEFAULT)
    }

    /// `open`, choosing the KDF cost used if a first key slot has to be made.
    pub fn open_with_kdf(
        dir: &Path,
        mode: OpenMode,
        credentials: &Credentials,
        kdf: KdfParams,
    ) -> Result<Store, StoreError> {
        let locked = Locked::open(dir, mode)?.with_kdf_for_new(kdf);
        let unlocked = locked.sign_in(credentials)?;
        locked.into_store(unlocked)
    }

    fn assemble(disk: Disk, sealing: Sealing, user: User) -> Store {
        Store {
            disk,
            sealing,
            user,
            users: BTreeMap::new(),
            snapshot: Snapshot::default(),
            schedule: Schedule::default(),
            load_problems: Vec::new(),
            audit_head: AuditHead::default(),
            last_backup: None,
            backup_folder: None,
            exchange_folder: None,
            today: None,
            device: None,
            clock: 0,
            log_seq: 0,
            conflicts: std::collections::BTreeSet::new(),
            read_only: None,
            #[cfg(test)]
            fail_after_writes: None,
            #[cfg(test)]
            crash_at: None,
        }
    }

    fn tree(&self, name: &str) -> &sled::Tree {
        self.disk.tree(name)
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.disk.flush()
    }

    /// The one place values are turned back into records: opened under the data key,
    /// bound to their tree and key.
    fn decode_value<T: codec::Stored>(
        &self,
        tree: &str,
        key: &[u8],
        value: &[u8],
    ) -> Result<T, codec::CodecError> {
        codec::unseal(value, &self.sealing, tree, key)
    }

    /// Whether a stored value opens under the data key where it lies (its sealed
    /// envelope, sequence included, is authentic), whatever record it holds.
    fn opens(&self, tree: &str, key: &[u8], value: &[u8]) -> bool {
        codec::opens(value, &self.sealing, tree, key)
    }

    /// The one place records are turned into values: sealed with a fresh nonce, and
    /// bound to the audit entry about to be written (the next in the trail), so a trail
    /// cut short shows in the values written after its end.
    fn encode_value<T: codec::Stored>(
        &self,
        tree: &str,
        key: &[u8],
        record: &T,
    ) -> Result<Vec<u8>, StoreError> {
        codec::seal(record, &self.sealing, tree, key, self.audit_head.seq + 1)
            .map_err(StoreError::from_codec)
    }

    /// The database folder as the user named it (for a read-only medium, the
    /// original, not the private copy that is open).
    pub fn path(&self) -> &Path {
        match &self.read_only {
            Some(copy) => &copy.original,
            None => &self.disk.path,
        }
    }

    /// Whether this is a copy of a database on a medium that cannot be written: it
    /// can be read, checked, exported and backed up; nothing can be changed.
    pub fn is_read_only(&self) -> bool {
        self.read_only.is_some()
    }

    /// Refuses a write to a read-only copy: it would be lost with the copy.
    pub(crate) fn refuse_if_read_only(&self) -> Result<(), StoreError> {
        match &self.read_only {
            Some(copy) => Err(StoreError::ReadOnlyMedium(copy.original.clone())),
            None => Ok(()),
        }
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

    /// The signed-in user.
    pub fn user(&self) -> &User {
        &self.user
    }

    /// Whether the signed-in user may do this; the store refuses it otherwise.
    /// On a ward laptop joined to a supervisor, approving plans, the settings every
    /// ward shares and marking records entered in error are the supervisor's, whatever
    /// the local role: the laptop's first user may still add the ward's collaborators.
    pub fn may(&self, permission: Permission) -> bool {
        let provinces_own = matches!(
            permission,
            Permission::ApprovePlans | Permission::ManageSettings | Permission::MarkEnteredInError
        );
        self.user.may(permission) && !(provinces_own && self.joined_ward().is_some())
    }

    /// The name written into `updated_by` of every record this store saves.
    pub fn actor(&self) -> &str {
        &self.user.name
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
        new_id()
    }

    /// Runs every integrity check over the data on disk.
    pub fn check(&self) -> CheckReport {
        check::run(self)
    }
}

/// A fresh time-ordered id.
pub(crate) fn new_id() -> Id {
    let mut random = [0u8; 16];
    // Without OS randomness we still get unique ids from the clock and a counter
    // (ids need to be unique, not secret).
    if getrandom::fill(&mut random).is_err() {
        random = fallback_random();
    }
    Id::from_parts(now_millis_u64(), u128::from_le_bytes(random))
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

#[cfg(test)]
mod actions_tests;
#[cfg(test)]
mod security_tests;
#[cfg(test)]
pub(crate) mod tests;
