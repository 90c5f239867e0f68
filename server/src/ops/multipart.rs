//! Multipart uploads: Initiate, UploadPart, UploadPartCopy, Complete, Abort, ListParts,
//! ListMultipartUploads.

use axum::body::Body;
use base64::Engine;
use http::Response;

use super::{check_md5, maybe_encode, object, read_small_body};
use crate::error::{OssError, OssResult};
use crate::kms::now_secs;
use crate::meta::{BucketRecord, ObjectRecord, PartRecord, UploadRecord};
use crate::response::{build, set, xml};
use crate::sse;
use crate::storage::entity_too_large;
use crate::xml::{iso8601, parse, XmlWriter};
use crate::{AppState, Ctx};

pub const MAX_PARTS: u32 = 10_000;
pub const MAX_PART_SIZE: u64 = 5 * 1024 * 1024 * 1024;
/// Every part but the last must be at least 100 KiB.
pub const MIN_PART_SIZE: u64 = 100 * 1024;

fn sse_headers_rejected(ctx: &Ctx, op: &str) -> OssResult<()> {
    if sse::has_any_header(&ctx.headers) {
        return Err(OssError::invalid_argument(format!(
            "{op} does not accept x-oss-server-side-encryption headers; set encryption on InitiateMultipartUpload."
        ))
        .ec("0005-00000004"));
    }
    Ok(())
}

fn load_upload(state: &AppState, ctx: &Ctx) -> OssResult<UploadRecord> {
    let id = ctx.target.get("uploadId").unwrap_or("");
    match state.db.upload(id)? {
        Some(u) if u.bucket == ctx.bucket() && u.key == ctx.key() => Ok(u),
        _ => Err(OssError::no_such_upload(id)),
    }
}

fn part_number(ctx: &Ctx) -> OssResult<u32> {
    let raw = ctx.target.get("partNumber").unwrap_or("");
    match raw.parse::<u32>() {
        Ok(n) if (1..=MAX_PARTS).contains(&n) => Ok(n),
        _ => Err(OssError::invalid_argument(format!(
            "Part number must be an integer between 1 and {MAX_PARTS}, inclusive (got `{raw}`)."
        ))
        .ec("0042-00000001")),
    }
}

pub fn initiate(state: &AppState, ctx: &Ctx, bucket: &BucketRecord) -> OssResult<Response<Body>> {
    let meta = object::meta_from_request(ctx)?;
    crate::cse::check_initiate(&meta.headers)?;
    let requested = sse::from_headers(&ctx.headers)?;
    let enc = sse::effective(requested, bucket.sse.as_ref())
        .map(|s| sse::new_key(&state.kms, &ctx.principal, &s))
        .transpose()?;
    let upload = UploadRecord {
        upload_id: uuid::Uuid::new_v4().simple().to_string().to_uppercase(),
        bucket: ctx.bucket().to_string(),
        key: ctx.key().to_string(),
        initiated: now_secs(),
        content_type: meta.content_type,
        headers: meta.headers,
        acl: meta.acl,
        storage_class: meta.storage_class,
        sse: enc.map(|(r, _)| r),
    };
    state.db.create_upload(&upload)?;
    let encode = ctx.target.get("encoding-type") == Some("url");
    let mut w = XmlWriter::new();
    w.open("InitiateMultipartUploadResult");
    if encode {
        w.elem("EncodingType", "url");
    }
    w.elem("Bucket", &upload.bucket)
        .elem("Key", &maybe_encode(&upload.key, encode))
        .elem("UploadId", &upload.upload_id)
        .close("InitiateMultipartUploadResult");
    let mut resp = xml(200, w.finish());
    for (n, v) in sse::response_headers(upload.sse.as_ref()) {
        set(resp.headers_mut(), &n, &v);
    }
    Ok(resp)
}

/// The data key of an SSE upload (writing a part needs kms:GenerateDataKey for KMS).
fn upload_key(
    state: &AppState,
    ctx: &Ctx,
    upload: &UploadRecord,
) -> OssResult<Option<crate::storage::ChunkKey>> {
    upload
        .sse
        .as_ref()
        .map(|s| sse::open_key(&state.kms, &ctx.principal, s, "kms:GenerateDataKey"))
        .transpose()
}

#[allow(clippy::too_many_arguments)]
async fn store_part<S, E>(
    state: &AppState,
    upload: &UploadRecord,
    number: u32,
    key: Option<crate::storage::ChunkKey>,
    stream: S,
    len: Option<u64>,
    md5: Option<[u8; 16]>,
) -> OssResult<PartRecord>
where
    S: futures::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let written = state
        .store
        .write_chunk(stream, key.as_ref(), MAX_PART_SIZE, len, md5)
        .await?;
    let part = PartRecord {
        number,
        md5_hex: hex::encode_upper(written.md5),
        chunk: written.chunk,
        last_modified: now_secs(),
    };
    match state.db.put_part(&upload.upload_id, &part) {
        Ok(Some(old)) => state.store.remove_chunks([&old.chunk]),
        Ok(None) => {}
        Err(e) => {
            state.store.remove_chunks([&part.chunk]);
            return Err(e);
        }
    }
    Ok(part)
}

pub async fn upload_part(
    state: &AppState,
    ctx: &Ctx,
    body: &mut Option<Body>,
) -> OssResult<Response<Body>> {
    sse_headers_rejected(ctx, "UploadPart")?;
    let number = part_number(ctx)?;
    let upload = load_upload(state, ctx)?;
    if let Some(cse) = crate::cse::check_initiate(&upload.headers)? {
        crate::cse::check_part_number(&cse, number)?;
    }
    let len = match ctx.header("content-length") {
        Some(v) => Some(
            v.trim()
                .parse::<u64>()
                .map_err(|_| OssError::invalid_argument("Content-Length is not a number"))?,
        ),
        None => None,
    };
    if len.is_some_and(|l| l > MAX_PART_SIZE) {
        return Err(entity_too_large(MAX_PART_SIZE));
    }
    let md5 = super::content_md5(ctx)?;
    let key = upload_key(state, ctx, &upload)?;
    let part = store_part(
        state,
        &upload,
        number,
        key,
        super::take(body).into_data_stream(),
        len,
        md5,
    )
    .await?;
    let md5_bytes = hex::decode(&part.md5_hex).unwrap_or_default();
    let mut headers = vec![
        ("etag".to_string(), format!("\"{}\"", part.md5_hex)),
        (
            ossbridge_core::crc64::CRC64_HEADER.to_string(),
            part.chunk.crc64.to_string(),
        ),
        (
            "content-md5".to_string(),
            base64::engine::general_purpose::STANDARD.encode(md5_bytes),
        ),
        ("content-length".to_string(), "0".to_string()),
    ];
    headers.extend(sse::response_headers(upload.sse.as_ref()));
    Ok(build(200, &headers, Body::empty()))
}

pub async fn upload_part_copy(state: &AppState, ctx: &Ctx) -> OssResult<Response<Body>> {
    sse_headers_rejected(ctx, "UploadPartCopy")?;
    let number = part_number(ctx)?;
    let upload = load_upload(state, ctx)?;
    if let Some(cse) = crate::cse::check_initiate(&upload.headers)? {
        crate::cse::check_part_number(&cse, number)?;
    }
    let (src_bucket, src_key) = object::copy_source(ctx)?;
    let (src, src_key_material) = object::open_source(state, ctx, &src_bucket, &src_key)?;
    let (start, end) = match ctx.header("x-oss-copy-source-range") {
        None => (0, src.size),
        Some(r) => {
            let spec = r.trim().strip_prefix("bytes=").unwrap_or("");
            let parsed = spec.split_once('-').and_then(|(a, b)| {
                Some((a.trim().parse::<u64>().ok()?, b.trim().parse::<u64>().ok()?))
            });
            match parsed {
                Some((a, b)) if a <= b && b < src.size => (a, b + 1),
                _ => {
                    return Err(OssError::new(
                        416,
                        "InvalidRange",
                        "The requested range cannot be satisfied.",
                    )
                    .detail("RangeRequested", r)
                    .detail("ActualObjectSize", src.size.to_string()))
                }
            }
        }
    };
    if end - start > MAX_PART_SIZE {
        return Err(entity_too_large(MAX_PART_SIZE));
    }
    let stream = state
        .store
        .read_range(src.chunks.clone(), src_key_material, start, end)?;
    let key = upload_key(state, ctx, &upload)?;
    let part = store_part(
        state,
        &upload,
        number,
        key,
        Box::pin(stream),
        Some(end - start),
        None,
    )
    .await?;
    let mut w = XmlWriter::new();
    w.open("CopyPartResult")
        .elem("LastModified", &iso8601(part.last_modified))
        .elem("ETag", &format!("\"{}\"", part.md5_hex))
        .close("CopyPartResult");
    let mut resp = xml(200, w.finish());
    for (n, v) in sse::response_headers(upload.sse.as_ref()) {
        set(resp.headers_mut(), &n, &v);
    }
    set(
        resp.headers_mut(),
        ossbridge_core::crc64::CRC64_HEADER,
        &part.chunk.crc64.to_string(),
    );
    // oss2's upload_part_copy reads the part ETag from the header, as OSS sends it.
    set(resp.headers_mut(), "etag", &format!("\"{}\"", part.md5_hex));
    Ok(resp)
}

pub async fn complete(
    state: &AppState,
    ctx: &Ctx,
    body: &mut Option<Body>,
) -> OssResult<Response<Body>> {
    sse_headers_rejected(ctx, "CompleteMultipartUpload")?;
    if ctx.header("x-oss-callback").is_some() {
        return Err(OssError::not_implemented(
            "CompleteMultipartUpload with x-oss-callback",
        ));
    }
    let upload = load_upload(state, ctx)?;
    let body = read_small_body(super::take(body), 4 * 1024 * 1024).await?;
    check_md5(ctx, &body)?;
    let stored = state.db.parts(&upload.upload_id)?;
    let complete_all = ctx
        .header("x-oss-complete-all")
        .map(|v| v.trim().eq_ignore_ascii_case("yes"))
        .unwrap_or(false);
    let chosen: Vec<PartRecord> = if complete_all {
        if !body.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(OssError::invalid_argument(
                "With x-oss-complete-all: yes the request body must be empty.",
            ));
        }
        stored.clone()
    } else {
        let root = parse(&body)?;
        if root.name != "CompleteMultipartUpload" {
            return Err(OssError::malformed_xml(format!(
                "expected <CompleteMultipartUpload>, got <{}>",
                root.name
            )));
        }
        let mut chosen = Vec::new();
        let mut last = 0u32;
        for p in root.children_named("Part") {
            let number: u32 = p
                .child_text("PartNumber")
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| OssError::malformed_xml("<Part> needs a numeric <PartNumber>"))?;
            let etag = p
                .child_text("ETag")
                .ok_or_else(|| OssError::malformed_xml("<Part> needs an <ETag>"))?;
            if number <= last {
                return Err(OssError::new(400, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.")
                    .ec("0042-00000204"));
            }
            last = number;
            let part = stored
                .iter()
                .find(|s| s.number == number && s.md5_hex.eq_ignore_ascii_case(etag.trim_matches('"')))
                .ok_or_else(|| {
                    OssError::new(400, "InvalidPart", "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag.")
                        .ec("0042-00000202")
                        .detail("PartNumber", number.to_string())
                        .detail("ETag", etag)
                })?;
            chosen.push(part.clone());
        }
        chosen
    };
    if chosen.is_empty() {
        return Err(OssError::malformed_xml(
            "CompleteMultipartUpload needs at least one <Part>",
        ));
    }
    if let Some(cse) = crate::cse::check_initiate(&upload.headers)? {
        crate::cse::check_complete(&cse, &chosen)?;
    }
    for p in &chosen[..chosen.len() - 1] {
        if p.chunk.len < MIN_PART_SIZE {
            return Err(OssError::new(
                400,
                "EntityTooSmall",
                "Your proposed upload is smaller than the minimum allowed size.",
            )
            .ec("0042-00000206")
            .detail("PartNumber", p.number.to_string())
            .detail("MinSizeAllowed", MIN_PART_SIZE.to_string()));
        }
    }
    let mut md5s = ossbridge_core::md5::Md5::new();
    let mut crc = 0u64;
    let mut size = 0u64;
    for (i, p) in chosen.iter().enumerate() {
        md5s.update(hex::decode(&p.md5_hex).unwrap_or_default());
        crc = if i == 0 {
            p.chunk.crc64
        } else {
            ossbridge_core::crc64::combine(crc, p.chunk.crc64, p.chunk.len)
        };
        size += p.chunk.len;
    }
    let record = ObjectRecord {
        size,
        etag: format!("{}-{}", hex::encode_upper(md5s.finalize()), chosen.len()),
        crc64: crc,
        last_modified: now_secs(),
        content_type: upload.content_type.clone(),
        headers: upload.headers.clone(),
        object_type: "Multipart".into(),
        acl: upload.acl.clone(),
        storage_class: upload.storage_class.clone(),
        sse: upload.sse.clone(),
        chunks: chosen.iter().map(|p| p.chunk.clone()).collect(),
    };
    let (old, all_parts) = state.db.complete_upload(&upload, &record)?;
    let used: Vec<&str> = record.chunks.iter().map(|c| c.id.as_str()).collect();
    state.store.remove_chunks(
        all_parts
            .iter()
            .map(|p| &p.chunk)
            .filter(|c| !used.contains(&c.id.as_str())),
    );
    if let Some(old) = old {
        state
            .store
            .remove_chunks(old.chunks.iter().filter(|c| !used.contains(&c.id.as_str())));
    }
    let encode = ctx.target.get("encoding-type") == Some("url");
    let mut w = XmlWriter::new();
    w.open("CompleteMultipartUploadResult");
    if encode {
        w.elem("EncodingType", "url");
    }
    w.elem(
        "Location",
        &format!(
            "http://{}/{}/{}",
            ctx.host,
            upload.bucket,
            ossbridge_core::signing::uri_encode(&upload.key, true)
        ),
    )
    .elem("Bucket", &upload.bucket)
    .elem("Key", &maybe_encode(&upload.key, encode))
    .elem("ETag", &format!("\"{}\"", record.etag))
    .close("CompleteMultipartUploadResult");
    let mut resp = xml(200, w.finish());
    set(resp.headers_mut(), "etag", &format!("\"{}\"", record.etag));
    set(
        resp.headers_mut(),
        ossbridge_core::crc64::CRC64_HEADER,
        &record.crc64.to_string(),
    );
    for (n, v) in sse::response_headers(record.sse.as_ref()) {
        set(resp.headers_mut(), &n, &v);
    }
    Ok(resp)
}

pub fn abort(state: &AppState, ctx: &Ctx) -> OssResult<Response<Body>> {
    let upload = load_upload(state, ctx)?;
    let parts = state.db.delete_upload(&upload.upload_id)?;
    state.store.remove_chunks(parts.iter().map(|p| &p.chunk));
    Ok(crate::response::empty(204))
}

fn parse_limit(ctx: &Ctx, name: &str) -> OssResult<usize> {
    match ctx.target.get(name) {
        None | Some("") => Ok(1000),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=1000).contains(&n) => Ok(n),
            _ => Err(OssError::invalid_argument(format!(
                "{name} must be an integer between 1 and 1000 (got `{v}`)"
            ))),
        },
    }
}

pub fn list_uploads(state: &AppState, ctx: &Ctx) -> OssResult<Response<Body>> {
    let q = &ctx.target;
    let prefix = q.get("prefix").unwrap_or("");
    let delimiter = q.get("delimiter").unwrap_or("");
    let key_marker = q.get("key-marker").unwrap_or("");
    let id_marker = q.get("upload-id-marker").unwrap_or("");
    let max = parse_limit(ctx, "max-uploads")?;
    let encode = q.get("encoding-type") == Some("url");
    // With no upload-id-marker, every upload of key-marker is skipped.
    let id_marker_eff = if id_marker.is_empty() {
        "\u{10FFFF}"
    } else {
        id_marker
    };
    let mut uploads =
        state
            .db
            .list_uploads(ctx.bucket(), key_marker, id_marker_eff, prefix, 10_000)?;
    let mut prefixes: Vec<String> = Vec::new();
    if !delimiter.is_empty() {
        uploads.retain(|u| match u.key[prefix.len()..].find(delimiter) {
            Some(i) => {
                let p = u.key[..prefix.len() + i + delimiter.len()].to_string();
                if !prefixes.contains(&p) {
                    prefixes.push(p);
                }
                false
            }
            None => true,
        });
    }
    let truncated = uploads.len() > max;
    uploads.truncate(max);
    let e = |s: &str| maybe_encode(s, encode);
    let mut w = XmlWriter::new();
    w.open("ListMultipartUploadsResult");
    if encode {
        w.elem("EncodingType", "url");
    }
    w.elem("Bucket", ctx.bucket())
        .elem("KeyMarker", &e(key_marker))
        .elem("UploadIdMarker", id_marker)
        .elem(
            "NextKeyMarker",
            &e(&uploads.last().map(|u| u.key.clone()).unwrap_or_default()),
        )
        .elem(
            "NextUploadIdMarker",
            &uploads
                .last()
                .map(|u| u.upload_id.clone())
                .unwrap_or_default(),
        )
        .elem("Delimiter", &e(delimiter))
        .elem("Prefix", &e(prefix))
        .elem("MaxUploads", &max.to_string())
        .elem("IsTruncated", if truncated { "true" } else { "false" });
    for u in &uploads {
        w.open("Upload")
            .elem("Key", &e(&u.key))
            .elem("UploadId", &u.upload_id)
            .elem("StorageClass", &u.storage_class)
            .elem("Initiated", &iso8601(u.initiated))
            .close("Upload");
    }
    for p in &prefixes {
        w.open("CommonPrefixes")
            .elem("Prefix", &e(p))
            .close("CommonPrefixes");
    }
    w.close("ListMultipartUploadsResult");
    Ok(xml(200, w.finish()))
}

pub fn list_parts(state: &AppState, ctx: &Ctx) -> OssResult<Response<Body>> {
    let upload = load_upload(state, ctx)?;
    let marker: u32 = ctx
        .target
        .get("part-number-marker")
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    let max = parse_limit(ctx, "max-parts")?;
    let parts: Vec<PartRecord> = state
        .db
        .parts(&upload.upload_id)?
        .into_iter()
        .filter(|p| p.number > marker)
        .collect();
    let truncated = parts.len() > max;
    let shown = &parts[..parts.len().min(max)];
    let encode = ctx.target.get("encoding-type") == Some("url");
    let mut w = XmlWriter::new();
    w.open("ListPartsResult");
    if encode {
        w.elem("EncodingType", "url");
    }
    w.elem("Bucket", &upload.bucket)
        .elem("Key", &maybe_encode(&upload.key, encode))
        .elem("UploadId", &upload.upload_id)
        .elem("StorageClass", &upload.storage_class)
        .elem("PartNumberMarker", &marker.to_string())
        .elem(
            "NextPartNumberMarker",
            &shown.last().map(|p| p.number).unwrap_or(marker).to_string(),
        )
        .elem("MaxParts", &max.to_string())
        .elem("IsTruncated", if truncated { "true" } else { "false" });
    for (element, value) in crate::cse::list_parts_fields(&upload.headers) {
        w.elem(element, &value);
    }
    for p in shown {
        w.open("Part")
            .elem("PartNumber", &p.number.to_string())
            .elem("LastModified", &iso8601(p.last_modified))
            .elem("ETag", &format!("\"{}\"", p.md5_hex))
            .elem("HashCrc64ecma", &p.chunk.crc64.to_string())
            .elem("Size", &p.chunk.len.to_string())
            .close("Part");
    }
    w.close("ListPartsResult");
    Ok(xml(200, w.finish()))
}
