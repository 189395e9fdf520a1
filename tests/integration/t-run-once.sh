#!/bin/bash
# What `run` does once, not twice (issue 19): its start is create's own
# (state.json is read back only by its delete), its delete uses the config
# and plugins create loaded (no config.json read back, no plugin copied and
# dlopen()ed again), and the masked directories share one read-only tmpfs
# (one fsopen).
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || { echo "SKIP: strace missing (apt-get install strace)"; exit 77; }
make_bundle
mkdir -p "$BUNDLE/rootfs/m1" "$BUNDLE/rootfs/m2"
echo secret > "$BUNDLE/rootfs/m1/s"
echo secret > "$BUNDLE/rootfs/m3"
config 'c["linux"]["maskedPaths"] = ["/m1", "/m2", "/m3"]'
args true

# count ID PATTERN: lines of the run's strace matching PATTERN
count() { grep -cE -- "$2" "$T/trace-$1"; }

for cg in cgroupfs disabled; do
    id=pi-once-$cg
    run_traced "$id" openat,memfd_create,fsopen --cgroup-manager=$cg
    expect_eq "$cg: state.json read back once (delete), not by a second open for start" 1 \
        "$(count "$id" 'openat\([0-9]+, "state.json", O_RDONLY')"
    expect_eq "$cg: config.json not read back" 0 "$(count "$id" 'openat\([0-9]+, "config.json", O_RDONLY')"
    expect_eq "$cg: masked directories: one tmpfs made" 1 "$(count "$id" 'fsopen\("tmpfs"')"
    expect_eq "$cg: the time zone not loaded (state.json's created is UTC)" 0 "$(count "$id" 'localtime|zoneinfo')"
done
# plugins copied into sealed memfds: create's (cgroupfs, pivot-root) only
expect_eq "cgroupfs: sealed plugin copies: create 2, delete 0" 2 "$(count pi-once-cgroupfs 'memfd_create\("modrun-plugin"')"
expect_eq "disabled: sealed plugin copies: create 1, delete 0" 1 "$(count pi-once-disabled 'memfd_create\("modrun-plugin"')"

# what the container sees: both directories masked by the same empty
# read-only tmpfs, the file by /dev/null
args sh -c 'stat -c "%d %t:%T" /m1 /m2 /m3; ls -A /m1 /m2; cat /m3; touch /m1/x /m2/x 2>&1; awk "\$5 ~ /^\/m[12]\$/ { for (i = 7; \$i != \"-\"; i++); print \$5, \$6, \$(i + 1) }" /proc/self/mountinfo'
out=$(mr run --bundle "$BUNDLE" pi-once-see 2>&1)
d1=$(printf '%s\n' "$out" | sed -n 1p | cut -d" " -f1); d2=$(printf '%s\n' "$out" | sed -n 2p | cut -d" " -f1)
expect_eq "one tmpfs for both masked directories" "$d1" "$d2"
expect_match "the masked file is /dev/null (1:3)" "^[0-9]+ 1:3$" "$(printf '%s\n' "$out" | sed -n 3p)"
expect_no_match "the masked directory and file are empty" "secret|^s$" "$out"
expect_match "/m1 read-only" "/m1/x: Read-only file system" "$out"
expect_match "/m2 read-only" "/m2/x: Read-only file system" "$out"
expect_match "mountinfo: /m1 a read-only tmpfs" "^/m1 ro,[^ ]* tmpfs$" "$out"
expect_match "mountinfo: /m2 a read-only tmpfs" "^/m2 ro,[^ ]* tmpfs$" "$out"
assert_clean "at the end"
finish
