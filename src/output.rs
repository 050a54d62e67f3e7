//! Files sinhke writes outside its database: exports and backups. Each is written into
//! a new temporary beside the target — created new (never an existing file, never
//! through a link), readable by its owner only — flushed, then renamed over the
//! target, so a half-written file never looks finished. On Linux the temporary has no
//! name until it is complete, so a kill leaves nothing with names in it behind; a
//! target inside the database folder is refused before anything is opened.

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// Writing there would overwrite the database's own files.
    #[error("{0} is inside the database folder")]
    InsideDatabase(PathBuf),
    #[error("{0} is a folder")]
    IsFolder(PathBuf),
    #[error("{0}")]
    Io(#[from] io::Error),
}

impl OutputError {
    /// The i18n key of the message; `{path}` and `{detail}` are filled by the caller.
    pub fn message_key(&self) -> &'static str {
        match self {
            OutputError::InsideDatabase(_) => "output.inside_database",
            OutputError::IsFolder(_) => "output.is_folder",
            OutputError::Io(_) => "output.io",
        }
    }

    /// The path and the detail its message names.
    pub fn path_and_detail(&self) -> (String, String) {
        match self {
            OutputError::InsideDatabase(p) | OutputError::IsFolder(p) => {
                (p.display().to_string(), String::new())
            }
            OutputError::Io(e) => (String::new(), e.to_string()),
        }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: crate::i18n::Lang) -> String {
        let (path, detail) = self.path_and_detail();
        crate::i18n::tf(
            lang,
            self.message_key(),
            &[("path", &path), ("detail", &detail)],
        )
    }
}

/// Where an export or a backup goes, checked to be outside the database.
#[derive(Clone, Debug)]
pub struct OutputFile {
    target: PathBuf,
}

/// Temporaries are named `.sinhke-XXXXXX.partial`; older ones than this in a target
/// folder were left by a kill and are removed (they are ours: that prefix, our owner).
const LEFTOVER_AGE: std::time::Duration = std::time::Duration::from_secs(600);
const TEMP_PREFIX: &str = ".sinhke-";
const TEMP_SUFFIX: &str = ".partial";

impl OutputFile {
    /// `path`, unless it lies inside the database folder `database` or the folders a
    /// restore or an upgrade makes beside it (`DIR.sinhke-new`, `DIR.sinhke-old`).
    pub fn outside(path: &Path, database: &Path) -> Result<OutputFile, OutputError> {
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
            return Err(OutputError::IsFolder(path.to_path_buf()));
        }
        let target_dir = real_parent(path);
        let database = real(database);
        let mut protected = vec![database.clone()];
        if let Some(name) = database.file_name() {
            for suffix in [".sinhke-new", ".sinhke-old"] {
                let mut sibling = name.to_os_string();
                sibling.push(suffix);
                protected.push(database.with_file_name(sibling));
            }
        }
        if protected.iter().any(|p| target_dir.starts_with(p)) {
            return Err(OutputError::InsideDatabase(path.to_path_buf()));
        }
        Ok(OutputFile {
            target: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.target
    }

    /// Writes what `fill` writes into a new owner-only temporary beside the target,
    /// flushes it to the disk, and renames it over the target. On any failure the
    /// temporary is removed and the target is as it was.
    pub fn write<T, E: From<OutputError>>(
        &self,
        fill: impl FnOnce(&mut BufWriter<File>) -> Result<T, E>,
    ) -> Result<T, E> {
        let folder = folder_of(&self.target);
        remove_leftovers(&folder);
        let temp = Temporary::new(&folder).map_err(OutputError::Io)?;
        let mut out = BufWriter::new(temp.file().map_err(OutputError::Io)?);
        let value = fill(&mut out)?;
        let finish = || -> io::Result<()> {
            let file = out.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            temp.persist(file, &self.target)
        };
        finish().map_err(OutputError::Io)?;
        Ok(value)
    }
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A path with its links resolved as far as it exists (the rest appended as given).
fn real(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(resolved) = std::fs::canonicalize(existing) {
            return rest.iter().rev().fold(resolved, |p, part| p.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

fn real_parent(path: &Path) -> PathBuf {
    real(&folder_of(path))
}

/// The temporary an output is written into before it takes the target's name.
enum Temporary {
    /// Linux: a file with no name (O_TMPFILE) that a kill makes vanish.
    #[cfg(target_os = "linux")]
    Unnamed { file: File, folder: PathBuf },
    /// Elsewhere, or on file systems without unnamed files (FAT sticks): a named one.
    Named(tempfile::NamedTempFile),
}

impl Temporary {
    fn new(folder: &Path) -> io::Result<Temporary> {
        #[cfg(target_os = "linux")]
        if let Some(file) = unnamed_in(folder) {
            return Ok(Temporary::Unnamed {
                file,
                folder: folder.to_path_buf(),
            });
        }
        // tempfile creates with O_EXCL (never an existing file or a link) and, on Unix,
        // mode 0600.
        let named = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(TEMP_SUFFIX)
            .tempfile_in(folder)?;
        Ok(Temporary::Named(named))
    }

    fn file(&self) -> io::Result<File> {
        match self {
            #[cfg(target_os = "linux")]
            Temporary::Unnamed { file, .. } => file.try_clone(),
            Temporary::Named(named) => named.as_file().try_clone(),
        }
    }

    fn persist(self, written: File, target: &Path) -> io::Result<()> {
        drop(written);
        match self {
            #[cfg(target_os = "linux")]
            Temporary::Unnamed { file, folder } => {
                // Give it a fresh name beside the target, then rename over the target
                // (linkat cannot replace an existing file). Only this instant leaves a
                // name that a kill could strand; the next write removes it.
                let mut random = [0u8; 8];
                getrandom::fill(&mut random)
                    .map_err(|_| io::Error::other("no randomness from the operating system"))?;
                let name = folder.join(format!(
                    "{TEMP_PREFIX}{:016x}{TEMP_SUFFIX}",
                    u64::from_le_bytes(random)
                ));
                link_unnamed(&file, &name)?;
                std::fs::rename(&name, target).inspect_err(|_| {
                    let _ = std::fs::remove_file(&name);
                })?;
                sync_folder(&folder);
                Ok(())
            }
            Temporary::Named(named) => {
                named.persist(target).map_err(|e| e.error)?;
                sync_folder(&folder_of(target));
                Ok(())
            }
        }
    }
}

#[cfg(target_os = "linux")]
fn unnamed_in(folder: &Path) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .mode(0o600)
        .custom_flags(libc::O_TMPFILE)
        .open(folder)
        .ok()
}

/// Names an O_TMPFILE file through /proc, which needs no privilege (AT_EMPTY_PATH does).
#[cfg(target_os = "linux")]
fn link_unnamed(file: &File, name: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::io::AsRawFd;
    let from =
        CString::new(format!("/proc/self/fd/{}", file.as_raw_fd())).map_err(io::Error::other)?;
    let to = CString::new(name.as_os_str().as_bytes()).map_err(io::Error::other)?;
    // SAFETY: both are valid NUL-terminated paths that outlive the call.
    let done = unsafe {
        libc::linkat(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::AT_SYMLINK_FOLLOW,
        )
    };
    if done == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Makes the rename itself durable where the platform allows syncing a folder.
fn sync_folder(folder: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = File::open(folder) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = folder;
}

/// Removes temporaries a killed export or backup left in `folder`: our prefix and
/// suffix, a plain file (not a link) with one name, ours, and not being written now.
fn remove_leftovers(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)) {
            continue;
        }
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age > LEFTOVER_AGE);
        if meta.is_file() && old && is_ours_alone(&meta) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

#[cfg(unix)]
fn is_ours_alone(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions.
    meta.nlink() == 1 && meta.uid() == unsafe { libc::geteuid() }
}

#[cfg(not(unix))]
fn is_ours_alone(_meta: &std::fs::Metadata) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::io::Write;

    fn write_all(file: &OutputFile, bytes: &[u8]) -> Result<(), OutputError> {
        file.write(|out| Ok(out.write_all(bytes)?))
    }

    #[test]
    fn a_target_inside_the_database_folder_or_beside_it_is_refused() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let db = tmp.path().join("data");
        std::fs::create_dir_all(db.join("blobs")).expect("mkdir");
        for inside in [
            db.join("db"),
            db.join("conf"),
            db.join("blobs").join("1"),
            db.join("new.csv"),
            tmp.path().join("data.sinhke-new").join("db"),
        ] {
            assert!(
                matches!(
                    OutputFile::outside(&inside, &db),
                    Err(OutputError::InsideDatabase(_))
                ),
                "{}",
                inside.display()
            );
        }
        assert!(matches!(
            OutputFile::outside(&db, &db),
            Err(OutputError::IsFolder(_))
        ));
        assert!(OutputFile::outside(&tmp.path().join("ward-figures.csv"), &db).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_the_database_folder_does_not_get_around_the_refusal() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let db = tmp.path().join("data");
        std::fs::create_dir_all(&db).expect("mkdir");
        let link = tmp.path().join("innocent");
        std::os::unix::fs::symlink(&db, &link).expect("symlink");
        assert!(matches!(
            OutputFile::outside(&link.join("db"), &db),
            Err(OutputError::InsideDatabase(_))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn an_output_is_owner_only_and_leaves_no_temporary_behind() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().expect("tempdir");
        let target = tmp.path().join("out.csv");
        let file = OutputFile::outside(&target, &tmp.path().join("db")).expect("outside");
        write_all(&file, b"a,b\n").expect("write");
        assert_eq!(std::fs::read(&target).expect("read"), b"a,b\n");
        let mode = std::fs::metadata(&target)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "mode {mode:o}");
        let names: Vec<_> = std::fs::read_dir(tmp.path())
            .expect("dir")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_link_at_the_target_is_replaced_not_followed() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let victim = tmp.path().join("victim.txt");
        std::fs::write(&victim, "keep me").expect("write");
        let target = tmp.path().join("out.csv");
        std::os::unix::fs::symlink(&victim, &target).expect("symlink");
        let file = OutputFile::outside(&target, &tmp.path().join("db")).expect("outside");
        write_all(&file, b"export").expect("write");
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "keep me");
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "export");
        assert!(!std::fs::symlink_metadata(&target).expect("m").is_symlink());
    }

    #[test]
    fn a_failed_write_leaves_the_target_as_it_was_and_no_temporary() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let target = tmp.path().join("out.csv");
        std::fs::write(&target, "before").expect("write");
        let file = OutputFile::outside(&target, &tmp.path().join("db")).expect("outside");
        let result: Result<(), OutputError> = file.write(|out| {
            out.write_all(b"half")?;
            Err(io::Error::other("the stick was pulled").into())
        });
        assert!(result.is_err());
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "before");
        assert_eq!(std::fs::read_dir(tmp.path()).expect("dir").count(), 1);
    }
}
