//! OSS-shaped error responses: `<Error>` XML body (or `x-oss-err` for HEAD), status and EC.

use std::collections::BTreeMap;

/// An error the server answers with. Rendered by [`crate::response`] into OSS's XML form.
#[derive(Debug, Clone)]
pub struct OssError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub ec: &'static str,
    /// Extra `<Error>` elements (`BucketName`, `StringToSign`, ...).
    pub details: BTreeMap<String, String>,
    /// Extra response headers (e.g. `x-oss-next-append-position`).
    pub headers: Vec<(String, String)>,
}

pub type OssResult<T> = Result<T, OssError>;

impl OssError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> OssError {
        OssError {
            status,
            code,
            message: message.into(),
            ec: "",
            details: BTreeMap::new(),
            headers: Vec::new(),
        }
    }

    pub fn ec(mut self, ec: &'static str) -> OssError {
        self.ec = ec;
        self
    }

    pub fn detail(mut self, name: &str, value: impl Into<String>) -> OssError {
        self.details.insert(name.to_string(), value.into());
        self
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> OssError {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn invalid_argument(message: impl Into<String>) -> OssError {
        OssError::new(400, "InvalidArgument", message)
    }

    pub fn malformed_xml(what: impl Into<String>) -> OssError {
        OssError::new(
            400,
            "MalformedXML",
            format!("The XML you provided was not well-formed or did not validate against our published schema: {}", what.into()),
        )
        .ec("0016-00000801")
    }

    pub fn access_denied(message: impl Into<String>) -> OssError {
        OssError::new(403, "AccessDenied", message).ec("0003-00000001")
    }

    pub fn forbidden_by_kms() -> OssError {
        OssError::new(403, "AccessDenied", "This request is forbidden by kms.")
    }

    pub fn no_such_bucket(bucket: &str) -> OssError {
        OssError::new(404, "NoSuchBucket", "The specified bucket does not exist.")
            .ec("0015-00000101")
            .detail("BucketName", bucket)
    }

    pub fn no_such_key(key: &str) -> OssError {
        OssError::new(404, "NoSuchKey", "The specified key does not exist.")
            .ec("0026-00000001")
            .detail("Key", key)
    }

    pub fn no_such_upload(upload_id: &str) -> OssError {
        OssError::new(
            404,
            "NoSuchUpload",
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
        )
        .ec("0042-00000002")
        .detail("UploadId", upload_id)
    }

    pub fn internal(message: impl std::fmt::Display) -> OssError {
        OssError::new(
            500,
            "InternalError",
            format!("We encountered an internal error: {message}"),
        )
    }

    pub fn not_implemented(operation: &str) -> OssError {
        OssError::new(
            501,
            "NotImplemented",
            format!("The operation {operation} is not implemented by the ossbridge local server."),
        )
        .detail("Operation", operation)
    }

    pub fn invalid_encryption_algorithm(value: &str) -> OssError {
        OssError::new(
            400,
            "InvalidEncryptionAlgorithmError",
            format!("The Encryption request you specified is not valid. Supported value: AES256/KMS/SM4 (got `{value}`)."),
        )
        .ec("0005-00000003")
    }
}

impl From<rusqlite::Error> for OssError {
    fn from(err: rusqlite::Error) -> OssError {
        OssError::internal(format!("metadata database: {err}"))
    }
}

impl From<std::io::Error> for OssError {
    fn from(err: std::io::Error) -> OssError {
        OssError::internal(format!("storage: {err}"))
    }
}
