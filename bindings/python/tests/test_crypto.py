"""CryptoBucket + RsaProvider (client-side encryption), sync and async."""

from __future__ import annotations

import subprocess

import pytest

import ossbridge
from ossbridge import exceptions
from ossbridge.crypto import RsaProvider
from ossbridge.models import MultipartUploadCryptoContext, PartInfo

from conftest import Mode


def rsa_key_pair() -> "dict[str, str]":
    private = subprocess.run(["openssl", "genrsa", "2048"], capture_output=True, text=True, check=True).stdout
    public = subprocess.run(["openssl", "rsa", "-pubout"], input=private, capture_output=True, text=True, check=True).stdout
    return {"private_key": private, "public_key": public}


@pytest.fixture(scope="module")
def key_pair() -> "dict[str, str]":
    return rsa_key_pair()


def test_rsa_provider_repr_hides_the_private_key(key_pair: "dict[str, str]") -> None:
    text = repr(RsaProvider(key_pair, mat_desc={"owner": "tests"}))
    body = key_pair["private_key"].splitlines()[1]
    assert body not in text and "***" in text and "owner" in text
    with pytest.raises(exceptions.ClientError, match="PEM|key"):
        RsaProvider({"public_key": "not a pem"})


def test_encrypted_objects_round_trip_and_are_ciphertext_at_rest(mode: Mode, auth, endpoint: str, bucket_name: str, key_pair) -> None:  # type: ignore[no-untyped-def]
    data = bytes(range(256)) * 300

    async def scenario(m: Mode) -> None:
        import ossbridge.aio

        cls = ossbridge.aio.CryptoBucket if m.is_async else ossbridge.CryptoBucket
        bucket = cls(auth, endpoint, bucket_name, crypto_provider=RsaProvider(key_pair))
        r = await m(bucket.put_object, "secret", data, headers={"Content-Type": "application/x-test"})
        assert r.status == 200
        got = await m(bucket.get_object, "secret")
        assert await m.read(got) == data
        ranged = await m(bucket.get_object, "secret", byte_range=(1000, 1999))
        assert await m.read(ranged) == data[1000:2000]
        tail = await m(bucket.get_object, "secret", byte_range=(None, 10))
        assert await m.read(tail) == data[-10:]
        head = await m(bucket.head_object, "secret")
        assert head.content_length == len(data)

        plain = m.bucket(auth, endpoint, bucket_name)
        stored = await m.read(await m(plain.get_object, "secret"))
        assert stored != data and len(stored) == len(data), "OSS holds ciphertext"

        # A key that did not wrap the data key cannot read it; a plain object is refused.
        other = cls(auth, endpoint, bucket_name, crypto_provider=RsaProvider(rsa_key_pair()))
        with pytest.raises(exceptions.CryptoError):
            await m.read(await m(other.get_object, "secret"))
        await m(plain.put_object, "plain", b"not encrypted")
        with pytest.raises(exceptions.CryptoError, match="client-side encryption metadata"):
            await m.read(await m(bucket.get_object, "plain"))
        with pytest.raises(exceptions.ClientError):
            await m(bucket.append_object, "x", 0, b"y")

    mode.run(scenario)


def test_encrypted_multipart_upload_with_a_crypto_context(mode: Mode, auth, endpoint: str, bucket_name: str, key_pair) -> None:  # type: ignore[no-untyped-def]
    part_size = 100 * 1024
    data = bytes((i * 7) % 256 for i in range(2 * part_size + 5000))

    async def scenario(m: Mode) -> None:
        import ossbridge.aio

        cls = ossbridge.aio.CryptoBucket if m.is_async else ossbridge.CryptoBucket
        bucket = cls(auth, endpoint, bucket_name, crypto_provider=RsaProvider(key_pair))
        context = MultipartUploadCryptoContext(len(data), part_size)
        init = await m(bucket.init_multipart_upload, "mp-secret", upload_context=context)
        parts = []
        for number, start in enumerate(range(0, len(data), part_size), start=1):
            r = await m(bucket.upload_part, "mp-secret", init.upload_id, number, data[start : start + part_size], upload_context=context)
            parts.append(PartInfo(number, r.etag))
        done = await m(bucket.complete_multipart_upload, "mp-secret", init.upload_id, parts, upload_context=context)
        assert done.status == 200
        assert await m.read(await m(bucket.get_object, "mp-secret")) == data
        with pytest.raises(exceptions.ClientError, match="upload_context"):
            await m(bucket.upload_part, "mp-secret", init.upload_id, 1, b"x", upload_context=MultipartUploadCryptoContext(1, 16))

    mode.run(scenario)
