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
    m = re.match(r"(\d+)\s+clone3?\(.*= (\d+)$", l)
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
assert_clean "at the end"
finish
