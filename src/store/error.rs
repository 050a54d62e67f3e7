//! What can go wrong with the database, each with one user-facing message key.

use super::codec::CodecError;
use crate::domain::{Permission, Problem};
use std::io;
use std::path::PathBuf;

/// The problems of one record in a set of changes, by its position in that set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub index: usize,
    pub problems: Vec<Problem>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no sinhke database at {0}")]
    Missing(PathBuf),
    #[error("{0} is not empty and is not a sinhke database")]
    NotADatabase(PathBuf),
    #[error("the database at {0} is already open in another window or program")]
    AlreadyOpen(PathBuf),
    #[error("the database at {path} is damaged: {detail}")]
    Damaged { path: PathBuf, detail: String },
    #[error("the database at {0} was written by a newer version of sinhke")]
    TooNew(PathBuf),
    #[error("the disk is full")]
    DiskFull,
    #[error("the database folder cannot be written to: {0}")]
    ReadOnly(String),
    #[error("the disk refused the operation: {0}")]
    Io(String),
    /// A value in the database does not open or decode: damage, not the disk refusing.
    #[error("a value in the database cannot be read: {0}")]
    Unreadable(String),
    #[error("some records are not valid")]
    Invalid(Vec<Rejected>),
    #[error("the database already holds records")]
    NotEmpty,
    #[error("no such record")]
    NotFound,
    #[error("the person code {0} is already used")]
    CodeTaken(String),
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("no user {0} in this database")]
    UnknownUser(String),
    #[error("a user name is needed")]
    NoUserName,
    #[error("a passphrase needs at least {min} characters", min = super::open::MIN_PASSPHRASE_CHARS)]
    PassphraseTooShort,
    #[error("not allowed for this role: {0:?}")]
    NotAllowed(Permission),
    #[error("this user works in another ward than {0}")]
    OutsideWard(String),
    /// A record an officer of one ward cannot see (another ward's, or none at all).
    #[error("this record is outside your ward")]
    Unseen,
    #[error("there is already a user {0}")]
    UserExists(String),
    #[error("the last supervisor cannot be removed or made an officer")]
    LastSupervisor,
    #[error("the signed-in user cannot remove themselves")]
    RemoveSelf,
    #[error("the operating system gave no randomness")]
    NoRandomness,
    #[error("the backup file {path} cannot be used: {detail}")]
    BadBackup { path: PathBuf, detail: String },
    #[error("{0} is not empty")]
    TargetNotEmpty(PathBuf),
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
    /// A change asked of a database opened from a medium that cannot be written.
    #[error("the database at {0} is on a disk that cannot be written")]
    ReadOnlyMedium(PathBuf),
    #[error("there is no backup file at {0}")]
    NoBackupFile(PathBuf),
    /// A file, folder or link in a database folder that sinhke did not make: nothing
    /// that would replace or wipe the folder goes ahead while it is there.
    #[error("{0} was not made by sinhke")]
    ForeignFile(PathBuf),
    /// A bundle or kit that is not merged, and why. Nothing of it was applied.
    #[error("refused: {0:?}")]
    Refused(Refusal),
}

/// Why a bundle or a kit was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Encrypted for other databases.
    NotForThisDatabase,
    /// Not a sinhke bundle, cut short, or altered (the detail says where).
    Damaged(String),
    /// Made by a newer sinhke.
    TooNew(u16),
    /// The signature is not the sending device's.
    BadSignature,
    /// From a device not accepted yet (its fingerprint): kept until it is.
    Waiting(String),
    /// From a device this database does not exchange with (its fingerprint).
    UnknownDevice(String),
    /// A device id known here with other keys.
    KeyChanged(String),
    /// Older than the last bundle received from that device.
    Older { number: u64, last: u64 },
    /// A version of a record of another ward than the sender's (the ward).
    OtherWard(String),
    /// A bundle made for another ward (the ward).
    NotOurWard(String),
    /// A version whose signature or author does not check out (the version id).
    BadVersion(String),
    /// This database has not joined a ward with a kit (for a ward's command).
    NotJoined,
    /// No accepted device of this ward to send to (the ward).
    NoWardDevice(String),
    /// No device matches this fingerprint.
    NoSuchDevice(String),
    /// A ward this database does not know (the ward).
    UnknownWard(String),
    /// A kit for a database that holds another ward's people (the ward).
    OtherWardsPeople(String),
}

impl Refusal {
    pub fn message_key(&self) -> &'static str {
        match self {
            Refusal::NotForThisDatabase => "sync.refused_not_for_us",
            Refusal::Damaged(_) => "sync.refused_damaged",
            Refusal::TooNew(_) => "sync.refused_too_new",
            Refusal::BadSignature => "sync.refused_signature",
            Refusal::Waiting(_) => "sync.refused_waiting",
            Refusal::UnknownDevice(_) => "sync.refused_unknown_device",
            Refusal::KeyChanged(_) => "sync.refused_key_changed",
            Refusal::Older { .. } => "sync.refused_older",
            Refusal::OtherWard(_) => "sync.refused_other_ward",
            Refusal::NotOurWard(_) => "sync.refused_not_our_ward",
            Refusal::BadVersion(_) => "sync.refused_bad_version",
            Refusal::NotJoined => "sync.refused_not_joined",
            Refusal::NoWardDevice(_) => "sync.refused_no_ward_device",
            Refusal::NoSuchDevice(_) => "sync.refused_no_such_device",
            Refusal::UnknownWard(_) => "sync.refused_unknown_ward",
            Refusal::OtherWardsPeople(_) => "sync.refused_other_wards_people",
        }
    }

    /// What fills `{detail}` in the message.
    pub fn detail(&self) -> String {
        match self {
            Refusal::Damaged(d)
            | Refusal::Waiting(d)
            | Refusal::UnknownDevice(d)
            | Refusal::KeyChanged(d)
            | Refusal::OtherWard(d)
            | Refusal::NotOurWard(d)
            | Refusal::BadVersion(d)
            | Refusal::NoWardDevice(d)
            | Refusal::NoSuchDevice(d)
            | Refusal::UnknownWard(d)
            | Refusal::OtherWardsPeople(d) => d.clone(),
            Refusal::TooNew(v) => v.to_string(),
            Refusal::Older { number, last } => format!("{number} < {last}"),
            Refusal::NotForThisDatabase | Refusal::BadSignature | Refusal::NotJoined => {
                String::new()
            }
        }
    }
}

impl StoreError {
    /// The i18n key of the message a user sees; `{path}` and `{detail}` are filled by the caller.
    pub fn message_key(&self) -> &'static str {
        match self {
            StoreError::Missing(_) => "store.missing",
            StoreError::NotADatabase(_) => "store.not_a_database",
            StoreError::AlreadyOpen(_) => "store.already_open",
            StoreError::Damaged { .. } => "store.damaged",
            StoreError::TooNew(_) => "store.too_new",
            StoreError::DiskFull => "store.disk_full",
            StoreError::Refused(r) => r.message_key(),
            StoreError::ReadOnly(_) => "store.read_only",
            StoreError::Io(_) => "store.io",
            StoreError::Unreadable(_) => "store.unreadable",
            StoreError::Invalid(_) => "store.invalid",
            StoreError::NotEmpty => "store.not_empty",
            StoreError::NotFound => "store.not_found",
            StoreError::CodeTaken(_) => "err.code_taken",
            StoreError::WrongPassphrase => "store.wrong_passphrase",
            StoreError::UnknownUser(_) => "store.unknown_user",
            StoreError::NoUserName => "store.no_user_name",
            StoreError::PassphraseTooShort => "store.passphrase_too_short",
            StoreError::NotAllowed(p) => p.refusal_key(),
            StoreError::OutsideWard(_) => "store.outside_ward",
            StoreError::Unseen => "store.unseen",
            StoreError::UserExists(_) => "store.user_exists",
            StoreError::LastSupervisor => "store.last_supervisor",
            StoreError::RemoveSelf => "store.remove_self",
            StoreError::NoRandomness => "store.no_randomness",
            StoreError::BadBackup { .. } => "store.bad_backup",
            StoreError::TargetNotEmpty(_) => "store.target_not_empty",
            StoreError::ForeignFile(_) => "store.foreign_file",
            StoreError::NoBackupFile(_) => "store.no_backup_file",
            StoreError::ReadOnlyMedium(_) => "store.read_only_medium",
            StoreError::Output(e) => e.message_key(),
        }
    }

    /// A value that cannot be sealed: only missing randomness stops a write.
    pub(crate) fn from_codec(err: CodecError) -> StoreError {
        match err {
            CodecError::NoRandomness => StoreError::NoRandomness,
            other => StoreError::Unreadable(other.to_string()),
        }
    }

    pub(crate) fn from_sled(err: sled::Error, path: &std::path::Path) -> StoreError {
        match err {
            sled::Error::Io(io) => StoreError::from_io(io, path),
            // sled's own words ("corrupt data at None") mean nothing to an officer.
            sled::Error::Corruption { at, .. } => StoreError::Damaged {
                path: path.to_path_buf(),
                detail: match at {
                    Some(at) => format!("a damaged file, at {at}"),
                    None => "a damaged file".to_string(),
                },
            },
            // e.g. "sled version earlier than 0.29" for a mangled `conf` file.
            sled::Error::Unsupported(_) => StoreError::Damaged {
                path: path.to_path_buf(),
                detail: "its files are damaged or are not a database's".to_string(),
            },
            other => StoreError::Damaged {
                path: path.to_path_buf(),
                detail: other.to_string(),
            },
        }
    }

    pub(crate) fn from_io(io: io::Error, path: &std::path::Path) -> StoreError {
        let text = io.to_string();
        if text.contains("could not acquire lock") {
            return StoreError::AlreadyOpen(path.to_path_buf());
        }
        match io.kind() {
            io::ErrorKind::StorageFull => StoreError::DiskFull,
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
                StoreError::ReadOnly(text)
            }
            _ if io.raw_os_error() == Some(28) => StoreError::DiskFull,
            _ => StoreError::Io(text),
        }
    }
}
