#!/usr/bin/env bash
# Interop suite: drives `ossbridge serve` with the official SDKs (oss2, alibabacloud-oss-v2,
# ali-oss, the Go v2 SDK). Each language part starts its own server on a free port.
# Usage: tests/interop/run.sh [python|node|go|venv ...]   (default: python node go;
# `venv` only creates .venv-interop, for bench/run.sh)
# Env: OSSBRIDGE_BIN (server binary, default target/release/ossbridge); for the Go part,
# OSSBRIDGE_INTEROP_KEEP=1 keeps the server's temp dir and log, OSSBRIDGE_INTEROP_DEBUG=1 turns on
# the SDK's request log. Run one Python test: cd tests/interop/python && ../../../.venv-interop/bin/python -m pytest -k NAME
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
export OSSBRIDGE_BIN="${OSSBRIDGE_BIN:-$REPO/target/release/ossbridge}"
VENV="$REPO/.venv-interop"
PARTS=("$@")
[ ${#PARTS[@]} -eq 0 ] && PARTS=(python node go)

if [ ! -x "$OSSBRIDGE_BIN" ]; then
    echo "interop: $OSSBRIDGE_BIN is missing; run 'make build' first" >&2
    exit 2
fi

failed=()
SECONDS=0

ensure_venv() {
    local stamp="$VENV/.requirements.sha256"
    local want
    want="$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)"
    if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        echo "interop: creating $VENV"
        rm -rf "$VENV"
        python3 -m venv "$VENV" || return 1
        "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps \
            -r "$HERE/requirements.txt" || return 1
        echo "$want" >"$stamp"
    fi
}

run_venv() {
    ensure_venv
}

run_python() {
    ensure_venv || return 1
    (cd "$HERE/python" && "$VENV/bin/python" -m pytest -q -p no:cacheprovider .)
}

run_node() {
    (cd "$HERE/node" && npm ci --no-audit --no-fund --loglevel=error && npm test --silent)
}

run_go() {
    cd "$HERE/go" || return 1
    # The Go part depends on the Go module proxy serving github.com/aliyun/alibabacloud-oss-go-sdk-v2.
    if ! go mod download >/dev/null 2>&1; then
        echo "interop: SKIPPED go part: the Go module proxy did not serve the Go v2 SDK (go mod download failed)"
        return 0
    fi
    go test -count=1 ./...
}

for part in "${PARTS[@]}"; do
    start=$SECONDS
    echo "=== interop: $part"
    if "run_$part"; then
        echo "=== interop: $part passed in $((SECONDS - start))s"
    else
        echo "=== interop: $part FAILED after $((SECONDS - start))s"
        failed+=("$part")
    fi
done

echo "=== interop: total ${SECONDS}s"
if [ ${#failed[@]} -ne 0 ]; then
    echo "interop: failed parts: ${failed[*]}" >&2
    exit 1
fi
