#!/usr/bin/env bash
# The guide's SSE flows through the Rust client (core/examples/sse_guide.rs) against the
# server at $1. Credentials come from OSS_ACCESS_KEY_ID / OSS_ACCESS_KEY_SECRET.
set -euo pipefail
cd "$(dirname "$0")/../.."
url=${1:?usage: examples/rust/run.sh SERVER_URL}
cmk=demo-cmk
# A named CMK for the "KMS with a specified CMK" flows, in the demo server's local KMS.
if [ -n "${OSSBRIDGE_DEMO_DATA_DIR:-}" ]; then
  cmk=$(target/release/ossbridge kms create-key --data-dir "$OSSBRIDGE_DEMO_DATA_DIR" --alias "rust-demo-$$" | tail -n1)
fi
cargo run --quiet --locked -p ossbridge-core --example sse_guide -- "$url" "$cmk"
echo "-- client-side encryption (core/examples/cse_roundtrip.rs)"
cargo run --quiet --locked -p ossbridge-core --example cse_roundtrip -- "$url" "$cmk"
