//! Backups: the whole database in one file, values still sealed, key slots included, so
//! a backup opens with the passphrases that were valid when it was made. The file is
//! a header, one frame per (tree, key, value), and a trailer with the number of frames
//! and a SHA-256 of everything before it: a truncated or altered file is refused.
//! Restoring builds a new database beside the target, verifies it whole (the signer must
//! be a supervisor in the backup, and `check` must pass), and only then swaps it in.
//!
//! Layout: "SINHKE-BACKUP\n", format (1 byte), schema (1 byte); frames of
//! [tree name len u8][tree name][key len u32 LE][key][value len u32 LE][value];
//! then 0xFF, frame count (u64 LE), SHA-256 (32 bytes) of everything before it, and
//! (format 2) that digest sealed under the data key ([len u8][sealed]): the SHA-256
//! finds a damaged file before anyone signs in; the seal, checked once the passphrase
//! has opened the key, refuses a file altered by anyone without the key (frames
//! removed, an older audit head put back, the checksum recomputed).

use super::audit::AuditDraft;
use super::disk::{self, Disk};
use super::open::{Credentials, Locked};
use super::{Op, OpenMode, Store, StoreError, codec, keys, swap};
use crate::domain::Permission;
use crate::output::OutputFile;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::Path;

const MAGIC: &[u8] = b"SINHKE-BACKUP\n";
const FORMAT: u8 = 2;
/// Backups from before the keyed checksum: restored only into an empty folder.
const FORMAT_UNKEYED: u8 = 1;
/// What the sealed digest is bound to, so no other sealed value can stand in for it.
const DIGEST_LABEL: &[u8] = b"sinhke-backup-digest";
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

/// Reads back the file just written through `file` (rewound to its start): a disk
/// that lost bytes shows now, not on the day of the restore.
fn read_written(file: &mut std::io::BufWriter<File>, path: &Path) -> Result<(), StoreError> {
    use std::io::{Seek, SeekFrom};
    let inner = file.get_mut();
    inner
        .seek(SeekFrom::Start(0))
        .map_err(|e| StoreError::from_io(e, path))?;
    let copy = inner
        .try_clone()
        .map_err(|e| StoreError::from_io(e, path))?;
    read_backup_from(BufReader::new(copy), path, |_| Ok(()))?;
    inner
        .seek(SeekFrom::End(0))
        .map_err(|e| StoreError::from_io(e, path))?;
    Ok(())
}

impl Store {
    /// When the last backup was made (Unix milliseconds), if ever.
    pub fn last_backup_at(&self) -> Option<i64> {
        self.last_backup
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
        let target = OutputFile::outside(path, self.path())?;
        let io = |e: std::io::Error| StoreError::from_io(e, path);
        let frames = target.write(|file| {
            let mut out = Hashing {
                inner: file,
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
            let seal = codec::seal_label(&self.sealing, DIGEST_LABEL, &digest)
                .map_err(StoreError::from_codec)?;
            let file = out.inner;
            file.write_all(&digest).map_err(io)?;
            file.write_all(&[seal.len() as u8]).map_err(io)?;
            file.write_all(&seal).map_err(io)?;
            file.flush().map_err(io)?;
            // Read back what was written before it takes the file's name.
            read_written(file, path)?;
            Ok::<u64, StoreError>(frames)
        })?;
        if self.is_read_only() {
            return Ok(frames);
        }
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

/// What a backup file's trailer vouches for, checked against the key once it is open.
struct Sealed {
    /// None for a backup from before the keyed checksum (format 1).
    digest: Option<([u8; 32], Vec<u8>)>,
    frames: u64,
}

/// Reads a backup file frame by frame, handing each to `each`, and fails unless the
/// whole file is there and its checksum matches. The sealed digest is returned to be
/// checked once the data key is known.
fn read_backup(
    path: &Path,
    each: impl FnMut((usize, Vec<u8>, Vec<u8>)) -> Result<(), StoreError>,
) -> Result<Sealed, StoreError> {
    let file = File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => StoreError::NoBackupFile(path.to_path_buf()),
        _ => StoreError::from_io(e, path),
    })?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(StoreError::NoBackupFile(path.to_path_buf()));
    }
    read_backup_from(BufReader::new(file), path, each)
}

/// `read_backup` over an open file; `path` names it in messages.
fn read_backup_from(
    mut input: impl Read,
    path: &Path,
    mut each: impl FnMut((usize, Vec<u8>, Vec<u8>)) -> Result<(), StoreError>,
) -> Result<Sealed, StoreError> {
    let bad = |detail: &str| StoreError::BadBackup {
        path: path.to_path_buf(),
        detail: detail.to_string(),
    };
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
    let format = versions[0];
    if format > FORMAT || versions[1] > keys::SCHEMA_VERSION {
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
    let digest = if format == FORMAT_UNKEYED {
        None
    } else {
        let mut len = [0u8; 1];
        input
            .read_exact(&mut len)
            .map_err(|_| bad("the file is cut short"))?;
        let mut seal = vec![0u8; len[0] as usize];
        input
            .read_exact(&mut seal)
            .map_err(|_| bad("the file is cut short"))?;
        Some((expected, seal))
    };
    if input
        .read(&mut [0u8; 1])
        .map_err(|e| StoreError::from_io(e, path))?
        != 0
    {
        return Err(bad("unexpected bytes after the end"));
    }
    Ok(Sealed { digest, frames })
}

/// The database a restore would replace, signed into by the one who restores.
enum Replaced {
    /// Nothing there: a restore into an empty folder needs no one's permission.
    Nothing,
    /// A supervisor of that database signed in: its audit trail is carried over.
    Signed(Box<Store>),
    /// A database so damaged no one can sign in: replaced on the backup's say-so,
    /// which the restore's audit entry records.
    Unopenable(String),
}

/// Replaces the database in `dir` with the backup in `file`. A folder holding a
/// database is replaced only with `force`, and only by a supervisor of that database
/// (who must be one in the backup too); one holding anything else never is. Nothing in
/// `dir` changes until the backup has been read whole, its checksum matched under the
/// key, the signer found to be a supervisor in it, and `check` passed on the restored
/// copy. The replaced database's audit entries from after the backup are carried over.
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
    if !file.is_file() {
        return Err(StoreError::NoBackupFile(file.to_path_buf()));
    }
    let replaced = if has_db {
        swap::refuse_foreign(dir)?;
        sign_into_replaced(dir, credentials)?
    } else {
        Replaced::Nothing
    };
    // Hold the target's lock: it must not be open elsewhere while it is replaced.
    let guard = match &replaced {
        Replaced::Signed(_) => None,
        _ if has_db => Some(Disk::open(dir)?),
        _ => None,
    };
    let staging = swap::prepare_staging(dir)?;
    let built = build_and_verify(file, &staging, credentials, &replaced);
    let report = match built {
        Ok(report) => report,
        Err(e) => {
            swap::discard_staging(dir);
            return Err(e);
        }
    };
    swap::mark_complete(dir)?;
    drop(guard);
    drop(replaced);
    swap::swap_in(dir)?;
    Ok(report)
}

/// Signs into the database about to be replaced: a supervisor of it, or, if it is too
/// damaged to open, no one (said in the audit entry). A wrong passphrase, an unknown
/// user, an officer or a database open elsewhere stop the restore.
fn sign_into_replaced(dir: &Path, credentials: &Credentials) -> Result<Replaced, StoreError> {
    let opened = Locked::open(dir, OpenMode::MustExist).and_then(|locked| {
        let unlocked = locked.sign_in(credentials)?;
        locked.into_store(unlocked)
    });
    match opened {
        Ok(store) => {
            store.require(Permission::Restore)?;
            Ok(Replaced::Signed(Box::new(store)))
        }
        Err(StoreError::Damaged { detail, .. }) => Ok(Replaced::Unopenable(detail)),
        // sled's files with nothing in them: an empty folder, as far as anyone's data goes.
        Err(StoreError::Missing(_)) => Ok(Replaced::Nothing),
        Err(e) => Err(e),
    }
}

fn build_and_verify(
    file: &Path,
    staging: &Path,
    credentials: &Credentials,
    replaced: &Replaced,
) -> Result<RestoreReport, StoreError> {
    let bad = |detail: &str| StoreError::BadBackup {
        path: file.to_path_buf(),
        detail: detail.to_string(),
    };
    let sealed = {
        let disk = Disk::open(staging)?;
        let mut ops: Vec<Op> = Vec::new();
        let sealed = read_backup(file, |(tree, key, value)| {
            ops.push((tree, key, Some(value)));
            if ops.len() == CHUNK {
                disk.write_chunk(&ops)?;
                ops.clear();
            }
            Ok(())
        })?;
        disk.write_chunk(&ops)?;
        disk.flush()?;
        sealed
    };
    let locked = Locked::open(staging, OpenMode::MustExist)?;
    let unlocked = locked.sign_in(credentials)?;
    let mut store = locked.into_store(unlocked)?;
    store.require(Permission::Restore)?;
    match &sealed.digest {
        Some((digest, seal))
            if !codec::label_is_authentic(&store.sealing, DIGEST_LABEL, digest, seal) =>
        {
            return Err(bad(
                "it was altered after it was made (its sealed checksum does not match)",
            ));
        }
        Some(_) => {}
        // An unkeyed file could have been altered without the key: never over a database.
        None if !matches!(replaced, Replaced::Nothing) => {
            return Err(bad(
                "made by an older sinhke without a sealed checksum; restore it into an empty folder",
            ));
        }
        None => {}
    }
    let report = store.check();
    if !report.is_ok() {
        return Err(bad(&format!(
            "{} problems found by check",
            report.findings.len()
        )));
    }
    let detail = match replaced {
        Replaced::Nothing if sealed.digest.is_none() => {
            "into an empty folder; an older backup format, not sealed".to_string()
        }
        Replaced::Nothing => "into an empty folder".to_string(),
        Replaced::Signed(old) => {
            let carried = store.carry_over_trail(old)?;
            format!("replaced a database; {carried} later audit entries carried over")
        }
        Replaced::Unopenable(why) => {
            format!("replaced a database no one could open ({why}); its audit trail is lost")
        }
    };
    store.commit(Vec::new(), &[], AuditDraft::new("restore").detail(detail))?;
    Ok(RestoreReport {
        values: sealed.frames,
        people: store.snapshot().people.len(),
        users: store.users().len(),
    })
}
