#!/bin/bash
# events as runc's bats "events oom", but ending: with --interval, a stats
# line per interval and {"type":"oom","id":ID} once the OOM killer killed a
# process of the container (memory.oom_control counts it), and `events`
# returns 0 when the container stops: killed, exited by itself, or deleted
# (runc 1.1.5's events goes on while the v1 cgroup exists). --stats prints
# one line and returns.
. "$(dirname "$0")/lib.sh"
CGP=/c16-events-$$
trap cg_cleanup EXIT  # lib.sh
[ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ] || { echo "SKIP: no v1 memory swap accounting"; exit 77; }
make_bundle
args sleep 1000
config "c['linux']['cgroupsPath'] = '$CGP/c'
c['linux']['resources'] = {'memory': {'limit': 33554432, 'swap': 33554432}}"
ID=c16-ev
mr run -d --bundle "$BUNDLE" $ID </dev/null >"$T/out" 2>&1 || die "run -d: $(cat "$T/out")"
out=$(mr events --stats $ID 2>&1); rc=$?
expect_eq "events --stats: returns 0" 0 "$rc"
expect_match "events --stats: one stats line" '^\{"type":"stats","id":"c16-ev","data":\{.*"memory"' "$out"

# events_bg ID: events --interval 1s in the background, its output in $T/ev.ID, exit code in $T/rc.ID
events_bg() {
    ( timeout -k 2 40 "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" events --interval 1s "$1" >"$T/ev.$1" 2>&1
      echo $? >"$T/rc.$1" ) &
    BG_PIDS="$BG_PIDS $!"
}
events_bg $ID
wait_for grep -q '"type":"stats"' "$T/ev.$ID" || fail "no stats line within 10 s"
mr exec $ID sh -c 'x=$(dd if=/dev/urandom ibs=5120k 2>/dev/null)' >/dev/null 2>&1
kills=$(awk '$1 == "oom_kill" { print $2 }' /sys/fs/cgroup/memory$CGP/c/memory.oom_control)
[ "${kills:-0}" -ge 1 ] && pass "the kernel's OOM killer killed the hog (memory.oom_control: $kills)" || fail "no OOM kill in memory.oom_control"
wait_for grep -q '^{"type":"oom","id":"c16-ev"}$' "$T/ev.$ID" && pass "an oom event, as runc's" || fail "no oom event: $(cut -c1-80 "$T/ev.$ID")"
[ ! -e "$T/rc.$ID" ] && pass "events goes on while the container runs" || fail "events ended early: $(cat "$T/ev.$ID")"
# It loads its plugin once: a load per OOM check (every 200 ms) mapped a
# new sealed copy each time, for good (RSS grew ~0.7 MiB/s).
evpid=
for p in $(pgrep -f -- "events --interval 1s $ID\$"); do [ "$(cat /proc/$p/comm 2>/dev/null)" = modrun ] && evpid=$p; done
plugin_maps() { [ -n "$evpid" ] && grep -c 'memfd:modrun-plugin' "/proc/$evpid/maps"; }
m1=$(plugin_maps); sleep 2; m2=$(plugin_maps)
[ -n "$evpid" ] && [ "$m1" -ge 1 ] && [ "$m1" = "$m2" ] && pass "events maps its plugin once ($m1 mappings, 2 s apart)" ||
    fail "events' plugin mappings grew: $m1 -> $m2 (pid '$evpid')"
mr kill $ID KILL
wait_for test -e "$T/rc.$ID" && pass "events ends when the container is killed" || fail "events still running after kill"
expect_eq "events exits 0" 0 "$(cat "$T/rc.$ID" 2>/dev/null)"
mr delete $ID || fail "delete"

# a container that exits by itself, and one that is deleted
args sleep 2
config "c['linux']['cgroupsPath'] = '$CGP/c2'"
mr run -d --bundle "$BUNDLE" c16-ev2 </dev/null >"$T/out" 2>&1 || die "run -d: $(cat "$T/out")"
events_bg c16-ev2
args sleep 1000
config "c['linux']['cgroupsPath'] = '$CGP/c3'"
mr run -d --bundle "$BUNDLE" c16-ev3 </dev/null >"$T/out" 2>&1 || die "run -d: $(cat "$T/out")"
events_bg c16-ev3
sleep 1
mr delete --force c16-ev3 || fail "delete --force"
wait_for test -e "$T/rc.c16-ev3" && pass "events ends when the container is deleted" || fail "events still running after delete"
wait_for test -e "$T/rc.c16-ev2" && pass "events ends when the process exits by itself" || fail "events still running after exit"
expect_eq "both exit 0" "0 0" "$(cat "$T/rc.c16-ev2" "$T/rc.c16-ev3" 2>/dev/null | xargs)"
mr delete c16-ev2 || fail "delete c16-ev2"
out=$(mr events c16-ev2 2>&1) && fail "events on a missing container succeeded" || pass "events on a missing container fails"
assert_clean
finish
