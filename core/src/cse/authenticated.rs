//! The authenticated content format (ossbridge only; docs/cse-authenticated-format.md):
//! AES-256-GCM over fixed-size segments with a committed, HKDF-derived key.
//!
//! Per object: a random 32-byte data key K (wrapped into `key`) and a random 32-byte salt
//! (wrapped into `start`). `PRK = HKDF-Extract(SHA-512, salt, K)`; the content key is
//! `HKDF-Expand(PRK, "ossbridge-cse-v1 DERIVEKEY", 32)` and the commitment
//! `HKDF-Expand(PRK, "ossbridge-cse-v1 COMMITKEY", 32)`, stored in clear and compared in
//! constant time before anything is decrypted, so one ciphertext cannot open under two keys.
//! Segment i (plaintext `S` bytes, the last one shorter, an empty object has one empty
//! segment) is stored as `GCM(ciphertext) || tag`; its nonce and AAD bind the index, the
//! final-segment flag, the segment size and the total plaintext size, so truncation,
//! reordering, splicing and metadata edits fail authentication, and a ranged read
//! authenticates every segment it returns bytes from.

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use aws_lc_rs::hkdf::{KeyType, Salt, HKDF_SHA512};
use zeroize::Zeroizing;

use crate::{Error, ErrorKind, Result};

/// `cek-alg` of the authenticated format. Every official SDK refuses an unknown cek-alg,
/// so they fail closed on these objects instead of returning ciphertext as plaintext.
pub const CEK_ALG_AUTHENTICATED: &str = "OSSBRIDGE/AES-256-GCM-HKDF-SHA512-COMMIT/SEG-V1";
pub const DEFAULT_SEGMENT_SIZE: u64 = 64 * 1024;
pub const MAX_SEGMENT_SIZE: u64 = 16 * 1024 * 1024;
pub const TAG_LEN: u64 = 16;
pub const SALT_LEN: usize = 32;
pub const COMMITMENT_LEN: usize = 32;

const LABEL: &[u8; 16] = b"ossbridge-cse-v1";

/// How an object of `plaintext_size` bytes is cut into segments of `segment_size` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentLayout {
    segment_size: u64,
    plaintext_size: u64,
}

impl SegmentLayout {
    /// `segment_size` must be a multiple of 16 between 16 bytes and 16 MiB (so stored
    /// multipart parts stay multiples of 16, as OSS's CSE part-size check wants).
    pub fn new(segment_size: u64, plaintext_size: u64) -> Result<Self> {
        if segment_size == 0 || segment_size % 16 != 0 || segment_size > MAX_SEGMENT_SIZE {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "segment size {segment_size} is invalid: it must be a multiple of 16 between 16 \
                     and {MAX_SEGMENT_SIZE}"
                ),
            ));
        }
        Ok(SegmentLayout {
            segment_size,
            plaintext_size,
        })
    }

    pub fn segment_size(&self) -> u64 {
        self.segment_size
    }
    pub fn plaintext_size(&self) -> u64 {
        self.plaintext_size
    }
    /// At least one: an empty object is one empty final segment (16 stored bytes).
    pub fn segment_count(&self) -> u64 {
        self.plaintext_size.div_ceil(self.segment_size).max(1)
    }
    pub fn stored_segment_size(&self) -> u64 {
        self.segment_size + TAG_LEN
    }
    /// The object's stored (ciphertext) length.
    pub fn stored_size(&self) -> u64 {
        self.plaintext_size + TAG_LEN * self.segment_count()
    }
    pub fn is_final(&self, index: u64) -> bool {
        index + 1 == self.segment_count()
    }
    pub fn segment_plaintext_len(&self, index: u64) -> u64 {
        if self.is_final(index) {
            self.plaintext_size - index * self.segment_size
        } else {
            self.segment_size
        }
    }
    /// Stored byte range `[start, end)` of segments `first..=last`.
    pub fn stored_range(&self, first: u64, last: u64) -> (u64, u64) {
        let start = first * self.stored_segment_size();
        let end = ((last + 1) * self.stored_segment_size()).min(self.stored_size());
        (start, end)
    }

    fn aad(&self, index: u64) -> [u8; 41] {
        let mut aad = [0u8; 41];
        aad[..16].copy_from_slice(LABEL);
        aad[16..24].copy_from_slice(&self.segment_size.to_be_bytes());
        aad[24..32].copy_from_slice(&self.plaintext_size.to_be_bytes());
        aad[32..40].copy_from_slice(&index.to_be_bytes());
        aad[40] = self.is_final(index) as u8;
        aad
    }

    fn nonce(&self, index: u64) -> Nonce {
        let mut nonce = [0u8; 12];
        nonce[3] = self.is_final(index) as u8;
        nonce[4..].copy_from_slice(&index.to_be_bytes());
        Nonce::assume_unique_for_key(nonce)
    }
}

struct Len(usize);
impl KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn hkdf_expand(prk: &aws_lc_rs::hkdf::Prk, what: &[u8], out: &mut [u8]) -> Result<()> {
    let info = [&LABEL[..], b" ", what];
    prk.expand(&info, Len(out.len()))
        .and_then(|okm| okm.fill(out))
        .map_err(|_| Error::new(ErrorKind::Crypto, "HKDF key derivation failed"))
}

/// `(content key, commitment)` from the data key and salt.
fn derive(data_key: &[u8], salt: &[u8]) -> Result<(Zeroizing<[u8; 32]>, [u8; COMMITMENT_LEN])> {
    if data_key.len() != 32 || salt.len() != SALT_LEN {
        return Err(Error::new(
            ErrorKind::Crypto,
            format!(
                "unwrapped key material has the wrong size (key {} bytes, salt {} bytes; expected \
                 32 and 32): wrong master key or corrupt metadata",
                data_key.len(),
                salt.len()
            ),
        ));
    }
    let prk = Salt::new(HKDF_SHA512, salt).extract(data_key);
    let mut content_key = Zeroizing::new([0u8; 32]);
    let mut commitment = [0u8; COMMITMENT_LEN];
    hkdf_expand(&prk, b"DERIVEKEY", &mut content_key[..])?;
    hkdf_expand(&prk, b"COMMITKEY", &mut commitment)?;
    Ok((content_key, commitment))
}

/// The per-object segment sealer/opener.
pub struct SegmentCipher {
    key: LessSafeKey,
    layout: SegmentLayout,
}

impl std::fmt::Debug for SegmentCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SegmentCipher")
            .field("layout", &self.layout)
            .finish_non_exhaustive()
    }
}

impl SegmentCipher {
    /// For writing: returns the cipher and the commitment to store.
    pub fn for_writing(
        data_key: &[u8],
        salt: &[u8],
        layout: SegmentLayout,
    ) -> Result<(Self, [u8; COMMITMENT_LEN])> {
        let (content_key, commitment) = derive(data_key, salt)?;
        Ok((Self::with_key(&content_key, layout)?, commitment))
    }

    /// For reading: refuses (before decrypting anything) a key whose commitment differs.
    pub fn for_reading(
        data_key: &[u8],
        salt: &[u8],
        layout: SegmentLayout,
        stored_commitment: &[u8],
    ) -> Result<Self> {
        let (content_key, commitment) = derive(data_key, salt)?;
        if aws_lc_rs::constant_time::verify_slices_are_equal(&commitment, stored_commitment)
            .is_err()
        {
            return Err(Error::new(
                ErrorKind::Crypto,
                "key commitment mismatch: the unwrapped data key is not the one this object was \
                 encrypted with (key substitution or corrupt metadata)",
            ));
        }
        Self::with_key(&content_key, layout)
    }

    fn with_key(content_key: &[u8; 32], layout: SegmentLayout) -> Result<Self> {
        let key = UnboundKey::new(&AES_256_GCM, content_key)
            .map_err(|_| Error::new(ErrorKind::Crypto, "AES-256-GCM key setup failed"))?;
        Ok(SegmentCipher {
            key: LessSafeKey::new(key),
            layout,
        })
    }

    pub fn layout(&self) -> &SegmentLayout {
        &self.layout
    }

    /// Seals plaintext that starts at the first byte of segment `first` and covers whole
    /// segments (the object's last segment may be short). Returns the stored bytes.
    pub fn seal(&self, first: u64, plaintext: &[u8]) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.seal_into(first, plaintext, &mut out)?;
        Ok(out)
    }

    /// As [`Self::seal`], appending the stored bytes to `out` (reuse it across calls to
    /// avoid page faults on fresh memory).
    pub fn seal_into(&self, first: u64, plaintext: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let count = self.covered_segments(first, plaintext.len())?;
        let base = out.len();
        out.resize(base + plaintext.len() + (count * TAG_LEN) as usize, 0);
        self.seal_to(first, plaintext, &mut out[base..])?;
        Ok(())
    }

    /// Number of segments `len` plaintext bytes from segment `first` cover; an error unless
    /// they are whole segments (the object's last one may be short).
    fn covered_segments(&self, first: u64, len: usize) -> Result<u64> {
        let len = len as u64;
        let count = if len == 0 {
            1
        } else {
            len.div_ceil(self.layout.segment_size)
        };
        let covered = (first..first + count)
            .try_fold(0u64, |acc, i| {
                (i < self.layout.segment_count())
                    .then(|| acc + self.layout.segment_plaintext_len(i))
            })
            .filter(|&total| total == len);
        match covered {
            Some(_) => Ok(count),
            None => Err(self.misaligned(first, len as usize)),
        }
    }

    /// As [`Self::seal`], into the front of `out`, which must hold at least the stored
    /// size; returns it. One pass straight from `plaintext` into the stored places (AES-GCM
    /// scatter), and nothing zero-filled: the fastest form for a caller that reuses `out`.
    pub fn seal_to(&self, first: u64, plaintext: &[u8], out: &mut [u8]) -> Result<usize> {
        let count = self.covered_segments(first, plaintext.len())?;
        let stored = plaintext.len() + (count * TAG_LEN) as usize;
        if out.len() < stored {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "output buffer of {} bytes cannot hold {stored} stored bytes",
                    out.len()
                ),
            ));
        }
        let (mut src, mut dst) = (0usize, 0usize);
        for index in first..first + count {
            let n = self.layout.segment_plaintext_len(index) as usize;
            let len = n + TAG_LEN as usize;
            self.key
                .seal_in_place_scatter(
                    self.layout.nonce(index),
                    Aad::from(self.layout.aad(index)),
                    &mut [],
                    &plaintext[src..src + n],
                    &mut out[dst..dst + len],
                )
                .map_err(|_| Error::new(ErrorKind::Crypto, "AES-GCM encryption failed"))?;
            src += n;
            dst += len;
        }
        Ok(stored)
    }

    /// Seals in place segments already laid out at their stored offsets: `buf` holds, for
    /// each segment from `first` on, its plaintext followed by a 16-byte slot for the tag
    /// (see [`SegmentLayout::stored_range`]). This is the zero-copy path: a reader can put
    /// file data straight into the slots.
    pub fn seal_staged(&self, first: u64, buf: &mut [u8]) -> Result<()> {
        let mut at = 0usize;
        let mut index = first;
        while at < buf.len() || index == first {
            if index >= self.layout.segment_count() {
                return Err(self.misaligned(first, buf.len()));
            }
            let n = self.layout.segment_plaintext_len(index) as usize;
            if buf.len() - at < n + TAG_LEN as usize {
                return Err(self.misaligned(first, buf.len()));
            }
            let tag = self
                .key
                .seal_in_place_separate_tag(
                    self.layout.nonce(index),
                    Aad::from(self.layout.aad(index)),
                    &mut buf[at..at + n],
                )
                .map_err(|_| Error::new(ErrorKind::Crypto, "AES-GCM encryption failed"))?;
            buf[at + n..at + n + TAG_LEN as usize].copy_from_slice(tag.as_ref());
            at += n + TAG_LEN as usize;
            index += 1;
        }
        Ok(())
    }

    fn misaligned(&self, first: u64, len: usize) -> Error {
        Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "{len} plaintext bytes from segment {first} do not cover whole segments of a \
                 {}-byte object cut into {}-byte segments",
                self.layout.plaintext_size, self.layout.segment_size
            ),
        )
    }

    /// Opens stored bytes that start at segment `first` and hold whole stored segments;
    /// every segment is authenticated before any plaintext is returned.
    pub fn open(&self, first: u64, stored: &[u8]) -> Result<Vec<u8>> {
        let mut out = stored.to_vec();
        let n = self.open_in_place(first, &mut out)?;
        out.truncate(n);
        Ok(out)
    }

    /// Verifies and decrypts whole stored segments from segment `first` on, in place,
    /// handing each segment's plaintext (still at its stored offset) to `sink` without
    /// compacting it: saves a pass over the data when the plaintext goes to a file anyway.
    /// A segment is passed to `sink` only once it has been authenticated.
    pub(crate) fn open_each_in_place(
        &self,
        first: u64,
        buf: &mut [u8],
        mut sink: impl FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        let mut read = 0usize;
        let mut index = first;
        while read < buf.len() || index == first {
            let stored = self.stored_segment_len(index, buf.len() - read)?;
            let opened = self.open_segment(index, &mut buf[read..read + stored])?;
            sink(opened)?;
            read += stored;
            index += 1;
        }
        Ok(())
    }

    /// Stored length of segment `index`, checked against the `available` bytes.
    fn stored_segment_len(&self, index: u64, available: usize) -> Result<usize> {
        if index >= self.layout.segment_count() {
            return Err(truncated("more data than the object's segments"));
        }
        let stored = self.layout.segment_plaintext_len(index) as usize + TAG_LEN as usize;
        if available < stored {
            return Err(truncated("a segment is cut short"));
        }
        Ok(stored)
    }

    fn open_segment<'b>(&self, index: u64, stored: &'b mut [u8]) -> Result<&'b mut [u8]> {
        self.key
            .open_in_place(
                self.layout.nonce(index),
                Aad::from(self.layout.aad(index)),
                stored,
            )
            .map_err(|_| self.authentication_failed(index))
    }

    fn authentication_failed(&self, index: u64) -> Error {
        Error::new(
            ErrorKind::Crypto,
            format!(
                "authentication failed for segment {index}: the encrypted object was modified, \
                 truncated or reordered"
            ),
        )
    }

    /// As [`Self::open`], compacting the plaintext to the front of `buf`; returns its length.
    pub fn open_in_place(&self, first: u64, buf: &mut [u8]) -> Result<usize> {
        let mut read = 0usize;
        let mut written = 0usize;
        let mut index = first;
        while read < buf.len() || index == first {
            let stored = self.stored_segment_len(index, buf.len() - read)?;
            let opened = self
                .open_segment(index, &mut buf[read..read + stored])?
                .len();
            if read != written {
                buf.copy_within(read..read + opened, written);
            }
            read += stored;
            written += opened;
            index += 1;
        }
        Ok(written)
    }
}

fn truncated(what: &str) -> Error {
    Error::new(
        ErrorKind::Crypto,
        format!("encrypted object is damaged: {what}"),
    )
}
