//! Large-object transfers over the async client.
//!
//! * [`Client::upload_file`](crate::client::Client::upload_file): PutObject below a
//!   threshold, otherwise a multipart upload with `parallel` parts in flight, SSE set at
//!   initiation, each part's CRC-64 checked, the whole-object CRC combined from the parts
//!   and checked on Complete. A checkpoint (file and/or callback) lets a killed upload
//!   resume; recorded parts are verified against ListParts first.
//! * [`Client::download_file`](crate::client::Client::download_file): ranged GETs with
//!   `parallel` ranges in flight, each written at its offset into a temporary file,
//!   CRC-64s combined in order and checked against the object's, then renamed into place.
//!   Resumable through a checkpoint file.
//!
//! Memory: every part or range is streamed between the file and the socket in 1 MiB
//! chunks, so buffers stay around `parallel × 1 MiB` (well under `parallel × part_size`,
//! the bound the official SDKs document).

pub mod checkpoint;
mod copy;
mod download;
mod upload;

pub use checkpoint::{CheckpointPart, DownloadCheckpoint, UploadCheckpoint};
pub use copy::{MultipartCopyOptions, MultipartCopyResult};
pub use download::{DownloadFileOptions, DownloadFileResult};
pub(crate) use upload::crc_of_file_range;
pub use upload::{CheckpointCallback, UploadFileOptions, UploadFileResult};

/// Default part size: 8 MiB.
pub const DEFAULT_PART_SIZE: u64 = 8 << 20;
/// Smallest part OSS accepts (except the last part): 100 KiB.
pub const MIN_PART_SIZE: u64 = 100 * 1024;
/// Default number of parts or ranges in flight.
pub const DEFAULT_PARALLEL: usize = 4;

/// Runs one part or range of a transfer as a task of its own. Parts polled together in one
/// task (as `buffer_unordered` does) share one thread; as tasks, their hashing, crypto and
/// file I/O spread over every worker thread. Dropping the returned future aborts the task.
pub(crate) fn spawn_part<T: Send + 'static>(
    part: impl std::future::Future<Output = crate::Result<T>> + Send + 'static,
) -> impl std::future::Future<Output = crate::Result<T>> {
    let task = tokio_util::task::AbortOnDropHandle::new(tokio::spawn(part));
    async move {
        task.await.map_err(|e| {
            crate::Error::new(crate::ErrorKind::Io, format!("a transfer task failed: {e}"))
        })?
    }
}
