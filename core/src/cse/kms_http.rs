//! A [`KmsProvider`] calling a KMS over its RPC OpenAPI (Alibaba Cloud KMS 2016-01-20, or
//! `ossbridge serve`'s local KMS at the server's root URL), signed with the caller's
//! credentials by `signing::rpc`. KMS errors come back as [`ErrorKind::Service`] with KMS's
//! `Code` (`Forbidden.NoPermission`, `Forbidden.KeyNotFound`, ...) and message.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use zeroize::Zeroizing;

use super::kms::KmsProvider;
use super::master_key::BoxFuture;
use crate::credentials::CredentialsProvider;
use crate::error::ServiceError;
use crate::signing::rpc;
use crate::{Error, ErrorKind, Result};

/// KMS over HTTP with the caller's credentials.
pub struct HttpKmsProvider {
    endpoint: String,
    credentials: Arc<dyn CredentialsProvider>,
    http: reqwest::Client,
    encryption_context: Option<String>,
}

impl std::fmt::Debug for HttpKmsProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpKmsProvider")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl HttpKmsProvider {
    /// `endpoint`: the KMS base URL (`http://127.0.0.1:PORT` for `ossbridge serve`,
    /// `https://kms.<region>.aliyuncs.com` for Alibaba Cloud).
    pub fn new(
        endpoint: impl Into<String>,
        credentials: Arc<dyn CredentialsProvider>,
    ) -> Result<HttpKmsProvider> {
        let endpoint = endpoint.into();
        let parsed = reqwest::Url::parse(&endpoint).map_err(|e| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("KMS endpoint `{endpoint}` is not a URL: {e}"),
            )
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("KMS endpoint `{endpoint}` must be http:// or https://"),
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| {
                Error::new(ErrorKind::Network, format!("cannot build HTTP client: {e}"))
            })?;
        Ok(HttpKmsProvider {
            endpoint: endpoint.trim_end_matches('/').to_string() + "/",
            credentials,
            http,
            encryption_context: None,
        })
    }

    /// An `EncryptionContext` sent with every call (it must be the same to decrypt).
    pub fn with_encryption_context(mut self, context: &BTreeMap<String, String>) -> Self {
        self.encryption_context =
            Some(serde_json::to_string(context).expect("string maps serialise"));
        self
    }

    /// Calls `action` with `params` (POST form) and returns the JSON response.
    pub async fn call(&self, action: &str, params: &[(&str, &str)]) -> Result<serde_json::Value> {
        let credentials = self.credentials.credentials().await?;
        let nonce = {
            let mut bytes = [0u8; 16];
            rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
            hex::encode(bytes)
        };
        let timestamp = rpc::timestamp(SystemTime::now());
        let mut form: Vec<(&str, &str)> = vec![
            ("Action", action),
            ("Format", "JSON"),
            ("Version", "2016-01-20"),
            ("AccessKeyId", &credentials.access_key_id),
            ("SignatureMethod", rpc::SIGNATURE_METHOD),
            ("SignatureVersion", rpc::SIGNATURE_VERSION),
            ("SignatureNonce", &nonce),
            ("Timestamp", &timestamp),
        ];
        if let Some(token) = credentials.token() {
            form.push(("SecurityToken", token));
        }
        if let Some(context) = &self.encryption_context {
            form.push(("EncryptionContext", context));
        }
        form.extend_from_slice(params);
        let signature = rpc::sign(
            "POST",
            form.iter().copied(),
            credentials.access_key_secret.expose(),
        );
        form.push(("Signature", &signature));
        let body = Zeroizing::new(
            form.iter()
                .map(|(k, v)| format!("{}={}", rpc::percent_encode(k), rpc::percent_encode(v)))
                .collect::<Vec<_>>()
                .join("&"),
        );
        let response = self
            .http
            .post(&self.endpoint)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.as_bytes().to_vec())
            .send()
            .await
            .map_err(|e| {
                Error::new(
                    ErrorKind::Network,
                    format!("KMS {action} at {}: {e}", self.endpoint),
                )
            })?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(|e| {
            Error::new(
                ErrorKind::Network,
                format!("KMS {action}: reading the response: {e}"),
            )
        })?;
        let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| {
            Error::new(
                ErrorKind::Protocol,
                format!(
                    "KMS {action} answered HTTP {status} with a body that is not JSON: {}",
                    String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
                ),
            )
        })?;
        if !(200..300).contains(&status) || json.get("Code").is_some() {
            let field = |name: &str| {
                json.get(name)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let code = field("Code");
            let message = format!("KMS {action}: {}", field("Message"));
            let mut details = BTreeMap::new();
            details.insert("Code".to_string(), code.clone());
            details.insert("Message".to_string(), message.clone());
            return Err(Error::service(ServiceError {
                status,
                code,
                message,
                request_id: field("RequestId"),
                host_id: field("HostId"),
                ec: String::new(),
                details,
                headers: Vec::new(),
            }));
        }
        Ok(json)
    }
}

fn field(json: &serde_json::Value, action: &str, name: &str) -> Result<String> {
    json.get(name)
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Protocol,
                format!("KMS {action} response has no `{name}`"),
            )
        })
}

impl KmsProvider for HttpKmsProvider {
    fn generate_data_key<'a>(
        &'a self,
        key_id: &'a str,
    ) -> BoxFuture<'a, Result<(Zeroizing<String>, String)>> {
        Box::pin(async move {
            let json = self
                .call(
                    "GenerateDataKey",
                    &[("KeyId", key_id), ("KeySpec", "AES_256")],
                )
                .await?;
            let plaintext = Zeroizing::new(field(&json, "GenerateDataKey", "Plaintext")?);
            Ok((
                plaintext,
                field(&json, "GenerateDataKey", "CiphertextBlob")?,
            ))
        })
    }

    fn encrypt<'a>(
        &'a self,
        key_id: &'a str,
        plaintext_b64: &'a str,
    ) -> BoxFuture<'a, Result<String>> {
        Box::pin(async move {
            let json = self
                .call(
                    "Encrypt",
                    &[("KeyId", key_id), ("Plaintext", plaintext_b64)],
                )
                .await?;
            field(&json, "Encrypt", "CiphertextBlob")
        })
    }

    fn decrypt<'a>(&'a self, ciphertext_blob: &'a str) -> BoxFuture<'a, Result<Zeroizing<String>>> {
        Box::pin(async move {
            let json = self
                .call("Decrypt", &[("CiphertextBlob", ciphertext_blob)])
                .await?;
            Ok(Zeroizing::new(field(&json, "Decrypt", "Plaintext")?))
        })
    }
}
