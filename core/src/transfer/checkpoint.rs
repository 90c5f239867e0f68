//! Checkpoints of resumable transfers: versioned JSON, written atomically (a temporary
//! file, then a rename) so a kill never leaves half a checkpoint. An unreadable, foreign or stale
//! checkpoint is discarded and the transfer starts over; it never makes a transfer fail.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};

/// Bumped when the layout changes; other versions are discarded.
pub const CHECKPOINT_VERSION: u32 = 1;

/// One finished part or range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointPart {
    pub part_number: u32,
    /// ETag OSS returned for an uploaded part (empty for download ranges).
    pub etag: String,
    pub size: u64,
    pub crc64: u64,
}

/// State of a multipart `upload_file`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadCheckpoint {
    pub version: u32,
    pub bucket: String,
    pub key: String,
    /// The source file, its size and modification time (nanoseconds since the epoch):
    /// a changed file invalidates the checkpoint.
    pub file_path: String,
    pub file_size: u64,
    pub file_mtime_ns: u128,
    pub part_size: u64,
    pub upload_id: String,
    /// The SSE algorithm / key id asked for at initiation; a different request restarts.
    pub sse: Option<String>,
    /// Finished parts, any order.
    pub parts: Vec<CheckpointPart>,
}

/// State of a `download_file`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownloadCheckpoint {
    pub version: u32,
    pub bucket: String,
    pub key: String,
    /// The object as HEAD saw it: a changed object invalidates the checkpoint.
    pub object_size: u64,
    pub etag: String,
    pub last_modified: String,
    pub part_size: u64,
    /// The temporary file the ranges are written into.
    pub temp_path: String,
    pub parts: Vec<CheckpointPart>,
}

/// Reads a checkpoint; `None` if absent, unreadable or of another version.
pub(crate) fn load<T: for<'de> Deserialize<'de>>(
    path: &Path,
    version_of: impl Fn(&T) -> u32,
) -> Option<T> {
    let data = std::fs::read(path).ok()?;
    let cp: T = serde_json::from_slice(&data).ok()?;
    (version_of(&cp) == CHECKPOINT_VERSION).then_some(cp)
}

/// Writes a checkpoint atomically.
pub(crate) fn save<T: Serialize>(path: &Path, checkpoint: &T) -> Result<()> {
    let data = serde_json::to_vec_pretty(checkpoint)
        .map_err(|e| Error::new(ErrorKind::Io, "cannot encode the checkpoint").with_source(e))?;
    let tmp = path.with_extension(format!("tmp-{:08x}", rand::random::<u32>()));
    let io_err = |e: std::io::Error| {
        Error::new(
            ErrorKind::Io,
            format!("cannot write checkpoint {}", path.display()),
        )
        .with_source(e)
    };
    std::fs::write(&tmp, data).map_err(io_err)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_err(e)
    })
}

/// Removes a finished transfer's checkpoint, and the temporary files of saves that a kill
/// interrupted before their rename (otherwise they pile up and keep the directory alive).
pub(crate) fn remove(path: &Path) {
    let _ = std::fs::remove_file(path);
    let (Some(dir), Some(stem)) = (path.parent(), path.file_stem()) else {
        return;
    };
    let temp_prefix = format!("{}.tmp-", stem.to_string_lossy());
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(&temp_prefix)
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

pub(crate) fn mtime_ns(meta: &std::fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removing_a_checkpoint_also_removes_interrupted_saves() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("upload-0123.cp");
        save(&path, &vec![1u32, 2]).unwrap();
        // What a kill between write and rename leaves behind, and another transfer's files.
        std::fs::write(dir.path().join("upload-0123.tmp-deadbeef"), b"{").unwrap();
        std::fs::write(dir.path().join("upload-9999.tmp-deadbeef"), b"{").unwrap();
        std::fs::write(dir.path().join("upload-9999.cp"), b"{}").unwrap();
        remove(&path);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["upload-9999.cp", "upload-9999.tmp-deadbeef"]);
    }

    #[test]
    fn corrupt_or_foreign_checkpoints_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cp.json");
        std::fs::write(&p, b"{not json").unwrap();
        assert!(load::<UploadCheckpoint>(&p, |c| c.version).is_none());
        let cp = UploadCheckpoint {
            version: CHECKPOINT_VERSION + 1,
            bucket: "b".into(),
            key: "k".into(),
            file_path: "f".into(),
            file_size: 1,
            file_mtime_ns: 1,
            part_size: 1,
            upload_id: "u".into(),
            sse: None,
            parts: vec![],
        };
        save(&p, &cp).unwrap();
        assert!(load::<UploadCheckpoint>(&p, |c| c.version).is_none());
        let cp = UploadCheckpoint {
            version: CHECKPOINT_VERSION,
            ..cp
        };
        save(&p, &cp).unwrap();
        assert_eq!(load::<UploadCheckpoint>(&p, |c| c.version), Some(cp));
    }
}
