//! [`EncryptionClient`]: a [`Client`] that encrypts before upload and decrypts after
//! download (named after alibabacloud-oss-v2's `EncryptionClient`; oss2 calls it
//! `CryptoBucket`). Objects carry the CSE metadata; the CRC-64 checks of the wrapped client
//! apply to the stored (encrypted) bytes, as in the official SDKs.
//!
//! Differences from the official SDKs, on purpose: ranged reads are exact for every range
//! form (suffix ranges and ends past the end included), an object without CSE metadata is
//! refused unless [`EncryptionClient::allow_unencrypted_reads`] is set, a full read of a
//! compatible object verifies `unencrypted-content-md5`, and objects written in the
//! authenticated mode are verified on every read.

use std::sync::Arc;

use bytes::Bytes;
use futures::StreamExt;

use super::content::{ContentMode, ObjectDecryptor, ObjectEncryptor};
use super::envelope::Envelope;
use super::master_key::{MasterKey, MasterKeys};
use super::range::{parse_content_range, ByteRange};
use crate::client::Client;
use crate::crc64;
use crate::error::{Error, ErrorKind, Result};
use crate::model::{
    CompleteMultipartUploadOptions, CompleteMultipartUploadResult, CompletedPart, GetObjectOptions,
    InitiateMultipartUploadOptions, ObjectAttributes, ObjectInfo, PutObjectOptions,
    PutObjectResult, ResponseMeta, UploadPartResult,
};

/// What the official SDKs append to their User-Agent for encryption clients
/// (`/OssEncryptionClient`); append it to `ClientConfig::user_agent` when building the
/// [`Client`] an [`EncryptionClient`] wraps, to look the same in server logs.
pub const USER_AGENT_SUFFIX: &str = "OssEncryptionClient";

/// A client that encrypts on the way up and decrypts on the way down.
#[derive(Clone, Debug)]
pub struct EncryptionClient {
    client: Client,
    keys: MasterKeys,
    mode: ContentMode,
    plaintext_md5: bool,
    allow_unencrypted: bool,
}

/// Options of an encrypted PutObject (`sse` would be pointless on top: not offered).
#[derive(Clone, Debug, Default)]
pub struct EncryptedPutOptions {
    pub attributes: ObjectAttributes,
}

/// A decrypted GetObject.
#[derive(Clone, Debug, Default)]
pub struct DecryptedObject {
    pub data: Bytes,
    /// Plaintext size of the whole object.
    pub object_size: u64,
    /// The plaintext range returned (inclusive), for ranged reads.
    pub range: Option<(u64, u64)>,
    /// True when the bytes were authenticated (authenticated mode).
    pub authenticated: bool,
    /// False only for an object without CSE metadata read with `allow_unencrypted_reads`.
    pub encrypted: bool,
    /// The envelope the object carried.
    pub envelope: Option<Envelope>,
    /// The (last) GetObject response.
    pub meta: ResponseMeta,
}

/// HeadObject through the encryption client.
#[derive(Clone, Debug, Default)]
pub struct EncryptedObjectInfo {
    /// Plaintext size.
    pub object_size: u64,
    /// Stored size (what OSS reports as Content-Length).
    pub stored_size: u64,
    pub envelope: Option<Envelope>,
    pub info: ObjectInfo,
    pub meta: ResponseMeta,
}

/// An encrypted multipart upload in progress: keep it for every `upload_part` (alibabacloud-
/// oss-v2's `cse_multipart_context`). Holds the data key in memory, zeroized on drop.
#[derive(Clone, Debug)]
pub struct EncryptedMultipartUpload {
    pub bucket: String,
    pub key: String,
    pub upload_id: String,
    pub(super) encryptor: Arc<ObjectEncryptor>,
}

impl EncryptedMultipartUpload {
    pub fn part_size(&self) -> u64 {
        self.encryptor.part_size().unwrap_or_default()
    }
    pub fn data_size(&self) -> u64 {
        self.encryptor.plaintext_size()
    }
    pub fn part_count(&self) -> u32 {
        self.encryptor.part_count() as u32
    }
    /// Plaintext `[start, end)` of part `part_number`.
    pub fn part_bounds(&self, part_number: u32) -> Result<(u64, u64)> {
        self.encryptor.part_bounds(part_number)
    }
    pub fn envelope(&self) -> &Envelope {
        self.encryptor.envelope()
    }
}

impl EncryptionClient {
    /// Encrypts with `master_key` in the compatible format.
    pub fn new(client: Client, master_key: Arc<dyn MasterKey>) -> Self {
        EncryptionClient {
            client,
            keys: MasterKeys::new(master_key),
            mode: ContentMode::Compatible,
            plaintext_md5: true,
            allow_unencrypted: false,
        }
    }

    /// Further keys for reading objects written with other master keys (chosen by
    /// material description, then by wrap algorithm).
    pub fn with_decryption_key(mut self, key: Arc<dyn MasterKey>) -> Self {
        self.keys = self.keys.with_decryption_key(key);
        self
    }

    /// Which format new objects get; reads accept both.
    pub fn with_mode(mut self, mode: ContentMode) -> Self {
        self.mode = mode;
        self
    }

    /// Compatible mode, single PutObject: store the plaintext MD5 in
    /// `unencrypted-content-md5` (default on) so full reads detect modified ciphertext. Off
    /// avoids publishing a plaintext hash (it allows testing guesses of small plaintexts).
    pub fn with_plaintext_md5(mut self, on: bool) -> Self {
        self.plaintext_md5 = on;
        self
    }

    /// Return objects without CSE metadata as they are (what every official SDK does
    /// silently). Off by default: such an object could be anyone's plaintext.
    pub fn allow_unencrypted_reads(mut self, on: bool) -> Self {
        self.allow_unencrypted = on;
        self
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn mode(&self) -> &ContentMode {
        &self.mode
    }

    pub fn master_keys(&self) -> &MasterKeys {
        &self.keys
    }

    fn attributes_with(
        &self,
        attributes: &ObjectAttributes,
        envelope: &Envelope,
    ) -> Result<ObjectAttributes> {
        let mut attrs = attributes.clone();
        for (name, _) in &attrs.metadata {
            let lower = name.to_ascii_lowercase();
            if lower.starts_with("client-side-encryption-") || lower.starts_with("ossbridge-cse-") {
                return Err(Error::invalid_argument(format!(
                    "user metadata {name:?} is reserved for client-side encryption"
                )));
            }
        }
        for (name, value) in envelope.to_headers() {
            let short = name
                .strip_prefix("x-oss-meta-")
                .unwrap_or(&name)
                .to_string();
            attrs.metadata.push((short, value));
        }
        Ok(attrs)
    }

    /// Encrypts `data` and uploads it with PutObject.
    pub async fn put_object(
        &self,
        bucket: &str,
        key: &str,
        data: impl Into<Vec<u8>>,
        options: &EncryptedPutOptions,
    ) -> Result<PutObjectResult> {
        let data = data.into();
        let mut enc =
            ObjectEncryptor::new(self.keys.writer().as_ref(), &self.mode, data.len() as u64)
                .await?;
        if self.plaintext_md5 {
            enc.set_plaintext_md5(&data);
        }
        let attributes = self.attributes_with(&options.attributes, enc.envelope())?;
        let stored = enc.encrypt_object(data)?;
        let put = PutObjectOptions {
            attributes,
            ..Default::default()
        };
        self.client
            .put_object(bucket, key, Bytes::from(stored), &put)
            .await
    }

    async fn decryptor_for(&self, meta: &ResponseMeta) -> Result<Option<ObjectDecryptor>> {
        let envelope =
            Envelope::from_headers(meta.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        match envelope {
            Some(env) => Ok(Some(ObjectDecryptor::new(&self.keys, env).await?)),
            None if self.allow_unencrypted => Ok(None),
            None => Err(Error::new(
                ErrorKind::Crypto,
                "the object has no client-side encryption metadata; refusing to return it as \
                 decrypted data (enable allow_unencrypted_reads to read plain objects)",
            )),
        }
    }

    /// HeadObject, reporting the plaintext size.
    pub async fn head_object(&self, bucket: &str, key: &str) -> Result<EncryptedObjectInfo> {
        let head = self.client.head_object(bucket, key).await?;
        let stored_size = head.info.content_length;
        let dec = self.decryptor_for(&head.meta).await?;
        let object_size = match &dec {
            Some(d) => d.plaintext_size(stored_size)?,
            None => stored_size,
        };
        Ok(EncryptedObjectInfo {
            object_size,
            stored_size,
            envelope: dec.map(|d| d.envelope().clone()),
            info: head.info,
            meta: head.meta,
        })
    }

    /// GetObject, whole or one range (`bytes=a-b`, `bytes=a-`, `bytes=-n`), decrypted and
    /// checked. An unsatisfiable range is an error, as with a plain GET.
    pub async fn get_object(
        &self,
        bucket: &str,
        key: &str,
        range: Option<ByteRange>,
    ) -> Result<DecryptedObject> {
        match range {
            None => self.get_whole(bucket, key).await,
            Some(range) => self.get_range(bucket, key, range).await,
        }
    }

    /// The whole object, decrypted as the body streams in (one copy, as a plain GET makes)
    /// and retried like a plain GET, also after a failure mid-body.
    async fn get_whole(&self, bucket: &str, key: &str) -> Result<DecryptedObject> {
        let options = &GetObjectOptions::default();
        let req = self.client.get_request(bucket, key, options)?;
        self.client
            .send(&req, |resp| async move {
                let dec = self.decryptor_for(&resp.meta).await?;
                let stored_len = ObjectInfo::from_meta(&resp.meta).content_length;
                let mut crc = crc64::Crc64::new();
                let mut out = crate::client::body_buffer(stored_len);
                let mut reader = dec.as_ref().map(|d| d.full_reader());
                let mut body = resp.http.bytes_stream();
                while let Some(chunk) = body.next().await {
                    let chunk =
                        chunk.map_err(|e| crate::client::body_error(e, "reading the object"))?;
                    crc.update(&chunk);
                    match &mut reader {
                        Some(r) => r.update_into(&chunk, &mut out)?,
                        None => out.extend_from_slice(&chunk),
                    }
                }
                if crc.len() != stored_len {
                    return Err(Error::new(
                        ErrorKind::Network,
                        format!(
                            "connection closed after {} of {stored_len} bytes of {bucket}/{key}",
                            crc.len()
                        ),
                    ));
                }
                if self.client.checks_download(&resp.meta, options) {
                    crate::client::check_crc(
                        crc.value(),
                        resp.meta.crc64.unwrap_or_default(),
                        "download",
                        &resp.meta.request_id,
                    )?;
                }
                let (Some(dec), Some(reader)) = (dec.as_ref(), reader) else {
                    return Ok(plain_object(Bytes::from(out), None, resp.meta));
                };
                reader.finish()?;
                Ok(DecryptedObject {
                    data: Bytes::from(out),
                    object_size: dec.plaintext_size(stored_len)?,
                    range: None,
                    authenticated: dec.is_authenticated(),
                    encrypted: true,
                    envelope: Some(dec.envelope().clone()),
                    meta: resp.meta,
                })
            })
            .await
    }

    async fn get_range(
        &self,
        bucket: &str,
        key: &str,
        range: ByteRange,
    ) -> Result<DecryptedObject> {
        // Authenticated writers expect authenticated objects: learn the layout first (HEAD),
        // then fetch exactly the covering segments, pinned to the same object by If-Match.
        let mut pinned: Option<(ObjectDecryptor, String)> = None;
        if matches!(self.mode, ContentMode::Authenticated { .. }) {
            let head = self.client.head_object(bucket, key).await?;
            if let Some(dec) = self.decryptor_for(&head.meta).await? {
                let etag = head.meta.etag.clone().unwrap_or_default();
                if dec.is_authenticated() {
                    return self.get_segments(bucket, key, &range, dec, &etag).await;
                }
                pinned = Some((dec, etag));
            }
        }
        // Compatible objects: the exact range, decrypted at its offset.
        let mut headers = vec![
            ("range".to_string(), range.to_header()),
            ("x-oss-range-behavior".to_string(), "standard".to_string()),
        ];
        if let Some((_, etag)) = &pinned {
            if !etag.is_empty() {
                headers.push(("if-match".to_string(), etag.clone()));
            }
        }
        let options = GetObjectOptions {
            extra_headers: headers,
            ..Default::default()
        };
        let got = self.client.get_object(bucket, key, &options).await?;
        let dec = match pinned {
            Some((dec, _)) => Some(dec),
            None => self.decryptor_for(&got.meta).await?,
        };
        let content_range = got
            .meta
            .header("content-range")
            .and_then(parse_content_range);
        let Some(dec) = dec else {
            let span = content_range.map(|(a, b, _)| (a, b));
            return Ok(plain_object(got.data, span, got.meta));
        };
        if dec.is_authenticated() {
            let etag = got.meta.etag.clone().unwrap_or_default();
            return self.get_segments(bucket, key, &range, dec, &etag).await;
        }
        let envelope = Some(dec.envelope().clone());
        let (data, span, object_size) = match content_range {
            Some((start, end, total)) => {
                let size = total.unwrap_or(got.info.object_size);
                if range.resolve(size).is_none() {
                    return Err(super::range::unsatisfiable(&range, size));
                }
                if range.resolve(size) != Some((start, end))
                    || got.data.len() as u64 != end - start + 1
                {
                    return Err(Error::new(
                        ErrorKind::Protocol,
                        format!(
                            "asked for {} of a {size}-byte object, got Content-Range {start}-{end} \
                             with {} bytes",
                            range.to_header(),
                            got.data.len()
                        ),
                    ));
                }
                (
                    dec.decrypt_ctr_range(start, Vec::from(got.data))?,
                    (start, end),
                    size,
                )
            }
            None => {
                // 200 without Content-Range: the server sent the whole object.
                let size = got.data.len() as u64;
                let (start, end) = range
                    .resolve(size)
                    .ok_or_else(|| super::range::unsatisfiable(&range, size))?;
                let all = dec.decrypt_object(Vec::from(got.data))?;
                (
                    all[start as usize..=end as usize].to_vec(),
                    (start, end),
                    size,
                )
            }
        };
        Ok(DecryptedObject {
            data: Bytes::from(data),
            object_size,
            range: Some(span),
            authenticated: false,
            encrypted: true,
            envelope,
            meta: got.meta,
        })
    }

    async fn get_segments(
        &self,
        bucket: &str,
        key: &str,
        range: &ByteRange,
        dec: ObjectDecryptor,
        etag: &str,
    ) -> Result<DecryptedObject> {
        let plan = dec.plan_segment_range(range)?;
        let mut headers = vec![
            ("range".to_string(), plan.stored_range_header()),
            ("x-oss-range-behavior".to_string(), "standard".to_string()),
        ];
        if !etag.is_empty() {
            headers.push(("if-match".to_string(), etag.to_string()));
        }
        let options = GetObjectOptions {
            extra_headers: headers,
            ..Default::default()
        };
        let got = self.client.get_object(bucket, key, &options).await?;
        let layout = *dec.segment_layout().expect("authenticated");
        let stored = match got
            .meta
            .header("content-range")
            .and_then(parse_content_range)
        {
            Some((start, _, total)) => {
                if start != plan.stored_start || total.is_some_and(|t| t != layout.stored_size()) {
                    return Err(Error::new(
                        ErrorKind::Crypto,
                        "encrypted object is damaged: its stored size or the returned range does \
                         not match its metadata",
                    ));
                }
                Vec::from(got.data)
            }
            None => {
                let all = Vec::from(got.data);
                dec.plaintext_size(all.len() as u64)?;
                all[plan.stored_start as usize..plan.stored_end as usize].to_vec()
            }
        };
        let data = dec.decrypt_segment_range(&plan, stored)?;
        Ok(DecryptedObject {
            data: Bytes::from(data),
            object_size: layout.plaintext_size(),
            range: Some((plan.start, plan.end)),
            authenticated: true,
            encrypted: true,
            envelope: Some(dec.envelope().clone()),
            meta: got.meta,
        })
    }

    /// InitiateMultipartUpload for `data_size` plaintext bytes in parts of `part_size`
    /// (a multiple of 16; of the segment size in authenticated mode). The CSE metadata goes
    /// on the initiation (OSS copies it to the final object).
    pub async fn initiate_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        data_size: u64,
        part_size: u64,
        attributes: &ObjectAttributes,
    ) -> Result<EncryptedMultipartUpload> {
        let enc = ObjectEncryptor::new_multipart(
            self.keys.writer().as_ref(),
            &self.mode,
            data_size,
            part_size,
        )
        .await?;
        let options = InitiateMultipartUploadOptions {
            attributes: self.attributes_with(attributes, enc.envelope())?,
            ..Default::default()
        };
        let init = self
            .client
            .initiate_multipart_upload(bucket, key, &options)
            .await?;
        Ok(EncryptedMultipartUpload {
            bucket: bucket.to_string(),
            key: key.to_string(),
            upload_id: init.upload_id,
            encryptor: Arc::new(enc),
        })
    }

    /// Encrypts and uploads part `part_number` (its plaintext must be exactly the part's
    /// bytes). Parts may go in any order and in parallel. Retrying a part must resend the
    /// same plaintext: a changed source needs a new upload.
    pub async fn upload_part(
        &self,
        upload: &EncryptedMultipartUpload,
        part_number: u32,
        data: impl Into<Vec<u8>>,
    ) -> Result<UploadPartResult> {
        let stored = upload.encryptor.encrypt_part(part_number, data.into())?;
        self.client
            .upload_part(
                &upload.bucket,
                &upload.key,
                &upload.upload_id,
                part_number,
                Bytes::from(stored),
            )
            .await
    }

    /// CompleteMultipartUpload; checks the parts cover the declared size.
    pub async fn complete_multipart_upload(
        &self,
        upload: &EncryptedMultipartUpload,
        parts: &[UploadPartResult],
    ) -> Result<CompleteMultipartUploadResult> {
        let mut sorted: Vec<&UploadPartResult> = parts.iter().collect();
        sorted.sort_by_key(|p| p.part_number);
        let numbers: Vec<u32> = sorted.iter().map(|p| p.part_number).collect();
        let expected: Vec<u32> = (1..=upload.part_count()).collect();
        if numbers != expected {
            return Err(Error::invalid_argument(format!(
                "an encrypted multipart upload needs exactly parts 1..={} (got {numbers:?})",
                upload.part_count()
            )));
        }
        let mut crc = 0u64;
        let mut crc_known = true;
        for p in &sorted {
            match p.crc64 {
                Some(c) => crc = crc64::combine(crc, c, p.size),
                None => crc_known = false,
            }
        }
        let completed: Vec<CompletedPart> = sorted
            .iter()
            .map(|p| CompletedPart {
                part_number: p.part_number,
                etag: p.etag.clone(),
            })
            .collect();
        let options = CompleteMultipartUploadOptions {
            expected_crc64: crc_known.then_some(crc),
        };
        self.client
            .complete_multipart_upload(
                &upload.bucket,
                &upload.key,
                &upload.upload_id,
                &completed,
                &options,
            )
            .await
    }

    /// AbortMultipartUpload.
    pub async fn abort_multipart_upload(&self, upload: &EncryptedMultipartUpload) -> Result<()> {
        self.client
            .abort_multipart_upload(&upload.bucket, &upload.key, &upload.upload_id)
            .await?;
        Ok(())
    }
}

fn plain_object(data: Bytes, span: Option<(u64, u64)>, meta: ResponseMeta) -> DecryptedObject {
    let object_size = ObjectInfo::from_meta(&meta).object_size;
    DecryptedObject {
        data,
        object_size,
        range: span,
        authenticated: false,
        encrypted: false,
        envelope: None,
        meta,
    }
}
