//! Backups: the whole database in one file, values still sealed, key slots included, so
//! a backup opens with the passphrases that were valid when it was made. The file is
//! a header, one frame per (tree, key, value), and a trailer with the number of frames
//! and a SHA-256 of everything before it: a truncated or altered file is refused.
//! Restoring builds a new database beside the target, verifies it whole (the signer must
//! be a supervisor in the backup, and `check` must pass), and only then swaps it in.
//!
//! Layout: "SINHKE-BACKUP\n", format (1 byte), schema (1 byte); frames of
//! [tree name len u8][tree name][key len u32 LE][key][value len u32 LE][value];
//! then 0xFF, frame count (u64 LE), SHA-256 (32 bytes).

use super::audit::AuditDraft;
use super::disk::{self, Disk};
use super::open::{Credentials, Locked};
use super::{Op, OpenMode, Store, StoreError, keys, swap};
use crate::domain::Permission;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8] = b"SINHKE-BACKUP\n";
const FORMAT: u8 = 1;
const END: u8 = 0xFF;
/// No key or value comes near this; a damaged length must not allocate gigabytes.
const MAX_FIELD: u32 = 16 << 20;
const CHUNK: usize = 2_000;

/// A backup older than this is worth offering again (the TUI asks on quit).
pub const BACKUP_EVERY_MILLIS: i64 = 7 * 24 * 3600 * 1000;

/// What a restore put in place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestoreReport {
    pub values: u64,
    pub people: usize,
    pub users: usize,
}

/// Writes everything written through it into a hash as well.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

impl Store {
    /// When the last backup was made (Unix milliseconds), if ever.
    pub fn last_backup_at(&self) -> Option<i64> {
        self.last_backup
    }

    /// The folder chosen once for backups, if any.
    pub fn backup_folder(&self) -> Option<&Path> {
        self.backup_folder.as_deref()
    }

    /// Remembers the backup folder (sealed in meta: a path can name a person's laptop).
    pub fn set_backup_folder(&mut self, folder: &Path) -> Result<(), StoreError> {
        let text = folder.to_string_lossy().into_owned();
        let value = self.encode_value(keys::META, keys::META_BACKUP_FOLDER, &text)?;
        let ops = vec![(
            keys::tree_index(keys::META),
            keys::META_BACKUP_FOLDER.to_vec(),
            Some(value),
        )];
        self.commit(ops, &[], AuditDraft::new("set_backup_folder"))?;
        self.backup_folder = Some(folder.to_path_buf());
        Ok(())
    }

    /// Writes a backup into `folder` under a dated name; returns the file written.
    pub fn backup_into(&mut self, folder: &Path) -> Result<std::path::PathBuf, StoreError> {
        let stamp = chrono::Local::now().format("%Y-%m-%d-%H%M");
        let path = folder.join(format!("sinhke-{stamp}.sinhke-backup"));
        self.backup_to(&path)?;
        Ok(path)
    }

    /// Whether a backup is due: none yet, or the last one is older than a week.
    pub fn backup_due(&self, now_millis: i64) -> bool {
        self.last_backup
            .is_none_or(|at| now_millis - at > BACKUP_EVERY_MILLIS)
    }

    /// Writes a backup file of the whole database (any signed-in user may), then
    /// records when, with an audit entry. The file appears whole or not at all.
    pub fn backup_to(&mut self, path: &Path) -> Result<u64, StoreError> {
        let partial = partial_path(path);
        let io = |e: std::io::Error| StoreError::from_io(e, path);
        let written = (|| {
            let file = File::create(&partial).map_err(io)?;
            let mut out = Hashing {
                inner: BufWriter::new(file),
                hash: Sha256::new(),
            };
            out.write_all(MAGIC).map_err(io)?;
            out.write_all(&[FORMAT, keys::SCHEMA_VERSION]).map_err(io)?;
            let mut frames = 0u64;
            for tree in keys::TREES {
                if tree == keys::JOURNAL {
                    continue;
                }
                for (key, value) in self.disk.entries(tree)? {
                    if tree == keys::META && key.as_ref() == keys::META_BULK {
                        continue;
                    }
                    write_frame(&mut out, tree, &key, &value).map_err(io)?;
                    frames += 1;
                }
            }
            out.write_all(&[END]).map_err(io)?;
            out.write_all(&frames.to_le_bytes()).map_err(io)?;
            let digest = out.hash.finalize_reset();
            let mut file = out.inner;
            file.write_all(&digest).map_err(io)?;
            let file = file.into_inner().map_err(|e| io(e.into_error()))?;
            file.sync_all().map_err(io)?;
            Ok::<u64, StoreError>(frames)
        })();
        let frames = match written.and_then(|n| read_backup(&partial, |_| Ok(())).map(|_| n)) {
            Ok(n) => n,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
        };
        std::fs::rename(&partial, path).map_err(io)?;
        let now = crate::domain::dates::now_millis();
        let value = self.encode_value(keys::META, keys::META_LAST_BACKUP, &now)?;
        let ops = vec![(
            keys::tree_index(keys::META),
            keys::META_LAST_BACKUP.to_vec(),
            Some(value),
        )];
        self.commit(
            ops,
            &[],
            AuditDraft::new("backup").detail(format!("{frames} values")),
        )?;
        self.last_backup = Some(now);
        Ok(frames)
    }
}

fn write_frame(out: &mut impl Write, tree: &str, key: &[u8], value: &[u8]) -> std::io::Result<()> {
    out.write_all(&[tree.len() as u8])?;
    out.write_all(tree.as_bytes())?;
    out.write_all(&(key.len() as u32).to_le_bytes())?;
    out.write_all(key)?;
    out.write_all(&(value.len() as u32).to_le_bytes())?;
    out.write_all(value)
}

/// Reads a backup file frame by frame, handing each to `each`, and fails unless the
/// whole file is there and its checksum matches. Returns the number of frames.
fn read_backup(
    path: &Path,
    mut each: impl FnMut((usize, Vec<u8>, Vec<u8>)) -> Result<(), StoreError>,
) -> Result<u64, StoreError> {
    let bad = |detail: &str| StoreError::BadBackup {
        path: path.to_path_buf(),
        detail: detail.to_string(),
    };
    let file = File::open(path).map_err(|e| StoreError::from_io(e, path))?;
    let mut input = BufReader::new(file);
    let mut hash = Sha256::new();
    let mut read = |n: usize, hash: &mut Sha256| -> Result<Vec<u8>, StoreError> {
        let mut buf = vec![0u8; n];
        input
            .read_exact(&mut buf)
            .map_err(|_| bad("the file is cut short"))?;
        hash.update(&buf);
        Ok(buf)
    };
    if read(MAGIC.len(), &mut hash)? != MAGIC {
        return Err(bad("not a sinhke backup"));
    }
    let versions = read(2, &mut hash)?;
    if versions[0] > FORMAT || versions[1] > keys::SCHEMA_VERSION {
        return Err(bad("made by a newer version of sinhke"));
    }
    let mut frames = 0u64;
    loop {
        let len = read(1, &mut hash)?[0];
        if len == END {
            break;
        }
        let name = read(len as usize, &mut hash)?;
        let tree = keys::TREES
            .iter()
            .position(|t| t.as_bytes() == name.as_slice())
            .ok_or_else(|| bad("unknown part (made by a newer version?)"))?;
        let mut field = |hash: &mut Sha256| -> Result<Vec<u8>, StoreError> {
            let n = u32::from_le_bytes(read(4, hash)?.try_into().unwrap_or([0xff; 4]));
            if n > MAX_FIELD {
                return Err(bad("damaged (impossible length)"));
            }
            read(n as usize, hash)
        };
        let key = field(&mut hash)?;
        let value = field(&mut hash)?;
        each((tree, key, value))?;
        frames += 1;
    }
    let count = u64::from_le_bytes(read(8, &mut hash)?.try_into().unwrap_or([0xff; 8]));
    let expected: [u8; 32] = hash.finalize().into();
    let mut stored = [0u8; 32];
    input
        .read_exact(&mut stored)
        .map_err(|_| bad("the file is cut short"))?;
    if stored != expected || count != frames {
        return Err(bad("the checksum does not match: the file is damaged"));
    }
    if input
        .read(&mut [0u8; 1])
        .map_err(|e| StoreError::from_io(e, path))?
        != 0
    {
        return Err(bad("unexpected bytes after the end"));
    }
    Ok(frames)
}

/// Replaces the database in `dir` with the backup in `file`. A folder holding a
/// database is replaced only with `force`; one holding anything else never is. Nothing
/// in `dir` changes until the backup has been read whole, its checksum matched, the
/// signer found to be a supervisor in it, and `check` passed on the restored copy.
pub fn restore(
    file: &Path,
    dir: &Path,
    credentials: &Credentials,
    force: bool,
) -> Result<RestoreReport, StoreError> {
    swap::recover(dir)?;
    let has_db = disk::has_database(dir);
    if disk::is_occupied(dir) && !has_db {
        return Err(StoreError::NotADatabase(dir.to_path_buf()));
    }
    if has_db && !force {
        return Err(StoreError::TargetNotEmpty(dir.to_path_buf()));
    }
    // Hold the target's lock: it must not be open elsewhere while it is replaced.
    let guard = if has_db { Some(Disk::open(dir)?) } else { None };
    let staging = swap::prepare_staging(dir)?;
    let built = build_and_verify(file, &staging, credentials);
    let report = match built {
        Ok(report) => report,
        Err(e) => {
            swap::discard_staging(dir);
            return Err(e);
        }
    };
    swap::mark_complete(dir)?;
    drop(guard);
    swap::swap_in(dir)?;
    Ok(report)
}

fn build_and_verify(
    file: &Path,
    staging: &Path,
    credentials: &Credentials,
) -> Result<RestoreReport, StoreError> {
    let values = {
        let disk = Disk::open(staging)?;
        let mut ops: Vec<Op> = Vec::new();
        let values = read_backup(file, |(tree, key, value)| {
            ops.push((tree, key, Some(value)));
            if ops.len() == CHUNK {
                disk.write_chunk(&ops)?;
                ops.clear();
            }
            Ok(())
        })?;
        disk.write_chunk(&ops)?;
        disk.flush()?;
        values
    };
    let locked = Locked::open(staging, OpenMode::MustExist)?;
    let unlocked = locked.sign_in(credentials)?;
    let mut store = locked.into_store(unlocked)?;
    store.require(Permission::Restore)?;
    let report = store.check();
    if !report.is_ok() {
        return Err(StoreError::BadBackup {
            path: file.to_path_buf(),
            detail: format!("{} problems found by check", report.findings.len()),
        });
    }
    store.commit(Vec::new(), &[], AuditDraft::new("restore"))?;
    Ok(RestoreReport {
        values,
        people: store.snapshot().people.len(),
        users: store.users().len(),
    })
}
