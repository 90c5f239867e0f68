//! `upload_file`: PutObject for small files, resumable concurrent multipart upload otherwise
//! (all of it in the core's transfer module).

use std::ffi::c_char;

use ossbridge_core::transfer::UploadFileOptions;
use ossbridge_core::Error;

use crate::client::{client_ref, deliver, ossbridge_client};
use crate::convert::{optional_str, required_str};
use crate::error::{ossbridge_error, ossbridge_status};
use crate::panic::boundary;
use crate::types::{
    from_upload, object_fields_from_c, ossbridge_sse_options, ossbridge_upload_result,
};

/// Options of ossbridge_client_upload_file(). Zero-initialise and set what you need; zero
/// numbers mean the defaults. A NULL options pointer means all defaults.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ossbridge_upload_options {
    /// SSE of the new object, set when the multipart upload is initiated.
    pub sse: ossbridge_sse_options,
    pub content_type: *const c_char,
    pub metadata: *const crate::types::ossbridge_pair,
    pub metadata_len: usize,
    /// Raw request headers, as in ::ossbridge_put_options.
    pub headers: *const crate::types::ossbridge_pair,
    pub headers_len: usize,
    /// Part size in bytes (at least 100 KiB); 0 = 8 MiB.
    pub part_size: u64,
    /// Parts uploaded concurrently; 0 = 4.
    pub parallel: u32,
    /// Files larger than this use multipart; 0 = the part size.
    pub multipart_threshold: u64,
    /// Checkpoint file: if the upload is interrupted, calling again with the same file resumes
    /// it, sending only the missing parts. Removed on success. NULL = not resumable.
    pub checkpoint_file: *const c_char,
}

unsafe fn upload_options_from_c(
    options: *const ossbridge_upload_options,
) -> Result<UploadFileOptions, Error> {
    let mut out = UploadFileOptions::default();
    if options.is_null() {
        return Ok(out);
    }
    // SAFETY: non-NULL, caller contract.
    let options = unsafe { &*options };
    (out.sse, out.attributes) = unsafe {
        object_fields_from_c(
            &options.sse,
            options.content_type,
            options.metadata,
            options.metadata_len,
            options.headers,
            options.headers_len,
        )
    }?;
    if options.part_size != 0 {
        out.part_size = options.part_size;
    }
    if options.parallel != 0 {
        out.parallel = options.parallel as usize;
    }
    out.multipart_threshold =
        (options.multipart_threshold != 0).then_some(options.multipart_threshold);
    out.checkpoint_file =
        unsafe { optional_str(options.checkpoint_file, "checkpoint_file") }?.map(Into::into);
    Ok(out)
}

/// Uploads the local file at `path` to `bucket/key`: one PutObject up to the threshold,
/// otherwise a multipart upload with parts in parallel, each part's CRC-64 checked and the
/// whole object's verified on completion. `options` and `result_out` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_client_upload_file(
    client: *const ossbridge_client,
    bucket: *const c_char,
    key: *const c_char,
    path: *const c_char,
    options: *const ossbridge_upload_options,
    result_out: *mut *mut ossbridge_upload_result,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_client_upload_file", error_out, || {
        let client = unsafe { client_ref(client) }?;
        let bucket = unsafe { required_str(bucket, "bucket") }?;
        let key = unsafe { required_str(key, "key") }?;
        let path = unsafe { required_str(path, "path") }?;
        let options = unsafe { upload_options_from_c(options) }?;
        let result = client.upload_file(bucket, key, path, &options)?;
        unsafe { deliver(result_out, from_upload(result)) };
        Ok(())
    })
}
