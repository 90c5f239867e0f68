//! `ossbridge mb oss://BUCKET [--acl ACL] [--storage-class CLASS] [--meta SSE-HEADERS]`.

use std::process::ExitCode;

use ossbridge_core::model::{Acl, PutBucketOptions, ServerSideEncryptionRule};
use serde_json::json;

use crate::connect::ConnArgs;
use crate::output::{finish, usage, CliResult, Output};
use crate::url::OssUrl;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(value_name = "oss://BUCKET")]
    bucket: String,
    /// private, public-read or public-read-write.
    #[arg(long)]
    acl: Option<String>,
    /// Standard, IA, Archive or ColdArchive.
    #[arg(long)]
    storage_class: Option<String>,
    /// Default encryption as ossutil headers, e.g.
    /// X-Oss-Server-Side-Encryption:KMS#X-Oss-Server-Side-Data-Encryption:SM4
    /// (set with PutBucketEncryption right after creation).
    #[arg(long)]
    meta: Option<String>,
    #[command(flatten)]
    conn: ConnArgs,
}

pub fn run(args: Args) -> ExitCode {
    let out = Output::new(args.conn.json);
    let result = make_bucket(&args, &out);
    finish(&out, result)
}

fn make_bucket(args: &Args, out: &Output) -> CliResult<()> {
    let bucket = OssUrl::parse_bucket(&args.bucket)?;
    let acl = args.acl.as_deref().map(Acl::parse).transpose()?;
    if acl == Some(Acl::Default) {
        return Err(usage("--acl default is for objects; a bucket takes private, public-read or public-read-write"));
    }
    let (sse, attrs) = crate::meta::parse_typed(args.meta.as_deref())?;
    if attrs != Default::default() {
        return Err(usage(
            "mb --meta takes only the X-Oss-Server-Side-Encryption headers (bucket default encryption)",
        ));
    }
    let options = PutBucketOptions {
        acl,
        storage_class: args.storage_class.clone(),
        encryption: sse.map(ServerSideEncryptionRule),
    };
    let client = args.conn.client()?;
    let r = client.put_bucket(&bucket, &options)?;
    let enc = options.encryption.as_ref();
    out.success(
        "",
        json!({
            "bucket": bucket,
            "created": true,
            "acl": acl.map(Acl::as_str),
            "sse_algorithm": enc.map(|e| e.sse_algorithm()),
            "kms_master_key_id": enc.and_then(|e| e.kms_master_key_id()),
            "kms_data_encryption": enc.and_then(|e| e.kms_data_encryption()),
            "request_id": r.meta.request_id,
        }),
    );
    Ok(())
}
