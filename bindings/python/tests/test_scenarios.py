"""The core client's scenarios (core/tests/client_ops.rs), through oss2's API, sync and async.

Every test runs twice (the `mode` fixture): with ossbridge.Bucket and with ossbridge.aio.Bucket.
"""

from __future__ import annotations

import io
import os
import urllib.request

import pytest

import ossbridge
from ossbridge import exceptions
from ossbridge.credentials import StaticCredentialsProvider
from ossbridge.models import PartInfo, ServerSideEncryptionRule

from conftest import ACCESS_KEY_ID, ACCESS_KEY_SECRET, Mode, unique_bucket_name

SSE = "x-oss-server-side-encryption"
SSE_KEY_ID = "x-oss-server-side-encryption-key-id"
SSE_DATA = "x-oss-server-side-data-encryption"


def payload(size: int, seed: int = 1) -> bytes:
    return bytes((i * 31 + seed) % 251 for i in range(size))


@pytest.mark.parametrize("auth_class", ["Auth", "AuthV4"])
def test_bucket_encryption_rules_round_trip_with_v1_and_v4(mode: Mode, endpoint: str, bucket_name: str, auth_class: str) -> None:
    auth = getattr(ossbridge, auth_class)(ACCESS_KEY_ID, ACCESS_KEY_SECRET)

    async def scenario(m: Mode) -> None:
        bucket = m.bucket(auth, endpoint, bucket_name, region="cn-hangzhou")
        # The guide's sample: an empty rule, then attributes.
        rule = ServerSideEncryptionRule()
        rule.sse_algorithm = ossbridge.SERVER_SIDE_ENCRYPTION_AES256
        rule.kms_master_keyid = ""
        result = await m(bucket.put_bucket_encryption, rule)
        assert result.status == 200 and result.request_id
        got = await m(bucket.get_bucket_encryption)
        assert (got.sse_algorithm, got.kms_master_keyid, got.kms_data_encryption) == ("AES256", "", None)

        kms = ServerSideEncryptionRule(ossbridge.SERVER_SIDE_ENCRYPTION_KMS, "", ossbridge.KMS_DATA_ENCRYPTION_SM4)
        await m(bucket.put_bucket_encryption, kms)
        got = await m(bucket.get_bucket_encryption)
        assert (got.sse_algorithm, got.kms_data_encryption) == ("KMS", "SM4")
        info = await m(bucket.get_bucket_info)
        assert info.name == bucket_name
        assert info.bucket_encryption_rule is not None and info.bucket_encryption_rule.sse_algorithm == "KMS"

        await m(bucket.delete_bucket_encryption)
        with pytest.raises(exceptions.NoSuchServerSideEncryptionRule) as err:
            await m(bucket.get_bucket_encryption)
        assert err.value.status == 404 and err.value.request_id

    mode.run(scenario)


def test_put_object_from_bytes_str_file_offset_and_stream_with_sse(mode: Mode, auth, endpoint: str, bucket_name: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = payload(5000)
    path = tmp_path / "examplefile.jpg"
    path.write_bytes(data)

    async def scenario(m: Mode) -> None:
        bucket = m.bucket(auth, endpoint, bucket_name)
        r = await m(bucket.put_object, "bytes", data, headers={SSE: "AES256"})
        assert r.status == 200 and r.etag and isinstance(r.crc, int)
        assert r.server_side_encryption == "AES256"

        await m(bucket.put_object, "text", "héllo", headers={"Content-Type": "text/plain", "x-oss-meta-owner": "me"})
        head = await m(bucket.head_object, "text")
        assert head.content_length == len("héllo".encode()) and head.content_type == "text/plain"
        assert head.metadata == {"owner": "me"} and head.server_side_encryption is None

        # The guide's sample: a file object read from byte 1000 on, with SSE-KMS.
        with open(path, "rb") as fileobj:
            fileobj.seek(1000, os.SEEK_SET)
            r = await m(bucket.put_object, "from-offset", fileobj, headers={SSE: "KMS", SSE_DATA: "SM4"})
            assert fileobj.tell() == len(data)
        assert (r.server_side_encryption, r.server_side_data_encryption) == ("KMS", "SM4")
        assert r.server_side_encryption_key_id
        got = await m(bucket.get_object, "from-offset")
        assert await m.read(got) == data[1000:]
        assert (got.server_side_encryption, got.server_side_data_encryption) == ("KMS", "SM4")

        # A non-file stream (length known) and a generator (sent chunked).
        await m(bucket.put_object, "stream", io.BytesIO(data), headers={SSE: "SM4"})
        await m(bucket.put_object, "chunks", (data[i : i + 700] for i in range(0, len(data), 700)))
        for key in ("stream", "chunks", "bytes"):
            got = await m(bucket.get_object, key)
            assert await m.read(got) == data, key
        head = await m(bucket.head_object, "stream")
        assert head.server_side_encryption == "SM4" and head.crc == r.crc or head.crc is not None

        r = await m(bucket.put_object_from_file, "from-file", str(path))
        assert r.crc == (await m(bucket.head_object, "bytes")).crc

    mode.run(scenario)


def test_get_object_as_stream_pieces_chunks_range_and_file(mode: Mode, auth, endpoint: str, bucket_name: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = payload(300_000, seed=7)

    async def scenario(m: Mode) -> None:
        bucket = m.bucket(auth, endpoint, bucket_name)
        await m(bucket.put_object, "obj", data)

        got = await m(bucket.get_object, "obj")
        assert got.content_length == len(data) and got.status == 200
        first = await m.read(got, 10)
        rest = await m.read(got, 100_000)
        tail = await m.read(got)
        assert first + rest + tail == data and await m.read(got) == b""

        got = await m(bucket.get_object, "obj")
        assert b"".join(await m.chunks(got)) == data

        got = await m(bucket.get_object, "obj", byte_range=(100, 199))
        assert got.status == 206 and got.content_range == f"bytes 100-199/{len(data)}"
        assert await m.read(got) == data[100:200]
        got = await m(bucket.get_object, "obj", byte_range=(299_990, None))
        assert await m.read(got) == data[299_990:]

        seen: list = []
        target = tmp_path / "out.bin"
        r = await m(bucket.get_object_to_file, "obj", str(target), progress_callback=lambda done, total: seen.append((done, total)))
        assert target.read_bytes() == data and r.crc is not None
        assert seen[-1] == (len(data), len(data)) and all(a[0] <= b[0] for a, b in zip(seen, seen[1:]))

    mode.run(scenario)


def test_put_progress_is_monotonic_and_ends_at_size(mode: Mode, auth, endpoint: str, bucket_name: str) -> None:  # type: ignore[no-untyped-def]
    data = payload(1_000_000)

    async def scenario(m: Mode) -> None:
        bucket = m.bucket(auth, endpoint, bucket_name)
        seen: list = []
        await m(bucket.put_object, "p", data, progress_callback=lambda done, total: seen.append((done, total)))
        assert seen and seen[-1] == (len(data), len(data))
        assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:]))

    mode.run(scenario)


def test_bucket_default_encryption_applies_when_the_request_has_none(mode: Mode, auth, endpoint: str, bucket_name: str) -> None:  # type: ignore[no-untyped-def]
    async def scenario(m: Mode) -> None:
        bucket = m.bucket(auth, endpoint, bucket_name)
        await m(bucket.put_bucket_encryption, ServerSideEncryptionRule("SM4"))
        r = await m(bucket.put_object, "plain-request", b"abc")
        assert r.server_side_encryption == "SM4"
        assert (await m(bucket.head_object, "plain-request")).server_side_encryption == "SM4"

    mode.run(scenario)


def test_copy_onto_itself_encrypts_and_sse_is_not_inherited(mode: Mode, auth, endpoint: str, bucket_name: str) -> None:  # type: ignore[no-untyped-def]
    async def scenario(m: Mode) -> None:
        bucket = m.bucket(auth, endpoint, bucket_name)
        await m(bucket.put_object, "doc", b"existing data", headers={"Content-Type": "text/x-doc"})
        assert (await m(bucket.head_object, "doc")).server_side_encryption is None
        # The guide's FAQ: re-encrypt an existing object by copying it onto itself.
        r = await m(bucket.copy_object, bucket_name, "doc", "doc", headers={SSE: "KMS"})
        assert r.status == 200 and r.server_side_encryption == "KMS"
        head = await m(bucket.head_object, "doc")
        assert head.server_side_encryption == "KMS" and head.content_type == "text/x-doc"
        await m(bucket.copy_object, bucket_name, "doc", "copy")
        assert (await m(bucket.head_object, "copy")).server_side_encryption is None
        # oss2 users replace metadata with a raw directive header.
        await m(bucket.copy_object, bucket_name, "doc", "retyped", headers={"x-oss-metadata-directive": "REPLACE", "Content-Type": "text/plain", "x-oss-meta-tag": "v2"})
        head = await m(bucket.head_object, "retyped")
        assert head.content_type == "text/plain" and head.metadata == {"tag": "v2"}
        with pytest.raises(exceptions.PreconditionFailed):
            await m(bucket.head_object, "retyped", headers={"If-Match": '"not-the-etag"'})
        assert await m.read(await m(bucket.get_object, "copy")) == b"existing data"

    mode.run(scenario)


def test_append_with_sse_keeps_the_first_appends_encryption(mode: Mode, auth, endpoint: str, bucket_name: str) -> None:  # type: ignore[no-untyped-def]
    async def scenario(m: Mode) -> None:
        bucket = m.bucket(auth, endpoint, bucket_name)
        r1 = await m(bucket.append_object, "log", 0, b"first,", headers={SSE: "AES256"})
        assert r1.next_position == 6 and r1.server_side_encryption == "AES256"
        r2 = await m(bucket.append_object, "log", r1.next_position, "second", init_crc=r1.crc)
        assert r2.next_position == 12 and r2.crc is not None
        head = await m(bucket.head_object, "log")
        assert head.object_type == "Appendable" and head.server_side_encryption == "AES256"
        assert await m.read(await m(bucket.get_object, "log")) == b"first,second"
        with pytest.raises(exceptions.PositionNotEqualToLength) as err:
            await m(bucket.append_object, "log", 3, b"x")
        assert err.value.status == 409 and err.value.next_position == 12

    mode.run(scenario)


def test_multipart_with_sse_set_at_initiate(mode: Mode, auth, endpoint: str, bucket_name: str) -> None:  # type: ignore[no-untyped-def]
    part = payload(100 * 1024, seed=3)
    last = payload(1234, seed=4)

    async def scenario(m: Mode) -> None:
        bucket = m.bucket(auth, endpoint, bucket_name)
        init = await m(bucket.init_multipart_upload, "mp", headers={SSE: "KMS", SSE_DATA: "SM4"})
        assert init.upload_id and init.server_side_encryption == "KMS"
        r1 = await m(bucket.upload_part, "mp", init.upload_id, 1, part)
        r2 = await m(bucket.upload_part, "mp", init.upload_id, 2, io.BytesIO(last))
        assert r1.crc is not None and r2.etag
        listed = await m(bucket.list_parts, "mp", init.upload_id)
        assert [p.part_number for p in listed.parts] == [1, 2]
        parts = [PartInfo(1, r1.etag, size=len(part), part_crc=r1.crc), PartInfo(2, r2.etag, size=len(last), part_crc=r2.crc)]
        done = await m(bucket.complete_multipart_upload, "mp", init.upload_id, parts)
        assert done.status == 200 and done.crc is not None
        head = await m(bucket.head_object, "mp")
        assert head.object_type == "Multipart" and head.content_length == len(part) + len(last)
        assert (head.server_side_encryption, head.server_side_data_encryption) == ("KMS", "SM4")
        assert await m.read(await m(bucket.get_object, "mp")) == part + last

        other = await m(bucket.init_multipart_upload, "aborted")
        await m(bucket.abort_multipart_upload, "aborted", other.upload_id)
        with pytest.raises(exceptions.NoSuchUpload):
            await m(bucket.upload_part, "aborted", other.upload_id, 1, b"x")

    mode.run(scenario)


def test_list_objects_v2_pages_and_batch_delete(mode: Mode, auth, endpoint: str, bucket_name: str) -> None:  # type: ignore[no-untyped-def]
    async def scenario(m: Mode) -> None:
        bucket = m.bucket(auth, endpoint, bucket_name)
        keys = [f"dir/{i:02d}" for i in range(7)] + ["top"]
        for key in keys:
            await m(bucket.put_object, key, key)
        page = await m(bucket.list_objects_v2, prefix="dir/", max_keys=3)
        seen = [o.key for o in page.object_list]
        while page.is_truncated:
            page = await m(bucket.list_objects_v2, prefix="dir/", max_keys=3, continuation_token=page.next_continuation_token)
            seen += [o.key for o in page.object_list]
        assert seen == keys[:7]
        top = await m(bucket.list_objects_v2, delimiter="/")
        assert top.prefix_list == ["dir/"] and [o.key for o in top.object_list] == ["top"]
        assert top.object_list[0].size == 3 and top.object_list[0].last_modified > 0

        if not m.is_async:
            listed = [o.key for o in ossbridge.ObjectIteratorV2(bucket, prefix="dir/", max_keys=2)]
            assert listed == keys[:7]
            assert [(o.key, o.is_prefix()) for o in ossbridge.ObjectIteratorV2(bucket, delimiter="/")] == [("dir/", True), ("top", False)]
        deleted = await m(bucket.batch_delete_objects, keys)
        assert sorted(deleted.deleted_keys) == sorted(keys)
        assert (await m(bucket.list_objects_v2)).object_list == []

    mode.run(scenario)


@pytest.mark.parametrize("auth_class", ["Auth", "AuthV4"])
def test_presigned_urls_work_for_v1_and_v4(mode: Mode, endpoint: str, bucket_name: str, auth_class: str) -> None:
    auth = getattr(ossbridge, auth_class)(ACCESS_KEY_ID, ACCESS_KEY_SECRET)

    async def scenario(m: Mode) -> None:
        bucket = m.bucket(auth, endpoint, bucket_name, region="cn-hangzhou")
        await m(bucket.put_object, "shared.txt", b"shared content")
        url = bucket.sign_url("GET", "shared.txt", 60)
        assert ACCESS_KEY_SECRET not in url
        with urllib.request.urlopen(url) as resp:
            assert resp.read() == b"shared content"
        # Headers the URL's user will send are signed into it.
        content_type = {"Content-Type": "application/octet-stream"}
        put_url = bucket.sign_url("PUT", "uploaded.txt", 60, headers=content_type)
        urllib.request.urlopen(urllib.request.Request(put_url, data=b"via url", method="PUT", headers=content_type)).close()
        assert await m.read(await m(bucket.get_object, "uploaded.txt")) == b"via url"

    mode.run(scenario)


def test_service_lists_buckets(mode: Mode, auth, endpoint: str, bucket_name: str) -> None:  # type: ignore[no-untyped-def]
    async def scenario(m: Mode) -> None:
        listed = await m(m.service(auth, endpoint).list_buckets, max_keys=1000)
        assert bucket_name in [b.name for b in listed.buckets]
        assert listed.status == 200

    mode.run(scenario)


def test_create_and_delete_bucket_with_provider_auth(mode: Mode, endpoint: str) -> None:
    auth = ossbridge.ProviderAuthV4(StaticCredentialsProvider(ACCESS_KEY_ID, ACCESS_KEY_SECRET))
    name = unique_bucket_name()

    async def scenario(m: Mode) -> None:
        bucket = m.bucket(auth, endpoint, name, region="cn-hangzhou")
        await m(bucket.create_bucket, ossbridge.BUCKET_ACL_PRIVATE)
        info = await m(bucket.get_bucket_info)
        assert info.acl.grant == "private" and info.bucket_encryption_rule is None
        await m(bucket.put_object, "k", b"v")
        with pytest.raises(exceptions.BucketNotEmpty):
            await m(bucket.delete_bucket)
        await m(bucket.delete_object, "k")
        await m(bucket.delete_bucket)
        with pytest.raises(exceptions.NoSuchBucket):
            await m(bucket.get_bucket_info)

    mode.run(scenario)


def test_resumable_upload_and_download_with_sse(mode: Mode, auth, endpoint: str, bucket_name: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = payload(700_000, seed=9)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    store = ossbridge.ResumableStore(root=str(tmp_path), dir="checkpoints")

    async def scenario(m: Mode) -> None:
        upload, download = m.transfers()
        bucket = m.bucket(auth, endpoint, bucket_name)
        seen: list = []
        r = await m(
            upload, bucket, "big", str(source), store=store, headers={SSE: "KMS"}, multipart_threshold=200_000,
            part_size=200 * 1024, num_threads=3, progress_callback=lambda d, t: seen.append((d, t)),
        )
        assert r.status == 200 and seen[-1] == (len(data), len(data))
        head = await m(bucket.head_object, "big")
        assert head.object_type == "Multipart" and head.server_side_encryption == "KMS"
        target = tmp_path / "back.bin"
        await m(download, bucket, "big", str(target), store=store, part_size=150_000, num_threads=3)
        assert target.read_bytes() == data
        assert not list((tmp_path / "checkpoints").iterdir()), "checkpoints are removed after success"

    mode.run(scenario)
