#!/bin/bash
# A wait in a test script must re-check what it waits for: in
# `wait_for test "$(cmd)" = x` the shell runs cmd once, before wait_for,
# which then retries the same answer for 10 s and fails (a flaky test).
# Such waits use wait_until 'EXPR' or a function (tests/integration/lib.sh).
cd "${1:?source root}" || exit 2
hits=$(grep -rnE 'wait_for [^|&;]*[$]\(' --include='*.sh' tests 2>/dev/null |
    grep -vE '^[^:]+:[0-9]+:[[:space:]]*#')
if [ -n "$hits" ]; then
    echo "wait_for with a command substitution evaluated once (use wait_until 'EXPR'):"
    echo "$hits"
    exit 1
fi
echo "every wait re-evaluates its condition"
