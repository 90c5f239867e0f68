#!/usr/bin/env bash
# Runs the guide's Node.js samples against a local `ossbridge serve`: run.sh SERVER_URL
# (make demo passes its server). The samples are the guide's, with only `require("ossbridge")`
# and `endpoint: process.env.OSS_ENDPOINT` changed (and a stray '.' after `try {` in the
# guide's text removed, which would not parse).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
url=${1:?usage: run.sh SERVER_URL}
export OSS_ENDPOINT=$url
export OSS_ACCESS_KEY_ID=${OSS_ACCESS_KEY_ID:?set OSS_ACCESS_KEY_ID to the server key}
export OSS_ACCESS_KEY_SECRET=${OSS_ACCESS_KEY_SECRET:?set OSS_ACCESS_KEY_SECRET to the server secret}

if ! ls "$root"/bindings/node/ossbridge.*.node >/dev/null 2>&1; then
  bash "$root/bindings/node/build.sh" >&2
fi

# `require("ossbridge")` resolves through NODE_PATH to bindings/node.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/modules"
ln -s "$root/bindings/node" "$work/modules/ossbridge"
export NODE_PATH=$work/modules

# The upload sample reads path.normalize("D:\\examplefile.jpg"): on Linux, a file of that name
# in the working directory.
cd "$work"
head -c 150000 /dev/urandom > 'D:\examplefile.jpg'

node "$here/check.js" before
echo "-- put_bucket_encryption.js"
node "$here/put_bucket_encryption.js"
echo "-- put_object_sse.js"
node "$here/put_object_sse.js"
node "$here/check.js" after 'D:\examplefile.jpg'
echo "-- cse_roundtrip.js (client-side encryption, EncryptionClient)"
node "$here/cse_roundtrip.js"
