//! `ossbridge stat oss://BUCKET` (bucket info and default encryption) and
//! `ossbridge stat oss://BUCKET/KEY` (the object's headers, SSE included).

use std::process::ExitCode;

use serde_json::{json, Map, Value};

use crate::connect::ConnArgs;
use crate::output::{aligned, finish, CliResult, Output};
use crate::url::OssUrl;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(value_name = "oss://BUCKET[/KEY]")]
    url: String,
    #[command(flatten)]
    conn: ConnArgs,
}

/// Transport headers that say nothing about the object.
const SKIPPED: &[&str] = &[
    "connection",
    "date",
    "server",
    "keep-alive",
    "x-oss-request-id",
    "accept-ranges",
    "x-oss-server-time",
];

pub fn run(args: Args) -> ExitCode {
    let out = Output::new(args.conn.json);
    let result = stat(&args, &out);
    finish(&out, result)
}

fn stat(args: &Args, out: &Output) -> CliResult<()> {
    let url = OssUrl::parse(&args.url)?;
    let client = args.conn.client()?;
    if url.key.is_empty() {
        let info = client.get_bucket_info(&url.bucket)?;
        let enc = info.encryption.as_ref();
        let rows: Vec<(String, String)> = [
            ("Name", info.name.clone()),
            ("Location", info.location.clone()),
            ("CreationDate", info.creation_date.clone()),
            ("ExtranetEndpoint", info.extranet_endpoint.clone()),
            ("IntranetEndpoint", info.intranet_endpoint.clone()),
            ("ACL", info.acl.clone()),
            ("Owner", info.owner_id.clone()),
            ("StorageClass", info.storage_class.clone()),
            (
                "SSEAlgorithm",
                enc.map(|e| e.sse_algorithm()).unwrap_or("").to_string(),
            ),
            (
                "KMSMasterKeyID",
                enc.and_then(|e| e.kms_master_key_id())
                    .unwrap_or("")
                    .to_string(),
            ),
            (
                "KMSDataEncryption",
                enc.and_then(|e| e.kms_data_encryption())
                    .unwrap_or("")
                    .to_string(),
            ),
        ]
        .into_iter()
        .map(|(n, v)| (n.to_string(), v))
        .collect();
        let mut obj = Map::new();
        for (n, v) in &rows {
            obj.insert(n.clone(), Value::String(v.clone()));
        }
        obj.insert(
            "request_id".into(),
            Value::String(info.meta.request_id.clone()),
        );
        out.success(&aligned(&rows), Value::Object(obj));
    } else {
        let head = client.head_object(&url.bucket, &url.key)?;
        let mut rows: Vec<(String, String)> = head
            .meta
            .headers
            .iter()
            .filter(|(n, _)| !SKIPPED.contains(&n.as_str()))
            .map(|(n, v)| (title_case(n), v.clone()))
            .collect();
        rows.sort();
        let sse = &head.meta.sse;
        out.success(
            &aligned(&rows),
            json!({
                "bucket": url.bucket,
                "key": url.key,
                "size": head.info.object_size,
                "etag": head.meta.etag,
                "last_modified": head.info.last_modified,
                "content_type": head.info.content_type,
                "object_type": head.info.object_type,
                "storage_class": head.info.storage_class,
                "crc64": head.meta.crc64.map(|c| c.to_string()),
                "server_side_encryption": sse.algorithm,
                "server_side_encryption_key_id": sse.key_id,
                "server_side_data_encryption": sse.data_encryption,
                "user_metadata": head.meta.user_metadata().into_iter().collect::<std::collections::BTreeMap<_, _>>(),
                "request_id": head.meta.request_id,
            }),
        );
    }
    Ok(())
}

/// `x-oss-server-side-encryption` -> `X-Oss-Server-Side-Encryption`, as ossutil shows names.
fn title_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut c = part.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    #[test]
    fn title_case_matches_ossutil() {
        assert_eq!(super::title_case("x-oss-meta-owner"), "X-Oss-Meta-Owner");
        assert_eq!(super::title_case("etag"), "Etag");
    }
}
