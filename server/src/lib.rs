//! ossbridge-server: a local OSS-compatible server with real server-side encryption at
//! rest, a local KMS, V1/V4 signature checks and per-user permissions.
//!
//! Layout of a data dir: `meta.db` (SQLite, WAL) holds buckets, object records, uploads and
//! KMS keys; `objects/<xx>/<id>` hold object data under generated ids (sealed segments for
//! SSE objects); `tmp/` holds uploads in flight; `master.key` the master key (0600).

pub mod auth;
pub mod config;
pub mod crypto;
pub mod cse;
pub mod error;
pub mod kms;
pub mod kms_api;
pub mod meta;
pub mod ops;
pub mod request;
pub mod response;
pub mod serve;
pub mod sse;
pub mod storage;
pub mod xml;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use http::{HeaderMap, Request, Response};

use crate::auth::Principal;
use crate::config::Config;
use crate::error::{OssError, OssResult};
use crate::kms::Kms;
use crate::meta::{BucketRecord, Db};
use crate::request::{Op, Target};
use crate::storage::DataStore;

/// Everything a request handler needs.
pub struct AppState {
    pub config: Config,
    pub db: Arc<Db>,
    pub kms: Kms,
    pub store: DataStore,
    /// Test hook (env `OSSBRIDGE_SERVER_DEBUG_CORRUPT_SUFFIX`): GETs of keys ending with
    /// this suffix get their first body byte flipped, to exercise client CRC checks.
    pub corrupt_suffix: Option<String>,
    /// Serialises appends so the position check and the commit cannot interleave.
    pub append_lock: tokio::sync::Mutex<()>,
}

impl AppState {
    /// Opens (or initialises) a data dir.
    pub fn open(
        data_dir: &Path,
        master_key_file: Option<&Path>,
        config: Config,
    ) -> Result<AppState, String> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| format!("cannot create data dir {}: {e}", data_dir.display()))?;
        let master = kms::load_or_create_master_key(data_dir, master_key_file)?;
        let db = Arc::new(Db::open(&data_dir.join("meta.db"))?);
        let store = DataStore::open(data_dir)
            .map_err(|e| format!("cannot open data dir {}: {e}", data_dir.display()))?;
        let referenced = db.referenced_chunks().map_err(|e| e.message)?;
        store
            .collect_garbage(&referenced)
            .map_err(|e| format!("garbage collection failed: {e}"))?;
        Ok(AppState {
            config,
            kms: Kms::new(db.clone(), master),
            db,
            store,
            corrupt_suffix: std::env::var("OSSBRIDGE_SERVER_DEBUG_CORRUPT_SUFFIX")
                .ok()
                .filter(|s| !s.is_empty()),
            append_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// Opens only the metadata database and master key (for `kms create-key`, which may
    /// run next to a live server: SQLite serialises the writers).
    pub fn open_kms_only(data_dir: &Path, master_key_file: Option<&Path>) -> Result<Kms, String> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| format!("cannot create data dir {}: {e}", data_dir.display()))?;
        let master = kms::load_or_create_master_key(data_dir, master_key_file)?;
        let db = Arc::new(Db::open(&data_dir.join("meta.db"))?);
        Ok(Kms::new(db, master))
    }
}

/// Unix seconds of a `SystemTime`.
pub fn storage_secs(t: std::time::SystemTime) -> i64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// One request, parsed.
pub struct Ctx {
    pub op: Op,
    pub method: String,
    pub target: Target,
    pub headers: HeaderMap,
    pub principal: Principal,
    pub request_id: String,
    pub host: String,
}

impl Ctx {
    pub fn bucket(&self) -> &str {
        self.target.bucket.as_deref().unwrap_or("")
    }

    pub fn key(&self) -> &str {
        self.target.key.as_deref().unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

fn new_request_id() -> String {
    let mut bytes = [0u8; 12];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
    hex::encode_upper(bytes)
}

/// The request entry point: addressing, operation, authentication, authorisation, dispatch.
pub async fn handle(state: Arc<AppState>, req: Request<Body>) -> Response<Body> {
    let request_id = new_request_id();
    let is_head = req.method() == http::Method::HEAD;
    let (parts, body) = req.into_parts();
    if kms_api::is_kms_request(&parts) {
        let mut response = kms_api::handle(&state, parts, body, &request_id).await;
        response::add_common_headers(response.headers_mut(), &request_id);
        return response;
    }
    // A client waiting for `100 Continue` has not sent the body, and a body over the drain
    // cap is not worth reading: answer those errors and close instead of draining.
    let expects_continue = parts
        .headers
        .get(http::header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let too_big_to_drain = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|len| len > MAX_DRAIN);
    let mut body = Some(body);
    let mut response = match dispatch(&state, parts, &mut body, &request_id).await {
        Ok(resp) => resp,
        Err(err) => response::error(&err, &request_id, is_head),
    };
    // A body the handler never read (an early error, or an operation without a body sent
    // chunked): drain it so the client, possibly still sending, gets the response and the
    // connection stays usable. Past the cap, or before a 100-continue, answer and close.
    if let Some(unread) = body.take() {
        if expects_continue || too_big_to_drain || !drain(unread, MAX_DRAIN).await {
            response::set(response.headers_mut(), "connection", "close");
        }
    }
    response::add_common_headers(response.headers_mut(), &request_id);
    response
}

/// How much of an unread request body is discarded to deliver an early error.
const MAX_DRAIN: u64 = 64 * 1024 * 1024;

/// Reads and discards `body`; false if it exceeds `cap` or fails.
async fn drain(body: Body, cap: u64) -> bool {
    use http_body_util::BodyExt;
    let mut body = body;
    let mut seen = 0u64;
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(frame) => {
                if let Some(data) = frame.data_ref() {
                    seen += data.len() as u64;
                    if seen > cap {
                        return false;
                    }
                }
            }
            Err(_) => return false,
        }
    }
    true
}

async fn dispatch(
    state: &Arc<AppState>,
    parts: http::request::Parts,
    body: &mut Option<Body>,
    request_id: &str,
) -> OssResult<Response<Body>> {
    let method = parts.method.as_str().to_string();
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .unwrap_or_default();
    let target = request::target(
        parts.uri.path(),
        parts.uri.query(),
        Some(&host),
        &state.config.domains,
    )?;
    let has_copy_source = parts.headers.contains_key("x-oss-copy-source");
    let op = request::operation(&method, &target, has_copy_source)
        .map_err(|name| OssError::not_implemented(&name))?;
    let header_list: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter_map(|(n, v)| {
            v.to_str()
                .ok()
                .map(|v| (n.as_str().to_string(), v.to_string()))
        })
        .collect();
    let principal = auth::authenticate(&state.config, &method, &target, &header_list)?;
    if let Some(bucket) = &target.bucket {
        if !request::valid_bucket_name(bucket) {
            return Err(request::invalid_bucket_name(bucket));
        }
    }
    if let Some(key) = &target.key {
        request::check_key(key)?;
    }
    let ctx = Ctx {
        op,
        method,
        target,
        headers: parts.headers,
        principal,
        request_id: request_id.to_string(),
        host,
    };
    let bucket = if op == Op::ListBuckets || op == Op::PutBucket {
        None
    } else {
        Some(
            state
                .db
                .bucket(ctx.bucket())?
                .ok_or_else(|| OssError::no_such_bucket(ctx.bucket()))?,
        )
    };
    authorize(state, &ctx, bucket.as_ref())?;
    ops::run(state, &ctx, bucket, body).await
}

/// Access control: configured users by their `allow` list, anonymous callers by ACL.
fn authorize(state: &AppState, ctx: &Ctx, bucket: Option<&BucketRecord>) -> OssResult<()> {
    match &ctx.principal {
        Principal::User(user) => {
            if user.may(ctx.op.action(), ctx.target.bucket.as_deref()) {
                Ok(())
            } else {
                Err(OssError::access_denied(format!(
                    "You are not authorized to do this action ({}). You should be authorized by the server config.",
                    ctx.op.action()
                ))
                .ec("0003-00000301"))
            }
        }
        Principal::Anonymous => {
            let Some(bucket) = bucket else {
                return Err(anonymous_denied());
            };
            let mut acl = bucket.acl.as_str();
            let object_acl;
            if ctx.target.key.is_some() && ctx.op.is_public_read() {
                if let Some(obj) = state.db.object(ctx.bucket(), ctx.key())? {
                    if let Some(a) = obj.acl.filter(|a| a != "default") {
                        object_acl = a;
                        acl = &object_acl;
                    }
                }
            }
            let allowed = match acl {
                "public-read-write" => ctx.op.is_public_read() || ctx.op.is_public_write(),
                "public-read" => ctx.op.is_public_read(),
                _ => false,
            };
            if allowed {
                Ok(())
            } else {
                Err(anonymous_denied())
            }
        }
    }
}

fn anonymous_denied() -> OssError {
    OssError::access_denied("You have no right to access this object because of bucket acl.")
        .ec("0003-00000001")
}

/// Where a data dir lives by default.
pub fn default_data_dir() -> PathBuf {
    PathBuf::from("./ossbridge-data")
}
