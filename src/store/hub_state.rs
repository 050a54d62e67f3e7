//! What this database remembers of the province hub, sealed like every other value: its
//! address, how far it has read the hub's versions and how far its own are there, and
//! the age keys each ward's versions are sealed to. `sync::hub` does the exchange.

use super::audit::AuditDraft;
use super::codec::Stored;
use super::keys::{self, tree_index};
use super::{Op, Store, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How far the hub's versions are read: every row of a transaction before `xact`, and
/// those of `xact` itself whose version id sorts after `after` (empty: none of them).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubCursor {
    pub xact: u64,
    pub after: Vec<u8>,
}

impl Stored for HubCursor {
    const VERSION: u8 = 1;
}

/// Ward code → the secret half of that ward's hub key (`AGE-SECRET-KEY-1…`). A
/// supervisor holds every ward's; a ward laptop its own ward's, once accepted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WardKeys(pub BTreeMap<String, String>);

impl Stored for WardKeys {
    const VERSION: u8 = 1;
}

/// What a pull moved forward, written with the versions it merged.
#[derive(Debug, Default)]
pub struct HubProgress {
    pub pulled: HubCursor,
    /// The ward keys, when the pull brought one.
    pub keys: Option<WardKeys>,
}

impl Store {
    pub fn hub_url(&self) -> Result<Option<String>, StoreError> {
        self.load_sealed_meta(keys::META_HUB_URL)
    }

    /// Keeps the hub's address; an empty one forgets it.
    pub fn set_hub_url(&mut self, url: &str) -> Result<(), StoreError> {
        let key = keys::META_HUB_URL;
        let value = if url.is_empty() {
            None
        } else {
            Some(self.encode_value(keys::META, key, &url.to_string())?)
        };
        let ops = vec![(tree_index(keys::META), key.to_vec(), value)];
        self.commit(ops, &[], AuditDraft::new("set_hub_url"))
    }

    pub fn hub_pulled(&self) -> Result<HubCursor, StoreError> {
        Ok(self
            .load_sealed_meta(keys::META_HUB_PULLED)?
            .unwrap_or_default())
    }

    pub fn hub_pushed(&self) -> Result<u64, StoreError> {
        Ok(self.load_sealed_meta(keys::META_HUB_PUSHED)?.unwrap_or(0))
    }

    pub fn ward_keys(&self) -> Result<WardKeys, StoreError> {
        Ok(self
            .load_sealed_meta(keys::META_HUB_KEYS)?
            .unwrap_or_default())
    }

    /// Records that this database's versions up to log position `to` are on the hub.
    pub(crate) fn note_pushed(&mut self, to: u64, detail: String) -> Result<(), StoreError> {
        let value = self.encode_value(keys::META, keys::META_HUB_PUSHED, &to)?;
        let ops = vec![(
            tree_index(keys::META),
            keys::META_HUB_PUSHED.to_vec(),
            Some(value),
        )];
        self.commit(ops, &[], AuditDraft::new("hub_push").detail(detail))
    }

    /// Keeps ward keys, flushed before any version is sealed to them.
    pub(crate) fn save_ward_keys(&mut self, keys_: &WardKeys) -> Result<(), StoreError> {
        let ops = vec![self.ward_keys_op(keys_)?];
        let wards = keys_.0.keys().cloned().collect::<Vec<_>>().join(" ");
        self.commit(ops, &[], AuditDraft::new("hub_ward_keys").detail(wards))
    }

    fn ward_keys_op(&self, keys_: &WardKeys) -> Result<Op, StoreError> {
        let value = self.encode_value(keys::META, keys::META_HUB_KEYS, keys_)?;
        Ok((
            tree_index(keys::META),
            keys::META_HUB_KEYS.to_vec(),
            Some(value),
        ))
    }

    /// The writes that record a pull's progress, merged in the same transaction as its
    /// versions: a pull stopped at any moment resumes where it stopped.
    pub(crate) fn hub_progress_ops(&self, progress: &HubProgress) -> Result<Vec<Op>, StoreError> {
        let meta = tree_index(keys::META);
        let mut ops = vec![(
            meta,
            keys::META_HUB_PULLED.to_vec(),
            Some(self.encode_value(keys::META, keys::META_HUB_PULLED, &progress.pulled)?),
        )];
        if let Some(keys_) = &progress.keys {
            ops.push(self.ward_keys_op(keys_)?);
        }
        Ok(ops)
    }
}
