"""Argument handling shared by the blocking (:mod:`ossbridge.api`) and asyncio
(:mod:`ossbridge.aio`) clients.

Each method here turns oss2's arguments into one native call plus the function that builds
oss2's result from the native result, so both clients stay identical. Nothing here speaks
the OSS protocol: header names, signing, XML, CRC and retries are all in the Rust core.
"""

from __future__ import annotations

import os
import stat
import zlib
from typing import Any, Callable, Dict, Generic, Iterable, List, Mapping, Optional, Sequence, Tuple, TypeVar, Union

from . import _ossbridge
from .exceptions import ClientError
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
    PartInfo,
    PutObjectResult,
    RequestResult,
    ServerSideEncryptionRule,
)

T = TypeVar("T")

HeadersArg = Union[Mapping[str, Any], Iterable[Tuple[str, Any]], None]
ProgressCallback = Callable[[int, int], Any]
ByteRange = Optional[Tuple[Optional[int], Optional[int]]]


class Call(Generic[T]):
    """One native call and the function that wraps its result."""

    __slots__ = ("function", "args", "kwargs", "wrap")

    def __init__(self, function: Callable[..., Any], args: Sequence[Any], kwargs: Dict[str, Any], wrap: Callable[[Any], T]) -> None:
        self.function = function
        self.args = args
        self.kwargs = kwargs
        self.wrap = wrap

    def run(self) -> T:
        """Blocking (the GIL is released inside the native call)."""
        return self.wrap(self.function(*self.args, **self.kwargs))

    async def run_async(self) -> T:
        return self.wrap(await self.function(*self.args, awaitable=True, **self.kwargs))


def headers_list(headers: HeadersArg) -> List[Tuple[str, str]]:
    """oss2's ``headers`` (a dict or pairs) as a list of string pairs."""
    if headers is None:
        return []
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [(str(name), str(value)) for name, value in items]


def _unsupported(name: str, value: Any) -> None:
    if value:
        raise ClientError(f"{name} is not supported by ossbridge yet (got {value!r})")


class _IterableReader:
    """Adapts an iterable of bytes/str chunks to ``read(n)`` for streaming uploads."""

    def __init__(self, chunks: Iterable[Union[bytes, str]]) -> None:
        self._chunks = iter(chunks)
        self._pending = b""

    def read(self, n: int = -1) -> bytes:
        while n < 0 or len(self._pending) < n:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._pending += chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk)
        if n < 0:
            out, self._pending = self._pending, b""
        else:
            out, self._pending = self._pending[:n], self._pending[n:]
        return out


def _regular_file_path(data: Any) -> Optional[str]:
    """The path of a binary file object that is a plain local file, if it is one."""
    name = getattr(data, "name", None)
    mode = getattr(data, "mode", "rb")
    if not isinstance(name, str) or "b" not in str(mode) or not hasattr(data, "fileno"):
        return None
    try:
        by_fd = os.fstat(data.fileno())
        by_name = os.stat(name)
    except (OSError, ValueError, AttributeError):
        return None
    if not stat.S_ISREG(by_fd.st_mode) or not os.path.samestat(by_fd, by_name):
        return None
    return name


def data_source(data: Any) -> Tuple[Any, Callable[[], None]]:
    """oss2's ``data`` (bytes, str, a file object read from its current position, or an
    iterable of chunks) as a native source, plus what to do after a successful upload (a file
    object is left at its end, as oss2 leaves it)."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return data, lambda: None
    if isinstance(data, str):
        return data.encode("utf-8"), lambda: None
    if hasattr(data, "read"):
        path = _regular_file_path(data)
        if path is not None:
            # A plain file is read by the core itself, without the GIL.
            offset = data.tell()
            size = os.fstat(data.fileno()).st_size
            return _ossbridge.FileSource(path, offset, max(size - offset, 0)), lambda: data.seek(size)
        length: Optional[int] = None
        if getattr(data, "seekable", lambda: False)():
            here = data.tell()
            length = data.seek(0, os.SEEK_END) - here
            data.seek(here)
        return _ossbridge.StreamSource(data, length), lambda: None
    if isinstance(data, Iterable):
        return _ossbridge.StreamSource(_IterableReader(data), None), lambda: None
    raise ClientError(f"data must be bytes, str, a file object or an iterable of bytes, got {type(data).__name__}")


def byte_range_arg(byte_range: ByteRange) -> Optional[Tuple[int, Optional[int]]]:
    """oss2's ``byte_range=(start, end)`` (inclusive; end None = to the end)."""
    if byte_range is None:
        return None
    start, end = byte_range
    if start is None:
        raise ClientError("byte_range=(None, n) (the last n bytes) is not supported; give a start offset")
    if start < 0 or (end is not None and end < start):
        raise ClientError(f"invalid byte_range {byte_range!r}: need 0 <= start <= end")
    return (start, end)


def _after(hook: Callable[[], None], wrap: Callable[[Any], T]) -> Callable[[Any], T]:
    def done(resp: Any) -> T:
        hook()
        return wrap(resp)

    return done


class BucketCalls:
    """The calls of one bucket, shared by ``ossbridge.Bucket`` and ``ossbridge.aio.Bucket``."""

    def __init__(
        self,
        auth: _ossbridge.AuthBase,
        endpoint: str,
        bucket_name: str,
        is_cname: bool = False,
        session: Any = None,
        connect_timeout: Optional[float] = None,
        app_name: str = "",
        enable_crc: bool = True,
        proxies: Any = None,
        region: Optional[str] = None,
        cloudbox_id: Optional[str] = None,
        is_path_style: bool = False,
        is_verify_object_strict: bool = True,
    ) -> None:
        if not isinstance(auth, _ossbridge.AuthBase):
            raise ClientError(f"auth must be an ossbridge Auth/AuthV4/ProviderAuth/ProviderAuthV4/StsAuth, got {type(auth).__name__}")
        _unsupported("proxies", proxies)
        _unsupported("cloudbox_id", cloudbox_id)
        self.auth = auth
        self.endpoint = endpoint
        self.bucket_name = bucket_name
        self.enable_crc = enable_crc
        self.native = _ossbridge.NativeBucket(
            auth, endpoint, bucket_name, region=region, enable_crc=enable_crc, connect_timeout=connect_timeout,
            is_path_style=is_path_style, is_cname=is_cname, app_name=app_name,
        )

    # bucket ---------------------------------------------------------------------------

    def create_bucket(self, permission: Optional[str] = None, input: Any = None, headers: HeadersArg = None) -> Call[RequestResult]:
        storage_class = getattr(input, "storage_class", None)
        return Call(self.native.create_bucket, (), {"acl": permission, "storage_class": storage_class}, RequestResult)

    def delete_bucket(self) -> Call[RequestResult]:
        return Call(self.native.delete_bucket, (), {}, RequestResult)

    def get_bucket_info(self) -> Call[GetBucketInfoResult]:
        return Call(self.native.get_bucket_info, (), {}, GetBucketInfoResult)

    def put_bucket_encryption(self, rule: ServerSideEncryptionRule) -> Call[RequestResult]:
        if not rule.sse_algorithm:
            raise ClientError("ServerSideEncryptionRule.sse_algorithm must be set (AES256, KMS or SM4)")
        return Call(
            self.native.put_bucket_encryption,
            (rule.sse_algorithm,),
            {"kms_master_keyid": rule.kms_master_keyid or None, "kms_data_encryption": rule.kms_data_encryption or None},
            RequestResult,
        )

    def get_bucket_encryption(self) -> Call[GetServerSideEncryptionResult]:
        return Call(self.native.get_bucket_encryption, (), {}, GetServerSideEncryptionResult)

    def delete_bucket_encryption(self) -> Call[RequestResult]:
        return Call(self.native.delete_bucket_encryption, (), {}, RequestResult)

    # objects --------------------------------------------------------------------------

    def put_object(self, key: str, data: Any, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None) -> Call[PutObjectResult]:
        source, hook = data_source(data)
        return Call(self.native.put_object, (key, source), {"headers": headers_list(headers), "progress_callback": progress_callback}, _after(hook, PutObjectResult))

    def put_object_from_file(self, key: str, filename: str, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None) -> Call[PutObjectResult]:
        source = _ossbridge.FileSource(os.fspath(filename), 0, None)
        return Call(self.native.put_object, (key, source), {"headers": headers_list(headers), "progress_callback": progress_callback}, PutObjectResult)

    def get_object(self, key: str, byte_range: ByteRange = None, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None, process: Any = None, params: Any = None) -> Call[Tuple[Dict[str, Any], Any]]:
        _unsupported("process", process)
        _unsupported("params", params)
        return Call(
            self.native.get_object,
            (key,),
            {"byte_range": byte_range_arg(byte_range), "headers": headers_list(headers), "progress_callback": progress_callback},
            lambda pair: pair,
        )

    def get_object_to_file(self, key: str, filename: str, byte_range: ByteRange = None, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None, process: Any = None, params: Any = None) -> Call[GetObjectResult]:
        _unsupported("process", process)
        _unsupported("params", params)
        return Call(
            self.native.get_object_to_file,
            (key, os.fspath(filename)),
            {"byte_range": byte_range_arg(byte_range), "headers": headers_list(headers), "progress_callback": progress_callback},
            GetObjectResult,
        )

    def head_object(self, key: str, headers: HeadersArg = None, params: Any = None) -> Call[HeadObjectResult]:
        _unsupported("params", params)
        return Call(self.native.head_object, (key,), {"headers": headers_list(headers)}, HeadObjectResult)

    def copy_object(self, source_bucket_name: str, source_key: str, target_key: str, headers: HeadersArg = None, params: Any = None) -> Call[PutObjectResult]:
        _unsupported("params", params)
        return Call(self.native.copy_object, (source_bucket_name, source_key, target_key), {"headers": headers_list(headers)}, PutObjectResult)

    def append_object(self, key: str, position: int, data: Any, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None, init_crc: Optional[int] = None) -> Call[AppendObjectResult]:
        source, hook = data_source(data)
        return Call(
            self.native.append_object,
            (key, position, source),
            {"headers": headers_list(headers), "init_crc": init_crc, "progress_callback": progress_callback},
            _after(hook, AppendObjectResult),
        )

    def delete_object(self, key: str, params: Any = None, headers: HeadersArg = None) -> Call[RequestResult]:
        _unsupported("params", params)
        return Call(self.native.delete_object, (key,), {}, RequestResult)

    def batch_delete_objects(self, key_list: Sequence[str], headers: HeadersArg = None) -> Call[BatchDeleteObjectsResult]:
        if not key_list:
            raise ClientError("key_list must not be empty")
        return Call(self.native.batch_delete_objects, (list(key_list),), {}, BatchDeleteObjectsResult)

    def list_objects(self, prefix: str = "", delimiter: str = "", marker: str = "", max_keys: int = 100, headers: HeadersArg = None) -> Call[ListObjectsResult]:
        _unsupported("headers", headers)
        return Call(
            self.native.list_objects,
            (),
            {"prefix": prefix or None, "delimiter": delimiter or None, "marker": marker or None, "max_keys": max_keys},
            ListObjectsResult,
        )

    def list_objects_v2(self, prefix: str = "", delimiter: str = "", continuation_token: str = "", start_after: str = "", fetch_owner: bool = False, encoding_type: str = "url", max_keys: int = 100, headers: HeadersArg = None) -> Call[ListObjectsV2Result]:
        _unsupported("headers", headers)
        return Call(
            self.native.list_objects_v2,
            (),
            {
                "prefix": prefix or None, "delimiter": delimiter or None, "continuation_token": continuation_token or None,
                "start_after": start_after or None, "fetch_owner": fetch_owner, "max_keys": max_keys,
            },
            ListObjectsV2Result,
        )

    # multipart ------------------------------------------------------------------------

    def init_multipart_upload(self, key: str, headers: HeadersArg = None, params: Any = None) -> Call[InitMultipartUploadResult]:
        _unsupported("params", params)
        return Call(self.native.init_multipart_upload, (key,), {"headers": headers_list(headers)}, InitMultipartUploadResult)

    def upload_part(self, key: str, upload_id: str, part_number: int, data: Any, progress_callback: Optional[ProgressCallback] = None, headers: HeadersArg = None) -> Call[PutObjectResult]:
        source, hook = data_source(data)
        return Call(self.native.upload_part, (key, upload_id, part_number, source), {}, _after(hook, PutObjectResult))

    def complete_multipart_upload(self, key: str, upload_id: str, parts: Sequence[PartInfo], headers: HeadersArg = None) -> Call[PutObjectResult]:
        native_parts = [(p.part_number, p.etag if p.etag.startswith('"') else f'"{p.etag}"', p.size, p.part_crc) for p in parts]
        return Call(self.native.complete_multipart_upload, (key, upload_id, native_parts), {}, PutObjectResult)

    def abort_multipart_upload(self, key: str, upload_id: str, headers: HeadersArg = None) -> Call[RequestResult]:
        return Call(self.native.abort_multipart_upload, (key, upload_id), {}, RequestResult)

    def list_parts(self, key: str, upload_id: str, marker: str = "", max_parts: int = 1000, headers: HeadersArg = None) -> Call[ListPartsResult]:
        def wrap(resp: Dict[str, Any]) -> ListPartsResult:
            parts = [PartInfo(p["part_number"], (p["etag"] or "").strip('"'), p["size"], None, p["part_crc"]) for p in resp["parts"]]
            return ListPartsResult({"status": 200, "request_id": "", "headers": []}, parts)

        return Call(self.native.list_parts, (key, upload_id), {}, wrap)

    # transfers ------------------------------------------------------------------------

    def upload_file(self, key: str, filename: str, store: Optional["ResumableStore"] = None, headers: HeadersArg = None, multipart_threshold: Optional[int] = None, part_size: Optional[int] = None, progress_callback: Optional[ProgressCallback] = None, num_threads: Optional[int] = None) -> Call[PutObjectResult]:
        filename = os.fspath(filename)
        checkpoint = (store or ResumableStore()).checkpoint_path("upload", self.bucket_name, key, filename)
        return Call(
            self.native.upload_file,
            (key, filename),
            {
                "headers": headers_list(headers), "multipart_threshold": multipart_threshold, "part_size": part_size,
                "num_threads": num_threads, "checkpoint_file": checkpoint, "progress_callback": progress_callback,
            },
            PutObjectResult,
        )

    def download_file(self, key: str, filename: str, store: Optional["ResumableStore"] = None, part_size: Optional[int] = None, progress_callback: Optional[ProgressCallback] = None, num_threads: Optional[int] = None) -> Call[None]:
        filename = os.fspath(filename)
        checkpoint = (store or ResumableStore(dir=".py-oss-download")).checkpoint_path("download", self.bucket_name, key, filename)
        return Call(
            self.native.download_file,
            (key, filename),
            {"part_size": part_size, "num_threads": num_threads, "checkpoint_file": checkpoint, "progress_callback": progress_callback},
            lambda resp: None,
        )

    def sign_url(self, method: str, key: str, expires: int, headers: HeadersArg = None, params: Any = None, slash_safe: bool = False, additional_headers: Any = None) -> str:
        _unsupported("params", params)
        _unsupported("additional_headers", additional_headers)
        url: str = self.native.sign_url(method, key, int(expires), headers_list(headers))
        return url


class ResumableStore:
    """Where resumable transfers keep their checkpoints (oss2's ``ResumableStore``):
    ``root/dir`` (default ``~/.py-oss-upload``). A checkpoint is removed when its transfer
    completes; a transfer that finds one resumes."""

    def __init__(self, root: Optional[str] = None, dir: Optional[str] = None) -> None:
        self.dir = os.path.join(root or os.path.expanduser("~"), dir or ".py-oss-upload")

    def checkpoint_path(self, kind: str, bucket: str, key: str, filename: str) -> str:
        os.makedirs(self.dir, exist_ok=True)
        identity = f"{kind}\n{bucket}\n{key}\n{os.path.abspath(filename)}"
        readable = "".join(c if c.isalnum() or c in "-_." else "_" for c in key)[-64:]
        return os.path.join(self.dir, f"{kind}-{readable}-{zlib.crc32(identity.encode('utf-8')):08x}.json")


def service_native(auth: Any, endpoint: str, connect_timeout: Optional[float], app_name: str, region: Optional[str], proxies: Any) -> Any:
    if not isinstance(auth, _ossbridge.AuthBase):
        raise ClientError(f"auth must be an ossbridge Auth/AuthV4/ProviderAuth/ProviderAuthV4/StsAuth, got {type(auth).__name__}")
    _unsupported("proxies", proxies)
    return _ossbridge.NativeService(auth, endpoint, region=region, connect_timeout=connect_timeout, app_name=app_name)


def list_buckets_call(native: Any, prefix: str = "", marker: str = "", max_keys: int = 100) -> Call[ListBucketsResult]:
    return Call(native.list_buckets, (), {"prefix": prefix or None, "marker": marker or None, "max_keys": max_keys}, ListBucketsResult)


def all_bytes(data: Any) -> bytes:
    """Client-side encryption encrypts whole objects/parts in memory: data as bytes."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    if isinstance(data, str):
        return data.encode("utf-8")
    if hasattr(data, "read"):
        read = data.read()
        return read.encode("utf-8") if isinstance(read, str) else bytes(read)
    if isinstance(data, Iterable):
        return _IterableReader(data).read()
    raise ClientError(f"data must be bytes, str, a file object or an iterable of bytes, got {type(data).__name__}")


def _crypto_context(upload_context: Any) -> Any:
    native = getattr(upload_context, "content_crypto_material", None)
    if not isinstance(native, _ossbridge.EncryptedUpload):
        raise ClientError("upload_context must be the MultipartUploadCryptoContext passed to init_multipart_upload")
    return native


class CryptoBucketCalls(BucketCalls):
    """oss2's CryptoBucket: objects are encrypted before upload and decrypted after download."""

    def __init__(self, auth: Any, endpoint: str, bucket_name: str, crypto_provider: Any, is_cname: bool = False, session: Any = None, connect_timeout: Optional[float] = None, app_name: str = "", enable_crc: bool = True, proxies: Any = None, region: Optional[str] = None, cloudbox_id: Optional[str] = None, is_path_style: bool = False, is_verify_object_strict: bool = True) -> None:
        super().__init__(auth, endpoint, bucket_name, is_cname, session, connect_timeout, app_name, enable_crc, proxies, region, cloudbox_id, is_path_style, is_verify_object_strict)
        key = getattr(crypto_provider, "_key", None)
        if not isinstance(key, (_ossbridge.RsaKey, _ossbridge.KmsKey)):
            raise ClientError(f"crypto_provider must be an ossbridge.crypto.RsaProvider or AliKMSProvider, got {type(crypto_provider).__name__}")
        self.crypto_provider = crypto_provider
        self.crypto = _ossbridge.NativeCryptoBucket(auth, endpoint, bucket_name, key, region=region, enable_crc=enable_crc, connect_timeout=connect_timeout, app_name=app_name)

    def put_object(self, key: str, data: Any, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None) -> Call[PutObjectResult]:
        return Call(self.crypto.put_object, (key, all_bytes(data)), {"headers": headers_list(headers)}, PutObjectResult)

    def put_object_from_file(self, key: str, filename: str, headers: HeadersArg = None, progress_callback: Optional[ProgressCallback] = None) -> Call[PutObjectResult]:
        with open(filename, "rb") as f:
            return self.put_object(key, f.read(), headers, progress_callback)

    def get_decrypted(self, key: str, byte_range: Any = None, headers: HeadersArg = None, params: Any = None) -> Call[Tuple[Dict[str, Any], bytes]]:
        _unsupported("headers", headers)
        _unsupported("params", params)
        return Call(self.crypto.get_object, (key,), {"byte_range": tuple(byte_range) if byte_range is not None else None}, lambda pair: pair)

    def head_object(self, key: str, headers: HeadersArg = None, params: Any = None) -> Call[HeadObjectResult]:
        _unsupported("head_object headers", headers)
        _unsupported("params", params)

        def wrap(resp: Dict[str, Any]) -> HeadObjectResult:
            result = HeadObjectResult(resp)
            result.content_length = resp["object_size"]  # the plaintext's, not the stored size
            return result

        return Call(self.crypto.head_object, (key,), {}, wrap)

    def init_multipart_upload(self, key: str, headers: HeadersArg = None, params: Any = None, upload_context: Any = None) -> Call[InitMultipartUploadResult]:
        _unsupported("params", params)
        if upload_context is None or not upload_context.data_size or not upload_context.part_size:
            raise ClientError("an encrypted multipart upload needs upload_context=MultipartUploadCryptoContext(data_size, part_size)")

        def wrap(native: Any) -> InitMultipartUploadResult:
            upload_context.content_crypto_material = native
            return InitMultipartUploadResult({"status": 200, "request_id": "", "headers": [], "upload_id": native.upload_id})

        return Call(self.crypto.init_multipart_upload, (key, upload_context.data_size, upload_context.part_size), {"headers": headers_list(headers)}, wrap)

    def upload_part(self, key: str, upload_id: str, part_number: int, data: Any, progress_callback: Optional[ProgressCallback] = None, headers: HeadersArg = None, upload_context: Any = None) -> Call[PutObjectResult]:
        native = _crypto_context(upload_context)
        return Call(self.crypto.upload_part, (native, part_number, all_bytes(data)), {}, PutObjectResult)

    def complete_multipart_upload(self, key: str, upload_id: str, parts: Sequence[PartInfo], headers: HeadersArg = None, upload_context: Any = None) -> Call[PutObjectResult]:
        native = _crypto_context(upload_context)
        return Call(self.crypto.complete_multipart_upload, (native, [p.part_number for p in parts]), {}, PutObjectResult)

    def abort_crypto_upload(self, upload_context: Any) -> Call[None]:
        return Call(self.crypto.abort_multipart_upload, (_crypto_context(upload_context),), {}, lambda _: None)
