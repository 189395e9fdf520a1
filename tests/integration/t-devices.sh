#!/bin/bash
# /dev: default devices, linux.devices with mode and owner, the standard
# symlinks, /dev/pts and /dev/shm.
. "$(dirname "$0")/lib.sh"
make_bundle
args sleep 1000
config "
c['linux']['devices'] = [
  {'path': '/dev/fuse', 'type': 'c', 'major': 10, 'minor': 229, 'fileMode': 0o640, 'uid': 12, 'gid': 34},
  {'path': '/dev/sub/loopx', 'type': 'b', 'major': 7, 'minor': 200, 'fileMode': 0o600},
  {'path': '/dev/myfifo', 'type': 'p'},
  {'path': '/dev/suidnull', 'type': 'c', 'major': 1, 'minor': 3, 'fileMode': 0o4644, 'uid': 1000, 'gid': 1000},
]
"
mr create --bundle "$BUNDLE" d1 || die "create"
pid=$(state_field d1 pid)
r=/proc/$pid/root
for d in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
    name=${d%%:*}; want=${d#*:}
    got=$(stat -c '%F %t:%T %a' "$r/dev/$name" 2>&1)
    expect_eq "/dev/$name" "character special file $(printf '%x:%x' ${want%:*} ${want#*:}) 666" "$got"
done
expect_eq "/dev/fuse" "character special file a:e5 640 12 34" "$(stat -c '%F %t:%T %a %u %g' $r/dev/fuse)"
expect_eq "/dev/sub/loopx" "block special file 7:c8 600" "$(stat -c '%F %t:%T %a' $r/dev/sub/loopx)"
expect_eq "/dev/myfifo" "fifo" "$(stat -c '%F' $r/dev/myfifo)"
# chown clears the set-user-id bit: the mode comes after the owner
expect_eq "/dev/suidnull keeps its set-user-id bit" "4644 1000 1000" "$(stat -c '%a %u %g' $r/dev/suidnull)"
expect_eq "/dev/fd" /proc/self/fd "$(readlink $r/dev/fd)"
expect_eq "/dev/stdin" /proc/self/fd/0 "$(readlink $r/dev/stdin)"
expect_eq "/dev/stdout" /proc/self/fd/1 "$(readlink $r/dev/stdout)"
expect_eq "/dev/stderr" /proc/self/fd/2 "$(readlink $r/dev/stderr)"
expect_eq "/dev/ptmx" pts/ptmx "$(readlink $r/dev/ptmx)"
# runc links /dev/core only where /proc/kcore exists (not on this host's kernel)
if [ -e /proc/kcore ]; then expect_eq "/dev/core" /proc/kcore "$(readlink $r/dev/core)"
else expect_eq "no /dev/core without /proc/kcore" "" "$(readlink $r/dev/core)"; fi
mr start d1
mr delete --force d1
assert_clean "after devices"
# Without a /dev mount of its own only linux.devices are made, in the
# image's /dev: what the image has at such a path is replaced, a symlink too,
# never followed (its target on the host stays as it was). maskedPaths would
# need the image's /dev/null: none here.
H=$T/host
mkdir "$H"
echo host-file >"$H/target"
chmod 0600 "$H/target"
mkdir -p "$BUNDLE/rootfs/dev/sub"
echo image-file >"$BUNDLE/rootfs/dev/sub/loopx"
ln -sfn "$H/target" "$BUNDLE/rootfs/dev/fuse"
config "
c['mounts'] = [m for m in c['mounts'] if not m['destination'].startswith('/dev')]
c['linux']['maskedPaths'] = []
"
mr create --bundle "$BUNDLE" d2 || die "create without a /dev mount"
pid=$(state_field d2 pid)
expect_eq "/dev/sub/loopx over the image's file" "block special file 7:c8 600" \
    "$(stat -c '%F %t:%T %a' /proc/$pid/root/dev/sub/loopx)"
expect_eq "/dev/fuse over the image's symlink" "character special file a:e5 640 12 34" \
    "$(stat -c '%F %t:%T %a %u %g' /proc/$pid/root/dev/fuse)"
expect_eq "the symlink's target untouched" "host-file regular file 600 0 0" \
    "$(cat "$H/target") $(stat -c '%F %a %u %g' "$H/target")"
mr delete --force d2
rm -rf "$H" "$BUNDLE/rootfs/dev/sub" "$BUNDLE/rootfs/dev/fuse" "$BUNDLE/rootfs/dev/myfifo" "$BUNDLE/rootfs/dev/suidnull"
assert_clean "after devices in the image's /dev"
finish
