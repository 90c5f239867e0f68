"""Request and result models, named as in oss2.models.

Results are built from the native client's typed results: nothing here parses headers or XML.
Every result has ``status``, ``request_id`` and ``headers`` (case-insensitive); object results
add ``etag``, ``crc`` and the typed SSE attributes ``server_side_encryption``,
``server_side_data_encryption`` and ``server_side_encryption_key_id``.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Deque, Dict, Generic, Iterable, Iterator, List, Mapping, MutableMapping, Optional, Tuple, TypeVar, Union

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


def http_to_unixtime(value: Optional[str]) -> Optional[int]:
    """An HTTP date (``Last-Modified``) as Unix seconds."""
    if not value:
        return None
    import email.utils

    return int(email.utils.parsedate_to_datetime(value).timestamp())


def iso8601_to_unixtime(value: Optional[str]) -> Optional[int]:
    """An ISO 8601 UTC time (``2024-01-15T08:30:00.000Z``, as in listings) as Unix seconds."""
    if not value:
        return None
    import calendar
    import time

    return calendar.timegm(time.strptime(value.split(".")[0].rstrip("Z"), "%Y-%m-%dT%H:%M:%S"))


def _unquote(etag: Optional[str]) -> Optional[str]:
    return etag.strip('"') if etag is not None else None


class RequestResult:
    """What every call returns: ``status``, ``request_id`` and ``headers``, plus the ETag,
    CRC-64 and server-side encryption OSS reported (None where the response had none)."""

    def __init__(self, resp: Mapping[str, Any]) -> None:
        #: The native result this was built from (a dict).
        self.resp = resp
        self.status: int = resp["status"]
        self.request_id: str = resp["request_id"]
        self.headers = CaseInsensitiveDict(resp["headers"])
        #: ETag without quotes.
        self.etag: Optional[str] = _unquote(resp.get("etag"))
        #: CRC-64 (x-oss-hash-crc64ecma) of the object.
        self.crc: Optional[int] = resp.get("crc")
        #: "AES256", "KMS", "SM4" or None.
        self.server_side_encryption: Optional[str] = resp.get("server_side_encryption")
        #: "SM4" when KMS-protected data is encrypted with SM4.
        self.server_side_data_encryption: Optional[str] = resp.get("server_side_data_encryption")
        #: The KMS key id OSS used.
        self.server_side_encryption_key_id: Optional[str] = resp.get("server_side_encryption_key_id")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} status={self.status} request_id={self.request_id!r}>"


class PutObjectResult(RequestResult):
    """PutObject, UploadPart, CopyObject, CompleteMultipartUpload, resumable_upload."""


class AppendObjectResult(RequestResult):
    def __init__(self, resp: Mapping[str, Any]) -> None:
        super().__init__(resp)
        #: Where the next append must start.
        self.next_position: int = resp["next_position"]


class HeadObjectResult(RequestResult):
    def __init__(self, resp: Mapping[str, Any]) -> None:
        super().__init__(resp)
        #: "Normal", "Appendable" or "Multipart".
        self.object_type: Optional[str] = resp.get("object_type")
        #: Unix seconds.
        self.last_modified: Optional[int] = http_to_unixtime(resp.get("last_modified"))
        self.content_type: Optional[str] = resp.get("content_type")
        #: Length of this response's content (of the range, for a range GET).
        self.content_length: Optional[int] = resp.get("content_length")
        self.storage_class: Optional[str] = resp.get("storage_class")
        #: User metadata (x-oss-meta-*), prefix removed.
        self.metadata: Dict[str, str] = dict(resp.get("user_metadata") or [])

    @property
    def server_crc(self) -> Optional[int]:
        return self.crc


class GetObjectMetaResult(HeadObjectResult):
    pass


class GetObjectResult(HeadObjectResult):
    """A GetObject response: a readable stream (``read()``, ``read(n)``) that also iterates
    over its chunks. The CRC-64 of a whole object is checked when its last byte has been read;
    a mismatch raises :class:`ossbridge.exceptions.InconsistentError`."""

    def __init__(self, resp: Mapping[str, Any], stream: Any = None) -> None:
        super().__init__(resp)
        self.stream = stream
        #: ``bytes start-end/total`` of a range GET.
        self.content_range: Optional[str] = resp.get("content_range")

    def read(self, amt: Optional[int] = None) -> bytes:
        if self.stream is None:
            return b""
        data: bytes = self.stream.read(amt)
        return data

    def __iter__(self) -> Iterator[bytes]:
        if self.stream is None:
            return iter(())
        it: Iterator[bytes] = iter(self.stream)
        return it

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()

    def __enter__(self) -> "GetObjectResult":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class InitMultipartUploadResult(RequestResult):
    def __init__(self, resp: Mapping[str, Any]) -> None:
        super().__init__(resp)
        self.upload_id: str = resp["upload_id"]


class PartInfo:
    """A part: from upload_part/list_parts, and the input of complete_multipart_upload.
    With ``size`` and ``part_crc`` on every part, the object's CRC-64 is checked on complete."""

    def __init__(self, part_number: int, etag: str, size: Optional[int] = None, last_modified: Optional[int] = None, part_crc: Optional[int] = None) -> None:
        self.part_number = part_number
        self.etag = etag
        self.size = size
        self.last_modified = last_modified
        self.part_crc = part_crc

    def __repr__(self) -> str:
        return f"PartInfo(part_number={self.part_number}, etag={self.etag!r}, size={self.size}, part_crc={self.part_crc})"


class ListPartsResult(RequestResult):
    def __init__(self, resp: Mapping[str, Any], parts: List[PartInfo]) -> None:
        super().__init__(resp)
        self.parts = parts
        self.is_truncated = False


class BatchDeleteObjectsResult(RequestResult):
    def __init__(self, resp: Mapping[str, Any]) -> None:
        super().__init__(resp)
        self.deleted_keys: List[str] = list(resp["deleted_keys"])


class SimplifiedObjectInfo:
    """One listing entry. A common prefix (from the iterators) has ``last_modified`` and the
    other fields None, as in oss2; ``is_prefix()`` tells them apart."""

    def __init__(self, key: str, last_modified: Optional[int], etag: Optional[str], type: Optional[str], size: Optional[int], storage_class: Optional[str], owner: Any = None, restore_info: Optional[str] = None) -> None:
        self.key = key
        self.last_modified = last_modified
        self.etag = etag
        self.type = type
        self.size = size
        self.storage_class = storage_class
        self.owner = owner
        self.restore_info = restore_info

    def is_prefix(self) -> bool:
        return self.last_modified is None

    def __repr__(self) -> str:
        return f"SimplifiedObjectInfo(key={self.key!r}, size={self.size})"


def _object_list(resp: Mapping[str, Any]) -> List[SimplifiedObjectInfo]:
    return [
        SimplifiedObjectInfo(
            o["key"], iso8601_to_unixtime(o["last_modified"]), _unquote(o["etag"]) or "", o["type"], o["size"], o["storage_class"],
            Owner(o["owner"]["display_name"], o["owner"]["id"]) if o.get("owner") else None,
        )
        for o in resp["objects"]
    ]


def listing_entries(object_list: List[SimplifiedObjectInfo], prefix_list: List[str]) -> Deque[SimplifiedObjectInfo]:
    """A page's objects and common prefixes merged in key order, as oss2's iterators yield them
    (a deque: the iterators take from the front)."""
    entries = object_list + [SimplifiedObjectInfo(p, None, None, None, None, None) for p in prefix_list]
    return deque(sorted(entries, key=lambda o: o.key))


BucketT = TypeVar("BucketT")


class MarkerListing(Generic[BucketT]):
    """What oss2's ``ObjectIterator`` keeps between pages, shared by the sync and the async
    iterator: where the next ListObjects (V1) page starts, and what is left of the current one.
    ``max_retries`` is accepted for oss2 compatibility; the core already retries each page."""

    def __init__(self, bucket: BucketT, prefix: str = "", delimiter: str = "", marker: str = "", max_keys: int = 100, max_retries: Optional[int] = None, headers: Any = None) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.delimiter = delimiter
        self.max_keys = max_keys
        self.headers = headers
        self.next_marker = marker
        self.is_truncated = True
        self._entries: Deque[SimplifiedObjectInfo] = deque()

    def _page_request(self) -> Tuple[str, str, str, int, Any]:
        """The arguments of ``list_objects`` for the next page."""
        return self.prefix, self.delimiter, self.next_marker, self.max_keys, self.headers

    def _take_page(self, page: "ListObjectsResult") -> None:
        self._entries = listing_entries(page.object_list, page.prefix_list)
        self.is_truncated, self.next_marker = page.is_truncated, page.next_marker


class ListObjectsResult(RequestResult):
    """A ListObjects (V1) page; pass ``next_marker`` as ``marker`` for the next one (it is
    ``''`` on the last page, as in oss2)."""

    def __init__(self, resp: Mapping[str, Any]) -> None:
        super().__init__(resp)
        self.is_truncated: bool = resp["is_truncated"]
        self.next_marker: str = resp.get("next_marker") or ""
        self.object_list: List[SimplifiedObjectInfo] = _object_list(resp)
        self.prefix_list: List[str] = list(resp["common_prefixes"])


class ListObjectsV2Result(RequestResult):
    def __init__(self, resp: Mapping[str, Any]) -> None:
        super().__init__(resp)
        self.is_truncated: bool = resp["is_truncated"]
        self.next_continuation_token: Optional[str] = resp.get("next_continuation_token")
        self.key_count: int = resp["key_count"]
        self.object_list: List[SimplifiedObjectInfo] = _object_list(resp)
        self.prefix_list: List[str] = list(resp["common_prefixes"])


class Owner:
    def __init__(self, display_name: str, owner_id: str) -> None:
        self.display_name = display_name
        self.id = owner_id


class AccessControlList:
    def __init__(self, grant: str) -> None:
        self.grant = grant


class GetServerSideEncryptionResult(RequestResult, ServerSideEncryptionRule):
    """The bucket's default encryption rule: ``sse_algorithm``, ``kms_master_keyid``,
    ``kms_data_encryption``."""

    def __init__(self, resp: Mapping[str, Any]) -> None:
        RequestResult.__init__(self, resp)
        rule = resp["rule"]
        ServerSideEncryptionRule.__init__(self, rule["sse_algorithm"], rule.get("kms_master_keyid") or "", rule.get("kms_data_encryption"))


class GetBucketInfoResult(RequestResult):
    def __init__(self, resp: Mapping[str, Any]) -> None:
        super().__init__(resp)
        self.name: str = resp["name"]
        self.location: str = resp["location"]
        self.creation_date: str = resp["creation_date"]
        self.storage_class: str = resp["storage_class"]
        self.extranet_endpoint: str = resp["extranet_endpoint"]
        self.intranet_endpoint: str = resp["intranet_endpoint"]
        self.owner = Owner("", resp["owner_id"])
        self.acl = AccessControlList(resp["acl"])
        rule = resp.get("encryption")
        #: The bucket's default encryption, or None.
        self.bucket_encryption_rule: Optional[ServerSideEncryptionRule] = (
            ServerSideEncryptionRule(rule["sse_algorithm"], rule.get("kms_master_keyid") or "", rule.get("kms_data_encryption")) if rule else None
        )


class SimplifiedBucketInfo:
    def __init__(self, name: str, location: str, creation_date: Optional[int], extranet_endpoint: str, intranet_endpoint: str, storage_class: str, region: str) -> None:
        self.name = name
        self.location = location
        self.creation_date = creation_date
        self.extranet_endpoint = extranet_endpoint
        self.intranet_endpoint = intranet_endpoint
        self.storage_class = storage_class
        self.region = region


class ListBucketsResult(RequestResult):
    def __init__(self, resp: Mapping[str, Any]) -> None:
        super().__init__(resp)
        self.is_truncated: bool = resp["is_truncated"]
        self.next_marker: str = resp.get("next_marker") or ""
        self.owner = Owner(resp["owner_display_name"], resp["owner_id"])
        self.buckets: List[SimplifiedBucketInfo] = [
            SimplifiedBucketInfo(b["name"], b["location"], iso8601_to_unixtime(b["creation_date"]), b["extranet_endpoint"], b["intranet_endpoint"], b["storage_class"], b["region"])
            for b in resp["buckets"]
        ]


class MultipartUploadCryptoContext:
    """What an encrypted multipart upload needs across calls (oss2's name): the plaintext
    ``data_size`` and ``part_size`` (a multiple of 16) given to ``init_multipart_upload``,
    which stores the upload's data key here for ``upload_part`` and ``complete``."""

    def __init__(self, data_size: Optional[int] = None, part_size: Optional[int] = None, content_crypto_material: Any = None) -> None:
        self.data_size = data_size
        self.part_size = part_size
        #: The native upload (data key and uploaded parts), set by init_multipart_upload.
        self.content_crypto_material = content_crypto_material
