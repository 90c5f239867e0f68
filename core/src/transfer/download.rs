//! `download_file`: concurrent ranged GETs into a temporary file, resumable, renamed into
//! place only after the combined CRC-64 matched the object's.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use futures::stream::{StreamExt, TryStreamExt};
use reqwest::Method;

use super::checkpoint::{self, CheckpointPart, DownloadCheckpoint, CHECKPOINT_VERSION};
use super::{DEFAULT_PARALLEL, DEFAULT_PART_SIZE};
use crate::client::progress::ProgressTracker;
use crate::client::{body_error, check_crc, Client, Request};
use crate::crc64::{self, Crc64};
use crate::error::{Error, ErrorKind, Result};
use crate::model::{GetObjectOptions, Progress, ResponseMeta};

/// Options of `download_file`.
#[derive(Clone, Debug)]
pub struct DownloadFileOptions {
    /// Range size (default 8 MiB).
    pub part_size: u64,
    /// Ranges in flight (default 4).
    pub parallel: usize,
    /// Where to keep the checkpoint; with it an interrupted download resumes. Removed on success.
    pub checkpoint_file: Option<PathBuf>,
    pub progress: Option<Progress>,
}

impl Default for DownloadFileOptions {
    fn default() -> Self {
        DownloadFileOptions {
            part_size: DEFAULT_PART_SIZE,
            parallel: DEFAULT_PARALLEL,
            checkpoint_file: None,
            progress: None,
        }
    }
}

/// Result of `download_file`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DownloadFileResult {
    pub size: u64,
    /// CRC-64 of the downloaded data (combined from the ranges).
    pub crc64: u64,
    /// Ranges fetched by this call (fewer than the total after a resume).
    pub ranges_downloaded: u32,
    /// Metadata of the HeadObject that described the object.
    pub meta: ResponseMeta,
}

impl Client {
    /// Downloads an object to a local file; see the [`crate::transfer`] module docs.
    pub async fn download_file(
        &self,
        bucket: &str,
        key: &str,
        path: impl AsRef<Path>,
        options: &DownloadFileOptions,
    ) -> Result<DownloadFileResult> {
        let path = path.as_ref();
        if options.part_size == 0 || options.parallel == 0 {
            return Err(Error::invalid_argument(
                "part_size and parallel must be greater than zero",
            ));
        }
        let head = self.head_object(bucket, key).await?;
        let size = head.info.object_size;
        if size <= options.part_size {
            let get = GetObjectOptions {
                progress: options.progress.clone(),
                ..Default::default()
            };
            let r = self.get_object_to_file(bucket, key, path, &get).await?;
            return Ok(DownloadFileResult {
                size: r.bytes_written,
                crc64: r.meta.crc64.unwrap_or_default(),
                ranges_downloaded: 1,
                meta: r.meta,
            });
        }
        let etag = head.meta.etag.clone().unwrap_or_default();
        let last_modified = head.info.last_modified.clone().unwrap_or_default();
        let recorded = options
            .checkpoint_file
            .as_deref()
            .and_then(|p| checkpoint::load(p, |c: &DownloadCheckpoint| c.version));
        let stale_temp = recorded.as_ref().map(|cp| PathBuf::from(&cp.temp_path));
        let resumed = recorded.filter(|cp: &DownloadCheckpoint| {
            cp.bucket == bucket
                && cp.key == key
                && cp.object_size == size
                && cp.etag == etag
                && cp.last_modified == last_modified
                && cp.part_size == options.part_size
                && std::fs::metadata(&cp.temp_path).is_ok_and(|m| m.len() == size)
        });
        let cp = match resumed {
            Some(cp) => cp,
            None => {
                // A stale checkpoint's partial file is of no use any more; remove it if it
                // is one of ours (never touch an arbitrary path a foreign checkpoint names).
                if let Some(old) =
                    stale_temp.filter(|p| p.to_string_lossy().contains(".ossbridge-"))
                {
                    let _ = std::fs::remove_file(old);
                }
                let temp = crate::client::temp_path_for(path)?;
                let f = std::fs::File::create(&temp).map_err(|e| {
                    Error::new(ErrorKind::Io, format!("cannot create {}", temp.display()))
                        .with_source(e)
                })?;
                f.set_len(size)?;
                DownloadCheckpoint {
                    version: CHECKPOINT_VERSION,
                    bucket: bucket.to_string(),
                    key: key.to_string(),
                    object_size: size,
                    etag: etag.clone(),
                    last_modified,
                    part_size: options.part_size,
                    temp_path: temp.to_string_lossy().into_owned(),
                    parts: Vec::new(),
                }
            }
        };
        let temp = PathBuf::from(&cp.temp_path);
        let result = self
            .download_ranges(cp, &etag, head.meta.crc64, options)
            .await;
        match result {
            Ok((crc, ranges_downloaded)) => {
                tokio::fs::rename(&temp, path).await.map_err(|e| {
                    Error::new(
                        ErrorKind::Io,
                        format!("cannot move the download into {}", path.display()),
                    )
                    .with_source(e)
                })?;
                if let Some(file) = &options.checkpoint_file {
                    checkpoint::remove(file);
                }
                Ok(DownloadFileResult {
                    size,
                    crc64: crc,
                    ranges_downloaded,
                    meta: head.meta,
                })
            }
            Err(e) => {
                // Without a checkpoint the partial temp file is useless: remove it. With one,
                // keep it for the resume (unless the data itself was wrong).
                if options.checkpoint_file.is_none() || e.kind() == ErrorKind::CrcMismatch {
                    let _ = std::fs::remove_file(&temp);
                    if let Some(file) = &options.checkpoint_file {
                        checkpoint::remove(file);
                    }
                }
                Err(e)
            }
        }
    }

    async fn download_ranges(
        &self,
        cp: DownloadCheckpoint,
        etag: &str,
        object_crc: Option<u64>,
        options: &DownloadFileOptions,
    ) -> Result<(u64, u32)> {
        let size = cp.object_size;
        let part_size = cp.part_size;
        let count = size.div_ceil(part_size) as u32;
        let temp = PathBuf::from(&cp.temp_path);
        let done: std::collections::HashSet<u32> = cp.parts.iter().map(|p| p.part_number).collect();
        let already: u64 = cp.parts.iter().map(|p| p.size).sum();
        let progress = options
            .progress
            .as_ref()
            .map(|p| Arc::new(ProgressTracker::new(p.clone(), size)));
        if let Some(p) = &progress {
            p.update(already);
        }
        let (bucket, key) = (cp.bucket.clone(), cp.key.clone());
        let state = Arc::new(Mutex::new((cp, already)));
        let todo: Vec<u32> = (1..=count).filter(|n| !done.contains(n)).collect();
        let fetched = todo.len() as u32;
        futures::stream::iter(todo.into_iter().map(|number| {
            let offset = (number as u64 - 1) * part_size;
            let len = part_size.min(size - offset);
            let (this, bucket, key, temp) =
                (self.clone(), bucket.clone(), key.clone(), temp.clone());
            let etag = etag.to_string();
            super::spawn_part(async move {
                let crc = this
                    .fetch_range(&bucket, &key, &etag, &temp, offset, len)
                    .await?;
                Ok::<_, Error>(CheckpointPart {
                    part_number: number,
                    etag: String::new(),
                    size: len,
                    crc64: crc,
                })
            })
        }))
        .buffer_unordered(options.parallel)
        .try_for_each(|part| {
            let mut st = state.lock().unwrap();
            st.1 += part.size;
            st.0.parts.push(part);
            let saved = match &options.checkpoint_file {
                Some(file) => checkpoint::save(file, &st.0),
                None => Ok(()),
            };
            if let Some(p) = &progress {
                p.update(st.1);
            }
            futures::future::ready(saved)
        })
        .await?;
        let mut parts = state.lock().unwrap().0.parts.clone();
        parts.sort_by_key(|p| p.part_number);
        let crc = parts
            .iter()
            .fold(0u64, |acc, p| crc64::combine(acc, p.crc64, p.size));
        if let (Some(server), true) = (object_crc, self.config().crc_check) {
            check_crc(crc, server, &format!("download of {bucket}/{key}"), "")?;
        }
        if let Some(p) = &progress {
            p.finish();
        }
        Ok((crc, fetched))
    }

    /// GETs `offset..offset+len` and writes it at `offset` of `temp`; returns its CRC-64.
    /// A failure mid-range retries the whole range (it is rewritten from its start).
    async fn fetch_range(
        &self,
        bucket: &str,
        key: &str,
        etag: &str,
        temp: &Path,
        offset: u64,
        len: u64,
    ) -> Result<u64> {
        let req = Request::new(Method::GET, Some(bucket), Some(key))
            .header("range", format!("bytes={}-{}", offset, offset + len - 1));
        self.send(&req, |resp| async move {
            if resp.meta.status != 206 {
                return Err(Error::new(
                    ErrorKind::Protocol,
                    format!("ranged GET answered {} instead of 206", resp.meta.status),
                ));
            }
            if !etag.is_empty() && resp.meta.etag.as_deref().is_some_and(|e| e != etag) {
                return Err(Error::new(
                    ErrorKind::Protocol,
                    format!("{bucket}/{key} changed during the download (ETag differs)"),
                ));
            }
            use std::io::{Seek, Write};
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .open(temp)
                .map_err(|e| {
                    Error::new(ErrorKind::Io, format!("cannot open {}", temp.display()))
                        .with_source(e)
                })?;
            file.seek(std::io::SeekFrom::Start(offset))?;
            let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
            let mut crc = Crc64::new();
            let mut stream = resp.http.bytes_stream();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| body_error(e, "downloading a range"))?;
                if crc.len() + chunk.len() as u64 > len {
                    return Err(Error::new(
                        ErrorKind::Protocol,
                        "ranged GET returned more bytes than asked for",
                    ));
                }
                crc.update(&chunk);
                // Buffered writes of ≤1 MiB into the page cache; cheap enough inline.
                out.write_all(&chunk)?;
            }
            out.flush()?;
            if crc.len() != len {
                return Err(Error::new(
                    ErrorKind::Network,
                    format!(
                        "connection closed after {} of {len} bytes of a range",
                        crc.len()
                    ),
                ));
            }
            Ok(crc.value())
        })
        .await
    }
}
