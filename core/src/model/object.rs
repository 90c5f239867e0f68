//! Object calls: Put, Get, Head, Copy, Append, Delete, DeleteMultipleObjects.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;

use super::xml::{Element, XmlWriter};
use super::{Acl, ResponseMeta};
use crate::error::{Error, Result};
use crate::sse::{AppendEncryption, ServerSideEncryption};

/// A progress callback: `(bytes transferred so far, total bytes)`. Calls are monotonic
/// (retries never move it backwards) and the last call reports exactly the total.
#[derive(Clone)]
pub struct Progress(pub Arc<dyn Fn(u64, u64) + Send + Sync>);

impl Progress {
    pub fn new(f: impl Fn(u64, u64) + Send + Sync + 'static) -> Progress {
        Progress(Arc::new(f))
    }
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Progress(..)")
    }
}

/// Headers shared by the calls that create an object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectAttributes {
    pub content_type: Option<String>,
    /// User metadata, sent as `x-oss-meta-<name>`; names are lower-cased by OSS.
    pub metadata: Vec<(String, String)>,
    /// `x-oss-object-acl`.
    pub acl: Option<Acl>,
    /// `x-oss-storage-class`.
    pub storage_class: Option<String>,
    /// `x-oss-forbid-overwrite: true` fails the call if the key exists.
    pub forbid_overwrite: bool,
    /// Further headers sent verbatim (`Cache-Control`, `Content-Disposition`, `Expires`,
    /// `x-oss-tagging`...). Names the client sets itself (signing, length, SSE) are
    /// rejected: SSE goes through the typed option ([`ObjectAttributes::from_raw_headers`]
    /// lifts raw SSE headers into it).
    pub extra_headers: Vec<(String, String)>,
}

/// Headers a caller may not pass verbatim: the client computes them, or they have a
/// typed option that makes sure they go only where OSS accepts them.
const RESERVED_HEADERS: &[&str] = &[
    "authorization",
    "host",
    "content-length",
    "date",
    "x-oss-date",
    "x-oss-content-sha256",
    "x-oss-security-token",
    "transfer-encoding",
    "expect",
    "connection",
    crate::sse::HEADER_SSE,
    crate::sse::HEADER_SSE_KEY_ID,
    crate::sse::HEADER_SSE_DATA,
];

/// Validates verbatim headers: token names, no reserved ones, no line breaks in values.
pub(crate) fn validate_extra_headers(
    headers: &[(String, String)],
) -> Result<Vec<(String, String)>> {
    let mut out = Vec::with_capacity(headers.len());
    for (name, value) in headers {
        let lower = name.trim().to_ascii_lowercase();
        let token = !lower.is_empty()
            && lower
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !token {
            return Err(Error::invalid_argument(format!(
                "invalid header name {name:?}"
            )));
        }
        if RESERVED_HEADERS.contains(&lower.as_str()) {
            return Err(Error::invalid_argument(format!(
                "header {name:?} cannot be passed verbatim: the client sets it (SSE headers go through the sse option)"
            )));
        }
        if value.contains(['\r', '\n']) {
            return Err(Error::invalid_argument(format!(
                "header {name:?} has a line break in its value"
            )));
        }
        out.push((lower, value.clone()));
    }
    Ok(out)
}

impl ObjectAttributes {
    pub(crate) fn headers(&self) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        if let Some(ct) = &self.content_type {
            out.push(("content-type".to_string(), ct.clone()));
        }
        for (name, value) in &self.metadata {
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(Error::invalid_argument(format!(
                    "user metadata name {name:?} must be non-empty ASCII letters, digits, '-' or '_'"
                )));
            }
            out.push((
                format!("x-oss-meta-{}", name.to_ascii_lowercase()),
                value.clone(),
            ));
        }
        if let Some(acl) = self.acl {
            out.push(("x-oss-object-acl".to_string(), acl.as_str().to_string()));
        }
        if let Some(sc) = &self.storage_class {
            out.push(("x-oss-storage-class".to_string(), sc.clone()));
        }
        if self.forbid_overwrite {
            out.push(("x-oss-forbid-overwrite".to_string(), "true".to_string()));
        }
        out.extend(validate_extra_headers(&self.extra_headers)?);
        Ok(out)
    }

    /// Lifts a raw header list (as ali-oss, oss2 or the C++ SDK users write it) into typed
    /// options: the three SSE headers become a validated [`ServerSideEncryption`];
    /// `Content-Type`, `x-oss-meta-*`, `x-oss-object-acl`, `x-oss-storage-class` and
    /// `x-oss-forbid-overwrite` become fields; the rest goes to `extra_headers`. Names are
    /// matched case-insensitively.
    pub fn from_raw_headers(
        headers: &[(String, String)],
    ) -> Result<(Option<ServerSideEncryption>, ObjectAttributes)> {
        let mut attrs = ObjectAttributes::default();
        let (mut algorithm, mut key_id, mut data) = (None, None, None);
        for (name, value) in headers {
            let lower = name.trim().to_ascii_lowercase();
            match lower.as_str() {
                crate::sse::HEADER_SSE => algorithm = Some(value.clone()),
                crate::sse::HEADER_SSE_KEY_ID => key_id = Some(value.clone()),
                crate::sse::HEADER_SSE_DATA => data = Some(value.clone()),
                "content-type" => attrs.content_type = Some(value.clone()),
                "x-oss-object-acl" => attrs.acl = Some(Acl::parse(value.trim())?),
                "x-oss-storage-class" => attrs.storage_class = Some(value.clone()),
                "x-oss-forbid-overwrite" => {
                    attrs.forbid_overwrite = value.trim().eq_ignore_ascii_case("true")
                }
                _ => match lower.strip_prefix("x-oss-meta-") {
                    Some(meta) => attrs.metadata.push((meta.to_string(), value.clone())),
                    None => attrs.extra_headers.push((name.clone(), value.clone())),
                },
            }
        }
        validate_extra_headers(&attrs.extra_headers)?;
        let sse = match algorithm {
            Some(a) => Some(ServerSideEncryption::from_parts(&a, key_id.as_deref(), data.as_deref())?),
            None if key_id.is_some() || data.is_some() => {
                return Err(Error::invalid_argument(
                    "x-oss-server-side-encryption-key-id / -data-encryption need x-oss-server-side-encryption: KMS",
                ))
            }
            None => None,
        };
        Ok((sse, attrs))
    }
}

/// Options of PutObject.
#[derive(Clone, Debug, Default)]
pub struct PutObjectOptions {
    pub sse: Option<ServerSideEncryption>,
    pub attributes: ObjectAttributes,
    pub progress: Option<Progress>,
}

/// Result of PutObject.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PutObjectResult {
    pub meta: ResponseMeta,
}

/// An inclusive byte range `start..=end` (`end: None` = to the end of the object).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ByteRange {
    pub start: u64,
    pub end: Option<u64>,
}

impl ByteRange {
    pub fn header_value(&self) -> String {
        match self.end {
            Some(end) => format!("bytes={}-{}", self.start, end),
            None => format!("bytes={}-", self.start),
        }
    }
}

/// Options of GetObject.
#[derive(Clone, Debug, Default)]
pub struct GetObjectOptions {
    /// Read only part of the object. The whole-object CRC-64 cannot be checked then.
    pub range: Option<ByteRange>,
    pub progress: Option<Progress>,
    /// Further headers sent verbatim (`If-Modified-Since`, `If-Match`...), validated like
    /// [`ObjectAttributes::extra_headers`].
    pub extra_headers: Vec<(String, String)>,
}

/// What OSS says about an object (HeadObject, GetObject).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Length of this response's content (of the range, for a range GET).
    pub content_length: u64,
    /// Size of the whole object.
    pub object_size: u64,
    pub content_type: Option<String>,
    pub last_modified: Option<String>,
    /// `Normal`, `Appendable` or `Multipart`.
    pub object_type: Option<String>,
    pub storage_class: Option<String>,
    /// For appendable objects: where the next append must start.
    pub next_append_position: Option<u64>,
    /// `Content-Range` of a range GET.
    pub content_range: Option<String>,
}

impl ObjectInfo {
    /// Reads the object's headers (also usable on a service error's headers, see
    /// [`ResponseMeta::from_service_error`]).
    pub fn from_meta(meta: &ResponseMeta) -> ObjectInfo {
        let num = |n: &str| meta.header(n).and_then(|v| v.trim().parse::<u64>().ok());
        let content_length = num("content-length").unwrap_or(0);
        let content_range = meta.header("content-range").map(str::to_string);
        let object_size = content_range
            .as_deref()
            .and_then(|r| r.rsplit_once('/'))
            .and_then(|(_, total)| total.trim().parse().ok())
            .unwrap_or(content_length);
        ObjectInfo {
            content_length,
            object_size,
            content_type: meta.header("content-type").map(str::to_string),
            last_modified: meta.header("last-modified").map(str::to_string),
            object_type: meta.header("x-oss-object-type").map(str::to_string),
            storage_class: meta.header("x-oss-storage-class").map(str::to_string),
            next_append_position: num("x-oss-next-append-position"),
            content_range,
        }
    }
}

/// Result of GetObject into memory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetObjectResult {
    pub data: Bytes,
    pub info: ObjectInfo,
    pub meta: ResponseMeta,
}

/// Result of GetObject into a file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetObjectToFileResult {
    pub bytes_written: u64,
    pub info: ObjectInfo,
    pub meta: ResponseMeta,
}

/// Result of HeadObject.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeadObjectResult {
    pub info: ObjectInfo,
    pub meta: ResponseMeta,
}

/// `x-oss-metadata-directive` of CopyObject.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MetadataDirective {
    /// Keep the source's metadata (OSS's default).
    #[default]
    Copy,
    /// Use the metadata given in the copy request.
    Replace,
}

/// Options of CopyObject. Encryption of the source is **not** copied: set `sse` to
/// encrypt the destination (copying an object onto itself with `sse` encrypts it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CopyObjectOptions {
    pub sse: Option<ServerSideEncryption>,
    pub metadata_directive: MetadataDirective,
    /// Sent only with [`MetadataDirective::Replace`] (content type and metadata) — ACL,
    /// storage class and forbid-overwrite always apply.
    pub attributes: ObjectAttributes,
}

/// Result of CopyObject.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CopyObjectResult {
    pub etag: String,
    pub last_modified: String,
    pub meta: ResponseMeta,
}

impl CopyObjectOptions {
    /// Like [`ObjectAttributes::from_raw_headers`], also lifting
    /// `x-oss-metadata-directive` (`COPY`/`REPLACE`) into `metadata_directive`.
    pub fn from_raw_headers(headers: &[(String, String)]) -> Result<CopyObjectOptions> {
        let mut directive = MetadataDirective::Copy;
        let mut rest = Vec::with_capacity(headers.len());
        for (name, value) in headers {
            if name.trim().eq_ignore_ascii_case("x-oss-metadata-directive") {
                directive = match value.trim().to_ascii_uppercase().as_str() {
                    "COPY" => MetadataDirective::Copy,
                    "REPLACE" => MetadataDirective::Replace,
                    other => {
                        return Err(Error::invalid_argument(format!(
                            "x-oss-metadata-directive must be COPY or REPLACE, not {other:?}"
                        )))
                    }
                };
            } else {
                rest.push((name.clone(), value.clone()));
            }
        }
        let (sse, attributes) = ObjectAttributes::from_raw_headers(&rest)?;
        Ok(CopyObjectOptions {
            sse,
            metadata_directive: directive,
            attributes,
        })
    }
}

/// Options of HeadObject.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeadObjectOptions {
    /// Headers sent verbatim (`If-Match`, `If-Modified-Since`...), validated like
    /// [`ObjectAttributes::extra_headers`].
    pub extra_headers: Vec<(String, String)>,
}

impl CopyObjectResult {
    pub fn from_xml(body: &[u8], meta: ResponseMeta) -> Result<Self> {
        let root = Element::parse(body, "CopyObjectResult")?;
        Ok(CopyObjectResult {
            etag: root.string("ETag"),
            last_modified: root.string("LastModified"),
            meta,
        })
    }
}

/// Options of AppendObject.
#[derive(Clone, Debug, Default)]
pub struct AppendObjectOptions {
    /// Encryption of the new object; only allowed at position 0, where the append creates it.
    pub sse: Option<AppendEncryption>,
    /// Sent only at position 0.
    pub attributes: ObjectAttributes,
    /// The CRC-64 of the object before this append (from the previous append's result).
    /// With it, the whole-object CRC OSS returns is verified; without it (position > 0)
    /// only the object CRC is reported, not checked.
    pub init_crc64: Option<u64>,
    pub progress: Option<Progress>,
}

/// Result of AppendObject.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppendObjectResult {
    /// `x-oss-next-append-position`.
    pub next_position: u64,
    pub meta: ResponseMeta,
}

/// Result of DeleteMultipleObjects.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeleteMultipleObjectsResult {
    /// Keys OSS reports as deleted (empty in quiet mode).
    pub deleted: Vec<String>,
    pub meta: ResponseMeta,
}

pub(crate) fn delete_multiple_body(keys: &[String], quiet: bool) -> String {
    let mut w = XmlWriter::new("Delete");
    w.leaf("Quiet", if quiet { "true" } else { "false" });
    for key in keys {
        w.open("Object").leaf("Key", key).close();
    }
    w.finish()
}

impl DeleteMultipleObjectsResult {
    pub fn from_xml(body: &[u8], meta: ResponseMeta) -> Result<Self> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(DeleteMultipleObjectsResult {
                deleted: Vec::new(),
                meta,
            });
        }
        let root = Element::parse(body, "DeleteResult")?;
        let deleted = root
            .children_named("Deleted")
            .map(|d| d.string("Key"))
            .collect();
        Ok(DeleteMultipleObjectsResult { deleted, meta })
    }
}

/// Options of a presigned URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresignOptions {
    /// `GET`, `PUT`, `HEAD`...
    pub method: String,
    /// How long the URL stays valid.
    pub expires: std::time::Duration,
    /// Headers the URL's user must send (e.g. `content-type`), signed into the URL.
    pub headers: Vec<(String, String)>,
}

impl Default for PresignOptions {
    fn default() -> Self {
        PresignOptions {
            method: "GET".into(),
            expires: std::time::Duration::from_secs(900),
            headers: Vec::new(),
        }
    }
}

/// A presigned URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresignedUrl {
    pub url: String,
    pub method: String,
    /// Unix time (seconds) when the URL stops working.
    pub expiration: i64,
    /// Headers the request must carry exactly as signed.
    pub signed_headers: Vec<(String, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_headers_are_lifted_into_typed_options() {
        let raw: Vec<(String, String)> = [
            ("X-Oss-Server-Side-Encryption", "KMS"),
            ("x-oss-server-side-encryption-key-id", "cmk"),
            ("Content-Type", "text/plain"),
            ("x-oss-meta-Owner", "me"),
            ("Cache-Control", "no-cache"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let (sse, attrs) = ObjectAttributes::from_raw_headers(&raw).unwrap();
        assert_eq!(sse, Some(ServerSideEncryption::kms_with_key("cmk")));
        assert_eq!(attrs.content_type.as_deref(), Some("text/plain"));
        assert_eq!(
            attrs.metadata,
            vec![("owner".to_string(), "me".to_string())]
        );
        let headers = attrs.headers().unwrap();
        assert!(headers.contains(&("cache-control".to_string(), "no-cache".to_string())));
    }

    #[test]
    fn reserved_or_malformed_extra_headers_are_rejected() {
        let attrs = ObjectAttributes {
            extra_headers: vec![("Authorization".into(), "x".into())],
            ..Default::default()
        };
        assert!(attrs
            .headers()
            .unwrap_err()
            .message()
            .contains("Authorization"));
        let attrs = ObjectAttributes {
            extra_headers: vec![("x-oss-server-side-encryption".into(), "AES256".into())],
            ..Default::default()
        };
        assert!(attrs
            .headers()
            .unwrap_err()
            .message()
            .contains("sse option"));
        let attrs = ObjectAttributes {
            extra_headers: vec![("a b".into(), "x".into())],
            ..Default::default()
        };
        assert!(attrs.headers().is_err());
        let raw = vec![(
            "x-oss-server-side-encryption-key-id".to_string(),
            "k".to_string(),
        )];
        assert!(ObjectAttributes::from_raw_headers(&raw).is_err());
    }
}
