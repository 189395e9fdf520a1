#!/bin/bash
# exec as containerd's runc shim v2 runs it for a CRI ExecSync with a
# timeout (go-runc's Exec: --log FILE --log-format json exec --process
# FILE --detach --pid-file FILE ID, stdio on pipes), with SIGKILLs at
# random moments: of `modrun exec` itself (the shim's context deadline), of
# the helper or the init it is creating (what the OOM killer or a
# `kill --all` may do), and of the exec'd process right after (the CRI
# timeout). Each exec either succeeds or fails at once with a JSON error
# line in --log and a message on stderr; the exec right after always
# works; nothing is left behind (no modrun process, no lock held, no file
# in the state directory, nothing in the container but what exec started).
# A helper killed after it cloned the init (fault point helper-after-clone)
# used to leave exec waiting 60 s on the sync socket, which the init held
# open, with the container's lock held; exec as root now clones its process
# without a helper, so that is checked on `create` joining a namespace by
# path, which still has one. Out of memory, a JSON --log got a
# line that was not JSON. A write to a stderr pipe without a reader killed
# modrun (SIGPIPE) before it could finish or report.
. "$(dirname "$0")/lib.sh"
grep -q MODRUN_TEST_FAULT "$RUNTIME_BIN" || { echo "SKIP: $MODRUN is built without -Dfault-injection=true"; exit 77; }
make_bundle
ID=xr-race
CGP=/xr-race
LOG=$T/log.json
PROC=$T/process.json
BUDGET_S=${XR_BUDGET_S:-10}
trap 'cg_cleanup' EXIT
args sleep 100000
config "c['linux']['cgroupsPath'] = '$CGP'"
mr run -d --bundle "$BUNDLE" "$ID" >"$T/out" 2>&1 </dev/null || die "run: $(cat "$T/out")"
INIT=$(state_field "$ID" pid)
python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["process"]
p["args"] = ["sleep", "30"]
json.dump(p, open(sys.argv[2], "w"))' "$BUNDLE/config.json" "$PROC"
state_files() { ls -A "$ROOT/$ID" | xargs; }
FILES=$(state_files)

# the shim's command line (stdout and stderr are files here: a pipe would
# stay open as long as the exec'd process). Runs in the background; EPID.
shim_exec() { # shim_exec PIDFILE ERRFILE
    rm -f "$1"
    "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" --log "$LOG" --log-format json exec \
        --process "$PROC" --detach --pid-file "$1" "$ID" </dev/null >/dev/null 2>"$2" &
    EPID=$!
}
# json_valid: every line of --log is a JSON object (containerd decodes them all)
json_valid() { python3 -c '
import json, sys
for l in open(sys.argv[1]):
    json.loads(l)' "$LOG"; }
kill_pidfile() { local p; p=$(cat "$1" 2>/dev/null) && [ -n "$p" ] && kill -9 "$p" 2>/dev/null; }

UNLOGGED=0 NEXT_FAILED=0 SLOW=0
# reap EPID (at most 10 s) and check it: a failure (not SIGKILL, when
# KILLED_OK) has its JSON error line and its message. WHAT BEFORE KILLED_OK ERRFILE
reap_check() {
    wait_exit "$EPID" || { SLOW=$((SLOW + 1)); echo "$1: exec still running after 10 s"; kill -9 "$EPID"; }
    wait "$EPID"
    local rc=$?
    [ "$rc" = 0 ] && return 0
    [ "$rc" = 137 ] && [ "$3" = 1 ] && return 0
    if [ "$(json_errors)" -le "$2" ] || [ ! -s "$4" ]; then
        UNLOGGED=$((UNLOGGED + 1))
        echo "$1: exit $rc without a JSON error line in --log or a message: $(cat "$4")"
    fi
    return 1
}

# ---- the helper killed after it cloned the init: fails at once. exec as
# root has no helper (spawn.c exec_clone: the runtime clones the process
# into the container's pid namespace itself); create with a namespace by
# path has one: xr-race2 joins the network namespace of xr-race.
CG_EXTRA=xr-race2
make_bundle "$T/b2"
CONFIG_FILE=$T/b2/config.json config "
for n in c['linux']['namespaces']:
    if n['type'] == 'network':
        n['path'] = '/proc/$INIT/ns/net'
c['linux']['cgroupsPath'] = '/xr-race2'"
: >"$LOG"
before=$(json_errors)
start=$(date +%s%N)
out=$(MODRUN_TEST_FAULT=helper-after-clone:kill timeout -k 5 20 "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" \
    --log "$LOG" --log-format json create --bundle "$T/b2" xr-race2 2>&1 </dev/null)
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
expect_eq "helper killed after clone: create fails" 1 "$rc"
[ "$ms" -lt 5000 ] && pass "helper killed after clone: create fails at once ($ms ms)" ||
    fail "helper killed after clone: create took $ms ms (it waited on the socket the init holds)"
expect_match "helper killed after clone: stderr names the helper and the signal" "helper.*signal 9" "$out"
expect_eq "helper killed after clone: one JSON error line in --log" $((before + 1)) "$(json_errors)"
[ ! -e "$ROOT/xr-race2" ] && pass "helper killed after clone: no state of xr-race2 left" ||
    fail "helper killed after clone: $ROOT/xr-race2 left"
out=$(mr exec --detach --pid-file "$T/n.pid" "$ID" true 2>&1)
expect_eq "helper killed after clone: the next exec works ($out)" 0 "$?"

# ---- exec clones without a helper: the exec'd process is the runtime's
# child in the container's pid namespace, and no other process is forked
out=$(strace -f -qq -e trace=clone,clone3,fork,vfork -o "$T/clones" "$MODRUN" --root "$ROOT" \
    --plugin-dir "$PLUGIN_DIR" exec "$ID" sh -c 'echo $$' 2>&1)
expect_eq "exec without a helper: the process is pid 2+ in the container" 1 "$([ "$out" -gt 1 ] 2>/dev/null && echo 1)"
expect_eq "exec without a helper: one clone per exec" 1 "$(grep -cE '(clone3?|v?fork)\(' "$T/clones")"

# ---- exec's process shares the runtime's memory until its execve
# (container/clone-vm.h: x86_64, no sanitizer). A signal that kills it
# during its set-up (any process of the container may send one) may land
# inside malloc(): exec then says so without touching its heap and exits
# 255 at once, with its JSON error line; it neither crashes nor hangs.
# Stopped there, its own timer kills it at the set-up bound.
if [ "$(uname -m)" = x86_64 ] && ! grep -qE '__(asan|hwasan|msan|tsan)_init' "$RUNTIME_BIN"; then
    expect_match "exec: clone3 with CLONE_VM|CLONE_VFORK" "clone3\\(\\{flags=CLONE_VM\\|CLONE_VFORK" "$(cat "$T/clones")"
    # vm_exec OUT ERRFILE [ENV...]: exec paused 3 s in its set-up, in the
    # background (EPID); CHILD its process once it exists
    vm_exec() {
        local err=$1; shift
        env MODRUN_TEST_FAULT=exec-start:pause "$@" "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" \
            --log "$LOG" --log-format json exec "$ID" true </dev/null >/dev/null 2>"$err" &
        EPID=$!
        CHILD=
        for _ in $(seq 200); do CHILD=$(pgrep -P "$EPID") && break; sleep 0.01; done
    }
    : >"$LOG"
    start=$(date +%s%N)
    vm_exec "$T/kill-err"
    [ -n "$CHILD" ] && kill -9 "$CHILD"
    # exit 255, at once (the pause is 3 s)
    reap_timed "exec's process killed in its set-up: exec" "$EPID" 255 0 2500 "$start"
    expect_match "exec's process killed in its set-up: stderr names the signal" \
        "process \\(pid $CHILD\\) was killed by signal 9 during its set-up" "$(cat "$T/kill-err")"
    expect_eq "exec's process killed in its set-up: one JSON error line in --log" 1 "$(json_errors)"
    json_valid && pass "exec's process killed in its set-up: --log is JSON" || fail "--log: $(cat "$LOG")"
    out=$(mr exec "$ID" true 2>&1)
    expect_eq "exec's process killed in its set-up: the next exec works ($out)" 0 "$?"
    # stopped in its set-up: killed by its timer at the 1.5 s bound (not
    # running on to its execve when the 3 s pause ends, as it would if the
    # stop had not happened)
    start=$(date +%s%N)
    vm_exec "$T/stop-err" MODRUN_TEST_TIMEOUT_MS=1500
    [ -n "$CHILD" ] && kill -STOP "$CHILD"
    sleep 0.2
    expect_eq "exec's process stopped in its set-up: it is stopped (T)" T "$(awk '{ print $3 }' "/proc/$CHILD/stat" 2>&1)"
    # exit 255 at the bound (1500 ms; the pause is 3000)
    reap_timed "exec's process stopped in its set-up: exec" "$EPID" 255 1500 2900 "$start"
    expect_match "exec's process stopped in its set-up: stderr names the bound" "stuck past the 1500 ms bound" \
        "$(cat "$T/stop-err")"
else
    echo "exec's process is a fork here (no clone-vm: not x86_64, or a sanitizer): not checked"
fi

# ---- out of memory (each allocation of a failing exec fails in turn):
# every line of a JSON --log is JSON, the message cut short if need be (a
# text line there hid every later error from containerd, which decodes
# all lines)
LOG=$T/alloc.json
fails() { MODRUN_TEST_FAIL_ALLOC=$1 "$MODRUN" --root "$ROOT" --log "$LOG" --log-format json exec xr-none true 2>&1; }
total=$(fails count | sed -n 's/^modrun: test build: \([0-9]*\) heap allocations$/\1/p')
if [ -n "$total" ]; then
    rm -f "$LOG"
    for n in $(seq 1 $((total + 2))); do fails "$n" >/dev/null; done
    json_valid && pass "out of memory at each of $total allocations: every line of --log is JSON" ||
        fail "out of memory: --log has a line that is not JSON: $(grep -v '^{' "$LOG" | head -3)"
    expect_eq "out of memory: one error line per exec" $((total + 2)) "$(json_errors)"
else
    echo "no allocation torture in this build (-Db_sanitize): out-of-memory lines not checked"
fi
LOG=$T/log.json

# ---- stderr a pipe nobody reads any more (the engine's side closed):
# exec fails with its exit status and its JSON line, not killed by SIGPIPE
before=$(json_errors)
rc=$(python3 -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
print(subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=w).returncode)' \
    "$MODRUN" --root "$ROOT" --log "$LOG" --log-format json exec xr-none true)
expect_eq "stderr a pipe without a reader: exec fails with 255, not SIGPIPE (-13)" 255 "$rc"
expect_eq "stderr a pipe without a reader: the JSON error line is in --log" $((before + 1)) "$(json_errors)"

# ---- the shim's loop, SIGKILLs at random moments, for BUDGET_S seconds
rounds=0 end=$(($(date +%s) + BUDGET_S))
while [ "$(date +%s)" -lt "$end" ]; do
    rounds=$((rounds + 1))
    mode=$((RANDOM % 3)) errf=$T/verr
    before=$(json_errors)
    shim_exec "$T/v.pid" "$errf"
    case $mode in
    0) # the shim's deadline: modrun exec itself, 0-150 ms in
        sleep "0.$(printf %03d $((RANDOM % 150)))"
        kill -9 "$EPID" 2>/dev/null ;;
    1) # a child of modrun exec (helper or init) at a random moment
        for _ in $(seq $((RANDOM % 40 + 1))); do
            kids=$(cat /proc/"$EPID"/task/*/children 2>/dev/null) || break
        done
        k=$(printf '%s\n' $kids | shuf -n1)
        [ -n "$k" ] && kill -9 "$k" 2>/dev/null ;;
    2) # the CRI timeout: the exec'd process, right after
        wait_exit "$EPID"
        kill_pidfile "$T/v.pid" ;;
    esac
    reap_check "round $rounds (mode $mode)" "$before" "$([ $mode = 0 ] && echo 1)" "$errf"
    kill_pidfile "$T/v.pid"
    before=$(json_errors)
    shim_exec "$T/next.pid" "$errf"
    if reap_check "round $rounds (mode $mode): the next exec" "$before" 0 "$errf" && kill_pidfile "$T/next.pid"; then
        :
    else
        NEXT_FAILED=$((NEXT_FAILED + 1))
        echo "round $rounds (mode $mode): the next exec failed: $(cat "$errf")"
    fi
done
echo "rounds: $rounds in $BUDGET_S s"
expect_eq "every failed exec wrote a JSON error line and a message on stderr" 0 "$UNLOGGED"
expect_eq "the exec after each killed one worked" 0 "$NEXT_FAILED"
expect_eq "no exec took 10 s or more" 0 "$SLOW"
json_valid && pass "every line of --log is JSON" || fail "--log has a line that is not JSON: $(cat "$LOG")"

# ---- nothing left behind: processes exec started and modrun killed
# after it (sleep 30) are the engine's to kill, as with runc; nothing else
sleep 0.5
others=""
for p in $(mr ps --format json "$ID" | tr '[],' '   '); do
    [ "$p" = "$INIT" ] && continue
    [ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" = "sleep 30 " ] || others="$others $p:$(tr '\0' ' ' <"/proc/$p/cmdline")"
    kill -9 "$p" 2>/dev/null
done
expect_eq "nothing in the container's cgroup but the init and exec'd processes" "" "$others"
expect_eq "no modrun process left for the container" "" "$(pgrep -f -- "exec --process $PROC" | xargs)"
flock -n "$ROOT/$ID/.lock" true && pass "the container's lock is free" || fail "the container's lock is held"
expect_eq "the state directory holds what it held before" "$FILES" "$(state_files)"
expect_eq "the container still runs" running "$(state_field "$ID" status)"
mr delete -f "$ID" >/dev/null 2>&1 || fail "delete -f"
assert_clean "at the end"
finish
