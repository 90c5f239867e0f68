//! Shared support for the client test suites: starts `ossbridge serve` (the release binary
//! built by `make build`; nothing is built here), makes clients, and runs a fault-injecting
//! HTTP proxy between client and server.
#![allow(dead_code)]

pub mod proxy;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ossbridge_core::credentials::Credentials;
use ossbridge_core::retry::RetryConfig;
use ossbridge_core::signing::SignatureVersion;
use ossbridge_core::{Client, ClientConfig};

pub const ACCESS_KEY_ID: &str = "LTAI-client-tests";
pub const ACCESS_KEY_SECRET: &str = "client-tests-secret-0123456789";
pub const REGION: &str = "cn-hangzhou";
/// CMK aliases created in every test server's local KMS.
pub const TEST_KEYS: &[&str] = &["cmk-file", "cmk-copy", "cmk-mpu", "cmk-upload", "guide-cmk"];

/// A running `ossbridge serve`, killed on drop.
pub struct Server {
    child: Child,
    pub url: String,
    /// (alias, key id) of the CMKs in the server's local KMS.
    pub keys: Vec<(String, String)>,
    _data: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn server_binary() -> PathBuf {
    if let Ok(p) = std::env::var("OSSBRIDGE_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("release/ossbridge")
}

impl Server {
    /// Starts a server on 127.0.0.1:0 with a fresh data directory.
    pub fn start() -> Server {
        let bin = server_binary();
        assert!(
            bin.exists(),
            "{} is missing: run `make build` (cargo build --release --bin ossbridge) before the client tests",
            bin.display()
        );
        let data = tempfile::tempdir().expect("temp dir");
        let mut keys = Vec::new();
        for alias in TEST_KEYS {
            let out = Command::new(&bin)
                .args(["kms", "create-key", "--alias", alias, "--data-dir"])
                .arg(data.path())
                .output()
                .expect("ossbridge kms create-key");
            assert!(
                out.status.success(),
                "kms create-key failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let id = String::from_utf8_lossy(&out.stdout)
                .lines()
                .last()
                .unwrap_or_default()
                .trim()
                .to_string();
            keys.push((alias.to_string(), id));
        }
        let mut child = Command::new(&bin)
            .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(data.path())
            .args([
                "--access-key-id",
                ACCESS_KEY_ID,
                "--access-key-secret",
                ACCESS_KEY_SECRET,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().and_then(|l| l.ok()).unwrap_or_default();
        let url = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "ossbridge serve printed {first:?} instead of `listening on http://HOST:PORT`"
                )
            })
            .trim()
            .to_string();
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            url,
            keys,
            _data: data,
        }
    }
}

impl Server {
    /// The key id OSS reports for a CMK created under `alias`.
    pub fn key_id(&self, alias: &str) -> String {
        self.keys
            .iter()
            .find(|(a, _)| a == alias)
            .map(|(_, id)| id.clone())
            .unwrap_or_else(|| panic!("no test CMK {alias}"))
    }
}

pub fn config(url: &str, version: SignatureVersion) -> ClientConfig {
    ClientConfig::builder()
        .endpoint(url)
        .region(REGION)
        .signature_version(version)
        .credentials(Credentials::new(ACCESS_KEY_ID, ACCESS_KEY_SECRET))
        .retry(RetryConfig {
            max_attempts: 4,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
        })
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(Duration::from_secs(20))
        .request_timeout(Duration::from_secs(120))
        .build()
        .expect("config")
}

pub fn client(url: &str) -> Client {
    Client::new(config(url, SignatureVersion::V4)).expect("client")
}

pub fn client_v1(url: &str) -> Client {
    Client::new(config(url, SignatureVersion::V1)).expect("client")
}

/// A unique bucket name per test.
pub fn bucket_name(prefix: &str) -> String {
    format!("{prefix}-{:08x}", rand::random::<u32>())
}

/// Deterministic pseudo-random data (xorshift), cheap to make and to compare.
pub fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut x = (seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}
