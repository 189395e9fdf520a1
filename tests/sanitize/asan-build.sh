# asan-build.sh - sourced by asan-unit.sh and asan-integration.sh:
#   asan_build SOURCE_DIR BUILD_DIR NAME
# configures (once) and builds BUILD_DIR with -Db_sanitize=address,undefined
# -Db_lundef=false --buildtype=debug and the test build's fault injection
# (fault points and bounds; not the allocation torture, whose malloc would
# replace ASan's). Returns non-zero, with the log's tail on stderr, on
# failure.
#
# werror off: at -O0 with the sanitizers gcc warns where the normal build
# (which keeps -Werror) does not, e.g. -Wformat-truncation on snprintf()
# into a fixed buffer; this build is for run-time findings.
asan_build() {
    local src=$1 dir=$2 name=$3 cmd
    local opts=(-Db_sanitize=address,undefined -Db_lundef=false --buildtype=debug -Dwerror=false
                -Dfault-injection=true)
    if [ ! -f "$dir/build.ninja" ]; then
        rm -rf "$dir" && mkdir -p "$dir"
        echo "$name: meson setup $dir" >&2
        cmd=(meson setup "$dir" "$src" "${opts[@]}")
    else # --reconfigure: also knows options added since the directory was set up
        cmd=(meson setup --reconfigure "$dir" "$src" "${opts[@]}")
    fi
    if ! "${cmd[@]}" >"$dir/asan-setup.log" 2>&1; then
        cat "$dir/asan-setup.log" >&2
        echo "$name: ${cmd[*]} failed" >&2
        return 1
    fi
    echo "$name: building $dir" >&2
    if ! meson compile -C "$dir" >"$dir/asan-build.log" 2>&1; then
        tail -60 "$dir/asan-build.log" >&2
        echo "$name: build failed" >&2
        return 1
    fi
}

# The failing tests of the last `meson test` in dir, with their output.
asan_print_failures() {
    python3 - "$1/meson-logs/testlog.json" >&2 <<'PY' || true
import json, sys
for line in open(sys.argv[1]):
    if not line.strip():
        continue
    t = json.loads(line)
    if t.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL"):
        print("==== %s: %s" % (t.get("name"), t.get("result")))
        out = (t.get("stdout") or "") + (t.get("stderr") or "")
        print(out[-6000:])
PY
}
