#!/bin/bash
# Lifecycle verbs as runtime-spec 1.3.0 (runtime.md "Operations") and runc
# 1.1.5 say, each compared with runc on the same bundle (its own --root):
# - kill --all of a stopped container exits 0 and kills what is left in
#   its cgroup (containerd's shim sends it); plain kill of it fails, and
#   says the container is not running, but KILL of one without a pid
#   namespace reaches what is left, as runc 1.2 (1.1.5 refuses it);
# - delete --force of a container paused in the v1 freezer kills it within
#   its bound; kill --all TERM of a paused container leaves it paused;
# - delete of a running container without --force fails and has no effect;
#   create --pid-file writes the init's pid; state has runc's fields;
# - every failure of every command writes a JSON error line to --log (an
#   engine reads only that), also one before the log would have been set
#   up, and an exec right after an exec killed mid-way.
. "$(dirname "$0")/lib.sh"
make_bundle
RROOT=$T/runc
rc_() { timeout -k 5 60 runc --root "$RROOT" "$@"; }
have_runc=false; command -v runc >/dev/null && have_runc=true
CG=/sys/fs/cgroup/freezer
cg_procs() { cat "$CG/$1/cgroup.procs" 2>/dev/null | xargs; }
no_procs() { [ -z "$(cg_procs "$1")" ]; }
at_least_procs() { [ "$(cg_procs "$1" | wc -w)" -ge "$2" ]; }
stopped_in() { "$1" state "$2" 2>/dev/null | grep -q '"status": *"stopped"'; } # RUNTIME ID
cleanup_cg() { local d; for d in /sys/fs/cgroup/*/hl-lc-* /sys/fs/cgroup/unified/hl-lc-*; do [ -d "$d" ] && rmdir "$d"; done 2>/dev/null; }
spec_cleanup() { # it_cleanup keeps the test's exit status: pass it on
    local rc=$?
    rc_ delete -f hl-lc-r >/dev/null 2>&1
    cleanup_cg
    (exit $rc)
    it_cleanup
}
trap spec_cleanup EXIT

# ---- kill of a stopped container (no pid namespace: the init's child
# outlives it in the container's cgroup): TERM fails, KILL and --all reach
# what is left
args sh -c 'sleep 1000 & exit 0'
config "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'pid']"
for rt in modrun runc; do
    [ $rt = runc ] && ! $have_runc && continue
    id=hl-lc-m; run=mr; [ $rt = runc ] && { id=hl-lc-r; run=rc_; }
    config "c['linux']['cgroupsPath'] = '/$id'"
    $run run -d --bundle "$BUNDLE" $id >"$T/out" 2>&1 </dev/null || die "$rt run: $(cat "$T/out")"
    wait_for stopped_in $run $id || fail "$rt: init did not exit"
    left=$(cg_procs $id)
    [ -n "$left" ] || fail "$rt: no process left in the cgroup to test with"
    out=$($run kill $id TERM 2>&1); rc=$?
    expect_eq "$rt: kill TERM of a stopped container fails" 1 "$rc"
    expect_match "$rt: and says it is not running" "not running" "$out"
    if [ $rt = modrun ]; then # KILL without a pid namespace: all of it, as runc 1.2 (1.1.5: "not running")
        out=$($run kill $id KILL 2>&1) || fail "$rt: kill KILL of a stopped container without a pid namespace: $out"
        wait_for no_procs $id && pass "$rt: kill KILL killed what was left in its cgroup" ||
            fail "$rt: still in the cgroup after kill KILL: $(cg_procs $id)"
    fi
    out=$($run kill --all $id KILL 2>&1); rc=$?
    expect_eq "$rt: kill --all of a stopped container exits 0 ($out)" 0 "$rc"
    wait_for no_procs $id && pass "$rt: kill --all killed what was left in its cgroup" ||
        fail "$rt: still in the cgroup: $(cg_procs $id)"
    $run delete $id || fail "$rt: delete"
done

# ---- paused (v1 freezer): kill --all TERM keeps it paused; delete --force kills it in time
if [ -d $CG ]; then
    args sh -c 'trap "" TERM; sleep 1000 & wait'
    config "c['linux']['cgroupsPath'] = '/hl-lc-p'; c['linux']['namespaces'].append({'type': 'pid'})"
    mr run -d --bundle "$BUNDLE" hl-lc-p >"$T/out" 2>&1 </dev/null || die "run: $(cat "$T/out")"
    wait_for at_least_procs hl-lc-p 2 || fail "the container's processes did not start"
    mr pause hl-lc-p || fail "pause"
    mr kill --all hl-lc-p TERM || fail "kill --all TERM of a paused container"
    expect_eq "kill --all TERM leaves a paused container frozen" FROZEN "$(cat $CG/hl-lc-p/freezer.state)"
    expect_eq "and its state says paused" paused "$(state_field hl-lc-p status)"
    pids=$(cg_procs hl-lc-p)
    start=$(date +%s%N)
    out=$(mr delete --force hl-lc-p 2>&1) || fail "delete --force of a paused container: $out"
    ms=$((($(date +%s%N) - start) / 1000000))
    [ $ms -lt 5000 ] && pass "delete --force of a paused container returned in $ms ms" || fail "took $ms ms"
    alive=""; for p in $pids; do [ -e /proc/$p ] && [ "$(awk '{print $3}' /proc/$p/stat 2>/dev/null)" != Z ] && alive="$alive $p"; done
    expect_eq "its processes are gone" "" "$alive"
    [ ! -d $CG/hl-lc-p ] && pass "its freezer cgroup is removed" || fail "freezer cgroup left"
    expect_eq "its state is gone" "" "$(ls "$ROOT")"
fi

# ---- delete without --force of a running container: refused, no effect
args sleep 1000
config "c['linux']['cgroupsPath'] = '/hl-lc-d'"
mr create --bundle "$BUNDLE" --pid-file "$T/pid" hl-lc-d >"$T/out" 2>&1 </dev/null || die "create: $(cat "$T/out")"
pid=$(state_field hl-lc-d pid)
expect_eq "create --pid-file: the init's pid, no newline (as runc)" "$pid" "$(cat "$T/pid")"
expect_eq "the pid file has no newline" "$(printf %s "$pid" | wc -c)" "$(wc -c < "$T/pid")"
mr start hl-lc-d || fail "start"
out=$(mr delete hl-lc-d 2>&1); rc=$?
expect_eq "delete of a running container fails" 1 "$rc"
expect_match "and says why" "cannot delete container hl-lc-d: it is running" "$out"
expect_eq "it is still running" running "$(state_field hl-lc-d status)"
[ -e /proc/$pid ] && expect_eq "its init is the same process" "$pid" "$(state_field hl-lc-d pid)" || fail "the init died"
expect_eq "its cgroup still holds it" "$pid" "$(cg_procs hl-lc-d)"

# ---- state: runc's fields, the spec's required ones
keys() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(sorted(d)), d["status"], d["pid"] > 0, d["bundle"])'; }
mine=$(mr state hl-lc-d | keys)
expect_eq "state fields and values" "bundle created id ociVersion owner pid rootfs status running True $BUNDLE" "$mine"
if $have_runc; then
    config "c['linux']['cgroupsPath'] = '/hl-lc-r'"
    rc_ run -d --bundle "$BUNDLE" hl-lc-r >/dev/null 2>&1 </dev/null || fail "runc run"
    expect_eq "state has runc's fields" "$(rc_ state hl-lc-r | keys)" "$mine"
    rc_ delete -f hl-lc-r
fi
mr delete -f hl-lc-d

# ---- --log --log-format json: every failure has its line
LOG=$T/log.json
mrl() { timeout -k 5 60 "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" --log "$LOG" --log-format json "$@"; }
json_errors() { python3 -c '
import json, sys
n = 0
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d.get("level") == "error" and d.get("msg") and d.get("time"): n += 1
print(n)' "$LOG"; }
: > "$LOG"
out=$(mrl exec hl-lc-none true 2>&1) && fail "exec in a container that does not exist"
expect_match "a failure goes to stderr" "hl-lc-none" "$out"
expect_eq "and one JSON error line to --log" 1 "$(json_errors)"
: > "$LOG"
out=$(timeout 20 "$MODRUN" --root "$ROOT" --log "$LOG" --log-format json --bogus exec hl-lc-none true 2>&1) && fail "a bad global option"
expect_eq "a failure before the log was set up (a bad global option) reaches --log too" 1 "$(json_errors)"

# an exec right after an exec killed mid-way (an engine's exec timeout), 30 times
args sleep 1000
config "c['linux']['cgroupsPath'] = '/hl-lc-e'"
mr run -d --bundle "$BUNDLE" hl-lc-e >"$T/out" 2>&1 </dev/null || die "run: $(cat "$T/out")"
: > "$LOG"
fails=0 unlogged=0 slow=""
for i in $(seq 30); do
    timeout -s KILL "0.0$((RANDOM % 9 + 1))" "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" --log "$LOG" \
        --log-format json exec hl-lc-e sleep 100 >/dev/null 2>&1
    before=$(grep -c '"level":"error"' "$LOG")
    start=$(date +%s%N)
    mrl exec --detach --pid-file "$T/exec.pid" hl-lc-e true >"$T/out" 2>&1; rc=$?
    ms=$((($(date +%s%N) - start) / 1000000))
    [ $ms -lt 10000 ] || slow="$slow $ms"
    [ $rc -eq 0 ] && continue
    fails=$((fails + 1))
    [ "$(grep -c '"level":"error"' "$LOG")" -gt "$before" ] || { unlogged=$((unlogged + 1)); echo "unlogged failure: $(cat "$T/out")"; }
done
expect_eq "exec after a killed exec: none took 10 s or more (ms)" "" "$slow"
expect_eq "exec after a killed exec: every failure has its JSON line in --log ($fails failed)" 0 "$unlogged"
mr delete -f hl-lc-e
assert_clean "at the end"
finish
