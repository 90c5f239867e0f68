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
        Ok(out)
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
    pub(crate) fn from_meta(meta: &ResponseMeta) -> ObjectInfo {
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
