//! Client-side encryption (CSE): objects encrypted before upload and decrypted after
//! download, in OSS's own format ("CSE v2", `x-oss-meta-client-side-encryption-*`), which
//! every official SDK reads, or in ossbridge's authenticated format.
//!
//! * [`ContentMode::Compatible`]: AES-256-CTR, data key and IV wrapped by a master key
//!   (RSA PKCS#1 v1.5 by default, as oss2 / alibabacloud-oss-v2 / Go / Java / C++ do). Reads
//!   also accept oss2's OAEP objects and both KMS layouts. A full read verifies
//!   `unencrypted-content-md5` when present.
//! * [`ContentMode::Authenticated`]: segmented AES-256-GCM with HKDF key commitment
//!   (docs/cse-authenticated-format.md). Truncation, reordering, key substitution and any
//!   changed byte are detected, ranged reads included.
//!
//! Layers: [`MasterKey`] implementations wrap keys ([`RsaMasterKey`], [`AesWrapMasterKey`],
//! [`KmsMasterKey`] over a [`KmsProvider`]); [`ObjectEncryptor`] / [`ObjectDecryptor`]
//! turn plaintext into stored bytes and metadata and back; [`ByteRange`] does the ranged-GET
//! arithmetic. All key material is zeroized on drop and redacted in `Debug`.

mod aes_wrap_key;
mod authenticated;
mod client;
mod content;
mod ctr;
mod ctr_vaes;
mod envelope;
mod kms;
mod kms_http;
mod master_key;
mod range;
mod rsa_key;
mod secret;
mod transfer;

pub use aes_wrap_key::{AesWrapMasterKey, WRAP_ALG_AES_KEY_WRAP, WRAP_ALG_AES_KEY_WRAP_PAD};
pub use authenticated::{
    SegmentCipher, SegmentLayout, CEK_ALG_AUTHENTICATED, COMMITMENT_LEN, DEFAULT_SEGMENT_SIZE,
    MAX_SEGMENT_SIZE, SALT_LEN, TAG_LEN,
};
pub use client::{
    DecryptedObject, EncryptedMultipartUpload, EncryptedObjectInfo, EncryptedPutOptions,
    EncryptionClient, USER_AGENT_SUFFIX,
};
pub use content::{ContentMode, FullReader, ObjectDecryptor, ObjectEncryptor, MAX_PARTS};
pub use ctr::{AesCtr, CEK_ALG_AES_CTR};
pub use envelope::{
    Envelope, MaterialDescription, HEADER_CEK_ALG, HEADER_DATA_SIZE, HEADER_KEY,
    HEADER_KEY_COMMITMENT, HEADER_MATDESC, HEADER_PART_SIZE, HEADER_PLAINTEXT_SIZE, HEADER_PREFIX,
    HEADER_SEGMENT_SIZE, HEADER_START, HEADER_UNENCRYPTED_LENGTH, HEADER_UNENCRYPTED_MD5,
    HEADER_WRAP_ALG,
};
pub use kms::{KmsHeaderLayout, KmsMasterKey, KmsProvider, WRAP_ALG_KMS};
pub use kms_http::HttpKmsProvider;
pub use master_key::{BoxFuture, MasterKey, MasterKeys};
pub use range::{parse_content_range, unsatisfiable, ByteRange, SegmentRangePlan};
pub use rsa_key::{RsaMasterKey, WRAP_ALG_RSA_OAEP_SHA1, WRAP_ALG_RSA_PKCS1};
pub use secret::{CounterIv, DataKey, SecretBytes};
pub use transfer::{EncryptedDownloadOptions, EncryptedTransferResult, EncryptedUploadOptions};
