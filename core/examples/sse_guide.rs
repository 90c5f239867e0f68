//! The flows of OSS's "Server-side encryption" guide, through the Rust client:
//! set a bucket rule (AES256, KMS with the default CMK, KMS with a named CMK, SM4), upload
//! a file with an SSE header, upload from byte 1000 of a file, upload a large file with
//! upload_file, encrypt an existing object by copying it onto itself, read the SSE
//! headers back. Prints what OSS returned.
//!
//! `cargo run -p ossbridge-core --example sse_guide -- ENDPOINT [CMK_ID]`, with
//! `OSS_ACCESS_KEY_ID` / `OSS_ACCESS_KEY_SECRET` (and optionally `OSS_REGION`) set.

use ossbridge_core::model::*;
use ossbridge_core::sse::{DataEncryption, ServerSideEncryption};
use ossbridge_core::transfer::UploadFileOptions;
use ossbridge_core::{Client, ClientConfig};

fn show(what: &str, meta: &ResponseMeta) {
    println!(
        "{what}: status {} | x-oss-server-side-encryption={} key-id={} data-encryption={} | crc64={} | etag={} | request-id={}",
        meta.status,
        meta.sse.algorithm.as_deref().unwrap_or("-"),
        meta.sse.key_id.as_deref().unwrap_or("-"),
        meta.sse.data_encryption.as_deref().unwrap_or("-"),
        meta.crc64.map(|c| c.to_string()).unwrap_or_else(|| "-".into()),
        meta.etag.as_deref().unwrap_or("-"),
        meta.request_id,
    );
}

fn show_rule(rule: &ServerSideEncryptionRule) -> String {
    format!(
        "SSEAlgorithm={} KMSMasterKeyID={} KMSDataEncryption={}",
        rule.sse_algorithm(),
        rule.kms_master_key_id().unwrap_or("-"),
        rule.kms_data_encryption().unwrap_or("-")
    )
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let endpoint = args.next().ok_or("usage: sse_guide ENDPOINT [CMK_ID]")?;
    let cmk = args.next().unwrap_or_else(|| "demo-cmk".to_string());
    let region = std::env::var("OSS_REGION").unwrap_or_else(|_| "cn-hangzhou".into());
    // Credentials come from OSS_ACCESS_KEY_ID / OSS_ACCESS_KEY_SECRET, as in the guide.
    let client = Client::new(
        ClientConfig::builder()
            .endpoint(&endpoint)
            .region(&region)
            .build()?,
    )?;

    let bucket = format!("examplebucket-{:06x}", rand_suffix());
    let r = client
        .put_bucket(&bucket, &PutBucketOptions::default())
        .await?;
    show(&format!("PutBucket {bucket}"), &r.meta);

    println!("\n-- Method 1: a default encryption rule for the bucket --");
    for sse in [
        ServerSideEncryption::Aes256,
        ServerSideEncryption::kms(),
        ServerSideEncryption::kms_with_key(&cmk),
        ServerSideEncryption::Sm4,
    ] {
        let rule = ServerSideEncryptionRule(sse);
        client.put_bucket_encryption(&bucket, &rule).await?;
        let got = client.get_bucket_encryption(&bucket).await?;
        println!(
            "PutBucketEncryption {} -> GetBucketEncryption {}",
            show_rule(&rule),
            show_rule(&got.rule)
        );
    }
    let info = client.get_bucket_info(&bucket).await?;
    println!(
        "GetBucketInfo: {}",
        info.encryption
            .as_ref()
            .map(show_rule)
            .unwrap_or_else(|| "None".into())
    );
    client.delete_bucket_encryption(&bucket).await?;
    println!("DeleteBucketEncryption: done");

    println!("\n-- Method 2: encryption per object --");
    let dir = std::env::temp_dir().join(format!("ossbridge-demo-{}", rand_suffix()));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("examplefile.txt");
    std::fs::write(
        &file,
        (0..5000u32)
            .map(|i| b'a' + (i % 26) as u8)
            .collect::<Vec<u8>>(),
    )?;

    let opts = PutObjectOptions {
        sse: Some(ServerSideEncryption::Aes256),
        ..Default::default()
    };
    let r = client
        .put_object_from_file(&bucket, "exampledir/exampleobject.txt", &file, &opts)
        .await?;
    show("PutObject (file, AES256)", &r.meta);

    let body = ossbridge_core::Body::from_file_range(&file, 1000, None)?;
    let r = client
        .put_object(&bucket, "exampledir/object1.jpg", body, &opts)
        .await?;
    show("PutObject (from byte 1000, AES256)", &r.meta);
    let head = client
        .head_object(&bucket, "exampledir/object1.jpg")
        .await?;
    println!("  uploaded {} of 5000 bytes", head.info.content_length);

    let large = dir.join("large.bin");
    std::fs::write(&large, vec![7u8; 3 << 20])?;
    let opts = UploadFileOptions {
        part_size: 1 << 20,
        sse: Some(ServerSideEncryption::Kms {
            key_id: None,
            data_encryption: Some(DataEncryption::Sm4),
        }),
        ..Default::default()
    };
    let r = client
        .upload_file(&bucket, "exampledir/large.bin", &large, &opts)
        .await?;
    println!(
        "upload_file: {} bytes in {} parts, crc64 {}",
        r.size, r.part_count, r.crc64
    );
    show("  CompleteMultipartUpload", &r.meta);

    println!("\n-- FAQ: encrypt an existing object by copying it onto itself --");
    client
        .put_object(
            &bucket,
            "legacy.txt",
            b"written before the rule".to_vec(),
            &PutObjectOptions::default(),
        )
        .await?;
    show(
        "HeadObject before",
        &client.head_object(&bucket, "legacy.txt").await?.meta,
    );
    let copy = CopyObjectOptions {
        sse: Some(ServerSideEncryption::kms_with_key(&cmk)),
        ..Default::default()
    };
    let r = client
        .copy_object(&bucket, "legacy.txt", &bucket, "legacy.txt", &copy)
        .await?;
    show("CopyObject onto itself (KMS, named CMK)", &r.meta);

    println!("\n-- Reading the SSE headers back --");
    for key in [
        "exampledir/exampleobject.txt",
        "exampledir/object1.jpg",
        "exampledir/large.bin",
        "legacy.txt",
    ] {
        let got = client
            .get_object(&bucket, key, &GetObjectOptions::default())
            .await?;
        show(
            &format!(
                "GetObject {key} ({} bytes, CRC-64 verified)",
                got.data.len()
            ),
            &got.meta,
        );
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() & 0xff_ffff)
        .unwrap_or(0)
}
