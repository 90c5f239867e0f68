"""examples/python: the guide's Python samples, changed only in the import and the endpoint,
run against the local server."""

from __future__ import annotations

import difflib
import glob
import os
import re
import subprocess
import sys

import pytest

import ossbridge

from conftest import ACCESS_KEY_ID, ACCESS_KEY_SECRET

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
EXAMPLES = os.path.join(ROOT, "examples", "python")
SAMPLES = ["put_bucket_encryption.py", "put_object_with_sse.py"]


def guide_python_samples() -> "list[str]":
    """The Python samples of the guide text in ../shared/seed (each starts at `import oss2`)."""
    paths = glob.glob(os.path.join(ROOT, "..", "shared", "seed", "000_*.txt"))
    if not paths:
        pytest.skip("the guide text (../shared/seed) is not next to this checkout")
    lines = open(paths[0], encoding="utf-8").read().splitlines()
    samples, current = [], None
    for line in lines:
        if line.strip() == "# -*- coding: utf-8 -*-":
            current = [line]
            samples.append(current)
        elif current is not None:
            # A sample ends where the next language's code or heading starts.
            if re.match(r"^(using |package |#include|import com\.|<\?php|const |Go$|C#$|C\+\+$|Java$)", line):
                current = None
            else:
                current.append(line)
    return ["\n".join(s).strip() for s in samples]


@pytest.mark.parametrize("name", SAMPLES)
def test_samples_differ_from_the_guide_only_in_import_and_endpoint(name: str) -> None:
    ours = open(os.path.join(EXAMPLES, name), encoding="utf-8").read().strip()
    best = max(guide_python_samples(), key=lambda s: difflib.SequenceMatcher(None, s, ours).ratio())
    changed = [
        line[1:].strip()
        for line in difflib.unified_diff(best.splitlines(), ours.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    allowed = re.compile(r"^(import (oss2|os|ossbridge as oss2)|from (oss2|ossbridge)\..* import .*|.*endpoint.*|.*OSS_ENDPOINT.*|.*oss-cn-hangzhou\.aliyuncs\.com.*)$")
    assert changed and all(allowed.match(line) for line in changed), changed


def test_samples_run_against_the_local_server(endpoint: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = dict(os.environ, OSS_ENDPOINT=endpoint, OSS_ACCESS_KEY_ID=ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET=ACCESS_KEY_SECRET)
    data = os.urandom(3000)
    (tmp_path / "D:\\examplefile.jpg").write_bytes(data)
    auth = ossbridge.Auth(ACCESS_KEY_ID, ACCESS_KEY_SECRET)
    for name in ("examplebucket", "examplebucket0703"):
        try:
            ossbridge.Bucket(auth, endpoint, name).create_bucket()
        except ossbridge.exceptions.Conflict:
            pass
    for sample in SAMPLES:
        proc = subprocess.run([sys.executable, os.path.join(EXAMPLES, sample)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        if sample == "put_bucket_encryption.py":
            assert proc.stdout.strip() == "http response code: 200"
    rule = ossbridge.Bucket(auth, endpoint, "examplebucket").get_bucket_encryption()
    assert rule.sse_algorithm == "AES256"
    got = ossbridge.Bucket(auth, endpoint, "examplebucket0703").get_object("exampledir/object1.jpg")
    assert got.read() == data[1000:] and got.server_side_encryption == "AES256"
