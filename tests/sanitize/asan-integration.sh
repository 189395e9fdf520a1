#!/bin/bash
# The integration tests that matter most, run against the ASan+UBSan build:
#
#   tests/sanitize/asan-integration.sh SOURCE_DIR BUILD_DIR [test names...]
#
# BUILD_DIR is the same <builddir>-asan as asan-unit.sh (asan-build.sh
# configures and builds it). Leak detection is on, UBSan errors are fatal,
# and every report goes to a file (log_path), because many commands of
# these tests are expected to fail: an exit status alone would hide a leak
# report of `modrun create` of a bad bundle. Any report fails the test and
# is printed. Without root the integration tests skip, and so does this.
set -uo pipefail
src=${1:?usage: asan-integration.sh SOURCE_DIR BUILD_DIR [tests...]}
dir=${2:?usage: asan-integration.sh SOURCE_DIR BUILD_DIR [tests...]}
shift 2
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(lifecycle run bad-input exec cgroupfs hooks faults bounded-waits)
[ "$(id -u)" -eq 0 ] || { echo "SKIP: the integration tests need root"; exit 77; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/asan-build.sh"
asan_build "$src" "$dir" asan-integration || exit 1

logs=$dir/asan-integration-reports
rm -rf "$logs" && mkdir -p "$logs"
# detect_stack_use_after_return off: its fake stacks do not mix with the
# fork-like clone() of the helper; the unit run has it on.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:fast_unwind_on_malloc=0:log_path=$logs/asan
export LSAN_OPTIONS=suppressions=$here/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan
unset MESON_TESTTHREADS
status=0
meson test -C "$dir" --no-rebuild --print-errorlogs --num-processes 1 "${tests[@]}" || status=$?
if [ $status -ne 0 ]; then
    echo "asan-integration: failures in $dir (full log: $dir/meson-logs/testlog.txt)" >&2
    asan_print_failures "$dir"
fi
reports=$(find "$logs" -type f | sort)
if [ -n "$reports" ]; then
    status=1
    echo "asan-integration: sanitizer reports ($logs):" >&2
    for f in $reports; do
        echo "==== $f" >&2
        head -80 "$f" >&2
    done
fi
[ $status -eq 0 ] && echo "asan-integration: ${tests[*]}: clean (no sanitizer report)"
exit $status
