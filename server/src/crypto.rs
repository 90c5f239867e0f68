//! Encryption at rest: per-object data keys, segment sealing and key wrapping.
//!
//! Object data is stored in fixed-size plaintext segments ([`SEGMENT_SIZE`]) sealed one by
//! one with an AEAD (AES-256-GCM, or GCM over the SM4 block cipher), so a ranged GET
//! decrypts only the segments it touches. Every stored chunk file (a PutObject body, one
//! multipart part, one append) gets its own key derived from the object's data key and the
//! chunk's random id, so the segment index can serve as the nonce without reuse.

use aes_gcm::aead::generic_array::typenum::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, AesGcm, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use zeroize::Zeroizing;

/// Plaintext bytes per sealed segment.
pub const SEGMENT_SIZE: usize = 64 * 1024;
/// AEAD tag bytes appended to every sealed segment.
pub const TAG_SIZE: usize = 16;
/// Bytes of a sealed segment holding a full plaintext segment.
pub const SEALED_SEGMENT_SIZE: usize = SEGMENT_SIZE + TAG_SIZE;

type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

/// Which block cipher seals an object's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataCipher {
    Aes256Gcm,
    Sm4Gcm,
}

impl DataCipher {
    pub fn as_str(self) -> &'static str {
        match self {
            DataCipher::Aes256Gcm => "AES256-GCM",
            DataCipher::Sm4Gcm => "SM4-GCM",
        }
    }

    pub fn parse(value: &str) -> Option<DataCipher> {
        match value {
            "AES256-GCM" => Some(DataCipher::Aes256Gcm),
            "SM4-GCM" => Some(DataCipher::Sm4Gcm),
            _ => None,
        }
    }
}

/// A 256-bit secret key, zeroized on drop.
#[derive(Clone)]
pub struct SecretKey(pub Zeroizing<[u8; 32]>);

impl SecretKey {
    pub fn random() -> SecretKey {
        let mut key = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(key.as_mut());
        SecretKey(key)
    }

    pub fn from_slice(bytes: &[u8]) -> Option<SecretKey> {
        let array: [u8; 32] = bytes.try_into().ok()?;
        Some(SecretKey(Zeroizing::new(array)))
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

enum Aead2 {
    Aes(Box<Aes256Gcm>),
    Sm4(Box<Sm4Gcm>),
}

/// Seals and opens the segments of one chunk file.
pub struct SegmentCipher {
    aead: Aead2,
}

impl SegmentCipher {
    /// The cipher of chunk `chunk_id` of an object whose data key is `data_key`.
    pub fn for_chunk(cipher: DataCipher, data_key: &SecretKey, chunk_id: &str) -> SegmentCipher {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(data_key.bytes()).expect("any key length");
        mac.update(b"ossbridge-chunk-key\0");
        mac.update(chunk_id.as_bytes());
        let derived = Zeroizing::new(<[u8; 32]>::from(mac.finalize().into_bytes()));
        let aead = match cipher {
            DataCipher::Aes256Gcm => Aead2::Aes(Box::new(
                Aes256Gcm::new_from_slice(&derived[..]).expect("32-byte key"),
            )),
            DataCipher::Sm4Gcm => Aead2::Sm4(Box::new(
                Sm4Gcm::new_from_slice(&derived[..16]).expect("16-byte key"),
            )),
        };
        SegmentCipher { aead }
    }

    fn nonce(index: u64) -> [u8; 12] {
        let mut nonce = [0u8; 12];
        nonce[4..].copy_from_slice(&index.to_be_bytes());
        nonce
    }

    pub fn seal(&self, index: u64, plaintext: &[u8]) -> Vec<u8> {
        let nonce = Self::nonce(index);
        let nonce = Nonce::from_slice(&nonce);
        let payload = Payload {
            msg: plaintext,
            aad: b"",
        };
        match &self.aead {
            Aead2::Aes(aead) => aead.encrypt(nonce, payload),
            Aead2::Sm4(aead) => aead.encrypt(nonce, payload),
        }
        .expect("AEAD encryption of a bounded segment cannot fail")
    }

    pub fn open(&self, index: u64, sealed: &[u8]) -> Result<Vec<u8>, String> {
        let nonce = Self::nonce(index);
        let nonce = Nonce::from_slice(&nonce);
        let payload = Payload {
            msg: sealed,
            aad: b"",
        };
        match &self.aead {
            Aead2::Aes(aead) => aead.decrypt(nonce, payload),
            Aead2::Sm4(aead) => aead.decrypt(nonce, payload),
        }
        .map_err(|_| format!("segment {index} failed authentication (data corrupted or wrong key)"))
    }
}

/// Stored size of `plain_len` plaintext bytes once sealed in segments.
pub fn sealed_len(plain_len: u64) -> u64 {
    let full = plain_len / SEGMENT_SIZE as u64;
    let rest = plain_len % SEGMENT_SIZE as u64;
    full * SEALED_SEGMENT_SIZE as u64 + if rest > 0 { rest + TAG_SIZE as u64 } else { 0 }
}

/// Wraps `secret` under `key` with AES-256-GCM: `nonce(12) || ciphertext || tag`.
/// `context` is bound as associated data so a wrapped key cannot be moved to another use.
pub fn wrap(key: &SecretKey, secret: &[u8], context: &[u8]) -> Vec<u8> {
    let aead = Aes256Gcm::new_from_slice(key.bytes()).expect("32-byte key");
    let mut nonce = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let sealed = aead
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: secret,
                aad: context,
            },
        )
        .expect("AEAD encryption cannot fail");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    out
}

/// Reverses [`wrap`].
pub fn unwrap(
    key: &SecretKey,
    wrapped: &[u8],
    context: &[u8],
) -> Result<Zeroizing<Vec<u8>>, String> {
    if wrapped.len() < 12 + TAG_SIZE {
        return Err("wrapped key is truncated".into());
    }
    let aead = Aes256Gcm::new_from_slice(key.bytes()).expect("32-byte key");
    aead.decrypt(
        Nonce::from_slice(&wrapped[..12]),
        Payload {
            msg: &wrapped[12..],
            aad: context,
        },
    )
    .map(Zeroizing::new)
    .map_err(|_| {
        "wrapped key failed authentication (wrong master key or corrupted metadata)".to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_round_trip_for_both_ciphers() {
        let key = SecretKey::random();
        for cipher in [DataCipher::Aes256Gcm, DataCipher::Sm4Gcm] {
            let seg = SegmentCipher::for_chunk(cipher, &key, "chunk-1");
            let sealed = seg.seal(7, b"hello world");
            assert_eq!(sealed.len(), 11 + TAG_SIZE);
            assert_ne!(&sealed[..11], b"hello world");
            assert_eq!(seg.open(7, &sealed).unwrap(), b"hello world");
            assert!(seg.open(8, &sealed).is_err(), "segment index is bound");
            let other = SegmentCipher::for_chunk(cipher, &key, "chunk-2");
            assert!(other.open(7, &sealed).is_err(), "chunk id is bound");
        }
    }

    #[test]
    fn wrap_binds_context() {
        let master = SecretKey::random();
        let wrapped = wrap(&master, b"data key", b"ctx-a");
        assert_eq!(
            &unwrap(&master, &wrapped, b"ctx-a").unwrap()[..],
            b"data key"
        );
        assert!(unwrap(&master, &wrapped, b"ctx-b").is_err());
    }

    #[test]
    fn sealed_len_counts_tags() {
        assert_eq!(sealed_len(0), 0);
        assert_eq!(sealed_len(1), 17);
        assert_eq!(sealed_len(SEGMENT_SIZE as u64), SEALED_SEGMENT_SIZE as u64);
        assert_eq!(
            sealed_len(SEGMENT_SIZE as u64 + 1),
            SEALED_SEGMENT_SIZE as u64 + 17
        );
    }
}
