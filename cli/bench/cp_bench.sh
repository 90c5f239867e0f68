#!/usr/bin/env bash
# `ossbridge cp` throughput against a local `ossbridge serve` (release build), with curl on
# a presigned URL as the baseline for one big object, and --jobs for many small files.
# Usage: bash cli/bench/cp_bench.sh [BIG_MIB] [SMALL_FILES]. Prints a table; asserts nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${OSSBRIDGE_BIN:-$root/target/release/ossbridge}
big_mib=${1:-256}
small_n=${2:-500}
work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export OSS_ACCESS_KEY_ID=LTAI5tBENCHKEY OSS_ACCESS_KEY_SECRET=benchSecret0123456789 OSS_REGION=cn-hangzhou
"$BIN" serve --addr 127.0.0.1:0 --data-dir "$work/data" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  url=$(head -n1 "$work/server.log" | sed -n 's/^listening on //p'); [ -n "$url" ] && break; sleep 0.1
done
export OSS_ENDPOINT=$url
cd "$work"
"$BIN" mb oss://bench-bucket >/dev/null
head -c $((big_mib << 20)) /dev/urandom > big.bin
mkdir small; for i in $(seq 1 "$small_n"); do head -c 4096 /dev/urandom > "small/f$i"; done

secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}'; }
row() { printf '| %-44s | %8.2f | %10s |\n' "$1" "$2" "$3"; }
rate() { awk -v n="$1" -v t="$2" 'BEGIN{printf "%.1f", n/t}'; }

echo "| case | seconds | rate |"
echo "|---|---:|---:|"
put_url=$("$BIN" sign "oss://bench-bucket/curl.bin" --method PUT --endpoint "$url")
t=$(secs curl -sf -X PUT -T big.bin "$put_url"); row "curl PUT ${big_mib} MiB (one request)" "$t" "$(rate "$big_mib" "$t") MiB/s"
t=$(secs "$BIN" cp big.bin oss://bench-bucket/big.bin --bigfile-threshold 1000000000000); row "cp upload ${big_mib} MiB, PutObject" "$t" "$(rate "$big_mib" "$t") MiB/s"
t=$(secs "$BIN" cp big.bin oss://bench-bucket/big-mp.bin --bigfile-threshold 8388608 --parallel 4); row "cp upload ${big_mib} MiB, multipart 8 MiB x4" "$t" "$(rate "$big_mib" "$t") MiB/s"
t=$(secs "$BIN" cp big.bin oss://bench-bucket/big-kms.bin --bigfile-threshold 8388608 --meta X-Oss-Server-Side-Encryption:KMS); row "cp upload ${big_mib} MiB, multipart, SSE-KMS" "$t" "$(rate "$big_mib" "$t") MiB/s"
get_url=$("$BIN" sign "oss://bench-bucket/big.bin" --endpoint "$url")
t=$(secs curl -sf -o curl.out "$get_url"); row "curl GET ${big_mib} MiB (one request)" "$t" "$(rate "$big_mib" "$t") MiB/s"
t=$(secs "$BIN" cp oss://bench-bucket/big.bin down1.bin); row "cp download ${big_mib} MiB, one GET" "$t" "$(rate "$big_mib" "$t") MiB/s"
t=$(secs "$BIN" cp oss://bench-bucket/big-mp.bin down2.bin --bigfile-threshold 8388608 --parallel 4); row "cp download ${big_mib} MiB, ranges 8 MiB x4" "$t" "$(rate "$big_mib" "$t") MiB/s"
cmp big.bin down2.bin
for j in 1 3 8; do
  t=$(secs "$BIN" cp -r small "oss://bench-bucket/small-j$j/" -j "$j"); row "cp -r ${small_n} x 4 KiB up, -j $j" "$t" "$(rate "$small_n" "$t") files/s"
done
t=$(secs "$BIN" cp -r oss://bench-bucket/small-j8/ smalldown -j 8); row "cp -r ${small_n} x 4 KiB down, -j 8" "$t" "$(rate "$small_n" "$t") files/s"
