#!/bin/bash
# A hook that fails, as runtime-spec 1.3.0 runtime.md "Lifecycle" says: an
# error, the container stopped, and the lifecycle goes on at delete (poststop
# hooks, nothing left).
# - startContainer: `start` and `run` exit non-zero naming the hook (runc
#   1.1.5's start exits 0 here), the init is gone, the state is "stopped",
#   poststop runs at delete and not before;
# - prestart, createRuntime, createContainer: `create` fails naming the hook,
#   the poststop hooks run (as runc's destroy), and nothing is left: no
#   state directory, cgroup, mount or process.
. "$(dirname "$0")/lib.sh"
CGP=/c16-hooks-$$
trap cg_cleanup EXIT  # lib.sh
make_bundle
args sleep 1000
printf '#!/bin/sh\necho "hook says no" >&2\nexit 3\n' > "$BUNDLE/rootfs/fail.sh"
cp "$BUNDLE/rootfs/fail.sh" "$T/fail.sh"
printf '#!/bin/sh\ncat > "$1"\n' > "$T/poststop.sh"
chmod 755 "$BUNDLE/rootfs/fail.sh" "$T/fail.sh" "$T/poststop.sh"
PS=$T/poststop.state
hooks() { # hooks KIND PATH
    config "c['linux']['cgroupsPath'] = '$CGP/c'
c['hooks'] = {'$1': [{'path': '$2'}], 'poststop': [{'path': '$T/poststop.sh', 'args': ['poststop.sh', '$PS']}]}"
}
poststop_status() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"])' "$PS" 2>&1; }

# start
hooks startContainer /fail.sh
ID=c16-hstart
mr create --bundle "$BUNDLE" $ID >"$T/out" 2>&1 || die "create: $(cat "$T/out")"
pid=$(state_field $ID pid)
out=$(mr start $ID 2>&1); rc=$?
expect_eq "a failing startContainer hook fails start" 1 "$rc"
expect_match "the error names the hook, its status and output" \
    "start container $ID: hooks.startContainer\[0\] /fail.sh exited with status 3: hook says no" "$out"
expect_eq "the container is stopped" stopped "$(state_field $ID status)"
st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)
[ -z "$st" ] || [ "$st" = Z ] && pass "its init ($pid) has exited" || fail "its init $pid is still there (state $st)"
[ ! -e "$PS" ] && pass "poststop waits for delete" || fail "poststop ran before delete"
mr delete $ID >"$T/out" 2>&1 || fail "delete: $(cat "$T/out")"
expect_eq "delete runs poststop" stopped "$(poststop_status)"
[ -z "$(cg_left)" ] && pass "start: no cgroup left" || fail "start: cgroup left: $(cg_left)"
assert_clean "after a failed startContainer hook and delete"

# run (foreground and detached): the same error, and run deletes
for d in "" -d; do
    rm -f "$PS"
    out=$(mr run $d --bundle "$BUNDLE" c16-hrun </dev/null 2>&1); rc=$?
    expect_eq "run $d: a failing startContainer hook fails run" 1 "$rc"
    expect_match "run $d: the error names the hook" "hooks.startContainer\[0\] /fail.sh exited with status 3" "$out"
    expect_eq "run $d: poststop ran" stopped "$(poststop_status)"
    [ -z "$(cg_left)" ] && pass "run $d: no cgroup left" || fail "run $d: cgroup left: $(cg_left)"
    [ -z "$(ls -A "$ROOT")" ] && pass "run $d: no state left" || fail "run $d: state left: $(ls -A "$ROOT")"
done
assert_clean "after run and run -d with a failing startContainer hook"

# the hooks of create: create fails, poststop runs, nothing left
for k in prestart createRuntime createContainer; do
    rm -f "$PS"
    hooks $k "$T/fail.sh"
    before=$(grep -c . /proc/self/mountinfo)
    out=$(mr create --bundle "$BUNDLE" c16-hc 2>&1); rc=$?
    expect_eq "$k: a failing hook fails create" 1 "$rc"
    expect_match "$k: the error names the hook" "create container c16-hc: hooks.$k\[0\] $T/fail.sh exited with status 3: hook says no" "$out"
    expect_eq "$k: poststop ran (as runc)" stopped "$(poststop_status)"
    [ -z "$(cg_left)" ] && pass "$k: no cgroup left" || fail "$k: cgroup left: $(cg_left)"
    expect_eq "$k: the host's mount table is as before" "$before" "$(grep -c . /proc/self/mountinfo)"
    [ -z "$(ls -A "$ROOT")" ] && pass "$k: no state left" || fail "$k: state left: $(ls -A "$ROOT")"
done
assert_clean "after the failed hooks of create"
finish
