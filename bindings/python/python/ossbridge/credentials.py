"""Credentials and credentials providers, named as in oss2.credentials.

``StaticCredentialsProvider`` and ``EnvironmentVariableCredentialsProvider`` are native: the
client asks them for credentials without taking the GIL. Any other object with a
``get_credentials()`` method returning a :class:`Credentials` (or anything with oss2's
``get_access_key_id()`` / ``get_access_key_secret()`` / ``get_security_token()``) works as a
provider too, e.g. a subclass of :class:`CredentialsProvider`. ``repr()`` never shows a secret.
"""

from __future__ import annotations

from ._ossbridge import Credentials, EnvironmentVariableCredentialsProvider, StaticCredentialsProvider

__all__ = [
    "Credentials",
    "CredentialsProvider",
    "EnvironmentVariableCredentialsProvider",
    "StaticCredentialsProvider",
]


class CredentialsProvider:
    """Base class for custom providers: override :meth:`get_credentials`."""

    def get_credentials(self) -> Credentials:
        raise NotImplementedError("a CredentialsProvider must implement get_credentials()")
