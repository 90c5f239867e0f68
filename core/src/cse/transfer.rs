//! `upload_file` / `download_file` through the [`EncryptionClient`]: concurrent multipart
//! uploads of encrypted parts, and concurrent ranged downloads decrypted into a temporary
//! file that replaces the target only after every check passed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures::stream::{self, StreamExt, TryStreamExt};
use reqwest::Method;

use super::authenticated::SegmentLayout;
use super::content::{ContentMode, ObjectDecryptor};

use super::client::{EncryptedPutOptions, EncryptionClient};
use super::range::parse_content_range;
use crate::client::{body_error, Request};
use crate::crc64;
use crate::error::{Error, ErrorKind, Result};
use crate::model::{ObjectAttributes, ResponseMeta, UploadPartResult};
use crate::transfer::{DEFAULT_PARALLEL, DEFAULT_PART_SIZE, MIN_PART_SIZE};

/// Plaintext bytes decrypted and written per file write while a range streams in.
const WRITE_BATCH: usize = 1 << 20;

/// Options of [`EncryptionClient::upload_file`].
#[derive(Clone, Debug)]
pub struct EncryptedUploadOptions {
    /// Plaintext part size: ≥ 100 KiB, a multiple of 16 (of the segment size in
    /// authenticated mode). Default 8 MiB.
    pub part_size: u64,
    pub parallel: usize,
    /// Files up to this size go in one PutObject (default: the part size).
    pub multipart_threshold: u64,
    pub attributes: ObjectAttributes,
}

impl Default for EncryptedUploadOptions {
    fn default() -> Self {
        EncryptedUploadOptions {
            part_size: DEFAULT_PART_SIZE,
            parallel: DEFAULT_PARALLEL,
            multipart_threshold: DEFAULT_PART_SIZE,
            attributes: ObjectAttributes::default(),
        }
    }
}

/// Options of [`EncryptionClient::download_file`].
#[derive(Clone, Debug)]
pub struct EncryptedDownloadOptions {
    /// Plaintext bytes per ranged GET (rounded up to whole segments). Default 8 MiB.
    pub part_size: u64,
    pub parallel: usize,
}

impl Default for EncryptedDownloadOptions {
    fn default() -> Self {
        EncryptedDownloadOptions {
            part_size: DEFAULT_PART_SIZE,
            parallel: DEFAULT_PARALLEL,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct EncryptedTransferResult {
    /// Plaintext size.
    pub size: u64,
    /// Stored (encrypted) size.
    pub stored_size: u64,
    pub upload_id: Option<String>,
    pub part_count: u32,
    pub meta: ResponseMeta,
}

fn io_err(what: String, e: std::io::Error) -> Error {
    Error::new(ErrorKind::Io, what).with_source(e)
}

/// Reads the file bytes from `offset` on into `slots` of `buf`, in order.
fn read_slots(
    path: &Path,
    offset: u64,
    buf: &mut [u8],
    slots: &[std::ops::Range<usize>],
) -> Result<()> {
    use std::os::unix::fs::FileExt;
    let file = std::fs::File::open(path)
        .map_err(|e| io_err(format!("cannot open {}", path.display()), e))?;
    let mut at = offset;
    for slot in slots {
        file.read_exact_at(&mut buf[slot.clone()], at)
            .map_err(|e| io_err(format!("cannot read {} at {at}", path.display()), e))?;
        at += slot.len() as u64;
    }
    Ok(())
}

impl EncryptionClient {
    /// Encrypts and uploads a local file: one PutObject up to `multipart_threshold`, else
    /// a concurrent multipart upload (aborted if any part fails).
    pub async fn upload_file(
        &self,
        bucket: &str,
        key: &str,
        path: impl AsRef<Path>,
        options: &EncryptedUploadOptions,
    ) -> Result<EncryptedTransferResult> {
        let path = path.as_ref().to_path_buf();
        if options.parallel == 0 {
            return Err(Error::invalid_argument("parallel must be at least 1"));
        }
        let size = std::fs::metadata(&path)
            .map_err(|e| io_err(format!("cannot read file {}", path.display()), e))?
            .len();
        if size <= options.multipart_threshold {
            let data = tokio::fs::read(&path)
                .await
                .map_err(|e| io_err(format!("cannot read file {}", path.display()), e))?;
            let put = EncryptedPutOptions {
                attributes: options.attributes.clone(),
            };
            let r = self.put_object(bucket, key, data, &put).await?;
            let stored_size = match self.mode() {
                ContentMode::Compatible => size,
                ContentMode::Authenticated { segment_size } => {
                    SegmentLayout::new(*segment_size, size)?.stored_size()
                }
            };
            return Ok(EncryptedTransferResult {
                size,
                stored_size,
                meta: r.meta,
                ..Default::default()
            });
        }
        if options.part_size < MIN_PART_SIZE {
            return Err(Error::invalid_argument(format!(
                "part_size {} is below OSS's minimum part size of {MIN_PART_SIZE} bytes",
                options.part_size
            )));
        }
        let upload = self
            .initiate_multipart_upload(bucket, key, size, options.part_size, &options.attributes)
            .await?;
        // Part buffers are recycled (at most `parallel` + 1 live): fresh 8 MiB buffers cost
        // a page fault per 4 KiB, a measurable share of an encrypted upload.
        let pool = std::sync::Mutex::new(Vec::<Vec<u8>>::new());
        let parts = stream::iter(1..=upload.part_count())
            .map(|n| {
                let path: PathBuf = path.clone();
                let (upload, pool) = (&upload, &pool);
                async move {
                    let (start, end) = upload.part_bounds(n)?;
                    let recycled = pool.lock().unwrap().pop().unwrap_or_default();
                    // Zero-copy: file bytes are read straight into their stored places, then
                    // sealed in place, off the async workers.
                    let encryptor = upload.encryptor.clone();
                    let stored = tokio::task::spawn_blocking(move || -> Result<Vec<u8>> {
                        let mut stored = recycled;
                        let slots =
                            encryptor.stage_into(start, (end - start) as usize, &mut stored)?;
                        read_slots(&path, start, &mut stored, &slots)?;
                        encryptor.seal_staged(start, &mut stored)?;
                        Ok(stored)
                    })
                    .await
                    .map_err(|e| Error::new(ErrorKind::Io, format!("file reader failed: {e}")))??;
                    let body = bytes::Bytes::from(stored);
                    let result = self
                        .client()
                        .upload_part(
                            &upload.bucket,
                            &upload.key,
                            &upload.upload_id,
                            n,
                            body.clone(),
                        )
                        .await;
                    if body.is_unique() {
                        pool.lock().unwrap().push(Vec::from(body));
                    }
                    result
                }
            })
            .buffer_unordered(options.parallel)
            .try_collect::<Vec<UploadPartResult>>()
            .await;
        let parts = match parts {
            Ok(p) => p,
            Err(e) => {
                let _ = self.abort_multipart_upload(&upload).await;
                return Err(e);
            }
        };
        let stored_size = parts.iter().map(|p| p.size).sum();
        let done = self.complete_multipart_upload(&upload, &parts).await?;
        Ok(EncryptedTransferResult {
            size,
            stored_size,
            upload_id: Some(upload.upload_id.clone()),
            part_count: upload.part_count(),
            meta: done.meta,
        })
    }

    /// Downloads and decrypts an object into `path` with concurrent ranged GETs pinned to
    /// one version by If-Match. Authenticated objects are verified segment by segment;
    /// compatible ones get the whole-object checks (size, `unencrypted-content-md5`) and
    /// the stored CRC-64. A failed download never leaves a file at `path`.
    pub async fn download_file(
        &self,
        bucket: &str,
        key: &str,
        path: impl AsRef<Path>,
        options: &EncryptedDownloadOptions,
    ) -> Result<EncryptedTransferResult> {
        let path = path.as_ref();
        if options.parallel == 0 || options.part_size == 0 {
            return Err(Error::invalid_argument(
                "parallel and part_size must be at least 1",
            ));
        }
        let head = self.head_object(bucket, key).await?;
        let Some(envelope) = head.envelope.clone() else {
            return Err(Error::new(
                ErrorKind::Crypto,
                "the object has no client-side encryption metadata",
            ));
        };
        let dec = Arc::new(ObjectDecryptor::new(self.master_keys(), envelope).await?);
        let etag = head.meta.etag.clone().unwrap_or_default();
        let size = head.object_size;
        // Plaintext chunks; whole segments each in authenticated mode.
        let chunk = match dec.segment_layout() {
            Some(l) => options.part_size.div_ceil(l.segment_size()).max(1) * l.segment_size(),
            None => options.part_size,
        };
        let count = size.div_ceil(chunk).max(1);
        let tmp = crate::client::temp_path_for(path)?;
        let file = std::fs::File::create(&tmp)
            .map_err(|e| io_err(format!("cannot create {}", tmp.display()), e))?;
        // Sized up front (as the plain download_file does): ranges land in place.
        file.set_len(size)
            .map_err(|e| io_err(format!("cannot size {}", tmp.display()), e))?;
        drop(file);
        let target = Arc::new(DownloadTarget {
            dec: dec.clone(),
            path: tmp.clone(),
            pool: Arc::default(),
        });
        let result: Result<Vec<(u64, u64, u64)>> = stream::iter(0..count)
            .map(|i| {
                let (this, target, etag) = (self.clone(), target.clone(), etag.clone());
                let (bucket, key) = (bucket.to_string(), key.to_string());
                let start = i * chunk;
                let end = (start + chunk).min(size);
                // Each range is a task of its own, so ranges decrypt and write on every
                // worker thread (aborted if the download stops early).
                crate::transfer::spawn_part(async move {
                    let (stored_crc, stored_len) = this
                        .fetch_chunk(&bucket, &key, &target, &etag, start, end)
                        .await?;
                    Ok((i, stored_crc, stored_len))
                })
            })
            .buffer_unordered(options.parallel)
            .try_collect()
            .await;
        let finish = async {
            let mut pieces = result?;
            pieces.sort_by_key(|p| p.0);
            // The stored bytes' CRC-64, combined in order, against the object's.
            let crc = pieces
                .iter()
                .fold(0u64, |acc, p| crc64::combine(acc, p.1, p.2));
            if let (Some(expected), true) = (head.meta.crc64, self.client().config().crc_check) {
                if expected != crc {
                    return Err(Error::new(
                        ErrorKind::CrcMismatch,
                        format!("download CRC-64 {crc} differs from the object's {expected}"),
                    ));
                }
            }
            // No fsync, like the plain download_file, curl and the official SDKs: the rename
            // below is what makes the result appear atomically, only after every check.
            if !dec.is_authenticated() {
                verify_plaintext_file(&dec, &tmp, size).await?;
            }
            Ok(())
        }
        .await;
        if let Err(e) = finish {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io_err(
                format!("cannot move the download into {}", path.display()),
                e,
            )
        })?;
        Ok(EncryptedTransferResult {
            size,
            stored_size: head.stored_size,
            part_count: count as u32,
            meta: head.meta,
            ..Default::default()
        })
    }

    /// Fetches plaintext `[start, end)` with one ranged GET, decrypting as the body streams
    /// in and writing at `start` of `file`; returns (CRC-64 of the stored bytes, their length).
    /// Like the plain download_file, a connection lost mid-body retries the whole range.
    async fn fetch_chunk(
        &self,
        bucket: &str,
        key: &str,
        target: &DownloadTarget,
        etag: &str,
        start: u64,
        end: u64,
    ) -> Result<(u64, u64)> {
        let dec = &target.dec;
        // Stored span and, for authenticated objects, the first segment.
        let (stored_start, stored_end, first_segment) = match dec.segment_layout() {
            Some(layout) => {
                let s = layout.segment_size();
                let last = if end > start { (end - 1) / s } else { 0 };
                let (a, b) = layout.stored_range(start / s, last);
                (a, b, start / s)
            }
            None if end > start => (start, end, 0),
            None => return Ok((0, 0)),
        };
        let mut req = Request::new(Method::GET, Some(bucket), Some(key))
            .header("range", format!("bytes={stored_start}-{}", stored_end - 1));
        if !etag.is_empty() {
            req = req.header("if-match", etag);
        }
        self.client()
            .send(&req, |resp| async move {
                let (offset, last) = match resp
                    .meta
                    .header("content-range")
                    .and_then(parse_content_range)
                {
                    Some((a, b, _)) if resp.meta.status == 206 => (a, b),
                    _ => (u64::MAX, 0),
                };
                if offset != stored_start {
                    return Err(Error::new(
                        ErrorKind::Protocol,
                        "the server returned another range than asked",
                    ));
                }
                let announced = (last + 1).saturating_sub(offset);
                let mut body = resp.http.bytes_stream();
                let mut reader = ChunkDecryptor::new(target, (start, first_segment), WRITE_BATCH)?;
                while let Some(chunk) = body.next().await {
                    let chunk = chunk.map_err(|e| body_error(e, "downloading a range"))?;
                    reader.push(&chunk)?;
                }
                if reader.stored_len() < announced {
                    return Err(Error::new(
                        ErrorKind::Network,
                        format!(
                            "connection closed after {} of {announced} bytes of a range",
                            reader.stored_len()
                        ),
                    ));
                }
                reader.finish(end, stored_end - stored_start)
            })
            .await
    }
}

/// What every range of one download shares.
struct DownloadTarget {
    dec: Arc<ObjectDecryptor>,
    /// The temporary file, already sized; each range opens its own handle.
    path: PathBuf,
    pool: Arc<BufferPool>,
}

/// Write buffers shared by a download's ranges: fresh memory costs a page fault per 4 KiB,
/// so each buffer is reused for the whole download.
#[derive(Default)]
struct BufferPool(std::sync::Mutex<Vec<Vec<u8>>>);

impl BufferPool {
    fn take(&self) -> Vec<u8> {
        self.0.lock().unwrap().pop().unwrap_or_default()
    }
    fn give(&self, buf: Vec<u8>) {
        self.0.lock().unwrap().push(buf);
    }
}

/// Decrypts one ranged GET's body as it streams in and writes the plaintext in place, in
/// batches of about `batch` bytes (few syscalls), through a buffer reused for the whole
/// download. Compatible objects are decrypted while they are copied out of the received
/// chunks (one pass, where a plain download copies anyway). Authenticated ones are
/// gathered into whole segments, verified and decrypted in place, and written with one
/// vectored write per batch that skips the tags.
struct ChunkDecryptor {
    dec: Arc<ObjectDecryptor>,
    file: std::fs::File,
    pool: Arc<BufferPool>,
    batch: usize,
    /// CRC-64 (and length) of the stored bytes received.
    crc: crc64::Crc64,
    /// File offset of the next plaintext byte to write.
    plain_at: u64,
    /// Compatible objects: the keystream, positioned at the next received byte.
    ctr: Option<super::ctr::CtrStream>,
    /// Authenticated objects: the segment `buf` starts with.
    segment: u64,
    /// `buf[..filled]`: compatible, plaintext not yet written; authenticated, stored bytes
    /// not yet decrypted. `buf` is longer: it is reused without zero-filling.
    buf: Vec<u8>,
    filled: usize,
}

impl ChunkDecryptor {
    fn new(target: &DownloadTarget, (start, segment): (u64, u64), batch: usize) -> Result<Self> {
        use std::io::Seek;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(&target.path)
            .map_err(|e| io_err(format!("cannot open {}", target.path.display()), e))?;
        file.seek(std::io::SeekFrom::Start(start))
            .map_err(|e| io_err(format!("cannot seek in {}", target.path.display()), e))?;
        // Room for a batch plus the CTR stream's block slack, or (a batch holding at least
        // one whole segment) plus the partial segment carried over to the next batch.
        let (batch, room, ctr) = match target.dec.segment_layout() {
            None => (batch, batch + 16, Some(target.dec.ctr_stream_at(start)?)),
            Some(l) => {
                let segment = (l.segment_size() + super::authenticated::TAG_LEN) as usize;
                let batch = batch.max(segment);
                (batch, batch + segment, None)
            }
        };
        let mut buf = target.pool.take();
        if buf.len() < room {
            buf.resize(room, 0);
        }
        Ok(ChunkDecryptor {
            dec: target.dec.clone(),
            file,
            pool: target.pool.clone(),
            batch,
            crc: crc64::Crc64::new(),
            plain_at: start,
            ctr,
            segment,
            buf,
            filled: 0,
        })
    }

    fn stored_len(&self) -> u64 {
        self.crc.len()
    }

    fn push(&mut self, mut chunk: &[u8]) -> Result<()> {
        self.crc.update(chunk);
        while !chunk.is_empty() {
            // A batch's worth at most, so the buffer never grows.
            let n = chunk
                .len()
                .min(self.batch.saturating_sub(self.filled).max(1));
            let (now, later) = chunk.split_at(n);
            if self.buf.len() < self.filled + n + 16 {
                self.buf.resize(self.filled + n + 16, 0);
            }
            match &mut self.ctr {
                Some(ctr) => ctr.apply(now, &mut self.buf[self.filled..])?,
                None => self.buf[self.filled..self.filled + n].copy_from_slice(now),
            }
            self.filled += n;
            if self.filled >= self.batch {
                self.flush()?;
            }
            chunk = later;
        }
        Ok(())
    }

    fn write_all_vectored(
        file: &mut std::fs::File,
        slices: &mut [std::io::IoSlice<'_>],
    ) -> Result<()> {
        use std::io::Write;
        let mut rest = slices;
        while !rest.is_empty() {
            let n = file
                .write_vectored(rest)
                .map_err(|e| io_err("cannot write the download".into(), e))?;
            if n == 0 {
                return Err(io_err(
                    "cannot write the download".into(),
                    std::io::ErrorKind::WriteZero.into(),
                ));
            }
            std::io::IoSlice::advance_slices(&mut rest, n);
        }
        Ok(())
    }

    /// Writes what is ready (compatible: every decrypted chunk; authenticated: the
    /// complete segments, each verified before any of the batch is written).
    fn flush(&mut self) -> Result<()> {
        let Some(layout) = self.dec.segment_layout() else {
            use std::io::Write;
            self.file
                .write_all(&self.buf[..self.filled])
                .map_err(|e| io_err("cannot write the download".into(), e))?;
            self.plain_at += self.filled as u64;
            self.filled = 0;
            return Ok(());
        };
        let (mut take, mut next) = (0usize, self.segment);
        while next < layout.segment_count() {
            let need =
                (layout.segment_plaintext_len(next) + super::authenticated::TAG_LEN) as usize;
            if self.filled < take + need {
                break;
            }
            take += need;
            next += 1;
        }
        if take == 0 {
            return Ok(());
        }
        let mut spans = Vec::with_capacity((next - self.segment) as usize);
        let mut at = 0usize;
        self.dec
            .open_each_segment_in_place(self.segment, &mut self.buf[..take], |plain| {
                spans.push(at..at + plain.len());
                at += plain.len() + super::authenticated::TAG_LEN as usize;
                Ok(())
            })?;
        let mut slices: Vec<_> = spans
            .iter()
            .map(|r| std::io::IoSlice::new(&self.buf[r.clone()]))
            .collect();
        Self::write_all_vectored(&mut self.file, &mut slices)?;
        self.plain_at += spans.iter().map(|r| r.len() as u64).sum::<u64>();
        // The partial segment left over moves to the front.
        self.buf.copy_within(take..self.filled, 0);
        self.filled -= take;
        self.segment = next;
        Ok(())
    }

    /// Writes the rest and checks the range ended exactly where plaintext `end` does;
    /// returns (CRC-64 of the stored bytes, their length).
    fn finish(mut self, end: u64, stored_len: u64) -> Result<(u64, u64)> {
        self.flush()?;
        let complete = self.filled == 0 && self.plain_at == end;
        self.pool.give(std::mem::take(&mut self.buf));
        if !complete || self.crc.len() != stored_len {
            return Err(Error::new(
                ErrorKind::Crypto,
                format!(
                    "encrypted object is damaged: a range of {stored_len} stored bytes ended after {}",
                    self.crc.len()
                ),
            ));
        }
        Ok((self.crc.value(), self.crc.len()))
    }
}

/// Whole-object checks of a compatible object after a ranged download: re-read the
/// plaintext file once through the full-read verifier's checks (size, MD5).
async fn verify_plaintext_file(
    dec: &super::content::ObjectDecryptor,
    tmp: &Path,
    size: u64,
) -> Result<()> {
    let env = dec.envelope();
    for (name, expected) in [
        ("unencrypted-content-length", env.unencrypted_content_length),
        ("data-size", env.data_size),
    ] {
        if let Some(expected) = expected {
            if expected != size {
                return Err(Error::new(
                    ErrorKind::Crypto,
                    format!(
                        "encrypted object is damaged: {size} bytes, but {name} says {expected}"
                    ),
                ));
            }
        }
    }
    let Some(expected) = env.unencrypted_content_md5.clone() else {
        return Ok(());
    };
    let tmp = tmp.to_path_buf();
    let actual = tokio::task::spawn_blocking(move || -> std::io::Result<String> {
        use base64::Engine as _;
        use std::io::Read as _;
        let mut file = std::fs::File::open(&tmp)?;
        let mut md5 = crate::md5::Md5::new();
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            md5.update(&buf[..n]);
        }
        Ok(base64::engine::general_purpose::STANDARD.encode(md5.finalize()))
    })
    .await
    .map_err(|e| Error::new(ErrorKind::Io, format!("verifier failed: {e}")))?
    .map_err(|e| io_err("cannot re-read the download".into(), e))?;
    if actual != expected.trim() {
        return Err(Error::new(
            ErrorKind::Crypto,
            format!("decrypted content does not match unencrypted-content-md5 ({expected} stored, {actual} computed): the object was modified"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::cse::{AesWrapMasterKey, MasterKeys, ObjectEncryptor};

    const SIZE: usize = 300_000;

    async fn sealed(mode: ContentMode) -> (Arc<ObjectDecryptor>, Vec<u8>, Vec<u8>) {
        let master = AesWrapMasterKey::new(&[3u8; 32]).unwrap();
        let plain: Vec<u8> = (0..SIZE).map(|i| (i * 7 + i / 251) as u8).collect();
        let enc = ObjectEncryptor::new(&master, &mode, SIZE as u64)
            .await
            .unwrap();
        let stored = enc.encrypt_object(plain.clone()).unwrap();
        let keys = MasterKeys::new(Arc::new(AesWrapMasterKey::new(&[3u8; 32]).unwrap()));
        let dec = ObjectDecryptor::new(&keys, enc.envelope().clone())
            .await
            .unwrap();
        (Arc::new(dec), plain, stored)
    }

    /// Feeds the stored bytes of plaintext `[start, end)` (from segment `first_segment`)
    /// in odd-sized pieces, as a ranged GET body arrives, into a fresh file.
    /// Batches of 100,000 bytes: a range spans several, each ending mid-segment.
    fn feed(
        dec: &Arc<ObjectDecryptor>,
        stored: &[u8],
        (start, end): (u64, u64),
        first_segment: u64,
    ) -> (Result<(u64, u64)>, Vec<u8>) {
        let file = tempfile::NamedTempFile::new().unwrap();
        let target = DownloadTarget {
            dec: dec.clone(),
            path: file.path().to_path_buf(),
            pool: Arc::default(),
        };
        let mut reader = ChunkDecryptor::new(&target, (start, first_segment), 100_000).unwrap();
        let mut result = Ok(());
        for piece in stored.chunks(16_411) {
            if result.is_ok() {
                result = reader.push(piece);
            }
        }
        let result = result.and_then(|_| reader.finish(end, stored.len() as u64));
        let mut written = Vec::new();
        use std::io::{Read, Seek};
        let mut file = file.reopen().unwrap();
        file.seek(std::io::SeekFrom::Start(0)).unwrap();
        file.read_to_end(&mut written).unwrap();
        (result, written)
    }

    #[tokio::test]
    async fn authenticated_ranges_decrypt_in_place_and_refuse_tampering() {
        let mode = ContentMode::Authenticated {
            segment_size: 64 << 10,
        };
        let (dec, plain, stored) = sealed(mode).await;
        let layout = *dec.segment_layout().unwrap();
        let seg = layout.segment_size();
        // Segments 1..=4: the last is the object's short final segment.
        let (a, b) = layout.stored_range(1, 4);
        let part = &stored[a as usize..b as usize];
        let (r, written) = feed(&dec, part, (seg, SIZE as u64), 1);
        let (crc, len) = r.unwrap();
        assert_eq!((crc, len), (crc64::checksum(part), part.len() as u64));
        assert!(written[seg as usize..] == plain[seg as usize..]);
        // A flipped byte in any segment fails the range.
        let mut bad = part.to_vec();
        bad[3 * seg as usize] ^= 1;
        let err = feed(&dec, &bad, (seg, SIZE as u64), 1).0.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Crypto, "{err}");
        // A range cut short inside a segment, or missing its last segment, fails too.
        let cut = &part[..part.len() - 100];
        let err = feed(&dec, cut, (seg, SIZE as u64), 1).0.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Crypto, "{err}");
        let (_, b3) = layout.stored_range(1, 3);
        let short = &stored[a as usize..b3 as usize];
        let err = feed(&dec, short, (seg, SIZE as u64), 1).0.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Crypto, "{err}");
    }

    #[tokio::test]
    async fn segments_larger_than_a_batch_still_decrypt() {
        let (dec, plain, stored) = sealed(ContentMode::Authenticated {
            segment_size: 160_000,
        })
        .await;
        let (r, written) = feed(&dec, &stored, (0, SIZE as u64), 0);
        assert_eq!(r.unwrap().1, stored.len() as u64);
        assert!(written == plain);
    }

    #[tokio::test]
    async fn compatible_ranges_decrypt_at_their_offset() {
        let (dec, plain, stored) = sealed(ContentMode::Compatible).await;
        let (start, end) = (70_000u64, SIZE as u64);
        let part = &stored[start as usize..];
        let (r, written) = feed(&dec, part, (start, end), 0);
        assert_eq!(r.unwrap().1, part.len() as u64);
        assert!(written[start as usize..] == plain[start as usize..]);
        // Fewer bytes than the range needs is an error, never a short file.
        let err = feed(&dec, &part[..1000], (start, end), 0).0.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Crypto, "{err}");
    }
}
