#!/bin/sh
# Build the example without make: the same command as the Makefile.
# Usage: ./build.sh [OUTPUT_DIR]   (PKG_CONFIG_PATH must find modrun-plugin.pc)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
cflags=$(${PKG_CONFIG:-pkg-config} --cflags modrun-plugin)
# shellcheck disable=SC2086
${CC:-cc} -O2 -g -Wall -Wextra -shared -fPIC -fvisibility=hidden $cflags \
        -Wl,-z,defs -Wl,--version-script="$here/plugin.map" \
        -o "$out/mount-logged-pivot.so" "$here/logged-pivot.c"
echo "$out/mount-logged-pivot.so"
