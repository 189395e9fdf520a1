#!/bin/bash
# Mounts as the container's mountinfo shows them: the default set, bind
# mounts with options, recursive attributes, tmpfs data, masked and
# read-only paths, a read-only root, and no escape through a symlink.
. "$(dirname "$0")/lib.sh"
make_bundle
mkdir -p "$T/src/sub" "$T/srcfile-dir" "$BUNDLE/rootfs/mnt"
echo hello > "$T/src/file"
echo inner > "$T/src/sub/f"
echo single > "$T/srcfile-dir/one"
mount -t tmpfs -o size=1m subtmp "$T/src/sub" && echo inner > "$T/src/sub/f"
# a symlink in the image that points outside the rootfs
ln -s /../../../../"$T"/escaped "$BUNDLE/rootfs/mnt/evil"
args sleep 1000
config "
c['root']['readonly'] = True
c['mounts'] += [
  {'destination': '/data', 'type': 'bind', 'source': '$T/src', 'options': ['rbind', 'ro', 'nosuid', 'nodev', 'noexec']},
  {'destination': '/rdata', 'type': 'bind', 'source': '$T/src', 'options': ['rbind', 'rro']},
  {'destination': '/one', 'type': 'bind', 'source': '$T/srcfile-dir/one', 'options': ['bind']},
  {'destination': '/scratch', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['size=2m', 'mode=1777', 'noatime']},
  {'destination': '/mnt/evil/inside', 'type': 'tmpfs', 'source': 'tmpfs', 'options': []},
]
c['linux']['maskedPaths'] = ['/proc/timer_list', '/proc/acpi', '/no/such/path']
c['linux']['readonlyPaths'] = ['/proc/sys', '/no/such/ro']
"
mr create --bundle "$BUNDLE" m1 >"$T/out" 2>&1 || die "create: $(cat "$T/out")"
pid=$(state_field m1 pid)
mi=$(cat /proc/$pid/mountinfo)
opt() { awk -v m="$1" '$5 == m { print $6 }' /proc/$pid/mountinfo | tail -1; }
fstype() { awk -v m="$1" '$5 == m { for (i = 7; $i != "-"; i++); print $(i + 1) }' /proc/$pid/mountinfo | tail -1; }
expect_match "/ is read-only" "^ro," "$(opt /)"
expect_eq "/proc" proc "$(fstype /proc)"
expect_eq "/dev tmpfs" tmpfs "$(fstype /dev)"
expect_eq "/dev/pts" devpts "$(fstype /dev/pts)"
expect_eq "/dev/shm" tmpfs "$(fstype /dev/shm)"
expect_eq "/sys" sysfs "$(fstype /sys)"
expect_match "/sys read-only" "^ro," "$(opt /sys)"
expect_match "bind ro,nosuid,nodev,noexec" "^ro,nosuid,nodev,noexec" "$(opt /data)"
expect_match "rro makes the submount read-only too" "^ro" "$(opt /rdata/sub)"
expect_match "rbind without rro keeps the submount rw" "^rw" "$(opt /data/sub)"
expect_eq "file bind" "single" "$(cat /proc/$pid/root/one)"
expect_match "tmpfs data" "size=2048k" "$(awk '$5 == "/scratch"' /proc/$pid/mountinfo)"
expect_eq "tmpfs mode=1777" 1777 "$(stat -c %a /proc/$pid/root/scratch)"
expect_match "tmpfs noatime" "noatime" "$(opt /scratch)"
expect_match "masked file /proc/timer_list" " /proc/timer_list " "$mi"
expect_match "masked dir /proc/acpi is a ro tmpfs" "^ro" "$(opt /proc/acpi)"; expect_eq "masked dir type" tmpfs "$(fstype /proc/acpi)"
expect_match "... read-only down to its superblock, named tmpfs (runc, crun)" " - tmpfs tmpfs ro," \
    "$(awk '$5 == "/proc/acpi"' /proc/$pid/mountinfo)"
expect_match "readonly /proc/sys" "^ro" "$(opt /proc/sys)"
[ -e "$T/escaped" ] && fail "a mount under a symlink escaped the rootfs to $T/escaped" || pass "symlink did not lead out of the rootfs"
expect_match "symlinked destination resolved inside the rootfs" " $T/escaped/inside " "$mi"
[ "$(stat -c %t:%T "$BUNDLE/rootfs/dev/null" 2>/dev/null)" = "" ] && pass "host view of rootfs/dev untouched" || true
# propagation: / is not shared with the host
expect_no_match "no shared propagation of /" "shared:" "$(awk '$5 == "/"' /proc/$pid/mountinfo)"
mr start m1
wait_for grep -q sleep /proc/$pid/comm || fail "no exec"
mr delete --force m1
umount "$T/src/sub"
assert_clean "after mounts"

# a failing mount names source, target, type and flags
config "c['mounts'] = c['mounts'][:7] + [{'destination': '/bad', 'type': 'nosuchfs', 'source': 'x', 'options': ['nodev']}]; c['root']['readonly'] = False"
out=$(mr create --bundle "$BUNDLE" m2 2>&1) && fail "mount of an unknown fs type succeeded"
expect_match "mount error names the target" "/bad" "$out"
expect_match "mount error names the type" "nosuchfs" "$out"
assert_clean "after the failing mount"
finish
