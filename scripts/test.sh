#!/bin/bash
# The whole test suite: unit, abi, integration (as root, on this kernel) and
# vm (qemu). Ends with "N passed, N failed, N skipped" counted from meson.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests || exit 1
scripts/build.sh || exit 1
status=0
meson test -C build --print-errorlogs --num-processes 2 --no-rebuild "$@" || status=$?
python3 - build/meson-logs/testlog.json <<'PY'
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
    r = json.loads(line).get("result", "")
    if r in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif r == "SKIP":
        skipped += 1
    else:
        failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
