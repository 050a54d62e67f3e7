//! The sled database under a folder: opening it (with its lock), its trees, flushing,
//! and turning sled's panics and errors into `StoreError`s. Knows nothing of keys.

use super::{Op, StoreError, keys};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// Old laptops have 2-4 GB: sled's default 1 GiB cache is far too much. The Snapshot
/// holds every record anyway, so sled's cache only speeds up writes.
const CACHE_BYTES: u64 = 4 * 1024 * 1024;

pub(crate) struct Disk {
    pub db: sled::Db,
    pub trees: Vec<sled::Tree>,
    pub path: PathBuf,
}

/// Runs `f`, turning a panic inside sled into an error and keeping its message off the screen.
pub(crate) fn without_panics<T>(f: impl FnOnce() -> T) -> Result<T, String> {
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
/// A short wait tells that apart from another program that really has it open; on a
/// busy old laptop the release can take a second, so the wait is two.
const LOCK_WAIT_ATTEMPTS: u32 = 40;

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
            Err(StoreError::AlreadyOpen(_)) if attempts < LOCK_WAIT_ATTEMPTS => {
                attempts += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

/// Removes sled's unfinished snapshots (`snap.*.generating`, plain files) from `dir`;
/// says whether there were any.
fn remove_unfinished_snapshots(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let mut removed = false;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if name.starts_with("snap.")
            && name.ends_with(".generating")
            && std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file())
            && std::fs::remove_file(&path).is_ok()
        {
            removed = true;
        }
    }
    removed
}

/// Copies sled's files of the database in `from` into the new folder `to` (plain
/// files only, never through a link; anything else in `from` stops the copy).
pub(crate) fn copy_database(from: &Path, to: &Path) -> Result<(), StoreError> {
    super::swap::refuse_foreign(from)?;
    let copy_files = |src: &Path, dst: &Path| -> Result<(), StoreError> {
        std::fs::create_dir_all(dst).map_err(|e| StoreError::from_io(e, dst))?;
        for entry in std::fs::read_dir(src).map_err(|e| StoreError::from_io(e, src))? {
            let path = entry.map_err(|e| StoreError::from_io(e, src))?.path();
            if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file())
                && let Some(name) = path.file_name()
            {
                std::fs::copy(&path, dst.join(name)).map_err(|e| StoreError::from_io(e, &path))?;
            }
        }
        Ok(())
    };
    copy_files(from, to)?;
    if from.join("blobs").is_dir() {
        copy_files(&from.join("blobs"), &to.join("blobs"))?;
    }
    Ok(())
}

/// Whether `dir` holds a sled database.
pub(crate) fn has_database(dir: &Path) -> bool {
    dir.join("db").is_file() && dir.join("conf").is_file()
}

/// Whether `dir` exists and holds anything at all.
pub(crate) fn is_occupied(dir: &Path) -> bool {
    dir.is_file()
        || std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false)
}

/// The database folder is its owner's alone (0700): sled creates its files with the
/// usual umask (0644), and the folder is what keeps other users of the computer out of
/// them. Best effort: a read-only copy, or a folder of someone else's, stays as it is.
/// On Windows the folder keeps the permissions it inherits (see README).
fn restrict_to_owner(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        if let Ok(meta) = std::fs::symlink_metadata(dir)
            && meta.is_dir()
            && meta.mode() & 0o077 != 0
            // SAFETY: geteuid has no preconditions.
            && meta.uid() == unsafe { libc::geteuid() }
        {
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
}

impl Disk {
    /// Opens (creating if needed) the sled database in `dir` with every tree.
    pub fn open(dir: &Path) -> Result<Disk, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::from_io(e, dir))?;
        restrict_to_owner(dir);
        let config = sled::Config::new()
            .path(dir)
            .cache_capacity(CACHE_BYTES)
            .flush_every_ms(None);
        let db = match open_sled(&config, dir) {
            // A snapshot sled began and could not finish (the disk filled while it
            // wrote one) makes it call the whole database damaged. Such a file holds
            // nothing the log does not; removed, the database opens as it was. Only
            // after sled's lock was free (AlreadyOpen is never this arm).
            Err(StoreError::Damaged { .. }) if remove_unfinished_snapshots(dir) => {
                open_sled(&config, dir)?
            }
            other => other?,
        };
        let trees = keys::TREES
            .iter()
            .map(|name| db.open_tree(name))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StoreError::from_sled(e, dir))?;
        Ok(Disk {
            db,
            trees,
            path: dir.to_path_buf(),
        })
    }

    pub fn tree(&self, name: &str) -> &sled::Tree {
        &self.trees[keys::tree_index(name)]
    }

    pub fn sled_error(&self, e: sled::Error) -> StoreError {
        StoreError::from_sled(e, &self.path)
    }

    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map(|_| ()).map_err(|e| self.sled_error(e))
    }

    pub fn get(&self, tree: &str, key: &[u8]) -> Result<Option<sled::IVec>, StoreError> {
        self.tree(tree).get(key).map_err(|e| self.sled_error(e))
    }

    /// Writes `ops` in one transaction over every tree (no flush). The closure may run
    /// more than once, so it only writes what was prepared before.
    pub fn write_chunk(&self, ops: &[Op]) -> Result<(), StoreError> {
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
                Ok::<(), ConflictableTransactionError<()>>(())
            })
            .map_err(|e| match e {
                TransactionError::Storage(e) => self.sled_error(e),
                TransactionError::Abort(()) => StoreError::Io("aborted".into()),
            })
    }

    /// Every (key, value) of a tree, in key order.
    pub fn entries(&self, tree: &str) -> Result<Vec<(sled::IVec, sled::IVec)>, StoreError> {
        self.tree(tree)
            .iter()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sled_error(e))
    }

    /// Whether no tree holding records, users or an audit trail has anything.
    pub fn holds_nothing(&self) -> bool {
        keys::TREES
            .iter()
            .filter(|t| **t != keys::META && **t != keys::JOURNAL)
            .all(|t| self.tree(t).is_empty())
    }
}
