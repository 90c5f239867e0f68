//! The EncryptionClient against a real `ossbridge serve`: whole and ranged reads (random,
//! suffix, past-the-end) in both formats, multipart, upload_file/download_file, tampering
//! with the stored object, objects without CSE metadata, and the shared vectors uploaded
//! as-is.

#[path = "client_support/mod.rs"]
mod client_support;
mod cse_support;

use std::sync::Arc;

use bytes::Bytes;
use client_support::{bucket_name, client, Server};
use cse_support::{envelope_of, pem, random_range, read, Rng};
use ossbridge_core::cse::ByteRange;
use ossbridge_core::cse::*;
use ossbridge_core::model::*;
use ossbridge_core::{Client, ErrorKind};

fn rsa() -> Arc<RsaMasterKey> {
    Arc::new(cse_support::rsa_a())
}

async fn bucket(c: &Client) -> String {
    let b = bucket_name("cse");
    c.put_bucket(&b, &PutBucketOptions::default())
        .await
        .unwrap();
    b
}

fn modes() -> [ContentMode; 2] {
    [
        ContentMode::Compatible,
        ContentMode::Authenticated { segment_size: 1024 },
    ]
}

/// Writes `stored` with `metadata` through the plain client (what an attacker with write
/// access, or another SDK, would leave in the bucket).
async fn put_raw(c: &Client, b: &str, key: &str, stored: Vec<u8>, metadata: Vec<(String, String)>) {
    let attributes = ObjectAttributes {
        metadata: metadata
            .into_iter()
            .map(|(k, v)| (k.trim_start_matches("x-oss-meta-").to_string(), v))
            .collect(),
        ..Default::default()
    };
    c.put_object(
        b,
        key,
        Bytes::from(stored),
        &PutObjectOptions {
            attributes,
            ..Default::default()
        },
    )
    .await
    .unwrap();
}

async fn get_raw(c: &Client, b: &str, key: &str) -> (Vec<u8>, Vec<(String, String)>) {
    let got = c
        .get_object(b, key, &GetObjectOptions::default())
        .await
        .unwrap();
    let meta = got
        .meta
        .headers
        .iter()
        .filter(|(k, _)| k.starts_with("x-oss-meta-"))
        .cloned()
        .collect();
    (got.data.to_vec(), meta)
}

#[tokio::test]
async fn put_get_whole_and_random_ranges_in_both_modes() {
    let server = Server::start();
    let c = client(&server.url);
    let b = bucket(&c).await;
    let mut rng = Rng(2024);
    for mode in modes() {
        let enc = EncryptionClient::new(c.clone(), rsa()).with_mode(mode.clone());
        for size in [0usize, 1, 1023, 1024, 1025, 50_000] {
            let key = format!("obj-{size}-{}", enc.mode() != &ContentMode::Compatible);
            let plain = rng.bytes(size);
            enc.put_object(&b, &key, plain.clone(), &EncryptedPutOptions::default())
                .await
                .unwrap();
            let got = enc.get_object(&b, &key, None).await.unwrap();
            assert_eq!(got.data.as_ref(), &plain[..], "{mode:?} size {size}");
            assert_eq!(got.object_size, size as u64);
            assert_eq!(got.authenticated, mode != ContentMode::Compatible);
            let head = enc.head_object(&b, &key).await.unwrap();
            assert_eq!(head.object_size, size as u64);
            let (stored, _) = get_raw(&c, &b, &key).await;
            assert!(
                size < 16 || stored[..16] != plain[..16],
                "stored bytes are encrypted"
            );
            let n = if size == 50_000 { 120 } else { 15 };
            for _ in 0..n {
                let range = random_range(&mut rng, size as u64);
                let want = cse_support::expected(&plain, &range);
                match enc.get_object(&b, &key, Some(range)).await {
                    Ok(got) => {
                        assert!(
                            Some(got.data.to_vec()) == want,
                            "{mode:?} size {size} {}",
                            range.to_header()
                        );
                        assert_eq!(got.range, range.resolve(size as u64));
                    }
                    Err(e) => assert!(
                        want.is_none(),
                        "{mode:?} size {size} {}: {e}",
                        range.to_header()
                    ),
                }
            }
        }
    }
}

#[tokio::test]
async fn shared_vectors_read_back_from_the_server() {
    let server = Server::start();
    let c = client(&server.url);
    let b = bucket(&c).await;
    let enc = EncryptionClient::new(c.clone(), rsa());
    for dir in ["vec01_oss2_rsa_pkcs1_put", "vec03_pyv2_rsa_pkcs1_multipart"] {
        let plain = read(&format!("{dir}/plaintext.bin"));
        let meta_json = read(&format!("{dir}/object_meta.json"));
        let meta = envelope_of(&meta_json).to_headers();
        put_raw(&c, &b, dir, read(&format!("{dir}/ciphertext.bin")), meta).await;
        assert_eq!(
            enc.get_object(&b, dir, None).await.unwrap().data.as_ref(),
            &plain[..]
        );
        for spec in [
            "bytes=0-0",
            "bytes=15-16",
            "bytes=17-100",
            "bytes=-100",
            "bytes=995-",
            "bytes=16380-16390",
            "bytes=39990-50000",
        ] {
            let range = ByteRange::parse(spec).unwrap();
            let got = enc.get_object(&b, dir, Some(range)).await;
            assert_eq!(
                got.ok().map(|g| g.data.to_vec()),
                cse_support::expected(&plain, &range),
                "{dir} {spec}"
            );
        }
        let err = enc
            .get_object(&b, dir, Some(ByteRange::From { start: 1 << 20 }))
            .await
            .unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::Service | ErrorKind::InvalidArgument),
            "{err}"
        );
    }
}

#[tokio::test]
async fn tampered_objects_fail_to_read() {
    let server = Server::start();
    let c = client(&server.url);
    let b = bucket(&c).await;
    let plain = Rng(5).bytes(10_000);
    for mode in modes() {
        let enc = EncryptionClient::new(c.clone(), rsa()).with_mode(mode.clone());
        enc.put_object(&b, "t", plain.clone(), &EncryptedPutOptions::default())
            .await
            .unwrap();
        let (stored, meta) = get_raw(&c, &b, "t").await;
        let mut flipped = stored.clone();
        flipped[5000] ^= 1;
        put_raw(&c, &b, "t-flipped", flipped, meta.clone()).await;
        let err = enc.get_object(&b, "t-flipped", None).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Crypto, "{mode:?}: {err}");
        let covering = ByteRange::Bounded {
            start: 4000,
            end: 6000,
        };
        let ranged = enc.get_object(&b, "t-flipped", Some(covering)).await;
        if mode == ContentMode::Compatible {
            assert!(
                ranged.is_ok(),
                "CTR ranged reads cannot detect it (documented)"
            );
        } else {
            assert_eq!(ranged.unwrap_err().kind(), ErrorKind::Crypto);
            let elsewhere = ByteRange::Bounded { start: 0, end: 100 };
            assert_eq!(
                enc.get_object(&b, "t-flipped", Some(elsewhere))
                    .await
                    .unwrap()
                    .data
                    .as_ref(),
                &plain[..=100]
            );
        }
        put_raw(
            &c,
            &b,
            "t-short",
            stored[..stored.len() - 20].to_vec(),
            meta.clone(),
        )
        .await;
        assert!(
            enc.get_object(&b, "t-short", None).await.is_err(),
            "{mode:?} truncation"
        );
        if mode != ContentMode::Compatible {
            assert!(enc
                .get_object(&b, "t-short", Some(ByteRange::Suffix { len: 10 }))
                .await
                .is_err());
        }
    }
}

#[tokio::test]
async fn plain_objects_are_refused_unless_allowed() {
    let server = Server::start();
    let c = client(&server.url);
    let b = bucket(&c).await;
    put_raw(&c, &b, "plain", b"not encrypted".to_vec(), vec![]).await;
    let enc = EncryptionClient::new(c.clone(), rsa());
    let err = enc.get_object(&b, "plain", None).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("no client-side encryption metadata"),
        "{err}"
    );
    let lenient = enc.clone().allow_unencrypted_reads(true);
    let got = lenient.get_object(&b, "plain", None).await.unwrap();
    assert_eq!(
        (got.data.as_ref(), got.encrypted),
        (&b"not encrypted"[..], false)
    );
    // Reserved metadata names cannot be smuggled in by the caller.
    let attrs = ObjectAttributes {
        metadata: vec![("client-side-encryption-key".into(), "x".into())],
        ..Default::default()
    };
    let err = enc
        .put_object(&b, "x", vec![1], &EncryptedPutOptions { attributes: attrs })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn multipart_upload_in_both_modes_with_parts_out_of_order() {
    let server = Server::start();
    let c = client(&server.url);
    let b = bucket(&c).await;
    let part = 128 * 1024;
    let plain = Rng(9).bytes(3 * part + 777);
    for mode in [ContentMode::Compatible, ContentMode::authenticated()] {
        let enc = EncryptionClient::new(c.clone(), rsa()).with_mode(mode.clone());
        let key = format!("mpu-{}", mode != ContentMode::Compatible);
        let upload = enc
            .initiate_multipart_upload(
                &b,
                &key,
                plain.len() as u64,
                part as u64,
                &ObjectAttributes::default(),
            )
            .await
            .unwrap();
        let mut results = Vec::new();
        for n in (1..=upload.part_count()).rev() {
            let (s, e) = upload.part_bounds(n).unwrap();
            results.push(
                enc.upload_part(&upload, n, plain[s as usize..e as usize].to_vec())
                    .await
                    .unwrap(),
            );
        }
        enc.complete_multipart_upload(&upload, &results)
            .await
            .unwrap();
        let got = enc.get_object(&b, &key, None).await.unwrap();
        assert!(got.data.as_ref() == &plain[..], "{mode:?}");
        let range = ByteRange::Bounded {
            start: part as u64 - 5,
            end: 2 * part as u64 + 5,
        };
        let got = enc.get_object(&b, &key, Some(range)).await.unwrap();
        assert!(got.data.as_ref() == &plain[part - 5..=2 * part + 5]);
        let head = enc.head_object(&b, &key).await.unwrap();
        assert_eq!(head.object_size, plain.len() as u64);
        let env = head.envelope.unwrap();
        assert!(
            env.part_size.is_some() && env.data_size.is_some(),
            "{env:?}"
        );
    }
}

#[tokio::test]
async fn upload_file_and_download_file_round_trip() {
    let server = Server::start();
    let c = client(&server.url);
    let b = bucket(&c).await;
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src.bin");
    let plain = Rng(77).bytes(3 * 1024 * 1024 + 12_345);
    std::fs::write(&src, &plain).unwrap();
    let up = EncryptedUploadOptions {
        part_size: 1024 * 1024,
        multipart_threshold: 1024 * 1024,
        parallel: 3,
        ..Default::default()
    };
    let down = EncryptedDownloadOptions {
        part_size: 700 * 1024,
        parallel: 3,
    };
    for mode in [ContentMode::Compatible, ContentMode::authenticated()] {
        let enc = EncryptionClient::new(c.clone(), rsa()).with_mode(mode.clone());
        let key = format!("file-{}", mode != ContentMode::Compatible);
        let r = enc.upload_file(&b, &key, &src, &up).await.unwrap();
        assert_eq!((r.size, r.part_count), (plain.len() as u64, 4));
        let dst = dir.path().join(format!("{key}.out"));
        let d = enc.download_file(&b, &key, &dst, &down).await.unwrap();
        assert_eq!(d.size, plain.len() as u64);
        assert!(std::fs::read(&dst).unwrap() == plain, "{mode:?}");
        // Small files go in one PutObject (compatible mode stores the plaintext MD5).
        let small = dir.path().join("small.bin");
        std::fs::write(&small, &plain[..5000]).unwrap();
        enc.upload_file(&b, "small", &small, &up).await.unwrap();
        let dst = dir.path().join("small.out");
        enc.download_file(&b, "small", &dst, &down).await.unwrap();
        assert_eq!(std::fs::read(&dst).unwrap(), &plain[..5000]);
        // A tampered object fails the download and leaves no file behind.
        let (mut stored, meta) = get_raw(&c, &b, "small").await;
        stored[10] ^= 0xff;
        put_raw(&c, &b, "small-bad", stored, meta).await;
        let bad = dir.path().join("bad.out");
        let err = enc
            .download_file(&b, "small-bad", &bad, &down)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Crypto, "{mode:?}: {err}");
        assert!(!bad.exists());
    }
}

#[tokio::test]
async fn the_wrong_key_cannot_read_and_a_public_key_can_write() {
    let server = Server::start();
    let c = client(&server.url);
    let b = bucket(&c).await;
    let writer = RsaMasterKey::from_pem(Some(&pem("rsa2048_A.public_spki.pem")), None).unwrap();
    let enc = EncryptionClient::new(c.clone(), Arc::new(writer));
    enc.put_object(&b, "k", b"secret".to_vec(), &EncryptedPutOptions::default())
        .await
        .unwrap();
    assert!(enc
        .get_object(&b, "k", None)
        .await
        .unwrap_err()
        .to_string()
        .contains("private key"));
    let other = RsaMasterKey::from_pem(None, Some(&pem("rsa2048_B.private_pkcs8.pem"))).unwrap();
    let err = EncryptionClient::new(c.clone(), Arc::new(other))
        .get_object(&b, "k", None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Crypto);
    assert_eq!(
        EncryptionClient::new(c.clone(), rsa())
            .get_object(&b, "k", None)
            .await
            .unwrap()
            .data
            .as_ref(),
        b"secret"
    );
}

#[tokio::test]
async fn failed_upload_file_aborts_its_multipart_upload() {
    use client_support::proxy::{Fault, Proxy};
    let server = Server::start();
    let proxy = Proxy::start(&server.url);
    let c = client(&server.url);
    let b = bucket(&c).await;
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src.bin");
    std::fs::write(&src, Rng(5).bytes(3 * 1024 * 1024)).unwrap();
    // Part 2 is cut off mid-body and retries are off: the upload fails.
    proxy.add("partNumber=2&", Fault::ResetRequestAfter(10), 1);
    let mut cfg = client_support::config(&proxy.url, ossbridge_core::signing::SignatureVersion::V4);
    cfg.retry = ossbridge_core::retry::RetryConfig::disabled();
    let enc = EncryptionClient::new(Client::new(cfg).unwrap(), rsa());
    let up = EncryptedUploadOptions {
        part_size: 1024 * 1024,
        multipart_threshold: 1024 * 1024,
        parallel: 1,
        ..Default::default()
    };
    let err = enc.upload_file(&b, "f", &src, &up).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    // The upload was aborted: no parts (no storage) left behind under its id.
    let upload_id = proxy
        .requests()
        .iter()
        .find_map(|line| {
            let id = line.split("uploadId=").nth(1)?;
            Some(id.split(['&', ' ']).next()?.to_string())
        })
        .expect("an UploadPart request");
    assert!(
        proxy
            .requests()
            .iter()
            .any(|line| line.starts_with("DELETE ") && line.contains(&upload_id)),
        "no AbortMultipartUpload in {:?}",
        proxy.requests()
    );
    let err = c
        .list_parts(&b, "f", &upload_id, &ListPartsOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchUpload"), "{err}");
}
