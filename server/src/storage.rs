//! Object data files. Data is always written to `tmp/`, fsynced, then renamed into
//! `objects/<2 hex>/<id>`; file names are generated ids, never object keys.

use std::collections::HashSet;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use ossbridge_core::crc64::Crc64;
use ossbridge_core::md5::Md5;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::crypto::{DataCipher, SecretKey, SegmentCipher, SEALED_SEGMENT_SIZE, SEGMENT_SIZE};
use crate::error::{OssError, OssResult};
use crate::meta::Chunk;

pub struct DataStore {
    root: PathBuf,
}

/// The result of storing one chunk.
pub struct Written {
    pub chunk: Chunk,
    pub md5: [u8; 16],
}

/// Encryption to apply to a chunk: cipher and the object's data key.
#[derive(Clone, Debug)]
pub struct ChunkKey {
    pub cipher: DataCipher,
    pub data_key: SecretKey,
}

impl DataStore {
    pub fn open(root: &Path) -> std::io::Result<DataStore> {
        std::fs::create_dir_all(root.join("objects"))?;
        let tmp = root.join("tmp");
        // Anything left in tmp/ was never committed: a crash mid-upload.
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)?;
        }
        std::fs::create_dir_all(&tmp)?;
        Ok(DataStore {
            root: root.to_path_buf(),
        })
    }

    fn chunk_dir(&self, id: &str) -> PathBuf {
        self.root.join("objects").join(&id[..2])
    }

    pub fn chunk_path(&self, id: &str) -> PathBuf {
        self.chunk_dir(id).join(id)
    }

    /// Streams `body` into a new chunk file. Fails with EntityTooLarge past `max_len`,
    /// IncompleteBody if fewer than `expected_len` bytes arrive, InvalidDigest if the
    /// MD5 differs from `expected_md5`. Nothing is left behind on failure.
    pub async fn write_chunk<S, E>(
        &self,
        mut body: S,
        key: Option<&ChunkKey>,
        max_len: u64,
        expected_len: Option<u64>,
        expected_md5: Option<[u8; 16]>,
    ) -> OssResult<Written>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let tmp_path = self.root.join("tmp").join(&id);
        // Hashing runs here while sealing and disk writes run on a blocking thread, so the
        // two overlap; the bounded channel keeps memory flat.
        let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
        let abort = Arc::new(AtomicBool::new(false));
        let cipher = key.map(|k| SegmentCipher::for_chunk(k.cipher, &k.data_key, &id));
        let writer = {
            let (tmp_path, abort) = (tmp_path.clone(), abort.clone());
            tokio::task::spawn_blocking(move || write_file(&tmp_path, rx, cipher, &abort))
        };
        let mut md5 = Md5::new();
        let mut crc = Crc64::new();
        let fed: OssResult<()> = async {
            while let Some(piece) = body.next().await {
                let piece = piece.map_err(|e| {
                    OssError::new(400, "IncompleteBody", format!("reading the request body failed: {e}"))
                })?;
                if crc.len() + piece.len() as u64 > max_len {
                    return Err(entity_too_large(max_len));
                }
                md5.update(&piece);
                crc.update(&piece);
                if tx.send(piece).await.is_err() {
                    break; // the writer failed; its error is reported below
                }
            }
            if let Some(expected) = expected_len {
                if crc.len() != expected {
                    return Err(OssError::new(
                        400,
                        "IncompleteBody",
                        format!(
                            "You did not send the number of bytes specified by the Content-Length header ({} of {expected}).",
                            crc.len()
                        ),
                    ));
                }
            }
            Ok(())
        }
        .await;
        let md5: [u8; 16] = md5.finalize();
        let fed = fed.and_then(|()| match expected_md5 {
            Some(expected) if expected != md5 => Err(OssError::new(
                400,
                "InvalidDigest",
                "The Content-MD5 you specified was invalid.",
            )
            .ec("0002-00000016")),
            _ => Ok(()),
        });
        if fed.is_err() {
            abort.store(true, Ordering::SeqCst);
        }
        drop(tx);
        let written = writer
            .await
            .map_err(|e| OssError::internal(format!("writer task: {e}")));
        let result = async {
            fed?;
            written??;
            let dir = self.chunk_dir(&id);
            tokio::fs::create_dir_all(&dir).await?;
            tokio::fs::rename(&tmp_path, self.chunk_path(&id)).await?;
            sync_dir(&dir).await?;
            Ok(Written {
                chunk: Chunk {
                    id: id.clone(),
                    len: crc.len(),
                    crc64: crc.value(),
                },
                md5,
            })
        }
        .await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(&tmp_path).await;
        }
        result
    }

    /// Deletes chunk files no longer referenced (after the metadata commit).
    pub fn remove_chunks<'a>(&self, chunks: impl IntoIterator<Item = &'a Chunk>) {
        for chunk in chunks {
            let _ = std::fs::remove_file(self.chunk_path(&chunk.id));
        }
    }

    /// Removes chunk files that no committed metadata references (left by a crash
    /// between the rename and the commit).
    pub fn collect_garbage(&self, referenced: &HashSet<String>) -> std::io::Result<usize> {
        let mut removed = 0;
        for dir in std::fs::read_dir(self.root.join("objects"))? {
            let dir = dir?;
            if !dir.file_type()?.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(dir.path())? {
                let file = file?;
                let name = file.file_name().to_string_lossy().to_string();
                if !referenced.contains(&name) {
                    std::fs::remove_file(file.path())?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }

    /// Streams plaintext bytes `[start, end)` of the object made of `chunks`, decrypting
    /// only the segments the range touches. Memory stays bounded by the channel depth.
    pub fn read_range(
        &self,
        chunks: Vec<Chunk>,
        key: Option<ChunkKey>,
        start: u64,
        end: u64,
    ) -> OssResult<impl Stream<Item = std::io::Result<Bytes>> + Send + 'static> {
        let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(4);
        // Open every file the range needs now, so a concurrent overwrite (which deletes
        // the old version's files after its commit) cannot pull them away mid-stream.
        let mut offset = 0u64;
        let mut opened: Vec<(Chunk, std::io::Result<std::fs::File>)> = Vec::new();
        for c in chunks {
            let (lo, hi) = (offset, offset + c.len);
            offset = hi;
            if hi > start && lo < end && c.len > 0 {
                let file = std::fs::File::open(self.chunk_path(&c.id)).map_err(|e| {
                    OssError::internal(format!(
                        "data file {} of this object is unreadable: {e}",
                        c.id
                    ))
                })?;
                opened.push((c, Ok(file)));
            } else {
                // Outside the range: never read.
                opened.push((c, Err(std::io::ErrorKind::NotFound.into())));
            }
        }
        tokio::task::spawn_blocking(move || {
            if let Err(e) = read_range_blocking(opened, key.as_ref(), start, end, &tx) {
                let _ = tx.blocking_send(Err(e));
            }
        });
        Ok(futures::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        }))
    }
}

/// The blocking half of [`DataStore::write_chunk`]: seals (if encrypted) and writes what
/// arrives on `rx` to `path`, then fsyncs it unless the upload was aborted.
fn write_file(
    path: &Path,
    mut rx: tokio::sync::mpsc::Receiver<Bytes>,
    cipher: Option<SegmentCipher>,
    abort: &AtomicBool,
) -> std::io::Result<()> {
    let file = std::fs::File::create(path)?;
    let mut out = std::io::BufWriter::with_capacity(1024 * 1024, file);
    let mut pending: Vec<u8> = Vec::with_capacity(SEGMENT_SIZE);
    let mut segment_index = 0u64;
    while let Some(piece) = rx.blocking_recv() {
        match &cipher {
            None => out.write_all(&piece)?,
            Some(cipher) => {
                let mut rest = &piece[..];
                while !rest.is_empty() {
                    let take = rest.len().min(SEGMENT_SIZE - pending.len());
                    pending.extend_from_slice(&rest[..take]);
                    rest = &rest[take..];
                    if pending.len() == SEGMENT_SIZE {
                        out.write_all(&cipher.seal(segment_index, &pending))?;
                        segment_index += 1;
                        pending.clear();
                    }
                }
            }
        }
    }
    if abort.load(Ordering::SeqCst) {
        return Ok(());
    }
    if let Some(cipher) = &cipher {
        if !pending.is_empty() {
            out.write_all(&cipher.seal(segment_index, &pending))?;
        }
    }
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()
}

fn read_range_blocking(
    chunks: Vec<(Chunk, std::io::Result<std::fs::File>)>,
    key: Option<&ChunkKey>,
    start: u64,
    end: u64,
    tx: &tokio::sync::mpsc::Sender<std::io::Result<Bytes>>,
) -> std::io::Result<()> {
    let mut chunk_start = 0u64;
    for (chunk, file) in chunks {
        let chunk_end = chunk_start + chunk.len;
        if chunk_end <= start || chunk.len == 0 {
            chunk_start = chunk_end;
            continue;
        }
        if chunk_start >= end {
            break;
        }
        let from = start.saturating_sub(chunk_start);
        let to = end.min(chunk_end) - chunk_start;
        let mut file = file?;
        match key {
            None => {
                file.seek(SeekFrom::Start(from))?;
                let mut remaining = to - from;
                while remaining > 0 {
                    let mut buf = vec![0u8; remaining.min(256 * 1024) as usize];
                    file.read_exact(&mut buf)?;
                    remaining -= buf.len() as u64;
                    if tx.blocking_send(Ok(Bytes::from(buf))).is_err() {
                        return Ok(()); // client went away
                    }
                }
            }
            Some(key) => {
                let cipher = SegmentCipher::for_chunk(key.cipher, &key.data_key, &chunk.id);
                let seg = SEGMENT_SIZE as u64;
                let first = from / seg;
                let last = (to - 1) / seg;
                file.seek(SeekFrom::Start(first * SEALED_SEGMENT_SIZE as u64))?;
                for index in first..=last {
                    let plain_len = (chunk.len - index * seg).min(seg) as usize;
                    let mut sealed = vec![0u8; plain_len + crate::crypto::TAG_SIZE];
                    file.read_exact(&mut sealed)?;
                    let plain = cipher
                        .open(index, &sealed)
                        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
                    let seg_start = index * seg;
                    let lo = from.saturating_sub(seg_start) as usize;
                    let hi = ((to - seg_start) as usize).min(plain.len());
                    let piece = Bytes::from(plain).slice(lo..hi);
                    if tx.blocking_send(Ok(piece)).is_err() {
                        return Ok(());
                    }
                }
            }
        }
        chunk_start = chunk_end;
    }
    Ok(())
}

async fn sync_dir(dir: &Path) -> std::io::Result<()> {
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || std::fs::File::open(&dir)?.sync_all())
        .await
        .map_err(std::io::Error::other)?
}

pub fn entity_too_large(max: u64) -> OssError {
    OssError::new(
        400,
        "EntityTooLarge",
        format!("Your proposed upload exceeds the maximum allowed size ({max} bytes)."),
    )
    .detail("MaxSizeAllowed", max.to_string())
}
