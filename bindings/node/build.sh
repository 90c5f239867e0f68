#!/usr/bin/env bash
# Installs the pinned npm packages (npm ci) and builds the addon (napi build --release).
# Used by run-tests.sh, examples/node/run.sh and bench/node_bench.sh.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --prefer-offline
npx napi build --platform --release --js native.js --dts native.d.ts
