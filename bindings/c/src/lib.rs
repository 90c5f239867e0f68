//! C ABI of ossbridge: `extern "C"` shims over `ossbridge-core`, nothing else.
//!
//! The names below are the C names (`ossbridge_<noun>_<verb>`), so no rename layer can drift
//! between Rust and `include/ossbridge.h`. Each module mirrors one core concept; protocol logic
//! (headers, signing, XML, retries, crypto) stays in the core.
#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)] // every function's safety contract is in the header docs

mod convert;
mod error;
mod panic;

pub mod config;

pub use config::*;
pub use error::*;
