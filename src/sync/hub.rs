//! The province hub as one more way for versions to travel. A push seals each version
//! this database has not pushed yet with age, to its ward's hub key and the
//! supervisors' keys, and inserts it (`ON CONFLICT DO NOTHING`); a pull reads what
//! committed since its cursor, opens it, checks it exactly as a bundle's versions are
//! checked (`exchange`), and merges it page by page, each page with its cursor in one
//! flushed write. The server holds ids, clocks and sealed bytes, never a record.
//!
//! Keys travel as signed notices. A ward laptop's first push announces its keys; its
//! supervisor accepts them by fingerprint (`sync accept`, as for a bundle), and the
//! supervisor's next push vouches for the laptop with the ward's key sealed to it. Only
//! then does the laptop push versions: so every version on the hub is readable by each
//! laptop of its ward, those that join later included.

use super::exchange::{current_ward, genuine, may_carry, settle};
use crate::domain::{Id, Schedule};
use crate::hub::HubError;
use crate::hub::rows::{self, NOTICE_DEVICE, NOTICE_SCHEDULE, NoticeRow, Reading, VersionRow};
use crate::store::codec;
use crate::store::device::{Device, DevicePublic, KnownDevice};
use crate::store::versions::{Origin, RecordKind, Version};
use crate::store::{Arrival, HubCursor, HubProgress, MergeReport, Store, StoreError, WardKeys};
use age::secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Versions per transaction on a push, and per page (and local write) on a pull.
const BATCH: usize = 1000;
const NOTICE_LABEL: &[u8] = b"sinhke-hub-notice-1";
/// The hub's name for what every ward shares (a version's empty ward).
const EVERY_WARD: &str = "*";

#[derive(Debug, thiserror::Error)]
pub enum HubSyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hub(#[from] HubError),
}

/// A signed statement on the hub.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Notice {
    /// A device's keys: signed by the device itself, or by the supervisor who accepted
    /// it, then with the ward's hub key sealed to it.
    Device {
        about: DevicePublic,
        ward_key: Option<Vec<u8>>,
    },
    /// The follow-up schedule the supervisor's wards work to.
    Schedule { schedule: Schedule, made_at: i64 },
}

fn notice_row(device: &Device, ward: &str, about: &str, notice: &Notice) -> NoticeRow {
    let statement = codec::encode_body(notice);
    let mut signed = NOTICE_LABEL.to_vec();
    signed.extend_from_slice(&statement);
    NoticeRow {
        ward: ward.to_string(),
        kind: match notice {
            Notice::Device { .. } => NOTICE_DEVICE,
            Notice::Schedule { .. } => NOTICE_SCHEDULE,
        }
        .to_string(),
        about: about.to_string(),
        signer: device.public().fingerprint(),
        signature: device.sign(&signed),
        statement,
    }
}

/// The notice a row holds, when `signer` signed it and it says what its columns say.
fn read_notice(row: &NoticeRow, signer: &DevicePublic) -> Option<Notice> {
    let mut signed = NOTICE_LABEL.to_vec();
    signed.extend_from_slice(&row.statement);
    if row.signer != signer.fingerprint() || !signer.verifies(&signed, &row.signature) {
        return None;
    }
    let notice: Notice = codec::decode_body(&row.statement).ok()?;
    let fits = match &notice {
        Notice::Device { about, .. } => {
            row.kind == NOTICE_DEVICE
                && row.about == about.fingerprint()
                && about.ward.as_deref() == Some(row.ward.as_str())
        }
        Notice::Schedule { .. } => row.kind == NOTICE_SCHEDULE && row.ward == EVERY_WARD,
    };
    fits.then_some(notice)
}

/// Sealed as a bundle is (age, to these recipients).
fn seal(plain: &[u8], recipients: &[age::x25519::Recipient]) -> Result<Vec<u8>, StoreError> {
    super::bundle::encrypt(plain, recipients).map_err(StoreError::Io)
}

fn unseal(sealed: &[u8], identity: &age::x25519::Identity) -> Option<Vec<u8>> {
    super::bundle::decrypt(sealed, identity).ok()
}

fn hub_ward(ward: &str) -> &str {
    if ward.is_empty() { EVERY_WARD } else { ward }
}

/// A version as the hub keeps it: the whole of it sealed, its place in clear.
fn version_row(
    v: &Version,
    recipients: &[age::x25519::Recipient],
) -> Result<VersionRow, StoreError> {
    Ok(VersionRow {
        version_id: v.id.to_bytes().to_vec(),
        record_id: v.record.key.clone(),
        ward: hub_ward(&v.ward).to_string(),
        kind: v.record.kind as i16,
        parents: v.parents.iter().map(|p| p.to_bytes().to_vec()).collect(),
        clock: v.clock as i64,
        device: v.device.to_bytes().to_vec(),
        signature: v.signature.clone(),
        body: seal(&codec::encode_body(v), recipients)?,
    })
}

/// The version a row holds, when it opens with `identity` and says what its columns say.
fn open_row(row: &VersionRow, identity: &age::x25519::Identity) -> Option<Version> {
    let v: Version = codec::decode_body(&unseal(&row.body, identity)?).ok()?;
    let fits = row.version_id == v.id.to_bytes()
        && row.record_id == v.record.key
        && row.ward == hub_ward(&v.ward)
        && row.kind == v.record.kind as i16
        && row.clock == v.clock as i64
        && row.device == v.device.to_bytes()
        && row.signature == v.signature
        && row.parents.len() == v.parents.len()
        && row
            .parents
            .iter()
            .zip(&v.parents)
            .all(|(a, b)| *a == b.to_bytes());
    fits.then_some(v)
}

/// Who a version of each ward is sealed to.
struct Recipients {
    wards: BTreeMap<String, age::x25519::Recipient>,
    /// The supervisors (and, on a supervisor's database, itself).
    always: Vec<age::x25519::Recipient>,
}

impl Recipients {
    fn new(store: &Store, keys: &WardKeys) -> Result<Recipients, StoreError> {
        let wards = keys
            .0
            .iter()
            .filter_map(|(w, secret)| {
                let identity: age::x25519::Identity = secret.parse().ok()?;
                Some((w.clone(), identity.to_public()))
            })
            .collect();
        let mut always: Vec<_> = store
            .known_devices()?
            .values()
            .filter(|d| d.accepted && d.public.ward.is_none())
            .filter_map(|d| d.public.age_recipient())
            .collect();
        if store.joined_ward().is_none() {
            always.extend(store.device_public().age_recipient());
        }
        Ok(Recipients { wards, always })
    }

    /// A ward's versions: that ward's key and the supervisors'. What every ward shares:
    /// every ward's key.
    fn of(&self, ward: &str) -> Vec<age::x25519::Recipient> {
        let mut out = self.always.clone();
        if ward.is_empty() {
            out.extend(self.wards.values().cloned());
        } else {
            out.extend(self.wards.get(ward).cloned());
        }
        out
    }
}

/// What a push did.
#[derive(Debug, Default)]
pub struct Pushed {
    /// Versions sent, and how many of them the hub did not have.
    pub versions: usize,
    pub added: u64,
    /// On a ward laptop not yet accepted: its fingerprint, for the supervisor. Its keys
    /// are on the hub; its versions wait until the supervisor accepts it.
    pub waiting: Option<String>,
}

/// Pushes every version this database has not pushed yet, with the notices that go
/// before them. Each transaction's end is recorded here after the hub committed it; a
/// push cut off resends at most one transaction, which the hub then ignores.
pub fn push(store: &mut Store, client: &mut postgres::Client) -> Result<Pushed, HubSyncError> {
    store.refuse_if_read_only()?;
    let own = store.joined_ward().map(str::to_string);
    let mut notices = Vec::new();
    let keys = match &own {
        Some(ward) => {
            let me = store.device_public();
            let about = me.fingerprint();
            let notice = Notice::Device {
                about: me,
                ward_key: None,
            };
            notices.push(notice_row(store.device(), ward, &about, &notice));
            let keys = store.ward_keys()?;
            if !keys.0.contains_key(ward) {
                rows::push(client, &notices, &[])?;
                return Ok(Pushed {
                    waiting: Some(about),
                    ..Pushed::default()
                });
            }
            keys
        }
        None => {
            let keys = ward_keys_for_every_ward(store)?;
            notices.extend(supervisor_notices(store, client, &keys)?);
            keys
        }
    };
    let recipients = Recipients::new(store, &keys)?;
    let mut pushed = Pushed::default();
    let logged = store.logged_after(store.hub_pushed()?)?;
    let end = store.log_position();
    for (i, chunk) in logged.chunks(BATCH).enumerate() {
        let mut batch = Vec::with_capacity(chunk.len());
        for (_, id, origin) in chunk {
            // A ward pushes what it made; what it received is on the hub or with the
            // supervisor, who pushes it.
            if own.is_some() && *origin == Origin::Received {
                continue;
            }
            let Some(v) = store.version(*id)? else {
                continue;
            };
            batch.push(version_row(&v, &recipients.of(&v.ward))?);
        }
        let notices = if i == 0 { &notices[..] } else { &[] };
        pushed.added += rows::push(client, notices, &batch)?;
        pushed.versions += batch.len();
        let to = if (i + 1) * BATCH >= logged.len() {
            end
        } else {
            chunk.last().map_or(end, |(seq, _, _)| *seq)
        };
        store.note_pushed(to, format!("{} versions", batch.len()))?;
    }
    if logged.is_empty() && !notices.is_empty() {
        rows::push(client, &notices, &[])?;
    }
    Ok(pushed)
}

/// The supervisor's hub key of every ward, made for the wards that have none yet and
/// kept (flushed) before anything is sealed to it.
fn ward_keys_for_every_ward(store: &mut Store) -> Result<WardKeys, StoreError> {
    let mut keys = store.ward_keys()?;
    let missing: Vec<String> = store
        .snapshot()
        .wards
        .keys()
        .filter(|w| !keys.0.contains_key(*w))
        .cloned()
        .collect();
    if missing.is_empty() {
        return Ok(keys);
    }
    for ward in missing {
        let identity = age::x25519::Identity::generate();
        keys.0
            .insert(ward, identity.to_string().expose_secret().to_string());
    }
    store.save_ward_keys(&keys)?;
    Ok(keys)
}

/// A supervisor's notices not on the hub yet: each accepted ward laptop vouched for,
/// with its ward's key sealed to it; the schedule, when it changed.
fn supervisor_notices(
    store: &Store,
    client: &mut postgres::Client,
    keys: &WardKeys,
) -> Result<Vec<NoticeRow>, HubSyncError> {
    let me = store.device_public();
    let mine = me.fingerprint();
    let on_hub = rows::notices(client)?;
    let vouched: BTreeSet<&str> = on_hub
        .iter()
        .filter(|n| n.signer == mine && n.kind == NOTICE_DEVICE)
        .map(|n| n.about.as_str())
        .collect();
    let mut out = Vec::new();
    for d in store.known_devices()?.values().filter(|d| d.accepted) {
        let Some(ward) = d.public.ward.as_deref() else {
            continue;
        };
        let about = d.public.fingerprint();
        let (Some(secret), Some(to)) = (keys.0.get(ward), d.public.age_recipient()) else {
            continue;
        };
        if vouched.contains(about.as_str()) {
            continue;
        }
        let notice = Notice::Device {
            about: d.public.clone(),
            ward_key: Some(seal(secret.as_bytes(), &[to])?),
        };
        out.push(notice_row(store.device(), ward, &about, &notice));
    }
    let published = on_hub
        .iter()
        .filter_map(|n| match read_notice(n, &me) {
            Some(Notice::Schedule { schedule, made_at }) => Some((made_at, schedule)),
            _ => None,
        })
        .max_by_key(|(at, _)| *at);
    if published.is_none_or(|(_, s)| s != *store.schedule()) {
        let notice = Notice::Schedule {
            schedule: store.schedule().clone(),
            made_at: crate::domain::dates::now_millis(),
        };
        out.push(notice_row(store.device(), EVERY_WARD, "", &notice));
    }
    Ok(out)
}

/// What a pull did.
#[derive(Debug, Default)]
pub struct Pulled {
    /// Rows read from the hub (those already here included).
    pub read: usize,
    pub report: MergeReport,
    /// Versions or notices that failed the checks a bundle's must pass: left on the
    /// hub, never merged. Version ids, or fingerprints.
    pub refused: Vec<String>,
    /// (Supervisor) Ward laptops whose keys are on the hub and wait to be accepted.
    pub new_devices: Vec<String>,
    /// On a ward laptop not yet accepted: nothing could be read.
    pub waiting: bool,
    pub reissued: Vec<(String, String)>,
    pub look_alikes: Vec<(String, String)>,
}

/// What the notices on the hub teach this database.
#[derive(Default)]
struct Learned {
    devices: Vec<KnownDevice>,
    keys: Option<WardKeys>,
    schedule: Option<Schedule>,
    refused: Vec<String>,
}

fn learn(store: &Store, notices: &[NoticeRow]) -> Result<Learned, StoreError> {
    let known = store.known_devices()?;
    let me = store.device_public();
    let mut learned = Learned::default();
    let mut seen: BTreeSet<Id> = BTreeSet::new();
    let mut newest_schedule: Option<(i64, Schedule)> = None;
    let by_print: BTreeMap<String, &KnownDevice> = known
        .values()
        .map(|d| (d.public.fingerprint(), d))
        .collect();
    for row in notices {
        let about_known = |about: &DevicePublic| known.get(&about.id);
        match store.joined_ward() {
            None => {
                // A supervisor hears of ward laptops from the laptops themselves, and
                // accepts them by fingerprint; its own notices need nothing.
                if row.kind != NOTICE_DEVICE || row.signer == me.fingerprint() {
                    continue;
                }
                let Some(Notice::Device { about, .. }) = self_signed(row) else {
                    learned.refused.push(row.about.clone());
                    continue;
                };
                match about_known(&about) {
                    Some(k) if k.public != about => learned.refused.push(row.about.clone()),
                    Some(_) => {}
                    None if store.snapshot().wards.contains_key(&row.ward)
                        && seen.insert(about.id) =>
                    {
                        learned.devices.push(KnownDevice::new(about, false));
                    }
                    None => {}
                }
            }
            Some(own) => {
                // A ward laptop believes its supervisor, and no one else.
                let Some(signer) = by_print
                    .get(&row.signer)
                    .filter(|k| k.accepted && k.public.ward.is_none())
                else {
                    continue;
                };
                match read_notice(row, &signer.public) {
                    Some(Notice::Device { about, ward_key }) if row.ward == own => {
                        if about.id == me.id {
                            if about != me {
                                learned.refused.push(row.about.clone());
                                continue;
                            }
                            let secret = ward_key
                                .and_then(|k| unseal(&k, &store.device().identity()?))
                                .and_then(|s| String::from_utf8(s).ok())
                                .filter(|s| s.parse::<age::x25519::Identity>().is_ok());
                            let mut keys = store.ward_keys()?;
                            if let Some(secret) = secret
                                && keys.0.get(own) != Some(&secret)
                            {
                                keys.0.insert(own.to_string(), secret);
                                learned.keys = Some(keys);
                            }
                            continue;
                        }
                        match about_known(&about) {
                            Some(k) if k.public != about => learned.refused.push(row.about.clone()),
                            Some(_) => {}
                            None if seen.insert(about.id) => {
                                learned.devices.push(KnownDevice::new(about, true));
                            }
                            None => {}
                        }
                    }
                    Some(Notice::Schedule { schedule, made_at })
                        if newest_schedule.as_ref().is_none_or(|(at, _)| made_at > *at) =>
                    {
                        newest_schedule = Some((made_at, schedule));
                    }
                    Some(_) => {}
                    None => learned.refused.push(row.about.clone()),
                }
            }
        }
    }
    learned.schedule = newest_schedule
        .map(|(_, s)| s)
        .filter(|s| s != store.schedule());
    Ok(learned)
}

/// A device's notice about itself, when it is signed by that device.
fn self_signed(row: &NoticeRow) -> Option<Notice> {
    let about: DevicePublic = match codec::decode_body::<Notice>(&row.statement).ok()? {
        Notice::Device { about, .. } => about,
        Notice::Schedule { .. } => return None,
    };
    read_notice(row, &about)
}

/// Pulls every version committed on the hub since the last pull, checks each as a
/// bundle's are checked, and merges them page by page: each page in one flushed write
/// with the cursor that follows it.
pub fn pull(store: &mut Store, client: &mut postgres::Client) -> Result<Pulled, HubSyncError> {
    store.refuse_if_read_only()?;
    let mut reading = Reading::start(client)?;
    let learned = learn(store, &reading.notices)?;
    let own = store.joined_ward().map(str::to_string);
    let mut pulled = Pulled {
        refused: learned.refused,
        new_devices: learned
            .devices
            .iter()
            .filter(|d| !d.accepted)
            .map(|d| d.public.fingerprint())
            .collect(),
        ..Pulled::default()
    };
    let identity = match &own {
        None => store.device().identity(),
        Some(ward) => learned
            .keys
            .as_ref()
            .unwrap_or(&store.ward_keys()?)
            .0
            .get(ward)
            .and_then(|s| s.parse().ok()),
    };
    let mut authors: BTreeMap<Id, DevicePublic> = store
        .known_devices()?
        .into_values()
        .filter(|d| d.accepted)
        .map(|d| (d.public.id, d.public))
        .collect();
    for d in learned.devices.iter().filter(|d| d.accepted) {
        authors.insert(d.public.id, d.public.clone());
    }
    let me = store.device_public();
    authors.insert(me.id, me.clone());
    let Some(identity) = identity else {
        // A ward laptop its supervisor has not accepted yet: what it learned is kept
        // (other laptops' keys, the schedule), and nothing can be read yet.
        pulled.waiting = true;
        if !learned.devices.is_empty() || learned.schedule.is_some() {
            merge_page(
                store,
                Vec::new(),
                &mut pulled,
                learned.devices,
                learned.schedule,
                None,
                None,
            )?;
        }
        reading.finish()?;
        return Ok(pulled);
    };
    let mut cursor = store.hub_pulled()?;
    let mut first = Some((learned.devices, learned.schedule, learned.keys));
    loop {
        let page = reading.page(&cursor, BATCH as i64)?;
        let last = page.len() < BATCH;
        pulled.read += page.len();
        let mut versions = Vec::new();
        for (at, row) in page {
            cursor = at;
            if Id::from_bytes(&row.version_id)
                .is_some_and(|id| store.has_version(id).unwrap_or(false))
            {
                continue;
            }
            match open_row(&row, &identity)
                .filter(|v| believable(store, v, &row, &authors, own.as_deref()))
            {
                Some(v) => versions.push(v),
                None => pulled.refused.push(id_text(&row.version_id)),
            }
        }
        if last {
            cursor = HubCursor {
                xact: reading.watermark,
                after: Vec::new(),
            };
        }
        let (devices, schedule, keys) = first.take().unwrap_or_default();
        merge_page(
            store,
            versions,
            &mut pulled,
            devices,
            schedule,
            keys,
            Some(cursor.clone()),
        )?;
        if last {
            break;
        }
    }
    reading.finish()?;
    // The codes that clashed in this pull, and any a pull cut off before this point
    // left shared (its cursor had passed them, so no later report names them).
    let mut clashes = pulled.report.clone();
    for id in lingering_clashes(store) {
        if !clashes.code_clashes.contains(&id) {
            clashes.code_clashes.push(id);
        }
    }
    let (reissued, look_alikes) = settle(store, &clashes)?;
    pulled.reissued = reissued;
    pulled.look_alikes = look_alikes;
    Ok(pulled)
}

/// People who share their code with someone who holds it (the code index names the
/// other): on a supervisor's database, what a merge left for a new code.
fn lingering_clashes(store: &Store) -> Vec<Id> {
    if store.joined_ward().is_some() {
        return Vec::new();
    }
    let snap = store.snapshot();
    let mut out: Vec<Id> = snap
        .people
        .values()
        .filter(|p| {
            snap.person_by_code(&p.code)
                .is_some_and(|holder| holder.id != p.id)
        })
        .map(|p| p.id)
        .collect();
    out.sort();
    out
}

fn id_text(bytes: &[u8]) -> String {
    Id::from_bytes(bytes).map_or_else(|| "?".to_string(), |id| id.to_string())
}

/// Whether a version from the hub passes what a bundle's version must: the ward it may
/// come from, its author's signature, a record this build reads, and (on the
/// supervisor's side) a record that is no other ward's here.
fn believable(
    store: &Store,
    v: &Version,
    row: &VersionRow,
    authors: &BTreeMap<Id, DevicePublic>,
    own: Option<&str>,
) -> bool {
    let author = authors.get(&v.device);
    if !may_carry(v, own, &row.ward) || !genuine(v, author) {
        return false;
    }
    match own {
        Some(_) => true,
        // From a ward: made by a laptop of that ward (or by this database itself,
        // restored from an older backup), about a record of that ward.
        None => {
            let me = store.device_public().id;
            let by_ward = author.is_some_and(|a| a.id == me || a.ward.as_deref() == Some(&*v.ward));
            by_ward
                && v.record.kind != RecordKind::Ward
                && current_ward(store, &v.record).is_none_or(|w| w == v.ward)
        }
    }
}

/// Merges one page with what travels with it and the cursor after it, in one write;
/// and, when nothing made here waits to be pushed, moves the push position past what
/// came down (it is on the hub already).
fn merge_page(
    store: &mut Store,
    versions: Vec<Version>,
    pulled: &mut Pulled,
    devices: Vec<KnownDevice>,
    schedule: Option<Schedule>,
    keys: Option<WardKeys>,
    cursor: Option<HubCursor>,
) -> Result<(), StoreError> {
    let all_pushed = store.hub_pushed()? == store.log_position();
    let count = versions.len();
    let report = store.receive_arrival(Arrival {
        action: "hub_pull",
        versions,
        devices,
        schedule,
        pending_done: None,
        audit: Vec::new(),
        audit_of: None,
        hub: cursor.map(|pulled| HubProgress { pulled, keys }),
        detail: format!("{count} versions"),
    })?;
    if all_pushed && report.added > 0 {
        let end = store.log_position();
        store.note_pushed(end, "pulled".to_string())?;
    }
    pulled.report.absorb(report);
    Ok(())
}
