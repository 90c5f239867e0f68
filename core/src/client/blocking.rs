//! A blocking facade over the async [`super::Client`], for the C binding, the CLI and
//! plain synchronous Rust. It owns one multi-threaded tokio runtime shared by its clones.
//!
//! Calling it from inside an async runtime panics (tokio forbids blocking there): use the
//! async client in async code.

use std::path::Path;
use std::sync::Arc;

use crate::config::ClientConfig;
use crate::error::{Error, ErrorKind, Result};
use crate::model::*;
use crate::transfer::{
    DownloadFileOptions, DownloadFileResult, UploadFileOptions, UploadFileResult,
};

use super::{Body, ObjectStream};

/// The blocking OSS client. Clones share the runtime and connections.
#[derive(Clone, Debug)]
pub struct Client {
    runtime: Arc<tokio::runtime::Runtime>,
    inner: super::Client,
}

macro_rules! blocking {
    ($( $(#[$doc:meta])* fn $name:ident(&self $(, $arg:ident : $ty:ty)*) -> $ret:ty; )*) => {
        $(
            $(#[$doc])*
            pub fn $name(&self $(, $arg: $ty)*) -> Result<$ret> {
                self.runtime.block_on(self.inner.$name($($arg),*))
            }
        )*
    };
}

impl Client {
    /// Builds the client and its runtime (2 worker threads: transfers are I/O bound).
    pub fn new(config: ClientConfig) -> Result<Client> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("ossbridge-blocking")
            .enable_all()
            .build()
            .map_err(|e| {
                Error::new(ErrorKind::Io, "cannot start the client runtime").with_source(e)
            })?;
        Ok(Client {
            runtime: Arc::new(runtime),
            inner: super::Client::new(config)?,
        })
    }

    /// The async client this facade drives (shares connections and settings).
    pub fn as_async(&self) -> &super::Client {
        &self.inner
    }

    pub fn config(&self) -> &ClientConfig {
        self.inner.config()
    }

    /// Runs any future of the async client on this facade's runtime.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    blocking! {
        /// See [`super::Client::list_buckets`].
        fn list_buckets(&self, options: &ListBucketsOptions) -> ListBucketsResult;
        /// See [`super::Client::put_bucket`].
        fn put_bucket(&self, bucket: &str, options: &PutBucketOptions) -> EmptyResult;
        /// See [`super::Client::delete_bucket`].
        fn delete_bucket(&self, bucket: &str) -> EmptyResult;
        /// See [`super::Client::get_bucket_info`].
        fn get_bucket_info(&self, bucket: &str) -> BucketInfo;
        /// See [`super::Client::put_bucket_encryption`].
        fn put_bucket_encryption(&self, bucket: &str, rule: &ServerSideEncryptionRule) -> EmptyResult;
        /// See [`super::Client::get_bucket_encryption`].
        fn get_bucket_encryption(&self, bucket: &str) -> GetBucketEncryptionResult;
        /// See [`super::Client::delete_bucket_encryption`].
        fn delete_bucket_encryption(&self, bucket: &str) -> EmptyResult;
        /// See [`super::Client::put_object`].
        fn put_object(&self, bucket: &str, key: &str, body: impl Into<Body>, options: &PutObjectOptions) -> PutObjectResult;
        /// See [`super::Client::put_object_from_file`].
        fn put_object_from_file(&self, bucket: &str, key: &str, path: impl AsRef<Path>, options: &PutObjectOptions) -> PutObjectResult;
        /// See [`super::Client::get_object`].
        fn get_object(&self, bucket: &str, key: &str, options: &GetObjectOptions) -> GetObjectResult;
        /// See [`super::Client::get_object_to_file`].
        fn get_object_to_file(&self, bucket: &str, key: &str, path: impl AsRef<Path>, options: &GetObjectOptions) -> GetObjectToFileResult;
        /// See [`super::Client::get_object_stream`]; consume the stream with [`Client::block_on`].
        fn get_object_stream(&self, bucket: &str, key: &str, options: &GetObjectOptions) -> ObjectStream;
        /// See [`super::Client::head_object`].
        fn head_object(&self, bucket: &str, key: &str) -> HeadObjectResult;
        /// See [`super::Client::head_object_with_options`].
        fn head_object_with_options(&self, bucket: &str, key: &str, options: &HeadObjectOptions) -> HeadObjectResult;
        /// See [`super::Client::copy_object`].
        fn copy_object(&self, src_bucket: &str, src_key: &str, bucket: &str, key: &str, options: &CopyObjectOptions) -> CopyObjectResult;
        /// See [`super::Client::delete_object`].
        fn delete_object(&self, bucket: &str, key: &str) -> EmptyResult;
        /// See [`super::Client::delete_multiple_objects`].
        fn delete_multiple_objects(&self, bucket: &str, keys: &[String], quiet: bool) -> DeleteMultipleObjectsResult;
        /// See [`super::Client::append_object`].
        fn append_object(&self, bucket: &str, key: &str, position: u64, body: impl Into<Body>, options: &AppendObjectOptions) -> AppendObjectResult;
        /// See [`super::Client::initiate_multipart_upload`].
        fn initiate_multipart_upload(&self, bucket: &str, key: &str, options: &InitiateMultipartUploadOptions) -> InitiateMultipartUploadResult;
        /// See [`super::Client::upload_part`].
        fn upload_part(&self, bucket: &str, key: &str, upload_id: &str, part_number: u32, body: impl Into<Body>) -> UploadPartResult;
        /// See [`super::Client::upload_part_copy`].
        fn upload_part_copy(&self, bucket: &str, key: &str, upload_id: &str, part_number: u32, src_bucket: &str, src_key: &str, range: Option<ByteRange>) -> UploadPartCopyResult;
        /// See [`super::Client::copy_object_multipart`].
        fn copy_object_multipart(&self, src_bucket: &str, src_key: &str, bucket: &str, key: &str, options: &crate::transfer::MultipartCopyOptions) -> crate::transfer::MultipartCopyResult;
        /// See [`super::Client::complete_multipart_upload`].
        fn complete_multipart_upload(&self, bucket: &str, key: &str, upload_id: &str, parts: &[CompletedPart], options: &CompleteMultipartUploadOptions) -> CompleteMultipartUploadResult;
        /// See [`super::Client::abort_multipart_upload`].
        fn abort_multipart_upload(&self, bucket: &str, key: &str, upload_id: &str) -> EmptyResult;
        /// See [`super::Client::list_parts`].
        fn list_parts(&self, bucket: &str, key: &str, upload_id: &str, options: &ListPartsOptions) -> ListPartsResult;
        /// See [`super::Client::list_objects`].
        fn list_objects(&self, bucket: &str, options: &ListObjectsOptions) -> ListObjectsPage;
        /// See [`super::Client::list_objects_v2`].
        fn list_objects_v2(&self, bucket: &str, options: &ListObjectsV2Options) -> ListObjectsV2Page;
        /// See [`super::Client::presign`].
        fn presign(&self, bucket: &str, key: &str, options: &PresignOptions) -> PresignedUrl;
        /// See [`super::Client::upload_file`].
        fn upload_file(&self, bucket: &str, key: &str, path: impl AsRef<Path>, options: &UploadFileOptions) -> UploadFileResult;
        /// See [`super::Client::download_file`].
        fn download_file(&self, bucket: &str, key: &str, path: impl AsRef<Path>, options: &DownloadFileOptions) -> DownloadFileResult;
    }

    /// Every object page of ListObjectsV2 (all pages, collected).
    pub fn list_all_objects_v2(
        &self,
        bucket: &str,
        options: ListObjectsV2Options,
    ) -> Result<Vec<ListObjectsV2Page>> {
        self.runtime.block_on(async {
            let mut pages = Vec::new();
            let mut stream = self.inner.list_objects_v2_pages(bucket, options);
            while let Some(page) = stream.next_page().await {
                pages.push(page?);
            }
            Ok(pages)
        })
    }
}
