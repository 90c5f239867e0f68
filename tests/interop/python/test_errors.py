"""Every error of issue 3, as the official SDKs surface it (and as a plain HTTP client sees it
where no SDK can send the request)."""

from __future__ import annotations

import time

import pytest

from clients import SSE, SSE_DATA, SSE_KEY_ID, Credentials
from conftest import new_bucket_name
from helpers import crc64, payload
from raw_http import RawClient, content_md5, fetch_url, http_date, v1_signature

KMS_FORBIDDEN = "This request is forbidden by kms."


def assert_error_shape(raw_response, code):
    """The OSS error body and headers (sse-api.md section 3.1)."""
    err = raw_response.error()
    assert err.get("Code") == code, err
    assert err.get("RequestId"), err
    assert raw_response.headers.get("x-oss-request-id") == err["RequestId"]
    assert "xml" in raw_response.headers.get("content-type", ""), raw_response.headers
    return err


# ---- encryption configuration ---------------------------------------------------------------


def test_unknown_bucket_algorithm_is_invalid_encryption_algorithm(env, sdk, bucket):
    err = sdk.failure(lambda: sdk.put_bucket_encryption(bucket, "random"))
    assert (err.status, err.code) == (400, "InvalidEncryptionAlgorithmError"), err


def test_unknown_object_algorithm_is_invalid_encryption_algorithm(env, sdk, bucket):
    err = sdk.failure(lambda: sdk.put_object(bucket, "k", b"x", sse={SSE: "AES128"}))
    assert (err.status, err.code) == (400, "InvalidEncryptionAlgorithmError"), err
    err = sdk.failure(lambda: sdk.head_object(bucket, "k"))
    assert err.status == 404, "a rejected PutObject must not create the object"


def test_key_id_with_aes256_rule_is_invalid_argument(env, sdk, bucket):
    err = sdk.failure(lambda: sdk.put_bucket_encryption(bucket, "AES256", "test"))
    assert (err.status, err.code) == (400, "InvalidArgument"), err
    err = sdk.failure(lambda: sdk.put_bucket_encryption(bucket, "SM4", env.named_cmk))
    assert (err.status, err.code) == (400, "InvalidArgument"), err


def test_key_id_with_aes256_object_header_is_invalid_argument(env, sdk, bucket):
    err = sdk.failure(
        lambda: sdk.put_object(bucket, "k", b"x", sse={SSE: "AES256", SSE_KEY_ID: env.named_cmk})
    )
    assert (err.status, err.code) == (400, "InvalidArgument"), err


@pytest.mark.parametrize("header", [{SSE: "AES256"}, {SSE: "KMS"}, {SSE_KEY_ID: "x"}, {SSE_DATA: "SM4"}],
                         ids=["sse", "sse-kms", "key-id", "data-encryption"])
def test_sse_headers_on_upload_part_and_complete_are_invalid_argument(env, sdk, bucket, header):
    upload_id, _ = sdk.initiate_multipart(bucket, "mp", sse={SSE: "AES256"})
    err = sdk.failure(lambda: sdk.upload_part(bucket, "mp", upload_id, 1, b"p" * 1000, headers=header))
    assert (err.status, err.code) == (400, "InvalidArgument"), err
    etag, _ = sdk.upload_part(bucket, "mp", upload_id, 1, b"p" * 1000)
    err = sdk.failure(lambda: sdk.complete_multipart(bucket, "mp", upload_id, [(1, etag)], headers=header))
    assert (err.status, err.code) == (400, "InvalidArgument"), err
    # The upload is still intact and completes without the header.
    sdk.complete_multipart(bucket, "mp", upload_id, [(1, etag)])
    assert sdk.get_object(bucket, "mp")[0] == b"p" * 1000


# ---- KMS access -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def public_kms_bucket(env):
    """A public-read bucket holding a KMS object, an SM4 object and a plain one."""
    admin = env.adapter("oss2-v4")
    name = new_bucket_name("pub")
    admin.create_bucket(name, acl="public-read")
    admin.put_object(name, "kms-default", b"kms default secret", sse={SSE: "KMS"})
    admin.put_object(name, "kms-named", b"kms named secret", sse={SSE: "KMS", SSE_KEY_ID: env.named_cmk})
    admin.put_object(name, "kms-sm4", b"kms sm4 secret", sse={SSE: "KMS", SSE_DATA: "SM4"})
    admin.put_object(name, "sm4", b"sm4 object", sse={SSE: "SM4"})
    admin.put_object(name, "plain", b"plain object")
    return name


@pytest.mark.parametrize("key", ["kms-default", "kms-named", "kms-sm4"])
def test_anonymous_read_of_kms_object_is_forbidden_by_kms(env, public_kms_bucket, key):
    status, headers, body = fetch_url(f"{env.endpoint}/{public_kms_bucket}/{key}")
    assert status == 403, body
    from raw_http import RawResponse

    err = RawResponse(status, headers, body).error()
    assert err["Code"] == "AccessDenied" and err["Message"] == KMS_FORBIDDEN, err
    assert b"secret" not in body


def test_anonymous_read_of_sse_oss_object_in_public_bucket_works(env, public_kms_bucket):
    for key, expected, sse in (("sm4", b"sm4 object", "SM4"), ("plain", b"plain object", None)):
        status, headers, body = fetch_url(f"{env.endpoint}/{public_kms_bucket}/{key}")
        assert (status, body) == (200, expected), (key, status, body[:200])
        assert headers.get(SSE) == sse, headers


def test_anonymous_request_to_private_bucket_is_denied(env, admin_bucket):
    env.adapter("oss2-v4").put_object(admin_bucket, "k", b"x")
    status, _, body = fetch_url(f"{env.endpoint}/{admin_bucket}/k")
    assert status == 403 and b"AccessDenied" in body, body


@pytest.mark.parametrize("adapter_name", ["oss2-v1", "oss2-v4", "pyv2-v1", "pyv2-v4"])
def test_user_without_kms_decrypt_is_forbidden_by_kms(env, public_kms_bucket, adapter_name):
    # The bucket is public-read, so the OSS permission is there; only kms:Decrypt is missing.
    user = env.adapter(adapter_name, env.principals.no_kms_decrypt)
    for key in ("kms-default", "kms-named"):
        err = user.failure(lambda: user.get_object(public_kms_bucket, key))
        assert (err.status, err.code, err.message) == (403, "AccessDenied", KMS_FORBIDDEN), (key, err)
    # SSE-OSS objects need no KMS permission.
    assert user.get_object(public_kms_bucket, "sm4")[0] == b"sm4 object"


def test_user_without_kms_decrypt_reads_own_sse_oss_objects(env):
    user = env.adapter("pyv2-v4", env.principals.no_kms_decrypt)
    name = new_bucket_name()
    user.create_bucket(name)
    user.put_object(name, "aes", b"aes", sse={SSE: "AES256"})
    assert user.get_object(name, "aes")[0] == b"aes"


# ---- authentication ------------------------------------------------------------------------


def test_wrong_secret_is_signature_does_not_match(env, sdk, admin_bucket):
    impostor = env.adapter(sdk.name, Credentials(env.principals.admin.access_key_id, "not-the-secret"))
    err = impostor.failure(lambda: impostor.put_object(admin_bucket, "k", b"x"))
    assert (err.status, err.code) == (403, "SignatureDoesNotMatch"), err
    assert err.details.get("StringToSign"), f"SignatureDoesNotMatch must carry the StringToSign: {err.details}"
    if sdk.version == "v4":
        assert err.details["StringToSign"].startswith("OSS4-HMAC-SHA256\n"), err.details
        assert err.details.get("CanonicalRequest", "").startswith("PUT\n"), err.details


def test_signature_does_not_match_carries_the_servers_string_to_sign(env, admin_bucket):
    raw = RawClient(env.endpoint, Credentials(env.principals.admin.access_key_id, "wrong"))
    date = http_date()
    r = raw.request("GET", admin_bucket, "some/key", headers={"x-oss-meta-a": "1"}, date=date)
    err = assert_error_shape(r, "SignatureDoesNotMatch")
    assert r.status == 403
    expected = f"GET\n\n\n{date}\nx-oss-meta-a:1\n/{admin_bucket}/some/key"
    assert err.get("StringToSign") == expected, err
    assert err.get("SignatureProvided"), err


def test_unknown_access_key(env, admin_bucket):
    r = env.raw(Credentials("LTAInobody", "x")).request("GET", admin_bucket, "k")
    assert r.status == 403
    assert r.error()["Code"] == "InvalidAccessKeyId"


def test_clock_skew_over_15_minutes_is_request_time_too_skewed(env, admin_bucket):
    raw = env.raw(env.principals.admin)
    stale = raw.request("GET", admin_bucket, subresource="encryption", date=http_date(time.time() - 20 * 60))
    assert stale.status == 403
    assert_error_shape(stale, "RequestTimeTooSkewed")
    future = raw.request("GET", admin_bucket, date=http_date(time.time() + 20 * 60))
    assert future.status == 403 and future.error()["Code"] == "RequestTimeTooSkewed"
    # Ten minutes off is inside the allowed window.
    ok = raw.request("GET", admin_bucket, date=http_date(time.time() - 10 * 60))
    assert ok.status == 200, ok


@pytest.mark.parametrize("version", ["v1", "v4"])
def test_clock_skew_through_pyv2(env, admin_bucket, version):
    sdk = env.adapter(f"pyv2-{version}")
    stale = {"x-oss-date": http_date(time.time() - 30 * 60)}
    err = sdk.failure(lambda: sdk.get_object(admin_bucket, "missing", headers=stale))
    assert (err.status, err.code) == (403, "RequestTimeTooSkewed"), err


def test_expired_presigned_url_is_access_denied(env, sdk, admin_bucket):
    env.adapter("oss2-v4").put_object(admin_bucket, "k", b"x")
    url, headers = sdk.presign_get(admin_bucket, "k", 1)
    time.sleep(2.2)
    status, _, body = fetch_url(url, headers)
    assert status == 403, body
    from raw_http import RawResponse

    err = RawResponse(status, {}, body).error()
    assert err["Code"] == "AccessDenied", err
    assert "expire" in err["Message"].lower(), err


def test_tampered_presigned_url_is_rejected(env, sdk, admin_bucket):
    env.adapter("oss2-v4").put_object(admin_bucket, "a", b"a")
    env.adapter("oss2-v4").put_object(admin_bucket, "b", b"b")
    url, headers = sdk.presign_get(admin_bucket, "a", 300)
    status, _, body = fetch_url(url.replace(f"/{admin_bucket}/a?", f"/{admin_bucket}/b?"), headers)
    assert status == 403 and b"SignatureDoesNotMatch" in body, body


# ---- missing resources, bad input ------------------------------------------------------------


def test_no_such_key_and_no_such_bucket(env, sdk, admin_bucket):
    err = sdk.failure(lambda: sdk.get_object(admin_bucket, "missing"))
    assert (err.status, err.code) == (404, "NoSuchKey"), err
    err = sdk.failure(lambda: sdk.head_object(admin_bucket, "missing"))
    assert (err.status, err.code) == (404, "NoSuchKey"), f"HEAD must carry the error in x-oss-err: {err}"
    missing = new_bucket_name("gone")
    err = sdk.failure(lambda: sdk.get_object(missing, "k"))
    assert (err.status, err.code) == (404, "NoSuchBucket"), err
    err = sdk.failure(lambda: sdk.put_object(missing, "k", b"x"))
    assert (err.status, err.code) == (404, "NoSuchBucket"), err


def test_no_such_bucket_body(env):
    name = new_bucket_name("gone")
    r = env.raw(env.principals.admin).request("GET", name, "k")
    assert r.status == 404
    err = assert_error_shape(r, "NoSuchBucket")
    assert err.get("BucketName") == name, err


def test_head_error_is_in_x_oss_err_header(env, admin_bucket):
    import base64

    r = env.raw(env.principals.admin).request("HEAD", admin_bucket, "missing")
    assert r.status == 404 and r.body == b""
    decoded = base64.b64decode(r.headers["x-oss-err"])
    assert b"<Code>NoSuchKey</Code>" in decoded, decoded


@pytest.mark.parametrize("body", [b"<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault>",
                                  b"not xml at all", b""], ids=["truncated", "garbage", "empty"])
def test_malformed_encryption_xml(env, admin_bucket, body):
    r = env.raw(env.principals.admin).request(
        "PUT", admin_bucket, subresource="encryption", body=body,
        headers={"Content-Type": "application/xml", "Content-MD5": content_md5(body)},
    )
    assert r.status == 400, r
    assert_error_shape(r, "MalformedXML")


def test_malformed_complete_multipart_xml(env, admin_bucket):
    oss2_sdk = env.adapter("oss2-v1")
    upload_id, _ = oss2_sdk.initiate_multipart(admin_bucket, "mp")
    body = b"<CompleteMultipartUpload><Part><PartNumber>1</Part>"
    r = env.raw(env.principals.admin).request(
        "POST", admin_bucket, "mp", subresource=f"uploadId={upload_id}", body=body,
        headers={"Content-Type": "application/xml"},
    )
    assert r.status == 400, r
    assert_error_shape(r, "MalformedXML")


def test_bucket_encryption_xml_variants_other_sdks_send(env, admin_bucket):
    """Java and C++ send an always-present (empty) KMSMasterKeyID; GoV2 sends no declaration."""
    raw = env.raw(env.principals.admin)
    for body in (
        b"<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>"
        b"<KMSMasterKeyID></KMSMasterKeyID></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>",
        b'<?xml version="1.0" encoding="UTF-8"?>\n<ServerSideEncryptionRule>\n  <ApplyServerSideEncryptionByDefault>\n'
        b"    <SSEAlgorithm>KMS</SSEAlgorithm>\n    <KMSMasterKeyID/>\n    <KMSDataEncryption>SM4</KMSDataEncryption>\n"
        b"  </ApplyServerSideEncryptionByDefault>\n</ServerSideEncryptionRule>\n",
    ):
        r = raw.request("PUT", admin_bucket, subresource="encryption", body=body,
                        headers={"Content-Type": "application/xml", "Content-MD5": content_md5(body)})
        assert r.status == 200, r
    assert env.adapter("oss2-v1").get_bucket_encryption(admin_bucket) == ("KMS", None, "SM4")


@pytest.mark.parametrize("name", ["Bad_Bucket", "ab", "-leading-dash", "a" * 64, "under_score"])
def test_invalid_bucket_name(env, name):
    r = env.raw(env.principals.admin).request("PUT", name)
    assert r.status == 400, r
    assert_error_shape(r, "InvalidBucketName")


def test_wrong_content_md5_is_invalid_digest(env, oss2_sdk, admin_bucket):
    data = payload(10_000, seed=1)
    err = oss2_sdk.failure(
        lambda: oss2_sdk.put_object(admin_bucket, "k", data, headers={"Content-MD5": content_md5(b"other")})
    )
    assert (err.status, err.code) == (400, "InvalidDigest"), err
    err = oss2_sdk.failure(lambda: oss2_sdk.head_object(admin_bucket, "k"))
    assert err.status == 404, "a PutObject with a bad Content-MD5 must not store anything"
    h = oss2_sdk.put_object(admin_bucket, "k", data, headers={"Content-MD5": content_md5(data)})
    assert h.get("x-oss-hash-crc64ecma") == crc64(data)


def test_wrong_content_md5_on_upload_part(env, admin_bucket):
    sdk = env.adapter("pyv2-v4")
    upload_id, _ = sdk.initiate_multipart(admin_bucket, "mp", sse={SSE: "KMS"})
    err = sdk.failure(lambda: sdk.upload_part(admin_bucket, "mp", upload_id, 1, b"abc",
                                              headers={"Content-MD5": content_md5(b"abd")}))
    assert (err.status, err.code) == (400, "InvalidDigest"), err


UNSUPPORTED = [
    ("GET", "lifecycle"), ("PUT", "cors"), ("GET", "website"), ("GET", "logging"),
    ("PUT", "versioning"), ("GET", "replication"), ("GET", "tagging"),
]


@pytest.mark.parametrize("method,subresource", UNSUPPORTED, ids=[f"{m}-{s}" for m, s in UNSUPPORTED])
def test_unsupported_operation_is_501(env, admin_bucket, method, subresource):
    body = b"<Config/>" if method == "PUT" else b""
    r = env.raw(env.principals.admin).request(method, admin_bucket, subresource=subresource, body=body)
    assert r.status == 501, r
    err = r.error()
    assert err.get("Code"), err
    assert subresource.lower() in (err.get("Message", "") + err.get("Code", "")).lower(), (
        f"the 501 body must name the unsupported operation: {err}"
    )


def test_unsupported_operation_through_sdks(env, admin_bucket):
    import oss2

    b = oss2.Bucket(oss2.Auth(env.principals.admin.access_key_id, env.principals.admin.access_key_secret),
                    env.endpoint, admin_bucket)
    with pytest.raises(oss2.exceptions.ServerError) as e:
        b.get_bucket_lifecycle()
    assert e.value.status == 501
    with pytest.raises(oss2.exceptions.ServerError) as e:
        b.put_object_tagging("k", oss2.models.Tagging(oss2.models.TaggingRule()))
    assert e.value.status == 501
    # Object tagging stayed unsupported; the bucket itself is untouched.
    assert b.get_bucket_info().name == admin_bucket


# ---- error responses to requests with large bodies -----------------------------------------


@pytest.mark.parametrize("case", ["bad-algorithm", "no-such-bucket", "wrong-signature", "sse-on-upload-part"])
def test_early_errors_on_large_bodies_reach_the_client(env, admin_bucket, case):
    """An error decided from the headers must reach a plain client that is still writing a large
    body, and the keep-alive connection must stay usable, as with OSS, which reads the body before
    answering. (urllib3, under oss2, papers over an early close; http.client, ali-oss's agent and
    Go's transport do not.)"""
    import http.client

    a = env.principals.admin
    secret = "wrong" if case == "wrong-signature" else a.access_key_secret
    target = new_bucket_name("gone") if case == "no-such-bucket" else admin_bucket
    key, sub, extra = "k", "", {}
    if case == "bad-algorithm":
        extra = {SSE: "AES128"}
    if case == "sse-on-upload-part":
        upload_id, _ = env.adapter("oss2-v1").initiate_multipart(admin_bucket, "mp")
        sub, extra = f"partNumber=1&uploadId={upload_id}", {SSE: "AES256"}
    expected = {
        "bad-algorithm": (400, "InvalidEncryptionAlgorithmError"),
        "no-such-bucket": (404, "NoSuchBucket"),
        "wrong-signature": (403, "SignatureDoesNotMatch"),
        "sse-on-upload-part": (400, "InvalidArgument"),
    }[case]
    host, port = env.endpoint.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)

    def send(method, bucket, key, sub, body, extra, secret):
        headers = {"Date": http_date(), "Content-Type": "application/octet-stream", **extra}
        resource = f"/{bucket}/{key}" + (f"?{sub}" if sub else "")
        headers["Authorization"] = f"OSS {a.access_key_id}:{v1_signature(secret, method, resource, headers)}"
        conn.request(method, f"/{bucket}/{key}" + (f"?{sub}" if sub else ""), body=body, headers=headers)
        r = conn.getresponse()
        return r.status, r.read()

    try:
        status, body = send("PUT", target, key, sub, payload(8 * 1024 * 1024, seed=8), extra, secret)
        assert status == expected[0] and f"<Code>{expected[1]}</Code>".encode() in body, (status, body[:300])
        for i in range(3):
            status, body = send("PUT", admin_bucket, "after-error", "", b"still fine", {}, a.access_key_secret)
            assert status == 200, (i, status, body[:300])
    finally:
        conn.close()


def test_permissions_are_per_action_and_per_cmk(env, admin_bucket):
    """The `scoped` user may only GetObject and kms:Decrypt with the named CMK."""
    admin = env.adapter("oss2-v4")
    admin.put_object(admin_bucket, "named", b"named cmk", sse={SSE: "KMS", SSE_KEY_ID: env.named_cmk})
    admin.put_object(admin_bucket, "default", b"default cmk", sse={SSE: "KMS"})
    admin.put_object(admin_bucket, "sm4", b"sm4", sse={SSE: "SM4"})
    for name in ("oss2-v1", "pyv2-v4"):
        scoped = env.adapter(name, env.principals.scoped)
        assert scoped.get_object(admin_bucket, "named")[0] == b"named cmk"
        assert scoped.get_object(admin_bucket, "sm4")[0] == b"sm4"
        err = scoped.failure(lambda: scoped.get_object(admin_bucket, "default"))
        assert (err.status, err.code, err.message) == (403, "AccessDenied", KMS_FORBIDDEN), err
        err = scoped.failure(lambda: scoped.put_object(admin_bucket, "new", b"x"))
        assert (err.status, err.code) == (403, "AccessDenied") and err.message != KMS_FORBIDDEN, err
        err = scoped.failure(lambda: scoped.delete_object(admin_bucket, "sm4"))
        assert (err.status, err.code) == (403, "AccessDenied"), err


def test_kms_is_enforced_on_every_read_path_and_on_anonymous_uploads(env):
    """Uploads into a KMS bucket need a signed request; copies, ranged and presigned reads of a KMS
    object need kms:Decrypt like a plain GET."""
    admin = env.adapter("oss2-v1")
    name = new_bucket_name("prw")
    admin.create_bucket(name, acl="public-read-write")
    admin.put_bucket_encryption(name, "KMS")
    anon = RawClient(env.endpoint, None)
    r = anon.request("PUT", name, "anon-kms", body=b"anonymous upload")
    assert r.status == 403 and r.error()["Message"] == KMS_FORBIDDEN, r
    r = anon.request("PUT", name, "anon-aes", body=b"anonymous upload", headers={SSE: "AES256"})
    assert r.status == 200, "an SSE-OSS header overrides the KMS default and needs no KMS"
    admin.put_object(name, "kms", b"kms data", sse={SSE: "KMS"})
    r = anon.request("HEAD", name, "kms")
    assert r.status == 403 and b"forbidden by kms" in __import__("base64").b64decode(r.headers["x-oss-err"])
    for adapter_name in ("oss2-v4", "pyv2-v1"):
        user = env.adapter(adapter_name, env.principals.no_kms_decrypt)
        for what, call in (
            ("copy", lambda: user.copy_object(name, "kms", "copied")),
            ("range", lambda: user.get_object(name, "kms", byte_range="bytes=0-0")),
        ):
            err = user.failure(call)
            assert (err.status, err.message) == (403, KMS_FORBIDDEN), (adapter_name, what, err)
        url, headers = user.presign_get(name, "kms", 60)
        status, _, body = fetch_url(url, headers)
        assert status == 403 and KMS_FORBIDDEN.encode() in body, (adapter_name, body[:300])


def test_keep_alive_after_chunked_empty_body(env, admin_bucket):
    """GoV2 sends bodiless calls (PutBucket, InitiateMultipartUpload, ...) with
    `Transfer-Encoding: chunked` and the empty body's `0\\r\\n\\r\\n` in a separate write. The
    connection must stay usable for the next request, as it does with OSS."""
    import socket

    a = env.principals.admin
    host, port = env.endpoint.split("//")[1].split(":")

    def head(method, path, extra):
        h = {"Host": f"{host}:{port}", "Date": http_date(), **extra}
        h["Authorization"] = f"OSS {a.access_key_id}:{v1_signature(a.access_key_secret, method, path, h)}"
        return (f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n").encode()

    def read_response(sock):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            assert chunk, "the server closed the connection without a response"
            data += chunk
        head_part, rest = data.split(b"\r\n\r\n", 1)
        lines = head_part.lower().split(b"\r\n")
        length = next((int(x.split(b":")[1]) for x in lines if x.startswith(b"content-length:")), 0)
        while len(rest) < length:
            rest += sock.recv(65536)
        assert b"connection: close" not in lines, lines
        return lines[0]

    for attempt in range(5):
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(head("POST", f"/{admin_bucket}/mp?uploads",
                              {"Transfer-Encoding": "chunked", "Content-Type": "application/octet-stream"}))
            time.sleep(0.005)
            sock.sendall(b"0\r\n\r\n")
            assert read_response(sock) == b"http/1.1 200 ok"
            body = payload(256 * 1024, seed=attempt)
            try:
                sock.sendall(head("PUT", f"/{admin_bucket}/after-chunked", {"Content-Length": str(len(body))}) + body)
            except OSError as e:
                raise AssertionError(f"attempt {attempt}: connection dropped after a 200: {e!r}")
            assert read_response(sock) == b"http/1.1 200 ok", attempt
