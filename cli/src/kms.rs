//! `ossbridge kms`: manage the local server's KMS keys.

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Create a CMK in DATA_DIR's local KMS and print its id.
    CreateKey(ossbridge_server::serve::KmsCreateKeyArgs),
}

pub fn run(args: Args) -> ExitCode {
    match args.command {
        Command::CreateKey(a) => ossbridge_server::serve::kms_create_key(a),
    }
}
