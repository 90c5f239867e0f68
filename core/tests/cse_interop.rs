//! Interop with the official SDKs' client-side encryption, both directions, against a real
//! `ossbridge serve`: objects written by oss2 `CryptoBucket(RsaProvider)` and
//! alibabacloud-oss-v2 `EncryptionClient(MasterRsaCipher)` (PutObject and multipart) are
//! read by ossbridge whole and in random ranges; objects ossbridge writes are read by both
//! SDKs. Needs the pinned SDKs: run through tests/cse-interop/run.sh, which sets
//! CSE_INTEROP_PYTHON and runs this ignored test.

#[path = "client_support/mod.rs"]
mod client_support;
mod cse_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use client_support::{bucket_name, client, Server, ACCESS_KEY_ID, ACCESS_KEY_SECRET};
use cse_support::{random_range, vectors_dir, Rng};
use ossbridge_core::cse::{
    ContentMode, EncryptedDownloadOptions, EncryptedPutOptions, EncryptedUploadOptions,
    EncryptionClient,
};
use ossbridge_core::model::{ObjectAttributes, PutBucketOptions};

fn python() -> String {
    std::env::var("CSE_INTEROP_PYTHON")
        .expect("CSE_INTEROP_PYTHON (set by tests/cse-interop/run.sh)")
}

fn sdk(command: &str, server: &Server, bucket: &str, extra: &[&str]) -> String {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/cse-interop/sdk_cse.py");
    let out = Command::new(python())
        .arg(script)
        .arg(command)
        .args([
            "--endpoint",
            &server.url,
            "--bucket",
            bucket,
            "--ak",
            ACCESS_KEY_ID,
            "--sk",
            ACCESS_KEY_SECRET,
        ])
        .arg("--keys")
        .arg(vectors_dir().join("keys"))
        .args(extra)
        .output()
        .expect("running sdk_cse.py");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "sdk_cse.py {command} failed:\n{text}");
    text
}

#[tokio::test]
#[ignore = "needs the pinned Python SDKs: run tests/cse-interop/run.sh"]
async fn official_sdks_and_ossbridge_read_each_others_objects() {
    let server = Server::start();
    let c = client(&server.url);
    let bucket = bucket_name("cse-interop");
    c.put_bucket(&bucket, &PutBucketOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let enc = EncryptionClient::new(c.clone(), Arc::new(cse_support::rsa_a()));

    // 1. oss2 and alibabacloud-oss-v2 write; ossbridge reads.
    let sdk_dir = dir.path().join("sdk");
    let sdk_dir_s = sdk_dir.to_str().unwrap();
    println!("{}", sdk("write", &server, &bucket, &["--out", sdk_dir_s]));
    let manifest: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(sdk_dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest.len(), 7);
    let mut rng = Rng(31337);
    let mut ranges_checked = 0;
    for item in &manifest {
        let key = item["key"].as_str().unwrap();
        let plain = std::fs::read(item["plaintext"].as_str().unwrap()).unwrap();
        let got = enc.get_object(&bucket, key, None).await.unwrap();
        assert!(got.data.as_ref() == &plain[..], "{key}: whole object");
        assert_eq!(
            enc.head_object(&bucket, key).await.unwrap().object_size,
            plain.len() as u64
        );
        for _ in 0..60 {
            let range = random_range(&mut rng, plain.len() as u64);
            let want = cse_support::expected(&plain, &range);
            let got = enc
                .get_object(&bucket, key, Some(range))
                .await
                .ok()
                .map(|g| g.data.to_vec());
            assert!(got == want, "{key}: range {}", range.to_header());
            ranges_checked += 1;
        }
        let dst = dir.path().join(format!("{key}.down"));
        let down = EncryptedDownloadOptions {
            part_size: 64 * 1024,
            parallel: 3,
        };
        enc.download_file(&bucket, key, &dst, &down).await.unwrap();
        assert!(
            std::fs::read(&dst).unwrap() == plain,
            "{key}: download_file"
        );
    }
    println!("ossbridge read {} SDK-written objects whole, by download_file and in {ranges_checked} ranges", manifest.len());

    // 2. ossbridge writes (compatible format); both SDKs read.
    let ours = dir.path().join("ours");
    std::fs::create_dir_all(&ours).unwrap();
    let mut written = Vec::new();
    let mut record = |key: &str, plain: &[u8]| {
        let path = ours.join(key);
        std::fs::write(&path, plain).unwrap();
        written.push(serde_json::json!({"key": key, "plaintext": path.to_str().unwrap()}));
    };
    for (i, size) in [1usize, 1000, 300_001].into_iter().enumerate() {
        let key = format!("ossbridge-put-{size}");
        let plain = Rng(50 + i as u64).bytes(size);
        enc.put_object(
            &bucket,
            &key,
            plain.clone(),
            &EncryptedPutOptions::default(),
        )
        .await
        .unwrap();
        record(&key, &plain);
    }
    let part = 100 * 1024u64;
    let plain = Rng(60).bytes(3 * part as usize + 999);
    let upload = enc
        .initiate_multipart_upload(
            &bucket,
            "ossbridge-mpu",
            plain.len() as u64,
            part,
            &ObjectAttributes::default(),
        )
        .await
        .unwrap();
    let mut parts = Vec::new();
    for n in (1..=upload.part_count()).rev() {
        let (s, e) = upload.part_bounds(n).unwrap();
        parts.push(
            enc.upload_part(&upload, n, plain[s as usize..e as usize].to_vec())
                .await
                .unwrap(),
        );
    }
    enc.complete_multipart_upload(&upload, &parts)
        .await
        .unwrap();
    record("ossbridge-mpu", &plain);
    let file_plain = Rng(61).bytes(5 * part as usize + 3);
    let src = dir.path().join("upload.bin");
    std::fs::write(&src, &file_plain).unwrap();
    let up = EncryptedUploadOptions {
        part_size: part,
        multipart_threshold: part,
        parallel: 3,
        ..Default::default()
    };
    let r = enc
        .upload_file(&bucket, "ossbridge-upload-file", &src, &up)
        .await
        .unwrap();
    assert_eq!(r.part_count, 6);
    record("ossbridge-upload-file", &file_plain);
    let manifest_path = ours.join("manifest.json");
    std::fs::write(&manifest_path, serde_json::to_vec(&written).unwrap()).unwrap();
    println!(
        "{}",
        sdk(
            "read",
            &server,
            &bucket,
            &["--manifest", manifest_path.to_str().unwrap()]
        )
    );

    // The authenticated mode is ossbridge-only: the SDKs must refuse it, not mis-decrypt.
    let auth = EncryptionClient::new(c.clone(), Arc::new(cse_support::rsa_a()))
        .with_mode(ContentMode::authenticated());
    auth.put_object(
        &bucket,
        "ossbridge-authenticated",
        b"only ossbridge reads this".to_vec(),
        &EncryptedPutOptions::default(),
    )
    .await
    .unwrap();
    let refused = dir.path().join("refused.json");
    std::fs::write(
        &refused,
        serde_json::to_vec(&serde_json::json!([{"key": "ossbridge-authenticated", "plaintext": write_tmp(dir.path(), b"only ossbridge reads this")}]))
            .unwrap(),
    )
    .unwrap();
    let out = Command::new(python())
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/cse-interop/sdk_cse.py"))
        .args([
            "read",
            "--endpoint",
            &server.url,
            "--bucket",
            &bucket,
            "--ak",
            ACCESS_KEY_ID,
            "--sk",
            ACCESS_KEY_SECRET,
        ])
        .arg("--keys")
        .arg(vectors_dir().join("keys"))
        .arg("--manifest")
        .arg(&refused)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success() && !text.contains("differ from the plaintext"),
        "SDKs must fail closed:\n{text}"
    );
    println!("oss2 and alibabacloud-oss-v2 refuse authenticated-mode objects (fail closed)");
}

fn write_tmp(dir: &Path, bytes: &[u8]) -> String {
    let p = dir.join("auth-plain.bin");
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_string()
}
