#!/usr/bin/env bash
# The guide's ossutil steps with `ossbridge` against a local server:
# `bash examples/cli/run.sh http://127.0.0.1:PORT` (make demo passes it).
#   1. bucket-encryption: enable (and read back) a bucket's default encryption;
#   2. cp --meta: upload an object with its own encryption method;
#   3. FAQ: encrypt an existing object by copying it onto itself (set-meta);
# plus config, mb, ls, stat, a recursive cp both ways, --json, rm and the exit statuses.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
url=${1:?usage: run.sh SERVER_URL}
: "${OSS_ACCESS_KEY_ID:?set OSS_ACCESS_KEY_ID (the key of the local server)}" "${OSS_ACCESS_KEY_SECRET:?set OSS_ACCESS_KEY_SECRET}"
BIN=${OSSBRIDGE_BIN:-$root/target/release/ossbridge}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cfg=$work/ossutilconfig

# Shows a command the way a user would type it, then runs it with the config file.
run() {
  printf '\n$ ossbridge %s\n' "$*"
  "$BIN" "$@" -c "$cfg"
}

printf '\n$ ossbridge config -e %s -i %s -k *** --region %s\n' "$url" "$OSS_ACCESS_KEY_ID" "${OSS_REGION:-cn-hangzhou}"
"$BIN" config -c "$cfg" -e "$url" -i "$OSS_ACCESS_KEY_ID" -k "$OSS_ACCESS_KEY_SECRET" --region "${OSS_REGION:-cn-hangzhou}"
sed 's/^accessKeySecret=.*/accessKeySecret=***/' "$cfg"

# A CMK of the local KMS (the guide uses a KMS key id from the console).
if [ -n "${OSSBRIDGE_DEMO_DATA_DIR:-}" ]; then
  key_id=$("$BIN" kms create-key --data-dir "$OSSBRIDGE_DEMO_DATA_DIR")
else
  key_id=""
fi

bucket=ossutil-demo-bucket
plain=ossutil-demo-plain
run mb "oss://$bucket"
run mb "oss://$plain"

echo; echo "# Method 1: enable server-side encryption for an existing bucket"
run bucket-encryption --method put "oss://$bucket" --sse-algorithm KMS --kms-data-encryption SM4 \
  ${key_id:+--kms-masterkey-id "$key_id"}
run bucket-encryption --method get "oss://$bucket"
run stat "oss://$bucket"

echo; echo "# Method 2: specify the encryption method of an object when uploading it"
head -c 3000000 /dev/urandom > examplefile.txt
meta="X-Oss-Server-Side-Encryption:KMS${key_id:+#X-Oss-Server-Side-Encryption-Key-Id:$key_id}#X-Oss-Server-Side-Data-Encryption:SM4"
run cp examplefile.txt "oss://$plain/exampleobject.txt" --meta "$meta"
run stat "oss://$plain/exampleobject.txt"

echo; echo "# FAQ: encrypt an existing object by overwriting it with CopyObject"
echo "unencrypted until now" > existing.txt
run cp existing.txt "oss://$plain/existing.txt"
run stat "oss://$plain/existing.txt"
run set-meta "oss://$plain/existing.txt" "X-Oss-Server-Side-Encryption:KMS${key_id:+#X-Oss-Server-Side-Encryption-Key-Id:$key_id}" --update
run stat "oss://$plain/existing.txt"

echo; echo "# A tree up and down; objects in the bucket pick up its default encryption"
mkdir -p tree/docs tree/img
echo "hello" > tree/docs/a.txt; echo "world" > tree/docs/b.txt; head -c 200000 /dev/urandom > tree/img/c.bin
run cp -r tree "oss://$bucket/tree"
run ls "oss://$bucket"
run ls -d "oss://$bucket/tree/"
run cp -r "oss://$bucket/tree/" restored/
diff -r tree restored && echo "restored tree matches"
run stat "oss://$bucket/tree/img/c.bin" --json

echo; echo "# Errors: a service error exits 1 (code, message, request id); bad usage exits 2"
set +e
run stat "oss://$plain/no-such-object"; echo "exit status: $?"
run cp examplefile.txt "oss://$plain/x" --meta "X-Oss-Server-Side-Encryption:AES256#X-Oss-Server-Side-Encryption-Key-Id:k"; echo "exit status: $?"
set -e

run rm -r -b "oss://$bucket"
run rm -r -b "oss://$plain"
run ls
