#!/bin/bash
# Configure (once) and build modrun into ${BUILD_DIR:-build}: the build the
# test suite uses, so with -Dwerror=true and the test build's fault
# injection (-Dfault-injection=true: fault points, shortened bounds,
# allocation torture; docs/reliability.md). Release and bench builds leave
# both off (the defaults).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
# werror only here: the test build fails on any warning, distributions'
# builds (meson's default) do not.
opts=(-Dfault-injection=true -Dwerror=true)
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    meson setup "$BUILD_DIR" "${opts[@]}" >/dev/null
elif ! meson introspect --buildoptions "$BUILD_DIR" | python3 -c 'import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
sys.exit(not (o.get("fault-injection") and o.get("werror")))'; then
    meson configure "$BUILD_DIR" "${opts[@]}" >/dev/null
fi
ninja -C "$BUILD_DIR" >/dev/null
