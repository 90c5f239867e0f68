//! ossbridge-core: everything that speaks the OSS protocol.
//!
//! Bindings (C, Python, Node) and the CLI are thin layers over this crate; the local
//! server (`ossbridge-server`) reuses its signing, XML and error model to verify requests.

pub mod client;
pub mod config;
pub mod crc64;
pub mod credentials;
pub mod cse;
pub mod endpoint;
pub mod error;
pub mod md5;
pub mod model;
pub mod retry;
pub mod signing;
pub mod sse;
pub mod transfer;

pub use client::{blocking, Body, Client};
pub use config::ClientConfig;
pub use error::{Error, ErrorKind, Result, ServiceError};
