//! OSS's server-side checks on client-side-encrypted multipart uploads
//! (`InvalidEncryptionRequest`, client-side-encryption.md §1.5). The envelope lives in
//! `x-oss-meta-client-side-encryption-*` user metadata; the server never decrypts it.

use crate::error::{OssError, OssResult};
use crate::meta::PartRecord;

pub const PREFIX: &str = "x-oss-meta-client-side-encryption-";
const REQUIRED: [&str; 4] = ["key", "start", "cek-alg", "wrap-alg"];

fn invalid(message: impl Into<String>, ec: &'static str) -> OssError {
    OssError::new(400, "InvalidEncryptionRequest", message).ec(ec)
}

fn get<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    let full = format!("{PREFIX}{name}");
    headers
        .iter()
        .find(|(n, _)| *n == full)
        .map(|(_, v)| v.trim())
}

/// True when stored metadata carries a client-side-encryption envelope.
pub fn is_cse(headers: &[(String, String)]) -> bool {
    headers.iter().any(|(n, _)| n.starts_with(PREFIX))
}

/// The multipart context of a CSE upload: part size and, when given, total data size.
pub struct Context {
    pub part_size: u64,
    pub data_size: Option<u64>,
}

impl Context {
    fn expected_parts(&self) -> Option<u64> {
        self.data_size.map(|d| d.div_ceil(self.part_size).max(1))
    }
}

/// Validates the envelope of an InitiateMultipartUpload; `None` when it is not CSE.
pub fn check_initiate(headers: &[(String, String)]) -> OssResult<Option<Context>> {
    if !is_cse(headers) {
        return Ok(None);
    }
    for name in REQUIRED {
        if !matches!(get(headers, name), Some(v) if !v.is_empty()) {
            return Err(invalid(
                format!("Missing client encryption parameter {PREFIX}{name}."),
                "0005-00000401",
            ));
        }
    }
    let part_size = get(headers, "part-size").ok_or_else(|| {
        invalid(
            format!("Missing {PREFIX}part-size for a client-side encrypted multipart upload."),
            "0005-00000404",
        )
    })?;
    let part_size: u64 = part_size
        .parse()
        .ok()
        .filter(|p| *p > 0 && p % 16 == 0)
        .ok_or_else(|| invalid(format!("Invalid {PREFIX}part-size `{part_size}`: a positive multiple of 16 is required."), "0005-00000405"))?;
    let data_size =
        match get(headers, "data-size") {
            None => None,
            Some(d) => Some(d.parse::<u64>().map_err(|_| {
                invalid(format!("Invalid {PREFIX}data-size `{d}`."), "0005-00000406")
            })?),
        };
    let ctx = Context {
        part_size,
        data_size,
    };
    if ctx.expected_parts().is_some_and(|n| n > 10_000) {
        return Err(invalid(
            "The part count computed from data-size and part-size exceeds 10000.",
            "0005-00000407",
        ));
    }
    Ok(Some(ctx))
}

/// UploadPart of a CSE upload: the part number must not exceed the expected count.
pub fn check_part_number(ctx: &Context, number: u32) -> OssResult<()> {
    if ctx.expected_parts().is_some_and(|n| number as u64 > n) {
        return Err(invalid(
            format!(
                "Part number {number} exceeds the part count implied by data-size and part-size."
            ),
            "0005-00000408",
        ));
    }
    Ok(())
}

/// CompleteMultipartUpload of a CSE upload: parts 1..N, non-last parts of exactly
/// part-size, total equal to data-size.
pub fn check_complete(ctx: &Context, parts: &[PartRecord]) -> OssResult<()> {
    for (i, p) in parts.iter().enumerate() {
        if p.number as usize != i + 1 {
            return Err(invalid(
                "The part list of a client-side encrypted upload must be 1..N without gaps.",
                "0005-00000409",
            ));
        }
        let last = i + 1 == parts.len();
        if (!last && p.chunk.len != ctx.part_size) || (last && p.chunk.len > ctx.part_size) {
            return Err(invalid(
                format!("Part {} has {} bytes; client-side encrypted parts must have part-size {} bytes (the last at most).", p.number, p.chunk.len, ctx.part_size),
                "0005-00000410",
            ));
        }
    }
    if let Some(expected) = ctx.data_size {
        let total: u64 = parts.iter().map(|p| p.chunk.len).sum();
        if total != expected {
            return Err(invalid(
                format!("The uploaded size {total} differs from data-size {expected}."),
                "0005-00000411",
            ));
        }
    }
    Ok(())
}

/// CopyObject with REPLACE must not change an existing envelope ("set once").
pub fn check_copy(source: &[(String, String)], replacement: &[(String, String)]) -> OssResult<()> {
    let envelope = |h: &[(String, String)]| -> Vec<(String, String)> {
        h.iter()
            .filter(|(n, _)| n.starts_with(PREFIX))
            .cloned()
            .collect()
    };
    let old = envelope(source);
    if !old.is_empty() && old != envelope(replacement) {
        return Err(invalid(
            "The parameters of client encryption are allowed to be set once.",
            "0005-00000412",
        ));
    }
    Ok(())
}

/// The envelope fields ListParts returns, as (element, value).
pub fn list_parts_fields(headers: &[(String, String)]) -> Vec<(&'static str, String)> {
    [
        ("ClientEncryptionKey", "key"),
        ("ClientEncryptionStart", "start"),
        ("ClientEncryptionCekAlg", "cek-alg"),
        ("ClientEncryptionWrapAlg", "wrap-alg"),
        ("ClientEncryptionDataSize", "data-size"),
        ("ClientEncryptionPartSize", "part-size"),
    ]
    .into_iter()
    .filter_map(|(element, name)| get(headers, name).map(|v| (element, v.to_string())))
    .collect()
}
