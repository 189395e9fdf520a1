#!/bin/bash
# curl-style checker: functions we never call in core/, plugins/ or examples/.
# sprintf/strcat/strtok/atoi/gets and friends: unbounded or error-blind.
cd "${1:?source root}" || exit 2
pattern='(^|[^a-z_])(sprintf|vsprintf|strcat|strcpy|strtok|atoi|atol|gets|tmpnam|mktemp)[[:space:]]*\('
hits=$(grep -rnE "$pattern" --include='*.c' --include='*.h' core plugins examples 2>/dev/null)
if [ -n "$hits" ]; then
    echo "banned functions used (use snprintf/asprintf, strtol, strtok_r, mkstemp):"
    echo "$hits"
    exit 1
fi
echo "no banned function used"
