//! Server-side encryption through the real server: methods, bucket rules, errors, KMS
//! permissions, ranged GETs of sealed segments, and a raw scan of the data dir.

mod common;

use common::*;
use ossbridge_core::credentials::Credentials;

const CONFIG: &str = r#"
[[users]]
name = "admin"
access_key_id = "LTAI5tTESTADMIN"
access_key_secret = "admin-secret-0123456789"
allow = ["oss:*", "kms:GenerateDataKey", "kms:Decrypt"]

[[users]]
name = "nodecrypt"
access_key_id = "LTAI5tNODECRYPT"
access_key_secret = "nodecrypt-secret"
allow = ["oss:*", "kms:GenerateDataKey"]
"#;

fn start(dir: &std::path::Path) -> Server {
    let config = dir.join("server.toml");
    std::fs::write(&config, CONFIG).unwrap();
    Server::start(&dir.join("data"), &["--config", config.to_str().unwrap()])
}

/// Distinctive plaintext: no 32-byte window repeats, so a hit in the raw scan is real.
fn marked(len: usize, seed: u64) -> Vec<u8> {
    data(len, seed)
}

#[tokio::test]
async fn sse_methods_rules_copy_multipart_append_and_scan() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    std::fs::create_dir_all(&data_dir).unwrap();
    let my_key = ossbridge_server::AppState::open_kms_only(&data_dir, None)
        .unwrap()
        .create_key(Some("alias/mine"))
        .unwrap();
    let server = start(dir.path());
    let c = server.client(Version::V4);
    c.create_bucket("sse").await;
    let mut sse_plaintexts: Vec<Vec<u8>> = Vec::new();

    // Each method by header.
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str, Option<&'a str>);
    let cases: Vec<Case> = vec![
        (
            "aes",
            vec![("x-oss-server-side-encryption", "AES256")],
            "AES256",
            None,
        ),
        (
            "sm4",
            vec![("x-oss-server-side-encryption", "SM4")],
            "SM4",
            None,
        ),
        (
            "kms",
            vec![("x-oss-server-side-encryption", "KMS")],
            "KMS",
            None,
        ),
        (
            "kms-sm4",
            vec![
                ("x-oss-server-side-encryption", "KMS"),
                ("x-oss-server-side-data-encryption", "SM4"),
            ],
            "KMS",
            Some("SM4"),
        ),
        (
            "kms-mine",
            vec![
                ("x-oss-server-side-encryption", "KMS"),
                ("x-oss-server-side-encryption-key-id", my_key.as_str()),
            ],
            "KMS",
            None,
        ),
    ];
    let mut default_key = None;
    for (i, (key, headers, alg, data_enc)) in cases.iter().enumerate() {
        let body = marked(200_000 + i * 777, 100 + i as u64);
        let put = c.put("sse", key, body.clone(), headers).await;
        put.expect(200);
        assert_eq!(
            put.header("x-oss-server-side-encryption"),
            Some(*alg),
            "{key}"
        );
        assert_eq!(
            put.header("x-oss-server-side-data-encryption"),
            *data_enc,
            "{key}"
        );
        if *alg == "KMS" {
            let id = put
                .header("x-oss-server-side-encryption-key-id")
                .expect("KMS echoes the key id")
                .to_string();
            if *key == "kms-mine" {
                assert_eq!(id, my_key);
            } else {
                assert_eq!(
                    default_key.get_or_insert(id.clone()),
                    &id,
                    "one default CMK"
                );
            }
        } else {
            assert_eq!(put.header("x-oss-server-side-encryption-key-id"), None);
        }
        let get = c.get("sse", key, &[]).await;
        get.expect(200);
        assert_eq!(get.body.as_ref(), &body[..], "{key}");
        assert_eq!(get.header("x-oss-server-side-encryption"), Some(*alg));
        assert_eq!(
            get.header("x-oss-hash-crc64ecma"),
            Some(crc(&body).as_str())
        );
        let head = c
            .send(Req::new("HEAD", Some("sse"), Some(key)), Vec::new())
            .await;
        assert_eq!(head.header("x-oss-server-side-encryption"), Some(*alg));
        assert_eq!(head.header("x-oss-server-side-data-encryption"), *data_enc);
        sse_plaintexts.push(body);
    }

    // Bucket rule applies without a header; the header beats it.
    c.send(
        Req::new("PUT", Some("sse"), None).q("encryption", ""),
        "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>KMS</SSEAlgorithm><KMSMasterKeyID></KMSMasterKeyID><KMSDataEncryption>SM4</KMSDataEncryption></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>",
    )
    .await
    .expect(200);
    let rule = c
        .send(
            Req::new("GET", Some("sse"), None).q("encryption", ""),
            Vec::new(),
        )
        .await;
    assert_eq!(rule.xml("SSEAlgorithm").as_deref(), Some("KMS"));
    assert_eq!(rule.xml("KMSDataEncryption").as_deref(), Some("SM4"));
    let info = c
        .send(
            Req::new("GET", Some("sse"), None).q("bucketInfo", ""),
            Vec::new(),
        )
        .await;
    assert_eq!(info.xml("SSEAlgorithm").as_deref(), Some("KMS"));
    let by_rule = marked(150_000, 7);
    let put = c.put("sse", "by-rule", by_rule.clone(), &[]).await;
    assert_eq!(put.header("x-oss-server-side-encryption"), Some("KMS"));
    assert_eq!(put.header("x-oss-server-side-data-encryption"), Some("SM4"));
    sse_plaintexts.push(by_rule);
    let put = c
        .put(
            "sse",
            "header-wins",
            marked(1000, 8),
            &[("x-oss-server-side-encryption", "AES256")],
        )
        .await;
    assert_eq!(put.header("x-oss-server-side-encryption"), Some("AES256"));
    sse_plaintexts.push(marked(1000, 8));

    // Multipart under the rule: parts and completion echo it; SSE headers there are rejected.
    let init = c
        .send(
            Req::new("POST", Some("sse"), Some("mp")).q("uploads", ""),
            Vec::new(),
        )
        .await;
    assert_eq!(init.header("x-oss-server-side-encryption"), Some("KMS"));
    let upload_id = init.xml("UploadId").unwrap();
    let part = |n: u32| {
        Req::new("PUT", Some("sse"), Some("mp"))
            .q("partNumber", &n.to_string())
            .q("uploadId", &upload_id)
    };
    c.send(part(1).h("x-oss-server-side-encryption", "KMS"), "x")
        .await
        .expect_error(400, "InvalidArgument");
    let p1 = marked(300_000, 9);
    let p2 = marked(70_001, 10);
    let r1 = c.send(part(1), p1.clone()).await;
    r1.expect(200);
    assert_eq!(r1.header("x-oss-server-side-encryption"), Some("KMS"));
    let r2 = c.send(part(2), p2.clone()).await;
    let complete = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{}</ETag></Part><Part><PartNumber>2</PartNumber><ETag>{}</ETag></Part></CompleteMultipartUpload>",
        r1.header("etag").unwrap(),
        r2.header("etag").unwrap()
    );
    c.send(
        Req::new("POST", Some("sse"), Some("mp"))
            .q("uploadId", &upload_id)
            .h("x-oss-server-side-encryption", "AES256"),
        complete.clone(),
    )
    .await
    .expect_error(400, "InvalidArgument");
    let done = c
        .send(
            Req::new("POST", Some("sse"), Some("mp")).q("uploadId", &upload_id),
            complete,
        )
        .await;
    done.expect(200);
    assert_eq!(done.header("x-oss-server-side-encryption"), Some("KMS"));
    let whole = [p1, p2].concat();
    assert_eq!(
        done.header("x-oss-hash-crc64ecma"),
        Some(crc(&whole).as_str())
    );
    // Hundreds of random ranges across segment and part boundaries.
    let mut seed = 12345u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..150 {
        let a = next() % whole.len() as u64;
        let b = (a + next() % 200_000).min(whole.len() as u64 - 1);
        let r = c
            .get("sse", "mp", &[("range", &format!("bytes={a}-{b}"))])
            .await;
        r.expect(206);
        assert_eq!(
            r.body.as_ref(),
            &whole[a as usize..=b as usize],
            "range {a}-{b}"
        );
        assert_eq!(
            r.header("x-oss-hash-crc64ecma"),
            Some(crc(&whole).as_str()),
            "whole-object CRC on ranges"
        );
    }
    for (i, obj) in ["aes", "sm4", "kms-sm4"].iter().enumerate() {
        let body = &sse_plaintexts[[0, 1, 3][i]];
        for _ in 0..50 {
            let a = next() % body.len() as u64;
            let b = (a + next() % 70_000).min(body.len() as u64 - 1);
            let r = c
                .get("sse", obj, &[("range", &format!("bytes={a}-{b}"))])
                .await;
            assert_eq!(
                r.body.as_ref(),
                &body[a as usize..=b as usize],
                "{obj} range {a}-{b}"
            );
        }
    }
    sse_plaintexts.push(whole);

    // Changing the rule never touches existing objects.
    c.send(
        Req::new("DELETE", Some("sse"), None).q("encryption", ""),
        Vec::new(),
    )
    .await
    .expect(204);
    c.send(
        Req::new("GET", Some("sse"), None).q("encryption", ""),
        Vec::new(),
    )
    .await
    .expect_error(404, "NoSuchServerSideEncryptionRule");
    let head = c
        .send(Req::new("HEAD", Some("sse"), Some("by-rule")), Vec::new())
        .await;
    assert_eq!(head.header("x-oss-server-side-encryption"), Some("KMS"));

    // Copy does not inherit; a header on copy encrypts the destination.
    // (The copy's plaintext lands on disk unencrypted, so its source is not in the scan list.)
    let copy_src = marked(5000, 13);
    c.put(
        "sse",
        "kms-copy-src",
        copy_src.clone(),
        &[("x-oss-server-side-encryption", "KMS")],
    )
    .await
    .expect(200);
    let copy = c
        .send(
            Req::new("PUT", Some("sse"), Some("copy-plain"))
                .h("x-oss-copy-source", "/sse/kms-copy-src"),
            Vec::new(),
        )
        .await;
    copy.expect(200);
    assert_eq!(copy.header("x-oss-server-side-encryption"), None);
    let got = c.get("sse", "copy-plain", &[]).await;
    assert_eq!(got.header("x-oss-server-side-encryption"), None);
    assert_eq!(got.body.as_ref(), &copy_src[..]);
    c.put(
        "sse",
        "plain",
        b"unencrypted-marker-0123456789-abcdefghijklmnopqrstuvwxyz".to_vec(),
        &[],
    )
    .await
    .expect(200);
    let copy = c
        .send(
            Req::new("PUT", Some("sse"), Some("plain"))
                .h("x-oss-copy-source", "/sse/plain")
                .h("x-oss-server-side-encryption", "SM4"),
            Vec::new(),
        )
        .await;
    assert_eq!(copy.header("x-oss-server-side-encryption"), Some("SM4"));
    c.put(
        "sse",
        "plain2",
        b"unencrypted-marker-0123456789-abcdefghijklmnopqrstuvwxyz!".to_vec(),
        &[],
    )
    .await
    .expect(200);

    // Append keeps the encryption of the first append.
    let a = c
        .send(
            Req::new("POST", Some("sse"), Some("app"))
                .q("append", "")
                .q("position", "0")
                .h("x-oss-server-side-encryption", "SM4"),
            marked(100_000, 11),
        )
        .await;
    assert_eq!(a.header("x-oss-server-side-encryption"), Some("SM4"));
    let b = c
        .send(
            Req::new("POST", Some("sse"), Some("app"))
                .q("append", "")
                .q("position", "100000"),
            marked(5000, 12),
        )
        .await;
    b.expect(200);
    assert_eq!(b.header("x-oss-server-side-encryption"), Some("SM4"));
    let app = [marked(100_000, 11), marked(5000, 12)].concat();
    assert_eq!(c.get("sse", "app", &[]).await.body.as_ref(), &app[..]);
    sse_plaintexts.push(app);

    // Raw scan: no 32-byte window of any SSE plaintext appears on disk; the plain object does.
    let mut raw = Vec::new();
    collect_files(&server.data_dir, &mut raw);
    let disk: Vec<u8> = raw
        .into_iter()
        .flat_map(|p| std::fs::read(p).unwrap_or_default())
        .collect();
    let found = |needle: &[u8]| disk.windows(needle.len()).any(|w| w == needle);
    assert!(
        found(b"unencrypted-marker-0123456789-abcdefghijklmnopqrstuvwxyz!"),
        "the scan sees plaintext of unencrypted objects"
    );
    for (i, p) in sse_plaintexts.iter().enumerate() {
        for offset in [0, p.len() / 3, p.len() / 2, p.len() - 32] {
            assert!(
                !found(&p[offset..offset + 32]),
                "plaintext of SSE object #{i} at {offset} found on disk"
            );
        }
    }
}

fn collect_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[tokio::test]
async fn sse_errors_and_kms_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let c = server.client(Version::V1);
    c.create_bucket("errs").await;
    let put = |headers: Vec<(&'static str, &'static str)>| {
        let c = &c;
        async move { c.put("errs", "k", b"x".to_vec(), &headers).await }
    };
    put(vec![("x-oss-server-side-encryption", "AES128")])
        .await
        .expect_error(400, "InvalidEncryptionAlgorithmError");
    put(vec![
        ("x-oss-server-side-encryption", "AES256"),
        ("x-oss-server-side-encryption-key-id", "abc"),
    ])
    .await
    .expect_error(400, "InvalidArgument");
    put(vec![
        ("x-oss-server-side-encryption", "KMS"),
        ("x-oss-server-side-encryption-key-id", "no-such-key"),
    ])
    .await
    .expect_error(400, "InvalidArgument");
    let rule = |alg: &str, key: &str| {
        format!("<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>{alg}</SSEAlgorithm><KMSMasterKeyID>{key}</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>")
    };
    c.send(
        Req::new("PUT", Some("errs"), None).q("encryption", ""),
        rule("random", ""),
    )
    .await
    .expect_error(400, "InvalidEncryptionAlgorithmError");
    c.send(
        Req::new("PUT", Some("errs"), None).q("encryption", ""),
        rule("AES256", "test"),
    )
    .await
    .expect_error(400, "InvalidArgument");
    c.send(
        Req::new("PUT", Some("errs"), None).q("encryption", ""),
        rule("KMS", "test_wrong"),
    )
    .await
    .expect(200);
    let got = c
        .send(
            Req::new("GET", Some("errs"), None).q("encryption", ""),
            Vec::new(),
        )
        .await;
    assert_eq!(got.xml("KMSMasterKeyID").as_deref(), Some("test_wrong"));
    c.send(
        Req::new("DELETE", Some("errs"), None).q("encryption", ""),
        Vec::new(),
    )
    .await
    .expect(204);

    // KMS reads need kms:Decrypt; anonymous readers never have it.
    put(vec![("x-oss-server-side-encryption", "KMS")])
        .await
        .expect(200);
    c.put(
        "errs",
        "oss",
        b"sse-oss".to_vec(),
        &[("x-oss-server-side-encryption", "AES256")],
    )
    .await
    .expect(200);
    let nodecrypt = c.with(
        Credentials::new("LTAI5tNODECRYPT", "nodecrypt-secret"),
        Version::V4,
    );
    nodecrypt
        .put(
            "errs",
            "written-by-nodecrypt",
            b"y".to_vec(),
            &[("x-oss-server-side-encryption", "KMS")],
        )
        .await
        .expect(200);
    let denied = nodecrypt.get("errs", "k", &[]).await;
    denied.expect_error(403, "AccessDenied");
    assert_eq!(
        denied.xml("Message").as_deref(),
        Some("This request is forbidden by kms.")
    );
    nodecrypt.get("errs", "oss", &[]).await.expect(200);
    c.send(
        Req::new("PUT", Some("errs"), None)
            .q("acl", "")
            .h("x-oss-acl", "public-read"),
        Vec::new(),
    )
    .await
    .expect(200);
    let anon = c.with(Credentials::new("", ""), Version::Anonymous);
    let denied = anon.get("errs", "k", &[]).await;
    denied.expect_error(403, "AccessDenied");
    assert_eq!(
        denied.xml("Message").as_deref(),
        Some("This request is forbidden by kms.")
    );
    assert_eq!(
        anon.get("errs", "oss", &[]).await.expect(200).body.as_ref(),
        b"sse-oss"
    );
    anon.put("errs", "anon-write", b"z".to_vec(), &[])
        .await
        .expect_error(403, "AccessDenied");
}
