#!/usr/bin/env bash
# ossbridge's Node addon vs ali-oss 6.23.0 (pinned in bindings/node/package.json) against one
# local `ossbridge serve`: prints a table of throughput and peak RSS over the payload.
#   bash bench/node_bench.sh [--big-mib 256] [--small-count 1000] [--repeat 3]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${OSSBRIDGE_BIN:-$root/target/release/ossbridge}
[ -x "$bin" ] || { echo "$bin is missing: run 'make build' first" >&2; exit 1; }
bash "$root/bindings/node/build.sh" >/dev/null 2>&1 || bash "$root/bindings/node/build.sh"

export OSS_ACCESS_KEY_ID=LTAI5tNODEBENCH OSS_ACCESS_KEY_SECRET=node-bench-secret-0123456789
# The server keeps its data on tmpfs when there is one: with fsync to disk (about 200 MB/s here)
# both clients would measure the disk, not themselves.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then data=$(mktemp -d -p /dev/shm); else data=$(mktemp -d); fi
export NODE_BENCH_DATA_DIR=$data
log=$(mktemp)
"$bin" serve --addr 127.0.0.1:0 --data-dir "$data" --access-key-id "$OSS_ACCESS_KEY_ID" \
  --access-key-secret "$OSS_ACCESS_KEY_SECRET" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data" "$log"' EXIT
url=
for _ in $(seq 1 100); do
  url=$(head -n1 "$log" | sed -n 's/^listening on //p')
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$log"; echo "server did not start" >&2; exit 1; }
node "$root/bench/node_bench.js" "$url" "$@"
