//! What the exchange with other databases writes here: known devices, bundles kept
//! until their device is accepted, the number of the last bundle made, a ward's
//! joining, and received versions with everything that travels with them. `sync`
//! reads and checks the files; each write below is one audited, flushed transaction.

use super::AuditEntry;
use super::audit::AuditDraft;
use super::device::{DevicePublic, KnownDevice};
use super::keys::{self, tree_index};
use super::versions::Version;
use super::{MergeReport, Op, Store, StoreError};
use crate::domain::{Id, Schedule};

/// What a received bundle brings besides its versions.
pub struct Arrival {
    pub action: &'static str,
    pub versions: Vec<Version>,
    /// Device records to write (the sender's, with its new last bundle; devices it
    /// vouches for).
    pub devices: Vec<KnownDevice>,
    /// The supervisor's follow-up schedule, in a bundle for a ward.
    pub schedule: Option<Schedule>,
    /// A bundle kept while its device waited, now merged.
    pub pending_done: Option<Id>,
    /// A ward laptop's audit entries, checked link by link (see `sync`), and its device.
    pub audit: Vec<AuditEntry>,
    pub audit_of: Option<Id>,
    /// From the hub: how far this pull has read, written with its versions.
    pub hub: Option<super::HubProgress>,
    pub detail: String,
}

impl Store {
    /// Merges a verified bundle's versions and writes what travels with them, at once.
    pub(crate) fn receive_arrival(&mut self, arrival: Arrival) -> Result<MergeReport, StoreError> {
        let mut extra: Vec<Op> = Vec::new();
        for device in &arrival.devices {
            extra.push(self.device_op(device)?);
        }
        if let Some(schedule) = &arrival.schedule {
            let value = self.encode_value(keys::META, keys::META_SCHEDULE, schedule)?;
            extra.push((
                tree_index(keys::META),
                keys::META_SCHEDULE.to_vec(),
                Some(value),
            ));
        }
        if let Some(id) = arrival.pending_done {
            extra.push((
                tree_index(keys::PENDING_BUNDLES),
                id.to_bytes().to_vec(),
                None,
            ));
        }
        if let Some(device) = arrival.audit_of {
            for entry in &arrival.audit {
                let key = ward_audit_key(device, entry);
                let value = self.encode_value(keys::WARD_AUDIT, &key, entry)?;
                extra.push((tree_index(keys::WARD_AUDIT), key, Some(value)));
            }
        }
        if let Some(progress) = &arrival.hub {
            extra.extend(self.hub_progress_ops(progress)?);
        }
        let draft = AuditDraft::new(arrival.action).detail(arrival.detail);
        let report = self.merge(arrival.versions, extra, draft)?;
        if let Some(schedule) = arrival.schedule {
            self.schedule = schedule;
        }
        Ok(report)
    }

    /// Writes device records (an acceptance, a device heard of for the first time).
    pub(crate) fn save_devices(
        &mut self,
        devices: &[KnownDevice],
        action: &'static str,
        detail: String,
    ) -> Result<(), StoreError> {
        let ops = devices
            .iter()
            .map(|d| self.device_op(d))
            .collect::<Result<Vec<_>, _>>()?;
        self.commit(ops, &[], AuditDraft::new(action).detail(detail))
    }

    /// Keeps a bundle from a device no one has accepted yet (still encrypted, as it
    /// came), with that device's record, to merge once it is accepted.
    pub(crate) fn keep_pending(
        &mut self,
        bundle: Id,
        file: &[u8],
        device: &KnownDevice,
    ) -> Result<(), StoreError> {
        let ops = vec![
            (
                tree_index(keys::PENDING_BUNDLES),
                bundle.to_bytes().to_vec(),
                Some(file.to_vec()),
            ),
            self.device_op(device)?,
        ];
        let draft = AuditDraft::new("sync_keep_pending").detail(device.public.fingerprint());
        self.commit(ops, &[], draft)
    }

    /// The bundles kept while their device waited.
    pub(crate) fn pending_bundles(&self) -> Result<Vec<(Id, Vec<u8>)>, StoreError> {
        Ok(self
            .disk
            .entries(keys::PENDING_BUNDLES)?
            .into_iter()
            .filter_map(|(k, v)| Some((Id::from_bytes(&k)?, v.to_vec())))
            .collect())
    }

    /// The number the next bundle this database makes carries, recorded with the
    /// audit entry of its making: numbers only grow, so an old bundle shows.
    /// (One more than the last, or the time in milliseconds if that is more.)
    pub(crate) fn record_sending(&mut self, detail: String) -> Result<u64, StoreError> {
        let key = keys::META_BUNDLE_NUMBER;
        let last: u64 = self.load_sealed_meta(key)?.unwrap_or(0);
        // The time, when it is later: a laptop restored from an older backup still
        // makes bundles numbered after those it sent before its disk failed.
        let now = crate::domain::dates::now_millis().max(0) as u64;
        let number = (last + 1).max(now);
        let value = self.encode_value(keys::META, key, &number)?;
        let ops = vec![(tree_index(keys::META), key.to_vec(), Some(value))];
        self.commit(ops, &[], AuditDraft::new("sync_send").detail(detail))?;
        Ok(number)
    }

    /// Makes this database a ward laptop of `ward`, exchanging with `supervisor`.
    pub(crate) fn join_ward(
        &mut self,
        ward: &str,
        supervisor: DevicePublic,
        wards: Vec<Version>,
        schedule: Schedule,
    ) -> Result<MergeReport, StoreError> {
        let mut secrets = self.device().secrets.clone();
        secrets.ward = Some(ward.to_string());
        let device_value = self.encode_value(keys::META, keys::META_DEVICE, &secrets)?;
        let fingerprint = supervisor.fingerprint();
        let report = self.receive_arrival(Arrival {
            action: "sync_join",
            versions: wards,
            devices: vec![KnownDevice::new(supervisor, true)],
            schedule: Some(schedule),
            pending_done: None,
            audit: Vec::new(),
            audit_of: None,
            hub: None,
            detail: format!("{ward} {fingerprint}"),
        })?;
        // The ward is set last: a kill before leaves a database that can join again.
        // The user who joined works in that ward from now on.
        let mut user = self.user.clone();
        user.ward = Some(ward.to_string());
        let user_key = user.id.to_bytes().to_vec();
        let ops = vec![
            (
                tree_index(keys::META),
                keys::META_DEVICE.to_vec(),
                Some(device_value),
            ),
            (
                tree_index(keys::USERS),
                user_key.clone(),
                Some(self.encode_value(keys::USERS, &user_key, &user)?),
            ),
        ];
        self.commit(
            ops,
            &[],
            AuditDraft::new("sync_join_ward").detail(ward.to_string()),
        )?;
        self.device = Some(super::device::Device::from_secrets(secrets));
        self.users.insert(user.id, user.clone());
        self.user = user;
        Ok(report)
    }

    /// Forgets a kept bundle that an accepted device's later bundle made useless.
    pub(crate) fn drop_pending(&mut self, bundle: Id) -> Result<(), StoreError> {
        let ops = vec![(
            tree_index(keys::PENDING_BUNDLES),
            bundle.to_bytes().to_vec(),
            None,
        )];
        let draft = AuditDraft::new("sync_drop_pending").detail(bundle.to_string());
        self.commit(ops, &[], draft)
    }

    /// The audit entry of a ward kit's making.
    pub(crate) fn note_kit(&mut self, ward: &str) -> Result<(), StoreError> {
        self.commit(
            vec![],
            &[],
            AuditDraft::new("sync_kit").detail(ward.to_string()),
        )
    }

    /// Gives each of these people the next free code of their ward: after a merge they
    /// shared theirs with someone who had it first. A person's id never changes; the
    /// ward learns the new code from its return bundle. Returns (old, new) codes.
    pub(crate) fn reissue_codes(
        &mut self,
        people: &[Id],
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut changes = Vec::new();
        let mut old = Vec::new();
        for id in people {
            if let Some(p) = self.snapshot.people.get(id) {
                let mut p = p.clone();
                old.push(std::mem::take(&mut p.code));
                changes.push(super::Change::Person(p));
            }
        }
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        let saved = self.apply_as(changes, "reissue_code", true)?;
        Ok(old
            .into_iter()
            .zip(saved.iter().filter_map(|c| match c {
                super::Change::Person(p) => Some(p.code.clone()),
                _ => None,
            }))
            .collect())
    }

    /// This database's own audit entries after `seq`, oldest first.
    pub(crate) fn audit_after(&self, seq: u64) -> Result<Vec<AuditEntry>, StoreError> {
        let mut out = Vec::new();
        for entry in self.disk.tree(keys::AUDIT).range(keys::seq_key(seq + 1)..) {
            let (k, v) = entry.map_err(|e| self.disk.sled_error(e))?;
            out.push(
                self.decode_value::<AuditEntry>(keys::AUDIT, &k, &v)
                    .map_err(StoreError::from_codec)?,
            );
        }
        Ok(out)
    }

    /// A ward laptop's audit entries as received here, in order.
    pub fn ward_audit(&self, device: Id) -> Result<Vec<AuditEntry>, StoreError> {
        let mut out = Vec::new();
        for entry in self
            .disk
            .tree(keys::WARD_AUDIT)
            .scan_prefix(device.to_bytes())
        {
            let (k, v) = entry.map_err(|e| self.disk.sled_error(e))?;
            out.push(
                self.decode_value::<AuditEntry>(keys::WARD_AUDIT, &k, &v)
                    .map_err(StoreError::from_codec)?,
            );
        }
        Ok(out)
    }

    /// The ward this database belongs to, once joined with a kit.
    pub fn joined_ward(&self) -> Option<&str> {
        self.device.as_ref()?.secrets.ward.as_deref()
    }

    /// This database's device as others know it.
    pub fn device_public(&self) -> DevicePublic {
        self.device().public()
    }

    /// The versions in quarantine: (version id, digest of the body that clashed).
    pub fn quarantined(&self) -> Result<Vec<Version>, StoreError> {
        let mut out = Vec::new();
        for (k, v) in self.disk.entries(keys::QUARANTINE)? {
            let version: Version = self
                .decode_value(keys::QUARANTINE, &k, &v)
                .map_err(StoreError::from_codec)?;
            out.push(version);
        }
        Ok(out)
    }
}

impl super::codec::Stored for u64 {
    const VERSION: u8 = 1;
}

/// device, sequence, 8 bytes of the entry's hash: a laptop restored from an older backup
/// numbers its entries again, and both trails are kept.
fn ward_audit_key(device: Id, entry: &AuditEntry) -> Vec<u8> {
    let mut key = device.to_bytes().to_vec();
    key.extend_from_slice(&entry.seq.to_be_bytes());
    key.extend_from_slice(&entry.hash()[..8]);
    key
}
