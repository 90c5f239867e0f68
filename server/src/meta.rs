//! Metadata in SQLite (WAL): buckets, objects, multipart uploads, parts and KMS keys.
//!
//! Each object row holds a JSON record listing the chunk files that make up its data;
//! replacing an object is one transaction, so a reader sees the old or the new version.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::error::{OssError, OssResult};

/// One stored data file (whole PutObject body, one part or one append).
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Chunk {
    /// Generated id; the file name under `objects/`. Never derived from the key.
    pub id: String,
    /// Plaintext length.
    pub len: u64,
    /// CRC-64 of the plaintext.
    pub crc64: u64,
}

/// How an object's (or upload's) data is encrypted at rest.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct SseRecord {
    /// `AES256`, `SM4` or `KMS`, as reported in `x-oss-server-side-encryption`.
    pub algorithm: String,
    /// `SM4` when KMS wraps an SM4 data key.
    pub data_encryption: Option<String>,
    /// The CMK id (KMS only).
    pub key_id: Option<String>,
    /// `AES256-GCM` or `SM4-GCM`.
    pub cipher: String,
    /// The data key wrapped by the master key or the CMK (base64).
    pub wrapped_key: String,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct ObjectRecord {
    pub size: u64,
    pub etag: String,
    pub crc64: u64,
    pub last_modified: i64,
    pub content_type: String,
    /// Stored response headers: Cache-Control, Content-Disposition, Content-Encoding,
    /// Content-Language, Expires and `x-oss-meta-*` (names lower-cased).
    pub headers: Vec<(String, String)>,
    /// `Normal`, `Multipart` or `Appendable`.
    pub object_type: String,
    pub acl: Option<String>,
    pub storage_class: String,
    pub sse: Option<SseRecord>,
    pub chunks: Vec<Chunk>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct BucketSse {
    pub algorithm: String,
    pub key_id: Option<String>,
    pub data_encryption: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct BucketRecord {
    pub name: String,
    pub created: i64,
    pub acl: String,
    pub storage_class: String,
    pub owner: String,
    pub sse: Option<BucketSse>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct UploadRecord {
    pub upload_id: String,
    pub bucket: String,
    pub key: String,
    pub initiated: i64,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub acl: Option<String>,
    pub storage_class: String,
    pub sse: Option<SseRecord>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct PartRecord {
    pub number: u32,
    pub chunk: Chunk,
    /// Upper-case hex MD5 of the part (the ETag without quotes).
    pub md5_hex: String,
    pub last_modified: i64,
}

#[derive(Clone, Debug)]
pub struct CmkRecord {
    pub id: String,
    pub alias: Option<String>,
    pub wrapped: Vec<u8>,
}

pub struct Db {
    conn: Mutex<Connection>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS buckets (name TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects (bucket TEXT NOT NULL, key TEXT NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (bucket, key));
CREATE TABLE IF NOT EXISTS uploads (upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL,
    record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS uploads_by_key ON uploads (bucket, key, upload_id);
CREATE TABLE IF NOT EXISTS parts (upload_id TEXT NOT NULL, number INTEGER NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (upload_id, number));
CREATE TABLE IF NOT EXISTS cmks (id TEXT PRIMARY KEY, alias TEXT UNIQUE, wrapped BLOB NOT NULL, created INTEGER NOT NULL);
";

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("records serialize")
}

fn from_json<T: for<'de> Deserialize<'de>>(text: &str) -> OssResult<T> {
    serde_json::from_str(text)
        .map_err(|e| OssError::internal(format!("corrupt metadata record: {e}")))
}

impl Db {
    pub fn open(path: &Path) -> Result<Db, String> {
        let conn =
            Connection::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|e| e.to_string())?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(|e| format!("cannot enable WAL: {e}"))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(format!("SQLite refused WAL mode (got {mode})"));
        }
        // FULL: a commit is on disk before the response acknowledges it.
        conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
            .map_err(|e| e.to_string())?;
        conn.execute_batch(SCHEMA)
            .map_err(|e| format!("cannot create schema: {e}"))?;
        Ok(Db {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    // ---- buckets ----

    pub fn bucket(&self, name: &str) -> OssResult<Option<BucketRecord>> {
        let text: Option<String> = self
            .conn()
            .query_row("SELECT record FROM buckets WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()?;
        text.map(|t| from_json(&t)).transpose()
    }

    /// Inserts a new bucket; false if it already exists.
    pub fn create_bucket(&self, record: &BucketRecord) -> OssResult<bool> {
        let n = self.conn().execute(
            "INSERT OR IGNORE INTO buckets (name, record) VALUES (?1, ?2)",
            params![record.name, to_json(record)],
        )?;
        Ok(n == 1)
    }

    pub fn update_bucket(&self, record: &BucketRecord) -> OssResult<()> {
        self.conn().execute(
            "UPDATE buckets SET record = ?2 WHERE name = ?1",
            params![record.name, to_json(record)],
        )?;
        Ok(())
    }

    pub fn list_buckets(&self) -> OssResult<Vec<BucketRecord>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT record FROM buckets ORDER BY name")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(from_json(&row?)?);
        }
        Ok(out)
    }

    /// Deletes an empty bucket. Err(BucketNotEmpty) if objects or uploads remain.
    pub fn delete_bucket(&self, name: &str) -> OssResult<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let objects: i64 = tx.query_row(
            "SELECT COUNT(*) FROM objects WHERE bucket = ?1",
            [name],
            |r| r.get(0),
        )?;
        let uploads: i64 = tx.query_row(
            "SELECT COUNT(*) FROM uploads WHERE bucket = ?1",
            [name],
            |r| r.get(0),
        )?;
        if objects > 0 || uploads > 0 {
            return Err(OssError::new(
                409,
                "BucketNotEmpty",
                "The bucket you tried to delete is not empty.",
            )
            .ec("0015-00000301")
            .detail("BucketName", name));
        }
        tx.execute("DELETE FROM buckets WHERE name = ?1", [name])?;
        tx.commit()?;
        Ok(())
    }

    // ---- objects ----

    pub fn object(&self, bucket: &str, key: &str) -> OssResult<Option<ObjectRecord>> {
        let text: Option<String> = self
            .conn()
            .query_row(
                "SELECT record FROM objects WHERE bucket = ?1 AND key = ?2",
                [bucket, key],
                |r| r.get(0),
            )
            .optional()?;
        text.map(|t| from_json(&t)).transpose()
    }

    /// Stores `record` as the object's current version in one transaction and returns
    /// the previous version (whose chunk files the caller deletes afterwards).
    /// `expect_previous` guards read-modify-write (append): the stored chunk list must still
    /// equal it, else the caller lost a race.
    pub fn put_object(
        &self,
        bucket: &str,
        key: &str,
        record: &ObjectRecord,
    ) -> OssResult<Option<ObjectRecord>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let exists: Option<String> = tx
            .query_row(
                "SELECT record FROM buckets WHERE name = ?1",
                [bucket],
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_none() {
            return Err(OssError::no_such_bucket(bucket));
        }
        let old: Option<String> = tx
            .query_row(
                "SELECT record FROM objects WHERE bucket = ?1 AND key = ?2",
                [bucket, key],
                |r| r.get(0),
            )
            .optional()?;
        tx.execute(
            "INSERT OR REPLACE INTO objects (bucket, key, record) VALUES (?1, ?2, ?3)",
            params![bucket, key, to_json(record)],
        )?;
        tx.commit()?;
        old.map(|t| from_json(&t)).transpose()
    }

    pub fn delete_object(&self, bucket: &str, key: &str) -> OssResult<Option<ObjectRecord>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let old: Option<String> = tx
            .query_row(
                "SELECT record FROM objects WHERE bucket = ?1 AND key = ?2",
                [bucket, key],
                |r| r.get(0),
            )
            .optional()?;
        tx.execute(
            "DELETE FROM objects WHERE bucket = ?1 AND key = ?2",
            [bucket, key],
        )?;
        tx.commit()?;
        old.map(|t| from_json(&t)).transpose()
    }

    /// Up to `limit` objects with key > `after` (or >= `prefix`), in key order.
    pub fn list_objects(
        &self,
        bucket: &str,
        after: &str,
        prefix: &str,
        limit: usize,
    ) -> OssResult<Vec<(String, ObjectRecord)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT key, record FROM objects WHERE bucket = ?1 AND key > ?2 AND key >= ?3 ORDER BY key LIMIT ?4",
        )?;
        let rows = stmt.query_map(params![bucket, after, prefix, limit as i64], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (key, text) = row?;
            if !key.starts_with(prefix) {
                break;
            }
            out.push((key, from_json(&text)?));
        }
        Ok(out)
    }

    // ---- multipart ----

    pub fn create_upload(&self, record: &UploadRecord) -> OssResult<()> {
        self.conn().execute(
            "INSERT INTO uploads (upload_id, bucket, key, record) VALUES (?1, ?2, ?3, ?4)",
            params![record.upload_id, record.bucket, record.key, to_json(record)],
        )?;
        Ok(())
    }

    pub fn upload(&self, upload_id: &str) -> OssResult<Option<UploadRecord>> {
        let text: Option<String> = self
            .conn()
            .query_row(
                "SELECT record FROM uploads WHERE upload_id = ?1",
                [upload_id],
                |r| r.get(0),
            )
            .optional()?;
        text.map(|t| from_json(&t)).transpose()
    }

    /// Records a part; returns the part it replaced. Fails if the upload vanished meanwhile.
    pub fn put_part(&self, upload_id: &str, part: &PartRecord) -> OssResult<Option<PartRecord>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let exists: Option<i64> = tx
            .query_row(
                "SELECT 1 FROM uploads WHERE upload_id = ?1",
                [upload_id],
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_none() {
            return Err(OssError::no_such_upload(upload_id));
        }
        let old: Option<String> = tx
            .query_row(
                "SELECT record FROM parts WHERE upload_id = ?1 AND number = ?2",
                params![upload_id, part.number],
                |r| r.get(0),
            )
            .optional()?;
        tx.execute(
            "INSERT OR REPLACE INTO parts (upload_id, number, record) VALUES (?1, ?2, ?3)",
            params![upload_id, part.number, to_json(part)],
        )?;
        tx.commit()?;
        old.map(|t| from_json(&t)).transpose()
    }

    pub fn parts(&self, upload_id: &str) -> OssResult<Vec<PartRecord>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT record FROM parts WHERE upload_id = ?1 ORDER BY number")?;
        let rows = stmt.query_map([upload_id], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(from_json(&row?)?);
        }
        Ok(out)
    }

    /// Removes an upload and its parts; returns the parts (for file deletion).
    pub fn delete_upload(&self, upload_id: &str) -> OssResult<Vec<PartRecord>> {
        let parts = self.parts(upload_id)?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM parts WHERE upload_id = ?1", [upload_id])?;
        tx.execute("DELETE FROM uploads WHERE upload_id = ?1", [upload_id])?;
        tx.commit()?;
        Ok(parts)
    }

    /// Completes an upload in one transaction: the object row appears and the upload
    /// disappears together. Returns the replaced object and every part record.
    pub fn complete_upload(
        &self,
        upload: &UploadRecord,
        record: &ObjectRecord,
    ) -> OssResult<(Option<ObjectRecord>, Vec<PartRecord>)> {
        let parts = self.parts(&upload.upload_id)?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let still: Option<i64> = tx
            .query_row(
                "SELECT 1 FROM uploads WHERE upload_id = ?1",
                [&upload.upload_id],
                |r| r.get(0),
            )
            .optional()?;
        if still.is_none() {
            return Err(OssError::no_such_upload(&upload.upload_id));
        }
        // A part replaced since the caller listed them would leave the object pointing at a
        // deleted file: every chunk must still be a current part.
        let current: Vec<String> = {
            let mut stmt = tx.prepare("SELECT record FROM parts WHERE upload_id = ?1")?;
            let rows = stmt.query_map([&upload.upload_id], |r| r.get::<_, String>(0))?;
            let mut ids = Vec::new();
            for row in rows {
                let part: PartRecord = from_json(&row?)?;
                ids.push(part.chunk.id);
            }
            ids
        };
        if let Some(stale) = record.chunks.iter().find(|c| !current.contains(&c.id)) {
            return Err(OssError::new(409, "ConcurrentUpdate", format!(
                "A part was re-uploaded while the upload was being completed (chunk {}); retry CompleteMultipartUpload.",
                stale.id
            )));
        }
        let old: Option<String> = tx
            .query_row(
                "SELECT record FROM objects WHERE bucket = ?1 AND key = ?2",
                [&upload.bucket, &upload.key],
                |r| r.get(0),
            )
            .optional()?;
        tx.execute(
            "INSERT OR REPLACE INTO objects (bucket, key, record) VALUES (?1, ?2, ?3)",
            params![upload.bucket, upload.key, to_json(record)],
        )?;
        tx.execute(
            "DELETE FROM parts WHERE upload_id = ?1",
            [&upload.upload_id],
        )?;
        tx.execute(
            "DELETE FROM uploads WHERE upload_id = ?1",
            [&upload.upload_id],
        )?;
        tx.commit()?;
        Ok((old.map(|t| from_json(&t)).transpose()?, parts))
    }

    /// Uploads of `bucket` ordered by (key, upload id), after the given markers.
    pub fn list_uploads(
        &self,
        bucket: &str,
        key_marker: &str,
        upload_id_marker: &str,
        prefix: &str,
        limit: usize,
    ) -> OssResult<Vec<UploadRecord>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT record FROM uploads WHERE bucket = ?1 AND (key > ?2 OR (key = ?2 AND upload_id > ?3)) AND key >= ?4
             ORDER BY key, upload_id LIMIT ?5",
        )?;
        let rows = stmt.query_map(
            params![bucket, key_marker, upload_id_marker, prefix, limit as i64],
            |r| r.get::<_, String>(0),
        )?;
        let mut out = Vec::new();
        for row in rows {
            let rec: UploadRecord = from_json(&row?)?;
            if !rec.key.starts_with(prefix) {
                break;
            }
            out.push(rec);
        }
        Ok(out)
    }

    /// Every chunk id referenced by an object or a part (for garbage collection).
    pub fn referenced_chunks(&self) -> OssResult<std::collections::HashSet<String>> {
        let conn = self.conn();
        let mut ids = std::collections::HashSet::new();
        let mut stmt = conn.prepare("SELECT record FROM objects")?;
        for row in stmt.query_map([], |r| r.get::<_, String>(0))? {
            let rec: ObjectRecord = from_json(&row?)?;
            ids.extend(rec.chunks.into_iter().map(|c| c.id));
        }
        let mut stmt = conn.prepare("SELECT record FROM parts")?;
        for row in stmt.query_map([], |r| r.get::<_, String>(0))? {
            let rec: PartRecord = from_json(&row?)?;
            ids.insert(rec.chunk.id);
        }
        Ok(ids)
    }

    // ---- KMS ----

    pub fn insert_cmk(&self, record: &CmkRecord, created: i64) -> OssResult<bool> {
        let n = self.conn().execute(
            "INSERT OR IGNORE INTO cmks (id, alias, wrapped, created) VALUES (?1, ?2, ?3, ?4)",
            params![record.id, record.alias, record.wrapped, created],
        )?;
        Ok(n == 1)
    }

    /// Looks a CMK up by id or alias.
    pub fn cmk(&self, id_or_alias: &str) -> OssResult<Option<CmkRecord>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, alias, wrapped FROM cmks WHERE id = ?1 OR alias = ?1",
                [id_or_alias],
                |r| {
                    Ok(CmkRecord {
                        id: r.get(0)?,
                        alias: r.get(1)?,
                        wrapped: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }
}
