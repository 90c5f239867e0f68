//! Core results -> the plain JS objects ali-oss returns (built as JSON values).

use std::collections::HashMap;
use std::time::Instant;

use ossbridge_core::model::{ObjectInfo, ResponseMeta};
use ossbridge_core::sse::SseInfo;
use ossbridge_core::transfer::{CheckpointPart, UploadCheckpoint};
use ossbridge_core::{Error, Result};
use serde_json::{json, Map, Value};

/// Times one call for ali-oss's `res.rt` (milliseconds).
pub struct Timer(Instant);

impl Timer {
    pub fn start() -> Timer {
        Timer(Instant::now())
    }

    pub fn millis(&self) -> u64 {
        self.0.elapsed().as_millis() as u64
    }
}

/// Response headers as a JS object; repeated names are joined with ", " as Node does.
pub fn headers_object(headers: &[(String, String)]) -> Value {
    let mut out = Map::new();
    for (name, value) in headers {
        match out.get_mut(name) {
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(value);
            }
            _ => {
                out.insert(name.clone(), json!(value));
            }
        }
    }
    Value::Object(out)
}

/// ali-oss's `res`: `{status, statusCode, headers, size, rt, requestUrls}`.
pub fn res(meta: &ResponseMeta, size: u64, timer: &Timer) -> Value {
    json!({
        "status": meta.status,
        "statusCode": meta.status,
        "headers": headers_object(&meta.headers),
        "size": size,
        "rt": timer.millis(),
        "requestUrls": [meta.request_url],
    })
}

/// The typed SSE fields OSS reported, merged into a result object.
pub fn add_sse(result: &mut Value, sse: &SseInfo) {
    let Value::Object(map) = result else { return };
    if let Some(a) = &sse.algorithm {
        map.insert("serverSideEncryption".into(), json!(a));
    }
    if let Some(d) = &sse.data_encryption {
        map.insert("serverSideDataEncryption".into(), json!(d));
    }
    if let Some(k) = &sse.key_id {
        map.insert("serverSideEncryptionKeyId".into(), json!(k));
    }
}

/// Object facts for get/head results; the CRC-64 goes out as a decimal string since it
/// does not fit a JS number.
pub fn object_info(info: &ObjectInfo, meta: &ResponseMeta) -> Value {
    json!({
        "contentLength": info.content_length,
        "objectSize": info.object_size,
        "contentType": info.content_type,
        "lastModified": info.last_modified,
        "objectType": info.object_type,
        "storageClass": info.storage_class,
        "nextAppendPosition": info.next_append_position,
        "contentRange": info.content_range,
        "etag": meta.etag,
        "crc64": meta.crc64.map(|c| c.to_string()),
    })
}

/// `x-oss-meta-*` of a response as `{name: value}`, or null when there is none (ali-oss).
pub fn user_meta(meta: &ResponseMeta) -> Value {
    let pairs = meta.user_metadata();
    if pairs.is_empty() {
        return Value::Null;
    }
    Value::Object(pairs.into_iter().map(|(k, v)| (k, json!(v))).collect())
}

/// The core checkpoint as the object ali-oss hands to `progress(p, checkpoint)`: its
/// fields (`file`, `name`, `fileSize`, `partSize`, `uploadId`, `doneParts[{number, etag}]`)
/// plus what the core needs to resume safely.
pub fn checkpoint_to_js(cp: &UploadCheckpoint) -> Value {
    let mut parts: Vec<&CheckpointPart> = cp.parts.iter().collect();
    parts.sort_by_key(|p| p.part_number);
    json!({
        "file": cp.file_path,
        "name": cp.key,
        "bucket": cp.bucket,
        "fileSize": cp.file_size,
        "partSize": cp.part_size,
        "uploadId": cp.upload_id,
        "doneParts": parts.iter().map(|p| json!({
            "number": p.part_number,
            "etag": p.etag,
            "size": p.size,
            "crc64": p.crc64.to_string(),
        })).collect::<Vec<_>>(),
        "fileMtimeNs": cp.file_mtime_ns.to_string(),
        "sse": cp.sse,
        "version": cp.version,
    })
}

/// The inverse of [`checkpoint_to_js`]; names the field that is missing or malformed.
pub fn checkpoint_from_js(v: &Value) -> Result<UploadCheckpoint> {
    let bad = |field: &str| {
        Error::invalid_argument(format!("checkpoint.{field} is missing or malformed"))
    };
    let string = |field: &str| {
        v.get(field)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| bad(field))
    };
    let number = |field: &str| {
        v.get(field)
            .and_then(Value::as_u64)
            .ok_or_else(|| bad(field))
    };
    let decimal = |value: Option<&Value>, field: &str| -> Result<u128> {
        match value {
            Some(Value::String(s)) => s.parse().map_err(|_| bad(field)),
            Some(Value::Number(n)) => n.as_u64().map(u128::from).ok_or_else(|| bad(field)),
            _ => Err(bad(field)),
        }
    };
    let mut parts = Vec::new();
    for (i, p) in v
        .get("doneParts")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("doneParts"))?
        .iter()
        .enumerate()
    {
        let field = format!("doneParts[{i}]");
        let part_number = p
            .get("number")
            .and_then(Value::as_u64)
            .ok_or_else(|| bad(&field))? as u32;
        let etag = p
            .get("etag")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(&field))?
            .to_string();
        let size = p
            .get("size")
            .and_then(Value::as_u64)
            .ok_or_else(|| bad(&format!("{field}.size")))?;
        let crc64 = decimal(p.get("crc64"), &format!("{field}.crc64"))? as u64;
        parts.push(CheckpointPart {
            part_number,
            etag,
            size,
            crc64,
        });
    }
    Ok(UploadCheckpoint {
        version: number("version")? as u32,
        bucket: string("bucket")?,
        key: string("name")?,
        file_path: string("file")?,
        file_size: number("fileSize")?,
        file_mtime_ns: decimal(v.get("fileMtimeNs"), "fileMtimeNs")?,
        part_size: number("partSize")?,
        upload_id: string("uploadId")?,
        sse: v.get("sse").and_then(Value::as_str).map(str::to_string),
        parts,
    })
}

/// `{name: value}` from an optional JS object of strings.
pub fn pairs(map: Option<HashMap<String, String>>) -> Vec<(String, String)> {
    map.map(|m| m.into_iter().collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoint_round_trips_through_the_js_shape() {
        let cp = UploadCheckpoint {
            version: 1,
            bucket: "b".into(),
            key: "k".into(),
            file_path: "/tmp/f".into(),
            file_size: 300,
            file_mtime_ns: 1_700_000_000_123_456_789,
            part_size: 100,
            upload_id: "U".into(),
            sse: Some("KMS".into()),
            parts: vec![CheckpointPart {
                part_number: 2,
                etag: "\"E\"".into(),
                size: 100,
                crc64: u64::MAX,
            }],
        };
        let js = checkpoint_to_js(&cp);
        assert_eq!(js["doneParts"][0]["number"], 2);
        assert_eq!(checkpoint_from_js(&js).unwrap(), cp);
    }

    #[test]
    fn a_broken_checkpoint_names_the_field() {
        let err = checkpoint_from_js(&json!({"version": 1})).unwrap_err();
        assert!(err.message().contains("checkpoint."), "{err}");
    }
}
