#!/bin/bash
# Configure (once), build and test a sanitizer build of modrun:
#
#   tests/sanitize/asan-unit.sh SOURCE_DIR BUILD_DIR [meson test args...]
#
# BUILD_DIR (meson passes <builddir>-asan) is set up by asan-build.sh
# (-Db_sanitize=address,undefined, fault injection on); then its
# 'unit' and 'abi' suites run with leak detection on and UBSan fatal. Any
# failure exits non-zero and prints the logs of the failing tests.
set -uo pipefail
src=${1:?usage: asan-unit.sh SOURCE_DIR BUILD_DIR}
dir=${2:?usage: asan-unit.sh SOURCE_DIR BUILD_DIR}
shift 2

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/asan-build.sh"
asan_build "$src" "$dir" asan-unit || exit 1

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
    asan_print_failures "$dir"
fi
exit $status
