//! The `ossbridge` binary: one subcommand per module.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod kms;
mod serve;
mod sign;

#[derive(Parser)]
#[command(name = "ossbridge", version, about = "Alibaba Cloud OSS tools: sign, serve, and ossutil-style commands")]
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Sign(args) => sign::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Kms(args) => kms::run(args),
    }
}
