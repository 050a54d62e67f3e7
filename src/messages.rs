//! What a store error says to a person, in their language: shared by the commands and
//! the terminal program, so it lives below both.

use crate::i18n::{Lang, tf};
use crate::store::StoreError;

/// A store error in words, with its path and detail filled in.
pub fn store_message(err: &StoreError, lang: Lang) -> String {
    let (path, detail) = match err {
        StoreError::Missing(p)
        | StoreError::NotADatabase(p)
        | StoreError::AlreadyOpen(p)
        | StoreError::TooNew(p) => (p.display().to_string(), String::new()),
        StoreError::Damaged { path, detail } | StoreError::BadBackup { path, detail } => {
            (path.display().to_string(), detail.clone())
        }
        StoreError::TargetNotEmpty(p)
        | StoreError::ForeignFile(p)
        | StoreError::NoBackupFile(p) => (p.display().to_string(), String::new()),
        StoreError::Output(e) => e.path_and_detail(),
        StoreError::ReadOnly(d)
        | StoreError::Io(d)
        | StoreError::Unreadable(d)
        | StoreError::CodeTaken(d)
        | StoreError::UnknownUser(d)
        | StoreError::UserExists(d)
        | StoreError::OutsideWard(d) => (String::new(), d.clone()),
        StoreError::Refused(r) => (String::new(), r.detail()),
        _ => (String::new(), String::new()),
    };
    tf(
        lang,
        err.message_key(),
        &[
            ("path", &path),
            ("detail", &detail),
            ("min", &crate::store::MIN_PASSPHRASE_CHARS),
        ],
    )
}
