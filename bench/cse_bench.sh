#!/usr/bin/env bash
# Client-side encryption benchmark: raw cipher throughput of both formats next to aws-lc-rs
# AES-256-CTR / AES-256-GCM, and 1 GiB encrypted upload_file/download_file next to plain
# ones through `ossbridge serve` (needs target/release/ossbridge: make build).
# Arguments: --raw-mib N[,N...] (default 1,8) for the raw tables, --size-mib N (default 1024) for the transfers.
# Then, unless --raw-only, the paired transfer table (CSE_PAIRED_ROUNDS rounds, default 3).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
export OSSBRIDGE_BIN="${OSSBRIDGE_BIN:-$REPO/target/release/ossbridge}"
cargo bench --locked -q -p ossbridge-core --bench cse_bench -- "$@"
# The same transfers with the clients taking turns and the page cache flushed before each
# one (core/benches/cse_paired.rs): on a shared machine the fairer comparison.
case " $* " in
*" --raw-only "*) ;;
*)
  size=1024
  prev=""
  for a in "$@"; do [ "$prev" = "--size-mib" ] && size="$a"; prev="$a"; done
  CSE_PAIRED_MIB="$size" cargo test --locked --release -q -p ossbridge-core --bench cse_paired \
    -- --ignored --nocapture 2>&1 | grep '^[|#]'
  ;;
esac
