//! CRC-64/XZ (what OSS calls crc64ecma), SIMD-accelerated by crc-fast.
//!
//! OSS returns it as a decimal `x-oss-hash-crc64ecma` header. Multipart and append CRCs are
//! combined from the parts' CRCs and lengths, so nothing is ever hashed twice.

use crc_fast::{CrcAlgorithm, Digest};

/// The response header that carries the object's CRC-64, in decimal.
pub const CRC64_HEADER: &str = "x-oss-hash-crc64ecma";

/// CRC-64/XZ of a whole buffer.
pub fn checksum(data: &[u8]) -> u64 {
    crc_fast::checksum(CrcAlgorithm::Crc64Xz, data)
}

/// CRC of `A || B` from `crc(A)`, `crc(B)` and `len(B)`.
pub fn combine(crc_a: u64, crc_b: u64, len_b: u64) -> u64 {
    if len_b == 0 {
        return crc_a;
    }
    crc_fast::checksum_combine(CrcAlgorithm::Crc64Xz, crc_a, crc_b, len_b)
}

/// CRC of parts laid end to end, from each part's `(crc, len)` in order; `None` when any
/// part's CRC or length is unknown (then there is nothing to check a multipart object against).
pub fn combine_parts<I>(parts: I) -> Option<u64>
where
    I: IntoIterator<Item = Option<(u64, u64)>>,
{
    parts.into_iter().try_fold(0u64, |crc, part| {
        part.map(|(part_crc, len)| combine(crc, part_crc, len))
    })
}

/// A streaming CRC-64/XZ.
#[derive(Clone)]
pub struct Crc64 {
    digest: Digest,
    len: u64,
}

impl Default for Crc64 {
    fn default() -> Self {
        Crc64::new()
    }
}

impl Crc64 {
    pub fn new() -> Crc64 {
        Crc64 {
            digest: Digest::new(CrcAlgorithm::Crc64Xz),
            len: 0,
        }
    }

    pub fn update(&mut self, data: &[u8]) {
        self.digest.update(data);
        self.len += data.len() as u64;
    }

    /// The CRC of everything fed so far.
    pub fn value(&self) -> u64 {
        self.digest.finalize()
    }

    /// How many bytes were fed.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl std::fmt::Debug for Crc64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crc64")
            .field("value", &self.value())
            .field("len", &self.len)
            .finish()
    }
}

/// Parses the decimal header value.
pub fn parse_header(value: &str) -> Option<u64> {
    value.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answer() {
        // CRC-64/XZ check value from the CRC catalogue.
        assert_eq!(checksum(b"123456789"), 0x995D_C9BB_DF19_39FA);
        assert_eq!(checksum(b""), 0);
    }

    #[test]
    fn streaming_and_combine_match_one_shot() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        let mut c = Crc64::new();
        for chunk in data.chunks(977) {
            c.update(chunk);
        }
        assert_eq!(c.value(), checksum(&data));
        let (a, b) = data.split_at(33_333);
        assert_eq!(
            combine(checksum(a), checksum(b), b.len() as u64),
            checksum(&data)
        );
        assert_eq!(combine(checksum(a), 0, 0), checksum(a));
        let parts = data
            .chunks(10_007)
            .map(|p| Some((checksum(p), p.len() as u64)));
        assert_eq!(combine_parts(parts), Some(checksum(&data)));
        assert_eq!(
            combine_parts([Some((checksum(a), a.len() as u64)), None]),
            None
        );
    }
}
