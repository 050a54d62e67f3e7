//! The store's side of versions (see `versions`): this database's device, the version
//! written with every save, the upgrade that gives an older database its versions, and
//! merging versions received from elsewhere into the current values.

use super::audit::AuditDraft;
use super::changes::{Change, Overlay, placement};
use super::codec::{self, Stored};
use super::device::{Device, DeviceSecrets, KnownDevice};
use super::keys::{self, tree_index};
use super::versions::{self, Origin, RecordKind, RecordRef, Version, VersionMeta};
use super::{Op, Store, StoreError};
use crate::domain::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

impl Stored for VersionMeta {
    const VERSION: u8 = 1;
}

/// What a save adds to the version history while its changes are written.
pub(crate) struct VersionBatch {
    next_seq: u64,
    clock: u64,
    /// The version made for each record earlier in the same action.
    staged: HashMap<RecordRef, Id>,
    /// Records this action resolves: their new version follows every head.
    resolving: BTreeSet<RecordRef>,
}

/// What merging received versions did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Versions this database did not have.
    pub added: usize,
    /// Versions it had already (a bundle received twice, overlapping bundles).
    pub known: usize,
    /// Records seen here for the first time.
    pub new_records: usize,
    /// Records whose current value changed.
    pub updated: usize,
    /// Records in conflict after the merge, and how many of them are new conflicts.
    pub conflicts: usize,
    pub new_conflicts: usize,
    /// Versions whose id is known here with a different body: kept apart, not merged.
    pub quarantined: usize,
    /// People whose code another person here already has (the code stays with the
    /// first; see `reissue_clashing_codes`).
    pub code_clashes: Vec<Id>,
    /// People seen here for the first time.
    pub new_people: Vec<Id>,
}

impl MergeReport {
    /// Adds a later merge's report to this one (a pull merges page by page).
    pub fn absorb(&mut self, later: MergeReport) {
        self.added += later.added;
        self.known += later.known;
        self.new_records += later.new_records;
        self.updated += later.updated;
        // A count of records in conflict now, not of what the merge did.
        self.conflicts = later.conflicts;
        self.new_conflicts += later.new_conflicts;
        self.quarantined += later.quarantined;
        self.code_clashes.extend(later.code_clashes);
        self.new_people.extend(later.new_people);
    }
}

impl Store {
    /// Opens this database's device and history, giving a database from before
    /// versions its device and a root version of every record, in one step that a
    /// kill leaves undone (done again on the next open) or done.
    pub(crate) fn prepare_versions(&mut self) -> Result<(), StoreError> {
        if let Some(secrets) = self.load_sealed_meta::<DeviceSecrets>(keys::META_DEVICE)? {
            self.device = Some(Device::from_secrets(secrets));
        }
        self.clock = self
            .disk
            .get(keys::META, keys::META_CLOCK)?
            .and_then(|v| v.as_ref().try_into().ok().map(u64::from_be_bytes))
            .unwrap_or(0);
        let versioned = self.disk.get(keys::META, keys::META_VERSIONED)?.is_some();
        if (self.device.is_none() || !versioned) && !self.is_read_only() {
            self.upgrade_to_versions()?;
        }
        if self.device.is_none() {
            // A read-only copy of a database from before versions: nothing is saved
            // in it, so an identity of the moment is enough.
            self.device = Some(Device::generate(self.new_id())?);
        }
        self.log_seq = self.last_log_seq()?;
        self.conflicts = self
            .disk
            .tree(keys::CONFLICTS)
            .iter()
            .keys()
            .filter_map(|k| k.ok())
            .filter_map(|k| RecordRef::from_index_key(&k).map(|(r, _)| r))
            .collect();
        Ok(())
    }

    pub(crate) fn load_sealed_meta<T: Stored>(&self, key: &[u8]) -> Result<Option<T>, StoreError> {
        match self.disk.get(keys::META, key)? {
            None => Ok(None),
            Some(bytes) => self
                .decode_value(keys::META, key, &bytes)
                .map(Some)
                .map_err(StoreError::from_codec),
        }
    }

    fn last_log_seq(&self) -> Result<u64, StoreError> {
        let last = self
            .disk
            .tree(keys::VERSION_LOG)
            .last()
            .map_err(|e| self.disk.sled_error(e))?;
        Ok(last
            .and_then(|(k, _)| k.as_ref().try_into().ok().map(u64::from_be_bytes))
            .unwrap_or(0))
    }

    /// Every record gets a root version; the device is made if there is none.
    fn upgrade_to_versions(&mut self) -> Result<(), StoreError> {
        // What an interrupted upgrade left is made again from the records.
        for tree in [
            keys::VERSIONS,
            keys::RECORD_VERSIONS,
            keys::VERSION_LOG,
            keys::CONFLICTS,
        ] {
            self.disk
                .tree(tree)
                .clear()
                .map_err(|e| self.disk.sled_error(e))?;
        }
        let device = match self.device.take() {
            Some(d) => d,
            None => Device::generate(self.new_id())?,
        };
        let mut wards_of_people: HashMap<Id, String> = HashMap::new();
        for (key, value) in self.disk.entries(keys::PEOPLE)? {
            if let Ok(p) = self.decode_value::<Person>(keys::PEOPLE, &key, &value) {
                wards_of_people.insert(p.id, p.ward);
            }
        }
        let mut batch = self.version_batch();
        let mut made = 0usize;
        const CHUNK: usize = 2_000;
        let mut ops: Vec<Op> = Vec::new();
        for kind in RecordKind::ALL {
            let tree = kind.tree();
            for (key, value) in self.disk.entries(tree)? {
                let Some((body, ward)) = self.body_and_ward(kind, &key, &value, &wards_of_people)
                else {
                    continue; // `check` reports a value that does not open
                };
                let record = RecordRef {
                    kind,
                    key: key.to_vec(),
                };
                self.push_version(&device, &mut batch, record, vec![], &ward, body, &mut ops)?;
                made += 1;
                if ops.len() >= CHUNK {
                    self.disk.write_chunk(&ops)?;
                    ops.clear();
                }
            }
        }
        self.disk.write_chunk(&ops)?;
        self.disk.flush()?;
        let mut finish = vec![
            (
                tree_index(keys::META),
                keys::META_VERSIONED.to_vec(),
                Some(vec![1]),
            ),
            (
                tree_index(keys::META),
                keys::META_DEVICE.to_vec(),
                Some(self.encode_value(keys::META, keys::META_DEVICE, &device.secrets)?),
            ),
        ];
        finish.push(clock_op(batch.clock));
        let draft = AuditDraft::new("prepare_versions").detail(made.to_string());
        self.commit(finish, &[], draft)?;
        self.finish_batch(batch);
        self.device = Some(device);
        Ok(())
    }

    fn body_and_ward(
        &self,
        kind: RecordKind,
        key: &[u8],
        value: &[u8],
        wards_of_people: &HashMap<Id, String>,
    ) -> Option<(Vec<u8>, String)> {
        let tree = kind.tree();
        let of = |id: Id| wards_of_people.get(&id).cloned().unwrap_or_default();
        Some(match kind {
            RecordKind::Ward => {
                let r: Ward = self.decode_value(tree, key, value).ok()?;
                (codec::encode(&r), String::new())
            }
            RecordKind::Person => {
                let r: Person = self.decode_value(tree, key, value).ok()?;
                let ward = r.ward.clone();
                (codec::encode(&r), ward)
            }
            RecordKind::Plan => {
                let r: LivelihoodPlan = self.decode_value(tree, key, value).ok()?;
                (codec::encode(&r), of(r.person_id))
            }
            RecordKind::Grant => {
                let r: Grant = self.decode_value(tree, key, value).ok()?;
                (codec::encode(&r), of(r.person_id))
            }
            RecordKind::Milestone => {
                let r: Milestone = self.decode_value(tree, key, value).ok()?;
                (codec::encode(&r), of(r.person_id))
            }
            RecordKind::Referral => {
                let r: Referral = self.decode_value(tree, key, value).ok()?;
                (codec::encode(&r), of(r.person_id))
            }
        })
    }

    pub(crate) fn version_batch(&self) -> VersionBatch {
        VersionBatch {
            next_seq: self.log_seq,
            clock: self.clock,
            staged: HashMap::new(),
            resolving: BTreeSet::new(),
        }
    }

    pub(crate) fn resolving_batch(&self, records: &[RecordRef]) -> VersionBatch {
        let mut batch = self.version_batch();
        batch.resolving = records.iter().cloned().collect();
        batch
    }

    /// Once the write that carried a batch is on disk.
    pub(crate) fn finish_batch(&mut self, batch: VersionBatch) {
        self.log_seq = batch.next_seq;
        self.clock = batch.clock;
        for record in &batch.resolving {
            self.conflicts.remove(record);
        }
    }

    /// The version a saved change makes, and its index and log entries.
    pub(crate) fn version_ops(
        &self,
        batch: &mut VersionBatch,
        change: &Change,
        overlay: &Overlay,
        existed: bool,
        ops: &mut Vec<Op>,
    ) -> Result<(), StoreError> {
        let device = self.device.as_ref().ok_or(StoreError::NotFound)?;
        let (tree, key, _) = placement(change);
        let kind = RecordKind::of_tree(tree).ok_or(StoreError::NotFound)?;
        let record = RecordRef { kind, key };
        let resolving = batch.resolving.contains(&record);
        let parents = match batch.staged.get(&record) {
            Some(earlier) => vec![*earlier],
            None if resolving => self.heads_of(&record)?,
            // An edit follows the value it was made from; a record in conflict stays
            // in conflict until it is resolved.
            None if existed => self.heads_of(&record)?.into_iter().take(1).collect(),
            None => vec![],
        };
        if resolving {
            ops.push((tree_index(keys::CONFLICTS), record.index_key(), None));
        }
        let ward = ward_of(change, overlay);
        self.push_version(
            device,
            batch,
            record,
            parents,
            &ward,
            plain_body(change),
            ops,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn push_version(
        &self,
        device: &Device,
        batch: &mut VersionBatch,
        record: RecordRef,
        parents: Vec<Id>,
        ward: &str,
        body: Vec<u8>,
        ops: &mut Vec<Op>,
    ) -> Result<(), StoreError> {
        batch.clock = versions::next_clock(batch.clock);
        let version = versions::make_version(
            device,
            record.clone(),
            parents,
            batch.clock,
            &self.user.name,
            ward,
            body,
        );
        batch.staged.insert(record, version.id);
        self.version_entries(&version, Origin::Here, &mut batch.next_seq, ops)?;
        Ok(())
    }

    /// A version's own entry, its place in its record's history and in the log.
    fn version_entries(
        &self,
        version: &Version,
        origin: Origin,
        seq: &mut u64,
        ops: &mut Vec<Op>,
    ) -> Result<(), StoreError> {
        let id_key = version.id.to_bytes().to_vec();
        ops.push((
            tree_index(keys::VERSIONS),
            id_key.clone(),
            Some(self.encode_value(keys::VERSIONS, &id_key, version)?),
        ));
        let mut history_key = version.record.index_key();
        history_key.extend_from_slice(&id_key);
        ops.push((
            tree_index(keys::RECORD_VERSIONS),
            history_key,
            Some(codec::encode(&version.meta())),
        ));
        *seq += 1;
        ops.push((
            tree_index(keys::VERSION_LOG),
            keys::seq_key(*seq),
            Some(versions::log_value(version.id, origin)),
        ));
        Ok(())
    }

    /// The clock entry a write that made versions ends with.
    pub(crate) fn batch_clock_op(batch: &VersionBatch) -> Op {
        clock_op(batch.clock)
    }

    /// Every version of a record: (version id, its place in the history).
    pub fn history(&self, record: &RecordRef) -> Result<Vec<(Id, VersionMeta)>, StoreError> {
        let prefix = record.index_key();
        let mut out = Vec::new();
        for entry in self.disk.tree(keys::RECORD_VERSIONS).scan_prefix(&prefix) {
            let (k, v) = entry.map_err(|e| self.disk.sled_error(e))?;
            let (Some(id), Ok(meta)) = (
                Id::from_bytes(&k[prefix.len()..]),
                codec::decode::<VersionMeta>(&v),
            ) else {
                continue;
            };
            out.push((id, meta));
        }
        Ok(out)
    }

    /// A record's heads, winner first.
    pub fn heads_of(&self, record: &RecordRef) -> Result<Vec<Id>, StoreError> {
        Ok(versions::heads(&self.history(record)?))
    }

    /// One version as stored here.
    /// Whether this database holds the version (without opening it).
    pub fn has_version(&self, id: Id) -> Result<bool, StoreError> {
        Ok(self.disk.get(keys::VERSIONS, &id.to_bytes())?.is_some())
    }

    pub fn version(&self, id: Id) -> Result<Option<Version>, StoreError> {
        let key = id.to_bytes();
        match self.disk.get(keys::VERSIONS, &key)? {
            None => Ok(None),
            Some(bytes) => self
                .decode_value(keys::VERSIONS, &key, &bytes)
                .map(Some)
                .map_err(StoreError::from_codec),
        }
    }

    /// The records in conflict (more than one head).
    pub fn conflicts(&self) -> &BTreeSet<RecordRef> {
        &self.conflicts
    }

    /// The records in conflict the signed-in user may see: an officer of one ward sees
    /// that ward's (the snapshot holds only their people), a supervisor every one.
    pub fn visible_conflicts(&self) -> Vec<&RecordRef> {
        self.conflicts.iter().filter(|r| self.may_see(r)).collect()
    }

    pub(crate) fn may_see(&self, record: &RecordRef) -> bool {
        if self.user.ward.is_none() {
            return true;
        }
        match record.id() {
            Some(id) => self.snapshot.person_of_record(id).is_some(),
            None => true, // a ward: every user sees the list of wards
        }
    }

    /// This database's log position: how many versions it has made or received.
    pub fn log_position(&self) -> u64 {
        self.log_seq
    }

    /// The versions logged after `after`, in log order, with where each came from.
    pub(crate) fn logged_after(&self, after: u64) -> Result<Vec<(u64, Id, Origin)>, StoreError> {
        let mut out = Vec::new();
        let start = keys::seq_key(after + 1);
        for entry in self.disk.tree(keys::VERSION_LOG).range(start..) {
            let (k, v) = entry.map_err(|e| self.disk.sled_error(e))?;
            let seq = k.as_ref().try_into().ok().map(u64::from_be_bytes);
            if let (Some(seq), Some((id, origin))) = (seq, versions::parse_log_value(&v)) {
                out.push((seq, id, origin));
            }
        }
        Ok(out)
    }

    pub(crate) fn device(&self) -> &Device {
        self.device
            .as_ref()
            .expect("the device is prepared when the store opens")
    }

    /// The devices this database knows, by id.
    pub fn known_devices(&self) -> Result<BTreeMap<Id, KnownDevice>, StoreError> {
        let mut out = BTreeMap::new();
        for (key, value) in self.disk.entries(keys::DEVICES)? {
            let device: KnownDevice = self
                .decode_value(keys::DEVICES, &key, &value)
                .map_err(StoreError::from_codec)?;
            out.insert(device.public.id, device);
        }
        Ok(out)
    }

    /// The other devices of the programme, as a person reviews them: those waiting to
    /// be accepted first, then by ward (the supervisor's first).
    pub fn other_devices(&self) -> Result<Vec<KnownDevice>, StoreError> {
        let me = self.device().public().id;
        let mut out: Vec<KnownDevice> = self
            .known_devices()?
            .into_values()
            .filter(|d| d.public.id != me)
            .collect();
        out.sort_by_key(|d| (d.accepted, d.public.ward.clone()));
        Ok(out)
    }

    pub(crate) fn device_op(&self, device: &KnownDevice) -> Result<Op, StoreError> {
        let key = device.public.id.to_bytes().to_vec();
        let value = self.encode_value(keys::DEVICES, &key, device)?;
        Ok((tree_index(keys::DEVICES), key, Some(value)))
    }

    /// Merges received versions, with `extra` (device records) and the audit entry, in
    /// one flushed transaction: the database holds all of them afterwards, or none.
    /// Versions are verified by the caller (`sync::receive`) before they come here.
    pub(crate) fn merge(
        &mut self,
        incoming: Vec<Version>,
        extra: Vec<Op>,
        mut draft: AuditDraft,
    ) -> Result<MergeReport, StoreError> {
        self.refuse_if_read_only()?;
        let mut report = MergeReport::default();
        let mut ops: Vec<Op> = extra;
        let mut seq = self.log_seq;
        let mut clock = self.clock;
        let mut fresh: BTreeMap<RecordRef, Vec<Version>> = BTreeMap::new();
        let mut seen: HashMap<Id, [u8; 32]> = HashMap::new();
        for version in incoming {
            let hash = version.hash();
            let known_hash = match seen.get(&version.id) {
                Some(h) => Some(*h),
                None => self.version(version.id)?.map(|v| v.hash()),
            };
            match known_hash {
                Some(h) if h == hash => report.known += 1,
                Some(_) => {
                    report.quarantined += 1;
                    let mut key = version.id.to_bytes().to_vec();
                    key.extend_from_slice(&hash);
                    let value = self.encode_value(keys::QUARANTINE, &key, &version)?;
                    ops.push((tree_index(keys::QUARANTINE), key, Some(value)));
                }
                None => {
                    seen.insert(version.id, hash);
                    clock = clock.max(version.clock);
                    self.version_entries(&version, Origin::Received, &mut seq, &mut ops)?;
                    report.added += 1;
                    fresh
                        .entry(version.record.clone())
                        .or_default()
                        .push(version);
                }
            }
        }
        let mut placed: Vec<Change> = Vec::new();
        let mut conflicts = self.conflicts.clone();
        {
            let mut overlay = Overlay::new(&self.snapshot);
            for (record, new_versions) in &fresh {
                let mut history = self.history(record)?;
                let before = versions::heads(&history);
                history.extend(new_versions.iter().map(|v| (v.id, v.meta())));
                let after = versions::heads(&history);
                let winner = after[0];
                if before.first() != Some(&winner) {
                    let version = match new_versions.iter().find(|v| v.id == winner) {
                        Some(v) => v.clone(),
                        None => self.version(winner)?.ok_or(StoreError::NotFound)?,
                    };
                    let change = version.change().map_err(StoreError::from_codec)?;
                    if before.is_empty() {
                        report.new_records += 1;
                        if let Some(id) = record.id().filter(|_| record.kind == RecordKind::Person)
                        {
                            report.new_people.push(id);
                        }
                    } else {
                        report.updated += 1;
                    }
                    self.place(&change, &mut overlay, &mut ops, &mut report)?;
                    overlay.record(&change);
                    placed.push(change);
                }
                let key = record.index_key();
                if after.len() > 1 {
                    if conflicts.insert(record.clone()) {
                        report.new_conflicts += 1;
                    }
                    ops.push((tree_index(keys::CONFLICTS), key, Some(vec![])));
                } else if conflicts.remove(record) {
                    ops.push((tree_index(keys::CONFLICTS), key, None));
                }
            }
        }
        report.conflicts = conflicts.len();
        ops.push(clock_op(clock));
        draft = draft.detail(format!(
            "{} versions added, {} known, {} quarantined, {} in conflict",
            report.added, report.known, report.quarantined, report.conflicts
        ));
        self.commit(ops, &[], draft)?;
        self.log_seq = seq;
        self.clock = clock;
        self.conflicts = conflicts;
        let own_ward = self.user.ward.clone();
        for change in placed {
            // An officer of one ward holds only that ward's people in memory.
            let ward = change_ward(&change, &self.snapshot);
            if own_ward.is_none() || ward.is_none() || ward == own_ward {
                change.put_into(&mut self.snapshot);
            }
        }
        Ok(report)
    }

    /// The writes that make `change` a record's current value: its sealed value and
    /// index entries, stale entries removed. A person's code held by another person
    /// stays with them; the clash is reported, never written over.
    fn place(
        &self,
        change: &Change,
        overlay: &mut Overlay,
        ops: &mut Vec<Op>,
        report: &mut MergeReport,
    ) -> Result<(), StoreError> {
        let (tree, key, entries) = placement(change);
        for (t, k, v) in overlay.stale_entries(change, &entries) {
            ops.push((tree_index(t), k, v));
        }
        for (t, k, v) in entries {
            if t == keys::BY_CODE
                && let Change::Person(p) = change
                && overlay
                    .person_by_code(&p.code)
                    .is_some_and(|owner| owner != p.id)
            {
                report.code_clashes.push(p.id);
                continue;
            }
            ops.push((tree_index(t), k, Some(v)));
        }
        let value = self.encode_change(tree, &key, change)?;
        ops.push((tree_index(tree), key, Some(value)));
        Ok(())
    }
}

impl Store {
    /// What `check` finds wrong with the version history, structure only (bodies are
    /// sealed and checked like every value): (tree, key, what).
    pub(crate) fn verify_history(&self) -> Vec<(&'static str, String, &'static str)> {
        let mut out = Vec::new();
        let mut histories: BTreeMap<RecordRef, Vec<(Id, VersionMeta)>> = BTreeMap::new();
        for entry in self.disk.tree(keys::RECORD_VERSIONS).iter().flatten() {
            let (k, v) = entry;
            let parsed = RecordRef::from_index_key(&k).and_then(|(r, rest)| {
                Some((
                    r,
                    Id::from_bytes(rest)?,
                    codec::decode::<VersionMeta>(&v).ok()?,
                ))
            });
            match parsed {
                Some((record, id, meta)) => histories.entry(record).or_default().push((id, meta)),
                None => out.push((keys::RECORD_VERSIONS, hex(&k), "an entry cannot be read")),
            }
        }
        let versions = self.disk.tree(keys::VERSIONS);
        for (record, history) in &histories {
            if history
                .iter()
                .any(|(id, _)| !versions.contains_key(id.to_bytes()).unwrap_or(false))
            {
                out.push((
                    keys::VERSIONS,
                    record.display(),
                    "a version in a history is missing",
                ));
            }
            let value = self
                .disk
                .tree(record.kind.tree())
                .get(&record.key)
                .ok()
                .flatten();
            let Some(value) = value else {
                out.push((
                    record.kind.tree(),
                    record.display(),
                    "versions of a record that is not there",
                ));
                continue;
            };
            // The value shown is the winning head's, exactly: what every replica with the
            // same versions shows. (A value that does not open is reported by the rest of
            // `check`.)
            let shown = self.body_and_ward(record.kind, &record.key, &value, &HashMap::new());
            let winner = versions::heads(history)
                .first()
                .and_then(|id| self.version(*id).ok().flatten());
            if let (Some((shown, _)), Some(winner)) = (shown, winner)
                && shown != winner.body
            {
                out.push((
                    record.kind.tree(),
                    record.display(),
                    "the value shown is not the winning version's",
                ));
            }
            let in_conflict = self
                .disk
                .tree(keys::CONFLICTS)
                .contains_key(record.index_key())
                .unwrap_or(false);
            if (versions::heads(history).len() > 1) != in_conflict {
                out.push((
                    keys::CONFLICTS,
                    record.display(),
                    "the conflict list disagrees with the heads",
                ));
            }
        }
        for kind in RecordKind::ALL {
            for key in self.disk.tree(kind.tree()).iter().keys().flatten() {
                let record = RecordRef {
                    kind,
                    key: key.to_vec(),
                };
                if !histories.contains_key(&record) {
                    out.push((kind.tree(), record.display(), "a record has no version"));
                }
            }
        }
        out
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn clock_op(clock: u64) -> Op {
    (
        tree_index(keys::META),
        keys::META_CLOCK.to_vec(),
        Some(clock.to_be_bytes().to_vec()),
    )
}

/// The record in the codec's form, as a version carries it.
fn plain_body(change: &Change) -> Vec<u8> {
    match change {
        Change::Ward(r) => codec::encode(r),
        Change::Person(r) => codec::encode(r),
        Change::Plan(r) => codec::encode(r),
        Change::Grant(r) => codec::encode(r),
        Change::Milestone(r) => codec::encode(r),
        Change::Referral(r) => codec::encode(r),
    }
}

/// The ward whose records a change belongs to; empty for a ward itself (shared).
fn ward_of(change: &Change, overlay: &Overlay) -> String {
    match change {
        Change::Ward(_) => String::new(),
        Change::Person(p) => p.ward.clone(),
        other => other
            .person_id()
            .and_then(|id| overlay.person(id))
            .map(|p| p.ward.clone())
            .unwrap_or_default(),
    }
}

fn change_ward(change: &Change, snapshot: &Snapshot) -> Option<String> {
    match change {
        Change::Ward(_) => None,
        Change::Person(p) => Some(p.ward.clone()),
        other => other
            .person_id()
            .and_then(|id| snapshot.people.get(&id))
            .map(|p| p.ward.clone()),
    }
}
