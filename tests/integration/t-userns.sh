#!/bin/bash
# User namespaces with the namespace plugin idmap (FIELD-NOTES #1, #3):
# a rootfs chowned to the mapped range runs and the kernel shows the maps;
# a rootfs of host root runs with a warning (as with runc and crun), but a
# 0700 one, a 0700 parent directory and bad maps are refused before
# anything starts, with the cause and the fix; without maps, crun's default
# map; the cgroup mount inside the user namespace works, or fails naming
# owner, mode and umask; a mount with only one of uidMappings and
# gidMappings is refused at create, naming it.
. "$(dirname "$0")/lib.sh"

HOST_ID=100000
RANGE=65536
# mktemp made $T 0700: the container's root (host uid 100000) must be able
# to reach the bundle through it.
chmod 0755 "$T"
make_bundle
chown -R $HOST_ID:$HOST_ID "$BUNDLE/rootfs"
config "c['linux']['namespaces'].append({'type': 'user'})
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': $HOST_ID, 'size': $RANGE}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': $HOST_ID, 'size': $RANGE}]"
cp "$BUNDLE/config.json" "$T/config.userns.json"

mri() { mr --plugin namespace=idmap "$@"; }
# refused CMD...: run it (output to a file: a created init would keep a
# $(...) open), expect a failure, leave the output in $out
refused() {
    if "$@" >"$T/out" 2>&1 </dev/null; then out=$(cat "$T/out"); return 1; fi
    out=$(cat "$T/out"); return 0
}
# A created container would leave a cgroup named after its id.
no_cgroup_left() {
    local left; left=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "$1" 2>/dev/null)
    [ -z "$left" ] || fail "$1: cgroup directories left behind: $left"
}
core_hint() { # the init must become root in its user namespace (runc's setresuid(0) after the maps)
    case $1 in *"Value too large"*) echo " (the core's init still runs with the runtime's unmapped ids in its user namespace: it must setresuid/setresgid(0) once the maps are written)";; esac
}

# --- 1. a rootfs chowned to the mapped range runs ---------------------------
args sh -c 'echo through-null >/dev/null && echo devnull-ok >/tmp/dev-null
            stat -c "%t:%T %F" /dev/null >/tmp/dev-null-node
            find /sys/fs/cgroup -maxdepth 2 -name cgroup.procs 2>/dev/null | head -1 >/tmp/cgroup-file
            exec sleep 1000'
pid=
if mri create --bundle "$BUNDLE" u1 >"$T/out" 2>&1; then
    pid=$(state_field u1 pid)
else
    fail "create u1: $(cat "$T/out")$(core_hint "$(cat "$T/out")")"
fi
if [ -n "$pid" ] && [ "$pid" != 0 ]; then
    expect_eq "uid_map seen from the host" "0 $HOST_ID $RANGE" "$(awk '{print $1, $2, $3}' /proc/$pid/uid_map)"
    expect_eq "gid_map seen from the host" "0 $HOST_ID $RANGE" "$(awk '{print $1, $2, $3}' /proc/$pid/gid_map)"
    [ "$(readlink /proc/$pid/ns/user)" != "$(readlink /proc/self/ns/user)" ] && pass "new user namespace" ||
        fail "the init is in the host's user namespace"
    expect_eq "setgroups stays allow as root" allow "$(cat /proc/$pid/setgroups)"
    mri start u1 || fail "start u1"
    wait_for grep -q sleep "/proc/$pid/comm" || fail "u1 did not exec sleep"
    expect_eq "Uid of the process from the host" "$HOST_ID $HOST_ID $HOST_ID $HOST_ID" "$(proc_field "$pid" Uid)"
    expect_eq "Gid of the process from the host" "$HOST_ID $HOST_ID $HOST_ID $HOST_ID" "$(proc_field "$pid" Gid)"
    expect_eq "/dev/null writable inside" devnull-ok "$(cat "$BUNDLE/rootfs/tmp/dev-null" 2>/dev/null)"
    expect_eq "/dev/null is the host's node (bound)" "1:3 character special file" \
        "$(cat "$BUNDLE/rootfs/tmp/dev-null-node" 2>/dev/null)"
    expect_eq "files made inside are owned by the mapped root on the host" "$HOST_ID:$HOST_ID" \
        "$(stat -c %u:%g "$BUNDLE/rootfs/tmp/dev-null" 2>/dev/null)"
    expect_match "cgroup mount readable inside the user namespace" "cgroup.procs" \
        "$(cat "$BUNDLE/rootfs/tmp/cgroup-file" 2>/dev/null)"
    mri kill u1 KILL || fail "kill u1"
    wait_for status_is u1 stopped || fail "u1 not stopped"
fi
mri delete --force u1 >/dev/null 2>&1
assert_clean "after the user namespace container"
no_cgroup_left u1
rm -f "$BUNDLE"/rootfs/tmp/*

# --- 2. the rootfs owned by host root ---------------------------------------
# runc and crun run it: the container's root can search it (its files show
# as the overflow uid and are not writable): a warning, with the cause and
# the fix, visible without --debug, and the container runs.
chown -R 0:0 "$BUNDLE/rootfs"
args sh -c 'stat -c %u /; touch /made-inside 2>/dev/null || echo not-writable'
if mri run --bundle "$BUNDLE" u2 >"$T/out" 2>"$T/err" </dev/null; then
    expect_match "root-owned rootfs runs: / shows as the overflow uid" "^65534$" "$(cat "$T/out")"
    expect_match "root-owned rootfs runs: not writable by the container's root" "^not-writable$" "$(cat "$T/out")"
else
    fail "run with a root-owned 0755 rootfs: $(cat "$T/out" "$T/err")"
fi
out=$(cat "$T/err")
expect_match "warning on stderr names the rootfs and root.path" "warning: .*the rootfs $BUNDLE/rootfs \(root.path \"rootfs\", relative to the bundle $BUNDLE\) is owned by host uid 0" "$out"
expect_match "warning names the mapped ranges" "host $HOST_ID-165535 -> container 0-65535" "$out"
expect_match "warning: fix chown" "chown -R $HOST_ID:$HOST_ID $BUNDLE/rootfs" "$out"
expect_match "warning: fix id-mapped rootfs" "org.modrun.rootfs-idmap=true" "$out"
assert_clean "after the root-owned rootfs"
no_cgroup_left u2
# a 0700 rootfs of host root: the container's root cannot even search it
# (runc fails at lstat rootfs/proc): refused before anything starts
chmod 0700 "$BUNDLE/rootfs"
args true
refused mri create --bundle "$BUNDLE" u2b || fail "create with a 0700 root-owned rootfs succeeded"
expect_match "names the 0700 rootfs, mode and owner" "$BUNDLE/rootfs \(mode 0700, owner 0:0, owner not mapped\) is not searchable" "$out"
expect_match "names the unmapped owner and the ranges" "owned by host uid 0, which linux.uidMappings does not map: host $HOST_ID-165535 -> container 0-65535" "$out"
expect_match "fix: chown" "chown -R $HOST_ID:$HOST_ID $BUNDLE/rootfs" "$out"
expect_match "fix: id-mapped rootfs" "org.modrun.rootfs-idmap=true" "$out"
expect_match "fix: chmod o+x" "chmod o\+x $BUNDLE/rootfs" "$out"
assert_clean "after the refused 0700 rootfs"
no_cgroup_left u2b
config "c['root']['path'] = '$BUNDLE/rootfs'"
refused mri create --bundle "$BUNDLE" u2b || fail "create with an absolute root.path to a 0700 root-owned rootfs succeeded"
expect_match "absolute root.path said so" "root.path \"$BUNDLE/rootfs\", absolute" "$out"
config "c['root']['path'] = 'rootfs'"
chmod 0755 "$BUNDLE/rootfs"
chown -R $HOST_ID:$HOST_ID "$BUNDLE/rootfs"

# --- 3. a parent directory of the bundle the container's root cannot search --
mkdir -m 0700 "$T/locked"
cp -a "$BUNDLE" "$T/locked/bundle"
refused mri create --bundle "$T/locked/bundle" u3 || fail "create under a 0700 parent succeeded"
expect_match "names the 0700 parent, its mode and owner" "$T/locked \(mode 0700, owner 0:0, owner not mapped\) is not searchable" "$out"
expect_match "names the container's root" "host uid $HOST_ID" "$out"
expect_match "fix: chmod o+x" "chmod o\+x $T/locked" "$out"
expect_no_match "only that directory" "$T \(mode" "$out"
[ -z "$(ls -A "$ROOT" 2>/dev/null)" ] && pass "0700 parent: no state left" || fail "0700 parent: state left: $(ls -A "$ROOT")"
no_cgroup_left u3
chmod 0711 "$T/locked"
mri run --bundle "$T/locked/bundle" u3b >"$T/out" 2>&1 && pass "0711 parent runs" ||
    fail "run under a 0711 parent: $(cat "$T/out")$(core_hint "$(cat "$T/out")")"
rm -rf "$T/locked"

# --- 4. bad maps: clear errors naming the entry -------------------------------
config "c['linux']['uidMappings'].append({'containerID': 1000, 'hostID': 300000, 'size': 10})"
refused mri create --bundle "$BUNDLE" u4 || fail "overlapping container ranges accepted"
expect_match "overlap in container ids" "linux.uidMappings\[1\] \(containerID 1000, hostID 300000, size 10\) overlaps linux.uidMappings\[0\].*container ids 1000-1009" "$out"
cp "$T/config.userns.json" "$BUNDLE/config.json"; args true
config "c['linux']['gidMappings'].append({'containerID': 70000, 'hostID': $((HOST_ID + 5)), 'size': 1})"
refused mri create --bundle "$BUNDLE" u4 || fail "overlapping host ranges accepted"
expect_match "overlap in host ids" "linux.gidMappings\[1\].*overlaps linux.gidMappings\[0\].*host ids $((HOST_ID + 5))-$((HOST_ID + 5))" "$out"
cp "$T/config.userns.json" "$BUNDLE/config.json"; args true
config "c['linux']['uidMappings'].append({'containerID': 70000, 'hostID': 300000, 'size': 0})"
refused mri create --bundle "$BUNDLE" u4 || fail "a zero-size mapping accepted"
expect_match "zero size names the entry" "uidMappings(\[1\]|/1|\.1).*size|size.*uidMappings(\[1\]|/1)" "$out"
cp "$T/config.userns.json" "$BUNDLE/config.json"; args true
refused mr --plugin namespace=none create --bundle "$BUNDLE" u4 || fail "a user namespace without a namespace plugin accepted"
expect_match "no plugin: says which to select" "--plugin namespace=idmap" "$out"
assert_clean "after the bad maps"
no_cgroup_left u4
# idmap is the automatic namespace plugin where it is installed
mr create --bundle "$BUNDLE" u5 >"$T/out" 2>&1 || fail "user namespace with the automatic plugin: $(cat "$T/out")"
mr delete --force u5

# --- 5. cgroup mount, umask 077, a cgroup path below a new 0700 directory ----
# (FIELD-NOTES #1) the runtime's umask makes the cgroup directories 0700 and
# owned by host root, which the container's root cannot search.
args true
config "c['linux']['cgroupsPath'] = '/modrun-it-userns-$$/deep/u5'"
(umask 077; mri run --bundle "$BUNDLE" u5) >"$T/out" 2>&1 </dev/null
rc=$?
out=$(cat "$T/out")
expect_match "warned about the umask before starting" "umask is 0077: cgroup directories .* mode 0700" "$out"
if [ $rc -eq 0 ]; then
    fail "a cgroup mount below 0700 cgroup directories of host root was made without an error: $out"
else
    expect_match "cgroup mount error names the cgroup directory" "/modrun-it-userns-$$ is owned by" "$out"
    expect_match "cause: owner not mapped and mode 0700" "cause: owner not mapped and mode 0700" "$out"
    expect_match "names the umask as the origin" "umask 0077" "$out"
    expect_match "fix: chmod 0755" "fix: chmod 0755 " "$out"
fi
assert_clean "after the cgroup case"
find /sys/fs/cgroup -maxdepth 2 -type d -name "modrun-it-userns-$$" 2>/dev/null | sort -r | while read -r d; do
    find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
done

# --- 6. rootless: an unprivileged modrun writes a map of its own id ---------
# (setpriv to a bare uid: no account is made; state under $XDG_RUNTIME_DIR)
RL=61999
RB=$T/rl-bundle
if ! command -v setpriv >/dev/null; then
    echo "rootless part skipped: setpriv (util-linux) missing"
else
    make_bundle "$RB"
    rm -f "$RB/config.json"
    "$MODRUN" spec --rootless --bundle "$RB" || die "spec --rootless"
    CONFIG_FILE=$RB/config.json config "c['process']['terminal'] = False; c['root']['readonly'] = False
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': $RL, 'size': 1}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': $RL, 'size': 1}]
c['process']['args'] = ['sh', '-c', 'cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id -u; echo x >/dev/null && echo null-ok']"
    chown -R $RL:$RL "$RB"
    mkdir -m 0700 "$T/xdg" && chown $RL:$RL "$T/xdg"
    rl() { setpriv --reuid=$RL --regid=$RL --clear-groups env XDG_RUNTIME_DIR="$T/xdg" \
               timeout -k 5 60 "$MODRUN" --plugin-dir "$PLUGIN_DIR" --plugin namespace=idmap "$@"; }
    if rl run --bundle "$RB" r1 >"$T/rl.out" 2>&1 </dev/null; then
        out=$(tr -s ' \t' ' ' <"$T/rl.out" | sed 's/^ //')
        expect_match "rootless: uid_map of the own uid" "^0 $RL 1$" "$out"
        expect_match "rootless: setgroups denied for the own gid map" "^deny$" "$out"
        expect_match "rootless: root inside" "^0$" "$out"
        expect_match "rootless: /dev/null bound" "null-ok" "$out"
    else
        fail "rootless run: $(cat "$T/rl.out")"
    fi
    # Once its uid map is written the init's geteuid() says 0: it must not
    # take that for a privileged runtime and turn non-dumpable before the
    # gid map is written (a race in CI; the pause makes it certain).
    if grep -q MODRUN_TEST_FAULT "$RUNTIME_BIN" && grep -q MODRUN_TEST_FAULT "$PLUGIN_DIR/namespace-idmap.so"; then
        if MODRUN_TEST_FAULT=init-start:pause,idmap-uid-written:pause rl run --bundle "$RB" r4 >"$T/rl.out" 2>&1 </dev/null; then
            expect_eq "rootless: uid and gid map written after the init saw uid 0" 2 \
                "$(tr -s ' \t' ' ' <"$T/rl.out" | sed 's/^ //' | grep -c "^0 $RL 1$")"
        else
            fail "rootless run, pause after the uid map: $(cat "$T/rl.out")"
        fi
    else
        echo "skip: the pause after the uid map needs a -Dfault-injection=true build"
    fi
    # the lifecycle as the unprivileged user: run -d, exec, state, kill, delete
    CONFIG_FILE=$RB/config.json config "c['process']['args'] = ['sleep', '1000']"
    if rl run -d --bundle "$RB" r3 >"$T/rl.out" 2>&1 </dev/null; then
        rpid=$(rl state r3 | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
        expect_eq "rootless: the init runs as the user on the host" "$RL" "$(awk '/^Uid:/ {print $2}' /proc/$rpid/status)"
        expect_eq "rootless exec: root inside" 0 "$(rl exec r3 id -u 2>&1)"
        rl kill r3 KILL || fail "rootless kill"
        wait_for gone "$rpid" || fail "rootless kill: init survived"
        rl delete r3 || fail "rootless delete"
    else
        fail "rootless run -d: $(cat "$T/rl.out")"
    fi
    [ -z "$(ls -A "$T/xdg/modrun" 2>/dev/null)" ] && pass "rootless: state under XDG_RUNTIME_DIR removed" ||
        fail "rootless: state left in $T/xdg/modrun: $(ls -A "$T/xdg/modrun")"
    # more than the own id needs newuidmap and /etc/subuid, which this uid has not
    CONFIG_FILE=$RB/config.json config "c['linux']['uidMappings'].append({'containerID': 1, 'hostID': 400000, 'size': 10})"
    if rl create --bundle "$RB" r2 >"$T/rl.out" 2>&1 </dev/null; then
        fail "rootless: a map of ids not granted to the user was written"
        rl delete --force r2 >/dev/null 2>&1
    else
        expect_match "rootless: the error names newuidmap and the fix" \
            "newuidmap.*(/etc/subuid|uidmap package)" "$(cat "$T/rl.out")"
    fi
fi
# --- no uidMappings/gidMappings: crun's map --------------------------------
# runc refuses; crun (and modrun) map container 0 up to process.user's id to
# the same host ids (this host has no /etc/subuid range for root). The
# devpts option gid=5 would need gid 5 mapped: left out, as crun's tests do.
cp -a "$BUNDLE" "$T/nm" && chown -R 0:0 "$T/nm/rootfs" && cp "$T/config.userns.json" "$T/nm/config.json"
CONFIG_FILE=$T/nm/config.json config "del c['linux']['uidMappings'], c['linux']['gidMappings']
for m in c['mounts']:
    if m['type'] == 'devpts': m['options'] = [o for o in m['options'] if not o.startswith('gid=')]
c['process']['args'] = ['sh', '-c', 'id -u; id -g; exec sleep 1000']"
if mri create --bundle "$T/nm" nm1 >"$T/out" 2>&1 </dev/null; then
    pid=$(state_field nm1 pid)
    expect_eq "no maps: uid_map 0 0 1 (process.user 0)" "0 0 1" "$(awk '{print $1, $2, $3}' /proc/$pid/uid_map)"
    expect_eq "no maps: gid_map 0 0 1" "0 0 1" "$(awk '{print $1, $2, $3}' /proc/$pid/gid_map)"
    [ "$(readlink /proc/$pid/ns/user)" != "$(readlink /proc/self/ns/user)" ] && pass "no maps: a new user namespace" ||
        fail "no maps: the init is in the host's user namespace"
    mri delete --force nm1
else
    fail "a new user namespace without maps: $(cat "$T/out")"
fi
CONFIG_FILE=$T/nm/config.json config "c['process']['user'] = {'uid': 1000, 'gid': 1001}
c['process']['args'] = ['sh', '-c', 'cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g']"
out=$(mri run --bundle "$T/nm" nm2 2>&1 </dev/null | tr -s ' ' | sed 's/^ //')
expect_match "no maps, process.user 1000: uid_map 0 0 1001" "^0 0 1001$" "$out"
expect_match "no maps, process.user gid 1001: gid_map 0 0 1002" "^0 0 1002$" "$out"
expect_match "no maps: runs as process.user" "^1000$" "$out"
CONFIG_FILE=$T/nm/config.json config "c['linux']['uidMappings'] = []; c['linux']['gidMappings'] = []"
out=$(mri run --bundle "$T/nm" nm3 2>&1 </dev/null | tr -s ' ' | sed 's/^ //')
expect_match "empty maps are as absent (crun)" "^0 0 1001$" "$out"
# --- id-mapped bind mounts (no chown of the volume) --------------------------
# $T/vol is owned by host root. Bound plainly into the user namespace its
# files show as the overflow id; with "idmap" (the container's maps) they
# show as the container's root; with mount uidMappings/gidMappings of its
# own (written as a user namespace's maps, as runc and crun do: on-disk
# containerID -> host hostID), as the container id that host id is.
mkdir -p "$T/vol" && echo data >"$T/vol/f" && chown -R 0:0 "$T/vol"
cp "$T/config.userns.json" "$BUNDLE/config.json"
config "c['mounts'] += [
  {'destination': '/plain', 'type': 'bind', 'source': '$T/vol', 'options': ['bind']},
  {'destination': '/mapped', 'type': 'bind', 'source': '$T/vol', 'options': ['bind', 'idmap']},
  {'destination': '/own', 'type': 'bind', 'source': '$T/vol', 'options': ['rbind', 'ro'],
   'uidMappings': [{'containerID': 0, 'hostID': $((HOST_ID + 1000)), 'size': 1}],
   'gidMappings': [{'containerID': 0, 'hostID': $((HOST_ID + 1000)), 'size': 1}]}]"
args sh -c 'stat -c "%n %u:%g" /plain/f /mapped/f /own/f; echo x >> /mapped/f && echo mapped-write-ok; echo x >> /own/f 2>/dev/null || echo own-ro'
out=$(mri run --bundle "$BUNDLE" idm 2>&1)
expect_match "plain bind: host root shows as the overflow id" "^/plain/f 65534:65534$" "$out"
expect_match "idmap: host root shows as the container's root" "^/mapped/f 0:0$" "$out"
expect_match "idmap: the container's root may write its files" "^mapped-write-ok$" "$out"
expect_match "mount uidMappings: host root shows as container 1000" "^/own/f 1000:1000$" "$out"
expect_match "mount options still apply (ro)" "^own-ro$" "$out"
expect_eq "the host file's owner is unchanged" "0:0" "$(stat -c %u:%g "$T/vol/f")"
cp "$T/config.userns.json" "$BUNDLE/config.json"
config "c['mounts'] += [{'destination': '/t', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['idmap']}]"
refused mri create --bundle "$BUNDLE" idm2 || fail "idmap on a tmpfs accepted"
expect_match "idmap on a non-bind mount: clear error" "mount /t: id mapping is supported for bind mounts only" "$out"
# only one of a mount's uidMappings/gidMappings: refused at create, before
# anything is made (runtime-spec: each "MUST be specified along with" the
# other; runc: "invalid mount"), naming the mount, what is missing, the fix
n=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["mounts"]))' "$T/config.userns.json")
for has in uidMappings gidMappings; do
    lacks=$([ $has = uidMappings ] && echo gidMappings || echo uidMappings)
    cp "$T/config.userns.json" "$BUNDLE/config.json"
    config "c['mounts'].append({'destination': '/half', 'type': 'bind', 'source': '$T/vol', 'options': ['rbind'],
  '$has': [{'containerID': 0, 'hostID': $((HOST_ID + 1000)), 'size': 1}]})"
    if refused mri create --bundle "$BUNDLE" idm-half; then
        pass "a mount with $has but no $lacks: refused (exit non-zero)"
        expect_match "... naming the mount, what is missing and the fix" \
            "mounts\[$n\]: mount on /half has $has but no $lacks.*set both uidMappings and gidMappings, or neither" \
            "$(echo $out)"
    else
        fail "a mount with $has but no $lacks accepted: $(mr exec idm-half cat /proc/self/uid_map /proc/self/gid_map 2>&1 | xargs)"
        mr delete --force idm-half
    fi
    no_cgroup_left idm-half
    [ -d "$BUNDLE/rootfs/half" ] && fail "$has only: the mount point /half was made in the rootfs" ||
        pass "$has only: nothing made in the rootfs"
    rm -rf "$BUNDLE/rootfs/half"
    assert_clean "after the mount with $has only"
done
# a mount's map longer than the kernel takes in one write (a page): refused
# whole, never written cut (a cut "65536" is a "6": another range)
cp "$T/config.userns.json" "$BUNDLE/config.json"
config "m = [{'containerID': 1000000000 + i, 'hostID': 2000000000 + i, 'size': 1} for i in range(200)]
c['mounts'].append({'destination': '/long', 'type': 'bind', 'source': '$T/vol', 'options': ['rbind'],
  'uidMappings': m, 'gidMappings': m})"
refused mri create --bundle "$BUNDLE" idm-long && pass "a mount map of 4,800 bytes: refused" ||
    { fail "a mount map of 4,800 bytes accepted"; mr delete --force idm-long; }
expect_match "... saying why and what to do" \
    "mount /long: make a user namespace with its id mappings: .*at most 4095 bytes of map text.*merge adjacent ranges" \
    "$(echo $out)"
rm -rf "$BUNDLE/rootfs/long"
no_cgroup_left idm-long
assert_clean "after the id-mapped mounts"
# --- the rootfs itself, id-mapped: a rootfs of host root runs unchanged ---
make_bundle "$T/rb"
cp "$T/config.userns.json" "$T/rb/config.json"
CONFIG_FILE=$T/rb/config.json config "c['annotations'] = {'org.modrun.rootfs-idmap': 'true'}
c['process']['args'] = ['sh', '-c', 'stat -c %u:%g /bin/busybox; touch /tmp/made-inside && echo write-ok']"
out=$(mri run --bundle "$T/rb" idr 2>&1)
expect_match "id-mapped rootfs: host root's files are the container root's" "^0:0$" "$out"
expect_match "id-mapped rootfs: writable by the container's root" "^write-ok$" "$out"
expect_eq "a file made inside is host root's on disk (no chown anywhere)" "0:0" "$(stat -c %u:%g "$T/rb/rootfs/tmp/made-inside" 2>/dev/null)"
expect_eq "the rootfs is still owned by host root" "0:0" "$(stat -c %u:%g "$T/rb/rootfs/bin/busybox")"
finish
