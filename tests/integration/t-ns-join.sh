#!/bin/bash
# Namespaces joined by path and created with a user namespace, as runc does
# (issue 16): every namespace of another container joined (mnt and cgroup
# too, hostname with a joined uts namespace); a user namespace joined by
# path with new other namespaces, which it then owns, and whose init is
# its root; no mount namespace (t-nomntns has the details); a new user namespace owning the namespaces created with it; a
# path of another namespace type refused naming both types; a mount
# namespace joined by path that sees the bundle gets root and mounts. The
# kernel's view: /proc/PID/ns/*, NS_GET_USERNS, /proc/PID/status,
# /proc/PID/root and mountinfo.
. "$(dirname "$0")/lib.sh"
HOST_ID=100000
chmod 0755 "$T"

# owner_of PID NS: inode of the user namespace owning /proc/PID/ns/NS
owner_of() {
    python3 -c '
import fcntl, os, sys
fd = os.open("/proc/%s/ns/%s" % (sys.argv[1], sys.argv[2]), os.O_RDONLY)
o = fcntl.ioctl(fd, 0xb701)  # NS_GET_USERNS
print(os.fstat(o).st_ino)' "$1" "$2"
}
ns_ino() { stat -L -c %i "/proc/$1/ns/$2"; }
pid_of() { state_field "$1" pid; }

# --- a container whose namespaces the others join ---------------------------
make_bundle
cp "$BUNDLE/config.json" "$T/pristine.json"
CONFIG_FILE=$BUNDLE/config.json config "c['linux']['namespaces'].append({'type': 'cgroup'})
c['process']['args'] = ['sleep', '1000']"
mr run -d --bundle "$BUNDLE" ns-a >"$T/out" 2>&1 </dev/null || die "run ns-a: $(cat "$T/out")"
A=$(pid_of ns-a)

# --- 1. join all of them by /proc/PID/ns/X, mnt and cgroup included ----------
cp -a "$BUNDLE" "$T/j" && cp "$T/pristine.json" "$T/j/config.json"   # (make_bundle is slow on a loaded host)
CONFIG_FILE=$T/j/config.json config "
names = {'network': 'net', 'mount': 'mnt'}
for n in c['linux']['namespaces']:
    n['path'] = '/proc/$A/ns/' + names.get(n['type'], n['type'])
c['linux']['namespaces'].append({'type': 'cgroup', 'path': '/proc/$A/ns/cgroup'})
c['hostname'] = 'ns-joined'
c['process']['args'] = ['sleep', '1000']"
if mr run -d --bundle "$T/j" ns-j >"$T/out" 2>&1 </dev/null; then
    J=$(pid_of ns-j)
    for t in mnt pid net ipc uts cgroup; do
        expect_eq "joined $t namespace" "$(ns_ino "$A" $t)" "$(ns_ino "$J" $t)"
    done
    expect_eq "hostname set in the joined uts namespace (runc does)" ns-joined "$(nsenter -t "$A" -u hostname)"
    mr delete --force ns-j
else
    fail "joining every namespace of another container: $(cat "$T/out")"
fi

# --- 2. a path of another namespace type: refused, naming both types --------
CONFIG_FILE=$T/j/config.json config "
for n in c['linux']['namespaces']:
    if n['type'] == 'ipc': n['path'] = '/proc/$A/ns/uts'"
mr create --bundle "$T/j" ns-bad >"$T/out" 2>&1 </dev/null && fail "a uts namespace accepted as ipc"
expect_match "wrong type: both types named" "/proc/$A/ns/uts is a uts namespace, but it is listed as ipc" "$(cat "$T/out")"
[ ! -e "$ROOT/ns-bad" ] && pass "wrong type: no state left" || fail "wrong type: state of ns-bad left"

# --- 3. a new user namespace owns the namespaces made with it ---------------
cp -a "$T/j" "$T/u" && cp "$T/pristine.json" "$T/u/config.json"
chown -R $HOST_ID:$HOST_ID "$T/u/rootfs"
CONFIG_FILE=$T/u/config.json config "c['linux']['namespaces'].append({'type': 'user'})
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': $HOST_ID, 'size': 65536}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': $HOST_ID, 'size': 65536}]
c['process']['args'] = ['sleep', '1000']"
cp "$T/u/config.json" "$T/userns.json"
if mr --plugin namespace=idmap run -d --bundle "$T/u" ns-u >"$T/out" 2>&1 </dev/null; then
    U=$(pid_of ns-u)
    for t in mnt pid net ipc uts; do
        expect_eq "new $t namespace owned by the new user namespace" "$(ns_ino "$U" user)" "$(owner_of "$U" $t)"
    done
else
    fail "run ns-u: $(cat "$T/out")"
    U=
fi

# --- 4. join that user namespace and its net namespace; new others ----------
# (runc 1.1 wants the maps in config.json even so; they are not written)
if [ -n "$U" ]; then
    cp -a "$T/u" "$T/v"
    cp "$T/userns.json" "$T/v/config.json"
    CONFIG_FILE=$T/v/config.json config "
for n in c['linux']['namespaces']:
    if n['type'] == 'user': n['path'] = '/proc/$U/ns/user'
    if n['type'] == 'network': n['path'] = '/proc/$U/ns/net'"
    if mr --plugin namespace=idmap run -d --bundle "$T/v" ns-v >"$T/out" 2>&1 </dev/null; then
        V=$(pid_of ns-v)
        expect_eq "joined user namespace" "$(ns_ino "$U" user)" "$(ns_ino "$V" user)"
        expect_eq "joined net namespace" "$(ns_ino "$U" net)" "$(ns_ino "$V" net)"
        for t in mnt pid ipc uts; do
            [ "$(ns_ino "$V" $t)" != "$(ns_ino "$U" $t)" ] && pass "new $t namespace" || fail "$t namespace not new"
            expect_eq "new $t namespace owned by the joined user namespace" "$(ns_ino "$U" user)" "$(owner_of "$V" $t)"
        done
        expect_eq "the init is the joined namespace's root" "$HOST_ID $HOST_ID $HOST_ID $HOST_ID" "$(proc_field "$V" Uid)"
        expect_eq "and its root group" "$HOST_ID $HOST_ID $HOST_ID $HOST_ID" "$(proc_field "$V" Gid)"
        wait_for grep -q sleep "/proc/$V/comm" && pass "ns-v runs its process" || fail "ns-v: no sleep"
        mr delete --force ns-v
    else
        fail "joining a user namespace and its net namespace by path: $(cat "$T/out")"
    fi
    mr delete --force ns-u
fi
# --- 5. no mount namespace at all: runs, nothing left (t-nomntns) ----------
# (runc 1.1.5 runs it too when there are no maskedPaths/readonlyPaths, and
# leaves /proc, /dev... mounted in the host's mount namespace)
cp "$T/pristine.json" "$T/j/config.json"
CONFIG_FILE=$T/j/config.json config "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'mount']
c['linux'].pop('maskedPaths', None); c['linux'].pop('readonlyPaths', None)
c['process']['args'] = ['true']"
mr run --bundle "$T/j" ns-nomnt >"$T/out" 2>&1 </dev/null || fail "a config without a mount namespace: $(cat "$T/out")"
grep -q " $T/j/rootfs" /proc/self/mountinfo && fail "no mount namespace: mounts left on the host" || pass "no mount namespace: ran, no mount left"
# --- 6. a mount namespace joined by path that sees the bundle --------------
# (`unshare --mount`): root and mounts are applied in it, as the spec's root
# and mounts say and runc does (runtime-tools' linux_ns_path); another
# container's (case 1, its root switched) is used as it is
unshare --mount sleep 1000 </dev/null >/dev/null 2>&1 &
U=$!
wait_until '[ "$(ns_ino "$U" mnt)" != "$(ns_ino $$ mnt)" ]' || fail "unshare --mount did not make its namespace"
cp "$T/pristine.json" "$T/j/config.json"
CONFIG_FILE=$T/j/config.json config "
for n in c['linux']['namespaces']:
    if n['type'] == 'mount': n['path'] = '/proc/$U/ns/mnt'
c['mounts'].append({'destination': '/ov-mnt', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['size=64k']})
c['process']['args'] = ['sleep', '1000']"
if mr run -d --bundle "$T/j" ov-nsmnt >"$T/out" 2>&1 </dev/null; then
    M=$(pid_of ov-nsmnt)
    expect_eq "joined the unshare'd mount namespace" "$(ns_ino "$U" mnt)" "$(ns_ino "$M" mnt)"
    expect_eq "its root is the bundle's rootfs" "$(stat -c %d:%i "$T/j/rootfs")" "$(stat -L -c %d:%i "/proc/$M/root")"
    expect_match "config.json's mount is there" "^[0-9]+ [0-9]+ [^ ]+ / /ov-mnt .* - tmpfs " "$(cat "/proc/$M/mountinfo")"
    expect_match "and the spec's /proc" "^[0-9]+ [0-9]+ [^ ]+ / /proc .* - proc " "$(cat "/proc/$M/mountinfo")"
    mr delete --force ov-nsmnt
else
    fail "joining a mount namespace made by unshare --mount: $(cat "$T/out")"
fi
kill "$U"; wait "$U" 2>/dev/null

mr delete --force ns-a
assert_clean "after the joined namespaces"
finish
