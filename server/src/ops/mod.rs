//! Operation handlers, one module per resource kind.

pub mod bucket;
pub mod multipart;
pub mod object;

use std::sync::Arc;

use axum::body::Body;
use http::Response;

use crate::error::{OssError, OssResult};
use crate::meta::BucketRecord;
use crate::request::Op;
use crate::{AppState, Ctx};

pub async fn run(
    state: &Arc<AppState>,
    ctx: &Ctx,
    bucket: Option<BucketRecord>,
    body: &mut Option<Body>,
) -> OssResult<Response<Body>> {
    let b = || {
        bucket
            .clone()
            .ok_or_else(|| OssError::internal("bucket not loaded"))
    };
    match ctx.op {
        Op::ListBuckets => bucket::list_buckets(state, ctx),
        Op::PutBucket => bucket::put_bucket(state, ctx, body).await,
        Op::DeleteBucket => bucket::delete_bucket(state, ctx),
        Op::GetBucketInfo => bucket::get_bucket_info(state, ctx, &b()?),
        Op::GetBucketLocation => bucket::get_bucket_location(state),
        Op::PutBucketEncryption => bucket::put_bucket_encryption(state, ctx, b()?, body).await,
        Op::GetBucketEncryption => bucket::get_bucket_encryption(&b()?),
        Op::DeleteBucketEncryption => bucket::delete_bucket_encryption(state, b()?),
        Op::PutBucketAcl => bucket::put_bucket_acl(state, ctx, b()?),
        Op::GetBucketAcl => bucket::get_bucket_acl(&b()?),
        Op::ListObjects => bucket::list_objects(state, ctx, false),
        Op::ListObjectsV2 => bucket::list_objects(state, ctx, true),
        Op::DeleteMultipleObjects => object::delete_multiple(state, ctx, body).await,
        Op::PutObject => object::put_object(state, ctx, &b()?, body).await,
        Op::CopyObject => object::copy_object(state, ctx, &b()?).await,
        Op::GetObject => object::get_object(state, ctx, false),
        Op::HeadObject => object::get_object(state, ctx, true),
        Op::GetObjectMeta => object::get_object_meta(state, ctx),
        Op::DeleteObject => object::delete_object(state, ctx),
        Op::AppendObject => object::append_object(state, ctx, &b()?, body).await,
        Op::InitiateMultipartUpload => multipart::initiate(state, ctx, &b()?),
        Op::UploadPart => multipart::upload_part(state, ctx, body).await,
        Op::UploadPartCopy => multipart::upload_part_copy(state, ctx).await,
        Op::CompleteMultipartUpload => multipart::complete(state, ctx, body).await,
        Op::AbortMultipartUpload => multipart::abort(state, ctx),
        Op::ListMultipartUploads => multipart::list_uploads(state, ctx),
        Op::ListParts => multipart::list_parts(state, ctx),
    }
}

/// Takes the request body for reading. A handler that fails before taking it leaves it
/// for [`crate::handle`] to drain, so the client still reads the error on a reusable connection.
pub fn take(body: &mut Option<Body>) -> Body {
    body.take().unwrap_or_default()
}

/// Reads a small (XML) request body fully, refusing anything over `limit`.
pub async fn read_small_body(body: Body, limit: usize) -> OssResult<Vec<u8>> {
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|e| {
        OssError::invalid_argument(format!(
            "request body unreadable or larger than {limit} bytes: {e}"
        ))
    })?;
    Ok(bytes.to_vec())
}

/// Checks a small body against its Content-MD5 header, if any.
pub fn check_md5(ctx: &Ctx, body: &[u8]) -> OssResult<()> {
    if let Some(expected) = content_md5(ctx)? {
        let actual = ossbridge_core::md5::Md5::digest(body);
        if actual != expected {
            return Err(OssError::new(
                400,
                "InvalidDigest",
                "The Content-MD5 you specified was invalid.",
            )
            .ec("0002-00000016"));
        }
    }
    Ok(())
}

/// The decoded Content-MD5 header; malformed values are InvalidDigest.
pub fn content_md5(ctx: &Ctx) -> OssResult<Option<[u8; 16]>> {
    use base64::Engine;
    let Some(value) = ctx.header("content-md5") else {
        return Ok(None);
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()
        .and_then(|b| <[u8; 16]>::try_from(b).ok())
        .ok_or_else(|| {
            OssError::new(
                400,
                "InvalidDigest",
                "The Content-MD5 you specified is not a base64 MD5.",
            )
            .ec("0002-00000016")
        })?;
    Ok(Some(bytes))
}

/// Owner element values for listings.
pub fn owner_id(ctx: &Ctx) -> String {
    ctx.principal
        .user()
        .map(|u| u.name.clone())
        .unwrap_or_else(|| "anonymous".into())
}

/// URL-encodes a listing value when `encoding-type=url` was asked for.
pub fn maybe_encode(value: &str, encode: bool) -> String {
    if encode {
        ossbridge_core::signing::uri_encode(value, true)
    } else {
        value.to_string()
    }
}
