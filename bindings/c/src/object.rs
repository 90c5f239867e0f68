//! Object calls: put (buffer, file), get (buffer, range, file), head, copy, delete.

use std::ffi::c_char;

use bytes::Bytes;
use ossbridge_core::model::{
    CopyObjectOptions, GetObjectOptions, MetadataDirective, PutObjectOptions,
};
use ossbridge_core::Error;

use crate::client::{client_ref, deliver, ossbridge_client};
use crate::convert::{input_bytes, required_str};
use crate::error::{ossbridge_error, ossbridge_status};
use crate::panic::boundary;
use crate::types::{
    from_copy, from_get, from_get_to_file, from_head, from_put, get_options_from_c,
    object_fields_from_c, ossbridge_copy_options, ossbridge_get_options, ossbridge_object_result,
    ossbridge_put_options, pairs_from_c,
};

pub(crate) unsafe fn put_options_from_c(
    options: *const ossbridge_put_options,
) -> Result<PutObjectOptions, Error> {
    if options.is_null() {
        return Ok(PutObjectOptions::default());
    }
    // SAFETY: non-NULL, caller contract.
    let options = unsafe { &*options };
    let (sse, attributes) = unsafe {
        object_fields_from_c(
            &options.sse,
            options.content_type,
            options.metadata,
            options.metadata_len,
            options.headers,
            options.headers_len,
        )
    }?;
    Ok(PutObjectOptions {
        sse,
        attributes,
        progress: None,
    })
}

unsafe fn copy_options_from_c(
    options: *const ossbridge_copy_options,
) -> Result<CopyObjectOptions, Error> {
    if options.is_null() {
        return Ok(CopyObjectOptions::default());
    }
    // SAFETY: non-NULL, caller contract.
    let o = unsafe { &*options };
    // Raw headers first (the core also reads x-oss-metadata-directive there), typed fields on top.
    let raw = unsafe { pairs_from_c(o.headers, o.headers_len, "headers") }?;
    let mut copy = if raw.is_empty() {
        CopyObjectOptions::default()
    } else {
        CopyObjectOptions::from_raw_headers(&raw)?
    };
    let (sse, attributes) = unsafe {
        object_fields_from_c(
            &o.sse,
            o.content_type,
            o.metadata,
            o.metadata_len,
            std::ptr::null(),
            0,
        )
    }?;
    if sse.is_some() && copy.sse.is_some() {
        return Err(Error::invalid_argument(
            "server-side encryption is set both in sse and in headers; set it once",
        ));
    }
    copy.sse = sse.or(copy.sse);
    if attributes.content_type.is_some() {
        copy.attributes.content_type = attributes.content_type;
    }
    copy.attributes.metadata.extend(attributes.metadata);
    if o.replace_metadata {
        copy.metadata_directive = MetadataDirective::Replace;
    }
    Ok(copy)
}

/// Uploads `data_len` bytes from `data` (copied; NULL allowed when 0) to `bucket/key`
/// (PutObject). `options` and `result_out` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_client_put_object(
    client: *const ossbridge_client,
    bucket: *const c_char,
    key: *const c_char,
    data: *const u8,
    data_len: usize,
    options: *const ossbridge_put_options,
    result_out: *mut *mut ossbridge_object_result,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_client_put_object", error_out, || {
        let client = unsafe { client_ref(client) }?;
        let bucket = unsafe { required_str(bucket, "bucket") }?;
        let key = unsafe { required_str(key, "key") }?;
        let data = Bytes::copy_from_slice(unsafe { input_bytes(data, data_len, "data") }?);
        let options = unsafe { put_options_from_c(options) }?;
        let result = client.put_object(bucket, key, data, &options)?;
        unsafe { deliver(result_out, from_put(result)) };
        Ok(())
    })
}

/// Uploads the local file at `path` to `bucket/key` in one PutObject (see
/// ossbridge_client_upload_file() for large files). `options` and `result_out` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_client_put_object_from_file(
    client: *const ossbridge_client,
    bucket: *const c_char,
    key: *const c_char,
    path: *const c_char,
    options: *const ossbridge_put_options,
    result_out: *mut *mut ossbridge_object_result,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_client_put_object_from_file", error_out, || {
        let client = unsafe { client_ref(client) }?;
        let bucket = unsafe { required_str(bucket, "bucket") }?;
        let key = unsafe { required_str(key, "key") }?;
        let path = unsafe { required_str(path, "path") }?;
        let options = unsafe { put_options_from_c(options) }?;
        let result = client.put_object_from_file(bucket, key, path, &options)?;
        unsafe { deliver(result_out, from_put(result)) };
        Ok(())
    })
}

/// Downloads `bucket/key` into memory (GetObject; CRC-64 checked). The bytes are in
/// `(*result_out)->data` / `data_len`, owned by the result. `result_out` is required.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_client_get_object(
    client: *const ossbridge_client,
    bucket: *const c_char,
    key: *const c_char,
    result_out: *mut *mut ossbridge_object_result,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_client_get_object", error_out, || {
        let client = unsafe { client_ref(client) }?;
        let bucket = unsafe { required_str(bucket, "bucket") }?;
        let key = unsafe { required_str(key, "key") }?;
        crate::convert::required_out(result_out, "result_out")?;
        let result = client.get_object(bucket, key, &GetObjectOptions::default())?;
        unsafe { deliver(result_out, from_get(result)) };
        Ok(())
    })
}

/// Downloads `bucket/key`, or one byte range of it, into memory (GetObject) with further
/// request headers (If-Match...). `options` may be NULL (the same as
/// ossbridge_client_get_object()); `result_out` is required. A range answers with http_status 206,
/// `content_length` bytes of `object_size`. OSS's default range rules apply: a range it cannot
/// satisfy (starting past the end) returns the whole object with http_status 200; with the
/// header {"x-oss-range-behavior", "standard"} it is OSSBRIDGE_STATUS_SERVICE, http_status 416.
/// The whole-object CRC-64 is checked only when the whole object is read.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_client_get_object_with_options(
    client: *const ossbridge_client,
    bucket: *const c_char,
    key: *const c_char,
    options: *const ossbridge_get_options,
    result_out: *mut *mut ossbridge_object_result,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary(
        "ossbridge_client_get_object_with_options",
        error_out,
        || {
            let client = unsafe { client_ref(client) }?;
            let bucket = unsafe { required_str(bucket, "bucket") }?;
            let key = unsafe { required_str(key, "key") }?;
            let options = unsafe { get_options_from_c(options) }?;
            crate::convert::required_out(result_out, "result_out")?;
            let result = client.get_object(bucket, key, &options)?;
            unsafe { deliver(result_out, from_get(result)) };
            Ok(())
        },
    )
}

/// Downloads `bucket/key` into the file at `path` (CRC-64 checked; a failed download leaves no
/// partial file). `result_out` may be NULL; its `bytes_written` says how much was written.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_client_get_object_to_file(
    client: *const ossbridge_client,
    bucket: *const c_char,
    key: *const c_char,
    path: *const c_char,
    result_out: *mut *mut ossbridge_object_result,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_client_get_object_to_file", error_out, || {
        let client = unsafe { client_ref(client) }?;
        let bucket = unsafe { required_str(bucket, "bucket") }?;
        let key = unsafe { required_str(key, "key") }?;
        let path = unsafe { required_str(path, "path") }?;
        let result = client.get_object_to_file(bucket, key, path, &GetObjectOptions::default())?;
        unsafe { deliver(result_out, from_get_to_file(result)) };
        Ok(())
    })
}

/// Reads an object's metadata (HeadObject): size, type, ETag, CRC-64, SSE, user metadata.
/// A missing object gives OSSBRIDGE_STATUS_SERVICE with http_status 404 and code "NoSuchKey".
#[no_mangle]
pub unsafe extern "C" fn ossbridge_client_head_object(
    client: *const ossbridge_client,
    bucket: *const c_char,
    key: *const c_char,
    result_out: *mut *mut ossbridge_object_result,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_client_head_object", error_out, || {
        let client = unsafe { client_ref(client) }?;
        let bucket = unsafe { required_str(bucket, "bucket") }?;
        let key = unsafe { required_str(key, "key") }?;
        let result = client.head_object(bucket, key)?;
        unsafe { deliver(result_out, from_head(result)) };
        Ok(())
    })
}

/// Copies `src_bucket/src_key` to `bucket/key` (CopyObject). The source's encryption is not
/// copied: set `options->sse` to encrypt the copy (copying an object onto itself with SSE
/// encrypts it in place). `options` and `result_out` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_client_copy_object(
    client: *const ossbridge_client,
    src_bucket: *const c_char,
    src_key: *const c_char,
    bucket: *const c_char,
    key: *const c_char,
    options: *const ossbridge_copy_options,
    result_out: *mut *mut ossbridge_object_result,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_client_copy_object", error_out, || {
        let client = unsafe { client_ref(client) }?;
        let src_bucket = unsafe { required_str(src_bucket, "src_bucket") }?;
        let src_key = unsafe { required_str(src_key, "src_key") }?;
        let bucket = unsafe { required_str(bucket, "bucket") }?;
        let key = unsafe { required_str(key, "key") }?;
        let options = unsafe { copy_options_from_c(options) }?;
        let result = client.copy_object(src_bucket, src_key, bucket, key, &options)?;
        unsafe { deliver(result_out, from_copy(result)) };
        Ok(())
    })
}

/// Deletes `bucket/key` (succeeds also when the key does not exist, as OSS does).
#[no_mangle]
pub unsafe extern "C" fn ossbridge_client_delete_object(
    client: *const ossbridge_client,
    bucket: *const c_char,
    key: *const c_char,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_client_delete_object", error_out, || {
        let client = unsafe { client_ref(client) }?;
        let bucket = unsafe { required_str(bucket, "bucket") }?;
        let key = unsafe { required_str(key, "key") }?;
        client.delete_object(bucket, key)?;
        Ok(())
    })
}
