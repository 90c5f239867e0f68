//! Test harness: starts the real server binary on 127.0.0.1:0 and signs requests with
//! `ossbridge_core::signing` (V1 or V4), sending them with reqwest.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime};

use ossbridge_core::credentials::Credentials;
use ossbridge_core::signing::{encode_query, uri_encode, v1, v4, SignableRequest};

pub const AK: &str = "LTAI5tTESTADMIN";
pub const SK: &str = "admin-secret-0123456789";

pub struct Server {
    child: Option<Child>,
    pub endpoint: String,
    pub data_dir: PathBuf,
}

impl Server {
    /// Starts the server on `data_dir` with extra arguments (default: the single admin user).
    pub fn start(data_dir: &Path, extra: &[&str]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ossbridge-server"));
        cmd.arg("--addr")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(data_dir);
        if !extra.contains(&"--config") {
            cmd.args(["--access-key-id", AK, "--access-key-secret", SK]);
        }
        cmd.args(extra)
            .env_remove("OSS_ACCESS_KEY_ID")
            .env_remove("OSS_ACCESS_KEY_SECRET");
        cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
        let mut child = cmd.spawn().expect("spawn server");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read first line");
        let endpoint = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        Server {
            child: Some(child),
            endpoint,
            data_dir: data_dir.to_path_buf(),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    /// SIGKILL, no chance to clean up.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM and wait for a graceful exit; returns the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let mut c = self.child.take().expect("running");
        unsafe_kill(c.id(), "TERM");
        c.wait().unwrap()
    }

    pub fn client(&self, version: Version) -> Client {
        Client::new(&self.endpoint, Credentials::new(AK, SK), version)
    }
}

fn unsafe_kill(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status();
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Version {
    V1,
    V4,
    Anonymous,
}

pub struct Client {
    pub http: reqwest::Client,
    pub endpoint: String,
    pub creds: Credentials,
    pub version: Version,
    /// Shifts the signing clock (for skew tests).
    pub clock_offset_secs: i64,
}

pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: bytes::Bytes,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }

    /// The text of the first `<name>` element of the body.
    pub fn xml(&self, name: &str) -> Option<String> {
        let text = self.text();
        let open = format!("<{name}>");
        let start = text.find(&open)? + open.len();
        let end = text[start..].find(&format!("</{name}>"))? + start;
        Some(text[start..end].to_string())
    }

    pub fn code(&self) -> String {
        self.xml("Code").unwrap_or_default()
    }

    #[track_caller]
    pub fn expect(&self, status: u16) -> &Resp {
        assert_eq!(
            self.status,
            status,
            "unexpected status; body: {}",
            self.text()
        );
        self
    }

    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) -> &Resp {
        assert_eq!(
            (self.status, self.code().as_str()),
            (status, code),
            "body: {}",
            self.text()
        );
        self
    }
}

pub struct Req<'a> {
    pub method: &'a str,
    pub bucket: Option<&'a str>,
    pub key: Option<&'a str>,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
}

impl<'a> Req<'a> {
    pub fn new(method: &'a str, bucket: Option<&'a str>, key: Option<&'a str>) -> Req<'a> {
        Req {
            method,
            bucket,
            key,
            query: Vec::new(),
            headers: Vec::new(),
        }
    }

    pub fn q(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    pub fn h(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

impl Client {
    pub fn new(endpoint: &str, creds: Credentials, version: Version) -> Client {
        Client {
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
            endpoint: endpoint.to_string(),
            creds,
            version,
            clock_offset_secs: 0,
        }
    }

    pub fn with(&self, creds: Credentials, version: Version) -> Client {
        Client::new(&self.endpoint, creds, version)
    }

    fn now(&self) -> SystemTime {
        let now = SystemTime::now();
        if self.clock_offset_secs >= 0 {
            now + Duration::from_secs(self.clock_offset_secs as u64)
        } else {
            now - Duration::from_secs((-self.clock_offset_secs) as u64)
        }
    }

    fn path(bucket: Option<&str>, key: Option<&str>) -> String {
        match (bucket, key) {
            (None, _) => "/".to_string(),
            (Some(b), None) => format!("/{b}/"),
            (Some(b), Some(k)) => format!("/{b}/{}", uri_encode(k, true)),
        }
    }

    fn signable(req: &Req) -> SignableRequest {
        SignableRequest {
            method: req.method.to_string(),
            bucket: req.bucket.map(str::to_string),
            key: req.key.map(str::to_string),
            query: req.query.clone(),
            headers: req.headers.clone(),
        }
    }

    /// Sends a signed request (header form).
    pub async fn send(&self, req: Req<'_>, body: impl Into<reqwest::Body>) -> Resp {
        let mut s = Self::signable(&req);
        let extra = vec!["encryption".to_string()];
        match self.version {
            Version::V1 => {
                v1::sign_header(&mut s, &self.creds, self.now(), &extra);
            }
            Version::V4 => {
                v4::sign_header(&mut s, &self.creds, "cn-hangzhou", "oss", self.now(), &[]);
            }
            Version::Anonymous => {}
        }
        let mut url = format!("{}{}", self.endpoint, Self::path(req.bucket, req.key));
        let q = encode_query(&s.query);
        if !q.is_empty() {
            url.push('?');
            url.push_str(&q);
        }
        let method = reqwest::Method::from_bytes(req.method.as_bytes()).unwrap();
        let mut rb = self.http.request(method, url);
        for (n, v) in &s.headers {
            rb = rb.header(n.as_str(), v.as_str());
        }
        let resp = rb.body(body).send().await.expect("send");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.unwrap_or_default();
        Resp {
            status,
            headers,
            body,
        }
    }

    /// A presigned URL (V1 or V4) for `req`, valid `expires` seconds from now (may be negative for V1).
    pub fn presign(&self, req: Req<'_>, expires: i64) -> String {
        let mut s = Self::signable(&req);
        match self.version {
            Version::V1 => {
                let unix =
                    ossbridge_core::signing::unix_seconds(SystemTime::now()) as i64 + expires;
                v1::presign(&mut s, &self.creds, unix as u64, &[]);
            }
            Version::V4 => {
                v4::presign(
                    &mut s,
                    &self.creds,
                    "cn-hangzhou",
                    "oss",
                    self.now(),
                    expires as u64,
                    &[],
                )
                .unwrap();
            }
            Version::Anonymous => {}
        }
        format!(
            "{}{}?{}",
            self.endpoint,
            Self::path(req.bucket, req.key),
            encode_query(&s.query)
        )
    }

    pub async fn get_url(&self, url: &str) -> Resp {
        let resp = self.http.get(url).send().await.expect("send");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.unwrap_or_default();
        Resp {
            status,
            headers,
            body,
        }
    }

    // Conveniences.

    pub async fn create_bucket(&self, bucket: &str) {
        self.send(Req::new("PUT", Some(bucket), None), Vec::new())
            .await
            .expect(200);
    }

    pub async fn put(
        &self,
        bucket: &str,
        key: &str,
        data: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut r = Req::new("PUT", Some(bucket), Some(key));
        for (n, v) in headers {
            r = r.h(n, v);
        }
        self.send(r, data).await
    }

    pub async fn get(&self, bucket: &str, key: &str, headers: &[(&str, &str)]) -> Resp {
        let mut r = Req::new("GET", Some(bucket), Some(key));
        for (n, v) in headers {
            r = r.h(n, v);
        }
        self.send(r, Vec::new()).await
    }
}

/// Deterministic pseudo-random bytes.
pub fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407)
        | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

pub fn crc(data: &[u8]) -> String {
    ossbridge_core::crc64::checksum(data).to_string()
}

impl Client {
    /// Like `send`, but reports transport errors instead of panicking.
    pub async fn try_send(
        &self,
        req: Req<'_>,
        body: reqwest::Body,
    ) -> Result<Resp, reqwest::Error> {
        let mut s = Self::signable(&req);
        v4::sign_header(&mut s, &self.creds, "cn-hangzhou", "oss", self.now(), &[]);
        let url = format!("{}{}", self.endpoint, Self::path(req.bucket, req.key));
        let method = reqwest::Method::from_bytes(req.method.as_bytes()).unwrap();
        let mut rb = self.http.request(method, url);
        for (n, v) in &s.headers {
            rb = rb.header(n.as_str(), v.as_str());
        }
        let resp = rb.body(body).send().await?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.bytes().await?;
        Ok(Resp {
            status,
            headers,
            body,
        })
    }
}

impl Server {
    /// Waits for the process to exit on its own.
    pub fn wait(&mut self) -> std::process::ExitStatus {
        self.child.take().expect("running").wait().unwrap()
    }
}
