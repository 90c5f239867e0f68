//! Signature V4 (OSS4-HMAC-SHA256): Authorization header and presigned URL (spec §2).

use std::time::SystemTime;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::{
    canonical_headers, http_date, iso8601_basic, uri_encode, SignableRequest, SignatureOutput,
};
use crate::credentials::Credentials;
use crate::error::{Error, Result};

pub const ALGORITHM: &str = "OSS4-HMAC-SHA256";
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The longest a V4 presigned URL may live: 7 days (go2 client_presign.go, py2 presigner.py).
pub const MAX_PRESIGN_EXPIRES_SECS: u64 = 604_800;
/// Query parameter holding the signature; never part of the canonical query.
pub const SIGNATURE_PARAM: &str = "x-oss-signature";

/// Headers signed whenever present: `content-type`, `content-md5` and every `x-oss-*`.
pub fn is_default_signed_header(lower_name: &str) -> bool {
    lower_name.starts_with("x-oss-") || lower_name == "content-type" || lower_name == "content-md5"
}

/// Normalises caller-chosen additional headers: lower-case, drop default-signed names and
/// names the request does not carry (or carries empty), de-duplicate, sort. go2, py2, cpp
/// and java drop absent headers; oss2's header form keeps them and ali-oss throws (spec §5
/// item 15) — we follow the majority.
pub fn resolve_additional_headers(req: &SignableRequest, requested: &[String]) -> Vec<String> {
    let mut out: Vec<String> = requested
        .iter()
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|name| !name.is_empty() && !is_default_signed_header(name))
        .filter(|name| req.header(name).is_some_and(|v| !v.trim().is_empty()))
        .collect();
    out.sort();
    out.dedup();
    out
}

fn canonical_uri(req: &SignableRequest) -> String {
    let mut uri = String::from("/");
    if let Some(bucket) = req.bucket.as_deref().filter(|b| !b.is_empty()) {
        uri.push_str(bucket);
        uri.push('/');
        if let Some(key) = req.key.as_deref() {
            uri.push_str(key);
        }
    }
    uri_encode(&uri, true)
}

fn canonical_query(req: &SignableRequest) -> String {
    let mut pairs: Vec<(String, String)> = req
        .query
        .iter()
        .filter(|(name, _)| name != SIGNATURE_PARAM)
        .map(|(name, value)| (uri_encode(name, false), uri_encode(value, false)))
        .collect();
    // Bytewise order of the *encoded* names (then values), as go2/py2/oss2/cpp/java do;
    // ali-oss's localeCompare order is a divergence (spec §5 item 6).
    pairs.sort();
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        if !value.is_empty() {
            out.push('=');
            out.push_str(value);
        }
    }
    out
}

/// The canonical request. `additional_headers` may be the caller's raw list or an already
/// resolved one; it is normalised with [`resolve_additional_headers`] either way. A
/// `x-oss-signature` query parameter (present on a received presigned request) is skipped.
pub fn canonical_request(req: &SignableRequest, additional_headers: &[String]) -> String {
    let additional = resolve_additional_headers(req, additional_headers);
    let mut out = String::with_capacity(256);
    out.push_str(&req.method);
    out.push('\n');
    out.push_str(&canonical_uri(req));
    out.push('\n');
    out.push_str(&canonical_query(req));
    out.push('\n');
    let headers = canonical_headers(&req.headers, |n| {
        is_default_signed_header(n) || additional.iter().any(|a| a == n)
    });
    for (name, value) in &headers {
        out.push_str(name);
        out.push(':');
        out.push_str(value);
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&additional.join(";"));
    out.push('\n');
    let payload = req.header("x-oss-content-sha256");
    out.push_str(
        payload
            .as_deref()
            .map(str::trim)
            .unwrap_or(UNSIGNED_PAYLOAD),
    );
    out
}

/// `yyyymmdd/region/product/aliyun_v4_request`.
pub fn scope(date_yyyymmdd: &str, region: &str, product: &str) -> String {
    format!("{date_yyyymmdd}/{region}/{product}/aliyun_v4_request")
}

/// `OSS4-HMAC-SHA256\n<timestamp>\n<scope>\n<hex sha256(canonical request)>`.
pub fn string_to_sign(timestamp: &str, scope: &str, canonical_request: &str) -> String {
    let hash = hex::encode(Sha256::digest(canonical_request.as_bytes()));
    format!("{ALGORITHM}\n{timestamp}\n{scope}\n{hash}")
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The derived signing key: HMAC chain over `"aliyun_v4" + secret`, date, region, product,
/// `aliyun_v4_request`.
pub fn signing_key(secret: &str, date_yyyymmdd: &str, region: &str, product: &str) -> [u8; 32] {
    let mut first_key = zeroize::Zeroizing::new(String::with_capacity(9 + secret.len()));
    first_key.push_str("aliyun_v4");
    first_key.push_str(secret);
    let k_date = hmac_sha256(first_key.as_bytes(), date_yyyymmdd.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_product = hmac_sha256(&k_region, product.as_bytes());
    hmac_sha256(&k_product, b"aliyun_v4_request")
}

/// Lower-case hex HMAC-SHA256 of the StringToSign.
pub fn signature(signing_key: &[u8; 32], string_to_sign: &str) -> String {
    hex::encode(hmac_sha256(signing_key, string_to_sign.as_bytes()))
}

fn compute(
    req: &SignableRequest,
    secret: &str,
    timestamp: &str,
    scope_value: &str,
    region: &str,
    product: &str,
    additional: &[String],
) -> SignatureOutput {
    let canonical_request = canonical_request(req, additional);
    let string_to_sign = string_to_sign(timestamp, scope_value, &canonical_request);
    let key = signing_key(secret, &timestamp[..8], region, product);
    let signature = signature(&key, &string_to_sign);
    SignatureOutput {
        canonical_request,
        string_to_sign,
        signature,
    }
}

/// Signs in the header form. Sets `x-oss-date` (ISO 8601 basic from `time`),
/// `Date` (RFC 1123, unsigned, unless the request has one), `x-oss-content-sha256:
/// UNSIGNED-PAYLOAD` (unless given), `x-oss-security-token` for STS, and
/// `Authorization: OSS4-HMAC-SHA256 Credential=<id>/<scope>[,AdditionalHeaders=..],Signature=<hex>`
/// (go2/py2/cpp/java/js layout; oss2's `, `-separated layout is accepted by OSS but not emitted).
pub fn sign_header(
    req: &mut SignableRequest,
    creds: &Credentials,
    region: &str,
    product: &str,
    time: SystemTime,
    additional_headers: &[String],
) -> SignatureOutput {
    let timestamp = iso8601_basic(time);
    req.set_header("x-oss-date", timestamp.clone());
    if !req.has_header("date") {
        req.headers.push(("Date".to_string(), http_date(time)));
    }
    if !req.has_header("x-oss-content-sha256") {
        req.headers.push((
            "x-oss-content-sha256".to_string(),
            UNSIGNED_PAYLOAD.to_string(),
        ));
    }
    if let Some(token) = creds.token() {
        req.set_header("x-oss-security-token", token);
    }
    let additional = resolve_additional_headers(req, additional_headers);
    let scope_value = scope(&timestamp[..8], region, product);
    let output = compute(
        req,
        creds.access_key_secret.expose(),
        &timestamp,
        &scope_value,
        region,
        product,
        &additional,
    );
    let mut authorization = format!(
        "{ALGORITHM} Credential={}/{}",
        creds.access_key_id, scope_value
    );
    if !additional.is_empty() {
        authorization.push_str(",AdditionalHeaders=");
        authorization.push_str(&additional.join(";"));
    }
    authorization.push_str(",Signature=");
    authorization.push_str(&output.signature);
    req.set_header("Authorization", authorization);
    output
}

/// Signs in the presigned-URL form, valid for `expires_secs` from `time` (at most 7 days,
/// else an `InvalidArgument` error). Adds the query parameters `x-oss-signature-version`,
/// `x-oss-date`, `x-oss-expires`, `x-oss-credential`, `x-oss-security-token` (STS),
/// `x-oss-additional-headers` (when any), then `x-oss-signature`. The signed headers
/// must be sent by whoever uses the URL.
pub fn presign(
    req: &mut SignableRequest,
    creds: &Credentials,
    region: &str,
    product: &str,
    time: SystemTime,
    expires_secs: u64,
    additional_headers: &[String],
) -> Result<SignatureOutput> {
    if expires_secs > MAX_PRESIGN_EXPIRES_SECS {
        return Err(Error::invalid_argument(format!(
            "V4 presigned URL expiry {expires_secs}s exceeds the 7-day maximum ({MAX_PRESIGN_EXPIRES_SECS}s)"
        )));
    }
    let timestamp = iso8601_basic(time);
    let scope_value = scope(&timestamp[..8], region, product);
    let additional = resolve_additional_headers(req, additional_headers);
    req.set_query("x-oss-signature-version", ALGORITHM);
    req.set_query("x-oss-date", timestamp.clone());
    req.set_query("x-oss-expires", expires_secs.to_string());
    req.set_query(
        "x-oss-credential",
        format!("{}/{}", creds.access_key_id, scope_value),
    );
    if let Some(token) = creds.token() {
        req.set_query("x-oss-security-token", token);
    }
    if !additional.is_empty() {
        req.set_query("x-oss-additional-headers", additional.join(";"));
    }
    req.query.retain(|(name, _)| name != SIGNATURE_PARAM);
    let output = compute(
        req,
        creds.access_key_secret.expose(),
        &timestamp,
        &scope_value,
        region,
        product,
        &additional,
    );
    req.query
        .push((SIGNATURE_PARAM.to_string(), output.signature.clone()));
    Ok(output)
}
