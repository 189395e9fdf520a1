#!/bin/bash
# The out-of-tree example plugin, end to end:
#   1. `meson install --destdir` the build tree given as $1,
#   2. build examples/mount-logged-pivot through pkg-config alone (against
#      the installed modrun-plugin.pc and header, nothing of the source tree),
#   3. install it root-owned, mode 0755, into a private plugin directory,
#   4. run a busybox container with --plugin mount=logged-pivot and check the
#      output and the --debug explanation of the choice.
# Needs $MODRUN (the built binary). Exit 77 (skip) when not root, after the
# install and build steps, which need no privileges.
set -euo pipefail

BUILD=${1:?usage: example-plugin.sh BUILD_DIR}
MODRUN=${MODRUN:?set MODRUN to the modrun binary}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
EXAMPLE=$HERE/../../examples/mount-logged-pivot

TMP=$(mktemp -d /tmp/modrun-example.XXXXXX)
cleanup() {
        if [ -d "$TMP/state" ]; then
                timeout 30 "$MODRUN" --root "$TMP/state" delete --force exampletest >/dev/null 2>&1 || true
        fi
        rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
        echo "FAIL: $*" >&2
        exit 1
}

# 1. install into a staging root
echo "== meson install --destdir $TMP/dest"
meson install -C "$BUILD" --destdir "$TMP/dest" --quiet >"$TMP/install.log" 2>&1 ||
        { cat "$TMP/install.log"; fail "meson install --destdir failed"; }
pc=$(find "$TMP/dest" -name modrun-plugin.pc -print -quit)
[ -n "$pc" ] || fail "modrun-plugin.pc was not installed"

# 2. build through pkg-config alone; the sysroot makes its -I point into the destdir
export PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_SYSROOT_DIR=$TMP/dest
export PKG_CONFIG_LIBDIR=$PKG_CONFIG_PATH
cflags=$(pkg-config --cflags modrun-plugin) || fail "pkg-config --cflags modrun-plugin failed"
echo "== pkg-config --cflags modrun-plugin: $cflags"
case "$cflags" in
*"$TMP/dest"*) ;;
*) fail "pkg-config cflags do not point into the staged install: $cflags" ;;
esac
hdr=$(find "$TMP/dest" -path '*/modrun/plugin.h' -print -quit)
[ -n "$hdr" ] || fail "modrun/plugin.h was not installed"
mkdir -p "$TMP/build"
cp "$EXAMPLE/logged-pivot.c" "$EXAMPLE/plugin.map" "$EXAMPLE/build.sh" "$TMP/build/"
sh "$TMP/build/build.sh" "$TMP/build" || fail "building the example through pkg-config failed"
so=$TMP/build/mount-logged-pivot.so
exported=$(nm -D --defined-only "$so" | awk '{print $3}' | sort | tr '\n' ' ')
[ "$exported" = "modrun_plugin " ] || fail "the example exports '$exported', expected only modrun_plugin"

# 3. a private plugin directory: root-owned, 0755
PLUGINDIR=$TMP/plugins
install -d -m 0755 "$PLUGINDIR"
install -m 0755 "$so" "$PLUGINDIR/"
echo "== built and installed $PLUGINDIR/mount-logged-pivot.so"

if [ "$(id -u)" != 0 ]; then
        echo "not root: cannot run a container, skipping the run"
        exit 77
fi
chown root:root "$PLUGINDIR" "$PLUGINDIR/mount-logged-pivot.so"

# 4. a busybox bundle
BUSYBOX=/bin/busybox
if ! file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked'; then
        apt-get install -y busybox-static >/dev/null 2>&1 || true
fi
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' || fail "a static $BUSYBOX is needed (apt-get install busybox-static)"
BUNDLE=$TMP/bundle
mkdir -p "$BUNDLE/rootfs/bin" "$BUNDLE/rootfs/proc" "$BUNDLE/rootfs/dev" "$BUNDLE/rootfs/sys" \
        "$BUNDLE/rootfs/tmp" "$BUNDLE/rootfs/etc"
cp "$BUSYBOX" "$BUNDLE/rootfs/bin/busybox"
for t in sh echo cat ls mount true; do
        ln -s busybox "$BUNDLE/rootfs/bin/$t"
done
(cd "$BUNDLE" && "$MODRUN" spec) || fail "modrun spec failed"
[ -f "$BUNDLE/config.json" ] || fail "modrun spec wrote no config.json"
python3 - "$BUNDLE/config.json" <<'PY'
import json, sys
path = sys.argv[1]
with open(path) as f:
    cfg = json.load(f)
cfg["process"]["args"] = ["sh", "-c", "echo example-plugin-ok"]
cfg["process"]["terminal"] = False
cfg["root"] = {"path": "rootfs", "readonly": False}
with open(path, "w") as f:
    json.dump(cfg, f, indent=2)
PY

echo "== modrun --debug --plugin mount=logged-pivot run"
rc=0
timeout 60 "$MODRUN" --debug --root "$TMP/state" --plugin-dir "$PLUGINDIR" --plugin mount=logged-pivot \
        --plugin cgroup=disabled run --bundle "$BUNDLE" exampletest >"$TMP/out" 2>&1 </dev/null || rc=$?
cat "$TMP/out"
[ "$rc" = 0 ] || fail "modrun run exited with $rc"
grep -q 'example-plugin-ok' "$TMP/out" || fail "the container's output example-plugin-ok is missing"
grep -q 'mount strategy: logged-pivot (--plugin' "$TMP/out" ||
        fail "--debug does not say that mount strategy logged-pivot was chosen by --plugin"
echo "PASS: example plugin built through pkg-config and used by modrun run"
