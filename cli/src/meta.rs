//! ossutil's `--meta` / set-meta syntax: `Header:value#Header:value...`, turned into core's
//! typed options (the SSE headers become a validated `ServerSideEncryption`).

use ossbridge_core::model::ObjectAttributes;
use ossbridge_core::sse::ServerSideEncryption;

use crate::output::{usage, CliResult};

/// Headers ossutil 1.x accepts besides `X-Oss-Meta-*` (lib/set_meta.go), minus SSE-C,
/// which this client does not implement.
const ALLOWED: &[&str] = &[
    "content-type",
    "cache-control",
    "content-disposition",
    "content-encoding",
    "expires",
    "x-oss-server-side-encryption",
    "x-oss-server-side-encryption-key-id",
    "x-oss-server-side-data-encryption",
    "x-oss-object-acl",
    "x-oss-storage-class",
];

/// Splits `A:1#B:2` into `[("A","1"), ("B","2")]`, checking every name. A value may be
/// empty (`X-Oss-Meta-a:` or just `X-Oss-Meta-a`).
pub fn parse(spec: &str) -> CliResult<Vec<(String, String)>> {
    let spec = spec.trim();
    if spec.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for item in spec.split('#') {
        let (name, value) = item.split_once(':').unwrap_or((item, ""));
        let name = name.trim();
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("x-oss-server-side-encryption-customer") {
            return Err(usage(format!(
                "{name}: SSE-C (customer-provided keys) is not supported; use X-Oss-Server-Side-Encryption:AES256|KMS|SM4"
            )));
        }
        let meta_name = lower.strip_prefix("x-oss-meta-");
        if meta_name == Some("") || (meta_name.is_none() && !ALLOWED.contains(&lower.as_str())) {
            return Err(usage(format!(
                "unsupported header {name:?} in meta: expected X-Oss-Meta-* or one of {}",
                ALLOWED.join(", ")
            )));
        }
        out.push((name.to_string(), value.to_string()));
    }
    Ok(out)
}

/// The typed SSE option and object attributes of a header list.
pub fn typed(
    headers: &[(String, String)],
) -> CliResult<(Option<ServerSideEncryption>, ObjectAttributes)> {
    Ok(ObjectAttributes::from_raw_headers(headers)?)
}

/// Parses an optional `--meta` value straight into typed options.
pub fn parse_typed(
    spec: Option<&str>,
) -> CliResult<(Option<ServerSideEncryption>, ObjectAttributes)> {
    match spec {
        Some(s) => typed(&parse(s)?),
        None => Ok((None, ObjectAttributes::default())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ossbridge_core::sse::DataEncryption;

    #[test]
    fn guide_example_becomes_typed_sse() {
        let (sse, attrs) = parse_typed(Some(
            "X-Oss-Server-Side-Encryption:KMS#X-Oss-Server-Side-Encryption-Key-Id:key-1#X-Oss-Server-Side-Data-Encryption:SM4",
        ))
        .unwrap();
        assert_eq!(
            sse,
            Some(ServerSideEncryption::Kms {
                key_id: Some("key-1".into()),
                data_encryption: Some(DataEncryption::Sm4)
            })
        );
        assert_eq!(attrs, ObjectAttributes::default());
    }

    #[test]
    fn user_metadata_and_bad_headers() {
        let (_, attrs) = parse_typed(Some("Content-Type:text/plain#X-Oss-Meta-Owner:a:b")).unwrap();
        assert_eq!(attrs.content_type.as_deref(), Some("text/plain"));
        assert_eq!(
            attrs.metadata,
            vec![("owner".to_string(), "a:b".to_string())]
        );
        assert!(parse("Authorization:x").is_err());
        assert!(parse("X-Oss-Meta-:x").is_err());
        assert!(parse_typed(Some("X-Oss-Server-Side-Encryption:DES")).is_err());
        assert!(parse_typed(Some(
            "X-Oss-Server-Side-Encryption:AES256#X-Oss-Server-Side-Encryption-Key-Id:k"
        ))
        .is_err());
    }
}
