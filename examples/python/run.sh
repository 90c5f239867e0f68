#!/usr/bin/env bash
# The guide's Python samples (put_bucket_encryption.py, put_object_with_sse.py) against a local
# server: `bash examples/python/run.sh http://127.0.0.1:PORT` (make demo passes it). The samples
# are the guide's text with only the import (`import ossbridge as oss2`) and the endpoint
# (OSS_ENDPOINT) changed; this script creates the buckets and the local file they expect.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
url=${1:?usage: run.sh SERVER_URL}
export OSS_ENDPOINT=$url
: "${OSS_ACCESS_KEY_ID:?set OSS_ACCESS_KEY_ID (the key of the local server)}" "${OSS_ACCESS_KEY_SECRET:?set OSS_ACCESS_KEY_SECRET}"
source "$root/bindings/python/setup-venv.sh" dev

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The sample opens 'D:\examplefile.jpg' relative to its working directory: on Linux that is
# a plain file name with a backslash in it.
python - "$work/D:\\examplefile.jpg" <<'PY'
import os, sys
import ossbridge
from ossbridge.credentials import EnvironmentVariableCredentialsProvider
with open(sys.argv[1], "wb") as f:
    f.write(os.urandom(5000))
auth = ossbridge.ProviderAuth(EnvironmentVariableCredentialsProvider())
for name in ("examplebucket", "examplebucket0703"):
    bucket = ossbridge.Bucket(auth, os.environ["OSS_ENDPOINT"], name)
    try:
        bucket.create_bucket()
    except ossbridge.exceptions.Conflict:
        pass  # already there (demo run twice on one data dir)
PY

echo "--- put_bucket_encryption.py (bucket examplebucket: default encryption AES256)"
(cd "$work" && python "$here/put_bucket_encryption.py")
echo "--- put_object_with_sse.py (bytes 1000.. of a local file, x-oss-server-side-encryption: AES256)"
(cd "$work" && python "$here/put_object_with_sse.py")

echo "--- what OSS now reports"
python - <<'PY'
import os
import ossbridge
from ossbridge.credentials import EnvironmentVariableCredentialsProvider
auth = ossbridge.ProviderAuth(EnvironmentVariableCredentialsProvider())
endpoint = os.environ["OSS_ENDPOINT"]
rule = ossbridge.Bucket(auth, endpoint, "examplebucket").get_bucket_encryption()
print(f"examplebucket encryption rule: sse_algorithm={rule.sse_algorithm} kms_master_keyid={rule.kms_master_keyid!r}")
head = ossbridge.Bucket(auth, endpoint, "examplebucket0703").head_object("exampledir/object1.jpg")
print(f"examplebucket0703/exampledir/object1.jpg: {head.content_length} bytes, "
      f"server_side_encryption={head.server_side_encryption}, crc64={head.crc}, request_id={head.request_id}")
assert head.content_length == 4000 and head.server_side_encryption == "AES256"
PY

echo "--- client-side encryption (cse_roundtrip.py: oss2's CryptoBucket + RsaProvider)"
python "$here/cse_roundtrip.py" "$root/tests/vectors/cse/keys"
