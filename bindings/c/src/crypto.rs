//! `ossbridge_crypto_client`: client-side encryption (the core's `cse::EncryptionClient`) over a
//! client. Objects are encrypted before upload and decrypted (and checked) after download; the
//! format is OSS's, readable by the official SDKs' crypto clients in compatible mode.

use std::ffi::c_char;
use std::sync::Arc;

use ossbridge_core::blocking;
use ossbridge_core::cse::{
    AesWrapMasterKey, ByteRange, ContentMode, EncryptedDownloadOptions, EncryptedPutOptions,
    EncryptedTransferResult, EncryptedUploadOptions, EncryptionClient, MasterKey, RsaMasterKey,
};
use ossbridge_core::Error;

use crate::client::{client_ref, deliver, ossbridge_client};
use crate::convert::{input_bytes, optional_str, required_out, required_str};
use crate::error::{ossbridge_error, ossbridge_status};
use crate::owned::Builder;
use crate::panic::{boundary, infallible};
use crate::transfer::ossbridge_upload_options;
use crate::types::{
    object_fields_from_c, object_result, ossbridge_object_result, ossbridge_put_options,
    ossbridge_upload_result,
};

/// Content format a crypto client writes: one of the OSSBRIDGE_CRYPTO_MODE_* values. Reading
/// accepts both.
pub type ossbridge_crypto_mode = u32;
/// AES-256-CTR as the official OSS SDKs write it (interoperable; a full read checks the
/// plaintext MD5 when present, ranged reads cannot be verified).
pub const OSSBRIDGE_CRYPTO_MODE_COMPATIBLE: ossbridge_crypto_mode = 0;
/// Segmented AES-256-GCM with key commitment (ossbridge only): every read, ranged ones
/// included, is verified; tampering, truncation and reordering are detected.
pub const OSSBRIDGE_CRYPTO_MODE_AUTHENTICATED: ossbridge_crypto_mode = 1;

/// A client-side encryption client. Thread-safe like ::ossbridge_client; it keeps what it needs
/// of the client it was made from, which may be freed first. Release with
/// ossbridge_crypto_client_free().
pub struct ossbridge_crypto_client {
    runtime: blocking::Client,
    inner: EncryptionClient,
}

fn content_mode(mode: ossbridge_crypto_mode) -> Result<ContentMode, Error> {
    match mode {
        OSSBRIDGE_CRYPTO_MODE_COMPATIBLE => Ok(ContentMode::Compatible),
        OSSBRIDGE_CRYPTO_MODE_AUTHENTICATED => Ok(ContentMode::authenticated()),
        other => Err(Error::invalid_argument(format!(
            "mode must be OSSBRIDGE_CRYPTO_MODE_COMPATIBLE or _AUTHENTICATED, got {other}"
        ))),
    }
}

unsafe fn make(
    client: *const ossbridge_client,
    master_key: Arc<dyn MasterKey>,
    mode: ossbridge_crypto_mode,
    out: *mut *mut ossbridge_crypto_client,
) -> Result<(), Error> {
    let client = unsafe { client_ref(client) }?;
    let inner =
        EncryptionClient::new(client.as_async().clone(), master_key).with_mode(content_mode(mode)?);
    let crypto = Box::into_raw(Box::new(ossbridge_crypto_client {
        runtime: client.clone(),
        inner,
    }));
    // SAFETY: checked non-NULL by the caller of `make`.
    unsafe { *out = crypto };
    Ok(())
}

/// A crypto client whose data keys are wrapped with an RSA key pair (PEM, PKCS#1 or PKCS#8).
/// `private_pem` may be NULL (encrypt only); `public_pem` may be NULL when the private key is
/// given. `*crypto_out` receives the new client.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_crypto_client_new_rsa(
    client: *const ossbridge_client,
    public_pem: *const c_char,
    private_pem: *const c_char,
    mode: ossbridge_crypto_mode,
    crypto_out: *mut *mut ossbridge_crypto_client,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_crypto_client_new_rsa", error_out, || {
        required_out(crypto_out, "crypto_out")?;
        let public_pem = unsafe { optional_str(public_pem, "public_pem") }?;
        let private_pem = unsafe { optional_str(private_pem, "private_pem") }?;
        let key = RsaMasterKey::from_pem(public_pem, private_pem)?;
        unsafe { make(client, Arc::new(key), mode, crypto_out) }
    })
}

/// A crypto client whose data keys are wrapped with a local 16- or 32-byte AES key (AES key
/// wrap). The key bytes are copied and wiped when the crypto client is freed.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_crypto_client_new_aes_key(
    client: *const ossbridge_client,
    key: *const u8,
    key_len: usize,
    mode: ossbridge_crypto_mode,
    crypto_out: *mut *mut ossbridge_crypto_client,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_crypto_client_new_aes_key", error_out, || {
        required_out(crypto_out, "crypto_out")?;
        let key = AesWrapMasterKey::new(unsafe { input_bytes(key, key_len, "key") }?)?;
        unsafe { make(client, Arc::new(key), mode, crypto_out) }
    })
}

/// Releases a crypto client. NULL is allowed. No call may be running on it.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_crypto_client_free(crypto: *mut ossbridge_crypto_client) {
    infallible((), || {
        if !crypto.is_null() {
            // SAFETY: from ossbridge_crypto_client_new_*, freed once (caller contract).
            drop(unsafe { Box::from_raw(crypto) });
        }
    })
}

unsafe fn crypto_ref<'a>(
    crypto: *const ossbridge_crypto_client,
) -> Result<&'a ossbridge_crypto_client, Error> {
    if crypto.is_null() {
        return Err(Error::invalid_argument("crypto client must not be NULL"));
    }
    // SAFETY: a live crypto client (caller contract).
    Ok(unsafe { &*crypto })
}

/// Encrypts `data_len` bytes from `data` and uploads them to `bucket/key`. `options` may set the
/// content type, user metadata and raw headers; server-side encryption on top is refused.
/// `options` and `result_out` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_crypto_client_put_object(
    crypto: *const ossbridge_crypto_client,
    bucket: *const c_char,
    key: *const c_char,
    data: *const u8,
    data_len: usize,
    options: *const ossbridge_put_options,
    result_out: *mut *mut ossbridge_object_result,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_crypto_client_put_object", error_out, || {
        let crypto = unsafe { crypto_ref(crypto) }?;
        let bucket = unsafe { required_str(bucket, "bucket") }?;
        let key = unsafe { required_str(key, "key") }?;
        let data = unsafe { input_bytes(data, data_len, "data") }?.to_vec();
        let mut put = EncryptedPutOptions::default();
        if !options.is_null() {
            // SAFETY: non-NULL, caller contract.
            let o = unsafe { &*options };
            let (sse, attributes) = unsafe {
                object_fields_from_c(
                    &o.sse,
                    o.content_type,
                    o.metadata,
                    o.metadata_len,
                    o.headers,
                    o.headers_len,
                )
            }?;
            if sse.is_some() {
                return Err(Error::invalid_argument(
                    "server-side encryption options are not accepted by the crypto client (the data is already encrypted)",
                ));
            }
            put.attributes = attributes;
        }
        let result = crypto
            .runtime
            .block_on(crypto.inner.put_object(bucket, key, data, &put))?;
        let mut b = Builder::new();
        let public = object_result(&mut b, &result.meta, None);
        unsafe { deliver(result_out, b.finish(public)) };
        Ok(())
    })
}

/// Downloads and decrypts `bucket/key`, whole (`range` NULL) or one range ("bytes=0-99",
/// "bytes=100-", "bytes=-100"). The plaintext is in `(*result_out)->data`; `object_size` is the
/// plaintext size of the whole object. A tampered object, a wrong key or missing encryption
/// metadata fail with OSSBRIDGE_STATUS_CRYPTO and return no data.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_crypto_client_get_object(
    crypto: *const ossbridge_crypto_client,
    bucket: *const c_char,
    key: *const c_char,
    range: *const c_char,
    result_out: *mut *mut ossbridge_object_result,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_crypto_client_get_object", error_out, || {
        let crypto = unsafe { crypto_ref(crypto) }?;
        let bucket = unsafe { required_str(bucket, "bucket") }?;
        let key = unsafe { required_str(key, "key") }?;
        let range = unsafe { optional_str(range, "range") }?
            .map(ByteRange::parse)
            .transpose()?;
        required_out(result_out, "result_out")?;
        let object = crypto
            .runtime
            .block_on(crypto.inner.get_object(bucket, key, range))?;
        let mut b = Builder::new();
        let mut public = object_result(&mut b, &object.meta, None);
        public.object_size = object.object_size;
        public.content_length = object.data.len() as u64;
        (public.data, public.data_len) = b.bytes(object.data);
        unsafe { deliver(result_out, b.finish(public)) };
        Ok(())
    })
}

fn from_transfer(result: EncryptedTransferResult) -> *mut ossbridge_upload_result {
    let mut b = Builder::new();
    let meta = &result.meta;
    let public = ossbridge_upload_result {
        http_status: meta.status,
        request_id: b.string(&meta.request_id),
        etag: b.optional(meta.etag.as_deref()),
        crc64: meta.crc64.unwrap_or(0),
        size: result.size,
        upload_id: b.optional(result.upload_id.as_deref()),
        part_count: result.part_count,
        parts_uploaded: result.part_count,
        server_side_encryption: b.optional(meta.sse.algorithm.as_deref()),
        server_side_data_encryption: b.optional(meta.sse.data_encryption.as_deref()),
        server_side_encryption_key_id: b.optional(meta.sse.key_id.as_deref()),
    };
    b.finish(public)
}

/// Encrypts and uploads the local file at `path` (multipart above the threshold, parts in
/// parallel). Of `options`, `part_size` (a multiple of 16, at least 100 KiB), `parallel`,
/// `multipart_threshold`, `content_type`, `metadata` and `headers` apply; SSE and
/// `checkpoint_file` are refused. `size` in the result is the plaintext size.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_crypto_client_upload_file(
    crypto: *const ossbridge_crypto_client,
    bucket: *const c_char,
    key: *const c_char,
    path: *const c_char,
    options: *const ossbridge_upload_options,
    result_out: *mut *mut ossbridge_upload_result,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_crypto_client_upload_file", error_out, || {
        let crypto = unsafe { crypto_ref(crypto) }?;
        let bucket = unsafe { required_str(bucket, "bucket") }?;
        let key = unsafe { required_str(key, "key") }?;
        let path = unsafe { required_str(path, "path") }?;
        let mut upload = EncryptedUploadOptions::default();
        if !options.is_null() {
            // SAFETY: non-NULL, caller contract.
            let o = unsafe { &*options };
            let (sse, attributes) = unsafe {
                object_fields_from_c(
                    &o.sse,
                    o.content_type,
                    o.metadata,
                    o.metadata_len,
                    o.headers,
                    o.headers_len,
                )
            }?;
            if sse.is_some() || !o.checkpoint_file.is_null() {
                return Err(Error::invalid_argument(
                    "the crypto client's upload_file takes no SSE options and no checkpoint_file",
                ));
            }
            upload.attributes = attributes;
            if o.part_size != 0 {
                upload.part_size = o.part_size;
                upload.multipart_threshold = o.part_size;
            }
            if o.parallel != 0 {
                upload.parallel = o.parallel as usize;
            }
            if o.multipart_threshold != 0 {
                upload.multipart_threshold = o.multipart_threshold;
            }
        }
        let result = crypto
            .runtime
            .block_on(crypto.inner.upload_file(bucket, key, path, &upload))?;
        unsafe { deliver(result_out, from_transfer(result)) };
        Ok(())
    })
}

/// Downloads and decrypts `bucket/key` into the file at `path` with ranged GETs in parallel
/// (`part_size` 0 = 8 MiB, `parallel` 0 = 4). A failed or tampered download leaves no file.
/// `result_out` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_crypto_client_download_file(
    crypto: *const ossbridge_crypto_client,
    bucket: *const c_char,
    key: *const c_char,
    path: *const c_char,
    part_size: u64,
    parallel: u32,
    result_out: *mut *mut ossbridge_upload_result,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_crypto_client_download_file", error_out, || {
        let crypto = unsafe { crypto_ref(crypto) }?;
        let bucket = unsafe { required_str(bucket, "bucket") }?;
        let key = unsafe { required_str(key, "key") }?;
        let path = unsafe { required_str(path, "path") }?;
        let mut download = EncryptedDownloadOptions::default();
        if part_size != 0 {
            download.part_size = part_size;
        }
        if parallel != 0 {
            download.parallel = parallel as usize;
        }
        let result = crypto
            .runtime
            .block_on(crypto.inner.download_file(bucket, key, path, &download))?;
        unsafe { deliver(result_out, from_transfer(result)) };
        Ok(())
    })
}
