//! `ossbridge ls [oss://BUCKET[/PREFIX]] [-s] [-d]`: buckets, or the objects under a
//! prefix, in ossutil 1.x's table layout.

use std::process::ExitCode;

use ossbridge_core::blocking::Client;
use ossbridge_core::model::{ListBucketsOptions, ListObjectsV2Options, ObjectSummary};
use serde_json::json;

use crate::connect::ConnArgs;
use crate::output::{finish, CliResult, Output};
use crate::url::OssUrl;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Omit (or `oss://`) to list buckets.
    #[arg(value_name = "oss://BUCKET[/PREFIX]")]
    url: Option<String>,
    /// Short format: names only.
    #[arg(short = 's', long = "short-format")]
    short: bool,
    /// One level only: objects and "directories" (common prefixes) under the prefix.
    #[arg(short = 'd', long = "directory")]
    directory: bool,
    #[command(flatten)]
    conn: ConnArgs,
}

pub fn run(args: Args) -> ExitCode {
    let out = Output::new(args.conn.json);
    let result = ls(&args, &out);
    finish(&out, result)
}

/// Every object under `prefix` (and, with a delimiter, the common prefixes), all pages.
pub fn list_objects(
    client: &Client,
    bucket: &str,
    prefix: &str,
    delimiter: Option<&str>,
) -> CliResult<(Vec<ObjectSummary>, Vec<String>)> {
    let options = ListObjectsV2Options {
        prefix: (!prefix.is_empty()).then(|| prefix.to_string()),
        delimiter: delimiter.map(str::to_string),
        max_keys: Some(1000),
        ..Default::default()
    };
    let mut objects = Vec::new();
    let mut prefixes = Vec::new();
    for page in client.list_all_objects_v2(bucket, options)? {
        objects.extend(page.objects);
        prefixes.extend(page.common_prefixes);
    }
    Ok((objects, prefixes))
}

/// `2024-01-15T08:30:00.000Z` -> `2024-01-15 08:30:00 +0000 UTC` (ossutil's layout).
fn display_time(iso: &str) -> String {
    match (iso.get(..10), iso.get(11..19)) {
        (Some(d), Some(t)) if iso.ends_with('Z') => format!("{d} {t} +0000 UTC"),
        _ => iso.to_string(),
    }
}

fn ls(args: &Args, out: &Output) -> CliResult<()> {
    let client = args.conn.client()?;
    let url = match args.url.as_deref() {
        None => None,
        Some(u) if u.eq_ignore_ascii_case("oss://") => None,
        Some(u) => Some(OssUrl::parse(u)?),
    };
    let Some(url) = url else {
        return list_buckets(&client, args, out);
    };
    let delimiter = args.directory.then_some("/");
    let (objects, prefixes) = list_objects(&client, &url.bucket, &url.key, delimiter)?;
    let mut text = String::new();
    if args.short {
        for o in &objects {
            text.push_str(&format!("oss://{}/{}\n", url.bucket, o.key));
        }
    } else if !objects.is_empty() {
        text.push_str(&format!(
            "{:<30} {:>12} {:>14} {:<34} {}\n",
            "LastModifiedTime", "Size(B)", "StorageClass", "ETAG", "ObjectName"
        ));
        for o in &objects {
            text.push_str(&format!(
                "{:<30} {:>12} {:>14} {:<34} oss://{}/{}\n",
                display_time(&o.last_modified),
                o.size,
                o.storage_class,
                o.etag.trim_matches('"'),
                url.bucket,
                o.key
            ));
        }
    }
    for p in &prefixes {
        text.push_str(&format!("oss://{}/{}\n", url.bucket, p));
    }
    if args.directory {
        text.push_str(&format!(
            "Object and Directory Number is: {}\n",
            objects.len() + prefixes.len()
        ));
    } else {
        text.push_str(&format!("Object Number is: {}\n", objects.len()));
    }
    let objects_json: Vec<_> = objects
        .iter()
        .map(|o| {
            json!({
                "key": o.key,
                "size": o.size,
                "etag": o.etag.trim_matches('"'),
                "last_modified": o.last_modified,
                "storage_class": o.storage_class,
                "type": o.object_type,
            })
        })
        .collect();
    out.success(
        &text,
        json!({"bucket": url.bucket, "prefix": url.key, "objects": objects_json, "directories": prefixes}),
    );
    Ok(())
}

fn list_buckets(client: &Client, args: &Args, out: &Output) -> CliResult<()> {
    let mut buckets = Vec::new();
    let mut options = ListBucketsOptions::default();
    loop {
        let page = client.list_buckets(&options)?;
        buckets.extend(page.buckets);
        match (page.is_truncated, page.next_marker) {
            (true, Some(marker)) if Some(&marker) != options.marker.as_ref() => {
                options.marker = Some(marker)
            }
            _ => break,
        }
    }
    let mut text = String::new();
    if args.short {
        for b in &buckets {
            text.push_str(&format!("oss://{}\n", b.name));
        }
    } else if !buckets.is_empty() {
        text.push_str(&format!(
            "{:<30} {:>20} {:>14} {}\n",
            "CreationTime", "Region", "StorageClass", "BucketName"
        ));
        for b in &buckets {
            text.push_str(&format!(
                "{:<30} {:>20} {:>14} oss://{}\n",
                display_time(&b.creation_date),
                b.location,
                b.storage_class,
                b.name
            ));
        }
    }
    text.push_str(&format!("Bucket Number is: {}\n", buckets.len()));
    let list: Vec<_> = buckets
        .iter()
        .map(|b| json!({"name": b.name, "location": b.location, "creation_date": b.creation_date, "storage_class": b.storage_class}))
        .collect();
    out.success(&text, json!({"buckets": list}));
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_use_ossutil_layout() {
        assert_eq!(
            super::display_time("2024-01-15T08:30:00.000Z"),
            "2024-01-15 08:30:00 +0000 UTC"
        );
        assert_eq!(super::display_time("odd"), "odd");
    }
}
