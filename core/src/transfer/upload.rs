//! `upload_file`: PutObject or resumable concurrent multipart upload.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use futures::stream::{StreamExt, TryStreamExt};

use super::checkpoint::{self, CheckpointPart, UploadCheckpoint, CHECKPOINT_VERSION};
use super::{DEFAULT_PARALLEL, DEFAULT_PART_SIZE, MIN_PART_SIZE};
use crate::client::progress::ProgressTracker;
use crate::client::{Body, Client};
use crate::crc64;
use crate::error::{Error, ErrorKind, Result};
use crate::model::{
    CompleteMultipartUploadOptions, CompletedPart, InitiateMultipartUploadOptions,
    ObjectAttributes, Progress, PutObjectOptions, ResponseMeta,
};
use crate::sse::ServerSideEncryption;

/// Called with the updated checkpoint after every finished part (for callers that keep
/// the state themselves, e.g. ali-oss-style `progress(p, checkpoint)`).
#[derive(Clone)]
pub struct CheckpointCallback(pub Arc<dyn Fn(&UploadCheckpoint) + Send + Sync>);

impl fmt::Debug for CheckpointCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CheckpointCallback(..)")
    }
}

/// Options of `upload_file`.
#[derive(Clone, Debug)]
pub struct UploadFileOptions {
    /// Part size for multipart uploads (≥ 100 KiB; default 8 MiB).
    pub part_size: u64,
    /// Parts in flight (default 4).
    pub parallel: usize,
    /// Files larger than this use multipart (`None`: the part size).
    pub multipart_threshold: Option<u64>,
    /// Where to keep the checkpoint; with it a killed upload resumes. Removed on success.
    pub checkpoint_file: Option<PathBuf>,
    /// A checkpoint to resume from (in-memory alternative to `checkpoint_file`).
    pub resume_from: Option<UploadCheckpoint>,
    /// Called after each finished part with the new checkpoint.
    pub on_checkpoint: Option<CheckpointCallback>,
    /// Encryption of the object, set at initiation (or on the PutObject).
    pub sse: Option<ServerSideEncryption>,
    pub attributes: ObjectAttributes,
    pub progress: Option<Progress>,
}

impl Default for UploadFileOptions {
    fn default() -> Self {
        UploadFileOptions {
            part_size: DEFAULT_PART_SIZE,
            parallel: DEFAULT_PARALLEL,
            multipart_threshold: None,
            checkpoint_file: None,
            resume_from: None,
            on_checkpoint: None,
            sse: None,
            attributes: ObjectAttributes::default(),
            progress: None,
        }
    }
}

/// Result of `upload_file`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UploadFileResult {
    pub size: u64,
    /// The upload id when multipart was used.
    pub upload_id: Option<String>,
    /// Parts in the object (0 for a PutObject).
    pub part_count: u32,
    /// Parts sent by this call (fewer than `part_count` after a resume).
    pub parts_uploaded: u32,
    /// CRC-64 of the whole object (combined from the parts for multipart).
    pub crc64: u64,
    /// Metadata of the final PutObject or CompleteMultipartUpload response.
    pub meta: ResponseMeta,
}

impl Client {
    /// Uploads a local file; see the [`crate::transfer`] module docs.
    pub async fn upload_file(
        &self,
        bucket: &str,
        key: &str,
        path: impl AsRef<Path>,
        options: &UploadFileOptions,
    ) -> Result<UploadFileResult> {
        let path = path.as_ref();
        if options.part_size < MIN_PART_SIZE {
            return Err(Error::invalid_argument(format!(
                "part_size {} is below OSS's minimum part size of {MIN_PART_SIZE} bytes",
                options.part_size
            )));
        }
        if options.parallel == 0 {
            return Err(Error::invalid_argument("parallel must be at least 1"));
        }
        // Like the official SDKs, guess the Content-Type from the file name if none is given.
        let options_with_type;
        let options = match (
            &options.attributes.content_type,
            crate::model::content_type_for_path(path),
        ) {
            (None, Some(ct)) => {
                let mut o = options.clone();
                o.attributes.content_type = Some(ct.to_string());
                options_with_type = o;
                &options_with_type
            }
            _ => options,
        };
        let file_meta = std::fs::metadata(path).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot read file {}", path.display()),
            )
            .with_source(e)
        })?;
        let size = file_meta.len();
        if size <= options.multipart_threshold.unwrap_or(options.part_size) {
            let put = PutObjectOptions {
                sse: options.sse.clone(),
                attributes: options.attributes.clone(),
                progress: options.progress.clone(),
            };
            let r = self
                .put_object(bucket, key, Body::from_file(path)?, &put)
                .await?;
            let crc = r.meta.crc64.unwrap_or_default();
            return Ok(UploadFileResult {
                size,
                crc64: crc,
                meta: r.meta,
                ..Default::default()
            });
        }
        let part_count = size.div_ceil(options.part_size);
        if part_count > crate::client::MAX_PART_NUMBER as u64 {
            return Err(Error::invalid_argument(format!(
                "{size} bytes in parts of {} would need {part_count} parts; OSS allows 10000: raise part_size",
                options.part_size
            )));
        }
        let fresh = UploadCheckpoint {
            version: CHECKPOINT_VERSION,
            bucket: bucket.to_string(),
            key: key.to_string(),
            file_path: path.to_string_lossy().into_owned(),
            file_size: size,
            file_mtime_ns: checkpoint::mtime_ns(&file_meta),
            part_size: options.part_size,
            upload_id: String::new(),
            sse: options.sse.as_ref().map(sse_fingerprint),
            parts: Vec::new(),
        };
        let cp = self.resumable_checkpoint(&fresh, options).await;
        let cp = match cp {
            Some(cp) => cp,
            None => {
                let init = InitiateMultipartUploadOptions {
                    sse: options.sse.clone(),
                    attributes: options.attributes.clone(),
                };
                let r = self.initiate_multipart_upload(bucket, key, &init).await?;
                UploadCheckpoint {
                    upload_id: r.upload_id,
                    ..fresh
                }
            }
        };
        self.upload_parts(path, cp, part_count as u32, options)
            .await
    }

    /// A recorded checkpoint that matches this upload, with its parts filtered down to
    /// those OSS still has (same ETag and size per ListParts); `None` to start over.
    async fn resumable_checkpoint(
        &self,
        fresh: &UploadCheckpoint,
        options: &UploadFileOptions,
    ) -> Option<UploadCheckpoint> {
        let recorded = options.resume_from.clone().or_else(|| {
            options
                .checkpoint_file
                .as_deref()
                .and_then(|p| checkpoint::load(p, |c: &UploadCheckpoint| c.version))
        })?;
        let same = recorded.version == CHECKPOINT_VERSION
            && recorded.bucket == fresh.bucket
            && recorded.key == fresh.key
            && recorded.file_size == fresh.file_size
            && recorded.file_mtime_ns == fresh.file_mtime_ns
            && recorded.part_size == fresh.part_size
            && recorded.sse == fresh.sse
            && !recorded.upload_id.is_empty();
        if !same {
            return None;
        }
        // The upload may have been aborted or garbage-collected: then start over cleanly.
        let listed = self
            .list_all_parts(&fresh.bucket, &fresh.key, &recorded.upload_id)
            .await
            .ok()?;
        let on_server: HashMap<u32, (String, u64)> = listed
            .into_iter()
            .map(|p| (p.part_number, (p.etag, p.size)))
            .collect();
        let parts = recorded
            .parts
            .iter()
            .filter(|p| {
                on_server
                    .get(&p.part_number)
                    .is_some_and(|(etag, size)| *etag == p.etag && *size == p.size)
            })
            .cloned()
            .collect();
        Some(UploadCheckpoint { parts, ..recorded })
    }

    async fn upload_parts(
        &self,
        path: &Path,
        cp: UploadCheckpoint,
        part_count: u32,
        options: &UploadFileOptions,
    ) -> Result<UploadFileResult> {
        let size = cp.file_size;
        let part_size = cp.part_size;
        let (bucket, key, upload_id) = (cp.bucket.clone(), cp.key.clone(), cp.upload_id.clone());
        let done: std::collections::HashSet<u32> = cp.parts.iter().map(|p| p.part_number).collect();
        let already: u64 = cp.parts.iter().map(|p| p.size).sum();
        let progress = options
            .progress
            .as_ref()
            .map(|p| Arc::new(ProgressTracker::new(p.clone(), size)));
        if let Some(p) = &progress {
            p.update(already);
        }
        let state = Arc::new(Mutex::new((cp, already)));
        let record = |part: CheckpointPart| -> Result<()> {
            let mut st = state.lock().unwrap();
            st.1 += part.size;
            st.0.parts.retain(|p| p.part_number != part.part_number);
            st.0.parts.push(part);
            if let Some(file) = &options.checkpoint_file {
                checkpoint::save(file, &st.0)?;
            }
            if let Some(cb) = &options.on_checkpoint {
                (cb.0)(&st.0);
            }
            if let Some(p) = &progress {
                p.update(st.1);
            }
            Ok(())
        };
        // Save the initial state so a kill before the first part still resumes the upload.
        if let Some(file) = &options.checkpoint_file {
            checkpoint::save(file, &state.lock().unwrap().0)?;
        }
        let todo: Vec<u32> = (1..=part_count).filter(|n| !done.contains(n)).collect();
        let parts_uploaded = todo.len() as u32;
        futures::stream::iter(todo.into_iter().map(|number| {
            let offset = (number as u64 - 1) * part_size;
            let len = part_size.min(size - offset);
            let (bucket, key, upload_id) = (&bucket, &key, &upload_id);
            async move {
                let body = Body::from_file_range(path, offset, Some(len))?;
                let r = self
                    .upload_part(bucket, key, upload_id, number, body)
                    .await?;
                let crc = match r.crc64 {
                    Some(c) => c,
                    // Without a server CRC (crc checks off), hash the part locally.
                    None => crc_of_file_range(path, offset, len).await?,
                };
                Ok::<_, Error>(CheckpointPart {
                    part_number: number,
                    etag: r.etag,
                    size: len,
                    crc64: crc,
                })
            }
        }))
        .buffer_unordered(options.parallel)
        .try_for_each(|part| futures::future::ready(record(part)))
        .await?;

        let mut parts = state.lock().unwrap().0.parts.clone();
        parts.sort_by_key(|p| p.part_number);
        let whole_crc = parts
            .iter()
            .fold(0u64, |acc, p| crc64::combine(acc, p.crc64, p.size));
        let completed: Vec<CompletedPart> = parts
            .iter()
            .map(|p| CompletedPart {
                part_number: p.part_number,
                etag: p.etag.clone(),
            })
            .collect();
        let complete = self
            .complete_multipart_upload(
                &bucket,
                &key,
                &upload_id,
                &completed,
                &CompleteMultipartUploadOptions {
                    expected_crc64: Some(whole_crc),
                },
            )
            .await;
        let meta = match complete {
            Ok(r) => r.meta,
            // A retried Complete whose first attempt landed finds the upload gone. The object
            // with exactly our size and combined CRC-64 proves it completed.
            Err(e) if e.code() == Some("NoSuchUpload") => {
                match self.head_object(&bucket, &key).await {
                    Ok(head)
                        if head.meta.crc64 == Some(whole_crc) && head.info.object_size == size =>
                    {
                        head.meta
                    }
                    _ => return Err(e),
                }
            }
            Err(e) => return Err(e),
        };
        if let Some(file) = &options.checkpoint_file {
            checkpoint::remove(file);
        }
        if let Some(p) = &progress {
            p.finish();
        }
        Ok(UploadFileResult {
            size,
            upload_id: Some(upload_id),
            part_count,
            parts_uploaded,
            crc64: whole_crc,
            meta,
        })
    }
}

fn sse_fingerprint(sse: &ServerSideEncryption) -> String {
    format!(
        "{}:{}:{}",
        sse.algorithm(),
        sse.key_id().unwrap_or(""),
        sse.data_encryption().map(|d| d.as_str()).unwrap_or("")
    )
}

pub(crate) async fn crc_of_file_range(path: &Path, offset: u64, len: u64) -> Result<u64> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || -> Result<u64> {
        use std::io::{Read, Seek};
        let mut f = std::fs::File::open(&path)?;
        f.seek(std::io::SeekFrom::Start(offset))?;
        let mut crc = crc64::Crc64::new();
        let mut buf = vec![0u8; 256 * 1024];
        let mut left = len;
        while left > 0 {
            let want = left.min(buf.len() as u64) as usize;
            let n = f.read(&mut buf[..want])?;
            if n == 0 {
                return Err(Error::new(
                    ErrorKind::Io,
                    format!("{} shrank while uploading", path.display()),
                ));
            }
            crc.update(&buf[..n]);
            left -= n as u64;
        }
        Ok(crc.value())
    })
    .await
    .map_err(|e| Error::new(ErrorKind::Io, "CRC worker failed").with_source(e))?
}
