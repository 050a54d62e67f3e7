//! Opening a database takes two steps, so the TUI can ask for a passphrase again
//! without reopening: `Locked::open` takes sled's lock and reads the key slots (nothing
//! decrypted yet); `sign_in` checks a user's passphrase (the slow, deliberate KDF);
//! `into_store` loads the records, creating or migrating the database on the way.

use super::audit::AuditDraft;
use super::codec::{self, Sealing};
use super::crypto::{CryptoError, DataKey, KdfParams, KeySlot};
use super::disk::{self, Disk};
use super::{OpenMode, Store, StoreError, keys, migrate, swap};
use crate::domain::{Id, Role, Stamp, User};
use crate::text;
use std::path::Path;
use zeroize::Zeroizing;

/// New passphrases are refused below this many characters.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// Who signs in. The passphrase is wiped from memory when this is dropped.
#[derive(Clone)]
pub struct Credentials {
    pub user: String,
    passphrase: Zeroizing<String>,
}

impl Credentials {
    pub fn new(user: &str, passphrase: &str) -> Credentials {
        Credentials {
            user: text::clean(user),
            passphrase: Zeroizing::new(passphrase.to_string()),
        }
    }

    pub fn passphrase(&self) -> &str {
        &self.passphrase
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, ..)", self.user)
    }
}

/// Refuses a passphrase too short to be one; say so before the KDF runs.
pub(crate) fn check_new_passphrase(passphrase: &str) -> Result<(), StoreError> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(StoreError::PassphraseTooShort);
    }
    Ok(())
}

/// What a folder holds, as far as can be told without a passphrase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbState {
    /// Nothing yet: signing in creates the first user, a supervisor.
    New,
    /// Written before encryption (layout 1): signing in creates the first user and
    /// rewrites every value sealed.
    Unencrypted,
    Encrypted,
}

/// A database whose lock is held and whose records are still sealed.
pub struct Locked {
    disk: Disk,
    state: DbState,
    kdf_for_new: KdfParams,
}

/// The outcome of a passphrase accepted by `Locked::sign_in`.
pub struct Unlocked {
    pub(crate) key: DataKey,
    pub(crate) user: User,
    /// The slot to write for a first user (new or unencrypted database).
    pub(crate) new_slot: Option<KeySlot>,
}

impl Unlocked {
    pub fn user(&self) -> &User {
        &self.user
    }
}

impl Locked {
    pub fn open(dir: &Path, mode: OpenMode) -> Result<Locked, StoreError> {
        // Finish or undo a migration or restore that was cut off midway.
        swap::recover(dir)?;
        // Half a database is a damaged one, not a new one: never create over it.
        let (has_data, has_conf) = (dir.join("db").is_file(), dir.join("conf").is_file());
        if has_data != has_conf {
            let missing = if has_data { "conf" } else { "db" };
            return Err(StoreError::Damaged {
                path: dir.to_path_buf(),
                detail: format!("the file '{missing}' is missing"),
            });
        }
        if !disk::has_database(dir) {
            if mode == OpenMode::MustExist {
                return Err(StoreError::Missing(dir.to_path_buf()));
            }
            if disk::is_occupied(dir) {
                return Err(StoreError::NotADatabase(dir.to_path_buf()));
            }
        }
        let disk = Disk::open(dir)?;
        swap::clean_leftovers(dir)?;
        let schema = disk.get(keys::META, keys::META_SCHEMA)?;
        let state = match schema.as_deref().and_then(|v| v.first().copied()) {
            Some(v) if v > keys::SCHEMA_VERSION => {
                return Err(StoreError::TooNew(dir.to_path_buf()));
            }
            Some(keys::SCHEMA_VERSION) => {
                if disk.tree(keys::SLOTS).is_empty() && !plaintext_build(&disk)? {
                    return Err(StoreError::Damaged {
                        path: dir.to_path_buf(),
                        detail: "no key slots".into(),
                    });
                }
                DbState::Encrypted
            }
            Some(_) => DbState::Unencrypted,
            // sled made its files but nothing was written (a first run cut short).
            None if disk.holds_nothing() => DbState::New,
            None => DbState::Unencrypted,
        };
        if state == DbState::New && mode == OpenMode::MustExist {
            return Err(StoreError::Missing(dir.to_path_buf()));
        }
        disk.recover_bulk()?;
        Ok(Locked {
            disk,
            state,
            kdf_for_new: KdfParams::DEFAULT,
        })
    }

    pub fn state(&self) -> DbState {
        self.state
    }

    pub fn path(&self) -> &Path {
        &self.disk.path
    }

    /// The KDF cost of the first user's slot, if one is made (tests choose a cheap one).
    pub fn with_kdf_for_new(mut self, kdf: KdfParams) -> Locked {
        self.kdf_for_new = kdf;
        self
    }

    /// The key slot of `name` (folded comparison: "Lan" finds "Lân" only if no other).
    pub(crate) fn find_slot(disk: &Disk, name: &str) -> Result<Option<(Id, KeySlot)>, StoreError> {
        let wanted = text::fold(name);
        for (key, value) in disk.entries(keys::SLOTS)? {
            let Some(id) = Id::from_bytes(&key) else {
                continue;
            };
            let Ok(slot) = codec::decode::<KeySlot>(&value) else {
                continue;
            };
            if text::fold(&slot.user_name) == wanted {
                return Ok(Some((id, slot)));
            }
        }
        Ok(None)
    }

    /// Checks the passphrase: takes the slot's KDF time (about half a second by design).
    /// Wrong passphrases change nothing, so the TUI may simply ask again.
    pub fn sign_in(&self, credentials: &Credentials) -> Result<Unlocked, StoreError> {
        if credentials.user.is_empty() {
            return Err(StoreError::NoUserName);
        }
        match self.state {
            DbState::New | DbState::Unencrypted => {
                check_new_passphrase(credentials.passphrase())?;
                let key = DataKey::generate().map_err(|_| StoreError::NoRandomness)?;
                let now = crate::domain::dates::now_millis();
                let user = User {
                    id: super::new_id(),
                    name: credentials.user.clone(),
                    role: Role::Supervisor,
                    ward: None,
                    stamp: Stamp::new(now, &credentials.user),
                };
                let slot = KeySlot::wrap(
                    &key,
                    &user.id.to_bytes(),
                    &user.name,
                    credentials.passphrase(),
                    self.kdf_for_new,
                )
                .map_err(|e| self.crypto_error(e))?;
                Ok(Unlocked {
                    key,
                    user,
                    new_slot: Some(slot),
                })
            }
            DbState::Encrypted => {
                let (id, slot) = Locked::find_slot(&self.disk, &credentials.user)?
                    .ok_or_else(|| StoreError::UnknownUser(credentials.user.clone()))?;
                let key = slot
                    .unwrap_key(&id.to_bytes(), credentials.passphrase())
                    .map_err(|e| self.crypto_error(e))?;
                // The measurement build's plaintext database keeps its user record unsealed.
                let sealing = if plaintext_build(&self.disk)? {
                    Sealing::Plain
                } else {
                    Sealing::Sealed(key.clone())
                };
                let key_bytes = id.to_bytes();
                let user = match self.disk.get(keys::USERS, &key_bytes)? {
                    Some(v) => codec::unseal::<User>(&v, &sealing, keys::USERS, &key_bytes)
                        .map_err(|e| self.damaged(format!("user {id}: {e}")))?,
                    None => return Err(self.damaged(format!("user {id} has a key slot only"))),
                };
                Ok(Unlocked {
                    key,
                    user,
                    new_slot: None,
                })
            }
        }
    }

    fn crypto_error(&self, e: CryptoError) -> StoreError {
        match e {
            CryptoError::Unauthentic => StoreError::WrongPassphrase,
            CryptoError::NoRandomness => StoreError::NoRandomness,
            CryptoError::Kdf(detail) => self.damaged(detail),
        }
    }

    fn damaged(&self, detail: String) -> StoreError {
        StoreError::Damaged {
            path: self.disk.path.clone(),
            detail,
        }
    }

    /// Loads the records for the signed-in user; a new database gets its first user,
    /// an unencrypted one is rewritten sealed first.
    pub fn into_store(self, unlocked: Unlocked) -> Result<Store, StoreError> {
        match self.state {
            DbState::Encrypted => {
                let mut store =
                    Store::assemble(self.disk, Sealing::Sealed(unlocked.key), unlocked.user);
                store.load()?;
                store.prepare_versions()?;
                Ok(store)
            }
            DbState::New => {
                let slot = unlocked.new_slot.ok_or(StoreError::NotFound)?;
                let mut store =
                    Store::assemble(self.disk, Sealing::Sealed(unlocked.key), unlocked.user);
                // A new database has its identity and its (empty) history from the start.
                store.device = Some(super::device::Device::generate(super::new_id())?);
                store.write_first_user(&slot, "create_database")?;
                store.load()?;
                store.prepare_versions()?;
                Ok(store)
            }
            DbState::Unencrypted => migrate::run(self.disk, unlocked),
        }
    }

    /// A brand-new database that stores values unsealed, to measure what sealing costs.
    /// Only in the `plaintext-measure` build; never a way to make a real database.
    #[cfg(feature = "plaintext-measure")]
    pub fn into_plaintext_store_for_measurement(
        self,
        unlocked: Unlocked,
    ) -> Result<Store, StoreError> {
        let mut store = Store::assemble(self.disk, Sealing::Plain, unlocked.user);
        if self.state == DbState::New {
            let slot = unlocked.new_slot.ok_or(StoreError::NotFound)?;
            store
                .disk
                .tree(keys::META)
                .insert(keys::META_PLAINTEXT, &[1])
                .map_err(|e| store.disk.sled_error(e))?;
            store.write_first_user(&slot, "create_database")?;
        }
        store.load()?;
        Ok(store)
    }
}

/// Whether the database was made by the measurement build (a plaintext database opens
/// only there; any other build calls it damaged, having no key slot).
fn plaintext_build(disk: &Disk) -> Result<bool, StoreError> {
    Ok(
        cfg!(feature = "plaintext-measure")
            && disk.get(keys::META, keys::META_PLAINTEXT)?.is_some(),
    )
}

impl Store {
    /// Writes the first user, their key slot and the layout version in one transaction:
    /// a database exists from then on, or not at all.
    pub(crate) fn write_first_user(
        &mut self,
        slot: &KeySlot,
        action: &'static str,
    ) -> Result<(), StoreError> {
        let user = self.user.clone();
        let id_key = user.id.to_bytes().to_vec();
        let mut ops = vec![
            (
                keys::tree_index(keys::SLOTS),
                id_key.clone(),
                Some(codec::encode(slot)),
            ),
            (
                keys::tree_index(keys::USERS),
                id_key.clone(),
                Some(self.encode_value(keys::USERS, &id_key, &user)?),
            ),
            (
                keys::tree_index(keys::META),
                keys::META_SCHEMA.to_vec(),
                Some(vec![keys::SCHEMA_VERSION]),
            ),
        ];
        if let Some(device) = &self.device {
            ops.push((
                keys::tree_index(keys::META),
                keys::META_DEVICE.to_vec(),
                Some(self.encode_value(keys::META, keys::META_DEVICE, &device.secrets)?),
            ));
            ops.push((
                keys::tree_index(keys::META),
                keys::META_VERSIONED.to_vec(),
                Some(vec![1]),
            ));
        }
        let draft = AuditDraft::new(action).created(keys::USERS, user.id, None);
        self.commit(ops, &[], draft)?;
        self.users.insert(user.id, user);
        Ok(())
    }
}

/// A private copy of a database whose folder cannot be written (a CD, a locked USB
/// stick), made so it can still be read, checked, exported and backed up. Wiped and
/// removed when the store that has it open is dropped.
pub(crate) struct ReadOnlyCopy {
    pub original: std::path::PathBuf,
    folder: tempfile::TempDir,
}

impl Drop for ReadOnlyCopy {
    fn drop(&mut self) {
        let _ = swap::wipe_and_remove(&self.folder.path().join("db"));
    }
}

/// Opens the database in `dir`, which cannot be written, through a private copy: the
/// copy's values are as sealed as the original's, and it is owner-only.
pub fn open_read_only_copy(dir: &Path, credentials: &Credentials) -> Result<Store, StoreError> {
    if !disk::has_database(dir) {
        return Err(StoreError::Missing(dir.to_path_buf()));
    }
    let folder = tempfile::Builder::new()
        .prefix("sinhke-read-only-")
        .tempdir()
        .map_err(|e| StoreError::Io(e.to_string()))?;
    let copy = folder.path().join("db");
    disk::copy_database(dir, &copy)?;
    let locked = Locked::open(&copy, OpenMode::MustExist)?;
    let unlocked = locked.sign_in(credentials)?;
    if locked.state() != DbState::Encrypted {
        // An unencrypted database is upgraded on first open, which needs writing.
        return Err(StoreError::ReadOnlyMedium(dir.to_path_buf()));
    }
    let mut store = locked.into_store(unlocked)?;
    store.read_only = Some(ReadOnlyCopy {
        original: dir.to_path_buf(),
        folder,
    });
    Ok(store)
}
