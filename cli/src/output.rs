//! What every ossutil-style command prints, and how it exits.
//!
//! Human output goes to stdout (errors to stderr) in ossutil 1.x's wording; with `--json`
//! one JSON document goes to stdout, for a success or a failure alike. Exit status: 0 on
//! success, 1 when OSS (or the network, or the disk) failed, 2 on bad usage.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use ossbridge_core::{Error, ErrorKind};
use serde_json::{json, Value};

/// Why a command failed; decides the exit status.
#[derive(Debug)]
pub enum CliError {
    /// Bad flags, arguments or configuration: exit 2.
    Usage(String),
    /// The operation failed (service error, network, I/O): exit 1.
    Failed(Error),
}

impl From<Error> for CliError {
    fn from(err: Error) -> CliError {
        // Core rejects bad options (part size, SSE combinations, header names) before any
        // request is sent: that is bad usage of the command.
        if err.kind() == ErrorKind::InvalidArgument {
            CliError::Usage(err.message().to_string())
        } else {
            CliError::Failed(err)
        }
    }
}

pub fn usage(message: impl Into<String>) -> CliError {
    CliError::Usage(message.into())
}

pub type CliResult<T> = Result<T, CliError>;

/// Output mode of one invocation.
pub struct Output {
    pub json: bool,
    started: Instant,
}

impl Output {
    pub fn new(json: bool) -> Output {
        Output {
            json,
            started: Instant::now(),
        }
    }

    /// Prints a successful result: `human` as text (followed by ossutil's elapsed line),
    /// or `value` as one JSON document.
    pub fn success(&self, human: &str, value: Value) {
        let text = if self.json {
            format!("{value}\n")
        } else {
            let mut text = human.to_string();
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text + &format!("\n{:.6}(s) elapsed\n", self.started.elapsed().as_secs_f64())
        };
        write_stdout(&text);
    }

    /// Reports a failure and returns the exit status it maps to.
    pub fn failure(&self, err: &CliError) -> ExitCode {
        match err {
            CliError::Usage(msg) => {
                if self.json {
                    write_stdout(&format!(
                        "{}\n",
                        json!({"error": {"kind": "usage", "message": msg}})
                    ));
                } else {
                    eprintln!("Error: {msg}");
                }
                ExitCode::from(2)
            }
            CliError::Failed(e) => {
                match (e.service_error(), self.json) {
                    (Some(s), true) => write_stdout(&format!(
                        "{}\n",
                        json!({"error": {
                            "kind": "service",
                            "status": s.status,
                            "code": s.code,
                            "message": s.message,
                            "request_id": s.request_id,
                            "ec": s.ec,
                        }})
                    )),
                    // ossutil 1.x's wording, which scripts grep for.
                    (Some(s), false) => eprintln!(
                        "Error: oss: service returned error: StatusCode={}, ErrorCode={}, ErrorMessage=\"{}\", RequestId={}{}",
                        s.status,
                        s.code,
                        s.message,
                        s.request_id,
                        if s.ec.is_empty() { String::new() } else { format!(", Ec={}", s.ec) }
                    ),
                    (None, true) => write_stdout(&format!(
                        "{}\n",
                        json!({"error": {"kind": e.kind().as_str(), "message": e.to_string()}})
                    )),
                    (None, false) => eprintln!("Error: {e}"),
                }
                ExitCode::from(1)
            }
        }
    }
}

/// Writes to stdout; a closed pipe (`ossbridge ls | head`) is not worth a panic.
fn write_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush());
}

/// Runs a command body and turns its result into the exit status.
pub fn finish(out: &Output, result: CliResult<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => out.failure(&e),
    }
}

/// `1234567` -> `1,234,567`, as ossutil prints sizes.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Lines `name : value` with the names padded to one width.
pub fn aligned(rows: &[(String, String)]) -> String {
    let width = rows.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    rows.iter()
        .map(|(n, v)| format!("{n:<width$}: {v}\n"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
