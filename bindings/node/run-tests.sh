#!/usr/bin/env bash
# `make test-node`: installs the pinned npm packages, builds the addon with napi, checks the
# generated loader is the committed one, type-checks index.d.ts with tsc and runs the
# node:test suites against `ossbridge serve` (target/release/ossbridge, built by `make build`).
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
export OSSBRIDGE_BIN=${OSSBRIDGE_BIN:-$root/target/release/ossbridge}
[ -x "$OSSBRIDGE_BIN" ] || { echo "$OSSBRIDGE_BIN is missing: run 'make build' first" >&2; exit 1; }

echo "== npm ci, napi build (release)"
bash ./build.sh
# The loader and its types are generated and committed; a difference means they are stale.
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  if ! git -C "$root" diff --exit-code -- bindings/node/native.js bindings/node/native.d.ts; then
    echo "native.js / native.d.ts changed when regenerated: commit the regenerated files" >&2
    exit 1
  fi
fi

echo "== tsc --noEmit (index.d.ts, index.d.mts)"
npx tsc --noEmit -p test/types

echo "== node:test"
node --test test/*.test.js test/*.test.mjs
