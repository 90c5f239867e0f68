"""The exception hierarchy and the mapping of every core error kind."""

from __future__ import annotations

import pytest

from ossbridge import _ossbridge, exceptions
from ossbridge.exceptions import _server_error


def test_every_core_error_kind_maps_to_its_own_class() -> None:
    expected = {
        "InvalidArgument": exceptions.ClientError,
        "Credentials": exceptions.CredentialsError,
        "Network": exceptions.RequestError,
        "Timeout": exceptions.RequestTimeout,
        "CrcMismatch": exceptions.InconsistentError,
        "Crypto": exceptions.CryptoError,
        "Io": exceptions.FileIoError,
        "Protocol": exceptions.ProtocolError,
    }
    kinds = _ossbridge._error_kinds()
    assert set(kinds) == set(expected) | {"Service"}, "a core error kind has no Python mapping"
    for kind, klass in expected.items():
        with pytest.raises(exceptions.OssError) as info:
            _ossbridge._raise_core_error(kind, "what went wrong")
        assert type(info.value) is klass, kind
        assert "what went wrong" in str(info.value)
    assert exceptions.InconsistentError("x").status == exceptions.OSS_INCONSISTENT_ERROR_STATUS
    assert exceptions.ClientError("x").status == exceptions.OSS_CLIENT_ERROR_STATUS
    assert exceptions.RequestError("x").status == exceptions.OSS_REQUEST_ERROR_STATUS


@pytest.mark.parametrize(
    "status,code,klass",
    [
        (404, "NoSuchKey", exceptions.NoSuchKey),
        (404, "NoSuchBucket", exceptions.NoSuchBucket),
        (404, "NoSuchUpload", exceptions.NoSuchUpload),
        (404, "NoSuchServerSideEncryptionRule", exceptions.NoSuchServerSideEncryptionRule),
        (404, "SomethingNew", exceptions.NotFound),
        (403, "AccessDenied", exceptions.AccessDenied),
        (403, "SignatureDoesNotMatch", exceptions.SignatureDoesNotMatch),
        (400, "InvalidEncryptionAlgorithmError", exceptions.InvalidEncryptionAlgorithmError),
        (400, "InvalidArgument", exceptions.InvalidArgument),
        (409, "BucketNotEmpty", exceptions.BucketNotEmpty),
        (409, "Whatever", exceptions.Conflict),
        (412, "PreconditionFailed", exceptions.PreconditionFailed),
        (500, "InternalError", exceptions.ServerError),
    ],
)
def test_server_errors_pick_the_subclass_by_status_and_code(status: int, code: str, klass: type) -> None:
    details = {"Code": code, "Message": "m", "RequestId": "RID", "EC": "0002-1", "ArgumentName": "x"}
    err = _server_error(status, [("X-Oss-Request-Id", "RID")], b"<Error/>", details, "RID", "0002-1")
    assert type(err) is klass
    assert isinstance(err, exceptions.ServerError)
    assert (err.status, err.code, err.message, err.request_id, err.ec) == (status, code, "m", "RID", "0002-1")
    assert err.headers["x-oss-request-id"] == "RID"
    assert err.details["ArgumentName"] == "x"


def test_not_found_subclasses_share_the_not_found_base() -> None:
    assert issubclass(exceptions.NoSuchKey, exceptions.NotFound)
    assert issubclass(exceptions.NoSuchServerSideEncryptionRule, exceptions.NotFound)
    assert issubclass(exceptions.BucketNotEmpty, exceptions.Conflict)
