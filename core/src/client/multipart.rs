//! Multipart upload. SSE is set only at initiation; UploadPart and Complete take no SSE
//! option because OSS rejects SSE headers there.

use reqwest::Method;

use super::bucket::{validate_bucket, validate_key};
use super::{check_crc, Body, Client, Request};
use crate::error::{Error, Result};
use crate::model::{
    complete_body, ByteRange, CompleteMultipartUploadOptions, CompleteMultipartUploadResult,
    CompletedPart, EmptyResult, InitiateMultipartUploadOptions, InitiateMultipartUploadResult,
    ListPartsOptions, ListPartsResult, PartInfo, UploadPartCopyResult, UploadPartResult,
};

/// Part numbers OSS accepts.
pub const MAX_PART_NUMBER: u32 = 10_000;

impl Client {
    /// InitiateMultipartUpload; `options.sse` decides the encryption of the final object.
    pub async fn initiate_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        options: &InitiateMultipartUploadOptions,
    ) -> Result<InitiateMultipartUploadResult> {
        validate_bucket(bucket)?;
        validate_key(key)?;
        let mut req = Request::new(Method::POST, Some(bucket), Some(key))
            .query("uploads", "")
            .headers(options.attributes.headers()?);
        if let Some(sse) = &options.sse {
            req = req.headers(sse.headers());
        }
        let (meta, body) = self.send_collect(req).await?;
        InitiateMultipartUploadResult::from_xml(&body, meta)
    }

    /// UploadPart (1..=10000). The part's CRC-64 is checked against OSS's.
    pub async fn upload_part(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: u32,
        body: impl Into<Body>,
    ) -> Result<UploadPartResult> {
        validate_bucket(bucket)?;
        validate_key(key)?;
        validate_part(upload_id, part_number)?;
        let body = body.into();
        let size = body.len().unwrap_or(0);
        let mut req = Request::new(Method::PUT, Some(bucket), Some(key))
            .query("partNumber", part_number.to_string())
            .query("uploadId", upload_id)
            .body(body);
        req.verify_upload_crc = Some(0);
        let (meta, _) = self.send_collect(req).await?;
        let etag = meta.etag.clone().unwrap_or_default();
        Ok(UploadPartResult {
            part_number,
            etag,
            size,
            crc64: meta.crc64,
            meta,
        })
    }

    /// UploadPartCopy: part `part_number` of the upload is (a range of) an existing object.
    /// Like UploadPart it takes no SSE option; the upload's SSE applies.
    #[allow(clippy::too_many_arguments)]
    pub async fn upload_part_copy(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: u32,
        src_bucket: &str,
        src_key: &str,
        range: Option<ByteRange>,
    ) -> Result<UploadPartCopyResult> {
        validate_bucket(bucket)?;
        validate_key(key)?;
        validate_bucket(src_bucket)?;
        validate_key(src_key)?;
        validate_part(upload_id, part_number)?;
        let source = format!(
            "/{}/{}",
            src_bucket,
            crate::signing::uri_encode(src_key, true)
        );
        let mut req = Request::new(Method::PUT, Some(bucket), Some(key))
            .query("partNumber", part_number.to_string())
            .query("uploadId", upload_id)
            .header("x-oss-copy-source", source);
        if let Some(r) = range {
            let end = r
                .end
                .ok_or_else(|| Error::invalid_argument("an UploadPartCopy range needs an end"))?;
            if end < r.start {
                return Err(Error::invalid_argument(format!(
                    "range end {end} is before start {}",
                    r.start
                )));
            }
            req = req.header(
                "x-oss-copy-source-range",
                format!("bytes={}-{}", r.start, end),
            );
        }
        let (meta, body) = self.send_collect(req).await?;
        UploadPartCopyResult::from_xml(part_number, &body, meta)
    }

    /// CompleteMultipartUpload with the parts in ascending order. With
    /// `options.expected_crc64` (e.g. combined from the parts), OSS's CRC is checked.
    pub async fn complete_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts: &[CompletedPart],
        options: &CompleteMultipartUploadOptions,
    ) -> Result<CompleteMultipartUploadResult> {
        validate_bucket(bucket)?;
        validate_key(key)?;
        if parts.is_empty() {
            return Err(Error::invalid_argument(
                "CompleteMultipartUpload needs at least one part",
            ));
        }
        if parts
            .windows(2)
            .any(|w| w[0].part_number >= w[1].part_number)
        {
            return Err(Error::invalid_argument(
                "CompleteMultipartUpload parts must be in strictly ascending part-number order",
            ));
        }
        let req = Request::new(Method::POST, Some(bucket), Some(key))
            .query("uploadId", upload_id)
            .xml_body(complete_body(parts));
        let (meta, body) = self.send_collect(req).await?;
        let result = CompleteMultipartUploadResult::from_xml(&body, meta)?;
        if let (Some(expected), Some(server), true) = (
            options.expected_crc64,
            result.meta.crc64,
            self.inner.config.crc_check,
        ) {
            check_crc(
                expected,
                server,
                "the completed multipart object",
                &result.meta.request_id,
            )?;
        }
        Ok(result)
    }

    /// AbortMultipartUpload: drops the upload and its parts.
    pub async fn abort_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<EmptyResult> {
        validate_bucket(bucket)?;
        validate_key(key)?;
        let req =
            Request::new(Method::DELETE, Some(bucket), Some(key)).query("uploadId", upload_id);
        let (meta, _) = self.send_collect(req).await?;
        Ok(EmptyResult { meta })
    }

    /// ListParts (one page).
    pub async fn list_parts(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        options: &ListPartsOptions,
    ) -> Result<ListPartsResult> {
        validate_bucket(bucket)?;
        validate_key(key)?;
        let mut req =
            Request::new(Method::GET, Some(bucket), Some(key)).query("uploadId", upload_id);
        if let Some(m) = options.max_parts {
            req = req.query("max-parts", m.to_string());
        }
        if let Some(m) = options.part_number_marker {
            req = req.query("part-number-marker", m.to_string());
        }
        let (meta, body) = self.send_collect(req).await?;
        ListPartsResult::from_xml(&body, meta)
    }

    /// Every part of an upload, following the pages.
    pub async fn list_all_parts(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<Vec<PartInfo>> {
        let mut out = Vec::new();
        let mut marker = None;
        loop {
            let page = self
                .list_parts(
                    bucket,
                    key,
                    upload_id,
                    &ListPartsOptions {
                        max_parts: Some(1000),
                        part_number_marker: marker,
                    },
                )
                .await?;
            out.extend(page.parts);
            match (page.is_truncated, page.next_part_number_marker) {
                (true, Some(next)) if Some(next) != marker => marker = Some(next),
                _ => return Ok(out),
            }
        }
    }
}

fn validate_part(upload_id: &str, part_number: u32) -> Result<()> {
    if upload_id.is_empty() {
        return Err(Error::invalid_argument("upload_id is empty"));
    }
    if !(1..=MAX_PART_NUMBER).contains(&part_number) {
        return Err(Error::invalid_argument(format!(
            "part number {part_number} is outside 1..={MAX_PART_NUMBER}"
        )));
    }
    Ok(())
}
