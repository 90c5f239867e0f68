//! C ABI of ossbridge: `extern "C"` shims over `ossbridge-core`, nothing else.
//!
//! The names below are the C names (`ossbridge_<noun>_<verb>`), so no rename layer can drift
//! between Rust and `include/ossbridge.h`. Each module mirrors one core concept; protocol logic
//! (headers, signing, XML, retries, crypto) stays in the core, and the core's blocking client
//! owns the tokio runtime the calls run on.
#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)] // every function's safety contract is in the header docs

mod convert;
mod owned;
mod panic;

pub mod bucket;
pub mod client;
pub mod config;
pub mod crypto;
pub mod error;
pub mod list;
pub mod object;
pub mod presign;
pub mod transfer;
pub mod types;

pub use bucket::*;
pub use client::*;
pub use config::*;
pub use crypto::*;
pub use error::*;
pub use list::*;
pub use object::*;
pub use presign::*;
pub use transfer::*;
pub use types::*;
