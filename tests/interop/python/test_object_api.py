"""The rest of issue 3's operation list, driven through oss2 (V1 and V4) and alibabacloud-oss-v2:
listing, conditional GETs, object meta, batch delete, UploadPartCopy of SSE sources, ListParts /
ListMultipartUploads / Abort, ACLs, and bounded memory for a 1 GiB transfer."""

from __future__ import annotations

import http.client
import random
import time

import alibabacloud_oss_v2 as ossv2
import oss2
import pytest

from clients import SSE, SSE_DATA, SSE_KEY_ID, sse_of
from conftest import new_bucket_name
from helpers import crc64, payload
from raw_http import http_date, v1_signature

MiB = 1024 * 1024


@pytest.fixture
def oss2_bucket(env, oss2_sdk, admin_bucket) -> oss2.Bucket:
    return oss2_sdk.bucket(admin_bucket)


def test_list_objects_v1_and_v2_through_oss2(oss2_bucket):
    keys = ["a/1", "a/2", "a/b/3", "b/1", "c", "sp ace/ü+%.txt"]
    for k in keys:
        oss2_bucket.put_object(k, k.encode(), headers={SSE: "AES256"} if k.startswith("a") else None)
    everything = [o.key for o in oss2.ObjectIterator(oss2_bucket, max_keys=2)]
    assert everything == sorted(keys)
    everything_v2 = [o.key for o in oss2.ObjectIteratorV2(oss2_bucket, max_keys=2)]
    assert everything_v2 == sorted(keys)
    r = oss2_bucket.list_objects(prefix="a/", delimiter="/")
    assert [o.key for o in r.object_list] == ["a/1", "a/2"] and r.prefix_list == ["a/b/"]
    r = oss2_bucket.list_objects_v2(delimiter="/", max_keys=100)
    assert r.prefix_list == ["a/", "b/", "sp ace/"] and [o.key for o in r.object_list] == ["c"]
    r = oss2_bucket.list_objects(marker="b/1")
    assert [o.key for o in r.object_list] == ["c", "sp ace/ü+%.txt"]
    sizes = {o.key: o.size for o in oss2.ObjectIterator(oss2_bucket)}
    assert sizes == {k: len(k.encode()) for k in keys}


def test_list_objects_v2_through_pyv2(env, admin_bucket):
    c = env.adapter("pyv2-v4")
    for i in range(7):
        c.put_object(admin_bucket, f"p/{i:02d}", b"x" * i, sse={SSE: "KMS"} if i % 2 else None)
    seen, token = [], None
    while True:
        r = c.client.list_objects_v2(ossv2.ListObjectsV2Request(
            bucket=admin_bucket, prefix="p/", max_keys=3, continuation_token=token))
        seen += [o.key for o in r.contents or []]
        if not r.is_truncated:
            break
        token = r.next_continuation_token
    assert seen == [f"p/{i:02d}" for i in range(7)]


def test_conditional_gets(oss2_bucket):
    data = payload(10_000, seed=1)
    etag = oss2_bucket.put_object("cond", data, headers={SSE: "SM4"}).etag
    assert oss2_bucket.get_object("cond", headers={"If-Match": f'"{etag}"'}).read() == data
    with pytest.raises(oss2.exceptions.PreconditionFailed):
        oss2_bucket.get_object("cond", headers={"If-Match": '"0123456789ABCDEF0123456789ABCDEF"'})
    with pytest.raises(oss2.exceptions.NotModified):
        oss2_bucket.get_object("cond", headers={"If-None-Match": f'"{etag}"'})
    future = oss2.utils.http_date(int(time.time()) + 3600)
    with pytest.raises(oss2.exceptions.NotModified):
        oss2_bucket.get_object("cond", headers={"If-Modified-Since": future})
    past = oss2.utils.http_date(int(time.time()) - 3600)
    assert oss2_bucket.get_object("cond", headers={"If-Modified-Since": past}).read() == data


def test_get_object_meta_and_user_metadata(oss2_bucket):
    data = payload(4321, seed=2)
    oss2_bucket.put_object("meta", data, headers={SSE: "KMS", "x-oss-meta-owner": "interop",
                                                  "Content-Type": "text/x-test"})
    meta = oss2_bucket.get_object_meta("meta")
    assert meta.content_length == len(data)
    assert meta.headers.get("etag")
    head = oss2_bucket.head_object("meta")
    assert head.headers.get("x-oss-meta-owner") == "interop"
    assert head.content_type == "text/x-test"
    assert sse_of(head.headers)[0] == "KMS"
    # Copy with REPLACE changes metadata; the default COPY keeps it.
    oss2_bucket.copy_object(oss2_bucket.bucket_name, "meta", "meta-copy")
    assert oss2_bucket.head_object("meta-copy").headers.get("x-oss-meta-owner") == "interop"
    oss2_bucket.copy_object(oss2_bucket.bucket_name, "meta", "meta-replaced",
                            headers={"x-oss-metadata-directive": "REPLACE", "x-oss-meta-owner": "other"})
    assert oss2_bucket.head_object("meta-replaced").headers.get("x-oss-meta-owner") == "other"


def test_delete_object_and_batch_delete(oss2_bucket):
    for k in ("d1", "d2", "d3"):
        oss2_bucket.put_object(k, b"x", headers={SSE: "AES256"})
    oss2_bucket.delete_object("d1")
    assert not oss2_bucket.object_exists("d1")
    r = oss2_bucket.batch_delete_objects(["d2", "d3", "never-existed"])
    assert sorted(r.deleted_keys) == ["d2", "d3", "never-existed"]
    assert [o.key for o in oss2.ObjectIterator(oss2_bucket)] == []
    oss2_bucket.delete_object("never-existed")  # deleting a missing key is a 204, not an error


def test_upload_part_copy_from_sse_source(env, oss2_bucket):
    src = payload(700_000, seed=3)
    oss2_bucket.put_object("src-kms", src, headers={SSE: "KMS", SSE_KEY_ID: env.named_cmk})
    upload_id = oss2_bucket.init_multipart_upload("assembled", headers={SSE: "SM4"}).upload_id
    parts = []
    ranges = [(0, 299_999), (300_000, 599_999), (600_000, 699_999)]
    for n, (a, b) in enumerate(ranges, start=1):
        r = oss2_bucket.upload_part_copy(oss2_bucket.bucket_name, "src-kms", (a, b), "assembled", upload_id, n)
        parts.append(oss2.models.PartInfo(n, r.etag))
    listed = oss2_bucket.list_parts("assembled", upload_id)
    assert [(p.part_number, p.size) for p in listed.parts] == [(1, 300_000), (2, 300_000), (3, 100_000)]
    oss2_bucket.complete_multipart_upload("assembled", upload_id, parts)
    r = oss2_bucket.get_object("assembled")
    assert r.read() == src
    assert sse_of(r.headers) == ("SM4", None, None)
    assert r.headers["x-oss-hash-crc64ecma"] == crc64(src)


def test_list_and_abort_multipart_uploads(oss2_bucket):
    ids = {oss2_bucket.init_multipart_upload(f"up/{i}", headers={SSE: "KMS"}).upload_id for i in range(3)}
    listed = {(u.key, u.upload_id) for u in oss2.MultipartUploadIterator(oss2_bucket)}
    assert {uid for _, uid in listed} == ids
    for key, uid in listed:
        oss2_bucket.abort_multipart_upload(key, uid)
    assert list(oss2.MultipartUploadIterator(oss2_bucket)) == []
    with pytest.raises(oss2.exceptions.NoSuchUpload):
        oss2_bucket.list_parts("up/0", next(iter(ids)))


def test_bucket_and_acl_operations(env, oss2_sdk):
    name = new_bucket_name("acl")
    b = oss2_sdk.bucket(name)
    b.create_bucket(oss2.BUCKET_ACL_PRIVATE)
    assert b.get_bucket_acl().acl == "private"
    b.put_bucket_acl(oss2.BUCKET_ACL_PUBLIC_READ)
    assert b.get_bucket_acl().acl == "public-read"
    assert name in [x.name for x in oss2.BucketIterator(oss2.Service(oss2_sdk.auth, env.endpoint, region="cn-hangzhou"))]
    b.put_object("k", b"x")
    with pytest.raises(oss2.exceptions.BucketNotEmpty):
        b.delete_bucket()
    b.delete_object("k")
    b.delete_bucket()
    with pytest.raises(oss2.exceptions.NoSuchBucket):
        b.get_bucket_info()


def test_put_bucket_with_sse_headers(env):
    """PutBucket honours the SSE headers (GoV1 integration test; sse-api.md section 1.5)."""
    sdk = env.adapter("oss2-v1")
    name = new_bucket_name("mb")
    sdk.create_bucket(name, headers={SSE: "KMS", SSE_DATA: "SM4"})
    assert sdk.get_bucket_encryption(name) == ("KMS", None, "SM4")


def test_every_response_has_a_request_id(env, admin_bucket):
    raw = env.raw(env.principals.admin)
    for method, key, sub in (("GET", "", ""), ("PUT", "rid", ""), ("GET", "rid", ""), ("HEAD", "rid", ""),
                             ("GET", "", "encryption"), ("DELETE", "rid", ""), ("GET", "nope", "")):
        r = raw.request(method, admin_bucket, key, subresource=sub)
        assert r.headers.get("x-oss-request-id"), (method, key, sub, r.status)


def test_1gib_upload_and_download_keep_server_memory_bounded(env, admin_bucket):
    """Stream 1 GiB in and out (SSE-OSS) and check the server's peak RSS stays under 100 MiB."""
    a = env.principals.admin
    host, port = env.endpoint.split("//")[1].split(":")
    assert env.server.reset_peak_rss(), "cannot reset VmHWM through /proc/<pid>/clear_refs"
    size = 1024 * MiB
    block = random.Random(7).randbytes(4 * MiB)
    headers = {"Date": http_date(), "Content-Type": "application/octet-stream",
               "Content-Length": str(size), SSE: "AES256"}
    headers["Authorization"] = f"OSS {a.access_key_id}:{v1_signature(a.access_key_secret, 'PUT', f'/{admin_bucket}/1gib', headers)}"
    conn = http.client.HTTPConnection(host, int(port), timeout=300)
    conn.putrequest("PUT", f"/{admin_bucket}/1gib", skip_accept_encoding=True)
    for k, v in headers.items():
        conn.putheader(k, v)
    conn.endheaders()
    crc = oss2.utils.Crc64(0)
    for _ in range(size // len(block)):
        conn.send(block)
        crc.update(block)
    r = conn.getresponse()
    r.read()
    assert r.status == 200
    assert r.getheader("x-oss-hash-crc64ecma") == str(crc.crc)
    conn.close()

    get_headers = {"Date": http_date()}
    get_headers["Authorization"] = f"OSS {a.access_key_id}:{v1_signature(a.access_key_secret, 'GET', f'/{admin_bucket}/1gib', get_headers)}"
    conn = http.client.HTTPConnection(host, int(port), timeout=300)
    conn.request("GET", f"/{admin_bucket}/1gib", headers=get_headers)
    r = conn.getresponse()
    assert r.status == 200 and r.getheader(SSE) == "AES256"
    down = oss2.utils.Crc64(0)
    total = 0
    for chunk in iter(lambda: r.read(4 * MiB), b""):
        down.update(chunk)
        total += len(chunk)
    conn.close()
    assert total == size and down.crc == crc.crc
    peak = env.server.peak_rss_kib()
    assert peak is not None and peak < 100 * 1024, f"server peak RSS {peak / 1024:.1f} MiB after 1 GiB each way"
    env.adapter("oss2-v1").delete_object(admin_bucket, "1gib")


def test_complete_all_parts(oss2_bucket):
    upload_id = oss2_bucket.init_multipart_upload("all", headers={SSE: "AES256"}).upload_id
    chunks = [payload(100 * KiB_, n) for n in range(2)] + [b"tail"]
    for n, c in enumerate(chunks, start=1):
        oss2_bucket.upload_part("all", upload_id, n, c)
    oss2_bucket.complete_multipart_upload("all", upload_id, None, headers={"x-oss-complete-all": "yes"})
    assert oss2_bucket.get_object("all").read() == b"".join(chunks)


def test_object_acl_overrides_private_bucket_for_anonymous_reads(env, oss2_bucket):
    from raw_http import fetch_url

    oss2_bucket.put_object("public", b"open", headers={"x-oss-object-acl": "public-read", SSE: "SM4"})
    oss2_bucket.put_object("private", b"closed")
    base = f"{env.endpoint}/{oss2_bucket.bucket_name}"
    assert fetch_url(f"{base}/public")[::2] == (200, b"open")
    assert fetch_url(f"{base}/private")[0] == 403


KiB_ = 1024
