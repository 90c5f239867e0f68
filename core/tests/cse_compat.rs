//! The compatible format as ossbridge writes it, master keys (RSA public-only writers, OAEP
//! objects, AES key wrap, both KMS layouts), material descriptions, multipart counters and
//! the full-read integrity checks.

mod cse_support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use cse_support::*;
use ossbridge_core::cse::*;
use ossbridge_core::{Error, ErrorKind, Result};
use zeroize::Zeroizing;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn public_key_writes_private_key_reads_with_zeroed_iv_bytes() {
    let writer = RsaMasterKey::from_pem(Some(&pem("rsa2048_A.public_pkcs1.pem")), None).unwrap();
    let plain = Rng(1).bytes(12_345);
    let mut enc = ObjectEncryptor::new(&writer, &ContentMode::Compatible, plain.len() as u64)
        .await
        .unwrap();
    enc.set_plaintext_md5(&plain);
    let stored = enc.encrypt_object(plain.clone()).unwrap();
    assert_eq!(stored.len(), plain.len(), "CTR keeps the length");
    let headers = enc.headers();
    let get = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    assert_eq!(get(HEADER_CEK_ALG).as_deref(), Some("AES/CTR/NoPadding"));
    assert_eq!(
        get(HEADER_WRAP_ALG).as_deref(),
        Some("RSA/NONE/PKCS1Padding")
    );
    assert_eq!(get(HEADER_UNENCRYPTED_LENGTH).as_deref(), Some("12345"));
    assert_eq!(
        get(HEADER_KEY).unwrap().len(),
        344,
        "base64 of a 256-byte RSA block"
    );
    assert!(
        get(HEADER_MATDESC).is_none(),
        "an empty material description is omitted"
    );

    // Reading goes through the headers exactly as a GET response returns them.
    let env = Envelope::from_headers(headers.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .unwrap()
        .unwrap();
    let reader = RsaMasterKey::from_pem(None, Some(&pem("rsa2048_A.private_pkcs1.pem"))).unwrap();
    let iv = reader
        .unwrap(&env.wrap_alg, &env.wrapped_start)
        .await
        .unwrap();
    assert_eq!(iv.len(), 16);
    assert_eq!(&iv.as_bytes()[8..12], &[0, 0, 0, 0]);
    let dec = ObjectDecryptor::new(&MasterKeys::new(Arc::new(reader)), env)
        .await
        .unwrap();
    assert_eq!(dec.decrypt_object(stored.clone()).unwrap(), plain);

    // Flipped bytes anywhere fail the full read (MD5), but ranged reads cannot tell.
    for pos in [0, 6000, 12_344] {
        let mut tampered = stored.clone();
        tampered[pos] ^= 4;
        let err = dec.decrypt_object(tampered.clone()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Crypto);
    }
}

#[tokio::test]
async fn two_objects_never_share_key_or_iv() {
    let writer = rsa_a();
    let a = ObjectEncryptor::new(&writer, &ContentMode::Compatible, 10)
        .await
        .unwrap();
    let b = ObjectEncryptor::new(&writer, &ContentMode::Compatible, 10)
        .await
        .unwrap();
    assert_ne!(
        a.encrypt_object(vec![0; 10]).unwrap(),
        b.encrypt_object(vec![0; 10]).unwrap()
    );
}

#[tokio::test]
async fn multipart_part_n_starts_at_counter_iv_plus_offset() {
    let keys = keys_a();
    let plain = Rng(2).bytes(40_000);
    let enc = ObjectEncryptor::new_multipart(
        keys.writer().as_ref(),
        &ContentMode::Compatible,
        40_000,
        16_384,
    )
    .await
    .unwrap();
    let env = enc.envelope().clone();
    assert_eq!((env.data_size, env.part_size), (Some(40_000), Some(16_384)));
    assert_eq!(
        env.unencrypted_content_length, None,
        "only PutObject writes it"
    );
    let parts: Vec<Vec<u8>> = (1..=3u32)
        .map(|n| {
            let (a, b) = enc.part_bounds(n).unwrap();
            enc.encrypt_part(n, plain[a as usize..b as usize].to_vec())
                .unwrap()
        })
        .collect();
    assert_eq!(
        parts.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![16_384, 16_384, 7_232]
    );
    let stored = parts.concat();
    // Same bytes as encrypting the whole object in one go from the IV.
    assert_eq!(enc.encrypt_at(0, plain.clone()).unwrap(), stored);
    let dec = ObjectDecryptor::new(&keys, env).await.unwrap();
    assert_eq!(dec.decrypt_object(stored.clone()).unwrap(), plain);
    assert!(
        dec.decrypt_object(stored[..39_999].to_vec()).is_err(),
        "data-size catches truncation"
    );
    for bad in [0u64, 100, 1000] {
        assert!(ObjectEncryptor::new_multipart(
            keys.writer().as_ref(),
            &ContentMode::Compatible,
            40_000,
            bad
        )
        .await
        .is_err());
    }
    let err = ObjectEncryptor::new_multipart(
        keys.writer().as_ref(),
        &ContentMode::Compatible,
        10_001 * 16,
        16,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("10000 parts"), "{err}");
}

#[tokio::test]
async fn oaep_objects_from_oss2_local_rsa_provider_are_read() {
    use aws_lc_rs::rsa::{OaepPublicEncryptingKey, PublicEncryptingKey, OAEP_SHA1_MGF1SHA1};
    // Re-create an oss2 LocalRsaProvider object: OAEP-SHA1 wraps of key and IV.
    let spki_pem = pem("rsa2048_A.public_spki.pem");
    let body: String = spki_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    let oaep = OaepPublicEncryptingKey::new(PublicEncryptingKey::from_der(&der).unwrap()).unwrap();
    let wrap = |secret: &[u8]| {
        let mut out = vec![0u8; oaep.ciphertext_size()];
        b64(oaep
            .encrypt(&OAEP_SHA1_MGF1SHA1, secret, &mut out, None)
            .unwrap())
    };
    let key = [7u8; 32];
    let mut iv = [3u8; 16];
    iv[8..12].fill(0);
    let plain = Rng(4).bytes(777);
    let ctr = AesCtr::new(
        &DataKey::from_slice(&key).unwrap(),
        &CounterIv::from_slice(&iv).unwrap(),
    )
    .unwrap();
    let mut stored = plain.clone();
    ctr.apply_keystream_at(0, &mut stored).unwrap();
    let env = Envelope {
        cek_alg: CEK_ALG_AES_CTR.into(),
        wrap_alg: WRAP_ALG_RSA_OAEP_SHA1.into(),
        wrapped_key: wrap(&key),
        wrapped_start: wrap(&iv),
        ..Envelope::default()
    };
    let dec = ObjectDecryptor::new(&keys_a(), env).await.unwrap();
    assert_eq!(dec.decrypt_object(stored).unwrap(), plain);
}

#[tokio::test]
async fn material_description_picks_the_key_as_a_parsed_map() {
    let old = RsaMasterKey::from_pem(None, Some(&pem("rsa2048_B.private_pkcs8.pem")))
        .unwrap()
        .with_material_description(
            MaterialDescription::new()
                .with("key", "old")
                .with("owner", "ops"),
        );
    let enc = ObjectEncryptor::new(&old, &ContentMode::Compatible, 3)
        .await
        .unwrap();
    let env = enc.envelope().clone();
    let header = env
        .to_headers()
        .into_iter()
        .find(|(k, _)| k == HEADER_MATDESC)
        .unwrap()
        .1;
    assert_eq!(
        header, r#"{"key":"old","owner":"ops"}"#,
        "compact JSON, sorted keys"
    );
    let stored = enc.encrypt_object(b"abc".to_vec()).unwrap();

    // The object's description written Python-style (spaces, other order) still matches.
    let mut python_style = env.clone();
    python_style.material_description =
        Some(MaterialDescription::parse(r#"{"owner": "ops", "key": "old"}"#).unwrap());
    let current =
        Arc::new(rsa_a().with_material_description(MaterialDescription::new().with("key", "new")));
    let old_reader = Arc::new(
        RsaMasterKey::from_pem(None, Some(&pem("rsa2048_B.private_pkcs1.pem")))
            .unwrap()
            .with_material_description(
                MaterialDescription::new()
                    .with("owner", "ops")
                    .with("key", "old"),
            ),
    );
    let keys = MasterKeys::new(current.clone()).with_decryption_key(old_reader);
    let dec = ObjectDecryptor::new(&keys, python_style).await.unwrap();
    assert_eq!(dec.decrypt_object(stored.clone()).unwrap(), b"abc");
    // Without the old key, the default key is tried and fails with a crypto error.
    let err = ObjectDecryptor::new(&MasterKeys::new(current), env)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Crypto);
    assert!(MaterialDescription::parse("[1]").is_err());
}

#[tokio::test]
async fn aes_key_wrap_master_key_round_trips_and_detects_the_wrong_key() {
    let kek = AesWrapMasterKey::new(&[0x42u8; 32]).unwrap();
    assert!(AesWrapMasterKey::new(&[0u8; 20]).is_err());
    let enc = ObjectEncryptor::new(&kek, &ContentMode::Compatible, 100)
        .await
        .unwrap();
    assert_eq!(enc.envelope().wrap_alg, "AESWrap");
    let stored = enc.encrypt_object(vec![1u8; 100]).unwrap();
    let keys = MasterKeys::new(Arc::new(kek));
    let dec = ObjectDecryptor::new(&keys, enc.envelope().clone())
        .await
        .unwrap();
    assert_eq!(dec.decrypt_object(stored).unwrap(), vec![1u8; 100]);
    let wrong = MasterKeys::new(Arc::new(AesWrapMasterKey::new(&[0x43u8; 32]).unwrap()));
    let err = ObjectDecryptor::new(&wrong, enc.envelope().clone())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("integrity check"), "{err}");
    assert!(!format!("{wrong:?}").contains("43"), "the key is redacted");
    // RFC 3394 test vector 4.6 (256-bit KEK, 256-bit key data).
    let kek = AesWrapMasterKey::new(
        &hex::decode("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F").unwrap(),
    )
    .unwrap();
    let data =
        hex::decode("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F").unwrap();
    let wrapped = kek.wrap(&data).await.unwrap();
    assert_eq!(
        hex::encode(
            base64::engine::general_purpose::STANDARD
                .decode(&wrapped)
                .unwrap()
        ),
        "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21"
    );
}

/// An in-process KMS with Alibaba Cloud KMS's contract (blobs are base64 strings it
/// issued; Decrypt returns the plaintext text exactly as given to Encrypt; unknown blobs
/// are rejected), to exercise the two header layouts without a network.
#[derive(Debug, Default)]
struct InProcessKms {
    blobs: Mutex<HashMap<String, String>>,
    calls: Mutex<Vec<String>>,
}

impl InProcessKms {
    fn issue(&self, plaintext_b64: &str) -> String {
        let mut id = [0u8; 48];
        aws_lc_rs::rand::fill(&mut id).unwrap();
        let blob = b64(&id);
        self.blobs
            .lock()
            .unwrap()
            .insert(blob.clone(), plaintext_b64.to_string());
        blob
    }
}

impl KmsProvider for InProcessKms {
    fn generate_data_key<'a>(
        &'a self,
        _key_id: &'a str,
    ) -> BoxFuture<'a, Result<(Zeroizing<String>, String)>> {
        Box::pin(async move {
            self.calls.lock().unwrap().push("GenerateDataKey".into());
            let mut key = [0u8; 32];
            aws_lc_rs::rand::fill(&mut key).unwrap();
            let plaintext = b64(&key);
            let blob = self.issue(&plaintext);
            Ok((Zeroizing::new(plaintext), blob))
        })
    }
    fn encrypt<'a>(
        &'a self,
        _key_id: &'a str,
        plaintext_b64: &'a str,
    ) -> BoxFuture<'a, Result<String>> {
        Box::pin(async move {
            self.calls.lock().unwrap().push("Encrypt".into());
            Ok(self.issue(plaintext_b64))
        })
    }
    fn decrypt<'a>(&'a self, blob: &'a str) -> BoxFuture<'a, Result<Zeroizing<String>>> {
        Box::pin(async move {
            self.calls.lock().unwrap().push("Decrypt".into());
            self.blobs
                .lock()
                .unwrap()
                .get(blob)
                .cloned()
                .map(Zeroizing::new)
                .ok_or_else(|| {
                    Error::service(ossbridge_core::ServiceError {
                        status: 400,
                        code: "InvalidCiphertext".into(),
                        ..Default::default()
                    })
                })
        })
    }
}

#[tokio::test]
async fn kms_writes_the_majority_layout_and_reads_both() {
    let kms = Arc::new(InProcessKms::default());
    let java_go = KmsMasterKey::new(kms.clone(), "key-1");
    let oss2 =
        KmsMasterKey::new(kms.clone(), "key-1").with_layout(KmsHeaderLayout::Oss2DoubleBase64);
    let plain = Rng(8).bytes(3000);
    for (writer, blob_is_header) in [(&java_go, true), (&oss2, false)] {
        for mode in [ContentMode::Compatible, ContentMode::authenticated()] {
            let enc = ObjectEncryptor::new(writer, &mode, plain.len() as u64)
                .await
                .unwrap();
            let env = enc.envelope().clone();
            assert_eq!(env.wrap_alg, "KMS/ALICLOUD");
            let known = kms.blobs.lock().unwrap().contains_key(&env.wrapped_key);
            assert_eq!(known, blob_is_header, "layout of the key header");
            let stored = enc.encrypt_object(plain.clone()).unwrap();
            // A KMS key configured with the default layout reads both layouts.
            let keys = MasterKeys::new(Arc::new(KmsMasterKey::new(kms.clone(), "key-1")));
            let dec = ObjectDecryptor::new(&keys, env.clone()).await.unwrap();
            assert_eq!(dec.decrypt_object(stored.clone()).unwrap(), plain);
        }
    }
    assert!(kms
        .calls
        .lock()
        .unwrap()
        .iter()
        .any(|c| c == "GenerateDataKey"));
    // A blob the KMS never issued is an error, not garbage.
    let env = Envelope {
        cek_alg: CEK_ALG_AES_CTR.into(),
        wrap_alg: WRAP_ALG_KMS.into(),
        wrapped_key: b64(b"bm90LWEtYmxvYg=="),
        wrapped_start: "x".into(),
        ..Envelope::default()
    };
    let err = ObjectDecryptor::new(&MasterKeys::new(Arc::new(java_go)), env)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Service, "{err}");
}

#[test]
fn envelope_parsing_is_strict_about_what_is_present() {
    let none: Vec<(&str, &str)> = vec![("content-type", "text/plain"), ("x-oss-meta-a", "b")];
    assert!(Envelope::from_headers(none).unwrap().is_none());
    let partial = vec![
        ("X-Oss-Meta-Client-Side-Encryption-Key", "abc"),
        ("x-oss-meta-client-side-encryption-start", "def"),
    ];
    let err = Envelope::from_headers(partial).unwrap_err();
    assert!(err.to_string().contains("cek-alg is missing"), "{err}");
    let legacy = vec![("x-oss-meta-oss-crypto-key", "abc")];
    assert!(Envelope::from_headers(legacy)
        .unwrap_err()
        .to_string()
        .contains("legacy"));
    let bad_size = vec![
        ("x-oss-meta-client-side-encryption-key", "a"),
        ("x-oss-meta-client-side-encryption-start", "b"),
        (
            "x-oss-meta-client-side-encryption-cek-alg",
            "AES/CTR/NoPadding",
        ),
        (
            "x-oss-meta-client-side-encryption-wrap-alg",
            "RSA/NONE/PKCS1Padding",
        ),
        ("x-oss-meta-client-side-encryption-data-size", "12x"),
    ];
    assert!(Envelope::from_headers(bad_size)
        .unwrap_err()
        .to_string()
        .contains("data-size"));
}

#[tokio::test]
async fn unknown_content_algorithms_are_refused() {
    let mut env = envelope_of(&read("vec01_oss2_rsa_pkcs1_put/object_meta.json"));
    env.cek_alg = "AES/GCM/NoPadding".into();
    let err = ObjectDecryptor::new(&keys_a(), env).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("unsupported content encryption algorithm"),
        "{err}"
    );
}

#[test]
fn byte_range_parsing_and_resolution() {
    assert_eq!(
        ByteRange::parse("bytes=0-99").unwrap(),
        ByteRange::Bounded { start: 0, end: 99 }
    );
    assert_eq!(
        ByteRange::parse("bytes=5-").unwrap(),
        ByteRange::From { start: 5 }
    );
    assert_eq!(
        ByteRange::parse("bytes=-10").unwrap(),
        ByteRange::Suffix { len: 10 }
    );
    for bad in ["bytes=9-1", "bytes=a-b", "bytes=-", "bytes=0-1,5-6"] {
        assert_eq!(
            ByteRange::parse(bad).unwrap_err().kind(),
            ErrorKind::InvalidArgument,
            "{bad}"
        );
    }
    assert_eq!(
        ByteRange::Suffix { len: 100 }.resolve(1000),
        Some((900, 999))
    );
    assert_eq!(
        ByteRange::Suffix { len: 5000 }.resolve(1000),
        Some((0, 999))
    );
    assert_eq!(
        ByteRange::Bounded {
            start: 990,
            end: 5000
        }
        .resolve(1000),
        Some((990, 999))
    );
    assert_eq!(ByteRange::From { start: 1000 }.resolve(1000), None);
    assert_eq!(ByteRange::Suffix { len: 0 }.resolve(1000), None);
    assert_eq!(ByteRange::Bounded { start: 0, end: 0 }.resolve(0), None);
    assert_eq!(
        parse_content_range("bytes 16-47/1000"),
        Some((16, 47, Some(1000)))
    );
}

#[test]
fn ctr_counter_carries_across_128_bits() {
    // The counter is 128-bit big-endian; check the carry out of the low 32 and 64 bits
    // against AES-ECB of explicit counter blocks.
    use aws_lc_rs::cipher::{EncryptingKey, UnboundCipherKey, AES_256};
    let key = DataKey::from_slice(&[5u8; 32]).unwrap();
    for iv in [
        hex::decode("000000000000000000000000fffffffe").unwrap(),
        hex::decode("0000000000000000fffffffffffffffe").unwrap(),
        hex::decode("fffffffffffffffffffffffffffffffe").unwrap(),
    ] {
        let ctr = AesCtr::new(&key, &CounterIv::from_slice(&iv).unwrap()).unwrap();
        let mut stream = vec![0u8; 64];
        ctr.apply_keystream_at(0, &mut stream).unwrap();
        let ecb =
            EncryptingKey::ecb(UnboundCipherKey::new(&AES_256, key.as_bytes()).unwrap()).unwrap();
        let mut expected = Vec::new();
        for i in 0..4u128 {
            let mut block = u128::from_be_bytes(iv.clone().try_into().unwrap())
                .wrapping_add(i)
                .to_be_bytes();
            ecb.encrypt(&mut block).unwrap();
            expected.extend_from_slice(&block);
        }
        assert_eq!(stream, expected, "iv {}", hex::encode(&iv));
        // And unaligned starts give the same keystream bytes.
        for off in [1u64, 15, 17, 33] {
            let mut part = vec![0u8; (64 - off) as usize];
            ctr.apply_keystream_at(off, &mut part).unwrap();
            assert_eq!(part, expected[off as usize..]);
        }
    }
}
