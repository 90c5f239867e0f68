"""Client-side encryption providers, named as in oss2.crypto.

:class:`RsaProvider` wraps each object's random data key with an RSA key pair (PEM), in the
format oss2 and alibabacloud-oss-v2 read and write. All cryptography is in the Rust core; the
private key never appears in ``repr()``.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from . import _ossbridge
from .exceptions import ClientError

__all__ = ["RsaProvider"]


class RsaProvider:
    """``RsaProvider(key_pair={'public_key': PEM, 'private_key': PEM}, mat_desc=None)``.

    The public key alone can encrypt; decrypting needs the private key. ``mat_desc`` (a dict
    of strings) is stored with each object to tell which key wrapped it."""

    def __init__(self, key_pair: Mapping[str, str], passphrase: Optional[str] = None, cipher: Any = None, mat_desc: Optional[Dict[str, str]] = None) -> None:
        if passphrase:
            raise ClientError("passphrase-protected PEM keys are not supported; decrypt the key first")
        if cipher is not None:
            raise ClientError("RsaProvider(cipher=...) is not supported: the content cipher is AES-256-CTR, as in oss2")
        if not isinstance(key_pair, Mapping) or not (key_pair.get("public_key") or key_pair.get("private_key")):
            raise ClientError("key_pair must be a dict with 'public_key' and/or 'private_key' PEM strings")
        self.mat_desc = dict(mat_desc or {})
        self._key = _ossbridge.RsaKey(key_pair.get("public_key"), key_pair.get("private_key"), self.mat_desc or None)

    def __repr__(self) -> str:
        return f"RsaProvider({self._key!r}, mat_desc={self.mat_desc!r})"
