//! `ossbridge cp SRC DEST [-r] [-u] [--meta H:v#...] [--part-size N] [--parallel N]
//! [--bigfile-threshold N] [--checkpoint-dir DIR]`: local to OSS, OSS to local and OSS to
//! OSS, like ossutil 1.x.
//!
//! Files above the big-file threshold (default 100 MiB, as ossutil) go through core's
//! resumable `upload_file` / `download_file` with a checkpoint in the checkpoint dir
//! (default `.ossutil_checkpoint`, removed when it ends up empty): rerunning a killed `cp`
//! picks up where it stopped. `--meta` (SSE, content type, user metadata...) applies to
//! uploads and OSS-to-OSS copies; objects above the threshold are copied with parallel
//! UploadPartCopy (core's `copy_object_multipart`).

use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use ossbridge_core::blocking::Client;
use ossbridge_core::crc64;
use ossbridge_core::model::{GetObjectOptions, MetadataDirective, ObjectAttributes};
use ossbridge_core::sse::ServerSideEncryption;
use ossbridge_core::transfer::{
    DownloadFileOptions, MultipartCopyOptions, UploadFileOptions, DEFAULT_PARALLEL,
    DEFAULT_PART_SIZE,
};
use ossbridge_core::{Error, ErrorKind};
use serde_json::{json, Value};

use crate::connect::ConnArgs;
use crate::filter::NameFilter;
use crate::ls::list_objects;
use crate::output::{finish, thousands, usage, CliError, CliResult, Output};
use crate::progress::{FileProgress, TransferProgress};
use crate::url::{dir_prefix, Location, OssUrl};

/// ossutil's default big-file threshold: 100 MiB.
const DEFAULT_BIGFILE_THRESHOLD: u64 = 100 << 20;
/// Part size of server-side copies (nothing crosses the network, so bigger parts).
const DEFAULT_COPY_PART_SIZE: u64 = 64 << 20;
/// OSS's maximum number of parts in one upload.
const MAX_PARTS: u64 = 10_000;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A local file or directory, or oss://BUCKET/KEY (a prefix with -r).
    #[arg(value_name = "SRC")]
    src: String,
    /// A local path or oss://BUCKET[/KEY]; a trailing '/' names a directory or prefix.
    #[arg(value_name = "DEST")]
    dest: String,
    /// Copy a directory tree or every object under a prefix.
    #[arg(short = 'r', long)]
    recursive: bool,
    /// Only copy when the destination is missing or older than the source.
    #[arg(short = 'u', long)]
    update: bool,
    /// Accepted for ossutil compatibility; ossbridge never prompts.
    #[arg(short = 'f', long)]
    force: bool,
    /// Headers of the new objects, e.g. X-Oss-Server-Side-Encryption:KMS#X-Oss-Server-Side-Encryption-Key-Id:ID#X-Oss-Server-Side-Data-Encryption:SM4
    #[arg(long)]
    meta: Option<String>,
    /// Part size in bytes for big files (default: 8 MiB, 64 MiB for OSS-to-OSS copies; more
    /// if the file needs over 10000 parts).
    #[arg(long, value_name = "BYTES")]
    part_size: Option<u64>,
    /// Parts in flight per big file.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PARALLEL)]
    parallel: usize,
    /// With -r: only files whose name matches this wildcard (`*`, `?`); repeatable.
    #[arg(long, value_name = "PATTERN")]
    include: Vec<String>,
    /// With -r: skip files whose name matches this wildcard; repeatable.
    #[arg(long, value_name = "PATTERN")]
    exclude: Vec<String>,
    /// Files transferred at the same time.
    #[arg(short = 'j', long, value_name = "N", default_value_t = 3)]
    jobs: usize,
    /// Files larger than this are transferred in parts, resumably.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_BIGFILE_THRESHOLD)]
    bigfile_threshold: u64,
    /// Where checkpoints of big-file transfers are kept.
    #[arg(long, value_name = "DIR", default_value = ".ossutil_checkpoint")]
    checkpoint_dir: PathBuf,
    #[command(flatten)]
    conn: ConnArgs,
}

pub fn run(args: Args) -> ExitCode {
    let out = Output::new(args.conn.json);
    let result = cp(&args, &out);
    finish(&out, result)
}

/// One file or object to transfer.
struct Job {
    src: String,
    dest: String,
    size: u64,
}

/// What happened to one job.
struct Done {
    skipped: bool,
    /// (parts or ranges already done before this run, total) when a checkpoint was used.
    resumed: Option<(u64, u64)>,
}

struct Run<'a> {
    args: &'a Args,
    client: Client,
    progress: Arc<TransferProgress>,
    sse: Option<ServerSideEncryption>,
    attributes: ObjectAttributes,
}

fn cp(args: &Args, out: &Output) -> CliResult<()> {
    let src = Location::parse(&args.src)?;
    let dest = Location::parse(&args.dest)?;
    let (sse, attributes) = crate::meta::parse_typed(args.meta.as_deref())?;
    if args.parallel == 0 || args.jobs == 0 {
        return Err(usage("--parallel and --jobs must be at least 1"));
    }
    let direction = match (&src, &dest) {
        (Location::Local(_), Location::Local(_)) => {
            return Err(usage(
                "both SRC and DEST are local paths: one of them must be oss://BUCKET[/KEY]",
            ))
        }
        (Location::Local(_), Location::Oss(_)) => "upload",
        (Location::Oss(_), Location::Local(_)) => {
            if args.meta.is_some() {
                return Err(usage(
                    "--meta applies to uploads and OSS-to-OSS copies, not downloads",
                ));
            }
            "download"
        }
        (Location::Oss(_), Location::Oss(_)) => "copy",
    };
    let filter = NameFilter::new(&args.include, &args.exclude);
    if !filter.is_empty() && !args.recursive {
        return Err(usage("--include and --exclude work with -r only"));
    }
    let client = args.conn.client()?;
    let mut jobs = match (&src, &dest) {
        (Location::Local(p), Location::Oss(u)) => upload_jobs(args, p, u)?,
        (Location::Oss(u), Location::Local(p)) => download_jobs(args, &client, u, p)?,
        (Location::Oss(s), Location::Oss(d)) => copy_jobs(args, &client, s, d)?,
        _ => unreachable!("rejected above"),
    };
    jobs.retain(|job| filter.selects(&job.src));
    let total: u64 = jobs.iter().map(|j| j.size).sum();
    let run = Run {
        args,
        client,
        progress: TransferProgress::new(total, args.conn.json),
        sse,
        attributes,
    };
    let outcomes = run.all(&jobs, direction);
    let mut files = Vec::new();
    let mut notes = String::new();
    let (mut transferred, mut skipped) = (0, 0);
    for (job, outcome) in jobs.iter().zip(outcomes) {
        let done = match outcome {
            Some(Ok(d)) => d,
            Some(Err(e)) => {
                run.progress.finish();
                if !args.conn.json && jobs.len() > 1 {
                    eprintln!("cp failed on {} -> {}", job.src, job.dest);
                }
                return Err(e);
            }
            None => continue, // not started after another file failed
        };
        if done.skipped {
            skipped += 1;
        } else {
            transferred += 1;
        }
        if let Some((before, total)) = done.resumed {
            notes.push_str(&format!(
                "resumed {} from checkpoint: {before} of {total} parts were already done\n",
                job.src
            ));
        }
        files.push(json!({
            "src": job.src,
            "dest": job.dest,
            "size": job.size,
            "action": if done.skipped { "skip" } else { direction },
            "resumed": done.resumed.is_some(),
            "parts_done_before": done.resumed.map(|r| r.0),
            "parts_total": done.resumed.map(|r| r.1),
        }));
    }
    run.progress.finish();
    // ossutil leaves no empty checkpoint directory behind.
    let _ = std::fs::remove_dir(&args.checkpoint_dir);
    let skip_note = if skipped > 0 {
        format!(", skip {skipped} files")
    } else {
        String::new()
    };
    let text = format!(
        "{notes}Succeed: Total num: {}, size: {}. OK num: {}({direction} {transferred} files{skip_note}).\n",
        jobs.len(),
        thousands(total),
        jobs.len()
    );
    out.success(
        &text,
        json!({
            "direction": direction,
            "total_size": total,
            "transferred": transferred,
            "skipped": skipped,
            "files": Value::Array(files),
        }),
    );
    Ok(())
}

fn io_error(what: String, e: std::io::Error) -> CliError {
    CliError::Failed(Error::new(ErrorKind::Io, what).with_source(e))
}

fn file_name(path: &Path) -> CliResult<String> {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_string)
        .ok_or_else(|| usage(format!("{} has no usable file name", path.display())))
}

fn upload_jobs(args: &Args, path: &Path, url: &OssUrl) -> CliResult<Vec<Job>> {
    let meta = std::fs::metadata(path)
        .map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?;
    if !meta.is_dir() {
        let key = if url.key.is_empty() || url.key.ends_with('/') {
            format!("{}{}", url.key, file_name(path)?)
        } else {
            url.key.clone()
        };
        return Ok(vec![Job {
            src: path.display().to_string(),
            dest: url.with_key(key).to_string(),
            size: meta.len(),
        }]);
    }
    if !args.recursive {
        return Err(usage(format!(
            "{} is a directory: use -r to upload a tree",
            path.display()
        )));
    }
    let prefix = dir_prefix(&url.key);
    let skip = std::fs::canonicalize(&args.checkpoint_dir).ok();
    let mut files = Vec::new();
    walk(path, Path::new(""), skip.as_deref(), &mut files)?;
    files.sort();
    Ok(files
        .into_iter()
        .map(|(rel, size)| Job {
            src: path.join(&rel).display().to_string(),
            dest: url.with_key(format!("{prefix}{rel}")).to_string(),
            size,
        })
        .collect())
}

/// Regular files under `root/rel`, as ('/'-separated relative path, size).
fn walk(
    root: &Path,
    rel: &Path,
    skip: Option<&Path>,
    out: &mut Vec<(String, u64)>,
) -> CliResult<()> {
    let dir = root.join(rel);
    if skip.is_some() && std::fs::canonicalize(&dir).ok().as_deref() == skip {
        return Ok(());
    }
    let entries = std::fs::read_dir(&dir)
        .map_err(|e| io_error(format!("cannot list {}", dir.display()), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| io_error(format!("cannot list {}", dir.display()), e))?;
        let rel_child = rel.join(entry.file_name());
        let kind = entry
            .file_type()
            .map_err(|e| io_error(format!("cannot read {}", entry.path().display()), e))?;
        let meta = std::fs::metadata(entry.path())
            .map_err(|e| io_error(format!("cannot read {}", entry.path().display()), e))?;
        // Like ossutil without --enable-symlink-dir: links to files are followed, links to
        // directories are not (they can form loops).
        if meta.is_dir() && kind.is_symlink() {
            continue;
        }
        if meta.is_dir() {
            walk(root, &rel_child, skip, out)?;
        } else if meta.is_file() {
            let name = rel_child
                .components()
                .map(|c| c.as_os_str().to_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    usage(format!(
                        "{} is not valid UTF-8: object keys must be",
                        rel_child.display()
                    ))
                })?
                .join("/");
            out.push((name, meta.len()));
        }
    }
    Ok(())
}

/// A relative path from an object key, refusing anything that would leave the destination.
fn safe_relative(key_rest: &str) -> CliResult<PathBuf> {
    let rel = PathBuf::from(key_rest);
    let ok = rel.components().all(|c| matches!(c, Component::Normal(_)));
    if !ok || key_rest.is_empty() {
        return Err(usage(format!(
            "object name part {key_rest:?} would be written outside the destination directory"
        )));
    }
    Ok(rel)
}

fn download_jobs(args: &Args, client: &Client, url: &OssUrl, dest: &Path) -> CliResult<Vec<Job>> {
    if !args.recursive {
        if url.key.is_empty() || url.key.ends_with('/') {
            return Err(usage(format!(
                "{} names no object: use -r to download a prefix",
                OssUrl::parse(&args.src)?
            )));
        }
        let size = client.head_object(&url.bucket, &url.key)?.info.object_size;
        let into_dir = dest.is_dir()
            || args.dest.ends_with('/')
            || args.dest.ends_with(std::path::MAIN_SEPARATOR);
        let path = if into_dir {
            dest.join(safe_relative(
                url.key.rsplit('/').next().unwrap_or(&url.key),
            )?)
        } else {
            dest.to_path_buf()
        };
        return Ok(vec![Job {
            src: url.to_string(),
            dest: path.display().to_string(),
            size,
        }]);
    }
    let (objects, _) = list_objects(client, &url.bucket, &url.key, None)?;
    let mut jobs = Vec::new();
    for o in objects {
        let rest = o.key[url.key.len()..].trim_start_matches('/');
        if rest.is_empty() || rest.ends_with('/') {
            continue; // directory markers
        }
        jobs.push(Job {
            src: url.with_key(o.key.clone()).to_string(),
            dest: dest.join(safe_relative(rest)?).display().to_string(),
            size: o.size,
        });
    }
    Ok(jobs)
}

fn copy_jobs(args: &Args, client: &Client, src: &OssUrl, dest: &OssUrl) -> CliResult<Vec<Job>> {
    if !args.recursive {
        if src.key.is_empty() || src.key.ends_with('/') {
            return Err(usage(format!(
                "{src} names no object: use -r to copy a prefix"
            )));
        }
        let size = client.head_object(&src.bucket, &src.key)?.info.object_size;
        let key = if dest.key.is_empty() || dest.key.ends_with('/') {
            format!(
                "{}{}",
                dest.key,
                src.key.rsplit('/').next().unwrap_or(&src.key)
            )
        } else {
            dest.key.clone()
        };
        return Ok(vec![Job {
            src: src.to_string(),
            dest: dest.with_key(key).to_string(),
            size,
        }]);
    }
    let prefix = dir_prefix(&dest.key);
    let (objects, _) = list_objects(client, &src.bucket, &src.key, None)?;
    Ok(objects
        .into_iter()
        .filter_map(|o| {
            let rest = o.key[src.key.len()..].trim_start_matches('/').to_string();
            (!rest.is_empty()).then(|| Job {
                src: src.with_key(o.key.clone()).to_string(),
                dest: dest.with_key(format!("{prefix}{rest}")).to_string(),
                size: o.size,
            })
        })
        .collect())
}

/// An object's Last-Modified, `None` when it does not exist.
fn remote_mtime(client: &Client, url: &OssUrl) -> CliResult<Option<SystemTime>> {
    match client.head_object(&url.bucket, &url.key) {
        Ok(head) => Ok(head
            .info
            .last_modified
            .as_deref()
            .and_then(|v| httpdate::parse_http_date(v).ok())
            .or(Some(SystemTime::UNIX_EPOCH))),
        Err(e) if e.service_error().map(|s| s.status) == Some(404) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Local modification time, truncated to seconds like HTTP dates; `None` if missing.
fn local_mtime(path: &Path) -> Option<SystemTime> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    let secs = modified
        .duration_since(SystemTime::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs))
}

impl Run<'_> {
    /// Runs the jobs on `--jobs` threads (the blocking client is shared); stops starting
    /// new ones after a failure. Outcomes come back in job order.
    fn all(&self, jobs: &[Job], direction: &str) -> Vec<Option<CliResult<Done>>> {
        let next = AtomicUsize::new(0);
        let failed = AtomicBool::new(false);
        let outcomes: Mutex<Vec<Option<CliResult<Done>>>> =
            Mutex::new(jobs.iter().map(|_| None).collect());
        std::thread::scope(|scope| {
            for _ in 0..self.args.jobs.min(jobs.len()) {
                scope.spawn(|| loop {
                    if failed.load(Ordering::Relaxed) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let file = self.progress.file();
                    let outcome = match direction {
                        "upload" => self.upload(job, &file),
                        "download" => self.download(job, &file),
                        _ => self.copy(job, &file),
                    };
                    match &outcome {
                        Ok(_) => file.done(job.size),
                        Err(_) => failed.store(true, Ordering::Relaxed),
                    }
                    outcomes.lock().unwrap()[i] = Some(outcome);
                });
            }
        });
        outcomes.into_inner().unwrap()
    }

    fn part_size(&self, size: u64) -> u64 {
        self.args
            .part_size
            .unwrap_or_else(|| DEFAULT_PART_SIZE.max(size.div_ceil(MAX_PARTS)))
    }

    /// The checkpoint file of one transfer, named after its two ends.
    fn checkpoint(&self, kind: &str, job: &Job) -> CliResult<PathBuf> {
        let dir = &self.args.checkpoint_dir;
        std::fs::create_dir_all(dir)
            .map_err(|e| io_error(format!("cannot create checkpoint dir {}", dir.display()), e))?;
        let src = std::fs::canonicalize(&job.src)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| job.src.clone());
        let id = crc64::checksum(format!("{kind}\n{src}\n{}", job.dest).as_bytes());
        Ok(dir.join(format!("{kind}-{id:016x}.cp")))
    }

    fn upload(&self, job: &Job, file: &FileProgress) -> CliResult<Done> {
        let url = OssUrl::parse_object(&job.dest)?;
        let path = Path::new(&job.src);
        if self.args.update {
            if let (Some(remote), Some(local)) =
                (remote_mtime(&self.client, &url)?, local_mtime(path))
            {
                if remote >= local {
                    return Ok(Done {
                        skipped: true,
                        resumed: None,
                    });
                }
            }
        }
        let big = job.size > self.args.bigfile_threshold;
        let options = UploadFileOptions {
            part_size: self.part_size(job.size),
            parallel: self.args.parallel,
            multipart_threshold: Some(self.args.bigfile_threshold),
            checkpoint_file: if big {
                Some(self.checkpoint("upload", job)?)
            } else {
                None
            },
            sse: self.sse.clone(),
            attributes: self.attributes.clone(),
            progress: file.callback(),
            ..Default::default()
        };
        let r = self
            .client
            .upload_file(&url.bucket, &url.key, path, &options)?;
        let resumed = (r.upload_id.is_some() && r.parts_uploaded < r.part_count).then(|| {
            (
                u64::from(r.part_count - r.parts_uploaded),
                u64::from(r.part_count),
            )
        });
        Ok(Done {
            skipped: false,
            resumed,
        })
    }

    fn download(&self, job: &Job, file: &FileProgress) -> CliResult<Done> {
        let url = OssUrl::parse_object(&job.src)?;
        let path = Path::new(&job.dest);
        if self.args.update {
            if let (Some(local), Some(remote)) =
                (local_mtime(path), remote_mtime(&self.client, &url)?)
            {
                if local >= remote {
                    return Ok(Done {
                        skipped: true,
                        resumed: None,
                    });
                }
            }
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| io_error(format!("cannot create {}", parent.display()), e))?;
        }
        if job.size <= self.args.bigfile_threshold {
            let options = GetObjectOptions {
                progress: file.callback(),
                ..Default::default()
            };
            self.client
                .get_object_to_file(&url.bucket, &url.key, path, &options)?;
            return Ok(Done {
                skipped: false,
                resumed: None,
            });
        }
        let part_size = self.part_size(job.size);
        let options = DownloadFileOptions {
            part_size,
            parallel: self.args.parallel,
            checkpoint_file: Some(self.checkpoint("download", job)?),
            progress: file.callback(),
        };
        let r = self
            .client
            .download_file(&url.bucket, &url.key, path, &options)?;
        let ranges = r.size.div_ceil(part_size);
        let fetched = u64::from(r.ranges_downloaded);
        Ok(Done {
            skipped: false,
            resumed: (fetched < ranges).then_some((ranges - fetched, ranges)),
        })
    }

    fn copy(&self, job: &Job, file: &FileProgress) -> CliResult<Done> {
        let src = OssUrl::parse_object(&job.src)?;
        let dest = OssUrl::parse_object(&job.dest)?;
        if self.args.update {
            if let Some(dest_time) = remote_mtime(&self.client, &dest)? {
                if remote_mtime(&self.client, &src)?.is_some_and(|s| dest_time >= s) {
                    return Ok(Done {
                        skipped: true,
                        resumed: None,
                    });
                }
            }
        }
        // Content type and user metadata only replace the source's when some are given.
        let replace = self.attributes.content_type.is_some()
            || !self.attributes.metadata.is_empty()
            || !self.attributes.extra_headers.is_empty();
        // Above the big-file threshold: parallel UploadPartCopy (one CopyObject is capped
        // at 1 GB by OSS); not resumable, the server-side parts are cheap to redo.
        let options = MultipartCopyOptions {
            part_size: self
                .args
                .part_size
                .unwrap_or_else(|| DEFAULT_COPY_PART_SIZE.max(job.size.div_ceil(MAX_PARTS))),
            parallel: self.args.parallel,
            multipart_threshold: Some(self.args.bigfile_threshold),
            sse: self.sse.clone(),
            metadata_directive: if replace {
                MetadataDirective::Replace
            } else {
                MetadataDirective::Copy
            },
            attributes: self.attributes.clone(),
            progress: file.callback(),
        };
        self.client.copy_object_multipart(
            &src.bucket,
            &src.key,
            &dest.bucket,
            &dest.key,
            &options,
        )?;
        Ok(Done {
            skipped: false,
            resumed: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_names_cannot_escape_the_destination() {
        assert_eq!(safe_relative("a/b.txt").unwrap(), PathBuf::from("a/b.txt"));
        for bad in ["../x", "a/../../x", "/etc/passwd", "./a", ""] {
            assert!(safe_relative(bad).is_err(), "{bad:?}");
        }
    }
}
