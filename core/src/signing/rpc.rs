//! Alibaba Cloud RPC-style OpenAPI signature v1 (KMS 2016-01-20, ECS, STS, ...): the pure
//! function both the client (`cse::HttpKmsProvider`) and the local server's KMS API use.
//!
//! As the Alibaba Cloud OpenAPI "Signature mechanism" page and the official SDKs define it:
//! * percentEncode: UTF-8, every byte outside `A-Z a-z 0-9 - _ . ~` becomes `%XX`
//!   (uppercase hex), so a space is `%20`, `*` is `%2A` and `~` stays;
//! * CanonicalizedQueryString: every parameter except `Signature`, sorted by name (byte
//!   order), `percentEncode(name)=percentEncode(value)` joined by `&`;
//! * StringToSign = METHOD + "&" + percentEncode("/") + "&" + percentEncode(canonicalized);
//! * Signature = base64(HMAC-SHA1(key = AccessKeySecret + "&", StringToSign)).

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// `SignatureMethod` value.
pub const SIGNATURE_METHOD: &str = "HMAC-SHA1";
/// `SignatureVersion` value.
pub const SIGNATURE_VERSION: &str = "1.0";

/// RFC 3986 percent-encoding of every byte except the unreserved ones.
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The sorted, encoded parameter string (`Signature` itself is left out).
pub fn canonicalized_query<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut pairs: Vec<(String, String)> = params
        .into_iter()
        .filter(|(k, _)| *k != "Signature")
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    // Sorting the encoded names equals sorting the raw ones for the ASCII names used here,
    // and is what the SDKs do (they sort the keys, then encode).
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// METHOD & %2F & percentEncode(canonicalized query).
pub fn string_to_sign<'a>(
    method: &str,
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        percent_encode("/"),
        percent_encode(&canonicalized_query(params))
    )
}

/// base64(HMAC-SHA1(secret + "&", string_to_sign)).
pub fn signature(access_key_secret: &str, string_to_sign: &str) -> String {
    let key = zeroize::Zeroizing::new(format!("{access_key_secret}&"));
    let mut mac =
        Hmac::<Sha1>::new_from_slice(key.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The `Signature` for `params` sent with `method`.
pub fn sign<'a>(
    method: &str,
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
    access_key_secret: &str,
) -> String {
    signature(access_key_secret, &string_to_sign(method, params))
}

/// `Timestamp` in the ISO 8601 UTC form the RPC APIs take (`2016-01-20T12:00:00Z`).
pub fn timestamp(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let dt =
        time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// Parses a `Timestamp` (`YYYY-MM-DDThh:mm:ssZ`, fractional seconds allowed).
pub fn parse_timestamp(text: &str) -> Option<std::time::SystemTime> {
    let parsed =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    Some(std::time::SystemTime::from(parsed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_follows_rfc3986() {
        assert_eq!(percent_encode("a b*c~d/é"), "a%20b%2Ac~d%2F%C3%A9");
        assert_eq!(percent_encode("-_.~AZaz09"), "-_.~AZaz09");
    }

    /// The worked example of the Alibaba Cloud "Signature mechanism" page (ECS
    /// DescribeRegions with AccessKeySecret `testsecret`).
    #[test]
    fn documented_example() {
        let params = [
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("Format", "XML"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", "2016-02-23T12:46:24Z"),
            ("Version", "2014-05-26"),
        ];
        let sts = string_to_sign("GET", params);
        assert_eq!(
            sts,
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
        );
        assert_eq!(
            signature("testsecret", &sts),
            "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
        );
    }

    #[test]
    fn signature_parameter_is_ignored_and_order_does_not_matter() {
        let a = sign("POST", [("B", "2"), ("A", "1")], "s");
        let b = sign("POST", [("A", "1"), ("Signature", "x"), ("B", "2")], "s");
        assert_eq!(a, b);
        assert_ne!(a, sign("GET", [("A", "1"), ("B", "2")], "s"));
    }

    #[test]
    fn timestamps_round_trip() {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_456_231_584);
        assert_eq!(timestamp(t), "2016-02-23T12:46:24Z");
        assert_eq!(parse_timestamp("2016-02-23T12:46:24Z"), Some(t));
    }
}
