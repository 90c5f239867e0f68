//! `NativeService` and `NativeBucket`: the core client's calls with Python arguments.
//!
//! Every call either blocks (GIL released) or, with `awaitable=True`, returns an asyncio
//! awaitable; both run the same future on the module's runtime. Results are dicts
//! ([`Fields`]) that `ossbridge/models.py` turns into oss2's result classes.
//!
//! Fork safety: the core client's connection pool belongs to the runtime that created it,
//! so a client built for an earlier runtime (before a fork or a shutdown) is replaced.

use std::future::Future;
use std::time::Duration;

use ossbridge_core::config::ClientConfig;
use ossbridge_core::endpoint::AddressingStyle;
use ossbridge_core::model::{
    Acl, ByteRange, CompleteMultipartUploadOptions, CompletedPart, CopyObjectOptions,
    GetObjectOptions, InitiateMultipartUploadOptions, ListBucketsOptions, ListObjectsOptions,
    ListObjectsV2Options, ObjectSummary, PresignOptions, PutBucketOptions, PutObjectOptions,
    ServerSideEncryptionRule,
};
use ossbridge_core::model::{AppendObjectOptions, HeadObjectOptions};
use ossbridge_core::sse::AppendEncryption;
use ossbridge_core::transfer::{
    DownloadFileOptions, UploadFileOptions, DEFAULT_PARALLEL, DEFAULT_PART_SIZE,
};
use ossbridge_core::{crc64, Client};
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;

use crate::auth::PyAuthBase;
use crate::body::body_from_py;
use crate::convert::{object_options, progress, Fields, RawHeaders, Value};
use crate::errors::IntoPyResult;
use crate::reader::ObjectReader;
use crate::runtime;

/// Runs `future` blocking (GIL released) or returns it as an asyncio awaitable.
pub(crate) fn run<'py, T, F>(
    py: Python<'py>,
    awaitable: bool,
    future: F,
) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    if awaitable {
        runtime::into_awaitable(py, future)
    } else {
        runtime::block_on(py, future)?.into_bound_py_any(py)
    }
}

/// The core client of the current runtime (rebuilt after a fork or a runtime shutdown:
/// pooled connections belong to the runtime that opened them).
pub(crate) struct ClientCell {
    config: ClientConfig,
    current: runtime::PerRuntime<Client>,
}

impl ClientCell {
    pub(crate) fn new(config: ClientConfig) -> ClientCell {
        ClientCell {
            config,
            current: runtime::PerRuntime::new(),
        }
    }

    pub(crate) fn get(&self) -> PyResult<Client> {
        self.current
            .get_or_build(|| Client::new(self.config.clone()).py())
    }
}

/// The client settings oss2's Bucket and Service take.
#[allow(clippy::too_many_arguments)]
pub(crate) fn build_config(
    auth: &PyAuthBase,
    endpoint: &str,
    region: Option<&str>,
    enable_crc: bool,
    connect_timeout: Option<f64>,
    is_path_style: bool,
    is_cname: bool,
    app_name: &str,
) -> PyResult<ClientConfig> {
    let mut builder = ClientConfig::builder()
        .endpoint(endpoint)
        .signature_version(auth.version)
        .credentials_provider(auth.provider.clone())
        .crc_check(enable_crc);
    if let Some(region) = region.filter(|r| !r.is_empty()) {
        builder = builder.region(region);
    }
    if let Some(seconds) = connect_timeout {
        // oss2's connect_timeout bounds both connecting and each read, as requests does.
        let timeout = Duration::try_from_secs_f64(seconds).map_err(|_| {
            pyo3::exceptions::PyValueError::new_err(format!(
                "connect_timeout must be a positive number of seconds, got {seconds}"
            ))
        })?;
        builder = builder.connect_timeout(timeout).read_timeout(timeout);
    }
    if is_cname {
        builder = builder.addressing_style(AddressingStyle::Cname);
    } else if is_path_style {
        builder = builder.addressing_style(AddressingStyle::Path);
    }
    if !app_name.is_empty() {
        builder = builder.user_agent(format!(
            "ossbridge-python/{}/{app_name}",
            env!("CARGO_PKG_VERSION")
        ));
    } else {
        builder = builder.user_agent(format!("ossbridge-python/{}", env!("CARGO_PKG_VERSION")));
    }
    builder.build().py()
}

/// oss2's `Service`: account-level calls.
#[pyclass(module = "ossbridge._ossbridge", frozen)]
pub struct NativeService {
    client: ClientCell,
}

#[pymethods]
impl NativeService {
    #[new]
    #[pyo3(signature = (auth, endpoint, region = None, connect_timeout = None, app_name = ""))]
    fn new(
        auth: &Bound<'_, PyAuthBase>,
        endpoint: &str,
        region: Option<&str>,
        connect_timeout: Option<f64>,
        app_name: &str,
    ) -> PyResult<Self> {
        let config = build_config(
            auth.get(),
            endpoint,
            region,
            true,
            connect_timeout,
            false,
            false,
            app_name,
        )?;
        Ok(NativeService {
            client: ClientCell::new(config),
        })
    }

    #[pyo3(signature = (prefix = None, marker = None, max_keys = None, awaitable = false))]
    fn list_buckets<'py>(
        &self,
        py: Python<'py>,
        prefix: Option<String>,
        marker: Option<String>,
        max_keys: Option<u32>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client.get()?;
        let options = ListBucketsOptions {
            prefix,
            marker,
            max_keys,
        };
        run(py, awaitable, async move {
            let r = client.list_buckets(&options).await.py()?;
            let buckets: Vec<Value> = r
                .buckets
                .into_iter()
                .map(|b| {
                    Fields::new()
                        .with("name", b.name)
                        .with("location", b.location)
                        .with("creation_date", b.creation_date)
                        .with("extranet_endpoint", b.extranet_endpoint)
                        .with("intranet_endpoint", b.intranet_endpoint)
                        .with("region", b.region)
                        .with("storage_class", b.storage_class)
                        .into()
                })
                .collect();
            Ok(Fields::meta(&r.meta)
                .with("buckets", Value::List(buckets))
                .with("owner_id", r.owner_id)
                .with("owner_display_name", r.owner_display_name)
                .with("is_truncated", r.is_truncated)
                .with("next_marker", r.next_marker))
        })
    }
}

/// oss2's `Bucket`: every call on one bucket.
#[pyclass(module = "ossbridge._ossbridge", frozen)]
pub struct NativeBucket {
    client: ClientCell,
    bucket: String,
}

fn rule_fields(rule: &ServerSideEncryptionRule) -> Fields {
    Fields::new()
        .with("sse_algorithm", rule.sse_algorithm())
        .with("kms_master_keyid", rule.kms_master_key_id())
        .with("kms_data_encryption", rule.kms_data_encryption())
}

#[pymethods]
impl NativeBucket {
    #[new]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (auth, endpoint, bucket_name, region = None, enable_crc = true, connect_timeout = None, is_path_style = false, is_cname = false, app_name = ""))]
    fn new(
        auth: &Bound<'_, PyAuthBase>,
        endpoint: &str,
        bucket_name: String,
        region: Option<&str>,
        enable_crc: bool,
        connect_timeout: Option<f64>,
        is_path_style: bool,
        is_cname: bool,
        app_name: &str,
    ) -> PyResult<Self> {
        let config = build_config(
            auth.get(),
            endpoint,
            region,
            enable_crc,
            connect_timeout,
            is_path_style,
            is_cname,
            app_name,
        )?;
        Ok(NativeBucket {
            client: ClientCell::new(config),
            bucket: bucket_name,
        })
    }

    #[getter]
    fn bucket_name(&self) -> &str {
        &self.bucket
    }

    #[getter]
    fn enable_crc(&self) -> bool {
        self.client.config.crc_check
    }

    // ---- bucket calls -------------------------------------------------------------------

    #[pyo3(signature = (acl = None, storage_class = None, awaitable = false))]
    fn create_bucket<'py>(
        &self,
        py: Python<'py>,
        acl: Option<&str>,
        storage_class: Option<String>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        let options = PutBucketOptions {
            acl: acl.map(Acl::parse).transpose().py()?,
            storage_class,
            encryption: None,
        };
        run(py, awaitable, async move {
            Ok(Fields::meta(
                &client.put_bucket(&bucket, &options).await.py()?.meta,
            ))
        })
    }

    #[pyo3(signature = (awaitable = false))]
    fn delete_bucket<'py>(&self, py: Python<'py>, awaitable: bool) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        run(py, awaitable, async move {
            Ok(Fields::meta(
                &client.delete_bucket(&bucket).await.py()?.meta,
            ))
        })
    }

    #[pyo3(signature = (awaitable = false))]
    fn get_bucket_info<'py>(
        &self,
        py: Python<'py>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        run(py, awaitable, async move {
            let info = client.get_bucket_info(&bucket).await.py()?;
            Ok(Fields::meta(&info.meta)
                .with("name", info.name)
                .with("location", info.location)
                .with("creation_date", info.creation_date)
                .with("storage_class", info.storage_class)
                .with("acl", info.acl)
                .with("owner_id", info.owner_id)
                .with("extranet_endpoint", info.extranet_endpoint)
                .with("intranet_endpoint", info.intranet_endpoint)
                .with("encryption", info.encryption.as_ref().map(rule_fields)))
        })
    }

    #[pyo3(signature = (sse_algorithm, kms_master_keyid = None, kms_data_encryption = None, awaitable = false))]
    fn put_bucket_encryption<'py>(
        &self,
        py: Python<'py>,
        sse_algorithm: &str,
        kms_master_keyid: Option<&str>,
        kms_data_encryption: Option<&str>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        let rule = ServerSideEncryptionRule::from_parts(
            sse_algorithm,
            kms_master_keyid.filter(|k| !k.is_empty()),
            kms_data_encryption.filter(|d| !d.is_empty()),
        )
        .py()?;
        run(py, awaitable, async move {
            Ok(Fields::meta(
                &client
                    .put_bucket_encryption(&bucket, &rule)
                    .await
                    .py()?
                    .meta,
            ))
        })
    }

    #[pyo3(signature = (awaitable = false))]
    fn get_bucket_encryption<'py>(
        &self,
        py: Python<'py>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        run(py, awaitable, async move {
            let r = client.get_bucket_encryption(&bucket).await.py()?;
            Ok(Fields::meta(&r.meta).with("rule", rule_fields(&r.rule)))
        })
    }

    #[pyo3(signature = (awaitable = false))]
    fn delete_bucket_encryption<'py>(
        &self,
        py: Python<'py>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        run(py, awaitable, async move {
            Ok(Fields::meta(
                &client.delete_bucket_encryption(&bucket).await.py()?.meta,
            ))
        })
    }

    // ---- object calls -------------------------------------------------------------------

    #[pyo3(signature = (key, data, headers = Vec::new(), progress_callback = None, awaitable = false))]
    fn put_object<'py>(
        &self,
        py: Python<'py>,
        key: String,
        data: &Bound<'py, PyAny>,
        headers: RawHeaders,
        progress_callback: Option<Py<PyAny>>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        let (sse, attributes) = object_options(&headers)?;
        let options = PutObjectOptions {
            sse,
            attributes,
            progress: progress(progress_callback),
        };
        let body = body_from_py(data)?;
        run(py, awaitable, async move {
            Ok(Fields::meta(
                &client
                    .put_object(&bucket, &key, body, &options)
                    .await
                    .py()?
                    .meta,
            ))
        })
    }

    #[pyo3(signature = (key, byte_range = None, headers = Vec::new(), progress_callback = None, awaitable = false))]
    fn get_object<'py>(
        &self,
        py: Python<'py>,
        key: String,
        byte_range: Option<(u64, Option<u64>)>,
        headers: RawHeaders,
        progress_callback: Option<Py<PyAny>>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        let options = GetObjectOptions {
            range: byte_range.map(|(start, end)| ByteRange { start, end }),
            progress: progress(progress_callback),
            extra_headers: headers,
        };
        run(py, awaitable, async move {
            let stream = client
                .get_object_stream(&bucket, &key, &options)
                .await
                .py()?;
            let fields = Fields::object(&stream.meta, &stream.info);
            Ok((fields, ObjectReader::new(stream)))
        })
    }

    #[pyo3(signature = (key, filename, byte_range = None, headers = Vec::new(), progress_callback = None, awaitable = false))]
    #[allow(clippy::too_many_arguments)]
    fn get_object_to_file<'py>(
        &self,
        py: Python<'py>,
        key: String,
        filename: String,
        byte_range: Option<(u64, Option<u64>)>,
        headers: RawHeaders,
        progress_callback: Option<Py<PyAny>>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        let options = GetObjectOptions {
            range: byte_range.map(|(start, end)| ByteRange { start, end }),
            progress: progress(progress_callback),
            extra_headers: headers,
        };
        run(py, awaitable, async move {
            let r = client
                .get_object_to_file(&bucket, &key, &filename, &options)
                .await
                .py()?;
            Ok(Fields::object(&r.meta, &r.info).with("bytes_written", r.bytes_written))
        })
    }

    #[pyo3(signature = (key, headers = Vec::new(), awaitable = false))]
    fn head_object<'py>(
        &self,
        py: Python<'py>,
        key: String,
        headers: RawHeaders,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        let options = HeadObjectOptions {
            extra_headers: headers,
        };
        run(py, awaitable, async move {
            let r = client
                .head_object_with_options(&bucket, &key, &options)
                .await
                .py()?;
            Ok(Fields::object(&r.meta, &r.info))
        })
    }

    #[pyo3(signature = (source_bucket_name, source_key, target_key, headers = Vec::new(), awaitable = false))]
    fn copy_object<'py>(
        &self,
        py: Python<'py>,
        source_bucket_name: String,
        source_key: String,
        target_key: String,
        headers: RawHeaders,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        let options = CopyObjectOptions::from_raw_headers(&headers).py()?;
        run(py, awaitable, async move {
            let r = client
                .copy_object(
                    &source_bucket_name,
                    &source_key,
                    &bucket,
                    &target_key,
                    &options,
                )
                .await
                .py()?;
            Ok(Fields::meta(&r.meta)
                .with("copy_etag", r.etag)
                .with("copy_last_modified", r.last_modified))
        })
    }

    #[pyo3(signature = (key, position, data, headers = Vec::new(), init_crc = None, progress_callback = None, awaitable = false))]
    #[allow(clippy::too_many_arguments)]
    fn append_object<'py>(
        &self,
        py: Python<'py>,
        key: String,
        position: u64,
        data: &Bound<'py, PyAny>,
        headers: RawHeaders,
        init_crc: Option<u64>,
        progress_callback: Option<Py<PyAny>>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        let (sse, attributes) = object_options(&headers)?;
        let options = AppendObjectOptions {
            sse: sse
                .as_ref()
                .map(AppendEncryption::from_sse)
                .transpose()
                .py()?,
            attributes,
            init_crc64: init_crc,
            progress: progress(progress_callback),
        };
        let body = body_from_py(data)?;
        run(py, awaitable, async move {
            let r = client
                .append_object(&bucket, &key, position, body, &options)
                .await
                .py()?;
            Ok(Fields::meta(&r.meta).with("next_position", r.next_position))
        })
    }

    #[pyo3(signature = (key, awaitable = false))]
    fn delete_object<'py>(
        &self,
        py: Python<'py>,
        key: String,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        run(py, awaitable, async move {
            Ok(Fields::meta(
                &client.delete_object(&bucket, &key).await.py()?.meta,
            ))
        })
    }

    #[pyo3(signature = (keys, quiet = false, awaitable = false))]
    fn batch_delete_objects<'py>(
        &self,
        py: Python<'py>,
        keys: Vec<String>,
        quiet: bool,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        run(py, awaitable, async move {
            let r = client
                .delete_multiple_objects(&bucket, &keys, quiet)
                .await
                .py()?;
            Ok(Fields::meta(&r.meta).with("deleted_keys", r.deleted))
        })
    }

    #[pyo3(signature = (prefix = None, delimiter = None, marker = None, max_keys = None, awaitable = false))]
    fn list_objects<'py>(
        &self,
        py: Python<'py>,
        prefix: Option<String>,
        delimiter: Option<String>,
        marker: Option<String>,
        max_keys: Option<u32>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        let options = ListObjectsOptions {
            prefix,
            delimiter,
            marker,
            max_keys,
        };
        run(py, awaitable, async move {
            let page = client.list_objects(&bucket, &options).await.py()?;
            Ok(Fields::meta(&page.meta)
                .with("objects", object_summaries(page.objects))
                .with("common_prefixes", page.common_prefixes)
                .with("is_truncated", page.is_truncated)
                .with("next_marker", page.next_marker))
        })
    }

    #[pyo3(signature = (prefix = None, delimiter = None, continuation_token = None, start_after = None, fetch_owner = false, max_keys = None, awaitable = false))]
    #[allow(clippy::too_many_arguments)]
    fn list_objects_v2<'py>(
        &self,
        py: Python<'py>,
        prefix: Option<String>,
        delimiter: Option<String>,
        continuation_token: Option<String>,
        start_after: Option<String>,
        fetch_owner: bool,
        max_keys: Option<u32>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        let options = ListObjectsV2Options {
            prefix,
            delimiter,
            start_after,
            max_keys,
            continuation_token,
            fetch_owner,
        };
        run(py, awaitable, async move {
            let page = client.list_objects_v2(&bucket, &options).await.py()?;
            Ok(Fields::meta(&page.meta)
                .with("objects", object_summaries(page.objects))
                .with("common_prefixes", page.common_prefixes)
                .with("is_truncated", page.is_truncated)
                .with("next_continuation_token", page.next_continuation_token)
                .with("key_count", page.key_count))
        })
    }

    // ---- multipart ----------------------------------------------------------------------

    #[pyo3(signature = (key, headers = Vec::new(), awaitable = false))]
    fn init_multipart_upload<'py>(
        &self,
        py: Python<'py>,
        key: String,
        headers: RawHeaders,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        let (sse, attributes) = object_options(&headers)?;
        let options = InitiateMultipartUploadOptions { sse, attributes };
        run(py, awaitable, async move {
            let r = client
                .initiate_multipart_upload(&bucket, &key, &options)
                .await
                .py()?;
            Ok(Fields::meta(&r.meta).with("upload_id", r.upload_id))
        })
    }

    #[pyo3(signature = (key, upload_id, part_number, data, awaitable = false))]
    fn upload_part<'py>(
        &self,
        py: Python<'py>,
        key: String,
        upload_id: String,
        part_number: u32,
        data: &Bound<'py, PyAny>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        let body = body_from_py(data)?;
        run(py, awaitable, async move {
            let r = client
                .upload_part(&bucket, &key, &upload_id, part_number, body)
                .await
                .py()?;
            Ok(Fields::meta(&r.meta)
                .with("part_number", r.part_number)
                .with("size", r.size)
                .with("part_crc", r.crc64))
        })
    }

    /// `parts` are `(part_number, etag, size, part_crc)`; when every part has its size and
    /// CRC (as upload_part results do), the object's CRC-64 is combined from them and checked.
    #[pyo3(signature = (key, upload_id, parts, awaitable = false))]
    fn complete_multipart_upload<'py>(
        &self,
        py: Python<'py>,
        key: String,
        upload_id: String,
        parts: Vec<(u32, String, Option<u64>, Option<u64>)>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        let expected_crc64 = crc64::combine_parts(
            parts
                .iter()
                .map(|(_, _, size, part_crc)| part_crc.zip(*size)),
        );
        let completed: Vec<CompletedPart> = parts
            .into_iter()
            .map(|(part_number, etag, _, _)| CompletedPart { part_number, etag })
            .collect();
        let options = CompleteMultipartUploadOptions { expected_crc64 };
        run(py, awaitable, async move {
            let r = client
                .complete_multipart_upload(&bucket, &key, &upload_id, &completed, &options)
                .await
                .py()?;
            Ok(Fields::meta(&r.meta).with("location", r.location))
        })
    }

    #[pyo3(signature = (key, upload_id, awaitable = false))]
    fn abort_multipart_upload<'py>(
        &self,
        py: Python<'py>,
        key: String,
        upload_id: String,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        run(py, awaitable, async move {
            Ok(Fields::meta(
                &client
                    .abort_multipart_upload(&bucket, &key, &upload_id)
                    .await
                    .py()?
                    .meta,
            ))
        })
    }

    #[pyo3(signature = (key, upload_id, awaitable = false))]
    fn list_parts<'py>(
        &self,
        py: Python<'py>,
        key: String,
        upload_id: String,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        run(py, awaitable, async move {
            let parts = client
                .list_all_parts(&bucket, &key, &upload_id)
                .await
                .py()?;
            let parts: Vec<Value> = parts
                .into_iter()
                .map(|p| {
                    Fields::new()
                        .with("part_number", p.part_number)
                        .with("etag", p.etag)
                        .with("size", p.size)
                        .with("last_modified", p.last_modified)
                        .with("part_crc", p.crc64)
                        .into()
                })
                .collect();
            Ok(Fields::new().with("parts", Value::List(parts)))
        })
    }

    // ---- transfers ----------------------------------------------------------------------

    #[pyo3(signature = (key, filename, headers = Vec::new(), multipart_threshold = None, part_size = None, num_threads = None, checkpoint_file = None, progress_callback = None, awaitable = false))]
    #[allow(clippy::too_many_arguments)]
    fn upload_file<'py>(
        &self,
        py: Python<'py>,
        key: String,
        filename: String,
        headers: RawHeaders,
        multipart_threshold: Option<u64>,
        part_size: Option<u64>,
        num_threads: Option<usize>,
        checkpoint_file: Option<String>,
        progress_callback: Option<Py<PyAny>>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        let (sse, attributes) = object_options(&headers)?;
        let defaults = UploadFileOptions::default();
        let options = UploadFileOptions {
            part_size: part_size.unwrap_or(defaults.part_size),
            parallel: num_threads.unwrap_or(defaults.parallel),
            multipart_threshold: multipart_threshold.or(defaults.multipart_threshold),
            checkpoint_file: checkpoint_file.map(Into::into),
            sse,
            attributes,
            progress: progress(progress_callback),
            ..defaults
        };
        run(py, awaitable, async move {
            let r = client
                .upload_file(&bucket, &key, &filename, &options)
                .await
                .py()?;
            Ok(Fields::meta(&r.meta)
                .with("size", r.size)
                .with("upload_id", r.upload_id)
                .with("part_count", r.part_count)
                .with("parts_uploaded", r.parts_uploaded)
                .with("object_crc", r.crc64))
        })
    }

    #[pyo3(signature = (key, filename, part_size = None, num_threads = None, checkpoint_file = None, progress_callback = None, awaitable = false))]
    #[allow(clippy::too_many_arguments)]
    fn download_file<'py>(
        &self,
        py: Python<'py>,
        key: String,
        filename: String,
        part_size: Option<u64>,
        num_threads: Option<usize>,
        checkpoint_file: Option<String>,
        progress_callback: Option<Py<PyAny>>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        let options = DownloadFileOptions {
            part_size: part_size.unwrap_or(DEFAULT_PART_SIZE),
            parallel: num_threads.unwrap_or(DEFAULT_PARALLEL),
            checkpoint_file: checkpoint_file.map(Into::into),
            progress: progress(progress_callback),
        };
        run(py, awaitable, async move {
            let r = client
                .download_file(&bucket, &key, &filename, &options)
                .await
                .py()?;
            Ok(Fields::meta(&r.meta)
                .with("size", r.size)
                .with("object_crc", r.crc64)
                .with("ranges_downloaded", r.ranges_downloaded))
        })
    }

    // ---- presign ------------------------------------------------------------------------

    /// A presigned URL for `method` on `key`, valid `expires` seconds; `headers` are signed
    /// and must be sent with it.
    #[pyo3(signature = (method, key, expires, headers = Vec::new()))]
    fn sign_url(
        &self,
        py: Python<'_>,
        method: String,
        key: String,
        expires: u64,
        headers: RawHeaders,
    ) -> PyResult<String> {
        let (client, bucket) = (self.client.get()?, self.bucket.clone());
        let options = PresignOptions {
            method,
            expires: Duration::from_secs(expires),
            headers,
        };
        runtime::block_on(py, async move {
            client.presign(&bucket, &key, &options).await.py()
        })
        .map(|p| p.url)
    }
}

/// A listing page's objects as the dicts `models.SimplifiedObjectInfo` is built from.
fn object_summaries(objects: Vec<ObjectSummary>) -> Value {
    Value::List(
        objects
            .into_iter()
            .map(|o| {
                Fields::new()
                    .with("key", o.key)
                    .with("size", o.size)
                    .with("etag", o.etag)
                    .with("last_modified", o.last_modified)
                    .with("storage_class", o.storage_class)
                    .with("type", o.object_type)
                    .with(
                        "owner",
                        o.owner.map(|owner| {
                            Fields::new()
                                .with("id", owner.id)
                                .with("display_name", owner.display_name)
                        }),
                    )
                    .into()
            })
            .collect(),
    )
}
