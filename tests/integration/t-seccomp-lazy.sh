#!/bin/bash
# libseccomp is loaded on demand (core/init/process/libseccomp.c): the
# binary does not link it; a created container without linux.seccomp has no
# libseccomp mapped in its init (the kernel's /proc/PID/maps), one with a
# filter has it, mapped from the host's file (loaded by the runtime before
# clone, not from the container's root); t-seccomp shows the filter works.
. "$(dirname "$0")/lib.sh"
make_bundle
args sleep 30

needed=$(readelf -d "$RUNTIME_BIN" | grep NEEDED)
expect_no_match "the binary does not link libseccomp" 'libseccomp' "$needed"

init_maps() { # init_maps ID: the libraries mapped in the container's init
    local pid; pid=$(state_field "$1" pid)
    [ -n "$pid" ] && [ "$pid" != 0 ] || { fail "$1: no init pid"; return; }
    awk '$6 ~ /\.so/ {print $6}' "/proc/$pid/maps" | sort -u
}

mr create --bundle "$BUNDLE" psl-none >/dev/null 2>&1 || die "create without a filter"
maps=$(init_maps psl-none)
expect_match "the init maps libc" 'libc\.so' "$maps"
expect_no_match "no filter: the init has no libseccomp mapped" 'libseccomp' "$maps"
mr delete --force psl-none >/dev/null 2>&1

config "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW',
  'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 13}]}"
mr create --bundle "$BUNDLE" psl-filter >/dev/null 2>&1 || die "create with a filter"
maps=$(init_maps psl-filter)
expect_match "a filter: the init has libseccomp mapped" 'libseccomp\.so' "$maps"
expect_no_match "from the host's file, not the rootfs" "$BUNDLE" "$maps"
mr delete --force psl-filter >/dev/null 2>&1

ver=$(mr --version)
expect_match "--version loads libseccomp for its version" '^libseccomp: [0-9]+\.[0-9]+\.[0-9]+$' "$(grep ^libseccomp: <<<"$ver")"
assert_clean
finish
