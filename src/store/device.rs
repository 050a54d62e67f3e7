//! This database's identity among the databases of a programme: a device id, an
//! ed25519 key that signs every version and bundle it makes, and an X25519 (age) key
//! that bundles for it are encrypted to. The private halves are sealed under the data
//! key like every value; the public halves travel in kits and bundles.

use super::codec::Stored;
use crate::domain::Id;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// What only this database holds. Sealed in `meta` under `META_DEVICE`.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct DeviceSecrets {
    pub id: Id,
    pub signing: [u8; 32],
    /// The age X25519 identity, `AGE-SECRET-KEY-1...`.
    pub receiving: String,
    /// The ward this database belongs to once it joined one with a kit; None for a
    /// supervisor's (or a not yet joined) database.
    pub ward: Option<String>,
}

impl Drop for DeviceSecrets {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.signing.zeroize();
        self.receiving.zeroize();
    }
}

impl Stored for DeviceSecrets {
    const VERSION: u8 = 1;
}

/// A device as others know it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevicePublic {
    pub id: Id,
    pub verifying: [u8; 32],
    /// The age X25519 recipient, `age1...`.
    pub recipient: String,
    /// The ward of a ward laptop; None for a supervisor's database.
    pub ward: Option<String>,
}

impl DevicePublic {
    /// Four groups of four hex digits, read aloud over the phone to compare: made from
    /// both public keys, so neither can be swapped unseen.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"sinhke-device-1");
        h.update(self.verifying);
        h.update(self.recipient.as_bytes());
        let digest = h.finalize();
        digest[..8]
            .chunks(2)
            .map(|pair| format!("{:02X}{:02X}", pair[0], pair[1]))
            .collect::<Vec<_>>()
            .join("-")
    }

    /// Whether `signature` is this device's over `message`.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(key) = VerifyingKey::from_bytes(&self.verifying) else {
            return false;
        };
        let Ok(signature) = Signature::from_slice(signature) else {
            return false;
        };
        key.verify(message, &signature).is_ok()
    }

    pub fn age_recipient(&self) -> Option<age::x25519::Recipient> {
        self.recipient.parse().ok()
    }
}

/// Whether a fingerprint typed by a person names this one: case, spaces and dashes
/// do not matter.
pub fn fingerprint_matches(typed: &str, fingerprint: &str) -> bool {
    let clean = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_hexdigit())
            .map(|c| c.to_ascii_uppercase())
            .collect()
    };
    let typed = clean(typed);
    typed.len() >= 8 && clean(fingerprint).starts_with(&typed)
}

/// Another database this one has heard from. Sealed in `DEVICES` by device id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownDevice {
    pub public: DevicePublic,
    /// Accepted by a person (or, for a ward's supervisor, by joining with its kit):
    /// only then are its bundles merged.
    pub accepted: bool,
    /// When its last bundle received here was made (Unix milliseconds), and its number.
    pub last_bundle_at: Option<i64>,
    pub last_bundle_number: u64,
    pub last_bundle_id: Option<Id>,
    /// The highest of its log positions whose versions this database holds.
    pub theirs_received: u64,
    /// The highest of this database's log positions it has said it holds.
    pub ours_acknowledged: u64,
    /// The same two for audit trails: the last of its entries held here, and the last
    /// of this database's entries it has said it holds.
    pub audit_received: u64,
    pub audit_acknowledged: u64,
}

impl KnownDevice {
    pub fn new(public: DevicePublic, accepted: bool) -> KnownDevice {
        KnownDevice {
            public,
            accepted,
            last_bundle_at: None,
            last_bundle_number: 0,
            last_bundle_id: None,
            theirs_received: 0,
            ours_acknowledged: 0,
            audit_received: 0,
            audit_acknowledged: 0,
        }
    }
}

impl Stored for KnownDevice {
    const VERSION: u8 = 1;
}

/// This database's device, opened.
pub(crate) struct Device {
    pub secrets: DeviceSecrets,
    signing: SigningKey,
    /// Worked out once: the screens show the fingerprint on every frame.
    public: DevicePublic,
}

impl Device {
    /// A new identity with fresh keys.
    pub fn generate(id: Id) -> Result<Device, super::StoreError> {
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::fill(seed.as_mut()).map_err(|_| super::StoreError::NoRandomness)?;
        let receiving = age::x25519::Identity::generate();
        use age::secrecy::ExposeSecret;
        let secrets = DeviceSecrets {
            id,
            signing: *seed,
            receiving: receiving.to_string().expose_secret().to_string(),
            ward: None,
        };
        Ok(Device::from_secrets(secrets))
    }

    pub fn from_secrets(secrets: DeviceSecrets) -> Device {
        let signing = SigningKey::from_bytes(&secrets.signing);
        let recipient = secrets
            .receiving
            .parse::<age::x25519::Identity>()
            .map(|i| i.to_public().to_string())
            .unwrap_or_default();
        let public = DevicePublic {
            id: secrets.id,
            verifying: signing.verifying_key().to_bytes(),
            recipient,
            ward: secrets.ward.clone(),
        };
        Device {
            secrets,
            signing,
            public,
        }
    }

    pub fn id(&self) -> Id {
        self.secrets.id
    }

    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.signing.sign(message).to_bytes().to_vec()
    }

    pub fn identity(&self) -> Option<age::x25519::Identity> {
        self.secrets.receiving.parse().ok()
    }

    pub fn public(&self) -> DevicePublic {
        self.public.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_is_four_groups_of_four_hex_digits_and_follows_both_keys() {
        let device = Device::generate(Id(7)).unwrap();
        let public = device.public();
        let print = public.fingerprint();
        assert_eq!(print.len(), 19);
        assert!(print.split('-').all(|g| {
            g.len() == 4
                && g.chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
        }));
        let mut other = public.clone();
        other.recipient = Device::generate(Id(8)).unwrap().public().recipient;
        assert_ne!(other.fingerprint(), print);
        assert!(fingerprint_matches(
            &print.to_lowercase().replace('-', " "),
            &print
        ));
        assert!(!fingerprint_matches("1234", &print));
    }

    #[test]
    fn a_signature_verifies_only_for_its_message_and_key() {
        let device = Device::generate(Id(7)).unwrap();
        let signature = device.sign(b"hello");
        assert!(device.public().verifies(b"hello", &signature));
        assert!(!device.public().verifies(b"hellO", &signature));
        let other = Device::generate(Id(8)).unwrap();
        assert!(!other.public().verifies(b"hello", &signature));
    }
}
