//! Presigned URLs (V1 or V4, as configured).

use super::bucket::{validate_bucket, validate_key};
use super::Client;
use crate::error::{Error, Result};
use crate::model::{PresignOptions, PresignedUrl};
use crate::signing::{self, SignableRequest, SignatureVersion};

impl Client {
    /// A URL that performs `options.method` on `bucket/key` without credentials until it
    /// expires. Headers in `options.headers` are signed and must be sent with the URL.
    pub async fn presign(
        &self,
        bucket: &str,
        key: &str,
        options: &PresignOptions,
    ) -> Result<PresignedUrl> {
        validate_bucket(bucket)?;
        validate_key(key)?;
        let method = options.method.to_ascii_uppercase();
        if !matches!(method.as_str(), "GET" | "PUT" | "HEAD" | "POST" | "DELETE") {
            return Err(Error::invalid_argument(format!(
                "cannot presign HTTP method {:?}",
                options.method
            )));
        }
        if options.expires.is_zero() {
            return Err(Error::invalid_argument(
                "presign expiry must be greater than zero",
            ));
        }
        let creds = self.inner.config.credentials.credentials().await?;
        let now = self.now();
        let mut req = SignableRequest {
            method: method.clone(),
            bucket: Some(bucket.to_string()),
            key: Some(key.to_string()),
            query: Vec::new(),
            headers: options.headers.clone(),
        };
        let expiration = signing::unix_seconds(now) + options.expires.as_secs();
        match self.inner.config.signature_version {
            SignatureVersion::V1 => {
                signing::v1::presign(&mut req, &creds, expiration, &[]);
            }
            SignatureVersion::V4 => {
                let names: Vec<String> = Vec::new();
                signing::v4::presign(
                    &mut req,
                    &creds,
                    &self.inner.config.region,
                    "oss",
                    now,
                    options.expires.as_secs(),
                    &names,
                )?;
            }
        }
        let url = self
            .inner
            .config
            .endpoint
            .url(Some(bucket), Some(key), &req.query);
        Ok(PresignedUrl {
            url,
            method,
            expiration: expiration as i64,
            signed_headers: req.headers,
        })
    }
}
