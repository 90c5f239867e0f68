#!/usr/bin/env python3
"""Throughput of `ossbridge serve` for one large object, with and without SSE.

Prints a table: PUT and GET of a 256 MiB object through oss2 (the official Python SDK) and
through curl (V1 presigned URLs made by oss2, so curl only moves bytes), for no SSE, SSE-OSS
(AES256), SM4 and SSE-KMS, plus the server's peak RSS during each row (VmHWM from
/proc/<pid>/status, reset between rows through /proc/<pid>/clear_refs).

Usage: bench/server_bench.py [--size-mib N] [--repeat N]   (run by bench/run.sh inside the
interop virtualenv; needs target/release/ossbridge).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "interop" / "python"))

import oss2  # noqa: E402

from server_process import ServerProcess, config_toml, make_principals  # noqa: E402

MiB = 1024 * 1024
SSE = "x-oss-server-side-encryption"

MODES = [
    ("none", {}),
    ("AES256", {SSE: "AES256"}),
    ("SM4", {SSE: "SM4"}),
    ("KMS", {SSE: "KMS"}),
]


def reset_peak_rss(pid: int) -> bool:
    try:
        pathlib.Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def write_source(path: pathlib.Path, size: int) -> str:
    md5 = hashlib.md5()
    block = os.urandom(4 * MiB)
    with open(path, "wb") as f:
        left = size
        while left:
            chunk = block[: min(left, len(block))]
            f.write(chunk)
            md5.update(chunk)
            left -= len(chunk)
    return md5.hexdigest()


def file_md5(path: pathlib.Path) -> str:
    md5 = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(8 * MiB), b""):
            md5.update(chunk)
    return md5.hexdigest()


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def curl(*args: str) -> None:
    out = subprocess.run(["curl", "-sS", "--fail-with-body", "-o", "/dev/null", *args],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"curl {' '.join(args[:2])}: {out.stderr.strip()} {out.stdout[:300]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mib", type=int, default=256)
    ap.add_argument("--repeat", type=int, default=1, help="runs per cell; the best is reported")
    args = ap.parse_args()
    size = args.size_mib * MiB

    if shutil.which("curl") is None:
        print("server_bench: curl is not installed", file=sys.stderr)
        return 2
    work = pathlib.Path(tempfile.mkdtemp(prefix="ossbridge-bench-"))
    try:
        principals = make_principals()
        (work / "data").mkdir()
        (work / "server.toml").write_text(config_toml(principals))
        server = ServerProcess(work / "data", work / "server.toml", work / "server.log").start()
        try:
            return run(server, principals, work, size, args.repeat)
        finally:
            server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(server, principals, work, size, repeat) -> int:
    a = principals.admin
    bucket = oss2.Bucket(oss2.Auth(a.access_key_id, a.access_key_secret), server.endpoint, "bench")
    bucket.create_bucket()
    src = work / "source.bin"
    want = write_source(src, size)
    dst = work / "download.bin"
    can_reset = reset_peak_rss(server.pid)

    rows = []
    for mode, headers in MODES:
        for client in ("oss2", "curl"):
            key = f"{client}-{mode}"
            reset_peak_rss(server.pid)
            put_s = get_s = float("inf")
            for _ in range(repeat):
                if client == "oss2":
                    put_s = min(put_s, timed(lambda: bucket.put_object_from_file(key, str(src), headers=headers)))
                    get_s = min(get_s, timed(lambda: bucket.get_object_to_file(key, str(dst))))
                else:
                    put_url = bucket.sign_url("PUT", key, 3600, headers=dict(headers))
                    hdr_args = [arg for k, v in headers.items() for arg in ("-H", f"{k}: {v}")]
                    put_s = min(put_s, timed(lambda: curl("-X", "PUT", "-T", str(src), *hdr_args,
                                                          "-H", "Content-Type:", put_url)))
                    get_url = bucket.sign_url("GET", key, 3600)
                    get_s = min(get_s, timed(lambda: curl("-o", str(dst), get_url)))
            head = bucket.head_object(key)
            assert head.content_length == size, (key, head.content_length)
            assert head.headers.get(SSE) == headers.get(SSE), (key, head.headers.get(SSE))
            assert file_md5(dst) == want, f"{key}: the downloaded bytes differ from the upload"
            rows.append((client, mode, size / MiB / put_s, size / MiB / get_s, server.peak_rss_kib()))
            bucket.delete_object(key)

    print()
    print(f"ossbridge serve, one {size // MiB} MiB object, 127.0.0.1, {os.cpu_count()} cores"
          f" (best of {repeat}; throughput in MiB/s)")
    print(f"| {'client':<6} | {'SSE':<6} | {'PUT MiB/s':>9} | {'GET MiB/s':>9} | {'server peak RSS':>15} |")
    print(f"|{'-' * 8}|{'-' * 8}|{'-' * 11}|{'-' * 11}|{'-' * 17}|")
    for client, mode, put_rate, get_rate, rss in rows:
        rss_text = f"{rss / 1024:.1f} MiB" if rss else "n/a"
        print(f"| {client:<6} | {mode:<6} | {put_rate:>9.1f} | {get_rate:>9.1f} | {rss_text:>15} |")
    overall = max((r[4] or 0) for r in rows)
    note = "per row (VmHWM reset between rows)" if can_reset else "cumulative (VmHWM could not be reset)"
    print(f"peak RSS is {note}; highest {overall / 1024:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
