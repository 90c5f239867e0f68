"""Request and result models, named as in oss2.models.

Results are built from the native client's typed results: nothing here parses headers or XML.
Every result has ``status``, ``request_id`` and ``headers`` (case-insensitive); object results
add ``etag``, ``crc`` and the typed SSE attributes ``server_side_encryption``,
``server_side_data_encryption`` and ``server_side_encryption_key_id``.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Iterator, List, Mapping, MutableMapping, Optional, Tuple, Union

SERVER_SIDE_ENCRYPTION_AES256 = "AES256"
SERVER_SIDE_ENCRYPTION_KMS = "KMS"
SERVER_SIDE_ENCRYPTION_SM4 = "SM4"
KMS_DATA_ENCRYPTION_SM4 = "SM4"

BUCKET_ACL_PRIVATE = "private"
BUCKET_ACL_PUBLIC_READ = "public-read"
BUCKET_ACL_PUBLIC_READ_WRITE = "public-read-write"

BUCKET_STORAGE_CLASS_STANDARD = "Standard"
BUCKET_STORAGE_CLASS_IA = "IA"
BUCKET_STORAGE_CLASS_ARCHIVE = "Archive"


class CaseInsensitiveDict(MutableMapping[str, str]):
    """A dict of HTTP headers whose keys compare case-insensitively (keeps the first spelling)."""

    def __init__(self, data: Union[Mapping[str, str], Iterable[Tuple[str, str]], None] = None, **kwargs: str) -> None:
        self._store: Dict[str, Tuple[str, str]] = {}
        if data is not None:
            items = data.items() if isinstance(data, Mapping) else data
            for key, value in items:
                self[key] = value
        for key, value in kwargs.items():
            self[key] = value

    def __setitem__(self, key: str, value: str) -> None:
        self._store[key.lower()] = (key, value)

    def __getitem__(self, key: str) -> str:
        return self._store[key.lower()][1]

    def __delitem__(self, key: str) -> None:
        del self._store[key.lower()]

    def __iter__(self) -> Iterator[str]:
        return (original for original, _ in self._store.values())

    def __len__(self) -> int:
        return len(self._store)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._store

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        theirs = {str(k).lower(): v for k, v in other.items()}
        return {k: v for k, (_, v) in self._store.items()} == theirs

    def copy(self) -> "CaseInsensitiveDict":
        return CaseInsensitiveDict(self._store.values())

    def __repr__(self) -> str:
        return repr(dict(self.items()))


class ServerSideEncryptionRule:
    """A bucket's default encryption rule (oss2.models.ServerSideEncryptionRule).

    ``sse_algorithm`` is ``"AES256"``, ``"KMS"`` or ``"SM4"``; ``kms_master_keyid`` names a
    KMS key (KMS only; empty for the default key); ``kms_data_encryption`` is ``"SM4"`` to
    encrypt KMS-protected data with SM4.
    """

    def __init__(self, sse_algorithm: Optional[str] = None, kms_master_keyid: Optional[str] = None, kms_data_encryption: Optional[str] = None) -> None:
        self.sse_algorithm = sse_algorithm
        self.kms_master_keyid = kms_master_keyid
        self.kms_data_encryption = kms_data_encryption

    def __repr__(self) -> str:
        return (
            f"ServerSideEncryptionRule(sse_algorithm={self.sse_algorithm!r}, "
            f"kms_master_keyid={self.kms_master_keyid!r}, kms_data_encryption={self.kms_data_encryption!r})"
        )
