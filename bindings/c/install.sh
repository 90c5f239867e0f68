#!/usr/bin/env bash
# Installs the C library the usual way: install.sh PREFIX [PROFILE]
#   PREFIX/include/ossbridge.h, ossbridge.hpp
#   PREFIX/lib/libossbridge.so, libossbridge.a
#   PREFIX/lib/pkgconfig/ossbridge.pc
#   PREFIX/lib/cmake/ossbridge/ossbridgeConfig.cmake, ossbridgeConfigVersion.cmake
# Builds the library first (cargo, PROFILE release by default).
set -euo pipefail
prefix=${1:?usage: install.sh PREFIX [release|debug]}
profile=${2:-release}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cargo_flags=(--locked -p ossbridge-c)
[ "$profile" = release ] && cargo_flags+=(--release)
(cd "$root" && ${CARGO:-cargo} build "${cargo_flags[@]}")
target_dir=${CARGO_TARGET_DIR:-$root/target}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n1)

mkdir -p "$prefix/include" "$prefix/lib/pkgconfig" "$prefix/lib/cmake/ossbridge"
prefix=$(cd "$prefix" && pwd)
install -m 644 "$root/include/ossbridge.h" "$root/include/ossbridge.hpp" "$prefix/include/"
install -m 755 "$target_dir/$profile/libossbridge.so" "$prefix/lib/"
install -m 644 "$target_dir/$profile/libossbridge.a" "$prefix/lib/"
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" "$here/ossbridge.pc.in" >"$prefix/lib/pkgconfig/ossbridge.pc"
install -m 644 "$here/cmake/ossbridgeConfig.cmake" "$prefix/lib/cmake/ossbridge/"
sed -e "s|@VERSION@|$version|" "$here/cmake/ossbridgeConfigVersion.cmake.in" \
  >"$prefix/lib/cmake/ossbridge/ossbridgeConfigVersion.cmake"
echo "installed ossbridge $version into $prefix"
