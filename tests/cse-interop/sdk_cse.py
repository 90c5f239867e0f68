"""Client-side encryption with the official Python SDKs against `ossbridge serve`.

  write: oss2 CryptoBucket(RsaProvider) and alibabacloud-oss-v2 EncryptionClient
         (MasterRsaCipher) upload objects (PutObject and multipart); each plaintext is saved
         next to a manifest so ossbridge can check what it decrypts.
  read:  both SDKs download the objects ossbridge wrote (listed in a manifest), whole and in
         ranges, and compare with the plaintext files. Exit status 1 on any mismatch.

Driven by core/tests/cse_interop.rs (tests/cse-interop/run.sh).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pathlib
import random
import sys

import alibabacloud_oss_v2 as ossv2
import oss2
from alibabacloud_oss_v2.crypto import MasterRsaCipher
from oss2.crypto import RsaProvider

REGION = "cn-hangzhou"
PART = 100 * 1024  # oss2's minimum CSE part size; a multiple of 16


def data(n: int, seed: int) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:n])


class Sdks:
    def __init__(self, a: argparse.Namespace):
        keys = pathlib.Path(a.keys)
        public = (keys / "rsa2048_A.public_spki.pem").read_text()
        private = (keys / "rsa2048_A.private_pkcs8.pem").read_text()
        auth = oss2.Auth(a.ak, a.sk)
        provider = RsaProvider(key_pair={"public_key": public, "private_key": private})
        self.oss2 = oss2.CryptoBucket(auth, a.endpoint, a.bucket, crypto_provider=provider, region=REGION)
        cfg = ossv2.config.load_default()
        cfg.credentials_provider = ossv2.credentials.StaticCredentialsProvider(a.ak, a.sk)
        cfg.region = REGION
        cfg.endpoint = a.endpoint
        self.v2 = ossv2.EncryptionClient(ossv2.Client(cfg), MasterRsaCipher(public_key=public, private_key=private))
        self.bucket = a.bucket

    # -- writing -------------------------------------------------------------------------
    def oss2_put(self, key: str, body: bytes) -> None:
        self.oss2.put_object(key, body)

    def oss2_multipart(self, key: str, body: bytes) -> None:
        ctx = oss2.models.MultipartUploadCryptoContext(data_size=len(body), part_size=PART)
        init = self.oss2.init_multipart_upload(key, upload_context=ctx)
        parts = []
        for i in range(0, len(body), PART):
            n = i // PART + 1
            r = self.oss2.upload_part(key, init.upload_id, n, body[i:i + PART], upload_context=ctx)
            parts.append(oss2.models.PartInfo(n, r.etag))
        self.oss2.complete_multipart_upload(key, init.upload_id, parts)

    def v2_put(self, key: str, body: bytes) -> None:
        self.v2.put_object(ossv2.models.PutObjectRequest(bucket=self.bucket, key=key, body=body))

    def v2_multipart(self, key: str, body: bytes) -> None:
        init = self.v2.initiate_multipart_upload(ossv2.models.InitiateMultipartUploadRequest(
            bucket=self.bucket, key=key, cse_part_size=PART, cse_data_size=len(body)))
        parts = []
        for i in range(0, len(body), PART):
            n = i // PART + 1
            r = self.v2.upload_part(ossv2.models.UploadPartRequest(
                bucket=self.bucket, key=key, upload_id=init.upload_id, part_number=n,
                cse_multipart_context=init.cse_multipart_context, body=body[i:i + PART]))
            parts.append(ossv2.models.UploadPart(part_number=n, etag=r.etag))
        self.v2.complete_multipart_upload(ossv2.models.CompleteMultipartUploadRequest(
            bucket=self.bucket, key=key, upload_id=init.upload_id,
            complete_multipart_upload=ossv2.models.CompleteMultipartUpload(parts=parts)))

    # -- reading -------------------------------------------------------------------------
    def oss2_get(self, key: str, rng: tuple[int, int] | None) -> bytes:
        return self.oss2.get_object(key, byte_range=rng).read()

    def v2_get(self, key: str, rng: tuple[int, int] | None) -> bytes:
        header = None if rng is None else f"bytes={rng[0]}-{rng[1]}"
        r = self.v2.get_object(ossv2.models.GetObjectRequest(bucket=self.bucket, key=key, range_header=header))
        return r.body.read()


def write(a: argparse.Namespace) -> int:
    sdks = Sdks(a)
    out = pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    plan = [
        ("oss2-put-1", "oss2_put", 1),
        ("oss2-put-1000", "oss2_put", 1000),
        ("oss2-put-300k", "oss2_put", 300_001),
        ("oss2-mpu", "oss2_multipart", 3 * PART + 4321),
        ("pyv2-put-1000", "v2_put", 1000),
        ("pyv2-put-300k", "v2_put", 300_007),
        ("pyv2-mpu", "v2_multipart", 2 * PART + 17),
    ]
    manifest = []
    for i, (key, how, size) in enumerate(plan):
        body = data(size, 1000 + i)
        getattr(sdks, how)(key, body)
        (out / key).write_bytes(body)
        manifest.append({"key": key, "writer": how, "size": size, "plaintext": str(out / key)})
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    print(f"wrote {len(manifest)} objects with oss2 and alibabacloud-oss-v2")
    return 0


def read(a: argparse.Namespace) -> int:
    sdks = Sdks(a)
    manifest = json.loads(pathlib.Path(a.manifest).read_text())
    rnd = random.Random(7)
    failures = []
    checks = 0
    for item in manifest:
        key, plain = item["key"], pathlib.Path(item["plaintext"]).read_bytes()
        size = len(plain)
        ranges = [None]
        if size:
            ranges += [(0, 0), (size - 1, size - 1), (15, min(16, size - 1)), (17, size - 1)]
            for _ in range(12):
                s = rnd.randrange(size)
                ranges.append((s, min(size - 1, s + rnd.randrange(1, 70_000))))
        for reader in ("oss2", "pyv2"):
            for rng in ranges:
                if rng is not None and rng[0] > rng[1]:
                    continue
                want = plain if rng is None else plain[rng[0]:rng[1] + 1]
                try:
                    got = sdks.oss2_get(key, rng) if reader == "oss2" else sdks.v2_get(key, rng)
                except Exception as e:  # noqa: BLE001 - report every SDK failure as a mismatch
                    failures.append(f"{reader} {key} {rng}: {type(e).__name__}: {e}")
                    continue
                checks += 1
                if got != want:
                    failures.append(f"{reader} {key} {rng}: {len(got)} bytes differ from the plaintext")
    for f in failures:
        print("MISMATCH", f)
    print(f"{checks} reads by oss2 and alibabacloud-oss-v2 of ossbridge-written objects, {len(failures)} failures")
    return 1 if failures else 0


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("command", choices=["write", "read"])
    p.add_argument("--endpoint", required=True)
    p.add_argument("--bucket", required=True)
    p.add_argument("--ak", required=True)
    p.add_argument("--sk", required=True)
    p.add_argument("--keys", required=True)
    p.add_argument("--out")
    p.add_argument("--manifest")
    a = p.parse_args()
    return write(a) if a.command == "write" else read(a)


if __name__ == "__main__":
    sys.exit(main())
