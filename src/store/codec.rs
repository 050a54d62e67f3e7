//! The one codec for every stored value: a format-version byte, then bincode 2 of the
//! record with one fixed configuration. bincode keeps no field names, so a record whose
//! layout changes gets a new version byte and an upgrade from the old layout in
//! `Stored::decode_version`. Encryption wraps this codec; nothing else encodes values.

use crate::domain::{Grant, LivelihoodPlan, Milestone, Person, Referral, Schedule, Ward};
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
}

/// A record type the store keeps, with its current layout version.
pub trait Stored: Serialize + DeserializeOwned {
    const VERSION: u8;

    /// Decodes a body written with layout `version`, upgrading older layouts to today's.
    /// Only the current version exists yet; a V2 adds a match arm that decodes the V1
    /// struct and converts it.
    fn decode_version(version: u8, body: &[u8]) -> Result<Self, CodecError> {
        if version == Self::VERSION {
            decode_body(body)
        } else {
            Err(CodecError::UnknownVersion(version))
        }
    }
}

impl Stored for Person {
    const VERSION: u8 = 1;
}
impl Stored for LivelihoodPlan {
    const VERSION: u8 = 1;
}
impl Stored for Grant {
    const VERSION: u8 = 1;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::snapshot::tests::*;

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
