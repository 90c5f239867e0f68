//! Server-side encryption semantics: which method applies to a new object, creating and
//! unwrapping its data key, KMS permission checks and the SSE response headers.

use http::HeaderMap;

use crate::auth::Principal;
use crate::crypto::DataCipher;
use crate::error::{OssError, OssResult};
use crate::kms::Kms;
use crate::meta::{BucketSse, SseRecord};
use crate::storage::ChunkKey;

pub const H_SSE: &str = "x-oss-server-side-encryption";
pub const H_SSE_KEY_ID: &str = "x-oss-server-side-encryption-key-id";
pub const H_SSE_DATA: &str = "x-oss-server-side-data-encryption";

/// An SSE method as asked for (by header or bucket rule).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseRequest {
    pub algorithm: String,
    pub key_id: Option<String>,
    pub data_encryption: Option<String>,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// Validates an algorithm / key id / data cipher triple (request headers and bucket rules
/// share the rules of sse-api.md §1.3 and §2.2).
pub fn validate(
    algorithm: &str,
    key_id: Option<&str>,
    data_encryption: Option<&str>,
) -> OssResult<SseRequest> {
    if !matches!(algorithm, "AES256" | "KMS" | "SM4") {
        return Err(OssError::invalid_encryption_algorithm(algorithm));
    }
    let key_id = key_id.filter(|k| !k.is_empty()).map(str::to_string);
    if algorithm != "KMS" && key_id.is_some() {
        return Err(OssError::invalid_argument(
            "KMSMasterKeyID is not applicable if the default sse algorithm is not KMS",
        )
        .ec("0005-00000002"));
    }
    let data_encryption = match data_encryption.filter(|d| !d.is_empty()) {
        None => None,
        Some("SM4") if algorithm == "KMS" => Some("SM4".to_string()),
        // AES256/SM4 with a data cipher: accepted and dropped, as OSS does.
        Some("SM4") => None,
        Some(other) => {
            return Err(OssError::invalid_encryption_algorithm(other));
        }
    };
    Ok(SseRequest {
        algorithm: algorithm.to_string(),
        key_id,
        data_encryption,
    })
}

/// The SSE request headers of a PutObject/CopyObject/Append/Initiate, if any.
pub fn from_headers(headers: &HeaderMap) -> OssResult<Option<SseRequest>> {
    let Some(algorithm) = header(headers, H_SSE) else {
        // A key id or data cipher without the method header is ignored (sse-api.md §2.2).
        return Ok(None);
    };
    validate(
        algorithm,
        header(headers, H_SSE_KEY_ID),
        header(headers, H_SSE_DATA),
    )
    .map(Some)
}

/// True when a request carries any SSE header (rejected on UploadPart/Complete).
pub fn has_any_header(headers: &HeaderMap) -> bool {
    [H_SSE, H_SSE_KEY_ID, H_SSE_DATA]
        .iter()
        .any(|h| headers.contains_key(*h))
}

/// The request header wins over the bucket default.
pub fn effective(
    requested: Option<SseRequest>,
    bucket_rule: Option<&BucketSse>,
) -> Option<SseRequest> {
    requested.or_else(|| {
        bucket_rule.map(|r| SseRequest {
            algorithm: r.algorithm.clone(),
            key_id: r.key_id.clone().filter(|k| !k.is_empty()),
            data_encryption: r.data_encryption.clone().filter(|_| r.algorithm == "KMS"),
        })
    })
}

/// Creates the data key of a new object encrypted per `sse`.
pub fn new_key(
    kms: &Kms,
    principal: &Principal,
    sse: &SseRequest,
) -> OssResult<(SseRecord, ChunkKey)> {
    let (cipher, key_id, data_key, wrapped) = match sse.algorithm.as_str() {
        "AES256" | "SM4" => {
            let cipher = if sse.algorithm == "SM4" {
                DataCipher::Sm4Gcm
            } else {
                DataCipher::Aes256Gcm
            };
            let (key, wrapped) = kms.generate_master_wrapped();
            (cipher, None, key, wrapped)
        }
        "KMS" => {
            let user = principal.user().ok_or_else(OssError::forbidden_by_kms)?;
            let cmk = match &sse.key_id {
                Some(id) => kms.find(id)?.ok_or_else(|| crate::kms::unknown_cmk(id))?,
                None => kms.default_key()?,
            };
            if !user.may_kms("kms:GenerateDataKey", &cmk.names()) {
                return Err(OssError::forbidden_by_kms());
            }
            let cipher = if sse.data_encryption.as_deref() == Some("SM4") {
                DataCipher::Sm4Gcm
            } else {
                DataCipher::Aes256Gcm
            };
            let (key, wrapped) = kms.generate_data_key(&cmk.id)?;
            (cipher, Some(cmk.id), key, wrapped)
        }
        other => return Err(OssError::invalid_encryption_algorithm(other)),
    };
    let record = SseRecord {
        algorithm: sse.algorithm.clone(),
        data_encryption: sse
            .data_encryption
            .clone()
            .filter(|_| sse.algorithm == "KMS"),
        key_id,
        cipher: cipher.as_str().to_string(),
        wrapped_key: wrapped,
    };
    Ok((record, ChunkKey { cipher, data_key }))
}

/// Unwraps the data key of a stored object (or upload). `action` is the KMS permission
/// the caller needs (`kms:Decrypt` to read, `kms:GenerateDataKey` to add data).
pub fn open_key(
    kms: &Kms,
    principal: &Principal,
    sse: &SseRecord,
    action: &str,
) -> OssResult<ChunkKey> {
    let cipher = DataCipher::parse(&sse.cipher)
        .ok_or_else(|| OssError::internal(format!("unknown stored cipher {}", sse.cipher)))?;
    let data_key = match sse.key_id.as_deref() {
        Some(cmk_id) if sse.algorithm == "KMS" => {
            check_kms(kms, principal, cmk_id, action)?;
            kms.decrypt(cmk_id, &sse.wrapped_key)?
        }
        _ => kms.unwrap_master_wrapped(&sse.wrapped_key)?,
    };
    Ok(ChunkKey { cipher, data_key })
}

/// Fails with `This request is forbidden by kms.` unless the principal may use the CMK.
pub fn check_kms(kms: &Kms, principal: &Principal, cmk_id: &str, action: &str) -> OssResult<()> {
    let user = principal.user().ok_or_else(OssError::forbidden_by_kms)?;
    let cmk = kms
        .find(cmk_id)?
        .ok_or_else(|| crate::kms::unknown_cmk(cmk_id))?;
    if !user.may_kms(action, &cmk.names()) {
        return Err(OssError::forbidden_by_kms());
    }
    Ok(())
}

/// The SSE response headers of an object or upload.
pub fn response_headers(sse: Option<&SseRecord>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(sse) = sse {
        out.push((H_SSE.to_string(), sse.algorithm.clone()));
        if sse.algorithm == "KMS" {
            if let Some(id) = &sse.key_id {
                out.push((H_SSE_KEY_ID.to_string(), id.clone()));
            }
            if let Some(data) = &sse.data_encryption {
                out.push((H_SSE_DATA.to_string(), data.clone()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_matches_oss() {
        assert_eq!(
            validate("random", None, None).unwrap_err().code,
            "InvalidEncryptionAlgorithmError"
        );
        assert_eq!(
            validate("AES256", Some("k"), None).unwrap_err().code,
            "InvalidArgument"
        );
        assert!(validate("AES256", Some(""), None).is_ok());
        assert_eq!(
            validate("SM4", None, Some("SM4")).unwrap().data_encryption,
            None
        );
        assert_eq!(
            validate("KMS", Some("x"), Some("SM4"))
                .unwrap()
                .data_encryption
                .as_deref(),
            Some("SM4")
        );
    }

    #[test]
    fn header_beats_bucket_rule() {
        let rule = BucketSse {
            algorithm: "KMS".into(),
            key_id: None,
            data_encryption: None,
        };
        let req = SseRequest {
            algorithm: "AES256".into(),
            key_id: None,
            data_encryption: None,
        };
        assert_eq!(effective(Some(req.clone()), Some(&rule)), Some(req));
        assert_eq!(effective(None, Some(&rule)).unwrap().algorithm, "KMS");
        assert_eq!(effective(None, None), None);
    }
}
