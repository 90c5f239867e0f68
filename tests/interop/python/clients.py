"""One small adapter per official Python SDK and signature version.

The flow tests are written once against this interface and parametrized over every adapter, so
each flow is driven through oss2 and alibabacloud-oss-v2, with V1 and V4 signatures. The adapters
only translate arguments and results; every request is built, signed and parsed by the SDK.
SSE options are passed as the three OSS header names (``sse`` dicts) and translated to the typed
fields where the SDK has them.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Callable, Dict, List, Optional, Tuple

import alibabacloud_oss_v2 as ossv2
import oss2

REGION = "cn-hangzhou"

SSE = "x-oss-server-side-encryption"
SSE_KEY_ID = "x-oss-server-side-encryption-key-id"
SSE_DATA = "x-oss-server-side-data-encryption"

ADAPTER_NAMES = ["oss2-v1", "oss2-v4", "pyv2-v1", "pyv2-v4"]


@dataclasses.dataclass
class Credentials:
    access_key_id: str
    access_key_secret: str
    security_token: Optional[str] = None


@dataclasses.dataclass
class ServiceFailure:
    """An OSS error response as the SDK surfaced it."""

    status: int
    code: str
    message: str
    ec: Optional[str]
    details: Dict[str, str]

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


def lower_headers(headers) -> Dict[str, str]:
    return {k.lower(): v for k, v in dict(headers or {}).items()}


def sse_of(headers: Dict[str, str]) -> Tuple[Optional[str], Optional[str], Optional[str]]:
    """(algorithm, key id, data cipher) as the response headers report them."""
    h = lower_headers(headers)
    return h.get(SSE), h.get(SSE_KEY_ID), h.get(SSE_DATA)


class Adapter:
    name: str
    version: str  # "v1" or "v4"

    def failure(self, fn: Callable[[], object]) -> ServiceFailure:
        """Run ``fn``, which must fail with an OSS error response, and return that error."""
        raise NotImplementedError


# --------------------------------------------------------------------------------------------
# oss2
# --------------------------------------------------------------------------------------------


class Oss2Adapter(Adapter):
    def __init__(self, endpoint: str, creds: Credentials, version: str):
        self.name = f"oss2-{version}"
        self.version = version
        self.endpoint = endpoint
        auth_version = oss2.AUTH_VERSION_4 if version == "v4" else oss2.AUTH_VERSION_1
        if creds.security_token:
            self.auth = oss2.StsAuth(
                creds.access_key_id, creds.access_key_secret, creds.security_token, auth_version
            )
        elif version == "v4":
            self.auth = oss2.AuthV4(creds.access_key_id, creds.access_key_secret)
        else:
            self.auth = oss2.Auth(creds.access_key_id, creds.access_key_secret)

    def bucket(self, name: str) -> oss2.Bucket:
        return oss2.Bucket(self.auth, self.endpoint, name, region=REGION)

    def failure(self, fn):
        try:
            fn()
        except oss2.exceptions.ServerError as e:
            return ServiceFailure(e.status, e.code, e.message, e.ec, dict(e.details))
        raise AssertionError(f"{self.name}: expected an OSS error response, the call succeeded")

    # buckets
    def create_bucket(self, bucket, acl=None, headers=None):
        self.bucket(bucket).create_bucket(permission=acl, headers=headers)

    def delete_bucket(self, bucket):
        self.bucket(bucket).delete_bucket()

    def put_bucket_acl(self, bucket, acl):
        self.bucket(bucket).put_bucket_acl(acl)

    def put_bucket_encryption(self, bucket, algorithm, key_id=None, data_encryption=None):
        rule = oss2.models.ServerSideEncryptionRule(
            sse_algorithm=algorithm, kms_master_keyid=key_id or "", kms_data_encryption=data_encryption
        )
        return self.bucket(bucket).put_bucket_encryption(rule).status

    def get_bucket_encryption(self, bucket):
        r = self.bucket(bucket).get_bucket_encryption()
        return r.sse_algorithm, r.kms_master_keyid or None, r.kms_data_encryption or None

    def delete_bucket_encryption(self, bucket):
        return self.bucket(bucket).delete_bucket_encryption().status

    def bucket_info_sse(self, bucket):
        info = self.bucket(bucket).get_bucket_info()
        rule = info.bucket_encryption_rule
        # oss2 turns the server's literal "None" into None; map it back so both SDKs compare alike.
        if rule is None or rule.sse_algorithm is None:
            return "None", None, None
        return rule.sse_algorithm, rule.kms_master_keyid or None, rule.kms_data_encryption or None

    # objects
    def put_object(self, bucket, key, data, sse=None, headers=None):
        h = dict(headers or {})
        h.update(sse or {})
        return lower_headers(self.bucket(bucket).put_object(key, data, headers=h).headers)

    def get_object(self, bucket, key, byte_range=None, headers=None):
        h = dict(headers or {})
        if byte_range is not None:
            h["Range"] = byte_range
        r = self.bucket(bucket).get_object(key, headers=h)
        return r.read(), lower_headers(r.headers), r.status

    def head_object(self, bucket, key):
        return lower_headers(self.bucket(bucket).head_object(key).headers)

    def delete_object(self, bucket, key):
        self.bucket(bucket).delete_object(key)

    def copy_object(self, bucket, src_key, dst_key, sse=None, src_bucket=None):
        r = self.bucket(bucket).copy_object(src_bucket or bucket, src_key, dst_key, headers=dict(sse or {}))
        return lower_headers(r.headers)

    def append_object(self, bucket, key, position, data, sse=None):
        r = self.bucket(bucket).append_object(key, position, data, headers=dict(sse or {}))
        return lower_headers(r.headers), r.next_position

    def initiate_multipart(self, bucket, key, sse=None):
        r = self.bucket(bucket).init_multipart_upload(key, headers=dict(sse or {}))
        return r.upload_id, lower_headers(r.headers)

    def upload_part(self, bucket, key, upload_id, number, data, headers=None):
        r = self.bucket(bucket).upload_part(key, upload_id, number, data, headers=headers)
        return r.etag, lower_headers(r.headers)

    def complete_multipart(self, bucket, key, upload_id, parts, headers=None):
        infos = [oss2.models.PartInfo(n, etag) for n, etag in parts]
        r = self.bucket(bucket).complete_multipart_upload(key, upload_id, infos, headers=headers)
        return lower_headers(r.headers)

    def abort_multipart(self, bucket, key, upload_id):
        self.bucket(bucket).abort_multipart_upload(key, upload_id)

    def presign_get(self, bucket, key, expires_seconds):
        return self.bucket(bucket).sign_url("GET", key, expires_seconds, slash_safe=True), {}


# --------------------------------------------------------------------------------------------
# alibabacloud-oss-v2
# --------------------------------------------------------------------------------------------


def _v2_sse_fields(sse: Optional[Dict[str, str]]) -> Dict[str, Optional[str]]:
    sse = lower_headers(sse)
    return {
        "server_side_encryption": sse.get(SSE),
        "server_side_encryption_key_id": sse.get(SSE_KEY_ID),
        "server_side_data_encryption": sse.get(SSE_DATA),
    }


class PyV2Adapter(Adapter):
    def __init__(self, endpoint: str, creds: Credentials, version: str):
        self.name = f"pyv2-{version}"
        self.version = version
        cfg = ossv2.config.load_default()
        cfg.credentials_provider = ossv2.credentials.StaticCredentialsProvider(
            creds.access_key_id, creds.access_key_secret, creds.security_token
        )
        cfg.region = REGION
        cfg.endpoint = endpoint
        cfg.signature_version = version
        # Errors must reach the test as the server sent them, not after retries.
        cfg.retry_max_attempts = 1
        self.client = ossv2.Client(cfg)

    def failure(self, fn):
        try:
            fn()
        except ossv2.exceptions.OperationError as e:
            inner = e.unwrap()
            if isinstance(inner, ossv2.exceptions.ServiceError):
                return ServiceFailure(
                    inner.status_code, inner.code, inner.message, inner.ec, dict(inner.error_fileds or {})
                )
            raise
        raise AssertionError(f"{self.name}: expected an OSS error response, the call succeeded")

    def create_bucket(self, bucket, acl=None, headers=None):
        req = ossv2.PutBucketRequest(bucket=bucket, acl=acl)
        if headers:
            req.headers = dict(headers)
        self.client.put_bucket(req)

    def delete_bucket(self, bucket):
        self.client.delete_bucket(ossv2.DeleteBucketRequest(bucket=bucket))

    def put_bucket_acl(self, bucket, acl):
        self.client.put_bucket_acl(ossv2.PutBucketAclRequest(bucket=bucket, acl=acl))

    def put_bucket_encryption(self, bucket, algorithm, key_id=None, data_encryption=None):
        rule = ossv2.ServerSideEncryptionRule(
            apply_server_side_encryption_by_default=ossv2.ApplyServerSideEncryptionByDefault(
                sse_algorithm=algorithm, kms_master_key_id=key_id, kms_data_encryption=data_encryption
            )
        )
        r = self.client.put_bucket_encryption(
            ossv2.PutBucketEncryptionRequest(bucket=bucket, server_side_encryption_rule=rule)
        )
        return r.status_code

    def get_bucket_encryption(self, bucket):
        r = self.client.get_bucket_encryption(ossv2.GetBucketEncryptionRequest(bucket=bucket))
        d = r.server_side_encryption_rule.apply_server_side_encryption_by_default
        return d.sse_algorithm, d.kms_master_key_id or None, d.kms_data_encryption or None

    def delete_bucket_encryption(self, bucket):
        r = self.client.delete_bucket_encryption(ossv2.DeleteBucketEncryptionRequest(bucket=bucket))
        return r.status_code

    def bucket_info_sse(self, bucket):
        r = self.client.get_bucket_info(ossv2.GetBucketInfoRequest(bucket=bucket))
        rule = r.bucket_info.sse_rule
        return rule.sse_algorithm, rule.kms_master_key_id or None, rule.kms_data_encryption or None

    def put_object(self, bucket, key, data, sse=None, headers=None):
        req = ossv2.PutObjectRequest(bucket=bucket, key=key, body=data, **_v2_sse_fields(sse))
        if headers:
            req.headers = dict(headers)
        return lower_headers(self.client.put_object(req).headers)

    def get_object(self, bucket, key, byte_range=None, headers=None):
        req = ossv2.GetObjectRequest(bucket=bucket, key=key, range_header=byte_range)
        if headers:
            req.headers = dict(headers)
        r = self.client.get_object(req)
        with r.body as body:
            data = body.read()
        h = lower_headers(r.headers)
        # The typed result fields must agree with the raw headers.
        assert (r.server_side_encryption, r.server_side_encryption_key_id, r.server_side_data_encryption) == sse_of(h)
        return data, h, r.status_code

    def head_object(self, bucket, key):
        r = self.client.head_object(ossv2.HeadObjectRequest(bucket=bucket, key=key))
        h = lower_headers(r.headers)
        assert (r.server_side_encryption, r.server_side_encryption_key_id, r.server_side_data_encryption) == sse_of(h)
        return h

    def delete_object(self, bucket, key):
        self.client.delete_object(ossv2.DeleteObjectRequest(bucket=bucket, key=key))

    def copy_object(self, bucket, src_key, dst_key, sse=None, src_bucket=None):
        r = self.client.copy_object(
            ossv2.CopyObjectRequest(
                bucket=bucket, key=dst_key, source_bucket=src_bucket or bucket, source_key=src_key,
                **_v2_sse_fields(sse),
            )
        )
        return lower_headers(r.headers)

    def append_object(self, bucket, key, position, data, sse=None):
        r = self.client.append_object(
            ossv2.AppendObjectRequest(bucket=bucket, key=key, position=position, body=data, **_v2_sse_fields(sse))
        )
        return lower_headers(r.headers), r.next_position

    def initiate_multipart(self, bucket, key, sse=None):
        r = self.client.initiate_multipart_upload(
            ossv2.InitiateMultipartUploadRequest(bucket=bucket, key=key, **_v2_sse_fields(sse))
        )
        return r.upload_id, lower_headers(r.headers)

    def upload_part(self, bucket, key, upload_id, number, data, headers=None):
        req = ossv2.UploadPartRequest(bucket=bucket, key=key, upload_id=upload_id, part_number=number, body=data)
        if headers:
            req.headers = dict(headers)
        r = self.client.upload_part(req)
        return r.etag, lower_headers(r.headers)

    def complete_multipart(self, bucket, key, upload_id, parts, headers=None):
        req = ossv2.CompleteMultipartUploadRequest(
            bucket=bucket, key=key, upload_id=upload_id,
            complete_multipart_upload=ossv2.CompleteMultipartUpload(
                parts=[ossv2.UploadPart(part_number=n, etag=etag) for n, etag in parts]
            ),
        )
        if headers:
            req.headers = dict(headers)
        return lower_headers(self.client.complete_multipart_upload(req).headers)

    def abort_multipart(self, bucket, key, upload_id):
        self.client.abort_multipart_upload(
            ossv2.AbortMultipartUploadRequest(bucket=bucket, key=key, upload_id=upload_id)
        )

    def presign_get(self, bucket, key, expires_seconds):
        r = self.client.presign(
            ossv2.GetObjectRequest(bucket=bucket, key=key),
            expires=datetime.timedelta(seconds=expires_seconds),
        )
        return r.url, dict(r.signed_headers or {})


def make_adapter(name: str, endpoint: str, creds: Credentials) -> Adapter:
    sdk, version = name.split("-")
    if sdk == "oss2":
        return Oss2Adapter(endpoint, creds, version)
    return PyV2Adapter(endpoint, creds, version)


def all_adapters(endpoint: str, creds: Credentials) -> List[Adapter]:
    return [make_adapter(n, endpoint, creds) for n in ADAPTER_NAMES]
