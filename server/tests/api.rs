//! Object and bucket operations through the real server binary, signed with V1 and V4.

mod common;

use common::*;

#[tokio::test]
async fn put_get_head_delete_with_v1_and_v4() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    for version in [Version::V1, Version::V4] {
        let c = server.client(version);
        let bucket = format!("api-{}", format!("{version:?}").to_lowercase());
        c.create_bucket(&bucket).await;
        let body = data(300_000, 1);
        let key = "dir/ä b+c~d*e.bin";
        let put = c
            .put(
                &bucket,
                key,
                body.clone(),
                &[
                    ("content-type", "text/plain"),
                    ("x-oss-meta-owner", "alice"),
                ],
            )
            .await;
        put.expect(200);
        assert_eq!(
            put.header("x-oss-hash-crc64ecma"),
            Some(crc(&body).as_str())
        );
        let md5hex = hex::encode_upper(<md5::Md5 as md5::Digest>::digest(&body));
        assert_eq!(put.header("etag"), Some(format!("\"{md5hex}\"").as_str()));
        assert!(put.header("x-oss-request-id").is_some());
        let got = c.get(&bucket, key, &[]).await;
        got.expect(200);
        assert_eq!(got.body.as_ref(), &body[..]);
        assert_eq!(got.header("x-oss-meta-owner"), Some("alice"));
        assert_eq!(got.header("content-type"), Some("text/plain"));
        assert_eq!(
            got.header("x-oss-hash-crc64ecma"),
            Some(crc(&body).as_str())
        );
        let ranged = c.get(&bucket, key, &[("range", "bytes=100-199")]).await;
        ranged.expect(206);
        assert_eq!(ranged.body.as_ref(), &body[100..200]);
        assert_eq!(ranged.header("content-range"), Some("bytes 100-199/300000"));
        let suffix = c.get(&bucket, key, &[("range", "bytes=-10")]).await;
        assert_eq!(suffix.body.as_ref(), &body[body.len() - 10..]);
        let head = c
            .send(Req::new("HEAD", Some(&bucket), Some(key)), Vec::new())
            .await;
        head.expect(200);
        assert_eq!(head.header("content-length"), Some("300000"));
        let etag = head.header("etag").unwrap().to_string();
        c.get(&bucket, key, &[("if-none-match", &etag)])
            .await
            .expect(304);
        c.get(&bucket, key, &[("if-match", "\"nope\"")])
            .await
            .expect_error(412, "PreconditionFailed");
        c.send(Req::new("DELETE", Some(&bucket), Some(key)), Vec::new())
            .await
            .expect(204);
        c.get(&bucket, key, &[])
            .await
            .expect_error(404, "NoSuchKey");
        let head = c
            .send(Req::new("HEAD", Some(&bucket), Some(key)), Vec::new())
            .await;
        assert_eq!(head.status, 404);
        assert!(
            head.header("x-oss-err").is_some(),
            "HEAD errors carry x-oss-err"
        );
    }
}

#[tokio::test]
async fn listing_multipart_append_and_copy() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let c = server.client(Version::V4);
    c.create_bucket("lists").await;
    for key in ["a/1", "a/2", "b/1", "c", "d"] {
        c.put("lists", key, key.as_bytes().to_vec(), &[])
            .await
            .expect(200);
    }
    let list = c
        .send(
            Req::new("GET", Some("lists"), None)
                .q("delimiter", "/")
                .q("max-keys", "2"),
            Vec::new(),
        )
        .await;
    list.expect(200);
    assert_eq!(list.xml("IsTruncated").as_deref(), Some("true"));
    assert_eq!(list.xml("NextMarker").as_deref(), Some("b/"));
    let next = c
        .send(
            Req::new("GET", Some("lists"), None)
                .q("delimiter", "/")
                .q("marker", "b/"),
            Vec::new(),
        )
        .await;
    assert_eq!(next.xml("Key").as_deref(), Some("c"));
    let v2 = c
        .send(
            Req::new("GET", Some("lists"), None)
                .q("list-type", "2")
                .q("prefix", "a/")
                .q("max-keys", "1"),
            Vec::new(),
        )
        .await;
    assert_eq!(v2.xml("KeyCount").as_deref(), Some("1"));
    let token = v2.xml("NextContinuationToken").unwrap();
    let v2b = c
        .send(
            Req::new("GET", Some("lists"), None)
                .q("list-type", "2")
                .q("prefix", "a/")
                .q("continuation-token", &token),
            Vec::new(),
        )
        .await;
    assert_eq!(v2b.xml("Key").as_deref(), Some("a/2"));

    // Multipart: two parts, CRC combined, ETag with part count.
    let init = c
        .send(
            Req::new("POST", Some("lists"), Some("mp")).q("uploads", ""),
            Vec::new(),
        )
        .await;
    init.expect(200);
    let upload_id = init.xml("UploadId").unwrap();
    let p1 = data(200 * 1024, 2);
    let p2 = data(1000, 3);
    let mut etags = Vec::new();
    for (n, p) in [(1, &p1), (2, &p2)] {
        let r = c
            .send(
                Req::new("PUT", Some("lists"), Some("mp"))
                    .q("partNumber", &n.to_string())
                    .q("uploadId", &upload_id),
                p.clone(),
            )
            .await;
        r.expect(200);
        assert_eq!(r.header("x-oss-hash-crc64ecma"), Some(crc(p).as_str()));
        etags.push(r.header("etag").unwrap().to_string());
    }
    let parts = c
        .send(
            Req::new("GET", Some("lists"), Some("mp")).q("uploadId", &upload_id),
            Vec::new(),
        )
        .await;
    assert_eq!(parts.xml("Size").as_deref(), Some("204800"));
    let xml = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{}</ETag></Part><Part><PartNumber>2</PartNumber><ETag>{}</ETag></Part></CompleteMultipartUpload>",
        etags[0], etags[1]
    );
    let done = c
        .send(
            Req::new("POST", Some("lists"), Some("mp")).q("uploadId", &upload_id),
            xml,
        )
        .await;
    done.expect(200);
    let whole: Vec<u8> = [p1.clone(), p2.clone()].concat();
    assert_eq!(
        done.header("x-oss-hash-crc64ecma"),
        Some(crc(&whole).as_str())
    );
    assert!(
        done.xml("ETag").unwrap().ends_with("-2&quot;") || done.xml("ETag").unwrap().contains("-2")
    );
    assert_eq!(c.get("lists", "mp", &[]).await.body.as_ref(), &whole[..]);

    // UploadPartCopy: ETag in the header (oss2 reads it there) and in the body.
    let init = c
        .send(
            Req::new("POST", Some("lists"), Some("mpc")).q("uploads", ""),
            Vec::new(),
        )
        .await;
    let idc = init.xml("UploadId").unwrap();
    let pc = c
        .send(
            Req::new("PUT", Some("lists"), Some("mpc"))
                .q("partNumber", "1")
                .q("uploadId", &idc)
                .h("x-oss-copy-source", "/lists/mp")
                .h("x-oss-copy-source-range", "bytes=10-1009"),
            Vec::new(),
        )
        .await;
    pc.expect(200);
    let md5hex = hex::encode_upper(<md5::Md5 as md5::Digest>::digest(&whole[10..1010]));
    assert_eq!(pc.header("etag"), Some(format!("\"{md5hex}\"").as_str()));
    assert_eq!(
        pc.header("x-oss-hash-crc64ecma"),
        Some(crc(&whole[10..1010]).as_str())
    );

    // Any range on an empty object is 416.
    c.put("lists", "empty", Vec::new(), &[]).await.expect(200);
    c.get("lists", "empty", &[("range", "bytes=0-5")])
        .await
        .expect_error(416, "InvalidRange");

    // Bad completes.
    let init = c
        .send(
            Req::new("POST", Some("lists"), Some("mp2")).q("uploads", ""),
            Vec::new(),
        )
        .await;
    let id2 = init.xml("UploadId").unwrap();
    c.send(
        Req::new("POST", Some("lists"), Some("mp2")).q("uploadId", &id2),
        "<Complete",
    )
    .await
    .expect_error(400, "MalformedXML");
    c.send(
        Req::new("PUT", Some("lists"), Some("mp2"))
            .q("partNumber", "10001")
            .q("uploadId", &id2),
        "x",
    )
    .await
    .expect_error(400, "InvalidArgument");
    c.send(
        Req::new("DELETE", Some("lists"), Some("mp2")).q("uploadId", &id2),
        Vec::new(),
    )
    .await
    .expect(204);
    c.send(
        Req::new("DELETE", Some("lists"), Some("mp2")).q("uploadId", &id2),
        Vec::new(),
    )
    .await
    .expect_error(404, "NoSuchUpload");

    // Append: position checks and combined CRC.
    let a1 = c
        .send(
            Req::new("POST", Some("lists"), Some("app"))
                .q("append", "")
                .q("position", "0"),
            "hello ",
        )
        .await;
    a1.expect(200);
    assert_eq!(a1.header("x-oss-next-append-position"), Some("6"));
    c.send(
        Req::new("POST", Some("lists"), Some("app"))
            .q("append", "")
            .q("position", "0"),
        "x",
    )
    .await
    .expect_error(409, "PositionNotEqualToLength");
    let a2 = c
        .send(
            Req::new("POST", Some("lists"), Some("app"))
                .q("append", "")
                .q("position", "6"),
            "world",
        )
        .await;
    assert_eq!(
        a2.header("x-oss-hash-crc64ecma"),
        Some(crc(b"hello world").as_str())
    );
    assert_eq!(
        c.get("lists", "app", &[]).await.body.as_ref(),
        b"hello world"
    );

    // Copy with metadata directive.
    c.put(
        "lists",
        "src",
        b"copy me".to_vec(),
        &[("x-oss-meta-k", "v")],
    )
    .await
    .expect(200);
    c.send(
        Req::new("PUT", Some("lists"), Some("dst")).h("x-oss-copy-source", "/lists/src"),
        Vec::new(),
    )
    .await
    .expect(200);
    let dst = c.get("lists", "dst", &[]).await;
    assert_eq!(dst.body.as_ref(), b"copy me");
    assert_eq!(dst.header("x-oss-meta-k"), Some("v"));

    // Batch delete with encoding-type=url: request keys are raw, response keys encoded.
    c.put("lists", "percent%20and%2Fslash+", b"p".to_vec(), &[])
        .await
        .expect(200);
    let del = c
        .send(
            Req::new("POST", Some("lists"), None)
                .q("delete", "")
                .q("encoding-type", "url"),
            "<Delete><Object><Key>percent%20and%2Fslash+</Key></Object></Delete>",
        )
        .await;
    assert!(
        del.text()
            .contains("<Key>percent%2520and%252Fslash%2B</Key>"),
        "{}",
        del.text()
    );
    c.get("lists", "percent%20and%2Fslash+", &[])
        .await
        .expect_error(404, "NoSuchKey");
    // Batch delete.
    let del = c
        .send(
            Req::new("POST", Some("lists"), None).q("delete", ""),
            "<Delete><Quiet>false</Quiet><Object><Key>c</Key></Object><Object><Key>d</Key></Object></Delete>",
        )
        .await;
    del.expect(200);
    assert!(del.text().contains("<Key>d</Key>"));
    c.get("lists", "c", &[])
        .await
        .expect_error(404, "NoSuchKey");
    c.send(Req::new("DELETE", Some("lists"), None), Vec::new())
        .await
        .expect_error(409, "BucketNotEmpty");
}

#[tokio::test]
async fn bad_input_and_unimplemented_operations() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let c = server.client(Version::V4);
    c.send(Req::new("PUT", Some("Bad_Name"), None), Vec::new())
        .await
        .expect_error(400, "InvalidBucketName");
    c.create_bucket("bad").await;
    c.send(Req::new("PUT", Some("bad"), None), Vec::new())
        .await
        .expect_error(409, "BucketAlreadyExists");
    let cors = c
        .send(Req::new("GET", Some("bad"), None).q("cors", ""), Vec::new())
        .await;
    cors.expect_error(501, "NotImplemented");
    assert!(cors.text().contains("GetBucketCors"));
    c.put(
        "bad",
        "k",
        b"abc".to_vec(),
        &[("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==")],
    )
    .await
    .expect_error(400, "InvalidDigest");
    c.send(
        Req::new("PUT", Some("bad"), None).q("encryption", ""),
        "<ServerSideEncryptionRule><Appl",
    )
    .await
    .expect_error(400, "MalformedXML");
    // A key that looks like a path never escapes the data dir (sent raw: HTTP clients
    // would normalise the dot segments away).
    c.send(
        Req::new("PUT", Some("bad"), None)
            .q("acl", "")
            .h("x-oss-acl", "public-read-write"),
        Vec::new(),
    )
    .await
    .expect(200);
    let addr = server.endpoint.trim_start_matches("http://").to_string();
    let raw = format!("PUT /bad/../../../../tmp/evil-ossbridge HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx");
    let reply = raw_http(&addr, raw.as_bytes());
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(!std::path::Path::new("/tmp/evil-ossbridge").exists());
    // Over 5 GiB is refused from Content-Length alone, without waiting for the body.
    for expect in ["Expect: 100-continue\r\n", ""] {
        let raw = format!(
            "PUT /bad/huge HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 5368709121\r\n{expect}\r\n"
        );
        let reply = raw_http(&addr, raw.as_bytes());
        assert!(reply.starts_with("HTTP/1.1 400"), "{reply}");
        assert!(reply.contains("<Code>EntityTooLarge</Code>"), "{reply}");
    }
    // An empty chunked body on a body-less operation, its terminator sent late: the
    // connection stays usable for the next request (GoV2 does this).
    {
        use std::io::Write;
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        let head = format!("POST /bad/chunked?uploads HTTP/1.1\r\nHost: {addr}\r\nTransfer-Encoding: chunked\r\n\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        stream.write_all(b"0\r\n\r\n").unwrap();
        let first = read_response(&mut stream);
        assert!(
            first.starts_with("HTTP/1.1 200")
                && !first.to_lowercase().contains("connection: close"),
            "{first}"
        );
        stream
            .write_all(format!("GET /bad/chunked HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
            .unwrap();
        let second = read_response(&mut stream);
        assert!(second.starts_with("HTTP/1.1 404"), "{second}");
    }
    let list = c.send(Req::new("GET", Some("bad"), None), Vec::new()).await;
    assert!(
        list.text()
            .contains("<Key>../../../../tmp/evil-ossbridge</Key>"),
        "{}",
        list.text()
    );
    c.get("nobucket", "k", &[])
        .await
        .expect_error(404, "NoSuchBucket");
}

fn raw_http(addr: &str, request: &[u8]) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(request).unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).unwrap();
    out
}

#[tokio::test]
async fn client_side_encryption_multipart_checks() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let c = server.client(Version::V4);
    c.create_bucket("cse").await;
    let envelope = |r: Req<'static>| {
        r.h("x-oss-meta-client-side-encryption-key", "a2V5")
            .h("x-oss-meta-client-side-encryption-start", "c3RhcnQ=")
            .h(
                "x-oss-meta-client-side-encryption-cek-alg",
                "AES/CTR/NoPadding",
            )
            .h(
                "x-oss-meta-client-side-encryption-wrap-alg",
                "RSA/NONE/PKCS1Padding",
            )
    };
    let init = |r: Req<'static>| r.q("uploads", "");
    // Missing envelope field, bad part size.
    let r = c
        .send(
            init(
                Req::new("POST", Some("cse"), Some("m"))
                    .h("x-oss-meta-client-side-encryption-key", "a2V5"),
            ),
            Vec::new(),
        )
        .await;
    r.expect_error(400, "InvalidEncryptionRequest");
    let r = c
        .send(
            init(envelope(Req::new("POST", Some("cse"), Some("m"))))
                .h("x-oss-meta-client-side-encryption-part-size", "100001"),
            Vec::new(),
        )
        .await;
    r.expect_error(400, "InvalidEncryptionRequest");
    // A valid context: 2 parts of 102400 (+ a short last one would make 3).
    let part_size = 102_400usize;
    let data_size = part_size + 1000;
    let ok = c
        .send(
            init(envelope(Req::new("POST", Some("cse"), Some("m"))))
                .h(
                    "x-oss-meta-client-side-encryption-part-size",
                    &part_size.to_string(),
                )
                .h(
                    "x-oss-meta-client-side-encryption-data-size",
                    &data_size.to_string(),
                ),
            Vec::new(),
        )
        .await;
    ok.expect(200);
    let id = ok.xml("UploadId").unwrap();
    let part = |n: u32| {
        Req::new("PUT", Some("cse"), Some("m"))
            .q("partNumber", &n.to_string())
            .q("uploadId", &id)
    };
    c.send(part(3), vec![0u8; 10])
        .await
        .expect_error(400, "InvalidEncryptionRequest");
    let e1 = c
        .send(part(1), vec![1u8; part_size])
        .await
        .header("etag")
        .unwrap()
        .to_string();
    let e2 = c
        .send(part(2), vec![2u8; 999])
        .await
        .header("etag")
        .unwrap()
        .to_string();
    let listed = c
        .send(
            Req::new("GET", Some("cse"), Some("m")).q("uploadId", &id),
            Vec::new(),
        )
        .await;
    assert_eq!(
        listed.xml("ClientEncryptionPartSize").as_deref(),
        Some("102400")
    );
    assert_eq!(
        listed.xml("ClientEncryptionCekAlg").as_deref(),
        Some("AES/CTR/NoPadding")
    );
    let complete = |e2: &str| {
        format!("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{e1}</ETag></Part><Part><PartNumber>2</PartNumber><ETag>{e2}</ETag></Part></CompleteMultipartUpload>")
    };
    // Total 103399 != data-size 103400.
    c.send(
        Req::new("POST", Some("cse"), Some("m")).q("uploadId", &id),
        complete(&e2),
    )
    .await
    .expect_error(400, "InvalidEncryptionRequest");
    let e2 = c
        .send(part(2), vec![2u8; 1000])
        .await
        .header("etag")
        .unwrap()
        .to_string();
    c.send(
        Req::new("POST", Some("cse"), Some("m")).q("uploadId", &id),
        complete(&e2),
    )
    .await
    .expect(200);
    // CopyObject may not change the envelope.
    let r = c
        .send(
            Req::new("PUT", Some("cse"), Some("m2"))
                .h("x-oss-copy-source", "/cse/m")
                .h("x-oss-metadata-directive", "REPLACE")
                .h("x-oss-meta-client-side-encryption-key", "b3RoZXI="),
            Vec::new(),
        )
        .await;
    r.expect_error(400, "InvalidEncryptionRequest");
}

/// Reads one HTTP/1.1 response with a Content-Length body.
fn read_response(stream: &mut std::net::TcpStream) -> String {
    use std::io::Read;
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        assert_eq!(
            stream.read(&mut byte).unwrap(),
            1,
            "connection closed: {}",
            String::from_utf8_lossy(&buf)
        );
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let len: usize = head
        .lines()
        .find_map(|l| {
            l.to_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap())
        })
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).unwrap();
    head + &String::from_utf8_lossy(&body)
}
