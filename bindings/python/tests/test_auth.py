"""Auth and credentials classes: oss2's names, redacted repr, providers."""

from __future__ import annotations

import pytest

import ossbridge
from ossbridge.credentials import (
    Credentials,
    CredentialsProvider,
    EnvironmentVariableCredentialsProvider,
    StaticCredentialsProvider,
)
from ossbridge.exceptions import CredentialsError

SECRET = "verySecretValue0123456789"
TOKEN = "stsTokenValue-abcdef"


@pytest.mark.parametrize(
    "make",
    [
        lambda: ossbridge.Auth("AKID1", SECRET),
        lambda: ossbridge.AuthV4("AKID1", SECRET),
        lambda: ossbridge.StsAuth("AKID1", SECRET, TOKEN),
        lambda: ossbridge.ProviderAuth(StaticCredentialsProvider("AKID1", SECRET, TOKEN)),
        lambda: ossbridge.ProviderAuthV4(StaticCredentialsProvider("AKID1", SECRET, TOKEN)),
        lambda: StaticCredentialsProvider("AKID1", SECRET, TOKEN),
        lambda: Credentials("AKID1", SECRET, TOKEN),
        lambda: ossbridge.ProviderAuthV4(EnvironmentVariableCredentialsProvider()),
    ],
)
def test_repr_shows_no_secret(make) -> None:  # type: ignore[no-untyped-def]
    text = repr(make()) + str(make())
    assert SECRET not in text and TOKEN not in text
    assert "***" in text or "Environment" in text


def test_auth_classes_pick_their_signature_version() -> None:
    assert ossbridge.Auth("a", "b").signature_version == "v1"
    assert ossbridge.AuthV4("a", "b").signature_version == "v4"
    assert ossbridge.ProviderAuth(StaticCredentialsProvider("a", "b")).signature_version == "v1"
    assert ossbridge.ProviderAuthV4(StaticCredentialsProvider("a", "b")).signature_version == "v4"
    assert ossbridge.StsAuth("a", "b", "t", auth_version="v4").signature_version == "v4"
    assert isinstance(ossbridge.AuthV4("a", "b"), ossbridge.AuthBase)


def test_sts_auth_rejects_an_unknown_version() -> None:
    with pytest.raises(ossbridge.exceptions.ClientError, match="signature version"):
        ossbridge.StsAuth("a", "b", "t", auth_version="v3")


def test_static_provider_returns_its_credentials() -> None:
    creds = StaticCredentialsProvider("AKID1", SECRET, TOKEN).get_credentials()
    assert (creds.get_access_key_id(), creds.get_access_key_secret(), creds.get_security_token()) == ("AKID1", SECRET, TOKEN)
    assert Credentials("a", "b").get_security_token() == ""


def test_environment_provider_reads_the_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSS_ACCESS_KEY_ID", "ENVID")
    monkeypatch.setenv("OSS_ACCESS_KEY_SECRET", "envSecret")
    monkeypatch.setenv("OSS_SESSION_TOKEN", "envToken")
    creds = EnvironmentVariableCredentialsProvider().get_credentials()
    assert (creds.get_access_key_id(), creds.get_access_key_secret(), creds.get_security_token()) == ("ENVID", "envSecret", "envToken")


def test_environment_provider_names_the_missing_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSS_ACCESS_KEY_ID", "ENVID")
    monkeypatch.delenv("OSS_ACCESS_KEY_SECRET", raising=False)
    with pytest.raises(CredentialsError, match="OSS_ACCESS_KEY_SECRET"):
        EnvironmentVariableCredentialsProvider().get_credentials()


def test_provider_auth_rejects_an_object_without_get_credentials() -> None:
    with pytest.raises(TypeError, match="get_credentials"):
        ossbridge.ProviderAuth(object())


def test_custom_python_provider_is_accepted() -> None:
    class Mine(CredentialsProvider):
        def get_credentials(self) -> Credentials:
            return Credentials("MINE", SECRET)

    auth = ossbridge.ProviderAuthV4(Mine())
    assert "Mine" in repr(auth) and SECRET not in repr(auth)
