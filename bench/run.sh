#!/usr/bin/env bash
# Benchmarks. Each area adds its own section; every section prints a table.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

# --- server throughput (interop area): oss2 and curl against `ossbridge serve` ---
bash tests/interop/run.sh venv >/dev/null
.venv-interop/bin/python bench/server_bench.py "$@"

# --- Node addon (node area): ossbridge vs ali-oss, 256 MiB and 1000 x 4 KiB, throughput + RSS ---
bash bench/node_bench.sh

# --- Rust client vs curl, 1 GiB up/down, client peak RSS (client area) ---
bash bench/client_bench.sh

# --- signing (signing area): ossbridge V1/V4 signatures per second vs oss2 and alibabacloud-oss-v2 ---
echo "== signing: signatures per second (criterion median; Python SDKs timed in-process)"
bash tests/signing/run.sh venv
"${CARGO:-cargo}" bench -p ossbridge-core --bench signing >/dev/null 2>&1
.venv-sign/bin/python bench/sign_oss2.py --criterion target/criterion

# --- Python binding (python area): ossbridge vs oss2 vs alibabacloud-oss-v2 ---
# Own venv with the optimised wheel and the official SDKs (bindings/python/setup-venv.sh).
(
  export OSSBRIDGE_PYTHON_VENV="$REPO/.venv-python-bench"
  source bindings/python/setup-venv.sh release bindings/python/bench-requirements.txt >/dev/null
  python bench/python_bench.py
)

# --- client-side encryption (cse area): cipher throughput vs aws-lc-rs, 1 GiB encrypted transfers ---
bash bench/cse_bench.sh
