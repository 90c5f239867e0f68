"""Large transfers, encryption at rest as seen on disk, and crash safety."""

from __future__ import annotations

import hashlib
import http.client
import pathlib
import threading
import time

import oss2
import pytest

from clients import SSE, SSE_DATA, SSE_KEY_ID, sse_of
from conftest import new_bucket_name, start_server
from helpers import crc64, payload, text_payload
from raw_http import RawClient, http_date, v1_signature
from server_process import make_principals

MiB = 1024 * 1024


def write_random_file(path: pathlib.Path, size: int, seed: int) -> str:
    """Write ``size`` pseudo-random bytes and return their MD5 hex."""
    md5 = hashlib.md5()
    block = payload(MiB, seed=seed)
    with open(path, "wb") as f:
        written = 0
        i = 0
        while written < size:
            chunk = block[i % 7:] + block[:i % 7]  # vary blocks cheaply
            chunk = chunk[: size - written]
            f.write(chunk)
            md5.update(chunk)
            written += len(chunk)
            i += 1
    return md5.hexdigest()


def test_oss2_resumable_upload_100mib_with_sse_kms(env, tmp_path):
    a = env.principals.admin
    name = new_bucket_name("big")
    bucket = oss2.Bucket(oss2.AuthV4(a.access_key_id, a.access_key_secret), env.endpoint, name, region="cn-hangzhou")
    bucket.create_bucket()
    src = tmp_path / "100mib.bin"
    want_md5 = write_random_file(src, 100 * MiB, seed=42)
    headers = {SSE: "KMS", SSE_KEY_ID: env.named_cmk}
    result = oss2.resumable_upload(
        bucket, "big/100mib.bin", str(src), headers=headers,
        store=oss2.ResumableStore(root=str(tmp_path)),
        multipart_threshold=8 * MiB, part_size=8 * MiB, num_threads=2,
    )
    assert result.status == 200
    head = bucket.head_object("big/100mib.bin")
    assert head.content_length == 100 * MiB
    assert sse_of(head.headers)[:2] == ("KMS", env.named_cmk)
    # oss2 checks the combined CRC of the parts against Complete's x-oss-hash-crc64ecma
    # (enable_crc is on by default); here the whole download is compared too.
    md5 = hashlib.md5()
    stream = bucket.get_object("big/100mib.bin")
    for chunk in iter(lambda: stream.read(4 * MiB), b""):
        md5.update(chunk)
    assert md5.hexdigest() == want_md5


def scan_for(root: pathlib.Path, needles: dict) -> set:
    """Names of the needles found in any file under root (raw bytes, overlap-safe)."""
    found = set()
    longest = max(len(n) for n in needles.values())
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        with open(path, "rb") as f:
            tail = b""
            for block in iter(lambda: f.read(4 * MiB), b""):
                window = tail + block
                for name, needle in needles.items():
                    if name not in found and needle in window:
                        found.add(name)
                tail = window[-(longest - 1):]
    return found


def test_data_dir_holds_no_plaintext_of_sse_objects(env):
    admin = env.adapter("pyv2-v4")
    name = new_bucket_name("scan")
    admin.create_bucket(name)
    plaintexts = {}

    def put(key, sse=None, size=200_000):
        data = text_payload(size)
        admin.put_object(name, key, data, sse=sse)
        plaintexts[key] = data

    put("plain")  # control: the scan must be able to see stored plaintext
    put("aes", {SSE: "AES256"})
    put("sm4", {SSE: "SM4"})
    put("kms-default", {SSE: "KMS"})
    put("kms-named-sm4", {SSE: "KMS", SSE_KEY_ID: env.named_cmk, SSE_DATA: "SM4"})
    # Multipart, append and copy paths write data through other code.
    mp = text_payload(3 * 200_000)
    upload_id, _ = admin.initiate_multipart(name, "multipart-kms", sse={SSE: "KMS"})
    parts = [(n + 1, admin.upload_part(name, "multipart-kms", upload_id, n + 1, mp[n * 200_000:(n + 1) * 200_000])[0])
             for n in range(3)]
    admin.complete_multipart(name, "multipart-kms", upload_id, parts)
    plaintexts["multipart-kms"] = mp
    ap = text_payload(300_000)
    _, pos = admin.append_object(name, "append-sm4", 0, ap[:100_000], sse={SSE: "SM4"})
    admin.append_object(name, "append-sm4", pos, ap[100_000:])
    plaintexts["append-sm4"] = ap
    cp = text_payload(200_000)
    other = new_bucket_name("scansrc")
    admin.create_bucket(other)
    admin.put_object(other, "src", cp, sse={SSE: "AES256"})
    admin.copy_object(name, "src", "copied-kms", sse={SSE: "KMS"}, src_bucket=other)
    plaintexts["copied-kms"] = cp
    # A bucket rule with no header on the request.
    admin.put_bucket_encryption(other, "AES256")
    put_data = text_payload(200_000)
    admin.put_object(other, "by-rule", put_data)
    plaintexts["by-rule"] = put_data

    for key, data in plaintexts.items():
        b = other if key == "by-rule" else name
        assert admin.get_object(b, key)[0] == data, key

    # Needles from the middle of each object; 48 bytes each is unique to its object.
    needles = {}
    for key, data in plaintexts.items():
        for i, off in enumerate((len(data) // 3, len(data) // 2, len(data) - 100)):
            needles[f"{key}#{i}"] = data[off:off + 48]
    found = {n.split("#")[0] for n in scan_for(env.data_dir, needles)}
    assert "plain" in found, "the scan cannot see stored data: the unencrypted control object was not found"
    leaked = found - {"plain"}
    assert not leaked, f"plaintext of SSE objects found in the data dir: {sorted(leaked)}"


def test_kill_during_200mib_upload_leaves_previous_version(tmp_path):
    """SIGKILL the server in the middle of a 200 MiB PutObject, restart it on the same data dir,
    and find the key at its previous version and every other object intact by CRC."""
    principals = make_principals()
    server, _ = start_server(tmp_path, principals, with_named_key=False)
    try:
        a = principals.admin
        auth = oss2.Auth(a.access_key_id, a.access_key_secret)
        bucket = oss2.Bucket(auth, server.endpoint, "crash-test")
        bucket.create_bucket()
        others = {f"other-{i}": payload(1_000_000 + i, seed=i) for i in range(5)}
        for i, (key, data) in enumerate(others.items()):
            bucket.put_object(key, data, headers={SSE: "AES256"} if i % 2 else None)
        previous = payload(2_000_000, seed=77)
        bucket.put_object("victim", previous, headers={SSE: "KMS"})
        bucket.put_object("fresh-victim-sibling", b"x")

        sent = {"bytes": 0}
        killed = threading.Event()

        def upload(key, sse, method="PUT", sub=""):
            """Stream a 200 MiB PutObject (or append) by hand and SIGKILL the server after 80 MiB."""
            host, port = server.endpoint.rsplit("/", 1)[-1].split(":")
            headers = {"Date": http_date(), "Content-Type": "application/octet-stream",
                       "Content-Length": str(200 * MiB), **sse}
            target = f"/crash-test/{key}" + (f"?{sub}" if sub else "")
            sig = v1_signature(a.access_key_secret, method, target, headers)
            headers["Authorization"] = f"OSS {a.access_key_id}:{sig}"
            conn = http.client.HTTPConnection(host, int(port), timeout=60)
            block = payload(4 * MiB, seed=5)
            try:
                conn.putrequest(method, target, skip_accept_encoding=True)
                for k, v in headers.items():
                    conn.putheader(k, v)
                conn.endheaders()
                for _ in range(50):
                    conn.send(block)
                    sent["bytes"] += len(block)
                    if sent["bytes"] >= 80 * MiB:
                        server.kill()
                        killed.set()
                        return
            except OSError:
                pass  # the connection dies with the server: that is the point
            finally:
                conn.close()

        t = threading.Thread(target=upload, args=("victim", {SSE: "KMS"}))
        t.start()
        t.join(120)
        assert killed.is_set(), f"the upload ended before the kill point ({sent['bytes']} bytes sent)"
        assert not t.is_alive()

        server = type(server)(server.data_dir, server.config_path, server.log_path).start()
        bucket = oss2.Bucket(auth, server.endpoint, "crash-test")
        got = bucket.get_object("victim").read()
        assert len(got) == len(previous) and got == previous, (
            f"after the crash the key holds {len(got)} bytes, not its previous version"
        )
        assert sse_of(bucket.head_object("victim").headers)[0] == "KMS"
        for key, data in others.items():
            r = bucket.get_object(key)
            content = r.read()
            assert content == data, key
            assert r.headers["x-oss-hash-crc64ecma"] == crc64(data), key
        # A new key killed mid-upload is absent afterwards, never partial.
        sent["bytes"] = 0
        killed.clear()
        t = threading.Thread(target=upload, args=("brand-new", {}))
        t.start()
        t.join(120)
        assert killed.is_set()
        server = type(server)(server.data_dir, server.config_path, server.log_path).start()
        bucket = oss2.Bucket(auth, server.endpoint, "crash-test")
        with pytest.raises(oss2.exceptions.NoSuchKey):
            bucket.head_object("brand-new")
        keys = sorted(o.key for o in oss2.ObjectIterator(bucket))
        assert keys == sorted(list(others) + ["victim", "fresh-victim-sibling"]), keys

        # An append killed midway leaves the appendable object at its previous length.
        head_part = payload(1_000_000, seed=9)
        bucket.append_object("log", 0, head_part, headers={SSE: "SM4"})
        sent["bytes"] = 0
        killed.clear()
        t = threading.Thread(target=upload, args=("log", {}, "POST", f"append&position={len(head_part)}"))
        t.start()
        t.join(120)
        assert killed.is_set()
        server = type(server)(server.data_dir, server.config_path, server.log_path).start()
        bucket = oss2.Bucket(auth, server.endpoint, "crash-test")
        r = bucket.get_object("log")
        assert r.read() == head_part, "a killed append must leave the object at its previous content"
        assert r.headers["x-oss-hash-crc64ecma"] == crc64(head_part)
        nxt = bucket.append_object("log", len(head_part), b"more", init_crc=int(crc64(head_part)))
        assert nxt.next_position == len(head_part) + 4
    finally:
        server.kill()


def test_graceful_restart_serves_everything_acknowledged(tmp_path):
    principals = make_principals()
    server, named = start_server(tmp_path, principals)
    a = principals.admin
    auth = oss2.AuthV4(a.access_key_id, a.access_key_secret)
    try:
        bucket = oss2.Bucket(auth, server.endpoint, "restart", region="cn-hangzhou")
        bucket.create_bucket()
        bucket.put_bucket_encryption(oss2.models.ServerSideEncryptionRule("KMS", named, "SM4"))
        data = {f"k{i}": payload(100_000 + i, seed=i) for i in range(4)}
        for k, v in data.items():
            bucket.put_object(k, v)
        assert server.stop() == 0
        server = type(server)(server.data_dir, server.config_path, server.log_path).start()
        bucket = oss2.Bucket(auth, server.endpoint, "restart", region="cn-hangzhou")
        rule = bucket.get_bucket_encryption()
        assert (rule.sse_algorithm, rule.kms_master_keyid, rule.kms_data_encryption) == ("KMS", named, "SM4")
        for k, v in data.items():
            r = bucket.get_object(k)
            assert r.read() == v
            assert sse_of(r.headers) == ("KMS", named, "SM4")
    finally:
        server.kill()


def test_master_key_file_is_private(env):
    candidates = [p for p in env.data_dir.rglob("*") if p.is_file() and "master" in p.name.lower()]
    assert candidates, f"no master key file in {sorted(p.name for p in env.data_dir.rglob('*'))}"
    for p in candidates:
        assert p.stat().st_mode & 0o077 == 0, f"{p} has mode {oct(p.stat().st_mode)}"


@pytest.mark.parametrize("domain", ["localhost:{port}", "oss-cn-hangzhou.aliyuncs.com"])
def test_virtual_hosted_addressing(env, admin_bucket, domain):
    raw = RawClient(env.endpoint, env.principals.admin)
    domain = domain.format(port=raw.port)
    r = raw.request("PUT", admin_bucket, "vh/key", body=b"virtual hosted", virtual_host=domain,
                    headers={SSE: "SM4"})
    assert r.status == 200, r
    r = raw.request("GET", admin_bucket, "vh/key", virtual_host=domain)
    assert (r.status, r.body) == (200, b"virtual hosted"), r
    assert r.headers.get(SSE) == "SM4"
    r = raw.request("GET", admin_bucket, "vh/key")
    assert (r.status, r.body) == (200, b"virtual hosted"), "path style sees the same object"
    r = raw.request("GET", admin_bucket, subresource="encryption", virtual_host=domain)
    assert r.status == 404 and r.error()["Code"] == "NoSuchServerSideEncryptionRule", r


def test_keys_cannot_escape_the_data_dir(env, admin_bucket):
    sdk = env.adapter("oss2-v1")
    for key in ("../../escape", "a/../../../etc/passwd-x", "..", "./x", "%2e%2e/y"):
        try:
            sdk.put_object(admin_bucket, key, b"escape attempt " + key.encode())
        except oss2.exceptions.OssError:
            continue  # refusing such a key is fine; storing it outside the data dir is not
        assert sdk.get_object(admin_bucket, key)[0] == b"escape attempt " + key.encode()
    outside = env.data_dir.parent
    leaked = [p for p in outside.rglob("*") if p.is_file() and not str(p).startswith(str(env.data_dir))
              and p.name not in ("server.toml", "server.log")]
    assert not leaked, leaked
    assert not pathlib.Path("/etc/passwd-x").exists()


def test_sigterm_lets_an_in_flight_upload_finish(tmp_path):
    """SIGTERM during a 100 MiB PutObject: the upload completes and is acknowledged, the server
    exits 0, and after a restart the object is whole."""
    import signal

    principals = make_principals()
    server, _ = start_server(tmp_path, principals, with_named_key=False)
    a = principals.admin
    try:
        auth = oss2.Auth(a.access_key_id, a.access_key_secret)
        oss2.Bucket(auth, server.endpoint, "term-test").create_bucket()
        host, port = server.endpoint.rsplit("/", 1)[-1].split(":")
        size = 100 * MiB
        headers = {"Date": http_date(), "Content-Type": "application/octet-stream",
                   "Content-Length": str(size), SSE: "KMS"}
        headers["Authorization"] = f"OSS {a.access_key_id}:{v1_signature(a.access_key_secret, 'PUT', '/term-test/inflight', headers)}"
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        conn.putrequest("PUT", "/term-test/inflight", skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.endheaders()
        block = payload(4 * MiB, seed=6)
        crc = oss2.utils.Crc64(0)
        for i in range(size // len(block)):
            if i == 8:
                server.proc.send_signal(signal.SIGTERM)
                time.sleep(0.3)
            conn.send(block)
            crc.update(block)
        r = conn.getresponse()
        body = r.read()
        conn.close()
        assert r.status == 200, (r.status, body[:300])
        assert r.getheader("x-oss-hash-crc64ecma") == str(crc.crc)
        assert server.proc.wait(30) == 0, "the server must exit 0 after a graceful SIGTERM"
        server = type(server)(server.data_dir, server.config_path, server.log_path).start()
        head = oss2.Bucket(auth, server.endpoint, "term-test").head_object("inflight")
        assert head.content_length == size
        assert head.headers["x-oss-hash-crc64ecma"] == str(crc.crc)
    finally:
        server.kill()


@pytest.mark.parametrize("version", ["v1", "v4"])
def test_pyv2_uploader_and_downloader_with_sse(env, tmp_path, version):
    """alibabacloud-oss-v2's transfer managers: multipart upload with SSE given once, and a
    parallel ranged download that checks the whole-object CRC-64 the server reports."""
    import alibabacloud_oss_v2 as ossv2

    sdk = env.adapter(f"pyv2-{version}")
    name = new_bucket_name("xfer")
    sdk.create_bucket(name)
    src = tmp_path / "src.bin"
    want = write_random_file(src, 24 * MiB + 12_345, seed=3)
    up = sdk.client.uploader(part_size=5 * MiB, parallel_num=2)
    up.upload_file(ossv2.PutObjectRequest(bucket=name, key="x", server_side_encryption="KMS",
                                          server_side_encryption_key_id=env.named_cmk,
                                          server_side_data_encryption="SM4"), str(src))
    assert sse_of(sdk.head_object(name, "x")) == ("KMS", env.named_cmk, "SM4")
    dst = tmp_path / "dst.bin"
    down = sdk.client.downloader(part_size=3 * MiB, parallel_num=2)
    down.download_file(ossv2.GetObjectRequest(bucket=name, key="x"), str(dst))
    assert hashlib.md5(dst.read_bytes()).hexdigest() == want


@pytest.mark.parametrize("version", ["v1", "v4"])
def test_oss2_resumable_download_of_sse_object(env, tmp_path, version):
    sdk = env.adapter(f"oss2-{version}")
    name = new_bucket_name("rdl")
    sdk.create_bucket(name)
    data = payload(9 * MiB + 777, seed=12)
    sdk.put_object(name, "obj", data, sse={SSE: "SM4"})
    dst = tmp_path / "obj.bin"
    oss2.resumable_download(sdk.bucket(name), "obj", str(dst), multiget_threshold=MiB, part_size=2 * MiB,
                            num_threads=2, store=oss2.ResumableDownloadStore(root=str(tmp_path)))
    assert dst.read_bytes() == data
