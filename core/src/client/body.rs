//! Request bodies: bytes, a file (or a range of one), or a one-shot async stream.
//!
//! Bytes and file ranges can be sent again, so requests carrying them are retried; a
//! stream can be read only once, so a request carrying one is never retried and fails
//! with its first error (`retry.rs`).

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::stream::{BoxStream, StreamExt};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::progress::ProgressTracker;
use crate::crc64::{self, Crc64};
use crate::error::{Error, ErrorKind, Result};

/// Chunk size for reading files: big enough for few syscalls, small enough to keep
/// memory per request low.
const FILE_CHUNK: usize = 1024 * 1024;
/// Granularity of progress reports for in-memory bodies.
const PROGRESS_CHUNK: usize = 256 * 1024;

/// A request body.
pub struct Body {
    inner: Inner,
}

enum Inner {
    Bytes(Bytes),
    File {
        path: PathBuf,
        offset: u64,
        len: u64,
    },
    Stream {
        stream: Mutex<Option<BoxStream<'static, io::Result<Bytes>>>>,
        len: Option<u64>,
    },
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Bytes(b) => write!(f, "Body::Bytes({} bytes)", b.len()),
            Inner::File { path, offset, len } => write!(
                f,
                "Body::File({}, offset {offset}, {len} bytes)",
                path.display()
            ),
            Inner::Stream { len, .. } => write!(f, "Body::Stream(len {len:?})"),
        }
    }
}

impl Body {
    pub fn empty() -> Body {
        Body {
            inner: Inner::Bytes(Bytes::new()),
        }
    }

    pub fn from_bytes(data: impl Into<Bytes>) -> Body {
        Body {
            inner: Inner::Bytes(data.into()),
        }
    }

    /// The whole file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Body> {
        Body::from_file_range(path, 0, None)
    }

    /// `len` bytes (or the rest) of a file from `offset`, e.g. the guide's "upload from
    /// byte 1000". The file is opened for each attempt, so it must not change meanwhile.
    pub fn from_file_range(path: impl AsRef<Path>, offset: u64, len: Option<u64>) -> Result<Body> {
        let path = path.as_ref().to_path_buf();
        let size = std::fs::metadata(&path)
            .map_err(|e| {
                Error::new(
                    ErrorKind::Io,
                    format!("cannot read file {}", path.display()),
                )
                .with_source(e)
            })?
            .len();
        if offset > size {
            return Err(Error::invalid_argument(format!(
                "offset {offset} is past the end of {} ({size} bytes)",
                path.display()
            )));
        }
        let len = match len {
            Some(l) if offset + l > size => {
                return Err(Error::invalid_argument(format!(
                    "range {offset}+{l} is past the end of {} ({size} bytes)",
                    path.display()
                )))
            }
            Some(l) => l,
            None => size - offset,
        };
        Ok(Body {
            inner: Inner::File { path, offset, len },
        })
    }

    /// A one-shot stream. With `len` the request carries a Content-Length; without, it is
    /// sent chunked. Requests with a stream body are not retried.
    pub fn from_stream<S>(stream: S, len: Option<u64>) -> Body
    where
        S: futures::Stream<Item = io::Result<Bytes>> + Send + 'static,
    {
        Body {
            inner: Inner::Stream {
                stream: Mutex::new(Some(stream.boxed())),
                len,
            },
        }
    }

    /// Length in bytes, when known.
    pub fn len(&self) -> Option<u64> {
        match &self.inner {
            Inner::Bytes(b) => Some(b.len() as u64),
            Inner::File { len, .. } => Some(*len),
            Inner::Stream { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// Whether the body can be sent again, which is what makes a request retryable.
    pub fn is_replayable(&self) -> bool {
        !matches!(self.inner, Inner::Stream { .. })
    }

    /// CRC-64 of a replayable body without sending it (`None` for streams or on I/O errors).
    pub(crate) async fn crc64(&self) -> Option<u64> {
        match &self.inner {
            Inner::Bytes(b) => Some(crc64::checksum(b)),
            Inner::File { path, offset, len } => {
                crate::transfer::crc_of_file_range(path, *offset, *len)
                    .await
                    .ok()
            }
            Inner::Stream { .. } => None,
        }
    }

    /// The body for one attempt, tapped for CRC-64 and progress.
    pub(crate) async fn for_attempt(&self, tap: &Tap) -> Result<reqwest::Body> {
        match &self.inner {
            Inner::Bytes(b) => {
                tap.set_precomputed(crc64::checksum(b), b.len() as u64);
                if tap.progress.is_none() || b.is_empty() {
                    return Ok(reqwest::Body::from(b.clone()));
                }
                // Slices of the same buffer: no copy, but progress per chunk.
                let chunks: Vec<Bytes> = (0..b.len())
                    .step_by(PROGRESS_CHUNK)
                    .map(|i| b.slice(i..(i + PROGRESS_CHUNK).min(b.len())))
                    .collect();
                let progress = tap.progress.clone();
                let mut sent = 0u64;
                let s = futures::stream::iter(chunks).map(move |c| {
                    sent += c.len() as u64;
                    if let Some(p) = &progress {
                        p.update(sent);
                    }
                    Ok::<_, io::Error>(c)
                });
                Ok(reqwest::Body::wrap_stream(s))
            }
            Inner::File { path, offset, len } => {
                let mut file = tokio::fs::File::open(path).await.map_err(|e| {
                    Error::new(ErrorKind::Io, format!("cannot open {}", path.display()))
                        .with_source(e)
                })?;
                file.seek(io::SeekFrom::Start(*offset)).await?;
                let reader = file.take(*len);
                let s = tokio_util::io::ReaderStream::with_capacity(reader, FILE_CHUNK);
                Ok(reqwest::Body::wrap_stream(tap.wrap(s)))
            }
            Inner::Stream { stream, .. } => {
                let s = stream.lock().unwrap().take().ok_or_else(|| {
                    Error::invalid_argument(
                        "the request body is a one-shot stream that was already consumed",
                    )
                })?;
                Ok(reqwest::Body::wrap_stream(tap.wrap(s)))
            }
        }
    }
}

impl From<Bytes> for Body {
    fn from(b: Bytes) -> Body {
        Body::from_bytes(b)
    }
}

impl From<Vec<u8>> for Body {
    fn from(v: Vec<u8>) -> Body {
        Body::from_bytes(v)
    }
}

impl From<&'static [u8]> for Body {
    fn from(v: &'static [u8]) -> Body {
        Body::from_bytes(Bytes::from_static(v))
    }
}

impl From<String> for Body {
    fn from(s: String) -> Body {
        Body::from_bytes(s)
    }
}

impl From<&'static str> for Body {
    fn from(s: &'static str) -> Body {
        Body::from_bytes(Bytes::from_static(s.as_bytes()))
    }
}

/// Observes the bytes of one attempt: their CRC-64 and count, and reports progress.
#[derive(Default)]
pub(crate) struct Tap {
    state: Arc<Mutex<TapState>>,
    pub(crate) progress: Option<Arc<ProgressTracker>>,
}

#[derive(Default)]
struct TapState {
    crc: Crc64,
    /// (crc, len) of an in-memory body, computed in one pass.
    precomputed: Option<(u64, u64)>,
}

impl Tap {
    pub(crate) fn new(progress: Option<Arc<ProgressTracker>>) -> Tap {
        Tap {
            state: Arc::default(),
            progress,
        }
    }

    fn set_precomputed(&self, crc: u64, len: u64) {
        self.state.lock().unwrap().precomputed = Some((crc, len));
    }

    /// (CRC-64, length) of the bytes handed to the connection so far. Once OSS has
    /// answered, it has received every byte, so this is the CRC of the whole body.
    pub(crate) fn observed(&self) -> (u64, u64) {
        let s = self.state.lock().unwrap();
        s.precomputed
            .unwrap_or_else(|| (s.crc.value(), s.crc.len()))
    }

    fn wrap<S>(&self, s: S) -> impl futures::Stream<Item = io::Result<Bytes>> + Send + 'static
    where
        S: futures::Stream<Item = io::Result<Bytes>> + Send + 'static,
    {
        let state = self.state.clone();
        let progress = self.progress.clone();
        s.map(move |chunk| {
            if let Ok(c) = &chunk {
                // Hash before handing the chunk on, so whatever OSS received is hashed.
                let sent = {
                    let mut st = state.lock().unwrap();
                    st.crc.update(c);
                    st.crc.len()
                };
                if let Some(p) = &progress {
                    p.update(sent);
                }
            }
            chunk
        })
    }
}
