"""Small shared helpers: payloads, CRC-64 as OSS reports it, SSE case tables."""

from __future__ import annotations

import hashlib
import os
import random

import oss2

from clients import SSE, SSE_DATA, SSE_KEY_ID, sse_of

# A size that is not a multiple of any plausible segment size, so the last segment is partial.
ODD_SIZE = 3 * 1024 * 1024 + 12_345


def payload(size: int, seed: int = 0) -> bytes:
    """Deterministic, incompressible bytes."""
    rng = random.Random(seed)
    return rng.randbytes(size)


def text_payload(size: int) -> bytes:
    """Distinctive ASCII bytes, easy to find in a raw scan if stored in clear."""
    marker = os.urandom(16).hex().encode()
    out = bytearray()
    i = 0
    while len(out) < size:
        out += b"ossbridge-plaintext-" + marker + b"-%08d\n" % i
        i += 1
    return bytes(out[:size])


def crc64(data: bytes) -> str:
    c = oss2.utils.Crc64(0)
    c.update(data)
    return str(c.crc)


def md5_etag(data: bytes) -> str:
    return '"' + hashlib.md5(data).hexdigest().upper() + '"'


# Object-level SSE requests: (id, request headers, expected (algorithm, key id, data cipher)).
# The key id "DEFAULT" stands for the server's default CMK, "NAMED" for the CMK the fixture made.
OBJECT_SSE_CASES = [
    ("AES256", {SSE: "AES256"}, ("AES256", None, None)),
    ("SM4", {SSE: "SM4"}, ("SM4", None, None)),
    ("KMS-default", {SSE: "KMS"}, ("KMS", "DEFAULT", None)),
    ("KMS-named", {SSE: "KMS", SSE_KEY_ID: "NAMED"}, ("KMS", "NAMED", None)),
    ("KMS-SM4", {SSE: "KMS", SSE_DATA: "SM4"}, ("KMS", "DEFAULT", "SM4")),
    ("KMS-named-SM4", {SSE: "KMS", SSE_KEY_ID: "NAMED", SSE_DATA: "SM4"}, ("KMS", "NAMED", "SM4")),
]

# Bucket rules: (id, (algorithm, key id, data cipher) to set, expected on GetBucketEncryption).
BUCKET_RULE_CASES = [
    ("AES256", ("AES256", None, None), ("AES256", None, None)),
    ("SM4", ("SM4", None, None), ("SM4", None, None)),
    ("KMS-default", ("KMS", None, None), ("KMS", None, None)),
    ("KMS-named", ("KMS", "NAMED", None), ("KMS", "NAMED", None)),
    ("KMS-SM4", ("KMS", None, "SM4"), ("KMS", None, "SM4")),
    ("KMS-named-SM4", ("KMS", "NAMED", "SM4"), ("KMS", "NAMED", "SM4")),
]


def resolve(value, named_cmk):
    return named_cmk if value == "NAMED" else value


def resolve_headers(headers, named_cmk):
    return {k: resolve(v, named_cmk) for k, v in headers.items()}


def assert_sse(headers, expected, named_cmk, default_cmk_ids=None, where=""):
    """Check the three SSE response headers against an expected triple.

    ``DEFAULT`` accepts any non-empty key id and records it in ``default_cmk_ids`` so a caller can
    check that the default CMK is stable.
    """
    alg, key_id, data = sse_of(headers)
    exp_alg, exp_key, exp_data = expected
    assert alg == exp_alg, f"{where}: {SSE} is {alg!r}, expected {exp_alg!r}"
    if exp_key == "DEFAULT":
        assert key_id, f"{where}: KMS without a key id must echo the default CMK id in {SSE_KEY_ID}"
        if default_cmk_ids is not None:
            default_cmk_ids.add(key_id)
    else:
        assert key_id == resolve(exp_key, named_cmk), f"{where}: {SSE_KEY_ID} is {key_id!r}"
    assert data == exp_data, f"{where}: {SSE_DATA} is {data!r}, expected {exp_data!r}"
