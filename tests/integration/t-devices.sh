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
# Without a /dev mount the image's own /dev gets the default devices, the
# links and linux.devices (runc does the same; runtime-spec: the default
# devices MUST be supplied). What the image already has there is never
# removed: the same device stays as the image has it, anything else (a
# file, a symlink, another device) is an error, and a symlink is never
# followed (its target on the host stays as it was).
H=$T/host
mkdir "$H"
echo host-file >"$H/target"
chmod 0600 "$H/target"
IMGDEV=$BUNDLE/rootfs/dev
mknod -m 0600 "$IMGDEV/null" c 1 3
mknod -m 0666 "$IMGDEV/fuse" c 10 229
config "
c['mounts'] = [m for m in c['mounts'] if not m['destination'].startswith('/dev')]
"
mr create --bundle "$BUNDLE" d2 || die "create without a /dev mount"
pid=$(state_field d2 pid)
r=/proc/$pid/root
expect_eq "the image's own /dev/null kept as it is" "character special file 1:3 600" \
    "$(stat -c '%F %t:%T %a' $r/dev/null)"
expect_eq "the image's own /dev/fuse gets the entry's mode and owner" "character special file a:e5 640 12 34" \
    "$(stat -c '%F %t:%T %a %u %g' $r/dev/fuse)"
expect_eq "/dev/zero made in the image's /dev" "character special file 1:5 666" "$(stat -c '%F %t:%T %a' $r/dev/zero)"
expect_eq "/dev/fd in the image's /dev" /proc/self/fd "$(readlink $r/dev/fd)"
expect_eq "maskedPaths masked with the image's /dev/null" "character special file 1:3" \
    "$(stat -c '%F %t:%T' $r/proc/keys)"
mr delete --force d2
rm -rf "${IMGDEV:?}"/* && assert_clean "after devices in the image's /dev"
for what in file symlink device; do
    mkdir -p "$IMGDEV/sub"
    case $what in
    file) echo image-file >"$IMGDEV/sub/loopx"; want="image-file" ;;
    symlink) ln -sfn "$H/target" "$IMGDEV/sub/loopx"; want="$H/target" ;;
    device) mknod "$IMGDEV/sub/loopx" b 7 201; want="block special file 7:c9" ;;
    esac
    out=$(mr create --bundle "$BUNDLE" d3 2>&1) && fail "create over the image's $what at a device's path succeeded"
    expect_match "the image's $what: refused" "/dev/sub/loopx is already a" "$out"
    case $what in
    file) got=$(cat "$IMGDEV/sub/loopx") ;;
    symlink) got=$(readlink "$IMGDEV/sub/loopx") ;;
    device) got=$(stat -c '%F %t:%T' "$IMGDEV/sub/loopx") ;;
    esac
    expect_eq "the image's $what untouched" "$want" "$got"
    expect_eq "the symlink's target untouched" "host-file regular file 600 0 0" \
        "$(cat "$H/target") $(stat -c '%F %a %u %g' "$H/target")"
    rm -rf "${IMGDEV:?}"/*
    assert_clean "after the image's $what at a device's path"
done
# A /dev bound from elsewhere is not changed at all (its nodes are the
# host's): no node made, none replaced, no link; whatever the spelling of
# the destination, and when the image's /dev is a symlink to where the
# host's is bound.
mkdir "$H/dev"
mknod -m 0640 "$H/dev/null" c 1 3
echo data >"$H/dev/fuse"
before=$(cd "$H/dev" && ls -l)
cp "$BUNDLE/config.json" "$T/config.nodev"
rmdir "$IMGDEV"
for how in /dev //dev/. symlink; do
    cp "$T/config.nodev" "$BUNDLE/config.json"
    if [ $how = symlink ]; then
        ln -s hostdev "$IMGDEV"
        dest=/hostdev
    else
        dest=$how
    fi
    config "
c['mounts'].append({'destination': '$dest', 'type': 'bind', 'source': '$H/dev', 'options': ['rbind']})
c['linux']['maskedPaths'] = []
"
    mr create --bundle "$BUNDLE" d4 || fail "create with a bound /dev ($how)"
    pid=$(state_field d4 pid)
    expect_eq "the bound /dev as it was ($how)" "$before" "$(cd "$H/dev" && ls -l)"
    expect_eq "the container sees the bound /dev ($how)" "data" "$(cat /proc/$pid/root/dev/fuse)"
    mr delete --force d4
    rm -rf "$IMGDEV" "$BUNDLE/rootfs/hostdev"
    assert_clean "after a bound /dev ($how)"
done
mkdir "$IMGDEV"
rm -rf "$H"
finish
