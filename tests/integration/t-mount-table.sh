#!/bin/bash
# The runtime reads the host's mount table once per command: the core's
# automatic choices, the mount strategy's check and the cgroup manager share
# it (plugin ABI 1.3, host->mount_table); the init, in a new mount
# namespace (a copy of the runtime's), uses that same table, inherited, for
# its cgroup mount, and reads its own only for what its mounts changed (the
# rootfs's parent with rootfsPropagation shared).
# At 300 mounts every read costs about 0.75 ms (bench/README.md).
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || { echo "SKIP: strace missing (apt-get install strace)"; exit 77; }
make_bundle
args true

# count_reads ID [GLOBAL-OPTION...]: "RUNTIME INIT" opens of /proc/self/mountinfo
count_reads() {
    local id=$1; shift
    run_traced "$id" openat,clone3,clone "$@"
    python3 - "$T/trace-$id" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
runtime = lines[0].split()[0]
init = None
for l in lines:  # the first child the runtime makes is the container's init
    # (a clone sharing the runtime's memory returns once the init exec'd:
    # strace prints its result on a "resumed" line)
    m = re.match(r"(\d+)\s+(?:clone3?\(|<\.\.\. clone3? resumed>).*= (\d+)$", l)
    if m and m.group(1) == runtime:
        init = m.group(2)
        break
n = {runtime: 0, init: 0, "other": 0}
for l in lines:
    if '"/proc/self/mountinfo"' in l:
        pid = l.split()[0]
        n[pid if pid in (runtime, init) else "other"] += 1
print(n[runtime], n[init], n["other"])
PY
}

# the default: cgroupfs, pivot-root (its check), /sys/fs/cgroup mounted
read -r rt in other < <(count_reads p2-mt1)
expect_eq "cgroupfs + pivot-root: the runtime reads the mount table once" 1 "$rt"
expect_eq "the init reads none: its cgroup mount uses the runtime's table" 0 "$in"
expect_eq "no other process reads it" 0 "$other"

# the automatic mount strategy (initramfs detection) shares the same read
read -r rt in other < <(count_reads p2-mt2 --mount-strategy=auto --cgroup-manager=disabled)
expect_eq "auto strategy, no cgroups: the runtime reads it once" 1 "$rt"

# rootfsPropagation shared: the init must find the mount holding the rootfs
config 'c["linux"]["rootfsPropagation"] = "shared"'
read -r rt in other < <(count_reads p2-mt3)
expect_eq "rootfsPropagation shared: the init reads it for the rootfs's parent only" 1 "$in"

# after create, cgroupfs takes the cgroup mounts it recorded in its state
# file (runc keeps its cgroup paths likewise): exec, ps, pause, resume,
# update and delete read no mount table, which on a node with many
# containers is long
config 'c["linux"].pop("rootfsPropagation", None)'
args sleep 1000
mr run -d --bundle "$BUNDLE" p2-mt4 >"$T/out" 2>&1 || die "run -d p2-mt4: $(cat "$T/out")"
grep -q "^mount	" "$ROOT/p2-mt4/cgroup-cgroupfs.paths" && pass "create recorded the cgroup mounts" ||
    fail "no mount lines in cgroup-cgroupfs.paths"
reads() { # reads ARGS...: opens of the mount table by the command and its children
    timeout -k 5 60 strace -f -qq -o "$T/trace-cmd" -e trace=openat \
        "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" "$@" >/dev/null 2>&1 || fail "$* under strace"
    grep -c '/mountinfo"' "$T/trace-cmd"
}
for cmd in "exec p2-mt4 true" "ps p2-mt4" "pause p2-mt4" "resume p2-mt4" "update --pids-limit 90 p2-mt4"; do
    expect_eq "$cmd reads no mount table" 0 "$(reads $cmd)"
done
pids_dir=$(sed -n 's/^dir\t//p' "$ROOT/p2-mt4/cgroup-cgroupfs.paths" | while read -r d; do
    [ -e "$d/pids.max" ] && echo "$d" && break; done)
expect_eq "update still reaches the cgroup" 90 "$(cat "$pids_dir/pids.max" 2>/dev/null)"
mr kill p2-mt4 KILL && wait_for status_is p2-mt4 stopped || fail "kill p2-mt4"
expect_eq "delete of the stopped container reads no mount table" 0 "$(reads delete p2-mt4)"
[ ! -e "$ROOT/p2-mt4" ] && pass "and deletes it" || fail "p2-mt4 left"
mr run -d --bundle "$BUNDLE" p2-mt4 >"$T/out" 2>&1 || die "run -d p2-mt4 again: $(cat "$T/out")"
# a record that no longer holds is not used: the mount table is read, as
# at create: a mount point of another hierarchy (its device), or one that
# is not a cgroup file system
paths=$ROOT/p2-mt4/cgroup-cgroupfs.paths
sed '/^mount\t/d' "$paths" >"$T/old-paths" && cp "$paths" "$T/new-paths" && cp "$T/old-paths" "$paths"
expect_eq "a state file of an older modrun (no mount lines): the mount table is read" 1 "$(reads ps p2-mt4)"
cp "$T/new-paths" "$paths"
sed -i '0,/^mount\t/s/^\(mount\t[01]\t\)[0-9]*:[0-9]*/\10:1/' "$paths"
expect_eq "a record with another device for a mount point: the mount table is read" 1 "$(reads ps p2-mt4)"
sed -i 's|^\(mount\t[01]\t[^\t]*\t[^\t]*\t[^\t]*\t\).*|\1/etc|' "$paths"
expect_eq "a record naming /etc as a cgroup mount: the mount table is read" 1 "$(reads ps p2-mt4)"
expect_eq "delete --force then reads it once too" 1 "$(reads delete --force p2-mt4)"
[ ! -e "$ROOT/p2-mt4" ] && pass "and deletes the container" || fail "p2-mt4 left"
assert_clean "at the end"
finish
