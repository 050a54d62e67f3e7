//! Replacing a database folder whole, for migration and restore: the new database is
//! built beside the old one (`<dir>.sinhke-new`), marked complete, then swapped in by
//! two renames. A kill at any moment leaves the old folder or the complete new one,
//! and the next open finishes or undoes the swap. The old folder — which for a
//! migration holds plaintext, in sled's values and old log segments alike — is
//! overwritten with zeros, then removed.

use super::StoreError;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let name = absolute
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sinhke-data".into());
    absolute.with_file_name(format!("{name}{suffix}"))
}

pub(crate) fn staging_path(dir: &Path) -> PathBuf {
    sibling(dir, ".sinhke-new")
}

fn old_path(dir: &Path) -> PathBuf {
    sibling(dir, ".sinhke-old")
}

fn complete_marker(dir: &Path) -> PathBuf {
    sibling(dir, ".sinhke-new.complete")
}

fn io(e: std::io::Error, path: &Path) -> StoreError {
    StoreError::from_io(e, path)
}

/// Renames, retrying briefly: on Windows a folder stays busy for a moment after the
/// files in it are closed.
fn rename(from: &Path, to: &Path) -> Result<(), StoreError> {
    let mut attempts = 0;
    loop {
        match fs::rename(from, to) {
            Ok(()) => return Ok(()),
            Err(_) if attempts < 20 => {
                attempts += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(e) => return Err(io(e, from)),
        }
    }
}

/// A fresh staging folder for a new database beside `dir` (a leftover one is removed).
pub(crate) fn prepare_staging(dir: &Path) -> Result<PathBuf, StoreError> {
    let staging = staging_path(dir);
    let _ = fs::remove_file(complete_marker(dir));
    if staging.exists() {
        wipe_and_remove(&staging)?;
    }
    if let Some(parent) = staging.parent() {
        fs::create_dir_all(parent).map_err(|e| io(e, parent))?;
    }
    Ok(staging)
}

/// Drops a staging folder that will not be used.
pub(crate) fn discard_staging(dir: &Path) {
    let _ = fs::remove_file(complete_marker(dir));
    let _ = wipe_and_remove(&staging_path(dir));
}

/// Says the staging folder is whole: from here on a swap cut short is finished, not undone.
pub(crate) fn mark_complete(dir: &Path) -> Result<(), StoreError> {
    let marker = complete_marker(dir);
    let mut file = fs::File::create(&marker).map_err(|e| io(e, &marker))?;
    file.write_all(b"complete\n")
        .and_then(|_| file.sync_all())
        .map_err(|e| io(e, &marker))
}

/// Puts the complete staging folder in place of `dir` (which may not exist), then
/// wipes the old one. The sled databases in both must be closed.
pub(crate) fn swap_in(dir: &Path) -> Result<(), StoreError> {
    let (staging, old) = (staging_path(dir), old_path(dir));
    if old.exists() {
        wipe_and_remove(&old)?;
    }
    if dir.exists() {
        rename(dir, &old)?;
    }
    rename(&staging, dir)?;
    let _ = fs::remove_file(complete_marker(dir));
    if old.exists() {
        wipe_and_remove(&old)?;
    }
    Ok(())
}

/// Finishes or undoes a swap cut short between its two renames, before `dir` is opened.
pub(crate) fn recover(dir: &Path) -> Result<(), StoreError> {
    let (staging, old, marker) = (staging_path(dir), old_path(dir), complete_marker(dir));
    if !dir.exists() {
        if staging.exists() && marker.exists() {
            rename(&staging, dir)?;
            let _ = fs::remove_file(&marker);
        } else if old.exists() {
            rename(&old, dir)?;
        }
    }
    Ok(())
}

/// Removes what a swap cut short left beside `dir`. Called with `dir`'s lock held, so a
/// migration or restore under way in another process is not disturbed.
pub(crate) fn clean_leftovers(dir: &Path) -> Result<(), StoreError> {
    let (staging, old, marker) = (staging_path(dir), old_path(dir), complete_marker(dir));
    if dir.exists() {
        // The swap finished (or never started): what is beside `dir` is left over.
        if old.exists() {
            wipe_and_remove(&old)?;
        }
        if staging.exists() {
            wipe_and_remove(&staging)?;
        }
        let _ = fs::remove_file(&marker);
    }
    Ok(())
}

/// What sled keeps in a database folder: `conf`, `db`, its snapshots (`snap.*`) and
/// `blobs/` of numbered files. Anything else there was put by someone else.
fn is_sled_file(name: &str) -> bool {
    name == "conf" || name == "db" || name.starts_with("snap.")
}

fn is_blob_file(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit())
}

/// The first entry of a database folder that sinhke did not make: a link of any kind,
/// a folder other than `blobs`, a file sled does not write. A folder holding one is
/// never replaced or wiped (the caller names it and stops).
pub(crate) fn foreign_entry(dir: &Path) -> Result<Option<PathBuf>, StoreError> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e, dir)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| io(e, dir))?;
        let path = entry.path();
        let kind = fs::symlink_metadata(&path)
            .map_err(|e| io(e, &path))?
            .file_type();
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = if kind.is_file() {
            is_sled_file(&name)
        } else if kind.is_dir() && name == "blobs" {
            if let Some(inside) = foreign_blob(&path)? {
                return Ok(Some(inside));
            }
            true
        } else {
            false
        };
        if !ours {
            return Ok(Some(path));
        }
    }
    Ok(None)
}

fn foreign_blob(blobs: &Path) -> Result<Option<PathBuf>, StoreError> {
    for entry in fs::read_dir(blobs).map_err(|e| io(e, blobs))? {
        let entry = entry.map_err(|e| io(e, blobs))?;
        let path = entry.path();
        let kind = fs::symlink_metadata(&path)
            .map_err(|e| io(e, &path))?
            .file_type();
        if !(kind.is_file() && is_blob_file(&entry.file_name().to_string_lossy())) {
            return Ok(Some(path));
        }
    }
    Ok(None)
}

/// Refuses a database folder holding anything sinhke did not make, before an
/// operation that would replace or wipe it.
pub(crate) fn refuse_foreign(dir: &Path) -> Result<(), StoreError> {
    match foreign_entry(dir)? {
        Some(path) => Err(StoreError::ForeignFile(path)),
        None => Ok(()),
    }
}

/// Overwrites sled's files in the database folder `path` with zeros, then removes them
/// and the folder. Never through a link: a link is removed, not followed; a file with
/// a second hard link (a copy a backup tool made) is unlinked, not overwritten; and a
/// folder holding anything sinhke did not make is left as it is, with an error naming
/// it. On SSDs and journaling file systems the old blocks may survive: see README.
pub(crate) fn wipe_and_remove(path: &Path) -> Result<(), StoreError> {
    let kind = match fs::symlink_metadata(path) {
        Ok(m) => m.file_type(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(e, path)),
    };
    if kind.is_symlink() {
        // A link where a folder of ours was: take the link away, never what it points to.
        return fs::remove_file(path).map_err(|e| io(e, path));
    }
    if !kind.is_dir() {
        return Err(StoreError::ForeignFile(path.to_path_buf()));
    }
    refuse_foreign(path)?;
    let blobs = path.join("blobs");
    if fs::symlink_metadata(&blobs).is_ok_and(|m| m.is_dir()) {
        wipe_files_in(&blobs)?;
        fs::remove_dir(&blobs).map_err(|e| io(e, &blobs))?;
    }
    wipe_files_in(path)?;
    fs::remove_dir(path).map_err(|e| io(e, path))
}

/// Zeroes and removes every plain file directly in `dir` (checked to be sled's).
fn wipe_files_in(dir: &Path) -> Result<(), StoreError> {
    for entry in fs::read_dir(dir).map_err(|e| io(e, dir))? {
        let path = entry.map_err(|e| io(e, dir))?.path();
        let meta = fs::symlink_metadata(&path).map_err(|e| io(e, &path))?;
        if meta.is_dir() {
            continue;
        }
        if meta.is_file() && link_count(&meta) == 1 {
            zero_file(&path, &meta);
        }
        fs::remove_file(&path).map_err(|e| io(e, &path))?;
    }
    Ok(())
}

#[cfg(unix)]
fn link_count(meta: &fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

/// Windows' link count is not in the standard library yet; hard links to a database
/// file are rare there, and links are never followed in any case.
#[cfg(not(unix))]
fn link_count(_meta: &fs::Metadata) -> u64 {
    1
}

/// Overwrites one file with zeros, opened without following a link and checked to be
/// the very file that was inspected (not one swapped in since).
fn zero_file(path: &Path, inspected: &fs::Metadata) {
    let mut options = fs::OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW);
    let Ok(mut file) = options.open(path) else {
        return;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let same = file.metadata().is_ok_and(|m| {
            m.dev() == inspected.dev() && m.ino() == inspected.ino() && m.nlink() == 1
        });
        if !same {
            return;
        }
    }
    let zeros = vec![0u8; 64 * 1024];
    let mut left = inspected.len();
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        if file.write_all(&zeros[..n]).is_err() {
            break;
        }
        left -= n as u64;
    }
    let _ = file.sync_all();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder_with(path: &Path, text: &str) {
        fs::create_dir_all(path).expect("mkdir");
        fs::write(path.join("db"), text).expect("write");
    }

    fn content(path: &Path) -> String {
        fs::read_to_string(path.join("db")).expect("read")
    }

    #[test]
    fn a_swap_cut_after_the_first_rename_is_finished_when_complete() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("data");
        folder_with(&old_path(&dir), "old");
        folder_with(&staging_path(&dir), "new");
        mark_complete(&dir).expect("mark");
        recover(&dir).expect("recover");
        clean_leftovers(&dir).expect("clean");
        assert_eq!(content(&dir), "new");
        assert!(!old_path(&dir).exists() && !staging_path(&dir).exists());
    }

    #[test]
    fn a_swap_cut_before_the_new_folder_was_complete_is_undone() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("data");
        folder_with(&old_path(&dir), "old");
        folder_with(&staging_path(&dir), "half");
        recover(&dir).expect("recover");
        clean_leftovers(&dir).expect("clean");
        assert_eq!(content(&dir), "old");
        assert!(!staging_path(&dir).exists());
    }

    #[test]
    fn a_swap_that_finished_leaves_no_old_folder_behind() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("data");
        folder_with(&dir, "old");
        folder_with(&staging_path(&dir), "new");
        mark_complete(&dir).expect("mark");
        swap_in(&dir).expect("swap");
        assert_eq!(content(&dir), "new");
        assert!(!old_path(&dir).exists());
        assert!(!complete_marker(&dir).exists());
    }
}
