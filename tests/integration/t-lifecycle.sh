#!/bin/bash
# create -> created (init waits), start -> running, kill -> stopped, delete -> gone;
# state, list; namespaces as the kernel shows them.
. "$(dirname "$0")/lib.sh"
make_bundle
args sh -c 'echo started > /tmp/started; exec sleep 1000'
config "c['annotations'] = {'org.test.k': 'v'}"

# (not $(...): the created init keeps our stdout open, as with runc)
mr create --bundle "$BUNDLE" --pid-file "$T/pid" c1 >"$T/out" 2>&1 || die "create: $(cat "$T/out")"
pid=$(state_field c1 pid)
expect_eq "state after create" created "$(state_field c1 status)"
expect_eq "pid file" "$pid" "$(cat "$T/pid")"
[ -d "/proc/$pid" ] || fail "init $pid not alive"
for ns in pid mnt uts ipc net; do
    [ "$(readlink /proc/$pid/ns/$ns)" != "$(readlink /proc/self/ns/$ns)" ] && pass "new $ns namespace" || fail "$ns namespace is the host's"
done
expect_eq "init waits before start (rootfs has no marker)" "" "$(ls "$BUNDLE/rootfs/tmp")"
expect_eq "list -q" c1 "$(mr list -q)"
expect_match "list table" "^c1 +$pid +created +$BUNDLE" "$(mr list | tail -1)"
expect_match "list json" '"status":"created"' "$(mr list --format json)"
expect_match "list json: annotations" '"annotations":\{"org.test.k":"v"\}' "$(mr list --format json)"
expect_match "state: annotations" '"org.test.k":"v"' "$(mr state c1)"

mr start c1 || die "start"
wait_for test -e "$BUNDLE/rootfs/tmp/started" || fail "process did not start"
expect_eq "state after start" running "$(state_field c1 status)"
expect_eq "pid stays" "$pid" "$(state_field c1 pid)"
wait_for grep -q sleep "/proc/$pid/comm" || fail "init did not exec sleep"
expect_eq "the container's pid 1 is the init" 1 "$(awk '/^NSpid:/ {print $3}' /proc/$pid/status)"

out=$(mr start c1 2>&1) && fail "second start succeeded"
expect_match "second start refused" "running, not created" "$out"
out=$(mr delete c1 2>&1) && fail "delete of a running container succeeded"
expect_match "delete running refused" "cannot delete container c1: it is running" "$out"

mr kill c1 KILL || fail "kill"
wait_for status_is c1 stopped || fail "not stopped"
expect_eq "state after kill" stopped "$(state_field c1 status)"
expect_eq "pid 0 when stopped" 0 "$(state_field c1 pid)"
out=$(mr kill c1 2>&1) && fail "kill of a stopped container succeeded"
expect_match "kill stopped refused" "stopped" "$out"
mr delete c1 || fail "delete"
out=$(mr state c1 2>&1) && fail "state after delete succeeded"
expect_match "state after delete" "does not exist" "$out"
assert_clean "after delete"

# delete of a created container: refused without --force, no effect (the
# spec: "not stopped" MUST error; crun refuses, runc kills it); --force
# kills its init
mr create --bundle "$BUNDLE" c2 || die "create c2"
pid=$(state_field c2 pid)
out=$(mr delete c2 2>&1) && fail "delete of a created container succeeded"
expect_match "delete created refused, says why" "cannot delete container c2: it is created.*delete --force" "$out"
expect_eq "it is still created" created "$(state_field c2 status)"
[ -d "/proc/$pid" ] && grep -q "^State:.*S (sleeping)" "/proc/$pid/status" && pass "its init still waits" \
    || fail "init of created container gone after a refused delete"
mr delete --force c2 || fail "delete --force created"
wait_for test ! -d "/proc/$pid" || fail "init of created container survived delete --force"
# delete --force of a running one, and of one that does not exist
mr run -d --bundle "$BUNDLE" c3 || die "run -d"
expect_eq "run -d leaves it running" running "$(state_field c3 status)"
mr delete --force c3 || fail "delete --force"
mr delete --force nosuch || fail "delete --force of a missing container must succeed"
out=$(mr delete nosuch 2>&1) && fail "delete of a missing container succeeded"
expect_match "delete missing" "container \"nosuch\" does not exist" "$out"

# list does not wait for a container's lock: one whose create is still
# running (a slow createRuntime hook) shows as "creating"
make_bundle "$T/slow"
CONFIG_FILE=$T/slow/config.json config "c['hooks'] = {'createRuntime': [{'path': '/bin/sleep', 'args': ['sleep', '2']}]}"
mr create --bundle "$T/slow" slow >"$T/slow.out" 2>&1 &
listed_creating() { mr list | grep -qE '^slow +0 +creating'; }
wait_for listed_creating && pass "list during create: creating" || fail "list during create: $(mr list)"
wait || fail "slow create: $(cat "$T/slow.out")"
expect_eq "then created" created "$(state_field slow status)"
mr delete --force slow

# kill of a created container with a signal whose default is to end a
# process: its init, the pid 1 of a new pid namespace, gets no signal it
# does not catch (pid_namespaces(7)), so it catches them until `start`
# and exits; the container is then stopped and delete removes it all.
# runc 1.1.5: stopped after TERM, INT and HUP (its init exits 2), still
# created after USR1. One whose default is to ignore (WINCH) changes
# nothing: still created, and it starts as usual.
CGP=/modrun-it-$$ # the containers' cgroups, checked gone after delete
trap cg_cleanup EXIT # lib.sh
args sleep 100
# wait_status ID STATUS: for up to 3 s
wait_status() { local i; for i in $(seq 30); do status_is "$1" "$2" && return 0; sleep 0.1; done; return 1; }
for sig in TERM INT HUP USR1 KILL; do
    id=created-$sig
    config "c['linux']['cgroupsPath'] = '$CGP/$id'"
    mr create --bundle "$BUNDLE" "$id" >/dev/null 2>&1 || die "create $id"
    pid=$(state_field "$id" pid)
    [ -n "$(cg_left)" ] || fail "$id: no cgroup below $CGP"
    mr kill "$id" "$sig" || fail "kill $id $sig"
    wait_status "$id" stopped && pass "created, kill $sig: stopped" ||
        fail "created, kill $sig: still $(state_field "$id" status) after 3 s"
    wait_for gone "$pid" || fail "$id: init $pid still there"
    mr delete "$id" || fail "delete $id"
    expect_eq "$id: cgroups removed" "" "$(cg_left)"
    assert_clean "$id deleted"
done
id=created-WINCH
config "c['linux']['cgroupsPath'] = '$CGP/$id'"
mr create --bundle "$BUNDLE" "$id" >/dev/null 2>&1 || die "create $id"
pid=$(state_field "$id" pid)
mr kill "$id" WINCH || fail "kill $id WINCH"
sleep 0.5
expect_eq "created, kill WINCH: still created" created "$(state_field "$id" status)"
mr start "$id" || fail "start $id after WINCH"
wait_for grep -q sleep "/proc/$pid/comm" || fail "$id: init did not exec sleep"
expect_eq "$id: running after start" running "$(state_field "$id" status)"
expect_eq "$id: the process catches nothing of the init's" 0000000000000000 "$(proc_field "$pid" SigCgt)"
expect_eq "$id: the process ignores nothing" 0000000000000000 "$(proc_field "$pid" SigIgn)"
mr kill "$id" KILL || fail "kill $id KILL"
wait_status "$id" stopped || fail "$id: not stopped after KILL"
mr delete "$id" || fail "delete $id"
expect_eq "$id: cgroups removed" "" "$(cg_left)"
assert_clean "at the end"
finish
