#!/usr/bin/env bash
# The C and C++ suite (`make test-c`): header freshness, Rust unit tests of the binding, the plain
# C tests linked against the static and (under valgrind) the shared library, the C++ GoogleTest
# tests through CMake's find_package(ossbridge), and a pkg-config build; all against a local
# `ossbridge serve`. Installs what is missing (cmake, g++, GoogleTest, valgrind, pkg-config) from
# Debian's packages when run as root.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
CARGO=${CARGO:-cargo}
BIN=$root/target/release/ossbridge

need=()
command -v cmake >/dev/null || need+=(cmake)
command -v g++ >/dev/null || need+=(g++)
command -v valgrind >/dev/null || need+=(valgrind)
command -v pkg-config >/dev/null || need+=(pkg-config)
[ -f /usr/include/gtest/gtest.h ] || need+=(libgtest-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing tools: ${need[*]} (install them, e.g. apt-get install ${need[*]})" >&2
    exit 1
  fi
fi

echo "== header freshness and binding unit tests"
$CARGO test --locked -p ossbridge-c

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== install into a scratch prefix (pkg-config file, CMake package)"
prefix=$work/prefix
bash bindings/c/install.sh "$prefix" release
[ -x "$BIN" ] || $CARGO build --locked --release --bin ossbridge

export OSSBRIDGE_TEST_ACCESS_KEY_ID=LTAI5tCTESTACCESSKEY
export OSSBRIDGE_TEST_RSA_KEY_DIR=$root/tests/vectors/cse/keys
export OSSBRIDGE_TEST_ACCESS_KEY_SECRET=cTestAccessKeySecret0123456789
mkdir -p "$work/data" "$work/files"
OSSBRIDGE_TEST_KMS_KEY_ID=$("$BIN" kms create-key --data-dir "$work/data" --alias c-tests)
export OSSBRIDGE_TEST_KMS_KEY_ID
OSSBRIDGE_SERVER_DEBUG_CORRUPT_SUFFIX=.corrupt "$BIN" serve --addr 127.0.0.1:0 --data-dir "$work/data" \
  --access-key-id "$OSSBRIDGE_TEST_ACCESS_KEY_ID" --access-key-secret "$OSSBRIDGE_TEST_ACCESS_KEY_SECRET" \
  >"$work/server.log" 2>&1 &
server_pid=$!
url=
for _ in $(seq 1 100); do
  url=$(head -n1 "$work/server.log" | sed -n 's/^listening on //p')
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; echo "server failed to start" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "server did not print its address" >&2; exit 1; }
export OSSBRIDGE_TEST_ENDPOINT=$url OSSBRIDGE_TEST_TMPDIR=$work/files
echo "server at $url"

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
cflags=(-std=c11 -Wall -Wextra -Werror -pedantic -g $(pkg-config --cflags ossbridge))

echo "== C tests, static library (pkg-config --static)"
gcc "${cflags[@]}" tests/c/test_ossbridge.c -o "$work/test_c_static" \
  $(pkg-config --libs-only-L ossbridge) -Wl,-Bstatic -lossbridge -Wl,-Bdynamic \
  $(pkg-config --static --libs-only-l ossbridge | sed 's/-lossbridge//')
"$work/test_c_static"

echo "== C tests, shared library, under valgrind (memcheck: leaks and errors fail the run)"
gcc "${cflags[@]}" tests/c/test_ossbridge.c -o "$work/test_c_shared" $(pkg-config --libs ossbridge) \
  -Wl,-rpath,"$prefix/lib" -lpthread
valgrind --quiet --error-exitcode=3 --leak-check=full --show-leak-kinds=definite,indirect,possible \
  --errors-for-leak-kinds=definite,indirect,possible "$work/test_c_shared"

echo "== the guide's C++ sample: only the include, the namespace and the endpoint differ, and it builds"
changed=$(diff tests/c/guide_sample_set_bucket_encryption.cpp.txt examples/cpp/set_bucket_encryption.cpp | grep '^[<>]' || true)
expected='< #include <alibabacloud/oss/OssClient.h>
< using namespace AlibabaCloud::OSS;
> #include <ossbridge.hpp>
> using namespace ossbridge;
<     std::string Endpoint = "https://oss-cn-hangzhou.aliyuncs.com";
>     std::string Endpoint = std::getenv("OSS_ENDPOINT");'
if [ "$changed" != "$expected" ]; then
  echo "examples/cpp/set_bucket_encryption.cpp drifted from the guide's sample:" >&2
  echo "$changed" >&2
  exit 1
fi
g++ -std=c++17 -Wall -Wextra -Werror $(pkg-config --cflags ossbridge) examples/cpp/set_bucket_encryption.cpp \
  -o "$work/guide_sample" $(pkg-config --libs ossbridge) -Wl,-rpath,"$prefix/lib"
# No examplebucket on this server: the sample must report OSS's error the way the guide prints it.
# (Its success path is the GoogleTest GuideSampleSetBucketEncryptionKms and `make demo`.)
out=$(OSS_ENDPOINT=$url OSS_ACCESS_KEY_ID=$OSSBRIDGE_TEST_ACCESS_KEY_ID \
  OSS_ACCESS_KEY_SECRET=$OSSBRIDGE_TEST_ACCESS_KEY_SECRET "$work/guide_sample" || true)
echo "$out"
echo "$out" | grep -Eq '^SetBucketEncryption fail,code:NoSuchBucket,message:.+,requestId:[0-9A-F]{24}$' \
  || { echo "the guide sample did not report NoSuchBucket with a request id" >&2; exit 1; }

echo "== C++ tests (GoogleTest via CMake find_package(ossbridge))"
cmake -S tests/c/cpp -B "$work/cpp-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$work/cpp-build" -j2 >/dev/null
(cd "$work/cpp-build" && ctest --output-on-failure)
