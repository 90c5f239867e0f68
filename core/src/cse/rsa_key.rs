//! RSA master key: wraps with RSAES-PKCS1-v1_5 (`RSA/NONE/PKCS1Padding`, what every official
//! SDK writes) and unwraps that or oss2 `LocalRsaProvider`'s OAEP-SHA1
//! (`RSA/NONE/OAEPWithSHA-1AndMGF1Padding`). Keys come as PEM: private keys in PKCS#1
//! (`RSA PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`), public keys in PKCS#1 (`RSA PUBLIC KEY`)
//! or SPKI (`PUBLIC KEY`). A public key alone can encrypt; reading needs the private key.

use aws_lc_rs::rsa::{
    OaepPrivateDecryptingKey, Pkcs1PrivateDecryptingKey, Pkcs1PublicEncryptingKey,
    PrivateDecryptingKey, PublicEncryptingKey, OAEP_SHA1_MGF1SHA1,
};
use zeroize::Zeroizing;

use super::envelope::MaterialDescription;
use super::master_key::{b64_decode_header, b64_encode, BoxFuture, MasterKey};
use super::secret::SecretBytes;
use crate::{Error, ErrorKind, Result};

pub const WRAP_ALG_RSA_PKCS1: &str = "RSA/NONE/PKCS1Padding";
pub const WRAP_ALG_RSA_OAEP_SHA1: &str = "RSA/NONE/OAEPWithSHA-1AndMGF1Padding";

pub struct RsaMasterKey {
    public: PublicEncryptingKey,
    private: Option<PrivateDecryptingKey>,
    description: MaterialDescription,
}

impl std::fmt::Debug for RsaMasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RsaMasterKey")
            .field("bits", &self.public.key_size_bits())
            .field("private_key", &self.private.as_ref().map(|_| "<redacted>"))
            .field("material_description", &self.description)
            .finish()
    }
}

impl RsaMasterKey {
    /// At least one of the two PEM texts is needed; with only a private key the public key
    /// is derived from it. If both are given they must belong together.
    pub fn from_pem(public_pem: Option<&str>, private_pem: Option<&str>) -> Result<Self> {
        let private = private_pem.map(parse_private_pem).transpose()?;
        let public = match (public_pem, &private) {
            (Some(pem), _) => parse_public_pem(pem)?,
            (None, Some(private)) => private.public_key(),
            (None, None) => {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "an RSA master key needs a public key, a private key or both (PEM)",
                ))
            }
        };
        if let Some(private) = &private {
            let derived = private.public_key();
            if derived.key_size_bits() != public.key_size_bits()
                || spki_der(&derived) != spki_der(&public)
            {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "the RSA public key does not belong to the private key",
                ));
            }
        }
        Ok(RsaMasterKey {
            public,
            private,
            description: MaterialDescription::new(),
        })
    }

    pub fn with_material_description(mut self, description: MaterialDescription) -> Self {
        self.description = description;
        self
    }

    pub fn key_size_bits(&self) -> usize {
        self.public.key_size_bits()
    }

    fn encrypt(&self, secret: &[u8]) -> Result<String> {
        let key = Pkcs1PublicEncryptingKey::new(self.public.clone())
            .map_err(|_| crypto("RSA public key setup failed"))?;
        let mut out = vec![0u8; key.ciphertext_size()];
        let wrapped = key
            .encrypt(secret, &mut out)
            .map_err(|_| crypto("RSA encryption failed"))?;
        Ok(b64_encode(wrapped))
    }

    fn decrypt(&self, wrap_alg: &str, header_value: &str) -> Result<SecretBytes> {
        let private = self.private.as_ref().ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                "this RSA master key has only a public key; decrypting needs the private key",
            )
        })?;
        let wrapped = b64_decode_header("key/start", header_value)?;
        let mut out = Zeroizing::new(vec![0u8; private.key_size_bytes()]);
        let failed =
            || crypto("RSA unwrap of the data key failed (wrong master key or corrupt metadata)");
        let n = if wrap_alg.eq_ignore_ascii_case(WRAP_ALG_RSA_OAEP_SHA1) {
            let key = OaepPrivateDecryptingKey::new(private.clone()).map_err(|_| failed())?;
            key.decrypt(&OAEP_SHA1_MGF1SHA1, &wrapped, &mut out, None)
                .map_err(|_| failed())?
                .len()
        } else {
            let key = Pkcs1PrivateDecryptingKey::new(private.clone()).map_err(|_| failed())?;
            key.decrypt(&wrapped, &mut out).map_err(|_| failed())?.len()
        };
        out.truncate(n);
        Ok(SecretBytes::from(out))
    }
}

impl MasterKey for RsaMasterKey {
    fn wrap_algorithm(&self) -> &str {
        WRAP_ALG_RSA_PKCS1
    }

    fn accepts(&self, wrap_alg: &str) -> bool {
        wrap_alg.eq_ignore_ascii_case(WRAP_ALG_RSA_PKCS1)
            || wrap_alg.eq_ignore_ascii_case(WRAP_ALG_RSA_OAEP_SHA1)
    }

    fn material_description(&self) -> &MaterialDescription {
        &self.description
    }

    fn wrap<'a>(&'a self, secret: &'a [u8]) -> BoxFuture<'a, Result<String>> {
        Box::pin(async move { self.encrypt(secret) })
    }

    fn unwrap<'a>(
        &'a self,
        wrap_alg: &'a str,
        header_value: &'a str,
    ) -> BoxFuture<'a, Result<SecretBytes>> {
        Box::pin(async move { self.decrypt(wrap_alg, header_value) })
    }
}

fn crypto(msg: &str) -> Error {
    Error::new(ErrorKind::Crypto, msg)
}

fn spki_der(key: &PublicEncryptingKey) -> Vec<u8> {
    use aws_lc_rs::encoding::AsDer;
    key.as_der()
        .map(|d| d.as_ref().to_vec())
        .unwrap_or_default()
}

/// One PEM block: (label, DER bytes). The DER is zeroized when dropped.
fn pem_decode(pem: &str) -> Result<(String, Zeroizing<Vec<u8>>)> {
    use base64::Engine as _;
    let bad = |what: &str| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!("invalid PEM key: {what}"),
        )
    };
    let begin = pem
        .find("-----BEGIN ")
        .ok_or_else(|| bad("no -----BEGIN line"))?;
    let after = &pem[begin + 11..];
    let label_end = after
        .find("-----")
        .ok_or_else(|| bad("unterminated BEGIN line"))?;
    let label = after[..label_end].trim().to_string();
    let body_start = &after[label_end + 5..];
    let end_marker = format!("-----END {label}-----");
    let end = body_start
        .find(&end_marker)
        .ok_or_else(|| bad(&format!("no {end_marker} line")))?;
    let body: Zeroizing<String> = Zeroizing::new(
        body_start[..end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect(),
    );
    if body.contains(':') {
        return Err(bad(
            "encrypted (Proc-Type) PEM keys are not supported; decrypt it first",
        ));
    }
    let der = base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .map_err(|_| bad("the body is not base64"))?;
    Ok((label, Zeroizing::new(der)))
}

fn parse_private_pem(pem: &str) -> Result<PrivateDecryptingKey> {
    let (label, der) = pem_decode(pem)?;
    let pkcs8 = match label.as_str() {
        "PRIVATE KEY" => der,
        "RSA PRIVATE KEY" => Zeroizing::new(pkcs1_private_to_pkcs8(&der)),
        "ENCRYPTED PRIVATE KEY" => {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "encrypted PKCS#8 private keys are not supported; decrypt it first",
            ))
        }
        other => {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "expected an RSA private key PEM (PRIVATE KEY or RSA PRIVATE KEY), got {other}"
                ),
            ))
        }
    };
    PrivateDecryptingKey::from_pkcs8(&pkcs8).map_err(|e| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "the RSA private key was rejected ({e}); 2048 to 8192-bit RSA keys are supported"
            ),
        )
    })
}

fn parse_public_pem(pem: &str) -> Result<PublicEncryptingKey> {
    let (label, der) = pem_decode(pem)?;
    let spki = match label.as_str() {
        "PUBLIC KEY" => der.to_vec(),
        "RSA PUBLIC KEY" => pkcs1_public_to_spki(&der),
        other => {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "expected an RSA public key PEM (PUBLIC KEY or RSA PUBLIC KEY), got {other}"
                ),
            ))
        }
    };
    PublicEncryptingKey::from_der(&spki).map_err(|e| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "the RSA public key was rejected ({e}); 2048 to 8192-bit RSA keys are supported"
            ),
        )
    })
}

// rsaEncryption OID 1.2.840.113549.1.1.1 with NULL parameters (AlgorithmIdentifier).
const RSA_ALGORITHM_ID: &[u8] = &[
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING { RSAPrivateKey } }.
fn pkcs1_private_to_pkcs8(pkcs1: &[u8]) -> Vec<u8> {
    let mut inner = Zeroizing::new(vec![0x02, 0x01, 0x00]);
    inner.extend_from_slice(RSA_ALGORITHM_ID);
    inner.extend_from_slice(&Zeroizing::new(der_tlv(0x04, pkcs1)));
    der_tlv(0x30, &inner)
}

/// SubjectPublicKeyInfo { rsaEncryption, BIT STRING { RSAPublicKey } }.
fn pkcs1_public_to_spki(pkcs1: &[u8]) -> Vec<u8> {
    let mut bits = vec![0x00];
    bits.extend_from_slice(pkcs1);
    let mut inner = RSA_ALGORITHM_ID.to_vec();
    inner.extend_from_slice(&der_tlv(0x03, &bits));
    der_tlv(0x30, &inner)
}
