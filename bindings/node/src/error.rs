//! Core errors -> JS errors shaped as ali-oss shapes them.
//!
//! napi can only reject a promise with a message, so the fields travel as JSON in the
//! reason, behind a marker; `lib/errors.js` turns that back into an `OssError` with
//! `name`, `code`, `status`, `requestId`, `hostId`, `ecCode`. One path for sync and async.

use napi::Status;
use ossbridge_core::{Error, ErrorKind};
use serde_json::{json, Map, Value};

/// Prefix of a rejection reason that carries an ossbridge error as JSON.
pub const MARKER: &str = "__ossbridge_error__";

/// The JS `err.name` and `err.code` of a client-side failure, and the `err.status` ali-oss
/// gives it (-1 network error, -2 timeout, like urllib in ali-oss). Service errors are named
/// after OSS's code instead (`NoSuchKey` -> `NoSuchKeyError`).
pub fn client_side_name(kind: ErrorKind) -> (&'static str, Option<i32>) {
    match kind {
        // Only reached when OSS sent no code at all (e.g. an empty 5xx body).
        ErrorKind::Service => ("UnknownError", None),
        ErrorKind::InvalidArgument => ("ArgumentError", None),
        ErrorKind::Credentials => ("CredentialsError", None),
        ErrorKind::Network => ("RequestError", Some(-1)),
        ErrorKind::Timeout => ("ResponseTimeoutError", Some(-2)),
        ErrorKind::CrcMismatch => ("CrcMismatchError", None),
        ErrorKind::Crypto => ("CryptoError", None),
        ErrorKind::Io => ("IoError", None),
        ErrorKind::Protocol => ("ProtocolError", None),
        _ => ("OssClientError", None),
    }
}

/// The fields of the JS error, as a JSON object.
pub fn error_fields(err: &Error) -> Value {
    let kind = err.kind();
    let mut fields = Map::new();
    fields.insert("kind".into(), json!(kind.as_str()));
    match err.service_error() {
        Some(s) if !s.code.is_empty() => {
            fields.insert("name".into(), json!(format!("{}Error", s.code)));
            fields.insert("code".into(), json!(s.code));
        }
        _ => {
            let (name, status) = client_side_name(kind);
            fields.insert("name".into(), json!(name));
            fields.insert("code".into(), json!(name));
            if let Some(status) = status {
                fields.insert("status".into(), json!(status));
            }
        }
    }
    if let Some(s) = err.service_error() {
        let message = if s.message.is_empty() {
            err.message().to_string()
        } else {
            s.message.clone()
        };
        fields.insert("message".into(), json!(message));
        fields.insert("status".into(), json!(s.status));
        fields.insert("requestId".into(), json!(s.request_id));
        fields.insert("hostId".into(), json!(s.host_id));
        fields.insert("ecCode".into(), json!(s.ec));
        fields.insert("details".into(), json!(s.details));
    } else {
        fields.insert("message".into(), json!(client_side_message(err)));
    }
    Value::Object(fields)
}

/// The core's message followed by its causes (`could not connect ...: Connection refused`).
fn client_side_message(err: &Error) -> String {
    let mut message = err.message().to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// Converts a core error into the napi error the JS wrapper decodes.
pub fn to_napi(err: Error) -> napi::Error {
    napi::Error::new(
        Status::GenericFailure,
        format!("{MARKER}{}", error_fields(&err)),
    )
}

/// A client-side argument error raised by the binding itself (e.g. a JS value of the
/// wrong shape), shaped like the core's InvalidArgument.
pub fn invalid_argument(message: impl Into<String>) -> napi::Error {
    to_napi(Error::invalid_argument(message))
}

/// `Result` of core calls mapped to napi.
pub trait IntoNapi<T> {
    fn into_napi(self) -> napi::Result<T>;
}

impl<T> IntoNapi<T> for ossbridge_core::Result<T> {
    fn into_napi(self) -> napi::Result<T> {
        self.map_err(to_napi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ossbridge_core::ServiceError;

    #[test]
    fn every_kind_has_its_own_js_name() {
        let mut seen = std::collections::HashSet::new();
        for kind in ErrorKind::ALL {
            let (name, _) = client_side_name(kind);
            assert_ne!(name, "OssClientError", "{kind:?} falls into the fallback");
            assert!(seen.insert(name), "{name} is used twice");
        }
    }

    #[test]
    fn service_errors_are_named_after_the_oss_code() {
        let body =
            b"<Error><Code>NoSuchKey</Code><Message>gone</Message><RequestId>RID</RequestId>\
            <HostId>h</HostId><EC>0026-00000001</EC></Error>";
        let err = Error::service(ServiceError::from_response(404, &[], body));
        let f = error_fields(&err);
        assert_eq!(f["name"], "NoSuchKeyError");
        assert_eq!(f["code"], "NoSuchKey");
        assert_eq!(f["status"], 404);
        assert_eq!(f["requestId"], "RID");
        assert_eq!(f["hostId"], "h");
        assert_eq!(f["ecCode"], "0026-00000001");
        assert_eq!(f["message"], "gone");
    }

    #[test]
    fn network_and_timeout_carry_ali_oss_statuses() {
        let f = error_fields(&Error::new(ErrorKind::Network, "refused"));
        assert_eq!(
            (f["name"].as_str(), f["status"].as_i64()),
            (Some("RequestError"), Some(-1))
        );
        let f = error_fields(&Error::new(ErrorKind::Timeout, "slow"));
        assert_eq!(
            (f["name"].as_str(), f["status"].as_i64()),
            (Some("ResponseTimeoutError"), Some(-2))
        );
    }

    #[test]
    fn reason_starts_with_the_marker() {
        let e = to_napi(Error::invalid_argument("bad"));
        assert!(e.reason.starts_with(MARKER));
    }
}
