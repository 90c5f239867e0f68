//! `new OSS({...})` options -> core `ClientConfig`.

use std::sync::Arc;
use std::time::Duration;

use napi_derive::napi;
use ossbridge_core::config::ClientConfig;
use ossbridge_core::credentials::{Credentials, EnvironmentProvider, StaticProvider};
use ossbridge_core::retry::RetryConfig;
use ossbridge_core::signing::SignatureVersion;
use ossbridge_core::{Error, Result};

/// The constructor options ali-oss users pass (`timeout` already converted to ms by JS).
#[napi(object)]
#[derive(Default)]
pub struct ClientOptions {
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub access_key_secret: Option<String>,
    pub sts_token: Option<String>,
    pub bucket: Option<String>,
    pub endpoint: Option<String>,
    /// Scheme for an endpoint given without one: https when true (the default), http when false.
    pub secure: Option<bool>,
    /// Sign with V4 (ali-oss's `authorizationV4`); V1 otherwise, as ali-oss does.
    pub authorization_v4: Option<bool>,
    /// Whole-request timeout in milliseconds.
    pub timeout_ms: Option<f64>,
    /// Retries after the first attempt (ali-oss's `retryMax`).
    pub retry_max: Option<u32>,
    /// Use the region's internal endpoint when no endpoint is given.
    pub internal: Option<bool>,
    /// Verify CRC-64 on uploads and downloads (default true).
    pub crc_check: Option<bool>,
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

/// Builds the core configuration. Missing keys fall back to `OSS_ACCESS_KEY_ID` /
/// `OSS_ACCESS_KEY_SECRET` / `OSS_SESSION_TOKEN`, read now so the mistake shows here.
pub fn build_config(options: &ClientOptions) -> Result<ClientConfig> {
    let mut builder = ClientConfig::builder();
    if let Some(region) = options.region.as_deref().filter(|r| !r.is_empty()) {
        builder = builder.region(region);
    }
    if let Some(endpoint) = options.endpoint.as_deref().filter(|e| !e.is_empty()) {
        let endpoint = if endpoint.contains("://") {
            endpoint.to_string()
        } else if options.secure == Some(false) {
            format!("http://{endpoint}")
        } else if options.secure == Some(true) {
            format!("https://{endpoint}")
        } else {
            // The core picks https, or http for IP/localhost hosts.
            endpoint.to_string()
        };
        builder = builder.endpoint(endpoint);
    }
    builder = builder.internal(options.internal.unwrap_or(false));
    builder = builder.signature_version(if options.authorization_v4.unwrap_or(false) {
        SignatureVersion::V4
    } else {
        SignatureVersion::V1
    });
    let id = options.access_key_id.as_deref().filter(|s| !s.is_empty());
    let secret = options
        .access_key_secret
        .as_deref()
        .filter(|s| !s.is_empty());
    let credentials = match (id, secret) {
        (Some(id), Some(secret)) => {
            let mut c = Credentials::new(id, secret);
            if let Some(token) = options.sts_token.as_deref().filter(|t| !t.is_empty()) {
                c = c.with_security_token(token);
            }
            c
        }
        (None, None) => EnvironmentProvider::new().load()?,
        (Some(_), None) => {
            return Err(Error::invalid_argument(
                "accessKeySecret is required with accessKeyId",
            ))
        }
        (None, Some(_)) => {
            return Err(Error::invalid_argument(
                "accessKeyId is required with accessKeySecret",
            ))
        }
    };
    builder = builder.credentials_provider(Arc::new(StaticProvider::new(credentials)));
    if let Some(ms) = options.timeout_ms {
        if !(ms.is_finite() && ms > 0.0) {
            return Err(Error::invalid_argument(format!(
                "timeout must be a positive number of milliseconds, got {ms}"
            )));
        }
        builder = builder.request_timeout(Duration::from_millis(ms as u64));
    }
    if let Some(retries) = options.retry_max {
        builder = builder.retry(RetryConfig {
            max_attempts: retries.saturating_add(1),
            ..RetryConfig::default()
        });
    }
    if let Some(on) = options.crc_check {
        builder = builder.crc_check(on);
    }
    builder = builder.user_agent(format!(
        "ossbridge-node/{} (ali-oss compatible)",
        env!("CARGO_PKG_VERSION")
    ));
    builder.build()
}
