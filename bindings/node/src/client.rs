//! `NativeClient`: one async method per ali-oss call, over `ossbridge_core::Client`.
//!
//! Every method runs on napi's tokio runtime; the JS thread only converts arguments and
//! results. Results are plain JSON-shaped objects (`types.rs`); `lib/client.js` gives
//! them ali-oss's argument order and defaults.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use napi::bindgen_prelude::Buffer;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;
use napi_derive::napi;
use ossbridge_core::model::{
    content_type_for_path, AppendObjectOptions, ByteRange, CompleteMultipartUploadOptions,
    CompletedPart, CopyObjectOptions, GetObjectOptions, HeadObjectOptions,
    InitiateMultipartUploadOptions, ListBucketsOptions, ListObjectsOptions, ListObjectsV2Options,
    MetadataDirective, ObjectAttributes, ObjectSummary, PresignOptions, PutBucketOptions,
    PutObjectOptions, ResponseMeta, ServerSideEncryptionRule,
};
use ossbridge_core::sse::{AppendEncryption, ServerSideEncryption};
use ossbridge_core::transfer::{CheckpointCallback, UploadCheckpoint, UploadFileOptions};
use ossbridge_core::{Body, Client, Error};
use serde_json::{json, Value};
use tokio::sync::Notify;

use crate::config::{build_config, ClientOptions};
use crate::error::{invalid_argument, IntoNapi, MARKER};
use crate::stream::{DownloadStream, UploadSink};
use crate::types::{
    add_sse, checkpoint_from_js, checkpoint_to_js, object_info, pairs, res, user_meta, Timer,
};

/// Request options shared by the calls that write an object (ali-oss's `options`).
#[napi(object)]
#[derive(Default)]
pub struct WriteOptions {
    /// Raw request headers, as ali-oss users pass them (`x-oss-server-side-encryption`...).
    pub headers: Option<HashMap<String, String>>,
    /// Content-Type.
    pub mime: Option<String>,
    /// User metadata, sent as `x-oss-meta-<name>`.
    pub meta: Option<HashMap<String, String>>,
}

/// Where a body comes from: a file path (optionally a byte range of it) or a Buffer.
#[napi(object)]
pub struct Source {
    pub path: Option<String>,
    pub buffer: Option<Buffer>,
    /// Range of the file `[start, end)`, for uploadPart.
    pub start: Option<f64>,
    pub end: Option<f64>,
}

/// Turns ali-oss's `{headers, mime, meta}` into the core's typed options: SSE headers
/// become a validated [`ServerSideEncryption`], the rest object attributes.
fn write_options(
    opts: Option<WriteOptions>,
) -> ossbridge_core::Result<(Option<ServerSideEncryption>, ObjectAttributes)> {
    let opts = opts.unwrap_or_default();
    let (sse, mut attributes) = ObjectAttributes::from_raw_headers(&pairs(opts.headers))?;
    if let Some(mime) = opts.mime.filter(|m| !m.is_empty()) {
        attributes.content_type.get_or_insert(mime);
    }
    attributes.metadata.extend(pairs(opts.meta));
    Ok((sse, attributes))
}

fn body_from(source: Source) -> ossbridge_core::Result<Body> {
    let position = |v: Option<f64>, name: &str| -> ossbridge_core::Result<Option<u64>> {
        match v {
            None => Ok(None),
            Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 => Ok(Some(n as u64)),
            Some(n) => Err(Error::invalid_argument(format!(
                "{name} must be a non-negative integer, got {n}"
            ))),
        }
    };
    match (source.path, source.buffer) {
        (Some(path), None) => {
            let start = position(source.start, "start")?.unwrap_or(0);
            let len = match position(source.end, "end")? {
                Some(end) if end < start => {
                    return Err(Error::invalid_argument(format!(
                        "end {end} is before start {start}"
                    )))
                }
                Some(end) => Some(end - start),
                None => None,
            };
            Body::from_file_range(path, start, len)
        }
        // The Buffer is kept alive (not copied) until the request is done; retries resend it.
        (None, Some(buffer)) => Ok(Body::from_bytes(Bytes::from_owner(buffer))),
        _ => Err(Error::invalid_argument(
            "a body needs exactly one of a file path or a Buffer",
        )),
    }
}

fn u64_arg(v: Option<f64>, name: &str) -> napi::Result<Option<u64>> {
    match v {
        None => Ok(None),
        Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 => Ok(Some(n as u64)),
        Some(n) => Err(invalid_argument(format!(
            "{name} must be a non-negative integer, got {n}"
        ))),
    }
}

/// ali-oss treats 304 Not Modified (a conditional GET/HEAD whose condition held) as a
/// result with that status, not as an error.
fn not_modified(err: Error, t: &Timer) -> napi::Result<Value> {
    match err.service_error().filter(|s| s.status == 304) {
        Some(s) => Ok(json!({"res": res(&ResponseMeta::from_service_error(s), 0, t)})),
        None => Err(crate::error::to_napi(err)),
    }
}

/// The ali-oss error raised when `cancel()` stops a multipart upload.
fn cancelled() -> napi::Error {
    napi::Error::new(
        Status::GenericFailure,
        format!(
            "{MARKER}{}",
            json!({"name": "cancel", "code": "cancel", "kind": "Cancelled", "status": 0,
                   "message": "multipartUpload was cancelled"})
        ),
    )
}

#[napi(object)]
pub struct GetOptions {
    pub headers: Option<HashMap<String, String>>,
    /// Inclusive byte range start/end (end optional).
    pub range_start: Option<f64>,
    pub range_end: Option<f64>,
}

fn get_options(opts: Option<GetOptions>) -> napi::Result<GetObjectOptions> {
    let mut out = GetObjectOptions::default();
    if let Some(o) = opts {
        if let Some(start) = u64_arg(o.range_start, "range start")? {
            out.range = Some(ByteRange {
                start,
                end: u64_arg(o.range_end, "range end")?,
            });
        }
        out.extra_headers = pairs(o.headers);
    }
    Ok(out)
}

/// ali-oss's listV2 query, names normalised by the JS wrapper.
#[napi(object)]
pub struct ListV2Query {
    pub prefix: Option<String>,
    pub delimiter: Option<String>,
    pub start_after: Option<String>,
    pub max_keys: Option<u32>,
    pub continuation_token: Option<String>,
    pub fetch_owner: Option<bool>,
}

/// ali-oss's list query (ListObjects V1), names normalised by the JS wrapper.
#[napi(object)]
pub struct ListQuery {
    pub prefix: Option<String>,
    pub delimiter: Option<String>,
    /// List the keys after this one (the previous page's `nextMarker`).
    pub marker: Option<String>,
    pub max_keys: Option<u32>,
}

/// Per-call options of the listing calls (ali-oss's `options`).
#[napi(object)]
#[derive(Default)]
pub struct CallOptions {
    /// Whole-request timeout for this call in milliseconds, instead of the client's.
    pub timeout_ms: Option<f64>,
}

#[napi(object)]
pub struct MultipartOptions {
    pub parallel: Option<u32>,
    pub part_size: Option<f64>,
    pub headers: Option<HashMap<String, String>>,
    pub mime: Option<String>,
    pub meta: Option<HashMap<String, String>>,
    /// A checkpoint from an earlier `progress(p, checkpoint)` call.
    pub checkpoint: Option<Value>,
}

#[napi(js_name = "NativeClient")]
pub struct NativeClient {
    client: Client,
    bucket: Option<String>,
    cancel: Arc<Notify>,
}

impl NativeClient {
    /// The core client, for the encryption client built on it.
    pub fn core(&self) -> &Client {
        &self.client
    }

    fn bucket(&self, bucket: Option<String>) -> napi::Result<String> {
        bucket
            .filter(|b| !b.is_empty())
            .or_else(|| self.bucket.clone())
            .ok_or_else(|| {
                invalid_argument(
                    "no bucket: pass `bucket` to new OSS({...}) or call client.useBucket(name)",
                )
            })
    }

    fn url(&self, bucket: Option<&str>, key: Option<&str>) -> String {
        self.client.config().endpoint.url(bucket, key, &[])
    }

    /// The client to run one call with: this one, or for a per-call `timeout` a client
    /// with that request timeout (same endpoint and credentials, its own connections).
    fn client_for(&self, options: Option<&CallOptions>) -> napi::Result<Client> {
        let Some(ms) = options.and_then(|o| o.timeout_ms) else {
            return Ok(self.client.clone());
        };
        if !(ms.is_finite() && ms > 0.0) {
            return Err(invalid_argument(format!(
                "options.timeout must be a positive number of milliseconds, got {ms}"
            )));
        }
        let mut config = self.client.config().clone();
        config.request_timeout = Duration::from_secs_f64(ms / 1000.0);
        Client::new(config).into_napi()
    }

    /// `objects` of ali-oss's list and listV2 results.
    fn object_entries(&self, bucket: &str, objects: &[ObjectSummary]) -> Vec<Value> {
        objects
            .iter()
            .map(|o| self.object_entry(bucket, o))
            .collect()
    }

    /// One entry of `objects`; `owner` is null when OSS sent none (ListObjectsV2 without
    /// fetch-owner), as in ali-oss.
    fn object_entry(&self, bucket: &str, o: &ObjectSummary) -> Value {
        let owner = o
            .owner
            .as_ref()
            .map(|w| json!({"id": w.id, "displayName": w.display_name}));
        json!({
            "name": o.key, "url": self.url(Some(bucket), Some(&o.key)),
            "lastModified": o.last_modified, "etag": o.etag, "type": o.object_type,
            "size": o.size, "storageClass": o.storage_class, "owner": owner,
        })
    }
}

/// ali-oss's `prefixes`: null when there are none, as ali-oss leaves it.
fn prefixes_or_null(common_prefixes: &[String]) -> Value {
    if common_prefixes.is_empty() {
        Value::Null
    } else {
        json!(common_prefixes)
    }
}

#[napi]
impl NativeClient {
    #[napi(constructor)]
    pub fn new(options: ClientOptions) -> napi::Result<Self> {
        let config = build_config(&options).into_napi()?;
        let client = Client::new(config).into_napi()?;
        Ok(NativeClient {
            client,
            bucket: options.bucket.filter(|b| !b.is_empty()),
            cancel: Arc::new(Notify::new()),
        })
    }

    #[napi]
    pub fn use_bucket(&mut self, bucket: String) {
        self.bucket = Some(bucket).filter(|b| !b.is_empty());
    }

    #[napi(getter)]
    pub fn default_bucket(&self) -> Option<String> {
        self.bucket.clone()
    }

    /// Stops every multipartUpload of this client in flight (ali-oss `cancel()`).
    #[napi]
    pub fn cancel(&self) {
        self.cancel.notify_waiters();
    }

    // ---- buckets ----

    #[napi]
    pub async fn put_bucket(
        &self,
        name: String,
        acl: Option<String>,
        storage_class: Option<String>,
    ) -> napi::Result<Value> {
        let t = Timer::start();
        let options = PutBucketOptions {
            acl: acl
                .as_deref()
                .map(ossbridge_core::model::Acl::parse)
                .transpose()
                .into_napi()?,
            storage_class,
            encryption: None,
        };
        let r = self.client.put_bucket(&name, &options).await.into_napi()?;
        Ok(json!({"bucket": name, "res": res(&r.meta, 0, &t)}))
    }

    #[napi]
    pub async fn delete_bucket(&self, name: String) -> napi::Result<Value> {
        let t = Timer::start();
        let r = self.client.delete_bucket(&name).await.into_napi()?;
        Ok(json!({"res": res(&r.meta, 0, &t)}))
    }

    #[napi]
    pub async fn list_buckets(
        &self,
        prefix: Option<String>,
        marker: Option<String>,
        max_keys: Option<u32>,
    ) -> napi::Result<Value> {
        let t = Timer::start();
        let r = self
            .client
            .list_buckets(&ListBucketsOptions {
                prefix,
                marker,
                max_keys,
            })
            .await
            .into_napi()?;
        let buckets: Vec<Value> = r
            .buckets
            .iter()
            .map(|b| {
                json!({
                    "name": b.name, "region": b.location, "creationDate": b.creation_date,
                    "storageClass": b.storage_class, "StorageClass": b.storage_class,
                    "extranetEndpoint": b.extranet_endpoint, "intranetEndpoint": b.intranet_endpoint,
                })
            })
            .collect();
        Ok(json!({
            "buckets": buckets,
            "owner": {"id": r.owner_id, "displayName": r.owner_display_name},
            "isTruncated": r.is_truncated,
            "nextMarker": r.next_marker,
            "res": res(&r.meta, 0, &t),
        }))
    }

    #[napi]
    pub async fn get_bucket_info(&self, name: Option<String>) -> napi::Result<Value> {
        let t = Timer::start();
        let name = self.bucket(name)?;
        let r = self.client.get_bucket_info(&name).await.into_napi()?;
        let encryption = r.encryption.as_ref().map(rule_to_js);
        Ok(json!({
            "bucket": {
                "Name": r.name, "Location": r.location, "CreationDate": r.creation_date,
                "StorageClass": r.storage_class, "ExtranetEndpoint": r.extranet_endpoint,
                "IntranetEndpoint": r.intranet_endpoint,
                "AccessControlList": {"Grant": r.acl}, "Owner": {"ID": r.owner_id},
                "ServerSideEncryptionRule": encryption.clone().unwrap_or(json!({"SSEAlgorithm": "None"})),
            },
            "encryption": encryption,
            "res": res(&r.meta, 0, &t),
        }))
    }

    #[napi]
    pub async fn put_bucket_encryption(
        &self,
        name: String,
        sse_algorithm: String,
        kms_master_key_id: Option<String>,
        kms_data_encryption: Option<String>,
    ) -> napi::Result<Value> {
        let t = Timer::start();
        let rule = ServerSideEncryptionRule::from_parts(
            &sse_algorithm,
            kms_master_key_id.as_deref(),
            kms_data_encryption.as_deref(),
        )
        .into_napi()?;
        let r = self
            .client
            .put_bucket_encryption(&name, &rule)
            .await
            .into_napi()?;
        Ok(json!({"status": r.meta.status, "res": res(&r.meta, 0, &t)}))
    }

    #[napi]
    pub async fn get_bucket_encryption(&self, name: String) -> napi::Result<Value> {
        let t = Timer::start();
        let r = self.client.get_bucket_encryption(&name).await.into_napi()?;
        Ok(json!({
            "encryption": rule_to_js(&r.rule),
            "status": r.meta.status,
            "res": res(&r.meta, 0, &t),
        }))
    }

    #[napi]
    pub async fn delete_bucket_encryption(&self, name: String) -> napi::Result<Value> {
        let t = Timer::start();
        let r = self
            .client
            .delete_bucket_encryption(&name)
            .await
            .into_napi()?;
        Ok(json!({"status": r.meta.status, "res": res(&r.meta, 0, &t)}))
    }

    // ---- objects ----

    #[napi]
    pub async fn put(
        &self,
        bucket: Option<String>,
        name: String,
        source: Source,
        options: Option<WriteOptions>,
    ) -> napi::Result<Value> {
        let t = Timer::start();
        let bucket = self.bucket(bucket)?;
        let (sse, mut attributes) = write_options(options).into_napi()?;
        // As ali-oss: a file's Content-Type follows its extension unless one is given.
        if let (None, Some(path)) = (&attributes.content_type, &source.path) {
            attributes.content_type = content_type_for_path(Path::new(path)).map(str::to_string);
        }
        let body = body_from(source).into_napi()?;
        let opts = PutObjectOptions {
            sse,
            attributes,
            progress: None,
        };
        let r = self
            .client
            .put_object(&bucket, &name, body, &opts)
            .await
            .into_napi()?;
        Ok(self.put_result(&bucket, &name, &r.meta, &t))
    }

    /// Starts a PutObject whose body JS writes chunk by chunk (putStream).
    #[napi]
    pub fn put_stream(
        &self,
        bucket: Option<String>,
        name: String,
        content_length: Option<f64>,
        options: Option<WriteOptions>,
    ) -> napi::Result<UploadSink> {
        let bucket = self.bucket(bucket)?;
        let (sse, attributes) = write_options(options).into_napi()?;
        let len = u64_arg(content_length, "contentLength")?;
        let client = self.client.clone();
        let url = self.url(Some(&bucket), Some(&name));
        Ok(UploadSink::start(len, move |body| async move {
            let t = Timer::start();
            let opts = PutObjectOptions {
                sse,
                attributes,
                progress: None,
            };
            let r = client.put_object(&bucket, &name, body, &opts).await?;
            let mut out = json!({"name": name, "url": url, "res": res(&r.meta, 0, &t)});
            add_sse(&mut out, &r.meta.sse);
            Ok(out)
        }))
    }

    #[napi]
    pub async fn append(
        &self,
        bucket: Option<String>,
        name: String,
        source: Source,
        position: f64,
        options: Option<WriteOptions>,
    ) -> napi::Result<Value> {
        let t = Timer::start();
        let bucket = self.bucket(bucket)?;
        let position = u64_arg(Some(position), "position")?.unwrap_or(0);
        let (sse, attributes) = write_options(options).into_napi()?;
        let sse = sse
            .as_ref()
            .map(AppendEncryption::from_sse)
            .transpose()
            .into_napi()?;
        let body = body_from(source).into_napi()?;
        let opts = AppendObjectOptions {
            sse,
            attributes,
            init_crc64: None,
            progress: None,
        };
        let r = self
            .client
            .append_object(&bucket, &name, position, body, &opts)
            .await
            .into_napi()?;
        let mut out = self.put_result(&bucket, &name, &r.meta, &t);
        out["nextAppendPosition"] = json!(r.next_position.to_string());
        Ok(out)
    }

    fn put_result(&self, bucket: &str, name: &str, meta: &ResponseMeta, t: &Timer) -> Value {
        let url = self.url(Some(bucket), Some(name));
        let mut out = json!({"name": name, "url": url, "res": res(meta, 0, t)});
        add_sse(&mut out, &meta.sse);
        out
    }

    /// GetObject into memory (`content`) or into a file (`path`).
    #[napi]
    pub async fn get(
        &self,
        bucket: Option<String>,
        name: String,
        path: Option<String>,
        options: Option<GetOptions>,
    ) -> napi::Result<GetResult> {
        let t = Timer::start();
        let bucket = self.bucket(bucket)?;
        let opts = get_options(options)?;
        match path {
            Some(path) => {
                let r = match self
                    .client
                    .get_object_to_file(&bucket, &name, &path, &opts)
                    .await
                {
                    Ok(r) => r,
                    Err(e) => {
                        return not_modified(e, &t).map(|result| GetResult {
                            content: None,
                            result,
                        })
                    }
                };
                let mut out = json!({"res": res(&r.meta, r.bytes_written, &t), "info": object_info(&r.info, &r.meta)});
                add_sse(&mut out, &r.meta.sse);
                Ok(GetResult {
                    content: None,
                    result: out,
                })
            }
            None => {
                let r = match self.client.get_object(&bucket, &name, &opts).await {
                    Ok(r) => r,
                    Err(e) => {
                        return not_modified(e, &t).map(|result| GetResult {
                            content: Some(Buffer::from(Vec::new())),
                            result,
                        })
                    }
                };
                let mut out = json!({"res": res(&r.meta, r.data.len() as u64, &t), "info": object_info(&r.info, &r.meta)});
                add_sse(&mut out, &r.meta.sse);
                Ok(GetResult {
                    content: Some(Buffer::from(Vec::from(r.data))),
                    result: out,
                })
            }
        }
    }

    /// GetObject as a stream JS reads chunk by chunk (getStream).
    #[napi]
    pub async fn get_stream(
        &self,
        bucket: Option<String>,
        name: String,
        options: Option<GetOptions>,
    ) -> napi::Result<DownloadStream> {
        let t = Timer::start();
        let bucket = self.bucket(bucket)?;
        let opts = get_options(options)?;
        let stream = self
            .client
            .get_object_stream(&bucket, &name, &opts)
            .await
            .into_napi()?;
        let mut out = json!({"res": res(&stream.meta, stream.info.content_length, &t), "info": object_info(&stream.info, &stream.meta)});
        add_sse(&mut out, &stream.meta.sse);
        Ok(DownloadStream::start(stream, out))
    }

    #[napi]
    pub async fn head(
        &self,
        bucket: Option<String>,
        name: String,
        headers: Option<HashMap<String, String>>,
    ) -> napi::Result<Value> {
        let t = Timer::start();
        let bucket = self.bucket(bucket)?;
        let opts = HeadObjectOptions {
            extra_headers: pairs(headers),
        };
        let r = match self
            .client
            .head_object_with_options(&bucket, &name, &opts)
            .await
        {
            Ok(r) => r,
            Err(e) => {
                return not_modified(e, &t).map(|mut out| {
                    out["meta"] = Value::Null;
                    out["status"] = json!(304);
                    out
                })
            }
        };
        let mut out = json!({
            "meta": user_meta(&r.meta),
            "status": r.meta.status,
            "info": object_info(&r.info, &r.meta),
            "res": res(&r.meta, 0, &t),
        });
        add_sse(&mut out, &r.meta.sse);
        Ok(out)
    }

    #[napi]
    pub async fn copy(
        &self,
        bucket: Option<String>,
        name: String,
        source_bucket: Option<String>,
        source_name: String,
        options: Option<WriteOptions>,
    ) -> napi::Result<Value> {
        let t = Timer::start();
        let bucket = self.bucket(bucket)?;
        let source_bucket = source_bucket
            .filter(|b| !b.is_empty())
            .unwrap_or_else(|| bucket.clone());
        let options = options.unwrap_or_default();
        let mut opts = CopyObjectOptions::from_raw_headers(&pairs(options.headers)).into_napi()?;
        if let Some(mime) = options.mime.filter(|m| !m.is_empty()) {
            opts.attributes.content_type.get_or_insert(mime);
        }
        opts.attributes.metadata.extend(pairs(options.meta));
        // As ali-oss: new metadata or content type means REPLACE; otherwise the source's is kept.
        if opts.attributes.content_type.is_some() || !opts.attributes.metadata.is_empty() {
            opts.metadata_directive = MetadataDirective::Replace;
        }
        let r = self
            .client
            .copy_object(&source_bucket, &source_name, &bucket, &name, &opts)
            .await
            .into_napi()?;
        let mut out = json!({
            "data": {"etag": r.etag, "lastModified": r.last_modified},
            "res": res(&r.meta, 0, &t),
        });
        add_sse(&mut out, &r.meta.sse);
        Ok(out)
    }

    #[napi]
    pub async fn delete(&self, bucket: Option<String>, name: String) -> napi::Result<Value> {
        let t = Timer::start();
        let bucket = self.bucket(bucket)?;
        let r = self
            .client
            .delete_object(&bucket, &name)
            .await
            .into_napi()?;
        Ok(json!({"res": res(&r.meta, 0, &t)}))
    }

    #[napi]
    pub async fn delete_multi(
        &self,
        bucket: Option<String>,
        names: Vec<String>,
        quiet: Option<bool>,
    ) -> napi::Result<Value> {
        let t = Timer::start();
        let bucket = self.bucket(bucket)?;
        let r = self
            .client
            .delete_multiple_objects(&bucket, &names, quiet.unwrap_or(false))
            .await
            .into_napi()?;
        let deleted: Vec<Value> = r.deleted.iter().map(|k| json!({"Key": k})).collect();
        Ok(json!({"deleted": deleted, "res": res(&r.meta, 0, &t)}))
    }

    /// ListObjects (V1, marker-based): ali-oss's `list`.
    #[napi]
    pub async fn list(
        &self,
        bucket: Option<String>,
        query: ListQuery,
        options: Option<CallOptions>,
    ) -> napi::Result<Value> {
        let t = Timer::start();
        let bucket = self.bucket(bucket)?;
        let client = self.client_for(options.as_ref())?;
        let opts = ListObjectsOptions {
            prefix: query.prefix,
            delimiter: query.delimiter,
            marker: query.marker,
            max_keys: query.max_keys,
        };
        let r = client.list_objects(&bucket, &opts).await.into_napi()?;
        let objects = self.object_entries(&bucket, &r.objects);
        Ok(json!({
            "res": res(&r.meta, 0, &t),
            "objects": objects,
            "prefixes": prefixes_or_null(&r.common_prefixes),
            "nextMarker": r.next_marker,
            "isTruncated": r.is_truncated,
        }))
    }

    #[napi(js_name = "listV2")]
    pub async fn list_v2(
        &self,
        bucket: Option<String>,
        query: ListV2Query,
        options: Option<CallOptions>,
    ) -> napi::Result<Value> {
        let t = Timer::start();
        let bucket = self.bucket(bucket)?;
        let client = self.client_for(options.as_ref())?;
        let continuation_token = query.continuation_token.clone();
        let opts = ListObjectsV2Options {
            prefix: query.prefix,
            delimiter: query.delimiter,
            start_after: query.start_after,
            max_keys: query.max_keys,
            continuation_token: query.continuation_token,
            fetch_owner: query.fetch_owner.unwrap_or(false),
        };
        let r = client.list_objects_v2(&bucket, &opts).await.into_napi()?;
        let objects = self.object_entries(&bucket, &r.objects);
        Ok(json!({
            "objects": objects,
            "prefixes": prefixes_or_null(&r.common_prefixes),
            "isTruncated": r.is_truncated,
            "keyCount": r.key_count,
            "continuationToken": continuation_token,
            "nextContinuationToken": r.next_continuation_token,
            "res": res(&r.meta, 0, &t),
        }))
    }

    /// A presigned URL (ali-oss `signatureUrl`); `expires` in seconds.
    #[napi]
    pub async fn signature_url(
        &self,
        bucket: Option<String>,
        name: String,
        method: Option<String>,
        expires: Option<f64>,
        headers: Option<HashMap<String, String>>,
    ) -> napi::Result<String> {
        let bucket = self.bucket(bucket)?;
        let expires = u64_arg(expires, "expires")?.unwrap_or(1800);
        let opts = PresignOptions {
            method: method.unwrap_or_else(|| "GET".into()),
            expires: std::time::Duration::from_secs(expires),
            headers: pairs(headers),
        };
        Ok(self
            .client
            .presign(&bucket, &name, &opts)
            .await
            .into_napi()?
            .url)
    }

    /// `signature_url` for ali-oss's synchronous `signatureUrl`. Signing does no I/O with
    /// the static credentials this client holds, so blocking here is only a computation.
    #[napi]
    pub fn signature_url_sync(
        &self,
        bucket: Option<String>,
        name: String,
        method: Option<String>,
        expires: Option<f64>,
        headers: Option<HashMap<String, String>>,
    ) -> napi::Result<String> {
        napi::bindgen_prelude::block_on(self.signature_url(bucket, name, method, expires, headers))
    }

    // ---- multipart ----

    #[napi]
    pub async fn init_multipart_upload(
        &self,
        bucket: Option<String>,
        name: String,
        options: Option<WriteOptions>,
    ) -> napi::Result<Value> {
        let t = Timer::start();
        let bucket = self.bucket(bucket)?;
        let (sse, attributes) = write_options(options).into_napi()?;
        let r = self
            .client
            .initiate_multipart_upload(
                &bucket,
                &name,
                &InitiateMultipartUploadOptions { sse, attributes },
            )
            .await
            .into_napi()?;
        let mut out = json!({
            "bucket": r.bucket, "name": r.key, "uploadId": r.upload_id,
            "res": res(&r.meta, 0, &t),
        });
        add_sse(&mut out, &r.meta.sse);
        Ok(out)
    }

    #[napi]
    pub async fn upload_part(
        &self,
        bucket: Option<String>,
        name: String,
        upload_id: String,
        part_number: u32,
        source: Source,
    ) -> napi::Result<Value> {
        let t = Timer::start();
        let bucket = self.bucket(bucket)?;
        let body = body_from(source).into_napi()?;
        let r = self
            .client
            .upload_part(&bucket, &name, &upload_id, part_number, body)
            .await
            .into_napi()?;
        Ok(json!({
            "name": name, "etag": r.etag, "size": r.size,
            "res": res(&r.meta, 0, &t),
        }))
    }

    /// `parts` as ali-oss takes them: `[{number, etag}]`, any order, duplicates dropped.
    #[napi]
    pub async fn complete_multipart_upload(
        &self,
        bucket: Option<String>,
        name: String,
        upload_id: String,
        parts: Vec<PartRef>,
    ) -> napi::Result<Value> {
        let t = Timer::start();
        let bucket = self.bucket(bucket)?;
        let mut parts: Vec<CompletedPart> = parts
            .into_iter()
            .map(|p| CompletedPart {
                part_number: p.number,
                etag: p.etag,
            })
            .collect();
        parts.sort_by_key(|p| p.part_number);
        parts.dedup_by_key(|p| p.part_number);
        let r = self
            .client
            .complete_multipart_upload(
                &bucket,
                &name,
                &upload_id,
                &parts,
                &CompleteMultipartUploadOptions::default(),
            )
            .await
            .into_napi()?;
        let mut out = json!({
            "bucket": bucket, "name": name, "etag": r.etag,
            "res": res(&r.meta, 0, &t),
        });
        add_sse(&mut out, &r.meta.sse);
        Ok(out)
    }

    #[napi]
    pub async fn abort_multipart_upload(
        &self,
        bucket: Option<String>,
        name: String,
        upload_id: String,
    ) -> napi::Result<Value> {
        let t = Timer::start();
        let bucket = self.bucket(bucket)?;
        let r = self
            .client
            .abort_multipart_upload(&bucket, &name, &upload_id)
            .await
            .into_napi()?;
        Ok(json!({"res": res(&r.meta, 0, &t)}))
    }

    /// Resumable concurrent upload of a file (ali-oss `multipartUpload`). `on_checkpoint`
    /// gets the checkpoint after every finished part; `cancel()` stops the upload.
    #[napi]
    pub async fn multipart_upload(
        &self,
        bucket: Option<String>,
        name: String,
        path: String,
        options: Option<MultipartOptions>,
        on_checkpoint: Option<ThreadsafeFunction<Value, (), Value, Status, false>>,
    ) -> napi::Result<Value> {
        let t = Timer::start();
        let bucket = self.bucket(bucket)?;
        let options = options.unwrap_or(MultipartOptions {
            parallel: None,
            part_size: None,
            headers: None,
            mime: None,
            meta: None,
            checkpoint: None,
        });
        let (sse, attributes) = write_options(Some(WriteOptions {
            headers: options.headers,
            mime: options.mime,
            meta: options.meta,
        }))
        .into_napi()?;
        let mut opts = UploadFileOptions {
            sse,
            attributes,
            ..UploadFileOptions::default()
        };
        if let Some(p) = options.parallel {
            opts.parallel = p as usize;
        }
        if let Some(size) = u64_arg(options.part_size, "partSize")? {
            opts.part_size = size;
        }
        if let Some(cp) = options.checkpoint.as_ref().filter(|v| !v.is_null()) {
            let cp: UploadCheckpoint = checkpoint_from_js(cp).into_napi()?;
            opts.resume_from = Some(cp);
        }
        if let Some(tsfn) = on_checkpoint {
            let tsfn = Arc::new(tsfn);
            opts.on_checkpoint = Some(CheckpointCallback(Arc::new(
                move |cp: &UploadCheckpoint| {
                    tsfn.call(
                        checkpoint_to_js(cp),
                        ThreadsafeFunctionCallMode::NonBlocking,
                    );
                },
            )));
        }
        let cancel = self.cancel.clone();
        let notified = cancel.notified();
        let r = tokio::select! {
            r = self.client.upload_file(&bucket, &name, &path, &opts) => r.into_napi()?,
            _ = notified => return Err(cancelled()),
        };
        let mut out = json!({
            "bucket": bucket, "name": name, "etag": r.meta.etag,
            "uploadId": r.upload_id, "partCount": r.part_count, "partsUploaded": r.parts_uploaded,
            "crc64": r.crc64.to_string(),
            "res": res(&r.meta, 0, &t),
        });
        add_sse(&mut out, &r.meta.sse);
        Ok(out)
    }
}

#[napi(object)]
pub struct PartRef {
    pub number: u32,
    pub etag: String,
}

/// GetObject into memory: the bytes plus the result object.
#[napi(object)]
pub struct GetResult {
    pub content: Option<Buffer>,
    pub result: Value,
}

/// ali-oss's encryption object: the XML element names.
fn rule_to_js(rule: &ServerSideEncryptionRule) -> Value {
    let mut out = json!({"SSEAlgorithm": rule.sse_algorithm()});
    if let Some(id) = rule.kms_master_key_id() {
        out["KMSMasterKeyID"] = json!(id);
    }
    if let Some(d) = rule.kms_data_encryption() {
        out["KMSDataEncryption"] = json!(d);
    }
    out
}
