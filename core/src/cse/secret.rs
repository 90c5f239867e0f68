//! Secret byte containers: zeroized on drop, redacted in `Debug`, never `Display`.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::{Error, ErrorKind, Result};

/// Fills `out` from the operating system's CSPRNG (through AWS-LC).
pub(crate) fn random_fill(out: &mut [u8]) -> Result<()> {
    aws_lc_rs::rand::fill(out).map_err(|_| {
        Error::new(
            ErrorKind::Crypto,
            "the system random number generator failed",
        )
    })
}

/// Variable-length secret (an unwrapped key, a KMS plaintext, a decoded private key).
#[derive(Clone, Default, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    pub fn new(bytes: Vec<u8>) -> Self {
        SecretBytes(bytes)
    }
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Zeroizing<Vec<u8>>> for SecretBytes {
    fn from(mut value: Zeroizing<Vec<u8>>) -> Self {
        SecretBytes(std::mem::take(&mut *value))
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes(<redacted, {} bytes>)", self.0.len())
    }
}

/// The 256-bit content encryption key (CEK) of one object; fresh for every object.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DataKey([u8; 32]);

impl DataKey {
    pub const LEN: usize = 32;

    pub fn random() -> Result<Self> {
        let mut key = [0u8; 32];
        random_fill(&mut key)?;
        Ok(DataKey(key))
    }

    /// Takes an unwrapped key; any length other than 32 bytes is refused (a wrong master key
    /// or a tampered `key` header usually shows up here).
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        let key: [u8; 32] = bytes.try_into().map_err(|_| {
            Error::new(
                ErrorKind::Crypto,
                format!(
                    "the unwrapped data key has {} bytes, expected 32 (wrong master key or corrupt \
                     x-oss-meta-client-side-encryption-key)",
                    bytes.len()
                ),
            )
        })?;
        Ok(DataKey(key))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

/// The 16-byte initial counter block of the compatible (AES-CTR) format.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct CounterIv([u8; 16]);

impl CounterIv {
    /// A fresh IV: 16 CSPRNG bytes with bytes 8..12 zeroed, as every official SDK writes it,
    /// so readers that add to the low 32 or 64 bits only agree with 128-bit addition.
    pub fn random() -> Result<Self> {
        let mut iv = [0u8; 16];
        random_fill(&mut iv)?;
        iv[8..12].fill(0);
        Ok(CounterIv(iv))
    }

    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        let iv: [u8; 16] = bytes.try_into().map_err(|_| {
            Error::new(
                ErrorKind::Crypto,
                format!(
                    "the unwrapped IV has {} bytes, expected 16 (wrong master key or corrupt \
                     x-oss-meta-client-side-encryption-start)",
                    bytes.len()
                ),
            )
        })?;
        Ok(CounterIv(iv))
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Debug for CounterIv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CounterIv(<redacted>)")
    }
}
