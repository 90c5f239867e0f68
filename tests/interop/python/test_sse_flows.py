"""Every flow of the OSS "Server-side encryption" guide, through oss2 and alibabacloud-oss-v2,
each with V1 and V4 signatures (the ``sdk`` fixture)."""

from __future__ import annotations

import oss2
import pytest

from clients import SSE, SSE_DATA, SSE_KEY_ID, sse_of
from helpers import (
    BUCKET_RULE_CASES, OBJECT_SSE_CASES, assert_sse, crc64, md5_etag, payload, resolve, resolve_headers,
)


@pytest.mark.parametrize("case_id,rule,expected", BUCKET_RULE_CASES, ids=[c[0] for c in BUCKET_RULE_CASES])
def test_bucket_rule_round_trip(env, sdk, bucket, case_id, rule, expected):
    alg, key_id, data = rule
    assert sdk.put_bucket_encryption(bucket, alg, resolve(key_id, env.named_cmk), data) == 200
    exp = tuple(resolve(v, env.named_cmk) for v in expected)
    assert sdk.get_bucket_encryption(bucket) == exp
    info = sdk.bucket_info_sse(bucket)
    assert info[0] == exp[0] and info[2] == exp[2], f"GetBucketInfo rule {info}, expected {exp}"
    assert (info[1] or None) == exp[1]

    assert sdk.delete_bucket_encryption(bucket) == 204
    err = sdk.failure(lambda: sdk.get_bucket_encryption(bucket))
    assert (err.status, err.code) == (404, "NoSuchServerSideEncryptionRule")
    assert sdk.bucket_info_sse(bucket)[0] == "None"


def test_bucket_rule_drops_data_cipher_for_non_kms(env, sdk, bucket):
    for alg in ("AES256", "SM4"):
        assert sdk.put_bucket_encryption(bucket, alg, None, "SM4") == 200
        assert sdk.get_bucket_encryption(bucket) == (alg, None, None)


def test_bucket_rule_accepts_any_kms_key_id_at_put_time(env, sdk, bucket):
    assert sdk.put_bucket_encryption(bucket, "KMS", "test_wrong") == 200
    assert sdk.get_bucket_encryption(bucket) == ("KMS", "test_wrong", None)


def test_bucket_without_rule_reports_none(env, sdk, bucket):
    assert sdk.bucket_info_sse(bucket)[0] == "None"
    err = sdk.failure(lambda: sdk.get_bucket_encryption(bucket))
    assert (err.status, err.code) == (404, "NoSuchServerSideEncryptionRule")


@pytest.mark.parametrize("case_id,headers,expected", OBJECT_SSE_CASES, ids=[c[0] for c in OBJECT_SSE_CASES])
def test_upload_with_each_sse_header(env, sdk, bucket, case_id, headers, expected):
    data = payload(300_001, seed=len(case_id))
    key = f"obj/{case_id}.bin"
    defaults = set()
    put = sdk.put_object(bucket, key, data, sse=resolve_headers(headers, env.named_cmk))
    assert_sse(put, expected, env.named_cmk, defaults, where="PutObject")
    assert put.get("x-oss-hash-crc64ecma") == crc64(data)
    assert put.get("etag") == md5_etag(data)
    assert put.get("x-oss-request-id")

    got, h, status = sdk.get_object(bucket, key)
    assert status == 200 and got == data
    assert_sse(h, expected, env.named_cmk, defaults, where="GetObject")
    assert h.get("x-oss-hash-crc64ecma") == crc64(data)
    assert int(h["content-length"]) == len(data)

    head = sdk.head_object(bucket, key)
    assert_sse(head, expected, env.named_cmk, defaults, where="HeadObject")
    assert int(head["content-length"]) == len(data)
    assert head.get("etag") == put.get("etag")
    # The default CMK is one stable id, echoed identically by Put, Get and Head.
    assert len(defaults) <= 1, defaults


def test_default_cmk_is_stable_across_objects(env, sdk, bucket):
    ids = set()
    for i in range(3):
        h = sdk.put_object(bucket, f"k{i}", b"x" * (i + 1), sse={SSE: "KMS"})
        ids.add(sse_of(h)[1])
    assert len(ids) == 1 and None not in ids, ids
    assert env.named_cmk not in ids


def test_unencrypted_object_has_no_sse_headers(env, sdk, bucket):
    put = sdk.put_object(bucket, "plain", b"plain data")
    assert sse_of(put) == (None, None, None)
    assert sse_of(sdk.head_object(bucket, "plain")) == (None, None, None)


@pytest.mark.parametrize("case_id,rule,expected", BUCKET_RULE_CASES, ids=[c[0] for c in BUCKET_RULE_CASES])
def test_bucket_default_applied(env, sdk, bucket, case_id, rule, expected):
    alg, key_id, data_cipher = rule
    sdk.put_bucket_encryption(bucket, alg, resolve(key_id, env.named_cmk), data_cipher)
    exp = (expected[0], "DEFAULT" if alg == "KMS" and key_id is None else expected[1], expected[2])
    data = payload(200_000, seed=7)
    sdk.put_object(bucket, "by-default", data)
    got, h, _ = sdk.get_object(bucket, "by-default")
    assert got == data
    assert_sse(h, exp, env.named_cmk, where="GetObject under the bucket rule")
    assert_sse(sdk.head_object(bucket, "by-default"), exp, env.named_cmk, where="HeadObject under the bucket rule")


def test_header_beats_bucket_default(env, sdk, bucket):
    sdk.put_bucket_encryption(bucket, "KMS", env.named_cmk, "SM4")
    sdk.put_object(bucket, "k", b"abc", sse={SSE: "AES256"})
    assert sse_of(sdk.head_object(bucket, "k")) == ("AES256", None, None)
    sdk.put_object(bucket, "k2", b"abc", sse={SSE: "KMS"})
    alg, key_id, data = sse_of(sdk.head_object(bucket, "k2"))
    assert alg == "KMS" and key_id and key_id != env.named_cmk and data is None


def test_changing_bucket_rule_leaves_existing_objects(env, sdk, bucket):
    sdk.put_object(bucket, "before", b"written before the rule")
    sdk.put_object(bucket, "aes", b"aes object", sse={SSE: "AES256"})
    sdk.put_bucket_encryption(bucket, "KMS", env.named_cmk)
    assert sse_of(sdk.head_object(bucket, "before")) == (None, None, None)
    assert sdk.get_object(bucket, "before")[0] == b"written before the rule"
    assert sse_of(sdk.head_object(bucket, "aes")) == ("AES256", None, None)
    sdk.delete_bucket_encryption(bucket)
    sdk.put_object(bucket, "after", b"x")
    assert sse_of(sdk.head_object(bucket, "after")) == (None, None, None)


@pytest.mark.parametrize("case_id,headers,expected", OBJECT_SSE_CASES, ids=[c[0] for c in OBJECT_SSE_CASES])
def test_copy_onto_itself_encrypts_existing_object(env, sdk, bucket, case_id, headers, expected):
    data = payload(150_000, seed=3)
    sdk.put_object(bucket, "existing", data)
    assert sse_of(sdk.head_object(bucket, "existing")) == (None, None, None)
    copy = sdk.copy_object(bucket, "existing", "existing", sse=resolve_headers(headers, env.named_cmk))
    assert_sse(copy, expected, env.named_cmk, where="CopyObject")
    got, h, _ = sdk.get_object(bucket, "existing")
    assert got == data
    assert_sse(h, expected, env.named_cmk, where="GetObject after copy")


def test_copy_does_not_inherit_source_encryption(env, sdk, bucket):
    data = payload(50_000, seed=4)
    sdk.put_object(bucket, "src", data, sse={SSE: "KMS", SSE_KEY_ID: env.named_cmk, SSE_DATA: "SM4"})
    sdk.copy_object(bucket, "src", "dst-plain")
    assert sse_of(sdk.head_object(bucket, "dst-plain")) == (None, None, None)
    assert sdk.get_object(bucket, "dst-plain")[0] == data
    sdk.copy_object(bucket, "src", "dst-aes", sse={SSE: "AES256"})
    assert sse_of(sdk.head_object(bucket, "dst-aes")) == ("AES256", None, None)
    # Decrypting an SSE source works and yields the plaintext; the source is unchanged.
    assert sdk.get_object(bucket, "dst-aes")[0] == data
    assert sse_of(sdk.head_object(bucket, "src")) == ("KMS", env.named_cmk, "SM4")


def test_copy_into_bucket_with_default_rule(env, sdk, bucket):
    sdk.put_object(bucket, "src", b"source bytes")
    sdk.put_bucket_encryption(bucket, "SM4")
    sdk.copy_object(bucket, "src", "dst")
    assert sse_of(sdk.head_object(bucket, "dst")) == ("SM4", None, None)


MULTIPART_CASES = [c for c in OBJECT_SSE_CASES if c[0] in ("AES256", "SM4", "KMS-named-SM4", "KMS-default")]


@pytest.mark.parametrize("case_id,headers,expected", MULTIPART_CASES, ids=[c[0] for c in MULTIPART_CASES])
def test_multipart_with_sse(env, sdk, bucket, case_id, headers, expected):
    part_size = 256 * 1024
    data = payload(3 * part_size + 777, seed=11)
    upload_id, init = sdk.initiate_multipart(bucket, "mp", sse=resolve_headers(headers, env.named_cmk))
    assert_sse(init, expected, env.named_cmk, where="InitiateMultipartUpload")
    default_ids = set()
    parts = []
    for n, off in enumerate(range(0, len(data), part_size), start=1):
        chunk = data[off:off + part_size]
        etag, h = sdk.upload_part(bucket, "mp", upload_id, n, chunk)
        assert_sse(h, expected, env.named_cmk, default_ids, where=f"UploadPart {n}")
        assert h.get("x-oss-hash-crc64ecma") == crc64(chunk)
        parts.append((n, etag))
    done = sdk.complete_multipart(bucket, "mp", upload_id, parts)
    assert_sse(done, expected, env.named_cmk, default_ids, where="CompleteMultipartUpload")
    assert done.get("x-oss-hash-crc64ecma") == crc64(data)
    got, h, _ = sdk.get_object(bucket, "mp")
    assert got == data
    assert_sse(h, expected, env.named_cmk, default_ids, where="GetObject of a multipart object")
    assert h.get("x-oss-hash-crc64ecma") == crc64(data)
    assert len(default_ids) <= 1


APPEND_CASES = [c for c in OBJECT_SSE_CASES if c[0] in ("AES256", "SM4", "KMS-default", "KMS-SM4")]


@pytest.mark.parametrize("case_id,headers,expected", APPEND_CASES, ids=[c[0] for c in APPEND_CASES])
def test_append_with_sse(env, sdk, bucket, case_id, headers, expected):
    chunks = [payload(70_000 + i * 1_111, seed=20 + i) for i in range(3)]
    h, pos = sdk.append_object(bucket, "log", 0, chunks[0], sse=headers)
    assert_sse(h, expected, env.named_cmk, where="AppendObject at 0")
    assert pos == len(chunks[0])
    # Later appends without, or with other, SSE headers keep the method of the first append.
    h, pos = sdk.append_object(bucket, "log", pos, chunks[1])
    assert_sse(h, expected, env.named_cmk, where="AppendObject without SSE header")
    other = {SSE: "AES256"} if headers.get(SSE) != "AES256" else {SSE: "SM4"}
    h, pos = sdk.append_object(bucket, "log", pos, chunks[2], sse=other)
    assert_sse(h, expected, env.named_cmk, where="AppendObject with another SSE header")
    whole = b"".join(chunks)
    assert pos == len(whole)
    assert h.get("x-oss-hash-crc64ecma") == crc64(whole)
    got, gh, _ = sdk.get_object(bucket, "log")
    assert got == whole
    assert_sse(gh, expected, env.named_cmk, where="GetObject of an appendable object")
    assert gh.get("x-oss-hash-crc64ecma") == crc64(whole)


def test_sse_data_header_alone_is_ignored(env, sdk, bucket):
    sdk.put_object(bucket, "k", b"abc", sse={SSE_DATA: "SM4"})
    assert sse_of(sdk.head_object(bucket, "k")) == (None, None, None)


def test_non_kms_ignores_data_cipher_header(env, sdk, bucket):
    h = sdk.put_object(bucket, "k", b"abc", sse={SSE: "AES256", SSE_DATA: "SM4"})
    assert sse_of(h) == ("AES256", None, None)
    assert sse_of(sdk.head_object(bucket, "k")) == ("AES256", None, None)


@pytest.mark.parametrize("case_id,headers,expected", OBJECT_SSE_CASES, ids=[c[0] for c in OBJECT_SSE_CASES])
def test_empty_object_with_sse(env, sdk, bucket, case_id, headers, expected):
    put = sdk.put_object(bucket, "empty", b"", sse=resolve_headers(headers, env.named_cmk))
    assert put.get("x-oss-hash-crc64ecma") == "0"
    assert put.get("etag") == '"D41D8CD98F00B204E9800998ECF8427E"'
    got, h, status = sdk.get_object(bucket, "empty")
    assert (status, got) == (200, b"")
    assert_sse(h, expected, env.named_cmk, where="GetObject of an empty object")
    assert h.get("x-oss-hash-crc64ecma") == "0"


def test_unknown_cmk_at_upload_is_refused(env, sdk, bucket):
    err = sdk.failure(lambda: sdk.put_object(bucket, "k", b"x", sse={SSE: "KMS", SSE_KEY_ID: "no-such-cmk"}))
    assert (err.status, err.code) == (400, "InvalidArgument"), err
    assert sdk.failure(lambda: sdk.head_object(bucket, "k")).status == 404


def test_append_with_a_specified_cmk_is_refused(env, sdk, bucket):
    """OSS: appendable objects cannot be encrypted with a specified CMK id."""
    err = sdk.failure(lambda: sdk.append_object(bucket, "log", 0, b"x", sse={SSE: "KMS", SSE_KEY_ID: env.named_cmk}))
    assert (err.status, err.code) == (400, "InvalidArgument"), err


def test_kms_key_id_by_alias(env, sdk, bucket):
    h = sdk.put_object(bucket, "by-alias", b"alias", sse={SSE: "KMS", SSE_KEY_ID: "alias/interop-named"})
    assert sse_of(h)[0] == "KMS"
    assert sse_of(sdk.head_object(bucket, "by-alias"))[1] in (env.named_cmk, "alias/interop-named")
    assert sdk.get_object(bucket, "by-alias")[0] == b"alias"


SPECIAL_KEYS = ["目录/文件 ü.txt", "a+b=c&d;e,f@g$h", "percent%20and%2Fslash", "~tilde!*'()", "sp  ace/ end ",
                "question?mark#hash", "a//double//slash", "\u00e9\u0301-combining"]


def test_special_keys_round_trip_and_sign(env, sdk, bucket):
    """Keys that stress the V1/V4 canonical resource and URL encoding, with SSE."""
    for i, key in enumerate(SPECIAL_KEYS):
        data = f"{i}:{key}".encode()
        sdk.put_object(bucket, key, data, sse={SSE: "KMS"} if i % 2 else {SSE: "SM4"})
        got, h, _ = sdk.get_object(bucket, key)
        assert got == data, key
        assert sdk.head_object(bucket, key)["content-length"] == str(len(data))
        url, headers = sdk.presign_get(bucket, key, 300)
        from raw_http import fetch_url

        status, _, body = fetch_url(url, headers)
        assert (status, body) == (200, data), (key, status, body[:200])
    listed = sorted(o.key for o in oss2.ObjectIterator(env.adapter("oss2-v1").bucket(bucket)))
    assert listed == sorted(SPECIAL_KEYS), (listed, sorted(SPECIAL_KEYS))
    oss2_bucket = env.adapter("oss2-v4").bucket(bucket)
    for prefix in ("目录/", "percent%", "a+b", "sp  ace/"):
        got = [o.key for o in oss2.ObjectIteratorV2(oss2_bucket, prefix=prefix)]
        assert got == [k for k in sorted(SPECIAL_KEYS) if k.startswith(prefix)], (prefix, got)
    page = oss2_bucket.list_objects(marker="percent%20and%2Fslash")
    assert [o.key for o in page.object_list] == [k for k in sorted(SPECIAL_KEYS) if k > "percent%20and%2Fslash"]
    deleted = oss2_bucket.batch_delete_objects(SPECIAL_KEYS).deleted_keys
    assert sorted(deleted) == sorted(SPECIAL_KEYS)
    assert list(oss2.ObjectIterator(oss2_bucket)) == [], "every key was deleted"
