#!/usr/bin/env bash
# `make demo`: start the local OSS server on 127.0.0.1 and run the guide's flows through every
# language that has landed, printing what OSS returns.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/ossbridge

export OSS_ACCESS_KEY_ID=${OSS_ACCESS_KEY_ID:-LTAI5tDEMOACCESSKEY}
export OSS_ACCESS_KEY_SECRET=${OSS_ACCESS_KEY_SECRET:-demoAccessKeySecret0123456789ab}
export OSS_REGION=${OSS_REGION:-cn-hangzhou}

banner() { printf '\n==== %s ====\n' "$*"; }

banner "Signing (what the official SDKs would send)"
"$BIN" sign oss://examplebucket/exampleobject.txt --region cn-hangzhou --time 2024-01-15T08:30:00Z --expires 3600
"$BIN" sign oss://examplebucket/exampleobject.txt --signature-version v1 --method PUT \
  --header 'x-oss-server-side-encryption: KMS' --time 2024-01-15T08:30:00Z --auth-header

data_dir=$(mktemp -d)
log=$(mktemp)
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$data_dir" "$log"
}
trap cleanup EXIT

"$BIN" serve --addr 127.0.0.1:0 --data-dir "$data_dir" >"$log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  url=$(head -n1 "$log" | sed -n 's/^listening on //p')
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$log"; echo "server failed to start"; exit 1; }
  sleep 0.1
done
[ -n "${url:-}" ] || { echo "server did not print its address"; exit 1; }
export OSS_ENDPOINT=$url OSSBRIDGE_DEMO_DATA_DIR=$data_dir
banner "Local OSS server at $url (data dir $data_dir)"

for lang in rust python node c cpp cli; do
  script=examples/$lang/run.sh
  if [ -x "$script" ] || [ -f "$script" ]; then
    banner "The guide's flows in $lang"
    bash "$script" "$url"
  fi
done
banner "demo finished"
