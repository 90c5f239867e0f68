//! `ossbridge_config`: the settings a client is built from (plain data; validated by the core
//! when the client is created).

use std::ffi::c_char;
use std::time::Duration;

use ossbridge_core::signing::SignatureVersion;

use crate::convert::{optional_str, required_str};
use crate::error::{ossbridge_error, ossbridge_status};
use crate::panic::{boundary, infallible};

/// Which request signature to compute: one of the OSSBRIDGE_SIGNATURE_VERSION_* values.
/// (An integer, not an enum, so that any value C passes is well-defined and can be rejected.)
pub type ossbridge_signature_version = u32;
/// OSS V4 signature (HMAC-SHA256, needs the region). The default.
pub const OSSBRIDGE_SIGNATURE_VERSION_V4: ossbridge_signature_version = 4;
/// OSS V1 signature (HMAC-SHA1).
pub const OSSBRIDGE_SIGNATURE_VERSION_V1: ossbridge_signature_version = 1;

/// Client settings. Create with ossbridge_config_new(), release with ossbridge_config_free().
/// Not synchronised: do not modify one config from two threads at once.
pub struct ossbridge_config {
    pub(crate) settings: Settings,
}

#[derive(Default)]
pub(crate) struct Settings {
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub signature_version: Option<SignatureVersion>,
    pub credentials: Option<StaticCredentials>,
    pub connect_timeout: Option<Duration>,
    pub request_timeout: Option<Duration>,
}

pub(crate) struct StaticCredentials {
    pub access_key_id: String,
    pub access_key_secret: ossbridge_core::credentials::SecretString,
    pub security_token: Option<ossbridge_core::credentials::SecretString>,
}

/// A new config with defaults: no endpoint yet, V4 signing, credentials from the environment
/// (OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, optional OSS_SESSION_TOKEN). Never NULL.
#[no_mangle]
pub extern "C" fn ossbridge_config_new() -> *mut ossbridge_config {
    infallible(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(ossbridge_config {
            settings: Settings::default(),
        }))
    })
}

/// Releases a config. NULL is allowed.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_config_free(config: *mut ossbridge_config) {
    infallible((), || {
        if !config.is_null() {
            // SAFETY: from ossbridge_config_new, freed once (caller contract).
            drop(unsafe { Box::from_raw(config) });
        }
    })
}

unsafe fn settings_mut<'a>(
    config: *mut ossbridge_config,
) -> Result<&'a mut Settings, ossbridge_core::Error> {
    if config.is_null() {
        return Err(ossbridge_core::Error::invalid_argument(
            "config must not be NULL",
        ));
    }
    // SAFETY: a live config from ossbridge_config_new (caller contract).
    Ok(unsafe { &mut (*config).settings })
}

/// Sets the endpoint, e.g. "https://oss-cn-hangzhou.aliyuncs.com" or "http://127.0.0.1:9000".
#[no_mangle]
pub unsafe extern "C" fn ossbridge_config_set_endpoint(
    config: *mut ossbridge_config,
    endpoint: *const c_char,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_config_set_endpoint", error_out, || {
        let settings = unsafe { settings_mut(config) }?;
        settings.endpoint = Some(unsafe { required_str(endpoint, "endpoint") }?.to_string());
        Ok(())
    })
}

/// Sets the region, e.g. "cn-hangzhou" (needed for V4 signing; NULL clears it).
#[no_mangle]
pub unsafe extern "C" fn ossbridge_config_set_region(
    config: *mut ossbridge_config,
    region: *const c_char,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_config_set_region", error_out, || {
        let settings = unsafe { settings_mut(config) }?;
        settings.region = unsafe { optional_str(region, "region") }?.map(str::to_string);
        Ok(())
    })
}

/// Chooses the signature version (default V4).
#[no_mangle]
pub unsafe extern "C" fn ossbridge_config_set_signature_version(
    config: *mut ossbridge_config,
    version: ossbridge_signature_version,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_config_set_signature_version", error_out, || {
        let settings = unsafe { settings_mut(config) }?;
        settings.signature_version = Some(match version {
            OSSBRIDGE_SIGNATURE_VERSION_V4 => SignatureVersion::V4,
            OSSBRIDGE_SIGNATURE_VERSION_V1 => SignatureVersion::V1,
            other => {
                return Err(ossbridge_core::Error::invalid_argument(format!(
                    "signature version must be OSSBRIDGE_SIGNATURE_VERSION_V1 or _V4, got {other}"
                )))
            }
        });
        Ok(())
    })
}

/// Uses these static credentials instead of the environment. `security_token` may be NULL
/// (long-term AccessKey) or an STS token. The strings are copied; the secret is wiped from
/// memory when the config (and the client) is freed.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_config_set_credentials(
    config: *mut ossbridge_config,
    access_key_id: *const c_char,
    access_key_secret: *const c_char,
    security_token: *const c_char,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_config_set_credentials", error_out, || {
        let settings = unsafe { settings_mut(config) }?;
        let id = unsafe { required_str(access_key_id, "access_key_id") }?;
        let secret = unsafe { required_str(access_key_secret, "access_key_secret") }?;
        let token = unsafe { optional_str(security_token, "security_token") }?;
        settings.credentials = Some(StaticCredentials {
            access_key_id: id.to_string(),
            access_key_secret: ossbridge_core::credentials::SecretString::new(secret),
            security_token: token.map(ossbridge_core::credentials::SecretString::new),
        });
        Ok(())
    })
}

/// Goes back to reading credentials from OSS_ACCESS_KEY_ID / OSS_ACCESS_KEY_SECRET /
/// OSS_SESSION_TOKEN (the default), read when the client is created.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_config_use_environment_credentials(
    config: *mut ossbridge_config,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary(
        "ossbridge_config_use_environment_credentials",
        error_out,
        || {
            unsafe { settings_mut(config) }?.credentials = None;
            Ok(())
        },
    )
}

/// Connect timeout in milliseconds (0 = the core's default).
#[no_mangle]
pub unsafe extern "C" fn ossbridge_config_set_connect_timeout_ms(
    config: *mut ossbridge_config,
    timeout_ms: u64,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_config_set_connect_timeout_ms", error_out, || {
        unsafe { settings_mut(config) }?.connect_timeout =
            (timeout_ms > 0).then(|| Duration::from_millis(timeout_ms));
        Ok(())
    })
}

/// Whole-request timeout in milliseconds (0 = the core's default).
#[no_mangle]
pub unsafe extern "C" fn ossbridge_config_set_request_timeout_ms(
    config: *mut ossbridge_config,
    timeout_ms: u64,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_config_set_request_timeout_ms", error_out, || {
        unsafe { settings_mut(config) }?.request_timeout =
            (timeout_ms > 0).then(|| Duration::from_millis(timeout_ms));
        Ok(())
    })
}
