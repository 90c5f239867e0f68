//! The authenticated mode: round trips at every size edge, thousands of random ranges
//! (suffix and past-the-end included) against the plaintext, and tampering of every kind:
//! a flipped byte fails every read covering it, truncation, segment swaps, key
//! substitution and metadata edits fail.

mod cse_support;

use std::sync::Arc;

use cse_support::*;
use ossbridge_core::cse::{
    AesWrapMasterKey, ByteRange, ContentMode, Envelope, MasterKeys, ObjectDecryptor,
    ObjectEncryptor, TAG_LEN,
};
use ossbridge_core::ErrorKind;

async fn encrypt(keys: &MasterKeys, segment_size: u64, plain: &[u8]) -> (Envelope, Vec<u8>) {
    let mode = ContentMode::Authenticated { segment_size };
    let enc = ObjectEncryptor::new(keys.writer().as_ref(), &mode, plain.len() as u64)
        .await
        .unwrap();
    assert!(enc.is_authenticated());
    let stored = enc.encrypt_object(plain.to_vec()).unwrap();
    assert_eq!(stored.len() as u64, enc.stored_size());
    (enc.envelope().clone(), stored)
}

/// Reads `range` the way the encryption client does: plan, fetch the stored span, verify.
fn read_range(
    dec: &ObjectDecryptor,
    stored: &[u8],
    range: &ByteRange,
) -> ossbridge_core::Result<Vec<u8>> {
    let plan = dec.plan_segment_range(range)?;
    let fetched =
        stored[plan.stored_start as usize..(plan.stored_end as usize).min(stored.len())].to_vec();
    dec.decrypt_segment_range(&plan, fetched)
}

#[tokio::test]
async fn round_trips_at_size_edges() {
    let keys = keys_a();
    let mut rng = Rng(7);
    for segment_size in [16u64, 64, 4096, 65536] {
        for size in [
            0u64,
            1,
            15,
            16,
            17,
            segment_size - 1,
            segment_size,
            segment_size + 1,
            3 * segment_size,
            3 * segment_size + 5,
        ] {
            let plain = rng.bytes(size as usize);
            let (env, stored) = encrypt(&keys, segment_size, &plain).await;
            let segments = size.div_ceil(segment_size).max(1);
            assert_eq!(
                stored.len() as u64,
                size + TAG_LEN * segments,
                "S={segment_size} L={size}"
            );
            let dec = ObjectDecryptor::new(&keys, env).await.unwrap();
            assert!(dec.is_authenticated());
            assert_eq!(
                dec.decrypt_object(stored.clone()).unwrap(),
                plain,
                "S={segment_size} L={size}"
            );
            // The streaming full read in odd chunk sizes gives the same bytes.
            let mut reader = dec.full_reader();
            let mut out = Vec::new();
            for chunk in stored.chunks(7 + (size as usize % 13)) {
                out.extend(reader.update(chunk.to_vec()).unwrap());
            }
            out.extend(reader.finish().unwrap());
            assert_eq!(out, plain);
        }
    }
}

#[tokio::test]
async fn thousands_of_random_ranges_match_the_plaintext() {
    let keys = keys_a();
    let mut rng = Rng(0xA11CE);
    let mut checked = 0;
    for (segment_size, size) in [
        (64u64, 1000u64),
        (4096, 40_000),
        (65536, 200_000),
        (16, 333),
    ] {
        let plain = rng.bytes(size as usize);
        let (env, stored) = encrypt(&keys, segment_size, &plain).await;
        let dec = ObjectDecryptor::new(&keys, env).await.unwrap();
        let mut ranges: Vec<ByteRange> = (0..1500).map(|_| random_range(&mut rng, size)).collect();
        ranges.extend([
            ByteRange::Suffix { len: 1 },
            ByteRange::Suffix { len: size },
            ByteRange::Suffix { len: size + 1000 },
            ByteRange::Suffix { len: 0 },
            ByteRange::From { start: size },
            ByteRange::From { start: size - 1 },
            ByteRange::Bounded {
                start: 0,
                end: u64::MAX,
            },
            ByteRange::Bounded {
                start: segment_size - 1,
                end: segment_size,
            },
            ByteRange::Bounded {
                start: size,
                end: size + 10,
            },
        ]);
        for range in ranges {
            let want = expected(&plain, &range);
            match read_range(&dec, &stored, &range) {
                Ok(got) => assert!(
                    Some(&got) == want.as_ref(),
                    "S={segment_size} {}",
                    range.to_header()
                ),
                Err(e) => {
                    assert!(
                        want.is_none(),
                        "S={segment_size} {}: {e}",
                        range.to_header()
                    );
                    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
                    assert!(e.to_string().contains("not satisfiable"), "{e}");
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 6000);
}

#[tokio::test]
async fn a_flipped_byte_fails_every_read_covering_it_and_only_those() {
    let keys = keys_a();
    let segment_size = 256u64;
    let mut rng = Rng(99);
    let plain = rng.bytes(2000);
    let (env, stored) = encrypt(&keys, segment_size, &plain).await;
    let dec = ObjectDecryptor::new(&keys, env).await.unwrap();
    let stored_seg = (segment_size + TAG_LEN) as usize;
    // Positions in ciphertext bodies and in tags, first/middle/last segments.
    for pos in [
        0usize,
        5,
        stored_seg - 1,
        stored_seg,
        stored_seg + 100,
        3 * stored_seg + 260,
        stored.len() - 1,
        stored.len() - 17,
    ] {
        let mut tampered = stored.clone();
        tampered[pos] ^= 0x80;
        let err = dec.decrypt_object(tampered.clone()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Crypto, "pos {pos}: {err}");
        let hit = (pos / stored_seg) as u64;
        for _ in 0..200 {
            let range = random_range(&mut rng, plain.len() as u64);
            let Ok(plan) = dec.plan_segment_range(&range) else {
                continue;
            };
            let result = read_range(&dec, &tampered, &range);
            if (plan.first_segment..=plan.last_segment).contains(&hit) {
                let e = result.expect_err("a read covering the flipped byte must fail");
                assert!(e.to_string().contains("authentication failed"), "{e}");
            } else {
                assert_eq!(
                    result.unwrap(),
                    expected(&plain, &range).unwrap(),
                    "untouched segments still read"
                );
            }
        }
    }
}

#[tokio::test]
async fn truncation_and_segment_reordering_fail() {
    let keys = keys_a();
    let s = 128u64;
    let plain = Rng(3).bytes(1000); // 8 segments: 7 full + 104 bytes
    let (env, stored) = encrypt(&keys, s, &plain).await;
    let dec = ObjectDecryptor::new(&keys, env.clone()).await.unwrap();
    let seg = (s + TAG_LEN) as usize;

    // Dropping the whole last segment, or its last byte: both the full read and the
    // size check fail.
    for cut in [stored.len() - (104 + 16), stored.len() - 1, seg * 7, seg] {
        let short = stored[..cut].to_vec();
        assert!(dec.decrypt_object(short.clone()).is_err(), "cut at {cut}");
        assert!(dec.plaintext_size(cut as u64).is_err());
    }
    // Truncating at a segment boundary *and* rewriting the size metadata to match: the
    // last remaining segment was not sealed as final, so it fails.
    let mut env_short = env.clone();
    env_short.plaintext_size = Some(7 * s);
    let forged = ObjectDecryptor::new(&keys, env_short).await.unwrap();
    let err = forged
        .decrypt_object(stored[..7 * seg].to_vec())
        .unwrap_err();
    assert!(err.to_string().contains("authentication failed"), "{err}");

    // Swapping two full segments.
    let mut swapped = stored.clone();
    let (a, b) = swapped.split_at_mut(seg * 2);
    a[..seg].swap_with_slice(&mut b[..seg]);
    assert!(dec.decrypt_object(swapped.clone()).is_err());
    let range = ByteRange::Bounded { start: 0, end: 10 };
    assert!(read_range(&dec, &swapped, &range).is_err());
    // Extra bytes appended.
    let mut longer = stored.clone();
    longer.extend_from_slice(&[0u8; 16]);
    assert!(dec.decrypt_object(longer).is_err());
}

#[tokio::test]
async fn key_substitution_and_metadata_edits_fail() {
    let keys = keys_a();
    let plain = Rng(5).bytes(5000);
    let (env1, stored1) = encrypt(&keys, 1024, &plain).await;
    let (env2, _stored2) = encrypt(&keys, 1024, &plain).await;

    // Another object's (valid) wrapped key: the commitment refuses it before decrypting.
    let mut swapped_key = env1.clone();
    swapped_key.wrapped_key = env2.wrapped_key.clone();
    swapped_key.wrapped_start = env2.wrapped_start.clone();
    let err = ObjectDecryptor::new(&keys, swapped_key).await.unwrap_err();
    assert!(err.to_string().contains("commitment"), "{err}");

    // A commitment edited to match the substituted key is caught by GCM instead.
    let mut both = env1.clone();
    both.wrapped_key = env2.wrapped_key.clone();
    both.wrapped_start = env2.wrapped_start.clone();
    both.key_commitment = env2.key_commitment.clone();
    let dec = ObjectDecryptor::new(&keys, both).await.unwrap();
    assert!(dec.decrypt_object(stored1.clone()).is_err());

    // Segment size or plaintext size edited: authentication fails.
    for edit in [
        |e: &mut Envelope| e.segment_size = Some(2048),
        |e: &mut Envelope| e.plaintext_size = Some(4999),
    ] {
        let mut env = env1.clone();
        edit(&mut env);
        let Ok(dec) = ObjectDecryptor::new(&keys, env).await else {
            continue;
        };
        assert!(dec.decrypt_object(stored1.clone()).is_err());
    }
    let mut bad = env1.clone();
    bad.key_commitment = None;
    assert!(ObjectDecryptor::new(&keys, bad)
        .await
        .unwrap_err()
        .to_string()
        .contains("key-commitment"));
}

#[tokio::test]
async fn multipart_parts_assemble_into_a_readable_object() {
    let keys = MasterKeys::new(Arc::new(AesWrapMasterKey::new(&[9u8; 32]).unwrap()));
    let mode = ContentMode::Authenticated { segment_size: 4096 };
    let plain = Rng(11).bytes(50_000);
    let part_size = 4096 * 4;
    let enc = ObjectEncryptor::new_multipart(
        keys.writer().as_ref(),
        &mode,
        plain.len() as u64,
        part_size,
    )
    .await
    .unwrap();
    let env = enc.envelope().clone();
    assert_eq!(
        env.part_size,
        Some(4 * (4096 + 16)),
        "part-size describes stored bytes"
    );
    assert_eq!(env.data_size, Some(enc.stored_size()));
    // Parts encrypted out of order (as parallel uploads would) then concatenated.
    let mut parts = vec![Vec::new(); enc.part_count() as usize];
    for n in (1..=enc.part_count() as u32).rev() {
        let (a, b) = enc.part_bounds(n).unwrap();
        parts[n as usize - 1] = enc
            .encrypt_part(n, plain[a as usize..b as usize].to_vec())
            .unwrap();
    }
    for p in &parts[..parts.len() - 1] {
        assert_eq!(p.len() as u64, env.part_size.unwrap());
        assert_eq!(p.len() % 16, 0);
    }
    let stored: Vec<u8> = parts.concat();
    let dec = ObjectDecryptor::new(&keys, env).await.unwrap();
    assert_eq!(dec.decrypt_object(stored.clone()).unwrap(), plain);
    // Parts in the wrong order fail.
    let mut reordered = parts.clone();
    reordered.swap(0, 1);
    assert!(dec.decrypt_object(reordered.concat()).is_err());
    // Bad part sizes are refused up front.
    let err = ObjectEncryptor::new_multipart(keys.writer().as_ref(), &mode, 1000, 1000)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(enc.encrypt_part(1, vec![0u8; 10]).is_err());
}

#[tokio::test]
async fn official_sdks_would_refuse_the_algorithm() {
    // Readers of the compatible format refuse unknown cek-alg values (spec §1.8), so an
    // authenticated object is never returned as if it were plaintext.
    let keys = keys_a();
    let (env, _) = encrypt(&keys, 64, b"hello").await;
    assert_ne!(env.cek_alg, "AES/CTR/NoPadding");
    assert!(env
        .to_headers()
        .iter()
        .any(|(k, _)| k == "x-oss-meta-client-side-encryption-cek-alg"));
}

/// Known answer computed by an independent implementation of
/// docs/cse-authenticated-format.md (Python `cryptography`: HMAC-SHA512 HKDF and AESGCM),
/// so the document and the code cannot drift apart.
#[test]
fn known_answer_matches_the_format_document() {
    use ossbridge_core::cse::{SegmentCipher, SegmentLayout};
    let key: Vec<u8> = (0u8..32).collect();
    let salt: Vec<u8> = (32u8..64).collect();
    let plain: Vec<u8> = (0u8..70).collect();
    let layout = SegmentLayout::new(32, 70).unwrap();
    let (cipher, commitment) = SegmentCipher::for_writing(&key, &salt, layout).unwrap();
    assert_eq!(
        hex::encode(commitment),
        "87b6ca2127d098b38843ad4c9fbe12291678eab263f3c8de66e699c66d523e43"
    );
    assert_eq!(
        hex::encode(cipher.seal(0, &plain).unwrap()),
        "c8340edf4b74101744ec2687273d61024e61d751476e7ee1680da5f8bcd0012275e4e5d7b9bd259fa68d61ae6d\
         e4634129824cdaf9e9d853bd28a8f553d160a5a3e999fca3ea118165507546e657d8bad0e413a722f5e75d4f\
         de6994c8f6e68df669c0804cecc242617c0d18264166c8873d73d88fba"
    );
    let reader = SegmentCipher::for_reading(&key, &salt, layout, &commitment).unwrap();
    assert_eq!(
        reader.open(0, &cipher.seal(0, &plain).unwrap()).unwrap(),
        plain
    );
}

#[tokio::test]
async fn staged_zero_copy_encryption_equals_the_copying_path() {
    let keys = keys_a();
    for mode in [
        ContentMode::Compatible,
        ContentMode::Authenticated { segment_size: 64 },
    ] {
        for (size, part) in [(1000u64, 256u64), (1024, 256), (0, 256), (500, 512)] {
            let enc = ObjectEncryptor::new_multipart(keys.writer().as_ref(), &mode, size, part)
                .await
                .unwrap();
            let plain = Rng(size).bytes(size as usize);
            let mut parts = Vec::new();
            for n in 1..=enc.part_count() as u32 {
                let (a, b) = enc.part_bounds(n).unwrap();
                let (mut buf, slots) = enc.stage(a, (b - a) as usize).unwrap();
                let mut at = a as usize;
                for slot in slots {
                    let len = slot.len();
                    buf[slot].copy_from_slice(&plain[at..at + len]);
                    at += len;
                }
                assert_eq!(at as u64, b);
                enc.seal_staged(a, &mut buf).unwrap();
                assert_eq!(
                    buf,
                    enc.encrypt_part(n, plain[a as usize..b as usize].to_vec())
                        .unwrap(),
                    "{mode:?} part {n}"
                );
                parts.push(buf);
            }
            let dec = ObjectDecryptor::new(&keys, enc.envelope().clone())
                .await
                .unwrap();
            assert_eq!(dec.decrypt_object(parts.concat()).unwrap(), plain);
        }
    }
}

#[tokio::test]
async fn encrypting_into_a_caller_buffer_equals_the_owned_form() {
    let keys = keys_a();
    for (size, segment) in [(0usize, 64u64), (1000, 64), (1024, 64), (300_000, 65_536)] {
        let plain = Rng(size as u64 + 1).bytes(size);
        let mode = ContentMode::Authenticated {
            segment_size: segment,
        };
        let enc = ObjectEncryptor::new(keys.writer().as_ref(), &mode, size as u64)
            .await
            .unwrap();
        let owned = enc.encrypt_object(plain.clone()).unwrap();
        // The buffer is dirty and longer than needed: only the stored bytes are written.
        let mut out = vec![0xEE; owned.len() + 7];
        let n = enc.encrypt_to(0, &plain, &mut out).unwrap();
        assert_eq!(&out[..n], &owned[..], "size {size}");
        let too_small = enc.encrypt_to(0, &plain, &mut vec![0; owned.len() - 1]);
        assert_eq!(too_small.unwrap_err().kind(), ErrorKind::InvalidArgument);

        let dec = ObjectDecryptor::new(&keys, enc.envelope().clone())
            .await
            .unwrap();
        assert_eq!(dec.decrypt_object(out[..n].to_vec()).unwrap(), plain);
    }
}

/// `FullReader::update_into` (the streaming whole-object read) at every chunking: segments
/// split across chunks, chunks holding many segments; tampering and truncation still fail.
#[tokio::test]
async fn streamed_whole_reads_decrypt_at_any_chunking_and_refuse_tampering() {
    let keys = keys_a();
    let size = 200_003usize;
    let plain = Rng(9).bytes(size);
    for mode in [
        ContentMode::Compatible,
        ContentMode::Authenticated { segment_size: 4096 },
    ] {
        let mut enc = ObjectEncryptor::new(keys.writer().as_ref(), &mode, size as u64)
            .await
            .unwrap();
        enc.set_plaintext_md5(&plain);
        let stored = enc.encrypt_object(plain.clone()).unwrap();
        let dec = ObjectDecryptor::new(&keys, enc.envelope().clone())
            .await
            .unwrap();
        let read = |stored: &[u8], chunk: usize| -> ossbridge_core::Result<Vec<u8>> {
            let mut reader = dec.full_reader();
            let mut out = Vec::new();
            for piece in stored.chunks(chunk) {
                reader.update_into(piece, &mut out)?;
            }
            reader.finish()?;
            Ok(out)
        };
        for chunk in [1usize, 15, 4096, 4112, 4113, 65_536, size * 2] {
            assert!(
                read(&stored, chunk).unwrap() == plain,
                "{mode:?} chunk {chunk}"
            );
        }
        let mut bad = stored.clone();
        bad[size / 3] ^= 0x40;
        let err = read(&bad, 10_000).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Crypto, "{mode:?}: {err}");
        let err = read(&stored[..stored.len() - 1], 10_000).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Crypto, "{mode:?}: {err}");
        if mode != ContentMode::Compatible {
            let mut longer = stored.clone();
            longer.push(0);
            let err = read(&longer, 10_000).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Crypto, "{mode:?}: {err}");
        }
    }
}
