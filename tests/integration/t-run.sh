#!/bin/bash
# run in the foreground: output, exit code, signals forwarded; --keep; hostname.
. "$(dirname "$0")/lib.sh"
make_bundle
config 'c["hostname"] = "box1"; c["domainname"] = "example.org"'
args sh -c 'echo "h=$(hostname) d=$(cat /proc/sys/kernel/domainname) p=$$"; exit 7'
out=$(mr run --bundle "$BUNDLE" r1 2>&1); rc=$?
expect_eq "exit code of the process" 7 "$rc"
expect_match "hostname, domainname, pid 1" "h=box1 d=example.org p=1" "$out"
assert_clean "run removes the container"

args sh -c 'exit 0'
mr run --keep --bundle "$BUNDLE" r2 || fail "run --keep"
expect_eq "--keep leaves a stopped container" stopped "$(state_field r2 status)"
mr delete r2 || fail "delete kept"

# signals sent to `modrun run` reach the process (exit code 128+15);
# runpid must be modrun itself, not a subshell
mr_bg() { "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" "$@" & runpid=$!; }
args sh -c 'trap "exit 143" TERM; while :; do sleep 0.1; done'
mr_bg run --bundle "$BUNDLE" r3
wait_for status_is r3 running || fail "r3 not running"
kill -TERM "$runpid"
wait "$runpid"; rc=$?
expect_eq "SIGTERM forwarded" 143 "$rc"
# killed by a signal: 128 + signal
args sleep 100
mr_bg run --bundle "$BUNDLE" r4
wait_for status_is r4 running || fail "r4 not running"
mr kill r4 KILL
wait "$runpid"; rc=$?
expect_eq "killed by SIGKILL: 137" 137 "$rc"
# run deletes what its create made, not whatever has its id by then: run
# stopped while another command deletes the container and makes a new one
# of the same id; the new one outlives run's own delete
mr_bg run --bundle "$BUNDLE" r5
wait_for status_is r5 running || fail "r5 not running"
kill -STOP "$runpid"
mr delete --force r5 || fail "delete --force of r5 while its run is stopped"
mr run -d --bundle "$BUNDLE" r5 || fail "run -d of a new r5"
newpid=$(state_field r5 pid)
kill -CONT "$runpid"
wait "$runpid"; rc=$?
expect_eq "the stopped run ends with its killed process: 137" 137 "$rc"
expect_eq "the new r5 is left running" "running $newpid" "$(state_field r5 status) $(state_field r5 pid)"
mr delete --force r5 || fail "delete --force of the new r5"
assert_clean "at the end"
finish
