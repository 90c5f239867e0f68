"""Every error class raised for real by the local server or the client, sync and async."""

from __future__ import annotations

import socket

import pytest

import ossbridge
from ossbridge import exceptions
from ossbridge.credentials import EnvironmentVariableCredentialsProvider

from conftest import ACCESS_KEY_ID, CORRUPT_SUFFIX, READER_KEY_ID, READER_SECRET, LocalServer, Mode, unique_bucket_name


def test_missing_key_and_bucket_carry_the_service_details(mode: Mode, auth, endpoint: str, bucket_name: str) -> None:  # type: ignore[no-untyped-def]
    async def scenario(m: Mode) -> None:
        bucket = m.bucket(auth, endpoint, bucket_name)
        with pytest.raises(exceptions.NoSuchKey) as err:
            await m(bucket.get_object, "missing")
        e = err.value
        assert (e.status, e.code) == (404, "NoSuchKey") and isinstance(e, exceptions.NotFound)
        assert e.request_id and e.message and e.details["Code"] == "NoSuchKey"
        assert e.headers["x-oss-request-id"] == e.request_id
        assert e.ec, "OSS's EC travels with the error"

        # HEAD has no body: the details come from the x-oss-err header.
        with pytest.raises(exceptions.NoSuchKey) as err:
            await m(bucket.head_object, "missing")
        assert err.value.request_id

        with pytest.raises(exceptions.NoSuchBucket) as err2:
            await m(m.bucket(auth, endpoint, unique_bucket_name()).put_object, "k", b"v")
        assert err2.value.status == 404

    mode.run(scenario)


def test_access_denied_and_bad_credentials(mode: Mode, restricted_server: LocalServer) -> None:
    admin = ossbridge.Auth(ACCESS_KEY_ID, "pythonTestSecret0123456789abcdef")
    reader = ossbridge.AuthV4(READER_KEY_ID, READER_SECRET)
    name = unique_bucket_name()

    async def scenario(m: Mode) -> None:
        await m(m.bucket(admin, restricted_server.url, name).create_bucket)
        with pytest.raises(exceptions.AccessDenied) as err:
            await m(m.bucket(reader, restricted_server.url, name, region="cn-hangzhou").put_object, "k", b"v")
        assert err.value.status == 403 and err.value.request_id

        wrong_secret = ossbridge.Auth(ACCESS_KEY_ID, "not-the-secret")
        with pytest.raises(exceptions.SignatureDoesNotMatch) as err2:
            await m(m.bucket(wrong_secret, restricted_server.url, name).get_bucket_info)
        assert err2.value.details.get("StringToSign"), "OSS returns what it signed"

        with pytest.raises(exceptions.InvalidAccessKeyId):
            await m(m.bucket(ossbridge.Auth("LTAI5tNOBODY", "x"), restricted_server.url, name).get_bucket_info)

    mode.run(scenario)


def test_crc_mismatch_injected_by_the_server_raises_inconsistent_error(mode: Mode, auth, endpoint: str, bucket_name: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    key = "data" + CORRUPT_SUFFIX
    data = bytes(range(256)) * 400

    async def scenario(m: Mode) -> None:
        bucket = m.bucket(auth, endpoint, bucket_name)
        await m(bucket.put_object, key, data)

        result = await m(bucket.get_object, key)
        with pytest.raises(exceptions.InconsistentError) as err:
            await m.read(result)
        assert err.value.status == exceptions.OSS_INCONSISTENT_ERROR_STATUS
        assert "crc" in str(err.value).lower()

        result = await m(bucket.get_object, key)
        with pytest.raises(exceptions.InconsistentError):
            await m.chunks(result)

        target = tmp_path / "never-written"
        with pytest.raises(exceptions.InconsistentError):
            await m(bucket.get_object_to_file, key, str(target))
        assert not target.exists(), "a corrupt download never reaches the destination"

        # With enable_crc=False the corruption goes unnoticed, as in oss2.
        unchecked = m.bucket(auth, endpoint, bucket_name, enable_crc=False)
        corrupted = await m.read(await m(unchecked.get_object, key))
        assert len(corrupted) == len(data) and corrupted != data

    mode.run(scenario)


def test_client_side_errors_name_what_was_wrong(mode: Mode, auth, endpoint: str, bucket_name: str) -> None:  # type: ignore[no-untyped-def]
    async def scenario(m: Mode) -> None:
        bucket = m.bucket(auth, endpoint, bucket_name)
        with pytest.raises(exceptions.ClientError, match="AES512"):
            await m(bucket.put_object, "k", b"v", headers={"x-oss-server-side-encryption": "AES512"})
        with pytest.raises(exceptions.ClientError, match="Authorization"):
            await m(bucket.put_object, "k", b"v", headers={"Authorization": "forged"})
        with pytest.raises(exceptions.ClientError, match="bucket"):
            await m(m.bucket(auth, endpoint, "Not_A_Bucket").get_bucket_info)
        with pytest.raises(exceptions.ClientError, match="byte_range"):
            await m(bucket.get_object, "k", byte_range=(10, 5))
        with pytest.raises(exceptions.ClientError, match="data must be"):
            await m(bucket.put_object, "k", 12345)
        with pytest.raises(exceptions.ClientError, match="region"):
            m.bucket(ossbridge.AuthV4("a", "b"), endpoint, bucket_name)

    mode.run(scenario)


def test_missing_environment_credentials_fail_at_request_time(mode: Mode, endpoint: str, bucket_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OSS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("OSS_ACCESS_KEY_SECRET", raising=False)
    auth = ossbridge.ProviderAuth(EnvironmentVariableCredentialsProvider())

    async def scenario(m: Mode) -> None:
        with pytest.raises(exceptions.CredentialsError, match="OSS_ACCESS_KEY_ID"):
            await m(m.bucket(auth, endpoint, bucket_name).get_bucket_info)

    mode.run(scenario)


def test_a_closed_port_raises_request_error(mode: Mode, auth) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again when the block ends: nothing listens

    async def scenario(m: Mode) -> None:
        bucket = m.bucket(auth, f"http://127.0.0.1:{port}", "somebucket", connect_timeout=2)
        with pytest.raises(exceptions.RequestError) as err:
            await m(bucket.get_bucket_info)
        assert err.value.status == exceptions.OSS_REQUEST_ERROR_STATUS

    mode.run(scenario)


def test_a_failing_python_provider_is_a_credentials_error(mode: Mode, endpoint: str, bucket_name: str) -> None:
    class Broken:
        def get_credentials(self) -> None:
            raise RuntimeError("vault is sealed")

    async def scenario(m: Mode) -> None:
        with pytest.raises(exceptions.CredentialsError, match="vault is sealed"):
            await m(m.bucket(ossbridge.ProviderAuth(Broken()), endpoint, bucket_name).get_bucket_info)

    mode.run(scenario)
