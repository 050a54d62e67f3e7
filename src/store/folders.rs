//! The folders an officer chooses once and sinhke remembers: where backups go, and
//! where bundles are sent and found. Both are sealed in meta: a path can name a
//! person's laptop or stick.

use super::audit::AuditDraft;
use super::{Store, StoreError, keys};
use std::path::Path;

impl Store {
    /// The folder chosen once for backups, if any.
    pub fn backup_folder(&self) -> Option<&Path> {
        self.backup_folder.as_deref()
    }

    pub fn set_backup_folder(&mut self, folder: &Path) -> Result<(), StoreError> {
        self.remember_folder(keys::META_BACKUP_FOLDER, folder, "set_backup_folder")?;
        self.backup_folder = Some(folder.to_path_buf());
        Ok(())
    }

    /// The folder bundles are written to and read from, if chosen.
    pub fn exchange_folder(&self) -> Option<&Path> {
        self.exchange_folder.as_deref()
    }

    pub fn set_exchange_folder(&mut self, folder: &Path) -> Result<(), StoreError> {
        self.remember_folder(keys::META_EXCHANGE_FOLDER, folder, "set_exchange_folder")?;
        self.exchange_folder = Some(folder.to_path_buf());
        Ok(())
    }

    fn remember_folder(
        &mut self,
        key: &'static [u8],
        folder: &Path,
        action: &'static str,
    ) -> Result<(), StoreError> {
        let text = folder.to_string_lossy().into_owned();
        let value = self.encode_value(keys::META, key, &text)?;
        let ops = vec![(keys::tree_index(keys::META), key.to_vec(), Some(value))];
        self.commit(ops, &[], AuditDraft::new(action))
    }
}
