"""Fixtures: one `ossbridge serve` per session, SDK adapters and fresh buckets."""

from __future__ import annotations

import dataclasses
import os
import pathlib
import secrets
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from clients import ADAPTER_NAMES, Adapter, Credentials, make_adapter  # noqa: E402
from raw_http import RawClient  # noqa: E402
from server_process import (  # noqa: E402
    BINARY, Principals, ServerProcess, config_toml, create_key, make_principals,
)


@dataclasses.dataclass
class Env:
    endpoint: str
    data_dir: pathlib.Path
    principals: Principals
    named_cmk: str
    server: ServerProcess

    def adapter(self, name: str, creds: Credentials = None) -> Adapter:
        return make_adapter(name, self.endpoint, creds or self.principals.admin)

    def raw(self, creds: Credentials = None) -> RawClient:
        return RawClient(self.endpoint, creds)


def start_server(base: pathlib.Path, principals: Principals, with_named_key: bool = True):
    data_dir = base / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    named = create_key(data_dir, alias="alias/interop-named") if with_named_key else ""
    config = base / "server.toml"
    config.write_text(config_toml(principals, named or None))
    server = ServerProcess(data_dir, config, base / "server.log").start()
    return server, named


@pytest.fixture(scope="session")
def env(tmp_path_factory):
    if not BINARY.exists():
        pytest.fail(f"{BINARY} is missing: run `make build` first")
    base = tmp_path_factory.mktemp("ossbridge")
    principals = make_principals()
    server, named = start_server(base, principals)
    yield Env(server.endpoint, server.data_dir, principals, named, server)
    code = server.stop()
    assert code == 0, f"ossbridge serve exited with {code} after SIGTERM; log in {base / 'server.log'}"


@pytest.fixture(params=ADAPTER_NAMES)
def sdk(request, env) -> Adapter:
    return env.adapter(request.param)


@pytest.fixture(params=["v1", "v4"])
def oss2_sdk(request, env) -> Adapter:
    return env.adapter(f"oss2-{request.param}")


def new_bucket_name(prefix: str = "it") -> str:
    return f"{prefix}-{secrets.token_hex(8)}"


@pytest.fixture
def bucket(env, sdk) -> str:
    """A fresh private bucket created through the adapter under test."""
    name = new_bucket_name()
    sdk.create_bucket(name)
    return name


@pytest.fixture
def admin_bucket(env) -> str:
    """A fresh private bucket created with oss2 V4, for tests that are not about one adapter."""
    name = new_bucket_name()
    env.adapter("oss2-v4").create_bucket(name)
    return name
