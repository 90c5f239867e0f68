#!/usr/bin/env bash
# The guide's flows through the C API against a local server: `bash examples/c/run.sh URL`
# (make demo passes it). Installs the library into a scratch prefix and builds the example the
# usual way, with pkg-config.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
url=${1:?usage: run.sh SERVER_URL}
: "${OSS_ACCESS_KEY_ID:?set OSS_ACCESS_KEY_ID (the key of the local server)}" "${OSS_ACCESS_KEY_SECRET:?set OSS_ACCESS_KEY_SECRET}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash "$root/bindings/c/install.sh" "$work/prefix" release >/dev/null
export PKG_CONFIG_PATH=$work/prefix/lib/pkgconfig
gcc -std=c11 -Wall -Wextra -Werror "$here/sse_demo.c" -o "$work/sse_demo" \
  $(pkg-config --cflags --libs ossbridge) -Wl,-rpath,"$work/prefix/lib"
"$work/sse_demo" "$url"
