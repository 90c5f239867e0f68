//! Presigned URLs: a URL anyone can use until it expires, signed by the core's signer.

use std::ffi::c_char;
use std::time::Duration;

use ossbridge_core::model::PresignOptions;
use ossbridge_core::Error;

use crate::client::{client_ref, deliver, ossbridge_client};
use crate::convert::{required_out, required_str};
use crate::error::{ossbridge_error, ossbridge_status};
use crate::panic::boundary;
use crate::types::{from_presigned, ossbridge_presigned_url};

/// Signs a URL for `method` ("GET", "PUT", "HEAD", ...) on `bucket/key`, valid for
/// `expires_seconds` (1 to 604800 for V4). `*result_out` receives the URL.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_client_presign(
    client: *const ossbridge_client,
    method: *const c_char,
    bucket: *const c_char,
    key: *const c_char,
    expires_seconds: u64,
    result_out: *mut *mut ossbridge_presigned_url,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_client_presign", error_out, || {
        let client = unsafe { client_ref(client) }?;
        let method = unsafe { required_str(method, "method") }?;
        let bucket = unsafe { required_str(bucket, "bucket") }?;
        let key = unsafe { required_str(key, "key") }?;
        required_out(result_out, "result_out")?;
        if expires_seconds == 0 {
            return Err(Error::invalid_argument(
                "expires_seconds must be greater than zero",
            ));
        }
        let options = PresignOptions {
            method: method.to_string(),
            expires: Duration::from_secs(expires_seconds),
            headers: Vec::new(),
        };
        let url = client.presign(bucket, key, &options)?;
        unsafe { deliver(result_out, from_presigned(url)) };
        Ok(())
    })
}
