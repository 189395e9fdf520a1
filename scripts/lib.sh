# scripts/lib.sh - sourced by the scripts in scripts/.

# quiet CMD...: run CMD with its output kept aside; when it fails, show that
# output and name the command, so the user sees what went wrong (the tools'
# chatter is hidden only while they succeed). Returns CMD's status.
quiet() {
    local log rc=0
    log=$(mktemp "${TMPDIR:-/tmp}/modrun-script.XXXXXX") || return 1
    "$@" >"$log" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        cat "$log" >&2
        echo "${0##*/}: '$*' failed with exit code $rc; its output is above" >&2
    fi
    rm -f "$log"
    return "$rc"
}
