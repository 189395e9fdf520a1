#!/bin/bash
# A container whose cgroup is frozen before it exists (runc 1.1.5:
# "container's cgroup unexpectedly frozen"): `run -d` and `create` refuse
# it at once, naming the cgroup file and how to thaw it, and leave nothing
# (no state, no cgroup directory of theirs, no process); the frozen cgroup
# itself is not touched. v1 freezer (its own state, and a frozen parent),
# and cgroup.freeze in cgroup v2 (the unified hierarchy of a hybrid host).
. "$(dirname "$0")/lib.sh"
CGP=/c16-frozen-$$
FZ=/sys/fs/cgroup/freezer$CGP
U=/sys/fs/cgroup/unified$CGP
[ -e /sys/fs/cgroup/freezer/freezer.state ] || [ -d /sys/fs/cgroup/freezer ] || { echo "SKIP: no v1 freezer"; exit 77; }
thaw_all() { # every exit: thaw what the test froze, then remove it all
    local rc=$?
    [ -e "$FZ/freezer.state" ] && echo THAWED > "$FZ/freezer.state"
    [ -e "$FZ/c/freezer.state" ] && echo THAWED > "$FZ/c/freezer.state"
    [ -e "$U/c/cgroup.freeze" ] && echo 0 > "$U/c/cgroup.freeze"
    (exit $rc)
    cg_cleanup
}
trap thaw_all EXIT
make_bundle
args sleep 1000
config "c['linux']['cgroupsPath'] = '$CGP/c'"
# bounded here (the old code waited forever in run -d); the output goes to
# a file: a frozen init would keep a $(...) pipe open
mr_bounded() { timeout -k 2 20 "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" "$@" </dev/null >"$T/out" 2>&1; }
others() { # cgroup directories of the container outside the one the test made
    local d; for d in /sys/fs/cgroup/*/; do [ "$d" = "$(dirname "$1")/" ] || { [ -e "$d${CGP#/}/c" ] && echo "$d${CGP#/}/c"; }; done
}

mkdir -p "$FZ/c" && echo FROZEN > "$FZ/c/freezer.state" || die "freeze $FZ/c"
for cmd in "run -d" create; do
    start=$(date +%s)
    mr_bounded $cmd --bundle "$BUNDLE" c16-frz; rc=$?; out=$(cat "$T/out")
    expect_eq "$cmd into a frozen v1 cgroup fails (not hangs)" 1 "$rc"
    [ $(( $(date +%s) - start )) -lt 15 ] && pass "$cmd returns at once" || fail "$cmd took $(( $(date +%s) - start )) s"
    expect_match "$cmd: the error names the cgroup, its state and how to thaw it" \
        "container's cgroup unexpectedly frozen: $FZ/c/freezer.state is FROZEN .*hint: thaw it \(echo THAWED" "$out"
    expect_eq "$cmd: no cgroup of the container's in another hierarchy" "" "$(others "$FZ")"
done
expect_eq "the frozen cgroup is left as it was" FROZEN "$(cat "$FZ/c/freezer.state")"
assert_clean "after refusing a frozen v1 cgroup"

# a frozen parent freezes the new child
echo THAWED > "$FZ/c/freezer.state"; rmdir "$FZ/c"
echo FROZEN > "$FZ/freezer.state" || die "freeze $FZ"
mr_bounded run -d --bundle "$BUNDLE" c16-frz; rc=$?; out=$(cat "$T/out")
expect_eq "run -d below a frozen v1 parent fails" 1 "$rc"
expect_match "the error says an ancestor froze it" "$FZ/c/freezer.state is FROZEN, frozen by an ancestor cgroup" "$out"
[ ! -e "$FZ/c" ] && pass "the child modrun made is removed" || fail "$FZ/c left"
echo THAWED > "$FZ/freezer.state"

# cgroup v2: cgroup.freeze in the unified hierarchy
if [ -e /sys/fs/cgroup/unified/cgroup.procs ]; then
    mkdir -p "$U/c" && echo 1 > "$U/c/cgroup.freeze" || die "freeze $U/c"
    mr_bounded run -d --bundle "$BUNDLE" c16-frz; rc=$?; out=$(cat "$T/out")
    expect_eq "run -d into a frozen cgroup v2 cgroup fails" 1 "$rc"
    expect_match "the error names cgroup.freeze" "unexpectedly frozen: $U/c/cgroup.freeze is 1 .*echo 0 >" "$out"
    expect_eq "v2: no cgroup of the container's in another hierarchy" "" "$(others "$U")"
    echo 0 > "$U/c/cgroup.freeze"
fi
assert_clean "after refusing frozen cgroups"

# thawed, the same config runs
mr_bounded run -d --bundle "$BUNDLE" c16-frz && pass "thawed: run -d works" || fail "thawed: $(cat "$T/out")"
mr_bounded delete --force c16-frz
finish
