#!/bin/bash
# `run`'s init shares the runtime's memory until its execve where the
# runtime has nothing to do meanwhile (core/container/spawn.c,
# init_shares_memory; x86_64 without a sanitizer): one clone3 with
# CLONE_VM|CLONE_VFORK, no exec fifo, the process started at once. What
# sharing adds is checked here: an init killed (from the host: nothing of
# the container can signal it) or out of time during its set-up may leave the
# runtime's heap half-written, so run says so without touching it, has a
# new modrun process delete the container, and exits 1: nothing is left
# (state directory, cgroup), the next run of the id works. An execve that
# fails after "ready" is reported as before; a process that exits before
# state.json is written reads "stopped"; a config with a hook takes the
# usual fork.
. "$(dirname "$0")/lib.sh"
grep -q MODRUN_TEST_FAULT "$RUNTIME_BIN" || { echo "SKIP: $MODRUN is built without -Dfault-injection=true"; exit 77; }
if [ "$(uname -m)" != x86_64 ] || grep -qE '__(asan|hwasan|msan|tsan)_init' "$RUNTIME_BIN"; then
    echo "SKIP: run's init is a fork here (no clone-vm: not x86_64, or a sanitizer)"
    exit 77
fi
make_bundle
ID=rs-shared
CGP=/rs-shared
LOG=$T/log.json
trap 'cg_cleanup' EXIT
config "c['linux']['cgroupsPath'] = '$CGP'"
args true

nothing_left() { # nothing_left WHAT
    expect_eq "$1: no state directory left" "" "$(ls -A "$ROOT" 2>&1)"
    expect_eq "$1: no cgroup left" "" "$(cg_left)"
    out=$(mr run --bundle "$BUNDLE" "$ID" 2>&1 </dev/null)
    expect_eq "$1: the next run of $ID works ($out)" 0 "$?"
}

# ---- the clone: shared memory, new namespaces, born in its cgroups; no fifo
out=$(strace -f -qq -e trace=clone,clone3,fork,vfork,mknodat -o "$T/trace" "$MODRUN" --root "$ROOT" \
    --plugin-dir "$PLUGIN_DIR" run --bundle "$BUNDLE" "$ID" 2>&1 </dev/null)
expect_eq "run: exits with its process ($out)" 0 "$?"
expect_match "run: clone3 with CLONE_VM|CLONE_VFORK and the new namespaces" \
    "clone3\\(\\{flags=CLONE_VM\\|CLONE_VFORK\\|CLONE_NEWNS" "$(cat "$T/trace")"
expect_eq "run: one clone" 1 "$(grep -cE '(clone3?|v?fork)\(' "$T/trace")"
expect_eq "run: no exec fifo" 0 "$(grep -c 'exec.fifo' "$T/trace")"
args sh -c 'exit 7'
mr run --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
expect_eq "run: the process's exit status" 7 "$?"
echo inside >"$BUNDLE/rootfs/marker" # no /marker on the host
args cat /marker
expect_eq "run: the process runs in its root" inside "$(mr run --bundle "$BUNDLE" "$ID" 2>&1 </dev/null)"
args sleep 100
mr run -d --pid-file "$T/pid" --bundle "$BUNDLE" "$ID" >/dev/null 2>&1 </dev/null
expect_eq "run -d: running at once" running "$(state_field "$ID" status)"
expect_eq "run -d: the pid file names the process" "$(state_field "$ID" pid)" "$(cat "$T/pid" 2>&1)"
mr delete -f "$ID"
# a process that exits before state.json is written: "stopped", not "running"
args true
for i in 1 2 3; do
    mr run -d --bundle "$BUNDLE" "$ID" >/dev/null 2>&1 </dev/null
    sleep 0.2
    expect_eq "run -d of a process that exits at once ($i): stopped" stopped "$(state_field "$ID" status)"
    mr delete "$ID" || fail "delete of the stopped container ($i)"
done
# the "disabled" cgroup manager: born where it belongs, so shared too
strace -f -qq -e trace=clone3 -o "$T/trace-nocg" "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" \
    --cgroup-manager=disabled run --bundle "$BUNDLE" "$ID" >/dev/null 2>&1 </dev/null
expect_eq "no cgroups: run works" 0 "$?"
expect_match "no cgroups: clone3 with CLONE_VM|CLONE_VFORK" "flags=CLONE_VM\\|CLONE_VFORK" "$(cat "$T/trace-nocg")"

# ---- killed during its set-up (paused 3 s there): run says so at once,
# its heap untouched, and a new modrun deletes the container
# rs_run ERRFILE [ENV...]: run paused in the init's set-up, in the
# background (RPID); CHILD its init once it exists
rs_run() {
    local err=$1; shift
    env MODRUN_TEST_FAULT=init-setup:pause "$@" "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" \
        --log "$LOG" --log-format json run --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>"$err" &
    RPID=$!
    CHILD=
    for _ in $(seq 200); do CHILD=$(pgrep -P "$RPID") && break; sleep 0.01; done
}
: >"$LOG"
start=$(date +%s%N)
rs_run "$T/kill-err"
[ -n "$CHILD" ] && sleep 0.2 && kill -9 "$CHILD"
reap_timed "init killed in its set-up: run" "$RPID" 1 0 2500 "$start" # at once: the pause is 3 s
expect_match "init killed in its set-up: stderr names the signal" \
    "init \\(pid $CHILD\\) was killed by signal 9 during its set-up" "$(cat "$T/kill-err")"
expect_eq "init killed in its set-up: one JSON error line in --log" 1 "$(json_errors)"
nothing_left "init killed in its set-up"

# ---- out of time: the init's timer (SIGALRM: pid 1 of its pid namespace
# ignores a SIGKILL of its own) ends it at the 1.5 s bound
: >"$LOG"
start=$(date +%s%N)
rs_run "$T/time-err" MODRUN_TEST_TIMEOUT_MS=1500
reap_timed "init out of time: run" "$RPID" 1 1500 2900 "$start" # at the bound, not the pause's end
expect_match "init out of time: stderr names the bound" "did not set up within 1500 ms" "$(cat "$T/time-err")"
expect_eq "init out of time: one JSON error line in --log" 1 "$(json_errors)"
nothing_left "init out of time"

# ---- stopped during its set-up (only the host can): its SIGALRM waits,
# the runtime's own timer kills the runtime 5 s past the 1 s bound, the
# init dies with it (parent-death signal); `delete` removes the rest
start=$(date +%s%N)
rs_run "$T/stop-err" MODRUN_TEST_TIMEOUT_MS=1000
[ -n "$CHILD" ] && kill -STOP "$CHILD"
reap_timed "init stopped in its set-up: run, killed by its timer" "$RPID" 137 5900 9000 "$start"
sleep 0.2
[ -n "$CHILD" ] && ! running "$CHILD" && pass "init stopped in its set-up: the init is gone" ||
    fail "init stopped in its set-up: the init $CHILD is still there"
expect_eq "init stopped in its set-up: left as creating" creating "$(state_field "$ID" status)"
mr delete "$ID" || fail "init stopped in its set-up: delete"
nothing_left "init stopped in its set-up"

# ---- execve fails after "ready" (a file that is executable but no
# program): the error comes over the socket, nothing is left
printf 'not a program\n' >"$BUNDLE/rootfs/bin/noprog"
chmod 755 "$BUNDLE/rootfs/bin/noprog"
args /bin/noprog
out=$(strace -f -qq -e trace=clone3 -o "$T/trace-noprog" "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" \
    run --bundle "$BUNDLE" "$ID" 2>&1 </dev/null)
rc=$?
expect_match "execve fails: the init shared the runtime's memory" "CLONE_VM" "$(cat "$T/trace-noprog")"
[ "$rc" -ne 0 ] && pass "execve fails: run fails ($rc)" || fail "execve fails: run exits 0"
expect_match "execve fails: the error names it" "noprog.*(Exec format error|format)" "$out"
expect_eq "execve fails: the error is printed once (by the runtime, not the init too)" 1 \
    "$(grep -cE 'noprog.*(Exec format error|format)' <<<"$out")"
args true
nothing_left "execve fails"

# ---- a hook: the runtime has work after the clone, so the usual fork
config "c['hooks'] = {'poststart': [{'path': '/bin/true'}]}"
strace -f -qq -e trace=clone,clone3 -o "$T/trace2" "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" \
    run --bundle "$BUNDLE" "$ID" >/dev/null 2>&1 </dev/null
expect_eq "a poststart hook: run works" 0 "$?"
expect_eq "a poststart hook: no CLONE_VM" 0 "$(grep -c 'CLONE_VM' "$T/trace2")"
finish
