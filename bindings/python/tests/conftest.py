"""Fixtures: one local `ossbridge serve` per test session, and fresh buckets per test."""

from __future__ import annotations

import asyncio
import inspect
import os
import shutil
import subprocess
import tempfile
import uuid
from typing import Iterator

import pytest

ACCESS_KEY_ID = "LTAI5tPYTHONTESTKEY"
ACCESS_KEY_SECRET = "pythonTestSecret0123456789abcdef"


class LocalServer:
    def __init__(self, url: str, data_dir: str, process: subprocess.Popen) -> None:
        self.url = url
        self.data_dir = data_dir
        self.process = process


def start_server(data_dir: str, extra_env: "dict[str, str] | None" = None, config: "str | None" = None) -> LocalServer:
    binary = os.environ.get("OSSBRIDGE_SERVER_BIN") or os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "target", "release", "ossbridge"
    )
    env = dict(os.environ, **(extra_env or {}))
    args = [binary, "serve", "--addr", "127.0.0.1:0", "--data-dir", data_dir]
    if config is None:
        args += ["--access-key-id", ACCESS_KEY_ID, "--access-key-secret", ACCESS_KEY_SECRET]
    else:
        config_path = os.path.join(data_dir, "users.toml")
        with open(config_path, "w") as f:
            f.write(config)
        args += ["--config", config_path]
    process = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    prefix = "listening on "
    if not line.startswith(prefix):
        process.kill()
        raise RuntimeError(f"ossbridge serve did not start: first line was {line!r}")
    return LocalServer(line[len(prefix):], data_dir, process)


#: Keys ending in this suffix are served with their first byte flipped (server test hook).
CORRUPT_SUFFIX = ".corrupt"


@pytest.fixture(scope="session")
def server() -> Iterator[LocalServer]:
    data_dir = tempfile.mkdtemp(prefix="ossbridge-pytest-")
    srv = start_server(data_dir, {"OSSBRIDGE_SERVER_DEBUG_CORRUPT_SUFFIX": CORRUPT_SUFFIX})
    try:
        yield srv
    finally:
        srv.process.terminate()
        srv.process.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)


#: A server with a read-only user, for AccessDenied.
READER_KEY_ID = "LTAI5tREADONLYUSER"
READER_SECRET = "readOnlySecret0123456789"
RESTRICTED_CONFIG = f"""
[[users]]
name = "admin"
access_key_id = "{ACCESS_KEY_ID}"
access_key_secret = "{ACCESS_KEY_SECRET}"

[[users]]
name = "reader"
access_key_id = "{READER_KEY_ID}"
access_key_secret = "{READER_SECRET}"
allow = ["oss:GetObject", "oss:ListObjects"]
"""


@pytest.fixture(scope="session")
def restricted_server() -> Iterator[LocalServer]:
    data_dir = tempfile.mkdtemp(prefix="ossbridge-pytest-acl-")
    srv = start_server(data_dir, config=RESTRICTED_CONFIG)
    try:
        yield srv
    finally:
        srv.process.terminate()
        srv.process.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def endpoint(server: LocalServer) -> str:
    return server.url


@pytest.fixture
def auth():  # type: ignore[no-untyped-def]
    import ossbridge

    return ossbridge.Auth(ACCESS_KEY_ID, ACCESS_KEY_SECRET)


def unique_bucket_name() -> str:
    return "py-" + uuid.uuid4().hex[:20]


class Mode:
    """Runs one scenario through the blocking client ("sync") or ossbridge.aio ("async")."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.is_async = name == "async"

    def bucket(self, auth, endpoint: str, name: str, **kwargs):  # type: ignore[no-untyped-def]
        import ossbridge
        import ossbridge.aio

        return (ossbridge.aio.Bucket if self.is_async else ossbridge.Bucket)(auth, endpoint, name, **kwargs)

    def service(self, auth, endpoint: str):  # type: ignore[no-untyped-def]
        import ossbridge
        import ossbridge.aio

        return (ossbridge.aio.Service if self.is_async else ossbridge.Service)(auth, endpoint)

    async def __call__(self, function, *args, **kwargs):  # type: ignore[no-untyped-def]
        result = function(*args, **kwargs)
        return await result if inspect.isawaitable(result) else result

    async def read(self, result, amt=None):  # type: ignore[no-untyped-def]
        data = result.read(amt)
        return await data if inspect.isawaitable(data) else data

    async def chunks(self, result):  # type: ignore[no-untyped-def]
        if self.is_async:
            return [chunk async for chunk in result]
        return list(result)

    def transfers(self):  # type: ignore[no-untyped-def]
        import ossbridge
        import ossbridge.aio

        module = ossbridge.aio if self.is_async else ossbridge
        return module.resumable_upload, module.resumable_download

    def run(self, scenario, *args):  # type: ignore[no-untyped-def]
        return asyncio.run(scenario(self, *args))


@pytest.fixture(params=["sync", "async"])
def mode(request) -> Mode:  # type: ignore[no-untyped-def]
    return Mode(request.param)


@pytest.fixture
def bucket_name(server: LocalServer, auth) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A fresh bucket, emptied and deleted afterwards."""
    import ossbridge

    name = unique_bucket_name()
    bucket = ossbridge.Bucket(auth, server.url, name)
    bucket.create_bucket()
    yield name
    try:
        while True:
            listed = bucket.list_objects_v2(max_keys=1000)
            keys = [o.key for o in listed.object_list]
            if keys:
                bucket.batch_delete_objects(keys)
            if not listed.is_truncated:
                break
        bucket.delete_bucket()
    except ossbridge.exceptions.OssError:
        pass
