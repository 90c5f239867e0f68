//! `ossbridge rb oss://BUCKET`: delete an (empty) bucket.

use std::process::ExitCode;

use serde_json::json;

use crate::connect::ConnArgs;
use crate::output::{finish, CliResult, Output};
use crate::url::OssUrl;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(value_name = "oss://BUCKET")]
    bucket: String,
    #[command(flatten)]
    conn: ConnArgs,
}

pub fn run(args: Args) -> ExitCode {
    let out = Output::new(args.conn.json);
    let result = remove_bucket(&args, &out);
    finish(&out, result)
}

fn remove_bucket(args: &Args, out: &Output) -> CliResult<()> {
    let bucket = OssUrl::parse_bucket(&args.bucket)?;
    let r = args.conn.client()?.delete_bucket(&bucket)?;
    out.success(
        &format!("removed bucket oss://{bucket}\n"),
        json!({"bucket": bucket, "removed": true, "request_id": r.meta.request_id}),
    );
    Ok(())
}
