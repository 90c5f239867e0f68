//! Node.js addon of ossbridge: ali-oss's calls over `ossbridge-core`.
//!
//! Thin by design: converts JS values to core options and core results to JS objects,
//! maps errors, and bridges napi's tokio runtime. No protocol logic lives here.

mod client;
mod config;
mod encryption;
mod error;
mod stream;
mod types;

use napi_derive::napi;

/// Version of the addon (same as the Rust workspace).
#[napi]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
