//! Object operations: Put, Get (bytes, stream, file, range), Head, Copy, Append, Delete.

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::stream::{BoxStream, Stream, StreamExt};
use reqwest::Method;

use super::bucket::{validate_bucket, validate_key};
use super::progress::ProgressTracker;
use super::{body_error, check_crc, Body, Client, Request, Response};
use crate::crc64::{self, Crc64};
use crate::error::{Error, ErrorKind, Result};
use crate::model::{
    content_type_for_path, delete_multiple_body, AppendObjectOptions, AppendObjectResult,
    CopyObjectOptions, CopyObjectResult, DeleteMultipleObjectsResult, EmptyResult,
    GetObjectOptions, GetObjectResult, GetObjectToFileResult, HeadObjectOptions, HeadObjectResult,
    MetadataDirective, ObjectInfo, PutObjectOptions, PutObjectResult, ResponseMeta,
};

impl Client {
    /// PutObject from bytes, a file (range) or a stream (see [`Body`]).
    pub async fn put_object(
        &self,
        bucket: &str,
        key: &str,
        body: impl Into<Body>,
        options: &PutObjectOptions,
    ) -> Result<PutObjectResult> {
        validate_bucket(bucket)?;
        validate_key(key)?;
        let body = body.into();
        let total = body.len().unwrap_or(0);
        let mut req = Request::new(Method::PUT, Some(bucket), Some(key))
            .headers(options.attributes.headers()?)
            .headers(
                options
                    .sse
                    .as_ref()
                    .map(|s| s.headers())
                    .unwrap_or_default(),
            )
            .progress(options.progress.as_ref(), total)
            .body(body);
        req.verify_upload_crc = Some(0);
        let (meta, _) = self.send_collect(req).await?;
        Ok(PutObjectResult { meta })
    }

    /// PutObject from a whole local file.
    pub async fn put_object_from_file(
        &self,
        bucket: &str,
        key: &str,
        path: impl AsRef<Path>,
        options: &PutObjectOptions,
    ) -> Result<PutObjectResult> {
        let path = path.as_ref();
        let guessed;
        let options = match (
            &options.attributes.content_type,
            content_type_for_path(path),
        ) {
            (None, Some(ct)) => {
                let mut o = options.clone();
                o.attributes.content_type = Some(ct.to_string());
                guessed = o;
                &guessed
            }
            _ => options,
        };
        self.put_object(bucket, key, Body::from_file(path)?, options)
            .await
    }

    pub(crate) fn get_request(
        &self,
        bucket: &str,
        key: &str,
        options: &GetObjectOptions,
    ) -> Result<Request> {
        validate_bucket(bucket)?;
        validate_key(key)?;
        let mut req = Request::new(Method::GET, Some(bucket), Some(key)).headers(
            crate::model::object::validate_extra_headers(&options.extra_headers)?,
        );
        if let Some(range) = &options.range {
            if range.end.is_some_and(|end| end < range.start) {
                return Err(Error::invalid_argument(format!(
                    "range end {:?} is before start {}",
                    range.end, range.start
                )));
            }
            req = req.header("range", range.header_value());
        }
        Ok(req)
    }

    /// Whether a GET's whole-object CRC can be checked: only when all of it was read.
    pub(crate) fn checks_download(&self, meta: &ResponseMeta, options: &GetObjectOptions) -> bool {
        self.inner.config.crc_check
            && options.range.is_none()
            && meta.status == 200
            && meta.crc64.is_some()
    }

    /// GetObject into memory (retried, also after a failure mid-body). CRC-64 is checked
    /// unless a range is read.
    pub async fn get_object(
        &self,
        bucket: &str,
        key: &str,
        options: &GetObjectOptions,
    ) -> Result<GetObjectResult> {
        let req = self.get_request(bucket, key, options)?;
        self.send(&req, |resp: Response| async move {
            let info = ObjectInfo::from_meta(&resp.meta);
            let progress = options
                .progress
                .as_ref()
                .map(|p| ProgressTracker::new(p.clone(), info.content_length));
            let mut data = body_buffer(info.content_length);
            // CRC-64 chunk by chunk, while each is still in cache.
            let mut crc = Crc64::new();
            let mut stream = resp.http.bytes_stream();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| body_error(e, "reading the object"))?;
                crc.update(&chunk);
                data.extend_from_slice(&chunk);
                if let Some(p) = &progress {
                    p.update(data.len() as u64);
                }
            }
            check_length(data.len() as u64, &info, &resp.meta)?;
            if self.checks_download(&resp.meta, options) {
                check_crc(
                    crc.value(),
                    resp.meta.crc64.unwrap(),
                    "download",
                    &resp.meta.request_id,
                )?;
            }
            if let Some(p) = &progress {
                p.finish();
            }
            Ok(GetObjectResult {
                data: Bytes::from(data),
                info,
                meta: resp.meta,
            })
        })
        .await
    }

    /// GetObject as a stream of chunks; the response metadata is available before the
    /// body is read. The stream ends with a `CrcMismatch` error if the CRC-64 of a whole
    /// object does not match. Only the request up to the headers is retried.
    pub async fn get_object_stream(
        &self,
        bucket: &str,
        key: &str,
        options: &GetObjectOptions,
    ) -> Result<ObjectStream> {
        let req = self.get_request(bucket, key, options)?;
        let resp = self.send(&req, |resp| async move { Ok(resp) }).await?;
        let info = ObjectInfo::from_meta(&resp.meta);
        let expected_crc = if self.checks_download(&resp.meta, options) {
            resp.meta.crc64
        } else {
            None
        };
        let progress = options
            .progress
            .as_ref()
            .map(|p| Arc::new(ProgressTracker::new(p.clone(), info.content_length)));
        let state = StreamState {
            body: resp.http.bytes_stream().boxed(),
            crc: Crc64::new(),
            expected_crc,
            expected_len: info.content_length,
            request_id: resp.meta.request_id.clone(),
            progress,
            done: false,
        };
        let inner = futures::stream::unfold(state, next_chunk).boxed();
        Ok(ObjectStream {
            info,
            meta: resp.meta,
            inner,
        })
    }

    /// GetObject into a local file. The data goes to a temporary file next to `path`,
    /// renamed over `path` only after the whole body arrived and its CRC-64 matched: a
    /// failed download never leaves a partial or corrupt file at `path`.
    pub async fn get_object_to_file(
        &self,
        bucket: &str,
        key: &str,
        path: impl AsRef<Path>,
        options: &GetObjectOptions,
    ) -> Result<GetObjectToFileResult> {
        let path = path.as_ref();
        let req = self.get_request(bucket, key, options)?;
        let tmp = temp_path_for(path)?;
        let result = self
            .send(&req, |resp: Response| {
                let tmp = tmp.clone();
                async move {
                    let info = ObjectInfo::from_meta(&resp.meta);
                    let progress = options
                        .progress
                        .as_ref()
                        .map(|p| ProgressTracker::new(p.clone(), info.content_length));
                    let file = std::fs::File::create(&tmp).map_err(|e| {
                        Error::new(ErrorKind::Io, format!("cannot create {}", tmp.display()))
                            .with_source(e)
                    })?;
                    // Plain buffered writes of ≤1 MiB into the page cache: cheaper than a
                    // blocking-pool hop per chunk. The rename below is what makes the
                    // result appear atomically; like curl and the official SDKs, no fsync.
                    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
                    let mut crc = Crc64::new();
                    let mut stream = resp.http.bytes_stream();
                    while let Some(chunk) = stream.next().await {
                        let chunk = chunk.map_err(|e| body_error(e, "downloading the object"))?;
                        crc.update(&chunk);
                        std::io::Write::write_all(&mut out, &chunk)?;
                        if let Some(p) = &progress {
                            p.update(crc.len());
                        }
                    }
                    std::io::Write::flush(&mut out)?;
                    check_length(crc.len(), &info, &resp.meta)?;
                    if self.checks_download(&resp.meta, options) {
                        check_crc(
                            crc.value(),
                            resp.meta.crc64.unwrap(),
                            "download",
                            &resp.meta.request_id,
                        )?;
                    }
                    if let Some(p) = &progress {
                        p.finish();
                    }
                    Ok(GetObjectToFileResult {
                        bytes_written: crc.len(),
                        info,
                        meta: resp.meta,
                    })
                }
            })
            .await;
        match result {
            Ok(r) => {
                tokio::fs::rename(&tmp, path).await.map_err(|e| {
                    Error::new(
                        ErrorKind::Io,
                        format!("cannot move the download into {}", path.display()),
                    )
                    .with_source(e)
                })?;
                Ok(r)
            }
            Err(e) => {
                let _ = tokio::fs::remove_file(&tmp).await;
                Err(e)
            }
        }
    }

    /// HeadObject: metadata, SSE, CRC-64 and size without the body. A missing object is a
    /// service error (`NoSuchKey`, 404, decoded from `x-oss-err`).
    pub async fn head_object(&self, bucket: &str, key: &str) -> Result<HeadObjectResult> {
        self.head_object_with_options(bucket, key, &HeadObjectOptions::default())
            .await
    }

    /// HeadObject with conditional or other verbatim headers.
    pub async fn head_object_with_options(
        &self,
        bucket: &str,
        key: &str,
        options: &HeadObjectOptions,
    ) -> Result<HeadObjectResult> {
        validate_bucket(bucket)?;
        validate_key(key)?;
        let req = Request::new(Method::HEAD, Some(bucket), Some(key)).headers(
            crate::model::object::validate_extra_headers(&options.extra_headers)?,
        );
        let (meta, _) = self.send_collect(req).await?;
        Ok(HeadObjectResult {
            info: ObjectInfo::from_meta(&meta),
            meta,
        })
    }

    /// CopyObject `src_bucket/src_key` to `bucket/key`. The source's encryption is not
    /// copied: set `options.sse` for an encrypted destination. Copying an object onto
    /// itself with `sse` encrypts an existing object (the guide's FAQ).
    pub async fn copy_object(
        &self,
        src_bucket: &str,
        src_key: &str,
        bucket: &str,
        key: &str,
        options: &CopyObjectOptions,
    ) -> Result<CopyObjectResult> {
        validate_bucket(src_bucket)?;
        validate_key(src_key)?;
        validate_bucket(bucket)?;
        validate_key(key)?;
        let source = format!(
            "/{}/{}",
            src_bucket,
            crate::signing::uri_encode(src_key, true)
        );
        let mut req =
            Request::new(Method::PUT, Some(bucket), Some(key)).header("x-oss-copy-source", source);
        let attrs = options.attributes.headers()?;
        match options.metadata_directive {
            MetadataDirective::Replace => {
                req = req
                    .header("x-oss-metadata-directive", "REPLACE")
                    .headers(attrs);
            }
            MetadataDirective::Copy => {
                // Content type and user metadata only apply with REPLACE; the rest always does.
                let kept = attrs
                    .into_iter()
                    .filter(|(n, _)| n != "content-type" && !n.starts_with("x-oss-meta-"));
                if options.attributes.content_type.is_some()
                    || !options.attributes.metadata.is_empty()
                {
                    return Err(Error::invalid_argument(
                        "content_type and metadata of a copy apply only with MetadataDirective::Replace",
                    ));
                }
                req = req.headers(kept.collect());
            }
        }
        if let Some(sse) = &options.sse {
            req = req.headers(sse.headers());
        }
        let (meta, body) = self.send_collect(req).await?;
        CopyObjectResult::from_xml(&body, meta)
    }

    /// DeleteObject (succeeds for a missing key, as OSS does).
    pub async fn delete_object(&self, bucket: &str, key: &str) -> Result<EmptyResult> {
        validate_bucket(bucket)?;
        validate_key(key)?;
        let (meta, _) = self
            .send_collect(Request::new(Method::DELETE, Some(bucket), Some(key)))
            .await?;
        Ok(EmptyResult { meta })
    }

    /// DeleteMultipleObjects (up to 1000 keys). In quiet mode OSS lists nothing back.
    pub async fn delete_multiple_objects(
        &self,
        bucket: &str,
        keys: &[String],
        quiet: bool,
    ) -> Result<DeleteMultipleObjectsResult> {
        validate_bucket(bucket)?;
        if keys.is_empty() || keys.len() > 1000 {
            return Err(Error::invalid_argument(format!(
                "DeleteMultipleObjects takes 1 to 1000 keys, got {}",
                keys.len()
            )));
        }
        for k in keys {
            validate_key(k)?;
        }
        let req = Request::new(Method::POST, Some(bucket), None)
            .query("delete", "")
            .xml_body(delete_multiple_body(keys, quiet));
        let (meta, body) = self.send_collect(req).await?;
        DeleteMultipleObjectsResult::from_xml(&body, meta)
    }

    /// AppendObject at `position` (0 creates the object; SSE and attributes apply only
    /// then). The whole-object CRC-64 OSS returns is checked when the previous CRC is
    /// known (`options.init_crc64`, or 0 at position 0).
    pub async fn append_object(
        &self,
        bucket: &str,
        key: &str,
        position: u64,
        body: impl Into<Body>,
        options: &AppendObjectOptions,
    ) -> Result<AppendObjectResult> {
        validate_bucket(bucket)?;
        validate_key(key)?;
        let body = body.into();
        let total = body.len().unwrap_or(0);
        let mut req = Request::new(Method::POST, Some(bucket), Some(key))
            .query("append", "")
            .query("position", position.to_string())
            .progress(options.progress.as_ref(), total)
            .body(body);
        if position == 0 {
            req = req.headers(options.attributes.headers()?);
            if let Some(sse) = &options.sse {
                req = req.headers(sse.headers());
            }
        } else if options.sse.is_some() {
            return Err(Error::invalid_argument(
                "AppendObject encryption can only be set at position 0, where the append creates the object",
            ));
        }
        req.verify_upload_crc = if position == 0 {
            Some(0)
        } else {
            options.init_crc64
        };
        let meta = match self.send_collect_ref(&req).await {
            Ok((meta, _)) => meta,
            Err(err) => match self
                .append_already_applied(bucket, key, position, &req, &err)
                .await
            {
                Some(meta) => meta,
                None => return Err(err),
            },
        };
        let next_position = meta
            .header("x-oss-next-append-position")
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Protocol,
                    "AppendObject response has no x-oss-next-append-position",
                )
            })?;
        Ok(AppendObjectResult {
            next_position,
            meta,
        })
    }
}

impl Client {
    /// A retried append can find its own first attempt applied (the response was lost):
    /// OSS then answers `PositionNotEqualToLength`. If the object now ends exactly where
    /// this append would have ended and its CRC-64 equals the CRC of the previous content
    /// followed by this body, the append did happen: return the object's metadata as the
    /// result. Anything less certain keeps the error.
    async fn append_already_applied(
        &self,
        bucket: &str,
        key: &str,
        position: u64,
        req: &Request,
        err: &Error,
    ) -> Option<ResponseMeta> {
        let service = err
            .service_error()
            .filter(|s| s.code == "PositionNotEqualToLength")?;
        let len = req.body.len()?;
        let base = req.verify_upload_crc?;
        let failed = ResponseMeta::from_service_error(service);
        if ObjectInfo::from_meta(&failed).next_append_position != Some(position + len) {
            return None;
        }
        let body_crc = req.body.crc64().await?;
        let head = self.head_object(bucket, key).await.ok()?;
        let expected = crc64::combine(base, body_crc, len);
        (head.meta.crc64 == Some(expected) && head.info.object_size == position + len)
            .then_some(head.meta)
    }
}

fn check_length(received: u64, info: &ObjectInfo, meta: &ResponseMeta) -> Result<()> {
    if meta.header("content-length").is_some() && received != info.content_length {
        return Err(Error::new(
            ErrorKind::Network,
            format!(
                "connection closed after {received} of {} bytes",
                info.content_length
            ),
        ));
    }
    Ok(())
}

/// `dir/.name.ossbridge-<random>.part`, in the destination's directory so the final
/// rename stays on one file system.
pub(crate) fn temp_path_for(path: &Path) -> Result<PathBuf> {
    let name = path.file_name().ok_or_else(|| {
        Error::invalid_argument(format!(
            "download destination {} has no file name",
            path.display()
        ))
    })?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(Error::invalid_argument(format!(
            "directory {} does not exist",
            dir.display()
        )));
    }
    Ok(dir.join(format!(
        ".{}.ossbridge-{:016x}.part",
        name.to_string_lossy(),
        rand::random::<u64>()
    )))
}

/// A GetObject body as a stream of chunks. `info` and `meta` describe the response.
pub struct ObjectStream {
    pub info: ObjectInfo,
    pub meta: ResponseMeta,
    inner: BoxStream<'static, Result<Bytes>>,
}

impl std::fmt::Debug for ObjectStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectStream")
            .field("info", &self.info)
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}

/// An empty buffer with room for a body of `content_length` bytes: one allocation, no
/// copies as it grows. Untouched capacity costs no memory; a length the allocator refuses
/// (a bogus Content-Length) just leaves the buffer to grow as bytes arrive.
pub(crate) fn body_buffer(content_length: u64) -> Vec<u8> {
    let mut buf = Vec::new();
    let _ = buf.try_reserve_exact(usize::try_from(content_length).unwrap_or(usize::MAX));
    buf
}

impl ObjectStream {
    /// Reads the rest of the stream into memory.
    pub async fn collect(mut self) -> Result<Bytes> {
        let mut out = body_buffer(self.info.content_length);
        while let Some(chunk) = self.inner.next().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(Bytes::from(out))
    }
}

impl Stream for ObjectStream {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

struct StreamState {
    body: BoxStream<'static, reqwest::Result<Bytes>>,
    crc: Crc64,
    expected_crc: Option<u64>,
    expected_len: u64,
    request_id: String,
    progress: Option<Arc<ProgressTracker>>,
    done: bool,
}

async fn next_chunk(mut st: StreamState) -> Option<(Result<Bytes>, StreamState)> {
    if st.done {
        return None;
    }
    match st.body.next().await {
        Some(Ok(chunk)) => {
            st.crc.update(&chunk);
            if let Some(p) = &st.progress {
                p.update(st.crc.len());
            }
            Some((Ok(chunk), st))
        }
        Some(Err(e)) => {
            st.done = true;
            Some((Err(body_error(e, "streaming the object")), st))
        }
        None => {
            st.done = true;
            if st.crc.len() != st.expected_len {
                let msg = format!(
                    "connection closed after {} of {} bytes",
                    st.crc.len(),
                    st.expected_len
                );
                return Some((Err(Error::new(ErrorKind::Network, msg)), st));
            }
            if let Some(expected) = st.expected_crc {
                if let Err(e) = check_crc(st.crc.value(), expected, "download", &st.request_id) {
                    return Some((Err(e), st));
                }
            }
            if let Some(p) = &st.progress {
                p.finish();
            }
            None
        }
    }
}
