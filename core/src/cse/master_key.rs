//! Master keys: what wraps each object's data key and IV/salt into the `key` and `start`
//! headers. Implementations: RSA ([`super::RsaMasterKey`]), a local AES key-wrap key
//! ([`super::AesWrapMasterKey`]) and KMS ([`super::KmsMasterKey`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::envelope::{Envelope, MaterialDescription};
use super::secret::SecretBytes;
use crate::{Error, ErrorKind, Result};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A key-encryption key. Wrapping returns the header *text* because the KMS layouts differ
/// in how many base64 layers the header has (spec §1.3); RSA and AES key wrap return
/// `base64(wrapped bytes)`.
pub trait MasterKey: Send + Sync + std::fmt::Debug {
    /// The `wrap-alg` value this key writes.
    fn wrap_algorithm(&self) -> &str;

    /// Whether objects written with `wrap_alg` can be unwrapped by this key.
    fn accepts(&self, wrap_alg: &str) -> bool;

    /// The material description written with objects (may be empty).
    fn material_description(&self) -> &MaterialDescription;

    /// Wraps `secret` and returns the header value.
    fn wrap<'a>(&'a self, secret: &'a [u8]) -> BoxFuture<'a, Result<String>>;

    /// Unwraps a header value written with `wrap_alg`.
    fn unwrap<'a>(
        &'a self,
        wrap_alg: &'a str,
        header_value: &'a str,
    ) -> BoxFuture<'a, Result<SecretBytes>>;

    /// A fresh 32-byte data key and its wrapped header value. The default draws the key
    /// locally; KMS overrides it with GenerateDataKey.
    fn generate_data_key(&self) -> BoxFuture<'_, Result<(SecretBytes, String)>> {
        Box::pin(async move {
            let mut key = vec![0u8; 32];
            super::secret::random_fill(&mut key)?;
            let key = SecretBytes::new(key);
            let wrapped = self.wrap(key.as_bytes()).await?;
            Ok((key, wrapped))
        })
    }
}

/// The master key used to write, plus others accepted on read (e.g. after a key rotation).
#[derive(Clone, Debug)]
pub struct MasterKeys {
    writer: Arc<dyn MasterKey>,
    readers: Vec<Arc<dyn MasterKey>>,
}

impl MasterKeys {
    pub fn new(writer: Arc<dyn MasterKey>) -> Self {
        MasterKeys {
            writer,
            readers: Vec::new(),
        }
    }

    /// Adds a key tried for objects whose material description matches it.
    pub fn with_decryption_key(mut self, key: Arc<dyn MasterKey>) -> Self {
        self.readers.push(key);
        self
    }

    pub fn writer(&self) -> &Arc<dyn MasterKey> {
        &self.writer
    }

    /// Picks the key for an object: one whose material description equals the object's (as
    /// parsed maps) and that accepts its wrap-alg; else the writer key if it accepts the
    /// wrap-alg. An object whose description names no known key and whose wrap-alg the
    /// writer cannot handle is refused with an error that names both.
    pub fn select(&self, envelope: &Envelope) -> Result<&Arc<dyn MasterKey>> {
        let wanted = envelope.material_description.clone().unwrap_or_default();
        let all = std::iter::once(&self.writer).chain(self.readers.iter());
        let mut by_desc = None;
        for key in all {
            if key.material_description() == &wanted && key.accepts(&envelope.wrap_alg) {
                by_desc = Some(key);
                break;
            }
        }
        if let Some(key) = by_desc {
            return Ok(key);
        }
        if self.writer.accepts(&envelope.wrap_alg) {
            return Ok(&self.writer);
        }
        if let Some(key) = self.readers.iter().find(|k| k.accepts(&envelope.wrap_alg)) {
            return Ok(key);
        }
        Err(Error::new(
            ErrorKind::Crypto,
            format!(
                "no configured master key can unwrap this object (wrap-alg {:?}, material \
                 description {})",
                envelope.wrap_alg,
                wanted.to_json()
            ),
        ))
    }
}

pub(crate) fn b64_decode_header(name: &str, value: &str) -> Result<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .map_err(|_| {
            Error::new(
                ErrorKind::Crypto,
                format!("client-side encryption header {name} is not base64"),
            )
        })
}

pub(crate) fn b64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
