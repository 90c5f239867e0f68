"""ossbridge: Alibaba Cloud OSS with oss2's API, on a Rust core.

``import ossbridge as oss2`` runs oss2 code for the covered calls. Differences from oss2:
CRC-64 is computed in Rust (SIMD), the GIL is released for all I/O, hashing and crypto, and
results carry typed server-side-encryption attributes.
"""

from __future__ import annotations

from . import credentials, crypto, exceptions, models
from ._calls import ResumableStore
from .api import Bucket, CryptoBucket, ObjectIterator, ObjectIteratorV2, Service, resumable_download, resumable_upload
from ._ossbridge import (
    Auth,
    AuthBase,
    AuthV4,
    ProviderAuth,
    ProviderAuthV4,
    StsAuth,
    __version__,
)
from .crypto import AliKMSProvider, RsaProvider
from .models import (
    BUCKET_ACL_PRIVATE,
    BUCKET_ACL_PUBLIC_READ,
    BUCKET_ACL_PUBLIC_READ_WRITE,
    BUCKET_STORAGE_CLASS_ARCHIVE,
    BUCKET_STORAGE_CLASS_IA,
    BUCKET_STORAGE_CLASS_STANDARD,
    KMS_DATA_ENCRYPTION_SM4,
    SERVER_SIDE_ENCRYPTION_AES256,
    SERVER_SIDE_ENCRYPTION_KMS,
    SERVER_SIDE_ENCRYPTION_SM4,
)

__all__ = [
    "AliKMSProvider",
    "Bucket",
    "CryptoBucket",
    "ObjectIterator",
    "ObjectIteratorV2",
    "RsaProvider",
    "ResumableStore",
    "Service",
    "resumable_download",
    "resumable_upload",
    "Auth",
    "AuthBase",
    "AuthV4",
    "BUCKET_ACL_PRIVATE",
    "BUCKET_ACL_PUBLIC_READ",
    "BUCKET_ACL_PUBLIC_READ_WRITE",
    "BUCKET_STORAGE_CLASS_ARCHIVE",
    "BUCKET_STORAGE_CLASS_IA",
    "BUCKET_STORAGE_CLASS_STANDARD",
    "KMS_DATA_ENCRYPTION_SM4",
    "ProviderAuth",
    "ProviderAuthV4",
    "SERVER_SIDE_ENCRYPTION_AES256",
    "SERVER_SIDE_ENCRYPTION_KMS",
    "SERVER_SIDE_ENCRYPTION_SM4",
    "StsAuth",
    "__version__",
    "credentials",
    "crypto",
    "exceptions",
    "models",
]
