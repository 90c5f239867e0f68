//! Credentials and the providers that supply them.
//!
//! Secrets live in [`SecretString`], which prints as `***` and is zeroized on drop. Providers are
//! object-safe async traits so a client can hold `Arc<dyn CredentialsProvider>`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind, Result};

/// A secret string: redacted in `Debug`/`Display`, zeroized when dropped, compared in
/// constant time.
#[derive(Clone, Default)]
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    pub fn new(value: impl Into<String>) -> SecretString {
        SecretString(Zeroizing::new(value.into()))
    }

    /// The secret itself; keep the borrow short and never log it.
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl PartialEq for SecretString {
    fn eq(&self, other: &SecretString) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for SecretString {}

impl From<String> for SecretString {
    fn from(value: String) -> SecretString {
        SecretString::new(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> SecretString {
        SecretString::new(value)
    }
}

/// An access key pair, optionally with an STS security token and its expiry.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub access_key_secret: SecretString,
    pub security_token: Option<SecretString>,
    /// When temporary (STS) credentials stop working; `None` for long-lived keys.
    pub expiration: Option<SystemTime>,
}

impl Credentials {
    pub fn new(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<SecretString>,
    ) -> Credentials {
        Credentials {
            access_key_id: access_key_id.into(),
            access_key_secret: access_key_secret.into(),
            security_token: None,
            expiration: None,
        }
    }

    pub fn with_security_token(mut self, token: impl Into<SecretString>) -> Credentials {
        let token = token.into();
        self.security_token = if token.is_empty() { None } else { Some(token) };
        self
    }

    pub fn with_expiration(mut self, expiration: SystemTime) -> Credentials {
        self.expiration = Some(expiration);
        self
    }

    /// The token as a plain `&str`, if there is a non-empty one.
    pub fn token(&self) -> Option<&str> {
        self.security_token
            .as_ref()
            .map(|t| t.expose())
            .filter(|t| !t.is_empty())
    }

    /// True when the credentials expire at or before `now + margin`.
    pub fn expires_within(&self, now: SystemTime, margin: Duration) -> bool {
        match self.expiration {
            Some(expiration) => expiration <= now + margin,
            None => false,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &self.access_key_secret)
            .field("security_token", &self.security_token)
            .field("expiration", &self.expiration)
            .finish()
    }
}

/// The future a provider returns.
pub type CredentialsFuture<'a> = Pin<Box<dyn Future<Output = Result<Credentials>> + Send + 'a>>;

/// Supplies credentials for each request. Object-safe, so it can be shared as
/// `Arc<dyn CredentialsProvider>`.
pub trait CredentialsProvider: Send + Sync {
    fn credentials(&self) -> CredentialsFuture<'_>;
}

impl<P: CredentialsProvider + ?Sized> CredentialsProvider for Arc<P> {
    fn credentials(&self) -> CredentialsFuture<'_> {
        (**self).credentials()
    }
}

/// Always returns the same credentials.
#[derive(Clone, Debug)]
pub struct StaticProvider {
    credentials: Credentials,
}

impl StaticProvider {
    pub fn new(credentials: Credentials) -> StaticProvider {
        StaticProvider { credentials }
    }
}

impl CredentialsProvider for StaticProvider {
    fn credentials(&self) -> CredentialsFuture<'_> {
        let credentials = self.credentials.clone();
        Box::pin(async move { Ok(credentials) })
    }
}

/// Reads `OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET` and the optional `OSS_SESSION_TOKEN`
/// each time it is asked, so a changed environment is picked up.
#[derive(Clone, Debug, Default)]
pub struct EnvironmentProvider;

pub const ENV_ACCESS_KEY_ID: &str = "OSS_ACCESS_KEY_ID";
pub const ENV_ACCESS_KEY_SECRET: &str = "OSS_ACCESS_KEY_SECRET";
pub const ENV_SESSION_TOKEN: &str = "OSS_SESSION_TOKEN";

impl EnvironmentProvider {
    pub fn new() -> EnvironmentProvider {
        EnvironmentProvider
    }

    /// The synchronous lookup behind [`CredentialsProvider::credentials`].
    pub fn load(&self) -> Result<Credentials> {
        Self::load_from(|name| std::env::var(name).ok())
    }

    /// Looks the variables up through `lookup`; an empty value counts as missing.
    pub fn load_from(lookup: impl Fn(&str) -> Option<String>) -> Result<Credentials> {
        let required = |name: &str| -> Result<String> {
            lookup(name).filter(|v| !v.is_empty()).ok_or_else(|| {
                Error::new(
                    ErrorKind::Credentials,
                    format!("environment variable {name} is not set"),
                )
            })
        };
        let id = required(ENV_ACCESS_KEY_ID)?;
        let secret = required(ENV_ACCESS_KEY_SECRET)?;
        let mut credentials = Credentials::new(id, secret);
        if let Some(token) = lookup(ENV_SESSION_TOKEN).filter(|v| !v.is_empty()) {
            credentials = credentials.with_security_token(token);
        }
        Ok(credentials)
    }
}

impl CredentialsProvider for EnvironmentProvider {
    fn credentials(&self) -> CredentialsFuture<'_> {
        let result = self.load();
        Box::pin(async move { result })
    }
}

/// The fetch function of a [`RefreshingProvider`]: returns fresh credentials whose
/// `expiration` is set (e.g. from an STS AssumeRole call).
pub type FetchFn = dyn Fn() -> CredentialsFuture<'static> + Send + Sync;

/// Caches temporary credentials and fetches new ones `refresh_margin` before they expire.
///
/// Under concurrency only one fetch runs: callers wait on a tokio mutex and then see the
/// fresh value. Credentials that have expired (or expire within the margin) are never
/// handed out; if the fetch fails, its error is returned instead.
pub struct RefreshingProvider {
    fetch: Box<FetchFn>,
    refresh_margin: Duration,
    cached: tokio::sync::Mutex<Option<Credentials>>,
}

/// Default margin: refresh 5 minutes before expiry (what the official SDKs use for STS).
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(300);

impl RefreshingProvider {
    pub fn new<F, Fut>(fetch: F) -> RefreshingProvider
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Credentials>> + Send + 'static,
    {
        RefreshingProvider {
            fetch: Box::new(move || Box::pin(fetch())),
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            cached: tokio::sync::Mutex::new(None),
        }
    }

    pub fn with_refresh_margin(mut self, margin: Duration) -> RefreshingProvider {
        self.refresh_margin = margin;
        self
    }

    pub fn refresh_margin(&self) -> Duration {
        self.refresh_margin
    }

    async fn current(&self) -> Result<Credentials> {
        // Holding the lock across the fetch is what makes the refresh single-flight.
        let mut cached = self.cached.lock().await;
        if let Some(credentials) = cached.as_ref() {
            if !credentials.expires_within(SystemTime::now(), self.refresh_margin) {
                return Ok(credentials.clone());
            }
        }
        let fresh = (self.fetch)().await?;
        if fresh.expiration.is_some_and(|e| e <= SystemTime::now()) {
            *cached = None;
            return Err(Error::new(
                ErrorKind::Credentials,
                "the credentials fetch returned credentials that have already expired",
            ));
        }
        *cached = Some(fresh.clone());
        Ok(fresh)
    }
}

impl fmt::Debug for RefreshingProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshingProvider")
            .field("refresh_margin", &self.refresh_margin)
            .finish_non_exhaustive()
    }
}

impl CredentialsProvider for RefreshingProvider {
    fn credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(self.current())
    }
}
