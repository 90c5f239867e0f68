//! Encrypting and decrypting one object's content in either format, with the envelope that
//! goes with it. Network-free: the encryption client feeds it bytes.

use crate::md5::Md5;
use base64::Engine as _;

use super::authenticated::{
    SegmentCipher, SegmentLayout, CEK_ALG_AUTHENTICATED, DEFAULT_SEGMENT_SIZE, SALT_LEN, TAG_LEN,
};
use super::ctr::{AesCtr, CEK_ALG_AES_CTR};
use super::envelope::Envelope;
use super::master_key::{b64_decode_header, b64_encode, MasterKey, MasterKeys};
use super::range::{ByteRange, SegmentRangePlan};
use super::secret::{random_fill, CounterIv, DataKey};
use crate::{Error, ErrorKind, Result};

/// Most parts OSS allows in one multipart upload.
pub const MAX_PARTS: u64 = 10_000;

/// Which content format an encryption client writes. Reading always accepts both.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum ContentMode {
    /// AES-256-CTR, readable by every official OSS SDK. Unauthenticated: a full read checks
    /// `unencrypted-content-md5` when the object has one; ranged reads cannot be verified.
    #[default]
    Compatible,
    /// Segmented AES-256-GCM with key commitment (ossbridge only): every read is verified.
    Authenticated { segment_size: u64 },
}

impl ContentMode {
    pub fn authenticated() -> Self {
        ContentMode::Authenticated {
            segment_size: DEFAULT_SEGMENT_SIZE,
        }
    }
}

enum Cipher {
    Ctr(AesCtr),
    Segmented(SegmentCipher),
}

/// The index of the segment that starts at plaintext `offset`; an error unless one does.
fn segment_at(c: &SegmentCipher, offset: u64) -> Result<u64> {
    let s = c.layout().segment_size();
    if offset % s != 0 {
        return Err(invalid(format!(
            "offset {offset} is not a multiple of the segment size {s}"
        )));
    }
    Ok(offset / s)
}

fn crypto(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Crypto, msg)
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidArgument, msg)
}

/// Encrypts one object (single PUT) or one multipart upload.
pub struct ObjectEncryptor {
    envelope: Envelope,
    cipher: Cipher,
    plaintext_size: u64,
    /// Multipart only: plaintext part size.
    part_size: Option<u64>,
}

impl std::fmt::Debug for ObjectEncryptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectEncryptor")
            .field("cek_alg", &self.envelope.cek_alg)
            .field("plaintext_size", &self.plaintext_size)
            .field("part_size", &self.part_size)
            .finish_non_exhaustive()
    }
}

impl ObjectEncryptor {
    /// For a single PutObject of `plaintext_size` bytes.
    pub async fn new(
        master: &dyn MasterKey,
        mode: &ContentMode,
        plaintext_size: u64,
    ) -> Result<Self> {
        Self::build(master, mode, plaintext_size, None).await
    }

    /// For a multipart upload of `data_size` bytes in parts of `part_size` bytes (all parts
    /// but the last exactly that size). Compatible mode: `part_size` % 16 == 0. Authenticated
    /// mode: `part_size` must be a multiple of the segment size.
    pub async fn new_multipart(
        master: &dyn MasterKey,
        mode: &ContentMode,
        data_size: u64,
        part_size: u64,
    ) -> Result<Self> {
        if part_size == 0 || part_size % 16 != 0 {
            return Err(invalid(format!(
                "client-side encryption part size {part_size} must be a positive multiple of 16"
            )));
        }
        if let ContentMode::Authenticated { segment_size } = mode {
            if part_size % segment_size != 0 {
                return Err(invalid(format!(
                    "part size {part_size} must be a multiple of the segment size {segment_size}"
                )));
            }
        }
        if data_size.div_ceil(part_size) > MAX_PARTS {
            return Err(invalid(format!(
                "{data_size} bytes in parts of {part_size} bytes exceed OSS's {MAX_PARTS} parts"
            )));
        }
        Self::build(master, mode, data_size, Some(part_size)).await
    }

    async fn build(
        master: &dyn MasterKey,
        mode: &ContentMode,
        plaintext_size: u64,
        part_size: Option<u64>,
    ) -> Result<Self> {
        let (data_key, wrapped_key) = master.generate_data_key().await?;
        let mut envelope = Envelope {
            wrap_alg: master.wrap_algorithm().to_string(),
            wrapped_key,
            material_description: Some(master.material_description().clone())
                .filter(|d| !d.is_empty()),
            ..Envelope::default()
        };
        let cipher = match mode {
            ContentMode::Compatible => {
                let key = DataKey::from_slice(data_key.as_bytes())?;
                let iv = CounterIv::random()?;
                envelope.cek_alg = CEK_ALG_AES_CTR.to_string();
                envelope.wrapped_start = master.wrap(iv.as_bytes()).await?;
                match part_size {
                    None => envelope.unencrypted_content_length = Some(plaintext_size),
                    Some(p) => {
                        envelope.data_size = Some(plaintext_size);
                        envelope.part_size = Some(p);
                    }
                }
                Cipher::Ctr(AesCtr::new(&key, &iv)?)
            }
            ContentMode::Authenticated { segment_size } => {
                let layout = SegmentLayout::new(*segment_size, plaintext_size)?;
                let mut salt = zeroize::Zeroizing::new([0u8; SALT_LEN]);
                random_fill(&mut salt[..])?;
                let (cipher, commitment) =
                    SegmentCipher::for_writing(data_key.as_bytes(), &salt[..], layout)?;
                envelope.cek_alg = CEK_ALG_AUTHENTICATED.to_string();
                envelope.wrapped_start = master.wrap(&salt[..]).await?;
                envelope.segment_size = Some(*segment_size);
                envelope.plaintext_size = Some(plaintext_size);
                envelope.key_commitment = Some(b64_encode(&commitment));
                if let Some(p) = part_size {
                    // data-size/part-size describe stored bytes, which is what OSS checks.
                    envelope.data_size = Some(layout.stored_size());
                    envelope.part_size = Some(p / segment_size * layout.stored_segment_size());
                }
                Cipher::Segmented(cipher)
            }
        };
        Ok(ObjectEncryptor {
            envelope,
            cipher,
            plaintext_size,
            part_size,
        })
    }

    pub fn envelope(&self) -> &Envelope {
        &self.envelope
    }

    /// The metadata headers to send with PutObject / InitiateMultipartUpload / UploadPart.
    pub fn headers(&self) -> Vec<(String, String)> {
        self.envelope.to_headers()
    }

    pub fn is_authenticated(&self) -> bool {
        matches!(self.cipher, Cipher::Segmented(_))
    }

    pub fn plaintext_size(&self) -> u64 {
        self.plaintext_size
    }

    /// The stored (uploaded) size of the whole object.
    pub fn stored_size(&self) -> u64 {
        match &self.cipher {
            Cipher::Ctr(_) => self.plaintext_size,
            Cipher::Segmented(c) => c.layout().stored_size(),
        }
    }

    /// Records the plaintext MD5 in `unencrypted-content-md5` so full reads can detect
    /// changes (compatible mode, single PUT; ignored in authenticated mode, which needs no
    /// plaintext hash). Note it lets anyone with read access test guesses of the plaintext.
    pub fn set_plaintext_md5(&mut self, plaintext: &[u8]) {
        if matches!(self.cipher, Cipher::Ctr(_)) {
            let digest = Md5::digest(plaintext);
            self.envelope.unencrypted_content_md5 =
                Some(base64::engine::general_purpose::STANDARD.encode(digest));
        }
    }

    /// Encrypts plaintext that starts at byte `offset` of the object. Authenticated mode:
    /// `offset` must be a segment boundary and the bytes whole segments (the last may end
    /// the object).
    pub fn encrypt_at(&self, offset: u64, plaintext: Vec<u8>) -> Result<Vec<u8>> {
        match &self.cipher {
            Cipher::Ctr(_) => {
                let mut buf = plaintext;
                self.check_span(offset, buf.len())?;
                self.apply_ctr(offset, &mut buf)?;
                Ok(buf)
            }
            Cipher::Segmented(_) => {
                let mut out = Vec::new();
                self.encrypt_into(offset, &plaintext, &mut out)?;
                Ok(out)
            }
        }
    }

    /// As [`Self::encrypt_at`], appending the stored bytes to `out` (a buffer reused across
    /// parts avoids fresh-memory page faults).
    pub fn encrypt_into(&self, offset: u64, plaintext: &[u8], out: &mut Vec<u8>) -> Result<()> {
        self.check_span(offset, plaintext.len())?;
        match &self.cipher {
            Cipher::Ctr(_) => {
                let start = out.len();
                out.extend_from_slice(plaintext);
                self.apply_ctr(offset, &mut out[start..])
            }
            Cipher::Segmented(c) => c.seal_into(segment_at(c, offset)?, plaintext, out),
        }
    }

    /// As [`Self::encrypt_into`], into the front of a caller's buffer `out` (at least the
    /// stored size of the span); returns the stored length. One pass from `plaintext` into
    /// `out` and nothing zero-filled: for callers that reuse their output buffers.
    pub fn encrypt_to(&self, offset: u64, plaintext: &[u8], out: &mut [u8]) -> Result<usize> {
        self.check_span(offset, plaintext.len())?;
        match &self.cipher {
            Cipher::Ctr(_) => {
                let available = out.len();
                let out = out.get_mut(..plaintext.len()).ok_or_else(|| {
                    invalid(format!(
                        "output buffer of {available} bytes cannot hold {} bytes",
                        plaintext.len()
                    ))
                })?;
                out.copy_from_slice(plaintext);
                self.apply_ctr(offset, out)?;
                Ok(plaintext.len())
            }
            Cipher::Segmented(c) => c.seal_to(segment_at(c, offset)?, plaintext, out),
        }
    }

    /// Zero-copy encryption for the authenticated format: returns a buffer of the stored
    /// size of plaintext `[offset, offset + len)` and the ranges in it where the plaintext
    /// goes (one per segment; the gaps are tag slots). Fill them, then call
    /// [`Self::seal_staged`]. Compatible format: one range covering the buffer.
    pub fn stage(&self, offset: u64, len: usize) -> Result<(Vec<u8>, Vec<std::ops::Range<usize>>)> {
        let mut buf = Vec::new();
        let slots = self.stage_into(offset, len, &mut buf)?;
        Ok((buf, slots))
    }

    /// As [`Self::stage`], reusing `buf` (resized to the stored size; its old bytes are
    /// left in place, to be overwritten by the slots and the tags): recycled part buffers
    /// skip the page faults and zeroing of fresh ones.
    pub(crate) fn stage_into(
        &self,
        offset: u64,
        len: usize,
        buf: &mut Vec<u8>,
    ) -> Result<Vec<std::ops::Range<usize>>> {
        self.check_span(offset, len)?;
        let (stored_len, ranges) = match &self.cipher {
            Cipher::Ctr(_) => (len, vec![0..len]),
            Cipher::Segmented(c) => {
                let layout = c.layout();
                let mut ranges = Vec::new();
                let (mut at, mut left, mut index) = (0usize, len as u64, segment_at(c, offset)?);
                loop {
                    let n = layout.segment_plaintext_len(index).min(left) as usize;
                    ranges.push(at..at + n);
                    at += n + TAG_LEN as usize;
                    left -= n as u64;
                    index += 1;
                    if left == 0 || index >= layout.segment_count() {
                        break;
                    }
                }
                (at, ranges)
            }
        };
        if buf.len() >= stored_len {
            buf.truncate(stored_len);
        } else {
            buf.resize(stored_len, 0);
        }
        Ok(ranges)
    }

    /// Encrypts a buffer from [`Self::stage`] in place (for `offset`, as staged).
    pub fn seal_staged(&self, offset: u64, buf: &mut [u8]) -> Result<()> {
        match &self.cipher {
            Cipher::Ctr(ctr) => {
                self.check_span(offset, buf.len())?;
                ctr.apply_keystream_at(offset, buf)
            }
            Cipher::Segmented(c) => c.seal_staged(offset / c.layout().segment_size(), buf),
        }
    }

    fn check_span(&self, offset: u64, len: usize) -> Result<()> {
        if offset + len as u64 > self.plaintext_size {
            return Err(invalid(format!(
                "{len} bytes at offset {offset} run past the declared size {}",
                self.plaintext_size
            )));
        }
        Ok(())
    }

    fn apply_ctr(&self, offset: u64, buf: &mut [u8]) -> Result<()> {
        match &self.cipher {
            Cipher::Ctr(ctr) => ctr.apply_keystream_at(offset, buf),
            Cipher::Segmented(_) => Err(invalid("not a compatible-format encryptor")),
        }
    }

    /// Encrypts the whole object (its length must be the declared size).
    pub fn encrypt_object(&self, plaintext: Vec<u8>) -> Result<Vec<u8>> {
        if plaintext.len() as u64 != self.plaintext_size {
            return Err(invalid(format!(
                "object has {} bytes but {} were declared",
                plaintext.len(),
                self.plaintext_size
            )));
        }
        self.encrypt_at(0, plaintext)
    }

    /// Plaintext byte range `[start, end)` of part `part_number` (1-based).
    pub fn part_bounds(&self, part_number: u32) -> Result<(u64, u64)> {
        let p = self
            .part_size
            .ok_or_else(|| invalid("not a multipart encryptor"))?;
        let count = self.part_count();
        if part_number == 0 || part_number as u64 > count {
            return Err(invalid(format!(
                "part number {part_number} is outside 1..={count} for {} bytes in {p}-byte parts",
                self.plaintext_size
            )));
        }
        let start = (part_number as u64 - 1) * p;
        Ok((start, (start + p).min(self.plaintext_size)))
    }

    pub fn part_count(&self) -> u64 {
        match self.part_size {
            Some(p) => self.plaintext_size.div_ceil(p).max(1),
            None => 1,
        }
    }

    pub fn part_size(&self) -> Option<u64> {
        self.part_size
    }

    /// Encrypts part `part_number` (1-based): counter `IV + (n-1)*part_size/16` in
    /// compatible mode, segments from `(n-1)*part_size/segment_size` in authenticated mode.
    /// Never re-encrypt a part number with *different* bytes under the same encryptor (it
    /// reuses the keystream / GCM nonces); a changed source needs a new upload.
    pub fn encrypt_part(&self, part_number: u32, plaintext: Vec<u8>) -> Result<Vec<u8>> {
        let (start, end) = self.part_bounds(part_number)?;
        if plaintext.len() as u64 != end - start {
            return Err(invalid(format!(
                "part {part_number} must have {} bytes, got {}",
                end - start,
                plaintext.len()
            )));
        }
        self.encrypt_at(start, plaintext)
    }
}

/// Decrypts objects with one envelope (after unwrapping its key with the master keys).
pub struct ObjectDecryptor {
    envelope: Envelope,
    cipher: Cipher,
}

impl std::fmt::Debug for ObjectDecryptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectDecryptor")
            .field("cek_alg", &self.envelope.cek_alg)
            .finish_non_exhaustive()
    }
}

impl ObjectDecryptor {
    pub async fn new(keys: &MasterKeys, envelope: Envelope) -> Result<Self> {
        let master = keys.select(&envelope)?;
        let wrap_alg = envelope.wrap_alg.clone();
        let cipher = if envelope.cek_alg.eq_ignore_ascii_case(CEK_ALG_AES_CTR) {
            let key = master.unwrap(&wrap_alg, &envelope.wrapped_key).await?;
            let iv = master.unwrap(&wrap_alg, &envelope.wrapped_start).await?;
            Cipher::Ctr(AesCtr::new(
                &DataKey::from_slice(key.as_bytes())?,
                &CounterIv::from_slice(iv.as_bytes())?,
            )?)
        } else if envelope.cek_alg == CEK_ALG_AUTHENTICATED {
            let missing =
                |name: &str| crypto(format!("authenticated object without its {name} metadata"));
            let segment_size = envelope
                .segment_size
                .ok_or_else(|| missing("segment-size"))?;
            let plaintext_size = envelope
                .plaintext_size
                .ok_or_else(|| missing("plaintext-size"))?;
            let commitment = envelope
                .key_commitment
                .as_deref()
                .ok_or_else(|| missing("key-commitment"))?;
            let commitment = b64_decode_header("key-commitment", commitment)?;
            let layout = SegmentLayout::new(segment_size, plaintext_size)
                .map_err(|e| crypto(format!("corrupt authenticated metadata: {e}")))?;
            let key = master.unwrap(&wrap_alg, &envelope.wrapped_key).await?;
            let salt = master.unwrap(&wrap_alg, &envelope.wrapped_start).await?;
            Cipher::Segmented(SegmentCipher::for_reading(
                key.as_bytes(),
                salt.as_bytes(),
                layout,
                &commitment,
            )?)
        } else {
            return Err(crypto(format!(
                "unsupported content encryption algorithm (cek-alg) {:?}",
                envelope.cek_alg
            )));
        };
        Ok(ObjectDecryptor { envelope, cipher })
    }

    pub fn envelope(&self) -> &Envelope {
        &self.envelope
    }

    pub fn is_authenticated(&self) -> bool {
        matches!(self.cipher, Cipher::Segmented(_))
    }

    pub fn segment_layout(&self) -> Option<&SegmentLayout> {
        match &self.cipher {
            Cipher::Segmented(c) => Some(c.layout()),
            Cipher::Ctr(_) => None,
        }
    }

    /// The plaintext size of an object stored with `stored_size` bytes; for authenticated
    /// objects a stored size that disagrees with the metadata is an error (truncation).
    pub fn plaintext_size(&self, stored_size: u64) -> Result<u64> {
        match &self.cipher {
            Cipher::Ctr(_) => Ok(stored_size),
            Cipher::Segmented(c) => {
                let layout = c.layout();
                if layout.stored_size() != stored_size {
                    return Err(crypto(format!(
                        "encrypted object is damaged: {stored_size} bytes stored, {} expected for \
                         {} plaintext bytes",
                        layout.stored_size(),
                        layout.plaintext_size()
                    )));
                }
                Ok(layout.plaintext_size())
            }
        }
    }

    /// Decrypts a whole object and runs every check the metadata allows; returns no
    /// plaintext unless they all pass.
    pub fn decrypt_object(&self, stored: Vec<u8>) -> Result<Vec<u8>> {
        let mut reader = self.full_reader();
        let mut out = reader.update(stored)?;
        out.extend(reader.finish()?);
        Ok(out)
    }

    /// Compatible objects: decrypts stored bytes that start at byte `offset` (any offset;
    /// counter `IV + offset/16`, skipping `offset % 16` keystream bytes). Unverifiable.
    pub fn decrypt_ctr_range(&self, offset: u64, mut stored: Vec<u8>) -> Result<Vec<u8>> {
        match &self.cipher {
            Cipher::Ctr(ctr) => {
                ctr.apply_keystream_at(offset, &mut stored)?;
                Ok(stored)
            }
            Cipher::Segmented(_) => Err(invalid("decrypt_ctr_range on an authenticated object")),
        }
    }

    /// Compatible objects: a keystream from plaintext byte `offset` on that decrypts while
    /// it copies (see [`super::ctr::CtrStream`]).
    pub(crate) fn ctr_stream_at(&self, offset: u64) -> Result<super::ctr::CtrStream> {
        match &self.cipher {
            Cipher::Ctr(ctr) => ctr.stream_at(offset),
            Cipher::Segmented(_) => Err(invalid("ctr_stream_at on an authenticated object")),
        }
    }

    /// Authenticated objects: verifies and decrypts whole stored segments from segment
    /// `first` on, in place; the plaintext ends up at the front of `buf` (length returned).
    pub fn open_segments_in_place(&self, first: u64, buf: &mut [u8]) -> Result<usize> {
        match &self.cipher {
            Cipher::Segmented(c) => c.open_in_place(first, buf),
            Cipher::Ctr(_) => Err(invalid("open_segments_in_place on a compatible object")),
        }
    }

    /// As [`Self::open_segments_in_place`], handing each verified segment's plaintext to
    /// `sink` where it was decrypted instead of compacting it (for writes to a file).
    pub fn open_each_segment_in_place(
        &self,
        first: u64,
        buf: &mut [u8],
        sink: impl FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        match &self.cipher {
            Cipher::Segmented(c) => c.open_each_in_place(first, buf, sink),
            Cipher::Ctr(_) => Err(invalid("open_each_segment_in_place on a compatible object")),
        }
    }

    /// Authenticated objects: what to fetch for a plaintext range.
    pub fn plan_segment_range(&self, range: &ByteRange) -> Result<SegmentRangePlan> {
        match &self.cipher {
            Cipher::Segmented(c) => SegmentRangePlan::new(c.layout(), range),
            Cipher::Ctr(_) => Err(invalid("plan_segment_range on a compatible object")),
        }
    }

    /// Authenticated objects: verifies and decrypts the fetched stored bytes of `plan` and
    /// returns exactly the requested plaintext.
    pub fn decrypt_segment_range(
        &self,
        plan: &SegmentRangePlan,
        mut stored: Vec<u8>,
    ) -> Result<Vec<u8>> {
        let Cipher::Segmented(c) = &self.cipher else {
            return Err(invalid("decrypt_segment_range on a compatible object"));
        };
        if stored.len() as u64 != plan.stored_end - plan.stored_start {
            return Err(crypto(format!(
                "encrypted object is damaged: range read returned {} bytes, {} expected",
                stored.len(),
                plan.stored_end - plan.stored_start
            )));
        }
        let n = c.open_in_place(plan.first_segment, &mut stored)?;
        stored.truncate(n);
        let skip = plan.skip as usize;
        stored.drain(..skip);
        stored.truncate(plan.len() as usize);
        Ok(stored)
    }

    /// A streaming decryptor for a full read (used for downloads): feed stored bytes in
    /// order; `finish` runs the whole-object checks. Callers must discard what they got if
    /// `finish` (or any `update`) fails.
    pub fn full_reader(&self) -> FullReader<'_> {
        let md5 = match (&self.cipher, &self.envelope.unencrypted_content_md5) {
            (Cipher::Ctr(_), Some(_)) => Some(Md5::new()),
            _ => None,
        };
        FullReader {
            decryptor: self,
            offset: 0,
            md5,
            pending: Vec::new(),
            next_segment: 0,
        }
    }
}

/// See [`ObjectDecryptor::full_reader`].
pub struct FullReader<'a> {
    decryptor: &'a ObjectDecryptor,
    /// Stored bytes consumed so far.
    offset: u64,
    md5: Option<Md5>,
    pending: Vec<u8>,
    next_segment: u64,
}

impl FullReader<'_> {
    /// Feeds the next stored bytes; returns the plaintext that is ready (authenticated mode:
    /// only whole, verified segments).
    pub fn update(&mut self, chunk: Vec<u8>) -> Result<Vec<u8>> {
        match &self.decryptor.cipher {
            Cipher::Ctr(ctr) => {
                let mut buf = chunk;
                ctr.apply_keystream_at(self.offset, &mut buf)?;
                self.offset += buf.len() as u64;
                if let Some(md5) = &mut self.md5 {
                    md5.update(&buf);
                }
                Ok(buf)
            }
            Cipher::Segmented(_) => {
                let mut out = Vec::with_capacity(chunk.len());
                self.update_into(&chunk, &mut out)?;
                Ok(out)
            }
        }
    }

    /// Feeds the next stored bytes and appends the plaintext that is ready to `out`
    /// (authenticated mode: whole verified segments only). Each byte is copied once, from
    /// `chunk` into `out`, and decrypted there while still in cache: reading a whole object
    /// this way costs no pass beyond the copy a plain download makes.
    pub fn update_into(&mut self, chunk: &[u8], out: &mut Vec<u8>) -> Result<()> {
        match &self.decryptor.cipher {
            Cipher::Ctr(ctr) => {
                let at = out.len();
                out.extend_from_slice(chunk);
                ctr.apply_keystream_at(self.offset, &mut out[at..])?;
                self.offset += chunk.len() as u64;
                if let Some(md5) = &mut self.md5 {
                    md5.update(&out[at..]);
                }
                Ok(())
            }
            Cipher::Segmented(c) => {
                let layout = *c.layout();
                let mut rest = chunk;
                while !rest.is_empty() {
                    let index = self.next_segment;
                    if index >= layout.segment_count() {
                        return Err(crypto(format!(
                            "encrypted object is damaged: more than the {} stored bytes its \
                             metadata describes",
                            layout.stored_size()
                        )));
                    }
                    let need = (layout.segment_plaintext_len(index) + TAG_LEN) as usize;
                    if self.pending.is_empty() && rest.len() >= need {
                        // The whole segment is in this chunk: straight to its place.
                        let (segment, later) = rest.split_at(need);
                        Self::open_appended(c, index, segment, out)?;
                        rest = later;
                    } else {
                        // A segment split across chunks is gathered first.
                        let take = (need - self.pending.len()).min(rest.len());
                        self.pending.extend_from_slice(&rest[..take]);
                        rest = &rest[take..];
                        if self.pending.len() < need {
                            break;
                        }
                        let segment = std::mem::take(&mut self.pending);
                        Self::open_appended(c, index, &segment, out)?;
                        self.pending = segment;
                        self.pending.clear();
                    }
                    self.next_segment += 1;
                    self.offset += need as u64;
                }
                Ok(())
            }
        }
    }

    /// Appends stored segment `index` (ciphertext and tag) to `out` and opens it there; on
    /// success `out` ends with its plaintext, on failure `out` is as it was.
    fn open_appended(
        c: &SegmentCipher,
        index: u64,
        segment: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let at = out.len();
        out.extend_from_slice(segment);
        match c.open_in_place(index, &mut out[at..]) {
            Ok(n) => {
                out.truncate(at + n);
                Ok(())
            }
            Err(e) => {
                out.truncate(at);
                Err(e)
            }
        }
    }

    /// Ends the read: checks the total length and (compatible mode) the plaintext MD5 and
    /// unencrypted-content-length / data-size where the metadata has them.
    pub fn finish(self) -> Result<Vec<u8>> {
        let env = &self.decryptor.envelope;
        match &self.decryptor.cipher {
            Cipher::Ctr(_) => {
                for (name, expected) in [
                    ("unencrypted-content-length", env.unencrypted_content_length),
                    ("data-size", env.data_size),
                ] {
                    if let Some(expected) = expected {
                        if expected != self.offset {
                            return Err(crypto(format!(
                                "encrypted object is damaged: {} bytes read, but {name} says {expected}",
                                self.offset
                            )));
                        }
                    }
                }
                if let (Some(md5), Some(expected)) = (self.md5, &env.unencrypted_content_md5) {
                    let actual = base64::engine::general_purpose::STANDARD.encode(md5.finalize());
                    if actual != expected.trim() {
                        return Err(crypto(format!(
                            "decrypted content does not match unencrypted-content-md5 ({expected} \
                             stored, {actual} computed): the object was modified"
                        )));
                    }
                }
                Ok(Vec::new())
            }
            Cipher::Segmented(c) => {
                if self.next_segment != c.layout().segment_count() || !self.pending.is_empty() {
                    return Err(crypto(format!(
                        "encrypted object is damaged: truncated after {} of {} stored bytes",
                        self.offset,
                        c.layout().stored_size()
                    )));
                }
                Ok(Vec::new())
            }
        }
    }
}
