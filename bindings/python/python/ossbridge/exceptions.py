"""Exceptions, shaped like oss2's.

Every error is an :class:`OssError` with ``status``, ``code``, ``message``, ``request_id``,
``ec``, ``details`` (every element of OSS's ``<Error>`` body), ``headers`` and ``body``.

* :class:`ServerError` and its subclasses: OSS answered with an error; the subclass is chosen
  by ``(status, code)``, e.g. :class:`NoSuchKey` for ``(404, "NoSuchKey")``.
* :class:`ClientError` (status -1): the request was not sent, e.g. a bad argument;
  :class:`CredentialsError`, :class:`CryptoError` and :class:`FileIoError` narrow it down.
* :class:`RequestError` (status -2): the connection failed; :class:`RequestTimeout`.
* :class:`InconsistentError` (status -3): the CRC-64 of the data differs from OSS's.
* :class:`ProtocolError` (status -4): OSS answered with something unreadable.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Mapping, Optional, Tuple, Type, Union

from .models import CaseInsensitiveDict

OSS_CLIENT_ERROR_STATUS = -1
OSS_REQUEST_ERROR_STATUS = -2
OSS_INCONSISTENT_ERROR_STATUS = -3
OSS_PROTOCOL_ERROR_STATUS = -4

_HeadersIn = Union[Mapping[str, str], Iterable[Tuple[str, str]], None]


class OssError(Exception):
    """Base of every ossbridge error (oss2's ``OssError(status, headers, body, details)``)."""

    status: int
    code: str

    def __init__(self, status: int, headers: _HeadersIn, body: Union[bytes, str], details: Optional[Mapping[str, Any]]) -> None:
        super().__init__(status, body)
        self.status = status
        self.headers: CaseInsensitiveDict = CaseInsensitiveDict(headers or {})
        self.body = body
        self.details: Dict[str, Any] = dict(details or {})
        self.request_id: str = self.details.get("RequestId") or self.headers.get("x-oss-request-id", "")
        self.code = self.details.get("Code", "") or ""
        self.message: str = self.details.get("Message", "") or ""
        self.ec: str = self.details.get("EC", "") or self.headers.get("x-oss-ec", "")

    def __str__(self) -> str:
        return str({"status": self.status, "details": self.details})


class ClientError(OssError):
    """Raised before anything was sent: a bad argument, a missing file, ..."""

    def __init__(self, message: str) -> None:
        OssError.__init__(self, OSS_CLIENT_ERROR_STATUS, {}, "ClientError: " + message, {})

    def __str__(self) -> str:
        return str({"status": self.status, "details": self.body})


class CredentialsError(ClientError):
    """No credentials could be found, or the credentials provider failed."""


class CryptoError(ClientError):
    """Encryption, decryption or key unwrapping failed (client-side encryption)."""


class FileIoError(ClientError):
    """A local file or stream could not be read or written."""


class RequestError(OssError):
    """The connection to OSS failed (refused, reset, DNS, TLS)."""

    def __init__(self, e: Any) -> None:
        OssError.__init__(self, OSS_REQUEST_ERROR_STATUS, {}, "RequestError: " + str(e), {})
        self.exception = e

    def __str__(self) -> str:
        return str({"status": self.status, "details": self.body})


class RequestTimeout(RequestError):
    """A connect, read or whole-request timeout elapsed."""


class InconsistentError(OssError):
    """The CRC-64 of the data sent or received differs from the one OSS reported."""

    def __init__(self, message: str, request_id: str = "") -> None:
        OssError.__init__(self, OSS_INCONSISTENT_ERROR_STATUS, {"x-oss-request-id": request_id}, "InconsistentError: " + message, {})

    def __str__(self) -> str:
        return str({"status": self.status, "details": self.body})


class ProtocolError(OssError):
    """OSS (or something in between) answered with a response this client cannot read."""

    def __init__(self, message: str) -> None:
        OssError.__init__(self, OSS_PROTOCOL_ERROR_STATUS, {}, "ProtocolError: " + message, {})

    def __str__(self) -> str:
        return str({"status": self.status, "details": self.body})


class ServerError(OssError):
    """OSS answered with an error status."""


class NotFound(ServerError):
    status = 404
    code = ""


class MalformedXml(ServerError):
    status = 400
    code = "MalformedXML"


class InvalidRequest(ServerError):
    status = 400
    code = "InvalidRequest"


class InvalidArgument(ServerError):
    status = 400
    code = "InvalidArgument"

    def __init__(self, status: int, headers: _HeadersIn, body: Union[bytes, str], details: Optional[Mapping[str, Any]]) -> None:
        super().__init__(status, headers, body, details)
        self.name = self.details.get("ArgumentName")
        self.value = self.details.get("ArgumentValue")


class InvalidDigest(ServerError):
    status = 400
    code = "InvalidDigest"


class InvalidObjectName(ServerError):
    status = 400
    code = "InvalidObjectName"


class InvalidBucketName(ServerError):
    status = 400
    code = "InvalidBucketName"


class InvalidEncryptionAlgorithmError(ServerError):
    status = 400
    code = "InvalidEncryptionAlgorithmError"


class InvalidEncryptionRequest(ServerError):
    status = 400
    code = "InvalidEncryptionRequest"


class EntityTooLarge(ServerError):
    status = 400
    code = "EntityTooLarge"


class EntityTooSmall(ServerError):
    status = 400
    code = "EntityTooSmall"


class InvalidPart(ServerError):
    status = 400
    code = "InvalidPart"


class InvalidPartOrder(ServerError):
    status = 400
    code = "InvalidPartOrder"


class NoSuchBucket(NotFound):
    status = 404
    code = "NoSuchBucket"


class NoSuchKey(NotFound):
    status = 404
    code = "NoSuchKey"


class NoSuchUpload(NotFound):
    status = 404
    code = "NoSuchUpload"


class NoSuchServerSideEncryptionRule(NotFound):
    status = 404
    code = "NoSuchServerSideEncryptionRule"


class Conflict(ServerError):
    status = 409
    code = ""


class BucketAlreadyExists(Conflict):
    status = 409
    code = "BucketAlreadyExists"


class BucketNotEmpty(Conflict):
    status = 409
    code = "BucketNotEmpty"


class PositionNotEqualToLength(Conflict):
    status = 409
    code = "PositionNotEqualToLength"

    def __init__(self, status: int, headers: _HeadersIn, body: Union[bytes, str], details: Optional[Mapping[str, Any]]) -> None:
        super().__init__(status, headers, body, details)
        #: Where the next append must start (the object's current length), when OSS said.
        self.next_position: Optional[int] = None


class ObjectNotAppendable(Conflict):
    status = 409
    code = "ObjectNotAppendable"


class PreconditionFailed(ServerError):
    status = 412
    code = "PreconditionFailed"


class NotModified(ServerError):
    status = 304
    code = ""


class AccessDenied(ServerError):
    status = 403
    code = "AccessDenied"


class SignatureDoesNotMatch(ServerError):
    status = 403
    code = "SignatureDoesNotMatch"


class InvalidAccessKeyId(ServerError):
    status = 403
    code = "InvalidAccessKeyId"


class KmsServiceNotEnabled(ServerError):
    status = 403
    code = "KmsServiceNotEnabled"


class MethodNotAllowed(ServerError):
    status = 405
    code = "MethodNotAllowed"


class InvalidRange(ServerError):
    status = 416
    code = "InvalidRange"


_OSS_ERROR_TO_EXCEPTION: Dict[Tuple[int, str], Type[ServerError]] = {}


def _walk_subclasses(klass: Type[ServerError]) -> Iterable[Type[ServerError]]:
    for sub in klass.__subclasses__():
        yield sub
        yield from _walk_subclasses(sub)


for _klass in _walk_subclasses(ServerError):
    _status = _klass.__dict__.get("status")
    _code = _klass.__dict__.get("code")
    if _status is not None and _code is not None:
        _OSS_ERROR_TO_EXCEPTION[(_status, _code)] = _klass


def _server_error(status: int, headers: Iterable[Tuple[str, str]], body: bytes, details: Dict[str, str], request_id: str, ec: str, next_append_position: Optional[int] = None) -> ServerError:
    """Called by the native module for every error response."""
    code = details.get("Code", "")
    klass = _OSS_ERROR_TO_EXCEPTION.get((status, code))
    if klass is None:
        # An unknown code still gets the right family (e.g. NotFound for any 404).
        klass = _OSS_ERROR_TO_EXCEPTION.get((status, ""), ServerError)
    err = klass(status, list(headers), body, details)
    err.request_id = request_id or err.request_id
    err.ec = ec or err.ec
    if isinstance(err, PositionNotEqualToLength):
        err.next_position = next_append_position
    return err


_KIND_TO_EXCEPTION: Dict[str, Any] = {
    "InvalidArgument": ClientError,
    "Credentials": CredentialsError,
    "Network": RequestError,
    "Timeout": RequestTimeout,
    "CrcMismatch": InconsistentError,
    "Crypto": CryptoError,
    "Io": FileIoError,
    "Protocol": ProtocolError,
}


def _client_side_error(kind: str, message: str) -> OssError:
    """Called by the native module for every error that is not an OSS error response."""
    klass = _KIND_TO_EXCEPTION.get(kind)
    if klass is None:
        return OssError(OSS_CLIENT_ERROR_STATUS, {}, f"{kind}: {message}", {})
    err: OssError = klass(message)
    return err
