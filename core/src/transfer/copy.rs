//! `copy_object_multipart`: server-side copy of objects of any size (CopyObject is capped at
//! 1 GB on OSS) with UploadPartCopy ranges in parallel, SSE set at initiation, the source's
//! content type and user metadata carried over (unless replaced), and the result's CRC-64
//! checked against the source's.

use std::sync::Arc;

use futures::stream::{StreamExt, TryStreamExt};

use super::{DEFAULT_PARALLEL, MIN_PART_SIZE};
use crate::client::progress::ProgressTracker;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::model::{
    ByteRange, CompleteMultipartUploadOptions, CompletedPart, CopyObjectOptions,
    InitiateMultipartUploadOptions, MetadataDirective, ObjectAttributes, Progress, ResponseMeta,
};
use crate::sse::ServerSideEncryption;

/// Options of `copy_object_multipart`.
#[derive(Clone, Debug)]
pub struct MultipartCopyOptions {
    /// Bytes per UploadPartCopy (≥ 100 KiB; default 64 MiB).
    pub part_size: u64,
    /// Parts in flight (default 4).
    pub parallel: usize,
    /// Objects up to this size use one CopyObject (`None`: the part size).
    pub multipart_threshold: Option<u64>,
    /// Encryption of the destination (the source's is never inherited).
    pub sse: Option<ServerSideEncryption>,
    /// `Copy` keeps the source's content type and user metadata; `Replace` uses `attributes`.
    pub metadata_directive: MetadataDirective,
    pub attributes: ObjectAttributes,
    pub progress: Option<Progress>,
}

impl Default for MultipartCopyOptions {
    fn default() -> Self {
        MultipartCopyOptions {
            part_size: 64 << 20,
            parallel: DEFAULT_PARALLEL,
            multipart_threshold: None,
            sse: None,
            metadata_directive: MetadataDirective::Copy,
            attributes: ObjectAttributes::default(),
            progress: None,
        }
    }
}

/// Result of `copy_object_multipart`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MultipartCopyResult {
    pub size: u64,
    /// Parts of the copy (0 when a single CopyObject did it).
    pub part_count: u32,
    /// Metadata of the final CopyObject or CompleteMultipartUpload response.
    pub meta: ResponseMeta,
}

impl Client {
    /// Copies `src_bucket/src_key` to `bucket/key` on the server side, in parallel parts
    /// above the threshold; see the module docs.
    pub async fn copy_object_multipart(
        &self,
        src_bucket: &str,
        src_key: &str,
        bucket: &str,
        key: &str,
        options: &MultipartCopyOptions,
    ) -> Result<MultipartCopyResult> {
        if options.part_size < MIN_PART_SIZE || options.parallel == 0 {
            return Err(Error::invalid_argument(format!(
                "part_size must be at least {MIN_PART_SIZE} bytes and parallel at least 1"
            )));
        }
        let source = self.head_object(src_bucket, src_key).await?;
        let size = source.info.object_size;
        let progress = options
            .progress
            .as_ref()
            .map(|p| Arc::new(ProgressTracker::new(p.clone(), size)));
        if size <= options.multipart_threshold.unwrap_or(options.part_size) {
            let copy = CopyObjectOptions {
                sse: options.sse.clone(),
                metadata_directive: options.metadata_directive,
                attributes: options.attributes.clone(),
            };
            let r = self
                .copy_object(src_bucket, src_key, bucket, key, &copy)
                .await?;
            if let Some(p) = &progress {
                p.finish();
            }
            return Ok(MultipartCopyResult {
                size,
                part_count: 0,
                meta: r.meta,
            });
        }
        let part_count = size.div_ceil(options.part_size);
        if part_count > crate::client::MAX_PART_NUMBER as u64 {
            return Err(Error::invalid_argument(format!(
                "{size} bytes in parts of {} would need {part_count} parts; OSS allows 10000: raise part_size",
                options.part_size
            )));
        }
        let attributes = match options.metadata_directive {
            MetadataDirective::Replace => options.attributes.clone(),
            // A multipart copy starts a new object: carry the source's type and metadata over.
            MetadataDirective::Copy => ObjectAttributes {
                content_type: source.info.content_type.clone(),
                metadata: source.meta.user_metadata(),
                ..options.attributes.clone()
            },
        };
        let init = InitiateMultipartUploadOptions {
            sse: options.sse.clone(),
            attributes,
        };
        let upload_id = self
            .initiate_multipart_upload(bucket, key, &init)
            .await?
            .upload_id;
        let result = async {
            let done = std::sync::Mutex::new(0u64);
            let mut parts: Vec<CompletedPart> =
                futures::stream::iter((1..=part_count as u32).map(|n| {
                    let start = (n as u64 - 1) * options.part_size;
                    let end = (start + options.part_size).min(size) - 1;
                    let upload_id = &upload_id;
                    async move {
                        let r = self
                            .upload_part_copy(
                                bucket,
                                key,
                                upload_id,
                                n,
                                src_bucket,
                                src_key,
                                Some(ByteRange {
                                    start,
                                    end: Some(end),
                                }),
                            )
                            .await?;
                        Ok::<_, Error>((r.completed(), end + 1 - start))
                    }
                }))
                .buffer_unordered(options.parallel)
                .map_ok(|(part, len)| {
                    let mut d = done.lock().unwrap();
                    *d += len;
                    if let Some(p) = &progress {
                        p.update(*d);
                    }
                    part
                })
                .try_collect()
                .await?;
            parts.sort_by_key(|p| p.part_number);
            let expected = CompleteMultipartUploadOptions {
                expected_crc64: source.meta.crc64,
            };
            self.complete_multipart_upload(bucket, key, &upload_id, &parts, &expected)
                .await
        }
        .await;
        match result {
            Ok(r) => {
                if let Some(p) = &progress {
                    p.finish();
                }
                Ok(MultipartCopyResult {
                    size,
                    part_count: part_count as u32,
                    meta: r.meta,
                })
            }
            Err(e) => {
                // Don't leave billable parts behind; the copy can simply be run again.
                let _ = self.abort_multipart_upload(bucket, key, &upload_id).await;
                Err(e)
            }
        }
    }
}
