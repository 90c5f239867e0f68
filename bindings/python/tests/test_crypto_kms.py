"""CryptoBucket + AliKMSProvider (client-side encryption with a KMS master key), sync and async,
against a local `ossbridge serve` whose KMS holds a CMK made by `ossbridge kms create-key`.
Per-user KMS permissions come from the server's users config (docs/server.md)."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Iterator

import pytest

import ossbridge
from ossbridge import exceptions
from ossbridge.crypto import AliKMSProvider, RsaProvider
from ossbridge.models import MultipartUploadCryptoContext, PartInfo

from conftest import ACCESS_KEY_ID, ACCESS_KEY_SECRET, LocalServer, Mode, start_server, unique_bucket_name

ALIAS = "alias/py-cse-key"
NO_GDK_ID, NO_GDK_SECRET = "LTAI5tNOGENERATEKEY", "noGenerateDataKeySecret01"
NO_DECRYPT_ID, NO_DECRYPT_SECRET = "LTAI5tNODECRYPTUSER", "noDecryptSecret0123456789"
STS_ID, STS_SECRET, STS_TOKEN = "STS.PYKMSTEMPORARY", "stsSecret0123456789abcdef", "py-sts-token-0123456789"

CONFIG = f"""
[[users]]
name = "admin"
access_key_id = "{ACCESS_KEY_ID}"
access_key_secret = "{ACCESS_KEY_SECRET}"

[[users]]
name = "no-generate-data-key"
access_key_id = "{NO_GDK_ID}"
access_key_secret = "{NO_GDK_SECRET}"
allow = ["oss:*", "kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"]

[[users]]
name = "writer-only"
access_key_id = "{NO_DECRYPT_ID}"
access_key_secret = "{NO_DECRYPT_SECRET}"
allow = ["oss:*", "kms:GenerateDataKey:{ALIAS}", "kms:Encrypt:{ALIAS}"]

[[sts]]
access_key_id = "{STS_ID}"
access_key_secret = "{STS_SECRET}"
security_token = "{STS_TOKEN}"
user = "admin"
"""


def server_binary() -> str:
    return os.environ.get("OSSBRIDGE_SERVER_BIN") or os.path.join(os.path.dirname(__file__), "..", "..", "..", "target", "release", "ossbridge")


class KmsServer:
    def __init__(self, server: LocalServer, key_id: str) -> None:
        self.server = server
        self.url = server.url
        self.key_id = key_id


@pytest.fixture(scope="module")
def kms() -> Iterator[KmsServer]:
    data_dir = tempfile.mkdtemp(prefix="ossbridge-pytest-kms-")
    created = subprocess.run([server_binary(), "kms", "create-key", "--alias", ALIAS, "--data-dir", data_dir], capture_output=True, text=True, check=True)
    key_id = created.stdout.strip()
    assert key_id
    srv = start_server(data_dir, config=CONFIG)
    try:
        yield KmsServer(srv, key_id)
    finally:
        srv.process.terminate()
        srv.process.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def auth():  # type: ignore[no-untyped-def]
    return ossbridge.Auth(ACCESS_KEY_ID, ACCESS_KEY_SECRET)


@pytest.fixture
def kms_bucket(kms: KmsServer, auth) -> Iterator[str]:  # type: ignore[no-untyped-def]
    name = unique_bucket_name()
    bucket = ossbridge.Bucket(auth, kms.url, name)
    bucket.create_bucket()
    yield name
    try:
        keys = [o.key for o in bucket.list_objects_v2(max_keys=1000).object_list]
        if keys:
            bucket.batch_delete_objects(keys)
        bucket.delete_bucket()
    except exceptions.OssError:
        pass


def provider(kms: KmsServer, key_id: str = ACCESS_KEY_ID, secret: str = ACCESS_KEY_SECRET, cmk_id: str = ALIAS, **kwargs) -> AliKMSProvider:  # type: ignore[no-untyped-def]
    return AliKMSProvider(key_id, secret, "cn-hangzhou", cmk_id, kms_endpoint=kms.url, **kwargs)


def kms_call(url: str, action: str, **params: str) -> "tuple[int, dict]":
    """One KMS RPC call signed as docs/kms-api.md describes (an independent client)."""
    form = {
        "Action": action, "Format": "JSON", "Version": "2016-01-20", "AccessKeyId": ACCESS_KEY_ID,
        "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": uuid.uuid4().hex,
        "Timestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), **params,
    }

    def enc(s: str) -> str:
        return urllib.parse.quote(s, safe="~")

    canonical = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(form.items()))
    digest = hmac.new((ACCESS_KEY_SECRET + "&").encode(), ("POST&%2F&" + enc(canonical)).encode(), hashlib.sha1).digest()
    form["Signature"] = base64.b64encode(digest).decode()
    body = "&".join(f"{enc(k)}={enc(v)}" for k, v in form.items()).encode()
    request = urllib.request.Request(url.rstrip("/") + "/", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_kms_encrypted_objects_round_trip_with_ranges(mode: Mode, auth, kms: KmsServer, kms_bucket: str) -> None:  # type: ignore[no-untyped-def]
    data = bytes(range(256)) * 300

    async def scenario(m: Mode) -> None:
        import ossbridge.aio

        cls = ossbridge.aio.CryptoBucket if m.is_async else ossbridge.CryptoBucket
        bucket = cls(auth, kms.url, kms_bucket, crypto_provider=provider(kms, mat_desc={"owner": "tests"}))
        r = await m(bucket.put_object, "secret", data, headers={"Content-Type": "application/x-test"})
        assert r.status == 200
        assert await m.read(await m(bucket.get_object, "secret")) == data
        ranged = await m(bucket.get_object, "secret", byte_range=(1000, 1999))
        assert await m.read(ranged) == data[1000:2000]
        odd = await m(bucket.get_object, "secret", byte_range=(17, 52))
        assert await m.read(odd) == data[17:53]
        tail = await m(bucket.get_object, "secret", byte_range=(None, 10))
        assert await m.read(tail) == data[-10:]
        head = await m(bucket.head_object, "secret")
        assert head.content_length == len(data)

        plain = ossbridge.aio.Bucket(auth, kms.url, kms_bucket) if m.is_async else ossbridge.Bucket(auth, kms.url, kms_bucket)
        stored = await m.read(await m(plain.get_object, "secret"))
        assert stored != data and len(stored) == len(data), "OSS holds ciphertext"

        # Any provider of this KMS reads it (Decrypt needs no CMK id): here by key id, not alias.
        by_id = cls(auth, kms.url, kms_bucket, crypto_provider=provider(kms, cmk_id=kms.key_id))
        assert await m.read(await m(by_id.get_object, "secret")) == data

        # Multipart through the crypto context.
        part_size = 100 * 1024
        big = bytes((i * 7) % 256 for i in range(2 * part_size + 5000))
        context = MultipartUploadCryptoContext(len(big), part_size)
        init = await m(bucket.init_multipart_upload, "mp-secret", upload_context=context)
        parts = []
        for number, start in enumerate(range(0, len(big), part_size), start=1):
            p = await m(bucket.upload_part, "mp-secret", init.upload_id, number, big[start : start + part_size], upload_context=context)
            parts.append(PartInfo(number, p.etag))
        await m(bucket.complete_multipart_upload, "mp-secret", init.upload_id, parts, upload_context=context)
        assert await m.read(await m(bucket.get_object, "mp-secret")) == big

    mode.run(scenario)


def test_kms_metadata_is_oss2_layout(auth, kms: KmsServer, kms_bucket: str) -> None:  # type: ignore[no-untyped-def]
    bucket = ossbridge.CryptoBucket(auth, kms.url, kms_bucket, crypto_provider=provider(kms))
    bucket.put_object("layout", b"hello kms")
    headers = {k.lower(): v for k, v in ossbridge.Bucket(auth, kms.url, kms_bucket).head_object("layout").headers.items()}
    assert headers["x-oss-meta-client-side-encryption-wrap-alg"] == "KMS/ALICLOUD"
    assert headers["x-oss-meta-client-side-encryption-cek-alg"] == "AES/CTR/NoPadding"

    # oss2's AliKMSProvider stores base64(CiphertextBlob): the header decodes to the blob text,
    # which KMS Decrypt takes (and the header itself is not a blob KMS accepts).
    stored = headers["x-oss-meta-client-side-encryption-key"]
    blob = base64.b64decode(stored, validate=True).decode("ascii")
    status, answer = kms_call(kms.url, "Decrypt", CiphertextBlob=blob)
    assert status == 200, answer
    assert answer["KeyId"] == kms.key_id and len(base64.b64decode(answer["Plaintext"])) == 32
    status, answer = kms_call(kms.url, "Decrypt", CiphertextBlob=stored)
    assert status == 400 and answer["Code"] == "InvalidCiphertext", answer
    # The IV is wrapped with KMS Encrypt, in the same layout.
    iv_blob = base64.b64decode(headers["x-oss-meta-client-side-encryption-start"], validate=True).decode("ascii")
    status, answer = kms_call(kms.url, "Decrypt", CiphertextBlob=iv_blob)
    assert status == 200 and len(base64.b64decode(answer["Plaintext"])) == 16, answer


def test_kms_permissions_are_enforced_and_nothing_is_stored(mode: Mode, auth, kms: KmsServer, kms_bucket: str) -> None:  # type: ignore[no-untyped-def]
    async def scenario(m: Mode) -> None:
        import ossbridge.aio

        cls = ossbridge.aio.CryptoBucket if m.is_async else ossbridge.CryptoBucket
        plain = ossbridge.Bucket(auth, kms.url, kms_bucket)

        # No kms:GenerateDataKey: the put fails with KMS's answer and no object is written.
        no_gdk = ossbridge.Auth(NO_GDK_ID, NO_GDK_SECRET)
        bucket = cls(no_gdk, kms.url, kms_bucket, crypto_provider=provider(kms, NO_GDK_ID, NO_GDK_SECRET))
        with pytest.raises(exceptions.ServerError) as denied:
            await m(bucket.put_object, "denied", b"never stored")
        assert denied.value.status == 403 and denied.value.code == "Forbidden.NoPermission"
        assert "GenerateDataKey" in str(denied.value) or "GenerateDataKey" in denied.value.message
        assert not plain.object_exists("denied")
        with pytest.raises(exceptions.ServerError):
            await m(bucket.init_multipart_upload, "denied-mp", upload_context=MultipartUploadCryptoContext(1000, 102400))

        # Writing without kms:Decrypt works; reading back does not.
        writer = cls(ossbridge.Auth(NO_DECRYPT_ID, NO_DECRYPT_SECRET), kms.url, kms_bucket, crypto_provider=provider(kms, NO_DECRYPT_ID, NO_DECRYPT_SECRET))
        await m(writer.put_object, "write-only", b"sealed")
        with pytest.raises(exceptions.ServerError) as no_decrypt:
            await m.read(await m(writer.get_object, "write-only"))
        assert no_decrypt.value.status == 403

        # An unknown CMK.
        unknown = cls(auth, kms.url, kms_bucket, crypto_provider=provider(kms, cmk_id="alias/no-such-key"))
        with pytest.raises(exceptions.ServerError) as missing:
            await m(unknown.put_object, "unknown", b"x")
        assert missing.value.status == 404
        assert not plain.object_exists("unknown")

    mode.run(scenario)


def test_kms_provider_repr_hides_secrets_and_rejects_unsupported_arguments(kms: KmsServer) -> None:
    p = AliKMSProvider(STS_ID, STS_SECRET, "cn-hangzhou", ALIAS, STS_TOKEN, mat_desc={"owner": "tests"})
    for text in (repr(p), repr(p._key), str(p)):
        assert STS_SECRET not in text and STS_TOKEN not in text
        assert STS_ID in text and ALIAS in text and "***" in text
    assert "https://kms.cn-hangzhou.aliyuncs.com" in repr(p) and "owner" in repr(p)
    assert p._key.kms_endpoint == "https://kms.cn-hangzhou.aliyuncs.com" and p._key.cmk_id == ALIAS
    assert provider(kms)._key.kms_endpoint == kms.url
    assert ossbridge.AliKMSProvider is AliKMSProvider and "AliKMSProvider" in ossbridge.crypto.__all__

    with_passphrase = AliKMSProvider(ACCESS_KEY_ID, ACCESS_KEY_SECRET, "cn-hangzhou", ALIAS, passphrase="pass-phrase-xyz")
    assert "pass-phrase-xyz" not in repr(with_passphrase) and 'passphrase="***"' in repr(with_passphrase)
    with pytest.raises(exceptions.ClientError, match="cipher"):
        AliKMSProvider(ACCESS_KEY_ID, ACCESS_KEY_SECRET, "cn-hangzhou", ALIAS, cipher=object())
    with pytest.raises(exceptions.ClientError, match="kms_endpoint|KMS endpoint"):
        AliKMSProvider(ACCESS_KEY_ID, ACCESS_KEY_SECRET, "cn-hangzhou", ALIAS, kms_endpoint="ftp://example")
    with pytest.raises(exceptions.ClientError, match="cmk_id"):
        AliKMSProvider(ACCESS_KEY_ID, ACCESS_KEY_SECRET, "cn-hangzhou", "")
    with pytest.raises(exceptions.ClientError, match="region"):
        AliKMSProvider(ACCESS_KEY_ID, ACCESS_KEY_SECRET, "", ALIAS)
    with pytest.raises(exceptions.ClientError, match="RsaProvider or AliKMSProvider"):
        ossbridge.CryptoBucket(ossbridge.Auth(ACCESS_KEY_ID, ACCESS_KEY_SECRET), kms.url, "b", crypto_provider=object())
    assert RsaProvider is ossbridge.RsaProvider


def test_kms_with_an_sts_token(auth, kms: KmsServer, kms_bucket: str) -> None:  # type: ignore[no-untyped-def]
    sts = ossbridge.CryptoBucket(auth, kms.url, kms_bucket, crypto_provider=provider(kms, STS_ID, STS_SECRET, sts_token=STS_TOKEN))
    sts.put_object("sts", b"temporary keys")
    assert sts.get_object("sts").read() == b"temporary keys"

    # The token is sent and checked: a wrong one is refused before anything is stored.
    wrong = ossbridge.CryptoBucket(auth, kms.url, kms_bucket, crypto_provider=provider(kms, STS_ID, STS_SECRET, sts_token="not-the-token"))
    with pytest.raises(exceptions.ServerError) as refused:
        wrong.put_object("sts-wrong", b"x")
    assert refused.value.code == "InvalidSecurityToken.Mismatch"
    assert STS_SECRET not in str(refused.value) and "not-the-token" not in str(refused.value)
    assert not ossbridge.Bucket(auth, kms.url, kms_bucket).object_exists("sts-wrong")


def test_kms_passphrase_is_the_encryption_context(auth, kms: KmsServer, kms_bucket: str) -> None:  # type: ignore[no-untyped-def]
    """oss2 sends the passphrase as EncryptionContext {"x-passphrase": ...}: the same one opens
    the object, none or another does not."""
    def bucket(**kwargs):  # type: ignore[no-untyped-def]
        return ossbridge.CryptoBucket(auth, kms.url, kms_bucket, crypto_provider=provider(kms, **kwargs))

    bucket(passphrase="open sesame").put_object("pp", b"behind a passphrase")
    assert bucket(passphrase="open sesame").get_object("pp").read() == b"behind a passphrase"
    for other in ({}, {"passphrase": "another"}):
        with pytest.raises(exceptions.ServerError) as refused:
            bucket(**other).get_object("pp").read()
        assert refused.value.code == "InvalidCiphertext", other
    # The blob in the metadata is bound to exactly oss2's context string.
    head = ossbridge.Bucket(auth, kms.url, kms_bucket).head_object("pp")
    blob = base64.b64decode(head.headers["x-oss-meta-client-side-encryption-key"]).decode()
    status, _ = kms_call(kms.url, "Decrypt", CiphertextBlob=blob, EncryptionContext='{"x-passphrase":"open sesame"}')
    assert status == 200
