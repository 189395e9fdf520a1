#!/bin/bash
# Security: device access is an allow-list in every device owner.
#
# Attack: a container with CAP_MKNOD makes a node of a host block device
# (a loop device this test attaches to a canary file) and reads it. With a
# config that gives no linux.resources, "devices": [], or only a deny of
# char devices, a v1 devices cgroup that only got allow lines kept its
# parent's "a *:* rwm" and the read worked.
#
# For each owner: the v1 devices controller (cgroupfs, this hybrid host's
# default), the devices-ebpf plugin (--plugin devices=ebpf on the unified
# hierarchy, the v1 cgroup then allows all), and the auto-selected eBPF
# filter on pure cgroup v2 (a private mount namespace without the v1
# hierarchies, cgroup2 on /sys/fs/cgroup): mknod works (runc's default
# "b *:* m"), open for reading and for writing give EPERM, and a config
# that allows the device for reading reads the canary (and cannot write).
# The kernel's view: devices.list (v1; the same as Debian's runc 1.1.5
# writes for the same config), bpftool (eBPF),
# the canary file's hash. And with no owner at all (cgroup2 mounted over
# the hybrid tree: the covered v1 devices mount keeps the eBPF filter from
# being chosen while cgroupfs sees no v1 devices controller), create is
# refused and leaves nothing.
. "$(dirname "$0")/lib.sh"

command -v losetup >/dev/null || { echo "SKIP: losetup missing"; exit 77; }
UNI=$(awk '$9 == "cgroup2" { print $5 }' /proc/self/mountinfo | tail -n1)
CGP=/modrun-secdev-$$
LOOP=""
NSPID=""

# runc leaves the parent it made in every hierarchy
runc_cgroups_remove() {
    local d
    for d in /sys/fs/cgroup/*/"${CGP#/}-runc"; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \;; done
}
sec_cleanup() {
    local rc=$? id
    for id in $(runc --root "$T/runc" list -q 2>/dev/null); do runc --root "$T/runc" delete --force "$id"; done
    runc_cgroups_remove 2>/dev/null
    for id in $(ls "$ROOT" 2>/dev/null); do
        [ -n "$NSPID" ] && nsenter -t "$NSPID" -m -- "$MODRUN" --root "$ROOT" delete --force "$id" >/dev/null 2>&1
        "$MODRUN" --root "$ROOT" delete --force "$id" >/dev/null 2>&1
    done
    [ -n "$LOOP" ] && losetup -d "$LOOP" 2>/dev/null
    (exit $rc)
    cg_cleanup  # lib.sh
}
trap sec_cleanup EXIT

# ---- the canary: a loop device on a file only this test knows ------------
CANARY="modrun-canary-$$-$RANDOM"
printf '%s' "$CANARY" >"$T/canary.img"
truncate -s 1M "$T/canary.img"
HASH=$(sha256sum <"$T/canary.img")
LOOP=$(losetup -f --show "$T/canary.img" 2>"$T/losetup.err") || { LOOP=""; echo "SKIP: losetup: $(cat "$T/losetup.err")"; exit 77; }
IFS=: read -r MAJ MIN <"/sys/class/block/${LOOP#/dev/}/dev"
echo "note: canary on $LOOP (b $MAJ:$MIN)"
[ "$(head -c ${#CANARY} "$LOOP")" = "$CANARY" ] || die "the host cannot read the canary through $LOOP"

make_bundle
config "
for k in ('bounding', 'effective', 'permitted'):
    c['process']['capabilities'][k].append('CAP_MKNOD')
"
cat >"$BUNDLE/rootfs/probe.sh" <<'EOF'
# probe.sh MAJOR MINOR: mknod the loop device, read it, write it (past the
# canary, so a write that gets through shows in the file's hash but leaves
# the canary readable): NAME=result lines in /tmp/res
r() {
    name=$1; shift
    if out=$("$@" 2>&1); then echo "$name=ok:$out"; return; fi
    case $out in
    *"Operation not permitted"*) echo "$name=EPERM" ;;
    *) echo "$name=other:$out" ;;
    esac
}
rm -f /dev/tloop
{
    r mknod mknod /dev/tloop b "$1" "$2"
    r read head -c 64 /dev/tloop
    r write sh -c 'printf X | dd of=/dev/tloop bs=1 seek=65536 conv=notrunc 2>&1'
} >/tmp/res.tmp
mv /tmp/res.tmp /tmp/res
EOF
args sh /probe.sh "$MAJ" "$MIN"
cp "$BUNDLE/config.json" "$T/config.base"

# The configs of the attack, and one that allows the device for reading.
declare -A CASES=(
    [none]="c['linux'].pop('resources', None)"
    [empty]="c['linux']['resources'] = {'devices': []}"
    [denyc]="c['linux']['resources'] = {'devices': [{'allow': False, 'type': 'c'}]}"
    [allowed]="c['linux']['resources'] = {'devices': [{'allow': True, 'type': 'b', 'major': $MAJ, 'minor': $MIN, 'access': 'r'}]}"
)
ORDER="none empty denyc allowed"


use_case() { # use_case CASE CGROUPSPATH
    cp "$T/config.base" "$BUNDLE/config.json"
    config "${CASES[$1]}; c['linux']['cgroupsPath'] = '$2'"
    rm -f "$BUNDLE/rootfs/tmp/res"
}
res() { sed -n "s/^$1=//p" "$BUNDLE/rootfs/tmp/res"; }

# check_probe OWNER CASE: the results of probe.sh
check_probe() {
    local what="$1/$2"
    expect_eq "$what: mknod b $MAJ:$MIN (runc's default b *:* m)" "ok:" "$(res mknod)"
    if [ "$2" = allowed ]; then
        expect_eq "$what: the explicitly allowed device reads the canary" "ok:$CANARY" "$(res read)"
        expect_eq "$what: writing it (allowed r only) is EPERM" EPERM "$(res write)"
    else
        expect_eq "$what: reading the host's block device is EPERM" EPERM "$(res read)"
        expect_eq "$what: writing it is EPERM" EPERM "$(res write)"
    fi
}


# run_case OWNER CASE RUNNER...: create with RUNNER, call check_OWNER
# while the container exists, start it, wait for the probe, delete
run_case() {
    local owner=$1 case=$2 id=$1-$2; shift 2
    use_case "$case" "$CGP/$id"
    "$@" create --bundle "$BUNDLE" "$id" >"$T/out" 2>&1 || { fail "$id: create: $(cat "$T/out")"; return; }
    "check_$owner" "$id" "$case"
    "$@" start "$id" || fail "$id: start"
    wait_for test -e "$BUNDLE/rootfs/tmp/res" || fail "$id: the probe did not run"
    check_probe "$owner" "$case"
    "$@" delete --force "$id" >"$T/out" 2>&1 || fail "$id: delete: $(cat "$T/out")"
}

# ns_start SETUP: a process in a private mount namespace where the shell
# commands SETUP ran (cgroup mounts); mrns runs modrun there (--debug for
# create, for the selection); ns_stop ends it
ns_start() {
    rm -f "$T/ns.ready"
    unshare -m --propagation private sh -c "$1 && touch '$T/ns.ready'; exec sleep 300" 2>"$T/ns.err" &
    NSPID=$!
    BG_PIDS="$BG_PIDS $NSPID"
    wait_for test -e "$T/ns.ready" && return 0
    fail "cannot set up the mount namespace ($1): $(cat "$T/ns.err")"
    return 1
}
mrns() {
    local d=(); [ "$1" = create ] && d=(--debug)
    nsenter -t "$NSPID" -m -- timeout -k 5 60 "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" "${d[@]}" "$@"
}
ns_stop() { kill "$NSPID"; wait "$NSPID" 2>/dev/null; NSPID=""; }

# ---- owner 1: the v1 devices controller (cgroupfs, the default here) ------
check_v1() {
    local list; list=$(cat "/sys/fs/cgroup/devices$CGP/$1/devices.list" 2>&1)
    if [ "$2" = allowed ]; then
        expect_eq "$1: devices.list: the allowed device, then the defaults" "b $MAJ:$MIN r
$RUNC_DEFAULT_DEVICES_LIST" "$list"
    else
        expect_eq "$1: devices.list: runc's defaults only (no a *:* rwm)" "$RUNC_DEFAULT_DEVICES_LIST" "$list"
    fi
    V1_LIST[$2]=$list
}
declare -A V1_LIST
if grep -qE " /sys/fs/cgroup/devices [^-]* - cgroup " /proc/self/mountinfo; then
    for case in $ORDER; do run_case v1 "$case" mr --plugin cgroup=cgroupfs; done
    # Debian's runc on the same configs: the same list, as a set (runc
    # writes its own order); runc refuses a rule without "access", so denyc gets "rwm" there
    if command -v runc >/dev/null; then
        for case in $ORDER; do
            use_case "$case" "$CGP-runc/$case"
            config "[r.setdefault('access', 'rwm') for r in c['linux'].get('resources', {}).get('devices', [])]"
            runc --root "$T/runc" create --bundle "$BUNDLE" "runc-$case" >"$T/out" 2>&1 ||
                { fail "runc create $case: $(cat "$T/out")"; continue; }
            got=$(sort "/sys/fs/cgroup/devices$CGP-runc/$case/devices.list")
            expect_eq "v1/$case: devices.list as runc 1.1.5 writes it" "$got" \
                "$(printf '%s\n' "${V1_LIST[$case]}" | sort)"
            runc --root "$T/runc" delete --force "runc-$case" >/dev/null 2>&1
        done
        runc_cgroups_remove
    else
        echo "note: runc not installed, no comparison"
    fi
else
    echo "note: no v1 devices controller on this host"
fi

# ---- owner 2: the devices-ebpf plugin on the unified hierarchy -------------
check_ebpf() {
    local progs; progs=$(dev_progs "$UNI$CGP/$1")
    expect_match "$1: exactly one device program, modrun's" "^[0-9]+ modrun_devices\$" "$progs"
    if [ -e "/sys/fs/cgroup/devices$CGP/$1" ]; then
        expect_eq "$1: the v1 devices cgroup allows all: the program alone decides" "a *:* rwm" \
            "$(cat "/sys/fs/cgroup/devices$CGP/$1/devices.list")"
    fi
}
if [ ! -f "$PLUGIN_DIR/devices-ebpf.so" ] || ! command -v bpftool >/dev/null || [ -z "$UNI" ]; then
    echo "note: devices-ebpf.so, bpftool or cgroup2 missing: no eBPF cases"
else
    for case in $ORDER; do run_case ebpf "$case" mr --plugin cgroup=cgroupfs --plugin devices=ebpf; done

    # ---- owner 3: pure cgroup v2, the filter chosen automatically ----------
    # (a private mount namespace without the v1 hierarchies, cgroup2 on
    # /sys/fs/cgroup: the same cgroup2 tree as $UNI)
    v2ns="umount -R /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup"
    if ns_start "$v2ns"; then
        check_v2() {
            expect_match "$1: the eBPF filter is chosen on pure v2" "devices plugin: ebpf \\(auto" "$(cat "$T/out")"
            check_ebpf "$1" "$2"
        }
        for case in $ORDER; do run_case v2 "$case" mrns; done
        ns_stop
    fi
fi

# ---- no owner: refused (fail closed), nothing left ---------------------------
# cgroup2 mounted over the hybrid tree: the covered v1 devices mount keeps the
# eBPF filter from being chosen, and cgroupfs sees no v1 devices controller
if [ -n "$UNI" ] && ns_start "mount -t cgroup2 none /sys/fs/cgroup"; then
    use_case none "$CGP/unfiltered"
    if mrns create --bundle "$BUNDLE" unfiltered >"$T/out" 2>&1; then
        fail "unfiltered: created with no device filter"
        mrns delete --force unfiltered
    fi
    expect_match "unfiltered: refused, naming why and the fix" \
        "nothing would filter the container's device access .*--plugin devices=ebpf" "$(cat "$T/out")"
    expect_eq "unfiltered: no state left" "" "$(ls "$ROOT")"
    expect_eq "unfiltered: no cgroup left" "" "$(cg_left)"
    ns_stop
fi

sync; losetup -d "$LOOP" && LOOP=""  # (flushes what a write through it left)
expect_eq "the canary file is unchanged (no write got through)" "$HASH" "$(sha256sum <"$T/canary.img")"
expect_eq "no cgroup dir left" "" "$(cg_left)"
assert_clean "at the end"
finish
