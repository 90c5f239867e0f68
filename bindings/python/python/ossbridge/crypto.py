"""Client-side encryption providers, named as in oss2.crypto.

:class:`RsaProvider` wraps each object's random data key with an RSA key pair (PEM), in the
format oss2 and alibabacloud-oss-v2 read and write. :class:`AliKMSProvider` gets each data key
from KMS (GenerateDataKey on a CMK) and stores it as oss2's AliKMSProvider does. All
cryptography and KMS calls are in the Rust core; private keys, access key secrets and STS
tokens never appear in ``repr()``.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from . import _ossbridge
from .exceptions import ClientError

__all__ = ["AliKMSProvider", "RsaProvider"]


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


class AliKMSProvider:
    """``AliKMSProvider(access_key_id, access_key_secret, region, cmk_id, sts_token=None,
    passphrase=None, cipher=None, mat_desc=None, kms_endpoint=None)``.

    Each object's data key comes from KMS GenerateDataKey on ``cmk_id`` (a key id or alias),
    called with these credentials; its IV is wrapped with KMS Encrypt; reading calls KMS
    Decrypt. The object metadata has oss2's layout (``KMS/ALICLOUD``, the CiphertextBlob
    base64-encoded again), so oss2 reads what this writes and the other way round.
    ``passphrase``, as in oss2, is sent to KMS as the EncryptionContext
    ``{"x-passphrase": passphrase}``: objects written with one open only with the same one.
    ``kms_endpoint`` (an ossbridge addition) is the KMS base URL; the default is
    ``https://kms.{region}.aliyuncs.com``."""

    def __init__(self, access_key_id: str, access_key_secret: str, region: str, cmk_id: str, sts_token: Optional[str] = None, passphrase: Optional[str] = None, cipher: Any = None, mat_desc: Optional[Dict[str, str]] = None, kms_endpoint: Optional[str] = None) -> None:
        if cipher is not None:
            raise ClientError("AliKMSProvider(cipher=...) is not supported: the content cipher is AES-256-CTR, as in oss2")
        self.region = region
        self.cmk_id = cmk_id
        self.mat_desc = dict(mat_desc or {})
        self._key = _ossbridge.KmsKey(access_key_id, access_key_secret, region, cmk_id, sts_token, self.mat_desc or None, kms_endpoint, passphrase)

    def __repr__(self) -> str:
        return f"AliKMSProvider({self._key!r}, mat_desc={self.mat_desc!r})"
