//! The object metadata of client-side encryption (the "envelope"): parsing and writing the
//! `x-oss-meta-client-side-encryption-*` headers (spec §1.1) and the material description.

use std::collections::BTreeMap;

use crate::{Error, ErrorKind, Result};

/// Prefix of every compatible CSE metadata header (lower case, as OSS returns them).
pub const HEADER_PREFIX: &str = "x-oss-meta-client-side-encryption-";
pub const HEADER_KEY: &str = "x-oss-meta-client-side-encryption-key";
pub const HEADER_START: &str = "x-oss-meta-client-side-encryption-start";
pub const HEADER_CEK_ALG: &str = "x-oss-meta-client-side-encryption-cek-alg";
pub const HEADER_WRAP_ALG: &str = "x-oss-meta-client-side-encryption-wrap-alg";
pub const HEADER_MATDESC: &str = "x-oss-meta-client-side-encryption-matdesc";
pub const HEADER_UNENCRYPTED_LENGTH: &str =
    "x-oss-meta-client-side-encryption-unencrypted-content-length";
pub const HEADER_UNENCRYPTED_MD5: &str =
    "x-oss-meta-client-side-encryption-unencrypted-content-md5";
pub const HEADER_DATA_SIZE: &str = "x-oss-meta-client-side-encryption-data-size";
pub const HEADER_PART_SIZE: &str = "x-oss-meta-client-side-encryption-part-size";

/// ossbridge's authenticated-mode parameters live outside the OSS CSE namespace, as plain
/// user metadata, so the service's own CSE checks never see names it does not know
/// (docs/cse-authenticated-format.md).
pub const HEADER_SEGMENT_SIZE: &str = "x-oss-meta-ossbridge-cse-segment-size";
pub const HEADER_PLAINTEXT_SIZE: &str = "x-oss-meta-ossbridge-cse-plaintext-size";
pub const HEADER_KEY_COMMITMENT: &str = "x-oss-meta-ossbridge-cse-key-commitment";

/// Legacy "CSE v1" (oss2 < 2.11) marker; recognised only to refuse it clearly.
const LEGACY_V1_KEY: &str = "x-oss-meta-oss-crypto-key";

/// The material description: a JSON object of strings that names the master key.
/// Compared as a parsed map (never as a string); written as compact JSON with sorted keys.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MaterialDescription(BTreeMap<String, String>);

impl MaterialDescription {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.insert(name.into(), value.into());
        self
    }

    pub fn from_map(map: BTreeMap<String, String>) -> Self {
        MaterialDescription(map)
    }

    pub fn entries(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Parses the header value: a JSON object whose values are strings.
    pub fn parse(json: &str) -> Result<Self> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| {
            Error::new(
                ErrorKind::Protocol,
                format!("{HEADER_MATDESC} is not JSON ({e}): {json:?}"),
            )
        })?;
        let object = value.as_object().ok_or_else(|| {
            Error::new(
                ErrorKind::Protocol,
                format!("{HEADER_MATDESC} is not a JSON object: {json:?}"),
            )
        })?;
        let mut map = BTreeMap::new();
        for (k, v) in object {
            let v = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            map.insert(k.clone(), v);
        }
        Ok(MaterialDescription(map))
    }

    /// Compact JSON with sorted keys (Go's `json.Marshal` style, spec §1.6).
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).expect("a map of strings always serialises")
    }
}

/// Everything the CSE metadata of one object (or one multipart upload) says.
/// Wrapped values are kept exactly as the header text (their meaning depends on `wrap_alg`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Envelope {
    pub cek_alg: String,
    pub wrap_alg: String,
    /// `key` header: the wrapped data key as stored (base64 text).
    pub wrapped_key: String,
    /// `start` header: the wrapped IV (compatible) or key-derivation salt (authenticated).
    pub wrapped_start: String,
    pub material_description: Option<MaterialDescription>,
    pub unencrypted_content_length: Option<u64>,
    /// Base64 MD5 of the plaintext (the caller's Content-MD5, moved here).
    pub unencrypted_content_md5: Option<String>,
    /// Multipart: total size as stored by the server's CSE checks, and the part size.
    pub data_size: Option<u64>,
    pub part_size: Option<u64>,
    /// Authenticated mode only.
    pub segment_size: Option<u64>,
    pub plaintext_size: Option<u64>,
    pub key_commitment: Option<String>,
}

impl Envelope {
    /// Reads the envelope from response headers (any case). `Ok(None)`: the object carries no
    /// client-side encryption metadata at all. A partial envelope is an error that names
    /// the missing header.
    pub fn from_headers<'a, I>(headers: I) -> Result<Option<Envelope>>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut found: BTreeMap<String, String> = BTreeMap::new();
        let mut legacy = false;
        for (name, value) in headers {
            let lower = name.to_ascii_lowercase();
            if lower == LEGACY_V1_KEY {
                legacy = true;
            }
            if lower.starts_with(HEADER_PREFIX) || lower.starts_with("x-oss-meta-ossbridge-cse-") {
                found.insert(lower, value.trim().to_string());
            }
        }
        if found.is_empty() {
            if legacy {
                return Err(Error::new(
                    ErrorKind::Crypto,
                    "the object uses oss2's legacy client-side encryption format (before 2.11, \
                     x-oss-meta-oss-crypto-key), which ossbridge does not read",
                ));
            }
            return Ok(None);
        }
        let required = |name: &str| -> Result<String> {
            found
                .get(name)
                .filter(|v| !v.is_empty())
                .cloned()
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::Crypto,
                        format!("incomplete client-side encryption metadata: {name} is missing"),
                    )
                })
        };
        let number = |name: &str| -> Result<Option<u64>> {
            match found.get(name) {
                None => Ok(None),
                Some(v) => v.parse::<u64>().map(Some).map_err(|_| {
                    Error::new(
                        ErrorKind::Crypto,
                        format!("{name} is not a decimal size: {v:?}"),
                    )
                }),
            }
        };
        let material_description = match found.get(HEADER_MATDESC) {
            Some(v) if !v.is_empty() => Some(MaterialDescription::parse(v)?),
            _ => None,
        };
        Ok(Some(Envelope {
            cek_alg: required(HEADER_CEK_ALG)?,
            wrap_alg: required(HEADER_WRAP_ALG)?,
            wrapped_key: required(HEADER_KEY)?,
            wrapped_start: required(HEADER_START)?,
            material_description,
            unencrypted_content_length: number(HEADER_UNENCRYPTED_LENGTH)?,
            unencrypted_content_md5: found.get(HEADER_UNENCRYPTED_MD5).cloned(),
            data_size: number(HEADER_DATA_SIZE)?,
            part_size: number(HEADER_PART_SIZE)?,
            segment_size: number(HEADER_SEGMENT_SIZE)?,
            plaintext_size: number(HEADER_PLAINTEXT_SIZE)?,
            key_commitment: found.get(HEADER_KEY_COMMITMENT).cloned(),
        }))
    }

    /// The headers to send (lower-case names, in a stable order).
    pub fn to_headers(&self) -> Vec<(String, String)> {
        let mut out = vec![
            (HEADER_KEY.to_string(), self.wrapped_key.clone()),
            (HEADER_START.to_string(), self.wrapped_start.clone()),
            (HEADER_CEK_ALG.to_string(), self.cek_alg.clone()),
            (HEADER_WRAP_ALG.to_string(), self.wrap_alg.clone()),
        ];
        if let Some(desc) = self.material_description.as_ref().filter(|d| !d.is_empty()) {
            out.push((HEADER_MATDESC.to_string(), desc.to_json()));
        }
        let mut push_num = |name: &str, v: Option<u64>| {
            if let Some(v) = v {
                out.push((name.to_string(), v.to_string()));
            }
        };
        push_num(HEADER_UNENCRYPTED_LENGTH, self.unencrypted_content_length);
        push_num(HEADER_DATA_SIZE, self.data_size);
        push_num(HEADER_PART_SIZE, self.part_size);
        push_num(HEADER_SEGMENT_SIZE, self.segment_size);
        push_num(HEADER_PLAINTEXT_SIZE, self.plaintext_size);
        if let Some(md5) = &self.unencrypted_content_md5 {
            out.push((HEADER_UNENCRYPTED_MD5.to_string(), md5.clone()));
        }
        if let Some(c) = &self.key_commitment {
            out.push((HEADER_KEY_COMMITMENT.to_string(), c.clone()));
        }
        out
    }
}
