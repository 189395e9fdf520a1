#!/bin/bash
# Namespaces: new ones, and joined by path (the container's ns inode equals
# the one of the path); time namespace offsets.
. "$(dirname "$0")/lib.sh"
make_bundle
args sleep 1000
# a holder process with its own net, uts and ipc namespaces
unshare --net --uts --ipc sleep 1000 >/dev/null 2>&1 & holder=$!
BG_PIDS="$BG_PIDS $holder"
holder_ready() { [ "$(readlink /proc/$holder/ns/net)" != "$(readlink /proc/self/ns/net)" ]; }
wait_for holder_ready || die "holder"
config "
for n in c['linux']['namespaces']:
    if n['type'] in ('network', 'ipc'):
        n['path'] = '/proc/$holder/ns/' + ('net' if n['type'] == 'network' else 'ipc')
c['linux']['namespaces'].append({'type': 'time'})
c['linux']['timeOffsets'] = {'monotonic': {'secs': 86400, 'nanosecs': 0}, 'boottime': {'secs': 172800, 'nanosecs': 0}}
"
mr create --bundle "$BUNDLE" n1 || die "create"
pid=$(state_field n1 pid)
expect_eq "joined net namespace" "$(readlink /proc/$holder/ns/net)" "$(readlink /proc/$pid/ns/net)"
expect_eq "joined ipc namespace" "$(readlink /proc/$holder/ns/ipc)" "$(readlink /proc/$pid/ns/ipc)"
[ "$(readlink /proc/$pid/ns/uts)" != "$(readlink /proc/$holder/ns/uts)" ] && pass "new uts namespace" || fail "uts"
[ "$(readlink /proc/$pid/ns/time)" != "$(readlink /proc/self/ns/time)" ] && pass "new time namespace" || fail "time"
expect_match "time offsets" "monotonic +86400 +0" "$(cat /proc/$pid/timens_offsets)"
expect_match "boottime offset" "boottime +172800 +0" "$(cat /proc/$pid/timens_offsets)"
mr delete --force n1

# joining a path that is not a namespace of that type is a clear error
config "
for n in c['linux']['namespaces']:
    if n['type'] == 'network':
        n['path'] = '/proc/$holder/ns/uts'
"
out=$(mr create --bundle "$BUNDLE" n2 2>&1) && fail "joining a uts ns as network succeeded"
expect_match "wrong namespace type" "/proc/$holder/ns/uts" "$out"
assert_clean "after the wrong namespace"
config "
for n in c['linux']['namespaces']:
    if n['type'] == 'network':
        n['path'] = '$T/no-such-ns'
"
out=$(mr create --bundle "$BUNDLE" n3 2>&1) && fail "missing ns path accepted"
expect_match "missing namespace path" "$T/no-such-ns" "$out"
assert_clean "after the missing namespace path"
kill $holder

# A cgroup namespace is rooted at the container's own cgroup, in every
# hierarchy (made by the init once it is in its cgroups, as runc does);
# the init is born there, alone (pids.max 1 leaves no room for a helper).
make_bundle "$T/cg"
CONFIG_FILE=$T/cg/config.json config "
c['linux']['namespaces'].append({'type': 'cgroup'})
c['linux'].setdefault('resources', {})['pids'] = {'limit': 1}
c['process']['args'] = ['cat', '/proc/self/cgroup']"
out=$(mr run --bundle "$T/cg" cg1 2>&1) || fail "run with a cgroup namespace: $out"
expect_eq "every hierarchy is / inside the cgroup namespace" "" "$(printf '%s\n' "$out" | grep -v ':/$')"
expect_eq "as many hierarchies as the host has" "$(wc -l </proc/self/cgroup)" "$(printf '%s\n' "$out" | grep -c ':/$')"
assert_clean "after the cgroup namespace run"

# "path": "" is no path: a new namespace, as runc (run.bats, joining
# existing container namespaces)
make_bundle "$T/nsp"
CONFIG_FILE=$T/nsp/config.json config "c['process']['args'] = ['readlink', '/proc/self/ns/uts']
for n in c['linux']['namespaces']:
    if n['type'] in ('uts', 'mount'): n['path'] = ''"
out=$(mr run --bundle "$T/nsp" nspath 2>&1) || fail "path \"\" refused: $out"
expect_match "path \"\": a new uts namespace" "^uts:\[[0-9]+\]$" "$out"
[ "$out" != "$(readlink /proc/self/ns/uts)" ] || fail "path \"\": the host's uts namespace"
assert_clean "after path \"\""
finish
