//! The server alone (used by this crate's tests); `ossbridge serve` is the public entry.

use clap::Parser;

#[derive(Parser)]
#[command(name = "ossbridge-server")]
struct Cli {
    #[command(flatten)]
    args: ossbridge_server::serve::ServeArgs,
}

fn main() -> std::process::ExitCode {
    ossbridge_server::serve::run(Cli::parse().args)
}
