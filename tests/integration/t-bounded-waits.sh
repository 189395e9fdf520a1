#!/bin/bash
# Every bounded wait runs into its bound, and the error says what it
# waited for: a hook (a real hang), the freezer in pause (a test build's
# stall: nothing on this host keeps a cgroup FREEZING), kill --all and
# delete --force (a real one: a process frozen in a child freezer cgroup of
# the container cannot die until it is thawed), the exec fifo in start (a
# stall: the init always reads it) and a container's lock (a real holder).
# The lifecycle bounds (10-30 s) are shortened to 1 s with
# MODRUN_TEST_TIMEOUT_MS (test builds only).
#
# Not here: the systemd manager's job wait (plugins/systemd) needs systemd
# as PID 1 and its bus; this host has neither (tests/vm boots one).
. "$(dirname "$0")/lib.sh"
grep -q MODRUN_TEST_TIMEOUT_MS "$RUNTIME_BIN" || { echo "SKIP: $MODRUN is built without -Dfault-injection=true"; exit 77; }

TAG=modrun-waits-$$
make_bundle
args sleep 1000
config "c['linux']['cgroupsPath'] = '/$TAG/c'"
export MODRUN_TEST_TIMEOUT_MS=1000
ms() { date +%s%3N; }

# runs "$@", sets out, rc and took (ms)
timed() { local t0; t0=$(ms); out=$("$@" 2>&1); rc=$?; took=$(( $(ms) - t0 )); }
in_time() { # in_time WHAT MIN_MS MAX_MS
    if [ "$took" -ge "$2" ] && [ "$took" -le "$3" ]; then pass "$1 (${took} ms)"; else fail "$1: took ${took} ms, expected $2..$3"; fi
}

# --- hook timeout (the hook's own "timeout", a real hang) -------------------
printf '#!/bin/sh\nexec sleep 100\n' >"$T/hang.sh" && chmod 755 "$T/hang.sh"
config "c['hooks'] = {'createRuntime': [{'path': '$T/hang.sh', 'timeout': 1}]}"
t0=$(ms)
mr create --bundle "$BUNDLE" h >"$T/out" 2>&1; rc=$?; took=$(( $(ms) - t0 ))
expect_eq "hook timeout: create fails" 1 "$rc"
expect_match "hook timeout: the error names the hook and its bound" \
    "hooks\.createRuntime\[0\] $T/hang\.sh did not finish within 1 s and was killed" "$(cat "$T/out")"
in_time "hook timeout: within the bound" 900 8000
wait_until '! pgrep -f "$T/hang.sh" >/dev/null' || fail "hook timeout: the hook process survived"
assert_clean "after a hook timeout"
config "del c['hooks']"

# --- the freezer in pause (stall) ----------------------------------------------
mr run -d --bundle "$BUNDLE" c >"$T/out" 2>&1 || die "run -d c: $(cat "$T/out")"
if [ -d /sys/fs/cgroup/freezer ]; then
    state_file=/sys/fs/cgroup/freezer/$TAG/c/freezer.state
else
    state_file=/sys/fs/cgroup/unified/$TAG/c/cgroup.freeze
fi
timed env MODRUN_TEST_FAULT=stall:freeze "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" pause c
expect_eq "pause, freezer stalled: fails" 1 "$rc"
expect_match "pause, freezer stalled: the error names the file, the state and the bound" \
    "pause container c: cgroupfs: /sys/fs/cgroup/.*/$TAG/c/(freezer\.state did not become FROZEN|cgroup\.events did not show \"frozen 1\") within 1000 ms \(thawed again\)" "$out"
in_time "pause, freezer stalled: within the bound" 900 5000
expect_match "pause, freezer stalled: the kernel shows it thawed again" "^(THAWED|0)$" "$(cat "$state_file")"
expect_eq "pause, freezer stalled: still running" running "$(state_field c status)"
mr pause c && expect_eq "pause without a stall works" paused "$(state_field c status)"
mr resume c || fail "resume"

# --- kill --all and delete --force (a real stall) ------------------------------
if [ -d /sys/fs/cgroup/freezer ]; then
    pid=$(state_field c pid)
    stuck=/sys/fs/cgroup/freezer/$TAG/c/stuck
    mkdir "$stuck" && echo "$pid" >"$stuck/cgroup.procs" && echo FROZEN >"$stuck/freezer.state" || die "freeze $pid in $stuck"
    wait_for grep -qx FROZEN "$stuck/freezer.state" || die "$stuck did not freeze"
    timed mr kill --all c KILL
    expect_eq "kill --all, a process cannot die: fails" 1 "$rc"
    expect_match "kill --all: the error names the cgroup, the bound and the pid left" \
        "cgroupfs: 1 process\(es\) still in the container's cgroup \(/sys/fs/cgroup/.*/$TAG/c\) 1000 ms after SIGKILL: pids $pid" "$out"
    in_time "kill --all: within the bound" 900 5000
    [ -d "/proc/$pid" ] && pass "kill --all: the frozen process is still there (the stall is real)" || fail "the frozen process died"
    timed mr delete --force c
    expect_eq "delete --force, a process cannot die: fails" 1 "$rc"
    expect_match "delete --force: the error names the process left" "still in the container's cgroup .* after SIGKILL: pids $pid" "$out"
    in_time "delete --force: within its bounds" 400 8000
    [ -d "$ROOT/c" ] && pass "delete --force: state directory kept (it finds the cgroup again)" || fail "delete --force removed the state of a container whose cgroup is still there"
    echo THAWED >"$stuck/freezer.state"
    mr delete --force c || fail "delete --force once the process can die"
    wait_for test ! -d "/proc/$pid" || fail "init $pid survived"
    left=$(find /sys/fs/cgroup -mindepth 1 -type d -path "*/$TAG*" 2>/dev/null)
    expect_eq "delete --force: every cgroup directory removed (the child one too)" "" "$left"
else
    echo "note: no v1 freezer hierarchy: the kill --all stall is not tested here"
    mr delete --force c || fail "delete --force c"
fi
assert_clean "after kill --all and delete --force"

# --- the exec fifo in start (stall) --------------------------------------------
mr create --bundle "$BUNDLE" s >"$T/out" 2>&1 || die "create s: $(cat "$T/out")"
timed env MODRUN_TEST_FAULT=stall:exec-fifo "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" start s
expect_eq "start, exec fifo stalled: fails" 1 "$rc"
expect_match "start: the error names the fifo and the bound" \
    "start container s: the exec fifo did not become writable within 1000 ms" "$out"
in_time "start: within the bound" 900 5000
expect_eq "start stalled: the container is still created" created "$(state_field s status)"

# --- a container's lock (a real holder) ------------------------------------------
# one process holds it (flock(1) would leave a child holding it too)
python3 -c 'import fcntl, sys, time; f = open(sys.argv[1]); fcntl.flock(f, fcntl.LOCK_EX); time.sleep(30)' \
    "$ROOT/s/.lock" >/dev/null 2>&1 &
BG_PIDS=$!
lock_held() { awk -v i=":$(stat -c %i "$ROOT/s/.lock") " 'index($0, i) { found = 1 } END { exit !found }' /proc/locks; }
wait_for lock_held || die "the lock holder did not take the lock"
timed mr kill s KILL
expect_eq "kill, lock held: fails" 1 "$rc"
expect_match "kill: the error names the lock and the bound" \
    "timed out after 1000 ms waiting for the lock of container s \($ROOT/s/\.lock\)" "$out"
in_time "kill: within the bound" 900 5000
kill "$BG_PIDS"; wait "$BG_PIDS" 2>/dev/null; BG_PIDS=""
mr delete --force s || fail "delete --force s"
assert_clean "at the end"
finish
