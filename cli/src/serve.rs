//! `ossbridge serve`: the local OSS-compatible server (ossbridge-server).

use std::process::ExitCode;

pub use ossbridge_server::serve::ServeArgs as Args;

pub fn run(args: Args) -> ExitCode {
    ossbridge_server::serve::run(args)
}
