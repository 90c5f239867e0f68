//! `NativeEncryptionClient`: client-side encryption (core `cse::EncryptionClient`, named after
//! alibabacloud-oss-v2's; ali-oss has none). Encryption and decryption run on the tokio
//! runtime, never on the JS thread.

use std::collections::HashMap;
use std::sync::Arc;

use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use ossbridge_core::cse::{
    ByteRange, ContentMode, EncryptedDownloadOptions, EncryptedPutOptions, EncryptedUploadOptions,
    EncryptionClient, MasterKey, MaterialDescription, RsaMasterKey,
};
use ossbridge_core::model::ObjectAttributes;
use ossbridge_core::Error;
use serde_json::{json, Value};

use crate::client::{NativeClient, WriteOptions};
use crate::error::{invalid_argument, IntoNapi};
use crate::types::{pairs, res, Timer};

/// An RSA master key: PEM texts (either or both) and the material description stored with
/// every object it encrypts (used to pick the key when reading).
#[napi(object)]
pub struct RsaKeyOptions {
    pub public_key: Option<String>,
    pub private_key: Option<String>,
    pub material_description: Option<HashMap<String, String>>,
}

#[napi(object)]
pub struct EncryptionOptions {
    /// The key new objects are encrypted with.
    pub master_key: RsaKeyOptions,
    /// Further keys for reading objects written with other master keys.
    pub decryption_keys: Option<Vec<RsaKeyOptions>>,
    /// "compatible" (AES-256-CTR, readable by the official SDKs; default) or
    /// "authenticated" (segmented AES-256-GCM, every read verified; ossbridge only).
    pub mode: Option<String>,
    /// Return objects without encryption metadata as they are (default false: refused).
    pub allow_unencrypted_reads: Option<bool>,
}

fn rsa_key(opts: RsaKeyOptions) -> ossbridge_core::Result<Arc<dyn MasterKey>> {
    let key = RsaMasterKey::from_pem(opts.public_key.as_deref(), opts.private_key.as_deref())?;
    let key = match opts.material_description {
        Some(map) => {
            key.with_material_description(MaterialDescription::from_map(map.into_iter().collect()))
        }
        None => key,
    };
    Ok(Arc::new(key))
}

fn attributes(opts: Option<WriteOptions>) -> ossbridge_core::Result<ObjectAttributes> {
    let opts = opts.unwrap_or_default();
    let (sse, mut attributes) = ObjectAttributes::from_raw_headers(&pairs(opts.headers))?;
    if sse.is_some() {
        return Err(Error::invalid_argument(
            "server-side encryption headers do not apply to the encryption client: its objects are encrypted on the client",
        ));
    }
    if let Some(mime) = opts.mime.filter(|m| !m.is_empty()) {
        attributes.content_type.get_or_insert(mime);
    }
    attributes.metadata.extend(pairs(opts.meta));
    Ok(attributes)
}

#[napi(js_name = "NativeEncryptionClient")]
pub struct NativeEncryptionClient {
    inner: EncryptionClient,
}

/// The JS wrapper passes the OSS client's current bucket with every call.
fn bucket_of(bucket: Option<String>) -> napi::Result<String> {
    bucket.filter(|b| !b.is_empty()).ok_or_else(|| {
        invalid_argument(
            "no bucket: pass `bucket` to new OSS({...}) or call client.useBucket(name)",
        )
    })
}

#[napi]
impl NativeEncryptionClient {
    #[napi(constructor)]
    pub fn new(client: &NativeClient, options: EncryptionOptions) -> napi::Result<Self> {
        let mut inner = EncryptionClient::new(
            client.core().clone(),
            rsa_key(options.master_key).into_napi()?,
        );
        for key in options.decryption_keys.unwrap_or_default() {
            inner = inner.with_decryption_key(rsa_key(key).into_napi()?);
        }
        inner = match options.mode.as_deref() {
            None | Some("compatible") => inner.with_mode(ContentMode::Compatible),
            Some("authenticated") => inner.with_mode(ContentMode::authenticated()),
            Some(other) => {
                return Err(invalid_argument(format!(
                    "mode {other:?} is not \"compatible\" or \"authenticated\""
                )))
            }
        };
        inner = inner.allow_unencrypted_reads(options.allow_unencrypted_reads.unwrap_or(false));
        Ok(NativeEncryptionClient { inner })
    }

    /// Encrypts and uploads a Buffer (PutObject) or a file (PutObject or multipart).
    #[napi]
    pub async fn put(
        &self,
        bucket: Option<String>,
        name: String,
        source: EncryptedSource,
        options: Option<WriteOptions>,
        transfer: Option<TransferOptions>,
    ) -> napi::Result<Value> {
        let (buffer, path) = (source.buffer, source.path);
        let (part_size, parallel) = transfer
            .map(|t| (t.part_size, t.parallel))
            .unwrap_or((None, None));
        let t = Timer::start();
        let bucket = bucket_of(bucket)?;
        let attributes = attributes(options).into_napi()?;
        match (buffer, path) {
            (Some(buffer), None) => {
                let r = self
                    .inner
                    .put_object(
                        &bucket,
                        &name,
                        buffer.to_vec(),
                        &EncryptedPutOptions { attributes },
                    )
                    .await
                    .into_napi()?;
                Ok(json!({"name": name, "res": res(&r.meta, 0, &t)}))
            }
            (None, Some(path)) => {
                let mut opts = EncryptedUploadOptions {
                    attributes,
                    ..EncryptedUploadOptions::default()
                };
                if let Some(size) = part_size {
                    if !(size.is_finite() && size > 0.0 && size.fract() == 0.0) {
                        return Err(invalid_argument(format!(
                            "partSize must be a positive integer, got {size}"
                        )));
                    }
                    opts.part_size = size as u64;
                    opts.multipart_threshold = size as u64;
                }
                if let Some(p) = parallel {
                    opts.parallel = p as usize;
                }
                let r = self
                    .inner
                    .upload_file(&bucket, &name, &path, &opts)
                    .await
                    .into_napi()?;
                Ok(json!({
                    "name": name, "size": r.size, "storedSize": r.stored_size,
                    "uploadId": r.upload_id, "partCount": r.part_count,
                    "res": res(&r.meta, 0, &t),
                }))
            }
            _ => Err(invalid_argument(
                "put needs exactly one of a Buffer or a file path",
            )),
        }
    }

    /// Downloads and decrypts, whole or one `bytes=` range, into memory.
    #[napi]
    pub async fn get(
        &self,
        bucket: Option<String>,
        name: String,
        range: Option<String>,
    ) -> napi::Result<DecryptedResult> {
        let t = Timer::start();
        let bucket = bucket_of(bucket)?;
        let range = range
            .as_deref()
            .map(ByteRange::parse)
            .transpose()
            .into_napi()?;
        let r = self
            .inner
            .get_object(&bucket, &name, range)
            .await
            .into_napi()?;
        let result = json!({
            "objectSize": r.object_size,
            "range": r.range.map(|(a, b)| json!([a, b])),
            "authenticated": r.authenticated,
            "encrypted": r.encrypted,
            "res": res(&r.meta, r.data.len() as u64, &t),
        });
        Ok(DecryptedResult {
            content: Buffer::from(Vec::from(r.data)),
            result,
        })
    }

    /// Downloads and decrypts into a file (concurrent ranged GETs; nothing left on failure).
    #[napi]
    pub async fn get_to_file(
        &self,
        bucket: Option<String>,
        name: String,
        path: String,
        transfer: Option<TransferOptions>,
    ) -> napi::Result<Value> {
        let (part_size, parallel) = transfer
            .map(|t| (t.part_size, t.parallel))
            .unwrap_or((None, None));
        let t = Timer::start();
        let bucket = bucket_of(bucket)?;
        let mut opts = EncryptedDownloadOptions::default();
        if let Some(size) = part_size.filter(|s| *s >= 1.0) {
            opts.part_size = size as u64;
        }
        if let Some(p) = parallel {
            opts.parallel = p as usize;
        }
        let r = self
            .inner
            .download_file(&bucket, &name, &path, &opts)
            .await
            .into_napi()?;
        Ok(
            json!({"size": r.size, "storedSize": r.stored_size, "res": res(&r.meta, r.stored_size, &t)}),
        )
    }

    /// HeadObject with the plaintext size.
    #[napi]
    pub async fn head(&self, bucket: Option<String>, name: String) -> napi::Result<Value> {
        let t = Timer::start();
        let bucket = bucket_of(bucket)?;
        let r = self.inner.head_object(&bucket, &name).await.into_napi()?;
        Ok(json!({
            "objectSize": r.object_size,
            "storedSize": r.stored_size,
            "encrypted": r.envelope.is_some(),
            "status": r.meta.status,
            "res": res(&r.meta, 0, &t),
        }))
    }
}

/// What to encrypt: a Buffer or a file path.
#[napi(object)]
pub struct EncryptedSource {
    pub buffer: Option<Buffer>,
    pub path: Option<String>,
}

/// Part size and concurrency of file transfers.
#[napi(object)]
pub struct TransferOptions {
    pub part_size: Option<f64>,
    pub parallel: Option<u32>,
}

/// A decrypted GetObject: the plaintext plus the result object.
#[napi(object)]
pub struct DecryptedResult {
    pub content: Buffer,
    pub result: Value,
}
