//! The `ossbridge` binary: one subcommand per module.
//!
//! `sign`, `serve` and `kms` are ossbridge's own; the rest are ossutil 1.x's commands and
//! flags over the core client (`connect` resolves endpoint and keys from flags, `OSS_*`
//! variables or `~/.ossutilconfig`; `output` prints text or `--json` and picks the exit
//! status: 0 ok, 1 failed, 2 bad usage).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod bucket_encryption;
mod config;
mod connect;
mod cp;
mod filter;
mod kms;
mod ls;
mod mb;
mod meta;
mod output;
mod progress;
mod rb;
mod rm;
mod serve;
mod set_meta;
mod sign;
mod stat;
mod url;

#[derive(Parser)]
#[command(
    name = "ossbridge",
    version,
    about = "Alibaba Cloud OSS tools: sign, serve, and ossutil-style commands"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sign an OSS request (V1 or V4) and print a presigned URL or the signed headers.
    Sign(sign::Args),
    /// Run the local OSS-compatible server.
    Serve(serve::Args),
    /// Manage the local server's KMS keys.
    Kms(kms::Args),
    /// Write endpoint and keys to the config file (ossutil's ~/.ossutilconfig format).
    Config(config::Args),
    /// Make a bucket.
    Mb(mb::Args),
    /// Remove an empty bucket.
    Rb(rb::Args),
    /// List buckets, or objects under a prefix.
    Ls(ls::Args),
    /// Copy files and objects: upload, download or OSS-to-OSS.
    Cp(cp::Args),
    /// Show a bucket's or an object's metadata and encryption.
    Stat(stat::Args),
    /// Remove objects (or, with -b, the bucket).
    Rm(rm::Args),
    /// Rewrite objects' metadata in place (CopyObject onto itself), e.g. to encrypt them.
    #[command(name = "set-meta", alias = "setmeta")]
    SetMeta(set_meta::Args),
    /// Put, get or delete a bucket's default server-side encryption.
    #[command(name = "bucket-encryption")]
    BucketEncryption(bucket_encryption::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Sign(args) => sign::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Kms(args) => kms::run(args),
        Command::Config(args) => config::run(args),
        Command::Mb(args) => mb::run(args),
        Command::Rb(args) => rb::run(args),
        Command::Ls(args) => ls::run(args),
        Command::Cp(args) => cp::run(args),
        Command::Stat(args) => stat::run(args),
        Command::Rm(args) => rm::run(args),
        Command::SetMeta(args) => set_meta::run(args),
        Command::BucketEncryption(args) => bucket_encryption::run(args),
    }
}
