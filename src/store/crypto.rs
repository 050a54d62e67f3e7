//! Keys and ciphers: the random data key that seals every value (XChaCha20-Poly1305),
//! and the key slots that wrap it under each user's passphrase through Argon2id.
//! Secrets live in `Zeroizing` buffers and are wiped when dropped.

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub const KEY_BYTES: usize = 32;
pub const NONCE_BYTES: usize = 24;
pub const SALT_BYTES: usize = 16;
/// Poly1305 tag appended to every ciphertext.
pub const TAG_BYTES: usize = 16;

/// Associated data that ties a wrapped data key to its user's slot.
const SLOT_CONTEXT: &[u8] = b"sinhke key slot v1";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The operating system gave no randomness: nothing may be sealed without it.
    #[error("no randomness from the operating system")]
    NoRandomness,
    /// Wrong key, a value moved to another key, or altered bytes: AEAD cannot tell which.
    #[error("cannot be decrypted")]
    Unauthentic,
    #[error("key derivation failed: {0}")]
    Kdf(String),
}

/// Argon2id cost, stored with each slot so a database made on one machine opens on another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    pub memory_kib: u32,
    pub passes: u32,
    pub lanes: u32,
}

impl KdfParams {
    /// About half a second on the development machine (measured in BENCHMARKS.md); old
    /// laptops take longer, which is the point. 32 MiB over 30 passes, not 128 MiB over
    /// 5 for the same time: held while signing in, on top of sled's start-up, a larger
    /// block alone would set the program's peak memory (the 60 MiB budget). Both are
    /// above the OWASP minimums for Argon2id (19 MiB with 2 passes).
    pub const DEFAULT: KdfParams = KdfParams {
        memory_kib: 32 * 1024,
        passes: 30,
        lanes: 1,
    };

    /// Near-free parameters for tests that create hundreds of databases. Only ever chosen
    /// explicitly (`--kdf test`), never by default; stored in the slot like any other.
    pub const TEST: KdfParams = KdfParams {
        memory_kib: 8,
        passes: 1,
        lanes: 1,
    };

    /// `default` or `test`, as given to the hidden `--kdf` option.
    pub fn parse(text: &str) -> Option<KdfParams> {
        match text {
            "default" => Some(KdfParams::DEFAULT),
            "test" => Some(KdfParams::TEST),
            _ => None,
        }
    }

    fn derive(&self, passphrase: &[u8], salt: &[u8]) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
        let params = argon2::Params::new(self.memory_kib, self.passes, self.lanes, Some(32))
            .map_err(|e| CryptoError::Kdf(e.to_string()))?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut out = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(passphrase, salt, out.as_mut())
            .map_err(|e| CryptoError::Kdf(e.to_string()))?;
        Ok(out)
    }
}

/// Fills `buf` from the OS; there is no fallback, since a predictable nonce or key
/// would silently weaken everything sealed with it.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], CryptoError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|_| CryptoError::NoRandomness)?;
    Ok(buf)
}

/// The key that seals every value of one database. Never written anywhere unwrapped.
pub struct DataKey {
    bytes: Zeroizing<[u8; KEY_BYTES]>,
    cipher: XChaCha20Poly1305,
}

impl DataKey {
    pub fn generate() -> Result<DataKey, CryptoError> {
        let bytes = Zeroizing::new(random_bytes::<KEY_BYTES>()?);
        Ok(DataKey::from_bytes(bytes))
    }

    fn from_bytes(bytes: Zeroizing<[u8; KEY_BYTES]>) -> DataKey {
        // A 32-byte slice is always a valid key; the Err arm is unreachable.
        let cipher = XChaCha20Poly1305::new_from_slice(bytes.as_ref())
            .unwrap_or_else(|_| unreachable!("32-byte key"));
        DataKey { bytes, cipher }
    }

    /// Encrypts with a fresh random nonce: returns nonce then ciphertext and tag.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        seal_with(&self.cipher, plaintext, aad)
    }

    /// Reverses `seal`; any change to the bytes or to `aad` is refused.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        open_with(&self.cipher, sealed, aad)
    }
}

impl Clone for DataKey {
    fn clone(&self) -> DataKey {
        DataKey::from_bytes(self.bytes.clone())
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

fn seal_with(
    cipher: &XChaCha20Poly1305,
    plaintext: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let nonce_bytes = random_bytes::<NONCE_BYTES>()?;
    let nonce: &XNonce = (&nonce_bytes).into();
    let ciphertext = cipher
        .encrypt(
            nonce,
            Payload {
                msg: plaintext,
                aad,
            },
        )
        // Only a message of gigabytes can fail here.
        .map_err(|_| CryptoError::Unauthentic)?;
    let mut out = Vec::with_capacity(NONCE_BYTES + ciphertext.len());
    out.extend_from_slice(&nonce_bytes);
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

fn open_with(
    cipher: &XChaCha20Poly1305,
    sealed: &[u8],
    aad: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if sealed.len() < NONCE_BYTES + TAG_BYTES {
        return Err(CryptoError::Unauthentic);
    }
    let (nonce_bytes, ciphertext) = sealed.split_at(NONCE_BYTES);
    let nonce_arr: [u8; NONCE_BYTES] = nonce_bytes
        .try_into()
        .map_err(|_| CryptoError::Unauthentic)?;
    let nonce: &XNonce = (&nonce_arr).into();
    cipher
        .decrypt(
            nonce,
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::Unauthentic)
}

/// The data key wrapped under one user's passphrase. Stored in clear (it is useless
/// without the passphrase): the user name in it finds the slot before any key exists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySlot {
    pub user_name: String,
    pub kdf: KdfParams,
    pub salt: [u8; SALT_BYTES],
    /// Nonce, then the data key encrypted under the passphrase-derived key, then the tag.
    pub wrapped: Vec<u8>,
}

fn slot_aad(user_id: &[u8]) -> Vec<u8> {
    let mut aad = SLOT_CONTEXT.to_vec();
    aad.extend_from_slice(user_id);
    aad
}

impl KeySlot {
    /// Wraps `key` under `passphrase` for the user with this id (the slot only opens
    /// under its own user id, so slots cannot be swapped between users).
    pub fn wrap(
        key: &DataKey,
        user_id: &[u8],
        user_name: &str,
        passphrase: &str,
        kdf: KdfParams,
    ) -> Result<KeySlot, CryptoError> {
        let salt = random_bytes::<SALT_BYTES>()?;
        let kek = kdf.derive(passphrase.as_bytes(), &salt)?;
        let cipher = XChaCha20Poly1305::new_from_slice(kek.as_ref())
            .map_err(|_| CryptoError::Kdf("key length".into()))?;
        let wrapped = seal_with(&cipher, key.bytes.as_ref(), &slot_aad(user_id))?;
        Ok(KeySlot {
            user_name: user_name.to_string(),
            kdf,
            salt,
            wrapped,
        })
    }

    /// The data key, if `passphrase` is this slot's. Takes the slot's KDF time.
    pub fn unwrap_key(&self, user_id: &[u8], passphrase: &str) -> Result<DataKey, CryptoError> {
        let kek = self.kdf.derive(passphrase.as_bytes(), &self.salt)?;
        let cipher = XChaCha20Poly1305::new_from_slice(kek.as_ref())
            .map_err(|_| CryptoError::Kdf("key length".into()))?;
        let plain = open_with(&cipher, &self.wrapped, &slot_aad(user_id))?;
        let bytes: [u8; KEY_BYTES] = plain
            .as_slice()
            .try_into()
            .map_err(|_| CryptoError::Unauthentic)?;
        Ok(DataKey::from_bytes(Zeroizing::new(bytes)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_with_the_same_associated_data() {
        let key = DataKey::generate().expect("key");
        let sealed = key.seal(b"Nguyen Thi Hoa", b"people\0key-1").expect("seal");
        assert_eq!(
            key.open(&sealed, b"people\0key-1")
                .expect("open")
                .as_slice(),
            b"Nguyen Thi Hoa"
        );
        assert_eq!(
            key.open(&sealed, b"people\0key-2"),
            Err(CryptoError::Unauthentic)
        );
    }

    #[test]
    fn sealing_twice_gives_different_bytes() {
        let key = DataKey::generate().expect("key");
        let a = key.seal(b"same", b"").expect("seal");
        let b = key.seal(b"same", b"").expect("seal");
        assert_ne!(a, b, "a fresh nonce per write");
    }

    #[test]
    fn a_flipped_bit_or_a_short_value_is_refused_not_a_panic() {
        let key = DataKey::generate().expect("key");
        let mut sealed = key.seal(b"value", b"ad").expect("seal");
        sealed[NONCE_BYTES] ^= 1;
        assert_eq!(key.open(&sealed, b"ad"), Err(CryptoError::Unauthentic));
        assert_eq!(key.open(&[1, 2, 3], b"ad"), Err(CryptoError::Unauthentic));
    }

    #[test]
    fn a_slot_opens_with_its_passphrase_and_user_only() {
        let key = DataKey::generate().expect("key");
        let slot =
            KeySlot::wrap(&key, b"user-1", "Lan", "correct horse", KdfParams::TEST).expect("wrap");
        let unwrapped = slot.unwrap_key(b"user-1", "correct horse").expect("unwrap");
        let sealed = key.seal(b"x", b"").expect("seal");
        assert_eq!(unwrapped.open(&sealed, b"").expect("open").as_slice(), b"x");
        assert_eq!(
            slot.unwrap_key(b"user-1", "wrong horse").map(|_| ()),
            Err(CryptoError::Unauthentic)
        );
        assert_eq!(
            slot.unwrap_key(b"user-2", "correct horse").map(|_| ()),
            Err(CryptoError::Unauthentic)
        );
    }
}
