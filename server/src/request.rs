//! Turning an HTTP request into (bucket, key, query, operation): path-style and
//! virtual-hosted addressing, query decoding and operation identification.

use std::net::IpAddr;

use crate::error::{OssError, OssResult};

/// The operations the server implements. Everything else is answered with 501.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    ListBuckets,
    PutBucket,
    DeleteBucket,
    GetBucketInfo,
    GetBucketLocation,
    PutBucketEncryption,
    GetBucketEncryption,
    DeleteBucketEncryption,
    PutBucketAcl,
    GetBucketAcl,
    ListObjects,
    ListObjectsV2,
    ListMultipartUploads,
    DeleteMultipleObjects,
    PutObject,
    CopyObject,
    GetObject,
    HeadObject,
    GetObjectMeta,
    DeleteObject,
    AppendObject,
    InitiateMultipartUpload,
    UploadPart,
    UploadPartCopy,
    CompleteMultipartUpload,
    AbortMultipartUpload,
    ListParts,
}

impl Op {
    /// The RAM action a user needs (see docs/server.md).
    pub fn action(self) -> &'static str {
        match self {
            Op::ListBuckets => "oss:ListBuckets",
            Op::PutBucket => "oss:PutBucket",
            Op::DeleteBucket => "oss:DeleteBucket",
            Op::GetBucketInfo => "oss:GetBucketInfo",
            Op::GetBucketLocation => "oss:GetBucketLocation",
            Op::PutBucketEncryption => "oss:PutBucketEncryption",
            Op::GetBucketEncryption => "oss:GetBucketEncryption",
            Op::DeleteBucketEncryption => "oss:DeleteBucketEncryption",
            Op::PutBucketAcl => "oss:PutBucketAcl",
            Op::GetBucketAcl => "oss:GetBucketAcl",
            Op::ListObjects | Op::ListObjectsV2 => "oss:ListObjects",
            Op::ListMultipartUploads => "oss:ListMultipartUploads",
            Op::DeleteMultipleObjects | Op::DeleteObject => "oss:DeleteObject",
            Op::PutObject
            | Op::CopyObject
            | Op::AppendObject
            | Op::InitiateMultipartUpload
            | Op::UploadPart
            | Op::UploadPartCopy
            | Op::CompleteMultipartUpload => "oss:PutObject",
            Op::GetObject | Op::HeadObject | Op::GetObjectMeta => "oss:GetObject",
            Op::AbortMultipartUpload => "oss:AbortMultipartUpload",
            Op::ListParts => "oss:ListParts",
        }
    }

    /// Read-only operations an anonymous caller may perform on a public-read bucket.
    pub fn is_public_read(self) -> bool {
        matches!(
            self,
            Op::GetObject
                | Op::HeadObject
                | Op::GetObjectMeta
                | Op::ListObjects
                | Op::ListObjectsV2
        )
    }

    /// Object writes an anonymous caller may perform on a public-read-write bucket.
    pub fn is_public_write(self) -> bool {
        matches!(
            self,
            Op::PutObject
                | Op::CopyObject
                | Op::AppendObject
                | Op::DeleteObject
                | Op::DeleteMultipleObjects
                | Op::InitiateMultipartUpload
                | Op::UploadPart
                | Op::UploadPartCopy
                | Op::CompleteMultipartUpload
                | Op::AbortMultipartUpload
                | Op::ListParts
                | Op::ListMultipartUploads
        )
    }
}

/// A request's addressing and query, decoded.
#[derive(Debug, Clone)]
pub struct Target {
    pub bucket: Option<String>,
    pub key: Option<String>,
    pub query: Vec<(String, String)>,
}

impl Target {
    pub fn has(&self, name: &str) -> bool {
        self.query.iter().any(|(n, _)| n == name)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Decodes a percent-encoded string; `plus_is_space` for query components.
pub fn percent_decode(input: &str, plus_is_space: bool) -> OssResult<String> {
    let replaced;
    let input = if plus_is_space && input.contains('+') {
        replaced = input.replace('+', " ");
        replaced.as_str()
    } else {
        input
    };
    percent_encoding::percent_decode_str(input)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| {
            OssError::invalid_argument("The request URI is not valid UTF-8 after percent-decoding.")
        })
}

pub fn parse_query(raw: Option<&str>) -> OssResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    if let Some(raw) = raw {
        for part in raw.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            out.push((percent_decode(name, true)?, percent_decode(value, true)?));
        }
    }
    Ok(out)
}

/// Is `host` (without port) eligible to carry a bucket name as its first label?
fn virtual_bucket<'a>(host: &'a str, domains: &[String]) -> Option<&'a str> {
    if host.parse::<IpAddr>().is_ok() || host.starts_with('[') {
        return None;
    }
    let (first, rest) = host.split_once('.')?;
    let rest_lc = rest.to_ascii_lowercase();
    let eligible = rest_lc == "localhost"
        || rest.parse::<IpAddr>().is_ok()
        || rest_lc.starts_with("oss-")
        || rest_lc.ends_with(".aliyuncs.com")
        || domains.iter().any(|d| rest_lc == d.to_ascii_lowercase());
    eligible.then_some(first)
}

/// Splits the request into bucket, key and decoded query.
pub fn target(
    path: &str,
    query: Option<&str>,
    host: Option<&str>,
    domains: &[String],
) -> OssResult<Target> {
    let query = parse_query(query)?;
    let host_name = host.map(|h| {
        if h.starts_with('[') {
            h.split(']')
                .next()
                .map(|s| format!("{s}]"))
                .unwrap_or_default()
        } else {
            h.rsplit_once(':')
                .map(|(n, _)| n.to_string())
                .unwrap_or_else(|| h.to_string())
        }
    });
    let raw = path.strip_prefix('/').unwrap_or(path);
    if let Some(bucket) = host_name
        .as_deref()
        .and_then(|h| virtual_bucket(h, domains))
    {
        let key = percent_decode(raw, false)?;
        return Ok(Target {
            bucket: Some(bucket.to_string()),
            key: (!key.is_empty()).then_some(key),
            query,
        });
    }
    if raw.is_empty() {
        return Ok(Target {
            bucket: None,
            key: None,
            query,
        });
    }
    let (bucket, key) = match raw.split_once('/') {
        Some((b, k)) => (b, k),
        None => (raw, ""),
    };
    let bucket = percent_decode(bucket, false)?;
    let key = percent_decode(key, false)?;
    Ok(Target {
        bucket: Some(bucket),
        key: (!key.is_empty()).then_some(key),
        query,
    })
}

/// Query names that parameterise an operation without selecting one.
fn is_parameter(name: &str) -> bool {
    name.starts_with("response-")
        || (name.starts_with("x-oss-") && name != "x-oss-process")
        || matches!(
            name,
            "prefix"
                | "delimiter"
                | "marker"
                | "max-keys"
                | "encoding-type"
                | "list-type"
                | "continuation-token"
                | "start-after"
                | "fetch-owner"
                | "key-marker"
                | "upload-id-marker"
                | "max-uploads"
                | "max-parts"
                | "part-number-marker"
                | "position"
                | "partNumber"
                | "uploadId"
                | "OSSAccessKeyId"
                | "Expires"
                | "Signature"
                | "security-token"
                | "resourceGroupId"
        )
}

fn capitalize(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

fn verb(method: &str) -> &'static str {
    match method {
        "PUT" => "Put",
        "GET" => "Get",
        "DELETE" => "Delete",
        "POST" => "Post",
        "HEAD" => "Head",
        "OPTIONS" => "Options",
        _ => "Unknown",
    }
}

/// Identifies the operation, or the name of an unsupported one (for the 501 body).
pub fn operation(method: &str, target: &Target, has_copy_source: bool) -> Result<Op, String> {
    let subs: Vec<&str> = target
        .query
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| {
            !is_parameter(n)
                && !matches!(
                    *n,
                    "acl"
                        | "encryption"
                        | "bucketInfo"
                        | "location"
                        | "uploads"
                        | "delete"
                        | "append"
                        | "objectMeta"
                )
        })
        .collect();
    let level = if target.key.is_some() {
        "Object"
    } else {
        "Bucket"
    };
    if let Some(first) = subs.first() {
        let name = match *first {
            "x-oss-process" => "ProcessObject".to_string(),
            "versionId" => format!("{}{} (versionId)", verb(method), level),
            "versions" => "ListObjectVersions".into(),
            "symlink" => format!("{}Symlink", verb(method)),
            "restore" => "RestoreObject".into(),
            "tagging" => format!("{}{}Tagging", verb(method), level),
            other => format!("{}{}{}", verb(method), level, capitalize(other)),
        };
        return Err(name);
    }
    let has = |n: &str| target.has(n);
    let Some(_bucket) = &target.bucket else {
        return match method {
            "GET" => Ok(Op::ListBuckets),
            m => Err(format!("{}Service", verb(m))),
        };
    };
    if target.key.is_none() {
        return match method {
            "PUT" if has("encryption") => Ok(Op::PutBucketEncryption),
            "PUT" if has("acl") => Ok(Op::PutBucketAcl),
            "PUT"
                if !has("bucketInfo") && !has("location") && !has("uploads") && !has("delete") =>
            {
                Ok(Op::PutBucket)
            }
            "GET" if has("encryption") => Ok(Op::GetBucketEncryption),
            "GET" if has("acl") => Ok(Op::GetBucketAcl),
            "GET" if has("bucketInfo") => Ok(Op::GetBucketInfo),
            "GET" if has("location") => Ok(Op::GetBucketLocation),
            "GET" if has("uploads") => Ok(Op::ListMultipartUploads),
            "GET" if target.get("list-type") == Some("2") => Ok(Op::ListObjectsV2),
            "GET" if !has("append") && !has("objectMeta") && !has("delete") => Ok(Op::ListObjects),
            "DELETE" if has("encryption") => Ok(Op::DeleteBucketEncryption),
            "DELETE" if target.query.iter().all(|(n, _)| is_parameter(n)) => Ok(Op::DeleteBucket),
            "POST" if has("delete") => Ok(Op::DeleteMultipleObjects),
            m => Err(format!(
                "{}Bucket{}",
                verb(m),
                target
                    .query
                    .first()
                    .map(|(n, _)| capitalize(n))
                    .unwrap_or_default()
            )),
        };
    }
    match method {
        "PUT" if has("uploadId") && has("partNumber") => Ok(if has_copy_source {
            Op::UploadPartCopy
        } else {
            Op::UploadPart
        }),
        "PUT" if has("acl") => Err("PutObjectAcl".into()),
        "PUT" if !has("encryption") && !has("uploads") && !has("append") => {
            Ok(if has_copy_source {
                Op::CopyObject
            } else {
                Op::PutObject
            })
        }
        "GET" if has("acl") => Err("GetObjectAcl".into()),
        "GET" if has("objectMeta") => Ok(Op::GetObjectMeta),
        "GET" if has("uploadId") => Ok(Op::ListParts),
        "GET" if !has("encryption") && !has("uploads") && !has("append") => Ok(Op::GetObject),
        "HEAD" if !has("acl") && !has("encryption") && !has("uploads") => Ok(Op::HeadObject),
        "DELETE" if has("uploadId") => Ok(Op::AbortMultipartUpload),
        "DELETE" if target.query.iter().all(|(n, _)| is_parameter(n)) => Ok(Op::DeleteObject),
        "POST" if has("uploads") => Ok(Op::InitiateMultipartUpload),
        "POST" if has("uploadId") => Ok(Op::CompleteMultipartUpload),
        "POST" if has("append") => Ok(Op::AppendObject),
        m => Err(format!(
            "{}Object{}",
            verb(m),
            target
                .query
                .first()
                .map(|(n, _)| capitalize(n))
                .unwrap_or_default()
        )),
    }
}

/// OSS bucket naming rules: 3-63 characters of `a-z 0-9 -`, not starting or ending with `-`.
pub fn valid_bucket_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

pub fn invalid_bucket_name(name: &str) -> OssError {
    OssError::new(
        400,
        "InvalidBucketName",
        "The specified bucket is not valid.",
    )
    .ec("0015-00000001")
    .detail("BucketName", name)
}

/// OSS key rules: 1-1023 bytes of UTF-8, not starting with `/` or `\`.
pub fn check_key(key: &str) -> OssResult<()> {
    if key.len() > 1023 {
        return Err(OssError::new(
            400,
            "InvalidObjectName",
            "The length of the object name must be less than 1024 bytes.",
        )
        .ec("0016-00000005"));
    }
    if key.starts_with('/') || key.starts_with('\\') {
        return Err(OssError::new(
            400,
            "InvalidObjectName",
            "The object name must not start with '/' or '\\'.",
        )
        .ec("0016-00000005"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(path: &str, query: Option<&str>, host: &str) -> Target {
        target(path, query, Some(host), &[]).unwrap()
    }

    #[test]
    fn path_style_and_virtual_hosted() {
        let p = t("/bkt/a%20b/c+d", None, "127.0.0.1:9000");
        assert_eq!(p.bucket.as_deref(), Some("bkt"));
        assert_eq!(p.key.as_deref(), Some("a b/c+d"));
        let v = t("/dir/x.txt", Some("acl"), "bkt.localhost:9000");
        assert_eq!(v.bucket.as_deref(), Some("bkt"));
        assert_eq!(v.key.as_deref(), Some("dir/x.txt"));
        let v = t("/", None, "bkt.oss-cn-hangzhou.aliyuncs.com");
        assert_eq!(v.bucket.as_deref(), Some("bkt"));
        assert_eq!(v.key, None);
        let root = t("/", None, "localhost:1");
        assert_eq!(root.bucket, None);
    }

    #[test]
    fn operations() {
        let op =
            |m: &str, path: &str, q: Option<&str>| operation(m, &t(path, q, "127.0.0.1"), false);
        assert_eq!(op("GET", "/", None), Ok(Op::ListBuckets));
        assert_eq!(
            op("PUT", "/b", Some("encryption")),
            Ok(Op::PutBucketEncryption)
        );
        assert_eq!(
            op("GET", "/b/", Some("list-type=2&prefix=a")),
            Ok(Op::ListObjectsV2)
        );
        assert_eq!(
            op("POST", "/b/k", Some("append&position=0")),
            Ok(Op::AppendObject)
        );
        assert_eq!(
            op("PUT", "/b/k", Some("partNumber=1&uploadId=x")),
            Ok(Op::UploadPart)
        );
        assert_eq!(op("PUT", "/b", Some("cors")), Err("PutBucketCors".into()));
        assert_eq!(
            op("GET", "/b/k", Some("tagging")),
            Err("GetObjectTagging".into())
        );
    }

    #[test]
    fn bucket_names() {
        assert!(valid_bucket_name("my-bucket-1"));
        assert!(!valid_bucket_name("My_Bucket"));
        assert!(!valid_bucket_name("-ab"));
        assert!(!valid_bucket_name("ab"));
    }
}
