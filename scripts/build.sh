#!/bin/bash
# Configure (once) and build modrun into ${BUILD_DIR:-build}: the build the
# demo and the test suite use, so with -Dwerror=true and the test build's
# fault injection (-Dfault-injection=true: fault points, shortened bounds,
# allocation torture; docs/reliability.md). Release and bench builds leave
# both off (the defaults; docs/building.md).
# The unit tests need cmocka: with it installed (scripts/setup.sh --tests)
# they are required (-Dtests=enabled), without it (the demo's set-up) they
# are left out (auto). A tool that fails shows its output.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
BUILD_DIR=${BUILD_DIR:-build}
tests=auto
pkg-config --exists cmocka 2>/dev/null && tests=enabled
# werror only here: the test build fails on any warning, distributions'
# builds (meson's default) do not.
opts=(-Dfault-injection=true -Dwerror=true -Dtests=$tests)
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    rm -rf "$BUILD_DIR"  # a set-up that failed leaves no build.ninja
    echo "build.sh: meson setup $BUILD_DIR ${opts[*]}" >&2
    quiet meson setup "$BUILD_DIR" "${opts[@]}"
elif ! meson introspect --buildoptions "$BUILD_DIR" | python3 -c 'import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
sys.exit(not (o.get("fault-injection") is True and o.get("werror") is True and o.get("tests") == sys.argv[1]))' "$tests"; then
    echo "build.sh: meson setup --reconfigure $BUILD_DIR ${opts[*]}" >&2
    quiet meson setup --reconfigure "$BUILD_DIR" "${opts[@]}"
fi
quiet ninja -C "$BUILD_DIR"
