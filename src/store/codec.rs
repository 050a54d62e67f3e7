//! The one codec for every stored value: a format-version byte, then bincode 2 of the
//! record with one fixed configuration. bincode keeps no field names, so a record whose
//! layout changes gets a new version byte and an upgrade from the old layout in
//! `Stored::decode_version`. Sealing wraps the body: version byte, 24-byte nonce, then
//! the XChaCha20-Poly1305 ciphertext of the body, bound to its tree, key and version.
//! Nothing else encodes or seals values.

use super::crypto::{CryptoError, DataKey, KeySlot};
use crate::domain::{Grant, LivelihoodPlan, Milestone, Person, Referral, Schedule, User, Ward};
use bincode::config::{Configuration, Limit, LittleEndian, Varint};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// No record comes near this; a corrupt length prefix must not allocate gigabytes.
const MAX_VALUE_BYTES: usize = 1 << 20;

type Config = Configuration<LittleEndian, Varint, Limit<MAX_VALUE_BYTES>>;

fn config() -> Config {
    bincode::config::standard().with_limit::<MAX_VALUE_BYTES>()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error("empty value")]
    Empty,
    #[error("unknown format version {0}")]
    UnknownVersion(u8),
    #[error("cannot decode: {0}")]
    Malformed(String),
    #[error("trailing bytes after the record")]
    Trailing,
    /// Wrong key, altered bytes, or a value moved from another key.
    #[error("cannot be decrypted")]
    Undecryptable,
    #[error("no randomness from the operating system")]
    NoRandomness,
}

impl From<CryptoError> for CodecError {
    fn from(e: CryptoError) -> CodecError {
        match e {
            CryptoError::NoRandomness => CodecError::NoRandomness,
            CryptoError::Unauthentic | CryptoError::Kdf(_) => CodecError::Undecryptable,
        }
    }
}

/// How a database's values are written.
#[derive(Clone, Debug)]
pub enum Sealing {
    /// Layout 1, before encryption: read once, to migrate it (and the measurement-only
    /// plaintext build).
    Plain,
    Sealed(DataKey),
}

/// A record type the store keeps, with its current layout version.
pub trait Stored: Serialize + DeserializeOwned {
    const VERSION: u8;

    /// Decodes a body written with layout `version`, upgrading older layouts to today's.
    /// A record whose layout changed overrides this with a match arm that decodes the
    /// old struct and converts it (see `Grant`).
    fn decode_version(version: u8, body: &[u8]) -> Result<Self, CodecError> {
        if version == Self::VERSION {
            decode_body(body)
        } else {
            Err(CodecError::UnknownVersion(version))
        }
    }
}

/// Version 2: a person can be marked entered in error.
impl Stored for Person {
    const VERSION: u8 = 2;

    fn decode_version(version: u8, body: &[u8]) -> Result<Self, CodecError> {
        match version {
            2 => decode_body(body),
            1 => decode_body::<PersonV1>(body).map(Person::from),
            v => Err(CodecError::UnknownVersion(v)),
        }
    }
}

/// A person as layout 1 wrote it: no mark of a record entered in error.
#[derive(serde::Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
struct PersonV1 {
    id: crate::domain::Id,
    code: String,
    full_name: String,
    sex: crate::domain::Sex,
    birth_year: i32,
    ward: String,
    address: String,
    phone: String,
    target_groups: Vec<crate::domain::TargetGroup>,
    household_note: String,
    consent: Option<crate::domain::Consent>,
    #[serde(with = "crate::domain::dates::serde_day")]
    enrolled_on: chrono::NaiveDate,
    status: crate::domain::PersonStatus,
    collaborator: String,
    stamp: crate::domain::Stamp,
}

impl From<PersonV1> for Person {
    fn from(v1: PersonV1) -> Person {
        Person {
            id: v1.id,
            code: v1.code,
            full_name: v1.full_name,
            sex: v1.sex,
            birth_year: v1.birth_year,
            ward: v1.ward,
            address: v1.address,
            phone: v1.phone,
            target_groups: v1.target_groups,
            household_note: v1.household_note,
            consent: v1.consent,
            enrolled_on: v1.enrolled_on,
            status: v1.status,
            collaborator: v1.collaborator,
            stamp: v1.stamp,
            entered_in_error: false,
        }
    }
}
impl Stored for LivelihoodPlan {
    const VERSION: u8 = 1;
}
/// Version 2: the quantity in thousandths (1,5 tạ) and a health-insurance card.
impl Stored for Grant {
    const VERSION: u8 = 2;

    fn decode_version(version: u8, body: &[u8]) -> Result<Self, CodecError> {
        match version {
            2 => decode_body(body),
            1 => decode_body::<GrantV1>(body).map(Grant::from),
            v => Err(CodecError::UnknownVersion(v)),
        }
    }
}

/// A grant as layout 1 wrote it: a whole-number quantity, no card.
#[derive(serde::Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
struct GrantV1 {
    id: crate::domain::Id,
    person_id: crate::domain::Id,
    plan_id: Option<crate::domain::Id>,
    kind: crate::domain::GrantKind,
    item: String,
    quantity: u32,
    unit: String,
    unit_value: crate::domain::Dong,
    total_value: crate::domain::Dong,
    #[serde(with = "crate::domain::dates::serde_day")]
    handed_over_on: chrono::NaiveDate,
    handover_record_no: String,
    supplier: String,
    stamp: crate::domain::Stamp,
}

impl From<GrantV1> for Grant {
    fn from(v1: GrantV1) -> Grant {
        Grant {
            id: v1.id,
            person_id: v1.person_id,
            plan_id: v1.plan_id,
            kind: v1.kind,
            item: v1.item,
            quantity: crate::domain::Quantity::whole(u64::from(v1.quantity)),
            unit: v1.unit,
            unit_value: v1.unit_value,
            total_value: v1.total_value,
            handed_over_on: v1.handed_over_on,
            handover_record_no: v1.handover_record_no,
            supplier: v1.supplier,
            card: None,
            stamp: v1.stamp,
        }
    }
}
impl Stored for Milestone {
    const VERSION: u8 = 1;
}
impl Stored for Referral {
    const VERSION: u8 = 1;
}
impl Stored for Ward {
    const VERSION: u8 = 1;
}
impl Stored for Schedule {
    const VERSION: u8 = 1;
}
impl Stored for User {
    const VERSION: u8 = 1;
}
impl Stored for KeySlot {
    const VERSION: u8 = 1;
}
/// Times kept in meta (the last backup), Unix milliseconds.
/// A path kept in meta (the backup folder).
impl Stored for String {
    const VERSION: u8 = 1;
}

impl Stored for i64 {
    const VERSION: u8 = 1;
}

pub fn encode_body<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising our own plain structs into a Vec cannot fail: no maps with
    // non-string keys, no sequences of unknown length.
    bincode::serde::encode_to_vec(value, config()).unwrap_or_default()
}

pub fn decode_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, CodecError> {
    let (value, read) = bincode::serde::decode_from_slice::<T, _>(body, config())
        .map_err(|e| CodecError::Malformed(e.to_string()))?;
    if read != body.len() {
        return Err(CodecError::Trailing);
    }
    Ok(value)
}

/// Version byte, then the body.
pub fn encode<T: Stored>(value: &T) -> Vec<u8> {
    let mut out = vec![T::VERSION];
    out.extend(encode_body(value));
    out
}

pub fn decode<T: Stored>(bytes: &[u8]) -> Result<T, CodecError> {
    let (&version, body) = bytes.split_first().ok_or(CodecError::Empty)?;
    T::decode_version(version, body)
}

/// What a value is bound to: its tree, its format version and its key (in that order,
/// so the tree name, which holds no zero byte, cannot run into the key).
fn associated_data(tree: &str, version: u8, key: &[u8]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(tree.len() + 2 + key.len());
    aad.extend_from_slice(tree.as_bytes());
    aad.push(0);
    aad.push(version);
    aad.extend_from_slice(key);
    aad
}

/// Set on the version byte of a sealed value that carries the audit sequence of the
/// action that wrote it (8 bytes LE, right after the byte, bound into the seal). A
/// trail cut at its end and capped with an older head is then found: values written
/// by the removed entries carry sequences past the head (`check`).
const WRITTEN_AT: u8 = 0x80;

/// What a value is bound to: its tree, its format byte, its key, and (for values that
/// carry one) the audit sequence that wrote it.
fn bound_to(tree: &str, format: u8, key: &[u8], written_at: Option<u64>) -> Vec<u8> {
    let mut aad = associated_data(tree, format, key);
    if let Some(seq) = written_at {
        aad.extend_from_slice(&seq.to_le_bytes());
    }
    aad
}

/// Version byte, then the body as `sealing` writes it (values of layout 1, migrated).
pub fn seal_body(
    version: u8,
    body: &[u8],
    sealing: &Sealing,
    tree: &str,
    key: &[u8],
) -> Result<Vec<u8>, CodecError> {
    let mut out = vec![version];
    match sealing {
        Sealing::Plain => out.extend_from_slice(body),
        Sealing::Sealed(k) => out.extend(k.seal(body, &associated_data(tree, version, key))?),
    }
    Ok(out)
}

/// The value stored under `tree`/`key` for `record`, written by audit entry `written_at`.
pub fn seal<T: Stored>(
    record: &T,
    sealing: &Sealing,
    tree: &str,
    key: &[u8],
    written_at: u64,
) -> Result<Vec<u8>, CodecError> {
    let body = zeroize::Zeroizing::new(encode_body(record));
    match sealing {
        Sealing::Plain => seal_body(T::VERSION, &body, sealing, tree, key),
        Sealing::Sealed(k) => {
            let format = T::VERSION | WRITTEN_AT;
            let mut out = vec![format];
            out.extend_from_slice(&written_at.to_le_bytes());
            out.extend(k.seal(&body, &bound_to(tree, format, key, Some(written_at)))?);
            Ok(out)
        }
    }
}

/// Splits a sealed value into its format byte, the sequence that wrote it (if it
/// carries one) and the sealed rest.
fn envelope(bytes: &[u8]) -> Result<(u8, Option<u64>, &[u8]), CodecError> {
    let (&format, rest) = bytes.split_first().ok_or(CodecError::Empty)?;
    if format & WRITTEN_AT == 0 {
        return Ok((format, None, rest));
    }
    let (seq, rest) = rest.split_at_checked(8).ok_or(CodecError::Undecryptable)?;
    let seq = u64::from_le_bytes(seq.try_into().map_err(|_| CodecError::Undecryptable)?);
    Ok((format, Some(seq), rest))
}

/// The audit sequence a sealed value says wrote it (0 for values from before it was
/// kept). Trust it only once the value has been opened: the seal covers it.
pub fn written_at(bytes: &[u8]) -> u64 {
    envelope(bytes)
        .ok()
        .and_then(|(_, seq, _)| seq)
        .unwrap_or(0)
}

/// `bytes` sealed under the data key and bound to `label`: a tag that only a holder
/// of the key can make (empty for the measurement build's plaintext databases).
pub fn seal_label(sealing: &Sealing, label: &[u8], bytes: &[u8]) -> Result<Vec<u8>, CodecError> {
    match sealing {
        Sealing::Plain => Ok(Vec::new()),
        Sealing::Sealed(k) => Ok(k.seal(bytes, label)?),
    }
}

/// Whether `sealed` is `bytes` as `seal_label` sealed them under this key and label.
pub fn label_is_authentic(sealing: &Sealing, label: &[u8], bytes: &[u8], sealed: &[u8]) -> bool {
    match sealing {
        Sealing::Plain => true,
        Sealing::Sealed(k) => k
            .open(sealed, label)
            .is_ok_and(|opened| opened.as_slice() == bytes),
    }
}

/// Whether a sealed value is authentic where it lies (no record type needed).
pub fn opens(bytes: &[u8], sealing: &Sealing, tree: &str, key: &[u8]) -> bool {
    match sealing {
        Sealing::Plain => true,
        Sealing::Sealed(k) => envelope(bytes).is_ok_and(|(format, seq, rest)| {
            k.open(rest, &bound_to(tree, format, key, seq)).is_ok()
        }),
    }
}

/// The record stored under `tree`/`key`; refused if it was sealed for another place.
pub fn unseal<T: Stored>(
    bytes: &[u8],
    sealing: &Sealing,
    tree: &str,
    key: &[u8],
) -> Result<T, CodecError> {
    match sealing {
        Sealing::Plain => {
            let (&version, rest) = bytes.split_first().ok_or(CodecError::Empty)?;
            T::decode_version(version, rest)
        }
        Sealing::Sealed(k) => {
            let (format, seq, rest) = envelope(bytes)?;
            let body = k.open(rest, &bound_to(tree, format, key, seq))?;
            T::decode_version(format & !WRITTEN_AT, &body)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::snapshot::tests::*;

    #[test]
    fn a_sealed_record_opens_under_its_own_key_and_no_other() {
        let sealing = Sealing::Sealed(DataKey::generate().expect("key"));
        let person = sample_person();
        let bytes = seal(&person, &sealing, "people", b"key-1", 7).expect("seal");
        assert_eq!(bytes[0] & !WRITTEN_AT, Person::VERSION);
        assert_eq!(written_at(&bytes), 7);
        assert_eq!(
            unseal::<Person>(&bytes, &sealing, "people", b"key-1"),
            Ok(person)
        );
        assert_eq!(
            unseal::<Person>(&bytes, &sealing, "people", b"key-2"),
            Err(CodecError::Undecryptable),
            "moved to another key"
        );
        assert_eq!(
            unseal::<Person>(&bytes, &sealing, "plans", b"key-1"),
            Err(CodecError::Undecryptable),
            "moved to another tree"
        );
        let mut other_seq = bytes.clone();
        other_seq[1] ^= 1;
        assert_eq!(
            unseal::<Person>(&other_seq, &sealing, "people", b"key-1"),
            Err(CodecError::Undecryptable),
            "the sequence that wrote it is bound too"
        );
        let mut other_version = bytes.clone();
        other_version[0] = 1 | WRITTEN_AT;
        assert_eq!(
            unseal::<Person>(&other_version, &sealing, "people", b"key-1"),
            Err(CodecError::Undecryptable),
            "the version byte is bound too"
        );
    }

    #[test]
    fn a_sealed_value_does_not_contain_the_name() {
        let sealing = Sealing::Sealed(DataKey::generate().expect("key"));
        let person = sample_person();
        let bytes = seal(&person, &sealing, "people", b"k", 1).expect("seal");
        let name = person.full_name.as_bytes();
        assert!(!bytes.windows(name.len()).any(|w| w == name));
        let plain = seal(&person, &Sealing::Plain, "people", b"k", 1).expect("plain");
        assert!(
            plain.windows(name.len()).any(|w| w == name),
            "the test can fail"
        );
    }

    fn round_trips<T: Stored + PartialEq + std::fmt::Debug>(value: T) {
        let bytes = encode(&value);
        assert_eq!(bytes[0], T::VERSION);
        assert_eq!(decode::<T>(&bytes).as_ref(), Ok(&value));
    }

    #[test]
    fn every_record_round_trips() {
        round_trips(sample_ward());
        round_trips(sample_person());
        round_trips(sample_plan());
        round_trips(sample_grant());
        let mut m = sample_milestone();
        m.visit.monthly_income = Some(crate::domain::Dong(3_500_000));
        m.visit.referral_needed = Some(crate::domain::Service::Legal);
        round_trips(m);
        round_trips(sample_referral());
        round_trips(Schedule::default());
    }

    #[test]
    fn a_grant_written_with_layout_1_reads_as_whole_units_without_a_card() {
        let g = sample_grant();
        let old = GrantV1 {
            id: g.id,
            person_id: g.person_id,
            plan_id: g.plan_id,
            kind: g.kind,
            item: g.item.clone(),
            quantity: 50,
            unit: g.unit.clone(),
            unit_value: g.unit_value,
            total_value: g.total_value,
            handed_over_on: g.handed_over_on,
            handover_record_no: g.handover_record_no.clone(),
            supplier: g.supplier.clone(),
            stamp: g.stamp.clone(),
        };
        let mut bytes = vec![1u8];
        bytes.extend(encode_body(&old));
        assert_eq!(decode::<Grant>(&bytes), Ok(g));
        let mut with_card = sample_grant();
        with_card.quantity = crate::domain::Quantity(1500);
        with_card.card = Some(crate::domain::InsuranceCard::default());
        round_trips(with_card);
    }

    #[test]
    fn a_person_written_with_layout_1_reads_as_not_entered_in_error() {
        let p = sample_person();
        let old = PersonV1 {
            id: p.id,
            code: p.code.clone(),
            full_name: p.full_name.clone(),
            sex: p.sex,
            birth_year: p.birth_year,
            ward: p.ward.clone(),
            address: p.address.clone(),
            phone: p.phone.clone(),
            target_groups: p.target_groups.clone(),
            household_note: p.household_note.clone(),
            consent: p.consent.clone(),
            enrolled_on: p.enrolled_on,
            status: p.status,
            collaborator: p.collaborator.clone(),
            stamp: p.stamp.clone(),
        };
        let mut bytes = vec![1u8];
        bytes.extend(encode_body(&old));
        assert_eq!(decode::<Person>(&bytes), Ok(p));
        let mut in_error = sample_person();
        in_error.entered_in_error = true;
        round_trips(in_error);
    }

    #[test]
    fn an_unknown_version_or_garbage_is_an_error_not_a_panic() {
        let mut bytes = encode(&sample_person());
        bytes[0] = 99;
        assert_eq!(
            decode::<Person>(&bytes),
            Err(CodecError::UnknownVersion(99))
        );
        assert_eq!(decode::<Person>(&[]), Err(CodecError::Empty));
        assert!(decode::<Person>(&[1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).is_err());
        let mut long = encode(&sample_person());
        long.push(0);
        assert_eq!(decode::<Person>(&long), Err(CodecError::Trailing));
    }

    #[test]
    fn a_huge_length_prefix_is_refused_without_allocating() {
        // Version 1, then a varint string length of 2^40.
        let bytes = [1u8, 0, 0xfd, 0, 0, 0, 0, 0, 1, 0, 0];
        assert!(decode::<Ward>(&bytes).is_err());
    }
}
