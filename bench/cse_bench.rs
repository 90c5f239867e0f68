//! Client-side encryption benchmark (bench/cse_bench.sh runs it; prints tables, asserts
//! nothing about timing).
//!
//! 1. Raw throughput of ossbridge's two content formats next to the fastest AES-256-CTR and
//!    AES-256-GCM on this machine (aws-lc-rs one-shot, in place), on an in-memory buffer.
//!
//! The 1 GiB transfer comparison (plain next to encrypted upload_file/download_file through
//! `ossbridge serve`) is core/benches/cse_paired.rs, which alternates the clients and flushes
//! the page cache before each run so neither side is favoured.
//!
//! Usage: cargo bench -p ossbridge-core --bench cse_bench -- [--raw-mib N]

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use aws_lc_rs::cipher::{EncryptingKey, EncryptionContext, UnboundCipherKey, AES_256};
use ossbridge_core::cse::{
    AesWrapMasterKey, ContentMode, MasterKeys, ObjectDecryptor, ObjectEncryptor,
};

const GIB: f64 = (1u64 << 30) as f64;

fn gibps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / GIB / d.as_secs_f64()
}

/// The machine is shared: each candidate run is paired with a reference run right before
/// it, and the best of each is kept, so both see the same conditions.
fn paired(
    runs: usize,
    mut reference: impl FnMut() -> Duration,
    mut candidate: impl FnMut() -> Duration,
) -> (Duration, Duration) {
    let (mut r, mut c) = (Duration::MAX, Duration::MAX);
    for _ in 0..runs {
        r = r.min(reference());
        c = c.min(candidate());
    }
    (r, c)
}

fn raw(rt: &tokio::runtime::Runtime, size: usize) {
    let key = [7u8; 32];
    let mut buf: Vec<u8> = (0..size).map(|i| (i as u8).wrapping_mul(31)).collect();
    let mut scratch = buf.clone();
    let runs = 7;
    let ctr = EncryptingKey::ctr(UnboundCipherKey::new(&AES_256, &key).unwrap()).unwrap();
    let gcm = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &key).unwrap());
    let mut ctr_ref = || {
        let t = Instant::now();
        ctr.less_safe_encrypt(&mut scratch, EncryptionContext::Iv128([1u8; 16].into()))
            .unwrap();
        t.elapsed()
    };
    let mut gcm_ref_buf = buf.clone();
    let mut gcm_ref = || {
        let t = Instant::now();
        let _tag = gcm
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key([1u8; 12]),
                Aad::empty(),
                &mut gcm_ref_buf,
            )
            .unwrap();
        t.elapsed()
    };

    let master = AesWrapMasterKey::new(&[9u8; 32]).unwrap();
    let keys = MasterKeys::new(Arc::new(AesWrapMasterKey::new(&[9u8; 32]).unwrap()));
    println!("\n## Client-side encryption: raw throughput ({} MiB buffer, one core, best of {runs}, each run paired with a reference run)\n", size >> 20);
    println!("| operation | GiB/s | reference GiB/s | vs reference |");
    println!("|---|---:|---:|---:|");
    let row = |name: &str, reference: &str, (r, c): (Duration, Duration)| {
        println!(
            "| {name} | {:.2} | {reference} {:.2} | {:.0}% |",
            gibps(size, c),
            gibps(size, r),
            100.0 * r.as_secs_f64() / c.as_secs_f64()
        );
    };
    for (name, mode) in [
        ("compatible (AES-256-CTR)", ContentMode::Compatible),
        (
            "authenticated, 64 KiB segments",
            ContentMode::Authenticated {
                segment_size: 64 << 10,
            },
        ),
        (
            "authenticated, 1 MiB segments",
            ContentMode::Authenticated {
                segment_size: 1 << 20,
            },
        ),
    ] {
        let enc = rt
            .block_on(ObjectEncryptor::new(&master, &mode, size as u64))
            .unwrap();
        let dec = rt
            .block_on(ObjectDecryptor::new(&keys, enc.envelope().clone()))
            .unwrap();
        let reference_name = if mode == ContentMode::Compatible {
            "CTR"
        } else {
            "GCM"
        };
        // Buffers are recycled between runs (as an upload's part buffers are), so page
        // faults of fresh allocations are not measured.
        let mut input = Some(buf.clone());
        let mut out: Vec<u8> = Vec::new();
        let mut stored = Vec::new();
        let compatible = mode == ContentMode::Compatible;
        let mut encrypt = || {
            if compatible {
                // In place: the plaintext buffer becomes the stored bytes.
                let mut p = input.take().unwrap();
                p.clear();
                p.extend_from_slice(&buf);
                let t = Instant::now();
                let s = enc.encrypt_object(p).unwrap();
                let d = t.elapsed();
                stored.clone_from(&s);
                input = Some(s);
                d
            } else {
                // Out of place into a recycled buffer (the upload path's part buffers).
                out.clear();
                let t = Instant::now();
                enc.encrypt_into(0, &buf, &mut out).unwrap();
                let d = t.elapsed();
                stored.clone_from(&out);
                d
            }
        };
        let pair = if mode == ContentMode::Compatible {
            paired(runs, &mut ctr_ref, &mut encrypt)
        } else {
            paired(runs, &mut gcm_ref, &mut encrypt)
        };
        row(
            &format!("ossbridge {name} encrypt (contiguous input)"),
            reference_name,
            pair,
        );
        if !compatible {
            // upload_file's path: file bytes land in their stored places, sealed in place.
            let (mut staged, slots) = enc.stage(0, size).unwrap();
            let mut seal = || {
                let mut at = 0;
                for slot in &slots {
                    staged[slot.clone()].copy_from_slice(&buf[at..at + slot.len()]);
                    at += slot.len();
                }
                let t = Instant::now();
                enc.seal_staged(0, &mut staged).unwrap();
                t.elapsed()
            };
            let pair = paired(runs, &mut gcm_ref, &mut seal);
            row(
                &format!("ossbridge {name} encrypt, staged in place (upload_file path)"),
                reference_name,
                pair,
            );
        }
        let mut spare = Some(stored.clone());
        let mut decrypt = || {
            let mut s = spare.take().unwrap();
            s.clear();
            s.extend_from_slice(&stored);
            let t = Instant::now();
            let p = dec.decrypt_object(s).unwrap();
            let d = t.elapsed();
            assert_eq!(p.len(), size);
            spare = Some(p);
            d
        };
        let pair = if mode == ContentMode::Compatible {
            paired(runs, &mut ctr_ref, &mut decrypt)
        } else {
            paired(runs, &mut gcm_ref, &mut decrypt)
        };
        row(&format!("ossbridge {name} decrypt"), reference_name, pair);
    }
    // Compatible full read that also checks unencrypted-content-md5 (single-PUT objects
    // written by ossbridge, or by an SDK given Content-MD5).
    let mut enc = rt
        .block_on(ObjectEncryptor::new(
            &master,
            &ContentMode::Compatible,
            size as u64,
        ))
        .unwrap();
    enc.set_plaintext_md5(&buf);
    let dec = rt
        .block_on(ObjectDecryptor::new(&keys, enc.envelope().clone()))
        .unwrap();
    let stored = enc.encrypt_object(std::mem::take(&mut buf)).unwrap();
    let pair = paired(3, &mut ctr_ref, || {
        let s = stored.clone();
        let t = Instant::now();
        dec.decrypt_object(s).unwrap();
        t.elapsed()
    });
    row("ossbridge compatible full read + MD5 check", "CTR", pair);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let raw_mib = args
        .iter()
        .position(|a| a == "--raw-mib")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(8usize);
    raw(&rt, raw_mib << 20);
}
