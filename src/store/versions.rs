//! Every save is an immutable version: a random version id, the record it belongs to,
//! the versions it follows (its parents), a hybrid logical clock time, the device and
//! user that made it, and the record's body. A record's value comes from its heads,
//! the versions no other version names as parent: with one head it is that head; with
//! several, the greatest (clock, device, version id) is shown and the record is in
//! conflict until a person resolves it with a version whose parents are all heads.
//! Merging is set union, so receiving is idempotent and order-free, and no edit is lost.
//!
//! Only the current values (the winners, in the record trees) and the list of records
//! in conflict are loaded on open: history costs nothing at start-up.

use super::codec::{self, Stored};
use super::device::Device;
use crate::domain::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Which kind of record a version is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RecordKind {
    Ward,
    Person,
    Plan,
    Grant,
    Milestone,
    Referral,
}

impl RecordKind {
    pub const ALL: [RecordKind; 6] = [
        RecordKind::Ward,
        RecordKind::Person,
        RecordKind::Plan,
        RecordKind::Grant,
        RecordKind::Milestone,
        RecordKind::Referral,
    ];

    pub fn tree(self) -> &'static str {
        use super::keys::*;
        match self {
            RecordKind::Ward => WARDS,
            RecordKind::Person => PEOPLE,
            RecordKind::Plan => PLANS,
            RecordKind::Grant => GRANTS,
            RecordKind::Milestone => MILESTONES,
            RecordKind::Referral => REFERRALS,
        }
    }

    pub fn of_tree(tree: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.tree() == tree)
    }

    fn byte(self) -> u8 {
        self as u8
    }

    fn from_byte(b: u8) -> Option<RecordKind> {
        RecordKind::ALL.get(b as usize).copied()
    }

    /// The i18n key of the kind's name.
    pub fn label_key(self) -> &'static str {
        match self {
            RecordKind::Ward => "record_kind.ward",
            RecordKind::Person => "record_kind.person",
            RecordKind::Plan => "record_kind.plan",
            RecordKind::Grant => "record_kind.grant",
            RecordKind::Milestone => "record_kind.milestone",
            RecordKind::Referral => "record_kind.referral",
        }
    }
}

/// A record named across databases: its kind and its key (an id, or a ward's code).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RecordRef {
    pub kind: RecordKind,
    pub key: Vec<u8>,
}

impl RecordRef {
    /// kind, key length, key: the prefix of the record's entries in `RECORD_VERSIONS`,
    /// and its key in `CONFLICTS`.
    pub fn index_key(&self) -> Vec<u8> {
        let mut k = Vec::with_capacity(self.key.len() + 2);
        k.push(self.kind.byte());
        k.push(self.key.len().min(255) as u8);
        k.extend_from_slice(&self.key[..self.key.len().min(255)]);
        k
    }

    pub fn from_index_key(bytes: &[u8]) -> Option<(RecordRef, &[u8])> {
        let (&kind, rest) = bytes.split_first()?;
        let (&len, rest) = rest.split_first()?;
        let len = len as usize;
        if rest.len() < len {
            return None;
        }
        let kind = RecordKind::from_byte(kind)?;
        Some((
            RecordRef {
                kind,
                key: rest[..len].to_vec(),
            },
            &rest[len..],
        ))
    }

    pub fn id(&self) -> Option<Id> {
        if self.kind == RecordKind::Ward {
            None
        } else {
            Id::from_bytes(&self.key)
        }
    }

    /// How a person names the record: an id, or a ward's code.
    pub fn display(&self) -> String {
        match self.id() {
            Some(id) => id.to_string(),
            None => String::from_utf8_lossy(&self.key).into_owned(),
        }
    }
}

/// One saved state of one record. Immutable once made; signed by the device that made
/// it, so a supervisor can check a ward's versions however they reached it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub id: Id,
    pub record: RecordRef,
    pub parents: Vec<Id>,
    pub clock: u64,
    pub device: Id,
    pub user: String,
    /// The ward whose records this is part of; empty for what every ward shares (wards).
    pub ward: String,
    /// The record in the store's codec (layout byte, then bincode).
    pub body: Vec<u8>,
    pub signature: Vec<u8>,
}

impl Stored for Version {
    const VERSION: u8 = 1;
}

impl Version {
    /// What the device signs: every field but the signature, behind a label so the
    /// bytes cannot be taken for anything else that device signs.
    pub fn signed_bytes(&self) -> Vec<u8> {
        codec::encode_body(&(
            "sinhke-version-1",
            self.id,
            &self.record,
            &self.parents,
            self.clock,
            self.device,
            &self.user,
            &self.ward,
            &self.body,
        ))
    }

    /// The digest of the whole version, signature included: two versions with one id
    /// and different digests are a clash, quarantined.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(codec::encode_body(self)).into()
    }

    pub fn meta(&self) -> VersionMeta {
        VersionMeta {
            parents: self.parents.clone(),
            clock: self.clock,
            device: self.device,
            hash: self.hash(),
        }
    }

    /// The record this version holds, as a change the store can put in place.
    pub fn change(&self) -> Result<super::Change, codec::CodecError> {
        use super::Change;
        Ok(match self.record.kind {
            RecordKind::Ward => Change::Ward(codec::decode(&self.body)?),
            RecordKind::Person => Change::Person(codec::decode(&self.body)?),
            RecordKind::Plan => Change::Plan(codec::decode(&self.body)?),
            RecordKind::Grant => Change::Grant(codec::decode(&self.body)?),
            RecordKind::Milestone => Change::Milestone(codec::decode(&self.body)?),
            RecordKind::Referral => Change::Referral(codec::decode(&self.body)?),
        })
    }
}

/// A version's place in its record's history, kept beside it in clear (ids, a clock
/// and a digest only) so heads are found without opening any version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionMeta {
    pub parents: Vec<Id>,
    pub clock: u64,
    pub device: Id,
    pub hash: [u8; 32],
}

/// The heads of a record's history, winner first: the versions no other names as
/// parent, ordered by (clock, device, version id), greatest first. The same set of
/// versions gives the same heads and winner everywhere.
pub fn heads(history: &[(Id, VersionMeta)]) -> Vec<Id> {
    let named: std::collections::HashSet<Id> = history
        .iter()
        .flat_map(|(_, m)| m.parents.iter().copied())
        .collect();
    let mut heads: Vec<(u64, Id, Id)> = history
        .iter()
        .filter(|(id, _)| !named.contains(id))
        .map(|(id, m)| (m.clock, m.device, *id))
        .collect();
    heads.sort_unstable_by(|a, b| b.cmp(a));
    heads.dedup();
    heads.into_iter().map(|(_, _, id)| id).collect()
}

/// A hybrid logical clock: milliseconds in the high bits, a counter in the low 16, so
/// a time is after both the wall clock and every time this database has seen.
pub fn next_clock(last: u64) -> u64 {
    let wall = (crate::domain::dates::now_millis().max(0) as u64) << 16;
    wall.max(last + 1)
}

/// Makes and signs a version.
pub(crate) fn make_version(
    device: &Device,
    record: RecordRef,
    parents: Vec<Id>,
    clock: u64,
    user: &str,
    ward: &str,
    body: Vec<u8>,
) -> Version {
    let mut version = Version {
        id: super::new_id(),
        record,
        parents,
        clock,
        device: device.id(),
        user: user.to_string(),
        ward: ward.to_string(),
        body,
        signature: Vec::new(),
    };
    version.signature = device.sign(&version.signed_bytes());
    version
}

/// Where a logged version came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Here = 0,
    Received = 1,
}

pub fn log_value(version: Id, origin: Origin) -> Vec<u8> {
    let mut v = version.to_bytes().to_vec();
    v.push(origin as u8);
    v
}

pub fn parse_log_value(bytes: &[u8]) -> Option<(Id, Origin)> {
    let id = Id::from_bytes(bytes.get(..16)?)?;
    let origin = match bytes.get(16) {
        Some(1) => Origin::Received,
        _ => Origin::Here,
    };
    Some((id, origin))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(parents: &[u128], clock: u64, device: u128) -> VersionMeta {
        VersionMeta {
            parents: parents.iter().map(|p| Id(*p)).collect(),
            clock,
            device: Id(device),
            hash: [0; 32],
        }
    }

    #[test]
    fn heads_are_the_versions_no_one_follows_greatest_first_in_any_order() {
        let history = vec![
            (Id(1), meta(&[], 10, 1)),
            (Id(2), meta(&[1], 20, 1)),
            (Id(3), meta(&[1], 30, 2)),
            (Id(4), meta(&[2], 25, 1)),
        ];
        assert_eq!(heads(&history), vec![Id(3), Id(4)]);
        let mut reversed = history.clone();
        reversed.reverse();
        assert_eq!(heads(&reversed), vec![Id(3), Id(4)]);
        let mut resolved = history.clone();
        resolved.push((Id(5), meta(&[3, 4], 5, 3)));
        assert_eq!(heads(&resolved), vec![Id(5)]);
    }

    #[test]
    fn a_record_ref_survives_its_index_key() {
        let r = RecordRef {
            kind: RecordKind::Ward,
            key: b"CT".to_vec(),
        };
        let mut key = r.index_key();
        key.extend_from_slice(&[9; 16]);
        let (back, rest) = RecordRef::from_index_key(&key).unwrap();
        assert_eq!(back, r);
        assert_eq!(rest, &[9; 16]);
    }

    #[test]
    fn the_clock_moves_past_what_it_has_seen() {
        let far = u64::MAX / 2;
        assert_eq!(next_clock(far), far + 1);
        assert!(next_clock(0) > 0);
    }
}
