#!/bin/bash
# No mount namespace (issue 16; runtime-tools' linux_ns_itype): the
# container runs in the runtime's mount namespace, chrooted into its rootfs
# with /proc, /dev, /sys, masked and read-only paths mounted beneath it;
# the host's mounts keep their propagation (runc 1.1.5 makes the host's /
# rslave, which turns the shared mount holding the bundle into a slave,
# and that mount private if still shared), nothing of the
# container propagates to the host's peers, and delete, a failed create
# and run's exit leave the host's mountinfo as it was (runc leaves every
# mount behind). The bundle lies on a shared tmpfs with a peer, as on a
# systemd host. The kernel's view: /proc/PID/ns/mnt, /proc/PID/root and
# mountinfo (mount points and propagation fields).
. "$(dirname "$0")/lib.sh"
SH=$T/sh PEER=$T/peer
chmod 0755 "$T" # searchable by the mapped root of case 5
mkdir -p "$SH" "$PEER"
mount -t tmpfs nm-shared "$SH" && mount --make-shared "$SH" && mount --bind "$SH" "$PEER" ||
    die "a shared tmpfs with a peer at $SH"
make_bundle "$SH/b"
B=$SH/b R=$SH/b/rootfs
CONFIG_FILE=$B/config.json config "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'mount']
c['process']['args'] = ['sleep', '1000']"
cp "$B/config.json" "$T/nomnt.json"

# "/" and everything under $T (other tests run at the same time): mount
# point, then its optional (propagation) fields
mounts() {
    awk -v t="$T" '$5 == "/" || index($5, t) == 1 {
        o = ""; for (i = 7; $i != "-"; i++) o = o " " $i
        print $5 o }' /proc/self/mountinfo | sort
}
# assert_clean without its "no mount under $T" (the shared tmpfs is there):
# the mounts are compared with $before instead
clean() {
    local left; left=$(ls -A "$ROOT" 2>/dev/null || true)
    [ -z "$left" ] || fail "$1: state left behind: $left"
    local procs rootid; rootid=$(stat -c %d:%i "$R")
    procs=$(stat -L -c '%d:%i %n' /proc/[0-9]*/root 2>/dev/null | awk -v r="$rootid" '$1 == r { print $2 }' | tr '\n' ' ')
    [ -z "$procs" ] || fail "$1: processes left in the container:$procs"
    expect_eq "$1: the host's mounts as before" "$before" "$(mounts)"
}
prop_of() { awk -v m="$1" '$5 == m { o = ""; for (i = 7; $i != "-"; i++) o = o " " $i; print o }' /proc/self/mountinfo | tail -1; }
before=$(mounts)
expect_match "the bundle's mount is shared" "shared:" "$(prop_of "$SH")"

# --- 1. create: the host's mount namespace, the rootfs as root ------------
mr create --bundle "$B" nm-1 </dev/null >"$T/out" 2>&1 || die "create without a mount namespace: $(cat "$T/out")"
pid=$(state_field nm-1 pid)
expect_eq "the runtime's mount namespace" "$(readlink /proc/self/ns/mnt)" "$(readlink /proc/$pid/ns/mnt)"
expect_eq "root is the rootfs (/proc/PID/root)" "$R" "$(readlink /proc/$pid/root)"
expect_eq "the host's / keeps its propagation" "$(echo "$before" | awk '$1 == "/"')" "$(mounts | awk '$1 == "/"')"
expect_eq "the mount holding the rootfs stays shared" "$(echo "$before" | awk -v m="$SH" '$1 == m')" \
    "$(mounts | awk -v m="$SH" '$1 == m')"
expect_match "proc mounted inside" "^[0-9]+ [0-9]+ [^ ]+ / $R/proc .* - proc " "$(cat /proc/self/mountinfo)"
expect_eq "the rootfs mount is private" "" "$(prop_of "$R")"
expect_eq "the container's mounts do not reach the host's peers" "" "$(awk -v p="$PEER/b/rootfs/" 'index($5, p) == 1' /proc/self/mountinfo)"
mr start nm-1 || fail "start"
wait_for grep -q sleep "/proc/$pid/comm" || fail "nm-1 does not run sleep"
# exec: the init's root, not the host's (runc 1.1.5 runs it in the host's)
expect_eq "exec sees the rootfs as /" "$(ls "$R" | sort | tr '\n' ' ')" "$(mr exec nm-1 ls / | sort | tr '\n' ' ')"
expect_eq "exec: /proc is the container's (pid 1 is its init)" "sleep" "$(mr exec nm-1 cat /proc/1/comm)"
expect_eq "masked file (/proc/timer_list) is empty" "0" "$(mr exec nm-1 sh -c 'wc -c < /proc/timer_list')"
expect_eq "masked directory (/proc/acpi) is empty" "" "$(mr exec nm-1 ls -A /proc/acpi)"
mr exec nm-1 sh -c 'echo 1 > /proc/sys/kernel/printk_ratelimit' 2>/dev/null && fail "read-only /proc/sys was written"
expect_match "read-only path /proc/sys" "^[0-9]+ [0-9]+ [^ ]+ /sys $R/proc/sys ro," "$(cat /proc/self/mountinfo)"
mr delete --force nm-1 || fail "delete"
clean "after delete"

# --- 1b. two containers on the same rootfs: the second would clone the
# first one's bind with all its mounts (/proc, /dev, ...): refused, naming
# the first, leaving nothing; the first runs on untouched
cp "$T/nomnt.json" "$B/config.json"
mr create --bundle "$B" nm-1a </dev/null >/dev/null 2>&1 || fail "create nm-1a"
mounts_1a=$(mounts)
# (output to a file: a created init would hold a $(...) pipe open)
mr create --bundle "$B" nm-1b >"$T/out" 2>&1 </dev/null &&
    { mr delete --force nm-1b; fail "a second container on nm-1a's rootfs was created"; }
out=$(cat "$T/out")
expect_match "second on one rootfs: the reason" "is the rootfs mount of container nm-1a" "$out"
expect_eq "second on one rootfs: no state left" "nm-1a" "$(ls -A "$ROOT")"
expect_eq "second on one rootfs: no mount left" "$mounts_1a" "$(mounts)"
expect_eq "second on one rootfs: nm-1a still has its root" "$R" "$(readlink /proc/$(state_field nm-1a pid)/root)"
mr delete --force nm-1a || fail "delete nm-1a"
clean "after a second container on one rootfs"

# --- 1c. the bundle renamed while the container exists: its mount moved
# with it; delete finds it there by its id and detaches it through an fd
# checked to be it. And renamed with another directory put in its place:
# delete unmounts nothing at the new rootfs path and leaves no mount of
# the container's (it returned 0 and left them all, forgetting the record)
mr create --bundle "$B" nm-1m </dev/null >/dev/null 2>&1 || fail "create nm-1m"
mv "$B" "$SH/moved"
mr delete --force nm-1m || fail "delete with the rootfs moved away"
expect_eq "moved: nothing left at the new place" "" "$(awk -v m="$SH/moved/" 'index($5, m) == 1' /proc/self/mountinfo)"
mv "$SH/moved" "$B"
clean "after the rootfs was moved"
mr create --bundle "$B" nm-1s </dev/null >/dev/null 2>&1 || fail "create nm-1s"
mv "$B" "$SH/b.old" && mkdir -p "$R"
mr delete --force nm-1s || fail "delete with the bundle swapped"
expect_eq "swapped: nothing left at the old bundle" "" "$(awk -v m="$SH/b.old/" 'index($5, m) == 1' /proc/self/mountinfo)"
rm -rf "$B" && mv "$SH/b.old" "$B"
clean "after the bundle was swapped"

# --- 1e. delete from another mount namespace: the record's mount ids mean
# nothing there (it forgot the record and left every mount): refused,
# naming both namespaces, the state kept; delete in the right one works
mr create --bundle "$B" nm-1n </dev/null >/dev/null 2>&1 || fail "create nm-1n"
out=$(unshare --mount --propagation unchanged timeout -k 5 60 "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" \
    delete --force nm-1n 2>&1) && fail "delete from another mount namespace succeeded"
expect_match "other namespace: the reason" "was made in mount namespace mnt:\\[[0-9]+\\], this runtime runs in mnt:\\[[0-9]+\\]" "$out"
expect_match "other namespace: the bind is still there" " $R/proc " "$(cat /proc/self/mountinfo)"
mr delete --force nm-1n || fail "delete nm-1n in its namespace"
clean "after a delete from another namespace"

# --- 1d. mounts beneath a bind of a shared host directory (a volume) stay
# in the container: the bind is made a slave of the host's peer group
# before anything goes beneath it (its tmpfs, a masked path's /dev/null, a
# read-only path's self-bind would appear in the host's directory and its
# peers otherwise). The same for an image whose /etc is a symlink into the
# volume: the bind of /etc/hosts replaces nothing of the host's. An
# explicit "rshared" makes a peer group of the container's own.
V=$SH/vol
mkdir -p "$V/sub" "$V/secret" "$V/ro" "$V/etc" && echo vol-hosts >"$V/etc/hosts" && echo cfg-hosts >"$T/hosts"
mv "$R/etc" "$T/etc.image" && ln -s /data/etc "$R/etc"
cp "$T/nomnt.json" "$B/config.json"
CONFIG_FILE=$B/config.json config "c['mounts'] += [
  {'destination': '/data', 'type': 'bind', 'source': '$V', 'options': ['rbind']},
  {'destination': '/data/sub', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['size=1m']},
  {'destination': '/vol2', 'type': 'bind', 'source': '$V', 'options': ['rbind', 'rshared']},
  {'destination': '/vol2/sub', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['size=1m']},
  {'destination': '/etc/hosts', 'type': 'bind', 'source': '$T/hosts', 'options': ['bind', 'ro']}]
c['linux']['maskedPaths'].append('/data/secret'); c['linux']['readonlyPaths'].append('/data/ro')"
mr create --bundle "$B" nm-1d </dev/null >"$T/out" 2>&1 || fail "create with a volume: $(cat "$T/out")"
expect_match "volume: its tmpfs is in the container" " $R/data/sub " "$(cat /proc/self/mountinfo)"
expect_eq "volume: nothing of the container's in the host's directory or its peer" "" \
    "$(awk -v v="$V/" -v p="$PEER/vol/" -v r="$PEER/b/rootfs/" 'index($5, v) == 1 || index($5, p) == 1 || index($5, r) == 1 { print $5 }' /proc/self/mountinfo)"
expect_eq "volume: the host's etc/hosts is its own" "vol-hosts" "$(cat "$V/etc/hosts")"
expect_match "volume: the bind is a slave of the host's peer group" "^ master:" "$(prop_of "$R/data")"
expect_match "rshared volume: a peer group of its own, a slave of the host's" "^ shared:[0-9]+ master:" \
    "$(prop_of "$R/vol2")"
mr delete --force nm-1d || fail "delete nm-1d"
rm "$R/etc" && mv "$T/etc.image" "$R/etc"
clean "after a volume"

# --- 2. a failed create (a bind of a missing source) leaves nothing -------
CONFIG_FILE=$B/config.json config "c['mounts'].append({'destination': '/mnt/x', 'type': 'bind', 'source': '$T/missing', 'options': ['bind']})"
out=$(mr create --bundle "$B" nm-2 2>&1 </dev/null) && fail "create with a missing bind source succeeded"
expect_match "the failed mount is named" "$T/missing" "$out"
clean "after the failed create"

# --- 2b. faults (a -Dfault-injection=true build): a failure in the init
# once its mounts are made, in the runtime once the init exists, and the
# runtime killed then (the state says "creating"; delete finds the bind)
if grep -q MODRUN_TEST_FAULT "$RUNTIME_BIN"; then
    cp "$T/nomnt.json" "$B/config.json"
    for f in init-after-mounts:fail after-clone:fail; do
        MODRUN_TEST_FAULT=$f mr create --bundle "$B" nm-2f </dev/null >/dev/null 2>&1 && fail "create with the fault $f succeeded"
        clean "fault $f"
    done
    # the runtime killed with the bind recorded, before it is attached: the
    # record names a mount that is nowhere, delete forgets it
    MODRUN_TEST_FAULT=host-rootfs-recorded:kill mr create --bundle "$B" nm-2r </dev/null >/dev/null 2>&1 &&
        fail "create with the runtime killed at the record succeeded"
    expect_eq "killed at the record: the bind is not attached" "" "$(awk -v m="$R" '$5 == m' /proc/self/mountinfo)"
    mr delete --force nm-2r || fail "delete of the container killed at the record"
    clean "after the create killed at the record"
    CONFIG_FILE=$B/config.json config "c['hooks'] = {'prestart': [{'path': '/bin/true'}]}"
    MODRUN_TEST_FAULT=after-mounts:kill mr create --bundle "$B" nm-2k </dev/null >/dev/null 2>&1 &&
        fail "create with the runtime killed succeeded"
    expect_match "runtime killed: its mounts are there until delete" " $R/proc " "$(cat /proc/self/mountinfo)"
    mr delete --force nm-2k || fail "delete of the container whose create was killed"
    clean "after the create killed with its mounts made"
fi

# --- 3. run: the process exits, run deletes, nothing left -----------------
cp "$T/nomnt.json" "$B/config.json"
CONFIG_FILE=$B/config.json args sh -c 'exit 7'
mr run --bundle "$B" nm-3 </dev/null >/dev/null 2>&1; expect_eq "run: the exit status" 7 "$?"
clean "after run"

# --- 4. rootfsPropagation and root.readonly apply to the container's
# rootfs mount only --------------------------------------------------------
cp "$T/nomnt.json" "$B/config.json"
CONFIG_FILE=$B/config.json config "c['linux']['rootfsPropagation'] = 'rshared'; c['root']['readonly'] = True"
mr create --bundle "$B" nm-4 </dev/null >"$T/out" 2>&1 || fail "create with rootfsPropagation: $(cat "$T/out")"
expect_match "rootfsPropagation shared: the rootfs mount" "shared:" "$(prop_of "$R")"
expect_match "root.readonly: the rootfs mount" "^ro," "$(awk -v m="$R" '$5 == m { print $6 }' /proc/self/mountinfo)"
expect_match "root.readonly: not the mount holding it" "^rw," "$(awk -v m="$SH" '$5 == m { print $6 }' /proc/self/mountinfo)"
expect_eq "rootfsPropagation: the host's / untouched" "$(echo "$before" | awk '$1 == "/"')" "$(mounts | awk '$1 == "/"')"
expect_eq "rootfsPropagation: the mount holding the rootfs untouched" "$(echo "$before" | awk -v m="$SH" '$1 == m')" \
    "$(mounts | awk -v m="$SH" '$1 == m')"
mr delete --force nm-4
clean "rootfsPropagation, after delete"

# --- 5. a user namespace needs a mount namespace of its own: refused ------
cp "$T/nomnt.json" "$B/config.json"
CONFIG_FILE=$B/config.json config "c['linux']['namespaces'].append({'type': 'user'})
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]"
out=$(mr --plugin namespace=idmap create --bundle "$B" nm-5 2>&1 </dev/null) && fail "a user namespace without a mount namespace ran"
expect_match "user namespace without mount namespace: the reason" "no mount namespace" "$out"
clean "after the refusal"

# --- 6. runc 1.1.5 on the same bundle (no maskedPaths/readonlyPaths, which
# it refuses without a mount namespace), in a throw-away mount namespace:
# it would change the host's / otherwise. Noted, not required.
if command -v runc >/dev/null; then
    cp "$T/nomnt.json" "$B/config.json"
    CONFIG_FILE=$B/config.json config "c['linux'].pop('maskedPaths', None); c['linux'].pop('readonlyPaths', None)
c['process']['args'] = ['true']"
    note=$(unshare --mount --propagation unchanged sh -c '
        runc --root "$1/runc" run --bundle "$2" nm-r6 </dev/null >/dev/null 2>&1; echo "rc=$?"
        echo "left=$(awk -v r="$3/" "index(\$5, r) == 1 || \$5 == substr(r, 1, length(r) - 1)" /proc/self/mountinfo | wc -l)"
        echo "shared-parent=$(awk -v m="$4" "\$5 == m { print \$7 }" /proc/self/mountinfo)"' \
        sh "$T" "$B" "$R" "$SH" | tr '\n' ' ')
    echo "note: runc 1.1.5 without a mount namespace (in a throw-away namespace): $note"
    expect_eq "runc's run: the host's mounts as before (its changes died with its namespace)" "$before" "$(mounts)"
fi
umount "$PEER" "$SH" || fail "unmount the test's tmpfs"
finish
