//! Bucket operations: create/delete/list, info, location, ACL, encryption rule, listings.

use axum::body::Body;
use base64::Engine;
use http::Response;

use super::{check_md5, maybe_encode, owner_id, read_small_body};
use crate::error::{OssError, OssResult};
use crate::kms::now_secs;
use crate::meta::{BucketRecord, BucketSse};
use crate::response::{empty, xml};
use crate::sse;
use crate::xml::{iso8601, parse, XmlWriter};
use crate::{AppState, Ctx};

const ACLS: [&str; 3] = ["private", "public-read", "public-read-write"];

fn check_acl(value: &str) -> OssResult<String> {
    if ACLS.contains(&value) {
        Ok(value.to_string())
    } else {
        Err(
            OssError::invalid_argument(format!("no such bucket access control exists: `{value}`"))
                .ec("0015-00000204"),
        )
    }
}

fn endpoint(state: &AppState) -> (String, String) {
    let region = &state.config.region;
    (
        format!("oss-{region}.aliyuncs.com"),
        format!("oss-{region}-internal.aliyuncs.com"),
    )
}

pub fn list_buckets(state: &AppState, ctx: &Ctx) -> OssResult<Response<Body>> {
    let prefix = ctx.target.get("prefix").unwrap_or("");
    let marker = ctx.target.get("marker").unwrap_or("");
    let max: usize = ctx
        .target
        .get("max-keys")
        .and_then(|m| m.parse().ok())
        .unwrap_or(1000)
        .clamp(1, 1000);
    let user = ctx.principal.user();
    let all: Vec<BucketRecord> = state
        .db
        .list_buckets()?
        .into_iter()
        .filter(|b| b.name.starts_with(prefix) && b.name.as_str() > marker)
        .filter(|b| {
            user.is_some_and(|u| {
                u.may("oss:ListBuckets", Some(&b.name)) || u.buckets.iter().any(|p| p == "*")
            })
        })
        .collect();
    let truncated = all.len() > max;
    let shown = &all[..all.len().min(max)];
    let (ext, int) = endpoint(state);
    let mut w = XmlWriter::new();
    w.open("ListAllMyBucketsResult");
    if !prefix.is_empty() {
        w.elem("Prefix", prefix);
    }
    if !marker.is_empty() {
        w.elem("Marker", marker);
    }
    if ctx.target.has("max-keys") {
        w.elem("MaxKeys", &max.to_string());
        w.elem("IsTruncated", if truncated { "true" } else { "false" });
        if truncated {
            w.elem(
                "NextMarker",
                &shown.last().map(|b| b.name.clone()).unwrap_or_default(),
            );
        }
    }
    w.open("Owner")
        .elem("ID", &owner_id(ctx))
        .elem("DisplayName", &owner_id(ctx))
        .close("Owner");
    w.open("Buckets");
    for b in shown {
        w.open("Bucket")
            .elem("CreationDate", &iso8601(b.created))
            .elem("ExtranetEndpoint", &ext)
            .elem("IntranetEndpoint", &int)
            .elem("Location", &format!("oss-{}", state.config.region))
            .elem("Name", &b.name)
            .elem("Region", &state.config.region)
            .elem("StorageClass", &b.storage_class)
            .close("Bucket");
    }
    w.close("Buckets").close("ListAllMyBucketsResult");
    Ok(xml(200, w.finish()))
}

pub async fn put_bucket(
    state: &AppState,
    ctx: &Ctx,
    body: &mut Option<Body>,
) -> OssResult<Response<Body>> {
    let name = ctx.bucket().to_string();
    let body = read_small_body(super::take(body), 64 * 1024).await?;
    check_md5(ctx, &body)?;
    let mut storage_class = "Standard".to_string();
    if !body.iter().all(|b| b.is_ascii_whitespace()) {
        let root = parse(&body)?;
        if root.name != "CreateBucketConfiguration" {
            return Err(OssError::malformed_xml(format!(
                "expected <CreateBucketConfiguration>, got <{}>",
                root.name
            )));
        }
        if let Some(class) = root.child_text("StorageClass").filter(|c| !c.is_empty()) {
            if !matches!(
                class,
                "Standard" | "IA" | "Archive" | "ColdArchive" | "DeepColdArchive"
            ) {
                return Err(OssError::invalid_argument(format!(
                    "unsupported StorageClass `{class}`"
                )));
            }
            storage_class = class.to_string();
        }
    }
    let acl = check_acl(ctx.header("x-oss-acl").unwrap_or("private"))?;
    // PutBucket honours the SSE headers (GoV1 TestCreateBucketWithServerEncryption).
    let rule = match ctx.header(sse::H_SSE) {
        Some(alg) => {
            let req = sse::validate(
                alg.trim(),
                ctx.header(sse::H_SSE_KEY_ID),
                ctx.header(sse::H_SSE_DATA),
            )?;
            Some(BucketSse {
                algorithm: req.algorithm,
                key_id: req.key_id,
                data_encryption: req.data_encryption,
            })
        }
        None => None,
    };
    let record = BucketRecord {
        name: name.clone(),
        created: now_secs(),
        acl,
        storage_class,
        owner: owner_id(ctx),
        sse: rule,
    };
    if !state.db.create_bucket(&record)? {
        return Err(OssError::new(409, "BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.")
            .ec("0015-00000301")
            .detail("BucketName", &name));
    }
    let mut resp = empty(200);
    crate::response::set(resp.headers_mut(), "location", &format!("/{name}"));
    Ok(resp)
}

pub fn delete_bucket(state: &AppState, ctx: &Ctx) -> OssResult<Response<Body>> {
    state.db.delete_bucket(ctx.bucket())?;
    Ok(empty(204))
}

fn write_rule_flat(w: &mut XmlWriter, rule: Option<&BucketSse>) {
    w.open("ServerSideEncryptionRule");
    match rule {
        None => {
            w.elem("SSEAlgorithm", "None");
        }
        Some(r) => {
            w.elem("SSEAlgorithm", &r.algorithm);
            w.elem("KMSMasterKeyID", r.key_id.as_deref().unwrap_or(""));
            if let Some(d) = &r.data_encryption {
                w.elem("KMSDataEncryption", d);
            }
        }
    }
    w.close("ServerSideEncryptionRule");
}

pub fn get_bucket_info(
    state: &AppState,
    _ctx: &Ctx,
    bucket: &BucketRecord,
) -> OssResult<Response<Body>> {
    let (ext, int) = endpoint(state);
    let mut w = XmlWriter::new();
    w.open("BucketInfo").open("Bucket");
    w.elem("AccessMonitor", "Disabled")
        .elem("CreationDate", &iso8601(bucket.created))
        .elem("CrossRegionReplication", "Disabled")
        .elem("DataRedundancyType", "LRS")
        .elem("ExtranetEndpoint", &ext)
        .elem("IntranetEndpoint", &int)
        .elem("Location", &format!("oss-{}", state.config.region))
        .elem("Name", &bucket.name)
        .elem("ResourceGroupId", "rg-default")
        .elem("StorageClass", &bucket.storage_class)
        .elem("TransferAcceleration", "Disabled");
    w.open("Owner")
        .elem("DisplayName", &bucket.owner)
        .elem("ID", &bucket.owner)
        .close("Owner");
    w.open("AccessControlList")
        .elem("Grant", &bucket.acl)
        .close("AccessControlList");
    write_rule_flat(&mut w, bucket.sse.as_ref());
    w.open("BucketPolicy")
        .elem("LogBucket", "")
        .elem("LogPrefix", "")
        .close("BucketPolicy");
    w.close("Bucket").close("BucketInfo");
    Ok(xml(200, w.finish()))
}

pub fn get_bucket_location(state: &AppState) -> OssResult<Response<Body>> {
    let mut w = XmlWriter::new();
    w.elem(
        "LocationConstraint",
        &format!("oss-{}", state.config.region),
    );
    Ok(xml(200, w.finish()))
}

pub async fn put_bucket_encryption(
    state: &AppState,
    ctx: &Ctx,
    mut bucket: BucketRecord,
    body: &mut Option<Body>,
) -> OssResult<Response<Body>> {
    let body = read_small_body(super::take(body), 64 * 1024).await?;
    check_md5(ctx, &body)?;
    let root = parse(&body)?;
    if root.name != "ServerSideEncryptionRule" {
        return Err(OssError::malformed_xml(format!(
            "expected <ServerSideEncryptionRule>, got <{}>",
            root.name
        )));
    }
    let default = root
        .child("ApplyServerSideEncryptionByDefault")
        .ok_or_else(|| OssError::malformed_xml("missing <ApplyServerSideEncryptionByDefault>"))?;
    let algorithm = default
        .child_text("SSEAlgorithm")
        .ok_or_else(|| OssError::malformed_xml("missing <SSEAlgorithm>"))?;
    // Any key id string is accepted here; it is resolved when an object is written.
    let req = sse::validate(
        algorithm,
        default.child_text("KMSMasterKeyID"),
        default.child_text("KMSDataEncryption"),
    )?;
    bucket.sse = Some(BucketSse {
        algorithm: req.algorithm,
        key_id: req.key_id,
        data_encryption: req.data_encryption,
    });
    state.db.update_bucket(&bucket)?;
    Ok(empty(200))
}

pub fn get_bucket_encryption(bucket: &BucketRecord) -> OssResult<Response<Body>> {
    let rule = bucket.sse.as_ref().ok_or_else(|| {
        OssError::new(
            404,
            "NoSuchServerSideEncryptionRule",
            "The server side encryption configuration was not found.",
        )
        .ec("0005-00000001")
        .detail("BucketName", &bucket.name)
    })?;
    let mut w = XmlWriter::new();
    w.open("ServerSideEncryptionRule")
        .open("ApplyServerSideEncryptionByDefault");
    w.elem("SSEAlgorithm", &rule.algorithm);
    w.elem("KMSMasterKeyID", rule.key_id.as_deref().unwrap_or(""));
    if let Some(d) = &rule.data_encryption {
        w.elem("KMSDataEncryption", d);
    }
    w.close("ApplyServerSideEncryptionByDefault")
        .close("ServerSideEncryptionRule");
    Ok(xml(200, w.finish()))
}

pub fn delete_bucket_encryption(
    state: &AppState,
    mut bucket: BucketRecord,
) -> OssResult<Response<Body>> {
    bucket.sse = None;
    state.db.update_bucket(&bucket)?;
    Ok(empty(204))
}

pub fn put_bucket_acl(
    state: &AppState,
    ctx: &Ctx,
    mut bucket: BucketRecord,
) -> OssResult<Response<Body>> {
    let acl = ctx
        .header("x-oss-acl")
        .ok_or_else(|| OssError::invalid_argument("PutBucketAcl needs the x-oss-acl header"))?;
    bucket.acl = check_acl(acl.trim())?;
    state.db.update_bucket(&bucket)?;
    Ok(empty(200))
}

pub fn get_bucket_acl(bucket: &BucketRecord) -> OssResult<Response<Body>> {
    let mut w = XmlWriter::new();
    w.open("AccessControlPolicy");
    w.open("Owner")
        .elem("ID", &bucket.owner)
        .elem("DisplayName", &bucket.owner)
        .close("Owner");
    w.open("AccessControlList")
        .elem("Grant", &bucket.acl)
        .close("AccessControlList");
    w.close("AccessControlPolicy");
    Ok(xml(200, w.finish()))
}

fn parse_max(value: Option<&str>, name: &str, default: usize) -> OssResult<usize> {
    match value {
        None | Some("") => Ok(default),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=1000).contains(&n) => Ok(n),
            Ok(0) => Ok(0),
            _ => Err(OssError::invalid_argument(format!(
                "{name} must be an integer between 0 and 1000 (got `{v}`)"
            ))
            .ec("0016-00000701")),
        },
    }
}

/// An entry of a listing: an object or a common prefix.
pub enum Entry {
    Object(String, Box<crate::meta::ObjectRecord>),
    Prefix(String),
}

/// Walks keys after `start` under `prefix`, folding keys at `delimiter` into common
/// prefixes; returns up to `max` entries and whether more exist.
pub fn walk(
    state: &AppState,
    bucket: &str,
    prefix: &str,
    delimiter: &str,
    start: &str,
    max: usize,
) -> OssResult<(Vec<Entry>, bool)> {
    let mut out = Vec::new();
    let mut cursor = start.to_string();
    let mut last_prefix: Option<String> = None;
    loop {
        let batch = state.db.list_objects(bucket, &cursor, prefix, 1000)?;
        if batch.is_empty() {
            return Ok((out, false));
        }
        for (key, record) in batch {
            cursor = key.clone();
            if let Some(lp) = &last_prefix {
                if key.starts_with(lp.as_str()) {
                    continue;
                }
            }
            let common = if delimiter.is_empty() {
                None
            } else {
                key[prefix.len()..]
                    .find(delimiter)
                    .map(|i| key[..prefix.len() + i + delimiter.len()].to_string())
            };
            if let Some(p) = &common {
                // A marker equal to a common prefix means that prefix was already listed.
                if p.as_str() <= start {
                    last_prefix = Some(p.clone());
                    continue;
                }
            }
            if out.len() == max {
                return Ok((out, true));
            }
            match common {
                Some(p) => {
                    last_prefix = Some(p.clone());
                    out.push(Entry::Prefix(p));
                }
                None => out.push(Entry::Object(key, Box::new(record))),
            }
        }
    }
}

pub fn list_objects(state: &AppState, ctx: &Ctx, v2: bool) -> OssResult<Response<Body>> {
    let q = &ctx.target;
    let prefix = q.get("prefix").unwrap_or("");
    let delimiter = q.get("delimiter").unwrap_or("");
    let encode = match q.get("encoding-type") {
        None | Some("") => false,
        Some("url") => true,
        Some(other) => {
            return Err(OssError::invalid_argument(format!(
                "encoding-type must be `url` (got `{other}`)"
            )))
        }
    };
    let max = parse_max(q.get("max-keys"), "max-keys", 100)?;
    let (start, token_in) = if v2 {
        match q.get("continuation-token") {
            Some(t) => {
                let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(t)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(|| {
                        OssError::invalid_argument("The continuation-token is not valid.")
                    })?;
                (raw, Some(t.to_string()))
            }
            None => (q.get("start-after").unwrap_or("").to_string(), None),
        }
    } else {
        (q.get("marker").unwrap_or("").to_string(), None)
    };
    let (entries, truncated) = walk(state, ctx.bucket(), prefix, delimiter, &start, max)?;
    let next = entries.last().map(|e| match e {
        Entry::Object(k, _) => k.clone(),
        Entry::Prefix(p) => p.clone(),
    });
    let next_marker = next;
    let e = |s: &str| maybe_encode(s, encode);
    let mut w = XmlWriter::new();
    w.open("ListBucketResult");
    w.elem("Name", ctx.bucket()).elem("Prefix", &e(prefix));
    if v2 {
        if let Some(t) = &token_in {
            w.elem("ContinuationToken", t);
        }
        if let Some(sa) = q.get("start-after") {
            w.elem("StartAfter", &e(sa));
        }
    } else {
        w.elem("Marker", &e(q.get("marker").unwrap_or("")));
    }
    w.elem("MaxKeys", &max.to_string())
        .elem("Delimiter", &e(delimiter));
    if encode {
        w.elem("EncodingType", "url");
    }
    w.elem("IsTruncated", if truncated { "true" } else { "false" });
    if truncated {
        let nm = next_marker.clone().unwrap_or_default();
        if v2 {
            w.elem(
                "NextContinuationToken",
                &base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(nm.as_bytes()),
            );
        } else {
            w.elem("NextMarker", &e(&nm));
        }
    }
    if v2 {
        w.elem("KeyCount", &entries.len().to_string());
    }
    let fetch_owner = !v2 || q.get("fetch-owner") == Some("true");
    for entry in &entries {
        if let Entry::Object(key, rec) = entry {
            w.open("Contents")
                .elem("Key", &e(key))
                .elem("LastModified", &iso8601(rec.last_modified))
                .elem("ETag", &format!("\"{}\"", rec.etag))
                .elem("Type", &rec.object_type)
                .elem("Size", &rec.size.to_string())
                .elem("StorageClass", &rec.storage_class);
            if fetch_owner {
                w.open("Owner")
                    .elem("ID", &owner_id(ctx))
                    .elem("DisplayName", &owner_id(ctx))
                    .close("Owner");
            }
            w.close("Contents");
        }
    }
    for entry in &entries {
        if let Entry::Prefix(p) = entry {
            w.open("CommonPrefixes")
                .elem("Prefix", &e(p))
                .close("CommonPrefixes");
        }
    }
    w.close("ListBucketResult");
    Ok(xml(200, w.finish()))
}
