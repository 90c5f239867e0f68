//! Client configuration: where to send requests, how to sign them, how long to wait and
//! how often to retry. Every timeout has a finite default.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::credentials::{Credentials, CredentialsProvider, EnvironmentProvider, StaticProvider};
use crate::endpoint::{AddressingStyle, Endpoint};
use crate::error::{Error, Result};
use crate::retry::RetryConfig;
use crate::signing::SignatureVersion;

/// Connect timeout default: 10 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Read (idle) timeout default: 60 s without a byte from the server.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Whole-request default: 30 min, enough for a 5 GB PutObject at ~3 MB/s; transfers split
/// big objects into parts, each its own request.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Everything a [`crate::client::Client`] needs. Build it with [`ClientConfig::builder`].
#[derive(Clone)]
pub struct ClientConfig {
    pub endpoint: Endpoint,
    /// Region id without the `oss-` prefix (`cn-hangzhou`); required for V4 signing.
    pub region: String,
    pub signature_version: SignatureVersion,
    pub credentials: Arc<dyn CredentialsProvider>,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub request_timeout: Duration,
    pub retry: RetryConfig,
    /// Verify `x-oss-hash-crc64ecma` on uploads and downloads (on by default).
    pub crc_check: bool,
    /// Maximum idle connections kept per host.
    pub pool_max_idle_per_host: usize,
    /// Sent as `User-Agent`.
    pub user_agent: String,
    /// HTTP(S) proxy URL for every request; `None` = direct connections (environment
    /// proxy variables are ignored so that a local server is never proxied by accident).
    pub proxy: Option<String>,
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("signature_version", &self.signature_version)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("retry", &self.retry)
            .field("crc_check", &self.crc_check)
            .finish_non_exhaustive()
    }
}

impl ClientConfig {
    pub fn builder() -> ClientConfigBuilder {
        ClientConfigBuilder::default()
    }
}

/// Builder of [`ClientConfig`]; `build()` validates and names what is missing.
#[derive(Default)]
pub struct ClientConfigBuilder {
    endpoint: Option<String>,
    region: Option<String>,
    internal: bool,
    style: Option<AddressingStyle>,
    signature_version: SignatureVersion,
    credentials: Option<Arc<dyn CredentialsProvider>>,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    retry: Option<RetryConfig>,
    crc_check: Option<bool>,
    pool_max_idle_per_host: Option<usize>,
    user_agent: Option<String>,
    proxy: Option<String>,
}

impl ClientConfigBuilder {
    /// `oss-cn-hangzhou.aliyuncs.com`, `https://...`, or `http://127.0.0.1:9000`.
    /// Without an endpoint, the region's public endpoint is used.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// `cn-hangzhou` (an `oss-` prefix is tolerated).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Use the region's internal endpoint when no endpoint is given.
    pub fn internal(mut self, internal: bool) -> Self {
        self.internal = internal;
        self
    }

    /// Force an addressing style (default: path style for IP/localhost, virtual-hosted otherwise).
    pub fn addressing_style(mut self, style: AddressingStyle) -> Self {
        self.style = Some(style);
        self
    }

    pub fn signature_version(mut self, version: SignatureVersion) -> Self {
        self.signature_version = version;
        self
    }

    pub fn credentials_provider(mut self, provider: Arc<dyn CredentialsProvider>) -> Self {
        self.credentials = Some(provider);
        self
    }

    /// Static AccessKey credentials.
    pub fn credentials(self, credentials: Credentials) -> Self {
        self.credentials_provider(Arc::new(StaticProvider::new(credentials)))
    }

    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = Some(t);
        self
    }

    pub fn read_timeout(mut self, t: Duration) -> Self {
        self.read_timeout = Some(t);
        self
    }

    pub fn request_timeout(mut self, t: Duration) -> Self {
        self.request_timeout = Some(t);
        self
    }

    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }

    pub fn crc_check(mut self, on: bool) -> Self {
        self.crc_check = Some(on);
        self
    }

    pub fn pool_max_idle_per_host(mut self, n: usize) -> Self {
        self.pool_max_idle_per_host = Some(n);
        self
    }

    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    /// Send every request through this HTTP(S) proxy (`http://host:port`).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    pub fn build(self) -> Result<ClientConfig> {
        let region = self
            .region
            .unwrap_or_default()
            .trim()
            .trim_start_matches("oss-")
            .to_string();
        let mut endpoint = match &self.endpoint {
            Some(e) => Endpoint::parse(e)?,
            None if !region.is_empty() => Endpoint::from_region(&region, self.internal)?,
            None => {
                return Err(Error::invalid_argument(
                    "client config needs an endpoint or a region",
                ))
            }
        };
        if let Some(style) = self.style {
            endpoint = endpoint.with_style(style);
        }
        if self.signature_version == SignatureVersion::V4 && region.is_empty() {
            return Err(Error::invalid_argument(
                "V4 signing needs a region (e.g. \"cn-hangzhou\"); set one or choose V1",
            ));
        }
        let positive = |name: &str, d: Option<Duration>, default: Duration| -> Result<Duration> {
            match d {
                Some(d) if d.is_zero() => Err(Error::invalid_argument(format!(
                    "{name} must be greater than zero"
                ))),
                Some(d) => Ok(d),
                None => Ok(default),
            }
        };
        let retry = self.retry.unwrap_or_default();
        retry.validate()?;
        Ok(ClientConfig {
            endpoint,
            region,
            signature_version: self.signature_version,
            credentials: self
                .credentials
                .unwrap_or_else(|| Arc::new(EnvironmentProvider::new())),
            connect_timeout: positive(
                "connect_timeout",
                self.connect_timeout,
                DEFAULT_CONNECT_TIMEOUT,
            )?,
            read_timeout: positive("read_timeout", self.read_timeout, DEFAULT_READ_TIMEOUT)?,
            request_timeout: positive(
                "request_timeout",
                self.request_timeout,
                DEFAULT_REQUEST_TIMEOUT,
            )?,
            retry,
            crc_check: self.crc_check.unwrap_or(true),
            pool_max_idle_per_host: self.pool_max_idle_per_host.unwrap_or(32),
            user_agent: self
                .user_agent
                .unwrap_or_else(|| format!("ossbridge/{}", env!("CARGO_PKG_VERSION"))),
            proxy: self.proxy,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_endpoint_defaults() {
        let c = ClientConfig::builder()
            .endpoint("127.0.0.1:9000")
            .region("cn-hangzhou")
            .build()
            .unwrap();
        assert_eq!(c.endpoint.style(), AddressingStyle::Path);
        assert_eq!(c.endpoint.scheme(), "http");
        assert!(c.crc_check);
        assert_eq!(c.read_timeout, DEFAULT_READ_TIMEOUT);
    }

    #[test]
    fn v4_without_region_names_the_problem() {
        let err = ClientConfig::builder()
            .endpoint("127.0.0.1:1")
            .build()
            .unwrap_err();
        assert!(err.message().contains("region"), "{err}");
        assert!(ClientConfig::builder()
            .endpoint("127.0.0.1:1")
            .signature_version(SignatureVersion::V1)
            .build()
            .is_ok());
        let err = ClientConfig::builder()
            .region("cn-hangzhou")
            .connect_timeout(Duration::ZERO)
            .build()
            .unwrap_err();
        assert!(err.message().contains("connect_timeout"));
    }
}
