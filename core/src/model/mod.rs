//! Typed requests and results of every operation, and their XML.
//!
//! Every result carries a [`ResponseMeta`]: status, request id, ETag, CRC-64, the SSE
//! OSS reported and the raw headers, so nothing OSS said is lost.

pub mod bucket;
pub mod list;
pub mod mime;
pub mod multipart;
pub mod object;
pub mod xml;

pub use bucket::*;
pub use list::*;
pub use mime::content_type_for_path;
pub use multipart::*;
pub use object::*;

use crate::crc64;
use crate::sse::SseInfo;

/// What every OSS response says besides its body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResponseMeta {
    /// HTTP status.
    pub status: u16,
    /// `x-oss-request-id`, the id OSS support asks for.
    pub request_id: String,
    /// `ETag` as OSS sent it (with its quotes).
    pub etag: Option<String>,
    /// `x-oss-hash-crc64ecma`: the CRC-64 of the whole object (of the part, for UploadPart).
    pub crc64: Option<u64>,
    /// The server-side encryption OSS reported.
    pub sse: SseInfo,
    /// Every response header, names lower-cased, in the order received.
    pub headers: Vec<(String, String)>,
    /// The URL the request went to, without its query (no signature leaks).
    pub request_url: String,
}

impl ResponseMeta {
    /// Builds the metadata from a status and lower-cased headers.
    pub fn from_headers(status: u16, headers: Vec<(String, String)>) -> ResponseMeta {
        let find = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        ResponseMeta {
            status,
            request_id: find("x-oss-request-id").unwrap_or_default(),
            etag: find("etag"),
            crc64: find(crc64::CRC64_HEADER).and_then(|v| crc64::parse_header(&v)),
            sse: SseInfo::from_headers(&headers),
            headers,
            request_url: String::new(),
        }
    }

    /// The metadata of a failed call, from its service error's status and headers (e.g.
    /// `x-oss-next-append-position` of a `PositionNotEqualToLength`).
    pub fn from_service_error(err: &crate::ServiceError) -> ResponseMeta {
        ResponseMeta::from_headers(err.status, err.headers.clone())
    }

    /// A response header by (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// `x-oss-meta-*` user metadata, prefix removed.
    pub fn user_metadata(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .filter_map(|(n, v)| {
                n.strip_prefix("x-oss-meta-")
                    .map(|k| (k.to_string(), v.clone()))
            })
            .collect()
    }
}

/// A canned ACL for buckets and objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Acl {
    Private,
    PublicRead,
    PublicReadWrite,
    /// Objects only: follow the bucket's ACL.
    Default,
}

impl Acl {
    pub fn as_str(self) -> &'static str {
        match self {
            Acl::Private => "private",
            Acl::PublicRead => "public-read",
            Acl::PublicReadWrite => "public-read-write",
            Acl::Default => "default",
        }
    }

    pub fn parse(value: &str) -> crate::Result<Acl> {
        Ok(match value {
            "private" => Acl::Private,
            "public-read" => Acl::PublicRead,
            "public-read-write" => Acl::PublicReadWrite,
            "default" => Acl::Default,
            other => {
                return Err(crate::Error::invalid_argument(format!(
                    "unknown ACL {other:?}: expected private, public-read, public-read-write or default"
                )))
            }
        })
    }
}
