//! A ward kit: what a supervisor gives a ward laptop to join the programme. It holds
//! no one's personal data (the wards, the follow-up schedule and the supervisor's
//! public keys), so it is signed but not encrypted; the laptop shows the supervisor's
//! fingerprint to be compared by phone before anything is trusted.

use crate::domain::{Id, Schedule};
use crate::store::Refusal;
use crate::store::device::{Device, DevicePublic};
use crate::store::versions::Version;
use bincode::config::{Configuration, Limit, LittleEndian, Varint};
use serde::{Deserialize, Serialize};

pub const MAGIC: &[u8; 11] = b"SINHKE-KIT\n";
pub const FORMAT: u16 = 1;
const SIGNED_LABEL: &[u8] = b"sinhke-kit-1";
const MAX_KIT: usize = 16 << 20;

fn config() -> Configuration<LittleEndian, Varint, Limit<MAX_KIT>> {
    bincode::config::standard().with_limit::<MAX_KIT>()
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kit {
    pub format: u16,
    pub kit_id: Id,
    pub ward: String,
    pub supervisor: DevicePublic,
    /// The versions of every ward's record, as the supervisor holds them.
    pub wards: Vec<Version>,
    pub schedule: Schedule,
    pub made_at: i64,
}

pub(crate) fn write(kit: &Kit, device: &Device) -> Result<Vec<u8>, String> {
    let body = bincode::serde::encode_to_vec(kit, config()).map_err(|e| e.to_string())?;
    let mut signed = SIGNED_LABEL.to_vec();
    signed.extend_from_slice(&body);
    let signature = device.sign(&signed);
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    out.extend_from_slice(&signature);
    Ok(out)
}

/// Reads a kit and checks it is signed by the supervisor it names.
pub fn read(bytes: &[u8]) -> Result<Kit, Refusal> {
    let damaged = |what: &str| Refusal::Damaged(what.to_string());
    let rest = bytes
        .strip_prefix(MAGIC.as_slice())
        .ok_or_else(|| damaged("not a sinhke ward kit"))?;
    if rest.len() < 4 {
        return Err(damaged("cut short"));
    }
    let (len, rest) = rest.split_at(4);
    let len = u32::from_le_bytes(len.try_into().unwrap_or_default()) as usize;
    if len > MAX_KIT || rest.len() != len + 64 {
        return Err(damaged("cut short or altered"));
    }
    let (body, signature) = rest.split_at(len);
    let (format, _): (u16, usize) =
        bincode::serde::decode_from_slice(body, config()).map_err(|_| damaged("unreadable"))?;
    if format > FORMAT {
        return Err(Refusal::TooNew(format));
    }
    let (kit, used): (Kit, usize) =
        bincode::serde::decode_from_slice(body, config()).map_err(|_| damaged("unreadable"))?;
    if used != body.len() {
        return Err(damaged("unreadable"));
    }
    let mut signed = SIGNED_LABEL.to_vec();
    signed.extend_from_slice(body);
    if !kit.supervisor.verifies(&signed, signature) {
        return Err(Refusal::BadSignature);
    }
    for v in &kit.wards {
        // Only the supervisor's own versions can be checked from a kit alone.
        if v.device != kit.supervisor.id
            || !kit.supervisor.verifies(&v.signed_bytes(), &v.signature)
        {
            return Err(Refusal::BadVersion(v.id.to_string()));
        }
    }
    Ok(kit)
}
