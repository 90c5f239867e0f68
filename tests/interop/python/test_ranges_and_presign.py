"""Ranged GETs of SSE objects compared with the plaintext, and presigned URLs fetched by urllib."""

from __future__ import annotations

import random

import pytest

from clients import SSE, SSE_DATA, SSE_KEY_ID, sse_of
from conftest import new_bucket_name
from helpers import ODD_SIZE, OBJECT_SSE_CASES, crc64, payload, resolve_headers
from raw_http import fetch_url

RANGE_CASES = [c for c in OBJECT_SSE_CASES if c[0] in ("AES256", "SM4", "KMS-named", "KMS-named-SM4")]


@pytest.fixture(scope="module")
def range_objects(env):
    """One object per SSE kind, plus a plain one, all with the same odd-sized plaintext."""
    admin = env.adapter("oss2-v4")
    name = new_bucket_name("rng")
    admin.create_bucket(name)
    data = payload(ODD_SIZE, seed=99)
    keys = {"plain": {}}
    keys.update({case_id: resolve_headers(h, env.named_cmk) for case_id, h, _ in RANGE_CASES})
    for key, sse in keys.items():
        admin.put_object(name, key, data, sse=sse)
    # A multipart SSE object whose parts do not align with any segment size.
    upload_id, _ = admin.initiate_multipart(name, "multipart-kms", sse={SSE: "KMS", SSE_DATA: "SM4"})
    parts, part = [], 1_000_003
    for n, off in enumerate(range(0, len(data), part), start=1):
        parts.append((n, admin.upload_part(name, "multipart-kms", upload_id, n, data[off:off + part])[0]))
    admin.complete_multipart(name, "multipart-kms", upload_id, parts)
    return name, data, list(keys) + ["multipart-kms"]


STANDARD = {"x-oss-range-behavior": "standard"}


def random_ranges(rng: random.Random, size: int, count: int):
    """(Range header, expected status, expected slice, extra headers): closed, open-ended, suffix,
    segment-edge and past-the-end ranges."""
    out = []
    for i in range(count):
        kind = i % 6
        if kind == 0:
            a = rng.randrange(size)
            b = rng.randrange(a, min(size, a + rng.choice([1, 17, 4096, 65536, 200_000, size])))
            out.append((f"bytes={a}-{b}", 206, slice(a, b + 1), {}))
        elif kind == 1:
            a = rng.randrange(size)
            out.append((f"bytes={a}-", 206, slice(a, size), {}))
        elif kind == 2:
            n = rng.randrange(1, size)
            out.append((f"bytes=-{n}", 206, slice(size - n, size), {}))
        elif kind == 3:
            # Around power-of-two boundaries, where segment sizes usually fall.
            edge = rng.choice([2 ** k for k in range(10, 22)]) * rng.randrange(1, 4)
            edge = min(edge, size - 1)
            a = max(0, edge - rng.randrange(0, 40))
            b = min(size - 1, edge + rng.randrange(0, 40))
            out.append((f"bytes={a}-{b}", 206, slice(a, b + 1), {}))
        elif kind == 4:
            # With x-oss-range-behavior:standard an end past the object is clamped to the last byte.
            a = rng.randrange(size)
            out.append((f"bytes={a}-{size + rng.randrange(1, 10_000)}", 206, slice(a, size), STANDARD))
        else:
            # Without it, OSS ignores an out-of-range Range and returns the whole object with 200.
            a = rng.randrange(size)
            out.append((f"bytes={a}-{size + rng.randrange(1, 10_000)}", 200, slice(0, size), {}))
    return out


@pytest.mark.parametrize("adapter_name,count", [("oss2-v1", 100), ("oss2-v4", 100), ("pyv2-v1", 40), ("pyv2-v4", 40)])
def test_random_ranges_of_sse_objects(env, range_objects, adapter_name, count):
    name, data, keys = range_objects
    sdk = env.adapter(adapter_name)
    rng = random.Random(f"{adapter_name}-ranges")
    whole_crc = crc64(data)
    for key in keys:
        for header, want_status, expected, extra in random_ranges(rng, len(data), count):
            got, h, status = sdk.get_object(name, key, byte_range=header, headers=extra)
            want = data[expected]
            assert status == want_status, (key, header, extra, status)
            assert got == want, f"{key} {header}: {len(got)} bytes differ from the plaintext slice ({len(want)})"
            if want_status == 206:
                first, last = expected.start, expected.start + len(want) - 1
                assert h.get("content-range") == f"bytes {first}-{last}/{len(data)}", (key, header, h.get("content-range"))
            else:
                assert "content-range" not in h, (key, header)
            assert int(h["content-length"]) == len(want)
            # The CRC header always describes the whole object, also on ranged GETs.
            assert h.get("x-oss-hash-crc64ecma") == whole_crc, (key, header)


def test_range_starting_past_the_end(env, range_objects):
    name, data, _ = range_objects
    sdk = env.adapter("oss2-v1")
    past = f"bytes={len(data)}-{len(data) + 5}"
    err = sdk.failure(lambda: sdk.get_object(name, "AES256", byte_range=past, headers=STANDARD))
    assert (err.status, err.code) == (416, "InvalidRange"), err
    got, h, status = sdk.get_object(name, "AES256", byte_range=past)
    assert status == 200 and got == data, "without x-oss-range-behavior OSS ignores the range"


def test_whole_object_of_each_kind(env, range_objects):
    name, data, keys = range_objects
    sdk = env.adapter("pyv2-v4")
    for key in keys:
        got, h, status = sdk.get_object(name, key)
        assert status == 200 and got == data, key


# ---- presigned URLs ------------------------------------------------------------------------


@pytest.mark.parametrize("sse", [None, {SSE: "AES256"}, {SSE: "KMS", SSE_KEY_ID: "NAMED", SSE_DATA: "SM4"}],
                         ids=["plain", "AES256", "KMS-named-SM4"])
def test_presigned_get_fetched_by_urllib(env, sdk, admin_bucket, sse):
    data = payload(123_457, seed=5)
    key = "dir/presigned object+with spaces&symbols~.bin"
    env.adapter("oss2-v4").put_object(admin_bucket, key, data, sse=resolve_headers(sse or {}, env.named_cmk))
    url, headers = sdk.presign_get(admin_bucket, key, 600)
    if sdk.version == "v4":
        assert "x-oss-signature-version=OSS4-HMAC-SHA256" in url, url
    else:
        assert "Signature=" in url and "OSSAccessKeyId=" in url, url
    status, h, body = fetch_url(url, headers)
    assert status == 200, body[:500]
    assert body == data
    assert sse_of(h)[0] == (sse or {}).get(SSE)
    assert h.get("x-oss-hash-crc64ecma") == crc64(data)
    # The same URL with a Range header added by the plain client still works.
    status, h, body = fetch_url(url, {**headers, "Range": "bytes=100-199"})
    assert status == 206 and body == data[100:200]


@pytest.mark.parametrize("adapter_name", ["oss2-v1", "oss2-v4", "pyv2-v1", "pyv2-v4"])
def test_presigned_get_with_sts_credentials(env, admin_bucket, adapter_name):
    env.adapter("oss2-v4").put_object(admin_bucket, "sts-presigned", b"via sts", sse={SSE: "KMS"})
    sts = env.adapter(adapter_name, env.principals.sts)
    url, headers = sts.presign_get(admin_bucket, "sts-presigned", 300)
    assert "security-token" in url.lower(), url
    status, _, body = fetch_url(url, headers)
    assert (status, body) == (200, b"via sts"), body[:300]


@pytest.mark.parametrize("adapter_name", ["oss2-v1", "oss2-v4", "pyv2-v1", "pyv2-v4"])
def test_sts_credentials(env, adapter_name):
    sts = env.adapter(adapter_name, env.principals.sts)
    name = new_bucket_name("sts")
    if adapter_name == "pyv2-v1":
        # alibabacloud-oss-v2 1.4.1 sends the V1 STS token in a header named `security-token`
        # (signer/v1.py l.58) instead of `x-oss-security-token` (signing.md section 4), so the
        # server cannot tell the temporary key from a plain one and must refuse it.
        err = sts.failure(lambda: sts.create_bucket(name))
        assert (err.status, err.code) == (403, "InvalidAccessKeyId"), err
        assert "security token" in err.message, err
        return
    sts.create_bucket(name)
    h = sts.put_object(name, "k", b"sts data", sse={SSE: "KMS", SSE_KEY_ID: env.named_cmk})
    assert sse_of(h)[:2] == ("KMS", env.named_cmk)
    assert sts.get_object(name, "k")[0] == b"sts data"
    # A wrong security token is refused.
    from clients import Credentials

    bad = env.adapter(adapter_name, Credentials(env.principals.sts.access_key_id,
                                                env.principals.sts.access_key_secret, "wrong-token"))
    err = bad.failure(lambda: bad.get_object(name, "k"))
    assert (err.status, err.code) == (403, "InvalidSecurityToken"), err
    expired = env.adapter(adapter_name, env.principals.sts_expired)
    err = expired.failure(lambda: expired.get_object(name, "k"))
    assert (err.status, err.code) == (403, "SecurityTokenExpired"), err
