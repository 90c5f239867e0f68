#!/usr/bin/env bash
# The guide's C++ sample (set_bucket_encryption.cpp: the guide's text with only the include, the
# namespace and the endpoint changed) and two more C++ flows, against a local server:
# `bash examples/cpp/run.sh URL` (make demo passes it). Builds them with CMake's
# find_package(ossbridge) from a scratch install.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
url=${1:?usage: run.sh SERVER_URL}
export OSS_ENDPOINT=$url
: "${OSS_ACCESS_KEY_ID:?set OSS_ACCESS_KEY_ID (the key of the local server)}" "${OSS_ACCESS_KEY_SECRET:?set OSS_ACCESS_KEY_SECRET}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash "$root/bindings/c/install.sh" "$work/prefix" release >/dev/null
cmake -S "$here" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" -j2 >/dev/null
echo "--- put_object_sse (ObjectMetaData::addHeader(\"x-oss-server-side-encryption\", \"AES256\"))"
"$work/build/put_object_sse"
echo "--- set_bucket_encryption (the guide's C++ sample: SSEAlgorithm::KMS on examplebucket)"
"$work/build/set_bucket_encryption"
echo "--- get_bucket_encryption"
"$work/build/get_bucket_encryption"
