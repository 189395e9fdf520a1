#!/bin/bash
# The demo: build modrun, make a busybox bundle, run a container that shows
# its hostname, its PID 1 and its mounts, and exits with a chosen code.
# usage: scripts/demo.sh [EXIT_CODE]   (default 42)
# Installs what it needs first (scripts/setup.sh: the build's packages,
# busybox, python3); builds into ${BUILD_DIR:-build} (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
code=${1:-42}
export BUILD_DIR=${BUILD_DIR:-build}
scripts/setup.sh
scripts/build.sh
work=$PWD/_work/demo
rm -rf "$work"; mkdir -p "$work"
scripts/make-bundle.sh "$work/bundle" "$BUILD_DIR/core/modrun"
python3 - "$work/bundle/config.json" "$code" <<'PY'
import json, sys
p, code = sys.argv[1], sys.argv[2]
c = json.load(open(p))
c["hostname"] = "modrun-demo"
c["process"]["args"] = ["sh", "-c",
    'echo "hostname: $(hostname)"; echo "my pid: $$ ($(cat /proc/1/comm) is pid 1)"; '
    'echo "mounts:"; cat /proc/self/mounts | sed "s/^/  /"; exit ' + code]
json.dump(c, open(p, "w"), indent=2)
PY
set +e
"$BUILD_DIR/core/modrun" --root "$work/state" --plugin-dir "$BUILD_DIR/plugins" run --bundle "$work/bundle" demo
rc=$?
set -e
echo "demo: the container exited with code $rc (asked for $code)"
[ "$rc" -eq "$code" ]
