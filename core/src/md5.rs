//! MD5, for ETags, Content-MD5 and the compatible CSE format's plaintext digest.
//!
//! From aws-lc (already linked for the ciphers): its assembly hashes about 1.3-1.4 times as
//! fast as the md-5 crate here, and MD5 sits on the hot path of every upload the local
//! server takes (the ETag) and of every verified compatible CSE read.

/// An incremental MD5.
#[derive(Clone)]
pub struct Md5(aws_lc_sys::MD5_CTX);

impl Md5 {
    pub fn new() -> Self {
        let mut ctx = std::mem::MaybeUninit::<aws_lc_sys::MD5_CTX>::uninit();
        // SAFETY: MD5_Init fully initialises the context it is given (and cannot fail).
        unsafe {
            aws_lc_sys::MD5_Init(ctx.as_mut_ptr());
            Md5(ctx.assume_init())
        }
    }

    pub fn update(&mut self, data: impl AsRef<[u8]>) {
        let data = data.as_ref();
        // SAFETY: the context is initialised; `data` is valid for `data.len()` bytes.
        unsafe {
            aws_lc_sys::MD5_Update(&mut self.0, data.as_ptr().cast(), data.len());
        }
    }

    pub fn finalize(mut self) -> [u8; 16] {
        let mut out = [0u8; 16];
        // SAFETY: the context is initialised; `out` has the 16 bytes MD5_Final writes.
        unsafe {
            aws_lc_sys::MD5_Final(out.as_mut_ptr(), &mut self.0);
        }
        out
    }

    /// The digest of `data` in one call.
    pub fn digest(data: impl AsRef<[u8]>) -> [u8; 16] {
        let mut md5 = Md5::new();
        md5.update(data);
        md5.finalize()
    }
}

impl Default for Md5 {
    fn default() -> Self {
        Md5::new()
    }
}

impl std::fmt::Debug for Md5 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Md5")
    }
}

#[cfg(test)]
mod tests {
    use super::Md5;

    #[test]
    fn matches_rfc_1321_vectors_and_md5_crate_at_any_split() {
        // RFC 1321, appendix A.5.
        for (input, hex) in [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            (
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                "57edf4a22be3c955ac49da2e2107b67a",
            ),
        ] {
            assert_eq!(hex::encode(Md5::digest(input)), hex);
        }
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        let reference: [u8; 16] =
            md5::Digest::finalize(<md5::Md5 as md5::Digest>::new_with_prefix(&data)).into();
        for split in [0usize, 1, 63, 64, 65, 4096, 99_999] {
            let mut md5 = Md5::new();
            md5.update(&data[..split]);
            md5.update(&data[split..]);
            assert_eq!(md5.finalize(), reference, "split {split}");
        }
    }
}
