//! KMS master key (`KMS/ALICLOUD`). The KMS itself sits behind [`KmsProvider`], so any
//! KMS client (the local server's, Alibaba Cloud's) plugs in with the caller's credentials.
//!
//! Two header layouts exist (spec §1.3): Java v1 / Go store the `CiphertextBlob` string
//! itself (the majority, and what this key writes by default); oss2 `AliKMSProvider`
//! base64-encodes the blob string again. Reading tries the blob as stored first and, if the
//! KMS rejects it and the header decodes to base64 text, retries with that (oss2 layout).
//! In both layouts the KMS plaintext is the base64 text of the secret.

use std::sync::Arc;

use base64::Engine as _;
use zeroize::Zeroizing;

use super::envelope::MaterialDescription;
use super::master_key::{b64_encode, BoxFuture, MasterKey};
use super::secret::SecretBytes;
use crate::{Error, ErrorKind, Result};

pub const WRAP_ALG_KMS: &str = "KMS/ALICLOUD";

/// The three KMS calls client-side encryption needs. Plaintexts cross this boundary as the
/// KMS API carries them: base64 text.
pub trait KmsProvider: Send + Sync + std::fmt::Debug {
    /// GenerateDataKey(KeyId, KeySpec=AES_256): `(Plaintext (base64 text), CiphertextBlob)`.
    fn generate_data_key<'a>(
        &'a self,
        key_id: &'a str,
    ) -> BoxFuture<'a, Result<(Zeroizing<String>, String)>>;
    /// Encrypt(KeyId, Plaintext): CiphertextBlob.
    fn encrypt<'a>(
        &'a self,
        key_id: &'a str,
        plaintext_b64: &'a str,
    ) -> BoxFuture<'a, Result<String>>;
    /// Decrypt(CiphertextBlob): Plaintext (base64 text).
    fn decrypt<'a>(&'a self, ciphertext_blob: &'a str) -> BoxFuture<'a, Result<Zeroizing<String>>>;
}

/// Which header layout to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum KmsHeaderLayout {
    /// header = CiphertextBlob (Java v1, Go v1, Go v2 sample): readable by those SDKs.
    #[default]
    Blob,
    /// header = base64(CiphertextBlob) (oss2 `AliKMSProvider`).
    Oss2DoubleBase64,
}

#[derive(Debug)]
pub struct KmsMasterKey {
    provider: Arc<dyn KmsProvider>,
    key_id: String,
    layout: KmsHeaderLayout,
    description: MaterialDescription,
}

impl KmsMasterKey {
    pub fn new(provider: Arc<dyn KmsProvider>, key_id: impl Into<String>) -> Self {
        KmsMasterKey {
            provider,
            key_id: key_id.into(),
            layout: KmsHeaderLayout::default(),
            description: MaterialDescription::new(),
        }
    }

    pub fn with_layout(mut self, layout: KmsHeaderLayout) -> Self {
        self.layout = layout;
        self
    }

    pub fn with_material_description(mut self, description: MaterialDescription) -> Self {
        self.description = description;
        self
    }

    fn to_header(&self, blob: String) -> String {
        match self.layout {
            KmsHeaderLayout::Blob => blob,
            KmsHeaderLayout::Oss2DoubleBase64 => b64_encode(blob.as_bytes()),
        }
    }
}

fn decode_plaintext(plaintext_b64: &str) -> Result<SecretBytes> {
    base64::engine::general_purpose::STANDARD
        .decode(plaintext_b64.trim())
        .map(SecretBytes::new)
        .map_err(|_| Error::new(ErrorKind::Crypto, "the KMS plaintext is not base64"))
}

/// The oss2 layout: the header is base64 of an ASCII base64 blob.
fn inner_blob(header_value: &str) -> Option<String> {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(header_value.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let looks_b64 = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    looks_b64.then_some(text)
}

impl MasterKey for KmsMasterKey {
    fn wrap_algorithm(&self) -> &str {
        WRAP_ALG_KMS
    }

    fn accepts(&self, wrap_alg: &str) -> bool {
        wrap_alg.eq_ignore_ascii_case(WRAP_ALG_KMS)
    }

    fn material_description(&self) -> &MaterialDescription {
        &self.description
    }

    fn wrap<'a>(&'a self, secret: &'a [u8]) -> BoxFuture<'a, Result<String>> {
        Box::pin(async move {
            let plaintext = Zeroizing::new(b64_encode(secret));
            let blob = self.provider.encrypt(&self.key_id, &plaintext).await?;
            Ok(self.to_header(blob))
        })
    }

    fn unwrap<'a>(
        &'a self,
        _wrap_alg: &'a str,
        header_value: &'a str,
    ) -> BoxFuture<'a, Result<SecretBytes>> {
        Box::pin(async move {
            let first = self.provider.decrypt(header_value.trim()).await;
            let plaintext = match first {
                Ok(p) => p,
                Err(e) if matches!(e.kind(), ErrorKind::Service | ErrorKind::Crypto) => {
                    match inner_blob(header_value) {
                        Some(blob) => self.provider.decrypt(&blob).await?,
                        None => return Err(e),
                    }
                }
                Err(e) => return Err(e),
            };
            decode_plaintext(&plaintext)
        })
    }

    fn generate_data_key(&self) -> BoxFuture<'_, Result<(SecretBytes, String)>> {
        Box::pin(async move {
            let (plaintext, blob) = self.provider.generate_data_key(&self.key_id).await?;
            let key = decode_plaintext(&plaintext)?;
            if key.len() != 32 {
                return Err(Error::new(
                    ErrorKind::Crypto,
                    format!(
                        "KMS GenerateDataKey returned {} bytes, expected 32",
                        key.len()
                    ),
                ));
            }
            Ok((key, self.to_header(blob)))
        })
    }
}
