#!/bin/bash
# FIELD-NOTES #4: container B joins container A's pid namespace. Without a
# cgroup manager that can list B's processes, create refuses (unless the
# annotation opts in, with a warning); with cgroupfs, kill --all and
# delete --force of B reach B's children and never hang; A survives.
. "$(dirname "$0")/lib.sh"
make_bundle
args sleep 1000
mr run -d --bundle "$BUNDLE" pa >"$T/out" 2>&1 || die "run A: $(cat "$T/out")"
apid=$(state_field pa pid)
make_bundle "$T/b"
CONFIG_FILE=$T/b/config.json config "
for n in c['linux']['namespaces']:
    if n['type'] == 'pid':
        n['path'] = '/proc/$apid/ns/pid'
c['process']['args'] = ['sh', '-c', 'sleep 1001 & exec sleep 1002']"

out=$(mr --cgroup-manager=disabled create --bundle "$T/b" pb 2>&1 </dev/null) && fail "shared pid ns without a cgroup accepted"
expect_match "refused, with the cause" "shares the joined pid namespace and its cgroup manager \"disabled\" cannot list its processes" "$out"
expect_match "and the ways out" "org.modrun.allow-untracked-processes=true" "$out"
[ -z "$(ls "$ROOT" | grep pb)" ] && pass "nothing left of pb" || fail "state of pb left"

CONFIG_FILE=$T/b/config.json config "c['annotations'] = {'org.modrun.allow-untracked-processes': 'true'}"
mr --cgroup-manager=disabled run -d --bundle "$T/b" pb >"$T/out" 2>&1 || fail "opt-in run: $(cat "$T/out")"
expect_match "opt-in prints a warning" "warning.*init and its descendants only" "$(cat "$T/out")"
bpid=$(state_field pb pid)
expect_eq "B is in A's pid namespace" "$(readlink /proc/$apid/ns/pid)" "$(readlink /proc/$bpid/ns/pid)"
start=$(date +%s)
timeout 30 "$MODRUN" --root "$ROOT" delete --force pb || fail "delete --force of opt-in B"
[ $(( $(date +%s) - start )) -lt 20 ] && pass "delete --force did not hang" || fail "delete --force took too long"

# with cgroupfs: every process of B is found through its cgroup
CONFIG_FILE=$T/b/config.json config "c['annotations'] = {}"
mr create --bundle "$T/b" pc >"$T/out" 2>&1 || die "create B with cgroupfs: $(cat "$T/out")"
cpid=$(state_field pc pid)
# CVE-2019-5736: A's processes see B's init before it execs; it runs from a
# sealed memfd copy, not the binary on disk (an own pid namespace does not)
expect_match "init in a joined pid namespace runs from a memfd" "^/memfd:modrun" "$(readlink /proc/$cpid/exe)"
expect_eq "A's init runs the container's program" /bin/busybox "$(readlink /proc/$apid/exe)"
mr start pc || die "start B"
wait_until '[ "$(mr ps --format json pc | tr -d "[]" | tr "," "\n" | grep -c .)" = 2 ]' || fail "ps of B does not list 2 processes"
kids=$(mr ps --format json pc | tr -d '[]' | tr ',' ' ')
start=$(date +%s)
timeout 30 "$MODRUN" --root "$ROOT" kill --all pc KILL || fail "kill --all B"
for p in $kids; do wait_for gone "$p" || fail "process $p of B survived kill --all"; done
timeout 30 "$MODRUN" --root "$ROOT" delete --force pc || fail "delete --force B"
[ $(( $(date +%s) - start )) -lt 20 ] && pass "kill --all + delete --force were bounded" || fail "took too long"
[ -d /proc/$apid ] && pass "A survives B's kill --all" || fail "A was killed"

# a stopped B whose process outlived its init: `delete` (no --force) finds
# it in B's cgroups, kills it and removes them (as runc's destroy)
CONFIG_FILE=$T/b/config.json config "c['process']['args'] = ['sh', '-c', 'sleep 1003 & exit 0']"
mr run -d --bundle "$T/b" pd >"$T/out" 2>&1 || die "run B with a leftover: $(cat "$T/out")"
wait_for status_is pd stopped || fail "B's init did not exit"
dirs=$(sed -n 's/^dir\t//p' "$ROOT/pd/cgroup-cgroupfs.paths")
left=$(cat "$(printf '%s\n' "$dirs" | head -1)/cgroup.procs")
[ -n "$left" ] && pass "B's process outlived its init, in B's cgroup" || fail "no leftover process in B's cgroup"
timeout 30 "$MODRUN" --root "$ROOT" delete pd || fail "delete of stopped B with a leftover process"
for p in $left; do wait_for gone "$p" || fail "process $p of stopped B survived delete"; done
still=$(for d in $dirs; do [ -d "$d" ] && echo "$d"; done)
[ -n "$dirs" ] && [ -z "$still" ] && pass "delete removed B's cgroups" || fail "B's cgroups left: $still"
# no pid namespace at all (the host's): kill KILL without --all reaches
# every process of the container, as runc 1.2 (kill.bats "host pidns"),
# also once its init is gone ("host pidns + init gone")
CONFIG_FILE=$T/b/config.json config "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'pid']
c['process']['args'] = ['sh', '-c', 'sleep 1004 & exec sleep 1005']"
procs_of() { cat "$(sed -n 's/^dir\t//p' "$ROOT/$1/cgroup-cgroupfs.paths" | head -1)/cgroup.procs" 2>/dev/null; }
for init_gone in no yes; do
    mr run -d --bundle "$T/b" pe >"$T/out" 2>&1 || die "run B in the host's pid namespace: $(cat "$T/out")"
    wait_until '[ "$(procs_of pe | wc -l)" = 2 ]' || fail "host pid namespace: not 2 processes in the cgroup"
    pids=$(procs_of pe)
    if [ $init_gone = yes ]; then
        kill -9 "$(state_field pe pid)"
        wait_for status_is pe stopped || fail "the init did not go"
    fi
    timeout 30 "$MODRUN" --root "$ROOT" kill pe KILL || fail "kill KILL, host pid namespace, init gone: $init_gone"
    for p in $pids; do
        wait_for gone "$p" || fail "process $p survived kill KILL (host pid namespace, init gone: $init_gone)"
    done
    mr delete --force pe
done
mr delete --force pa
assert_clean "at the end"
finish
