#!/bin/bash
# Configure (once) and build modrun into ${BUILD_DIR:-build}: the build the
# test suite uses, so with the test build's fault injection
# (-Dfault-injection=true: fault points, shortened bounds, allocation
# torture; docs/reliability.md). Release and bench builds leave it off
# (the default).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    meson setup "$BUILD_DIR" -Dfault-injection=true >/dev/null
elif ! meson introspect --buildoptions "$BUILD_DIR" |
        python3 -c 'import json, sys; sys.exit(not any(o["name"] == "fault-injection" and o["value"] for o in json.load(sys.stdin)))'; then
    meson configure "$BUILD_DIR" -Dfault-injection=true >/dev/null
fi
ninja -C "$BUILD_DIR" >/dev/null
