//! `ossbridge rm oss://BUCKET/KEY`, `rm -r oss://BUCKET[/PREFIX]` (every object under the
//! prefix, 1000 per DeleteMultipleObjects), `rm -b oss://BUCKET` (the bucket; with `-r`
//! its objects first).

use std::process::ExitCode;

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
    /// Every object under the prefix.
    #[arg(short = 'r', long)]
    recursive: bool,
    /// Remove the bucket itself.
    #[arg(short = 'b', long)]
    bucket: bool,
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

pub fn run(args: Args) -> ExitCode {
    let out = Output::new(args.conn.json);
    let result = rm(&args, &out);
    finish(&out, result)
}

fn rm(args: &Args, out: &Output) -> CliResult<()> {
    let url = OssUrl::parse(&args.url)?;
    if args.bucket && !url.key.is_empty() {
        return Err(usage("rm -b takes oss://BUCKET without a key"));
    }
    if !args.bucket && !args.recursive && url.key.is_empty() {
        return Err(usage(format!(
            "{} names no object: use rm -r to remove objects by prefix or rm -b to remove the bucket",
            args.url
        )));
    }
    let filter = NameFilter::new(&args.include, &args.exclude);
    if !filter.is_empty() && !args.recursive {
        return Err(usage("--include and --exclude work with -r only"));
    }
    let client = args.conn.client()?;
    let mut removed: Vec<String> = Vec::new();
    if args.recursive {
        let (objects, _) = list_objects(&client, &url.bucket, &url.key, None)?;
        let keys: Vec<String> = objects
            .into_iter()
            .map(|o| o.key)
            .filter(|k| filter.selects(k))
            .collect();
        for chunk in keys.chunks(1000) {
            client.delete_multiple_objects(&url.bucket, chunk, true)?;
            removed.extend(chunk.iter().cloned());
        }
    } else if !url.key.is_empty() {
        client.delete_object(&url.bucket, &url.key)?;
        removed.push(url.key.clone());
    }
    if args.bucket {
        client.delete_bucket(&url.bucket)?;
    }
    let mut text = format!(
        "Succeed: Total {} objects. Removed {} objects.\n",
        removed.len(),
        removed.len()
    );
    if args.bucket {
        text.push_str(&format!("Removed bucket: oss://{}\n", url.bucket));
    }
    out.success(
        &text,
        json!({"bucket": url.bucket, "removed_objects": removed, "removed_bucket": args.bucket}),
    );
    Ok(())
}
