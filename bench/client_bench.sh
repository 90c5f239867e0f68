#!/usr/bin/env bash
# Rust client vs curl: upload/download of one object (1 GiB unless SIZE_MIB is set) against
# `ossbridge serve`, plus the client's peak RSS. Prints a table (core/benches/transfer.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x target/release/ossbridge ] || cargo build --release --locked --bin ossbridge
cargo bench --locked -p ossbridge-core --bench transfer -- --size-mib "${SIZE_MIB:-1024}"
