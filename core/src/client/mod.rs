//! The async OSS client.
//!
//! One [`Client`] (cheap to clone, `Send + Sync`) holds the configuration, a pooled HTTP/1.1
//! connection set (reqwest + rustls) and the clock offset learnt from the server. Every
//! call goes through [`Client::send`]: sign, send with timeouts, turn error statuses into
//! [`crate::Error`] with the parsed [`crate::ServiceError`], verify CRC-64, retry what can
//! be retried (`retry.rs`).
//!
//! Operations live in submodules by family: `bucket`, `object`, `multipart`, `list`,
//! `presign`. Transfers (`upload_file`, `download_file`) are in [`crate::transfer`].

pub mod blocking;
mod body;
mod bucket;
mod list;
mod multipart;
mod object;
mod presign;
pub(crate) mod progress;

pub use body::Body;
pub use list::{ListObjectsV2Stream, PageStream};
pub use multipart::MAX_PART_NUMBER;
pub use object::ObjectStream;
pub(crate) use object::{body_buffer, temp_path_for};

use std::future::Future;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::Method;

use self::body::Tap;
use self::progress::ProgressTracker;
use crate::config::ClientConfig;
use crate::error::{Error, ErrorKind, Result, ServiceError};
use crate::model::{Progress, ResponseMeta};
use crate::retry::{classify, Retryable};
use crate::signing::{self, SignableRequest, SignatureVersion};

/// V1 sub-resources this client uses that are not in the signer's default set.
const EXTRA_SUB_RESOURCES: &[&str] = &["encryption"];

/// The async OSS client. Clone it freely: clones share connections and settings.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: ClientConfig,
    http: reqwest::Client,
    /// Server time minus local time, in milliseconds, learnt from `RequestTimeTooSkewed`.
    clock_offset_ms: AtomicI64,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .finish()
    }
}

/// One request as the operations describe it.
pub(crate) struct Request {
    pub method: Method,
    pub bucket: Option<String>,
    pub key: Option<String>,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    pub progress: Option<Arc<ProgressTracker>>,
    /// Check the uploaded body's CRC-64 against the response's `x-oss-hash-crc64ecma`:
    /// `Some(crc of what precedes the body in the object)` (0 for Put/UploadPart, the
    /// previous object CRC for an append); `None` = no check.
    pub verify_upload_crc: Option<u64>,
}

impl Request {
    pub(crate) fn new(method: Method, bucket: Option<&str>, key: Option<&str>) -> Request {
        Request {
            method,
            bucket: bucket.map(str::to_string),
            key: key.map(str::to_string),
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::empty(),
            progress: None,
            verify_upload_crc: None,
        }
    }

    pub(crate) fn query(mut self, name: &str, value: impl Into<String>) -> Request {
        self.query.push((name.to_string(), value.into()));
        self
    }

    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Request {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub(crate) fn headers(mut self, headers: Vec<(String, String)>) -> Request {
        self.headers.extend(headers);
        self
    }

    pub(crate) fn body(mut self, body: Body) -> Request {
        self.body = body;
        self
    }

    pub(crate) fn xml_body(self, xml: String) -> Request {
        let md5 = content_md5(xml.as_bytes());
        self.header("content-type", "application/xml")
            .header("content-md5", md5)
            .body(Body::from_bytes(xml))
    }

    pub(crate) fn progress(mut self, progress: Option<&Progress>, total: u64) -> Request {
        self.progress = progress.map(|p| Arc::new(ProgressTracker::new(p.clone(), total)));
        self
    }
}

/// Base64 MD5, as `Content-MD5` wants it.
pub(crate) fn content_md5(data: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(crate::md5::Md5::digest(data))
}

/// A successful response whose body has not been read yet.
pub(crate) struct Response {
    pub meta: ResponseMeta,
    pub http: reqwest::Response,
}

impl Client {
    /// Builds a client. Needs no runtime; calls need a tokio runtime (or use
    /// [`blocking::Client`]).
    pub fn new(config: ClientConfig) -> Result<Client> {
        let mut builder = reqwest::Client::builder();
        if let Some(proxy) = &config.proxy {
            let proxy = reqwest::Proxy::all(proxy).map_err(|e| {
                Error::invalid_argument(format!("invalid proxy URL {proxy:?}")).with_source(e)
            })?;
            builder = builder.proxy(proxy);
        } else {
            builder = builder.no_proxy();
        }
        let http = builder
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            .pool_idle_timeout(Duration::from_secs(50))
            .user_agent(config.user_agent.clone())
            .http1_only()
            .tcp_nodelay(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                Error::new(ErrorKind::InvalidArgument, "cannot build the HTTP client")
                    .with_source(e)
            })?;
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                http,
                clock_offset_ms: AtomicI64::new(0),
            }),
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// Server time minus local time as learnt from `RequestTimeTooSkewed` answers.
    pub fn clock_offset(&self) -> Duration {
        Duration::from_millis(
            self.inner
                .clock_offset_ms
                .load(Ordering::Relaxed)
                .unsigned_abs(),
        )
    }

    /// Signed clock offset in milliseconds (server - local).
    pub fn clock_offset_millis(&self) -> i64 {
        self.inner.clock_offset_ms.load(Ordering::Relaxed)
    }

    /// Sets the clock offset (server - local, milliseconds) used for signing, like GoV2's
    /// `ClockOffset`. The client also corrects it itself on `RequestTimeTooSkewed`.
    pub fn set_clock_offset_millis(&self, offset_ms: i64) {
        self.inner
            .clock_offset_ms
            .store(offset_ms, Ordering::Relaxed);
    }

    pub(crate) fn now(&self) -> SystemTime {
        let offset = self.inner.clock_offset_ms.load(Ordering::Relaxed);
        let now = SystemTime::now();
        if offset >= 0 {
            now + Duration::from_millis(offset as u64)
        } else {
            now - Duration::from_millis(offset.unsigned_abs())
        }
    }

    pub(crate) async fn sign(&self, req: &mut SignableRequest) -> Result<()> {
        let creds = self.inner.config.credentials.credentials().await?;
        let now = self.now();
        match self.inner.config.signature_version {
            SignatureVersion::V1 => {
                let extras: Vec<String> = req
                    .query
                    .iter()
                    .filter(|(n, _)| EXTRA_SUB_RESOURCES.contains(&n.as_str()))
                    .map(|(n, _)| n.clone())
                    .collect();
                signing::v1::sign_header(req, &creds, now, &extras);
            }
            SignatureVersion::V4 => {
                signing::v4::sign_header(req, &creds, &self.inner.config.region, "oss", now, &[]);
            }
        }
        Ok(())
    }

    /// Sends once: sign, send, map an error status to a service error.
    async fn send_once(&self, req: &Request, tap: &Tap) -> Result<Response> {
        let mut signable = SignableRequest {
            method: req.method.as_str().to_string(),
            bucket: req.bucket.clone(),
            key: req.key.clone(),
            query: req.query.clone(),
            headers: req.headers.clone(),
        };
        if let Some(len) = req.body.len() {
            if !(len == 0 && matches!(req.method, Method::GET | Method::HEAD | Method::DELETE)) {
                signable.set_header("content-length", len.to_string());
            }
        }
        self.sign(&mut signable).await?;
        let endpoint = &self.inner.config.endpoint;
        let url = endpoint.url(req.bucket.as_deref(), req.key.as_deref(), &req.query);
        let mut builder = self.inner.http.request(req.method.clone(), &url);
        for (name, value) in &signable.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let body = req.body.for_attempt(tap).await?;
        builder = builder.body(body);
        let http = builder
            .send()
            .await
            .map_err(|e| transport_error(e, &req.method, &url))?;
        let status = http.status().as_u16();
        let headers: Vec<(String, String)> = http
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        if status >= 300 {
            let body = if req.method == Method::HEAD {
                Bytes::new()
            } else {
                http.bytes().await.unwrap_or_default()
            };
            return Err(Error::service(ServiceError::from_response(
                status, &headers, &body,
            )));
        }
        let mut meta = ResponseMeta::from_headers(status, headers);
        meta.request_url = url.split('?').next().unwrap_or(&url).to_string();
        Ok(Response { meta, http })
    }

    /// Sends with retries; `read` consumes the response (its failures are retried too,
    /// e.g. a connection reset mid-body). The whole attempt runs under the request timeout.
    pub(crate) async fn send<T, F, Fut>(&self, req: &Request, read: F) -> Result<T>
    where
        F: Fn(Response) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let retry = &self.inner.config.retry;
        let timeout = self.inner.config.request_timeout;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let tap = Tap::new(req.progress.clone());
            let outcome = tokio::time::timeout(timeout, async {
                let resp = self.send_once(req, &tap).await?;
                if let (Some(base), Some(server), true) = (
                    req.verify_upload_crc,
                    resp.meta.crc64,
                    self.inner.config.crc_check,
                ) {
                    let (body_crc, len) = tap.observed();
                    let client = crate::crc64::combine(base, body_crc, len);
                    check_crc(
                        client,
                        server,
                        &format!("upload of {len} bytes"),
                        &resp.meta.request_id,
                    )?;
                }
                read(resp).await
            })
            .await
            .unwrap_or_else(|_| {
                Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "{} {} did not finish within the request timeout of {:?}",
                        req.method,
                        describe(&req),
                        timeout
                    ),
                ))
            });
            let err = match outcome {
                Ok(value) => {
                    if let Some(p) = &req.progress {
                        p.finish();
                    }
                    return Ok(value);
                }
                Err(err) => err,
            };
            let class = classify(&err);
            if class == Retryable::No {
                return Err(err);
            }
            if !req.body.is_replayable() {
                return Err(not_replayable(err));
            }
            if attempt >= retry.max_attempts {
                return Err(err);
            }
            if class == Retryable::ClockSkew {
                self.correct_clock(&err);
            }
            tokio::time::sleep(retry.backoff(attempt)).await;
        }
    }

    /// Sends and reads the whole (small) response body.
    pub(crate) async fn send_collect(&self, req: Request) -> Result<(ResponseMeta, Bytes)> {
        self.send_collect_ref(&req).await
    }

    /// [`Client::send_collect`] keeping the request, e.g. to inspect its body afterwards.
    pub(crate) async fn send_collect_ref(&self, req: &Request) -> Result<(ResponseMeta, Bytes)> {
        self.send(req, |resp| async move {
            let body = resp
                .http
                .bytes()
                .await
                .map_err(|e| body_error(e, "reading the response body"))?;
            Ok((resp.meta, body))
        })
        .await
    }

    /// Learns server time from a `RequestTimeTooSkewed` error (its `ServerTime` element, or
    /// the `Date` header) and stores the offset used for the next signatures.
    fn correct_clock(&self, err: &Error) {
        let Some(s) = err.service_error() else { return };
        let server_time = s
            .details
            .get("ServerTime")
            .and_then(|t| signing::parse_rfc3339(t).ok())
            .or_else(|| {
                s.headers
                    .iter()
                    .find(|(n, _)| n == "date")
                    .and_then(|(_, v)| httpdate::parse_http_date(v).ok())
            });
        if let Some(server) = server_time {
            let local = SystemTime::now();
            let offset_ms = match server.duration_since(local) {
                Ok(ahead) => ahead.as_millis() as i64,
                Err(behind) => -(behind.duration().as_millis() as i64),
            };
            self.inner
                .clock_offset_ms
                .store(offset_ms, Ordering::Relaxed);
        }
    }
}

fn describe(req: &Request) -> String {
    match (&req.bucket, &req.key) {
        (Some(b), Some(k)) => format!("oss://{b}/{k}"),
        (Some(b), None) => format!("oss://{b}"),
        _ => "/".to_string(),
    }
}

/// Compares a client-side CRC-64 with OSS's.
pub(crate) fn check_crc(client: u64, server: u64, what: &str, request_id: &str) -> Result<()> {
    if client == server {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::CrcMismatch,
            format!("CRC-64 mismatch on {what}: client computed {client}, OSS reported {server} (RequestId: {request_id})"),
        ))
    }
}

fn not_replayable(err: Error) -> Error {
    let kind = err.kind();
    if kind == ErrorKind::Service {
        return err;
    }
    let message = format!(
        "{} (not retried: the request body is a one-shot stream that cannot be sent again; use bytes or a file to get retries)",
        err.message()
    );
    Error::new(kind, message).with_source(err)
}

pub(crate) fn transport_error(e: reqwest::Error, method: &Method, url: &str) -> Error {
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Network
    };
    let what = if e.is_connect() {
        "could not connect for"
    } else {
        "failed to send"
    };
    let url = url.split('?').next().unwrap_or(url);
    Error::new(kind, format!("{what} {method} {url}")).with_source(e)
}

pub(crate) fn body_error(e: reqwest::Error, what: &str) -> Error {
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Network
    };
    Error::new(kind, format!("connection failed while {what}")).with_source(e)
}
