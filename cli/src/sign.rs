//! `ossbridge sign` (placeholder until its issue lands).

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> ExitCode {
    eprintln!("ossbridge sign: not implemented yet");
    ExitCode::from(2)
}
