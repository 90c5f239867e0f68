//! Object operations: Put, Copy, Get/Head (ranges, conditions), GetObjectMeta, Delete,
//! DeleteMultipleObjects and Append.

use axum::body::Body;
use base64::Engine;
use futures::StreamExt;
use http::Response;

use super::{check_md5, content_md5, maybe_encode, read_small_body};
use crate::auth::Principal;
use crate::error::{OssError, OssResult};
use crate::kms::now_secs;
use crate::meta::{BucketRecord, ObjectRecord, SseRecord};
use crate::response::{build, xml};
use crate::sse;
use crate::storage::{entity_too_large, ChunkKey};
use crate::xml::{http_date, iso8601, parse, XmlWriter};
use crate::{AppState, Ctx};

/// OSS's PutObject / AppendObject size cap (5 GiB).
pub const MAX_PUT_SIZE: u64 = 5 * 1024 * 1024 * 1024;
/// OSS's CopyObject source cap (1 GiB); bigger sources need UploadPartCopy.
pub const MAX_COPY_SIZE: u64 = 1024 * 1024 * 1024;
/// Total size of user metadata.
const MAX_USER_META: usize = 8 * 1024;

const STORED_HEADERS: [&str; 5] = [
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "expires",
];

/// Content-Type, stored headers, object ACL and storage class from a request.
pub struct ObjectMetaInput {
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub acl: Option<String>,
    pub storage_class: String,
}

pub fn meta_from_request(ctx: &Ctx) -> OssResult<ObjectMetaInput> {
    let mut headers = Vec::new();
    let mut user_meta = 0usize;
    for (name, value) in ctx.headers.iter() {
        let name = name.as_str();
        let Ok(value) = value.to_str() else { continue };
        if name.starts_with("x-oss-meta-") {
            user_meta += name.len() + value.len();
            headers.push((name.to_string(), value.to_string()));
        } else if STORED_HEADERS.contains(&name) {
            headers.push((name.to_string(), value.to_string()));
        }
    }
    if user_meta > MAX_USER_META {
        return Err(OssError::invalid_argument(format!(
            "Your metadata headers exceed the maximum allowed metadata size ({user_meta} > {MAX_USER_META} bytes)."
        )));
    }
    headers.sort();
    let acl = match ctx.header("x-oss-object-acl").map(str::trim) {
        None => None,
        Some(a @ ("default" | "private" | "public-read" | "public-read-write")) => {
            Some(a.to_string())
        }
        Some(other) => {
            return Err(OssError::invalid_argument(format!(
                "no such object access control exists: `{other}`"
            )))
        }
    };
    let storage_class = match ctx.header("x-oss-storage-class").map(str::trim) {
        None => "Standard".to_string(),
        Some(c @ ("Standard" | "IA" | "Archive" | "ColdArchive" | "DeepColdArchive")) => {
            c.to_string()
        }
        Some(other) => {
            return Err(OssError::invalid_argument(format!(
                "unsupported x-oss-storage-class `{other}`"
            )))
        }
    };
    Ok(ObjectMetaInput {
        content_type: ctx
            .header("content-type")
            .unwrap_or("application/octet-stream")
            .to_string(),
        headers,
        acl,
        storage_class,
    })
}

/// Headers every object response carries.
pub fn object_headers(rec: &ObjectRecord) -> Vec<(String, String)> {
    let mut h = vec![
        ("content-type".to_string(), rec.content_type.clone()),
        ("etag".to_string(), format!("\"{}\"", rec.etag)),
        ("last-modified".to_string(), http_date(rec.last_modified)),
        ("x-oss-object-type".to_string(), rec.object_type.clone()),
        ("x-oss-storage-class".to_string(), rec.storage_class.clone()),
        (
            ossbridge_core::crc64::CRC64_HEADER.to_string(),
            rec.crc64.to_string(),
        ),
        ("accept-ranges".to_string(), "bytes".to_string()),
    ];
    if rec.object_type == "Appendable" {
        h.push((
            "x-oss-next-append-position".to_string(),
            rec.size.to_string(),
        ));
    }
    h.extend(rec.headers.iter().cloned());
    h.extend(sse::response_headers(rec.sse.as_ref()));
    h
}

fn content_length(ctx: &Ctx) -> OssResult<Option<u64>> {
    match ctx.header("content-length") {
        None => Ok(None),
        Some(v) => v.trim().parse().map(Some).map_err(|_| {
            OssError::invalid_argument(format!("Content-Length `{v}` is not a number"))
        }),
    }
}

fn check_forbid_overwrite(state: &AppState, ctx: &Ctx, bucket: &str, key: &str) -> OssResult<()> {
    if ctx
        .header("x-oss-forbid-overwrite")
        .map(|v| v.trim().eq_ignore_ascii_case("true"))
        == Some(true)
        && state.db.object(bucket, key)?.is_some()
    {
        return Err(OssError::new(
            409,
            "FileAlreadyExists",
            "The object you specified already exists and can not be overwritten.",
        )
        .ec("0026-00000003"));
    }
    Ok(())
}

/// Commits `record`, deleting the replaced version's files; on failure, deletes the new ones.
fn commit(state: &AppState, bucket: &str, key: &str, record: &ObjectRecord) -> OssResult<()> {
    match state.db.put_object(bucket, key, record) {
        Ok(old) => {
            if let Some(old) = old {
                let new_ids: Vec<&str> = record.chunks.iter().map(|c| c.id.as_str()).collect();
                state.store.remove_chunks(
                    old.chunks
                        .iter()
                        .filter(|c| !new_ids.contains(&c.id.as_str())),
                );
            }
            Ok(())
        }
        Err(e) => {
            state.store.remove_chunks(&record.chunks);
            Err(e)
        }
    }
}

pub async fn put_object(
    state: &AppState,
    ctx: &Ctx,
    bucket: &BucketRecord,
    body: &mut Option<Body>,
) -> OssResult<Response<Body>> {
    let len = content_length(ctx)?;
    if len.is_some_and(|l| l > MAX_PUT_SIZE) {
        return Err(entity_too_large(MAX_PUT_SIZE));
    }
    if ctx.header("x-oss-callback").is_some() {
        return Err(OssError::not_implemented("PutObject with x-oss-callback"));
    }
    let meta = meta_from_request(ctx)?;
    check_forbid_overwrite(state, ctx, ctx.bucket(), ctx.key())?;
    let requested = sse::from_headers(&ctx.headers)?;
    let enc = sse::effective(requested, bucket.sse.as_ref())
        .map(|s| sse::new_key(&state.kms, &ctx.principal, &s))
        .transpose()?;
    let md5 = content_md5(ctx)?;
    let written = state
        .store
        .write_chunk(
            super::take(body).into_data_stream(),
            enc.as_ref().map(|(_, k)| k),
            MAX_PUT_SIZE,
            len,
            md5,
        )
        .await?;
    let record = ObjectRecord {
        size: written.chunk.len,
        etag: hex::encode_upper(written.md5),
        crc64: written.chunk.crc64,
        last_modified: now_secs(),
        content_type: meta.content_type,
        headers: meta.headers,
        object_type: "Normal".into(),
        acl: meta.acl,
        storage_class: meta.storage_class,
        sse: enc.map(|(r, _)| r),
        chunks: vec![written.chunk],
    };
    commit(state, ctx.bucket(), ctx.key(), &record)?;
    let mut headers = vec![
        ("etag".to_string(), format!("\"{}\"", record.etag)),
        (
            ossbridge_core::crc64::CRC64_HEADER.to_string(),
            record.crc64.to_string(),
        ),
        (
            "content-md5".to_string(),
            base64::engine::general_purpose::STANDARD.encode(written.md5),
        ),
        ("content-length".to_string(), "0".to_string()),
    ];
    headers.extend(sse::response_headers(record.sse.as_ref()));
    Ok(build(200, &headers, Body::empty()))
}

/// Parses `x-oss-copy-source: /bucket/url-encoded-key`.
pub fn copy_source(ctx: &Ctx) -> OssResult<(String, String)> {
    let raw = ctx.header("x-oss-copy-source").unwrap_or("");
    let raw = raw.split_once('?').map(|(p, _)| p).unwrap_or(raw);
    let decoded = crate::request::percent_decode(raw, false)?;
    let trimmed = decoded.strip_prefix('/').unwrap_or(&decoded);
    match trimmed.split_once('/') {
        Some((b, k)) if !b.is_empty() && !k.is_empty() => Ok((b.to_string(), k.to_string())),
        _ => Err(OssError::invalid_argument(format!(
            "x-oss-copy-source `{raw}` must be `/<bucket>/<url-encoded key>`"
        ))
        .ec("0017-00000801")),
    }
}

/// Loads a copy source the caller may read, with its data key.
pub fn open_source(
    state: &AppState,
    ctx: &Ctx,
    bucket: &str,
    key: &str,
) -> OssResult<(ObjectRecord, Option<ChunkKey>)> {
    if let Principal::User(u) = &ctx.principal {
        if !u.may("oss:GetObject", Some(bucket)) {
            return Err(
                OssError::access_denied("You are not authorized to read the copy source.")
                    .ec("0003-00000301"),
            );
        }
    }
    let src_bucket = state
        .db
        .bucket(bucket)?
        .ok_or_else(|| OssError::no_such_bucket(bucket))?;
    if matches!(ctx.principal, Principal::Anonymous)
        && !matches!(src_bucket.acl.as_str(), "public-read" | "public-read-write")
    {
        return Err(OssError::access_denied(
            "You have no right to access the copy source because of bucket acl.",
        ));
    }
    let rec = state
        .db
        .object(bucket, key)?
        .ok_or_else(|| OssError::no_such_key(key))?;
    check_conditions(ctx, &rec, "x-oss-copy-source-", true)?;
    let key = rec
        .sse
        .as_ref()
        .map(|s| sse::open_key(&state.kms, &ctx.principal, s, "kms:Decrypt"))
        .transpose()?;
    Ok((rec, key))
}

pub async fn copy_object(
    state: &AppState,
    ctx: &Ctx,
    bucket: &BucketRecord,
) -> OssResult<Response<Body>> {
    let (src_bucket, src_key) = copy_source(ctx)?;
    let (src, src_chunk_key) = open_source(state, ctx, &src_bucket, &src_key)?;
    if src.size > MAX_COPY_SIZE {
        return Err(OssError::invalid_argument(format!(
            "The source object is larger than {MAX_COPY_SIZE} bytes; CopyObject supports up to 1 GB (use UploadPartCopy)."
        )));
    }
    let directive = ctx
        .header("x-oss-metadata-directive")
        .unwrap_or("COPY")
        .trim()
        .to_ascii_uppercase();
    let input = meta_from_request(ctx)?;
    let (content_type, headers) = match directive.as_str() {
        "COPY" => (src.content_type.clone(), src.headers.clone()),
        "REPLACE" => {
            crate::cse::check_copy(&src.headers, &input.headers)?;
            (input.content_type, input.headers)
        }
        other => {
            return Err(OssError::invalid_argument(format!(
                "x-oss-metadata-directive must be COPY or REPLACE (got `{other}`)"
            )))
        }
    };
    check_forbid_overwrite(state, ctx, ctx.bucket(), ctx.key())?;
    // The destination's encryption never comes from the source (sse-api.md §2.2).
    let requested = sse::from_headers(&ctx.headers)?;
    let enc = sse::effective(requested, bucket.sse.as_ref())
        .map(|s| sse::new_key(&state.kms, &ctx.principal, &s))
        .transpose()?;
    let stream = state
        .store
        .read_range(src.chunks.clone(), src_chunk_key, 0, src.size)?;
    let written = state
        .store
        .write_chunk(
            Box::pin(stream),
            enc.as_ref().map(|(_, k)| k),
            MAX_COPY_SIZE,
            Some(src.size),
            None,
        )
        .await?;
    if written.chunk.crc64 != src.crc64 {
        state.store.remove_chunks([&written.chunk]);
        return Err(OssError::internal(
            "copy source changed while it was read; retry",
        ));
    }
    let record = ObjectRecord {
        size: written.chunk.len,
        etag: hex::encode_upper(written.md5),
        crc64: written.chunk.crc64,
        last_modified: now_secs(),
        content_type,
        headers,
        object_type: "Normal".into(),
        acl: input.acl,
        storage_class: input.storage_class,
        sse: enc.map(|(r, _)| r),
        chunks: vec![written.chunk],
    };
    commit(state, ctx.bucket(), ctx.key(), &record)?;
    let mut w = XmlWriter::new();
    w.open("CopyObjectResult")
        .elem("ETag", &format!("\"{}\"", record.etag))
        .elem("LastModified", &iso8601(record.last_modified))
        .close("CopyObjectResult");
    let mut resp = xml(200, w.finish());
    for (n, v) in sse::response_headers(record.sse.as_ref())
        .into_iter()
        .chain([(
            ossbridge_core::crc64::CRC64_HEADER.to_string(),
            record.crc64.to_string(),
        )])
    {
        crate::response::set(resp.headers_mut(), &n, &v);
    }
    Ok(resp)
}

fn etag_matches(list: &str, etag: &str) -> bool {
    list.split(',')
        .map(|t| t.trim().trim_matches('"'))
        .any(|t| t == "*" || t.eq_ignore_ascii_case(etag))
}

fn precondition_failed() -> OssError {
    OssError::new(
        412,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold.",
    )
    .ec("0026-00000004")
}

/// If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since (with `prefix` for
/// the `x-oss-copy-source-if-*` forms, which fail with 412 instead of 304).
fn check_conditions(ctx: &Ctx, rec: &ObjectRecord, prefix: &str, copy: bool) -> OssResult<()> {
    let h = |name: &str| ctx.header(&format!("{prefix}{name}")).map(str::to_string);
    let modified = rec.last_modified;
    let not_modified = || {
        if copy {
            precondition_failed()
        } else {
            OssError::new(304, "NotModified", "Not Modified")
        }
    };
    if let Some(m) = h("if-match") {
        if !etag_matches(&m, &rec.etag) {
            return Err(precondition_failed());
        }
    }
    if let Some(m) = h("if-none-match") {
        if etag_matches(&m, &rec.etag) {
            return Err(not_modified());
        }
    }
    let parse = |v: &str| {
        httpdate::parse_http_date(v.trim())
            .ok()
            .map(crate::storage_secs)
    };
    if let Some(since) = h("if-unmodified-since").as_deref().and_then(parse) {
        if modified > since {
            return Err(precondition_failed());
        }
    }
    if let Some(since) = h("if-modified-since").as_deref().and_then(parse) {
        if modified <= since {
            return Err(not_modified());
        }
    }
    Ok(())
}

/// A parsed `Range` header: `Some((start, end_exclusive))` to serve a part.
fn parse_range(ctx: &Ctx, size: u64) -> OssResult<Option<(u64, u64)>> {
    let Some(value) = ctx.header("range") else {
        return Ok(None);
    };
    if size == 0 {
        // No byte of an empty object can be addressed: OSS answers 416 for any range.
        return Err(OssError::new(
            416,
            "InvalidRange",
            "The requested range cannot be satisfied.",
        )
        .ec("0026-00000005")
        .header("content-range", "bytes */0"));
    }
    let standard = ctx
        .header("x-oss-range-behavior")
        .map(|v| v.trim() == "standard")
        .unwrap_or(false);
    let invalid = || {
        OssError::new(
            416,
            "InvalidRange",
            "The requested range cannot be satisfied.",
        )
        .ec("0026-00000005")
        .header("content-range", format!("bytes */{size}"))
    };
    let spec = match value.trim().strip_prefix("bytes=") {
        Some(s) if !s.contains(',') => s.trim(),
        // Malformed or multi-range: OSS serves the whole object.
        _ => return Ok(None),
    };
    let Some((a, b)) = spec.split_once('-') else {
        return Ok(None);
    };
    let (a, b) = (a.trim(), b.trim());
    let range = if a.is_empty() {
        // Suffix range: the last N bytes.
        match b.parse::<u64>() {
            Ok(0) => return if standard { Err(invalid()) } else { Ok(None) },
            Ok(n) if n > size => return Ok(if standard { Some((0, size)) } else { None }),
            Ok(n) => (size - n, size),
            Err(_) => return Ok(None),
        }
    } else {
        let Ok(start) = a.parse::<u64>() else {
            return Ok(None);
        };
        let end = if b.is_empty() {
            size.saturating_sub(1)
        } else {
            match b.parse::<u64>() {
                Ok(e) => e,
                Err(_) => return Ok(None),
            }
        };
        if start >= size {
            return if standard { Err(invalid()) } else { Ok(None) };
        }
        if end < start {
            return Ok(None);
        }
        if end >= size {
            if standard {
                (start, size)
            } else {
                return Ok(None);
            }
        } else {
            (start, end + 1)
        }
    };
    Ok(Some(range))
}

fn read_key(state: &AppState, ctx: &Ctx, sse: Option<&SseRecord>) -> OssResult<Option<ChunkKey>> {
    sse.map(|s| sse::open_key(&state.kms, &ctx.principal, s, "kms:Decrypt"))
        .transpose()
}

pub fn get_object(state: &AppState, ctx: &Ctx, head: bool) -> OssResult<Response<Body>> {
    let rec = state
        .db
        .object(ctx.bucket(), ctx.key())?
        .ok_or_else(|| OssError::no_such_key(ctx.key()))?;
    // Reading a KMS object needs kms:Decrypt (anonymous callers never have it).
    if let Some(sse) = rec.sse.as_ref().filter(|s| s.algorithm == "KMS") {
        sse::check_kms(
            &state.kms,
            &ctx.principal,
            sse.key_id.as_deref().unwrap_or(""),
            "kms:Decrypt",
        )?;
    }
    check_conditions(ctx, &rec, "", false)?;
    let mut headers = object_headers(&rec);
    let range = parse_range(ctx, rec.size)?;
    let (status, start, end) = match range {
        Some((s, e)) => {
            headers.push((
                "content-range".into(),
                format!("bytes {}-{}/{}", s, e - 1, rec.size),
            ));
            (206, s, e)
        }
        None => (200, 0, rec.size),
    };
    headers.push(("content-length".into(), (end - start).to_string()));
    if ctx.principal.user().is_some() {
        for (param, header) in [
            ("response-content-type", "content-type"),
            ("response-content-language", "content-language"),
            ("response-expires", "expires"),
            ("response-cache-control", "cache-control"),
            ("response-content-disposition", "content-disposition"),
            ("response-content-encoding", "content-encoding"),
        ] {
            if let Some(v) = ctx.target.get(param) {
                headers.retain(|(n, _)| n != header);
                headers.push((header.to_string(), v.to_string()));
            }
        }
    }
    if head {
        return Ok(build(200, &headers, Body::empty()));
    }
    let key = read_key(state, ctx, rec.sse.as_ref())?;
    let stream = state
        .store
        .read_range(rec.chunks.clone(), key, start, end)?;
    let corrupt = state
        .corrupt_suffix
        .as_deref()
        .is_some_and(|s| ctx.key().ends_with(s));
    let body = if corrupt {
        let mut first = true;
        Body::from_stream(stream.map(move |item| {
            item.map(|bytes| {
                if first && !bytes.is_empty() {
                    first = false;
                    let mut v = bytes.to_vec();
                    v[0] ^= 0xFF;
                    bytes::Bytes::from(v)
                } else {
                    bytes
                }
            })
        }))
    } else {
        Body::from_stream(stream)
    };
    Ok(build(status, &headers, body))
}

pub fn get_object_meta(state: &AppState, ctx: &Ctx) -> OssResult<Response<Body>> {
    let rec = state
        .db
        .object(ctx.bucket(), ctx.key())?
        .ok_or_else(|| OssError::no_such_key(ctx.key()))?;
    let headers = vec![
        ("etag".to_string(), format!("\"{}\"", rec.etag)),
        ("last-modified".to_string(), http_date(rec.last_modified)),
        (
            "x-oss-last-access-time".to_string(),
            http_date(rec.last_modified),
        ),
        (
            ossbridge_core::crc64::CRC64_HEADER.to_string(),
            rec.crc64.to_string(),
        ),
        ("content-length".to_string(), rec.size.to_string()),
    ];
    Ok(build(200, &headers, Body::empty()))
}

pub fn delete_object(state: &AppState, ctx: &Ctx) -> OssResult<Response<Body>> {
    if let Some(old) = state.db.delete_object(ctx.bucket(), ctx.key())? {
        state.store.remove_chunks(&old.chunks);
    }
    Ok(crate::response::empty(204))
}

pub async fn delete_multiple(
    state: &AppState,
    ctx: &Ctx,
    body: &mut Option<Body>,
) -> OssResult<Response<Body>> {
    let body = read_small_body(super::take(body), 2 * 1024 * 1024).await?;
    check_md5(ctx, &body)?;
    let root = parse(&body)?;
    if root.name != "Delete" {
        return Err(OssError::malformed_xml(format!(
            "expected <Delete>, got <{}>",
            root.name
        )));
    }
    let quiet = root
        .child_text("Quiet")
        .map(|q| q.eq_ignore_ascii_case("true"))
        .unwrap_or(false);
    let encode = ctx.target.get("encoding-type") == Some("url");
    let objects: Vec<&crate::xml::Element> = root.children_named("Object").collect();
    if objects.is_empty() || objects.len() > 1000 {
        return Err(OssError::malformed_xml(format!(
            "DeleteMultipleObjects takes 1 to 1000 <Object> entries (got {})",
            objects.len()
        )));
    }
    let mut keys = Vec::new();
    for obj in objects {
        let raw = obj
            .child("Key")
            .map(|k| k.text.clone())
            .ok_or_else(|| OssError::malformed_xml("<Object> without <Key>"))?;
        // encoding-type applies to the response only: request keys are raw (XML-escaped).
        let key = raw;
        crate::request::check_key(&key)?;
        keys.push(key);
    }
    let mut w = XmlWriter::new();
    w.open("DeleteResult");
    if encode {
        w.elem("EncodingType", "url");
    }
    for key in keys {
        if let Some(old) = state.db.delete_object(ctx.bucket(), &key)? {
            state.store.remove_chunks(&old.chunks);
        }
        if !quiet {
            w.open("Deleted")
                .elem("Key", &maybe_encode(&key, encode))
                .close("Deleted");
        }
    }
    w.close("DeleteResult");
    Ok(xml(200, w.finish()))
}

pub async fn append_object(
    state: &AppState,
    ctx: &Ctx,
    bucket: &BucketRecord,
    body: &mut Option<Body>,
) -> OssResult<Response<Body>> {
    let position: u64 = ctx
        .target
        .get("position")
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| {
            OssError::invalid_argument("AppendObject needs a numeric `position` query parameter")
                .ec("0016-00000105")
        })?;
    let len = content_length(ctx)?;
    // Appends to one object are serialised so position checks and commits cannot interleave.
    let _guard = state.append_lock.lock().await;
    let existing = state.db.object(ctx.bucket(), ctx.key())?;
    let position_error = |next: u64| {
        OssError::new(
            409,
            "PositionNotEqualToLength",
            "Position is not equal to file length",
        )
        .ec("0026-00000016")
        .header("x-oss-next-append-position", next.to_string())
    };
    let (base, enc_key, sse_record) = match &existing {
        Some(rec) if rec.object_type != "Appendable" => {
            return Err(
                OssError::new(409, "ObjectNotAppendable", "The object is not appendable")
                    .ec("0026-00000015"),
            );
        }
        Some(rec) => {
            if position != rec.size {
                return Err(position_error(rec.size));
            }
            // Later appends keep the object's original encryption (sse-api.md §2.2).
            let key = rec
                .sse
                .as_ref()
                .map(|s| sse::open_key(&state.kms, &ctx.principal, s, "kms:GenerateDataKey"))
                .transpose()?;
            (Some(rec.clone()), key, rec.sse.clone())
        }
        None => {
            if position != 0 {
                return Err(position_error(0));
            }
            let requested = sse::from_headers(&ctx.headers)?;
            if requested.as_ref().is_some_and(|r| r.key_id.is_some()) {
                return Err(OssError::invalid_argument(
                    "Appendable objects cannot be encrypted by using a specified CMK ID.",
                ));
            }
            match sse::effective(requested, bucket.sse.as_ref()) {
                Some(s) => {
                    let (record, key) = sse::new_key(&state.kms, &ctx.principal, &s)?;
                    (None, Some(key), Some(record))
                }
                None => (None, None, None),
            }
        }
    };
    let max = MAX_PUT_SIZE - position;
    if len.is_some_and(|l| l > max) {
        return Err(entity_too_large(MAX_PUT_SIZE));
    }
    let md5 = content_md5(ctx)?;
    let written = state
        .store
        .write_chunk(
            super::take(body).into_data_stream(),
            enc_key.as_ref(),
            max,
            len,
            md5,
        )
        .await?;
    let meta = meta_from_request(ctx)?;
    let record = match base {
        Some(mut rec) => {
            rec.crc64 =
                ossbridge_core::crc64::combine(rec.crc64, written.chunk.crc64, written.chunk.len);
            rec.size += written.chunk.len;
            rec.chunks.push(written.chunk);
            rec.last_modified = now_secs();
            rec.etag = append_etag(rec.crc64, rec.size);
            rec
        }
        None => ObjectRecord {
            size: written.chunk.len,
            etag: append_etag(written.chunk.crc64, written.chunk.len),
            crc64: written.chunk.crc64,
            last_modified: now_secs(),
            content_type: meta.content_type,
            headers: meta.headers,
            object_type: "Appendable".into(),
            acl: meta.acl,
            storage_class: meta.storage_class,
            sse: sse_record,
            chunks: vec![written.chunk],
        },
    };
    commit(state, ctx.bucket(), ctx.key(), &record)?;
    let mut headers = vec![
        ("etag".to_string(), format!("\"{}\"", record.etag)),
        (
            "x-oss-next-append-position".to_string(),
            record.size.to_string(),
        ),
        (
            ossbridge_core::crc64::CRC64_HEADER.to_string(),
            record.crc64.to_string(),
        ),
        ("content-length".to_string(), "0".to_string()),
    ];
    headers.extend(sse::response_headers(record.sse.as_ref()));
    Ok(build(200, &headers, Body::empty()))
}

/// Appendable objects have no whole-content MD5; their ETag is derived from CRC and size.
fn append_etag(crc: u64, size: u64) -> String {
    let digest = ossbridge_core::md5::Md5::digest(format!("{crc}:{size}"));
    hex::encode_upper(digest)
}
