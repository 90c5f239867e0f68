//! Option and result structs of the object and bucket calls, converted to and from the
//! core's model types (`ossbridge_core::model`, `ossbridge_core::sse`).

use std::ffi::c_char;

use ossbridge_core::model::{
    ByteRange, CopyObjectResult, GetBucketEncryptionResult, GetObjectOptions, GetObjectResult,
    GetObjectToFileResult, HeadObjectResult, ObjectAttributes, ObjectInfo, PresignedUrl,
    PutObjectResult, ResponseMeta, ServerSideEncryptionRule,
};
use ossbridge_core::sse::ServerSideEncryption;
use ossbridge_core::Error;

use crate::convert::{optional_str, required_str};
use crate::owned::{self, Builder};
use crate::panic::infallible;

/// A name/value pair: user metadata in options, headers and metadata in results.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ossbridge_pair {
    pub name: *const c_char,
    pub value: *const c_char,
}

/// Server-side encryption of a new object (PutObject, CopyObject, upload_file). All NULL means
/// "no SSE header" (the bucket's default rule, if any, applies).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ossbridge_sse_options {
    /// "AES256", "KMS" or "SM4"; NULL for none.
    pub server_side_encryption: *const c_char,
    /// "SM4" to encrypt the data with SM4 under SSE-KMS; NULL for AES-256. KMS only.
    pub server_side_data_encryption: *const c_char,
    /// The KMS CMK id; NULL for the account's default OSS CMK. KMS only.
    pub server_side_encryption_key_id: *const c_char,
}

/// Options of the calls that create an object. Zero-initialise (`= {0}`) and set what you need;
/// a NULL options pointer means all defaults.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ossbridge_put_options {
    pub sse: ossbridge_sse_options,
    /// Content-Type; NULL lets OSS pick from the key's extension.
    pub content_type: *const c_char,
    /// User metadata (sent as x-oss-meta-<name>); `metadata_len` entries, NULL when 0.
    pub metadata: *const ossbridge_pair,
    pub metadata_len: usize,
    /// Request headers in the official SDKs' raw form, e.g. {"x-oss-server-side-encryption",
    /// "KMS"}, {"Content-Type", ...}, {"x-oss-meta-a", ...}; NULL when 0. SSE given here and in
    /// `sse` at once is an error.
    pub headers: *const ossbridge_pair,
    pub headers_len: usize,
}

/// Options of CopyObject.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ossbridge_copy_options {
    /// SSE of the destination. The source's encryption is not copied.
    pub sse: ossbridge_sse_options,
    /// false: keep the source's content type and metadata (OSS's default, COPY);
    /// true: replace them with `content_type` and `metadata` below (REPLACE).
    pub replace_metadata: bool,
    pub content_type: *const c_char,
    pub metadata: *const ossbridge_pair,
    pub metadata_len: usize,
    /// Raw request headers, as in ::ossbridge_put_options.
    pub headers: *const ossbridge_pair,
    pub headers_len: usize,
}

/// Options of ossbridge_client_get_object_with_options(). Zero-initialise and set what you need.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ossbridge_get_options {
    /// Read only bytes `range_start`..=`range_end` (HTTP Range); false reads the whole object.
    pub has_range: bool,
    /// First byte of the range, counted from 0.
    pub range_start: u64,
    /// Last byte of the range, inclusive; -1 reads to the end of the object.
    pub range_end: i64,
    /// Further request headers such as {"If-Match", "\"etag\""} or {"If-Modified-Since", ...};
    /// `headers_len` entries, NULL when 0.
    pub headers: *const ossbridge_pair,
    pub headers_len: usize,
}

/// A bucket's default encryption rule (PutBucketEncryption).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ossbridge_bucket_encryption_rule {
    /// "AES256", "KMS" or "SM4" (required).
    pub sse_algorithm: *const c_char,
    /// The KMS CMK id (KMS only); NULL for the default OSS CMK.
    pub kms_master_key_id: *const c_char,
    /// "SM4" as KMS data cipher (KMS only); NULL for AES-256.
    pub kms_data_encryption: *const c_char,
}

/// What OSS answered to an object call. String fields are NULL when OSS did not send them;
/// everything is owned by the struct: release it with ossbridge_object_result_free().
#[repr(C)]
pub struct ossbridge_object_result {
    /// HTTP status (200, 206...).
    pub http_status: u16,
    /// x-oss-request-id (never NULL).
    pub request_id: *const c_char,
    /// ETag, quotes included as OSS sent them.
    pub etag: *const c_char,
    /// Whether `crc64` holds OSS's x-oss-hash-crc64ecma.
    pub has_crc64: bool,
    pub crc64: u64,
    /// The SSE OSS reported: "AES256", "KMS" or "SM4"; NULL when the object is not encrypted.
    pub server_side_encryption: *const c_char,
    /// "SM4" when SSE-KMS encrypts the data with SM4.
    pub server_side_data_encryption: *const c_char,
    /// The CMK id (SSE-KMS).
    pub server_side_encryption_key_id: *const c_char,
    /// Get/Head: Content-Length of this response; 0 for other calls.
    pub content_length: u64,
    /// Get/Head: size of the whole object; 0 for other calls.
    pub object_size: u64,
    pub content_type: *const c_char,
    pub last_modified: *const c_char,
    /// ossbridge_client_get_object(): the object's bytes (`data_len` of them; NULL when empty).
    pub data: *const u8,
    pub data_len: usize,
    /// ossbridge_client_get_object_to_file(): bytes written to the file.
    pub bytes_written: u64,
    /// User metadata (x-oss-meta-* without the prefix, names lower-case).
    pub metadata: *const ossbridge_pair,
    pub metadata_len: usize,
    /// Every response header, names lower-case, in the order received.
    pub headers: *const ossbridge_pair,
    pub headers_len: usize,
}

/// A bucket's default encryption rule as OSS returned it (GetBucketEncryption).
/// Release with ossbridge_bucket_encryption_result_free().
#[repr(C)]
pub struct ossbridge_bucket_encryption_result {
    pub http_status: u16,
    pub request_id: *const c_char,
    /// "AES256", "KMS" or "SM4".
    pub sse_algorithm: *const c_char,
    /// NULL unless KMS with a named CMK.
    pub kms_master_key_id: *const c_char,
    /// "SM4" or NULL.
    pub kms_data_encryption: *const c_char,
}

/// A presigned URL. Release with ossbridge_presigned_url_free().
#[repr(C)]
pub struct ossbridge_presigned_url {
    pub url: *const c_char,
    /// The HTTP method the URL is signed for.
    pub method: *const c_char,
    /// Unix time (seconds) when the URL stops working.
    pub expiration: i64,
    /// Headers the request must carry exactly as signed (may be empty).
    pub signed_headers: *const ossbridge_pair,
    pub signed_headers_len: usize,
}

// ---- options -> core -------------------------------------------------------------------

pub(crate) unsafe fn sse_from_c(
    sse: &ossbridge_sse_options,
) -> Result<Option<ServerSideEncryption>, Error> {
    let algorithm =
        unsafe { optional_str(sse.server_side_encryption, "sse.server_side_encryption") }?;
    let data = unsafe {
        optional_str(
            sse.server_side_data_encryption,
            "sse.server_side_data_encryption",
        )
    }?;
    let key = unsafe {
        optional_str(
            sse.server_side_encryption_key_id,
            "sse.server_side_encryption_key_id",
        )
    }?;
    match algorithm {
        Some(algorithm) => ServerSideEncryption::from_parts(algorithm, key, data).map(Some),
        None if data.is_some() || key.is_some() => Err(Error::invalid_argument(
            "sse.server_side_data_encryption and sse.server_side_encryption_key_id need sse.server_side_encryption = \"KMS\"",
        )),
        None => Ok(None),
    }
}

pub(crate) unsafe fn pairs_from_c(
    pairs: *const ossbridge_pair,
    len: usize,
    name: &str,
) -> Result<Vec<(String, String)>, Error> {
    if len == 0 {
        return Ok(Vec::new());
    }
    if pairs.is_null() {
        return Err(Error::invalid_argument(format!(
            "{name} is NULL but {name}_len is {len}"
        )));
    }
    // SAFETY: caller contract: `len` readable entries.
    let slice = unsafe { std::slice::from_raw_parts(pairs, len) };
    slice
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let n = unsafe { required_str(p.name, &format!("{name}[{i}].name")) }?;
            let v = unsafe { required_str(p.value, &format!("{name}[{i}].value")) }?;
            Ok((n.to_string(), v.to_string()))
        })
        .collect()
}

/// SSE and attributes of a new object from the C option fields. `headers` are request headers
/// in the official SDKs' raw form (C++ `ObjectMetaData::addHeader`, PHP `OSS_HEADERS`), read by
/// the core; the typed fields are added on top, and SSE may be given one way only.
pub(crate) unsafe fn object_fields_from_c(
    sse: &ossbridge_sse_options,
    content_type: *const c_char,
    metadata: *const ossbridge_pair,
    metadata_len: usize,
    headers: *const ossbridge_pair,
    headers_len: usize,
) -> Result<(Option<ServerSideEncryption>, ObjectAttributes), Error> {
    let raw = unsafe { pairs_from_c(headers, headers_len, "headers") }?;
    let (header_sse, mut attributes) = if raw.is_empty() {
        (None, ObjectAttributes::default())
    } else {
        ObjectAttributes::from_raw_headers(&raw)?
    };
    let typed_sse = unsafe { sse_from_c(sse) }?;
    if typed_sse.is_some() && header_sse.is_some() {
        return Err(Error::invalid_argument(
            "server-side encryption is set both in sse and in headers; set it once",
        ));
    }
    if let Some(content_type) = unsafe { optional_str(content_type, "content_type") }? {
        attributes.content_type = Some(content_type.to_string());
    }
    attributes
        .metadata
        .extend(unsafe { pairs_from_c(metadata, metadata_len, "metadata") }?);
    Ok((typed_sse.or(header_sse), attributes))
}

pub(crate) unsafe fn get_options_from_c(
    options: *const ossbridge_get_options,
) -> Result<GetObjectOptions, Error> {
    if options.is_null() {
        return Ok(GetObjectOptions::default());
    }
    // SAFETY: non-NULL, caller contract.
    let o = unsafe { &*options };
    let range = if o.has_range {
        let end = match o.range_end {
            -1 => None,
            end if end < 0 => {
                return Err(Error::invalid_argument(format!(
                    "options.range_end is {end}; use -1 to read to the end"
                )))
            }
            end => Some(end as u64),
        };
        // The core rejects an end before the start, naming both.
        Some(ByteRange {
            start: o.range_start,
            end,
        })
    } else {
        None
    };
    Ok(GetObjectOptions {
        range,
        progress: None,
        extra_headers: unsafe { pairs_from_c(o.headers, o.headers_len, "options.headers") }?,
    })
}

pub(crate) unsafe fn rule_from_c(
    rule: *const ossbridge_bucket_encryption_rule,
) -> Result<ServerSideEncryptionRule, Error> {
    if rule.is_null() {
        return Err(Error::invalid_argument("rule must not be NULL"));
    }
    // SAFETY: non-NULL, caller contract.
    let rule = unsafe { &*rule };
    let algorithm = unsafe { required_str(rule.sse_algorithm, "rule.sse_algorithm") }?;
    let key = unsafe { optional_str(rule.kms_master_key_id, "rule.kms_master_key_id") }?;
    let data = unsafe { optional_str(rule.kms_data_encryption, "rule.kms_data_encryption") }?;
    ServerSideEncryptionRule::from_parts(algorithm, key, data)
}

// ---- core -> results -------------------------------------------------------------------

pub(crate) fn object_result(
    b: &mut Builder,
    meta: &ResponseMeta,
    info: Option<&ObjectInfo>,
) -> ossbridge_object_result {
    let (metadata, metadata_len) = b.pairs(&meta.user_metadata());
    let (headers, headers_len) = b.pairs(&meta.headers);
    ossbridge_object_result {
        http_status: meta.status,
        request_id: b.string(&meta.request_id),
        etag: b.optional(meta.etag.as_deref()),
        has_crc64: meta.crc64.is_some(),
        crc64: meta.crc64.unwrap_or(0),
        server_side_encryption: b.optional(meta.sse.algorithm.as_deref()),
        server_side_data_encryption: b.optional(meta.sse.data_encryption.as_deref()),
        server_side_encryption_key_id: b.optional(meta.sse.key_id.as_deref()),
        content_length: info.map_or(0, |i| i.content_length),
        object_size: info.map_or(0, |i| i.object_size),
        content_type: b.optional(info.and_then(|i| i.content_type.as_deref())),
        last_modified: b.optional(info.and_then(|i| i.last_modified.as_deref())),
        data: std::ptr::null(),
        data_len: 0,
        bytes_written: 0,
        metadata,
        metadata_len,
        headers,
        headers_len,
    }
}

pub(crate) fn from_put(result: PutObjectResult) -> *mut ossbridge_object_result {
    let mut b = Builder::new();
    let public = object_result(&mut b, &result.meta, None);
    b.finish(public)
}

pub(crate) fn from_get(result: GetObjectResult) -> *mut ossbridge_object_result {
    let mut b = Builder::new();
    let mut public = object_result(&mut b, &result.meta, Some(&result.info));
    (public.data, public.data_len) = b.bytes(result.data);
    b.finish(public)
}

pub(crate) fn from_get_to_file(result: GetObjectToFileResult) -> *mut ossbridge_object_result {
    let mut b = Builder::new();
    let mut public = object_result(&mut b, &result.meta, Some(&result.info));
    public.bytes_written = result.bytes_written;
    b.finish(public)
}

pub(crate) fn from_head(result: HeadObjectResult) -> *mut ossbridge_object_result {
    let mut b = Builder::new();
    let public = object_result(&mut b, &result.meta, Some(&result.info));
    b.finish(public)
}

pub(crate) fn from_copy(result: CopyObjectResult) -> *mut ossbridge_object_result {
    let mut b = Builder::new();
    let mut public = object_result(&mut b, &result.meta, None);
    // CopyObject reports the new ETag and time in its body, not in headers.
    public.etag = b.string(&result.etag);
    public.last_modified = b.string(&result.last_modified);
    b.finish(public)
}

pub(crate) fn from_bucket_encryption(
    result: GetBucketEncryptionResult,
) -> *mut ossbridge_bucket_encryption_result {
    let mut b = Builder::new();
    let public = ossbridge_bucket_encryption_result {
        http_status: result.meta.status,
        request_id: b.string(&result.meta.request_id),
        sse_algorithm: b.string(result.rule.sse_algorithm()),
        kms_master_key_id: b.optional(result.rule.kms_master_key_id()),
        kms_data_encryption: b.optional(result.rule.kms_data_encryption()),
    };
    b.finish(public)
}

pub(crate) fn from_presigned(result: PresignedUrl) -> *mut ossbridge_presigned_url {
    let mut b = Builder::new();
    let (signed_headers, signed_headers_len) = b.pairs(&result.signed_headers);
    let public = ossbridge_presigned_url {
        url: b.string(&result.url),
        method: b.string(&result.method),
        expiration: result.expiration,
        signed_headers,
        signed_headers_len,
    };
    b.finish(public)
}

/// Releases an object result. NULL is allowed.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_object_result_free(result: *mut ossbridge_object_result) {
    infallible((), || unsafe { owned::free(result) })
}

/// Releases a bucket encryption result. NULL is allowed.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_bucket_encryption_result_free(
    result: *mut ossbridge_bucket_encryption_result,
) {
    infallible((), || unsafe { owned::free(result) })
}

/// Releases a presigned URL. NULL is allowed.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_presigned_url_free(result: *mut ossbridge_presigned_url) {
    infallible((), || unsafe { owned::free(result) })
}

/// What ossbridge_client_upload_file() did. Release with ossbridge_upload_result_free().
#[repr(C)]
pub struct ossbridge_upload_result {
    /// HTTP status and request id of the final PutObject or CompleteMultipartUpload.
    pub http_status: u16,
    pub request_id: *const c_char,
    pub etag: *const c_char,
    /// CRC-64 of the whole object (combined from the parts for multipart).
    pub crc64: u64,
    /// File size in bytes.
    pub size: u64,
    /// The multipart upload id; NULL when the file went up in one PutObject.
    pub upload_id: *const c_char,
    /// Parts in the object (0 for a PutObject).
    pub part_count: u32,
    /// Parts sent by this call (fewer than `part_count` after resuming from a checkpoint).
    pub parts_uploaded: u32,
    /// The SSE OSS reported for the new object (NULL when not encrypted).
    pub server_side_encryption: *const c_char,
    pub server_side_data_encryption: *const c_char,
    pub server_side_encryption_key_id: *const c_char,
}

pub(crate) fn from_upload(
    result: ossbridge_core::transfer::UploadFileResult,
) -> *mut ossbridge_upload_result {
    let mut b = Builder::new();
    let meta = &result.meta;
    let public = ossbridge_upload_result {
        http_status: meta.status,
        request_id: b.string(&meta.request_id),
        etag: b.optional(meta.etag.as_deref()),
        crc64: result.crc64,
        size: result.size,
        upload_id: b.optional(result.upload_id.as_deref()),
        part_count: result.part_count,
        parts_uploaded: result.parts_uploaded,
        server_side_encryption: b.optional(meta.sse.algorithm.as_deref()),
        server_side_data_encryption: b.optional(meta.sse.data_encryption.as_deref()),
        server_side_encryption_key_id: b.optional(meta.sse.key_id.as_deref()),
    };
    b.finish(public)
}

/// Releases an upload result. NULL is allowed.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_upload_result_free(result: *mut ossbridge_upload_result) {
    infallible((), || unsafe { owned::free(result) })
}
