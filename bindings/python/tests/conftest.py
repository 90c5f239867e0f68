"""Fixtures: one local `ossbridge serve` per test session, and fresh buckets per test."""

from __future__ import annotations

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


def start_server(data_dir: str, extra_env: "dict[str, str] | None" = None) -> LocalServer:
    binary = os.environ.get("OSSBRIDGE_SERVER_BIN") or os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "target", "release", "ossbridge"
    )
    env = dict(os.environ, **(extra_env or {}))
    process = subprocess.Popen(
        [
            binary, "serve", "--addr", "127.0.0.1:0", "--data-dir", data_dir,
            "--access-key-id", ACCESS_KEY_ID, "--access-key-secret", ACCESS_KEY_SECRET,
        ],
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


@pytest.fixture(scope="session")
def server() -> Iterator[LocalServer]:
    data_dir = tempfile.mkdtemp(prefix="ossbridge-pytest-")
    srv = start_server(data_dir)
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
