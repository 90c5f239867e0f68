//! Signatures per second: V1 and V4, header and presigned-URL forms, on a typical PutObject
//! request (unicode key, Content-Type/Content-MD5, two x-oss-* headers, STS token).
//! `bench/run.sh` turns the estimates into a table next to oss2's and alibabacloud-oss-v2's.

use std::time::{Duration, UNIX_EPOCH};

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use ossbridge_core::credentials::Credentials;
use ossbridge_core::signing::{v1, v4, SignableRequest};

fn request() -> SignableRequest {
    SignableRequest::new("PUT")
        .with_bucket("examplebucket")
        .with_key("中文目录/测试 文件+1.txt")
        .with_header("Content-Type", "text/plain")
        .with_header("Content-MD5", "XrY7u+Ae7tCTyyK7j1rNww==")
        .with_header("x-oss-meta-author", "alice")
        .with_header("x-oss-object-acl", "private")
}

fn signing(c: &mut Criterion) {
    let creds = Credentials::new("LTAI5tTESTACCESSKEYID", "TESTACCESSKEYSECRET0123456789ab")
        .with_security_token("CAISTESTsecurityToken+/abc==");
    let time = UNIX_EPOCH + Duration::from_secs(1_705_307_400);
    let mut group = c.benchmark_group("signing");
    group.throughput(Throughput::Elements(1));
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));

    group.bench_function("v1_header", |b| {
        b.iter_batched_ref(
            request,
            |req| black_box(v1::sign_header(req, &creds, time, &[])),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("v4_header", |b| {
        b.iter_batched_ref(
            request,
            |req| {
                black_box(v4::sign_header(
                    req,
                    &creds,
                    "cn-hangzhou",
                    "oss",
                    time,
                    &[],
                ))
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("v1_presign", |b| {
        b.iter_batched_ref(
            request,
            |req| black_box(v1::presign(req, &creds, 1_705_311_000, &[])),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("v4_presign", |b| {
        b.iter_batched_ref(
            request,
            |req| {
                black_box(v4::presign(req, &creds, "cn-hangzhou", "oss", time, 3600, &[]).unwrap())
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, signing);
criterion_main!(benches);
