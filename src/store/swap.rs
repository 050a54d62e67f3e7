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

/// Overwrites every file under `path` with zeros, then removes it. On SSDs and
/// journaling file systems the old blocks may survive elsewhere: see README.
pub(crate) fn wipe_and_remove(path: &Path) -> Result<(), StoreError> {
    wipe(path);
    match fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(e, path)),
    }
}

fn wipe(path: &Path) {
    let Ok(entries) = fs::read_dir(path) else {
        return;
    };
    for entry in entries.flatten() {
        let p = entry.path();
        if p.is_dir() {
            wipe(&p);
        } else if let Ok(len) = entry.metadata().map(|m| m.len())
            && let Ok(mut file) = fs::OpenOptions::new().write(true).open(&p)
        {
            let zeros = vec![0u8; 64 * 1024];
            let mut left = len;
            while left > 0 {
                let n = left.min(zeros.len() as u64) as usize;
                if file.write_all(&zeros[..n]).is_err() {
                    break;
                }
                left -= n as u64;
            }
            let _ = file.sync_all();
        }
    }
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
