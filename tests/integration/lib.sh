# lib.sh - shared by the integration tests: each test is its own process,
# runs the built modrun as root against a busybox bundle it makes itself, and
# checks what the kernel shows. Exit 0 pass, 1 fail, 77 skip.
# Environment (set by meson): MODRUN (binary), RUNTIME_BIN, PLUGIN_DIR, SOURCE_ROOT.
set -uo pipefail

[ "$(id -u)" -eq 0 ] || { echo "SKIP: integration tests need root"; exit 77; }
[ -x /bin/busybox ] || { echo "SKIP: /bin/busybox missing (apt-get install busybox-static)"; exit 77; }

# The runtime's own file, which the checks of what the binary holds read
# (meson sets it: beside modrun where modrun is the launcher, core/launcher/,
# else modrun itself).
RUNTIME_BIN=${RUNTIME_BIN:-$MODRUN}

T=$(mktemp -d /tmp/modrun-it.XXXXXX)
ROOT=$T/state
BUNDLE=$T/bundle
FAILED=0
BG_PIDS=""   # background helpers of a test, killed at the end
trap 'it_cleanup' EXIT

fail() { echo "FAIL: $*" >&2; FAILED=1; }
pass() { echo "ok: $*"; }
die() { echo "FAIL: $*" >&2; exit 1; }

# modrun with the test's state root and the build tree's plugins
mr() { timeout -k 5 60 "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" "$@"; }

make_bundle() { # make_bundle [DIR]
    local dir=${1:-$BUNDLE}
    bash "$SOURCE_ROOT/scripts/make-bundle.sh" "$dir" "$MODRUN" >/dev/null || die "make-bundle $dir"
}

# edit config.json with a python expression on c, e.g.
#   config 'c["process"]["args"] = ["true"]'
config() {
    local file=${CONFIG_FILE:-$BUNDLE/config.json}
    python3 - "$file" "$1" <<'PY' || die "config edit: $1"
import json, sys
_path, _expr = sys.argv[1], sys.argv[2]
c = json.load(open(_path))
def ns(t):
    return [n for n in c["linux"]["namespaces"] if n["type"] == t]
exec(_expr)
json.dump(c, open(_path, "w"), indent=2)
PY
}

args() { # args CMD...: set process.args
    local a; a=$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "$@")
    config "c['process']['args'] = $a"
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi; }
# expect_match WHAT REGEX TEXT
# (a here-string, not `printf | grep -q`: bash's printf writes line by line,
# and a grep that stops at its first match makes the next write a SIGPIPE,
# which pipefail turns into "no match")
expect_match() { if grep -qE -- "$2" <<<"$3"; then pass "$1"; else fail "$1: '$2' not in: $3"; fi; }
expect_no_match() { if grep -qE -- "$2" <<<"$3"; then fail "$1: '$2' unexpectedly in: $3"; else pass "$1"; fi; }

# run_traced ID EVENTS [GLOBAL-OPTION...]: `run` of $BUNDLE as ID under
# `strace -f`, the system calls EVENTS (strace's -e trace=) in $T/trace-ID
run_traced() {
    local id=$1 events=$2; shift 2
    timeout -k 5 60 strace -f -qq -o "$T/trace-$id" -e trace="$events" \
        "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" "$@" run --bundle "$BUNDLE" "$id" >/dev/null 2>&1 ||
        fail "run $id under strace"
}
state_field() { # state_field ID FIELD
    mr state "$1" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$2"
}

# status_is ID STATUS: for wait_for (re-reads the state each time)
status_is() { [ "$(state_field "$1" status)" = "$2" ]; }

proc_field() { # proc_field PID FIELD (from /proc/PID/status)
    awk -v f="$2:" '$1 == f { $1 = ""; sub(/^[ \t]+/, ""); print; exit }' "/proc/$1/status"
}

# wait_for CMD... : up to 10 s
wait_for() {
    local i
    for i in $(seq 100); do "$@" && return 0; sleep 0.1; done
    return 1
}
# wait_until 'EXPR' : wait_for, the shell expression evaluated anew on each
# try (in `wait_for test "$(cmd)"` the substitution runs only once)
wait_until() { wait_for eval "$1"; }
# gone PID : the process has exited (no longer there, or a zombie)
gone() { [ ! -e "/proc/$1/stat" ] || [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]; }

# Nothing may be left behind: no state directory, no process whose root is
# in the bundle, no mount under the test directory.
assert_clean() {
    local what=${1:-after the test}
    local left; left=$(ls -A "$ROOT" 2>/dev/null | grep -v '^$' || true)
    [ -z "$left" ] || fail "$what: state left behind in $ROOT: $left"
    # a pivoted root reads as "/" through readlink: compare the inode
    local p procs="" rootid; rootid=$(stat -c %d:%i "$BUNDLE/rootfs" 2>/dev/null)
    for p in /proc/[0-9]*; do
        [ -n "$rootid" ] && [ "$(stat -L -c %d:%i "$p/root" 2>/dev/null)" = "$rootid" ] && procs="$procs ${p#/proc/}"
    done
    [ -z "$procs" ] || fail "$what: processes left in the container:$procs"
    if grep -q " $T" /proc/self/mountinfo; then fail "$what: mounts left under $T"; fi
    [ "$FAILED" -eq 0 ] && pass "$what: nothing left behind"
}

# Throw-away users: tmp_user NAME makes a system user and its group; the
# EXIT trap (it_cleanup) kills their processes and removes them.
TMP_USERS=""
tmp_user() {
    useradd --system -M -U -d /nonexistent -s /usr/sbin/nologin "$1" || die "useradd $1"
    TMP_USERS="$TMP_USERS $1"
}
tmp_users_remove() {
    local u
    for u in $TMP_USERS; do
        if id -u "$u" >/dev/null 2>&1; then
            pkill -9 -U "$u"; pkill -9 -u "$u"
            for _ in $(seq 20); do pgrep -U "$u" >/dev/null || pgrep -u "$u" >/dev/null || break; sleep 0.1; done
            userdel "$u" || echo "cleanup: userdel $u failed" >&2
        fi
        getent group "$u" >/dev/null && groupdel "$u"
    done 2>/dev/null
}

it_cleanup() {
    local rc=$?
    local id
    [ -z "$BG_PIDS" ] || { kill -9 $BG_PIDS; wait $BG_PIDS; } 2>/dev/null
    for id in $(ls "$ROOT" 2>/dev/null); do "$MODRUN" --root "$ROOT" delete --force "$id" >/dev/null 2>&1; done
    tmp_users_remove
    grep " $T" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
    rm -rf "$T"
    if [ "$rc" -eq 0 ] && [ "$FAILED" -ne 0 ]; then exit 1; fi
    exit "$rc"
}

# Tests whose containers' cgroupsPaths lie below a prefix $CGP of their own
# (t-cgroupfs, t-devices-ebpf): cg_left prints every hierarchy's directory
# of it that exists; cg_cleanup, their EXIT trap, is a safety net (their
# checks fail first): it deletes the test's containers, removes what a
# failed run left below $CGP in any hierarchy, and directories named
# $CG_EXTRA anywhere (a container with a default, relative path), then
# does it_cleanup.
cg_left() { local d; for d in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do [ -e "$d${CGP#/}" ] && echo "$d${CGP#/}"; done; }
cg_cleanup() {
    local rc=$? d id
    for id in $(ls "$ROOT" 2>/dev/null); do "$MODRUN" --root "$ROOT" delete --force "$id" >/dev/null 2>&1; done
    for d in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
        [ -d "$d${CGP#/}" ] && find "$d${CGP#/}" -depth -type d -exec rmdir {} \; 2>/dev/null
    done
    [ -n "${CG_EXTRA:-}" ] && find /sys/fs/cgroup -maxdepth 8 -type d -name "$CG_EXTRA" -exec rmdir {} \; 2>/dev/null
    (exit $rc)
    it_cleanup
}

# devices.list as the kernel shows it after a deny-all and runc 1.1.5's
# default allows, which modrun appends to every config
RUNC_DEFAULT_DEVICES_LIST='c *:* m
b *:* m
c 1:3 rwm
c 1:8 rwm
c 1:7 rwm
c 5:0 rwm
c 1:5 rwm
c 1:9 rwm
c 136:* rwm
c 5:2 rwm
c 10:200 rwm'

# dev_progs DIR: "ID NAME" of each device program attached to the cgroup DIR
# (nothing when there is none or no such cgroup: bpftool then prints
# nothing, or {"error": ...})
dev_progs() {
    bpftool -j cgroup show "$1" 2>/dev/null | python3 -c '
import json, sys
t = sys.stdin.read().strip()
progs = json.loads(t) if t else []
for p in (progs if isinstance(progs, list) else []):
    if p.get("attach_type") in ("cgroup_device", "device"):
        print(p["id"], p.get("name", ""))'
}

# running PID: PID exists and is not a zombie
running() { [ -r "/proc/$1/stat" ] && ! awk '{ exit $3 != "Z" }' "/proc/$1/stat" 2>/dev/null; }
# wait_exit PID: up to 10 s for our child PID to exit (a zombie counts)
wait_exit() { local i; for i in $(seq 200); do running "$1" || return 0; sleep 0.05; done; return 1; }
# json_errors: the number of error lines in the JSON --log $LOG
json_errors() { grep -c '"level":"error"' "$LOG"; }
# reap_timed WHAT PID RC MIN_MS MAX_MS START_NS: wait (10 s at most) for
# our background child PID, check its exit status and that it ended
# MIN_MS to MAX_MS after START_NS (date +%s%N)
reap_timed() {
    local what=$1 pid=$2 rc=$3 min=$4 max=$5 start=$6 got ms
    wait_exit "$pid" || { kill -9 "$pid"; fail "$what: still runs after 10 s"; }
    wait "$pid"
    got=$?
    expect_eq "$what: exit status" "$rc" "$got"
    ms=$((($(date +%s%N) - start) / 1000000))
    [ "$ms" -ge "$min" ] && [ "$ms" -lt "$max" ] && pass "$what: ends after $ms ms ($min to $max)" ||
        fail "$what: ended after $ms ms, not $min to $max"
}

finish() { [ "$FAILED" -eq 0 ] && exit 0 || exit 1; }
