"""ListObjects V1 (marker-based): oss2's ``Bucket.list_objects`` / ``ListObjectsResult`` and
``ObjectIterator``, against the local server, sync and async."""

from __future__ import annotations

import time

import pytest

import ossbridge
from ossbridge import exceptions
from ossbridge.models import ListObjectsResult, Owner, SimplifiedObjectInfo

from conftest import Mode, unique_bucket_name

KEYS = ["a", "b/1", "b/2", "b/3", "c", "d/1", "d/2", "e", "f g+h%", "zz/x"]


async def put_keys(m: Mode, bucket, keys: "list[str]") -> "dict[str, str]":  # type: ignore[no-untyped-def]
    """Uploads each key with its own name as the body; the etags as put_object returned them."""
    return {key: (await m(bucket.put_object, key, key)).etag for key in keys}


def test_pages_by_marker_give_every_key_once_in_order(mode: Mode, auth, endpoint: str, bucket_name: str) -> None:  # type: ignore[no-untyped-def]
    async def scenario(m: Mode) -> None:
        bucket = m.bucket(auth, endpoint, bucket_name)
        started = int(time.time())
        etags = await put_keys(m, bucket, KEYS)
        pages = []
        marker = ""
        while True:
            page = await m(bucket.list_objects, marker=marker, max_keys=3)
            assert isinstance(page, ListObjectsResult)
            assert page.status == 200 and page.request_id and page.headers["x-oss-request-id"] == page.request_id
            assert page.prefix_list == [] and len(page.object_list) <= 3
            pages.append(page)
            if not page.is_truncated:
                break
            # The next page starts after the last key of this one.
            assert page.next_marker == page.object_list[-1].key
            marker = page.next_marker
        assert pages[-1].next_marker == ""
        assert len(pages) == 4
        listed = [o for page in pages for o in page.object_list]
        assert [o.key for o in listed] == sorted(KEYS)
        for o in listed:
            assert isinstance(o, SimplifiedObjectInfo) and not o.is_prefix()
            assert o.size == len(o.key.encode())
            assert o.etag == etags[o.key].strip('"') and not o.etag.startswith('"')
            assert o.last_modified is not None and started - 5 <= o.last_modified <= time.time() + 5
            assert (o.type, o.storage_class) == ("Normal", "Standard")
            # V1 lists each object's owner, as oss2 reads it.
            assert isinstance(o.owner, Owner) and o.owner.id and o.owner.display_name
        # V2 only with fetch_owner.
        assert all(o.owner is None for o in (await m(bucket.list_objects_v2)).object_list)
        assert all(o.owner.id for o in (await m(bucket.list_objects_v2, fetch_owner=True)).object_list)

    mode.run(scenario)


def test_delimiter_page_ending_on_a_common_prefix_continues_after_it(mode: Mode, auth, endpoint: str, bucket_name: str) -> None:  # type: ignore[no-untyped-def]
    async def scenario(m: Mode) -> None:
        bucket = m.bucket(auth, endpoint, bucket_name)
        await put_keys(m, bucket, KEYS)
        first = await m(bucket.list_objects, delimiter="/", max_keys=2)
        # Two entries: "a" and the prefix "b/" (which stands for b/1..b/3).
        assert [o.key for o in first.object_list] == ["a"] and first.prefix_list == ["b/"]
        assert first.is_truncated and first.next_marker == "b/"
        second = await m(bucket.list_objects, delimiter="/", marker=first.next_marker, max_keys=2)
        assert [o.key for o in second.object_list] == ["c"] and second.prefix_list == ["d/"]
        assert second.is_truncated and second.next_marker == "d/"
        rest = await m(bucket.list_objects, delimiter="/", marker=second.next_marker, max_keys=100)
        assert [o.key for o in rest.object_list] == ["e", "f g+h%"] and rest.prefix_list == ["zz/"]
        assert not rest.is_truncated and rest.next_marker == ""
        # With a prefix, the delimiter groups below it.
        under = await m(bucket.list_objects, prefix="d/", delimiter="/")
        assert [o.key for o in under.object_list] == ["d/1", "d/2"] and under.prefix_list == []

    mode.run(scenario)


def test_marker_starts_after_the_given_key(mode: Mode, auth, endpoint: str, bucket_name: str) -> None:  # type: ignore[no-untyped-def]
    async def scenario(m: Mode) -> None:
        bucket = m.bucket(auth, endpoint, bucket_name)
        await put_keys(m, bucket, KEYS)
        page = await m(bucket.list_objects, marker="b/2")
        assert [o.key for o in page.object_list] == sorted(KEYS)[3:]
        # A marker that is not a key starts at the next key after it.
        page = await m(bucket.list_objects, prefix="d/", marker="d/0")
        assert [o.key for o in page.object_list] == ["d/1", "d/2"]
        page = await m(bucket.list_objects, marker="zz/x")
        assert page.object_list == [] and not page.is_truncated

    mode.run(scenario)


def test_empty_bucket_lists_nothing(mode: Mode, auth, endpoint: str, bucket_name: str) -> None:  # type: ignore[no-untyped-def]
    async def scenario(m: Mode) -> None:
        bucket = m.bucket(auth, endpoint, bucket_name)
        page = await m(bucket.list_objects, delimiter="/")
        assert (page.object_list, page.prefix_list, page.is_truncated, page.next_marker) == ([], [], False, "")
        assert page.status == 200 and page.request_id

    mode.run(scenario)


def test_errors_name_what_was_wrong(mode: Mode, auth, endpoint: str, bucket_name: str) -> None:  # type: ignore[no-untyped-def]
    async def scenario(m: Mode) -> None:
        with pytest.raises(exceptions.ClientError, match="invalid bucket name \"Bad_Bucket\""):
            await m(m.bucket(auth, endpoint, "Bad_Bucket").list_objects)
        with pytest.raises(exceptions.NoSuchBucket) as missing:
            await m(m.bucket(auth, endpoint, unique_bucket_name()).list_objects)
        assert missing.value.status == 404 and missing.value.request_id
        with pytest.raises(exceptions.ClientError, match="headers is not supported"):
            await m(m.bucket(auth, endpoint, bucket_name).list_objects, headers={"x-oss-request-payer": "requester"})

    mode.run(scenario)


class CountingBucket:
    """A Bucket whose list_objects calls are counted (the iterators fetch lazily)."""

    def __init__(self, bucket) -> None:  # type: ignore[no-untyped-def]
        self.bucket = bucket
        self.pages = 0

    def list_objects(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.pages += 1
        return self.bucket.list_objects(*args, **kwargs)


def object_iterator(m: Mode, bucket, **kwargs):  # type: ignore[no-untyped-def]
    import ossbridge.aio

    return (ossbridge.aio.ObjectIterator if m.is_async else ossbridge.ObjectIterator)(bucket, **kwargs)


async def collect(m: Mode, iterator) -> "list[SimplifiedObjectInfo]":  # type: ignore[no-untyped-def]
    if m.is_async:
        return [o async for o in iterator]
    return list(iterator)


async def first(m: Mode, iterator) -> SimplifiedObjectInfo:  # type: ignore[no-untyped-def]
    return await iterator.__anext__() if m.is_async else next(iterator)


def test_object_iterator_follows_next_marker_lazily(mode: Mode, auth, endpoint: str, bucket_name: str) -> None:  # type: ignore[no-untyped-def]
    async def scenario(m: Mode) -> None:
        bucket = m.bucket(auth, endpoint, bucket_name)
        await put_keys(m, bucket, KEYS)
        counting = CountingBucket(bucket)
        iterator = object_iterator(m, counting, max_keys=4)
        assert (await first(m, iterator)).key == "a" and counting.pages == 1
        rest = await collect(m, iterator)
        assert ["a"] + [o.key for o in rest] == sorted(KEYS) and counting.pages == 3
        assert not iterator.is_truncated and iterator.next_marker == ""

        # The prefix filter and the starting marker go to every page.
        assert [o.key for o in await collect(m, object_iterator(m, bucket, prefix="b/", marker="b/1", max_keys=1))] == ["b/2", "b/3"]
        assert await collect(m, object_iterator(m, bucket, prefix="nothing/")) == []

    mode.run(scenario)


def test_object_iterator_yields_common_prefixes_as_oss2_does(mode: Mode, auth, endpoint: str, bucket_name: str) -> None:  # type: ignore[no-untyped-def]
    async def scenario(m: Mode) -> None:
        bucket = m.bucket(auth, endpoint, bucket_name)
        await put_keys(m, bucket, KEYS)
        # max_keys=2 makes pages end on a common prefix; each prefix comes once, in key order.
        entries = await collect(m, object_iterator(m, bucket, delimiter="/", max_keys=2))
        assert [(o.key, o.is_prefix()) for o in entries] == [
            ("a", False), ("b/", True), ("c", False), ("d/", True), ("e", False), ("f g+h%", False), ("zz/", True),
        ]
        # One page: its objects and common prefixes merged in key order.
        assert [o.key for o in await collect(m, object_iterator(m, bucket, delimiter="/"))] == [o.key for o in entries]
        prefix = entries[1]
        # oss2 builds a prefix entry as SimplifiedObjectInfo(prefix, None, None, None, None, None).
        assert (prefix.last_modified, prefix.etag, prefix.type, prefix.size, prefix.storage_class) == (None,) * 5
        assert entries[0].size == 1 and entries[0].etag
        with pytest.raises(exceptions.NoSuchBucket):
            await collect(m, object_iterator(m, m.bucket(auth, endpoint, unique_bucket_name())))

    mode.run(scenario)
