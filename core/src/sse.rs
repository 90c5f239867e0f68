//! Typed server-side encryption (SSE) options and what OSS reports back.
//!
//! OSS accepts SSE request headers only on PutObject, CopyObject, AppendObject (when it
//! creates the object) and InitiateMultipartUpload; UploadPart and CompleteMultipartUpload
//! reject them with 400 `InvalidArgument` (`sse-api.md` §2.2). The option types of this
//! crate carry an SSE field only on those calls, so the rejected combinations cannot be
//! written. Appendable objects cannot use a named CMK, hence the separate
//! [`AppendEncryption`] without a key id.

use crate::error::{Error, Result};

/// `x-oss-server-side-encryption`: `AES256`, `KMS` or `SM4`.
pub const HEADER_SSE: &str = "x-oss-server-side-encryption";
/// `x-oss-server-side-encryption-key-id`: the KMS CMK id.
pub const HEADER_SSE_KEY_ID: &str = "x-oss-server-side-encryption-key-id";
/// `x-oss-server-side-data-encryption`: `SM4` as the data cipher of SSE-KMS.
pub const HEADER_SSE_DATA: &str = "x-oss-server-side-data-encryption";

/// The data cipher SSE-KMS can use instead of AES-256. OSS knows only `SM4`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataEncryption {
    Sm4,
}

impl DataEncryption {
    pub fn as_str(self) -> &'static str {
        "SM4"
    }

    /// Parses `SM4` (case-insensitive).
    pub fn parse(value: &str) -> Result<DataEncryption> {
        if value.eq_ignore_ascii_case("SM4") {
            Ok(DataEncryption::Sm4)
        } else {
            Err(Error::invalid_argument(format!(
                "unsupported SSE data encryption {value:?}: the only value OSS accepts is \"SM4\""
            )))
        }
    }
}

/// How OSS should encrypt a new object (or, as a bucket rule, every new object).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ServerSideEncryption {
    /// SSE-OSS with AES-256 (`AES256`).
    Aes256,
    /// SSE-OSS with SM4 (`SM4`).
    Sm4,
    /// SSE-KMS (`KMS`): the named CMK, or the account's default OSS CMK when `key_id` is
    /// `None`; the data cipher is AES-256 unless `data_encryption` is SM4.
    Kms {
        key_id: Option<String>,
        data_encryption: Option<DataEncryption>,
    },
}

impl ServerSideEncryption {
    /// SSE-KMS with the default CMK and AES-256 data encryption.
    pub fn kms() -> ServerSideEncryption {
        ServerSideEncryption::Kms {
            key_id: None,
            data_encryption: None,
        }
    }

    /// SSE-KMS with a named CMK.
    pub fn kms_with_key(key_id: impl Into<String>) -> ServerSideEncryption {
        ServerSideEncryption::Kms {
            key_id: Some(key_id.into()),
            data_encryption: None,
        }
    }

    /// Builds the option from the three strings the bindings receive, e.g.
    /// `("KMS", Some("key"), Some("SM4"))`. A key id or data cipher with a non-KMS
    /// algorithm is an error, because OSS would reject or silently drop it.
    pub fn from_parts(
        algorithm: &str,
        key_id: Option<&str>,
        data_encryption: Option<&str>,
    ) -> Result<Self> {
        let key_id = key_id.filter(|k| !k.is_empty());
        let data_encryption = data_encryption.filter(|d| !d.is_empty());
        let sse = match algorithm.to_ascii_uppercase().as_str() {
            "AES256" => ServerSideEncryption::Aes256,
            "SM4" => ServerSideEncryption::Sm4,
            "KMS" => {
                return Ok(ServerSideEncryption::Kms {
                    key_id: key_id.map(str::to_string),
                    data_encryption: data_encryption.map(DataEncryption::parse).transpose()?,
                })
            }
            other => {
                return Err(Error::invalid_argument(format!(
                    "unsupported server-side encryption algorithm {other:?}: expected AES256, KMS or SM4"
                )))
            }
        };
        if key_id.is_some() {
            return Err(Error::invalid_argument(format!(
                "a KMS key id is only valid with algorithm KMS, not {algorithm}"
            )));
        }
        if data_encryption.is_some() {
            return Err(Error::invalid_argument(format!(
                "a data encryption cipher is only valid with algorithm KMS, not {algorithm}"
            )));
        }
        Ok(sse)
    }

    /// `AES256`, `KMS` or `SM4`.
    pub fn algorithm(&self) -> &'static str {
        match self {
            ServerSideEncryption::Aes256 => "AES256",
            ServerSideEncryption::Sm4 => "SM4",
            ServerSideEncryption::Kms { .. } => "KMS",
        }
    }

    pub fn key_id(&self) -> Option<&str> {
        match self {
            ServerSideEncryption::Kms { key_id, .. } => key_id.as_deref(),
            _ => None,
        }
    }

    pub fn data_encryption(&self) -> Option<DataEncryption> {
        match self {
            ServerSideEncryption::Kms {
                data_encryption, ..
            } => *data_encryption,
            _ => None,
        }
    }

    /// The request headers that ask OSS for this encryption.
    pub fn headers(&self) -> Vec<(String, String)> {
        let mut out = vec![(HEADER_SSE.to_string(), self.algorithm().to_string())];
        if let Some(id) = self.key_id() {
            out.push((HEADER_SSE_KEY_ID.to_string(), id.to_string()));
        }
        if let Some(d) = self.data_encryption() {
            out.push((HEADER_SSE_DATA.to_string(), d.as_str().to_string()));
        }
        out
    }
}

/// Encryption for AppendObject. It takes effect only when the append creates the object
/// (position 0); OSS does not allow a named CMK for appendable objects, so there is none.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AppendEncryption {
    Aes256,
    Sm4,
    /// SSE-KMS with the account's default CMK.
    Kms {
        data_encryption: Option<DataEncryption>,
    },
}

impl AppendEncryption {
    /// Converts a general SSE option; a named CMK is rejected because OSS does not allow
    /// one for appendable objects.
    pub fn from_sse(sse: &ServerSideEncryption) -> Result<AppendEncryption> {
        Ok(match sse {
            ServerSideEncryption::Aes256 => AppendEncryption::Aes256,
            ServerSideEncryption::Sm4 => AppendEncryption::Sm4,
            ServerSideEncryption::Kms { key_id: Some(_), .. } => {
                return Err(Error::invalid_argument(
                    "appendable objects cannot be encrypted with a named KMS key (OSS allows only the default CMK)",
                ))
            }
            ServerSideEncryption::Kms { key_id: None, data_encryption } => {
                AppendEncryption::Kms { data_encryption: *data_encryption }
            }
        })
    }

    pub fn headers(&self) -> Vec<(String, String)> {
        let sse = match self {
            AppendEncryption::Aes256 => ServerSideEncryption::Aes256,
            AppendEncryption::Sm4 => ServerSideEncryption::Sm4,
            AppendEncryption::Kms { data_encryption } => ServerSideEncryption::Kms {
                key_id: None,
                data_encryption: *data_encryption,
            },
        };
        sse.headers()
    }
}

/// The encryption OSS reported for an object, read from the response headers.
/// All `None` means the object is not encrypted (or the call does not report it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SseInfo {
    /// `AES256`, `KMS` or `SM4`.
    pub algorithm: Option<String>,
    /// The CMK id (SSE-KMS only; OSS reports the default CMK's id when none was named).
    pub key_id: Option<String>,
    /// `SM4` when SSE-KMS encrypts the data with SM4.
    pub data_encryption: Option<String>,
}

impl SseInfo {
    /// Reads the three SSE headers (names compared case-insensitively).
    pub fn from_headers(headers: &[(String, String)]) -> SseInfo {
        let get = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        SseInfo {
            algorithm: get(HEADER_SSE),
            key_id: get(HEADER_SSE_KEY_ID),
            data_encryption: get(HEADER_SSE_DATA),
        }
    }

    pub fn is_encrypted(&self) -> bool {
        self.algorithm.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kms_with_key_and_sm4_sends_all_three_headers() {
        let sse = ServerSideEncryption::from_parts("kms", Some("key-1"), Some("SM4")).unwrap();
        assert_eq!(
            sse.headers(),
            vec![
                (HEADER_SSE.to_string(), "KMS".to_string()),
                (HEADER_SSE_KEY_ID.to_string(), "key-1".to_string()),
                (HEADER_SSE_DATA.to_string(), "SM4".to_string()),
            ]
        );
    }

    #[test]
    fn key_id_or_data_cipher_without_kms_is_rejected() {
        let err = ServerSideEncryption::from_parts("AES256", Some("k"), None).unwrap_err();
        assert!(
            err.message().contains("only valid with algorithm KMS"),
            "{err}"
        );
        assert!(ServerSideEncryption::from_parts("SM4", None, Some("SM4")).is_err());
        let err = ServerSideEncryption::from_parts("DES", None, None).unwrap_err();
        assert!(err.message().contains("\"DES\""), "{err}");
        assert_eq!(
            ServerSideEncryption::from_parts("AES256", Some(""), None).unwrap(),
            ServerSideEncryption::Aes256
        );
    }

    #[test]
    fn append_encryption_never_names_a_key() {
        let h = AppendEncryption::Kms {
            data_encryption: Some(DataEncryption::Sm4),
        }
        .headers();
        assert!(h.iter().all(|(n, _)| n != HEADER_SSE_KEY_ID));
        assert_eq!(h.len(), 2);
    }

    #[test]
    fn sse_info_reads_headers_case_insensitively() {
        let headers = vec![
            (
                "X-Oss-Server-Side-Encryption".to_string(),
                "KMS".to_string(),
            ),
            (
                "x-oss-server-side-encryption-key-id".to_string(),
                "cmk".to_string(),
            ),
        ];
        let info = SseInfo::from_headers(&headers);
        assert_eq!(info.algorithm.as_deref(), Some("KMS"));
        assert_eq!(info.key_id.as_deref(), Some("cmk"));
        assert_eq!(info.data_encryption, None);
        assert!(info.is_encrypted());
    }
}
