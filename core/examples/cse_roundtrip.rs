//! Client-side encryption round trips through the Rust EncryptionClient: an RSA master key
//! (OSS's compatible format, readable by oss2 / alibabacloud-oss-v2) and a KMS master key
//! (the local server's KMS API, called with the caller's credentials). Prints what was
//! stored (sizes, CSE metadata) and checks that the read-back matches.
//!
//! `cargo run -p ossbridge-core --example cse_roundtrip -- ENDPOINT [CMK_ID]`, with
//! `OSS_ACCESS_KEY_ID` / `OSS_ACCESS_KEY_SECRET` set.

use std::sync::Arc;

use ossbridge_core::credentials::EnvironmentProvider;
use ossbridge_core::cse::*;
use ossbridge_core::model::*;
use ossbridge_core::{Client, ClientConfig};

fn client(endpoint: &str) -> Result<Client, Box<dyn std::error::Error>> {
    let region = std::env::var("OSS_REGION").unwrap_or_else(|_| "cn-hangzhou".into());
    Ok(Client::new(
        ClientConfig::builder()
            .endpoint(endpoint)
            .region(&region)
            .build()?,
    )?)
}

async fn round_trip(
    what: &str,
    c: &EncryptionClient,
    raw: &Client,
    bucket: &str,
    key: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let plaintext: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    c.put_object(
        bucket,
        key,
        plaintext.clone(),
        &EncryptedPutOptions::default(),
    )
    .await?;
    let stored = raw
        .get_object(bucket, key, &GetObjectOptions::default())
        .await?;
    let meta: Vec<String> = stored
        .meta
        .headers
        .iter()
        .filter(|(k, _)| k.starts_with(HEADER_PREFIX))
        .map(|(k, v)| {
            let short = k.trim_start_matches(HEADER_PREFIX);
            let v = if v.len() > 24 {
                format!("{}...", &v[..24])
            } else {
                v.clone()
            };
            format!("{short}={v}")
        })
        .collect();
    let back = c.get_object(bucket, key, None).await?;
    let matches = back.data[..] == plaintext[..];
    println!(
        "{what}: wrote {bucket}/{key}: {} plaintext bytes stored as {} encrypted bytes (differ from plaintext: {}); metadata {}",
        plaintext.len(),
        stored.data.len(),
        stored.data[..] != plaintext[..],
        meta.join(" ")
    );
    println!(
        "{what}: read back {} bytes, matches: {matches}",
        back.data.len()
    );
    if !matches {
        return Err(format!("{what}: read-back differs").into());
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let endpoint = args
        .next()
        .ok_or("usage: cse_roundtrip ENDPOINT [CMK_ID]")?;
    let cmk = args.next().unwrap_or_else(|| "alias/acs/oss".to_string());
    let raw = client(&endpoint)?;
    let bucket = format!("cse-demo-{:08x}", rand::random::<u32>());
    raw.put_bucket(&bucket, &PutBucketOptions::default())
        .await?;

    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/cse/keys");
    let public = std::fs::read_to_string(format!("{root}/rsa2048_A.public_pkcs1.pem"))?;
    let private = std::fs::read_to_string(format!("{root}/rsa2048_A.private_pkcs1.pem"))?;
    let rsa = RsaMasterKey::from_pem(Some(&public), Some(&private))?;
    let with_rsa = EncryptionClient::new(client(&endpoint)?, Arc::new(rsa));
    round_trip(
        "rust CSE (RSA master key)",
        &with_rsa,
        &raw,
        &bucket,
        "cse-rsa.bin",
    )
    .await?;

    let kms = HttpKmsProvider::new(&endpoint, Arc::new(EnvironmentProvider::new()))?;
    let with_kms = EncryptionClient::new(
        client(&endpoint)?,
        Arc::new(KmsMasterKey::new(Arc::new(kms), cmk)),
    );
    round_trip(
        "rust CSE (KMS master key)",
        &with_kms,
        &raw,
        &bucket,
        "cse-kms.bin",
    )
    .await?;
    Ok(())
}
