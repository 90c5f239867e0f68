//! Signature V1: `Authorization: OSS <id>:<base64 HMAC-SHA1>` and the
//! `OSSAccessKeyId`/`Expires`/`Signature` presigned URL (spec §1).

use std::time::SystemTime;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::{canonical_headers, http_date, SignableRequest, SignatureOutput};
use crate::credentials::Credentials;

/// The sub-resources signed for every operation: go-sdk-v2's `requiredSignedParametersMap`
/// plus `resourceGroup` (alibabacloud-oss-v2), spec §1.2. Sorted for binary search.
const DEFAULT_SUB_RESOURCES: [&str; 31] = [
    "acl",
    "append",
    "bucketInfo",
    "callback",
    "callback-var",
    "cloudboxes",
    "continuation-token",
    "delete",
    "location",
    "objectMeta",
    "partNumber",
    "position",
    "regionList",
    "resourceGroup",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "security-token",
    "sequential",
    "stat",
    "symlink",
    "tagging",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
];

/// True for the query names every V1 signature covers (the default set of spec §1.2).
/// Per-operation names (`encryption`, `cors`, ...) come on top via `extra_sub_resources`,
/// and every `x-oss-*` query name is signed as well (see [`is_signed_sub_resource`]).
pub fn is_default_sub_resource(name: &str) -> bool {
    DEFAULT_SUB_RESOURCES
        .binary_search_by(|probe| (*probe).cmp(name))
        .is_ok()
}

/// True when the query parameter `name` goes into the CanonicalizedResource: the default
/// set, the operation's extras, or any `x-oss-*` name. The prefix rule is go-sdk-v2's; it
/// makes `x-oss-process` signed as oss2, java, cpp, go1 and the docs do, while
/// alibabacloud-oss-v2 1.4.1 leaves it out (spec §5 item 12: we follow the majority).
pub fn is_signed_sub_resource(name: &str, extra_sub_resources: &[String]) -> bool {
    is_default_sub_resource(name)
        || name.starts_with("x-oss-")
        || extra_sub_resources.iter().any(|e| e == name)
}

/// The value for the Date slot of a header-form signature: `x-oss-date` if the request
/// carries one (doc-v1: it wins over `Date`), else `Date`.
pub fn header_date(req: &SignableRequest) -> Option<String> {
    req.header("x-oss-date").or_else(|| req.header("date"))
}

/// `/bucket/key` with the raw key, then `?` and the signed sub-resources (sorted, raw
/// decoded values, bare name for an empty value).
pub fn canonicalized_resource(req: &SignableRequest, extra_sub_resources: &[String]) -> String {
    let mut resource = String::from("/");
    if let Some(bucket) = req.bucket.as_deref().filter(|b| !b.is_empty()) {
        resource.push_str(bucket);
        resource.push('/');
        if let Some(key) = req.key.as_deref() {
            resource.push_str(key);
        }
    }
    let mut signed: Vec<&(String, String)> = req
        .query
        .iter()
        .filter(|(name, _)| is_signed_sub_resource(name, extra_sub_resources))
        .collect();
    if !signed.is_empty() {
        signed.sort_by(|a, b| a.0.cmp(&b.0));
        resource.push('?');
        for (i, (name, value)) in signed.into_iter().enumerate() {
            if i > 0 {
                resource.push('&');
            }
            resource.push_str(name);
            if !value.is_empty() {
                resource.push('=');
                resource.push_str(value);
            }
        }
    }
    resource
}

/// The V1 StringToSign. `date_or_expires` fills the Date slot: the Date/x-oss-date value
/// for the header form ([`header_date`]), the decimal `Expires` for a presigned URL.
pub fn string_to_sign(
    req: &SignableRequest,
    date_or_expires: &str,
    extra_sub_resources: &[String],
) -> String {
    let mut out = String::with_capacity(128);
    out.push_str(&req.method);
    out.push('\n');
    out.push_str(req.header("content-md5").as_deref().unwrap_or("").trim());
    out.push('\n');
    out.push_str(req.header("content-type").as_deref().unwrap_or("").trim());
    out.push('\n');
    out.push_str(date_or_expires);
    out.push('\n');
    for (name, value) in canonical_headers(&req.headers, |n| n.starts_with("x-oss-")) {
        out.push_str(&name);
        out.push(':');
        out.push_str(&value);
        out.push('\n');
    }
    out.push_str(&canonicalized_resource(req, extra_sub_resources));
    out
}

/// Base64 (standard, padded) HMAC-SHA1 of the StringToSign.
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    let mut mac =
        Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Signs in the header form. Adds `Date` (from `time`, unless the request has one),
/// `x-oss-security-token` for STS credentials, and `Authorization: OSS <id>:<signature>`.
pub fn sign_header(
    req: &mut SignableRequest,
    creds: &Credentials,
    time: SystemTime,
    extra_sub_resources: &[String],
) -> SignatureOutput {
    if !req.has_header("date") {
        req.headers.push(("Date".to_string(), http_date(time)));
    }
    if let Some(token) = creds.token() {
        // oss2, go2, cpp, java and ali-oss use this header; alibabacloud-oss-v2 1.4.1 sends an
        // unsigned `security-token` header instead, a bug (spec §5 item 11).
        req.set_header("x-oss-security-token", token);
    }
    let date = header_date(req).unwrap_or_default();
    let string_to_sign = string_to_sign(req, &date, extra_sub_resources);
    let signature = signature(creds.access_key_secret.expose(), &string_to_sign);
    req.set_header(
        "Authorization",
        format!("OSS {}:{}", creds.access_key_id, signature),
    );
    SignatureOutput {
        canonical_request: String::new(),
        string_to_sign,
        signature,
    }
}

/// Signs in the presigned-URL form with the absolute Unix time `expires_unix`. Adds
/// `security-token` (STS, a signed sub-resource), then `OSSAccessKeyId`, `Expires` and
/// `Signature` to the query. Headers the request carries (Content-Type, Content-MD5,
/// x-oss-*) are signed and must be sent by whoever uses the URL.
pub fn presign(
    req: &mut SignableRequest,
    creds: &Credentials,
    expires_unix: u64,
    extra_sub_resources: &[String],
) -> SignatureOutput {
    // Same parameter order as alibabacloud-oss-v2 (order is not significant to OSS).
    let expires = expires_unix.to_string();
    req.set_query("OSSAccessKeyId", creds.access_key_id.clone());
    req.set_query("Expires", expires.clone());
    if let Some(token) = creds.token() {
        req.set_query("security-token", token);
    }
    req.query.retain(|(name, _)| name != "Signature");
    let string_to_sign = string_to_sign(req, &expires, extra_sub_resources);
    let signature = signature(creds.access_key_secret.expose(), &string_to_sign);
    req.query.push(("Signature".to_string(), signature.clone()));
    SignatureOutput {
        canonical_request: String::new(),
        string_to_sign,
        signature,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_set_is_sorted_and_complete() {
        let mut sorted = DEFAULT_SUB_RESOURCES.to_vec();
        sorted.sort();
        assert_eq!(sorted, DEFAULT_SUB_RESOURCES.to_vec());
        assert!(is_default_sub_resource("acl"));
        assert!(is_default_sub_resource("resourceGroup"));
        assert!(!is_default_sub_resource("encryption"));
        assert!(!is_default_sub_resource("prefix"));
    }

    #[test]
    fn x_oss_query_names_are_signed() {
        assert!(is_signed_sub_resource("x-oss-process", &[]));
        assert!(is_signed_sub_resource(
            "encryption",
            &["encryption".to_string()]
        ));
        assert!(!is_signed_sub_resource("max-keys", &[]));
    }
}
