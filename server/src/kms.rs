//! The local KMS: CMKs live in the metadata database, encrypted under the master key.
//! SSE-OSS data keys are wrapped by the master key directly; SSE-KMS data keys by a CMK.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use base64::Engine;

use crate::crypto::{self, SecretKey};
use crate::error::{OssError, OssResult};
use crate::meta::{CmkRecord, Db};

/// Alias of the default CMK, created on first use (like OSS's `alias/acs/oss`).
pub const DEFAULT_ALIAS: &str = "alias/acs/oss";

/// Name of the generated master key file inside the data dir.
pub const MASTER_KEY_FILE: &str = "master.key";

/// Loads the master key from `explicit` or `<data_dir>/master.key`, generating the latter
/// (mode 0600) on first start. The file holds 64 hex digits (or exactly 32 raw bytes).
pub fn load_or_create_master_key(
    data_dir: &Path,
    explicit: Option<&Path>,
) -> Result<SecretKey, String> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => data_dir.join(MASTER_KEY_FILE),
    };
    match std::fs::read(&path) {
        Ok(bytes) => parse_master_key(&bytes).ok_or_else(|| {
            format!(
                "master key file {} must hold 64 hex digits or 32 raw bytes",
                path.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => {
            let key = SecretKey::random();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut file = options
                .open(&path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
            let text = zeroize::Zeroizing::new(hex::encode(key.bytes()));
            file.write_all(text.as_bytes())
                .and_then(|_| file.sync_all())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok(key)
        }
        Err(e) => Err(format!(
            "cannot read master key file {}: {e}",
            path.display()
        )),
    }
}

fn parse_master_key(bytes: &[u8]) -> Option<SecretKey> {
    let text = std::str::from_utf8(bytes).ok().map(str::trim);
    if let Some(text) = text {
        if text.len() == 64 {
            let decoded = zeroize::Zeroizing::new(hex::decode(text).ok()?);
            return SecretKey::from_slice(&decoded);
        }
    }
    if bytes.len() == 32 {
        return SecretKey::from_slice(bytes);
    }
    None
}

/// A CMK as seen by callers: id plus alias, never the key material.
#[derive(Clone, Debug)]
pub struct CmkInfo {
    pub id: String,
    pub alias: Option<String>,
}

impl CmkInfo {
    /// The names a permission may refer to this key by.
    pub fn names(&self) -> Vec<&str> {
        let mut names = vec![self.id.as_str()];
        if let Some(alias) = &self.alias {
            names.push(alias.as_str());
        }
        names
    }
}

pub struct Kms {
    db: Arc<Db>,
    master: SecretKey,
}

fn cmk_context(id: &str) -> Vec<u8> {
    format!("ossbridge-cmk:{id}").into_bytes()
}

impl Kms {
    pub fn new(db: Arc<Db>, master: SecretKey) -> Kms {
        Kms { db, master }
    }

    /// Creates a CMK and returns its id.
    pub fn create_key(&self, alias: Option<&str>) -> OssResult<String> {
        if let Some(alias) = alias {
            if self.db.cmk(alias)?.is_some() {
                return Err(OssError::invalid_argument(format!(
                    "a CMK with alias `{alias}` already exists"
                )));
            }
        }
        let id = uuid::Uuid::new_v4().to_string();
        let material = SecretKey::random();
        let wrapped = crypto::wrap(&self.master, material.bytes(), &cmk_context(&id));
        let record = CmkRecord {
            id: id.clone(),
            alias: alias.map(str::to_string),
            wrapped,
        };
        if !self.db.insert_cmk(&record, now_secs())? {
            return Err(OssError::invalid_argument(format!(
                "a CMK with alias `{}` already exists",
                alias.unwrap_or("")
            )));
        }
        Ok(id)
    }

    /// Finds a CMK by id or alias.
    pub fn find(&self, id_or_alias: &str) -> OssResult<Option<CmkInfo>> {
        Ok(self.db.cmk(id_or_alias)?.map(|r| CmkInfo {
            id: r.id,
            alias: r.alias,
        }))
    }

    /// The default CMK, created on first use.
    pub fn default_key(&self) -> OssResult<CmkInfo> {
        if let Some(found) = self.find(DEFAULT_ALIAS)? {
            return Ok(found);
        }
        // Two requests may race here; the alias is UNIQUE, so the loser re-reads.
        let _ = self.create_key(Some(DEFAULT_ALIAS));
        self.find(DEFAULT_ALIAS)?
            .ok_or_else(|| OssError::internal("default CMK could not be created"))
    }

    pub(crate) fn cmk_material(&self, id: &str) -> OssResult<SecretKey> {
        let record = self.db.cmk(id)?.ok_or_else(|| unknown_cmk(id))?;
        let plain = crypto::unwrap(&self.master, &record.wrapped, &cmk_context(&record.id))
            .map_err(OssError::internal)?;
        SecretKey::from_slice(&plain)
            .ok_or_else(|| OssError::internal("CMK material has the wrong length"))
    }

    /// A fresh data key, plus its wrapped form (base64) under CMK `cmk_id`.
    pub fn generate_data_key(&self, cmk_id: &str) -> OssResult<(SecretKey, String)> {
        let cmk = self.cmk_material(cmk_id)?;
        let data_key = SecretKey::random();
        let wrapped = crypto::wrap(&cmk, data_key.bytes(), b"ossbridge-data-key:kms");
        Ok((
            data_key,
            base64::engine::general_purpose::STANDARD.encode(wrapped),
        ))
    }

    pub fn decrypt(&self, cmk_id: &str, wrapped_b64: &str) -> OssResult<SecretKey> {
        let cmk = self.cmk_material(cmk_id)?;
        unwrap_b64(&cmk, wrapped_b64, b"ossbridge-data-key:kms")
    }

    /// A fresh SSE-OSS data key wrapped by the master key.
    pub fn generate_master_wrapped(&self) -> (SecretKey, String) {
        let data_key = SecretKey::random();
        let wrapped = crypto::wrap(&self.master, data_key.bytes(), b"ossbridge-data-key:oss");
        (
            data_key,
            base64::engine::general_purpose::STANDARD.encode(wrapped),
        )
    }

    pub fn unwrap_master_wrapped(&self, wrapped_b64: &str) -> OssResult<SecretKey> {
        unwrap_b64(&self.master, wrapped_b64, b"ossbridge-data-key:oss")
    }
}

fn unwrap_b64(key: &SecretKey, wrapped_b64: &str, context: &[u8]) -> OssResult<SecretKey> {
    let wrapped = base64::engine::general_purpose::STANDARD
        .decode(wrapped_b64)
        .map_err(|e| OssError::internal(format!("wrapped data key is not base64: {e}")))?;
    let plain = crypto::unwrap(key, &wrapped, context).map_err(OssError::internal)?;
    SecretKey::from_slice(&plain).ok_or_else(|| OssError::internal("data key has the wrong length"))
}

pub fn unknown_cmk(id: &str) -> OssError {
    OssError::invalid_argument(format!("The specified CMK `{id}` does not exist in the local KMS (create it with `ossbridge kms create-key`)."))
        .ec("0005-00000208")
}

pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
