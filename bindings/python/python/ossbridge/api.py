"""The blocking client: oss2's ``Service`` and ``Bucket``.

Every call runs in the Rust core with the GIL released, so other Python threads keep running
during uploads, downloads and CRC-64 hashing.
"""

from __future__ import annotations

import io
from collections import deque
from typing import Any, Deque, Iterator, Optional, Sequence

from ._calls import BucketCalls, ByteRange, CryptoBucketCalls, _unsupported, HeadersArg, ProgressCallback, ResumableStore, list_buckets_call, service_native
from .exceptions import ClientError, NotFound
from .models import (
    AppendObjectResult,
    BatchDeleteObjectsResult,
    GetBucketInfoResult,
    GetObjectResult,
    GetServerSideEncryptionResult,
    HeadObjectResult,
    InitMultipartUploadResult,
    ListBucketsResult,
    ListObjectsResult,
    ListObjectsV2Result,
    ListPartsResult,
    MultipartUploadCryptoContext,
    PartInfo,
    PutObjectResult,
    RequestResult,
    ServerSideEncryptionRule,
    SimplifiedObjectInfo,
    MarkerListing,
    listing_entries,
)

__all__ = ["Bucket", "CryptoBucket", "ObjectIterator", "ObjectIteratorV2", "Service", "resumable_download", "resumable_upload"]


class Service:
    """Account-level calls (oss2.Service)."""

    def __init__(self, auth: Any, endpoint: str, session: Any = None, connect_timeout: Optional[float] = None, app_name: str = "", proxies: Any = None, region: Optional[str] = None, cloudbox_id: Optional[str] = None, is_path_style: bool = False, is_verify_object_strict: bool = True) -> None:
        self.auth = auth
        self.endpoint = endpoint
        self._native = service_native(auth, endpoint, connect_timeout, app_name, region, proxies)

    def list_buckets(self, prefix: str = "", marker: str = "", max_keys: int = 100, params: Any = None, headers: HeadersArg = None) -> ListBucketsResult:
        return list_buckets_call(self._native, prefix, marker, max_keys).run()


class Bucket:
    """One bucket's calls (oss2.Bucket). ``region`` is needed for V4 signing when the
    endpoint does not name it; ``enable_crc`` checks the CRC-64 of uploads and whole-object
    downloads."""

    def __init__(self, auth: Any, endpoint: str, bucket_name: str, is_cname: bool = False, session: Any = None, connect_timeout: Optional[float] = None, app_name: str = "", enable_crc: bool = True, proxies: Any = None, region: Optional[str] = None, cloudbox_id: Optional[str] = None, is_path_style: bool = False, is_verify_object_strict: bool = True) -> None:
        self._calls = BucketCalls(auth, endpoint, bucket_name, is_cname, session, connect_timeout, app_name, enable_crc, proxies, region, cloudbox_id, is_path_style, is_verify_object_strict)
        self.auth = auth
        self.endpoint = endpoint
        self.bucket_name = bucket_name
        self.enable_crc = enable_crc

    def __repr__(self) -> str:
        return f"Bucket(endpoint={self.endpoint!r}, bucket_name={self.bucket_name!r})"

    # bucket
    def create_bucket(self, permission: Optional[str] = None, input: Any = None, headers: HeadersArg = None) -> RequestResult:
        return self._calls.create_bucket(permission, input, headers).run()

    def delete_bucket(self) -> RequestResult:
        return self._calls.delete_bucket().run()

    def get_bucket_info(self) -> GetBucketInfoResult:
        return self._calls.get_bucket_info().run()

    def put_bucket_encryption(self, rule: ServerSideEncryptionRule) -> RequestResult:
        return self._calls.put_bucket_encryption(rule).run()

    def get_bucket_encryption(self) -> GetServerSideEncryptionResult:
        return self._calls.get_bucket_encryption().run()

    def delete_bucket_encryption(self) -> RequestResult:
        return self._calls.delete_bucket_encryption().run()

    # objects
    def put_object(self, key: str, data: Any, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None) -> PutObjectResult:
        """``data``: bytes, str (UTF-8), a file object (read from its current position) or an
        iterable of bytes."""
        return self._calls.put_object(key, data, headers, progress_callback).run()

    def put_object_from_file(self, key: str, filename: str, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None) -> PutObjectResult:
        return self._calls.put_object_from_file(key, filename, headers, progress_callback).run()

    def get_object(self, key: str, byte_range: ByteRange = None, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None, process: Any = None, params: Any = None) -> GetObjectResult:
        """A readable stream: ``read()``, ``read(n)``, or iterate over its chunks."""
        fields, reader = self._calls.get_object(key, byte_range, headers, progress_callback, process, params).run()
        return GetObjectResult(fields, reader)

    def get_object_to_file(self, key: str, filename: str, byte_range: ByteRange = None, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None, process: Any = None, params: Any = None) -> GetObjectResult:
        """Writes to a temporary file renamed to ``filename`` once the CRC-64 matched."""
        return self._calls.get_object_to_file(key, filename, byte_range, headers, progress_callback, process, params).run()

    def head_object(self, key: str, headers: HeadersArg = None, params: Any = None) -> HeadObjectResult:
        return self._calls.head_object(key, headers, params).run()

    def object_exists(self, key: str, headers: HeadersArg = None) -> bool:
        try:
            self.head_object(key, headers)
        except NotFound:
            return False
        return True

    def copy_object(self, source_bucket_name: str, source_key: str, target_key: str, headers: HeadersArg = None, params: Any = None) -> PutObjectResult:
        return self._calls.copy_object(source_bucket_name, source_key, target_key, headers, params).run()

    def append_object(self, key: str, position: int, data: Any, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None, init_crc: Optional[int] = None) -> AppendObjectResult:
        return self._calls.append_object(key, position, data, headers, progress_callback, init_crc).run()

    def delete_object(self, key: str, params: Any = None, headers: HeadersArg = None) -> RequestResult:
        return self._calls.delete_object(key, params, headers).run()

    def batch_delete_objects(self, key_list: Sequence[str], headers: HeadersArg = None) -> BatchDeleteObjectsResult:
        return self._calls.batch_delete_objects(key_list, headers).run()

    def list_objects(self, prefix: str = "", delimiter: str = "", marker: str = "", max_keys: int = 100, headers: HeadersArg = None) -> ListObjectsResult:
        return self._calls.list_objects(prefix, delimiter, marker, max_keys, headers).run()

    def list_objects_v2(self, prefix: str = "", delimiter: str = "", continuation_token: str = "", start_after: str = "", fetch_owner: bool = False, encoding_type: str = "url", max_keys: int = 100, headers: HeadersArg = None) -> ListObjectsV2Result:
        return self._calls.list_objects_v2(prefix, delimiter, continuation_token, start_after, fetch_owner, encoding_type, max_keys, headers).run()

    # multipart
    def init_multipart_upload(self, key: str, headers: HeadersArg = None, params: Any = None) -> InitMultipartUploadResult:
        return self._calls.init_multipart_upload(key, headers, params).run()

    def upload_part(self, key: str, upload_id: str, part_number: int, data: Any, progress_callback: Optional[ProgressCallback] = None, headers: HeadersArg = None) -> PutObjectResult:
        return self._calls.upload_part(key, upload_id, part_number, data, progress_callback, headers).run()

    def complete_multipart_upload(self, key: str, upload_id: str, parts: Sequence[PartInfo], headers: HeadersArg = None) -> PutObjectResult:
        return self._calls.complete_multipart_upload(key, upload_id, parts, headers).run()

    def abort_multipart_upload(self, key: str, upload_id: str, headers: HeadersArg = None) -> RequestResult:
        return self._calls.abort_multipart_upload(key, upload_id, headers).run()

    def list_parts(self, key: str, upload_id: str, marker: str = "", max_parts: int = 1000, headers: HeadersArg = None) -> ListPartsResult:
        return self._calls.list_parts(key, upload_id, marker, max_parts, headers).run()

    def sign_url(self, method: str, key: str, expires: int, headers: HeadersArg = None, params: Any = None, slash_safe: bool = False, additional_headers: Any = None) -> str:
        """A URL that performs ``method`` on ``key`` without credentials for ``expires`` seconds."""
        return self._calls.sign_url(method, key, expires, headers, params, slash_safe, additional_headers)


def resumable_upload(bucket: Bucket, key: str, filename: str, store: Optional[ResumableStore] = None, headers: HeadersArg = None, multipart_threshold: Optional[int] = None, part_size: Optional[int] = None, progress_callback: Optional[ProgressCallback] = None, num_threads: Optional[int] = None, params: Any = None) -> PutObjectResult:
    """Uploads a file, as multipart (``num_threads`` parts in flight) above
    ``multipart_threshold``; an interrupted upload resumes from its checkpoint in ``store``."""
    return bucket._calls.upload_file(key, filename, store, headers, multipart_threshold, part_size, progress_callback, num_threads).run()


def resumable_download(bucket: Bucket, key: str, filename: str, multiget_threshold: Optional[int] = None, part_size: Optional[int] = None, progress_callback: Optional[ProgressCallback] = None, num_threads: Optional[int] = None, store: Optional[ResumableStore] = None, params: Any = None, headers: HeadersArg = None) -> None:
    """Downloads an object with ``num_threads`` ranges in flight; an interrupted download
    resumes from its checkpoint in ``store``. The file appears only once its CRC-64 matched."""
    bucket._calls.download_file(key, filename, store, part_size, progress_callback, num_threads).run()


class CryptoBucket(Bucket):
    """oss2's ``CryptoBucket(auth, endpoint, bucket_name, crypto_provider=RsaProvider(...))``:
    objects are encrypted on the client before upload and decrypted after download, in the
    format oss2 and alibabacloud-oss-v2 use. Multipart uploads need a
    :class:`ossbridge.models.MultipartUploadCryptoContext` (``upload_context=``)."""

    def __init__(self, auth: Any, endpoint: str, bucket_name: str, crypto_provider: Any, is_cname: bool = False, session: Any = None, connect_timeout: Optional[float] = None, app_name: str = "", enable_crc: bool = True, proxies: Any = None, region: Optional[str] = None, cloudbox_id: Optional[str] = None, is_path_style: bool = False, is_verify_object_strict: bool = True) -> None:
        super().__init__(auth, endpoint, bucket_name, is_cname, session, connect_timeout, app_name, enable_crc, proxies, region, cloudbox_id, is_path_style, is_verify_object_strict)
        self._crypto = CryptoBucketCalls(auth, endpoint, bucket_name, crypto_provider, is_cname, session, connect_timeout, app_name, enable_crc, proxies, region, cloudbox_id, is_path_style, is_verify_object_strict)
        self.crypto_provider = crypto_provider

    def put_object(self, key: str, data: Any, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None) -> PutObjectResult:
        return self._crypto.put_object(key, data, headers, progress_callback).run()

    def put_object_from_file(self, key: str, filename: str, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None) -> PutObjectResult:
        return self._crypto.put_object_from_file(key, filename, headers, progress_callback).run()

    def get_object(self, key: str, byte_range: ByteRange = None, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None, process: Any = None, params: Any = None) -> GetObjectResult:
        """The decrypted object (or range: ``(start, end)``, ``(start, None)``, ``(None, last_n)``)."""
        _unsupported("process", process)
        fields, data = self._crypto.get_decrypted(key, byte_range, headers, params).run()
        return GetObjectResult(dict(fields, content_length=len(data)), io.BytesIO(data))

    def get_object_to_file(self, key: str, filename: str, byte_range: ByteRange = None, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None, process: Any = None, params: Any = None) -> GetObjectResult:
        _unsupported("process", process)
        fields, data = self._crypto.get_decrypted(key, byte_range, headers, params).run()
        with open(filename, "wb") as f:
            f.write(data)
        return GetObjectResult(dict(fields, content_length=len(data)))

    def head_object(self, key: str, headers: HeadersArg = None, params: Any = None) -> HeadObjectResult:
        return self._crypto.head_object(key, headers, params).run()

    def init_multipart_upload(self, key: str, headers: HeadersArg = None, params: Any = None, upload_context: Optional[MultipartUploadCryptoContext] = None) -> InitMultipartUploadResult:
        return self._crypto.init_multipart_upload(key, headers, params, upload_context).run()

    def upload_part(self, key: str, upload_id: str, part_number: int, data: Any, progress_callback: Optional[ProgressCallback] = None, headers: HeadersArg = None, upload_context: Optional[MultipartUploadCryptoContext] = None) -> PutObjectResult:
        return self._crypto.upload_part(key, upload_id, part_number, data, progress_callback, headers, upload_context).run()

    def complete_multipart_upload(self, key: str, upload_id: str, parts: Sequence[PartInfo], headers: HeadersArg = None, upload_context: Optional[MultipartUploadCryptoContext] = None) -> PutObjectResult:
        return self._crypto.complete_multipart_upload(key, upload_id, parts, headers, upload_context).run()

    def abort_multipart_upload(self, key: str, upload_id: str, headers: HeadersArg = None, upload_context: Optional[MultipartUploadCryptoContext] = None) -> RequestResult:
        if upload_context is not None:
            self._crypto.abort_crypto_upload(upload_context).run()
            return RequestResult({"status": 204, "request_id": "", "headers": []})
        return super().abort_multipart_upload(key, upload_id, headers)

    def append_object(self, key: str, position: int, data: Any, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None, init_crc: Optional[int] = None) -> AppendObjectResult:
        raise ClientError("CryptoBucket does not support append_object (as in oss2)")

    def copy_object(self, source_bucket_name: str, source_key: str, target_key: str, headers: HeadersArg = None, params: Any = None) -> PutObjectResult:
        raise ClientError("CryptoBucket does not support copy_object: copy with a plain Bucket, the metadata travels with the object")


class ObjectIterator(MarkerListing[Bucket]):
    """oss2's ``ObjectIterator`` (ListObjects V1, marker-based): every object under ``prefix``
    and, with a ``delimiter``, every common prefix as a :class:`SimplifiedObjectInfo` whose
    ``is_prefix()`` is true, each page's entries in key order, fetching pages lazily."""

    def __iter__(self) -> Iterator[SimplifiedObjectInfo]:
        return self

    def __next__(self) -> SimplifiedObjectInfo:
        while not self._entries:
            if not self.is_truncated:
                raise StopIteration
            self._take_page(self.bucket.list_objects(*self._page_request()))
        return self._entries.popleft()


class ObjectIteratorV2:
    """Every object under ``prefix`` (and, with a ``delimiter``, every common prefix as a
    :class:`SimplifiedObjectInfo` whose ``is_prefix()`` is true), fetching pages lazily."""

    def __init__(self, bucket: Bucket, prefix: str = "", delimiter: str = "", continuation_token: str = "", start_after: str = "", fetch_owner: bool = False, encoding_type: str = "url", max_keys: int = 100, max_retries: Optional[int] = None, headers: HeadersArg = None) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.delimiter = delimiter
        self.start_after = start_after
        self.fetch_owner = fetch_owner
        self.max_keys = max_keys
        self.next_continuation_token = continuation_token
        self._entries: Deque[SimplifiedObjectInfo] = deque()
        self._done = False

    def __iter__(self) -> Iterator[SimplifiedObjectInfo]:
        return self

    def __next__(self) -> SimplifiedObjectInfo:
        while not self._entries:
            if self._done:
                raise StopIteration
            page = self.bucket.list_objects_v2(self.prefix, self.delimiter, self.next_continuation_token, self.start_after, self.fetch_owner, max_keys=self.max_keys)
            self._entries = listing_entries(page.object_list, page.prefix_list)
            self.next_continuation_token = page.next_continuation_token or ""
            self._done = not page.is_truncated
        return self._entries.popleft()
