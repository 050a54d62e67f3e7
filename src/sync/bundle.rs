//! The bundle file (see docs/bundle-format.md): an age v1 file, binary, encrypted to
//! the X25519 keys of the databases it is for, holding a signed manifest and the
//! versions. Reading checks everything before anything is used: the encryption, the
//! layout, the sender's signature over the manifest and the payload's digest.

use crate::domain::{Id, Schedule};
use crate::store::Refusal;
use crate::store::device::{Device, DevicePublic};
use crate::store::versions::Version;
use bincode::config::{Configuration, Limit, LittleEndian, Varint};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};

/// The first bytes inside the encryption.
pub const MAGIC: &[u8; 14] = b"SINHKE-BUNDLE\n";
/// The layout this build writes and the newest it reads.
pub const FORMAT: u16 = 1;
const SIGNED_LABEL: &[u8] = b"sinhke-bundle-1";
const MAX_MANIFEST: usize = 64 << 10;
/// A province's whole history is tens of MB; a length beyond this is damage.
const MAX_PAYLOAD: usize = 1 << 30;

fn manifest_config() -> Configuration<LittleEndian, Varint, Limit<MAX_MANIFEST>> {
    bincode::config::standard().with_limit::<MAX_MANIFEST>()
}

fn payload_config() -> Configuration<LittleEndian, Varint, Limit<MAX_PAYLOAD>> {
    bincode::config::standard().with_limit::<MAX_PAYLOAD>()
}

/// Which way a bundle goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BundleKind {
    /// A ward laptop's versions, for its supervisor.
    FromWard,
    /// A supervisor's return bundle for one ward.
    ToWard,
}

/// What a bundle says about itself; signed by the source device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u16,
    pub bundle_id: Id,
    pub kind: BundleKind,
    pub source: DevicePublic,
    /// The one ward whose records the bundle carries.
    pub ward: String,
    /// Per source device, one more than its bundle before.
    pub number: u64,
    pub made_at: i64,
    /// The source's log position when it was made: everything up to it is carried
    /// (or was acknowledged before).
    pub log_to: u64,
    /// For each device the source exchanges with: the highest of that device's log
    /// positions the source holds.
    pub acks: Vec<(Id, u64)>,
    /// The same for audit trails: the last audit entry of each device the source holds.
    pub audit_acks: Vec<(Id, u64)>,
    pub versions: u32,
    pub devices: u32,
    pub payload_sha256: [u8; 32],
}

/// What a bundle carries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    pub versions: Vec<Version>,
    /// Devices the source vouches for (a supervisor, for the ward's other laptops and
    /// the authors of the versions it passes on).
    pub devices: Vec<DevicePublic>,
    /// The supervisor's follow-up schedule, in a return bundle.
    pub schedule: Option<Schedule>,
    /// A ward laptop's audit entries its supervisor does not hold yet, oldest first.
    pub audit: Vec<crate::store::AuditEntry>,
}

/// A bundle read and checked.
#[derive(Debug)]
pub struct Opened {
    pub manifest: Manifest,
    pub payload: Payload,
}

/// Writes a bundle: manifest (its payload digest and counts filled in here), payload
/// and signature, encrypted to `recipients`.
pub(crate) fn write(
    mut manifest: Manifest,
    payload: &Payload,
    device: &Device,
    recipients: &[age::x25519::Recipient],
) -> Result<Vec<u8>, String> {
    let payload_bytes =
        bincode::serde::encode_to_vec(payload, payload_config()).map_err(|e| e.to_string())?;
    manifest.format = FORMAT;
    manifest.versions = payload.versions.len() as u32;
    manifest.devices = payload.devices.len() as u32;
    manifest.payload_sha256 = Sha256::digest(&payload_bytes).into();
    let plain = plain_bytes(&manifest, &payload_bytes, device)?;
    encrypt(&plain, recipients)
}

/// The bytes inside the encryption.
pub(crate) fn plain_bytes(
    manifest: &Manifest,
    payload_bytes: &[u8],
    device: &Device,
) -> Result<Vec<u8>, String> {
    let manifest_bytes =
        bincode::serde::encode_to_vec(manifest, manifest_config()).map_err(|e| e.to_string())?;
    let signature = device.sign(&signed(&manifest_bytes));
    let mut out = Vec::with_capacity(payload_bytes.len() + manifest_bytes.len() + 128);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(manifest_bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(&manifest_bytes);
    out.extend_from_slice(&(signature.len() as u16).to_le_bytes());
    out.extend_from_slice(&signature);
    out.extend_from_slice(&(payload_bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(payload_bytes);
    Ok(out)
}

fn signed(manifest_bytes: &[u8]) -> Vec<u8> {
    let mut m = SIGNED_LABEL.to_vec();
    m.extend_from_slice(manifest_bytes);
    m
}

pub(super) fn encrypt(
    plain: &[u8],
    recipients: &[age::x25519::Recipient],
) -> Result<Vec<u8>, String> {
    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let mut writer = encryptor.wrap_output(&mut out).map_err(|e| e.to_string())?;
    writer.write_all(plain).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

/// Decrypts and checks a bundle file.
pub fn open(file: &[u8], identity: &age::x25519::Identity) -> Result<Opened, Refusal> {
    let plain = decrypt(file, identity)?;
    parse(&plain)
}

pub(super) fn decrypt(file: &[u8], identity: &age::x25519::Identity) -> Result<Vec<u8>, Refusal> {
    use age::DecryptError as E;
    let damaged = |what: &str| Refusal::Damaged(what.to_string());
    let decryptor = age::Decryptor::new(file).map_err(|e| match e {
        E::UnknownFormat => damaged("not an age file"),
        _ => damaged("the encryption header is damaged"),
    })?;
    let mut reader = decryptor
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .map_err(|e| match e {
            E::NoMatchingKeys => Refusal::NotForThisDatabase,
            _ => damaged("the encryption header is damaged"),
        })?;
    let mut plain = Vec::new();
    reader
        .read_to_end(&mut plain)
        .map_err(|_| damaged("the file is cut short or altered"))?;
    Ok(plain)
}

/// Reads the bytes inside the encryption: layout, manifest, signature, payload digest
/// and payload. Every length is checked before it is used.
pub fn parse(plain: &[u8]) -> Result<Opened, Refusal> {
    let damaged = |what: &str| Refusal::Damaged(what.to_string());
    let mut rest = plain
        .strip_prefix(MAGIC.as_slice())
        .ok_or_else(|| damaged("not a sinhke bundle"))?;
    let mut take = |n: usize| -> Result<&[u8], Refusal> {
        if rest.len() < n {
            return Err(damaged("cut short"));
        }
        let (head, tail) = rest.split_at(n);
        rest = tail;
        Ok(head)
    };
    let manifest_len = u32::from_le_bytes(take(4)?.try_into().unwrap_or_default()) as usize;
    if manifest_len > MAX_MANIFEST {
        return Err(damaged("manifest too long"));
    }
    let manifest_bytes = take(manifest_len)?;
    let signature_len = u16::from_le_bytes(take(2)?.try_into().unwrap_or_default()) as usize;
    let signature = take(signature_len)?;
    let payload_len = u64::from_le_bytes(take(8)?.try_into().unwrap_or_default());
    if payload_len > MAX_PAYLOAD as u64 {
        return Err(damaged("payload too long"));
    }
    let payload_bytes = take(payload_len as usize)?;
    if !rest.is_empty() {
        return Err(damaged("bytes after the payload"));
    }
    let manifest = parse_manifest(manifest_bytes)?;
    if !manifest.source.verifies(&signed(manifest_bytes), signature) {
        return Err(Refusal::BadSignature);
    }
    let digest: [u8; 32] = Sha256::digest(payload_bytes).into();
    if digest != manifest.payload_sha256 {
        return Err(damaged("the payload does not match its manifest"));
    }
    let (payload, used): (Payload, usize) =
        bincode::serde::decode_from_slice(payload_bytes, payload_config())
            .map_err(|_| damaged("the payload cannot be read"))?;
    if used != payload_bytes.len()
        || payload.versions.len() != manifest.versions as usize
        || payload.devices.len() != manifest.devices as usize
    {
        return Err(damaged("the payload does not match its manifest"));
    }
    Ok(Opened { manifest, payload })
}

/// Reads a manifest; a newer layout is named as such.
pub fn parse_manifest(bytes: &[u8]) -> Result<Manifest, Refusal> {
    // The format comes first and is read on its own: a newer bundle may differ after it.
    let (format, _): (u16, usize) = bincode::serde::decode_from_slice(bytes, manifest_config())
        .map_err(|_| Refusal::Damaged("the manifest cannot be read".into()))?;
    if format > FORMAT {
        return Err(Refusal::TooNew(format));
    }
    let (manifest, used): (Manifest, usize) =
        bincode::serde::decode_from_slice(bytes, manifest_config())
            .map_err(|_| Refusal::Damaged("the manifest cannot be read".into()))?;
    if used != bytes.len() {
        return Err(Refusal::Damaged("the manifest cannot be read".into()));
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(device: &Device) -> (Manifest, Payload) {
        let manifest = Manifest {
            format: FORMAT,
            bundle_id: Id(42),
            kind: BundleKind::FromWard,
            source: device.public(),
            ward: "CT".into(),
            number: 1,
            made_at: 0,
            log_to: 3,
            acks: vec![],
            audit_acks: vec![],
            versions: 0,
            devices: 0,
            payload_sha256: [0; 32],
        };
        (manifest, Payload::default())
    }

    #[test]
    fn a_bundle_opens_for_its_recipient_only() {
        let sender = Device::generate(Id(1)).unwrap();
        let receiver = Device::generate(Id(2)).unwrap();
        let stranger = Device::generate(Id(3)).unwrap();
        let (manifest, payload) = sample(&sender);
        let to = receiver.identity().unwrap().to_public();
        let file = write(manifest, &payload, &sender, &[to]).unwrap();
        let opened = open(&file, &receiver.identity().unwrap()).unwrap();
        assert_eq!(opened.manifest.ward, "CT");
        assert_eq!(
            open(&file, &stranger.identity().unwrap()).unwrap_err(),
            Refusal::NotForThisDatabase
        );
    }

    #[test]
    fn any_flipped_or_missing_byte_is_refused() {
        let sender = Device::generate(Id(1)).unwrap();
        let receiver = Device::generate(Id(2)).unwrap();
        let identity = receiver.identity().unwrap();
        let (manifest, payload) = sample(&sender);
        let file = write(manifest, &payload, &sender, &[identity.to_public()]).unwrap();
        for at in (0..file.len()).step_by(7) {
            let mut bad = file.clone();
            bad[at] ^= 0x20;
            assert!(open(&bad, &identity).is_err(), "flip at {at}");
        }
        for len in [0, 10, file.len() / 2, file.len() - 1] {
            assert!(open(&file[..len], &identity).is_err(), "cut at {len}");
        }
    }

    #[test]
    fn a_manifest_signed_by_another_key_is_refused() {
        let sender = Device::generate(Id(1)).unwrap();
        let forger = Device::generate(Id(9)).unwrap();
        let (manifest, payload) = sample(&sender);
        let payload_bytes = bincode::serde::encode_to_vec(&payload, payload_config()).unwrap();
        let mut manifest = manifest;
        manifest.payload_sha256 = Sha256::digest(&payload_bytes).into();
        let plain = plain_bytes(&manifest, &payload_bytes, &forger).unwrap();
        assert_eq!(parse(&plain).unwrap_err(), Refusal::BadSignature);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]
        /// The fuzz target's question, asked of a real bundle's inside: any byte
        /// changed, or the bytes cut anywhere, is a refusal, never a panic.
        #[test]
        fn a_bundle_changed_anywhere_inside_is_refused(at in 0usize..4096, bit in 0u8..8, cut in 0usize..4096) {
            let sender = Device::generate(Id(1)).unwrap();
            let (mut manifest, payload) = sample(&sender);
            let payload_bytes = bincode::serde::encode_to_vec(&payload, payload_config()).unwrap();
            manifest.payload_sha256 = Sha256::digest(&payload_bytes).into();
            let plain = plain_bytes(&manifest, &payload_bytes, &sender).unwrap();
            proptest::prop_assert!(parse(&plain).is_ok());
            let mut flipped = plain.clone();
            let at = at % plain.len();
            flipped[at] ^= 1 << bit;
            proptest::prop_assert!(parse(&flipped).is_err());
            proptest::prop_assert!(parse(&plain[..cut % plain.len()]).is_err());
        }
    }

    #[test]
    fn a_newer_format_is_named() {
        let sender = Device::generate(Id(1)).unwrap();
        let (mut manifest, _) = sample(&sender);
        manifest.format = FORMAT + 1;
        let bytes = bincode::serde::encode_to_vec(&manifest, manifest_config()).unwrap();
        assert_eq!(
            parse_manifest(&bytes).unwrap_err(),
            Refusal::TooNew(FORMAT + 1)
        );
    }
}
