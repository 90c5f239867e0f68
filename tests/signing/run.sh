#!/usr/bin/env bash
# Signing suite: the differential test against oss2 2.19.1 and alibabacloud-oss-v2 1.4.1
# (in a virtualenv created here from the pinned requirements), then the `ossbridge sign`
# process test. Called by `make test-sign`.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
CARGO="${CARGO:-cargo}"
VENV="$ROOT/.venv-sign"
REQS="$ROOT/tests/signing/requirements.txt"
BIN="$ROOT/target/release/ossbridge"

if [ ! -x "$VENV/bin/python" ] || ! cmp -s "$REQS" "$VENV/.requirements"; then
  echo "== creating $VENV from tests/signing/requirements.txt"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQS"
  cp "$REQS" "$VENV/.requirements"
fi

# `run.sh venv` only prepares the virtualenv (bench/run.sh uses it for bench/sign_oss2.py).
[ "${1:-}" = "venv" ] && exit 0

[ -x "$BIN" ] || "$CARGO" build --release --locked --bin ossbridge

echo "== differential signing test (ossbridge vs oss2 / alibabacloud-oss-v2)"
# Fixed hash seed: oss2's AdditionalHeaders order depends on set iteration order.
PYTHONHASHSEED=0 "$VENV/bin/python" tests/signing/differential.py --bin "$BIN" --count "${SIGN_DIFF_COUNT:-3000}"

echo "== ossbridge sign as a process (vectors, bad-input exits)"
"$CARGO" test --locked -p ossbridge-cli --test signing_cli
