"""The asyncio client: ``ossbridge.aio.Bucket`` and ``Service`` have the blocking client's
methods as coroutines (``await bucket.put_object(...)``); ``get_object`` returns an
:class:`AsyncGetObjectResult` (``await result.read()``, ``async for chunk in result``).

The calls run on the module's tokio runtime; the event loop thread never waits for I/O.
Mirrors ``ossbridge/api.py`` method for method: keep the two in step.
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Dict, Mapping, Optional, Sequence

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
)

__all__ = ["AsyncGetObjectResult", "Bucket", "CryptoBucket", "ObjectIterator", "Service", "resumable_download", "resumable_upload"]


class AsyncGetObjectResult(HeadObjectResult):
    """A GetObject response read asynchronously. The CRC-64 of a whole object is checked
    when its last byte has been read."""

    def __init__(self, resp: Mapping[str, Any], stream: Any) -> None:
        super().__init__(resp)
        self.stream = stream
        self.content_range: Optional[str] = resp.get("content_range")

    async def read(self, amt: Optional[int] = None) -> bytes:
        data: bytes = await self.stream.read_async(amt)
        return data

    def __aiter__(self) -> AsyncIterator[bytes]:
        it: AsyncIterator[bytes] = self.stream.__aiter__()
        return it

    def close(self) -> None:
        self.stream.close()

    async def __aenter__(self) -> "AsyncGetObjectResult":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.close()


class Service:
    """Account-level calls (oss2.Service)."""

    def __init__(self, auth: Any, endpoint: str, session: Any = None, connect_timeout: Optional[float] = None, app_name: str = "", proxies: Any = None, region: Optional[str] = None, cloudbox_id: Optional[str] = None, is_path_style: bool = False, is_verify_object_strict: bool = True) -> None:
        self.auth = auth
        self.endpoint = endpoint
        self._native = service_native(auth, endpoint, connect_timeout, app_name, region, proxies)

    async def list_buckets(self, prefix: str = "", marker: str = "", max_keys: int = 100, params: Any = None, headers: HeadersArg = None) -> ListBucketsResult:
        return await list_buckets_call(self._native, prefix, marker, max_keys).run_async()


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
    async def create_bucket(self, permission: Optional[str] = None, input: Any = None, headers: HeadersArg = None) -> RequestResult:
        return await self._calls.create_bucket(permission, input, headers).run_async()

    async def delete_bucket(self) -> RequestResult:
        return await self._calls.delete_bucket().run_async()

    async def get_bucket_info(self) -> GetBucketInfoResult:
        return await self._calls.get_bucket_info().run_async()

    async def put_bucket_encryption(self, rule: ServerSideEncryptionRule) -> RequestResult:
        return await self._calls.put_bucket_encryption(rule).run_async()

    async def get_bucket_encryption(self) -> GetServerSideEncryptionResult:
        return await self._calls.get_bucket_encryption().run_async()

    async def delete_bucket_encryption(self) -> RequestResult:
        return await self._calls.delete_bucket_encryption().run_async()

    # objects
    async def put_object(self, key: str, data: Any, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None) -> PutObjectResult:
        """``data``: bytes, str (UTF-8), a file object (read from its current position) or an
        iterable of bytes."""
        return await self._calls.put_object(key, data, headers, progress_callback).run_async()

    async def put_object_from_file(self, key: str, filename: str, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None) -> PutObjectResult:
        return await self._calls.put_object_from_file(key, filename, headers, progress_callback).run_async()

    async def get_object(self, key: str, byte_range: ByteRange = None, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None, process: Any = None, params: Any = None) -> AsyncGetObjectResult:
        """An async stream: ``await read()``, ``await read(n)``, or ``async for chunk in ...``."""
        fields, reader = await self._calls.get_object(key, byte_range, headers, progress_callback, process, params).run_async()
        return AsyncGetObjectResult(fields, reader)

    async def get_object_to_file(self, key: str, filename: str, byte_range: ByteRange = None, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None, process: Any = None, params: Any = None) -> GetObjectResult:
        """Writes to a temporary file renamed to ``filename`` once the CRC-64 matched."""
        return await self._calls.get_object_to_file(key, filename, byte_range, headers, progress_callback, process, params).run_async()

    async def head_object(self, key: str, headers: HeadersArg = None, params: Any = None) -> HeadObjectResult:
        return await self._calls.head_object(key, headers, params).run_async()

    async def object_exists(self, key: str, headers: HeadersArg = None) -> bool:
        try:
            await self.head_object(key, headers)
        except NotFound:
            return False
        return True

    async def copy_object(self, source_bucket_name: str, source_key: str, target_key: str, headers: HeadersArg = None, params: Any = None) -> PutObjectResult:
        return await self._calls.copy_object(source_bucket_name, source_key, target_key, headers, params).run_async()

    async def append_object(self, key: str, position: int, data: Any, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None, init_crc: Optional[int] = None) -> AppendObjectResult:
        return await self._calls.append_object(key, position, data, headers, progress_callback, init_crc).run_async()

    async def delete_object(self, key: str, params: Any = None, headers: HeadersArg = None) -> RequestResult:
        return await self._calls.delete_object(key, params, headers).run_async()

    async def batch_delete_objects(self, key_list: Sequence[str], headers: HeadersArg = None) -> BatchDeleteObjectsResult:
        return await self._calls.batch_delete_objects(key_list, headers).run_async()

    async def list_objects(self, prefix: str = "", delimiter: str = "", marker: str = "", max_keys: int = 100, headers: HeadersArg = None) -> ListObjectsResult:
        return await self._calls.list_objects(prefix, delimiter, marker, max_keys, headers).run_async()

    async def list_objects_v2(self, prefix: str = "", delimiter: str = "", continuation_token: str = "", start_after: str = "", fetch_owner: bool = False, encoding_type: str = "url", max_keys: int = 100, headers: HeadersArg = None) -> ListObjectsV2Result:
        return await self._calls.list_objects_v2(prefix, delimiter, continuation_token, start_after, fetch_owner, encoding_type, max_keys, headers).run_async()

    # multipart
    async def init_multipart_upload(self, key: str, headers: HeadersArg = None, params: Any = None) -> InitMultipartUploadResult:
        return await self._calls.init_multipart_upload(key, headers, params).run_async()

    async def upload_part(self, key: str, upload_id: str, part_number: int, data: Any, progress_callback: Optional[ProgressCallback] = None, headers: HeadersArg = None) -> PutObjectResult:
        return await self._calls.upload_part(key, upload_id, part_number, data, progress_callback, headers).run_async()

    async def complete_multipart_upload(self, key: str, upload_id: str, parts: Sequence[PartInfo], headers: HeadersArg = None) -> PutObjectResult:
        return await self._calls.complete_multipart_upload(key, upload_id, parts, headers).run_async()

    async def abort_multipart_upload(self, key: str, upload_id: str, headers: HeadersArg = None) -> RequestResult:
        return await self._calls.abort_multipart_upload(key, upload_id, headers).run_async()

    async def list_parts(self, key: str, upload_id: str, marker: str = "", max_parts: int = 1000, headers: HeadersArg = None) -> ListPartsResult:
        return await self._calls.list_parts(key, upload_id, marker, max_parts, headers).run_async()

    def sign_url(self, method: str, key: str, expires: int, headers: HeadersArg = None, params: Any = None, slash_safe: bool = False, additional_headers: Any = None) -> str:
        """A URL that performs ``method`` on ``key`` without credentials for ``expires`` seconds."""
        return self._calls.sign_url(method, key, expires, headers, params, slash_safe, additional_headers)


async def resumable_upload(bucket: Bucket, key: str, filename: str, store: Optional[ResumableStore] = None, headers: HeadersArg = None, multipart_threshold: Optional[int] = None, part_size: Optional[int] = None, progress_callback: Optional[ProgressCallback] = None, num_threads: Optional[int] = None, params: Any = None) -> PutObjectResult:
    """Uploads a file, as multipart (``num_threads`` parts in flight) above
    ``multipart_threshold``; an interrupted upload resumes from its checkpoint in ``store``."""
    return await bucket._calls.upload_file(key, filename, store, headers, multipart_threshold, part_size, progress_callback, num_threads).run_async()


async def resumable_download(bucket: Bucket, key: str, filename: str, multiget_threshold: Optional[int] = None, part_size: Optional[int] = None, progress_callback: Optional[ProgressCallback] = None, num_threads: Optional[int] = None, store: Optional[ResumableStore] = None, params: Any = None, headers: HeadersArg = None) -> None:
    """Downloads an object with ``num_threads`` ranges in flight; an interrupted download
    resumes from its checkpoint in ``store``. The file appears only once its CRC-64 matched."""
    await bucket._calls.download_file(key, filename, store, part_size, progress_callback, num_threads).run_async()


class CryptoBucket(Bucket):
    """``ossbridge.CryptoBucket`` with coroutines (client-side encryption)."""

    def __init__(self, auth: Any, endpoint: str, bucket_name: str, crypto_provider: Any, is_cname: bool = False, session: Any = None, connect_timeout: Optional[float] = None, app_name: str = "", enable_crc: bool = True, proxies: Any = None, region: Optional[str] = None, cloudbox_id: Optional[str] = None, is_path_style: bool = False, is_verify_object_strict: bool = True) -> None:
        super().__init__(auth, endpoint, bucket_name, is_cname, session, connect_timeout, app_name, enable_crc, proxies, region, cloudbox_id, is_path_style, is_verify_object_strict)
        self._crypto = CryptoBucketCalls(auth, endpoint, bucket_name, crypto_provider, is_cname, session, connect_timeout, app_name, enable_crc, proxies, region, cloudbox_id, is_path_style, is_verify_object_strict)
        self.crypto_provider = crypto_provider

    async def put_object(self, key: str, data: Any, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None) -> PutObjectResult:
        return await self._crypto.put_object(key, data, headers, progress_callback).run_async()

    async def put_object_from_file(self, key: str, filename: str, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None) -> PutObjectResult:
        return await self._crypto.put_object_from_file(key, filename, headers, progress_callback).run_async()

    async def get_object(self, key: str, byte_range: ByteRange = None, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None, process: Any = None, params: Any = None) -> AsyncGetObjectResult:
        _unsupported("process", process)
        fields, data = await self._crypto.get_decrypted(key, byte_range, headers, params).run_async()
        return AsyncGetObjectResult(dict(fields, content_length=len(data)), _AsyncBytesStream(data))

    async def head_object(self, key: str, headers: HeadersArg = None, params: Any = None) -> HeadObjectResult:
        return await self._crypto.head_object(key, headers, params).run_async()

    async def init_multipart_upload(self, key: str, headers: HeadersArg = None, params: Any = None, upload_context: Optional[MultipartUploadCryptoContext] = None) -> InitMultipartUploadResult:
        return await self._crypto.init_multipart_upload(key, headers, params, upload_context).run_async()

    async def upload_part(self, key: str, upload_id: str, part_number: int, data: Any, progress_callback: Optional[ProgressCallback] = None, headers: HeadersArg = None, upload_context: Optional[MultipartUploadCryptoContext] = None) -> PutObjectResult:
        return await self._crypto.upload_part(key, upload_id, part_number, data, progress_callback, headers, upload_context).run_async()

    async def complete_multipart_upload(self, key: str, upload_id: str, parts: Sequence[PartInfo], headers: HeadersArg = None, upload_context: Optional[MultipartUploadCryptoContext] = None) -> PutObjectResult:
        return await self._crypto.complete_multipart_upload(key, upload_id, parts, headers, upload_context).run_async()

    async def abort_multipart_upload(self, key: str, upload_id: str, headers: HeadersArg = None, upload_context: Optional[MultipartUploadCryptoContext] = None) -> RequestResult:
        if upload_context is not None:
            await self._crypto.abort_crypto_upload(upload_context).run_async()
            return RequestResult({"status": 204, "request_id": "", "headers": []})
        return await super().abort_multipart_upload(key, upload_id, headers)

    async def append_object(self, key: str, position: int, data: Any, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None, init_crc: Optional[int] = None) -> AppendObjectResult:
        raise ClientError("CryptoBucket does not support append_object (as in oss2)")

    async def copy_object(self, source_bucket_name: str, source_key: str, target_key: str, headers: HeadersArg = None, params: Any = None) -> PutObjectResult:
        raise ClientError("CryptoBucket does not support copy_object: copy with a plain Bucket, the metadata travels with the object")


class ObjectIterator(MarkerListing[Bucket]):
    """``ossbridge.ObjectIterator`` for ``async for``: every object under ``prefix`` and, with a
    ``delimiter``, every common prefix (``is_prefix()`` true), each page in key order, pages
    fetched lazily by following ``next_marker``."""

    def __aiter__(self) -> "ObjectIterator":
        return self

    async def __anext__(self) -> SimplifiedObjectInfo:
        while not self._entries:
            if not self.is_truncated:
                raise StopAsyncIteration
            self._take_page(await self.bucket.list_objects(*self._page_request()))
        return self._entries.popleft()


class _AsyncBytesStream:
    """Decrypted bytes with the native reader's async interface."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    async def read_async(self, amt: Optional[int] = None) -> bytes:
        end = len(self._data) if amt is None or amt < 0 else self._pos + amt
        out = self._data[self._pos : end]
        self._pos += len(out)
        return out

    def __aiter__(self) -> "_AsyncBytesStream":
        return self

    async def __anext__(self) -> bytes:
        chunk = await self.read_async(1 << 20)
        if not chunk:
            raise StopAsyncIteration
        return chunk

    def close(self) -> None:
        self._pos = len(self._data)
