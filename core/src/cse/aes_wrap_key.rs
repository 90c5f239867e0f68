//! Local symmetric master key: AES key wrap (RFC 3394, `AESWrap`) of the data key and IV,
//! and RFC 5649 (`AESWrapPad`) on read. The wrap-alg names are the JCE names. Objects
//! written with it are ossbridge-only: no official OSS SDK has a symmetric master key.

use aws_lc_rs::key_wrap::{AesKek, KeyWrap, KeyWrapPadded, AES_128, AES_256};
use zeroize::Zeroizing;

use super::envelope::MaterialDescription;
use super::master_key::{b64_decode_header, b64_encode, BoxFuture, MasterKey};
use super::secret::SecretBytes;
use crate::{Error, ErrorKind, Result};

pub const WRAP_ALG_AES_KEY_WRAP: &str = "AESWrap";
pub const WRAP_ALG_AES_KEY_WRAP_PAD: &str = "AESWrapPad";

pub struct AesWrapMasterKey {
    key: SecretBytes,
    description: MaterialDescription,
}

impl std::fmt::Debug for AesWrapMasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AesWrapMasterKey")
            .field("bits", &(self.key.len() * 8))
            .field("key", &"<redacted>")
            .field("material_description", &self.description)
            .finish()
    }
}

impl AesWrapMasterKey {
    /// `key` is a 16 or 32-byte AES key-encryption key (32 recommended).
    pub fn new(key: &[u8]) -> Result<Self> {
        if !matches!(key.len(), 16 | 32) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "an AES key-wrap master key must be 16 or 32 bytes, got {}",
                    key.len()
                ),
            ));
        }
        Ok(AesWrapMasterKey {
            key: SecretBytes::new(key.to_vec()),
            description: MaterialDescription::new(),
        })
    }

    pub fn with_material_description(mut self, description: MaterialDescription) -> Self {
        self.description = description;
        self
    }

    fn kek(&self) -> Result<AesKek> {
        let cipher = match self.key.len() {
            16 => &AES_128,
            _ => &AES_256,
        };
        AesKek::new(cipher, self.key.as_bytes())
            .map_err(|_| Error::new(ErrorKind::Crypto, "AES key-wrap key setup failed"))
    }

    fn wrap_now(&self, secret: &[u8]) -> Result<String> {
        let mut out = vec![0u8; secret.len() + 16];
        let wrapped = if secret.len() % 8 == 0 && secret.len() >= 16 {
            self.kek()?.wrap(secret, &mut out)
        } else {
            self.kek()?.wrap_with_padding(secret, &mut out)
        }
        .map_err(|_| Error::new(ErrorKind::Crypto, "AES key wrap failed"))?;
        Ok(b64_encode(wrapped))
    }

    fn unwrap_now(&self, wrap_alg: &str, header_value: &str) -> Result<SecretBytes> {
        let wrapped = b64_decode_header("key/start", header_value)?;
        let mut out = Zeroizing::new(vec![0u8; wrapped.len()]);
        let result = if wrap_alg.eq_ignore_ascii_case(WRAP_ALG_AES_KEY_WRAP_PAD) {
            self.kek()?
                .unwrap_with_padding(&wrapped, &mut out)
                .map(|p| p.len())
        } else {
            self.kek()?.unwrap(&wrapped, &mut out).map(|p| p.len())
        };
        let n = result.map_err(|_| {
            Error::new(
                ErrorKind::Crypto,
                "AES key unwrap failed: the integrity check of the wrapped key did not pass \
                 (wrong master key or corrupt metadata)",
            )
        })?;
        out.truncate(n);
        Ok(SecretBytes::from(out))
    }
}

impl MasterKey for AesWrapMasterKey {
    fn wrap_algorithm(&self) -> &str {
        WRAP_ALG_AES_KEY_WRAP
    }

    fn accepts(&self, wrap_alg: &str) -> bool {
        wrap_alg.eq_ignore_ascii_case(WRAP_ALG_AES_KEY_WRAP)
            || wrap_alg.eq_ignore_ascii_case(WRAP_ALG_AES_KEY_WRAP_PAD)
    }

    fn material_description(&self) -> &MaterialDescription {
        &self.description
    }

    fn wrap<'a>(&'a self, secret: &'a [u8]) -> BoxFuture<'a, Result<String>> {
        Box::pin(async move { self.wrap_now(secret) })
    }

    fn unwrap<'a>(
        &'a self,
        wrap_alg: &'a str,
        header_value: &'a str,
    ) -> BoxFuture<'a, Result<SecretBytes>> {
        Box::pin(async move { self.unwrap_now(wrap_alg, header_value) })
    }
}
