"""Start and stop `ossbridge serve` for the interop tests.

The server is the real release binary, on a free port, with a temporary data dir and a config
file that defines the three principals the tests need: an admin, a user without kms:Decrypt and
STS temporary credentials for the admin. A named CMK is created with `ossbridge kms create-key`
before the server starts.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import secrets
import signal
import subprocess
import threading
import time
from typing import Optional

from clients import Credentials

REPO = pathlib.Path(__file__).resolve().parents[3]
BINARY = pathlib.Path(os.environ.get("OSSBRIDGE_BIN", REPO / "target" / "release" / "ossbridge"))
STARTUP_TIMEOUT_S = 30


@dataclasses.dataclass
class Principals:
    admin: Credentials
    no_kms_decrypt: Credentials
    sts: Credentials
    # May only GetObject, and kms:Decrypt only with the named CMK.
    scoped: Credentials
    sts_expired: Credentials


def make_principals() -> Principals:
    return Principals(
        admin=Credentials("LTAIadmin" + secrets.token_hex(6), secrets.token_urlsafe(24)),
        no_kms_decrypt=Credentials("LTAInokms" + secrets.token_hex(6), secrets.token_urlsafe(24)),
        sts=Credentials(
            "STS.interop" + secrets.token_hex(6), secrets.token_urlsafe(24), "token-" + secrets.token_urlsafe(32)
        ),
        scoped=Credentials("LTAIscoped" + secrets.token_hex(6), secrets.token_urlsafe(24)),
        sts_expired=Credentials(
            "STS.expired" + secrets.token_hex(6), secrets.token_urlsafe(24), "token-" + secrets.token_urlsafe(32)
        ),
    )


def config_toml(p: Principals, named_cmk: Optional[str] = None) -> str:
    """The config shape documented in docs/server.md."""
    scoped = ""
    if named_cmk:
        scoped = f"""
[[users]]
name = "scoped"
access_key_id = "{p.scoped.access_key_id}"
access_key_secret = "{p.scoped.access_key_secret}"
allow = ["oss:GetObject", "kms:Decrypt:{named_cmk}"]
"""
    return f"""# written by tests/interop/python/server_process.py
[[users]]
name = "admin"
access_key_id = "{p.admin.access_key_id}"
access_key_secret = "{p.admin.access_key_secret}"
allow = ["oss:*", "kms:*"]

[[users]]
name = "nokms"
access_key_id = "{p.no_kms_decrypt.access_key_id}"
access_key_secret = "{p.no_kms_decrypt.access_key_secret}"
allow = ["oss:*", "kms:GenerateDataKey"]

[[sts]]
user = "admin"
access_key_id = "{p.sts.access_key_id}"
access_key_secret = "{p.sts.access_key_secret}"
security_token = "{p.sts.security_token}"
expiration = "2099-01-01T00:00:00Z"

[[sts]]
user = "admin"
access_key_id = "{p.sts_expired.access_key_id}"
access_key_secret = "{p.sts_expired.access_key_secret}"
security_token = "{p.sts_expired.security_token}"
expiration = "2020-01-01T00:00:00Z"
{scoped}"""


def create_key(data_dir: pathlib.Path, alias: Optional[str] = None) -> str:
    cmd = [str(BINARY), "kms", "create-key", "--data-dir", str(data_dir)]
    if alias:
        cmd += ["--alias", alias]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=60).stdout
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    assert lines, f"`{' '.join(cmd)}` printed no key id"
    return lines[-1].split()[-1]


class ServerProcess:
    def __init__(self, data_dir: pathlib.Path, config_path: pathlib.Path, log_path: pathlib.Path):
        self.data_dir = data_dir
        self.config_path = config_path
        self.log_path = log_path
        self.proc: Optional[subprocess.Popen] = None
        self.endpoint = ""

    def start(self) -> "ServerProcess":
        cmd = [
            str(BINARY), "serve", "--addr", "127.0.0.1:0",
            "--data-dir", str(self.data_dir), "--config", str(self.config_path),
        ]
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._log)
        first = self._read_first_line()
        prefix = "listening on "
        assert first.startswith(prefix + "http://"), f"unexpected first stdout line {first!r}"
        self.endpoint = first[len(prefix):].strip()
        # Keep draining stdout so the server never blocks on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()
        return self

    def _read_first_line(self) -> str:
        result = {}

        def read():
            result["line"] = self.proc.stdout.readline().decode("utf-8", "replace")

        t = threading.Thread(target=read, daemon=True)
        t.start()
        t.join(STARTUP_TIMEOUT_S)
        if "line" not in result or not result["line"]:
            self.kill()
            raise RuntimeError(
                f"ossbridge serve did not print its address within {STARTUP_TIMEOUT_S}s; log:\n"
                + self.log_path.read_text(errors="replace")[-4000:]
            )
        return result["line"]

    def _drain(self):
        for line in self.proc.stdout:
            self._log.write(line)
            self._log.flush()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def peak_rss_kib(self) -> Optional[int]:
        try:
            for line in pathlib.Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        except OSError:
            return None
        return None

    def reset_peak_rss(self) -> bool:
        """Reset VmHWM so the next peak_rss_kib() covers only what follows."""
        try:
            pathlib.Path(f"/proc/{self.pid}/clear_refs").write_text("5")
            return True
        except OSError:
            return False

    def stop(self, timeout: float = 15) -> int:
        """SIGTERM, wait for the graceful shutdown, and return the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"ossbridge serve did not exit within {timeout}s of SIGTERM")

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
