//! The compatible content cipher: AES-256-CTR over the whole object, as every official OSS
//! SDK writes it (spec §1.2). No authentication: integrity comes only from the optional
//! `unencrypted-content-md5` checked on full reads (see [`super::decrypt`]).

use aws_lc_rs::cipher::{
    EncryptingKey, EncryptionContext, StreamingEncryptingKey, UnboundCipherKey, AES_256,
};

use super::ctr_vaes::VaesCtr;
use super::secret::{CounterIv, DataKey};
use crate::{Error, ErrorKind, Result};

/// `cek-alg` of the compatible format, the only value the official SDKs read.
pub const CEK_ALG_AES_CTR: &str = "AES/CTR/NoPadding";

const BLOCK: u64 = 16;

/// AES-256-CTR keyed with one object's data key and initial counter block.
///
/// The counter for byte offset `off` is `(int_be(iv) + off / 16) mod 2^128`: 128-bit
/// addition, as oss2 and Python v2 do; it equals every other SDK's arithmetic because
/// writers zero IV bytes 8..12.
pub struct AesCtr {
    backend: Backend,
    counter0: u128,
}

/// The VAES-512 kernel where the CPU has it (3x aws-lc's CTR), aws-lc's CTR otherwise.
// One per object, never in a collection: the size difference does not matter.
#[allow(clippy::large_enum_variant)]
enum Backend {
    Vaes(VaesCtr),
    AwsLc {
        key: EncryptingKey,
        /// Kept for [`AesCtr::stream_at`]; zeroized on drop.
        data_key: DataKey,
    },
}

impl std::fmt::Debug for AesCtr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AesCtr(<redacted>)")
    }
}

impl AesCtr {
    pub fn new(key: &DataKey, iv: &CounterIv) -> Result<Self> {
        let backend = match VaesCtr::new(key.as_bytes()) {
            Some(vaes) => Backend::Vaes(vaes),
            None => Self::aws_lc(key)?,
        };
        Ok(AesCtr {
            backend,
            counter0: u128::from_be_bytes(*iv.as_bytes()),
        })
    }

    fn aws_lc(key: &DataKey) -> Result<Backend> {
        let unbound = UnboundCipherKey::new(&AES_256, key.as_bytes())
            .map_err(|_| crypto_err("AES-256 key setup failed"))?;
        Ok(Backend::AwsLc {
            key: EncryptingKey::ctr(unbound).map_err(|_| crypto_err("AES-CTR setup failed"))?,
            data_key: key.clone(),
        })
    }

    /// The same cipher on aws-lc alone, so tests cover that path on VAES machines too.
    #[cfg(test)]
    fn on_aws_lc(key: &DataKey, iv: &CounterIv) -> Result<Self> {
        Ok(AesCtr {
            backend: Self::aws_lc(key)?,
            counter0: u128::from_be_bytes(*iv.as_bytes()),
        })
    }

    /// The counter block used for the 16-byte block number `block` of the object.
    pub fn counter_block(&self, block: u64) -> [u8; 16] {
        self.counter0.wrapping_add(block as u128).to_be_bytes()
    }

    /// XORs the keystream into `buf`, where `buf[0]` is byte `offset` of the object. Works at
    /// any offset: an unaligned start uses block `offset / 16` and skips `offset % 16`
    /// keystream bytes (the "ranged GET" arithmetic of spec §1.4). Encrypt = decrypt.
    pub fn apply_keystream_at(&self, offset: u64, buf: &mut [u8]) -> Result<()> {
        let mut offset = offset;
        let mut rest = buf;
        let skip = (offset % BLOCK) as usize;
        if skip != 0 && !rest.is_empty() {
            let n = rest.len().min(BLOCK as usize - skip);
            let mut block = [0u8; 16];
            block[skip..skip + n].copy_from_slice(&rest[..n]);
            self.xor_aligned(offset / BLOCK, &mut block)?;
            rest[..n].copy_from_slice(&block[skip..skip + n]);
            offset += n as u64;
            rest = &mut rest[n..];
        }
        if !rest.is_empty() {
            self.xor_aligned(offset / BLOCK, rest)?;
        }
        Ok(())
    }

    /// A keystream from byte `offset` of the object on that XORs while it copies (see
    /// [`CtrStream::apply`]): decrypting received chunks into a buffer is then one pass.
    pub fn stream_at(&self, offset: u64) -> Result<CtrStream> {
        let skip = (offset % BLOCK) as usize;
        let data_key = match &self.backend {
            Backend::Vaes(vaes) => {
                let counter = self.counter0.wrapping_add(u128::from(offset / BLOCK));
                // An unaligned start begins inside block `counter`: its unused keystream
                // is pending.
                let (pending, next_counter) = if skip == 0 {
                    ([0u8; 16], counter)
                } else {
                    (vaes.keystream_block(counter), counter.wrapping_add(1))
                };
                return Ok(CtrStream(StreamState::Vaes {
                    pending,
                    pending_at: if skip == 0 { BLOCK as usize } else { skip },
                    next_counter,
                    cipher: Box::new(vaes.clone()),
                }));
            }
            Backend::AwsLc { data_key, .. } => data_key,
        };
        let unbound = UnboundCipherKey::new(&AES_256, data_key.as_bytes())
            .map_err(|_| crypto_err("AES-256 key setup failed"))?;
        let context = EncryptionContext::Iv128(self.counter_block(offset / BLOCK).into());
        let mut stream = CtrStream(StreamState::AwsLc(
            StreamingEncryptingKey::less_safe_ctr(unbound, context)
                .map_err(|_| crypto_err("AES-CTR setup failed"))?,
        ));
        if skip != 0 {
            stream.apply(
                &[0u8; BLOCK as usize][..skip],
                &mut [0u8; 2 * BLOCK as usize],
            )?;
        }
        Ok(stream)
    }

    fn xor_aligned(&self, block: u64, buf: &mut [u8]) -> Result<()> {
        match &self.backend {
            Backend::Vaes(vaes) => {
                vaes.xor_in_place(self.counter0.wrapping_add(u128::from(block)), buf);
                Ok(())
            }
            Backend::AwsLc { key, .. } => {
                let context = EncryptionContext::Iv128(self.counter_block(block).into());
                key.less_safe_encrypt(buf, context)
                    .map_err(|_| crypto_err("AES-CTR encryption failed"))?;
                Ok(())
            }
        }
    }
}

/// AES-256-CTR from a given object offset on, across calls.
pub struct CtrStream(StreamState);

enum StreamState {
    AwsLc(StreamingEncryptingKey),
    Vaes {
        cipher: Box<VaesCtr>,
        /// The keystream block whose bytes from `pending_at` on are still unused.
        pending: [u8; 16],
        pending_at: usize,
        next_counter: u128,
    },
}

impl std::fmt::Debug for CtrStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CtrStream(<redacted>)")
    }
}

impl CtrStream {
    /// Writes `input` XOR the next `input.len()` keystream bytes to the front of `output`,
    /// which must have room for `input.len() + 15` bytes (the cipher's block slack).
    pub fn apply(&mut self, input: &[u8], output: &mut [u8]) -> Result<()> {
        match &mut self.0 {
            StreamState::AwsLc(key) => {
                let written = key
                    .less_safe_update(input, output)
                    .map_err(|_| crypto_err("AES-CTR: output buffer too small"))?
                    .written()
                    .len();
                if written != input.len() {
                    return Err(crypto_err("AES-CTR wrote an unexpected length"));
                }
            }
            StreamState::Vaes {
                cipher,
                pending,
                pending_at,
                next_counter,
            } => {
                if output.len() < input.len() {
                    return Err(crypto_err("AES-CTR: output buffer too small"));
                }
                let leftover = (pending.len() - *pending_at).min(input.len());
                for i in 0..leftover {
                    output[i] = input[i] ^ pending[*pending_at + i];
                }
                *pending_at += leftover;
                let rest = &input[leftover..];
                let whole = rest.len() - rest.len() % BLOCK as usize;
                cipher.xor_into(*next_counter, &rest[..whole], &mut output[leftover..]);
                *next_counter = next_counter.wrapping_add((whole / BLOCK as usize) as u128);
                let tail = &rest[whole..];
                if !tail.is_empty() {
                    *pending = cipher.keystream_block(*next_counter);
                    *next_counter = next_counter.wrapping_add(1);
                    let out = &mut output[leftover + whole..];
                    for (i, byte) in tail.iter().enumerate() {
                        out[i] = byte ^ pending[i];
                    }
                    *pending_at = tail.len();
                }
            }
        }
        Ok(())
    }
}

fn crypto_err(msg: &str) -> Error {
    Error::new(ErrorKind::Crypto, msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference_at(iv: &[u8; 16], offset: u64, data: &[u8]) -> Vec<u8> {
        // aws-lc over the whole prefix, then cut: independent of both offset paths.
        let key = EncryptingKey::ctr(UnboundCipherKey::new(&AES_256, &[5u8; 32]).unwrap()).unwrap();
        let mut all = vec![0u8; offset as usize];
        all.extend_from_slice(data);
        key.less_safe_encrypt(&mut all, EncryptionContext::Iv128((*iv).into()))
            .unwrap();
        all.split_off(offset as usize)
    }

    #[test]
    fn stream_and_keystream_match_aws_lc_at_any_offset_chunking_and_backend() {
        let input: Vec<u8> = (0..5000u32).map(|i| (i * 13 + 7) as u8).collect();
        // the second IV's low 32 bits wrap within the data
        let ivs = [
            [0xAB; 16],
            [0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xf0],
        ];
        for iv in ivs {
            let vaes = AesCtr::new(
                &DataKey::from_slice(&[5u8; 32]).unwrap(),
                &CounterIv::from_slice(&iv).unwrap(),
            )
            .unwrap();
            let aws_lc = AesCtr::on_aws_lc(
                &DataKey::from_slice(&[5u8; 32]).unwrap(),
                &CounterIv::from_slice(&iv).unwrap(),
            )
            .unwrap();
            for ctr in [vaes, aws_lc] {
                for offset in [0u64, 1, 15, 16, 17, 4095, 70_001] {
                    let expected = reference_at(&iv, offset, &input);
                    let mut in_place = input.clone();
                    ctr.apply_keystream_at(offset, &mut in_place).unwrap();
                    assert!(in_place == expected, "in place, offset {offset}");
                    for chunk in [1usize, 7, 16, 333, 5000] {
                        let mut stream = ctr.stream_at(offset).unwrap();
                        let mut out = vec![0u8; input.len() + 15];
                        for (i, piece) in input.chunks(chunk).enumerate() {
                            stream.apply(piece, &mut out[i * chunk..]).unwrap();
                        }
                        assert!(
                            out[..input.len()] == expected[..],
                            "offset {offset} chunk {chunk}"
                        );
                    }
                }
            }
        }
    }
}
