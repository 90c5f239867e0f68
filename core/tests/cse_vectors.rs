//! Every interop vector in tests/vectors/cse (written by oss2 2.19.1 and
//! alibabacloud-oss-v2 1.4.1) decrypts whole and in ranges, with every accepted key form.

mod cse_support;

use std::sync::Arc;

use cse_support::*;
use ossbridge_core::cse::{ByteRange, MasterKey, MasterKeys, ObjectDecryptor, RsaMasterKey};
use ossbridge_core::ErrorKind;
use sha2::{Digest, Sha256};

struct Vector {
    name: String,
    plaintext: Vec<u8>,
    ciphertext: Vec<u8>,
    meta: Vec<u8>,
    cek_hex: String,
    iv_hex: String,
}

fn vectors() -> Vec<Vector> {
    let index: serde_json::Value = serde_json::from_slice(&read("index.json")).unwrap();
    let list = index["vectors"].as_array().unwrap();
    assert_eq!(list.len(), 2, "index.json lists the two shared vectors");
    list.iter()
        .map(|v| {
            let files = &v["files"];
            let plaintext = read(files["plaintext"].as_str().unwrap());
            let ciphertext = read(files["ciphertext"].as_str().unwrap());
            assert_eq!(
                hex::encode(Sha256::digest(&plaintext)),
                v["plaintext_sha256"].as_str().unwrap()
            );
            assert_eq!(
                hex::encode(Sha256::digest(&ciphertext)),
                v["ciphertext_sha256"].as_str().unwrap()
            );
            Vector {
                name: v["name"].as_str().unwrap().to_string(),
                plaintext,
                ciphertext,
                meta: read(files["object_meta"].as_str().unwrap()),
                cek_hex: v["unwrapped"]["cek_hex"].as_str().unwrap().to_string(),
                iv_hex: v["unwrapped"]["iv_hex"].as_str().unwrap().to_string(),
            }
        })
        .collect()
}

/// Private key in PKCS#8 or PKCS#1, with or without the public key (SPKI or PKCS#1).
fn key_forms() -> Vec<(&'static str, RsaMasterKey)> {
    let p = |n: &str| pem(n);
    vec![
        (
            "pkcs8 private only",
            RsaMasterKey::from_pem(None, Some(&p("rsa2048_A.private_pkcs8.pem"))).unwrap(),
        ),
        (
            "pkcs1 private only",
            RsaMasterKey::from_pem(None, Some(&p("rsa2048_A.private_pkcs1.pem"))).unwrap(),
        ),
        (
            "spki public + pkcs8 private",
            RsaMasterKey::from_pem(
                Some(&p("rsa2048_A.public_spki.pem")),
                Some(&p("rsa2048_A.private_pkcs8.pem")),
            )
            .unwrap(),
        ),
        (
            "pkcs1 public + pkcs1 private",
            RsaMasterKey::from_pem(
                Some(&p("rsa2048_A.public_pkcs1.pem")),
                Some(&p("rsa2048_A.private_pkcs1.pem")),
            )
            .unwrap(),
        ),
    ]
}

#[tokio::test]
async fn vectors_decrypt_whole_with_every_key_form() {
    for v in vectors() {
        for (form, key) in key_forms() {
            let keys = MasterKeys::new(Arc::new(key));
            let dec = ObjectDecryptor::new(&keys, envelope_of(&v.meta))
                .await
                .unwrap();
            assert!(!dec.is_authenticated());
            let plain = dec.decrypt_object(v.ciphertext.clone()).unwrap();
            assert!(
                plain == v.plaintext,
                "{}: {form}: whole-object plaintext differs",
                v.name
            );
        }
    }
}

#[tokio::test]
async fn vectors_unwrap_to_the_recorded_key_and_iv() {
    let key = rsa_a();
    for v in vectors() {
        let env = envelope_of(&v.meta);
        let cek = key.unwrap(&env.wrap_alg, &env.wrapped_key).await.unwrap();
        let iv = key.unwrap(&env.wrap_alg, &env.wrapped_start).await.unwrap();
        assert_eq!(hex::encode(cek.as_bytes()), v.cek_hex, "{}", v.name);
        assert_eq!(hex::encode(iv.as_bytes()), v.iv_hex, "{}", v.name);
        assert_eq!(
            &iv.as_bytes()[8..12],
            &[0, 0, 0, 0],
            "{}: IV bytes 8..11 are zero",
            v.name
        );
    }
}

#[tokio::test]
async fn vectors_decrypt_every_small_range_and_random_large_ranges() {
    let keys = keys_a();
    let mut checked = 0u64;
    for v in vectors() {
        let dec = ObjectDecryptor::new(&keys, envelope_of(&v.meta))
            .await
            .unwrap();
        let size = v.plaintext.len() as u64;
        let mut ranges = Vec::new();
        // Every start in the first 70 bytes against a spread of ends; part boundaries (vec03).
        for start in 0..70u64 {
            for end in [
                start,
                start + 1,
                start + 15,
                start + 16,
                start + 17,
                start + 100,
                size - 1,
                size + 5,
            ] {
                ranges.push(ByteRange::Bounded { start, end });
            }
        }
        for b in [16384u64, 32768, size - 16, size - 1] {
            for d in 0..20u64 {
                let start = b.saturating_sub(10) + d;
                ranges.push(ByteRange::Bounded {
                    start,
                    end: start + 30,
                });
                ranges.push(ByteRange::From { start });
            }
        }
        for len in [
            0u64,
            1,
            5,
            15,
            16,
            17,
            100,
            size - 1,
            size,
            size + 1,
            size * 2,
        ] {
            ranges.push(ByteRange::Suffix { len });
        }
        let mut rng = Rng(0x5eed ^ size);
        for _ in 0..3000 {
            ranges.push(random_range(&mut rng, size));
        }
        for range in ranges {
            let want = expected(&v.plaintext, &range);
            let got = serve_range(&v.ciphertext, &range)
                .map(|(offset, bytes)| dec.decrypt_ctr_range(offset, bytes).unwrap());
            assert!(
                got == want,
                "{}: range {} decrypts wrong",
                v.name,
                range.to_header()
            );
            checked += 1;
        }
    }
    assert!(checked > 7000, "{checked} ranges");
}

#[tokio::test]
async fn vectors_refuse_the_wrong_and_the_public_only_key() {
    for v in vectors() {
        let wrong =
            RsaMasterKey::from_pem(None, Some(&pem("rsa2048_B.private_pkcs8.pem"))).unwrap();
        let err = ObjectDecryptor::new(&MasterKeys::new(Arc::new(wrong)), envelope_of(&v.meta))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Crypto, "{}: {err}", v.name);
        let public_only =
            RsaMasterKey::from_pem(Some(&pem("rsa2048_A.public_spki.pem")), None).unwrap();
        let err = ObjectDecryptor::new(
            &MasterKeys::new(Arc::new(public_only)),
            envelope_of(&v.meta),
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("private key"), "{}: {err}", v.name);
    }
}

#[tokio::test]
async fn vec01_full_read_detects_a_flipped_byte_via_its_md5() {
    let v = vectors()
        .into_iter()
        .find(|v| v.name.starts_with("vec01"))
        .unwrap();
    let keys = keys_a();
    let env = envelope_of(&v.meta);
    assert!(env.unencrypted_content_md5.is_some());
    let dec = ObjectDecryptor::new(&keys, env).await.unwrap();
    for pos in [0usize, 100, 999] {
        let mut tampered = v.ciphertext.clone();
        tampered[pos] ^= 0x01;
        let err = dec.decrypt_object(tampered).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Crypto);
        assert!(err.to_string().contains("unencrypted-content-md5"), "{err}");
    }
    let mut short = v.ciphertext.clone();
    short.pop();
    assert!(
        dec.decrypt_object(short).is_err(),
        "truncation is caught by unencrypted-content-length"
    );
}

#[test]
fn mismatched_public_and_private_keys_are_refused() {
    let err = RsaMasterKey::from_pem(
        Some(&pem("rsa2048_B.public_spki.pem")),
        Some(&pem("rsa2048_A.private_pkcs8.pem")),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    let err = RsaMasterKey::from_pem(Some("not a pem"), None).unwrap_err();
    assert!(err.to_string().contains("PEM"), "{err}");
    let err = RsaMasterKey::from_pem(None, Some(&pem("rsa2048_A.public_spki.pem"))).unwrap_err();
    assert!(err.to_string().contains("private key PEM"), "{err}");
}

#[test]
fn key_debug_output_never_contains_key_material() {
    let key = rsa_a();
    let shown = format!("{key:?}");
    assert!(
        shown.contains("redacted") && !shown.contains("MII"),
        "{shown}"
    );
}
