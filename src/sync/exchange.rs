//! The exchange between a ward laptop and its supervisor's database: what a bundle
//! carries each way, and everything a received bundle must pass before the store
//! merges it. Nothing is written until every check has passed.

use super::bundle::{self, BundleKind, Manifest, Opened, Payload};
use super::kit::{self, Kit};
use crate::domain::{Id, Permission};
use crate::store::device::{DevicePublic, KnownDevice, fingerprint_matches};
use crate::store::versions::{Origin, RecordKind, Version};
use crate::store::{Arrival, MergeReport, Refusal, Store, StoreError};
use std::collections::BTreeMap;

fn refused(r: Refusal) -> StoreError {
    StoreError::Refused(r)
}

fn require(store: &Store, p: Permission) -> Result<(), StoreError> {
    if store.may(p) {
        Ok(())
    } else {
        Err(StoreError::NotAllowed(p))
    }
}

/// Where a bundle goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// From a ward laptop to its supervisor.
    Supervisor,
    /// From the supervisor's database to one ward's laptops.
    Ward(String),
}

/// A bundle made, and what it holds.
#[derive(Debug)]
pub struct Sent {
    pub file: Vec<u8>,
    pub ward: String,
    pub versions: usize,
    pub number: u64,
    /// The fingerprints of the devices that can open it.
    pub recipients: Vec<String>,
}

/// Makes the bundle for `target`: every version it has not acknowledged (all of them
/// with `all`), of one ward's records only.
pub fn send(store: &mut Store, target: Target, all: bool) -> Result<Sent, StoreError> {
    let known = store.known_devices()?;
    let me = store.device_public();
    let (kind, ward, to): (BundleKind, String, Vec<&KnownDevice>) = match &target {
        Target::Supervisor => {
            let ward = store
                .joined_ward()
                .ok_or_else(|| refused(Refusal::NotJoined))?
                .to_string();
            let to = known
                .values()
                .filter(|d| d.accepted && d.public.ward.is_none())
                .collect();
            (BundleKind::FromWard, ward, to)
        }
        Target::Ward(ward) => {
            if store.joined_ward().is_some() {
                return Err(refused(Refusal::NotOurWard(ward.clone())));
            }
            if !store.snapshot().wards.contains_key(ward) {
                return Err(refused(Refusal::UnknownWard(ward.clone())));
            }
            if !store.user().covers_ward(ward) {
                return Err(StoreError::OutsideWard(ward.clone()));
            }
            let to = known
                .values()
                .filter(|d| d.accepted && d.public.ward.as_deref() == Some(ward.as_str()))
                .collect();
            (BundleKind::ToWard, ward.clone(), to)
        }
    };
    if to.is_empty() {
        return Err(refused(Refusal::NoWardDevice(ward)));
    }
    let after = if all {
        0
    } else {
        to.iter().map(|d| d.ours_acknowledged).min().unwrap_or(0)
    };
    let mut versions = Vec::new();
    for (_, id, origin) in store.logged_after(after)? {
        // A ward sends what it made; what came from its supervisor is there already.
        if kind == BundleKind::FromWard && origin == Origin::Received {
            continue;
        }
        let Some(v) = store.version(id)? else {
            continue;
        };
        let belongs = match kind {
            BundleKind::FromWard => v.ward == ward,
            // A ward's only laptop has what it made itself, unless everything is
            // asked for (a laptop restored from an older backup).
            BundleKind::ToWard => {
                (v.ward == ward || v.ward.is_empty())
                    && (all || !(to.len() == 1 && to[0].public.id == v.device))
            }
        };
        if belongs {
            versions.push(v);
        }
    }
    let mut devices: BTreeMap<Id, DevicePublic> = BTreeMap::new();
    if kind == BundleKind::ToWard {
        for d in &to {
            devices.insert(d.public.id, d.public.clone());
        }
        for v in &versions {
            if let Some(author) = known.get(&v.device) {
                devices.insert(v.device, author.public.clone());
            }
        }
    }
    let recipients: Vec<age::x25519::Recipient> =
        to.iter().filter_map(|d| d.public.age_recipient()).collect();
    let fingerprints = to.iter().map(|d| d.public.fingerprint()).collect();
    let acks = to
        .iter()
        .map(|d| (d.public.id, d.theirs_received))
        .collect();
    let audit_acks = to.iter().map(|d| (d.public.id, d.audit_received)).collect();
    let number = store.record_sending(format!("{ward}: {} versions", versions.len()))?;
    // A ward's trail travels with its records, this sending's own entry included.
    let audit = match kind {
        BundleKind::FromWard => {
            let after = if all {
                0
            } else {
                to.iter().map(|d| d.audit_acknowledged).min().unwrap_or(0)
            };
            store.audit_after(after)?
        }
        BundleKind::ToWard => Vec::new(),
    };
    let manifest = Manifest {
        format: bundle::FORMAT,
        bundle_id: store.new_id(),
        kind,
        source: me,
        ward: ward.clone(),
        number,
        made_at: crate::domain::dates::now_millis(),
        log_to: store.log_position(),
        acks,
        audit_acks,
        versions: 0,
        devices: 0,
        payload_sha256: [0; 32],
    };
    let count = versions.len();
    let payload = Payload {
        versions,
        devices: devices.into_values().collect(),
        schedule: (kind == BundleKind::ToWard).then(|| store.schedule().clone()),
        audit,
    };
    let file =
        bundle::write(manifest, &payload, store.device(), &recipients).map_err(StoreError::Io)?;
    Ok(Sent {
        file,
        ward,
        versions: count,
        number,
        recipients: fingerprints,
    })
}

/// What receiving a bundle did.
#[derive(Debug, Default)]
pub struct Received {
    pub ward: String,
    pub from: String,
    pub number: u64,
    /// When the sending laptop made the bundle (Unix ms).
    pub made_at: i64,
    /// The bundle had been received before: nothing to do.
    pub already: bool,
    pub report: MergeReport,
    /// People given a new code because another person here had theirs.
    pub reissued: Vec<(String, String)>,
    /// (new person's code, code of someone in another ward who looks the same): for a
    /// person to review; never merged.
    pub look_alikes: Vec<(String, String)>,
    /// Whether the ward's audit entries continue the trail received from it before (not
    /// so after a laptop was restored from an older backup: both trails are kept).
    pub audit_continues: bool,
}

/// Receives a bundle file: checks it all, then merges it in one write.
pub fn receive(store: &mut Store, file: &[u8]) -> Result<Received, StoreError> {
    receive_file(store, file, None)
}

fn receive_file(
    store: &mut Store,
    file: &[u8],
    pending: Option<Id>,
) -> Result<Received, StoreError> {
    store.refuse_if_read_only()?;
    let identity = store.device().identity().ok_or(StoreError::NotFound)?;
    let Opened { manifest, payload } = bundle::open(file, &identity).map_err(refused)?;
    let source = &manifest.source;
    let print = source.fingerprint();
    let known = store.known_devices()?;
    let sender = known.get(&source.id);
    if let Some(k) = sender
        && (k.public.verifying != source.verifying || k.public.recipient != source.recipient)
    {
        return Err(refused(Refusal::KeyChanged(print)));
    }
    let joined = store.joined_ward().map(str::to_string);
    match &joined {
        Some(own) => {
            if manifest.kind != BundleKind::ToWard || &manifest.ward != own {
                return Err(refused(Refusal::NotOurWard(manifest.ward.clone())));
            }
            // A ward trusts its supervisor, accepted when it joined, and no one else.
            if !sender.is_some_and(|k| k.accepted && k.public.ward.is_none()) {
                return Err(refused(Refusal::UnknownDevice(print)));
            }
        }
        None => {
            if manifest.kind != BundleKind::FromWard
                || source.ward.as_deref() != Some(manifest.ward.as_str())
            {
                return Err(refused(Refusal::NotOurWard(manifest.ward.clone())));
            }
            if !store.snapshot().wards.contains_key(&manifest.ward) {
                return Err(refused(Refusal::UnknownWard(manifest.ward.clone())));
            }
            if !sender.is_some_and(|k| k.accepted) {
                if pending.is_none() {
                    let record = sender
                        .cloned()
                        .unwrap_or_else(|| KnownDevice::new(source.clone(), false));
                    store.keep_pending(manifest.bundle_id, file, &record)?;
                }
                return Err(refused(Refusal::Waiting(print)));
            }
        }
    }
    let sender = sender.cloned().expect("checked above");
    if manifest.number < sender.last_bundle_number {
        return Err(refused(Refusal::Older {
            number: manifest.number,
            last: sender.last_bundle_number,
        }));
    }
    if manifest.number == sender.last_bundle_number && sender.last_bundle_id.is_some() {
        if sender.last_bundle_id == Some(manifest.bundle_id) {
            return Ok(Received {
                ward: manifest.ward.clone(),
                from: print,
                number: manifest.number,
                made_at: manifest.made_at,
                already: true,
                ..Received::default()
            });
        }
        return Err(refused(Refusal::Older {
            number: manifest.number,
            last: sender.last_bundle_number,
        }));
    }
    let vouched = check_versions(&manifest, &payload, &known, joined.as_deref())?;
    if joined.is_none() {
        refuse_other_wards(store, &payload.versions, &manifest.ward)?;
    }
    let me = store.device_public().id;
    let mut updated = sender.clone();
    // When the laptop made it: a bundle carried for three weeks is three weeks old.
    updated.last_bundle_at = Some(manifest.made_at);
    updated.last_bundle_number = manifest.number;
    updated.last_bundle_id = Some(manifest.bundle_id);
    updated.theirs_received = updated.theirs_received.max(manifest.log_to);
    if let Some((_, ours)) = manifest.acks.iter().find(|(id, _)| *id == me) {
        updated.ours_acknowledged = updated.ours_acknowledged.max(*ours);
    }
    if let Some((_, ours)) = manifest.audit_acks.iter().find(|(id, _)| *id == me) {
        updated.audit_acknowledged = updated.audit_acknowledged.max(*ours);
    }
    let continues = match joined {
        Some(_) => true,
        None => {
            check_audit_links(&payload.audit)?;
            let held = store.ward_audit(source.id)?;
            let fresh: Vec<_> = payload
                .audit
                .iter()
                .filter(|e| e.seq > updated.audit_received)
                .collect();
            let joins = match (held.last(), fresh.first()) {
                (Some(last), Some(first)) => first.seq == last.seq + 1 && first.prev == last.hash(),
                (None, Some(first)) => first.seq == 1,
                (_, None) => true,
            };
            if let Some(last) = payload.audit.last() {
                updated.audit_received = updated.audit_received.max(last.seq);
            }
            joins
        }
    };
    let mut devices = vec![updated];
    devices.extend(vouched);
    let action = if joined.is_some() {
        "sync_receive_return"
    } else {
        "sync_receive"
    };
    let report = store.receive_arrival(Arrival {
        action,
        versions: payload.versions,
        devices,
        schedule: payload.schedule,
        pending_done: pending,
        audit: payload.audit,
        audit_of: joined.is_none().then_some(source.id),
        hub: None,
        detail: format!("{} #{} {print}", manifest.ward, manifest.number),
    })?;
    let (reissued, look_alikes) = settle(store, &report)?;
    Ok(Received {
        ward: manifest.ward,
        from: print,
        number: manifest.number,
        made_at: manifest.made_at,
        already: false,
        report,
        reissued,
        look_alikes,
        audit_continues: continues,
    })
}

/// A ward's version of a record that is another ward's here is refused: a laptop can
/// never reach, or move, another ward's people.
pub(super) fn refuse_other_wards(
    store: &Store,
    versions: &[Version],
    ward: &str,
) -> Result<(), StoreError> {
    for v in versions {
        if let Some(other) = current_ward(store, &v.record)
            && other != ward
        {
            return Err(refused(Refusal::OtherWard(other)));
        }
    }
    Ok(())
}

/// (code, code) pairs: an old code and its new one, or two people who look alike.
type CodePairs = Vec<(String, String)>;

/// What follows a merge: on the supervisor's side, new codes for people whose code
/// another person here had first; everywhere, the people who look like someone of
/// another ward.
pub(super) fn settle(
    store: &mut Store,
    report: &MergeReport,
) -> Result<(CodePairs, CodePairs), StoreError> {
    let reissued = if store.joined_ward().is_none() && !report.code_clashes.is_empty() {
        store.reissue_codes(&report.code_clashes)?
    } else {
        Vec::new()
    };
    Ok((
        reissued,
        look_alikes_in_other_wards(store, &report.new_people),
    ))
}

/// Whether a version may reach this database from `from_ward`. From the supervisor
/// (`joined` is this laptop's ward): this ward's records, and what all wards share.
/// From a ward: its own records, never a ward itself.
pub(super) fn may_carry(v: &Version, joined: Option<&str>, from_ward: &str) -> bool {
    match joined {
        Some(own) => v.ward == own || (v.ward.is_empty() && v.record.kind == RecordKind::Ward),
        None => v.ward == from_ward && v.record.kind != RecordKind::Ward,
    }
}

/// Whether `author` signed this version and it holds a record this build can read.
pub(super) fn genuine(v: &Version, author: Option<&DevicePublic>) -> bool {
    author.is_some_and(|a| a.verifies(&v.signed_bytes(), &v.signature)) && v.change().is_ok()
}

/// A trail's entries must follow one another, each naming the one before by its hash.
fn check_audit_links(entries: &[crate::store::AuditEntry]) -> Result<(), StoreError> {
    for pair in entries.windows(2) {
        if pair[1].seq != pair[0].seq + 1 || pair[1].prev != pair[0].hash() {
            return Err(refused(Refusal::Damaged(format!(
                "audit entry {} does not follow {}",
                pair[1].seq, pair[0].seq
            ))));
        }
    }
    Ok(())
}

/// People just received who look like someone of another ward (the duplicate rule's
/// folded name and birth year): a person who moved, or was registered twice.
fn look_alikes_in_other_wards(store: &Store, new_people: &[Id]) -> Vec<(String, String)> {
    if new_people.is_empty() {
        return Vec::new();
    }
    let snap = store.snapshot();
    let mut by_key: std::collections::HashMap<(String, i32), Vec<&crate::domain::Person>> =
        std::collections::HashMap::new();
    for p in snap.people.values().filter(|p| p.counts()) {
        let (name, year, _) = p.duplicate_key();
        by_key.entry((name, year)).or_default().push(p);
    }
    let mut out = Vec::new();
    for id in new_people {
        let Some(p) = snap.people.get(id).filter(|p| p.counts()) else {
            continue;
        };
        let (name, year, _) = p.duplicate_key();
        for other in by_key.get(&(name, year)).into_iter().flatten() {
            if other.ward != p.ward {
                out.push((p.code.clone(), other.code.clone()));
            }
        }
    }
    out
}

/// The ward of a record's current value here, if it has one.
pub(super) fn current_ward(
    store: &Store,
    record: &crate::store::versions::RecordRef,
) -> Option<String> {
    let snap = store.snapshot();
    let id = record.id()?;
    let person = match record.kind {
        RecordKind::Ward => return None,
        RecordKind::Person => id,
        RecordKind::Plan => snap.plans.get(&id)?.person_id,
        RecordKind::Grant => snap.grants.get(&id)?.person_id,
        RecordKind::Milestone => snap.milestones.get(&id)?.person_id,
        RecordKind::Referral => snap.referrals.get(&id)?.person_id,
    };
    snap.people.get(&person).map(|p| p.ward.clone())
}

/// Checks every version against its author and ward. Returns the devices the sender
/// vouches for that this database does not know yet (a supervisor's bundle only).
fn check_versions(
    manifest: &Manifest,
    payload: &Payload,
    known: &BTreeMap<Id, KnownDevice>,
    joined: Option<&str>,
) -> Result<Vec<KnownDevice>, StoreError> {
    let source = &manifest.source;
    let mut authors: BTreeMap<Id, DevicePublic> = BTreeMap::new();
    authors.insert(source.id, source.clone());
    let mut vouched = Vec::new();
    if let Some(own) = joined {
        for d in &payload.devices {
            if d.ward.as_deref().is_some_and(|w| w != own) {
                return Err(refused(Refusal::OtherWard(
                    d.ward.clone().unwrap_or_default(),
                )));
            }
            match known.get(&d.id) {
                Some(k) if k.public != *d => {
                    return Err(refused(Refusal::KeyChanged(d.fingerprint())));
                }
                Some(_) => {}
                None => vouched.push(KnownDevice::new(d.clone(), true)),
            }
            authors.insert(d.id, d.clone());
        }
        for (id, k) in known {
            if k.accepted {
                authors.entry(*id).or_insert_with(|| k.public.clone());
            }
        }
    }
    for v in &payload.versions {
        if !may_carry(v, joined, &manifest.ward) {
            let ward = if v.ward.is_empty() { "-" } else { &v.ward };
            return Err(refused(Refusal::OtherWard(ward.to_string())));
        }
        let author = match joined {
            Some(_) => authors.get(&v.device),
            None => (v.device == source.id).then_some(source),
        };
        // From a ward: only what that laptop made.
        if !genuine(v, author) {
            return Err(refused(Refusal::BadVersion(v.id.to_string())));
        }
    }
    Ok(vouched)
}

/// The one known device whose fingerprint starts with what was typed.
pub fn find_device(store: &Store, fingerprint: &str) -> Result<KnownDevice, StoreError> {
    let known = store.known_devices()?;
    let matching: Vec<&KnownDevice> = known
        .values()
        .filter(|d| fingerprint_matches(fingerprint, &d.public.fingerprint()))
        .collect();
    match matching.as_slice() {
        [one] => Ok((*one).clone()),
        _ => Err(refused(Refusal::NoSuchDevice(fingerprint.to_string()))),
    }
}

/// Accepts the device with this fingerprint and merges the bundles it sent while it
/// waited, oldest first.
pub fn accept(
    store: &mut Store,
    fingerprint: &str,
) -> Result<(KnownDevice, Vec<Received>), StoreError> {
    require(store, Permission::ManageSettings)?;
    let mut device = find_device(store, fingerprint)?;
    if !device.accepted {
        device.accepted = true;
        let detail = format!(
            "{} {}",
            device.public.ward.clone().unwrap_or_default(),
            device.public.fingerprint()
        );
        store.save_devices(std::slice::from_ref(&device), "sync_accept", detail)?;
    }
    let identity = store.device().identity().ok_or(StoreError::NotFound)?;
    let mut waiting: Vec<(u64, Id, Vec<u8>)> = Vec::new();
    for (id, file) in store.pending_bundles()? {
        if let Ok(opened) = bundle::open(&file, &identity)
            && opened.manifest.source.id == device.public.id
        {
            waiting.push((opened.manifest.number, id, file));
        }
    }
    waiting.sort_by_key(|(n, _, _)| *n);
    let mut merged = Vec::new();
    for (_, id, file) in waiting {
        match receive_file(store, &file, Some(id)) {
            Ok(r) => merged.push(r),
            // An older one than a bundle merged since: everything in it is in that one.
            Err(StoreError::Refused(Refusal::Older { .. })) => store.drop_pending(id)?,
            Err(e) => return Err(e),
        }
    }
    Ok((device, merged))
}

/// Makes a ward kit for `ward`.
pub fn make_kit(store: &mut Store, ward: &str) -> Result<Vec<u8>, StoreError> {
    require(store, Permission::ManageSettings)?;
    if store.joined_ward().is_some() {
        return Err(refused(Refusal::NotOurWard(ward.to_string())));
    }
    if !store.snapshot().wards.contains_key(ward) {
        return Err(refused(Refusal::UnknownWard(ward.to_string())));
    }
    let mut wards = Vec::new();
    for code in store.snapshot().wards.keys() {
        let record = crate::store::versions::RecordRef {
            kind: RecordKind::Ward,
            key: code.as_bytes().to_vec(),
        };
        for head in store.heads_of(&record)? {
            if let Some(v) = store.version(head)? {
                wards.push(v);
            }
        }
    }
    let kit = Kit {
        format: kit::FORMAT,
        kit_id: store.new_id(),
        ward: ward.to_string(),
        supervisor: store.device_public(),
        wards,
        schedule: store.schedule().clone(),
        made_at: crate::domain::dates::now_millis(),
    };
    let bytes = kit::write(&kit, store.device()).map_err(StoreError::Io)?;
    store.note_kit(ward)?;
    Ok(bytes)
}

/// Joins this database to the ward and supervisor a kit names.
pub fn join(store: &mut Store, kit_bytes: &[u8]) -> Result<(Kit, MergeReport), StoreError> {
    let kit = kit::read(kit_bytes).map_err(refused)?;
    if let Some(own) = store.joined_ward()
        && own != kit.ward
    {
        return Err(refused(Refusal::NotOurWard(kit.ward.clone())));
    }
    if !kit
        .wards
        .iter()
        .any(|v| v.record.key == kit.ward.as_bytes())
    {
        return Err(refused(Refusal::UnknownWard(kit.ward.clone())));
    }
    if let Some(other) = store
        .snapshot()
        .people
        .values()
        .find(|p| p.ward != kit.ward)
    {
        return Err(refused(Refusal::OtherWardsPeople(other.ward.clone())));
    }
    let report = store.join_ward(
        &kit.ward,
        kit.supervisor.clone(),
        kit.wards.clone(),
        kit.schedule.clone(),
    )?;
    Ok((kit, report))
}
