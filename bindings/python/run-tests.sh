#!/usr/bin/env bash
# The Python binding's suite (`make test-python`): builds the abi3 extension into a virtualenv
# this script creates (.venv-python at the repo root, from the pinned requirements.txt), then
# runs pytest against a local `ossbridge serve` and checks the .pyi stubs with mypy.stubtest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$here/setup-venv.sh" dev

# The server every test talks to (make test builds it first; build it when run alone).
target=${CARGO_TARGET_DIR:-$root/target}
[ -x "$target/release/ossbridge" ] || (cd "$root" && cargo build --release --locked --bin ossbridge)
export OSSBRIDGE_SERVER_BIN=$target/release/ossbridge

cd "$here"
python -m pytest tests -q -p no:cacheprovider "$@"
# The native module's hand-written stubs against the runtime, then the pure-Python package
# (typed against those stubs) under mypy --strict.
python -m mypy.stubtest ossbridge._ossbridge --allowlist "$here/tests/stubtest-allowlist.txt" --mypy-config-file "$here/tests/mypy.ini"
python -m mypy --strict --config-file "$here/tests/mypy.ini" "$here/python/ossbridge"
