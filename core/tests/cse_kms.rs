//! Client-side encryption with a KMS master key against a real `ossbridge serve`: the
//! EncryptionClient over `HttpKmsProvider` (the server's RPC-style KMS API, signed with the
//! caller's keys), per-user kms:GenerateDataKey / kms:Decrypt enforcement, unknown keys,
//! and the RPC signature / timestamp checks of the KMS API itself.

#[path = "client_support/mod.rs"]
mod client_support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use ossbridge_core::credentials::{Credentials, StaticProvider};
use ossbridge_core::cse::*;
use ossbridge_core::model::PutBucketOptions;
use ossbridge_core::signing::rpc;
use ossbridge_core::{Client, ClientConfig, ErrorKind};

const CONFIG: &str = r#"
[[users]]
name = "writer-reader"
access_key_id = "AK-FULL"
access_key_secret = "full-secret"
allow = ["oss:*", "kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt", "kms:DescribeKey"]

[[users]]
name = "writer-only"
access_key_id = "AK-NODECRYPT"
access_key_secret = "nodecrypt-secret"
# CSE wraps the IV with kms:Encrypt, the data key with kms:GenerateDataKey.
allow = ["oss:*", "kms:GenerateDataKey:alias/cse-key", "kms:Encrypt:alias/cse-key"]
"#;

struct KmsServer {
    child: Child,
    url: String,
    key_id: String,
    _data: tempfile::TempDir,
}

impl Drop for KmsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> KmsServer {
    let bin = client_support::server_binary();
    assert!(
        bin.exists(),
        "{} is missing: run `make build`",
        bin.display()
    );
    let data = tempfile::tempdir().unwrap();
    let out = Command::new(&bin)
        .args([
            "kms",
            "create-key",
            "--alias",
            "alias/cse-key",
            "--data-dir",
        ])
        .arg(data.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key_id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let config = data.path().join("users.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let mut child = Command::new(&bin)
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .arg("--config")
        .arg(&config)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("listening on ")
        .unwrap()
        .trim()
        .to_string();
    std::thread::spawn(move || for _ in lines {});
    KmsServer {
        child,
        url,
        key_id,
        _data: data,
    }
}

fn credentials(id: &str, secret: &str) -> Credentials {
    Credentials::new(id, secret)
}

fn kms(url: &str, id: &str, secret: &str) -> Arc<HttpKmsProvider> {
    Arc::new(
        HttpKmsProvider::new(url, Arc::new(StaticProvider::new(credentials(id, secret)))).unwrap(),
    )
}

fn oss(url: &str, id: &str, secret: &str) -> Client {
    Client::new(
        ClientConfig::builder()
            .endpoint(url)
            .region(client_support::REGION)
            .credentials(credentials(id, secret))
            .build()
            .unwrap(),
    )
    .unwrap()
}

fn encryption_client(url: &str, id: &str, secret: &str, key: &str) -> EncryptionClient {
    let master = KmsMasterKey::new(kms(url, id, secret), key);
    EncryptionClient::new(oss(url, id, secret), Arc::new(master))
}

#[tokio::test]
async fn kms_master_key_round_trip_and_permissions() {
    let server = start();
    let full = encryption_client(&server.url, "AK-FULL", "full-secret", "alias/cse-key");
    let bucket = client_support::bucket_name("cse-kms");
    oss(&server.url, "AK-FULL", "full-secret")
        .put_bucket(&bucket, &PutBucketOptions::default())
        .await
        .unwrap();
    let plaintext = client_support::data(100_000, 7);

    for (key, mode) in [
        ("compat", ContentMode::Compatible),
        ("auth", ContentMode::Authenticated { segment_size: 4096 }),
    ] {
        let c = encryption_client(&server.url, "AK-FULL", "full-secret", "alias/cse-key")
            .with_mode(mode);
        c.put_object(
            &bucket,
            key,
            plaintext.clone(),
            &EncryptedPutOptions::default(),
        )
        .await
        .unwrap();
        let info = c.head_object(&bucket, key).await.unwrap();
        let envelope = info.envelope.expect("CSE metadata");
        let wrap_alg = info
            .meta
            .headers
            .iter()
            .find(|(k, _)| k == HEADER_WRAP_ALG)
            .map(|(_, v)| v.clone());
        assert_eq!(wrap_alg.as_deref(), Some(WRAP_ALG_KMS), "{envelope:?}");
        let got = c.get_object(&bucket, key, None).await.unwrap();
        assert_eq!(&got.data[..], &plaintext[..], "{key}: whole read");
        let ranged = c
            .get_object(
                &bucket,
                key,
                Some(ByteRange::Bounded {
                    start: 1000,
                    end: 5999,
                }),
            )
            .await
            .unwrap();
        assert_eq!(
            &ranged.data[..],
            &plaintext[1000..6000],
            "{key}: ranged read"
        );
    }
    // The stored bytes are not the plaintext.
    let raw = oss(&server.url, "AK-FULL", "full-secret")
        .get_object(&bucket, "compat", &Default::default())
        .await
        .unwrap();
    assert_ne!(&raw.data[..], &plaintext[..]);

    // A user allowed to GenerateDataKey but not Decrypt can write but never read.
    let writer = encryption_client(
        &server.url,
        "AK-NODECRYPT",
        "nodecrypt-secret",
        "alias/cse-key",
    );
    writer
        .put_object(
            &bucket,
            "by-writer",
            plaintext.clone(),
            &EncryptedPutOptions::default(),
        )
        .await
        .unwrap();
    for key in ["by-writer", "compat"] {
        let e = writer.get_object(&bucket, key, None).await.unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::Service | ErrorKind::Crypto),
            "{key}: {e:?}"
        );
        assert!(
            e.to_string().contains("Forbidden.NoPermission")
                || e.service_error()
                    .is_some_and(|s| s.code == "Forbidden.NoPermission"),
            "{key}: {e}"
        );
    }
    // ... and the full user reads what the writer wrote.
    let got = full.get_object(&bucket, "by-writer", None).await.unwrap();
    assert_eq!(&got.data[..], &plaintext[..]);

    // An unknown key id fails clearly on write, and nothing is stored.
    let unknown = encryption_client(&server.url, "AK-FULL", "full-secret", "no-such-key");
    let e = unknown
        .put_object(
            &bucket,
            "unknown",
            b"x".to_vec(),
            &EncryptedPutOptions::default(),
        )
        .await
        .unwrap_err();
    let service = e.service_error().expect("service error");
    assert_eq!(service.code, "Forbidden.KeyNotFound", "{e}");
    assert_eq!(service.status, 404);
    assert!(e.to_string().contains("no-such-key"), "{e}");
    // The writer has GenerateDataKey only on alias/cse-key (by alias), so the key id works too.
    let by_id = encryption_client(
        &server.url,
        "AK-NODECRYPT",
        "nodecrypt-secret",
        &server.key_id,
    );
    by_id
        .put_object(
            &bucket,
            "by-id",
            b"y".to_vec(),
            &EncryptedPutOptions::default(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn kms_api_checks_signature_timestamp_and_context() {
    let server = start();
    let full = kms(&server.url, "AK-FULL", "full-secret");
    let (plain, blob) = full.generate_data_key(&server.key_id).await.unwrap();
    assert_eq!(full.decrypt(&blob).await.unwrap().as_str(), plain.as_str());
    let blob2 = full.encrypt("alias/cse-key", "hello text").await.unwrap();
    assert_eq!(full.decrypt(&blob2).await.unwrap().as_str(), "hello text");
    let described = full
        .call("DescribeKey", &[("KeyId", "alias/cse-key")])
        .await
        .unwrap();
    assert_eq!(described["KeyMetadata"]["KeyId"], server.key_id.as_str());

    // A different EncryptionContext cannot decrypt.
    let ctx = std::collections::BTreeMap::from([("purpose".to_string(), "test".to_string())]);
    let with_ctx = HttpKmsProvider::new(
        &server.url,
        Arc::new(StaticProvider::new(credentials("AK-FULL", "full-secret"))),
    )
    .unwrap()
    .with_encryption_context(&ctx);
    let blob3 = with_ctx.encrypt("alias/cse-key", "bound").await.unwrap();
    assert_eq!(with_ctx.decrypt(&blob3).await.unwrap().as_str(), "bound");
    let e = full.decrypt(&blob3).await.unwrap_err();
    assert_eq!(e.service_error().unwrap().code, "InvalidCiphertext", "{e}");

    // Wrong secret: signature rejected, with the server's string to sign.
    let wrong = kms(&server.url, "AK-FULL", "not-the-secret");
    let e = wrong.generate_data_key("alias/cse-key").await.unwrap_err();
    assert_eq!(
        e.service_error().unwrap().code,
        "IncompleteSignature",
        "{e}"
    );
    let e = kms(&server.url, "AK-NOBODY", "x")
        .decrypt(&blob)
        .await
        .unwrap_err();
    assert_eq!(
        e.service_error().unwrap().code,
        "InvalidAccessKeyId.NotFound",
        "{e}"
    );

    // A hand-signed request an hour old is refused; the same one signed now passes.
    let http = reqwest::Client::new();
    for (age, expect_ok) in [(3600u64, false), (0, true)] {
        let ts = rpc::timestamp(std::time::SystemTime::now() - std::time::Duration::from_secs(age));
        let mut params = vec![
            ("Action", "DescribeKey"),
            ("KeyId", "alias/cse-key"),
            ("Format", "JSON"),
            ("Version", "2016-01-20"),
            ("AccessKeyId", "AK-FULL"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("SignatureNonce", "n-1"),
            ("Timestamp", ts.as_str()),
        ];
        let sig = rpc::sign("GET", params.iter().copied(), "full-secret");
        params.push(("Signature", &sig));
        let query: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k}={}", rpc::percent_encode(v)))
            .collect();
        let resp = http
            .get(format!("{}/?{}", server.url, query.join("&")))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let json: serde_json::Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
        if expect_ok {
            assert_eq!(status, 200, "{json}");
        } else {
            assert_eq!(status, 400, "{json}");
            assert_eq!(json["Code"], "InvalidTimeStamp.Expired");
            assert!(json["RequestId"].as_str().is_some_and(|r| !r.is_empty()));
        }
    }
}
