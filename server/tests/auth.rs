//! Authentication and authorisation failures against the real server.

mod common;

use common::*;
use ossbridge_core::credentials::Credentials;
use ossbridge_core::signing::{encode_query, v1, v4, SignableRequest};

const CONFIG: &str = r#"
[[users]]
name = "admin"
access_key_id = "LTAI5tTESTADMIN"
access_key_secret = "admin-secret-0123456789"

[[users]]
name = "reader"
access_key_id = "LTAI5tREADER"
access_key_secret = "reader-secret"
allow = ["oss:GetObject", "oss:ListObjects"]

[[sts]]
access_key_id = "STS.TEST"
access_key_secret = "sts-secret"
security_token = "CAIStoken+/abc=="
user = "admin"
expiration = "2099-01-01T00:00:00Z"

[[sts]]
access_key_id = "STS.OLD"
access_key_secret = "old-secret"
security_token = "old-token"
user = "admin"
expiration = "2020-01-01T00:00:00Z"
"#;

fn start(dir: &std::path::Path) -> Server {
    let config = dir.join("server.toml");
    std::fs::write(&config, CONFIG).unwrap();
    Server::start(&dir.join("data"), &["--config", config.to_str().unwrap()])
}

#[tokio::test]
async fn signature_failures() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let admin = server.client(Version::V4);
    admin.create_bucket("auth").await;
    admin
        .put("auth", "k", b"secret data".to_vec(), &[])
        .await
        .expect(200);

    for version in [Version::V1, Version::V4] {
        // Wrong secret: SignatureDoesNotMatch carrying the server's StringToSign.
        let bad = admin.with(Credentials::new(AK, "wrong-secret"), version);
        let r = bad.get("auth", "k", &[]).await;
        r.expect_error(403, "SignatureDoesNotMatch");
        let sts = r.xml("StringToSign").expect("StringToSign in the body");
        match version {
            Version::V1 => assert!(
                sts.starts_with("GET\n\n\n") && sts.ends_with("/auth/k"),
                "{sts:?}"
            ),
            _ => assert!(sts.starts_with("OSS4-HMAC-SHA256\n"), "{sts:?}"),
        }
        assert!(r.xml("SignatureProvided").is_some());

        // Unknown key id.
        let unknown = admin.with(Credentials::new("LTAInobody", "x"), version);
        unknown
            .get("auth", "k", &[])
            .await
            .expect_error(403, "InvalidAccessKeyId");

        // Clock skew over 15 minutes.
        let mut skewed = admin.with(Credentials::new(AK, SK), version);
        skewed.clock_offset_secs = 16 * 60;
        skewed
            .get("auth", "k", &[])
            .await
            .expect_error(403, "RequestTimeTooSkewed");
        skewed.clock_offset_secs = -16 * 60;
        skewed
            .get("auth", "k", &[])
            .await
            .expect_error(403, "RequestTimeTooSkewed");
        skewed.clock_offset_secs = 10 * 60;
        skewed.get("auth", "k", &[]).await.expect(200);

        // Presigned URLs: valid, tampered, expired.
        let c = admin.with(Credentials::new(AK, SK), version);
        let url = c.presign(Req::new("GET", Some("auth"), Some("k")), 600);
        assert_eq!(
            c.get_url(&url).await.expect(200).body.as_ref(),
            b"secret data"
        );
        let tampered = url.replace("/auth/k?", "/auth/k2?");
        c.get_url(&tampered)
            .await
            .expect_error(403, "SignatureDoesNotMatch");
        let expired = match version {
            Version::V1 => c.presign(Req::new("GET", Some("auth"), Some("k")), -10),
            _ => {
                let mut old = admin.with(Credentials::new(AK, SK), version);
                old.clock_offset_secs = -3600;
                old.presign(Req::new("GET", Some("auth"), Some("k")), 60)
            }
        };
        let r = c.get_url(&expired).await;
        r.expect_error(403, "AccessDenied");
        assert_eq!(r.xml("Message").as_deref(), Some("Request has expired."));

        // STS: the right token works, a wrong or missing one does not, an expired one neither.
        let sts = admin.with(
            Credentials::new("STS.TEST", "sts-secret").with_security_token("CAIStoken+/abc=="),
            version,
        );
        sts.get("auth", "k", &[]).await.expect(200);
        let url = sts.presign(Req::new("GET", Some("auth"), Some("k")), 600);
        sts.get_url(&url).await.expect(200);
        let wrong = admin.with(
            Credentials::new("STS.TEST", "sts-secret").with_security_token("forged"),
            version,
        );
        wrong
            .get("auth", "k", &[])
            .await
            .expect_error(403, "InvalidSecurityToken");
        let missing = admin.with(Credentials::new("STS.TEST", "sts-secret"), version);
        missing
            .get("auth", "k", &[])
            .await
            .expect_error(403, "InvalidAccessKeyId");
        let old = admin.with(
            Credentials::new("STS.OLD", "old-secret").with_security_token("old-token"),
            version,
        );
        old.get("auth", "k", &[])
            .await
            .expect_error(403, "SecurityTokenExpired");
    }

    // oss2's V4 layout: ", " separators and AdditionalHeaders after Signature.
    let mut req = SignableRequest::new("GET")
        .with_bucket("auth")
        .with_key("k")
        .with_header("Range", "bytes=0-5");
    let out = v4::sign_header(
        &mut req,
        &Credentials::new(AK, SK),
        "cn-hangzhou",
        "oss",
        std::time::SystemTime::now(),
        &["range".into()],
    );
    let auth = req.header("authorization").unwrap();
    let credential = auth
        .split("Credential=")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    let oss2_layout = format!(
        "OSS4-HMAC-SHA256 Credential={credential}, Signature={}, AdditionalHeaders=range",
        out.signature
    );
    let mut rb = admin.http.get(format!("{}/auth/k", server.endpoint));
    for (n, v) in &req.headers {
        if !n.eq_ignore_ascii_case("authorization") {
            rb = rb.header(n.as_str(), v.as_str());
        }
    }
    let r = rb
        .header("authorization", oss2_layout)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 206);
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"secret");

    // V1 sub-resources: the signed `acl` sub-resource is part of the string to sign.
    let mut req = SignableRequest::new("GET")
        .with_bucket("auth")
        .with_query("acl", "");
    v1::sign_header(
        &mut req,
        &Credentials::new(AK, SK),
        std::time::SystemTime::now(),
        &[],
    );
    let mut rb = admin.http.get(format!(
        "{}/auth/?{}",
        server.endpoint,
        encode_query(&[("acl".into(), "".into())])
    ));
    for (n, v) in &req.headers {
        rb = rb.header(n.as_str(), v.as_str());
    }
    assert_eq!(rb.send().await.unwrap().status().as_u16(), 200);
}

#[tokio::test]
async fn permissions_and_acl() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let admin = server.client(Version::V1);
    admin.create_bucket("perm").await;
    admin
        .put("perm", "k", b"data".to_vec(), &[])
        .await
        .expect(200);
    let reader = admin.with(
        Credentials::new("LTAI5tREADER", "reader-secret"),
        Version::V4,
    );
    reader.get("perm", "k", &[]).await.expect(200);
    reader
        .put("perm", "k2", b"x".to_vec(), &[])
        .await
        .expect_error(403, "AccessDenied");
    reader
        .send(Req::new("DELETE", Some("perm"), Some("k")), Vec::new())
        .await
        .expect_error(403, "AccessDenied");
    reader
        .send(Req::new("PUT", Some("perm2"), None), Vec::new())
        .await
        .expect_error(403, "AccessDenied");

    let anon = admin.with(Credentials::new("", ""), Version::Anonymous);
    anon.get("perm", "k", &[])
        .await
        .expect_error(403, "AccessDenied");
    anon.send(Req::new("GET", None, None), Vec::new())
        .await
        .expect_error(403, "AccessDenied");
    admin
        .send(
            Req::new("PUT", Some("perm"), None)
                .q("acl", "")
                .h("x-oss-acl", "public-read"),
            Vec::new(),
        )
        .await
        .expect(200);
    let acl = admin
        .send(Req::new("GET", Some("perm"), None).q("acl", ""), Vec::new())
        .await;
    assert_eq!(acl.xml("Grant").as_deref(), Some("public-read"));
    assert_eq!(
        anon.get("perm", "k", &[]).await.expect(200).body.as_ref(),
        b"data"
    );
    anon.put("perm", "k3", b"x".to_vec(), &[])
        .await
        .expect_error(403, "AccessDenied");
    // An object ACL overrides the bucket ACL for reads.
    admin
        .put(
            "perm",
            "private",
            b"p".to_vec(),
            &[("x-oss-object-acl", "private")],
        )
        .await
        .expect(200);
    anon.get("perm", "private", &[])
        .await
        .expect_error(403, "AccessDenied");
    admin
        .send(
            Req::new("PUT", Some("perm"), None)
                .q("acl", "")
                .h("x-oss-acl", "public-read-write"),
            Vec::new(),
        )
        .await
        .expect(200);
    anon.put("perm", "k3", b"x".to_vec(), &[]).await.expect(200);
    admin
        .send(
            Req::new("PUT", Some("perm"), None)
                .q("acl", "")
                .h("x-oss-acl", "bogus"),
            Vec::new(),
        )
        .await
        .expect_error(400, "InvalidArgument");
}

#[tokio::test]
async fn virtual_hosted_addressing() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let admin = server.client(Version::V4);
    admin.create_bucket("vhost").await;
    admin
        .put("vhost", "dir/k", b"hello".to_vec(), &[])
        .await
        .expect(200);
    // Signed for bucket `vhost`, key `dir/k`; sent as GET /dir/k with Host: vhost.oss-cn-hangzhou.aliyuncs.com.
    let mut req = SignableRequest::new("GET")
        .with_bucket("vhost")
        .with_key("dir/k");
    v4::sign_header(
        &mut req,
        &Credentials::new(AK, SK),
        "cn-hangzhou",
        "oss",
        std::time::SystemTime::now(),
        &[],
    );
    let mut rb = admin.http.get(format!("{}/dir/k", server.endpoint));
    for (n, v) in &req.headers {
        rb = rb.header(n.as_str(), v.as_str());
    }
    let r = rb
        .header("host", "vhost.oss-cn-hangzhou.aliyuncs.com")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"hello");
}
