//! Status codes and the error out-parameter, mapped from `ossbridge_core::Error`.

use std::ffi::{c_char, c_int};

use ossbridge_core::{Error, ErrorKind};

use crate::convert::{free_c_string, to_c_string};
use crate::panic::infallible;

/// Result of every fallible function. The numbers are stable: a retired number is never reused.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ossbridge_status {
    /// Success.
    Ok = 0,
    /// OSS answered with an error; `code`, `message`, `request_id`, `host_id`, `ec` and
    /// `http_status` of the ::ossbridge_error say which.
    Service = 1,
    /// A parameter was NULL, not UTF-8, or otherwise unusable; the message names it.
    InvalidArgument = 2,
    /// No credentials were found, or the credentials provider failed.
    Credentials = 3,
    /// Connection refused or reset, DNS or TLS failure: the request may not have reached OSS.
    Network = 4,
    /// A connect, read or whole-request timeout elapsed.
    Timeout = 5,
    /// The CRC-64 of the data differs from the one OSS reported.
    CrcMismatch = 6,
    /// Encryption, decryption or key handling failed.
    Crypto = 7,
    /// A local file could not be read or written.
    Io = 8,
    /// OSS answered with something this library cannot understand.
    Protocol = 9,
    /// An error kind newer than this library's mapping (never expected; reported, not hidden).
    Unknown = 98,
    /// A bug inside the library was caught at the boundary; the message says where.
    Panic = 99,
}

/// The status for a core error kind: one arm per kind, tested against `ErrorKind::ALL`.
pub(crate) fn status_of(kind: ErrorKind) -> ossbridge_status {
    match kind {
        ErrorKind::Service => ossbridge_status::Service,
        ErrorKind::InvalidArgument => ossbridge_status::InvalidArgument,
        ErrorKind::Credentials => ossbridge_status::Credentials,
        ErrorKind::Network => ossbridge_status::Network,
        ErrorKind::Timeout => ossbridge_status::Timeout,
        ErrorKind::CrcMismatch => ossbridge_status::CrcMismatch,
        ErrorKind::Crypto => ossbridge_status::Crypto,
        ErrorKind::Io => ossbridge_status::Io,
        ErrorKind::Protocol => ossbridge_status::Protocol,
        _ => ossbridge_status::Unknown,
    }
}

/// Details of a failed call. Every string is non-NULL, NUL-terminated and empty when OSS did not
/// send that field (or when the failure happened before any response). Owned by the caller;
/// release with ossbridge_error_free().
#[repr(C)]
pub struct ossbridge_error {
    /// Same value the function returned.
    pub status: ossbridge_status,
    /// HTTP status of OSS's answer, 0 when there was none.
    pub http_status: u16,
    /// OSS error code, e.g. "NoSuchKey", "NoSuchServerSideEncryptionRule"; empty if not a service error.
    pub code: *mut c_char,
    /// Human-readable description: OSS's `<Message>` for service errors, otherwise what went wrong.
    pub message: *mut c_char,
    /// OSS request id (`<RequestId>` or the x-oss-request-id response header).
    pub request_id: *mut c_char,
    /// OSS `<HostId>`.
    pub host_id: *mut c_char,
    /// OSS detailed error code `<EC>`, e.g. "0026-00000001".
    pub ec: *mut c_char,
}

/// Plain Rust copy of the fields, built before anything is allocated for C.
pub(crate) struct ErrorFields {
    pub status: ossbridge_status,
    http_status: u16,
    code: String,
    message: String,
    request_id: String,
    host_id: String,
    ec: String,
}

impl ErrorFields {
    pub fn from_core(err: &Error) -> ErrorFields {
        let status = status_of(err.kind());
        match err.service_error() {
            Some(service) => ErrorFields {
                status,
                http_status: service.status,
                code: service.code.clone(),
                message: if service.message.is_empty() {
                    err.to_string()
                } else {
                    service.message.clone()
                },
                request_id: service.request_id.clone(),
                host_id: service.host_id.clone(),
                ec: service.ec.clone(),
            },
            None => ErrorFields {
                status,
                http_status: 0,
                code: String::new(),
                message: err.to_string(),
                request_id: String::new(),
                host_id: String::new(),
                ec: String::new(),
            },
        }
    }

    pub fn panic(function: &str, text: &str) -> ErrorFields {
        ErrorFields {
            status: ossbridge_status::Panic,
            http_status: 0,
            code: String::new(),
            message: format!("internal error (panic) in {function}: {text}"),
            request_id: String::new(),
            host_id: String::new(),
            ec: String::new(),
        }
    }

    pub fn into_raw(self) -> *mut ossbridge_error {
        Box::into_raw(Box::new(ossbridge_error {
            status: self.status,
            http_status: self.http_status,
            code: to_c_string(&self.code),
            message: to_c_string(&self.message),
            request_id: to_c_string(&self.request_id),
            host_id: to_c_string(&self.host_id),
            ec: to_c_string(&self.ec),
        }))
    }
}

/// Releases an error returned through an `error_out` parameter. NULL is allowed.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_error_free(error: *mut ossbridge_error) {
    infallible((), || {
        if error.is_null() {
            return;
        }
        // SAFETY: `error` came from `ErrorFields::into_raw` and is freed once (caller contract).
        let error = unsafe { Box::from_raw(error) };
        for field in [
            error.code,
            error.message,
            error.request_id,
            error.host_id,
            error.ec,
        ] {
            unsafe { free_c_string(field) };
        }
    })
}

/// The stable name of an ::ossbridge_status value ("OK", "SERVICE", "INVALID_ARGUMENT", ...): a
/// static string, never freed. Numbers that are no status give "UNRECOGNIZED". (Takes an int so
/// that any value is well-defined.)
#[no_mangle]
pub extern "C" fn ossbridge_status_name(status: c_int) -> *const c_char {
    let name: &'static [u8] = match status {
        0 => b"OK\0",
        1 => b"SERVICE\0",
        2 => b"INVALID_ARGUMENT\0",
        3 => b"CREDENTIALS\0",
        4 => b"NETWORK\0",
        5 => b"TIMEOUT\0",
        6 => b"CRC_MISMATCH\0",
        7 => b"CRYPTO\0",
        8 => b"IO\0",
        9 => b"PROTOCOL\0",
        98 => b"UNKNOWN\0",
        99 => b"PANIC\0",
        _ => b"UNRECOGNIZED\0",
    };
    name.as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_kind_has_its_own_status() {
        let mut seen = std::collections::HashSet::new();
        for kind in ErrorKind::ALL {
            let status = status_of(kind);
            assert_ne!(
                status,
                ossbridge_status::Unknown,
                "{kind} falls into the fallback"
            );
            assert!(seen.insert(status as u32), "{kind} shares a status");
            let name = unsafe { std::ffi::CStr::from_ptr(ossbridge_status_name(status as c_int)) };
            // The status name is the kind's stable name in SCREAMING_SNAKE_CASE.
            let expected: String = kind
                .as_str()
                .chars()
                .enumerate()
                .flat_map(|(i, c)| {
                    let sep = (i > 0 && c.is_ascii_uppercase()).then_some('_');
                    sep.into_iter()
                        .chain(std::iter::once(c.to_ascii_uppercase()))
                })
                .collect();
            assert_eq!(name.to_str().unwrap(), expected);
        }
    }
}
