//! Fault tests: a proxy between client and `ossbridge serve` resets connections mid-body,
//! answers bursts of 503, answers slowly and corrupts bytes. Replayable requests recover
//! through retries with nothing corrupted; a one-shot stream is not retried and says so;
//! corruption is caught by CRC-64 and never lands in a destination file.

mod client_support;

use std::time::Duration;

use bytes::Bytes;
use client_support::proxy::{Fault, Proxy};
use client_support::*;
use ossbridge_core::model::*;
use ossbridge_core::retry::RetryConfig;
use ossbridge_core::signing::SignatureVersion;
use ossbridge_core::sse::ServerSideEncryption;
use ossbridge_core::transfer::*;
use ossbridge_core::{Body, Client, ErrorKind};

const PART: u64 = 100 * 1024;

struct Setup {
    _server: Server,
    proxy: Proxy,
    client: Client,
    bucket: String,
}

async fn setup(tweak: impl FnOnce(&mut ossbridge_core::ClientConfig)) -> Setup {
    let server = Server::start();
    let proxy = Proxy::start(&server.url);
    let mut cfg = config(&proxy.url, SignatureVersion::V4);
    tweak(&mut cfg);
    let client = Client::new(cfg).unwrap();
    let bucket = bucket_name("fault");
    client
        .put_bucket(&bucket, &PutBucketOptions::default())
        .await
        .unwrap();
    Setup {
        _server: server,
        proxy,
        client,
        bucket,
    }
}

fn stream_body(bytes: &[u8]) -> Body {
    let chunks: Vec<std::io::Result<Bytes>> = bytes
        .chunks(8192)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    Body::from_stream(futures::stream::iter(chunks), Some(bytes.len() as u64))
}

#[tokio::test]
async fn a_reset_mid_download_is_retried_and_the_data_is_intact() {
    let s = setup(|_| {}).await;
    let bytes = data(400_000, 1);
    s.client
        .put_object(&s.bucket, "k", bytes.clone(), &PutObjectOptions::default())
        .await
        .unwrap();
    s.proxy.add("GET /", Fault::ResetResponseAfter(100_000), 2);
    let got = s
        .client
        .get_object(&s.bucket, "k", &GetObjectOptions::default())
        .await
        .unwrap();
    assert!(got.data[..] == bytes[..]);
    assert_eq!(s.proxy.count("GET /"), 3, "two failed attempts, one good");

    s.proxy.add("GET /", Fault::ResetResponseAfter(50_000), 1);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("k.out");
    s.client
        .get_object_to_file(&s.bucket, "k", &dest, &GetObjectOptions::default())
        .await
        .unwrap();
    assert!(std::fs::read(&dest).unwrap() == bytes);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn bursts_of_503_are_retried_with_backoff_until_the_budget_is_spent() {
    let s = setup(|_| {}).await;
    let bytes = data(200_000, 2);
    s.proxy.add("PUT /", Fault::Status503, 3);
    let r = s
        .client
        .put_object(&s.bucket, "k", bytes.clone(), &PutObjectOptions::default())
        .await
        .unwrap();
    assert_eq!(r.meta.crc64, Some(ossbridge_core::crc64::checksum(&bytes)));
    assert_eq!(
        s.proxy.count("PUT /"),
        4 + 1,
        "bucket creation + 3 refused + 1 accepted"
    );

    // More 503s than attempts (4): the last error is reported as it came.
    s.proxy.add("GET /", Fault::Status503, 10);
    let err = s
        .client
        .get_object(&s.bucket, "k", &GetObjectOptions::default())
        .await
        .unwrap_err();
    let service = err.service_error().expect("service error");
    assert_eq!(
        (
            service.status,
            service.code.as_str(),
            service.request_id.as_str()
        ),
        (503, "ServiceUnavailable", "PROXY503")
    );
    assert_eq!(s.proxy.count("GET /"), 4);
}

#[tokio::test]
async fn slow_responses_time_out_and_are_retried() {
    let s = setup(|cfg| cfg.read_timeout = Duration::from_millis(400)).await;
    s.client
        .put_object(&s.bucket, "k", b"v".to_vec(), &PutObjectOptions::default())
        .await
        .unwrap();
    s.proxy
        .add("GET /", Fault::Delay(Duration::from_millis(1500)), 1);
    let got = s
        .client
        .get_object(&s.bucket, "k", &GetObjectOptions::default())
        .await
        .unwrap();
    assert_eq!(&got.data[..], b"v");
    // One timed-out attempt, then at least one more (a loaded machine may need more).
    assert!(s.proxy.count("GET /") >= 2);

    // Without retries the timeout surfaces as ErrorKind::Timeout.
    let mut cfg = config(&s.proxy.url, SignatureVersion::V4);
    cfg.read_timeout = Duration::from_millis(400);
    cfg.retry = RetryConfig::disabled();
    s.proxy
        .add("GET /", Fault::Delay(Duration::from_millis(1500)), 1);
    let err = Client::new(cfg)
        .unwrap()
        .get_object(&s.bucket, "k", &GetObjectOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");

    // The whole-request timeout bounds a call even when bytes keep trickling.
    let mut cfg = config(&s.proxy.url, SignatureVersion::V4);
    cfg.request_timeout = Duration::from_millis(500);
    cfg.retry = RetryConfig::disabled();
    s.proxy
        .add("HEAD /", Fault::Delay(Duration::from_millis(1500)), 1);
    let err = Client::new(cfg)
        .unwrap()
        .head_object(&s.bucket, "k")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.message().contains("request timeout"), "{err}");
}

#[tokio::test]
async fn a_reset_mid_upload_is_retried_for_bytes_and_files() {
    let s = setup(|_| {}).await;
    let bytes = data(300_000, 3);
    s.proxy.add("PUT /", Fault::ResetRequestAfter(120_000), 1);
    s.client
        .put_object(
            &s.bucket,
            "bytes",
            bytes.clone(),
            &PutObjectOptions::default(),
        )
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f.bin");
    std::fs::write(&file, &bytes).unwrap();
    s.proxy.add("PUT /", Fault::ResetRequestAfter(10_000), 2);
    let opts = PutObjectOptions {
        sse: Some(ServerSideEncryption::Aes256),
        ..Default::default()
    };
    s.client
        .put_object(
            &s.bucket,
            "file",
            Body::from_file_range(&file, 1000, None).unwrap(),
            &opts,
        )
        .await
        .unwrap();
    for (key, expected) in [("bytes", &bytes[..]), ("file", &bytes[1000..])] {
        let got = s
            .client
            .get_object(&s.bucket, key, &GetObjectOptions::default())
            .await
            .unwrap();
        assert!(got.data[..] == *expected, "{key} corrupted");
    }
}

#[tokio::test]
async fn a_one_shot_stream_is_not_retried_and_fails_clearly() {
    let s = setup(|_| {}).await;
    let bytes = data(200_000, 4);
    s.proxy
        .add("/stream-reset", Fault::ResetRequestAfter(50_000), 1);
    let err = s
        .client
        .put_object(
            &s.bucket,
            "stream-reset",
            stream_body(&bytes),
            &PutObjectOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    assert!(
        err.message().contains("not retried") && err.message().contains("one-shot stream"),
        "{err}"
    );
    assert_eq!(
        s.proxy.count("/stream-reset"),
        1,
        "a stream body must not be sent twice"
    );

    s.proxy.add("/stream-503", Fault::Status503, 1);
    let err = s
        .client
        .put_object(
            &s.bucket,
            "stream-503",
            stream_body(&bytes),
            &PutObjectOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.service_error().map(|e| e.status), Some(503));
    assert_eq!(s.proxy.count("/stream-503"), 1);
    // Nothing was stored.
    assert_eq!(
        s.client
            .head_object(&s.bucket, "stream-reset")
            .await
            .unwrap_err()
            .code(),
        Some("NoSuchKey")
    );
    // The same upload from bytes recovers.
    s.proxy
        .add("/stream-reset", Fault::ResetRequestAfter(50_000), 1);
    s.client
        .put_object(
            &s.bucket,
            "stream-reset",
            bytes.clone(),
            &PutObjectOptions::default(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn corruption_is_caught_by_crc64_in_both_directions() {
    let s = setup(|_| {}).await;
    let bytes = data(100_000, 5);
    // Upload: the proxy flips a byte, OSS stores and reports the CRC of what it got.
    s.proxy.add("PUT /", Fault::CorruptRequestBody, 1);
    let err = s
        .client
        .put_object(&s.bucket, "up", bytes.clone(), &PutObjectOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CrcMismatch, "{err}");
    assert!(err.message().contains("CRC-64 mismatch"));

    s.client
        .put_object(
            &s.bucket,
            "down",
            bytes.clone(),
            &PutObjectOptions::default(),
        )
        .await
        .unwrap();
    s.proxy.add("GET /", Fault::CorruptResponseBody, 1);
    let err = s
        .client
        .get_object(&s.bucket, "down", &GetObjectOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CrcMismatch, "{err}");

    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("down.out");
    std::fs::write(&dest, b"previous content").unwrap();
    s.proxy.add("GET /", Fault::CorruptResponseBody, 1);
    let err = s
        .client
        .get_object_to_file(&s.bucket, "down", &dest, &GetObjectOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CrcMismatch);
    assert_eq!(
        std::fs::read(&dest).unwrap(),
        b"previous content",
        "a corrupt download never replaces the file"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    s.proxy.add("GET /", Fault::CorruptResponseBody, 1);
    let mut stream = s
        .client
        .get_object_stream(&s.bucket, "down", &GetObjectOptions::default())
        .await
        .unwrap();
    let mut last = None;
    use futures::StreamExt;
    while let Some(item) = stream.next().await {
        last = Some(item);
    }
    assert_eq!(last.unwrap().unwrap_err().kind(), ErrorKind::CrcMismatch);

    // With CRC checks off the same corruption goes unnoticed: the check is what catches it.
    let mut cfg = config(&s.proxy.url, SignatureVersion::V4);
    cfg.crc_check = false;
    s.proxy.add("GET /", Fault::CorruptResponseBody, 1);
    let got = Client::new(cfg)
        .unwrap()
        .get_object(&s.bucket, "down", &GetObjectOptions::default())
        .await
        .unwrap();
    assert!(got.data[..] != bytes[..]);
}

#[tokio::test]
async fn transfers_survive_resets_and_503s_on_many_parts() {
    let s = setup(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let bytes = data(12 * PART as usize + 99, 6);
    let src = dir.path().join("src.bin");
    std::fs::write(&src, &bytes).unwrap();
    s.proxy
        .add("partNumber=2&", Fault::ResetRequestAfter(30_000), 1);
    s.proxy.add("partNumber=5&", Fault::Status503, 2);
    s.proxy
        .add("partNumber=7&", Fault::ResetResponseAfter(0), 1);
    s.proxy
        .add("partNumber=9&", Fault::Delay(Duration::from_millis(200)), 1);
    s.proxy.add("?uploadId=", Fault::Status503, 1); // Complete (POST ...?uploadId=) once
    let opts = UploadFileOptions {
        part_size: PART,
        parallel: 4,
        sse: Some(ServerSideEncryption::kms()),
        ..Default::default()
    };
    let r = s
        .client
        .upload_file(&s.bucket, "big", &src, &opts)
        .await
        .unwrap();
    assert_eq!(r.crc64, ossbridge_core::crc64::checksum(&bytes));

    // Reset three ranged GETs mid-body (the proxy matches the request line, not the Range).
    s.proxy.add("GET /", Fault::ResetResponseAfter(40_000), 3);
    let dest = dir.path().join("big.out");
    let opts = DownloadFileOptions {
        part_size: PART,
        parallel: 3,
        ..Default::default()
    };
    let d = s
        .client
        .download_file(&s.bucket, "big", &dest, &opts)
        .await
        .unwrap();
    assert_eq!(d.crc64, r.crc64);
    assert!(std::fs::read(&dest).unwrap() == bytes);
}

#[tokio::test]
async fn a_retried_append_whose_first_attempt_landed_is_recognised() {
    let s = setup(|_| {}).await;
    let first = data(20_000, 7);
    let second = data(30_000, 8);
    // The server applies the append, the answer is lost, the retry meets
    // PositionNotEqualToLength; the client proves by length and CRC-64 that it was its own.
    s.proxy
        .add("?append&position=0", Fault::ForwardThenReset, 1);
    let r1 = s
        .client
        .append_object(
            &s.bucket,
            "log",
            0,
            first.clone(),
            &AppendObjectOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(r1.next_position, first.len() as u64);
    assert_eq!(s.proxy.count("?append&position=0"), 2);
    s.proxy
        .add("?append&position=20000", Fault::ForwardThenReset, 1);
    let opts = AppendObjectOptions {
        init_crc64: r1.meta.crc64,
        ..Default::default()
    };
    let r2 = s
        .client
        .append_object(&s.bucket, "log", r1.next_position, second.clone(), &opts)
        .await
        .unwrap();
    assert_eq!(r2.next_position, 50_000);
    let got = s
        .client
        .get_object(&s.bucket, "log", &GetObjectOptions::default())
        .await
        .unwrap();
    assert!(
        got.data[..] == [first, second.clone()].concat()[..],
        "appended exactly once"
    );

    // Other data of the same length at that position is not mistaken for ours.
    let other = data(30_000, 10);
    let err = s
        .client
        .append_object(&s.bucket, "log", 20_000, other, &opts)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("PositionNotEqualToLength"), "{err}");
}

#[tokio::test]
async fn a_retried_complete_whose_first_attempt_landed_is_recognised() {
    let s = setup(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let bytes = data(3 * PART as usize + 10, 11);
    let src = dir.path().join("src.bin");
    std::fs::write(&src, &bytes).unwrap();
    // CompleteMultipartUpload is `POST /bucket/key?uploadId=...` (parts carry partNumber first).
    s.proxy.add("?uploadId=", Fault::ForwardThenReset, 1);
    let opts = UploadFileOptions {
        part_size: PART,
        ..Default::default()
    };
    let r = s
        .client
        .upload_file(&s.bucket, "k", &src, &opts)
        .await
        .unwrap();
    assert_eq!(r.crc64, ossbridge_core::crc64::checksum(&bytes));
    assert_eq!(s.proxy.count("?uploadId="), 2, "Complete was sent twice");
    assert!(
        s.client
            .get_object(&s.bucket, "k", &GetObjectOptions::default())
            .await
            .unwrap()
            .data[..]
            == bytes[..]
    );
}
