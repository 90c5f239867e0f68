//! Byte ranges of encrypted objects: parsing `bytes=` ranges, resolving them against an
//! object size (suffix ranges, ends past the end), and mapping plaintext ranges to the
//! stored bytes each format must fetch.
//!
//! Compatible (CTR) objects: stored offset = plaintext offset, and decryption of a range
//! starting at `s` uses counter `IV + s/16` and skips `s % 16` keystream bytes
//! ([`super::AesCtr::apply_keystream_at`]), so the exact range can be fetched; no HEAD is
//! needed even for suffix ranges because the response's Content-Range gives the start.
//! Authenticated objects: the covering whole segments are fetched and verified.

use super::authenticated::SegmentLayout;
use crate::{Error, ErrorKind, Result};

/// One HTTP byte range (multi-range requests are refused).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ByteRange {
    /// `bytes=start-end`, both inclusive.
    Bounded { start: u64, end: u64 },
    /// `bytes=start-`.
    From { start: u64 },
    /// `bytes=-len`: the last `len` bytes.
    Suffix { len: u64 },
}

impl ByteRange {
    /// Parses `bytes=a-b`, `bytes=a-`, `bytes=-n` (and the same without `bytes=`).
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |why: &str| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("invalid range {text:?}: {why}"),
            )
        };
        let spec = text.trim();
        let spec = spec.strip_prefix("bytes=").unwrap_or(spec).trim();
        if spec.contains(',') {
            return Err(bad("multiple ranges are not supported"));
        }
        let (a, b) = spec
            .split_once('-')
            .ok_or_else(|| bad("expected start-end"))?;
        let num = |s: &str| s.trim().parse::<u64>().map_err(|_| bad("not a number"));
        match (a.trim().is_empty(), b.trim().is_empty()) {
            (true, true) => Err(bad("no start and no end")),
            (true, false) => Ok(ByteRange::Suffix { len: num(b)? }),
            (false, true) => Ok(ByteRange::From { start: num(a)? }),
            (false, false) => {
                let (start, end) = (num(a)?, num(b)?);
                if end < start {
                    return Err(bad("end before start"));
                }
                Ok(ByteRange::Bounded { start, end })
            }
        }
    }

    pub fn to_header(&self) -> String {
        match *self {
            ByteRange::Bounded { start, end } => format!("bytes={start}-{end}"),
            ByteRange::From { start } => format!("bytes={start}-"),
            ByteRange::Suffix { len } => format!("bytes=-{len}"),
        }
    }

    /// The inclusive `[start, end]` this range selects in an object of `size` bytes, with
    /// RFC 9110 semantics: an end past the object is clamped; a suffix longer than the
    /// object selects all of it. `None` when unsatisfiable (start at or past the end, empty
    /// suffix, empty object).
    pub fn resolve(&self, size: u64) -> Option<(u64, u64)> {
        if size == 0 {
            return None;
        }
        match *self {
            ByteRange::Bounded { start, end } => (start < size).then(|| (start, end.min(size - 1))),
            ByteRange::From { start } => (start < size).then_some((start, size - 1)),
            ByteRange::Suffix { len } => (len > 0).then(|| (size - len.min(size), size - 1)),
        }
    }
}

/// The error for a range that selects nothing, shaped like OSS's own answer.
pub fn unsatisfiable(range: &ByteRange, size: u64) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!(
            "range {} is not satisfiable for an object of {size} bytes (InvalidRange)",
            range.to_header()
        ),
    )
}

/// What an authenticated ranged read fetches and keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentRangePlan {
    /// Plaintext bytes returned: inclusive.
    pub start: u64,
    pub end: u64,
    pub first_segment: u64,
    pub last_segment: u64,
    /// Stored bytes to fetch: `[stored_start, stored_end)`.
    pub stored_start: u64,
    pub stored_end: u64,
    /// Bytes to drop from the front of the opened plaintext.
    pub skip: u64,
}

impl SegmentRangePlan {
    pub fn new(layout: &SegmentLayout, range: &ByteRange) -> Result<Self> {
        let (start, end) = range
            .resolve(layout.plaintext_size())
            .ok_or_else(|| unsatisfiable(range, layout.plaintext_size()))?;
        let s = layout.segment_size();
        let (first_segment, last_segment) = (start / s, end / s);
        let (stored_start, stored_end) = layout.stored_range(first_segment, last_segment);
        Ok(SegmentRangePlan {
            start,
            end,
            first_segment,
            last_segment,
            stored_start,
            stored_end,
            skip: start - first_segment * s,
        })
    }

    pub fn len(&self) -> u64 {
        self.end - self.start + 1
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// The `Range` header for the stored bytes.
    pub fn stored_range_header(&self) -> String {
        format!("bytes={}-{}", self.stored_start, self.stored_end - 1)
    }
}

/// Parses `Content-Range: bytes a-b/total` into `(a, b, total)`; `total` may be `*`.
pub fn parse_content_range(value: &str) -> Option<(u64, u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (span, total) = rest.split_once('/')?;
    let (a, b) = span.trim().split_once('-')?;
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse().ok()?),
    };
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?, total))
}
