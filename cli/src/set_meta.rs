//! `ossbridge set-meta oss://BUCKET/KEY [Header:value#...] [--update|--delete] [-r]`:
//! rewrites an object's metadata in place with CopyObject (metadata REPLACE) onto itself.
//! That is also how OSS re-encrypts an existing object (the guide's FAQ):
//! `set-meta oss://b/k X-Oss-Server-Side-Encryption:KMS --update`.
//!
//! Like ossutil: without `--update`/`--delete` the object's metadata becomes exactly what
//! is given (encryption included: an SSE header not repeated is dropped); `--update` keeps
//! the current headers (encryption included) and overrides the given ones; `--delete`
//! removes the given ones.

use std::collections::BTreeMap;
use std::process::ExitCode;

use ossbridge_core::blocking::Client;
use ossbridge_core::model::{CopyObjectOptions, MetadataDirective};
use serde_json::json;

use crate::connect::ConnArgs;
use crate::filter::NameFilter;
use crate::ls::list_objects;
use crate::output::{finish, usage, CliResult, Output};
use crate::url::OssUrl;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(value_name = "oss://BUCKET[/KEY]")]
    url: String,
    /// Header:value#Header:value... (Content-Type, Cache-Control, Content-Disposition,
    /// Content-Encoding, Expires, X-Oss-Server-Side-Encryption[-Key-Id],
    /// X-Oss-Server-Side-Data-Encryption, X-Oss-Object-Acl, X-Oss-Storage-Class, X-Oss-Meta-*).
    #[arg(value_name = "HEADERS")]
    headers: Option<String>,
    /// Change only the given headers, keep the others.
    #[arg(short = 'u', long, conflicts_with = "delete")]
    update: bool,
    /// Remove the given headers (names only).
    #[arg(short = 'd', long)]
    delete: bool,
    /// Every object under the prefix.
    #[arg(short = 'r', long)]
    recursive: bool,
    /// With -r: only objects whose name matches this wildcard (`*`, `?`); repeatable.
    #[arg(long, value_name = "PATTERN")]
    include: Vec<String>,
    /// With -r: skip objects whose name matches this wildcard; repeatable.
    #[arg(long, value_name = "PATTERN")]
    exclude: Vec<String>,
    /// Accepted for ossutil compatibility; ossbridge never prompts.
    #[arg(short = 'f', long)]
    force: bool,
    #[command(flatten)]
    conn: ConnArgs,
}

/// Current headers carried over by `--update` / `--delete` (besides `x-oss-meta-*`).
const KEPT: &[&str] = &[
    "content-type",
    "cache-control",
    "content-disposition",
    "content-encoding",
    "expires",
    "x-oss-server-side-encryption",
    "x-oss-server-side-encryption-key-id",
    "x-oss-server-side-data-encryption",
    "x-oss-storage-class",
];

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Replace,
    Update,
    Delete,
}

pub fn run(args: Args) -> ExitCode {
    let out = Output::new(args.conn.json);
    let result = set_meta(&args, &out);
    finish(&out, result)
}

fn set_meta(args: &Args, out: &Output) -> CliResult<()> {
    let url = OssUrl::parse(&args.url)?;
    if url.key.is_empty() && !args.recursive {
        return Err(usage(
            "set-meta needs oss://BUCKET/KEY (or -r for every object under a prefix)",
        ));
    }
    let given = crate::meta::parse(args.headers.as_deref().unwrap_or(""))?;
    let mode = match (args.update, args.delete) {
        (true, _) => Mode::Update,
        (_, true) => Mode::Delete,
        _ => Mode::Replace,
    };
    if mode == Mode::Delete {
        if let Some((name, _)) = given.iter().find(|(_, v)| !v.is_empty()) {
            return Err(usage(format!(
                "--delete takes header names without values ({name})"
            )));
        }
    }
    // Validate the request once before touching any object.
    crate::meta::typed(
        &given
            .iter()
            .filter(|(_, v)| !v.is_empty() || mode != Mode::Delete)
            .cloned()
            .collect::<Vec<_>>(),
    )?;
    let filter = NameFilter::new(&args.include, &args.exclude);
    if !filter.is_empty() && !args.recursive {
        return Err(usage("--include and --exclude work with -r only"));
    }
    let client = args.conn.client()?;
    let keys = if args.recursive {
        list_objects(&client, &url.bucket, &url.key, None)?
            .0
            .into_iter()
            .map(|o| o.key)
            .filter(|k| filter.selects(k))
            .collect()
    } else {
        vec![url.key.clone()]
    };
    let mut results = Vec::new();
    let mut text = String::new();
    for key in &keys {
        let (changed, sse) = set_object_meta(&client, &url.bucket, key, &given, mode)?;
        text.push_str(&format!(
            "{} oss://{}/{}{}\n",
            if changed { "set meta on" } else { "unchanged" },
            url.bucket,
            key,
            sse.as_deref()
                .map(|a| format!(" (encryption: {a})"))
                .unwrap_or_default()
        ));
        results.push(json!({"key": key, "changed": changed, "server_side_encryption": sse}));
    }
    let changed = results.iter().filter(|r| r["changed"] == true).count();
    text.push_str(&format!(
        "Succeed: Total {} objects. Setted meta on {changed} objects.\n",
        keys.len()
    ));
    out.success(&text, json!({"bucket": url.bucket, "objects": results}));
    Ok(())
}

/// Sets one object's metadata; returns whether it was rewritten and its encryption now.
fn set_object_meta(
    client: &Client,
    bucket: &str,
    key: &str,
    given: &[(String, String)],
    mode: Mode,
) -> CliResult<(bool, Option<String>)> {
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    if mode != Mode::Replace {
        let head = client.head_object(bucket, key)?;
        for (name, value) in &head.meta.headers {
            if KEPT.contains(&name.as_str()) || name.starts_with("x-oss-meta-") {
                headers.insert(name.clone(), value.clone());
            }
        }
        if mode == Mode::Update
            && !given.is_empty()
            && given
                .iter()
                .all(|(n, v)| headers.get(&n.to_ascii_lowercase()) == Some(v))
        {
            return Ok((false, head.meta.sse.algorithm));
        }
        // A new algorithm replaces the whole SSE triple, not just its first header.
        if given
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(ossbridge_core::sse::HEADER_SSE))
        {
            headers.remove(ossbridge_core::sse::HEADER_SSE_KEY_ID);
            headers.remove(ossbridge_core::sse::HEADER_SSE_DATA);
        }
    }
    for (name, value) in given {
        let lower = name.to_ascii_lowercase();
        match mode {
            Mode::Delete => {
                headers.remove(&lower);
            }
            _ => {
                headers.insert(lower, value.clone());
            }
        }
    }
    let list: Vec<(String, String)> = headers.into_iter().collect();
    let (sse, attributes) = crate::meta::typed(&list)?;
    let options = CopyObjectOptions {
        sse,
        metadata_directive: MetadataDirective::Replace,
        attributes,
    };
    let r = client.copy_object(bucket, key, bucket, key, &options)?;
    Ok((true, r.meta.sse.algorithm))
}
