//! upload_file / download_file against `ossbridge serve`: multipart with SSE, progress,
//! checkpoints, resuming a killed upload (a child process killed with SIGKILL), resuming
//! downloads, and restarting cleanly when the recorded upload is gone.

mod client_support;

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use client_support::proxy::{Fault, Proxy};
use client_support::*;
use ossbridge_core::model::*;
use ossbridge_core::retry::RetryConfig;
use ossbridge_core::signing::SignatureVersion;
use ossbridge_core::sse::{DataEncryption, ServerSideEncryption};
use ossbridge_core::transfer::*;
use ossbridge_core::{Client, ErrorKind};

const PART: u64 = 100 * 1024;

type Seen = Arc<Mutex<Vec<(u64, u64)>>>;

fn recorder() -> (Progress, Seen) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    (
        Progress::new(move |d, t| s2.lock().unwrap().push((d, t))),
        seen,
    )
}

fn assert_monotonic_to(seen: &[(u64, u64)], total: u64) {
    assert!(!seen.is_empty(), "no progress reported");
    assert!(
        seen.windows(2).all(|w| w[0].0 < w[1].0),
        "progress not strictly increasing: {seen:?}"
    );
    assert_eq!(
        seen.last().unwrap(),
        &(total, total),
        "progress must end exactly at the size"
    );
}

fn write_file(dir: &Path, name: &str, len: usize, seed: u64) -> (std::path::PathBuf, Vec<u8>) {
    let bytes = data(len, seed);
    let path = dir.join(name);
    std::fs::write(&path, &bytes).unwrap();
    (path, bytes)
}

fn no_retry_client(url: &str) -> Client {
    let mut cfg = config(url, SignatureVersion::V4);
    cfg.retry = RetryConfig::disabled();
    Client::new(cfg).unwrap()
}

#[tokio::test]
async fn small_files_use_one_request_each_way() {
    let server = Server::start();
    let c = client(&server.url);
    let b = bucket_name("small");
    c.put_bucket(&b, &PutBucketOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (src, bytes) = write_file(dir.path(), "small.bin", 50_000, 1);
    let (progress, seen) = recorder();
    let opts = UploadFileOptions {
        sse: Some(ServerSideEncryption::Aes256),
        progress: Some(progress),
        ..Default::default()
    };
    let r = c.upload_file(&b, "small", &src, &opts).await.unwrap();
    assert_eq!((r.upload_id, r.part_count, r.size), (None, 0, 50_000));
    assert_eq!(r.meta.sse.algorithm.as_deref(), Some("AES256"));
    assert_monotonic_to(&seen.lock().unwrap(), 50_000);
    let dest = dir.path().join("small.out");
    let d = c
        .download_file(&b, "small", &dest, &DownloadFileOptions::default())
        .await
        .unwrap();
    assert_eq!(d.size, 50_000);
    assert!(std::fs::read(&dest).unwrap() == bytes);
}

#[tokio::test]
async fn multipart_upload_file_with_kms_sm4_and_ranged_download() {
    let server = Server::start();
    let c = client(&server.url);
    let b = bucket_name("mp");
    c.put_bucket(&b, &PutBucketOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let size = 11 * PART as usize + 777;
    let (src, bytes) = write_file(dir.path(), "big.bin", size, 2);
    let cp = dir.path().join("upload.cp");
    let (progress, seen) = recorder();
    let checkpoints = Arc::new(Mutex::new(0usize));
    let cps = checkpoints.clone();
    let opts = UploadFileOptions {
        part_size: PART,
        parallel: 3,
        checkpoint_file: Some(cp.clone()),
        on_checkpoint: Some(CheckpointCallback(Arc::new(move |_: &UploadCheckpoint| {
            *cps.lock().unwrap() += 1
        }))),
        sse: Some(ServerSideEncryption::Kms {
            key_id: Some("cmk-upload".into()),
            data_encryption: Some(DataEncryption::Sm4),
        }),
        progress: Some(progress),
        ..Default::default()
    };
    let r = c.upload_file(&b, "big", &src, &opts).await.unwrap();
    assert_eq!(
        (r.part_count, r.parts_uploaded, r.size),
        (12, 12, size as u64)
    );
    assert_eq!(r.crc64, ossbridge_core::crc64::checksum(&bytes));
    assert_eq!(r.meta.sse.algorithm.as_deref(), Some("KMS"));
    assert_eq!(r.meta.sse.data_encryption.as_deref(), Some("SM4"));
    assert_eq!(*checkpoints.lock().unwrap(), 12);
    assert!(!cp.exists(), "the checkpoint is removed after success");
    assert_monotonic_to(&seen.lock().unwrap(), size as u64);
    let head = c.head_object(&b, "big").await.unwrap();
    assert_eq!(head.meta.sse.key_id, Some(server.key_id("cmk-upload")));
    assert_eq!(head.info.object_type.as_deref(), Some("Multipart"));

    let dest = dir.path().join("big.out");
    let (progress, seen) = recorder();
    let opts = DownloadFileOptions {
        part_size: PART,
        parallel: 4,
        progress: Some(progress),
        ..Default::default()
    };
    let d = c.download_file(&b, "big", &dest, &opts).await.unwrap();
    assert_eq!(
        (d.size, d.ranges_downloaded, d.crc64),
        (size as u64, 12, r.crc64)
    );
    assert!(std::fs::read(&dest).unwrap() == bytes);
    assert_monotonic_to(&seen.lock().unwrap(), size as u64);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        2,
        "no temporary files left"
    );

    // Parameters OSS would reject are refused up front.
    let bad = UploadFileOptions {
        part_size: 1000,
        ..Default::default()
    };
    assert_eq!(
        c.upload_file(&b, "x", &src, &bad).await.unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
}

/// Runs in a child process (see `a_killed_upload_file_resumes`); a no-op otherwise.
#[tokio::test]
async fn child_upload_for_kill_test() {
    let Ok(endpoint) = std::env::var("OSSB_CHILD_ENDPOINT") else {
        return;
    };
    let c = client(&endpoint);
    let opts = UploadFileOptions {
        part_size: PART,
        parallel: 1,
        checkpoint_file: Some(std::env::var("OSSB_CHILD_CHECKPOINT").unwrap().into()),
        sse: Some(ServerSideEncryption::Sm4),
        ..Default::default()
    };
    let _ = c
        .upload_file(
            &std::env::var("OSSB_CHILD_BUCKET").unwrap(),
            "killed",
            std::env::var("OSSB_CHILD_FILE").unwrap(),
            &opts,
        )
        .await;
    // If we get here the parent failed to kill us in time; it notices the missing resume.
}

#[tokio::test]
async fn a_killed_upload_file_resumes_from_its_checkpoint() {
    let server = Server::start();
    let proxy = Proxy::start(&server.url);
    let c = client(&server.url);
    let b = bucket_name("kill");
    c.put_bucket(&b, &PutBucketOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let size = 10 * PART as usize;
    let (src, bytes) = write_file(dir.path(), "kill.bin", size, 3);
    let cp = dir.path().join("kill.cp");
    // Slow every part down so the child is mid-upload when killed.
    proxy.add(
        "partNumber=",
        Fault::Delay(Duration::from_millis(300)),
        usize::MAX,
    );
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_upload_for_kill_test",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("OSSB_CHILD_ENDPOINT", &proxy.url)
        .env("OSSB_CHILD_CHECKPOINT", &cp)
        .env("OSSB_CHILD_BUCKET", &b)
        .env("OSSB_CHILD_FILE", &src)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let recorded = loop {
        if let Ok(text) = std::fs::read(&cp) {
            if let Ok(state) = serde_json::from_slice::<UploadCheckpoint>(&text) {
                if state.parts.len() >= 3 {
                    break state;
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "the child never recorded 3 parts"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    child.kill().unwrap();
    child.wait().unwrap();
    proxy.clear();
    let state: UploadCheckpoint = serde_json::from_slice(&std::fs::read(&cp).unwrap()).unwrap();
    assert!(
        state.parts.len() >= recorded.parts.len() && state.parts.len() < 10,
        "{} parts recorded",
        state.parts.len()
    );
    assert_service_missing(&c, &b, "killed").await;

    let opts = UploadFileOptions {
        part_size: PART,
        parallel: 2,
        checkpoint_file: Some(cp.clone()),
        sse: Some(ServerSideEncryption::Sm4),
        ..Default::default()
    };
    let r = c.upload_file(&b, "killed", &src, &opts).await.unwrap();
    assert_eq!(
        r.upload_id.as_deref(),
        Some(state.upload_id.as_str()),
        "resumed the recorded upload"
    );
    assert_eq!(
        r.parts_uploaded as usize,
        10 - state.parts.len(),
        "only the missing parts were sent"
    );
    let got = c
        .get_object(&b, "killed", &GetObjectOptions::default())
        .await
        .unwrap();
    assert!(got.data[..] == bytes[..]);
    assert_eq!(got.meta.sse.algorithm.as_deref(), Some("SM4"));
    assert!(!cp.exists());
}

async fn assert_service_missing(c: &Client, b: &str, key: &str) {
    let err = c.head_object(b, key).await.unwrap_err();
    assert_eq!(err.code(), Some("NoSuchKey"), "{err}");
}

#[tokio::test]
async fn resume_verifies_recorded_parts_against_list_parts() {
    let server = Server::start();
    let proxy = Proxy::start(&server.url);
    let b = bucket_name("verify");
    client(&server.url)
        .put_bucket(&b, &PutBucketOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (src, bytes) = write_file(dir.path(), "v.bin", 6 * PART as usize, 4);
    // Part 5 fails and retries are off: the upload stops with parts 1-4 (at least) recorded.
    proxy.add("partNumber=5&", Fault::ResetRequestAfter(10), 1);
    let saved = Arc::new(Mutex::new(None));
    let s2 = saved.clone();
    let opts = UploadFileOptions {
        part_size: PART,
        parallel: 1,
        on_checkpoint: Some(CheckpointCallback(Arc::new(
            move |cp: &UploadCheckpoint| *s2.lock().unwrap() = Some(cp.clone()),
        ))),
        ..Default::default()
    };
    let err = no_retry_client(&proxy.url)
        .upload_file(&b, "v", &src, &opts)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    let mut cp = saved
        .lock()
        .unwrap()
        .clone()
        .expect("a checkpoint was reported");
    assert_eq!(cp.parts.len(), 4);
    // Tamper: claim part 2 has another ETag. ListParts disagrees, so part 2 is sent again.
    cp.parts
        .iter_mut()
        .find(|p| p.part_number == 2)
        .unwrap()
        .etag = "\"0000\"".into();
    let c = client(&proxy.url);
    let opts = UploadFileOptions {
        part_size: PART,
        parallel: 2,
        resume_from: Some(cp.clone()),
        ..Default::default()
    };
    let before = proxy.count("partNumber=2&");
    let r = c.upload_file(&b, "v", &src, &opts).await.unwrap();
    assert_eq!(r.upload_id.as_deref(), Some(cp.upload_id.as_str()));
    assert_eq!(r.parts_uploaded, 3, "parts 2, 5 and 6");
    assert_eq!(proxy.count("partNumber=2&"), before + 1);
    assert!(
        c.get_object(&b, "v", &GetObjectOptions::default())
            .await
            .unwrap()
            .data[..]
            == bytes[..]
    );

    // A checkpoint whose upload is gone (aborted) restarts cleanly instead of failing.
    let stale = UploadCheckpoint {
        upload_id: "no-such-upload".into(),
        ..cp
    };
    let opts = UploadFileOptions {
        part_size: PART,
        resume_from: Some(stale),
        ..Default::default()
    };
    let r = c.upload_file(&b, "v2", &src, &opts).await.unwrap();
    assert_ne!(r.upload_id.as_deref(), Some("no-such-upload"));
    assert_eq!(r.parts_uploaded, 6);
    // A corrupt checkpoint file is ignored too.
    let bad = dir.path().join("bad.cp");
    std::fs::write(&bad, b"{\"version\": 1, \"bucket\": tru").unwrap();
    let opts = UploadFileOptions {
        part_size: PART,
        checkpoint_file: Some(bad.clone()),
        ..Default::default()
    };
    assert_eq!(
        c.upload_file(&b, "v3", &src, &opts)
            .await
            .unwrap()
            .parts_uploaded,
        6
    );
    assert!(!bad.exists());
}

#[tokio::test]
async fn an_interrupted_download_file_resumes_and_never_leaves_a_partial_destination() {
    let server = Server::start();
    let proxy = Proxy::start(&server.url);
    let c = client(&server.url);
    let b = bucket_name("dl");
    c.put_bucket(&b, &PutBucketOptions::default())
        .await
        .unwrap();
    let bytes = data(8 * PART as usize + 5, 5);
    c.put_object(
        &b,
        "obj",
        bytes.clone(),
        &PutObjectOptions {
            sse: Some(ServerSideEncryption::kms()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("obj.out");
    let cp = dir.path().join("dl.cp");
    // HEAD and the first three ranges pass; every later range dies mid-body, retries off.
    let opts = DownloadFileOptions {
        part_size: PART,
        parallel: 1,
        checkpoint_file: Some(cp.clone()),
        ..Default::default()
    };
    let noretry = no_retry_client(&proxy.url);
    proxy.add("GET /", Fault::Delay(Duration::ZERO), 3);
    proxy.add("GET /", Fault::ResetResponseAfter(1000), usize::MAX);
    let err = noretry
        .download_file(&b, "obj", &dest, &opts)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    assert!(!dest.exists(), "no partial file at the destination");
    let state: DownloadCheckpoint = serde_json::from_slice(&std::fs::read(&cp).unwrap()).unwrap();
    assert_eq!(state.parts.len(), 3);
    proxy.clear();
    let r = client(&proxy.url)
        .download_file(&b, "obj", &dest, &opts)
        .await
        .unwrap();
    assert_eq!(r.ranges_downloaded, 9 - 3);
    assert!(std::fs::read(&dest).unwrap() == bytes);
    assert!(!cp.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary files left"
    );
}

#[tokio::test]
async fn a_download_checkpoint_of_a_changed_object_is_discarded() {
    let server = Server::start();
    let proxy = Proxy::start(&server.url);
    let c = client(&server.url);
    let b = bucket_name("changed");
    c.put_bucket(&b, &PutBucketOptions::default())
        .await
        .unwrap();
    c.put_object(
        &b,
        "obj",
        data(4 * PART as usize, 30),
        &PutObjectOptions::default(),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("obj.out");
    let cp = dir.path().join("obj.cp");
    let opts = DownloadFileOptions {
        part_size: PART,
        parallel: 1,
        checkpoint_file: Some(cp.clone()),
        ..Default::default()
    };
    proxy.add("GET /", Fault::Delay(Duration::ZERO), 1);
    proxy.add("GET /", Fault::ResetResponseAfter(10), usize::MAX);
    no_retry_client(&proxy.url)
        .download_file(&b, "obj", &dest, &opts)
        .await
        .unwrap_err();
    proxy.clear();
    assert!(cp.exists());
    // The object changes before the resume: the old ranges must not be reused.
    let fresh = data(4 * PART as usize, 31);
    c.put_object(&b, "obj", fresh.clone(), &PutObjectOptions::default())
        .await
        .unwrap();
    let r = c.download_file(&b, "obj", &dest, &opts).await.unwrap();
    assert_eq!(r.ranges_downloaded, 4);
    assert!(std::fs::read(&dest).unwrap() == fresh);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        vec![std::ffi::OsString::from("obj.out")],
        "old partial file and checkpoint removed"
    );
}

#[tokio::test]
async fn uploads_from_a_path_guess_the_content_type() {
    let server = Server::start();
    let c = client(&server.url);
    let b = bucket_name("ctype");
    c.put_bucket(&b, &PutBucketOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (jpg, _) = write_file(dir.path(), "examplefile.JPG", 1000, 40);
    let (big_pdf, _) = write_file(dir.path(), "big.pdf", 2 * PART as usize + 1, 41);
    c.put_object_from_file(&b, "a", &jpg, &PutObjectOptions::default())
        .await
        .unwrap();
    c.upload_file(
        &b,
        "b",
        &big_pdf,
        &UploadFileOptions {
            part_size: PART,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let explicit = PutObjectOptions {
        attributes: ObjectAttributes {
            content_type: Some("text/x-mine".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    c.put_object_from_file(&b, "c", &jpg, &explicit)
        .await
        .unwrap();
    for (key, expected) in [
        ("a", "image/jpeg"),
        ("b", "application/pdf"),
        ("c", "text/x-mine"),
    ] {
        let head = c.head_object(&b, key).await.unwrap();
        assert_eq!(head.info.content_type.as_deref(), Some(expected), "{key}");
    }
}

#[tokio::test]
async fn multipart_copy_keeps_type_and_metadata_and_sets_sse() {
    let server = Server::start();
    let c = client(&server.url);
    let b = bucket_name("mpcopy");
    c.put_bucket(&b, &PutBucketOptions::default())
        .await
        .unwrap();
    let bytes = data(3 * PART as usize + 500, 50);
    let attrs = ObjectAttributes {
        content_type: Some("video/mp4".into()),
        metadata: vec![("origin".into(), "camera".into())],
        ..Default::default()
    };
    let put = PutObjectOptions {
        sse: Some(ServerSideEncryption::Aes256),
        attributes: attrs,
        ..Default::default()
    };
    c.put_object(&b, "src", bytes.clone(), &put).await.unwrap();

    let (progress, seen) = recorder();
    let opts = MultipartCopyOptions {
        part_size: PART,
        parallel: 3,
        sse: Some(ServerSideEncryption::kms_with_key("cmk-upload")),
        progress: Some(progress),
        ..Default::default()
    };
    let r = c
        .copy_object_multipart(&b, "src", &b, "dst", &opts)
        .await
        .unwrap();
    assert_eq!((r.part_count, r.size), (4, bytes.len() as u64));
    assert_eq!(r.meta.crc64, Some(ossbridge_core::crc64::checksum(&bytes)));
    assert_monotonic_to(&seen.lock().unwrap(), bytes.len() as u64);
    let got = c
        .get_object(&b, "dst", &GetObjectOptions::default())
        .await
        .unwrap();
    assert!(got.data[..] == bytes[..]);
    assert_eq!(got.info.content_type.as_deref(), Some("video/mp4"));
    assert_eq!(
        got.meta.user_metadata(),
        vec![("origin".to_string(), "camera".to_string())]
    );
    assert_eq!(got.meta.sse.key_id, Some(server.key_id("cmk-upload")));

    // Small objects take one CopyObject; the source's SSE is not inherited.
    c.put_object(&b, "small", b"tiny".to_vec(), &put)
        .await
        .unwrap();
    let r = c
        .copy_object_multipart(
            &b,
            "small",
            &b,
            "small-copy",
            &MultipartCopyOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(r.part_count, 0);
    assert_eq!(
        c.head_object(&b, "small-copy")
            .await
            .unwrap()
            .meta
            .sse
            .algorithm,
        None
    );

    // Low-level UploadPartCopy.
    let up = c
        .initiate_multipart_upload(&b, "pc", &InitiateMultipartUploadOptions::default())
        .await
        .unwrap();
    let p1 = c
        .upload_part_copy(
            &b,
            "pc",
            &up.upload_id,
            1,
            &b,
            "src",
            Some(ByteRange {
                start: 0,
                end: Some(PART - 1),
            }),
        )
        .await
        .unwrap();
    let p2 = c
        .upload_part_copy(&b, "pc", &up.upload_id, 2, &b, "small", None)
        .await
        .unwrap();
    c.complete_multipart_upload(
        &b,
        "pc",
        &up.upload_id,
        &[p1.completed(), p2.completed()],
        &Default::default(),
    )
    .await
    .unwrap();
    let got = c
        .get_object(&b, "pc", &GetObjectOptions::default())
        .await
        .unwrap();
    assert!(got.data[..] == [&bytes[..PART as usize], b"tiny"].concat()[..]);
}
