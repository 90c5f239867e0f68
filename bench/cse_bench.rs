//! Client-side encryption benchmark (bench/cse_bench.sh runs it; prints tables, asserts
//! nothing about timing).
//!
//! Raw throughput of ossbridge's two content formats next to the fastest AES-256-CTR and
//! AES-256-GCM on this machine (aws-lc-rs one-shot, in place), on in-memory buffers of the
//! sizes the transfer paths work in (1 MiB download batches, 8 MiB upload parts).
//!
//! The 1 GiB transfer comparison (plain next to encrypted upload_file/download_file through
//! `ossbridge serve`) is core/benches/cse_paired.rs, which alternates the clients and flushes
//! the page cache before each run so neither side is favoured.
//!
//! Usage: cargo bench -p ossbridge-core --bench cse_bench -- [--raw-mib N[,N...]]

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use aws_lc_rs::cipher::{EncryptingKey, EncryptionContext, UnboundCipherKey, AES_256};
use ossbridge_core::cse::{
    AesCtr, AesWrapMasterKey, ContentMode, CounterIv, DataKey, MasterKeys, ObjectDecryptor,
    ObjectEncryptor, TAG_LEN,
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

/// Starts a timed run: with `cold`, first writes 64 MiB of scratch so that neither the
/// reference's nor the candidate's buffers are left in cache by their untimed setup.
fn start(cold: bool) -> Instant {
    thread_local!(static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) });
    if cold {
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            s.resize(64 << 20, 0);
            let v = s[0].wrapping_add(1);
            s.fill(v);
        });
    }
    Instant::now()
}

fn raw(rt: &tokio::runtime::Runtime, size: usize) {
    // Buffers past the last-level cache stream through memory: start each run cold.
    let cold = size > 8 << 20;
    let key = [7u8; 32];
    let buf: Vec<u8> = (0..size).map(|i| (i as u8).wrapping_mul(31)).collect();
    let mut scratch = buf.clone();
    let runs = 7;
    let ctr = EncryptingKey::ctr(UnboundCipherKey::new(&AES_256, &key).unwrap()).unwrap();
    let gcm = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &key).unwrap());
    let mut ctr_ref = || {
        let t = start(cold);
        ctr.less_safe_encrypt(&mut scratch, EncryptionContext::Iv128([1u8; 16].into()))
            .unwrap();
        t.elapsed()
    };
    // aws-lc's one-shot GCM, in place, over the whole buffer: seal for the encrypt rows,
    // open (of a buffer sealed untimed just before) for the decrypt rows.
    let mut gcm_buf = buf.clone();
    let mut gcm_seal_ref = || {
        let t = start(cold);
        let _tag = gcm
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key([1u8; 12]),
                Aad::empty(),
                &mut gcm_buf,
            )
            .unwrap();
        t.elapsed()
    };
    let mut gcm_open_buf = buf.clone();
    let mut gcm_open_ref = || {
        gcm_open_buf.truncate(size);
        gcm_open_buf.copy_from_slice(&buf);
        gcm.seal_in_place_append_tag(
            Nonce::assume_unique_for_key([2u8; 12]),
            Aad::empty(),
            &mut gcm_open_buf,
        )
        .unwrap();
        let t = start(cold);
        gcm.open_in_place(
            Nonce::assume_unique_for_key([2u8; 12]),
            Aad::empty(),
            &mut gcm_open_buf,
        )
        .unwrap();
        t.elapsed()
    };

    let master = AesWrapMasterKey::new(&[9u8; 32]).unwrap();
    let keys = MasterKeys::new(Arc::new(AesWrapMasterKey::new(&[9u8; 32]).unwrap()));
    println!(
        "\n## Client-side encryption: raw throughput ({} MiB buffer{}, one core, best of {runs}, each run paired with a reference run)\n",
        size >> 20,
        if cold { ", caches flushed before each run" } else { ", in cache" }
    );
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

    // Compatible: AES-256-CTR in place (stored size = plaintext size).
    let enc = rt
        .block_on(ObjectEncryptor::new(
            &master,
            &ContentMode::Compatible,
            size as u64,
        ))
        .unwrap();
    let dec = rt
        .block_on(ObjectDecryptor::new(&keys, enc.envelope().clone()))
        .unwrap();
    let mut input = Some(buf.clone());
    let mut stored = Vec::new();
    let pair = paired(runs, &mut ctr_ref, || {
        let mut p = input.take().unwrap();
        p.clear();
        p.extend_from_slice(&buf);
        let t = start(cold);
        let s = enc.encrypt_object(p).unwrap();
        let d = t.elapsed();
        stored.clone_from(&s);
        input = Some(s);
        d
    });
    row(
        "ossbridge compatible (AES-256-CTR) encrypt, in place",
        "aws-lc CTR",
        pair,
    );
    let mut spare = Some(stored.clone());
    let pair = paired(runs, &mut ctr_ref, || {
        let mut s = spare.take().unwrap();
        s.clear();
        s.extend_from_slice(&stored);
        let t = start(cold);
        let p = dec.decrypt_ctr_range(0, s).unwrap();
        let d = t.elapsed();
        spare = Some(p);
        d
    });
    row(
        "ossbridge compatible (AES-256-CTR) decrypt, in place",
        "aws-lc CTR",
        pair,
    );
    // download_file's path: each received HTTP chunk (here 16 KiB + 5 bytes, so chunks
    // straddle cipher blocks as real ones do) decrypted while it is copied into the batch.
    let stream_cipher = AesCtr::new(
        &DataKey::from_slice(&key).unwrap(),
        &CounterIv::from_slice(&[3u8; 16]).unwrap(),
    )
    .unwrap();
    let mut batch = vec![0u8; size + 16];
    let pair = paired(runs, &mut ctr_ref, || {
        let t = start(cold);
        let mut stream = stream_cipher.stream_at(0).unwrap();
        let mut at = 0;
        for chunk in stored.chunks((16 << 10) + 5) {
            stream.apply(chunk, &mut batch[at..]).unwrap();
            at += chunk.len();
        }
        t.elapsed()
    });
    row(
        "ossbridge compatible (AES-256-CTR) decrypt while copying received chunks (download_file path)",
        "aws-lc CTR",
        pair,
    );

    for (name, segment_size) in [("64 KiB", 64u64 << 10), ("1 MiB", 1 << 20)] {
        let mode = ContentMode::Authenticated { segment_size };
        let enc = rt
            .block_on(ObjectEncryptor::new(&master, &mode, size as u64))
            .unwrap();
        let dec = rt
            .block_on(ObjectDecryptor::new(&keys, enc.envelope().clone()))
            .unwrap();
        // Output buffers are allocated once and reused (as the transfer paths reuse
        // theirs), so neither page faults nor zero-filling are measured.
        let mut stored = vec![0u8; enc.stored_size() as usize];
        let pair = paired(runs, &mut gcm_seal_ref, || {
            let t = start(cold);
            enc.encrypt_to(0, &buf, &mut stored).unwrap();
            t.elapsed()
        });
        row(
            &format!("ossbridge authenticated, {name} segments, encrypt into the caller's buffer"),
            "aws-lc GCM seal",
            pair,
        );
        // upload_file's path: file bytes land in their stored places, sealed in place.
        let (mut staged, slots) = enc.stage(0, size).unwrap();
        let pair = paired(runs, &mut gcm_seal_ref, || {
            let mut at = 0;
            for slot in &slots {
                staged[slot.clone()].copy_from_slice(&buf[at..at + slot.len()]);
                at += slot.len();
            }
            let t = start(cold);
            enc.seal_staged(0, &mut staged).unwrap();
            t.elapsed()
        });
        row(
            &format!(
                "ossbridge authenticated, {name} segments, encrypt in place (upload_file path)"
            ),
            "aws-lc GCM seal",
            pair,
        );
        // download_file's path: segments verified and decrypted in place, each written
        // out from where it was decrypted (no compaction). get_object decrypts the same way,
        // segment by segment, right where it copies the body into the result.
        // Set up as the reference is (sealed untimed just before), so both open a buffer
        // that a seal pass has just left in the same cache state.
        let mut spare = stored.clone();
        let pair = paired(runs, &mut gcm_open_ref, || {
            enc.encrypt_to(0, &buf, &mut spare).unwrap();
            let t = start(cold);
            dec.open_each_segment_in_place(0, &mut spare, |p| {
                std::hint::black_box(p);
                Ok(())
            })
            .unwrap();
            t.elapsed()
        });
        row(
            &format!(
                "ossbridge authenticated, {name} segments, decrypt in place (download_file path)"
            ),
            "aws-lc GCM open",
            pair,
        );
    }
    // Compatible full read that also checks unencrypted-content-md5 (single-PUT objects
    // written by ossbridge, or by an SDK given Content-MD5): bound by MD5 itself.
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
    let stored = enc.encrypt_object(buf.clone()).unwrap();
    let mut md5_ref = || {
        let t = start(cold);
        std::hint::black_box(ossbridge_core::md5::Md5::digest(&buf));
        t.elapsed()
    };
    let pair = paired(3, &mut md5_ref, || {
        let s = stored.clone();
        let t = start(cold);
        dec.decrypt_object(s).unwrap();
        t.elapsed()
    });
    row(
        "ossbridge compatible full read + MD5 check",
        "MD5 alone",
        pair,
    );
    if size > 1 << 20 {
        // Past the L2 cache the segmented rows can fall behind the one-shot reference.
        // aws-lc's own GCM shows why: the same 64 KiB calls, back to back and at the stored
        // stride (segment + 16-byte tag, so each start drifts across pages).
        let segment = 64usize << 10;
        let count = size / segment;
        let mut layout_buf = vec![1u8; count * (segment + TAG_LEN as usize)];
        for (name, stride) in [
            ("back to back", segment),
            ("at the stored stride", segment + TAG_LEN as usize),
        ] {
            let nonce = |i: usize| Nonce::assume_unique_for_key([i as u8; 12]);
            let (mut seal, mut open) = (Duration::MAX, Duration::MAX);
            for _ in 0..runs {
                let mut tags = Vec::with_capacity(count);
                let t = start(cold);
                for i in 0..count {
                    let at = i * stride;
                    let slice = &mut layout_buf[at..at + segment];
                    tags.push(
                        gcm.seal_in_place_separate_tag(nonce(i), Aad::empty(), slice)
                            .unwrap(),
                    );
                }
                seal = seal.min(t.elapsed());
                let t = start(cold);
                for (i, tag) in tags.iter().enumerate() {
                    let at = i * stride;
                    let slice = &mut layout_buf[at..at + segment];
                    gcm.open_in_place_separate_tag(nonce(i), Aad::empty(), tag.as_ref(), slice)
                        .unwrap();
                }
                open = open.min(t.elapsed());
            }
            println!(
                "\naws-lc GCM, one call per 64 KiB segment, {name}: seal {:.2} GiB/s, open {:.2} GiB/s",
                gibps(count * segment, seal),
                gibps(count * segment, open)
            );
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // Default: 1 MiB (a download batch; every buffer of a row and of its reference stays
    // in cache, so the table compares cipher work) and 8 MiB (an upload part). Larger
    // sizes run cold (see `start`).
    let sizes: Vec<usize> = args
        .iter()
        .position(|a| a == "--raw-mib")
        .and_then(|i| args.get(i + 1))
        .map(|v| v.split(',').filter_map(|m| m.parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 8]);
    for mib in sizes {
        raw(&rt, mib << 20);
    }
}
