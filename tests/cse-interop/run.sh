#!/usr/bin/env bash
# Client-side encryption interop: oss2 CryptoBucket(RsaProvider) and alibabacloud-oss-v2
# EncryptionClient(MasterRsaCipher) against ossbridge's EncryptionClient, both directions,
# through a real `ossbridge serve` (started by the Rust test). Creates <repo>/.venv-cse from
# the pinned requirements.txt. Needs target/release/ossbridge (make build).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="$REPO/.venv-cse"
CARGO="${CARGO:-cargo}"
export OSSBRIDGE_BIN="${OSSBRIDGE_BIN:-$REPO/target/release/ossbridge}"

if [ ! -x "$OSSBRIDGE_BIN" ]; then
    echo "cse-interop: $OSSBRIDGE_BIN is missing; run 'make build' first" >&2
    exit 2
fi

stamp="$VENV/.requirements.sha256"
want="$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "cse-interop: creating $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$HERE/requirements.txt"
    echo "$want" >"$stamp"
fi

export CSE_INTEROP_PYTHON="$VENV/bin/python"
cd "$REPO"
"$CARGO" test --locked -p ossbridge-core --test cse_interop -- --ignored --nocapture
