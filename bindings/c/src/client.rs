//! `ossbridge_client`: a thread-safe handle over `ossbridge_core::blocking::Client` (which owns
//! the tokio runtime the calls run on), and its create/free.

use std::sync::Arc;

use ossbridge_core::blocking;
use ossbridge_core::config::ClientConfig;
use ossbridge_core::credentials::{Credentials, StaticProvider};
use ossbridge_core::Error;

use crate::config::{ossbridge_config, Settings};
use crate::convert::required_out;
use crate::error::{ossbridge_error, ossbridge_status};
use crate::panic::{boundary, infallible};

/// A connection to OSS. Thread-safe: share one between threads. Create with
/// ossbridge_client_new(), release with ossbridge_client_free() once no call is running on it.
pub struct ossbridge_client {
    pub(crate) inner: blocking::Client,
}

fn core_config(settings: &Settings) -> Result<ClientConfig, Error> {
    let mut builder = ClientConfig::builder();
    if let Some(endpoint) = &settings.endpoint {
        builder = builder.endpoint(endpoint.clone());
    }
    if let Some(region) = &settings.region {
        builder = builder.region(region.clone());
    }
    if let Some(version) = settings.signature_version {
        builder = builder.signature_version(version);
    }
    if let Some(creds) = &settings.credentials {
        let mut credentials =
            Credentials::new(creds.access_key_id.clone(), creds.access_key_secret.clone());
        if let Some(token) = &creds.security_token {
            credentials = credentials.with_security_token(token.clone());
        }
        builder = builder.credentials_provider(Arc::new(StaticProvider::new(credentials)));
    }
    if let Some(timeout) = settings.connect_timeout {
        builder = builder.connect_timeout(timeout);
    }
    if let Some(timeout) = settings.request_timeout {
        builder = builder.request_timeout(timeout);
    }
    builder.build()
}

/// Creates a client from `config` (copied; free it whenever you like). Fails with
/// OSSBRIDGE_STATUS_INVALID_ARGUMENT when the config is incomplete (e.g. V4 without a region).
/// On success `*client_out` receives the client.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_client_new(
    config: *const ossbridge_config,
    client_out: *mut *mut ossbridge_client,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_client_new", error_out, || {
        if config.is_null() {
            return Err(Error::invalid_argument("config must not be NULL"));
        }
        required_out(client_out, "client_out")?;
        // SAFETY: a live config (caller contract).
        let settings = unsafe { &(*config).settings };
        let inner = blocking::Client::new(core_config(settings)?)?;
        let client = Box::into_raw(Box::new(ossbridge_client { inner }));
        // SAFETY: checked non-NULL above.
        unsafe { *client_out = client };
        Ok(())
    })
}

/// Releases a client and its runtime. NULL is allowed. No call may be running on it.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_client_free(client: *mut ossbridge_client) {
    infallible((), || {
        if !client.is_null() {
            // SAFETY: from ossbridge_client_new, freed once (caller contract).
            drop(unsafe { Box::from_raw(client) });
        }
    })
}

/// The client behind a C pointer.
pub(crate) unsafe fn client_ref<'a>(
    client: *const ossbridge_client,
) -> Result<&'a blocking::Client, Error> {
    if client.is_null() {
        return Err(Error::invalid_argument("client must not be NULL"));
    }
    // SAFETY: a live client (caller contract).
    Ok(unsafe { &(*client).inner })
}

/// Hands a result to C through an optional out-parameter; without one it is freed at once.
pub(crate) unsafe fn deliver<T>(out: *mut *mut T, value: *mut T) {
    if out.is_null() {
        unsafe { crate::owned::free(value) };
    } else {
        // SAFETY: non-NULL out-parameter (caller contract).
        unsafe { *out = value };
    }
}
