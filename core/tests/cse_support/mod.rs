//! Shared helpers for the client-side encryption tests (vectors, keys, a deterministic RNG,
//! and a stand-in for what OSS returns for a ranged GET).
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use ossbridge_core::cse::{ByteRange, Envelope, MasterKeys, RsaMasterKey};

pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/cse")
}

pub fn read(rel: &str) -> Vec<u8> {
    std::fs::read(vectors_dir().join(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
}

pub fn pem(name: &str) -> String {
    String::from_utf8(read(&format!("keys/{name}"))).unwrap()
}

pub fn rsa_a() -> RsaMasterKey {
    RsaMasterKey::from_pem(
        Some(&pem("rsa2048_A.public_spki.pem")),
        Some(&pem("rsa2048_A.private_pkcs8.pem")),
    )
    .unwrap()
}

pub fn keys_a() -> MasterKeys {
    MasterKeys::new(Arc::new(rsa_a()))
}

pub fn envelope_of(meta_json: &[u8]) -> Envelope {
    let meta: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(meta_json).unwrap();
    let pairs: Vec<(String, String)> = meta
        .into_iter()
        .map(|(k, v)| (k, v.as_str().unwrap().to_string()))
        .collect();
    Envelope::from_headers(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .unwrap()
        .unwrap()
}

/// splitmix64: deterministic, so a failing range is reproducible from the seed.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// A random range over an object of `size` bytes, mixing bounded, open-ended, suffix and
/// past-the-end forms (some unsatisfiable on purpose).
pub fn random_range(rng: &mut Rng, size: u64) -> ByteRange {
    let span = size + 40;
    match rng.below(6) {
        0 | 1 => {
            let start = rng.below(span);
            ByteRange::Bounded {
                start,
                end: start + rng.below(span),
            }
        }
        2 => {
            let start = rng.below(size.max(1));
            ByteRange::Bounded {
                start,
                end: start + rng.below(64),
            }
        }
        3 => ByteRange::From {
            start: rng.below(span),
        },
        4 => ByteRange::Suffix {
            len: rng.below(span),
        },
        _ => ByteRange::Bounded {
            start: rng.below(size.max(1)),
            end: size + rng.below(100),
        },
    }
}

/// What a standard-behaviour OSS returns for `range` on `stored`: `(first byte offset,
/// bytes)`, or `None` for 416.
pub fn serve_range(stored: &[u8], range: &ByteRange) -> Option<(u64, Vec<u8>)> {
    let (s, e) = range.resolve(stored.len() as u64)?;
    Some((s, stored[s as usize..=e as usize].to_vec()))
}

/// The plaintext bytes `range` selects, or `None` when unsatisfiable.
pub fn expected(plain: &[u8], range: &ByteRange) -> Option<Vec<u8>> {
    let (s, e) = range.resolve(plain.len() as u64)?;
    Some(plain[s as usize..=e as usize].to_vec())
}
