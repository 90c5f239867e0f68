//! Durability and resource bounds: restart after SIGTERM and SIGKILL, SIGKILL during a
//! 200 MiB upload, and server RSS while streaming 1 GiB with SSE.

mod common;

use std::time::Duration;

use common::*;
use futures::StreamExt;

/// A streaming body of `total` bytes in 1 MiB pieces; `on_sent(mib)` runs after each piece.
fn stream_body(
    total_mib: usize,
    seed: u64,
    on_sent: impl Fn(usize) + Send + Sync + 'static,
) -> reqwest::Body {
    let piece = data(1024 * 1024, seed);
    let stream = futures::stream::iter(0..total_mib).map(move |i| {
        on_sent(i);
        Ok::<_, std::io::Error>(bytes::Bytes::from(piece.clone()))
    });
    reqwest::Body::wrap_stream(stream)
}

fn stream_crc(total_mib: usize, seed: u64) -> String {
    let piece = data(1024 * 1024, seed);
    let mut crc = ossbridge_core::crc64::Crc64::new();
    for _ in 0..total_mib {
        crc.update(&piece);
    }
    crc.value().to_string()
}

#[tokio::test]
async fn restart_after_sigterm_and_sigkill_serves_everything_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path(), &[]);
    let c = server.client(Version::V4);
    c.create_bucket("dur").await;
    let mut expected = Vec::new();
    for i in 0..5u64 {
        let body = data(50_000 + i as usize, i);
        let sse: &[(&str, &str)] = if i % 2 == 0 {
            &[("x-oss-server-side-encryption", "KMS")]
        } else {
            &[]
        };
        c.put("dur", &format!("obj-{i}"), body.clone(), sse)
            .await
            .expect(200);
        expected.push(body);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("master.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "generated master key is private");
    }
    let status = server.terminate();
    assert!(status.success(), "graceful exit on SIGTERM: {status:?}");

    let mut server = Server::start(dir.path(), &[]);
    let c = server.client(Version::V1);
    for (i, body) in expected.iter().enumerate() {
        assert_eq!(
            c.get("dur", &format!("obj-{i}"), &[])
                .await
                .expect(200)
                .body
                .as_ref(),
            &body[..]
        );
    }
    c.put(
        "dur",
        "after-restart",
        b"acknowledged".to_vec(),
        &[("x-oss-server-side-encryption", "SM4")],
    )
    .await
    .expect(200);
    server.kill();

    let server = Server::start(dir.path(), &[]);
    let c = server.client(Version::V4);
    assert_eq!(
        c.get("dur", "after-restart", &[])
            .await
            .expect(200)
            .body
            .as_ref(),
        b"acknowledged"
    );
    for (i, body) in expected.iter().enumerate() {
        let r = c.get("dur", &format!("obj-{i}"), &[]).await;
        assert_eq!(r.header("x-oss-hash-crc64ecma"), Some(crc(body).as_str()));
    }
}

#[tokio::test]
async fn sigkill_during_a_200_mib_upload_leaves_the_previous_version() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path(), &[]);
    let c = server.client(Version::V4);
    c.create_bucket("crash").await;
    let previous = data(123_456, 1);
    c.put("crash", "victim", previous.clone(), &[])
        .await
        .expect(200);
    let mut others = Vec::new();
    for i in 0..3u64 {
        let body = data(70_000, 10 + i);
        let headers: &[(&str, &str)] = if i == 0 {
            &[]
        } else {
            &[("x-oss-server-side-encryption", "AES256")]
        };
        c.put("crash", &format!("other-{i}"), body.clone(), headers)
            .await
            .expect(200);
        others.push(crc(&body));
    }

    // Stream 200 MiB into `victim` (and a fresh key, via a second connection) and kill
    // the server once 100 MiB are on the way.
    let pid = server.pid();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let killer = std::thread::spawn(move || {
        let _ = rx.recv_timeout(Duration::from_secs(300));
        let _ = std::process::Command::new("kill")
            .arg("-KILL")
            .arg(pid.to_string())
            .status();
    });
    let tx = std::sync::Mutex::new(Some(tx));
    let body = stream_body(200, 42, move |mib| {
        if mib == 100 {
            if let Some(tx) = tx.lock().unwrap().take() {
                let _ = tx.send(());
            }
        }
        if mib >= 100 {
            // Slow the rest down so the kill always lands mid-upload, even on a busy machine.
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let put =
        Req::new("PUT", Some("crash"), Some("victim")).h("x-oss-server-side-encryption", "KMS");
    let result = tokio::time::timeout(Duration::from_secs(300), c.try_send(put, body)).await;
    assert!(
        matches!(result, Ok(Err(_))),
        "the upload must fail when the server dies"
    );
    killer.join().unwrap();
    server.kill();

    let server = Server::start(dir.path(), &[]);
    let c = server.client(Version::V4);
    let got = c.get("crash", "victim", &[]).await;
    got.expect(200);
    assert_eq!(
        got.body.len(),
        previous.len(),
        "previous version, never a partial one"
    );
    assert_eq!(
        got.header("x-oss-hash-crc64ecma"),
        Some(crc(&previous).as_str())
    );
    assert_eq!(got.header("x-oss-server-side-encryption"), None);
    for (i, expected) in others.iter().enumerate() {
        let r = c.get("crash", &format!("other-{i}"), &[]).await;
        r.expect(200);
        assert_eq!(r.header("x-oss-hash-crc64ecma"), Some(expected.as_str()));
        assert_eq!(&crc(&r.body), expected, "other objects intact");
    }
    // The half-written upload left nothing behind.
    assert_eq!(
        std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
        0
    );
    let mut files = 0;
    for d in std::fs::read_dir(dir.path().join("objects")).unwrap() {
        files += std::fs::read_dir(d.unwrap().path()).unwrap().count();
    }
    assert_eq!(files, 4, "one data file per committed object");
}

fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap()
}

#[tokio::test]
async fn one_gib_sse_upload_and_download_stay_under_100_mib_rss() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let c = server.client(Version::V4);
    c.create_bucket("big").await;
    let mib = 1024;
    let put = Req::new("PUT", Some("big"), Some("gib")).h("x-oss-server-side-encryption", "KMS");
    let r = c.send(put, stream_body(mib, 7, |_| {})).await;
    r.expect(200);
    assert_eq!(
        r.header("x-oss-hash-crc64ecma"),
        Some(stream_crc(mib, 7).as_str())
    );
    // Stream the download, hashing as it arrives.
    let url = c.presign(Req::new("GET", Some("big"), Some("gib")), 600);
    let resp = c.http.get(url).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let mut crc64 = ossbridge_core::crc64::Crc64::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        crc64.update(&chunk.unwrap());
    }
    assert_eq!(crc64.len(), (mib * 1024 * 1024) as u64);
    assert_eq!(crc64.value().to_string(), stream_crc(mib, 7));
    let peak = peak_rss_kib(server.pid());
    eprintln!(
        "server peak RSS after 1 GiB up + down with SSE-KMS: {} MiB",
        peak / 1024
    );
    assert!(
        peak < 100 * 1024,
        "server peak RSS {peak} KiB exceeds 100 MiB"
    );
}

#[tokio::test]
async fn sigterm_lets_an_in_flight_upload_finish() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path(), &[]);
    let c = server.client(Version::V4);
    c.create_bucket("graceful").await;
    let pid = server.pid();
    // SIGTERM arrives while the 64 MiB body is still being sent.
    let body = stream_body(64, 5, move |mib| {
        if mib == 16 {
            let _ = std::process::Command::new("kill")
                .arg("-TERM")
                .arg(pid.to_string())
                .status();
        }
    });
    let put = Req::new("PUT", Some("graceful"), Some("inflight"))
        .h("x-oss-server-side-encryption", "AES256");
    let r = c
        .try_send(put, body)
        .await
        .expect("the in-flight upload completes");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("x-oss-hash-crc64ecma"),
        Some(stream_crc(64, 5).as_str())
    );
    assert!(server.wait().success(), "exit 0 after draining");
    let server = Server::start(dir.path(), &[]);
    let r = server
        .client(Version::V1)
        .send(
            Req::new("HEAD", Some("graceful"), Some("inflight")),
            Vec::new(),
        )
        .await;
    assert_eq!(
        r.header("x-oss-hash-crc64ecma"),
        Some(stream_crc(64, 5).as_str())
    );
}
