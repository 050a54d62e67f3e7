//! Record identifiers: 128-bit, time-ordered (48 bits of Unix milliseconds, then 80
//! random bits, as in ULID), stored big-endian so sled's key order is creation order.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A record's id. Aligned to 8 bytes, not u128's 16: every record holds several ids, and the padding
/// a 16-byte alignment adds around them and their `Option`s cost megabytes at a
/// province's size. Stored and encoded exactly as a u128.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[repr(C, packed(8))]
pub struct Id(pub u128);

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

impl Id {
    /// The id of a record not saved yet; the store gives it a real one.
    pub const NEW: Id = Id(0);

    pub fn is_new(self) -> bool {
        self == Id::NEW
    }

    /// Builds an id from a creation time and 80 bits of randomness.
    pub fn from_parts(unix_millis: u64, random: u128) -> Id {
        let time = (unix_millis as u128 & ((1 << 48) - 1)) << 80;
        Id(time | (random & ((1u128 << 80) - 1)))
    }

    pub fn to_bytes(self) -> [u8; 16] {
        self.0.to_be_bytes()
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Id> {
        let arr: [u8; 16] = bytes.try_into().ok()?;
        Some(Id(u128::from_be_bytes(arr)))
    }

    pub fn unix_millis(self) -> u64 {
        (self.0 >> 80) as u64
    }

    /// Parses the 26-character form that `Display` prints.
    pub fn parse(text: &str) -> Option<Id> {
        if text.len() != 26 {
            return None;
        }
        let mut value: u128 = 0;
        for (i, c) in text.bytes().enumerate() {
            let digit = CROCKFORD
                .iter()
                .position(|&d| d == c.to_ascii_uppercase())? as u128;
            if i == 0 && digit > 7 {
                return None;
            }
            value = (value << 5) | digit;
        }
        Some(Id(value))
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = [0u8; 26];
        let mut v = self.0;
        for slot in out.iter_mut().rev() {
            *slot = CROCKFORD[(v & 31) as usize];
            v >>= 5;
        }
        f.write_str(std::str::from_utf8(&out).map_err(|_| fmt::Error)?)
    }
}

/// Hashes an `Id` by folding its bits: the low 80 bits are already random, so there is
/// nothing for SipHash to protect against, and lookups by id are the hot path of every
/// dashboard and list.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn write_u128(&mut self, n: u128) {
        self.0 = ((n as u64) ^ ((n >> 64) as u64)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

pub type IdMap<V> = std::collections::HashMap<Id, V, std::hash::BuildHasherDefault<IdHasher>>;
pub type IdSet = std::collections::HashSet<Id, std::hash::BuildHasherDefault<IdHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_creation_time() {
        let early = Id::from_parts(1_000, u128::MAX);
        let late = Id::from_parts(1_001, 0);
        assert!(early < late);
        assert!(early.to_bytes() < late.to_bytes());
    }

    #[test]
    fn ids_made_in_the_same_millisecond_hash_apart() {
        use std::hash::{BuildHasher, BuildHasherDefault};
        let build = BuildHasherDefault::<IdHasher>::default();
        let a = build.hash_one(Id::from_parts(5, 1));
        let b = build.hash_one(Id::from_parts(5, 2));
        assert_ne!(a, b);
        let mut map: IdMap<u8> = IdMap::default();
        map.insert(Id(7), 1);
        assert_eq!(map.get(&Id(7)), Some(&1));
    }

    #[test]
    fn the_text_form_parses_back() {
        let id = Id::from_parts(1_732_000_000_000, 0x00AB_CDEF_0123_4567_89AB);
        let text = id.to_string();
        assert_eq!(text.len(), 26);
        assert_eq!(Id::parse(&text), Some(id));
        assert_eq!(Id::parse("not an id"), None);
    }
}
