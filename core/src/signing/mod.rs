//! OSS request signing: V1 (HMAC-SHA1) and V4 (OSS4-HMAC-SHA256).
//!
//! Everything here is a pure function over a [`SignableRequest`] (a description of an HTTP
//! request: method, bucket, raw key, decoded query, headers), so the client uses it to sign
//! and the local server uses the same functions to verify. The rules and their sources are in
//! `../shared/spec/signing.md`; where the official SDKs disagree we follow the majority named
//! there (go-sdk-v2 layout), and say so at the spot.
//!
//! Signing: `v1::sign_header` / `v1::presign` / `v4::sign_header` / `v4::presign` add the
//! headers or query parameters and return the intermediate strings ([`SignatureOutput`]).
//!
//! Verifying a received request (what `ossbridge serve` does): build a [`SignableRequest`]
//! from the decoded path (bucket, key), decoded query and headers, then
//! * V1 header: `v1::signature(secret, &v1::string_to_sign(&req, &v1::header_date(&req)?, extras))`;
//! * V1 URL: drop `Signature` from the query, use the `Expires` value as the date;
//! * V4: `v4::canonical_request(&req, &additional)` (it skips `x-oss-signature`), then
//!   `v4::string_to_sign(timestamp, &v4::scope(..), ..)`, `v4::signing_key`, `v4::signature`,
//!   and compare in constant time.

use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{Error, Result};

pub mod rpc;
pub mod v1;
pub mod v4;

/// Which signature algorithm to use. V4 is the default, as in the v2 SDKs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SignatureVersion {
    V1,
    #[default]
    V4,
}

impl SignatureVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureVersion::V1 => "v1",
            SignatureVersion::V4 => "v4",
        }
    }
}

impl FromStr for SignatureVersion {
    type Err = Error;

    fn from_str(s: &str) -> Result<SignatureVersion> {
        match s.to_ascii_lowercase().as_str() {
            "v1" => Ok(SignatureVersion::V1),
            "v4" => Ok(SignatureVersion::V4),
            _ => Err(Error::invalid_argument(format!(
                "unknown signature version {s:?} (expected v1 or v4)"
            ))),
        }
    }
}

impl std::fmt::Display for SignatureVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A description of an HTTP request, as far as signing is concerned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignableRequest {
    /// Upper-case HTTP method.
    pub method: String,
    pub bucket: Option<String>,
    /// The raw object key (not percent-encoded).
    pub key: Option<String>,
    /// Decoded query parameters in order; an empty value is a value-less sub-resource (`?acl`).
    pub query: Vec<(String, String)>,
    /// Headers as sent, any case. Signers append to this list.
    pub headers: Vec<(String, String)>,
}

impl SignableRequest {
    pub fn new(method: impl Into<String>) -> SignableRequest {
        SignableRequest {
            method: method.into(),
            ..SignableRequest::default()
        }
    }

    pub fn with_bucket(mut self, bucket: impl Into<String>) -> SignableRequest {
        self.bucket = Some(bucket.into());
        self
    }

    pub fn with_key(mut self, key: impl Into<String>) -> SignableRequest {
        self.key = Some(key.into());
        self
    }

    pub fn with_query(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> SignableRequest {
        self.query.push((name.into(), value.into()));
        self
    }

    pub fn with_header(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> SignableRequest {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The value of a header (case-insensitive name); several occurrences are joined with
    /// `,` as HTTP allows. `None` when absent.
    pub fn header(&self, name: &str) -> Option<String> {
        let mut values = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str());
        let first = values.next()?;
        let mut joined = first.to_string();
        for v in values {
            joined.push(',');
            joined.push_str(v);
        }
        Some(joined)
    }

    pub fn has_header(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// Replaces every occurrence of a header (case-insensitive) with one `name: value`.
    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.into()));
    }

    /// The first value of a query parameter (exact, case-sensitive name).
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Replaces every occurrence of a query parameter with one `name=value`.
    pub fn set_query(&mut self, name: &str, value: impl Into<String>) {
        self.query.retain(|(n, _)| n != name);
        self.query.push((name.to_string(), value.into()));
    }
}

/// What a signer computed. `canonical_request` is empty for V1.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignatureOutput {
    pub canonical_request: String,
    pub string_to_sign: String,
    pub signature: String,
}

/// Percent-encodes `input` with the RFC 3986 unreserved set (`A-Za-z0-9-_.~`), upper-case
/// hex. With `keep_slash` the `/` is left as is (paths); without, it becomes `%2F` (query
/// names and values). Space is always `%20`, never `+` (spec §5 items 1-4).
pub fn uri_encode(input: &str, keep_slash: bool) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(input.len() + input.len() / 2);
    for &b in input.as_bytes() {
        let unreserved = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && b == b'/');
        if unreserved {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0xF) as usize] as char);
        }
    }
    out
}

/// Decodes `%XX` escapes (and nothing else: `+` stays `+`). Invalid escapes are kept as
/// written; invalid UTF-8 is replaced. For parsing received query strings and paths.
pub fn uri_decode(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hi = (bytes[i + 1] as char).to_digit(16);
            let lo = (bytes[i + 2] as char).to_digit(16);
            if let (Some(hi), Some(lo)) = (hi, lo) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes decoded query parameters for a URL: `name=value` (`name` alone for an empty
/// value), every name and value percent-encoded (`/` too), joined with `&`, in the given order.
pub fn encode_query(query: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in query.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&uri_encode(name, false));
        if !value.is_empty() {
            out.push('=');
            out.push_str(&uri_encode(value, false));
        }
    }
    out
}

/// Seconds since the Unix epoch (0 for times before it).
pub fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// RFC 1123 date as used by the `Date` header: `Mon, 15 Jan 2024 08:30:00 GMT`.
pub fn http_date(time: SystemTime) -> String {
    httpdate::fmt_http_date(time)
}

/// ISO 8601 basic UTC timestamp as used by V4: `20240115T083000Z`.
pub fn iso8601_basic(time: SystemTime) -> String {
    let secs = unix_seconds(time) as i64;
    let datetime =
        time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        datetime.year(),
        u8::from(datetime.month()),
        datetime.day(),
        datetime.hour(),
        datetime.minute(),
        datetime.second()
    )
}

/// Parses an RFC 3339 timestamp (`2024-01-15T08:30:00Z`, offsets allowed) into a `SystemTime`.
pub fn parse_rfc3339(input: &str) -> Result<SystemTime> {
    let datetime =
        time::OffsetDateTime::parse(input, &time::format_description::well_known::Rfc3339)
            .map_err(|e| {
                Error::invalid_argument(format!("invalid RFC 3339 time {input:?}: {e}"))
            })?;
    let secs = datetime.unix_timestamp();
    if secs < 0 {
        return Err(Error::invalid_argument(format!(
            "time {input:?} is before 1970"
        )));
    }
    Ok(UNIX_EPOCH + std::time::Duration::new(secs as u64, datetime.nanosecond()))
}

/// Parses a V4 `x-oss-date` (`20240115T083000Z`) into a `SystemTime`.
pub fn parse_iso8601_basic(input: &str) -> Result<SystemTime> {
    let bad = || {
        Error::invalid_argument(format!(
            "invalid x-oss-date {input:?} (expected yyyymmddTHHMMSSZ)"
        ))
    };
    let b = input.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Result<u32> {
        input
            .get(r)
            .filter(|s| s.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|s| s.parse().ok())
            .ok_or_else(bad)
    };
    let (year, month, day) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hour, minute, second) = (num(9..11)?, num(11..13)?, num(13..15)?);
    let month = time::Month::try_from(month as u8).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(year as i32, month, day as u8).map_err(|_| bad())?;
    let t = time::Time::from_hms(hour as u8, minute as u8, second as u8).map_err(|_| bad())?;
    let secs = time::PrimitiveDateTime::new(date, t)
        .assume_utc()
        .unix_timestamp();
    if secs < 0 {
        return Err(bad());
    }
    Ok(UNIX_EPOCH + std::time::Duration::from_secs(secs as u64))
}

/// Canonical `(lower-case name, trimmed value)` pairs of the headers selected by `signed`,
/// sorted by name; repeated headers are joined with `,` in the order sent (go2 v1.go/v4.go).
/// Values are trimmed as go-sdk-v2, java, cpp and ali-oss do; oss2 and alibabacloud-oss-v2
/// do not (spec §5 item 13; HTTP strips that whitespace on the wire anyway).
pub(crate) fn canonical_headers(
    headers: &[(String, String)],
    mut signed: impl FnMut(&str) -> bool,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, value) in headers {
        let lower = name.to_ascii_lowercase();
        if !signed(&lower) {
            continue;
        }
        let value = value.trim();
        if let Some(existing) = out.iter_mut().find(|(n, _)| *n == lower) {
            existing.1.push(',');
            existing.1.push_str(value);
        } else {
            out.push((lower, value.to_string()));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_encode_modes() {
        assert_eq!(uri_encode("a b+c~d*e/ü", true), "a%20b%2Bc~d%2Ae/%C3%BC");
        assert_eq!(uri_encode("a b+c~d*e/ü", false), "a%20b%2Bc~d%2Ae%2F%C3%BC");
    }

    #[test]
    fn uri_decode_roundtrip_and_invalid() {
        assert_eq!(uri_decode(&uri_encode("x/ü +%", false)), "x/ü +%");
        assert_eq!(uri_decode("a+b%zz%4"), "a+b%zz%4");
    }

    #[test]
    fn dates() {
        let t = parse_rfc3339("2024-01-15T08:30:00Z").unwrap();
        assert_eq!(http_date(t), "Mon, 15 Jan 2024 08:30:00 GMT");
        assert_eq!(iso8601_basic(t), "20240115T083000Z");
        assert_eq!(parse_iso8601_basic("20240115T083000Z").unwrap(), t);
        assert!(parse_iso8601_basic("2024-01-15").is_err());
        assert!(parse_rfc3339("yesterday").is_err());
    }

    #[test]
    fn version_from_str() {
        assert_eq!(
            "v1".parse::<SignatureVersion>().unwrap(),
            SignatureVersion::V1
        );
        assert_eq!(
            "V4".parse::<SignatureVersion>().unwrap(),
            SignatureVersion::V4
        );
        assert!("v2".parse::<SignatureVersion>().is_err());
    }
}
