//! Every client operation and option against a real `ossbridge serve`.

mod client_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use client_support::*;
use futures::StreamExt;
use ossbridge_core::model::*;
use ossbridge_core::sse::{AppendEncryption, DataEncryption, ServerSideEncryption};
use ossbridge_core::{Body, Client, ErrorKind};

fn kms_sm4(key: Option<&str>) -> ServerSideEncryption {
    ServerSideEncryption::Kms {
        key_id: key.map(str::to_string),
        data_encryption: Some(DataEncryption::Sm4),
    }
}

fn assert_service(err: &ossbridge_core::Error, status: u16, code: &str) {
    let s = err
        .service_error()
        .unwrap_or_else(|| panic!("expected a service error {code}, got {err}"));
    assert_eq!((s.status, s.code.as_str()), (status, code), "{err}");
    assert!(
        !s.request_id.is_empty(),
        "service error without request id: {err}"
    );
}

async fn new_bucket(c: &Client, prefix: &str) -> String {
    let b = bucket_name(prefix);
    c.put_bucket(&b, &PutBucketOptions::default())
        .await
        .expect("put_bucket");
    b
}

#[tokio::test]
async fn bucket_encryption_rules_round_trip_with_v1_and_v4() {
    let server = Server::start();
    for c in [client(&server.url), client_v1(&server.url)] {
        let b = new_bucket(&c, "enc").await;
        let listed = c
            .list_buckets(&ListBucketsOptions::default())
            .await
            .unwrap();
        assert!(listed.buckets.iter().any(|x| x.name == b), "{listed:?}");
        assert!(!listed.meta.request_id.is_empty());

        let info = c.get_bucket_info(&b).await.unwrap();
        assert_eq!(
            (info.name.as_str(), info.encryption.as_ref()),
            (b.as_str(), None)
        );
        let err = c.get_bucket_encryption(&b).await.unwrap_err();
        assert_service(&err, 404, "NoSuchServerSideEncryptionRule");

        let rules = [
            ServerSideEncryption::Aes256,
            ServerSideEncryption::kms(),
            ServerSideEncryption::kms_with_key("guide-cmk-1"),
            kms_sm4(Some("guide-cmk-2")),
            ServerSideEncryption::Sm4,
        ];
        for sse in rules {
            let rule = ServerSideEncryptionRule(sse.clone());
            let put = c.put_bucket_encryption(&b, &rule).await.unwrap();
            assert_eq!(put.meta.status, 200);
            let got = c.get_bucket_encryption(&b).await.unwrap();
            assert_eq!(got.rule, rule, "GetBucketEncryption after setting {sse:?}");
            let info = c.get_bucket_info(&b).await.unwrap();
            assert_eq!(info.encryption, Some(rule));
        }
        let del = c.delete_bucket_encryption(&b).await.unwrap();
        assert_eq!(del.meta.status, 204);
        assert_service(
            &c.get_bucket_encryption(&b).await.unwrap_err(),
            404,
            "NoSuchServerSideEncryptionRule",
        );

        // A bucket created with a rule, an ACL and a storage class.
        let b2 = bucket_name("enc2");
        let opts = PutBucketOptions {
            acl: Some(Acl::Private),
            storage_class: Some("Standard".into()),
            encryption: Some(ServerSideEncryptionRule(kms_sm4(None))),
        };
        c.put_bucket(&b2, &opts).await.unwrap();
        assert_eq!(
            c.get_bucket_encryption(&b2)
                .await
                .unwrap()
                .rule
                .kms_data_encryption(),
            Some("SM4")
        );
        c.delete_bucket(&b2).await.unwrap();
        assert_service(
            &c.get_bucket_info(&b2).await.unwrap_err(),
            404,
            "NoSuchBucket",
        );
    }
}

#[tokio::test]
async fn put_object_from_bytes_file_offset_and_stream_with_sse() {
    let server = Server::start();
    let c = client(&server.url);
    let b = new_bucket(&c, "put").await;
    let payload = data(300_000, 1);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("src.bin");
    std::fs::write(&file, &payload).unwrap();

    // Bytes + AES256: the guide's "upload with an SSE header".
    let opts = PutObjectOptions {
        sse: Some(ServerSideEncryption::Aes256),
        attributes: ObjectAttributes {
            content_type: Some("text/plain".into()),
            metadata: vec![("Owner".into(), "guide".into())],
            ..Default::default()
        },
        ..Default::default()
    };
    let r = c
        .put_object(&b, "bytes.txt", payload.clone(), &opts)
        .await
        .unwrap();
    assert_eq!(r.meta.sse.algorithm.as_deref(), Some("AES256"));
    assert_eq!(
        r.meta.crc64,
        Some(ossbridge_core::crc64::checksum(&payload))
    );
    assert!(r.meta.etag.is_some() && !r.meta.request_id.is_empty());
    let head = c.head_object(&b, "bytes.txt").await.unwrap();
    assert_eq!(head.meta.sse.algorithm.as_deref(), Some("AES256"));
    assert_eq!(head.info.content_length, payload.len() as u64);
    assert_eq!(head.info.content_type.as_deref(), Some("text/plain"));
    assert_eq!(
        head.meta.user_metadata(),
        vec![("owner".to_string(), "guide".to_string())]
    );

    // A whole file with a named CMK.
    let opts = PutObjectOptions {
        sse: Some(ServerSideEncryption::kms_with_key("cmk-file")),
        ..Default::default()
    };
    let r = c
        .put_object_from_file(&b, "file.bin", &file, &opts)
        .await
        .unwrap();
    assert_eq!(r.meta.sse.algorithm.as_deref(), Some("KMS"));
    assert_eq!(r.meta.sse.key_id, Some(server.key_id("cmk-file")));

    // From offset 1000 of the file, SM4 (the guide's Python sample).
    let body = Body::from_file_range(&file, 1000, None).unwrap();
    let opts = PutObjectOptions {
        sse: Some(ServerSideEncryption::Sm4),
        ..Default::default()
    };
    c.put_object(&b, "offset.bin", body, &opts).await.unwrap();
    let got = c
        .get_object(&b, "offset.bin", &GetObjectOptions::default())
        .await
        .unwrap();
    assert_eq!(&got.data[..], &payload[1000..]);
    assert_eq!(got.meta.sse.algorithm.as_deref(), Some("SM4"));

    // Streams, with and without a known length (chunked), KMS with SM4 data encryption.
    for (key, len) in [
        ("stream-len.bin", Some(payload.len() as u64)),
        ("stream-chunked.bin", None),
    ] {
        let chunks: Vec<std::io::Result<Bytes>> = payload
            .chunks(7000)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let body = Body::from_stream(futures::stream::iter(chunks), len);
        let opts = PutObjectOptions {
            sse: Some(kms_sm4(None)),
            ..Default::default()
        };
        let r = c.put_object(&b, key, body, &opts).await.unwrap();
        assert_eq!(r.meta.sse.algorithm.as_deref(), Some("KMS"));
        assert_eq!(r.meta.sse.data_encryption.as_deref(), Some("SM4"));
        assert!(
            r.meta.sse.key_id.is_some(),
            "KMS without a named key reports the default CMK id"
        );
        let got = c
            .get_object(&b, key, &GetObjectOptions::default())
            .await
            .unwrap();
        assert_eq!(got.data.len(), payload.len());
        assert!(got.data[..] == payload[..]);
        assert_eq!(got.meta.sse.data_encryption.as_deref(), Some("SM4"));
    }
}

#[tokio::test]
async fn get_object_as_bytes_range_stream_and_file() {
    let server = Server::start();
    let c = client(&server.url);
    let b = new_bucket(&c, "get").await;
    let payload = data(500_000, 2);
    c.put_object(
        &b,
        "k",
        payload.clone(),
        &PutObjectOptions {
            sse: Some(ServerSideEncryption::Aes256),
            ..Default::default()
        },
    )
    .await
    .unwrap();

    let range = ByteRange {
        start: 1000,
        end: Some(1999),
    };
    let got = c
        .get_object(
            &b,
            "k",
            &GetObjectOptions {
                range: Some(range),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(&got.data[..], &payload[1000..2000]);
    assert_eq!(
        (
            got.meta.status,
            got.info.content_length,
            got.info.object_size
        ),
        (206, 1000, payload.len() as u64)
    );
    let tail = c
        .get_object(
            &b,
            "k",
            &GetObjectOptions {
                range: Some(ByteRange {
                    start: 499_000,
                    end: None,
                }),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(&tail.data[..], &payload[499_000..]);

    let mut stream = c
        .get_object_stream(&b, "k", &GetObjectOptions::default())
        .await
        .unwrap();
    assert_eq!(stream.info.content_length, payload.len() as u64);
    assert_eq!(stream.meta.sse.algorithm.as_deref(), Some("AES256"));
    let mut streamed = Vec::new();
    while let Some(chunk) = stream.next().await {
        streamed.extend_from_slice(&chunk.unwrap());
    }
    assert!(streamed == payload);

    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out.bin");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let opts = GetObjectOptions {
        progress: Some(Progress::new(move |d, t| s2.lock().unwrap().push((d, t)))),
        ..Default::default()
    };
    let r = c.get_object_to_file(&b, "k", &dest, &opts).await.unwrap();
    assert_eq!(r.bytes_written, payload.len() as u64);
    assert!(std::fs::read(&dest).unwrap() == payload);
    assert_monotonic_to(&seen.lock().unwrap(), payload.len() as u64);
    // Only the destination is left behind: no temporary files.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // A missing object: a service error, and no file is created.
    let missing = dir.path().join("missing.bin");
    let err = c
        .get_object_to_file(&b, "nope", &missing, &GetObjectOptions::default())
        .await
        .unwrap_err();
    assert_service(&err, 404, "NoSuchKey");
    assert!(!missing.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    assert_service(
        &c.head_object(&b, "nope").await.unwrap_err(),
        404,
        "NoSuchKey",
    );
    // Conditional HEAD through verbatim headers.
    let etag = c.head_object(&b, "k").await.unwrap().meta.etag.unwrap();
    let ok = HeadObjectOptions {
        extra_headers: vec![("If-Match".into(), etag)],
    };
    assert_eq!(
        c.head_object_with_options(&b, "k", &ok)
            .await
            .unwrap()
            .meta
            .status,
        200
    );
    let stale = HeadObjectOptions {
        extra_headers: vec![("If-Match".into(), "\"00\"".into())],
    };
    let err = c
        .head_object_with_options(&b, "k", &stale)
        .await
        .unwrap_err();
    assert_eq!(err.service_error().map(|e| e.status), Some(412), "{err}");
}

pub fn assert_monotonic_to(seen: &[(u64, u64)], total: u64) {
    assert!(!seen.is_empty(), "no progress reported");
    assert!(
        seen.windows(2).all(|w| w[0].0 < w[1].0),
        "progress not strictly increasing: {seen:?}"
    );
    assert!(seen.iter().all(|(_, t)| *t == total));
    assert_eq!(
        seen.last().unwrap().0,
        total,
        "progress must end exactly at the size"
    );
}

#[tokio::test]
async fn put_progress_is_monotonic_and_ends_at_size() {
    let server = Server::start();
    let c = client(&server.url);
    let b = new_bucket(&c, "prog").await;
    let payload = data(1 << 20, 3);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let opts = PutObjectOptions {
        progress: Some(Progress::new(move |d, t| s2.lock().unwrap().push((d, t)))),
        ..Default::default()
    };
    c.put_object(&b, "p", payload, &opts).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.len() > 1,
        "expected several progress calls for 1 MiB: {seen:?}"
    );
    assert_monotonic_to(&seen, 1 << 20);

    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let opts = PutObjectOptions {
        progress: Some(Progress::new(move |d, t| s2.lock().unwrap().push((d, t)))),
        ..Default::default()
    };
    c.put_object(&b, "empty", Vec::new(), &opts).await.unwrap();
    assert_eq!(*seen.lock().unwrap(), vec![(0, 0)]);
}

#[tokio::test]
async fn bucket_default_encryption_applies_when_the_request_has_none() {
    let server = Server::start();
    let c = client(&server.url);
    let b = new_bucket(&c, "dflt").await;
    c.put_bucket_encryption(&b, &ServerSideEncryptionRule(kms_sm4(None)))
        .await
        .unwrap();
    c.put_object(&b, "plain", b"hello".to_vec(), &PutObjectOptions::default())
        .await
        .unwrap();
    let head = c.head_object(&b, "plain").await.unwrap();
    assert_eq!(head.meta.sse.algorithm.as_deref(), Some("KMS"));
    assert_eq!(head.meta.sse.data_encryption.as_deref(), Some("SM4"));
    // The request's header wins over the bucket default.
    c.put_object(
        &b,
        "aes",
        b"hello".to_vec(),
        &PutObjectOptions {
            sse: Some(ServerSideEncryption::Aes256),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        c.head_object(&b, "aes")
            .await
            .unwrap()
            .meta
            .sse
            .algorithm
            .as_deref(),
        Some("AES256")
    );
}

#[tokio::test]
async fn copy_onto_itself_encrypts_and_sse_is_not_inherited() {
    let server = Server::start();
    let c = client(&server.url);
    let b = new_bucket(&c, "copy").await;
    let attrs = ObjectAttributes {
        content_type: Some("image/png".into()),
        metadata: vec![("a".into(), "1".into())],
        ..Default::default()
    };
    c.put_object(
        &b,
        "obj",
        data(1234, 4),
        &PutObjectOptions {
            attributes: attrs,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        c.head_object(&b, "obj").await.unwrap().meta.sse.algorithm,
        None
    );

    // The guide's FAQ: copy an existing object onto itself with an SSE header to encrypt it.
    let opts = CopyObjectOptions {
        sse: Some(ServerSideEncryption::kms_with_key("cmk-copy")),
        ..Default::default()
    };
    let r = c.copy_object(&b, "obj", &b, "obj", &opts).await.unwrap();
    assert!(!r.etag.is_empty());
    assert_eq!(r.meta.sse.algorithm.as_deref(), Some("KMS"));
    let head = c.head_object(&b, "obj").await.unwrap();
    assert_eq!(head.meta.sse.key_id, Some(server.key_id("cmk-copy")));
    // A typed SSE option does not force REPLACE: content type and metadata survive.
    assert_eq!(head.info.content_type.as_deref(), Some("image/png"));
    assert_eq!(
        head.meta.user_metadata(),
        vec![("a".to_string(), "1".to_string())]
    );

    // The source's encryption is not copied.
    c.copy_object(&b, "obj", &b, "copy-plain", &CopyObjectOptions::default())
        .await
        .unwrap();
    assert_eq!(
        c.head_object(&b, "copy-plain")
            .await
            .unwrap()
            .meta
            .sse
            .algorithm,
        None
    );
    assert!(
        c.get_object(&b, "copy-plain", &GetObjectOptions::default())
            .await
            .unwrap()
            .data[..]
            == data(1234, 4)[..]
    );

    // Raw oss2-style headers lift into the typed copy options.
    let raw: Vec<(String, String)> = vec![
        ("x-oss-metadata-directive".into(), "REPLACE".into()),
        ("x-oss-server-side-encryption".into(), "AES256".into()),
        ("Content-Type".into(), "text/html".into()),
    ];
    let opts = CopyObjectOptions::from_raw_headers(&raw).unwrap();
    assert_eq!(
        (opts.metadata_directive, opts.sse.clone()),
        (
            MetadataDirective::Replace,
            Some(ServerSideEncryption::Aes256)
        )
    );
    c.copy_object(&b, "obj", &b, "copy-raw", &opts)
        .await
        .unwrap();
    let head = c.head_object(&b, "copy-raw").await.unwrap();
    assert_eq!(
        (
            head.info.content_type.as_deref(),
            head.meta.sse.algorithm.as_deref()
        ),
        (Some("text/html"), Some("AES256"))
    );
    assert!(CopyObjectOptions::from_raw_headers(&[(
        "x-oss-metadata-directive".into(),
        "MOVE".into()
    )])
    .is_err());

    // REPLACE metadata.
    let opts = CopyObjectOptions {
        metadata_directive: MetadataDirective::Replace,
        attributes: ObjectAttributes {
            content_type: Some("text/csv".into()),
            metadata: vec![("b".into(), "2".into())],
            ..Default::default()
        },
        sse: Some(ServerSideEncryption::Sm4),
    };
    c.copy_object(&b, "obj", &b, "copy-replaced", &opts)
        .await
        .unwrap();
    let head = c.head_object(&b, "copy-replaced").await.unwrap();
    assert_eq!(head.info.content_type.as_deref(), Some("text/csv"));
    assert_eq!(
        head.meta.user_metadata(),
        vec![("b".to_string(), "2".to_string())]
    );
    assert_eq!(head.meta.sse.algorithm.as_deref(), Some("SM4"));

    // Metadata without REPLACE would be silently dropped by OSS: refused locally.
    let bad = CopyObjectOptions {
        attributes: ObjectAttributes {
            content_type: Some("x/y".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    assert_eq!(
        c.copy_object(&b, "obj", &b, "x", &bad)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
}

#[tokio::test]
async fn append_with_sse_keeps_the_first_appends_encryption() {
    let server = Server::start();
    let c = client(&server.url);
    let b = new_bucket(&c, "append").await;
    let first = data(10_000, 5);
    let second = data(7_000, 6);
    let opts = AppendObjectOptions {
        sse: Some(AppendEncryption::Kms {
            data_encryption: Some(DataEncryption::Sm4),
        }),
        ..Default::default()
    };
    let r1 = c
        .append_object(&b, "log", 0, first.clone(), &opts)
        .await
        .unwrap();
    assert_eq!(r1.next_position, first.len() as u64);
    assert_eq!(r1.meta.sse.algorithm.as_deref(), Some("KMS"));
    assert_eq!(r1.meta.sse.data_encryption.as_deref(), Some("SM4"));
    assert_eq!(r1.meta.crc64, Some(ossbridge_core::crc64::checksum(&first)));

    let opts = AppendObjectOptions {
        init_crc64: r1.meta.crc64,
        ..Default::default()
    };
    let r2 = c
        .append_object(&b, "log", r1.next_position, second.clone(), &opts)
        .await
        .unwrap();
    assert_eq!(r2.next_position, (first.len() + second.len()) as u64);
    assert_eq!(
        r2.meta.sse.algorithm.as_deref(),
        Some("KMS"),
        "later appends keep the object's SSE"
    );
    let whole: Vec<u8> = [first.clone(), second.clone()].concat();
    assert_eq!(r2.meta.crc64, Some(ossbridge_core::crc64::checksum(&whole)));
    let got = c
        .get_object(&b, "log", &GetObjectOptions::default())
        .await
        .unwrap();
    assert!(got.data[..] == whole[..]);
    assert_eq!(got.info.object_type.as_deref(), Some("Appendable"));

    // SSE at a later position is refused locally; a wrong position is OSS's error.
    let bad = AppendObjectOptions {
        sse: Some(AppendEncryption::Aes256),
        ..Default::default()
    };
    let err = c
        .append_object(&b, "log", r2.next_position, b"x".to_vec(), &bad)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    let err = c
        .append_object(&b, "log", 3, b"x".to_vec(), &AppendObjectOptions::default())
        .await
        .unwrap_err();
    assert_service(&err, 409, "PositionNotEqualToLength");
    let failed = ResponseMeta::from_service_error(err.service_error().unwrap());
    assert_eq!(
        ObjectInfo::from_meta(&failed).next_append_position,
        Some(r2.next_position)
    );
    // A named CMK cannot be expressed for appends.
    assert!(AppendEncryption::from_sse(&ServerSideEncryption::kms_with_key("k")).is_err());
}

#[tokio::test]
async fn multipart_with_sse_set_at_initiate() {
    let server = Server::start();
    let c = client(&server.url);
    let b = new_bucket(&c, "mpu").await;
    let parts_data = [data(120 * 1024, 7), data(110 * 1024, 8), data(5_000, 9)];
    let init = InitiateMultipartUploadOptions {
        sse: Some(kms_sm4(Some("cmk-mpu"))),
        attributes: ObjectAttributes {
            content_type: Some("application/x-test".into()),
            ..Default::default()
        },
    };
    let up = c.initiate_multipart_upload(&b, "big", &init).await.unwrap();
    assert!(!up.upload_id.is_empty());
    assert_eq!(up.meta.sse.key_id, Some(server.key_id("cmk-mpu")));
    let mut completed = Vec::new();
    let mut crc = 0u64;
    for (i, p) in parts_data.iter().enumerate() {
        let r = c
            .upload_part(&b, "big", &up.upload_id, i as u32 + 1, p.clone())
            .await
            .unwrap();
        assert_eq!(r.crc64, Some(ossbridge_core::crc64::checksum(p)));
        assert_eq!(
            r.meta.sse.algorithm.as_deref(),
            Some("KMS"),
            "UploadPart echoes the upload's SSE"
        );
        crc = ossbridge_core::crc64::combine(crc, r.crc64.unwrap(), p.len() as u64);
        completed.push(r.completed());
    }
    let listed = c
        .list_parts(&b, "big", &up.upload_id, &ListPartsOptions::default())
        .await
        .unwrap();
    assert_eq!(
        listed
            .parts
            .iter()
            .map(|p| p.part_number)
            .collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(listed.parts[0].size, 120 * 1024);
    let paged = c
        .list_parts(
            &b,
            "big",
            &up.upload_id,
            &ListPartsOptions {
                max_parts: Some(2),
                part_number_marker: None,
            },
        )
        .await
        .unwrap();
    assert!(paged.is_truncated && paged.parts.len() == 2);
    assert_eq!(
        c.list_all_parts(&b, "big", &up.upload_id)
            .await
            .unwrap()
            .len(),
        3
    );

    let done = c
        .complete_multipart_upload(
            &b,
            "big",
            &up.upload_id,
            &completed,
            &CompleteMultipartUploadOptions {
                expected_crc64: Some(crc),
            },
        )
        .await
        .unwrap();
    assert_eq!(done.meta.sse.algorithm.as_deref(), Some("KMS"));
    assert_eq!(done.meta.sse.data_encryption.as_deref(), Some("SM4"));
    assert_eq!(done.meta.crc64, Some(crc));
    let got = c
        .get_object(&b, "big", &GetObjectOptions::default())
        .await
        .unwrap();
    assert!(got.data[..] == parts_data.concat()[..]);
    assert_eq!(got.meta.sse.key_id, Some(server.key_id("cmk-mpu")));

    // A wrong expected CRC is reported as a mismatch.
    let up2 = c
        .initiate_multipart_upload(&b, "big2", &InitiateMultipartUploadOptions::default())
        .await
        .unwrap();
    let r = c
        .upload_part(&b, "big2", &up2.upload_id, 1, data(1000, 1))
        .await
        .unwrap();
    let err = c
        .complete_multipart_upload(
            &b,
            "big2",
            &up2.upload_id,
            &[r.completed()],
            &CompleteMultipartUploadOptions {
                expected_crc64: Some(42),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CrcMismatch, "{err}");

    // Abort: the upload and its parts are gone.
    let up3 = c
        .initiate_multipart_upload(&b, "aborted", &InitiateMultipartUploadOptions::default())
        .await
        .unwrap();
    c.upload_part(&b, "aborted", &up3.upload_id, 1, data(1000, 1))
        .await
        .unwrap();
    c.abort_multipart_upload(&b, "aborted", &up3.upload_id)
        .await
        .unwrap();
    let err = c
        .list_parts(&b, "aborted", &up3.upload_id, &ListPartsOptions::default())
        .await
        .unwrap_err();
    assert_service(&err, 404, "NoSuchUpload");
    // Local validation.
    assert_eq!(
        c.upload_part(&b, "k", &up3.upload_id, 0, Vec::new())
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
}

#[tokio::test]
async fn list_objects_v1_pages_follow_next_marker_past_common_prefixes() {
    let server = Server::start();
    let c = client(&server.url);
    let b = new_bucket(&c, "listv1").await;
    let keys = [
        "a.txt", "b/1", "b/2", "b/3", "c.txt", "d/x/1", "d/y", "e.txt", "f/1",
    ];
    for k in keys {
        c.put_object(&b, k, k.as_bytes().to_vec(), &PutObjectOptions::default())
            .await
            .unwrap();
    }
    // Flat: every key once, in order, two per page.
    let flat = ListObjectsOptions {
        max_keys: Some(2),
        ..Default::default()
    };
    let mut pages = c.list_objects_pages(&b, flat);
    let (mut seen, mut count) = (Vec::new(), 0);
    while let Some(page) = pages.next_page().await {
        let page = page.unwrap();
        count += 1;
        assert_eq!(page.is_truncated, page.next_marker.is_some());
        seen.extend(page.objects.into_iter().map(|o| o.key));
    }
    assert_eq!(seen, keys);
    assert_eq!(count, 5);
    // With a delimiter, a page can end on a common prefix: the next page must start after
    // everything under it, or "b/" and "d/" would come back again.
    let grouped = ListObjectsOptions {
        delimiter: Some("/".into()),
        max_keys: Some(2),
        ..Default::default()
    };
    let mut pages = c.list_objects_pages(&b, grouped);
    let (mut entries, mut markers) = (Vec::new(), Vec::new());
    while let Some(page) = pages.next_page().await {
        let page = page.unwrap();
        entries.extend(page.objects.into_iter().map(|o| o.key));
        entries.extend(page.common_prefixes);
        markers.extend(page.next_marker);
    }
    entries.sort();
    assert_eq!(entries, ["a.txt", "b/", "c.txt", "d/", "e.txt", "f/"]);
    assert_eq!(markers, ["b/", "d/"]);
    // One page from a marker, as oss2's list_objects(marker=...) sends it.
    let page = c
        .list_objects(
            &b,
            &ListObjectsOptions {
                prefix: Some("b/".into()),
                marker: Some("b/1".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let listed: Vec<_> = page.objects.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(listed, ["b/2", "b/3"]);
    assert_eq!(page.objects[0].size, 3);
    let owner = page.objects[0]
        .owner
        .as_ref()
        .expect("V1 lists each object's owner");
    assert!(!owner.id.is_empty());
    assert!(!page.is_truncated && page.next_marker.is_none());
    let err = c
        .list_objects("Bad_Bucket", &ListObjectsOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn list_objects_v2_pages_and_delete_multiple() {
    let server = Server::start();
    let c = client(&server.url);
    let b = new_bucket(&c, "list").await;
    let mut keys: Vec<String> = (0..7).map(|i| format!("dir/obj-{i}")).collect();
    keys.push("dir/sub/inner".into());
    keys.push("top".into());
    for k in &keys {
        c.put_object(&b, k, k.clone().into_bytes(), &PutObjectOptions::default())
            .await
            .unwrap();
    }
    let opts = ListObjectsV2Options {
        prefix: Some("dir/".into()),
        max_keys: Some(3),
        ..Default::default()
    };
    let mut pages = c.list_objects_v2_pages(&b, opts);
    let mut seen = Vec::new();
    let mut page_count = 0;
    while let Some(page) = pages.next().await {
        let page = page.unwrap();
        page_count += 1;
        assert!(page.objects.len() <= 3);
        seen.extend(page.objects.into_iter().map(|o| o.key));
    }
    assert_eq!(page_count, 3);
    assert_eq!(seen, keys[..8].to_vec());

    let opts = ListObjectsV2Options {
        prefix: Some("dir/".into()),
        delimiter: Some("/".into()),
        ..Default::default()
    };
    let page = c.list_objects_v2(&b, &opts).await.unwrap();
    assert_eq!(page.common_prefixes, vec!["dir/sub/".to_string()]);
    assert_eq!(page.objects.len(), 7);
    assert_eq!(page.objects[0].size, "dir/obj-0".len() as u64);
    assert_eq!(
        page.objects[0].owner, None,
        "V2 sends owners only with fetch-owner"
    );

    let del = c
        .delete_multiple_objects(&b, &keys[..4], false)
        .await
        .unwrap();
    let mut deleted = del.deleted.clone();
    deleted.sort();
    assert_eq!(deleted, keys[..4].to_vec());
    let quiet = c
        .delete_multiple_objects(&b, &keys[4..6], true)
        .await
        .unwrap();
    assert!(quiet.deleted.is_empty());
    c.delete_object(&b, "top").await.unwrap();
    c.delete_object(&b, "top").await.unwrap(); // deleting a missing key succeeds
    let rest = c
        .list_objects_v2(&b, &ListObjectsV2Options::default())
        .await
        .unwrap();
    assert_eq!(
        rest.objects
            .iter()
            .map(|o| o.key.as_str())
            .collect::<Vec<_>>(),
        vec!["dir/obj-6", "dir/sub/inner"]
    );
    assert_eq!(
        c.delete_multiple_objects(&b, &[], false)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
    // A non-empty bucket cannot be deleted.
    assert_service(
        &c.delete_bucket(&b).await.unwrap_err(),
        409,
        "BucketNotEmpty",
    );
}

#[tokio::test]
async fn presigned_urls_work_for_v1_and_v4_and_expire() {
    let server = Server::start();
    let http = reqwest::Client::new();
    for c in [client(&server.url), client_v1(&server.url)] {
        let b = new_bucket(&c, "presign").await;
        let put = c
            .presign(
                &b,
                "via url.txt",
                &PresignOptions {
                    method: "PUT".into(),
                    headers: vec![("content-type".into(), "text/plain".into())],
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let resp = http
            .put(&put.url)
            .header("content-type", "text/plain")
            .body("presigned body")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
        let get = c
            .presign(&b, "via url.txt", &PresignOptions::default())
            .await
            .unwrap();
        let resp = http.get(&get.url).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.text().await.unwrap(), "presigned body");
        let short = c
            .presign(
                &b,
                "via url.txt",
                &PresignOptions {
                    expires: Duration::from_secs(1),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(2100)).await;
        let resp = http.get(&short.url).send().await.unwrap();
        assert_eq!(resp.status(), 403, "expired URL must be refused");
    }
}

#[tokio::test]
async fn errors_carry_service_details_and_bad_input_is_named() {
    let server = Server::start();
    let c = client(&server.url);
    let b = new_bucket(&c, "err").await;
    let err = c
        .get_object(&b, "missing", &GetObjectOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Service);
    assert_service(&err, 404, "NoSuchKey");

    let wrong = ossbridge_core::ClientConfig::builder()
        .endpoint(&server.url)
        .region(REGION)
        .credentials(ossbridge_core::credentials::Credentials::new(
            ACCESS_KEY_ID,
            "wrong-secret",
        ))
        .build()
        .unwrap();
    let err = Client::new(wrong)
        .unwrap()
        .list_buckets(&ListBucketsOptions::default())
        .await
        .unwrap_err();
    assert_service(&err, 403, "SignatureDoesNotMatch");

    let err = c
        .put_object("Bad_Bucket", "k", Vec::new(), &PutObjectOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.message().contains("Bad_Bucket"), "{err}");
    let err = c
        .put_object(&b, "/abs", Vec::new(), &PutObjectOptions::default())
        .await
        .unwrap_err();
    assert!(err.message().contains("/abs"));
    let err = Body::from_file_range("/definitely/missing", 0, None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
}

#[tokio::test]
async fn clock_skew_is_corrected_and_the_request_retried() {
    let server = Server::start();
    let c = client(&server.url);
    c.set_clock_offset_millis(-3_600_000);
    let b = new_bucket(&c, "skew").await;
    assert!(
        c.clock_offset_millis().abs() < 60_000,
        "offset not corrected: {} ms",
        c.clock_offset_millis()
    );
    c.put_object(&b, "k", b"v".to_vec(), &PutObjectOptions::default())
        .await
        .unwrap();
}

#[test]
fn blocking_client_mirrors_the_async_one() {
    let server = Server::start();
    let c = ossbridge_core::blocking::Client::new(config(
        &server.url,
        ossbridge_core::signing::SignatureVersion::V4,
    ))
    .unwrap();
    let b = bucket_name("blocking");
    c.put_bucket(&b, &PutBucketOptions::default()).unwrap();
    c.put_bucket_encryption(
        &b,
        &ServerSideEncryptionRule::from_parts("AES256", None, None).unwrap(),
    )
    .unwrap();
    let r = c
        .put_object(&b, "k", b"blocking".to_vec(), &PutObjectOptions::default())
        .unwrap();
    assert_eq!(r.meta.sse.algorithm.as_deref(), Some("AES256"));
    assert_eq!(
        &c.get_object(&b, "k", &GetObjectOptions::default())
            .unwrap()
            .data[..],
        b"blocking"
    );
    let pages = c
        .list_all_objects_v2(&b, ListObjectsV2Options::default())
        .unwrap();
    assert_eq!(pages.len(), 1);
    let stream = c
        .get_object_stream(&b, "k", &GetObjectOptions::default())
        .unwrap();
    assert_eq!(&c.block_on(stream.collect()).unwrap()[..], b"blocking");
    // Transfers through the facade.
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src.bin");
    let bytes = data(300 * 1024, 21);
    std::fs::write(&src, &bytes).unwrap();
    let opts = ossbridge_core::transfer::UploadFileOptions {
        part_size: 100 * 1024,
        ..Default::default()
    };
    assert_eq!(c.upload_file(&b, "t", &src, &opts).unwrap().part_count, 3);
    let dest = dir.path().join("dest.bin");
    let opts = ossbridge_core::transfer::DownloadFileOptions {
        part_size: 100 * 1024,
        ..Default::default()
    };
    assert_eq!(
        c.download_file(&b, "t", &dest, &opts)
            .unwrap()
            .ranges_downloaded,
        3
    );
    assert!(std::fs::read(&dest).unwrap() == bytes);
}

/// Hands out a wrong secret until told otherwise: proves credentials are asked for per
/// request (rotated or refreshed keys apply without rebuilding the client).
struct SwitchingProvider(std::sync::atomic::AtomicBool);

impl ossbridge_core::credentials::CredentialsProvider for SwitchingProvider {
    fn credentials(&self) -> ossbridge_core::credentials::CredentialsFuture<'_> {
        let good = self.0.load(std::sync::atomic::Ordering::SeqCst);
        let secret = if good {
            ACCESS_KEY_SECRET
        } else {
            "stale-secret"
        };
        let creds = ossbridge_core::credentials::Credentials::new(ACCESS_KEY_ID, secret);
        Box::pin(async move { Ok(creds) })
    }
}

#[tokio::test]
async fn credentials_are_fetched_for_every_request() {
    let server = Server::start();
    let provider = Arc::new(SwitchingProvider(std::sync::atomic::AtomicBool::new(false)));
    let cfg = ossbridge_core::ClientConfig::builder()
        .endpoint(&server.url)
        .region(REGION)
        .credentials_provider(provider.clone())
        .build()
        .unwrap();
    let c = Client::new(cfg).unwrap();
    let err = c
        .list_buckets(&ListBucketsOptions::default())
        .await
        .unwrap_err();
    assert_service(&err, 403, "SignatureDoesNotMatch");
    provider.0.store(true, std::sync::atomic::Ordering::SeqCst);
    c.list_buckets(&ListBucketsOptions::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn v1_signing_covers_every_sub_resource_the_client_uses() {
    let server = Server::start();
    let c = client_v1(&server.url);
    let b = new_bucket(&c, "v1").await;
    c.put_bucket_encryption(&b, &ServerSideEncryptionRule(ServerSideEncryption::Sm4))
        .await
        .unwrap();
    let a = c
        .append_object(
            &b,
            "app",
            0,
            b"abc".to_vec(),
            &AppendObjectOptions::default(),
        )
        .await
        .unwrap();
    c.append_object(
        &b,
        "app",
        a.next_position,
        b"def".to_vec(),
        &AppendObjectOptions {
            init_crc64: a.meta.crc64,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let up = c
        .initiate_multipart_upload(&b, "mp", &InitiateMultipartUploadOptions::default())
        .await
        .unwrap();
    let p = c
        .upload_part(&b, "mp", &up.upload_id, 1, b"part".to_vec())
        .await
        .unwrap();
    assert_eq!(
        c.list_parts(&b, "mp", &up.upload_id, &ListPartsOptions::default())
            .await
            .unwrap()
            .parts
            .len(),
        1
    );
    c.complete_multipart_upload(
        &b,
        "mp",
        &up.upload_id,
        &[p.completed()],
        &CompleteMultipartUploadOptions::default(),
    )
    .await
    .unwrap();
    c.copy_object(&b, "mp", &b, "mp-copy", &CopyObjectOptions::default())
        .await
        .unwrap();
    let page = c
        .list_objects_v2(
            &b,
            &ListObjectsV2Options {
                max_keys: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(page.is_truncated);
    let next = ListObjectsV2Options {
        continuation_token: page.next_continuation_token.clone(),
        ..Default::default()
    };
    assert_eq!(c.list_objects_v2(&b, &next).await.unwrap().objects.len(), 1);
    let got = c
        .get_object(
            &b,
            "app",
            &GetObjectOptions {
                range: Some(ByteRange {
                    start: 2,
                    end: Some(4),
                }),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(&got.data[..], b"cde");
    let del = c
        .delete_multiple_objects(&b, &["app".into(), "mp".into(), "mp-copy".into()], false)
        .await
        .unwrap();
    assert_eq!(del.deleted.len(), 3);
    c.delete_bucket_encryption(&b).await.unwrap();
    c.delete_bucket(&b).await.unwrap();
}

#[tokio::test]
async fn list_buckets_pages_acl_and_object_attributes() {
    let server = Server::start();
    let c = client(&server.url);
    let prefix = format!("lb{:06x}", rand::random::<u32>() & 0xffffff);
    for i in 0..3 {
        let opts = PutBucketOptions {
            acl: Some(if i == 0 {
                Acl::PublicRead
            } else {
                Acl::Private
            }),
            ..Default::default()
        };
        c.put_bucket(&format!("{prefix}-{i}"), &opts).await.unwrap();
    }
    let first = c
        .list_buckets(&ListBucketsOptions {
            prefix: Some(prefix.clone()),
            max_keys: Some(2),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(first.buckets.len(), 2);
    assert!(first.is_truncated);
    let rest = c
        .list_buckets(&ListBucketsOptions {
            prefix: Some(prefix.clone()),
            marker: first.next_marker.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        rest.buckets
            .iter()
            .map(|b| b.name.clone())
            .collect::<Vec<_>>(),
        vec![format!("{prefix}-2")]
    );
    assert_eq!(
        c.get_bucket_info(&format!("{prefix}-0")).await.unwrap().acl,
        "public-read"
    );

    let b = format!("{prefix}-1");
    let attrs = ObjectAttributes {
        acl: Some(Acl::PublicRead),
        storage_class: Some("IA".into()),
        forbid_overwrite: true,
        extra_headers: vec![
            ("Cache-Control".into(), "no-cache".into()),
            ("Content-Disposition".into(), "attachment".into()),
        ],
        ..Default::default()
    };
    let opts = PutObjectOptions {
        attributes: attrs,
        ..Default::default()
    };
    c.put_object(&b, "attrs", b"x".to_vec(), &opts)
        .await
        .unwrap();
    let head = c.head_object(&b, "attrs").await.unwrap();
    assert_eq!(head.info.storage_class.as_deref(), Some("IA"));
    assert_eq!(head.meta.header("cache-control"), Some("no-cache"));
    assert_eq!(head.meta.header("Content-Disposition"), Some("attachment"));
    // forbid_overwrite: a second put of the same key is refused.
    let err = c
        .put_object(&b, "attrs", b"y".to_vec(), &opts)
        .await
        .unwrap_err();
    assert_service(&err, 409, "FileAlreadyExists");
    // The object is public-read: an anonymous GET works.
    let url = format!("{}/{b}/attrs", server.url);
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 200);
}

#[tokio::test]
async fn keys_with_spaces_symbols_and_unicode_round_trip() {
    let server = Server::start();
    for c in [client(&server.url), client_v1(&server.url)] {
        let b = new_bucket(&c, "keys").await;
        let err = c
            .put_object(&b, "a/./b/../c", Vec::new(), &PutObjectOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(err.message().contains("'..'"), "{err}");
        let keys = [
            "dir/a b+c%20d&e=f?.txt",
            "中文/文件 名.txt",
            "tilde~star*(paren)!",
        ];
        for key in keys {
            c.put_object(
                &b,
                key,
                key.as_bytes().to_vec(),
                &PutObjectOptions::default(),
            )
            .await
            .unwrap();
            let got = c
                .get_object(&b, key, &GetObjectOptions::default())
                .await
                .unwrap();
            assert_eq!(&got.data[..], key.as_bytes(), "{key}");
            let copy = format!("{key}.copy");
            c.copy_object(&b, key, &b, &copy, &CopyObjectOptions::default())
                .await
                .unwrap();
            assert_eq!(
                c.head_object(&b, &copy).await.unwrap().info.content_length,
                key.len() as u64
            );
            let url = c
                .presign(&b, key, &PresignOptions::default())
                .await
                .unwrap()
                .url;
            assert_eq!(
                reqwest::get(&url).await.unwrap().bytes().await.unwrap(),
                key.as_bytes()
            );
        }
        let listed = c
            .list_objects_v2(&b, &ListObjectsV2Options::default())
            .await
            .unwrap();
        let mut names: Vec<String> = listed.objects.into_iter().map(|o| o.key).collect();
        names.sort();
        let mut expected: Vec<String> = keys
            .iter()
            .flat_map(|k| [k.to_string(), format!("{k}.copy")])
            .collect();
        expected.sort();
        assert_eq!(names, expected);
        let all: Vec<String> = expected.clone();
        assert_eq!(
            c.delete_multiple_objects(&b, &all, true)
                .await
                .unwrap()
                .deleted
                .len(),
            0
        );
        assert!(c
            .list_objects_v2(&b, &ListObjectsV2Options::default())
            .await
            .unwrap()
            .objects
            .is_empty());
    }
}
