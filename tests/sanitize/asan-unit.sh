#!/bin/bash
# Configure (once), build and test a sanitizer build of modrun:
#
#   tests/sanitize/asan-unit.sh SOURCE_DIR BUILD_DIR [meson test args...]
#
# BUILD_DIR (meson passes <builddir>-asan) is set up with
# -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debug; then its
# 'unit' and 'abi' suites run with leak detection on and UBSan fatal. Any
# failure exits non-zero and prints the logs of the failing tests.
set -uo pipefail
src=${1:?usage: asan-unit.sh SOURCE_DIR BUILD_DIR}
dir=${2:?usage: asan-unit.sh SOURCE_DIR BUILD_DIR}
shift 2

# werror off: at -O0 with the sanitizers gcc warns where the normal build
# (which keeps -Werror) does not, e.g. -Wformat-truncation on snprintf()
# into a fixed buffer; this build is for run-time findings.
opts=(-Db_sanitize=address,undefined -Db_lundef=false --buildtype=debug -Dwerror=false)
if [ ! -f "$dir/build.ninja" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    echo "asan-unit: meson setup $dir" >&2
    cmd=(meson setup "$dir" "$src" "${opts[@]}")
else
    cmd=(meson configure "$dir" "${opts[@]}")
fi
if ! "${cmd[@]}" >"$dir/asan-setup.log" 2>&1; then
    cat "$dir/asan-setup.log" >&2
    echo "asan-unit: ${cmd[*]} failed" >&2
    exit 1
fi
echo "asan-unit: building $dir" >&2
if ! meson compile -C "$dir" >"$dir/asan-build.log" 2>&1; then
    tail -60 "$dir/asan-build.log" >&2
    echo "asan-unit: build failed" >&2
    exit 1
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# fast_unwind_on_malloc=0: full allocation stacks through libraries built
# without frame pointers (json-c), which the suppressions need.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=1:fast_unwind_on_malloc=0
export LSAN_OPTIONS=suppressions=$here/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# Not the outer meson test's settings: this is its own test run.
unset MESON_TESTTHREADS
status=0
meson test -C "$dir" --suite unit --suite abi --no-rebuild --print-errorlogs --num-processes 2 "$@" || status=$?
if [ $status -ne 0 ]; then
    echo "asan-unit: failures in $dir (full log: $dir/meson-logs/testlog.txt)" >&2
    python3 - "$dir/meson-logs/testlog.json" >&2 <<'PY' || true
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
fi
exit $status
