//! Bucket calls: create/delete and the default encryption rule (Put/Get/DeleteBucketEncryption).

use std::ffi::c_char;

use ossbridge_core::model::PutBucketOptions;

use crate::client::{client_ref, deliver, ossbridge_client};
use crate::convert::required_str;
use crate::error::{ossbridge_error, ossbridge_status};
use crate::panic::boundary;
use crate::types::{
    from_bucket_encryption, ossbridge_bucket_encryption_result, ossbridge_bucket_encryption_rule,
    rule_from_c,
};

/// Creates a bucket (PutBucket) with OSS's defaults (private, Standard).
#[no_mangle]
pub unsafe extern "C" fn ossbridge_client_create_bucket(
    client: *const ossbridge_client,
    bucket: *const c_char,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_client_create_bucket", error_out, || {
        let client = unsafe { client_ref(client) }?;
        let bucket = unsafe { required_str(bucket, "bucket") }?;
        client.put_bucket(bucket, &PutBucketOptions::default())?;
        Ok(())
    })
}

/// Deletes an (empty) bucket.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_client_delete_bucket(
    client: *const ossbridge_client,
    bucket: *const c_char,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_client_delete_bucket", error_out, || {
        let client = unsafe { client_ref(client) }?;
        client.delete_bucket(unsafe { required_str(bucket, "bucket") }?)?;
        Ok(())
    })
}

/// Sets the bucket's default server-side encryption (PutBucketEncryption). A key id or data
/// cipher with an algorithm other than KMS is rejected before anything is sent.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_client_put_bucket_encryption(
    client: *const ossbridge_client,
    bucket: *const c_char,
    rule: *const ossbridge_bucket_encryption_rule,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_client_put_bucket_encryption", error_out, || {
        let client = unsafe { client_ref(client) }?;
        let bucket = unsafe { required_str(bucket, "bucket") }?;
        let rule = unsafe { rule_from_c(rule) }?;
        client.put_bucket_encryption(bucket, &rule)?;
        Ok(())
    })
}

/// Reads the bucket's default encryption rule (GetBucketEncryption). Without one, OSS answers
/// 404 NoSuchServerSideEncryptionRule (OSSBRIDGE_STATUS_SERVICE). `result_out` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_client_get_bucket_encryption(
    client: *const ossbridge_client,
    bucket: *const c_char,
    result_out: *mut *mut ossbridge_bucket_encryption_result,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_client_get_bucket_encryption", error_out, || {
        let client = unsafe { client_ref(client) }?;
        let result = client.get_bucket_encryption(unsafe { required_str(bucket, "bucket") }?)?;
        unsafe { deliver(result_out, from_bucket_encryption(result)) };
        Ok(())
    })
}

/// Removes the bucket's default encryption rule (DeleteBucketEncryption).
#[no_mangle]
pub unsafe extern "C" fn ossbridge_client_delete_bucket_encryption(
    client: *const ossbridge_client,
    bucket: *const c_char,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary(
        "ossbridge_client_delete_bucket_encryption",
        error_out,
        || {
            let client = unsafe { client_ref(client) }?;
            client.delete_bucket_encryption(unsafe { required_str(bucket, "bucket") }?)?;
            Ok(())
        },
    )
}
