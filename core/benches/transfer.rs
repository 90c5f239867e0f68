//! Transfer benchmark: upload and download of one large object (1 GiB by default) through
//! the Rust client and through curl against the same `ossbridge serve`, plus the client's
//! peak RSS. Prints a table; asserts nothing about timing.
//!
//! `cargo bench -p ossbridge-core --bench transfer -- [--size-mib N] [--server PATH]`
//! (the server binary defaults to target/release/ossbridge, built by `make build`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ossbridge_core::credentials::Credentials;
use ossbridge_core::model::*;
use ossbridge_core::transfer::{DownloadFileOptions, UploadFileOptions};
use ossbridge_core::{Client, ClientConfig};

const ID: &str = "LTAI-bench";
const SECRET: &str = "bench-secret-0123456789";

struct Row {
    op: &'static str,
    tool: String,
    secs: f64,
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn make_file(path: &Path, size: u64) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut block = vec![0u8; 1 << 20];
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut written = 0;
    while written < size {
        for chunk in block.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
        }
        let n = (size - written).min(block.len() as u64) as usize;
        f.write_all(&block[..n]).unwrap();
        written += n as u64;
    }
    f.flush().unwrap();
}

fn curl(args: &[&str]) -> Duration {
    let start = Instant::now();
    let out = Command::new("curl")
        .args(["-sS", "-f", "-H", "Expect:", "-o"])
        .args(args)
        .output()
        .expect("curl");
    assert!(
        out.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    start.elapsed()
}

fn main() {
    let mut size_mib = 1024u64;
    let mut server_bin =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()))
            .join("../target/release/ossbridge");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--size-mib" => {
                size_mib = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--size-mib N")
            }
            "--server" => server_bin = PathBuf::from(args.next().expect("--server PATH")),
            _ => {} // cargo bench passes --bench
        }
    }
    assert!(
        server_bin.exists(),
        "{} missing: run `make build` first",
        server_bin.display()
    );
    let size = size_mib << 20;
    let work = tempfile::tempdir().unwrap();
    let data_dir = work.path().join("data");
    let mut server = Command::new(&server_bin)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--access-key-id",
            ID,
            "--access-key-secret",
            SECRET,
            "--data-dir",
        ])
        .arg(&data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(server.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("server address")
        .to_string();

    let src = work.path().join("src.bin");
    make_file(&src, size);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let config = ClientConfig::builder()
        .endpoint(&url)
        .region("cn-hangzhou")
        .credentials(Credentials::new(ID, SECRET))
        .build()
        .unwrap();
    let client = Client::new(config).unwrap();
    let bucket = "bench-bucket";
    let mut rows = Vec::new();
    let mut small_get_ms = (0.0, 0.0);
    let rss_before = peak_rss_mib();
    rt.block_on(async {
        client
            .put_bucket(bucket, &PutBucketOptions::default())
            .await
            .unwrap();
        let dest = work.path().join("dest.bin");

        let t = Instant::now();
        client
            .put_object_from_file(bucket, "obj", &src, &PutObjectOptions::default())
            .await
            .unwrap();
        rows.push(Row {
            op: "upload",
            tool: "rust put_object (1 stream)".into(),
            secs: t.elapsed().as_secs_f64(),
        });
        let t = Instant::now();
        let opts = UploadFileOptions {
            part_size: 16 << 20,
            parallel: 4,
            ..Default::default()
        };
        client
            .upload_file(bucket, "obj", &src, &opts)
            .await
            .unwrap();
        rows.push(Row {
            op: "upload",
            tool: "rust upload_file (16 MiB x4)".into(),
            secs: t.elapsed().as_secs_f64(),
        });

        let t = Instant::now();
        client
            .get_object_to_file(bucket, "obj", &dest, &GetObjectOptions::default())
            .await
            .unwrap();
        rows.push(Row {
            op: "download",
            tool: "rust get_object_to_file (1 stream)".into(),
            secs: t.elapsed().as_secs_f64(),
        });
        std::fs::remove_file(&dest).unwrap();
        let t = Instant::now();
        let opts = DownloadFileOptions {
            part_size: 16 << 20,
            parallel: 4,
            ..Default::default()
        };
        client
            .download_file(bucket, "obj", &dest, &opts)
            .await
            .unwrap();
        rows.push(Row {
            op: "download",
            tool: "rust download_file (16 MiB x4)".into(),
            secs: t.elapsed().as_secs_f64(),
        });
        std::fs::remove_file(&dest).unwrap();

        // Small-object latency over keep-alive connections (request/response round trips).
        client
            .put_object(
                bucket,
                "small",
                vec![7u8; 50 * 1024],
                &PutObjectOptions::default(),
            )
            .await
            .unwrap();
        let mut lat = Vec::new();
        for _ in 0..200 {
            let t = Instant::now();
            client
                .get_object(bucket, "small", &GetObjectOptions::default())
                .await
                .unwrap();
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
        small_get_ms = (lat[lat.len() / 2], lat[lat.len() * 99 / 100]);

        let put = client
            .presign(
                bucket,
                "obj",
                &PresignOptions {
                    method: "PUT".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let d = curl(&["/dev/null", "-T", src.to_str().unwrap(), &put.url]);
        rows.push(Row {
            op: "upload",
            tool: "curl -T (1 stream)".into(),
            secs: d.as_secs_f64(),
        });
        let get = client
            .presign(bucket, "obj", &PresignOptions::default())
            .await
            .unwrap();
        let d = curl(&[dest.to_str().unwrap(), &get.url]);
        rows.push(Row {
            op: "download",
            tool: "curl -o file (1 stream)".into(),
            secs: d.as_secs_f64(),
        });
        let _ = std::fs::remove_file(&dest);
    });
    let rss = peak_rss_mib();
    let _ = server.kill();
    let _ = server.wait();

    println!("\nTransfer benchmark: {size_mib} MiB object, client and `ossbridge serve` on this machine ({} CPUs)", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0));
    println!("| operation | client | seconds | MiB/s | vs curl |");
    println!("|---|---|---:|---:|---:|");
    for op in ["upload", "download"] {
        let curl_secs = rows
            .iter()
            .find(|r| r.op == op && r.tool.starts_with("curl"))
            .map(|r| r.secs)
            .unwrap();
        for r in rows.iter().filter(|r| r.op == op) {
            println!(
                "| {} | {} | {:.2} | {:.0} | {:.0}% |",
                r.op,
                r.tool,
                r.secs,
                size_mib as f64 / r.secs,
                100.0 * curl_secs / r.secs
            );
        }
    }
    println!(
        "\nGetObject of 50 KiB over keep-alive, 200 calls: p50 {:.2} ms, p99 {:.2} ms",
        small_get_ms.0, small_get_ms.1
    );
    println!("\nRust client peak RSS (VmHWM of the bench process, curl runs as a child): {rss:.1} MiB (before transfers: {rss_before:.1} MiB)");
}
