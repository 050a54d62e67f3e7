//! A folder of bundles (a USB stick, a shared folder): what the sync screen sends into
//! and receives from. A bundle's name says its ward, its direction and the device that
//! made it, so each side picks up only what travels its way, oldest first; what it
//! picks up is still checked in full by `receive`.

use super::exchange::{Received, Sent, Target, receive, send};
use crate::output::{OutputError, OutputFile};
use crate::store::{Store, StoreError};
use std::path::{Path, PathBuf};

/// How bundle files end (the CLI takes any name; these are the ones the screen writes).
pub const EXTENSION: &str = "sinhke-bundle";
const TO_SUPERVISOR: &str = "-to-supervisor-";
const TO_WARD: &str = "-to-ward-";

/// A bundle file found in the folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    pub name: String,
    pub bytes: u64,
}

/// The bundles in `folder` this database may be meant to receive, in the order to
/// receive them: a ward laptop takes its own ward's return bundles, the supervisor
/// every ward's bundles; neither picks up the ones it writes itself.
pub fn bundles_in(store: &Store, folder: &Path) -> std::io::Result<Vec<Found>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() || !looks_like_a_bundle(&name) || !meant_for(store, &name) {
            continue;
        }
        out.push(Found {
            path: entry.path(),
            name,
            bytes: meta.len(),
        });
    }
    // The names hold the ward, the device and the time: in name order, each device's
    // bundles come oldest first, as `receive` wants them.
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn looks_like_a_bundle(name: &str) -> bool {
    let lower = name.to_lowercase();
    !lower.starts_with('.')
        && (lower.ends_with(&format!(".{EXTENSION}")) || lower.ends_with(".bundle"))
}

/// Whether a file's name says it travels towards this database. A name the screen did
/// not write (renamed by a messaging app) is tried: `receive` checks it anyway.
fn meant_for(store: &Store, name: &str) -> bool {
    let upper = name.to_uppercase();
    let to_ward = name.contains(TO_WARD);
    let to_supervisor = name.contains(TO_SUPERVISOR);
    match store.joined_ward() {
        Some(own) => {
            !to_supervisor
                && (!to_ward || upper.starts_with(&format!("{own}{TO_WARD}").to_uppercase()))
        }
        None => !to_ward,
    }
}

/// The name of a bundle written now: ward, direction, the first group of the maker's
/// fingerprint (two laptops of one ward never clash), and the time.
pub fn file_name(
    ward: &str,
    target: &Target,
    fingerprint: &str,
    at: chrono::DateTime<chrono::Local>,
) -> String {
    let direction = match target {
        Target::Supervisor => TO_SUPERVISOR,
        Target::Ward(_) => TO_WARD,
    };
    let device = fingerprint.split('-').next().unwrap_or_default();
    format!(
        "{ward}{direction}{device}-{}.{EXTENSION}",
        at.format("%Y%m%d-%H%M%S")
    )
}

/// One bundle written, or why not.
#[derive(Debug)]
pub struct Written {
    pub ward: String,
    pub result: Result<(PathBuf, Sent), StoreError>,
}

/// The targets this database sends to: its supervisor (a ward laptop), or each ward
/// that has a laptop accepted here (the supervisor).
pub fn targets(store: &Store) -> Result<Vec<Target>, StoreError> {
    if store.joined_ward().is_some() {
        return Ok(vec![Target::Supervisor]);
    }
    let mut wards: Vec<String> = store
        .known_devices()?
        .values()
        .filter(|d| d.accepted)
        .filter_map(|d| d.public.ward.clone())
        .collect();
    wards.sort();
    wards.dedup();
    Ok(wards.into_iter().map(Target::Ward).collect())
}

/// Writes the bundle for `target` into `folder` under a new name.
pub fn send_into(store: &mut Store, folder: &Path, target: Target) -> Written {
    let ward = match &target {
        Target::Ward(w) => w.clone(),
        Target::Supervisor => store.joined_ward().unwrap_or_default().to_string(),
    };
    let name = file_name(
        &ward,
        &target,
        &store.device_public().fingerprint(),
        chrono::Local::now(),
    );
    let path = unused(folder.join(name));
    // The place is checked before a bundle number is used up.
    let result = OutputFile::outside(&path, store.path())
        .map_err(StoreError::Output)
        .and_then(|file| {
            let sent = send(store, target, false)?;
            file.write(|w| {
                use std::io::Write;
                Ok::<(), OutputError>(w.write_all(&sent.file)?)
            })
            .map_err(StoreError::Output)?;
            Ok((path, sent))
        });
    Written { ward, result }
}

/// `path`, or the same name with "-2", "-3"... when a file has it already: a bundle
/// never replaces a file.
fn unused(path: PathBuf) -> PathBuf {
    if !path.exists() {
        return path;
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    (2..)
        .map(|n| path.with_file_name(format!("{stem}-{n}.{EXTENSION}")))
        .find(|p| !p.exists())
        .expect("some number is free")
}

/// Receives one bundle file.
pub fn receive_from(store: &mut Store, path: &Path) -> Result<Received, ReceiveError> {
    let bytes = std::fs::read(path).map_err(ReceiveError::Read)?;
    receive(store, &bytes).map_err(ReceiveError::Store)
}

#[derive(Debug)]
pub enum ReceiveError {
    Read(std::io::Error),
    Store(StoreError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_name_says_ward_direction_device_and_time() {
        let at = chrono::TimeZone::with_ymd_and_hms(&chrono::Local, 2026, 12, 2, 9, 5, 7).unwrap();
        assert_eq!(
            file_name("CT", &Target::Supervisor, "7F3A-91C2-04BD-E5A1", at),
            "CT-to-supervisor-7F3A-20261202-090507.sinhke-bundle"
        );
        assert_eq!(
            file_name("CT", &Target::Ward("CT".into()), "0A0B-0000-0000-0000", at),
            "CT-to-ward-0A0B-20261202-090507.sinhke-bundle"
        );
    }

    #[test]
    fn names_not_ours_and_hidden_files_are_not_bundles() {
        assert!(looks_like_a_bundle(
            "CT-to-ward-0A0B-20261202-090507.sinhke-bundle"
        ));
        assert!(looks_like_a_bundle("ct-week12.BUNDLE"));
        assert!(!looks_like_a_bundle("report.csv"));
        assert!(!looks_like_a_bundle(".sinhke-x.partial"));
    }

    #[test]
    fn an_existing_file_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("CT-to-ward-0A0B-1.sinhke-bundle");
        std::fs::write(&first, b"x").unwrap();
        let next = unused(first.clone());
        assert_eq!(next, dir.path().join("CT-to-ward-0A0B-1-2.sinhke-bundle"));
    }
}
