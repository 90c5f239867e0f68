//! Transfer benchmark: upload and download of one large object (1 GiB by default) through
//! the Rust client and through curl against the same `ossbridge serve`, plus the client's
//! peak RSS and small-GET latency. Prints a table; asserts nothing about timing.
//!
//! `cargo bench -p ossbridge-core --bench transfer -- [--size-mib N] [--rounds N] [--server PATH]`
//! (the server binary defaults to target/release/ossbridge, built by `make build`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use ossbridge_core::credentials::Credentials;
use ossbridge_core::model::*;
use ossbridge_core::transfer::{DownloadFileOptions, UploadFileOptions};
use ossbridge_core::{Client, ClientConfig};

const ID: &str = "LTAI-bench";
const SECRET: &str = "bench-secret-0123456789";

/// Peak resident set size of this process (the client; curl runs as a child).
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

fn curl(args: &[&str]) {
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
}

const TOOLS: [(&str, &str); 6] = [
    ("upload", "rust put_object (1 stream)"),
    ("upload", "rust upload_file (16 MiB x4)"),
    ("upload", "curl -T (1 stream)"),
    ("download", "rust get_object_to_file (1 stream)"),
    ("download", "rust download_file (16 MiB x4)"),
    ("download", "curl -o file (1 stream)"),
];

fn main() {
    let mut size_mib = 1024u64;
    let mut rounds = 3usize;
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
            "--rounds" => {
                rounds = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&r| r > 0)
                    .expect("--rounds N")
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
        .arg(work.path().join("data"))
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
    let dest = work.path().join("dest.bin");
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
    let rss_before = peak_rss_mib();
    // Every tool runs once per round, interleaved with the others, so a burst of load on
    // this shared machine hits all of them alike; the table shows best and median.
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); TOOLS.len()];
    let mut small_get_ms = (0.0, 0.0);
    rt.block_on(async {
        client
            .put_bucket(bucket, &PutBucketOptions::default())
            .await
            .unwrap();
        client
            .put_object_from_file(bucket, "obj", &src, &PutObjectOptions::default())
            .await
            .unwrap();
        let put_opts = PresignOptions {
            method: "PUT".into(),
            ..Default::default()
        };
        let put_url = client.presign(bucket, "obj", &put_opts).await.unwrap().url;
        let get_url = client
            .presign(bucket, "obj", &PresignOptions::default())
            .await
            .unwrap()
            .url;
        for _ in 0..rounds {
            for (i, (op, tool)) in TOOLS.iter().enumerate() {
                let _ = std::fs::remove_file(&dest);
                let t = Instant::now();
                match i {
                    0 => {
                        client
                            .put_object_from_file(bucket, "obj", &src, &PutObjectOptions::default())
                            .await
                            .unwrap();
                    }
                    1 => {
                        let opts = UploadFileOptions {
                            part_size: 16 << 20,
                            parallel: 4,
                            ..Default::default()
                        };
                        client
                            .upload_file(bucket, "obj", &src, &opts)
                            .await
                            .unwrap();
                    }
                    2 => curl(&["/dev/null", "-T", src.to_str().unwrap(), &put_url]),
                    3 => {
                        client
                            .get_object_to_file(bucket, "obj", &dest, &GetObjectOptions::default())
                            .await
                            .unwrap();
                    }
                    4 => {
                        let opts = DownloadFileOptions {
                            part_size: 16 << 20,
                            parallel: 4,
                            ..Default::default()
                        };
                        client
                            .download_file(bucket, "obj", &dest, &opts)
                            .await
                            .unwrap();
                    }
                    _ => curl(&[dest.to_str().unwrap(), &get_url]),
                }
                times[i].push(t.elapsed().as_secs_f64());
                if *op == "download" {
                    assert_eq!(
                        std::fs::metadata(&dest).unwrap().len(),
                        size,
                        "{tool} wrote a wrong size"
                    );
                }
            }
        }
        let _ = std::fs::remove_file(&dest);

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
    });
    let rss = peak_rss_mib();
    let _ = server.kill();
    let _ = server.wait();

    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    println!("\nTransfer benchmark: {size_mib} MiB object, client and `ossbridge serve` on this machine ({cpus} CPUs)");
    println!("Best and median of {rounds} interleaved rounds; `vs curl` compares best times.");
    println!("| operation | client | best s | median s | best MiB/s | vs curl |");
    println!("|---|---|---:|---:|---:|---:|");
    let stats: Vec<(f64, f64)> = times
        .iter()
        .map(|t| {
            let mut t = t.clone();
            t.sort_by(|a, b| a.partial_cmp(b).unwrap());
            (t[0], t[t.len() / 2])
        })
        .collect();
    for op in ["upload", "download"] {
        let curl_best = TOOLS
            .iter()
            .zip(&stats)
            .find(|((o, t), _)| *o == op && t.starts_with("curl"))
            .unwrap()
            .1
             .0;
        for ((o, tool), (best, median)) in TOOLS.iter().zip(&stats) {
            if *o == op {
                let mibs = size_mib as f64 / best;
                println!(
                    "| {op} | {tool} | {best:.2} | {median:.2} | {mibs:.0} | {:.0}% |",
                    100.0 * curl_best / best
                );
            }
        }
    }
    println!(
        "\nGetObject of 50 KiB over keep-alive, 200 calls: p50 {:.2} ms, p99 {:.2} ms",
        small_get_ms.0, small_get_ms.1
    );
    println!("Rust client peak RSS (VmHWM of the bench process; curl runs as a child): {rss:.1} MiB (before transfers: {rss_before:.1} MiB)");
}
